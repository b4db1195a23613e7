//! Typed answers to FRR's JSON show commands: BGP neighbours
//! (`show bgp neighbors json`, `show bgp summary json`), the BGP RIB
//! (`show bgp ipv4|ipv6 unicast [PREFIX] json`) and zebra's RIB
//! (`show ip|ipv6 route json`). FRR's JSON leaves keys out when they are
//! false or empty, so everything is read leniently from `serde_json::Value`.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::Value;

use super::Frr;
use crate::error::Result;
use crate::route::{parse_as_path, Afi, BgpPath, BgpRib};

/// A BGP neighbour as `show bgp neighbors json` shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrrNeighbor {
    /// The key FRR uses: the address, or the interface for unnumbered peers.
    pub name: String,
    /// `Established`, `Active`, `Connect`, `OpenSent`, `OpenConfirm`, `Idle`.
    pub state: String,
    /// The peer's AS, once known.
    pub remote_as: Option<u32>,
    /// Our AS towards it.
    pub local_as: Option<u32>,
    /// The hostname the peer announced (hostname capability).
    pub hostname: Option<String>,
    /// The peer's address of the TCP connection (link-local for unnumbered).
    pub foreign_address: Option<IpAddr>,
    /// Our address of the TCP connection.
    pub local_address: Option<IpAddr>,
    /// How often the session reached Established.
    pub established_count: u64,
    /// Prefixes accepted, per address family (`ipv4Unicast`, `ipv6Unicast`).
    pub accepted_prefixes: BTreeMap<String, u64>,
    /// Prefixes sent, per address family.
    pub sent_prefixes: BTreeMap<String, u64>,
}

impl FrrNeighbor {
    /// Whether the session is up.
    pub fn is_established(&self) -> bool {
        self.state == "Established"
    }
}

/// One peer line of `show bgp summary json`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SummaryPeer {
    /// The key FRR uses (address or interface).
    pub name: String,
    /// Session state.
    pub state: String,
    /// Prefixes received (accepted) in this family.
    pub prefixes_received: u64,
    /// Prefixes sent in this family.
    pub prefixes_sent: u64,
    /// The peer's AS.
    pub remote_as: Option<u32>,
}

/// A route in zebra's RIB (`show ip route json`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZebraRoute {
    /// The prefix.
    pub prefix: String,
    /// `bgp`, `kernel`, `connected`, `static`, …
    pub protocol: String,
    /// Zebra selected it.
    pub selected: bool,
    /// Zebra installed it in the kernel.
    pub installed: bool,
    /// Administrative distance.
    pub distance: u32,
    /// Metric.
    pub metric: u32,
    /// Next hops.
    pub next_hops: Vec<ZebraNextHop>,
}

/// A next hop of a zebra route.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZebraNextHop {
    /// The gateway, if any (an IPv6 link-local one for RFC 8950 routes).
    pub ip: Option<IpAddr>,
    /// The interface.
    pub interface: Option<String>,
    /// Active.
    pub active: bool,
    /// Installed in the FIB.
    pub fib: bool,
}

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn n(v: &Value, key: &str) -> Option<u64> {
    v.get(key).and_then(Value::as_u64)
}

fn b(v: &Value, key: &str) -> bool {
    match v.get(key) {
        Some(Value::Bool(x)) => *x,
        // detail output: "bestpath": {"overall": true, …}
        // (a path that is only the best of its AS has no "overall")
        Some(Value::Object(o)) => o.get("overall").and_then(Value::as_bool).unwrap_or(false),
        _ => false,
    }
}

fn ip(v: &Value, key: &str) -> Option<IpAddr> {
    s(v, key).and_then(|a| a.parse().ok())
}

fn obj(v: &Value) -> impl Iterator<Item = (&String, &Value)> {
    v.as_object().into_iter().flat_map(|o| o.iter())
}

/// Parses `show bgp neighbors json`.
pub fn parse_neighbors(v: &Value) -> Vec<FrrNeighbor> {
    obj(v)
        .filter(|(_, p)| p.get("bgpState").is_some())
        .map(|(name, p)| {
            let mut nb = FrrNeighbor {
                name: name.clone(),
                state: s(p, "bgpState").unwrap_or_default(),
                remote_as: n(p, "remoteAs").map(|a| a as u32),
                local_as: n(p, "localAs").map(|a| a as u32),
                hostname: s(p, "hostname"),
                foreign_address: ip(p, "hostForeign"),
                local_address: ip(p, "hostLocal"),
                established_count: n(p, "connectionsEstablished").unwrap_or(0),
                ..FrrNeighbor::default()
            };
            for (afi, info) in obj(p.get("addressFamilyInfo").unwrap_or(&Value::Null)) {
                if let Some(c) = n(info, "acceptedPrefixCounter") {
                    nb.accepted_prefixes.insert(afi.clone(), c);
                }
                if let Some(c) = n(info, "sentPrefixCounter") {
                    nb.sent_prefixes.insert(afi.clone(), c);
                }
            }
            nb
        })
        .collect()
}

/// Parses `show bgp summary json` into family (`ipv4Unicast`) → peers.
pub fn parse_summary(v: &Value) -> BTreeMap<String, Vec<SummaryPeer>> {
    obj(v)
        .map(|(afi, a)| {
            let peers = obj(a.get("peers").unwrap_or(&Value::Null))
                .map(|(name, p)| SummaryPeer {
                    name: name.clone(),
                    state: s(p, "state").unwrap_or_default(),
                    prefixes_received: n(p, "pfxRcd").unwrap_or(0),
                    prefixes_sent: n(p, "pfxSnt").unwrap_or(0),
                    remote_as: n(p, "remoteAs").map(|a| a as u32),
                })
                .collect();
            (afi.clone(), peers)
        })
        .collect()
}

fn communities(p: &Value, key: &str) -> Vec<String> {
    p.get(key)
        .and_then(|c| s(c, "string"))
        .map(|t| t.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// One path of the table (`routes` of `show bgp … json`) or of the detail
/// view (`paths` of `show bgp … PREFIX json`).
fn parse_path(prefix: &str, p: &Value) -> BgpPath {
    let as_path = match p.get("path").or_else(|| p.get("aspath")) {
        Some(Value::String(t)) => parse_as_path(t),
        Some(a) => s(a, "string")
            .map(|t| parse_as_path(&t))
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let next_hops = p
        .get("nexthops")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|h| ip(h, "ip"))
        .collect();
    let peer = s(p, "peerId")
        .or_else(|| p.get("peer").and_then(|x| s(x, "peerId")))
        .unwrap_or_default();
    BgpPath {
        prefix: prefix.to_string(),
        as_path,
        next_hops,
        communities: communities(p, "community"),
        large_communities: communities(p, "largeCommunity"),
        origin: s(p, "origin").unwrap_or_default(),
        valid: b(p, "valid"),
        best: b(p, "bestpath"),
        multipath: b(p, "multipath"),
        stale: b(p, "stale"),
        peer: if peer == "(unspec)" {
            String::new()
        } else {
            peer
        },
    }
}

/// Parses `show bgp ipv4|ipv6 unicast json` (the whole table; no communities).
pub fn parse_bgp_table(v: &Value) -> BgpRib {
    obj(v.get("routes").unwrap_or(&Value::Null))
        .map(|(prefix, paths)| {
            let paths = paths
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| parse_path(prefix, p))
                .collect();
            (prefix.clone(), paths)
        })
        .collect()
}

/// Parses `show bgp ipv4|ipv6 unicast PREFIX json` (one prefix, every
/// attribute); empty if FRR has no such prefix.
pub fn parse_bgp_prefix(v: &Value) -> Vec<BgpPath> {
    let Some(prefix) = s(v, "prefix") else {
        return Vec::new();
    };
    v.get("paths")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| parse_path(&prefix, p))
        .collect()
}

/// Parses `show ip route json` / `show ipv6 route json`.
pub fn parse_zebra_rib(v: &Value) -> BTreeMap<String, Vec<ZebraRoute>> {
    obj(v)
        .map(|(prefix, routes)| {
            let routes = routes
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| ZebraRoute {
                    prefix: prefix.clone(),
                    protocol: s(r, "protocol").unwrap_or_default(),
                    selected: b(r, "selected"),
                    installed: b(r, "installed"),
                    distance: n(r, "distance").unwrap_or(0) as u32,
                    metric: n(r, "metric").unwrap_or(0) as u32,
                    next_hops: r
                        .get("nexthops")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .map(|h| ZebraNextHop {
                            ip: ip(h, "ip"),
                            interface: s(h, "interfaceName"),
                            active: b(h, "active"),
                            fib: b(h, "fib"),
                        })
                        .collect(),
                })
                .collect();
            (prefix.clone(), routes)
        })
        .collect()
}

impl Frr {
    /// Every BGP neighbour (`show bgp neighbors json`).
    pub fn neighbors(&self) -> Result<Vec<FrrNeighbor>> {
        Ok(parse_neighbors(
            &self.vtysh_json("show bgp neighbors json")?,
        ))
    }

    /// One neighbour by FRR's key (address or interface), if configured.
    pub fn neighbor(&self, name: &str) -> Result<Option<FrrNeighbor>> {
        Ok(self.neighbors()?.into_iter().find(|n| n.name == name))
    }

    /// Whether the session to `name` (address or interface) is Established.
    pub fn is_established(&self, name: &str) -> Result<bool> {
        Ok(self.neighbor(name)?.is_some_and(|n| n.is_established()))
    }

    /// `show bgp summary json`: family (`ipv4Unicast`, `ipv6Unicast`) → peers.
    pub fn summary(&self) -> Result<BTreeMap<String, Vec<SummaryPeer>>> {
        Ok(parse_summary(&self.vtysh_json("show bgp summary json")?))
    }

    /// The BGP RIB of one family, every prefix with all its paths
    /// (`show bgp ipv4 unicast json`). FRR leaves communities out of this
    /// view: use [`Frr::bgp_prefix`] for them.
    pub fn bgp_rib(&self, afi: Afi) -> Result<BgpRib> {
        let v = self.vtysh_json(&format!("show bgp {} unicast json", afi.as_str()))?;
        Ok(parse_bgp_table(&v))
    }

    /// All paths of one prefix with every attribute (communities included);
    /// empty if FRR does not have it.
    pub fn bgp_prefix(&self, prefix: &str) -> Result<Vec<BgpPath>> {
        let cmd = format!(
            "show bgp {} unicast {prefix} json",
            Afi::of(prefix).as_str()
        );
        Ok(parse_bgp_prefix(&self.vtysh_json(&cmd)?))
    }

    /// Zebra's RIB of one family (`show ip route json` / `show ipv6 route json`).
    pub fn zebra_rib(&self, afi: Afi) -> Result<BTreeMap<String, Vec<ZebraRoute>>> {
        let cmd = match afi {
            Afi::Ipv4 => "show ip route json",
            Afi::Ipv6 => "show ipv6 route json",
        };
        Ok(parse_zebra_rib(&self.vtysh_json(cmd)?))
    }

    /// How many prefixes the BGP RIB of a family holds (the summary's RIB
    /// count: cheap even with 100,000 routes, unlike the whole table).
    pub fn bgp_prefix_count(&self, afi: Afi) -> Result<u64> {
        let v: Value = self.vtysh_json("show bgp summary json")?;
        let key = match afi {
            Afi::Ipv4 => "ipv4Unicast",
            Afi::Ipv6 => "ipv6Unicast",
        };
        match v.get(key) {
            Some(a) => Ok(n(a, "ribCount").unwrap_or(0)),
            None => Ok(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_and_detail_paths() {
        let table: Value = serde_json::from_str(
            r#"{"routes":{"10.12.1.1/32":[{"valid":true,"bestpath":true,"multipath":true,"path":"65002","origin":"IGP","peerId":"10.1.0.2","nexthops":[{"ip":"10.1.0.2","afi":"ipv4","used":true}]}]}}"#,
        )
        .unwrap();
        let rib = parse_bgp_table(&table);
        let p = &rib["10.12.1.1/32"][0];
        assert!(p.best && p.valid && p.multipath && !p.stale);
        assert_eq!(p.as_path, [65002]);
        assert_eq!(p.next_hops, ["10.1.0.2".parse::<IpAddr>().unwrap()]);
        let detail: Value = serde_json::from_str(
            r#"{"prefix":"10.12.1.1/32","paths":[{"aspath":{"string":"65002 65003"},"origin":"IGP","valid":true,"bestpath":{"overall":true},"community":{"string":"65000:200 no-export"},"peer":{"peerId":"10.1.0.2"},"nexthops":[{"ip":"10.1.0.2"}]}]}"#,
        )
        .unwrap();
        let p = &parse_bgp_prefix(&detail)[0];
        let other: Value = serde_json::from_str(
            r#"{"prefix":"10.12.1.1/32","paths":[{"aspath":{"string":"65004"},"valid":true,"bestpath":{"bestpathFromAs":65004},"multipath":true}]}"#,
        )
        .unwrap();
        let o = &parse_bgp_prefix(&other)[0];
        assert!(!o.best && o.multipath, "best of its AS only: {o:?}");
        assert_eq!(p.as_path, [65002, 65003]);
        assert_eq!(p.communities, ["65000:200", "no-export"]);
        assert!(p.best);
        assert_eq!(p.peer, "10.1.0.2");
    }
}
