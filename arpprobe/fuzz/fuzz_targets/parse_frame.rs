//! Fuzzes everything that touches bytes from the network: the frame parser
//! (and re-emitting what it accepts), the socket filters' interpreter, and the
//! prober core's handling of a received frame.
#![no_main]

use std::net::Ipv4Addr;
use std::time::Instant;

use arpprobe::wire::Frame;
use arpprobe::{bpf, Core, CoreConfig, IfaceId, IfaceInfo, MacAddr};
use libfuzzer_sys::fuzz_target;

fn normalize(f: Frame) -> Frame {
    match f {
        Frame::Ndisc { eth, mut ip, nd } => {
            ip.payload_len = 0;
            Frame::Ndisc { eth, ip, nd }
        }
        f => f,
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(frame) = Frame::parse(data) {
        let mut buf = [0u8; 256];
        let n = frame.emit(&mut buf).expect("a parsed frame re-emits");
        // options other than the link-layer address are not kept, so the
        // IPv6 payload length may shrink; everything else must survive
        let again = Frame::parse(&buf[..n]).expect("an emitted frame parses");
        assert_eq!(normalize(again), normalize(frame), "round trip");
    }
    let _ = bpf::run(&bpf::arp_filter(), data, false);
    let _ = bpf::run(&bpf::na_filter(), data, false);
    let mut core = Core::new(CoreConfig::default());
    let mac = MacAddr([2, 0, 0, 0, 0, 1]);
    core.set_interface(
        IfaceId(0),
        Some(IfaceInfo {
            ifindex: 2,
            mac,
            ipv4: vec![(Ipv4Addr::new(10, 0, 0, 1), 24)],
            ipv6: vec![("fe80::1".parse().unwrap(), 64)],
        }),
    );
    let _ = core.add_target(
        IfaceId(0),
        Ipv4Addr::new(10, 0, 0, 2).into(),
        MacAddr([2, 0, 0, 0, 0, 2]),
    );
    let _ = core.handle_frame(Instant::now(), IfaceId(0), 2, data);
});
