//! Codec throughput in prefixes per second: decoding and encoding full
//! UPDATEs of IPv4 /32 host routes, natively and as MP_REACH_NLRI with an
//! IPv6 next hop (RFC 8950, the unnumbered fabric's form), in 4096-byte and
//! RFC 8654 extended messages.
//!
//! `cargo bench -p bgp --bench wire`; criterion's `thrpt` line is prefixes/s.
//! Targets (issue 2): decode ≥ 100M prefixes/s, encode ≥ 50M prefixes/s.

use std::hint::black_box;
use std::net::{Ipv4Addr, Ipv6Addr};

use bgp::wire::*;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const ROUTES: u32 = 100_000;

fn host_routes() -> Vec<Nlri> {
    (0..ROUTES)
        .map(|i| Nlri::new(Ipv4Prefix::host(Ipv4Addr::from(0xac10_0000 + i))))
        .collect()
}

fn attrs() -> PathAttributes {
    PathAttributes {
        origin: Some(Origin::Igp),
        as_path: Some(AsPath::from_sequence(&[65011])),
        communities: vec![Community::new(65000, 100)],
        ..PathAttributes::default()
    }
}

fn next_hops() -> [(&'static str, NextHop); 2] {
    let ll: Ipv6Addr = "fe80::4638:39ff:fe00:53".parse().expect("literal");
    [
        ("native", NextHop::V4(Ipv4Addr::new(10, 0, 0, 11))),
        (
            "mp-reach-v4-over-v6",
            NextHop::V6 {
                global: ll,
                link_local: Some(ll),
            },
        ),
    ]
}

fn contexts() -> [(&'static str, WireContext); 2] {
    [
        ("4096", WireContext::modern()),
        (
            "65535",
            WireContext {
                extended_message: true,
                ..WireContext::modern()
            },
        ),
    ]
}

/// Decodes every message in `buf`, returning the number of prefixes.
fn decode_all(mut buf: &[u8], ctx: &WireContext) -> usize {
    let mut n = 0;
    while let Some((m, used)) = Message::decode(buf, ctx).expect("valid") {
        if let Message::Update(u) = m {
            n += u.nlri.len() + u.mp_reach.map_or(0, |r| r.nlri.len());
        }
        buf = &buf[used..];
    }
    n
}

fn bench_decode(c: &mut Criterion) {
    let routes = host_routes();
    let attrs = attrs();
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Elements(u64::from(ROUTES)));
    for (nh_name, nh) in next_hops() {
        for (size, ctx) in contexts() {
            let mut buf = Vec::new();
            pack_announcements(&ctx, &attrs, nh, Family::IPV4_UNICAST, &routes, &mut buf)
                .expect("encodes");
            assert_eq!(decode_all(&buf, &ctx), routes.len());
            g.bench_with_input(BenchmarkId::new(nh_name, size), &buf, |b, buf| {
                b.iter(|| decode_all(black_box(buf), &ctx))
            });
        }
    }
    // The zero-copy view: walk the NLRI without building messages.
    let ctx = WireContext::modern();
    let mut field = Vec::new();
    for n in &routes {
        bgp::wire::nlri::encode_nlri(n, false, &mut field);
    }
    g.bench_function("nlri-iter", |b| {
        b.iter(|| {
            NlriIter::new(black_box(&field), Family::IPV4_UNICAST, ctx.add_path.ipv4)
                .filter(|r| r.is_ok())
                .count()
        })
    });
    g.finish();
}

fn bench_encode(c: &mut Criterion) {
    let routes = host_routes();
    let attrs = attrs();
    let mut g = c.benchmark_group("encode");
    g.throughput(Throughput::Elements(u64::from(ROUTES)));
    for (nh_name, nh) in next_hops() {
        for (size, ctx) in contexts() {
            let mut out = Vec::with_capacity(ROUTES as usize * 6);
            g.bench_function(BenchmarkId::new(nh_name, size), |b| {
                b.iter(|| {
                    out.clear();
                    pack_announcements(
                        &ctx,
                        &attrs,
                        nh,
                        Family::IPV4_UNICAST,
                        black_box(&routes),
                        &mut out,
                    )
                    .expect("encodes")
                })
            });
        }
    }
    // Through the grouping batch, as an Adj-RIB-Out would use it.
    let ctx = WireContext::modern();
    let nh = next_hops()[1].1;
    let mut out = Vec::with_capacity(ROUTES as usize * 6);
    g.bench_function("batch-mp-reach-v4-over-v6", |b| {
        b.iter(|| {
            let mut batch = UpdateBatch::new();
            for n in &routes {
                batch.announce(&attrs, nh, *n);
            }
            out.clear();
            batch.encode(&ctx, &mut out).expect("encodes")
        })
    });
    g.finish();
}

criterion_group!(benches, bench_decode, bench_encode);
criterion_main!(benches);
