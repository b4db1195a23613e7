//! The Loc-RIB: every candidate path per prefix from all peers and the
//! local application, the best path and the ECMP set (see
//! [`super::decision`] for the rules), and the stream of
//! [`LocRibChange`]s the FIB programmer and the Adj-RIBs-Out consume.

use std::sync::Arc;

use super::adj_in::RouteChange;
use super::candidates::Candidates;
use super::decision::{self, Peers};
use super::map::FamilyMap;
use super::path::{Path, PathAttrs, PeerId, PeerInfo};
use super::RibError;
use crate::wire::{Nlri, Prefix};

/// The default ECMP width (FRR's `maximum-paths` maximum is 64 or more,
/// its compiled default for eBGP is 64 on Cumulus).
pub const DEFAULT_MAX_PATHS: usize = 64;

/// The ECMP width is stored in a byte.
const MAX_MAX_PATHS: usize = u8::MAX as usize;

/// The best path or the ECMP set of a prefix changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocRibChange {
    /// The prefix.
    pub prefix: Prefix,
    /// The best path; `None`: the prefix is gone.
    pub best: Option<Path>,
    /// The ECMP set, best path first (so `ecmp[0] == best`); empty when
    /// the prefix is gone. A route to install in the FIB has one next hop
    /// per element.
    pub ecmp: Vec<Path>,
}

/// One prefix: its candidates, ECMP set first, best path first of all.
#[derive(Debug, Clone, Default)]
struct Entry {
    paths: Candidates,
    ecmp: u8,
}

/// The Loc-RIB.
#[derive(Debug)]
pub struct LocRib {
    peers: Peers,
    routes: FamilyMap<(), Entry>,
    max_paths: usize,
}

impl Default for LocRib {
    fn default() -> Self {
        Self::new()
    }
}

impl LocRib {
    /// An empty Loc-RIB with ECMP up to [`DEFAULT_MAX_PATHS`].
    pub fn new() -> Self {
        Self::with_max_paths(DEFAULT_MAX_PATHS)
    }

    /// An empty Loc-RIB with ECMP up to `max_paths` (1 or 0: no ECMP; at
    /// most 255).
    pub fn with_max_paths(max_paths: usize) -> Self {
        LocRib {
            peers: Peers::default(),
            routes: FamilyMap::default(),
            max_paths: max_paths.clamp(1, MAX_MAX_PATHS),
        }
    }

    /// The ECMP width.
    pub fn max_paths(&self) -> usize {
        self.max_paths
    }

    /// Changes the ECMP width and recomputes every prefix.
    pub fn set_max_paths(&mut self, max_paths: usize, out: &mut Vec<LocRibChange>) {
        self.max_paths = max_paths.clamp(1, MAX_MAX_PATHS);
        self.recompute_all(out);
    }

    /// Registers a peer (or updates what is known of it). Changing the
    /// router id, address or type of a peer that already has paths calls
    /// for [`LocRib::recompute_all`].
    pub fn set_peer(&mut self, info: PeerInfo) {
        self.peers.insert(info.id, info);
    }

    /// What is known of a peer.
    pub fn peer(&self, id: PeerId) -> Option<&PeerInfo> {
        self.peers.get(&id)
    }

    /// Drops a peer and every path it contributed (a walk over the whole
    /// table; after a session loss prefer feeding [`AdjRibIn::clear`]'s
    /// withdrawals to [`LocRib::apply`], then call this).
    ///
    /// [`AdjRibIn::clear`]: super::AdjRibIn::clear
    pub fn remove_peer(&mut self, id: PeerId, out: &mut Vec<LocRibChange>) {
        self.peers.remove(&id);
        let prefixes: Vec<Prefix> = self
            .routes
            .iter()
            .filter(|(_, _, e)| e.paths.as_slice().iter().any(|p| p.peer == id))
            .map(|(p, _, _)| p)
            .collect();
        for prefix in prefixes {
            self.update(prefix, out, |c| {
                let mut changed = false;
                while let Some(i) = c.as_slice().iter().position(|p| p.peer == id) {
                    c.swap_remove(i);
                    changed = true;
                }
                changed
            });
        }
    }

    /// Applies route changes from `peer` (see [`super::AdjRibIn`]); pushes
    /// the resulting best-path changes to `out`.
    pub fn apply(
        &mut self,
        peer: PeerId,
        changes: &[RouteChange],
        out: &mut Vec<LocRibChange>,
    ) -> Result<(), RibError> {
        if !peer.is_local() && !self.peers.contains_key(&peer) {
            return Err(RibError::UnknownPeer(peer));
        }
        for c in changes {
            self.apply_one(peer, c, out);
        }
        Ok(())
    }

    fn apply_one(&mut self, peer: PeerId, change: &RouteChange, out: &mut Vec<LocRibChange>) {
        let Nlri { path_id, prefix } = change.nlri();
        let find = |c: &Candidates| {
            c.as_slice()
                .iter()
                .position(|p| p.peer == peer && p.path_id == path_id)
        };
        match change {
            RouteChange::Announce(_, attrs) => self.update(prefix, out, |c| match find(c) {
                Some(i) => {
                    let p = &mut c.as_mut_slice()[i];
                    let changed = p.stale || !Arc::ptr_eq(&p.attrs, attrs);
                    p.attrs = Arc::clone(attrs);
                    p.stale = false;
                    changed
                }
                None => {
                    c.push(Path {
                        peer,
                        path_id,
                        attrs: Arc::clone(attrs),
                        stale: false,
                    });
                    true
                }
            }),
            RouteChange::Withdraw(_) => self.update(prefix, out, |c| {
                find(c).and_then(|i| c.swap_remove(i)).is_some()
            }),
            RouteChange::Stale(_) => self.update(prefix, out, |c| match find(c) {
                Some(i) if !c.as_slice()[i].stale => {
                    c.as_mut_slice()[i].stale = true;
                    true
                }
                _ => false,
            }),
        }
    }

    /// Announces a locally originated route (it beats every learned path).
    pub fn originate(
        &mut self,
        prefix: Prefix,
        attrs: Arc<PathAttrs>,
        out: &mut Vec<LocRibChange>,
    ) {
        self.apply_one(
            PeerId::LOCAL,
            &RouteChange::Announce(Nlri::new(prefix), attrs),
            out,
        );
    }

    /// Withdraws a locally originated route.
    pub fn withdraw_local(&mut self, prefix: Prefix, out: &mut Vec<LocRibChange>) {
        self.apply_one(
            PeerId::LOCAL,
            &RouteChange::Withdraw(Nlri::new(prefix)),
            out,
        );
    }

    /// Reruns the decision process for every prefix (after a peer's router
    /// id or type changed).
    pub fn recompute_all(&mut self, out: &mut Vec<LocRibChange>) {
        let prefixes: Vec<Prefix> = self.routes.iter().map(|(p, _, _)| p).collect();
        for p in prefixes {
            self.update(p, out, |_| true);
        }
    }

    /// Edits the candidates of `prefix` with `edit` (which says whether it
    /// changed anything), reruns the decision and reports a change of the
    /// best path or the ECMP set.
    fn update(
        &mut self,
        prefix: Prefix,
        out: &mut Vec<LocRibChange>,
        edit: impl FnOnce(&mut Candidates) -> bool,
    ) {
        let entry = self.routes.get_or_insert_with(prefix, (), Entry::default);
        let before = entry.paths.prefix(usize::from(entry.ecmp));
        if edit(&mut entry.paths) {
            let n = decision::select(entry.paths.as_mut_slice(), &self.peers, self.max_paths);
            entry.ecmp = n as u8;
            let after = &entry.paths.as_slice()[..n];
            let same = before.len() == after.len()
                && before
                    .as_slice()
                    .iter()
                    .zip(after)
                    .all(|(a, b)| a.same_route(b));
            if !same {
                out.push(LocRibChange {
                    prefix,
                    best: after.first().cloned(),
                    ecmp: after.to_vec(),
                });
            }
        }
        if entry.paths.is_empty() {
            self.routes.remove(prefix, ());
        }
    }

    /// The best path of `prefix`.
    pub fn best(&self, prefix: Prefix) -> Option<&Path> {
        self.ecmp(prefix).first()
    }

    /// The ECMP set of `prefix`, best path first (empty if unknown).
    pub fn ecmp(&self, prefix: Prefix) -> &[Path] {
        self.routes
            .get(prefix, ())
            .map_or(&[], |e| &e.paths.as_slice()[..usize::from(e.ecmp)])
    }

    /// Every candidate path of `prefix`, the ECMP set first, in no
    /// particular order after it.
    pub fn candidates(&self, prefix: Prefix) -> &[Path] {
        self.routes
            .get(prefix, ())
            .map_or(&[], |e| e.paths.as_slice())
    }

    /// Every prefix with its ECMP set (best path first), in no particular
    /// order.
    pub fn iter(&self) -> impl Iterator<Item = (Prefix, &[Path])> + '_ {
        self.routes
            .iter()
            .map(|(p, _, e)| (p, &e.paths.as_slice()[..usize::from(e.ecmp)]))
    }

    /// How many prefixes have a route.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// Whether no prefix has a route.
    pub fn is_empty(&self) -> bool {
        self.routes.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rib::testutil::*;

    fn pfx(s: &str) -> Prefix {
        s.parse().unwrap()
    }

    fn rib(max_paths: usize) -> LocRib {
        let mut r = LocRib::with_max_paths(max_paths);
        r.set_peer(peer_info(1, 65020, "10.0.0.21", "fe80::21", false));
        r.set_peer(peer_info(2, 65020, "10.0.0.22", "fe80::22", false));
        r.set_peer(peer_info(3, 65030, "10.0.0.23", "fe80::23", false));
        r
    }

    fn announce(r: &mut LocRib, peer: u32, prefix: &str, p: &Path) -> Vec<LocRibChange> {
        let mut out = Vec::new();
        r.apply(
            PeerId(peer),
            &[RouteChange::Announce(
                Nlri::new(pfx(prefix)),
                Arc::clone(&p.attrs),
            )],
            &mut out,
        )
        .unwrap();
        out
    }

    fn withdraw(r: &mut LocRib, peer: u32, prefix: &str) -> Vec<LocRibChange> {
        let mut out = Vec::new();
        r.apply(
            PeerId(peer),
            &[RouteChange::Withdraw(Nlri::new(pfx(prefix)))],
            &mut out,
        )
        .unwrap();
        out
    }

    fn peers_of(c: &LocRibChange) -> Vec<u32> {
        c.ecmp.iter().map(|p| p.peer.0).collect()
    }

    #[test]
    fn changes_only_when_best_or_ecmp_changes() {
        let mut r = rib(64);
        let a = path(1, 100, &[65020, 65012]);
        let out = announce(&mut r, 1, "172.16.2.11/32", &a);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].best.as_ref().unwrap().peer, PeerId(1));
        // The same again: nothing.
        assert!(announce(&mut r, 1, "172.16.2.11/32", &a).is_empty());
        // Second spine, equal: ECMP of 2.
        let out = announce(&mut r, 2, "172.16.2.11/32", &path(2, 100, &[65020, 65012]));
        assert_eq!(peers_of(&out[0]), vec![1, 2]);
        // A longer path from a third peer changes nothing visible.
        assert!(announce(
            &mut r,
            3,
            "172.16.2.11/32",
            &path(3, 100, &[65030, 1, 65012])
        )
        .is_empty());
        assert_eq!(r.candidates(pfx("172.16.2.11/32")).len(), 3);
        // Withdrawing the losing path: nothing.
        assert!(withdraw(&mut r, 3, "172.16.2.11/32").is_empty());
        // Withdrawing an unknown prefix: nothing, and no empty entry left.
        assert!(withdraw(&mut r, 3, "172.16.9.9/32").is_empty());
        assert_eq!(r.len(), 1);
        // Withdrawing one of the ECMP pair.
        let out = withdraw(&mut r, 1, "172.16.2.11/32");
        assert_eq!(peers_of(&out[0]), vec![2]);
        let out = withdraw(&mut r, 2, "172.16.2.11/32");
        assert_eq!(out[0].best, None);
        assert!(out[0].ecmp.is_empty());
        assert!(r.is_empty());
    }

    #[test]
    fn attribute_change_of_the_best_path_is_reported() {
        let mut r = rib(64);
        announce(&mut r, 1, "10.0.0.0/24", &path(1, 100, &[65020]));
        let p = with_attrs(path(1, 100, &[65020]), |a| a.med = Some(7));
        let out = announce(&mut r, 1, "10.0.0.0/24", &p);
        assert_eq!(out[0].best.as_ref().unwrap().attrs.attrs.med, Some(7));
    }

    #[test]
    fn ecmp_with_different_neighbour_ases_and_equal_lengths() {
        let mut r = rib(64);
        announce(&mut r, 1, "10.0.0.0/24", &path(1, 100, &[65020, 65099]));
        let out = announce(&mut r, 3, "10.0.0.0/24", &path(3, 100, &[65030, 65099]));
        assert_eq!(peers_of(&out[0]), vec![1, 3]);
    }

    #[test]
    fn ecmp_cap_and_changing_it() {
        let mut r = rib(2);
        for peer in 1..=3 {
            announce(&mut r, peer, "10.0.0.0/24", &path(peer, 100, &[65020, 1]));
        }
        assert_eq!(r.ecmp(pfx("10.0.0.0/24")).len(), 2);
        let mut out = Vec::new();
        r.set_max_paths(1, &mut out);
        assert_eq!(peers_of(&out[0]), vec![1]);
        out.clear();
        r.set_max_paths(64, &mut out);
        assert_eq!(peers_of(&out[0]), vec![1, 2, 3]);
    }

    #[test]
    fn stale_paths_lose_but_stay() {
        let mut r = rib(64);
        announce(&mut r, 1, "10.0.0.0/24", &path(1, 100, &[65020]));
        announce(&mut r, 2, "10.0.0.0/24", &path(2, 100, &[65020]));
        let mut out = Vec::new();
        r.apply(
            PeerId(1),
            &[RouteChange::Stale(Nlri::new(pfx("10.0.0.0/24")))],
            &mut out,
        )
        .unwrap();
        assert_eq!(
            peers_of(&out[0]),
            vec![2],
            "the stale path leaves the ECMP set"
        );
        assert_eq!(r.candidates(pfx("10.0.0.0/24")).len(), 2);
        // Peer 2 goes away: the stale path is all there is, and used.
        let out = withdraw(&mut r, 2, "10.0.0.0/24");
        assert_eq!(peers_of(&out[0]), vec![1]);
        assert!(out[0].best.as_ref().unwrap().stale);
        // Refreshed with the same attributes: fresh again.
        announce(&mut r, 1, "10.0.0.0/24", &path(1, 100, &[65020]));
        assert!(!r.best(pfx("10.0.0.0/24")).unwrap().stale);
    }

    #[test]
    fn local_routes_win_and_unknown_peers_are_refused() {
        let mut r = rib(64);
        announce(&mut r, 1, "11.11.1.0/24", &path(1, 300, &[65020]));
        let mut out = Vec::new();
        r.originate(pfx("11.11.1.0/24"), attrs_with(|_| {}), &mut out);
        assert_eq!(out[0].best.as_ref().unwrap().peer, PeerId::LOCAL);
        out.clear();
        r.withdraw_local(pfx("11.11.1.0/24"), &mut out);
        assert_eq!(out[0].best.as_ref().unwrap().peer, PeerId(1));
        let err = r.apply(PeerId(42), &[], &mut out).unwrap_err();
        assert_eq!(err, RibError::UnknownPeer(PeerId(42)));
    }

    #[test]
    fn remove_peer_drops_its_paths() {
        let mut r = rib(64);
        announce(&mut r, 1, "10.0.0.0/24", &path(1, 100, &[65020]));
        announce(&mut r, 2, "10.0.0.0/24", &path(2, 100, &[65020]));
        announce(&mut r, 1, "10.0.1.0/24", &path(1, 100, &[65020]));
        let mut out = Vec::new();
        r.remove_peer(PeerId(1), &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(r.len(), 1);
        assert!(r.peer(PeerId(1)).is_none());
    }

    #[test]
    fn add_path_ids_are_separate_candidates() {
        let mut r = rib(64);
        let a = path(1, 100, &[65020]);
        let mut out = Vec::new();
        let n = |id| Nlri::with_path_id(pfx("10.0.0.0/24"), id);
        r.apply(
            PeerId(1),
            &[
                RouteChange::Announce(n(1), Arc::clone(&a.attrs)),
                RouteChange::Announce(n(2), Arc::clone(&a.attrs)),
            ],
            &mut out,
        )
        .unwrap();
        assert_eq!(r.ecmp(pfx("10.0.0.0/24")).len(), 2);
        assert_eq!(r.best(pfx("10.0.0.0/24")).unwrap().path_id, Some(1));
    }
}
