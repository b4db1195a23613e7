//! The export transform: the attributes we send a peer for a Loc-RIB path.
//!
//! The policy is deliberately small (the speaker decides *who* gets
//! *what*; this only decides *how* it looks on the wire):
//!
//! - nothing goes back to the peer it came from;
//! - nothing learned over iBGP goes to an iBGP peer (no route reflection);
//! - to an eBGP peer, nothing whose AS path already holds the peer's AS
//!   (it would drop it by loop detection: sender-side loop detection saves
//!   a spine 100,000 useless routes from the other spine);
//! - eBGP: our AS prepended, LOCAL_PREF dropped, MED dropped unless the
//!   route is our own (RFC 4271 §5.1.4-5);
//! - iBGP: LOCAL_PREF always present (100 when absent), MED kept;
//! - next hop self on every session: our IPv4 address, or our IPv6
//!   global/link-local for IPv6 routes and for IPv4 routes over an
//!   extended-next-hop session (RFC 8950) whose peer address is IPv6 or
//!   when we have no IPv4 address;
//! - ORIGINATOR_ID and CLUSTER_LIST never sent (we reflect nothing), AS4
//!   attributes rebuilt at encode time by [`super::AdjRibOut::flush`];
//! - unknown transitive attributes we carry through get the PARTIAL bit.

use std::net::{IpAddr, Ipv4Addr};

use super::path::{Path, PathAttrs, PeerInfo};
use crate::wire::attributes::flag;
use crate::wire::{AsPath, NextHop, Origin, Prefix};

/// How we present routes to one peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportPolicy {
    /// Our AS number.
    pub local_asn: u32,
    /// Our IPv4 next hop on this session, if we have one.
    pub next_hop_v4: Option<Ipv4Addr>,
    /// Our IPv6 next hop on this session ([`NextHop::V6`]: global and,
    /// when on-link, link-local; unnumbered sessions use the link-local
    /// address in both fields).
    pub next_hop_v6: Option<NextHop>,
    /// The session negotiated extended next hop for IPv4 (RFC 8950).
    pub extended_next_hop: bool,
}

impl ExportPolicy {
    /// Our next hop for `prefix` on a session with `to`, if we have one.
    pub fn next_hop_for(&self, prefix: Prefix, to: &PeerInfo) -> Option<NextHop> {
        let v6 = self.next_hop_v6.filter(|n| matches!(n, NextHop::V6 { .. }));
        match prefix {
            Prefix::V6(_) => v6,
            Prefix::V4(_) => {
                let prefer_v6 = self.extended_next_hop
                    && (matches!(to.address, IpAddr::V6(_)) || self.next_hop_v4.is_none());
                if prefer_v6 && v6.is_some() {
                    v6
                } else {
                    self.next_hop_v4.map(NextHop::V4)
                }
            }
        }
    }

    /// The attributes to send `to` for `path` (whose source peer is
    /// `source`, `None` for local routes), or `None` when `to` must not
    /// get it (then the caller withdraws `prefix` from `to`).
    pub fn export(
        &self,
        prefix: Prefix,
        path: &Path,
        source: Option<&PeerInfo>,
        to: &PeerInfo,
    ) -> Option<PathAttrs> {
        let local = path.peer.is_local();
        if path.peer == to.id {
            return None;
        }
        if !local && to.ibgp && source.is_none_or(|s| s.ibgp) {
            return None;
        }
        let src = &path.attrs.attrs;
        if !to.ibgp && src.as_path.as_ref().is_some_and(|p| p.contains(to.asn)) {
            return None;
        }
        let next_hop = self.next_hop_for(prefix, to)?;
        let mut a = src.clone();
        a.origin.get_or_insert(Origin::Igp);
        a.as4_path = None;
        a.as4_aggregator = None;
        a.originator_id = None;
        a.cluster_list.clear();
        if !local {
            for o in &mut a.other {
                o.flags |= flag::PARTIAL;
            }
        }
        if to.ibgp {
            a.local_pref = Some(path.attrs.local_pref());
            a.as_path.get_or_insert_with(AsPath::default);
        } else {
            a.local_pref = None;
            if !local {
                a.med = None;
            }
            a.as_path
                .get_or_insert_with(AsPath::default)
                .prepend(self.local_asn);
        }
        Some(PathAttrs::new(a, next_hop))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rib::testutil::*;
    use crate::rib::PeerId;
    use crate::wire::RawAttribute;

    fn policy() -> ExportPolicy {
        ExportPolicy {
            local_asn: 65011,
            next_hop_v4: Some("10.0.0.11".parse().unwrap()),
            next_hop_v6: Some(NextHop::V6 {
                global: "fe80::11".parse().unwrap(),
                link_local: Some("fe80::11".parse().unwrap()),
            }),
            extended_next_hop: true,
        }
    }

    fn spine(id: u32, addr: &str) -> PeerInfo {
        peer_info(id, 65020, "10.0.0.21", addr, false)
    }

    #[test]
    fn ebgp_export_of_a_learned_route() {
        let p = with_attrs(path(3, 300, &[65030, 65013]), |a| {
            a.med = Some(5);
            a.other.push(RawAttribute {
                flags: flag::OPTIONAL | flag::TRANSITIVE,
                code: 99,
                value: vec![1],
            });
        });
        let from = peer_info(3, 65030, "10.0.0.3", "10.1.1.3", false);
        let to = spine(1, "10.1.1.1");
        let a = policy()
            .export("172.16.3.11/32".parse().unwrap(), &p, Some(&from), &to)
            .unwrap();
        assert_eq!(
            a.attrs.as_path,
            Some(AsPath::from_sequence(&[65011, 65030, 65013]))
        );
        assert_eq!(a.attrs.local_pref, None);
        assert_eq!(a.attrs.med, None, "a neighbour's MED is not passed on");
        assert_eq!(a.attrs.other[0].flags & flag::PARTIAL, flag::PARTIAL);
        // A numbered IPv4 session: IPv4 next hop self.
        assert_eq!(a.next_hop, NextHop::V4("10.0.0.11".parse().unwrap()));
    }

    #[test]
    fn local_route_keeps_med_and_unnumbered_uses_the_link_local() {
        let mut p = with_attrs(path(0, 100, &[]), |a| a.med = Some(10));
        p.peer = PeerId::LOCAL;
        let to = spine(1, "fe80::21");
        let a = policy()
            .export("11.11.1.0/24".parse().unwrap(), &p, None, &to)
            .unwrap();
        assert_eq!(a.attrs.med, Some(10));
        assert_eq!(a.attrs.as_path, Some(AsPath::from_sequence(&[65011])));
        assert!(matches!(a.next_hop, NextHop::V6 { .. }));
        // Without extended next hop, IPv4 routes need an IPv4 next hop.
        let mut pol = policy();
        pol.extended_next_hop = false;
        pol.next_hop_v4 = None;
        assert!(pol
            .export("11.11.1.0/24".parse().unwrap(), &p, None, &to)
            .is_none());
    }

    #[test]
    fn split_horizon_rules() {
        let from = spine(1, "fe80::21");
        let p = path(1, 100, &[65020, 65012]);
        let pfx: Prefix = "172.16.2.11/32".parse().unwrap();
        // Not back to its source.
        assert!(policy().export(pfx, &p, Some(&from), &from).is_none());
        // Not to the other spine, whose AS is in the path.
        assert!(policy()
            .export(pfx, &p, Some(&from), &spine(2, "fe80::22"))
            .is_none());
        // Not iBGP to iBGP.
        let ibgp_from = peer_info(4, 65011, "10.0.0.4", "10.1.1.4", true);
        let ibgp_to = peer_info(5, 65011, "10.0.0.5", "10.1.1.5", true);
        let p4 = path(4, 150, &[65099]);
        assert!(policy()
            .export(pfx, &p4, Some(&ibgp_from), &ibgp_to)
            .is_none());
        // eBGP-learned to iBGP: LOCAL_PREF kept, path unchanged.
        let a = policy().export(pfx, &p, Some(&from), &ibgp_to).unwrap();
        assert_eq!(a.attrs.local_pref, Some(100));
        assert_eq!(
            a.attrs.as_path,
            Some(AsPath::from_sequence(&[65020, 65012]))
        );
    }
}
