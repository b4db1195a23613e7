//! The consistency check every fabric test uses: the host routes (/32s of
//! the containers' subnet) a spine's zebra has selected are exactly the live
//! containers' addresses, each via the port of the leaf it is behind — what
//! the seed's `show ip route` on a spine shows. For seed 000: the router
//! routes each node's container subnet via that node, and nothing else.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::Ipv4Addr;
use std::time::Duration;

use crate::error::Result;
use crate::fabric::seed000::{node_subnet, Seed000};
use crate::fabric::seed004::{Seed004, GATEWAY};
use crate::frr::Frr;
use crate::route::Afi;
use crate::wait::{pending, wait_for};

/// Host routes as a spine routes them: address → next-hop interfaces.
pub type HostRoutes = BTreeMap<Ipv4Addr, BTreeSet<String>>;

/// The /32 routes inside 172.16.1.0/24 that zebra on `frr` selected, with
/// the interfaces of their active next hops.
pub fn spine_host_routes(frr: &Frr) -> Result<HostRoutes> {
    let rib = frr.zebra_rib(Afi::Ipv4)?;
    let subnet = u32::from(GATEWAY) & 0xffff_ff00;
    let mut out = HostRoutes::new();
    for (prefix, routes) in rib {
        let Some(ip) = prefix
            .strip_suffix("/32")
            .and_then(|a| a.parse::<Ipv4Addr>().ok())
        else {
            continue;
        };
        if u32::from(ip) & 0xffff_ff00 != subnet {
            continue;
        }
        for r in routes.iter().filter(|r| r.selected) {
            let ifs = out.entry(ip).or_default();
            for h in r.next_hops.iter().filter(|h| h.active) {
                ifs.insert(h.interface.clone().unwrap_or_else(|| "?".into()));
            }
        }
    }
    Ok(out)
}

/// One host route a spine gets wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The spine (`spine01`).
    pub spine: String,
    /// The container address.
    pub ip: Ipv4Addr,
    /// The ports it should be routed via; `None`: not at all (no live container has it).
    pub expected: Option<BTreeSet<String>>,
    /// The ports it is routed via; `None`: not routed.
    pub actual: Option<BTreeSet<String>>,
}

/// Where the spines disagree with the live containers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inconsistency {
    /// Every wrong, missing or extra host route.
    pub mismatches: Vec<Mismatch>,
}

impl Inconsistency {
    /// Whether there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.mismatches.is_empty()
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (spine, ip) = (&self.spine, self.ip);
        match (&self.expected, &self.actual) {
            (Some(want), Some(got)) => {
                write!(f, "{spine}: {ip}/32 via {got:?}, expected via {want:?}")
            }
            (Some(want), None) => write!(f, "{spine}: {ip}/32 missing (expected via {want:?})"),
            (None, Some(got)) => write!(
                f,
                "{spine}: {ip}/32 via {got:?} but no live container has it"
            ),
            (None, None) => write!(f, "{spine}: {ip}/32 ok"),
        }
    }
}

impl fmt::Display for Inconsistency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for m in &self.mismatches {
            write!(f, "{m}; ")?;
        }
        Ok(())
    }
}

/// Compares every running spine's host routes with the fabric's live
/// containers ([`Seed004::expected_host_routes`]): the container behind
/// leaf N must be routed via the spine's port swpN, and nothing else may be
/// routed.
pub fn inconsistency(fabric: &Seed004) -> Result<Inconsistency> {
    let want: BTreeMap<Ipv4Addr, BTreeSet<String>> = fabric
        .expected_host_routes()
        .into_iter()
        .map(|(ip, leaves)| (ip, leaves.iter().map(|l| format!("swp{l}")).collect()))
        .collect();
    let mut out = Inconsistency::default();
    for spine in fabric.spines() {
        let Some(frr) = spine.frr.as_ref() else {
            continue;
        };
        let got = spine_host_routes(frr)?;
        let ips: BTreeSet<Ipv4Addr> = want.keys().chain(got.keys()).copied().collect();
        for ip in ips {
            if want.get(&ip) != got.get(&ip) {
                out.mismatches.push(Mismatch {
                    spine: spine.name.clone(),
                    ip,
                    expected: want.get(&ip).cloned(),
                    actual: got.get(&ip).cloned(),
                });
            }
        }
    }
    Ok(out)
}

/// Waits (bounded) until [`inconsistency`] finds nothing; on timeout the
/// error lists what was still wrong.
pub fn wait_consistent(fabric: &Seed004, timeout: Duration) -> Result<()> {
    wait_for(
        timeout,
        "the spines' host routes to be exactly the live containers, each via its leaf",
        || {
            let bad = inconsistency(fabric)?;
            if bad.is_empty() {
                Ok(())
            } else {
                Err(pending(bad.to_string()))
            }
        },
    )
}

/// Seed 000: what the router routes to the nodes' container subnets
/// (`11.11.N.0/24` → next-hop addresses) is exactly one route per running
/// node, via that node's address. `None` when it is.
pub fn node_subnets_inconsistency(fabric: &Seed000) -> Result<Option<String>> {
    let rib = fabric.router()?.zebra_rib(Afi::Ipv4)?;
    let mut got: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (prefix, routes) in rib {
        if !prefix.starts_with("11.11.") {
            continue;
        }
        for r in routes.iter().filter(|r| r.selected) {
            got.entry(prefix.clone()).or_default().extend(
                r.next_hops
                    .iter()
                    .filter(|h| h.active)
                    .map(|h| h.ip.map_or("?".to_string(), |a| a.to_string())),
            );
        }
    }
    let want: BTreeMap<String, BTreeSet<String>> = fabric
        .nodes()
        .iter()
        .map(|(n, node)| (node_subnet(*n), BTreeSet::from([node.address.to_string()])))
        .collect();
    Ok((got != want).then(|| format!("router routes {got:?}, expected {want:?}")))
}

/// Waits (bounded) until [`node_subnets_inconsistency`] finds nothing.
pub fn wait_nodes_consistent(fabric: &Seed000, timeout: Duration) -> Result<()> {
    wait_for(
        timeout,
        "the router to route each node's container subnet via that node, and nothing else",
        || match node_subnets_inconsistency(fabric)? {
            None => Ok(()),
            Some(bad) => Err(pending(bad)),
        },
    )
}
