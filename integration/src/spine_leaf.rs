//! Two routers joined by one fabric link, as in the reference topology: the
//! spine's port `swp1` to the leaf's uplink `swp51`, forwarding on in both
//! namespaces, and both link-local addresses usable (out of DAD) before
//! anything peers over them.

use std::net::Ipv6Addr;
use std::time::Duration;

use crate::link::{mac, veth};
use crate::{Netns, Result};

/// A spine and a leaf namespace on one unnumbered link.
#[derive(Debug)]
pub struct SpineLeaf {
    /// The spine's namespace (port `swp1`).
    pub spine: Netns,
    /// The leaf's namespace (uplink `swp51`).
    pub leaf: Netns,
    /// The spine's link-local address on `swp1`.
    pub spine_ll: Ipv6Addr,
    /// The leaf's link-local address on `swp51`.
    pub leaf_ll: Ipv6Addr,
}

impl SpineLeaf {
    /// Namespaces `<prefix>…-<spine_name>` and `<prefix>…-leaf`, the link
    /// with MACs `mac(mac_base)` (spine) and `mac(mac_base + 1)` (leaf).
    pub fn new(
        prefix: &str,
        spine_name: &str,
        mac_base: u32,
        timeout: Duration,
    ) -> Result<SpineLeaf> {
        let spine = Netns::new(prefix, spine_name)?;
        let leaf = Netns::new(prefix, "leaf")?;
        spine.enable_forwarding()?;
        leaf.enable_forwarding()?;
        veth(
            &spine,
            "swp1",
            &mac(mac_base),
            &leaf,
            "swp51",
            &mac(mac_base + 1),
        )?;
        let leaf_ll = leaf.wait_link_local("swp51", timeout)?;
        let spine_ll = spine.wait_link_local("swp1", timeout)?;
        Ok(SpineLeaf {
            spine,
            leaf,
            spine_ll,
            leaf_ll,
        })
    }
}
