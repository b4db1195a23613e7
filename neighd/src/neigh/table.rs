//! The tracker's copy of the kernel's links, addresses and neighbours:
//! applies decoded updates and says what changed, as the events to send.
//! Pure, so the diffing is tested without a kernel.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use super::decode::Update;
use super::neighbour_set::{NeighbourSet, Stored};
use super::{Address, LinkTable, NeighChange, NeighEvent, Snapshot};

/// An update that shows the copy has missed something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LostSync(pub &'static str);

#[derive(Debug, Default)]
pub(crate) struct Table {
    links: LinkTable,
    /// By interface, address and prefix length.
    addresses: BTreeMap<(u32, IpAddr, u8), Address>,
    neighbours: NeighbourSet,
}

impl Table {
    /// Applies `update`, pushing the events it makes to `out` (none when
    /// nothing changed).
    pub fn apply(&mut self, update: Update, out: &mut Vec<NeighEvent>) -> Result<(), LostSync> {
        match update {
            Update::Link(link) => {
                if self.links.get(link.ifindex) == Some(&link) {
                    return Ok(());
                }
                let renamed = self
                    .links
                    .upsert(link.clone())
                    .is_some_and(|old| old.name != link.name);
                out.push(NeighEvent::Link(link.clone()));
                if renamed {
                    for (ip, n) in self.neighbours.on_link(link.ifindex) {
                        let n = n.neighbour(link.ifindex, link.name.clone(), ip);
                        out.push(NeighEvent::Neighbour(NeighChange::Changed, n));
                    }
                }
            }
            Update::LinkRemoved { ifindex, name } => {
                let Some(old) = self.links.remove(ifindex) else {
                    return Ok(());
                };
                for (ip, n) in self.neighbours.remove_link(ifindex) {
                    let n = n.neighbour(ifindex, old.name.clone(), ip);
                    out.push(NeighEvent::Neighbour(NeighChange::Removed, n));
                }
                self.addresses.retain(|_, a| {
                    if a.ifindex == ifindex {
                        out.push(NeighEvent::Address(false, a.clone()));
                        false
                    } else {
                        true
                    }
                });
                out.push(NeighEvent::LinkRemoved(ifindex, name.unwrap_or(old.name)));
            }
            Update::Address { added, address } => {
                let key = (address.ifindex, address.local, address.prefix.len());
                if added {
                    if self.addresses.get(&key) != Some(&address) {
                        self.addresses.insert(key, address.clone());
                        out.push(NeighEvent::Address(true, address));
                    }
                } else if let Some(old) = self.addresses.remove(&key) {
                    out.push(NeighEvent::Address(false, old));
                }
            }
            Update::Neighbour {
                removed: true,
                entry,
            } => {
                if let Some(old) = self.neighbours.remove(entry.ifindex, entry.ip) {
                    let old = old.neighbour(entry.ifindex, self.name(entry.ifindex), entry.ip);
                    out.push(NeighEvent::Neighbour(NeighChange::Removed, old));
                }
            }
            Update::Neighbour {
                removed: false,
                entry,
            } => {
                let Some(iface) = self.links.name(entry.ifindex) else {
                    return Err(LostSync("a neighbour on an interface never reported"));
                };
                let iface = iface.clone();
                let new = Stored::of(&entry);
                let change = match self.neighbours.insert(entry.ifindex, entry.ip, new) {
                    None => NeighChange::Added,
                    Some(old) if old == new => return Ok(()),
                    Some(_) => NeighChange::Changed,
                };
                let n = new.neighbour(entry.ifindex, iface, entry.ip);
                out.push(NeighEvent::Neighbour(change, n));
            }
        }
        Ok(())
    }

    /// Everything, ordered by index (links), interface and address.
    pub fn snapshot(&self) -> Snapshot {
        let mut links: Vec<_> = self.links.iter().cloned().collect();
        links.sort_by_key(|l| l.ifindex);
        Snapshot {
            links,
            addresses: self.addresses.values().cloned().collect(),
            neighbours: self
                .neighbours
                .sorted()
                .into_iter()
                .map(|(ifindex, ip, n)| n.neighbour(ifindex, self.name(ifindex), ip))
                .collect(),
        }
    }

    /// The name of link `ifindex` (empty if unknown: every stored neighbour
    /// has its link, which takes them with it when it goes).
    fn name(&self, ifindex: u32) -> Arc<str> {
        self.links
            .name(ifindex)
            .cloned()
            .unwrap_or_else(|| Arc::from(""))
    }
}

#[cfg(test)]
mod tests {
    use arpprobe::MacAddr;
    use bgp::wire::Prefix;

    use super::*;
    use crate::neigh::decode::NeighbourEntry;
    use crate::neigh::link_table::tests::link;
    use crate::neigh::{Link, NudState};

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

    fn add(e: NeighbourEntry) -> Update {
        Update::Neighbour {
            removed: false,
            entry: e,
        }
    }

    fn apply(t: &mut Table, u: Update) -> Vec<NeighEvent> {
        let mut out = Vec::new();
        t.apply(u, &mut out).unwrap();
        out
    }

    fn address(ifindex: u32, local: &str, len: u8) -> Address {
        let local: IpAddr = local.parse().unwrap();
        Address {
            ifindex,
            prefix: Prefix::new(local, len).unwrap(),
            local,
            scope_global: true,
        }
    }

    fn with_link(l: Link) -> Table {
        let mut t = Table::default();
        apply(&mut t, Update::Link(l));
        t
    }

    #[test]
    fn a_neighbour_is_added_then_changed_and_a_repeat_is_no_event() {
        let mut t = with_link(link(2, "swp1", None, None));
        let ev = apply(&mut t, add(entry(2, "10.0.0.5", NudState::REACHABLE)));
        let [NeighEvent::Neighbour(NeighChange::Added, n)] = &ev[..] else {
            panic!("{ev:?}");
        };
        assert_eq!(&*n.iface, "swp1");
        assert!(apply(&mut t, add(entry(2, "10.0.0.5", NudState::REACHABLE))).is_empty());
        let ev = apply(&mut t, add(entry(2, "10.0.0.5", NudState::STALE)));
        assert!(
            matches!(&ev[..], [NeighEvent::Neighbour(NeighChange::Changed, n)] if n.state == NudState::STALE)
        );
    }

    #[test]
    fn a_removal_reports_the_last_known_entry_once() {
        let mut t = with_link(link(2, "swp1", None, None));
        apply(&mut t, add(entry(2, "10.0.0.5", NudState::REACHABLE)));
        let mut gone = entry(2, "10.0.0.5", NudState::FAILED);
        gone.mac = None;
        let del = Update::Neighbour {
            removed: true,
            entry: gone,
        };
        let ev = apply(&mut t, del.clone());
        assert!(
            matches!(&ev[..], [NeighEvent::Neighbour(NeighChange::Removed, n)] if n.state == NudState::REACHABLE)
        );
        assert!(apply(&mut t, del).is_empty());
        assert!(t.snapshot().neighbours.is_empty());
    }

    #[test]
    fn a_neighbour_on_an_unknown_interface_means_lost_sync() {
        let mut t = Table::default();
        let mut out = Vec::new();
        assert!(t
            .apply(add(entry(7, "10.0.0.5", NudState::STALE)), &mut out)
            .is_err());
        assert!(out.is_empty());
    }

    #[test]
    fn link_changes_are_events_only_when_something_differs() {
        let mut t = with_link(link(2, "swp1", None, None));
        assert!(apply(&mut t, Update::Link(link(2, "swp1", None, None))).is_empty());
        let mut down = link(2, "swp1", None, None);
        down.up = false;
        assert_eq!(
            apply(&mut t, Update::Link(down.clone())),
            vec![NeighEvent::Link(down)]
        );
    }

    #[test]
    fn a_rename_re_reports_the_links_neighbours_under_the_new_name() {
        let mut t = with_link(link(2, "swp1", None, None));
        apply(&mut t, add(entry(2, "10.0.0.5", NudState::REACHABLE)));
        let ev = apply(&mut t, Update::Link(link(2, "host1", None, None)));
        assert_eq!(ev.len(), 2);
        assert!(
            matches!(&ev[1], NeighEvent::Neighbour(NeighChange::Changed, n) if &*n.iface == "host1")
        );
    }

    #[test]
    fn a_removed_link_takes_its_neighbours_and_addresses_with_it() {
        let mut t = with_link(link(2, "swp1", None, None));
        apply(&mut t, Update::Link(link(3, "swp2", None, None)));
        apply(&mut t, add(entry(2, "10.0.0.5", NudState::REACHABLE)));
        apply(&mut t, add(entry(2, "2001:db8::5", NudState::REACHABLE)));
        apply(&mut t, add(entry(3, "10.0.1.5", NudState::REACHABLE)));
        apply(
            &mut t,
            Update::Address {
                added: true,
                address: address(2, "10.0.0.1", 24),
            },
        );
        let ev = apply(
            &mut t,
            Update::LinkRemoved {
                ifindex: 2,
                name: None,
            },
        );
        let removed = ev
            .iter()
            .filter(
                |e| matches!(e, NeighEvent::Neighbour(NeighChange::Removed, n) if n.ifindex == 2),
            )
            .count();
        assert_eq!(removed, 2);
        assert!(ev.contains(&NeighEvent::Address(false, address(2, "10.0.0.1", 24))));
        assert_eq!(ev.last(), Some(&NeighEvent::LinkRemoved(2, "swp1".into())));
        let s = t.snapshot();
        assert_eq!(s.neighbours.len(), 1);
        assert_eq!(s.links.len(), 1);
        assert!(s.addresses.is_empty());
    }

    #[test]
    fn addresses_are_added_once_and_removed_once() {
        let mut t = with_link(link(2, "swp1", None, None));
        let a = address(2, "172.16.1.1", 24);
        let add = Update::Address {
            added: true,
            address: a.clone(),
        };
        assert_eq!(
            apply(&mut t, add.clone()),
            vec![NeighEvent::Address(true, a.clone())]
        );
        assert!(apply(&mut t, add).is_empty());
        let del = Update::Address {
            added: false,
            address: a.clone(),
        };
        assert_eq!(
            apply(&mut t, del.clone()),
            vec![NeighEvent::Address(false, a)]
        );
        assert!(apply(&mut t, del).is_empty());
    }
}
