//! Many hosts answered by real kernels, as the seed's containers are:
//! namespaces of `per_group` IPv4 addresses each on a macvlan child (bridge
//! mode, one MAC per group) of a server's interface. Each group's kernel
//! answers ARP for its addresses; removing an address silences that host
//! alone. The first address of a group is its primary (deleting it would
//! take the group's secondaries with it), so it is never removed.

use std::net::Ipv4Addr;

use crate::error::{Error, Result};
use crate::link::mac;
use crate::netns::Netns;

/// What hosts a fleet has and how they are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FleetSpec {
    /// The first host's address; the others follow it.
    pub first: Ipv4Addr,
    /// How many hosts.
    pub count: u32,
    /// The prefix length of their addresses.
    pub prefix_len: u8,
    /// Hosts per namespace.
    pub per_group: u32,
    /// Group `g`'s MAC is `mac(mac_base + g)`.
    pub mac_base: u32,
}

/// The hosts and the namespaces holding them; all removed on drop.
#[derive(Debug)]
pub struct HostFleet {
    spec: FleetSpec,
    groups: Vec<Netns>,
}

impl HostFleet {
    /// The hosts of `spec`, `per_group` to a namespace `<prefix>…-h<g>`,
    /// each address `/prefix_len` on the group's `eth0`, a macvlan of
    /// `parent` in `server` with MAC `mac(mac_base + g)`.
    pub fn build(prefix: &str, server: &Netns, parent: &str, spec: FleetSpec) -> Result<HostFleet> {
        let FleetSpec {
            first,
            count,
            prefix_len,
            per_group,
            mac_base,
        } = spec;
        if per_group == 0 || u32::from(first).checked_add(count).is_none() {
            return Err(Error::Invalid(format!(
                "{count} hosts from {first}, {per_group} per group"
            )));
        }
        let mut fleet = HostFleet {
            spec,
            groups: Vec::new(),
        };
        for g in 0..count.div_ceil(per_group) {
            fleet.groups.push(Netns::new(prefix, &format!("h{g}"))?);
        }
        server.ip_batch(fleet.groups.iter().enumerate().map(|(g, ns)| {
            format!(
                "link add link {parent} name eth0 netns {} address {} type macvlan mode bridge",
                ns.name(),
                mac(mac_base + g as u32)
            )
        }))?;
        for (g, ns) in fleet.groups.iter().enumerate() {
            let g = g as u32;
            let hosts = g * per_group..((g + 1) * per_group).min(count);
            let lines = hosts.map(|i| format!("addr add {}/{prefix_len} dev eth0", fleet.host(i)));
            ns.ip_batch(std::iter::once("link set eth0 up".to_string()).chain(lines))?;
        }
        Ok(fleet)
    }

    /// How many hosts.
    pub fn len(&self) -> u32 {
        self.spec.count
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.spec.count == 0
    }

    /// How many namespaces hold them.
    pub fn groups(&self) -> usize {
        self.groups.len()
    }

    /// Host `i`'s address.
    pub fn host(&self, i: u32) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.spec.first) + i)
    }

    /// Host `i`'s MAC (its group's).
    pub fn mac(&self, i: u32) -> String {
        mac(self.spec.mac_base + i / self.spec.per_group)
    }

    /// The namespace holding host `i`.
    pub fn group_of(&self, i: u32) -> &Netns {
        &self.groups[(i / self.spec.per_group) as usize]
    }

    /// Whether host `i` can be removed alone (it is not its group's primary).
    pub fn removable(&self, i: u32) -> bool {
        i < self.spec.count && i % self.spec.per_group != 0
    }

    /// Removes host `i`'s address: from now on nothing answers for it.
    pub fn remove(&self, i: u32) -> Result<()> {
        if !self.removable(i) {
            return Err(Error::Invalid(format!(
                "host {i} ({}) is a primary address or out of range",
                self.host(i)
            )));
        }
        self.group_of(i)
            .ip([
                "addr",
                "del",
                &format!("{}/{}", self.host(i), self.spec.prefix_len),
                "dev",
                "eth0",
            ])
            .map(drop)
    }

    /// `ip` batch lines writing every host into a neighbour table:
    /// `neigh replace IP lladdr MAC dev DEV nud NUD`.
    pub fn neighbour_lines<'a>(
        &'a self,
        dev: &'a str,
        nud: &'a str,
    ) -> impl Iterator<Item = String> + 'a {
        (0..self.spec.count).map(move |i| {
            format!(
                "neigh replace {} lladdr {} dev {dev} nud {nud}",
                self.host(i),
                self.mac(i)
            )
        })
    }
}
