//! frr.conf builders for the two roles FRR plays in the fabric: a spine of
//! the Cumulus demo (datacenter defaults, unnumbered interface peers with
//! router advertisements, multipath-relax) and a numbered peer (fast timers,
//! networks, redistribution of kernel blackholes for cheap scale).

use std::fmt::Write as _;

/// A spine: `frr defaults datacenter`, one `neighbor IF interface
/// remote-as external` per fabric port.
#[derive(Debug, Clone)]
pub struct SpineConfig {
    hostname: String,
    asn: u32,
    router_id: String,
    interfaces: Vec<String>,
    networks: Vec<String>,
    ipv6: bool,
    extra_bgp: Vec<String>,
}

impl SpineConfig {
    /// A spine with `hostname`, AS `asn` and `router_id` (`spine01`, 65020, `10.0.0.21`).
    pub fn new(hostname: &str, asn: u32, router_id: &str) -> SpineConfig {
        SpineConfig {
            hostname: hostname.into(),
            asn,
            router_id: router_id.into(),
            interfaces: Vec::new(),
            networks: Vec::new(),
            ipv6: false,
            extra_bgp: Vec::new(),
        }
    }

    /// A fabric port with an unnumbered (interface) peer: RAs every 3 s,
    /// `neighbor IF interface remote-as external`.
    pub fn interface(mut self, ifname: &str) -> Self {
        self.interfaces.push(ifname.into());
        self
    }

    /// A prefix to originate (`network P`), IPv4 or IPv6.
    pub fn network(mut self, prefix: &str) -> Self {
        self.networks.push(prefix.into());
        self
    }

    /// Activates the IPv6 unicast family on every interface peer.
    pub fn ipv6_unicast(mut self) -> Self {
        self.ipv6 = true;
        self
    }

    /// A raw line inside `router bgp` (before the address families).
    pub fn bgp_line(mut self, line: &str) -> Self {
        self.extra_bgp.push(line.into());
        self
    }

    /// The frr.conf text.
    pub fn render(&self) -> String {
        let mut c = String::new();
        let _ = writeln!(
            c,
            "frr defaults datacenter\nhostname {}\nlog stdout informational",
            self.hostname
        );
        for i in &self.interfaces {
            let _ = writeln!(
                c,
                "interface {i}\n ipv6 nd ra-interval 3\n no ipv6 nd suppress-ra\nexit"
            );
        }
        let _ = writeln!(
            c,
            "router bgp {}\n bgp router-id {}",
            self.asn, self.router_id
        );
        c.push_str(" no bgp ebgp-requires-policy\n no bgp network import-check\n");
        c.push_str(" bgp bestpath as-path multipath-relax\n");
        for i in &self.interfaces {
            let _ = writeln!(c, " neighbor {i} interface remote-as external");
            let _ = writeln!(c, " neighbor {i} timers connect 1");
            let _ = writeln!(c, " neighbor {i} advertisement-interval 0");
        }
        for l in &self.extra_bgp {
            let _ = writeln!(c, " {l}");
        }
        c.push_str(" address-family ipv4 unicast\n");
        for n in self.networks.iter().filter(|n| !n.contains(':')) {
            let _ = writeln!(c, "  network {n}");
        }
        c.push_str(" exit-address-family\n");
        let v6: Vec<&String> = self.networks.iter().filter(|n| n.contains(':')).collect();
        if self.ipv6 || !v6.is_empty() {
            c.push_str(" address-family ipv6 unicast\n");
            for n in v6 {
                let _ = writeln!(c, "  network {n}");
            }
            for i in &self.interfaces {
                let _ = writeln!(c, "  neighbor {i} activate");
            }
            c.push_str(" exit-address-family\n");
        }
        c.push_str("exit\n");
        c
    }
}

/// How a numbered peer originates routes besides `network` statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redistribute {
    /// `redistribute kernel`: every kernel route of the namespace, e.g.
    /// blackholes added with [`crate::Netns::add_blackholes`] (the fast way
    /// to originate 100,000 routes).
    Kernel,
    /// `redistribute connected`.
    Connected,
}

/// A numbered BGP speaker: `neighbor A.B.C.D remote-as N`, traditional
/// defaults without the eBGP policy requirement, keepalive 3 / hold 9.
#[derive(Debug, Clone)]
pub struct PeerConfig {
    hostname: String,
    asn: u32,
    router_id: String,
    neighbors: Vec<(String, u32)>,
    networks: Vec<String>,
    redistribute: Vec<Redistribute>,
    ipv6_over_ipv4: bool,
    graceful_restart: bool,
    extra_bgp: Vec<String>,
}

impl PeerConfig {
    /// A speaker with `hostname`, AS `asn` and `router_id`.
    pub fn new(hostname: &str, asn: u32, router_id: &str) -> PeerConfig {
        PeerConfig {
            hostname: hostname.into(),
            asn,
            router_id: router_id.into(),
            neighbors: Vec::new(),
            networks: Vec::new(),
            redistribute: Vec::new(),
            ipv6_over_ipv4: false,
            graceful_restart: false,
            extra_bgp: Vec::new(),
        }
    }

    /// A neighbour by address (IPv4 or IPv6) and AS. IPv4 neighbours carry
    /// IPv4 unicast, IPv6 neighbours IPv6 unicast.
    pub fn neighbor(mut self, address: &str, asn: u32) -> Self {
        self.neighbors.push((address.into(), asn));
        self
    }

    /// A prefix to originate (`network P`), IPv4 or IPv6.
    pub fn network(mut self, prefix: &str) -> Self {
        self.networks.push(prefix.into());
        self
    }

    /// Originates routes of another source, IPv4 unicast (and IPv6 unicast
    /// where a neighbour carries it).
    pub fn redistribute(mut self, r: Redistribute) -> Self {
        self.redistribute.push(r);
        self
    }

    /// Also carries IPv6 unicast over the IPv4 neighbours.
    pub fn ipv6_over_ipv4(mut self) -> Self {
        self.ipv6_over_ipv4 = true;
        self
    }

    /// `bgp graceful-restart`.
    pub fn graceful_restart(mut self) -> Self {
        self.graceful_restart = true;
        self
    }

    /// A raw line inside `router bgp` (before the address families).
    pub fn bgp_line(mut self, line: &str) -> Self {
        self.extra_bgp.push(line.into());
        self
    }

    /// The frr.conf text.
    pub fn render(&self) -> String {
        let mut c = String::new();
        let _ = writeln!(
            c,
            "frr defaults traditional\nhostname {}\nlog stdout informational",
            self.hostname
        );
        let _ = writeln!(
            c,
            "router bgp {}\n bgp router-id {}",
            self.asn, self.router_id
        );
        c.push_str(" no bgp ebgp-requires-policy\n no bgp network import-check\n timers bgp 3 9\n");
        if self.graceful_restart {
            c.push_str(" bgp graceful-restart\n");
        }
        for (a, asn) in &self.neighbors {
            let _ = writeln!(c, " neighbor {a} remote-as {asn}");
            let _ = writeln!(c, " neighbor {a} timers connect 1");
            let _ = writeln!(c, " neighbor {a} advertisement-interval 0");
        }
        for l in &self.extra_bgp {
            let _ = writeln!(c, " {l}");
        }
        let redistribute = |c: &mut String| {
            for r in &self.redistribute {
                let what = match r {
                    Redistribute::Kernel => "kernel",
                    Redistribute::Connected => "connected",
                };
                let _ = writeln!(c, "  redistribute {what}");
            }
        };
        c.push_str(" address-family ipv4 unicast\n");
        for n in self.networks.iter().filter(|n| !n.contains(':')) {
            let _ = writeln!(c, "  network {n}");
        }
        redistribute(&mut c);
        for (a, _) in self.neighbors.iter().filter(|(a, _)| a.contains(':')) {
            let _ = writeln!(c, "  no neighbor {a} activate");
        }
        c.push_str(" exit-address-family\n");
        c.push_str(" address-family ipv6 unicast\n");
        for n in self.networks.iter().filter(|n| n.contains(':')) {
            let _ = writeln!(c, "  network {n}");
        }
        redistribute(&mut c);
        for (a, _) in &self.neighbors {
            if a.contains(':') || self.ipv6_over_ipv4 {
                let _ = writeln!(c, "  neighbor {a} activate");
            }
        }
        c.push_str(" exit-address-family\nexit\n");
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spine_has_the_demo_lines() {
        let c = SpineConfig::new("spine01", 65020, "10.0.0.21")
            .interface("swp1")
            .network("10.0.0.21/32")
            .render();
        for l in [
            "frr defaults datacenter",
            " ipv6 nd ra-interval 3",
            " no ipv6 nd suppress-ra",
            " bgp bestpath as-path multipath-relax",
            " neighbor swp1 interface remote-as external",
            "  network 10.0.0.21/32",
        ] {
            assert!(c.lines().any(|x| x == l), "missing {l:?} in\n{c}");
        }
    }

    #[test]
    fn peer_activates_families_by_address() {
        let c = PeerConfig::new("p", 65001, "10.1.0.1")
            .neighbor("10.1.0.2", 65002)
            .neighbor("fd00:1::2", 65002)
            .redistribute(Redistribute::Kernel)
            .render();
        assert!(c.contains(" timers bgp 3 9\n"));
        assert!(c.contains("  no neighbor fd00:1::2 activate\n"));
        assert!(c.contains("  neighbor fd00:1::2 activate\n"));
        assert!(!c.contains("  neighbor 10.1.0.2 activate\n"));
        assert!(c.contains("  redistribute kernel\n"));
    }
}
