//! The tracker's copy of the kernel's neighbour entries, compact: one map
//! per interface and family, keyed by the bare address, holding only what
//! an entry says beyond its key (12 bytes). An IPv4 entry costs 16 bytes
//! plus the map's control byte, against 80 for a `Neighbour` in a B-tree —
//! at 100,000 hosts, 2 MB instead of 10. Interface names are not stored;
//! the link table supplies them when entries are handed out.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use arpprobe::MacAddr;

use super::decode::NeighbourEntry;
use super::{Neighbour, NudState};

/// foldhash: the addresses come from the kernel, filtered by us.
type FastHash = foldhash::fast::RandomState;

/// What a neighbour entry holds besides its interface and address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stored {
    mac: Option<MacAddr>,
    state: NudState,
    is_router: bool,
    externally_learned: bool,
}

impl Stored {
    /// What `e` says beyond its key.
    pub(crate) fn of(e: &NeighbourEntry) -> Stored {
        Stored {
            mac: e.mac,
            state: e.state,
            is_router: e.is_router,
            externally_learned: e.externally_learned,
        }
    }

    /// The full entry, on `ifindex` called `iface`.
    pub(crate) fn neighbour(self, ifindex: u32, iface: Arc<str>, ip: IpAddr) -> Neighbour {
        Neighbour {
            ifindex,
            iface,
            ip,
            mac: self.mac,
            state: self.state,
            is_router: self.is_router,
            externally_learned: self.externally_learned,
        }
    }
}

#[derive(Debug, Default)]
struct OnLink {
    v4: HashMap<Ipv4Addr, Stored, FastHash>,
    v6: HashMap<Ipv6Addr, Stored, FastHash>,
}

impl OnLink {
    fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    fn entries(&self) -> impl Iterator<Item = (IpAddr, Stored)> + '_ {
        let v4 = self.v4.iter().map(|(ip, s)| (IpAddr::V4(*ip), *s));
        let v6 = self.v6.iter().map(|(ip, s)| (IpAddr::V6(*ip), *s));
        v4.chain(v6)
    }
}

/// Neighbour entries by interface index and address.
#[derive(Debug, Default)]
pub(crate) struct NeighbourSet {
    links: HashMap<u32, OnLink>,
}

impl NeighbourSet {
    /// Stores `new` for `ip` on `ifindex`; returns what was stored before.
    pub(crate) fn insert(&mut self, ifindex: u32, ip: IpAddr, new: Stored) -> Option<Stored> {
        let on = self.links.entry(ifindex).or_default();
        match ip {
            IpAddr::V4(ip) => on.v4.insert(ip, new),
            IpAddr::V6(ip) => on.v6.insert(ip, new),
        }
    }

    /// Forgets the entry for `ip` on `ifindex`; returns it.
    pub(crate) fn remove(&mut self, ifindex: u32, ip: IpAddr) -> Option<Stored> {
        let on = self.links.get_mut(&ifindex)?;
        let old = match ip {
            IpAddr::V4(ip) => on.v4.remove(&ip),
            IpAddr::V6(ip) => on.v6.remove(&ip),
        };
        if on.is_empty() {
            self.links.remove(&ifindex);
        }
        old
    }

    /// Forgets every entry on `ifindex`; returns them.
    pub(crate) fn remove_link(&mut self, ifindex: u32) -> Vec<(IpAddr, Stored)> {
        self.links
            .remove(&ifindex)
            .map(|on| on.entries().collect())
            .unwrap_or_default()
    }

    /// The entries on `ifindex`.
    pub(crate) fn on_link(&self, ifindex: u32) -> Vec<(IpAddr, Stored)> {
        self.links
            .get(&ifindex)
            .map(|on| on.entries().collect())
            .unwrap_or_default()
    }

    /// Every entry, ordered by interface index and address.
    pub(crate) fn sorted(&self) -> Vec<(u32, IpAddr, Stored)> {
        let mut all: Vec<(u32, IpAddr, Stored)> = self
            .links
            .iter()
            .flat_map(|(ifindex, on)| on.entries().map(|(ip, s)| (*ifindex, ip, s)))
            .collect();
        all.sort_unstable_by_key(|(ifindex, ip, _)| (*ifindex, *ip));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(ifindex: u32, ip: &str, state: NudState) -> NeighbourEntry {
        NeighbourEntry {
            ifindex,
            ip: ip.parse().unwrap(),
            mac: Some(MacAddr([2, 0, 0, 0, 0, 1])),
            state,
            is_router: false,
            externally_learned: false,
        }
    }

    fn add(set: &mut NeighbourSet, e: NeighbourEntry) -> Option<Stored> {
        set.insert(e.ifindex, e.ip, Stored::of(&e))
    }

    #[test]
    fn entries_are_kept_per_link_and_family_and_listed_in_order() {
        let mut set = NeighbourSet::default();
        assert_eq!(add(&mut set, entry(3, "10.0.0.9", NudState::STALE)), None);
        add(&mut set, entry(2, "2001:db8::5", NudState::REACHABLE));
        add(&mut set, entry(2, "10.0.0.5", NudState::REACHABLE));
        let old = add(&mut set, entry(2, "10.0.0.5", NudState::STALE));
        assert_eq!(
            old,
            Some(Stored::of(&entry(2, "10.0.0.5", NudState::REACHABLE)))
        );
        let keys: Vec<(u32, String)> = set
            .sorted()
            .into_iter()
            .map(|(i, ip, _)| (i, ip.to_string()))
            .collect();
        assert_eq!(
            keys,
            [
                (2, "10.0.0.5".to_string()),
                (2, "2001:db8::5".to_string()),
                (3, "10.0.0.9".to_string())
            ]
        );
        assert_eq!(set.on_link(2).len(), 2);
        assert_eq!(set.remove_link(2).len(), 2);
        assert!(set.on_link(2).is_empty());
        assert!(set.remove(3, "10.0.0.9".parse().unwrap()).is_some());
        assert!(set.remove(3, "10.0.0.9".parse().unwrap()).is_none());
        assert!(set.sorted().is_empty());
    }

    #[test]
    fn an_ipv4_entry_stays_small() {
        assert!(std::mem::size_of::<(Ipv4Addr, Stored)>() <= 16);
    }
}
