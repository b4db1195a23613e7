//! A compact map keyed by prefix (plus an extra key part, e.g. the
//! add-path identifier): one hash map per family, so an IPv4 key costs the
//! 5 bytes of an [`Ipv4Prefix`] rather than the 18 of a [`Prefix`].

use std::collections::HashMap;
use std::hash::Hash;

/// foldhash: several times faster than SipHash on these small keys, with
/// a per-process random seed (prefixes come from peers).
type Hasher = foldhash::fast::RandomState;

use crate::wire::{Family, Ipv4Prefix, Ipv6Prefix, Prefix};

/// Prefix (and `X`) to `V`, split by family.
#[derive(Debug, Clone)]
pub(crate) struct FamilyMap<X, V> {
    v4: HashMap<(Ipv4Prefix, X), V, Hasher>,
    v6: HashMap<(Ipv6Prefix, X), V, Hasher>,
}

impl<X, V> Default for FamilyMap<X, V> {
    fn default() -> Self {
        FamilyMap {
            v4: HashMap::default(),
            v6: HashMap::default(),
        }
    }
}

impl<X: Copy + Eq + Hash, V> FamilyMap<X, V> {
    pub(crate) fn get(&self, p: Prefix, x: X) -> Option<&V> {
        match p {
            Prefix::V4(p) => self.v4.get(&(p, x)),
            Prefix::V6(p) => self.v6.get(&(p, x)),
        }
    }

    pub(crate) fn get_or_insert_with(&mut self, p: Prefix, x: X, f: impl FnOnce() -> V) -> &mut V {
        match p {
            Prefix::V4(p) => self.v4.entry((p, x)).or_insert_with(f),
            Prefix::V6(p) => self.v6.entry((p, x)).or_insert_with(f),
        }
    }

    pub(crate) fn insert(&mut self, p: Prefix, x: X, v: V) -> Option<V> {
        match p {
            Prefix::V4(p) => self.v4.insert((p, x), v),
            Prefix::V6(p) => self.v6.insert((p, x), v),
        }
    }

    pub(crate) fn remove(&mut self, p: Prefix, x: X) -> Option<V> {
        match p {
            Prefix::V4(p) => self.v4.remove(&(p, x)),
            Prefix::V6(p) => self.v6.remove(&(p, x)),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    pub(crate) fn len_family(&self, family: Family) -> usize {
        match family {
            Family::IPV4_UNICAST => self.v4.len(),
            Family::IPV6_UNICAST => self.v6.len(),
            _ => 0,
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (Prefix, X, &V)> + '_ {
        let v4 = self.v4.iter().map(|(&(p, x), v)| (Prefix::V4(p), x, v));
        let v6 = self.v6.iter().map(|(&(p, x), v)| (Prefix::V6(p), x, v));
        v4.chain(v6)
    }

    pub(crate) fn into_entries(self) -> impl Iterator<Item = (Prefix, X, V)> {
        let v4 = self.v4.into_iter().map(|((p, x), v)| (Prefix::V4(p), x, v));
        let v6 = self.v6.into_iter().map(|((p, x), v)| (Prefix::V6(p), x, v));
        v4.chain(v6)
    }

    pub(crate) fn clear(&mut self) {
        // Free the tables too: a peer that went down may never come back.
        self.v4 = HashMap::default();
        self.v6 = HashMap::default();
    }
}
