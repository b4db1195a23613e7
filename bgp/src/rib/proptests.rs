//! Property test: random announce / withdraw / graceful-restart sequences
//! from several peers and the local application. After every step the
//! Loc-RIB's ECMP set (best path first) for every prefix equals a
//! brute-force recomputation from all Adj-RIBs-In, and replaying the
//! emitted [`LocRibChange`]s gives the same table.

use std::collections::HashMap;
use std::sync::Arc;

use proptest::prelude::*;

use super::testutil::peer_info;
use super::*;
use crate::wire::{AsPath, Nlri, Origin, PathAttributes, Prefix};

const PEERS: [(u32, u32, &str, &str, bool); 4] = [
    (1, 65020, "10.0.0.21", "fe80::21", false),
    (2, 65020, "10.0.0.22", "fe80::22", false),
    (3, 65030, "10.0.0.22", "fe80::3", false), // same router id as 2
    (4, 65011, "10.0.0.4", "10.1.1.4", true),
];

#[derive(Debug, Clone)]
enum Op {
    Announce {
        peer: usize,
        prefix: u8,
        path_id: Option<u32>,
        attrs: AttrSpec,
    },
    Withdraw {
        peer: usize,
        prefix: u8,
        path_id: Option<u32>,
    },
    MarkStale {
        peer: usize,
    },
    Sweep {
        peer: usize,
    },
    /// The peer re-sends everything unchanged (after a graceful restart).
    Resend {
        peer: usize,
    },
    Clear {
        peer: usize,
    },
    Originate {
        prefix: u8,
        attrs: AttrSpec,
    },
    WithdrawLocal {
        prefix: u8,
    },
}

#[derive(Debug, Clone)]
struct AttrSpec {
    local_pref: Option<u32>,
    neighbour: u32,
    len: usize,
    origin: Origin,
    med: Option<u32>,
    originator: Option<u8>,
}

fn attr_spec() -> impl Strategy<Value = AttrSpec> {
    (
        prop::option::of(prop::sample::select(vec![100u32, 200])),
        prop::sample::select(vec![65020u32, 65030]),
        1usize..3,
        prop::sample::select(vec![Origin::Igp, Origin::Egp]),
        prop::option::of(0u32..3),
        prop::option::weighted(0.1, 1u8..30),
    )
        .prop_map(
            |(local_pref, neighbour, len, origin, med, originator)| AttrSpec {
                local_pref,
                neighbour,
                len,
                origin,
                med,
                originator,
            },
        )
}

fn op() -> impl Strategy<Value = Op> {
    let peer = 0usize..PEERS.len();
    let prefix = 0u8..4;
    let path_id = prop::option::weighted(0.2, 1u32..3);
    prop_oneof![
        6 => (peer.clone(), prefix.clone(), path_id.clone(), attr_spec())
            .prop_map(|(peer, prefix, path_id, attrs)| Op::Announce { peer, prefix, path_id, attrs }),
        3 => (peer.clone(), prefix.clone(), path_id)
            .prop_map(|(peer, prefix, path_id)| Op::Withdraw { peer, prefix, path_id }),
        1 => peer.clone().prop_map(|peer| Op::MarkStale { peer }),
        1 => peer.clone().prop_map(|peer| Op::Sweep { peer }),
        1 => peer.clone().prop_map(|peer| Op::Resend { peer }),
        1 => peer.prop_map(|peer| Op::Clear { peer }),
        1 => (prefix.clone(), attr_spec()).prop_map(|(prefix, attrs)| Op::Originate { prefix, attrs }),
        1 => prefix.prop_map(|prefix| Op::WithdrawLocal { prefix }),
    ]
}

fn prefix(i: u8) -> Prefix {
    format!("10.0.{i}.0/24").parse().expect("valid")
}

fn build(spec: &AttrSpec, interner: &mut AttrInterner) -> Arc<PathAttrs> {
    let mut asns = vec![spec.neighbour];
    asns.extend(std::iter::repeat_n(64999, spec.len - 1));
    let a = PathAttributes {
        origin: Some(spec.origin),
        as_path: Some(AsPath::from_sequence(&asns)),
        local_pref: spec.local_pref,
        med: spec.med,
        originator_id: spec
            .originator
            .map(|o| std::net::Ipv4Addr::new(10, 0, 0, o)),
        ..PathAttributes::default()
    };
    interner.intern(PathAttrs::new(a, testutil_nh()))
}

fn testutil_nh() -> crate::wire::NextHop {
    super::testutil::nh("10.9.9.9")
}

/// The decision process written out again, plainly, over every path.
fn brute_force(mut v: Vec<Path>, peers: &HashMap<PeerId, PeerInfo>, max: usize) -> Vec<Path> {
    fn retain_max<K: Ord>(v: &mut Vec<Path>, key: impl Fn(&Path) -> K) {
        if let Some(m) = v.iter().map(&key).max() {
            v.retain(|p| key(p) == m);
        }
    }
    retain_max(&mut v, |p| p.peer.is_local());
    retain_max(&mut v, |p| !p.stale);
    retain_max(&mut v, |p| p.attrs.attrs.local_pref.unwrap_or(100));
    retain_max(&mut v, |p| {
        std::cmp::Reverse(p.attrs.attrs.as_path.as_ref().unwrap().path_len())
    });
    retain_max(&mut v, |p| std::cmp::Reverse(p.attrs.attrs.origin));
    let snapshot = v.clone();
    let neigh = |p: &Path| p.attrs.attrs.as_path.as_ref().unwrap().first_asn();
    let med = |p: &Path| p.attrs.attrs.med.unwrap_or(0);
    v.retain(|p| {
        !snapshot
            .iter()
            .any(|q| neigh(q) == neigh(p) && med(q) < med(p))
    });
    retain_max(&mut v, |p| peers.get(&p.peer).is_none_or(|i| !i.ibgp));
    v.sort_by_key(|p| {
        let info = peers.get(&p.peer);
        (
            p.attrs
                .attrs
                .originator_id
                .or(info.map(|i| i.router_id))
                .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED),
            info.map(|i| i.address),
            p.peer,
            p.path_id,
        )
    });
    v.truncate(max);
    v
}

fn same(a: &[Path], b: &[Path]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.same_route(y) && x.stale == y.stale)
}

proptest! {
    #[test]
    fn loc_rib_matches_brute_force(ops in prop::collection::vec(op(), 1..120), max_paths in 1usize..4) {
        let mut interner = AttrInterner::new();
        let mut loc = LocRib::with_max_paths(max_paths);
        let mut adj: Vec<AdjRibIn> = PEERS
            .iter()
            .map(|&(id, asn, rid, addr, ibgp)| {
                let info = peer_info(id, asn, rid, addr, ibgp);
                loc.set_peer(info.clone());
                AdjRibIn::new(info.id, AdjInConfig::new(65011, "10.0.0.11".parse().unwrap(), &info))
            })
            .collect();
        let mut local: HashMap<Prefix, Arc<PathAttrs>> = HashMap::new();
        let mut replay: HashMap<Prefix, Vec<Path>> = HashMap::new();
        for op in ops {
            let mut rc = Vec::new();
            let mut out = Vec::new();
            match &op {
                Op::Announce { peer, prefix: i, path_id, attrs } => {
                    let a = build(attrs, &mut interner);
                    adj[*peer].announce(Nlri { path_id: *path_id, prefix: prefix(*i) }, a, &mut rc);
                }
                Op::Withdraw { peer, prefix: i, path_id } => {
                    adj[*peer].withdraw(Nlri { path_id: *path_id, prefix: prefix(*i) }, &mut rc);
                }
                Op::MarkStale { peer } => adj[*peer].mark_stale(&mut rc),
                Op::Sweep { peer } => adj[*peer].sweep_stale(None, &mut rc),
                Op::Resend { peer } => {
                    let all: Vec<_> = adj[*peer].iter().map(|(n, a)| (n, a.clone())).collect();
                    for (n, a) in all {
                        adj[*peer].announce(n, a, &mut rc);
                    }
                }
                Op::Clear { peer } => adj[*peer].clear(&mut rc),
                Op::Originate { prefix: i, attrs } => {
                    let a = build(attrs, &mut interner);
                    local.insert(prefix(*i), a.clone());
                    loc.originate(prefix(*i), a, &mut out);
                }
                Op::WithdrawLocal { prefix: i } => {
                    local.remove(&prefix(*i));
                    loc.withdraw_local(prefix(*i), &mut out);
                }
            }
            if let Op::Announce { peer, .. } | Op::Withdraw { peer, .. } | Op::MarkStale { peer }
                | Op::Sweep { peer } | Op::Resend { peer } | Op::Clear { peer } = &op
            {
                loc.apply(adj[*peer].peer(), &rc, &mut out).unwrap();
            }
            for c in out {
                prop_assert_eq!(c.best.as_ref(), c.ecmp.first());
                if c.ecmp.is_empty() {
                    replay.remove(&c.prefix);
                } else {
                    replay.insert(c.prefix, c.ecmp);
                }
            }
            let peers: HashMap<PeerId, PeerInfo> =
                PEERS.iter().map(|&(id, asn, rid, addr, ibgp)| (PeerId(id), peer_info(id, asn, rid, addr, ibgp))).collect();
            for i in 0..4 {
                let p = prefix(i);
                let mut all: Vec<Path> = Vec::new();
                for a in &adj {
                    for (n, attrs) in a.iter().filter(|(n, _)| n.prefix == p) {
                        all.push(Path { peer: a.peer(), path_id: n.path_id, attrs: attrs.clone(), stale: a.is_stale(n) });
                    }
                }
                if let Some(a) = local.get(&p) {
                    all.push(Path { peer: PeerId::LOCAL, path_id: None, attrs: a.clone(), stale: false });
                }
                prop_assert_eq!(loc.candidates(p).len(), all.len());
                let want = brute_force(all, &peers, max_paths);
                prop_assert!(same(loc.ecmp(p), &want), "{} after {:?}:\n got {:?}\nwant {:?}", p, op, loc.ecmp(p), want);
                let replayed = replay.get(&p).map_or(&[][..], |v| &v[..]);
                prop_assert!(
                    replayed.len() == want.len() && replayed.iter().zip(&want).all(|(x, y)| x.same_route(y)),
                    "{} replayed {:?}\nwant {:?}", p, replayed, want
                );
            }
            prop_assert_eq!(loc.len(), (0..4).filter(|&i| !loc.candidates(prefix(i)).is_empty()).count());
        }
    }
}
