//! Unit and property tests of the core: probes out, frames in, reports out.

use super::*;
use crate::wire::{
    ArpOp, ArpRepr, EtherType, EthernetRepr, Frame, Ipv6Repr, NaFlags, NdiscRepr,
    NEXT_HEADER_ICMPV6,
};
use proptest::prelude::*;
use std::net::{Ipv4Addr, Ipv6Addr};

const OUR: MacAddr = MacAddr([0x02, 0xaa, 0, 0, 0, 0x01]);
const HOST: MacAddr = MacAddr([0x02, 0xbb, 0, 0, 0, 0x02]);
const OTHER: MacAddr = MacAddr([0x02, 0xcc, 0, 0, 0, 0x03]);
const IF1: IfaceId = IfaceId(1);
const IF2: IfaceId = IfaceId(2);

fn v4(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}
fn v6(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn info(ifindex: u32) -> IfaceInfo {
    IfaceInfo {
        ifindex,
        mac: OUR,
        ipv4: vec![(v4("10.0.0.1"), 24)],
        ipv6: vec![(v6("2001:db8::1"), 64), (v6("fe80::1"), 64)],
    }
}

fn core() -> Core {
    let mut c = Core::new(CoreConfig::default());
    c.set_interface(IF1, Some(info(11)));
    c.set_interface(IF2, Some(info(12)));
    c.add_target(IF1, v4("10.0.0.2").into(), HOST).unwrap();
    c.add_target(IF1, v6("2001:db8::2").into(), HOST).unwrap();
    c
}

fn bytes(f: Frame) -> Vec<u8> {
    let mut b = vec![0u8; 128];
    let n = f.emit(&mut b).unwrap();
    b.truncate(n);
    b
}

fn arp_reply(sha: MacAddr, spa: &str, tha: MacAddr, tpa: &str) -> Vec<u8> {
    bytes(Frame::Arp {
        eth: EthernetRepr {
            src: sha,
            dst: tha,
            ethertype: EtherType::Arp,
        },
        arp: ArpRepr {
            op: ArpOp::Reply,
            sha,
            spa: v4(spa),
            tha,
            tpa: v4(tpa),
        },
    })
}

fn na(
    src_mac: MacAddr,
    dst_mac: MacAddr,
    src: &str,
    dst: &str,
    solicited: bool,
    tlla: Option<MacAddr>,
) -> Vec<u8> {
    bytes(Frame::Ndisc {
        eth: EthernetRepr {
            src: src_mac,
            dst: dst_mac,
            ethertype: EtherType::Ipv6,
        },
        ip: Ipv6Repr {
            src: v6(src),
            dst: v6(dst),
            next_header: NEXT_HEADER_ICMPV6,
            hop_limit: 255,
            payload_len: 0,
        },
        nd: NdiscRepr::NeighborAdvert {
            flags: NaFlags {
                router: false,
                solicited,
                override_: tlla.is_some(),
            },
            target: v6(src),
            target_lladdr: tlla,
        },
    })
}

fn probe_all(c: &mut Core, now: Instant) -> TxBatch {
    let mut batch = TxBatch::new(64);
    let mut reports = Vec::new();
    c.poll_transmit(now, &mut batch, &mut reports);
    c.poll_transmit(now + c.config.interval, &mut batch, &mut reports);
    batch
}

#[test]
fn probes_are_unicast_from_our_mac_and_address() {
    let mut c = core();
    let batch = probe_all(&mut c, Instant::now());
    assert_eq!(batch.len(), 2);
    let mut seen = 0;
    for i in 0..batch.len() {
        let (meta, f) = batch.get(i).unwrap();
        assert_eq!(meta.ifindex, 11);
        match Frame::parse(f).unwrap() {
            Frame::Arp { eth, arp } => {
                assert_eq!((eth.dst, eth.src, meta.ethertype), (HOST, OUR, 0x0806));
                assert_eq!(
                    (arp.op, arp.sha, arp.spa, arp.tpa),
                    (ArpOp::Request, OUR, v4("10.0.0.1"), v4("10.0.0.2"))
                );
                seen |= 1;
            }
            Frame::Ndisc { eth, ip, nd } => {
                assert_eq!((eth.dst, eth.src, meta.ethertype), (HOST, OUR, 0x86dd));
                assert_eq!(
                    (ip.src, ip.dst, ip.hop_limit),
                    (v6("2001:db8::1"), v6("2001:db8::2"), 255)
                );
                assert_eq!(
                    nd,
                    NdiscRepr::NeighborSolicit {
                        target: v6("2001:db8::2"),
                        source_lladdr: Some(OUR)
                    }
                );
                seen |= 2;
            }
        }
    }
    assert_eq!(seen, 3);
    assert_eq!(c.counters().probes_sent, 2);
}

#[test]
fn reply_from_known_mac_is_alive_with_rtt() {
    let mut c = core();
    let t0 = Instant::now();
    probe_all(&mut c, t0);
    let later = t0 + Duration::from_secs(2);
    let r = c
        .handle_frame(
            later,
            IF1,
            11,
            &arp_reply(HOST, "10.0.0.2", OUR, "10.0.0.1"),
        )
        .unwrap();
    assert_eq!(
        (r.iface, r.ip, r.mac),
        (IF1, IpAddr::V4(v4("10.0.0.2")), HOST)
    );
    assert!(matches!(r.kind, ReportKind::Alive { rtt: Some(_) }));
    // a duplicate answer still proves liveness, without an RTT
    let r = c
        .handle_frame(
            later,
            IF1,
            11,
            &arp_reply(HOST, "10.0.0.2", OUR, "10.0.0.1"),
        )
        .unwrap();
    assert_eq!(r.kind, ReportKind::Alive { rtt: None });
    assert_eq!(c.counters().replies_matched, 2);
}

#[test]
fn reply_from_another_mac_is_a_conflict_never_liveness() {
    let mut c = core();
    let r = c
        .handle_frame(
            Instant::now(),
            IF1,
            11,
            &arp_reply(OTHER, "10.0.0.2", OUR, "10.0.0.1"),
        )
        .unwrap();
    assert_eq!(r.mac, HOST);
    assert_eq!(r.kind, ReportKind::Conflict { seen_mac: OTHER });
    assert!(!r.kind.is_liveness());
    assert_eq!(c.counters().conflicts, 1);
    assert_eq!(c.counters().replies_matched, 0);
}

#[test]
fn gratuitous_arp_is_an_announcement() {
    let mut c = core();
    let garp = bytes(Frame::Arp {
        eth: EthernetRepr {
            src: HOST,
            dst: MacAddr::BROADCAST,
            ethertype: EtherType::Arp,
        },
        arp: ArpRepr {
            op: ArpOp::Request,
            sha: HOST,
            spa: v4("10.0.0.2"),
            tha: MacAddr::ZERO,
            tpa: v4("10.0.0.2"),
        },
    });
    assert_eq!(
        c.handle_frame(Instant::now(), IF1, 11, &garp).unwrap().kind,
        ReportKind::Announced
    );
}

#[test]
fn spoofed_replies_are_dropped() {
    let mut c = core();
    let now = Instant::now();
    // addressed to another MAC
    assert!(c
        .handle_frame(
            now,
            IF1,
            11,
            &arp_reply(HOST, "10.0.0.2", OTHER, "10.0.0.1")
        )
        .is_none());
    // to our MAC but another IP
    assert!(c
        .handle_frame(now, IF1, 11, &arp_reply(HOST, "10.0.0.2", OUR, "10.0.0.9"))
        .is_none());
    assert_eq!(c.counters().dropped_not_for_us, 2);
    // from the wrong interface: IF2's socket, or a frame the kernel says came from elsewhere
    assert!(c
        .handle_frame(now, IF2, 12, &arp_reply(HOST, "10.0.0.2", OUR, "10.0.0.1"))
        .is_none());
    assert!(c
        .handle_frame(now, IF1, 99, &arp_reply(HOST, "10.0.0.2", OUR, "10.0.0.1"))
        .is_none());
    assert!(c
        .handle_frame(
            now,
            IfaceId(77),
            11,
            &arp_reply(HOST, "10.0.0.2", OUR, "10.0.0.1")
        )
        .is_none());
    assert_eq!(c.counters().dropped_unexpected_iface, 3);
    // solicited NA to another address
    assert!(c
        .handle_frame(
            now,
            IF1,
            11,
            &na(HOST, OUR, "2001:db8::2", "2001:db8::99", true, None)
        )
        .is_none());
    assert_eq!(c.counters().dropped_not_for_us, 3);
    assert_eq!(c.counters().replies_matched, 0);
}

#[test]
fn na_without_option_uses_ethernet_source() {
    let mut c = core();
    let r = c
        .handle_frame(
            Instant::now(),
            IF1,
            11,
            &na(HOST, OUR, "2001:db8::2", "2001:db8::1", true, None),
        )
        .unwrap();
    assert_eq!(r.kind, ReportKind::Alive { rtt: None });
    let r = c
        .handle_frame(
            Instant::now(),
            IF1,
            11,
            &na(HOST, OUR, "2001:db8::2", "2001:db8::1", true, Some(OTHER)),
        )
        .unwrap();
    assert_eq!(r.kind, ReportKind::Conflict { seen_mac: OTHER });
    let all_nodes = MacAddr([0x33, 0x33, 0, 0, 0, 1]);
    let r = c.handle_frame(
        Instant::now(),
        IF1,
        11,
        &na(HOST, all_nodes, "2001:db8::2", "ff02::1", false, Some(HOST)),
    );
    assert_eq!(r.unwrap().kind, ReportKind::Announced);
}

#[test]
fn unknown_hosts_are_ignored_or_discovered() {
    let mut c = core();
    assert!(c
        .handle_frame(
            Instant::now(),
            IF1,
            11,
            &arp_reply(OTHER, "10.0.0.50", OUR, "10.0.0.1")
        )
        .is_none());
    assert_eq!(c.counters().ignored_unknown_host, 1);
    let mut c = Core::new(CoreConfig {
        report_unknown: true,
        ..CoreConfig::default()
    });
    c.set_interface(IF1, Some(info(11)));
    let r = c
        .handle_frame(
            Instant::now(),
            IF1,
            11,
            &arp_reply(OTHER, "10.0.0.50", OUR, "10.0.0.1"),
        )
        .unwrap();
    assert_eq!((r.mac, r.kind), (OTHER, ReportKind::Discovered));
}

#[test]
fn malformed_frames_are_counted() {
    let mut c = core();
    let good = arp_reply(HOST, "10.0.0.2", OUR, "10.0.0.1");
    for n in 0..good.len() {
        assert!(c
            .handle_frame(Instant::now(), IF1, 11, &good[..n])
            .is_none());
    }
    assert_eq!(c.counters().dropped_malformed, good.len() as u64);
}

#[test]
fn down_interface_skips_probes_and_resumes_with_new_ifindex() {
    let mut c = core();
    let t0 = Instant::now();
    c.set_interface(IF1, None);
    assert_eq!(probe_all(&mut c, t0).len(), 0);
    assert_eq!(c.counters().probes_skipped_iface_down, 2);
    c.set_interface(IF1, Some(info(42)));
    let batch = probe_all(&mut c, t0 + Duration::from_secs(5));
    assert_eq!(batch.len(), 2);
    assert_eq!(batch.get(0).unwrap().0.ifindex, 42);
    assert!(c
        .handle_frame(t0, IF1, 11, &arp_reply(HOST, "10.0.0.2", OUR, "10.0.0.1"))
        .is_none());
    assert!(c
        .handle_frame(t0, IF1, 42, &arp_reply(HOST, "10.0.0.2", OUR, "10.0.0.1"))
        .is_some());
}

#[test]
fn unnumbered_interface_probes_from_zero_and_accepts_zero_target() {
    let mut c = core();
    c.set_interface(
        IF1,
        Some(IfaceInfo {
            ipv4: vec![],
            ..info(11)
        }),
    );
    let batch = probe_all(&mut c, Instant::now());
    let arp = (0..batch.len())
        .find_map(|i| match Frame::parse(batch.get(i).unwrap().1).unwrap() {
            Frame::Arp { arp, .. } => Some(arp),
            _ => None,
        })
        .unwrap();
    assert_eq!(arp.spa, Ipv4Addr::UNSPECIFIED);
    let r = c
        .handle_frame(
            Instant::now(),
            IF1,
            11,
            &arp_reply(HOST, "10.0.0.2", OUR, "0.0.0.0"),
        )
        .unwrap();
    assert!(r.kind.is_liveness());
}

#[test]
fn report_sent_and_target_validation() {
    let mut c = Core::new(CoreConfig {
        report_sent: true,
        ..CoreConfig::default()
    });
    c.set_interface(IF1, Some(info(11)));
    assert!(c
        .add_target(IF1, v4("10.0.0.2").into(), MacAddr::BROADCAST)
        .is_err());
    assert!(c.add_target(IF1, v4("0.0.0.0").into(), HOST).is_err());
    assert!(c.add_target(IF1, v6("ff02::1").into(), HOST).is_err());
    c.add_target(IF1, v4("10.0.0.2").into(), HOST).unwrap();
    let mut batch = TxBatch::new(8);
    let mut reports = Vec::new();
    let t0 = Instant::now();
    c.poll_transmit(t0, &mut batch, &mut reports);
    c.poll_transmit(t0 + Duration::from_secs(1), &mut batch, &mut reports);
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].kind, ReportKind::ProbeSent);
    assert!(c.remove_target(IF1, v4("10.0.0.2").into()));
    assert!(!c.remove_target(IF1, v4("10.0.0.2").into()));
    assert_eq!(c.counters().targets, 0);
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..200), ifindex in 10u32..13) {
        let mut c = core();
        let _ = c.handle_frame(Instant::now(), IF1, ifindex, &b);
    }

    /// Whatever the targets, an answer from the probed MAC is liveness of
    /// exactly that target and an answer from any other MAC is a conflict.
    #[test]
    fn answers_match_exactly(hosts in proptest::collection::vec((1u8..250, 1u8..250, any::<[u8; 5]>()), 1..30),
                             pick in any::<prop::sample::Index>(), other in any::<[u8; 5]>()) {
        let mut c = Core::new(CoreConfig::default());
        c.set_interface(IF1, Some(info(11)));
        let mut table = HashMap::new();
        for (a, b, m) in &hosts {
            let ip = Ipv4Addr::new(10, 0, *a, *b);
            let mac = MacAddr([2, m[0], m[1], m[2], m[3], m[4]]);
            c.add_target(IF1, ip.into(), mac).unwrap();
            table.insert(ip, mac);
        }
        let ips: Vec<_> = table.keys().copied().collect();
        let ip = ips[pick.index(ips.len())];
        let mac = table[&ip];
        let reply = arp_reply(mac, &ip.to_string(), OUR, "10.0.0.1");
        let r = c.handle_frame(Instant::now(), IF1, 11, &reply).unwrap();
        prop_assert_eq!((r.ip, r.mac), (IpAddr::V4(ip), mac));
        prop_assert!(r.kind.is_liveness());
        let seen = MacAddr([2, other[0], other[1], other[2], other[3], other[4]]);
        if seen != mac {
            let r = c.handle_frame(Instant::now(), IF1, 11, &arp_reply(seen, &ip.to_string(), OUR, "10.0.0.1")).unwrap();
            prop_assert_eq!(r.kind, ReportKind::Conflict { seen_mac: seen });
        }
    }
}

#[test]
fn a_target_with_its_key_stays_small() {
    assert!(std::mem::size_of::<((IfaceId, IpAddr), super::Entry)>() <= 36);
}
