//! The types every table shares: who a path came from ([`PeerId`],
//! [`PeerInfo`]), its interned attributes ([`PathAttrs`]) and the path
//! itself ([`Path`]).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use crate::wire::{NextHop, PathAttributes};

/// LOCAL_PREF assumed when a path carries none (RFC 4271 leaves it to
/// policy; every implementation uses 100).
pub const DEFAULT_LOCAL_PREF: u32 = 100;

/// A peer, as the owner of the tables numbers it.
///
/// [`PeerId::LOCAL`] is reserved for routes the embedding application
/// originates; every other value is the owner's to assign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeerId(pub u32);

impl PeerId {
    /// The pseudo-peer of locally originated routes; its paths win over
    /// every learned path (like FRR's weight 32768 for local routes).
    pub const LOCAL: PeerId = PeerId(u32::MAX);

    /// Whether this is [`PeerId::LOCAL`].
    pub fn is_local(self) -> bool {
        self == PeerId::LOCAL
    }
}

impl fmt::Display for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_local() {
            f.write_str("local")
        } else {
            write!(f, "#{}", self.0)
        }
    }
}

/// What the decision process and the export rules need to know about a peer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PeerInfo {
    /// The owner's number for this peer.
    pub id: PeerId,
    /// The peer's AS number.
    pub asn: u32,
    /// The peer's BGP identifier (from its OPEN).
    pub router_id: Ipv4Addr,
    /// The peer's address (for unnumbered sessions, its link-local one).
    pub address: IpAddr,
    /// Whether the session is internal (same AS).
    pub ibgp: bool,
    /// The interface the session runs over, when it matters: a next hop
    /// that is an IPv6 link-local address is only usable with it
    /// (`via inet6 fe80::… dev swp51`).
    pub interface: Option<String>,
}

/// The interned attributes of a path: everything but the NLRI.
///
/// `attrs.next_hop` is always `None`; the next hop lives in `next_hop`,
/// whichever attribute carried it. Held as `Arc<PathAttrs>`, shared by all
/// routes with equal attributes (see [`super::AttrInterner`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PathAttrs {
    /// The path attributes (NEXT_HOP, AS4_PATH and AS4_AGGREGATOR moved
    /// out: the next hop into `next_hop`, the AS4 ones merged).
    pub attrs: PathAttributes,
    /// The next hop, from NEXT_HOP or MP_REACH_NLRI.
    pub next_hop: NextHop,
}

impl PathAttrs {
    /// Attributes with `next_hop`; `attrs.next_hop` is cleared.
    pub fn new(mut attrs: PathAttributes, next_hop: NextHop) -> PathAttrs {
        attrs.next_hop = None;
        PathAttrs { attrs, next_hop }
    }

    /// LOCAL_PREF, or [`DEFAULT_LOCAL_PREF`].
    pub fn local_pref(&self) -> u32 {
        self.attrs.local_pref.unwrap_or(DEFAULT_LOCAL_PREF)
    }

    /// The AS path length as the decision process counts it (0 if absent).
    pub fn as_path_len(&self) -> usize {
        self.attrs.as_path.as_ref().map_or(0, |p| p.path_len())
    }

    /// The neighbouring AS (first AS of the path), if any.
    pub fn neighbour_as(&self) -> Option<u32> {
        self.attrs.as_path.as_ref().and_then(|p| p.first_asn())
    }

    /// MULTI_EXIT_DISC, a missing one counting as 0 (RFC 4271 §9.1.2.2 c).
    pub fn med(&self) -> u32 {
        self.attrs.med.unwrap_or(0)
    }
}

/// One candidate path for a prefix in the Loc-RIB.
///
/// 24 bytes; the attributes are shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    /// The peer it came from ([`PeerId::LOCAL`] for our own routes).
    pub peer: PeerId,
    /// The add-path identifier the peer gave it (RFC 7911), if any.
    pub path_id: Option<u32>,
    /// The attributes.
    pub attrs: Arc<PathAttrs>,
    /// Kept through the peer's graceful restart, not yet refreshed: still a
    /// candidate, but any fresh path beats it.
    pub stale: bool,
}

impl Path {
    /// Whether `self` and `other` are the same route: same origin peer,
    /// path id and attributes (staleness aside).
    pub fn same_route(&self, other: &Path) -> bool {
        self.peer == other.peer
            && self.path_id == other.path_id
            && (Arc::ptr_eq(&self.attrs, &other.attrs) || self.attrs == other.attrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_is_small() {
        assert_eq!(std::mem::size_of::<Path>(), 24);
        assert_eq!(std::mem::size_of::<PeerId>(), 4);
    }
}
