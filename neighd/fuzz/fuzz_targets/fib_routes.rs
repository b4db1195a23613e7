//! A datagram as the FIB's route socket receives it (a route dump, acks,
//! link answers), after five bytes that say whose routes we are looking
//! for: the protocol (1 byte) and the table (4 bytes, native order).
//!
//! The FIB's own frame walker finds exactly the frames the tracker's walker
//! finds before its first error. Acks read as success only for a zero code.
//! A route the dump parser accepts is of the owner's protocol and table
//! only, has at least one next hop, no interface index 0, and, written
//! again with the FIB's own encoder, reads back as the same route.
//! `link_index` never yields 0 or a negative kernel index.
#![no_main]

use std::net::IpAddr;

use bgp::wire::Prefix;
use libfuzzer_sys::fuzz_target;
use neighd::fib::{InstalledNextHop, InstalledRoute};
use neighd::fuzzing::{
    ack_result, fib_frames, install, link_index, parse_installed_route, Forwarding, ResolvedHop,
    RouteOwner,
};
use neighd::netlink::Frames;

const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const RTM_NEWROUTE: u16 = 24;

fuzz_target!(|data: &[u8]| {
    let Some((head, datagram)) = data.split_first_chunk::<5>() else {
        return;
    };
    let owner = RouteOwner {
        protocol: head[0],
        table: u32::from_ne_bytes([head[1], head[2], head[3], head[4]]),
        metric: 0,
    };
    let walked: Vec<_> = Frames::new(datagram).map_while(Result::ok).collect();
    let fib: Vec<_> = fib_frames(datagram).collect();
    assert_eq!(fib.len(), walked.len(), "the two frame walkers disagree");
    for (f, w) in fib.iter().zip(&walked) {
        assert_eq!(
            (
                f.message_type,
                f.flags,
                f.sequence,
                f.payload.as_ptr(),
                f.payload.len()
            ),
            (w.kind, w.flags, w.seq, w.payload.as_ptr(), w.payload.len()),
            "the two frame walkers disagree"
        );
    }
    for frame in &fib {
        if let Some(index) = link_index(frame.payload) {
            assert!(index != 0 && i32::try_from(index).is_ok());
        }
        match frame.message_type {
            NLMSG_ERROR | NLMSG_DONE => {
                let code = frame
                    .payload
                    .get(..4)
                    .map(|c| i32::from_ne_bytes([c[0], c[1], c[2], c[3]]));
                match ack_result(frame) {
                    Ok(()) => assert_eq!(code, Some(0)),
                    Err(e) => {
                        assert_ne!(code, Some(0));
                        assert_ne!(e.errno, 0);
                        if let Some(m) = &e.message {
                            assert!(!m.contains('\0'));
                        }
                    }
                }
            }
            RTM_NEWROUTE => {
                if let Some(route) = parse_installed_route(&owner, frame.payload) {
                    check_route(&owner, frame.payload, &route);
                }
            }
            _ => {}
        }
    }
});

fn check_route(owner: &RouteOwner, payload: &[u8], route: &InstalledRoute) {
    assert!(!route.next_hops.is_empty());
    assert!(route.next_hops.iter().all(|h| h.ifindex != Some(0)));
    let other_protocol = RouteOwner {
        protocol: owner.protocol.wrapping_add(1),
        ..*owner
    };
    let other_table = RouteOwner {
        table: owner.table.wrapping_add(1),
        ..*owner
    };
    assert_eq!(parse_installed_route(&other_protocol, payload), None);
    assert_eq!(parse_installed_route(&other_table, payload), None);
    round_trip(owner, route);
}

/// The route written by the FIB's encoder reads back the same, when it can
/// be written at all.
fn round_trip(owner: &RouteOwner, route: &InstalledRoute) {
    let owner = RouteOwner {
        metric: route.metric,
        ..*owner
    };
    let forwarding = match route.next_hops.as_slice() {
        [InstalledNextHop {
            gateway: None,
            ifindex: Some(ifindex),
        }] => Forwarding::Device(*ifindex),
        hops => {
            let Some(gateways) = hops
                .iter()
                .map(|h| {
                    h.gateway.map(|address| ResolvedHop {
                        address,
                        ifindex: h.ifindex,
                    })
                })
                .collect::<Option<Vec<_>>>()
            else {
                return; // a device route without a device, or a mix
            };
            Forwarding::Gateways(gateways)
        }
    };
    let request = match install(&owner, &route.prefix, &forwarding) {
        Ok(request) => request,
        Err(why) => {
            assert!(
                route
                    .next_hops
                    .iter()
                    .any(|h| !expressible(&route.prefix, h)),
                "{route:?} read back but cannot be written: {why}"
            );
            return;
        }
    };
    let again = parse_installed_route(&owner, request.payload()).expect("our own route reads");
    let mut expected = route.clone();
    for hop in &mut expected.next_hops {
        // An IPv4-mapped IPv6 gateway of an IPv4 route is written as IPv4.
        if let (Prefix::V4(_), Some(IpAddr::V6(g))) = (&route.prefix, hop.gateway) {
            if let Some(v4) = g.to_ipv4_mapped() {
                hop.gateway = Some(IpAddr::V4(v4));
            }
        }
    }
    assert_eq!(again, expected);
}

/// Whether the FIB can write this next hop for `prefix`: no IPv4 gateway
/// for IPv6, no link-local gateway without an interface.
fn expressible(prefix: &Prefix, hop: &InstalledNextHop) -> bool {
    match (prefix, hop.gateway) {
        (Prefix::V6(_), Some(IpAddr::V4(_))) => false,
        (_, Some(IpAddr::V6(g))) if g.is_unicast_link_local() => hop.ifindex.is_some(),
        _ => true,
    }
}
