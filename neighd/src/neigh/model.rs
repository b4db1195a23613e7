//! What the tracker reports: neighbour entries, links and addresses as the
//! kernel has them, and the events that carry them.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use arpprobe::MacAddr;
use bgp::wire::Prefix;

bitflags::bitflags! {
    /// The kernel's NUD state of a neighbour entry (`NUD_*` bits). The
    /// kernel sets one bit at a time; bits it may add later are kept.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct NudState: u16 {
        /// Resolution in progress, no MAC yet.
        const INCOMPLETE = 0x01;
        /// Confirmed recently.
        const REACHABLE = 0x02;
        /// Known MAC, not confirmed recently.
        const STALE = 0x04;
        /// Waiting before probing a stale entry that was used.
        const DELAY = 0x08;
        /// Being probed (unicast).
        const PROBE = 0x10;
        /// Resolution failed.
        const FAILED = 0x20;
        /// No resolution needed (loopback, point-to-point, multicast).
        const NOARP = 0x40;
        /// Configured by hand, never expires.
        const PERMANENT = 0x80;
        const _ = !0;
    }
}

impl fmt::Display for NudState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        let mut first = true;
        for (name, _) in self.iter_names() {
            if !first {
                f.write_str("|")?;
            }
            first = false;
            f.write_str(&name.to_ascii_lowercase())?;
        }
        let unnamed = self.bits() & !Self::all_named().bits();
        if unnamed != 0 {
            if !first {
                f.write_str("|")?;
            }
            write!(f, "{unnamed:#x}")?;
        }
        Ok(())
    }
}

impl NudState {
    fn all_named() -> NudState {
        Self::INCOMPLETE
            | Self::REACHABLE
            | Self::STALE
            | Self::DELAY
            | Self::PROBE
            | Self::FAILED
            | Self::NOARP
            | Self::PERMANENT
    }
}

/// An ARP (IPv4) or NDP (IPv6) neighbour entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbour {
    /// The interface the entry is on.
    pub ifindex: u32,
    /// That interface's name when the entry was reported.
    pub iface: Arc<str>,
    /// The neighbour's address.
    pub ip: IpAddr,
    /// Its MAC; the kernel gives none for unresolved (incomplete, failed)
    /// entries.
    pub mac: Option<MacAddr>,
    /// The NUD state.
    pub state: NudState,
    /// IPv6: the neighbour said it is a router (`NTF_ROUTER`).
    pub is_router: bool,
    /// Put there by a control plane, not learned by the kernel
    /// (`NTF_EXT_LEARNED`).
    pub externally_learned: bool,
}

/// A network interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The interface index.
    pub ifindex: u32,
    /// Its name.
    pub name: Arc<str>,
    /// Administratively up (`IFF_UP`) and operationally up (carrier:
    /// `IFF_LOWER_UP`, operstate up or unknown: `IFF_RUNNING`).
    pub up: bool,
    /// The interface it is enslaved to (bridge, bond, VRF), if any.
    pub master: Option<u32>,
    /// Its driver kind (`IFLA_INFO_KIND`: "bridge", "veth", "macvlan",
    /// "vrf", …); none for physical ports and loopback.
    pub kind: Option<String>,
    /// Its MAC, if it has a 6-byte hardware address.
    pub mac: Option<MacAddr>,
}

/// An address configured on an interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// The interface it is on.
    pub ifindex: u32,
    /// The connected network (host bits cleared); for point-to-point
    /// addresses, the peer's network.
    pub prefix: Prefix,
    /// The address itself.
    pub local: IpAddr,
    /// Scope global (not link or host scope).
    pub scope_global: bool,
}

/// How a neighbour entry changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeighChange {
    /// New entry.
    Added,
    /// Same interface and address; state, MAC or flags differ.
    Changed,
    /// The entry is gone (the neighbour carries its last known state).
    Removed,
}

/// Everything the kernel has, as one consistent picture: the first event,
/// and again after any loss of sync (the consumer replaces what it knew).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Every link, by ascending index.
    pub links: Vec<Link>,
    /// Every IPv4 and IPv6 address.
    pub addresses: Vec<Address>,
    /// Every ARP/NDP entry (no bridge FDB, multicast or broadcast entries),
    /// by interface and address.
    pub neighbours: Vec<Neighbour>,
}

/// What the tracker delivers, in kernel order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NeighEvent {
    /// The full state; forget everything reported before.
    Snapshot(Snapshot),
    /// A neighbour entry appeared, changed or went away.
    Neighbour(NeighChange, Neighbour),
    /// A link appeared or changed (name, state, master, kind, MAC).
    Link(Link),
    /// A link went away (index, last name); its neighbours and addresses
    /// were reported removed just before.
    LinkRemoved(u32, Arc<str>),
    /// An address was added (`true`) or removed (`false`).
    Address(bool, Address),
}

#[cfg(test)]
mod tests {
    use super::NudState;

    #[test]
    fn nud_state_prints_like_ip_neigh() {
        assert_eq!(NudState::REACHABLE.to_string(), "reachable");
        assert_eq!(NudState::empty().to_string(), "none");
        assert_eq!(
            (NudState::STALE | NudState::PERMANENT).to_string(),
            "stale|permanent"
        );
        assert_eq!(NudState::from_bits_retain(0x100).to_string(), "0x100");
    }
}
