//! The decision process (RFC 4271 §9.1.2.2) and the ECMP set.
//!
//! It runs as the RFC writes it, by elimination, because the MED step
//! compares only paths from the same neighbouring AS and so is not a total
//! order: a pairwise sort could pick different winners depending on the
//! order it meets the paths in. The steps:
//!
//! 0. locally originated paths ([`PeerId::LOCAL`](super::PeerId::LOCAL)) win;
//! 1. fresh paths beat stale ones (graceful restart);
//! 2. highest LOCAL_PREF (absent: 100);
//! 3. shortest AS path ([`AsPath::path_len`](crate::wire::AsPath::path_len));
//! 4. lowest ORIGIN (IGP < EGP < INCOMPLETE);
//! 5. per neighbouring AS, lowest MED (absent: 0); paths from different
//!    neighbouring ASes are not compared on MED;
//! 6. eBGP over iBGP;
//!
//! (no IGP cost step: the speaker runs no IGP, every next hop costs the same)
//!
//! The paths left after step 6 are all equally good: they are the ECMP set
//! with "multipath relax" semantics (equal AS path length suffices, the
//! neighbouring ASes may differ). They are ordered by the remaining
//! tie-breaks, so the first is the best path:
//!
//! 7. lowest BGP identifier (ORIGINATOR_ID when present, RFC 4456 §9);
//! 8. lowest peer address;
//! 9. then, for determinism, lowest peer id and lowest add-path id.
//!
//! The set is capped at `max_paths` (1 disables ECMP).

use std::cmp::{Ordering, Reverse};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

use super::path::{Path, PeerId, PeerInfo};

/// The peer table the decision process consults.
pub(crate) type Peers = HashMap<PeerId, PeerInfo>;

/// Reorders `paths` so that the ECMP set comes first, best path first of
/// all; returns the size of the ECMP set (0 only when `paths` is empty).
pub(crate) fn select(paths: &mut [Path], peers: &Peers, max_paths: usize) -> usize {
    if paths.len() <= 1 {
        return paths.len();
    }
    let mut alive = paths.len();
    alive = keep_max(&mut paths[..alive], |p| p.peer.is_local());
    alive = keep_max(&mut paths[..alive], |p| !p.stale);
    alive = keep_max(&mut paths[..alive], |p| p.attrs.local_pref());
    alive = keep_max(&mut paths[..alive], |p| Reverse(p.attrs.as_path_len()));
    alive = keep_max(&mut paths[..alive], |p| {
        Reverse(p.attrs.attrs.origin.unwrap_or_default())
    });
    alive = med_step(&mut paths[..alive]);
    alive = keep_max(&mut paths[..alive], |p| is_ebgp(p, peers));
    paths[..alive].sort_by(|a, b| tie_break(a, b, peers));
    alive.min(max_paths.max(1))
}

/// Moves the paths with the greatest `key` to the front; returns how many.
fn keep_max<K: Ord>(paths: &mut [Path], key: impl Fn(&Path) -> K) -> usize {
    let Some(best) = paths.iter().map(&key).max() else {
        return 0;
    };
    let mut kept = 0;
    for i in 0..paths.len() {
        if key(&paths[i]) == best {
            paths.swap(i, kept);
            kept += 1;
        }
    }
    kept
}

/// Step 5: drops every path with a higher MED than another path from the
/// same neighbouring AS.
fn med_step(paths: &mut [Path]) -> usize {
    let n = paths.len();
    let mut stack = [false; 64];
    let mut heap;
    let dominated: &mut [bool] = if n <= stack.len() {
        &mut stack[..n]
    } else {
        heap = vec![false; n];
        &mut heap
    };
    for (i, d) in dominated.iter_mut().enumerate() {
        let (asn, med) = (paths[i].attrs.neighbour_as(), paths[i].attrs.med());
        *d = paths
            .iter()
            .any(|q| q.attrs.neighbour_as() == asn && q.attrs.med() < med);
    }
    let mut kept = 0;
    for i in 0..n {
        if !dominated[i] {
            paths.swap(i, kept);
            dominated.swap(i, kept);
            kept += 1;
        }
    }
    kept
}

fn is_ebgp(p: &Path, peers: &Peers) -> bool {
    peers.get(&p.peer).is_none_or(|i| !i.ibgp)
}

fn tie_break(a: &Path, b: &Path, peers: &Peers) -> Ordering {
    let key = |p: &Path| {
        let info = peers.get(&p.peer);
        let router_id = p
            .attrs
            .attrs
            .originator_id
            .or(info.map(|i| i.router_id))
            .unwrap_or(Ipv4Addr::UNSPECIFIED);
        let address = info.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |i| i.address);
        (router_id, address, p.peer, p.path_id)
    };
    key(a).cmp(&key(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rib::testutil::*;
    use crate::wire::Origin;

    fn peers() -> Peers {
        [
            peer_info(1, 65020, "10.0.0.21", "fe80::21", false),
            peer_info(2, 65020, "10.0.0.22", "fe80::22", false),
            peer_info(3, 65030, "10.0.0.3", "fe80::3", false),
            peer_info(4, 65011, "10.0.0.4", "10.1.1.4", true),
            peer_info(5, 65011, "10.0.0.4", "10.1.1.5", true),
        ]
        .into_iter()
        .map(|i| (i.id, i))
        .collect()
    }

    /// Runs the decision with ECMP off and returns the best path's peer.
    fn best(mut paths: Vec<Path>) -> u32 {
        assert_eq!(select(&mut paths, &peers(), 1), 1);
        paths[0].peer.0
    }

    fn ecmp(mut paths: Vec<Path>, max: usize) -> Vec<u32> {
        let n = select(&mut paths, &peers(), max);
        paths[..n].iter().map(|p| p.peer.0).collect()
    }

    #[test]
    fn local_route_always_wins() {
        let mut local = path(0, 50, &[]);
        local.peer = PeerId::LOCAL;
        assert_eq!(best(vec![path(1, 500, &[65020]), local]), PeerId::LOCAL.0);
    }

    #[test]
    fn fresh_beats_stale() {
        let mut stale = path(1, 200, &[65020]);
        stale.stale = true;
        assert_eq!(best(vec![stale.clone(), path(2, 100, &[65020, 1, 2])]), 2);
        // Alone, a stale path is still the best.
        assert_eq!(best(vec![stale]), 1);
    }

    #[test]
    fn highest_local_pref() {
        assert_eq!(
            best(vec![path(1, 100, &[65020]), path(4, 200, &[65020, 1])]),
            4
        );
        // Absent counts as 100: 150 beats it.
        let mut none = path(1, 0, &[65020]);
        none.attrs = attrs_with(|a| a.local_pref = None);
        assert_eq!(best(vec![none, path(4, 150, &[65020, 1])]), 4);
    }

    #[test]
    fn shortest_as_path() {
        assert_eq!(
            best(vec![path(1, 100, &[65020, 1]), path(3, 100, &[65030])]),
            3
        );
    }

    #[test]
    fn lowest_origin() {
        let egp = with_attrs(path(1, 100, &[65020]), |a| a.origin = Some(Origin::Egp));
        let igp = with_attrs(path(3, 100, &[65030]), |a| a.origin = Some(Origin::Igp));
        let inc = with_attrs(path(2, 100, &[65020]), |a| {
            a.origin = Some(Origin::Incomplete)
        });
        assert_eq!(best(vec![egp.clone(), inc.clone(), igp]), 3);
        assert_eq!(best(vec![inc, egp]), 1);
    }

    #[test]
    fn med_only_within_the_same_neighbour_as() {
        // Same neighbour AS 65020: lower MED wins although peer 2 has the
        // higher router id.
        let hi = with_attrs(path(1, 100, &[65020]), |a| a.med = Some(20));
        let lo = with_attrs(path(2, 100, &[65020]), |a| a.med = Some(10));
        assert_eq!(best(vec![hi.clone(), lo.clone()]), 2);
        // Different neighbour AS: MED is not compared, the router id decides.
        let other = with_attrs(path(3, 100, &[65030]), |a| a.med = Some(99));
        assert_eq!(best(vec![hi.clone(), other.clone()]), 3);
        // ...and both stay in the ECMP set.
        assert_eq!(ecmp(vec![hi.clone(), other.clone()], 8), vec![3, 1]);
        // Missing MED counts as 0.
        let none = path(1, 100, &[65020]);
        assert_eq!(best(vec![lo.clone(), none]), 1);
        // The classic non-transitive triple: elimination removes `hi`
        // (beaten by `lo` in its AS), then the router id picks `other`.
        assert_eq!(best(vec![hi.clone(), other.clone(), lo.clone()]), 3);
        assert_eq!(best(vec![lo, other, hi]), 3);
    }

    #[test]
    fn ebgp_over_ibgp() {
        // Peer 4 is iBGP with the lower router id; eBGP peer 1 still wins.
        assert_eq!(
            best(vec![path(4, 100, &[65020]), path(1, 100, &[65020])]),
            1
        );
    }

    #[test]
    fn lowest_router_id_then_originator_id() {
        assert_eq!(
            best(vec![path(2, 100, &[65020]), path(1, 100, &[65020])]),
            1
        );
        let reflected = with_attrs(path(2, 100, &[65020]), |a| {
            a.originator_id = Some("10.0.0.1".parse().unwrap())
        });
        assert_eq!(best(vec![path(1, 100, &[65020]), reflected]), 2);
    }

    #[test]
    fn lowest_peer_address() {
        // Peers 4 and 5 share router id 10.0.0.4 (one router, two sessions).
        assert_eq!(
            best(vec![path(5, 100, &[65020]), path(4, 100, &[65020])]),
            4
        );
    }

    #[test]
    fn multipath_relax_and_cap() {
        let paths = vec![
            path(3, 100, &[65030, 7]),
            path(2, 100, &[65020, 8]),
            path(1, 100, &[65020, 9]),
            path(4, 100, &[65011, 9]), // iBGP: not in an eBGP ECMP set
            path(1, 100, &[65020]),    // shorter: wins alone
        ];
        assert_eq!(ecmp(paths.clone(), 64), vec![1]);
        let equal = paths[..4].to_vec();
        // Different neighbour ASes, equal lengths: all three, ordered by
        // router id (10.0.0.3 < 10.0.0.21 < 10.0.0.22).
        assert_eq!(ecmp(equal.clone(), 64), vec![3, 1, 2]);
        assert_eq!(ecmp(equal.clone(), 2), vec![3, 1]);
        assert_eq!(ecmp(equal.clone(), 1), vec![3]);
        assert_eq!(ecmp(equal, 0), vec![3], "0 means no ECMP, not no route");
    }

    #[test]
    fn many_paths_use_the_heap_bitmap() {
        let paths: Vec<Path> = (0..100)
            .map(|i| with_attrs(path(1 + i % 3, 100, &[65020 + i % 3]), |a| a.med = Some(i)))
            .collect();
        let n = ecmp(paths, 255).len();
        // One survivor per neighbour AS (the lowest MED of each).
        assert_eq!(n, 3);
    }
}
