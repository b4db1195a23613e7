//! The protocol task's peers, by index. Peers come and go at runtime, so
//! an index is a slot: a removed peer leaves its slot empty and the next
//! added peer takes the first empty one. The index is also the peer's
//! [`PeerId`] in the RIBs, which forget a peer before its slot is reused.

use std::ops::{Index, IndexMut};

use super::peer::Peer;
use crate::rib::PeerId;

/// Every configured peer, in slots.
#[derive(Debug, Default)]
pub(crate) struct PeerTable {
    slots: Vec<Option<Peer>>,
}

impl PeerTable {
    /// Puts a peer built for its index into the first free slot.
    pub fn insert(&mut self, build: impl FnOnce(PeerId) -> Peer) -> usize {
        let p = self
            .slots
            .iter()
            .position(Option::is_none)
            .unwrap_or(self.slots.len());
        let peer = build(PeerId(p as u32));
        match self.slots.get_mut(p) {
            Some(slot) => *slot = Some(peer),
            None => self.slots.push(Some(peer)),
        }
        p
    }

    /// Takes a peer out, leaving its slot free.
    pub fn remove(&mut self, p: usize) -> Option<Peer> {
        let peer = self.slots.get_mut(p)?.take();
        while self.slots.last().is_some_and(Option::is_none) {
            self.slots.pop();
        }
        peer
    }

    /// The peer at `p`, if there is one.
    pub fn get(&self, p: usize) -> Option<&Peer> {
        self.slots.get(p)?.as_ref()
    }

    /// The indices of every peer, collected so that the caller may change
    /// the peers while walking them.
    pub fn indices(&self) -> Vec<usize> {
        self.enumerate().map(|(p, _)| p).collect()
    }

    /// Every peer with its index.
    pub fn enumerate(&self) -> impl Iterator<Item = (usize, &Peer)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(p, s)| Some((p, s.as_ref()?)))
    }

    /// Every peer.
    pub fn iter(&self) -> impl Iterator<Item = &Peer> {
        self.slots.iter().flatten()
    }

    /// Every peer, mutable.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Peer> {
        self.slots.iter_mut().flatten()
    }

    /// The index of the peer named `name`.
    pub fn position_by_name(&self, name: &str) -> Option<usize> {
        self.enumerate()
            .find(|(_, peer)| peer.cfg.name == name)
            .map(|(p, _)| p)
    }

    /// How many peers there are.
    pub fn len(&self) -> usize {
        self.iter().count()
    }
}

impl Index<usize> for PeerTable {
    type Output = Peer;

    fn index(&self, p: usize) -> &Peer {
        self.get(p)
            .expect("an index comes from the table in the same step of the protocol task, and peers are only removed by a command")
    }
}

impl IndexMut<usize> for PeerTable {
    fn index_mut(&mut self, p: usize) -> &mut Peer {
        self.slots
            .get_mut(p)
            .and_then(Option::as_mut)
            .expect("an index comes from the table in the same step of the protocol task, and peers are only removed by a command")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsm::{RemoteAs, SessionConfig};
    use crate::speaker::config::PeerConfig;

    fn add(t: &mut PeerTable, name: &str) -> usize {
        let mut cfg = PeerConfig::new("192.0.2.1".parse().unwrap(), RemoteAs::External);
        cfg.name = name.into();
        let session = SessionConfig::new(65011, "10.0.0.11".parse().unwrap(), RemoteAs::External);
        t.insert(|id| Peer::new(id, cfg, session))
    }

    fn names(t: &PeerTable) -> Vec<(usize, u32, String)> {
        t.enumerate()
            .map(|(p, peer)| (p, peer.id.0, peer.cfg.name.clone()))
            .collect()
    }

    #[test]
    fn a_removed_peer_leaves_a_slot_the_next_one_takes() {
        let mut t = PeerTable::default();
        assert_eq!(
            (add(&mut t, "a"), add(&mut t, "b"), add(&mut t, "c")),
            (0, 1, 2)
        );
        assert_eq!(t.remove(1).map(|p| p.cfg.name), Some("b".to_string()));
        assert!(t.get(1).is_none());
        assert_eq!(t.remove(1).map(|p| p.cfg.name), None);
        assert_eq!(t.indices(), vec![0, 2]);
        assert_eq!(t.position_by_name("c"), Some(2));
        assert_eq!(t.position_by_name("b"), None);
        assert_eq!(add(&mut t, "d"), 1);
        assert_eq!(
            names(&t),
            vec![(0, 0, "a".into()), (1, 1, "d".into()), (2, 2, "c".into())]
        );
        // Trailing empty slots go, so the table does not grow with churn.
        t.remove(2);
        t.remove(1);
        assert_eq!(add(&mut t, "e"), 1);
        assert_eq!(t.len(), 2);
    }
}
