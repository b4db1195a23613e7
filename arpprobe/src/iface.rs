//! What the core knows about an interface that is up (ifindex, MAC,
//! addresses), and the choice of the probe's sender address from it.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::wire::MacAddr;

/// An interface as the prober uses it. Built by the driver from the kernel's
/// view (`getifaddrs`), or by hand in tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfaceInfo {
    /// Kernel interface index; frames are sent to it and must arrive from it.
    pub ifindex: u32,
    /// The interface's own MAC: the source of probes, the destination of answers.
    pub mac: MacAddr,
    /// IPv4 addresses with prefix lengths, in kernel order.
    pub ipv4: Vec<(Ipv4Addr, u8)>,
    /// IPv6 addresses with prefix lengths, in kernel order.
    pub ipv6: Vec<(Ipv6Addr, u8)>,
}

fn v4_contains(net: Ipv4Addr, len: u8, ip: Ipv4Addr) -> bool {
    let len = u32::from(len.min(32));
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    u32::from(net) & mask == u32::from(ip) & mask
}

fn v6_contains(net: Ipv6Addr, len: u8, ip: Ipv6Addr) -> bool {
    let len = u32::from(len.min(128));
    let mask = if len == 0 {
        0
    } else {
        u128::MAX << (128 - len)
    };
    u128::from(net) & mask == u128::from(ip) & mask
}

fn is_link_local(ip: &Ipv6Addr) -> bool {
    ip.segments()[0] & 0xffc0 == 0xfe80
}

impl IfaceInfo {
    /// Sender address of an ARP probe to `target`: the interface's IPv4
    /// address whose subnet holds the target, else its first IPv4 address,
    /// else 0.0.0.0 (unnumbered interfaces: Linux answers such a probe with
    /// a unicast reply whose target IP is 0.0.0.0).
    pub fn arp_source(&self, target: Ipv4Addr) -> Ipv4Addr {
        self.ipv4
            .iter()
            .find(|(a, l)| v4_contains(*a, *l, target))
            .or(self.ipv4.first())
            .map_or(Ipv4Addr::UNSPECIFIED, |(a, _)| *a)
    }

    /// Source address of an NS to `target`: the IPv6 address in the target's
    /// prefix, else the link-local address, else the first address, else `::`
    /// (then the NS is a DAD-style probe and the host answers to all-nodes
    /// with an unsolicited NA, which still proves liveness).
    pub fn ns_source(&self, target: Ipv6Addr) -> Ipv6Addr {
        let same_prefix = if is_link_local(&target) {
            None
        } else {
            self.ipv6
                .iter()
                .find(|(a, l)| !is_link_local(a) && v6_contains(*a, *l, target))
        };
        same_prefix
            .or_else(|| self.ipv6.iter().find(|(a, _)| is_link_local(a)))
            .or(self.ipv6.first())
            .map_or(Ipv6Addr::UNSPECIFIED, |(a, _)| *a)
    }

    /// Whether an ARP reply's target IP is one this interface probes from.
    pub fn owns_v4(&self, ip: Ipv4Addr) -> bool {
        if self.ipv4.is_empty() {
            ip.is_unspecified()
        } else {
            self.ipv4.iter().any(|(a, _)| *a == ip)
        }
    }

    /// Whether a solicited NA's destination is one of this interface's addresses.
    pub fn owns_v6(&self, ip: Ipv6Addr) -> bool {
        self.ipv6.iter().any(|(a, _)| *a == ip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> IfaceInfo {
        IfaceInfo {
            ifindex: 7,
            mac: MacAddr([2, 0, 0, 0, 0, 1]),
            ipv4: vec![
                ("192.0.2.1".parse().unwrap(), 24),
                ("10.1.0.1".parse().unwrap(), 16),
            ],
            ipv6: vec![
                ("2001:db8::1".parse().unwrap(), 64),
                ("fe80::1".parse().unwrap(), 64),
            ],
        }
    }

    #[test]
    fn picks_subnet_then_first_then_unspecified() {
        let i = info();
        assert_eq!(
            i.arp_source("10.1.200.3".parse().unwrap()),
            "10.1.0.1".parse::<Ipv4Addr>().unwrap()
        );
        assert_eq!(
            i.arp_source("198.51.100.1".parse().unwrap()),
            "192.0.2.1".parse::<Ipv4Addr>().unwrap()
        );
        let bare = IfaceInfo {
            ipv4: vec![],
            ipv6: vec![],
            ..info()
        };
        assert_eq!(
            bare.arp_source("10.1.0.2".parse().unwrap()),
            Ipv4Addr::UNSPECIFIED
        );
        assert!(bare.owns_v4(Ipv4Addr::UNSPECIFIED));
        assert!(!i.owns_v4(Ipv4Addr::UNSPECIFIED));
        assert_eq!(
            bare.ns_source("fe80::2".parse().unwrap()),
            Ipv6Addr::UNSPECIFIED
        );
    }

    #[test]
    fn ipv6_prefers_prefix_then_link_local() {
        let i = info();
        assert_eq!(
            i.ns_source("2001:db8::99".parse().unwrap()),
            "2001:db8::1".parse::<Ipv6Addr>().unwrap()
        );
        assert_eq!(
            i.ns_source("fe80::99".parse().unwrap()),
            "fe80::1".parse::<Ipv6Addr>().unwrap()
        );
        assert_eq!(
            i.ns_source("2001:db9::99".parse().unwrap()),
            "fe80::1".parse::<Ipv6Addr>().unwrap()
        );
    }
}
