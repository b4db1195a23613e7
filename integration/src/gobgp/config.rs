//! gobgpd.toml builder for a numbered GoBGP peer (keepalive 3 / hold 9,
//! fast reconnects, IPv4 and optionally IPv6 unicast per neighbour).

use std::fmt::Write as _;

/// A gobgpd config.
#[derive(Debug, Clone)]
pub struct GobgpConfig {
    asn: u32,
    router_id: String,
    neighbors: Vec<(String, u32, bool)>,
}

impl GobgpConfig {
    /// A speaker in AS `asn` with `router_id`.
    pub fn new(asn: u32, router_id: &str) -> GobgpConfig {
        GobgpConfig {
            asn,
            router_id: router_id.into(),
            neighbors: Vec::new(),
        }
    }

    /// A neighbour by address and AS, IPv4 unicast (an IPv6 address: IPv6 unicast).
    pub fn neighbor(mut self, address: &str, asn: u32) -> Self {
        self.neighbors
            .push((address.into(), asn, address.contains(':')));
        self
    }

    /// A neighbour carrying IPv4 and IPv6 unicast over one session.
    pub fn neighbor_dual(mut self, address: &str, asn: u32) -> Self {
        self.neighbors.push((address.into(), asn, true));
        self
    }

    /// The TOML text.
    pub fn render(&self) -> String {
        let mut c = String::new();
        let _ = writeln!(
            c,
            "[global.config]\n  as = {}\n  router-id = \"{}\"\n",
            self.asn, self.router_id
        );
        for (addr, asn, v6) in &self.neighbors {
            let _ = writeln!(
                c,
                "[[neighbors]]\n  [neighbors.config]\n    neighbor-address = \"{addr}\"\n    peer-as = {asn}\n  [neighbors.timers.config]\n    connect-retry = 1\n    hold-time = 9\n    keepalive-interval = 3\n    idle-hold-time-after-reset = 1"
            );
            let mut families = Vec::new();
            if !addr.contains(':') {
                families.push("ipv4-unicast");
            }
            if *v6 {
                families.push("ipv6-unicast");
            }
            for f in families {
                let _ = writeln!(
                    c,
                    "  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = \"{f}\""
                );
            }
            c.push('\n');
        }
        c
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_a_numbered_neighbor() {
        let c = super::GobgpConfig::new(65003, "10.3.0.2")
            .neighbor("10.3.0.1", 65001)
            .render();
        assert!(c.contains("neighbor-address = \"10.3.0.1\""));
        assert!(c.contains("afi-safi-name = \"ipv4-unicast\""));
        assert!(!c.contains("ipv6-unicast"));
    }
}
