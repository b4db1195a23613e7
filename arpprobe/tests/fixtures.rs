//! Frames captured from real Linux kernels (tests/fixtures/, see its README):
//! parsed by the wire codec, judged by the socket filters, matched by the core.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Instant;

use arpprobe::bpf;
use arpprobe::wire::{ArpOp, Frame, NdiscRepr};
use arpprobe::{Core, CoreConfig, IfaceId, IfaceInfo, MacAddr, ReportKind};

const LEAF: MacAddr = MacAddr([2, 0, 0, 0x77, 0, 1]);
const HOST: MacAddr = MacAddr([2, 0, 0, 0x77, 0, 2]);
const LEAF1: MacAddr = MacAddr([2, 0, 0, 0x77, 1, 1]);
const HOST1: MacAddr = MacAddr([2, 0, 0, 0x77, 1, 2]);

/// Reads the frames of a classic little-endian pcap file.
fn pcap(name: &str) -> Vec<Vec<u8>> {
    let path = format!("{}/tests/fixtures/{name}.pcap", env!("CARGO_MANIFEST_DIR"));
    let b = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(
        &b[0..4],
        &[0xd4, 0xc3, 0xb2, 0xa1],
        "{name}: not a little-endian pcap"
    );
    assert_eq!(
        u32::from_le_bytes(b[20..24].try_into().unwrap()),
        1,
        "{name}: not Ethernet"
    );
    let mut frames = Vec::new();
    let mut off = 24;
    while off + 16 <= b.len() {
        let caplen = u32::from_le_bytes(b[off + 8..off + 12].try_into().unwrap()) as usize;
        frames.push(b[off + 16..off + 16 + caplen].to_vec());
        off += 16 + caplen;
    }
    assert_eq!(off, b.len(), "{name}: trailing bytes");
    frames
}

fn leaf_core() -> Core {
    let mut c = Core::new(CoreConfig::default());
    c.set_interface(
        IfaceId(0),
        Some(IfaceInfo {
            ifindex: 2,
            mac: LEAF,
            ipv4: vec![(Ipv4Addr::new(10, 77, 0, 1), 24)],
            ipv6: vec![
                ("2001:db8:77::1".parse().unwrap(), 64),
                ("fe80::ff:fe77:1".parse().unwrap(), 64),
            ],
        }),
    );
    c.set_interface(
        IfaceId(1),
        Some(IfaceInfo {
            ifindex: 3,
            mac: LEAF1,
            ipv4: vec![],
            ipv6: vec![],
        }),
    );
    c.add_target(IfaceId(0), Ipv4Addr::new(10, 77, 0, 2).into(), HOST)
        .unwrap();
    c.add_target(
        IfaceId(0),
        "2001:db8:77::2".parse::<Ipv6Addr>().unwrap().into(),
        HOST,
    )
    .unwrap();
    c.add_target(IfaceId(1), Ipv4Addr::new(10, 77, 1, 2).into(), HOST1)
        .unwrap();
    c
}

fn kind(c: &mut Core, iface: u32, frame: &[u8]) -> Option<ReportKind> {
    let ifindex = if iface == 0 { 2 } else { 3 };
    c.handle_frame(Instant::now(), IfaceId(iface), ifindex, frame)
        .map(|r| r.kind)
}

#[test]
fn arp_probe_is_what_we_build_and_reply_is_alive() {
    let f = pcap("arp_probe_and_reply");
    assert_eq!(f.len(), 2);
    let mut built = [0u8; 64];
    let n = arpprobe::wire::build_arp_probe(
        &mut built,
        LEAF,
        Ipv4Addr::new(10, 77, 0, 1),
        HOST,
        Ipv4Addr::new(10, 77, 0, 2),
    )
    .unwrap();
    assert_eq!(
        &f[0][..],
        &built[..n],
        "the captured probe is byte for byte ours"
    );
    match Frame::parse(&f[1]).unwrap() {
        Frame::Arp { eth, arp } => {
            assert_eq!((eth.src, eth.dst), (HOST, LEAF));
            assert_eq!((arp.op, arp.sha, arp.tha), (ArpOp::Reply, HOST, LEAF));
            assert_eq!(
                (arp.spa, arp.tpa),
                (Ipv4Addr::new(10, 77, 0, 2), Ipv4Addr::new(10, 77, 0, 1))
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        bpf::run(&bpf::arp_filter(), &f[0], false),
        0,
        "our request is filtered out"
    );
    assert_ne!(
        bpf::run(&bpf::arp_filter(), &f[1], false),
        0,
        "the reply passes"
    );
    let mut c = leaf_core();
    assert!(matches!(
        kind(&mut c, 0, &f[1]),
        Some(ReportKind::Alive { .. })
    ));
}

#[test]
fn unnumbered_probe_from_zero_gets_a_reply_to_zero() {
    let f = pcap("arp_probe_and_reply_unnumbered");
    let Frame::Arp { arp: req, .. } = Frame::parse(&f[0]).unwrap() else {
        panic!()
    };
    assert_eq!(req.spa, Ipv4Addr::UNSPECIFIED);
    let Frame::Arp { arp: rep, .. } = Frame::parse(&f[1]).unwrap() else {
        panic!()
    };
    assert_eq!(
        (rep.op, rep.tpa, rep.tha),
        (ArpOp::Reply, Ipv4Addr::UNSPECIFIED, LEAF1)
    );
    assert_ne!(bpf::run(&bpf::arp_filter(), &f[1], false), 0);
    let mut c = leaf_core();
    assert!(matches!(
        kind(&mut c, 1, &f[1]),
        Some(ReportKind::Alive { .. })
    ));
    // the same reply on the numbered interface is not for us
    assert_eq!(kind(&mut c, 0, &f[1]), None);
}

#[test]
fn ns_probe_is_what_we_build_and_solicited_na_is_alive() {
    let f = pcap("ns_probe_and_solicited_na");
    let src: Ipv6Addr = "2001:db8:77::1".parse().unwrap();
    let dst: Ipv6Addr = "2001:db8:77::2".parse().unwrap();
    let mut built = [0u8; 128];
    let n = arpprobe::wire::build_ns_probe(&mut built, LEAF, src, HOST, dst).unwrap();
    assert_eq!(
        &f[0][..],
        &built[..n],
        "the captured NS is byte for byte ours, checksum included"
    );
    match Frame::parse(&f[1]).unwrap() {
        Frame::Ndisc {
            ip,
            nd:
                NdiscRepr::NeighborAdvert {
                    flags,
                    target,
                    target_lladdr,
                },
            ..
        } => {
            assert!(flags.solicited);
            assert_eq!((ip.src, ip.dst, target), (dst, src, dst));
            assert_eq!(
                target_lladdr, None,
                "Linux leaves the option out of answers to a unicast NS"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(bpf::run(&bpf::na_filter(), &f[0], false), 0);
    assert_ne!(bpf::run(&bpf::na_filter(), &f[1], false), 0);
    let mut c = leaf_core();
    assert!(matches!(
        kind(&mut c, 0, &f[1]),
        Some(ReportKind::Alive { .. })
    ));
}

#[test]
fn gratuitous_arp_from_a_new_mac_is_a_conflict() {
    let f = pcap("gratuitous_arp");
    let Frame::Arp { arp, .. } = Frame::parse(&f[0]).unwrap() else {
        panic!()
    };
    assert!(arp.is_gratuitous());
    assert_ne!(bpf::run(&bpf::arp_filter(), &f[0], false), 0);
    assert_eq!(
        bpf::run(&bpf::arp_filter(), &f[0], true),
        0,
        "a tagged copy is dropped"
    );
    let mut c = leaf_core();
    assert_eq!(
        kind(&mut c, 0, &f[0]),
        Some(ReportKind::Conflict {
            seen_mac: MacAddr([2, 0, 0, 0x77, 0, 3])
        }),
        "the host changed its MAC to ...:03"
    );
    // probed at the new MAC, the same frame is an announcement
    c.add_target(
        IfaceId(0),
        IpAddr::V4(Ipv4Addr::new(10, 77, 0, 2)),
        MacAddr([2, 0, 0, 0x77, 0, 3]),
    )
    .unwrap();
    assert_eq!(kind(&mut c, 0, &f[0]), Some(ReportKind::Announced));
}

#[test]
fn unsolicited_na_is_an_announcement() {
    let f = pcap("unsolicited_na");
    assert_ne!(bpf::run(&bpf::na_filter(), &f[0], false), 0);
    let mut c = leaf_core();
    assert_eq!(kind(&mut c, 0, &f[0]), Some(ReportKind::Announced));
}

#[test]
fn kernel_requests_and_solicitations_are_filtered_out() {
    for f in pcap("arp_request_broadcast") {
        assert!(Frame::parse(&f).is_ok());
        assert_eq!(bpf::run(&bpf::arp_filter(), &f, false), 0);
        assert_eq!(kind(&mut leaf_core(), 0, &f), None);
    }
    for f in pcap("ns_multicast") {
        assert!(matches!(
            Frame::parse(&f).unwrap(),
            Frame::Ndisc {
                nd: NdiscRepr::NeighborSolicit { .. },
                ..
            }
        ));
        assert_eq!(bpf::run(&bpf::na_filter(), &f, false), 0);
    }
}

#[test]
fn every_truncation_of_every_fixture_is_handled() {
    let names = [
        "arp_probe_and_reply",
        "arp_probe_and_reply_unnumbered",
        "ns_probe_and_solicited_na",
        "gratuitous_arp",
        "unsolicited_na",
        "arp_request_broadcast",
        "ns_multicast",
    ];
    let mut c = leaf_core();
    for name in names {
        for f in pcap(name) {
            assert!(Frame::parse(&f).is_ok(), "{name}");
            // re-emitting a parsed frame gives the same bytes
            let parsed = Frame::parse(&f).unwrap();
            let mut b = [0u8; 256];
            let n = parsed.emit(&mut b).unwrap();
            assert_eq!(&b[..n], &f[..n], "{name}");
            for cut in 0..f.len() {
                let _ = Frame::parse(&f[..cut]);
                let _ = kind(&mut c, 0, &f[..cut]);
                let _ = bpf::run(&bpf::arp_filter(), &f[..cut], false);
                let _ = bpf::run(&bpf::na_filter(), &f[..cut], false);
            }
        }
    }
}
