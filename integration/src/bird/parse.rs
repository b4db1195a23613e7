//! Parsers for birdc's text output: `show protocols`, `show route all`
//! (with BGP attributes) and `show route count`.

use std::net::IpAddr;

use crate::route::{parse_as_path, BgpPath, BgpRib};

/// One line of `show protocols`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BirdProtocol {
    /// Protocol name (`frr4`, `dynbgp1`, …).
    pub name: String,
    /// Protocol type (`BGP`, `Static`, `Device`, `RAdv`).
    pub proto: String,
    /// Table column (`---` for most).
    pub table: String,
    /// `up`, `down`, `start`, …
    pub state: String,
    /// Since when.
    pub since: String,
    /// The rest (`Established`, `Active  Socket: Connection refused`, …).
    pub info: String,
}

/// One line of `show route count`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteCount {
    /// The table (`master4`).
    pub table: String,
    /// Routes shown (after the command's filters).
    pub routes: u64,
    /// Routes in the table.
    pub total: u64,
    /// Distinct networks.
    pub networks: u64,
}

/// Whether a birdc output line is an error reply.
pub fn is_error_line(l: &str) -> bool {
    l.starts_with("syntax error") || l.starts_with("Unknown ") || l.starts_with("Error")
}

/// Parses `show protocols` (the header line is skipped).
pub fn protocols(text: &str) -> Vec<BirdProtocol> {
    text.lines()
        .filter(|l| !l.starts_with("Name ") && !l.trim().is_empty())
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let name = w.next()?.to_string();
            let proto = w.next()?.to_string();
            let table = w.next()?.to_string();
            let state = w.next()?.to_string();
            // "since" is a time, or a date and a time
            let mut since = w.next().unwrap_or_default().to_string();
            let rest: Vec<&str> = w.collect();
            let mut rest = rest.as_slice();
            if let Some(t) = rest
                .first()
                .filter(|t| t.contains(':') && t.chars().next().is_some_and(|c| c.is_ascii_digit()))
            {
                since = format!("{since} {t}");
                rest = &rest[1..];
            }
            Some(BirdProtocol {
                name,
                proto,
                table,
                state,
                since,
                info: rest.join(" "),
            })
        })
        .collect()
}

/// Parses `show route … count` lines (`3 of 3 routes for 3 networks in table master4`).
pub fn route_counts(text: &str) -> Vec<RouteCount> {
    text.lines()
        .filter_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            match w.as_slice() {
                [r, "of", t, "routes", "for", n, "networks", "in", "table", table] => {
                    Some(RouteCount {
                        table: table.to_string(),
                        routes: r.parse().ok()?,
                        total: t.parse().ok()?,
                        networks: n.parse().ok()?,
                    })
                }
                _ => None,
            }
        })
        .collect()
}

/// `(65000,100) (65535,65281)` → `65000:100 65535:65281`; large
/// communities `(65002, 1, 2)` → `65002:1:2`.
fn communities(v: &str) -> Vec<String> {
    v.split(')')
        .filter_map(|c| {
            let c = c.trim().strip_prefix('(')?;
            Some(c.split(',').map(str::trim).collect::<Vec<_>>().join(":"))
        })
        .collect()
}

/// Parses `show route all`: prefix → paths. `best` is BIRD's primary route
/// (`*`); `peer` is the protocol name; BGP attributes come from the
/// `BGP.*` lines.
pub fn routes(text: &str) -> BgpRib {
    let mut rib = BgpRib::new();
    let mut prefix = String::new();
    let mut current: Option<BgpPath> = None;
    let flush = |p: Option<BgpPath>, rib: &mut BgpRib| {
        if let Some(p) = p {
            rib.entry(p.prefix.clone()).or_default().push(p);
        }
    };
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with("Table ") {
            continue;
        }
        let indented = line.starts_with(char::is_whitespace);
        let t = line.trim();
        // a route line: "[PREFIX] TYPE [PROTO TIME] [*] (PREF) …"
        let route_line = if !indented {
            let mut w = t.splitn(2, char::is_whitespace);
            prefix = w.next().unwrap_or_default().to_string();
            Some(w.next().unwrap_or_default().trim())
        } else if t.contains(" [")
            && !t.contains(": ")
            && !t.starts_with("via ")
            && !t.starts_with("dev ")
        {
            Some(t)
        } else {
            None
        };
        if let Some(r) = route_line {
            flush(current.take(), &mut rib);
            let peer = r
                .split_once('[')
                .and_then(|(_, x)| x.split_whitespace().next())
                .unwrap_or_default()
                .trim_end_matches(']')
                .to_string();
            let after = r.split_once(']').map_or("", |(_, x)| x);
            current = Some(BgpPath {
                prefix: prefix.clone(),
                valid: true,
                best: after.trim_start().starts_with('*'),
                peer,
                ..BgpPath::default()
            });
            continue;
        }
        let Some(p) = current.as_mut() else { continue };
        if let Some(v) = t.strip_prefix("via ") {
            // "via 10.1.0.1 on eth0": the forwarding next hop; ECMP routes have several
            if let Some(a) = v
                .split_whitespace()
                .next()
                .and_then(|a| a.parse::<IpAddr>().ok())
            {
                if !p.next_hops.contains(&a) {
                    p.multipath = !p.next_hops.is_empty();
                    p.next_hops.push(a);
                }
            }
        } else if let Some((k, v)) = t.split_once(": ") {
            match k {
                "BGP.origin" => p.origin = v.to_string(),
                "BGP.as_path" => p.as_path = parse_as_path(v),
                "BGP.next_hop" => {
                    // the attribute's addresses (global and link-local), replacing `via`
                    let hops: Vec<IpAddr> = v
                        .split_whitespace()
                        .filter_map(|a| a.parse().ok())
                        .collect();
                    if !hops.is_empty() {
                        p.next_hops = hops;
                    }
                }
                "BGP.community" => p.communities = communities(v),
                "BGP.large_community" => p.large_communities = communities(v),
                _ => {}
            }
        }
    }
    flush(current.take(), &mut rib);
    rib
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_protocols() {
        let text = "Name       Proto      Table      State  Since         Info\n\
                    device1    Device     ---        up     10:11:12.345  \n\
                    frr4       BGP        ---        up     10:11:13.001  Established   \n\
                    frr6       BGP        ---        start  10:11:13.001  Active        Socket: Connection refused\n";
        let p = protocols(text);
        assert_eq!(p.len(), 3);
        assert_eq!(p[1].name, "frr4");
        assert_eq!(p[1].info, "Established");
        assert_eq!(p[2].state, "start");
        assert_eq!(p[2].info, "Active Socket: Connection refused");
    }

    #[test]
    fn parses_counts() {
        let c = route_counts("3000 of 3000 routes for 3000 networks in table master4\n");
        assert_eq!(c[0].routes, 3000);
        assert_eq!(c[0].table, "master4");
    }

    #[test]
    fn parses_routes_with_attributes() {
        let text = [
            "Table master4:",
            "10.11.1.1/32         unicast [frr4 10:11:13.001] * (100) [AS65001i]",
            "\tvia 10.1.0.1 on eth0",
            "\tType: BGP univ",
            "\tBGP.origin: IGP",
            "\tBGP.as_path: 65001 65005",
            "\tBGP.next_hop: 10.1.0.1",
            "\tBGP.local_pref: 100",
            "\tBGP.community: (65000,100) (65535,65281)",
            "\tBGP.large_community: (65001, 1, 2)",
            "                     unicast [frr4b 10:11:14.001] (100) [AS65009i]",
            "\tvia 10.2.0.1 on eth1",
            "\tType: BGP univ",
            "10.12.1.1/32         blackhole [s4 10:11:12.345] * (200)",
            "\tType: static univ",
        ]
        .join("\n");
        let text = text.as_str();
        let rib = routes(text);
        let p = &rib["10.11.1.1/32"];
        assert_eq!(p.len(), 2);
        assert!(p[0].best && !p[1].best);
        assert_eq!(p[0].as_path, [65001, 65005]);
        assert_eq!(p[0].communities, ["65000:100", "65535:65281"]);
        assert_eq!(p[0].large_communities, ["65001:1:2"]);
        assert_eq!(p[0].peer, "frr4");
        assert_eq!(p[1].peer, "frr4b");
        assert_eq!(p[1].next_hops, ["10.2.0.1".parse::<IpAddr>().unwrap()]);
        assert_eq!(rib["10.12.1.1/32"][0].peer, "s4");
    }
}
