//! `[[announce]]`: fixed prefixes and the connected subnets of interfaces
//! (the node-subnet mode of seed 000), as the set of routes to announce.
//!
//! Pure: given the configured entries and what the interfaces look like
//! now, [`desired`] says which prefixes must be announced, and [`diff`]
//! what changed since the last time.

use std::collections::BTreeMap;

use bgp::wire::{Community, Prefix};

use crate::config::{Announce, AnnounceSource};

/// What an interface looks like, for interface-subnet announcements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceSubnets {
    /// Its name.
    pub name: String,
    /// Administratively up with carrier.
    pub up: bool,
    /// Its connected, global-scope subnets (host bits cleared).
    pub subnets: Vec<Prefix>,
}

/// The prefixes to announce now, each with its communities (merged when two
/// entries give the same prefix).
pub fn desired(
    entries: &[Announce],
    interfaces: &[InterfaceSubnets],
) -> BTreeMap<Prefix, Vec<Community>> {
    let mut out: BTreeMap<Prefix, Vec<Community>> = BTreeMap::new();
    let mut add = |prefix: Prefix, communities: &[Community]| {
        let slot = out.entry(prefix).or_default();
        for c in communities {
            if !slot.contains(c) {
                slot.push(*c);
            }
        }
    };
    for entry in entries {
        match &entry.source {
            AnnounceSource::Prefix(prefix) => add(*prefix, &entry.communities),
            AnnounceSource::Interface(name) => {
                for iface in interfaces.iter().filter(|i| i.name == *name && i.up) {
                    for subnet in &iface.subnets {
                        add(*subnet, &entry.communities);
                    }
                }
            }
        }
    }
    out
}

/// What to announce (new or changed communities) and withdraw to go from
/// `old` to `new`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// Announce these (again).
    pub announce: Vec<(Prefix, Vec<Community>)>,
    /// Withdraw these.
    pub withdraw: Vec<Prefix>,
}

/// See [`Diff`].
pub fn diff(
    old: &BTreeMap<Prefix, Vec<Community>>,
    new: &BTreeMap<Prefix, Vec<Community>>,
) -> Diff {
    Diff {
        announce: new
            .iter()
            .filter(|(p, c)| old.get(p) != Some(c))
            .map(|(p, c)| (*p, c.clone()))
            .collect(),
        withdraw: old
            .keys()
            .filter(|p| !new.contains_key(p))
            .copied()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Prefix {
        s.parse().expect("test prefix")
    }

    fn iface(name: &str, up: bool, subnets: &[&str]) -> InterfaceSubnets {
        InterfaceSubnets {
            name: name.into(),
            up,
            subnets: subnets.iter().map(|s| p(s)).collect(),
        }
    }

    fn entries() -> Vec<Announce> {
        vec![
            Announce {
                source: AnnounceSource::Prefix(p("10.99.0.0/16")),
                communities: vec![Community(65000 << 16 | 1)],
            },
            Announce {
                source: AnnounceSource::Interface("br0".into()),
                communities: vec![],
            },
        ]
    }

    #[test]
    fn fixed_prefix_always_interface_subnets_while_up() {
        let up = desired(
            &entries(),
            &[iface("br0", true, &["11.11.1.0/24", "fd00:11:1::/64"])],
        );
        assert_eq!(
            up.keys().copied().collect::<Vec<_>>(),
            vec![p("10.99.0.0/16"), p("11.11.1.0/24"), p("fd00:11:1::/64")]
        );
        let down = desired(&entries(), &[iface("br0", false, &["11.11.1.0/24"])]);
        assert_eq!(
            down.keys().copied().collect::<Vec<_>>(),
            vec![p("10.99.0.0/16")]
        );
        let missing = desired(&entries(), &[iface("eth0", true, &["192.168.0.0/24"])]);
        assert_eq!(missing.len(), 1);
    }

    #[test]
    fn diff_announces_new_and_changed_and_withdraws_gone() {
        let old = desired(&entries(), &[iface("br0", true, &["11.11.1.0/24"])]);
        let new = desired(&entries(), &[iface("br0", true, &["11.11.2.0/24"])]);
        let d = diff(&old, &new);
        assert_eq!(d.announce, vec![(p("11.11.2.0/24"), vec![])]);
        assert_eq!(d.withdraw, vec![p("11.11.1.0/24")]);
        assert_eq!(diff(&new, &new), Diff::default());
    }
}
