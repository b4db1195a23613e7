//! A "container" as the seeds run them: its own network namespace with one
//! interface `eth0`, an address in the server's subnet and a default route
//! to the gateway. Seed 004 attaches it as a macvlan child (bridge mode) of
//! the server's uplink; seed 000 as a veth into the node's bridge. Dropping
//! it removes the namespace, so the container is gone from the wire at once.

use std::net::Ipv4Addr;

use crate::error::{Error, Result};
use crate::netns::Netns;

/// How a container's `eth0` is addressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressing {
    /// Its address.
    pub ip: Ipv4Addr,
    /// The prefix length of its subnet (24).
    pub prefix_len: u8,
    /// Its default gateway.
    pub gateway: Ipv4Addr,
    /// Its MAC.
    pub mac: String,
}

impl Addressing {
    /// `ip`/`prefix_len` via `gateway`, with Docker's MAC for `ip` ([`docker_mac`]).
    pub fn docker(ip: Ipv4Addr, prefix_len: u8, gateway: Ipv4Addr) -> Addressing {
        Addressing {
            ip,
            prefix_len,
            gateway,
            mac: docker_mac(ip),
        }
    }
}

/// A container: a namespace holding `eth0`.
#[derive(Debug)]
pub struct Container {
    /// Its namespace.
    pub ns: Netns,
    /// Its address.
    pub ip: Ipv4Addr,
    /// Its MAC.
    pub mac: String,
}

/// The MAC Docker gives a container on a macvlan or bridge network:
/// `02:42` and the four bytes of its IPv4 address.
pub fn docker_mac(ip: Ipv4Addr) -> String {
    let o = ip.octets();
    format!("02:42:{:02x}:{:02x}:{:02x}:{:02x}", o[0], o[1], o[2], o[3])
}

/// The container's interface is deleted before its namespace: deleting a
/// namespace tears its devices down later, in a kernel work queue, and a
/// container started at once with the same address (and so the same
/// Docker MAC) on the same parent would find the old macvlan still there
/// ("Address already in use" on link up).
impl Drop for Container {
    fn drop(&mut self) {
        let _ = self.ns.ip(["link", "del", "eth0"]);
    }
}

impl Container {
    /// A container in namespace `<prefix>…-<short>` on a macvlan (bridge
    /// mode) child of `parent` in `host`.
    pub fn macvlan(
        prefix: &str,
        short: &str,
        host: &Netns,
        parent: &str,
        addr: &Addressing,
    ) -> Result<Container> {
        let ns = Netns::new(prefix, short)?;
        // created directly in the container's namespace
        host.ip([
            "link",
            "add",
            "link",
            parent,
            "name",
            "eth0",
            "netns",
            ns.name(),
            "address",
            &addr.mac,
            "type",
            "macvlan",
            "mode",
            "bridge",
        ])?;
        Self::configure(ns, addr)
    }

    /// A container in namespace `<prefix>…-<short>` joined by a veth to
    /// `bridge` in `host` (the host end is named `host_if`).
    pub fn on_bridge(
        prefix: &str,
        short: &str,
        host: &Netns,
        bridge: &str,
        host_if: &str,
        addr: &Addressing,
    ) -> Result<Container> {
        let ns = Netns::new(prefix, short)?;
        host.ip([
            "link",
            "add",
            host_if,
            "type",
            "veth",
            "peer",
            "name",
            "eth0",
            "netns",
            ns.name(),
            "address",
            &addr.mac,
        ])?;
        host.ip(["link", "set", host_if, "master", bridge, "up"])?;
        Self::configure(ns, addr)
    }

    fn configure(ns: Netns, addr: &Addressing) -> Result<Container> {
        ns.add_addr("eth0", &format!("{}/{}", addr.ip, addr.prefix_len))?;
        ns.link_up("eth0")?;
        ns.ip(["route", "add", "default", "via", &addr.gateway.to_string()])?;
        Ok(Container {
            ns,
            ip: addr.ip,
            mac: addr.mac.clone(),
        })
    }

    /// Pings `dst` once (1 s deadline); whether an answer came.
    pub fn ping_once(&self, dst: Ipv4Addr) -> bool {
        self.ns
            .exec("ping", ["-c", "1", "-W", "1", "-q", &dst.to_string()])
            .is_ok()
    }

    /// Pings `dst` until one answer, at most `tries` times: how a seed 004
    /// container makes itself known to its leaf ("each workload container
    /// identifies itself by sending a ping to its local leaf switch").
    pub fn ping(&self, dst: Ipv4Addr, tries: u32) -> Result<()> {
        for _ in 0..tries {
            if self.ping_once(dst) {
                return Ok(());
            }
        }
        Err(Error::Invalid(format!(
            "container {} ({}) got no answer from {dst} in {tries} pings",
            self.ip,
            self.ns.name()
        )))
    }
}
