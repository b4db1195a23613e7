//! Builders shared by the RIB unit tests.

use std::net::IpAddr;
use std::sync::Arc;

use super::path::{Path, PathAttrs, PeerId, PeerInfo};
use crate::wire::{AsPath, NextHop, Origin, PathAttributes};

pub(crate) fn base_attrs() -> PathAttributes {
    PathAttributes {
        origin: Some(Origin::Igp),
        as_path: Some(AsPath::from_sequence(&[65020])),
        ..PathAttributes::default()
    }
}

pub(crate) fn attrs_with(f: impl FnOnce(&mut PathAttributes)) -> Arc<PathAttrs> {
    let mut a = base_attrs();
    f(&mut a);
    Arc::new(PathAttrs::new(a, nh("10.9.9.9")))
}

pub(crate) fn nh(s: &str) -> NextHop {
    match s.parse::<IpAddr>().expect("test address") {
        IpAddr::V4(a) => NextHop::V4(a),
        IpAddr::V6(a) => NextHop::V6 {
            global: a,
            link_local: None,
        },
    }
}

/// A path from `peer` with LOCAL_PREF `lp` and AS path `asns`.
pub(crate) fn path(peer: u32, lp: u32, asns: &[u32]) -> Path {
    Path {
        peer: PeerId(peer),
        path_id: None,
        attrs: attrs_with(|a| {
            a.local_pref = Some(lp);
            a.as_path = Some(AsPath::from_sequence(asns));
        }),
        stale: false,
    }
}

pub(crate) fn with_attrs(mut p: Path, f: impl FnOnce(&mut PathAttributes)) -> Path {
    let mut a = p.attrs.attrs.clone();
    f(&mut a);
    p.attrs = Arc::new(PathAttrs::new(a, p.attrs.next_hop));
    p
}

pub(crate) fn peer_info(id: u32, asn: u32, router_id: &str, address: &str, ibgp: bool) -> PeerInfo {
    PeerInfo {
        id: PeerId(id),
        asn,
        router_id: router_id.parse().expect("test router id"),
        address: address.parse().expect("test address"),
        ibgp,
        interface: None,
    }
}
