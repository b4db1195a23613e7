//! Typed answers to `gobgp -p PORT … -j`: neighbours (`neighbor -j`), the
//! global RIB (`global rib -a FAMILY -j`) and its size (`global rib summary`).

use std::net::IpAddr;

use serde_json::Value;

use super::Gobgp;
use crate::error::Result;
use crate::route::{Afi, BgpPath, BgpRib};

/// A GoBGP neighbour.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GobgpNeighbor {
    /// The configured address.
    pub address: String,
    /// The peer's AS.
    pub peer_as: u32,
    /// `idle`, `connect`, `active`, `opensent`, `openconfirm`, `established`.
    pub state: String,
}

impl GobgpNeighbor {
    /// Whether the session is up.
    pub fn is_established(&self) -> bool {
        self.state == "established"
    }
}

fn state_name(v: &Value) -> String {
    // the API's enum: as a number in 3.x JSON, as a name in some versions
    match v {
        Value::Number(n) => match n.as_u64() {
            Some(1) => "idle",
            Some(2) => "connect",
            Some(3) => "active",
            Some(4) => "opensent",
            Some(5) => "openconfirm",
            Some(6) => "established",
            _ => "unknown",
        }
        .to_string(),
        Value::String(s) => s
            .to_ascii_lowercase()
            .trim_start_matches("session_state_")
            .to_string(),
        _ => "unknown".into(),
    }
}

/// Parses `gobgp neighbor -j`.
pub fn parse_neighbors(v: &Value) -> Vec<GobgpNeighbor> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|n| {
            let conf = n.get("conf").unwrap_or(&Value::Null);
            let state = n.get("state").unwrap_or(&Value::Null);
            GobgpNeighbor {
                address: conf
                    .get("neighbor_address")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                peer_as: conf.get("peer_asn").and_then(Value::as_u64).unwrap_or(0) as u32,
                state: state_name(state.get("session_state").unwrap_or(&Value::Null)),
            }
        })
        .collect()
}

fn community(c: u64) -> String {
    format!("{}:{}", c >> 16, c & 0xffff)
}

fn parse_path(prefix: &str, p: &Value) -> BgpPath {
    let mut path = BgpPath {
        prefix: prefix.to_string(),
        valid: true,
        best: p.get("best").and_then(Value::as_bool).unwrap_or(false),
        stale: p.get("stale").and_then(Value::as_bool).unwrap_or(false),
        peer: p
            .get("neighbor-ip")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        ..BgpPath::default()
    };
    for a in p
        .get("attrs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let ty = a.get("type").and_then(Value::as_u64).unwrap_or(0);
        match ty {
            1 => {
                path.origin = match a.get("value").and_then(Value::as_u64) {
                    Some(0) => "IGP",
                    Some(1) => "EGP",
                    _ => "incomplete",
                }
                .into()
            }
            2 => {
                for seg in a
                    .get("as_paths")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    for asn in seg
                        .get("asns")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(n) = asn.as_u64() {
                            path.as_path.push(n as u32);
                        }
                    }
                }
            }
            3 | 14 => {
                if let Some(nh) = a.get("nexthop").and_then(Value::as_str) {
                    if let Ok(ip) = nh.parse::<IpAddr>() {
                        path.next_hops.push(ip);
                    }
                }
                if let Some(ll) = a.get("linklocal_nexthop").and_then(Value::as_str) {
                    if let Ok(ip) = ll.parse::<IpAddr>() {
                        path.next_hops.push(ip);
                    }
                }
            }
            8 => {
                for c in a
                    .get("communities")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(c) = c.as_u64() {
                        path.communities.push(community(c));
                    }
                }
            }
            32 => {
                for c in a
                    .get("value")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let f = |k: &str| c.get(k).and_then(Value::as_u64).unwrap_or(0);
                    path.large_communities.push(format!(
                        "{}:{}:{}",
                        f("global_admin"),
                        f("local_data1"),
                        f("local_data2")
                    ));
                }
            }
            _ => {}
        }
    }
    path
}

/// Parses `gobgp global rib -a FAMILY -j`.
pub fn parse_rib(v: &Value) -> BgpRib {
    v.as_object()
        .into_iter()
        .flatten()
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

impl Gobgp {
    /// Every neighbour (`gobgp neighbor -j`).
    pub fn neighbors(&self) -> Result<Vec<GobgpNeighbor>> {
        Ok(parse_neighbors(&self.gobgp_json(&["neighbor"])?))
    }

    /// Whether the session to `address` is established.
    pub fn is_established(&self, address: &str) -> Result<bool> {
        Ok(self
            .neighbors()?
            .iter()
            .any(|n| n.address == address && n.is_established()))
    }

    /// The global RIB of one family (`gobgp global rib -a FAMILY -j`).
    pub fn rib(&self, afi: Afi) -> Result<BgpRib> {
        Ok(parse_rib(&self.gobgp_json(&[
            "global",
            "rib",
            "-a",
            afi.as_str(),
        ])?))
    }

    /// How many destinations the global RIB of a family holds
    /// (`gobgp global rib summary -a FAMILY -j`, cheap with 100,000 routes).
    pub fn rib_count(&self, afi: Afi) -> Result<u64> {
        let v = self.gobgp_json(&["global", "rib", "summary", "-a", afi.as_str()])?;
        Ok(v.get("num_destination")
            .and_then(Value::as_u64)
            .unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rib_and_neighbors() {
        let v: Value = serde_json::from_str(
            r#"{"10.30.0.0/24":[{"nlri":{"prefix":"10.30.0.0/24"},"best":true,"attrs":[{"type":1,"value":0},{"type":2,"as_paths":[{"segment_type":2,"num":1,"asns":[65001]}]},{"type":8,"communities":[4260036609]},{"type":3,"nexthop":"10.2.0.1"}],"stale":false,"neighbor-ip":"10.2.0.1"}]}"#,
        )
        .unwrap();
        let p = &parse_rib(&v)["10.30.0.0/24"][0];
        assert!(p.best);
        assert_eq!(p.as_path, [65001]);
        assert_eq!(p.communities, ["65003:1"]);
        assert_eq!(p.origin, "IGP");
        assert_eq!(p.peer, "10.2.0.1");
        let n: Value = serde_json::from_str(
            r#"[{"conf":{"neighbor_address":"10.3.0.1","peer_asn":65002},"state":{"session_state":6}}]"#,
        )
        .unwrap();
        assert!(parse_neighbors(&n)[0].is_established());
    }
}
