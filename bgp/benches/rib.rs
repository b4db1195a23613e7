//! RIB memory and speed, for the leaf that hears every host of the fabric
//! from each of its two spines.
//!
//! `cargo bench -p bgp --bench rib` first prints the heap bytes per prefix
//! of 100,000 /32s from each of two spines in two Adj-RIBs-In and the
//! Loc-RIB (ECMP of 2), counted by a counting global allocator, against
//! the 200-byte target; then criterion measures, in routes/s (`thrpt`):
//!
//! - `ingest/first-peer`: Adj-RIB-In + Loc-RIB ingest of 100,000 routes
//!   from one peer (decoded UPDATEs of 1,000 /32s each, RFC 8950 next hop);
//! - `ingest/second-peer-ecmp`: the second spine sends the same 100,000,
//!   every ECMP set grows from 1 to 2 (best-path recomputation);
//! - `adj-out/flush`: encoding 100,000 pending announcements;
//! - `adj-out/export+flush`: the same, with the export transform and
//!   interning of each Loc-RIB best path first.

use std::alloc::System;
use std::hint::black_box;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use bgp::rib::*;
use bgp::wire::*;
use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};

/// Counts heap bytes (requested sizes, not the allocator's rounding);
/// `stats_alloc` keeps the `unsafe` of a global allocator out of this
/// project.
#[global_allocator]
static ALLOC: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Heap bytes allocated and not yet freed.
fn live() -> isize {
    let s = ALLOC.stats();
    s.bytes_allocated as isize - s.bytes_deallocated as isize + s.bytes_reallocated
}

const ROUTES: u32 = 100_000;
const PER_UPDATE: u32 = 1_000;
const LOCAL_ASN: u32 = 65011;

fn spine(id: u32) -> PeerInfo {
    PeerInfo {
        id: PeerId(id),
        asn: 65020,
        router_id: Ipv4Addr::new(10, 0, 0, 20 + id as u8),
        address: format!("fe80::{id}").parse().expect("literal"),
        ibgp: false,
        interface: Some(format!("swp5{id}")),
    }
}

/// The UPDATEs spine `id` sends: 100,000 host /32s, 1,000 per UPDATE,
/// hosts behind 64 other leaves, IPv4 over an IPv6 link-local next hop.
fn updates(id: u32) -> Vec<Update> {
    let ll: Ipv6Addr = format!("fe80::{id}").parse().expect("literal");
    (0..ROUTES / PER_UPDATE)
        .map(|k| Update {
            attributes: PathAttributes {
                origin: Some(Origin::Igp),
                as_path: Some(AsPath::from_sequence(&[65020, 65100 + k % 64])),
                ..PathAttributes::default()
            },
            mp_reach: Some(MpReach {
                family: Family::IPV4_UNICAST,
                next_hop: NextHop::V6 {
                    global: ll,
                    link_local: Some(ll),
                },
                nlri: (k * PER_UPDATE..(k + 1) * PER_UPDATE)
                    .map(|i| Nlri::new(Ipv4Prefix::host(Ipv4Addr::from(0x0a00_0000 + i))))
                    .collect(),
            }),
            ..Update::default()
        })
        .collect()
}

struct Tables {
    interner: AttrInterner,
    adj: Vec<AdjRibIn>,
    loc: LocRib,
}

fn tables() -> Tables {
    let mut loc = LocRib::new();
    let adj = [1, 2]
        .map(|id| {
            let info = spine(id);
            loc.set_peer(info.clone());
            AdjRibIn::new(
                info.id,
                AdjInConfig::new(LOCAL_ASN, Ipv4Addr::new(10, 0, 0, 11), &info),
            )
        })
        .into();
    Tables {
        interner: AttrInterner::new(),
        adj,
        loc,
    }
}

/// Feeds `updates` from peer number `i` through Adj-RIB-In and Loc-RIB;
/// returns the number of Loc-RIB changes.
fn ingest(t: &mut Tables, i: usize, updates: &[Update]) -> usize {
    let mut rc = Vec::with_capacity(PER_UPDATE as usize);
    let mut out = Vec::with_capacity(PER_UPDATE as usize);
    let mut changes = 0;
    for u in updates {
        rc.clear();
        out.clear();
        t.adj[i].apply(u, &mut t.interner, &mut rc);
        t.loc
            .apply(t.adj[i].peer(), &rc, &mut out)
            .expect("registered peer");
        changes += out.len();
    }
    changes
}

fn memory_report() {
    let (u1, u2) = (updates(1), updates(2));
    let base = live();
    let mut t = tables();
    ingest(&mut t, 0, &u1);
    let one_peer = live() - base;
    let before_second = live();
    ingest(&mut t, 1, &u2);
    let second = live() - before_second;
    let total = live() - base;
    assert_eq!(t.loc.len(), ROUTES as usize);
    let sample = Prefix::V4(Ipv4Prefix::host(Ipv4Addr::from(0x0a00_0000 + 7)));
    assert_eq!(t.loc.ecmp(sample).len(), 2, "ECMP of 2");
    let per = total as f64 / f64::from(ROUTES);
    println!(
        "rib memory: {ROUTES} /32s from each of 2 peers (Adj-RIB-In x2 + Loc-RIB, ECMP 2, {} interned attribute sets): \
         {total} bytes = {per:.1} bytes/prefix (first peer {:.1}, second peer +{:.1}); \
         target 200 bytes/prefix, ratio {:.2}",
        t.interner.len(),
        one_peer as f64 / f64::from(ROUTES),
        second as f64 / f64::from(ROUTES),
        per / 200.0,
    );
    println!(
        "rib memory: size_of Path {} B, Arc<PathAttrs> {} B, PathAttrs {} B",
        std::mem::size_of::<Path>(),
        std::mem::size_of::<Arc<PathAttrs>>(),
        std::mem::size_of::<PathAttrs>(),
    );
    drop(t);
}

fn bench_ingest(c: &mut Criterion) {
    let (u1, u2) = (updates(1), updates(2));
    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Elements(u64::from(ROUTES)));
    g.sample_size(10);
    g.bench_function("first-peer", |b| {
        b.iter_batched(
            tables,
            |mut t| {
                black_box(ingest(&mut t, 0, &u1));
                t
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("second-peer-ecmp", |b| {
        b.iter_batched(
            || {
                let mut t = tables();
                ingest(&mut t, 0, &u1);
                t
            },
            |mut t| {
                assert_eq!(ingest(&mut t, 1, &u2), ROUTES as usize);
                t
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn bench_flush(c: &mut Criterion) {
    let mut t = tables();
    ingest(&mut t, 0, &updates(1));
    let policy = ExportPolicy {
        local_asn: LOCAL_ASN,
        next_hop_v4: None,
        next_hop_v6: Some(NextHop::V6 {
            global: "fe80::11".parse().expect("literal"),
            link_local: Some("fe80::11".parse().expect("literal")),
        }),
        extended_next_hop: true,
    };
    // Towards an eBGP peer of another AS (spines would drop these by loop
    // detection, so the sender does not send them at all).
    let to = PeerInfo {
        asn: 65099,
        ..spine(3)
    };
    let source = t.loc.peer(PeerId(1)).cloned();
    let best: Vec<(Prefix, Path)> = t.loc.iter().map(|(p, e)| (p, e[0].clone())).collect();
    let ctx = WireContext::modern();
    let mut g = c.benchmark_group("adj-out");
    g.throughput(Throughput::Elements(u64::from(ROUTES)));
    g.sample_size(10);
    g.bench_function("flush", |b| {
        b.iter_batched(
            || {
                let mut out = AdjRibOut::new(to.clone(), policy.clone());
                let mut interner = AttrInterner::new();
                for (p, path) in &best {
                    out.apply_best(*p, Some(path), source.as_ref(), &mut interner)
                        .expect("valid next hop");
                }
                (out, Vec::with_capacity(4 << 20), interner)
            },
            |(mut out, mut bytes, interner)| {
                let n = out.flush(&ctx, &mut bytes);
                black_box(n);
                (out, bytes, interner)
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("export+flush", |b| {
        b.iter_batched(
            || {
                (
                    AdjRibOut::new(to.clone(), policy.clone()),
                    Vec::with_capacity(4 << 20),
                    AttrInterner::new(),
                )
            },
            |(mut out, mut bytes, mut interner)| {
                for (p, path) in &best {
                    out.apply_best(*p, Some(path), source.as_ref(), &mut interner)
                        .expect("valid next hop");
                }
                black_box(out.flush(&ctx, &mut bytes));
                (out, bytes, interner)
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench_ingest, bench_flush);

fn main() {
    memory_report();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
