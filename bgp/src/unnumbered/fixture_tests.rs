//! The codec on router discovery messages captured from real peers
//! (`bgp/tests/fixtures/ra/`, see its README): FRR 8.4.4 zebra's RA and a
//! Linux kernel's RS, with their IPv6 headers.

use std::net::Ipv6Addr;

use super::ra::{NdMessage, RouterAdvert, RouterSolicit, ALL_NODES, ALL_ROUTERS, ND_HOP_LIMIT};
use super::validate::validate;

const FRR_RA: &[u8] = include_bytes!("../../tests/fixtures/ra/02-frrspine-ra.bin");
const FRR_RA_IP6: &[u8] = include_bytes!("../../tests/fixtures/ra/02-frrspine-ra.ipv6.bin");
const LINUX_RS: &[u8] = include_bytes!("../../tests/fixtures/ra/01-linuxleaf-rs.bin");
const LINUX_RS_IP6: &[u8] = include_bytes!("../../tests/fixtures/ra/01-linuxleaf-rs.ipv6.bin");

struct Ip6 {
    hop_limit: u8,
    src: Ipv6Addr,
    dst: Ipv6Addr,
}

fn ip6(h: &[u8]) -> Ip6 {
    let a = |at: usize| Ipv6Addr::from(<[u8; 16]>::try_from(&h[at..at + 16]).unwrap());
    assert_eq!(h[6], 58, "next header ICMPv6");
    Ip6 {
        hop_limit: h[7],
        src: a(8),
        dst: a(24),
    }
}

/// The RFC 4443 checksum over the pseudo-header and the message: 0 when
/// the message's own checksum is right.
fn checksum(src: Ipv6Addr, dst: Ipv6Addr, msg: &[u8]) -> u16 {
    let mut pseudo = Vec::new();
    pseudo.extend_from_slice(&src.octets());
    pseudo.extend_from_slice(&dst.octets());
    pseudo.extend_from_slice(&(msg.len() as u32).to_be_bytes());
    pseudo.extend_from_slice(&[0, 0, 0, 58]);
    pseudo.extend_from_slice(msg);
    if pseudo.len() % 2 == 1 {
        pseudo.push(0);
    }
    let mut sum: u32 = pseudo
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[test]
fn frr_zebra_router_advertisement() {
    let h = ip6(FRR_RA_IP6);
    assert_eq!(h.hop_limit, ND_HOP_LIMIT);
    assert_eq!(h.src, "fe80::ff:fe00:601".parse::<Ipv6Addr>().unwrap());
    assert_eq!(h.dst, ALL_NODES);
    assert_eq!(checksum(h.src, h.dst, FRR_RA), 0, "captured intact");
    let ra = RouterAdvert::parse(FRR_RA).unwrap();
    // tshark: Cur hop limit 64, Flags 0x00, Router lifetime 9, Reachable 0,
    // Retrans 0, Source link-layer address 02:00:00:00:06:01
    assert_eq!(
        ra,
        RouterAdvert {
            cur_hop_limit: 64,
            flags: 0,
            router_lifetime: 9,
            reachable_time: 0,
            retrans_timer: 0,
            source_lladdr: Some([2, 0, 0, 0, 6, 1]),
            mtu: None,
        }
    );
    assert_eq!(
        validate(h.src, Some(h.hop_limit), FRR_RA),
        Ok(NdMessage::RouterAdvert(ra))
    );
    // we emit the same bytes, but for the checksum the kernel fills in
    let mut out = Vec::new();
    ra.emit(&mut out);
    assert_eq!(out[..2], FRR_RA[..2]);
    assert_eq!(out[4..], FRR_RA[4..]);
    assert_eq!(out[2..4], [0, 0]);
}

#[test]
fn linux_router_solicitation() {
    let h = ip6(LINUX_RS_IP6);
    assert_eq!(h.hop_limit, ND_HOP_LIMIT);
    assert_eq!(h.dst, ALL_ROUTERS);
    assert_eq!(checksum(h.src, h.dst, LINUX_RS), 0, "captured intact");
    let rs = RouterSolicit::parse(LINUX_RS).unwrap();
    assert_eq!(rs.source_lladdr, Some([2, 0, 0, 0, 6, 2]));
    assert_eq!(
        validate(h.src, Some(h.hop_limit), LINUX_RS),
        Ok(NdMessage::RouterSolicit(rs))
    );
    let mut out = Vec::new();
    rs.emit(&mut out);
    assert_eq!(out[4..], LINUX_RS[4..]);
}

#[test]
fn tshark_agrees() {
    let t = include_str!("../../tests/fixtures/ra/capture.tshark.txt");
    for line in [
        "Type: Router Advertisement (134)",
        "Cur hop limit: 64",
        "Router lifetime (s): 9",
        "Link-layer address: 02:00:00:00:06:01",
        "Type: Router Solicitation (133)",
        "Link-layer address: 02:00:00:00:06:02",
    ] {
        assert!(t.contains(line), "tshark decode lacks {line:?}");
    }
}
