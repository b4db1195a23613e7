//! The kernel FIB of a namespace (`ip -j route show`, `ip -j -6 route show`),
//! typed: what actually forwards, whichever daemon installed it.

use std::net::IpAddr;

use serde::Deserialize;

use crate::error::Result;
use crate::netns::Netns;
use crate::route::{normalize_prefix, Afi};

/// One kernel route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelRoute {
    /// The destination as a prefix (`172.16.1.11/32`, `0.0.0.0/0`).
    pub dst: String,
    /// Route type when not unicast (`blackhole`, `unreachable`, …), else `unicast`.
    pub kind: String,
    /// Who installed it (`bgp`, `kernel`, `static`, `boot`, a number).
    pub protocol: String,
    /// The metric (FRR puts the administrative distance here).
    pub metric: Option<u32>,
    /// Next hops: one, or several for ECMP.
    pub next_hops: Vec<KernelNextHop>,
}

/// A kernel next hop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelNextHop {
    /// The gateway (`via`), IPv4 or IPv6 (`via inet6 fe80::…` for IPv4
    /// routes over IPv6 next hops, RFC 8950); `None` for connected routes.
    pub gateway: Option<IpAddr>,
    /// The outgoing interface.
    pub dev: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawRoute {
    dst: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    protocol: Option<String>,
    metric: Option<u32>,
    gateway: Option<String>,
    via: Option<RawVia>,
    dev: Option<String>,
    #[serde(default)]
    nexthops: Vec<RawNextHop>,
}

#[derive(Debug, Deserialize)]
struct RawNextHop {
    gateway: Option<String>,
    via: Option<RawVia>,
    dev: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawVia {
    host: String,
}

fn gateway(gateway: Option<String>, via: Option<RawVia>) -> Option<IpAddr> {
    gateway.or(via.map(|v| v.host)).and_then(|g| g.parse().ok())
}

impl From<(RawRoute, Afi)> for KernelRoute {
    fn from((r, afi): (RawRoute, Afi)) -> KernelRoute {
        let mut next_hops: Vec<KernelNextHop> = r
            .nexthops
            .into_iter()
            .map(|n| KernelNextHop {
                gateway: gateway(n.gateway, n.via),
                dev: n.dev,
            })
            .collect();
        if next_hops.is_empty() && (r.gateway.is_some() || r.via.is_some() || r.dev.is_some()) {
            next_hops.push(KernelNextHop {
                gateway: gateway(r.gateway, r.via),
                dev: r.dev,
            });
        }
        KernelRoute {
            dst: normalize_prefix(&r.dst, afi),
            kind: r.kind.unwrap_or_else(|| "unicast".into()),
            protocol: r.protocol.unwrap_or_default(),
            metric: r.metric,
            next_hops,
        }
    }
}

impl Netns {
    /// The namespace's main routing table for one family.
    pub fn kernel_routes(&self, afi: Afi) -> Result<Vec<KernelRoute>> {
        let family = match afi {
            Afi::Ipv4 => "-4",
            Afi::Ipv6 => "-6",
        };
        let raw: Vec<RawRoute> = self.ip_json([family, "route", "show"])?;
        Ok(raw
            .into_iter()
            .map(|r| KernelRoute::from((r, afi)))
            .collect())
    }

    /// The kernel route for exactly `prefix`, if there is one.
    pub fn kernel_route(&self, prefix: &str) -> Result<Option<KernelRoute>> {
        let afi = Afi::of(prefix);
        Ok(self
            .kernel_routes(afi)?
            .into_iter()
            .find(|r| r.dst == prefix))
    }
}

impl Netns {
    /// Adds a blackhole route per prefix to the namespace's main table in
    /// one `ip -batch` (100,000 in about a second). With FRR's
    /// `redistribute kernel` ([`crate::frr::config::Redistribute::Kernel`])
    /// they become BGP routes; nothing is forwarded anywhere.
    pub fn add_blackholes<S: AsRef<str>>(&self, prefixes: &[S]) -> Result<()> {
        self.ip_batch(prefixes.iter().map(|p| {
            let p = p.as_ref();
            let family = if p.contains(':') { "-6 " } else { "" };
            format!("{family}route add blackhole {p}")
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ip_json_routes() {
        let text = r#"[{"dst":"172.16.2.11","nhid":16,"via":{"family":"inet6","host":"fe80::ff:fe00:502"},"dev":"swp1","protocol":"bgp","metric":20,"flags":[]},
          {"dst":"10.9.0.0/24","protocol":"bgp","metric":20,"flags":[],"nexthops":[{"gateway":"10.1.0.2","dev":"eth0","weight":1,"flags":[]},{"gateway":"10.2.0.2","dev":"eth1","weight":1,"flags":[]}]},
          {"type":"blackhole","dst":"10.70.0.1","protocol":"boot","scope":"host","flags":[]}]"#;
        let raw: Vec<RawRoute> = serde_json::from_str(text).unwrap();
        let r: Vec<KernelRoute> = raw.into_iter().map(|r| (r, Afi::Ipv4).into()).collect();
        assert_eq!(r[0].dst, "172.16.2.11/32");
        assert_eq!(
            r[0].next_hops[0].gateway,
            Some("fe80::ff:fe00:502".parse().unwrap())
        );
        assert_eq!(r[0].next_hops[0].dev.as_deref(), Some("swp1"));
        assert_eq!(r[1].next_hops.len(), 2);
        assert_eq!(r[2].kind, "blackhole");
        assert!(r[2].next_hops.is_empty());
    }
}
