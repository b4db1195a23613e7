//! What the host table tells its caller: where a host is ([`Binding`]), what
//! to do ([`Action`]) and what is worth a log line ([`Note`]).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use arpprobe::MacAddr;

/// Where a host is: an interface and a MAC.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Binding {
    /// The (watched) interface.
    pub iface: Arc<str>,
    /// The host's MAC there.
    pub mac: MacAddr,
}

/// What the caller must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Advertise the host route of `ip` (again, if `iface` changed).
    Advertise {
        /// The host.
        ip: IpAddr,
        /// Its interface (for the export table).
        iface: Arc<str>,
        /// Time since its neighbour entry appeared, on its first advertisement.
        since_seen: Option<Duration>,
    },
    /// Withdraw the host route of `ip`.
    Withdraw {
        /// The host.
        ip: IpAddr,
        /// The interface it was advertised on.
        iface: Arc<str>,
    },
    /// Probe `ip` at `mac` on `iface` (add the target or change its MAC).
    Probe {
        /// Interface.
        iface: Arc<str>,
        /// The host.
        ip: IpAddr,
        /// Its MAC.
        mac: MacAddr,
    },
    /// Stop probing `ip` on `iface`.
    StopProbe {
        /// Interface.
        iface: Arc<str>,
        /// The host.
        ip: IpAddr,
    },
    /// Something worth a log line and a counter.
    Note(Note),
}

/// The events worth a log line.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    /// A host stopped answering; its route was withdrawn.
    Died {
        /// The host.
        ip: IpAddr,
        /// Where.
        iface: Arc<str>,
    },
    /// A dead host answered again.
    Returned {
        /// The host.
        ip: IpAddr,
        /// Whether it stays withdrawn for flapping.
        held_down: bool,
    },
    /// A held-down host's penalty decayed: it is advertised again.
    Released {
        /// The host.
        ip: IpAddr,
    },
    /// Another MAC or port claims a live host's address (logged once per claimant).
    Conflict {
        /// The host.
        ip: IpAddr,
        /// The binding we keep.
        kept: Binding,
        /// The other claimant.
        other: Binding,
    },
    /// The host now answers at another binding and no longer at the old
    /// one: it moved; its route stayed.
    Moved {
        /// The host.
        ip: IpAddr,
        /// Where it was.
        from: Binding,
        /// Where it is.
        to: Binding,
    },
    /// Another router advertises a live host's address too (logged once
    /// per claimant).
    RemoteConflict {
        /// The host.
        ip: IpAddr,
        /// The peer we learn it from, and the AS path.
        from: String,
    },
    /// A dead host was dropped from the table.
    Forgotten {
        /// The host.
        ip: IpAddr,
    },
}
