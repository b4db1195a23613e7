//! Criterion benchmarks of the sans-IO hot paths: building probes, parsing
//! answers, and the core's work per probe and per answer with 100,000
//! targets. Prints throughput; compare with the 100,000 probes/s goal.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

use arpprobe::wire::{
    build_arp_probe, build_ns_probe, ArpOp, ArpRepr, EtherType, EthernetRepr, Frame,
};
use arpprobe::{Core, CoreConfig, IfaceId, IfaceInfo, MacAddr, TxBatch};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

const OUR: MacAddr = MacAddr([2, 0, 0, 0, 0, 1]);
const HOST: MacAddr = MacAddr([2, 0, 0, 0, 0, 2]);

fn host(i: u32) -> Ipv4Addr {
    Ipv4Addr::from(0x0a80_0002 + i)
}

fn reply(i: u32) -> Vec<u8> {
    let mut b = vec![0u8; 64];
    let n = Frame::Arp {
        eth: EthernetRepr {
            src: HOST,
            dst: OUR,
            ethertype: EtherType::Arp,
        },
        arp: ArpRepr {
            op: ArpOp::Reply,
            sha: HOST,
            spa: host(i),
            tha: OUR,
            tpa: Ipv4Addr::new(10, 128, 0, 1),
        },
    }
    .emit(&mut b)
    .unwrap();
    b.truncate(n);
    b
}

fn core_with(n: u32) -> Core {
    let mut c = Core::new(CoreConfig::default());
    c.set_interface(
        IfaceId(0),
        Some(IfaceInfo {
            ifindex: 2,
            mac: OUR,
            ipv4: vec![(Ipv4Addr::new(10, 128, 0, 1), 15)],
            ipv6: vec![],
        }),
    );
    for i in 0..n {
        c.add_target(IfaceId(0), host(i).into(), HOST).unwrap();
    }
    c
}

fn frames(c: &mut Criterion) {
    let mut g = c.benchmark_group("frames");
    g.throughput(Throughput::Elements(1));
    let mut buf = [0u8; 128];
    g.bench_function("build_arp_probe", |b| {
        b.iter(|| {
            build_arp_probe(
                &mut buf,
                OUR,
                Ipv4Addr::new(10, 0, 0, 1),
                HOST,
                black_box(Ipv4Addr::new(10, 0, 0, 2)),
            )
        })
    });
    let (s6, d6): (Ipv6Addr, Ipv6Addr) = (
        "2001:db8::1".parse().unwrap(),
        "2001:db8::2".parse().unwrap(),
    );
    g.bench_function("build_ns_probe", |b| {
        b.iter(|| build_ns_probe(&mut buf, OUR, s6, HOST, black_box(d6)))
    });
    let r = reply(0);
    g.bench_function("parse_arp_reply", |b| {
        b.iter(|| Frame::parse(black_box(&r)))
    });
    let n = build_ns_probe(&mut buf, OUR, s6, HOST, d6).unwrap();
    let ns = buf[..n].to_vec();
    g.bench_function("parse_ns_with_checksum", |b| {
        b.iter(|| Frame::parse(black_box(&ns)))
    });
    g.finish();
}

fn core(c: &mut Criterion) {
    const N: u32 = 100_000;
    let mut g = c.benchmark_group("core_100k_targets");
    g.sample_size(20);
    // one whole round: 100,000 probes built into batches of 256
    g.throughput(Throughput::Elements(u64::from(N)));
    g.bench_function("poll_transmit_full_round", |b| {
        let mut core = core_with(N);
        let mut batch = TxBatch::new(256);
        let mut reports = Vec::new();
        let mut now = Instant::now();
        core.poll_transmit(now, &mut batch, &mut reports);
        b.iter(|| {
            let mut sent = 0;
            // a 1 ms tick at a time, as the driver does
            for _ in 0..1000 {
                now += Duration::from_millis(1);
                core.poll_transmit(now, &mut batch, &mut reports);
                sent += batch.len();
                batch.clear();
            }
            sent
        })
    });
    let replies: Vec<Vec<u8>> = (0..1024).map(|i| reply(i * 97)).collect();
    g.throughput(Throughput::Elements(replies.len() as u64));
    g.bench_function("handle_frame_replies", |b| {
        let mut core = core_with(N);
        let now = Instant::now();
        b.iter(|| {
            replies
                .iter()
                .filter(|r| core.handle_frame(now, IfaceId(0), 2, r).is_some())
                .count()
        })
    });
    // answers return in the order their probes went out: the lookup finds
    // each just after the last one, without hashing
    let in_order: Vec<Vec<u8>> = (0..1024).map(reply).collect();
    g.bench_function("handle_frame_replies_in_probe_order", |b| {
        let mut core = core_with(N);
        let now = Instant::now();
        b.iter(|| {
            in_order
                .iter()
                .filter(|r| core.handle_frame(now, IfaceId(0), 2, r).is_some())
                .count()
        })
    });
    g.finish();
}

criterion_group!(benches, frames, core);
criterion_main!(benches);
