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
