//! The links by index and by name, kept from the tracker's events: enough
//! to name a neighbour's interface, tell whether it is up and find the
//! bridge a port belongs to. Pure data, no I/O.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Link, NeighEvent};

/// How many masters [`LinkTable::l3_interface`] follows before it gives up
/// (a loop in the table would otherwise never end).
const MAX_MASTER_DEPTH: usize = 8;

/// The links the kernel reported, indexed both ways.
#[derive(Debug, Clone, Default)]
pub struct LinkTable {
    by_index: HashMap<u32, Link>,
    by_name: HashMap<Arc<str>, u32>,
}

impl LinkTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// A table of `links`.
    pub fn from_links(links: impl IntoIterator<Item = Link>) -> Self {
        let mut t = Self::new();
        for l in links {
            t.upsert(l);
        }
        t
    }

    /// Follows the tracker: a snapshot replaces the table, link events
    /// update it, other events leave it alone.
    pub fn apply(&mut self, event: &NeighEvent) {
        match event {
            NeighEvent::Snapshot(s) => *self = Self::from_links(s.links.iter().cloned()),
            NeighEvent::Link(l) => {
                self.upsert(l.clone());
            }
            NeighEvent::LinkRemoved(ifindex, _) => {
                self.remove(*ifindex);
            }
            NeighEvent::Neighbour(..) | NeighEvent::Address(..) => {}
        }
    }

    /// Adds or replaces the link with `link.ifindex`; the previous version.
    pub fn upsert(&mut self, link: Link) -> Option<Link> {
        let old = self.by_index.insert(link.ifindex, link.clone());
        if let Some(old) = &old {
            if old.name != link.name && self.by_name.get(&old.name) == Some(&old.ifindex) {
                self.by_name.remove(&old.name);
            }
        }
        self.by_name.insert(link.name, link.ifindex);
        old
    }

    /// Removes the link with index `ifindex`; what it was.
    pub fn remove(&mut self, ifindex: u32) -> Option<Link> {
        let old = self.by_index.remove(&ifindex)?;
        if self.by_name.get(&old.name) == Some(&ifindex) {
            self.by_name.remove(&old.name);
        }
        Some(old)
    }

    /// The link with index `ifindex`.
    pub fn get(&self, ifindex: u32) -> Option<&Link> {
        self.by_index.get(&ifindex)
    }

    /// The link called `name`.
    pub fn by_name(&self, name: &str) -> Option<&Link> {
        self.by_name.get(name).and_then(|i| self.by_index.get(i))
    }

    /// The index of the link called `name`.
    pub fn index_of(&self, name: &str) -> Option<u32> {
        self.by_name.get(name).copied()
    }

    /// The name of the link with index `ifindex`.
    pub fn name(&self, ifindex: u32) -> Option<&Arc<str>> {
        self.get(ifindex).map(|l| &l.name)
    }

    /// Whether the link with index `ifindex` is known and up.
    pub fn is_up(&self, ifindex: u32) -> bool {
        self.get(ifindex).is_some_and(|l| l.up)
    }

    /// The master (bridge, bond, VRF) of the link with index `ifindex`.
    pub fn master(&self, ifindex: u32) -> Option<u32> {
        self.get(ifindex).and_then(|l| l.master)
    }

    /// The interface that holds the neighbour entries for traffic through
    /// `ifindex`: its master when it is a bridge port or bond member (and
    /// that master's master, for a bond in a bridge), itself when it has no
    /// master or its master is a VRF (whose members keep their own
    /// addresses and neighbours).
    pub fn l3_interface(&self, ifindex: u32) -> u32 {
        let mut current = ifindex;
        for _ in 0..MAX_MASTER_DEPTH {
            let Some(master) = self.get(current).and_then(|l| l.master) else {
                break;
            };
            match self.get(master) {
                Some(m) if m.kind.as_deref() != Some("vrf") => current = master,
                _ => break,
            }
        }
        current
    }

    /// How many links.
    pub fn len(&self) -> usize {
        self.by_index.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_index.is_empty()
    }

    /// The links, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Link> {
        self.by_index.values()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::neigh::Snapshot;

    pub(crate) fn link(ifindex: u32, name: &str, kind: Option<&str>, master: Option<u32>) -> Link {
        Link {
            ifindex,
            name: name.into(),
            up: true,
            master,
            kind: kind.map(str::to_string),
            mac: None,
        }
    }

    #[test]
    fn finds_links_both_ways_and_forgets_the_old_name_on_rename() {
        let mut t = LinkTable::from_links([link(2, "swp1", None, None)]);
        assert_eq!(t.index_of("swp1"), Some(2));
        assert_eq!(t.name(2).map(|n| &**n), Some("swp1"));
        let old = t.upsert(link(2, "host1", None, None));
        assert_eq!(old.map(|l| l.name), Some("swp1".into()));
        assert_eq!(t.index_of("swp1"), None);
        assert_eq!(t.by_name("host1").map(|l| l.ifindex), Some(2));
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn a_removed_link_is_gone_by_index_and_name() {
        let mut t =
            LinkTable::from_links([link(2, "swp1", None, None), link(3, "swp2", None, None)]);
        assert!(t.remove(2).is_some());
        assert_eq!((t.get(2), t.index_of("swp1")), (None, None));
        assert!(t.remove(2).is_none());
        assert_eq!(t.index_of("swp2"), Some(3));
    }

    #[test]
    fn a_name_reused_by_a_new_index_points_to_the_new_link() {
        let mut t = LinkTable::from_links([link(2, "swp1", None, None)]);
        t.upsert(link(9, "swp1", None, None));
        assert_eq!(t.index_of("swp1"), Some(9));
        // removing the old index must not drop the new link's name
        t.remove(2);
        assert_eq!(t.index_of("swp1"), Some(9));
    }

    #[test]
    fn up_and_master_of_known_and_unknown_links() {
        let mut down = link(3, "swp2", None, Some(10));
        down.up = false;
        let t = LinkTable::from_links([down, link(10, "br0", Some("bridge"), None)]);
        assert!(!t.is_up(3));
        assert!(t.is_up(10));
        assert!(!t.is_up(99));
        assert_eq!(t.master(3), Some(10));
        assert_eq!(t.master(99), None);
    }

    #[test]
    fn ports_and_bonds_fold_into_their_bridge_but_vrf_members_stay() {
        let t = LinkTable::from_links([
            link(2, "swp1", None, Some(5)),
            link(5, "bond0", Some("bond"), Some(10)),
            link(10, "br0", Some("bridge"), Some(20)),
            link(20, "vrf-red", Some("vrf"), None),
            link(3, "swp2", None, Some(20)),
        ]);
        assert_eq!(t.l3_interface(2), 10);
        assert_eq!(t.l3_interface(5), 10);
        assert_eq!(t.l3_interface(10), 10);
        assert_eq!(t.l3_interface(3), 3);
        assert_eq!(t.l3_interface(99), 99);
    }

    #[test]
    fn a_master_loop_ends() {
        let t = LinkTable::from_links([link(1, "a", None, Some(2)), link(2, "b", None, Some(1))]);
        let l3 = t.l3_interface(1);
        assert!(l3 == 1 || l3 == 2);
    }

    #[test]
    fn follows_snapshots_and_link_events() {
        let mut t = LinkTable::new();
        t.apply(&NeighEvent::Snapshot(Snapshot {
            links: vec![link(2, "swp1", None, None)],
            ..Snapshot::default()
        }));
        t.apply(&NeighEvent::Link(link(3, "swp2", None, None)));
        assert_eq!(t.len(), 2);
        t.apply(&NeighEvent::LinkRemoved(2, "swp1".into()));
        assert_eq!(t.index_of("swp1"), None);
        t.apply(&NeighEvent::Snapshot(Snapshot::default()));
        assert!(t.is_empty());
    }
}
