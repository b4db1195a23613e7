//! Route vocabulary shared by the daemons' typed queries (address family,
//! a BGP path as any daemon reports it) and generators of many distinct
//! prefixes for scale tests.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::error::{Error, Result};

/// Address family of a unicast RIB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Afi {
    /// IPv4 unicast.
    Ipv4,
    /// IPv6 unicast.
    Ipv6,
}

impl Afi {
    /// `ipv4` / `ipv6`, as FRR and GoBGP spell it on their command lines.
    pub fn as_str(self) -> &'static str {
        match self {
            Afi::Ipv4 => "ipv4",
            Afi::Ipv6 => "ipv6",
        }
    }

    /// The family of a prefix written as text.
    pub fn of(prefix: &str) -> Afi {
        if prefix.contains(':') {
            Afi::Ipv6
        } else {
            Afi::Ipv4
        }
    }
}

/// One BGP path to a prefix, as FRR, BIRD or GoBGP report it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BgpPath {
    /// The prefix, `10.1.2.3/32`.
    pub prefix: String,
    /// The AS path as a flat list of AS numbers (sets flattened in order).
    pub as_path: Vec<u32>,
    /// Next hops (global first, then link-local, when the daemon shows both).
    pub next_hops: Vec<IpAddr>,
    /// Standard communities as `65000:100` (well-known ones as the daemon names them).
    pub communities: Vec<String>,
    /// Large communities as `65000:1:2`.
    pub large_communities: Vec<String>,
    /// `IGP`, `EGP` or `incomplete`.
    pub origin: String,
    /// The daemon marks this path valid.
    pub valid: bool,
    /// This path is the best one.
    pub best: bool,
    /// This path is used for ECMP next to the best one.
    pub multipath: bool,
    /// The path is stale (graceful restart: its peer restarts).
    pub stale: bool,
    /// The peer it came from, as the daemon names it (address, interface or
    /// protocol name); empty for local paths.
    pub peer: String,
}

/// A BGP RIB: prefix to its paths.
pub type BgpRib = BTreeMap<String, Vec<BgpPath>>;

/// `n` consecutive IPv4 /32 prefixes from `first` on (`10.100.0.0/32`,
/// `10.100.0.1/32`, …). Fails if they would run past 255.255.255.255.
pub fn ipv4_hosts(first: Ipv4Addr, n: u32) -> Result<Vec<String>> {
    let start = u32::from(first);
    if n > 0 && start.checked_add(n - 1).is_none() {
        return Err(Error::Invalid(format!("{n} /32s from {first} overflow")));
    }
    Ok((0..n)
        .map(|i| format!("{}/32", Ipv4Addr::from(start + i)))
        .collect())
}

/// `n` consecutive IPv6 /128 prefixes from `first` on.
pub fn ipv6_hosts(first: Ipv6Addr, n: u32) -> Result<Vec<String>> {
    let start = u128::from(first);
    if n > 0 && start.checked_add(u128::from(n - 1)).is_none() {
        return Err(Error::Invalid(format!("{n} /128s from {first} overflow")));
    }
    Ok((0..n)
        .map(|i| format!("{}/128", Ipv6Addr::from(start + u128::from(i))))
        .collect())
}

/// Normalises a destination as `ip` prints it (`10.0.0.1`, `default`,
/// `10.0.0.0/24`) to a prefix (`10.0.0.1/32`, `0.0.0.0/0`, `10.0.0.0/24`).
pub fn normalize_prefix(dst: &str, afi: Afi) -> String {
    match (dst, afi) {
        ("default", Afi::Ipv4) => "0.0.0.0/0".into(),
        ("default", Afi::Ipv6) => "::/0".into(),
        (d, _) if d.contains('/') => d.into(),
        (d, _) if d.contains(':') => format!("{d}/128"),
        (d, _) => format!("{d}/32"),
    }
}

/// Parses an AS path as text (`65001 65002`, `65001 {65003,65004}`) into
/// AS numbers; anything that is not a number is skipped.
pub fn parse_as_path(text: &str) -> Vec<u32> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter_map(|t| t.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_consecutive() {
        let v = ipv4_hosts("10.0.0.255".parse().unwrap(), 2).unwrap();
        assert_eq!(v, ["10.0.0.255/32", "10.0.1.0/32"]);
        assert!(ipv4_hosts("255.255.255.255".parse().unwrap(), 2).is_err());
        let v = ipv6_hosts("fd00::ffff".parse().unwrap(), 2).unwrap();
        assert_eq!(v, ["fd00::ffff/128", "fd00::1:0/128"]);
    }

    #[test]
    fn normalizes_ip_destinations() {
        assert_eq!(normalize_prefix("10.0.0.1", Afi::Ipv4), "10.0.0.1/32");
        assert_eq!(normalize_prefix("default", Afi::Ipv6), "::/0");
        assert_eq!(normalize_prefix("fd00::/64", Afi::Ipv6), "fd00::/64");
    }

    #[test]
    fn as_paths() {
        assert_eq!(parse_as_path("65001 {65003,65004}"), [65001, 65003, 65004]);
        assert_eq!(parse_as_path("[AS65001i]"), [65001]);
        assert!(parse_as_path("").is_empty());
    }
}
