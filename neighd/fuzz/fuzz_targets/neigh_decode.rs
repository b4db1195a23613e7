//! A datagram as the neighbour tracker receives it: the frame walker
//! (`neighd::netlink::Frames`) and the link, address and neighbour decoder
//! behind it. Neither panics. The walker yields frames in order, each
//! inside the datagram where its header says, and at most one error, last,
//! at the offset of the bad header. The decoder never yields a link,
//! address or neighbour without an interface index, nor a multicast or
//! broadcast neighbour, and its errors are one line naming the message type.
#![no_main]

use std::net::IpAddr;

use libfuzzer_sys::fuzz_target;
use neighd::fuzzing::{decode, Decoded, Update};
use neighd::netlink::Frames;

const HEADER_LEN: usize = 16;
/// Types below this are netlink's own (NOOP, ERROR, DONE, OVERRUN).
const NLMSG_MIN_TYPE: u16 = 16;
const TRACKED: [u16; 6] = [
    libc::RTM_NEWLINK,
    libc::RTM_DELLINK,
    libc::RTM_NEWADDR,
    libc::RTM_DELADDR,
    libc::RTM_NEWNEIGH,
    libc::RTM_DELNEIGH,
];

fuzz_target!(|datagram: &[u8]| {
    let mut offset = 0;
    let mut failed = false;
    for item in Frames::new(datagram) {
        assert!(!failed, "a frame after an error");
        match item {
            Ok(frame) => {
                let start = frame.payload.as_ptr() as usize - datagram.as_ptr() as usize;
                assert_eq!(start, offset + HEADER_LEN, "payload not after its header");
                let len =
                    u32::from_ne_bytes(datagram[offset..offset + 4].try_into().expect("4 bytes"))
                        as usize;
                assert_eq!(frame.payload.len() + HEADER_LEN, len);
                assert_eq!(
                    frame.kind,
                    u16::from_ne_bytes([datagram[offset + 4], datagram[offset + 5]])
                );
                offset += (len + 3) & !3;
                if frame.kind >= NLMSG_MIN_TYPE {
                    check_decode(frame.kind, frame.payload);
                }
            }
            Err(e) => {
                assert_eq!((e.offset, e.len), (offset, datagram.len()));
                failed = true;
            }
        }
    }
    assert!(
        failed || offset >= datagram.len(),
        "the walk stopped at {offset} of {} without an error",
        datagram.len()
    );
});

fn check_decode(kind: u16, payload: &[u8]) {
    match decode(kind, payload) {
        Err(e) => {
            assert_eq!(e.kind, kind);
            let line = e.to_string();
            assert!(!line.contains(['\n', '\r']), "not one line: {line:?}");
        }
        Ok(Decoded::Ignored(why)) => assert!(!why.is_empty()),
        Ok(Decoded::Update(update)) => {
            assert!(TRACKED.contains(&kind), "type {kind} is not tracked");
            match update {
                Update::Neighbour { removed, entry } => {
                    assert_eq!(removed, kind == libc::RTM_DELNEIGH);
                    assert_ne!(entry.ifindex, 0, "a neighbour without an interface");
                    let group = match entry.ip {
                        IpAddr::V4(a) => a.is_multicast() || a.is_broadcast(),
                        IpAddr::V6(a) => a.is_multicast(),
                    };
                    assert!(!group, "multicast or broadcast neighbour {}", entry.ip);
                    assert!(!entry.mac.is_some_and(|m| m.is_multicast()));
                }
                Update::Link(link) => {
                    assert_eq!(kind, libc::RTM_NEWLINK);
                    assert_ne!(link.ifindex, 0, "a link without an index");
                }
                Update::LinkRemoved { ifindex, .. } => {
                    assert_eq!(kind, libc::RTM_DELLINK);
                    assert_ne!(ifindex, 0, "a link without an index");
                }
                Update::Address { added, address } => {
                    assert_eq!(added, kind == libc::RTM_NEWADDR);
                    assert_ne!(address.ifindex, 0, "an address without an interface");
                    assert_eq!(address.prefix.addr().is_ipv4(), address.local.is_ipv4());
                }
            }
        }
    }
}
