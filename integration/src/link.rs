//! Links inside namespaces: veth pairs between two namespaces (created
//! directly in them, never in the root namespace), fixed MACs, addresses,
//! per-interface sysctls and IPv6 link-local readiness.

use std::net::Ipv6Addr;
use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::netns::Netns;
use crate::wait::{pending, wait_for};

/// A locally administered unicast MAC `02:00:00:<a>:<b>:<c>` from a number
/// (`mac(0x0401)` is `02:00:00:00:04:01`): fixed MACs give fixed link-local
/// addresses, so captures and logs compare across runs.
pub fn mac(n: u32) -> String {
    format!(
        "02:00:00:{:02x}:{:02x}:{:02x}",
        (n >> 16) & 0xff,
        (n >> 8) & 0xff,
        n & 0xff
    )
}

/// One end of a veth pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VethEnd {
    /// The namespace it is in.
    pub netns: String,
    /// Its interface name there.
    pub ifname: String,
    /// Its MAC address.
    pub mac: String,
}

/// A veth pair between two namespaces. It disappears with either namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Veth {
    /// The end in the first namespace.
    pub a: VethEnd,
    /// The end in the second namespace.
    pub b: VethEnd,
}

/// Creates a veth pair `a_if` (in `a`, MAC `a_mac`) ↔ `b_if` (in `b`, MAC
/// `b_mac`), both ends up. Both are created inside their namespaces
/// (`ip link add … netns A … peer … netns B`), so nothing appears in the
/// root namespace, not even briefly.
pub fn veth(
    a: &Netns,
    a_if: &str,
    a_mac: &str,
    b: &Netns,
    b_if: &str,
    b_mac: &str,
) -> Result<Veth> {
    // `ip -n A link add` creates the first end in A; the peer is moved to B at creation
    a.ip([
        "link",
        "add",
        a_if,
        "address",
        a_mac,
        "type",
        "veth",
        "peer",
        "name",
        b_if,
        "netns",
        b.name(),
        "address",
        b_mac,
    ])?;
    a.link_up(a_if)?;
    b.link_up(b_if)?;
    Ok(Veth {
        a: VethEnd {
            netns: a.name().to_string(),
            ifname: a_if.to_string(),
            mac: a_mac.to_string(),
        },
        b: VethEnd {
            netns: b.name().to_string(),
            ifname: b_if.to_string(),
            mac: b_mac.to_string(),
        },
    })
}

#[derive(Debug, Deserialize)]
struct IfAddrs {
    #[serde(default)]
    addr_info: Vec<AddrInfo>,
}

#[derive(Debug, Deserialize)]
struct AddrInfo {
    family: String,
    local: String,
    scope: String,
    #[serde(default)]
    tentative: bool,
    #[serde(default)]
    dadfailed: bool,
}

impl Netns {
    /// `ip link set IF up`.
    pub fn link_up(&self, ifname: &str) -> Result<()> {
        self.ip(["link", "set", ifname, "up"]).map(drop)
    }

    /// `ip link set IF down`.
    pub fn link_down(&self, ifname: &str) -> Result<()> {
        self.ip(["link", "set", ifname, "down"]).map(drop)
    }

    /// Adds an address (`10.0.0.1/31`, `fd00::1/64`) to an interface;
    /// IPv6 addresses without duplicate address detection (`nodad`).
    pub fn add_addr(&self, ifname: &str, cidr: &str) -> Result<()> {
        if cidr.contains(':') {
            self.ip(["addr", "add", cidr, "dev", ifname, "nodad"])
                .map(drop)
        } else {
            self.ip(["addr", "add", cidr, "dev", ifname]).map(drop)
        }
    }

    /// Turns duplicate address detection off on one interface.
    pub fn disable_dad(&self, ifname: &str) -> Result<()> {
        self.sysctl(&[(&format!("net.ipv6.conf.{ifname}.accept_dad"), "0")])
    }

    /// Sets `net.ipv6.conf.IF.accept_ra` (0 off, 1 on unless forwarding,
    /// 2 on even with forwarding).
    pub fn accept_ra(&self, ifname: &str, value: u8) -> Result<()> {
        self.sysctl(&[(
            &format!("net.ipv6.conf.{ifname}.accept_ra"),
            &value.to_string(),
        )])
    }

    /// The interface's IPv6 link-local address once it is usable (not
    /// tentative), `None` while there is none or it is still tentative.
    pub fn link_local(&self, ifname: &str) -> Result<Option<Ipv6Addr>> {
        let ifs: Vec<IfAddrs> =
            self.ip_json(["-6", "addr", "show", "dev", ifname, "scope", "link"])?;
        for a in ifs.iter().flat_map(|i| &i.addr_info) {
            if a.family == "inet6" && a.scope == "link" && !a.tentative && !a.dadfailed {
                let ip: Ipv6Addr = a
                    .local
                    .parse()
                    .map_err(|_| Error::parse("ip -j -6 addr show", "bad address", &a.local))?;
                return Ok(Some(ip));
            }
        }
        Ok(None)
    }

    /// Waits (bounded) until the interface has a usable link-local address.
    pub fn wait_link_local(&self, ifname: &str, timeout: Duration) -> Result<Ipv6Addr> {
        wait_for(
            timeout,
            &format!(
                "a non-tentative link-local address on {ifname} in {}",
                self.name()
            ),
            || self.link_local(ifname)?.ok_or_else(|| pending("none yet")),
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn macs_are_fixed_and_local() {
        assert_eq!(super::mac(0x0401), "02:00:00:00:04:01");
        assert_eq!(super::mac(0x123456), "02:00:00:12:34:56");
    }
}
