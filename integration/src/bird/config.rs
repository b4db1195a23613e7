//! bird.conf builder: a BIRD 2 speaker with numbered peers and/or
//! unnumbered ones (router advertisements on the interface, `neighbor range
//! fe80::/10 external`, `extended next hop on`, as in TESTBED.md), that
//! originates static blackhole routes — as many as a scale test needs
//! (BIRD parses 100,000 `route` lines in well under a second).

use std::fmt::Write as _;

#[derive(Debug, Clone)]
enum Peer {
    Numbered {
        name: String,
        address: String,
        asn: u32,
    },
    Unnumbered {
        name: String,
        ifname: String,
    },
}

/// A BIRD config for one speaker.
#[derive(Debug, Clone)]
pub struct BirdConfig {
    router_id: String,
    asn: u32,
    peers: Vec<Peer>,
    static4: Vec<String>,
    static6: Vec<String>,
    export_all: bool,
    graceful_restart: bool,
    extra: Vec<String>,
}

impl BirdConfig {
    /// A speaker with `router_id` in AS `asn`.
    pub fn new(router_id: &str, asn: u32) -> BirdConfig {
        BirdConfig {
            router_id: router_id.into(),
            asn,
            peers: Vec::new(),
            static4: Vec::new(),
            static6: Vec::new(),
            export_all: false,
            graceful_restart: false,
            extra: Vec::new(),
        }
    }

    /// A numbered peer: `protocol bgp NAME { neighbor ADDRESS as ASN; … }`,
    /// IPv4 unicast for an IPv4 address, IPv6 unicast for an IPv6 one.
    pub fn neighbor(mut self, name: &str, address: &str, asn: u32) -> Self {
        self.peers.push(Peer::Numbered {
            name: name.into(),
            address: address.into(),
            asn,
        });
        self
    }

    /// An unnumbered peer on `ifname`: router advertisements there (so an
    /// FRR interface peer finds us), `neighbor range fe80::/10 external`,
    /// IPv4 with extended next hop (RFC 8950) and IPv6. The sessions appear
    /// as dynamic protocols (`dynbgp1`, …) in `show protocols`.
    pub fn unnumbered(mut self, name: &str, ifname: &str) -> Self {
        self.peers.push(Peer::Unnumbered {
            name: name.into(),
            ifname: ifname.into(),
        });
        self
    }

    /// A static blackhole route to originate (IPv4 or IPv6).
    pub fn static_route(mut self, prefix: &str) -> Self {
        if prefix.contains(':') {
            self.static6.push(prefix.into());
        } else {
            self.static4.push(prefix.into());
        }
        self
    }

    /// Many static blackhole routes to originate.
    pub fn static_routes<S: AsRef<str>>(mut self, prefixes: &[S]) -> Self {
        for p in prefixes {
            self = self.static_route(p.as_ref());
        }
        self
    }

    /// Exports every route (also those learned from other peers), not only
    /// the static ones.
    pub fn export_all(mut self) -> Self {
        self.export_all = true;
        self
    }

    /// `graceful restart on` for every peer.
    pub fn graceful_restart(mut self) -> Self {
        self.graceful_restart = true;
        self
    }

    /// A raw top-level config block or line.
    pub fn raw(mut self, text: &str) -> Self {
        self.extra.push(text.into());
        self
    }

    /// The bird.conf text.
    pub fn render(&self) -> String {
        let mut c = String::new();
        let _ = writeln!(
            c,
            "log stderr all;\nrouter id {};\nprotocol device {{ scan time 10; }}",
            self.router_id
        );
        for (name, routes) in [("static4", &self.static4), ("static6", &self.static6)] {
            if routes.is_empty() {
                continue;
            }
            let family = if name == "static4" { "ipv4" } else { "ipv6" };
            let _ = writeln!(c, "protocol static {name} {{\n  {family};");
            for r in routes {
                let _ = writeln!(c, "  route {r} blackhole;");
            }
            c.push_str("}\n");
        }
        let radv: Vec<&String> = self
            .peers
            .iter()
            .filter_map(|p| match p {
                Peer::Unnumbered { ifname, .. } => Some(ifname),
                Peer::Numbered { .. } => None,
            })
            .collect();
        if !radv.is_empty() {
            c.push_str("protocol radv {\n");
            for i in radv {
                let _ = writeln!(
                    c,
                    "  interface \"{i}\" {{ min ra interval 3; max ra interval 4; }};"
                );
            }
            c.push_str("}\n");
        }
        let export = if self.export_all {
            "export all;"
        } else {
            "export where source = RTS_STATIC;"
        };
        let _ = writeln!(
            c,
            "template bgp peer {{\n  local as {};\n  hold time 9; keepalive time 3; connect delay time 1;\n  connect retry time 2; error wait time 1, 4;\n  graceful restart {};\n}}",
            self.asn,
            if self.graceful_restart { "on" } else { "off" }
        );
        for p in &self.peers {
            match p {
                Peer::Numbered { name, address, asn } => {
                    let family = if address.contains(':') {
                        "ipv6"
                    } else {
                        "ipv4"
                    };
                    let _ = writeln!(
                        c,
                        "protocol bgp {name} from peer {{\n  neighbor {address} as {asn};\n  {family} {{ import all; {export} }};\n}}"
                    );
                }
                Peer::Unnumbered { name, ifname } => {
                    let _ = writeln!(
                        c,
                        "protocol bgp {name} from peer {{\n  neighbor range fe80::/10 external;\n  interface \"{ifname}\";\n  ipv4 {{ extended next hop on; import all; {export} }};\n  ipv6 {{ import all; {export} }};\n}}"
                    );
                }
            }
        }
        for e in &self.extra {
            let _ = writeln!(c, "{e}");
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unnumbered_peer_has_ra_and_extended_next_hop() {
        let c = BirdConfig::new("10.0.0.12", 65012)
            .unnumbered("spine", "swp51")
            .static_routes(&["172.16.2.11/32", "fd00:12::12/128"])
            .render();
        assert!(c.contains("interface \"swp51\" { min ra interval 3"));
        assert!(c.contains("neighbor range fe80::/10 external;"));
        assert!(c.contains("extended next hop on"));
        assert!(c.contains("  route 172.16.2.11/32 blackhole;"));
        assert!(c.contains("protocol static static6"));
    }
}
