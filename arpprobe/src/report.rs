//! What the prober tells its user: one [`Report`] per answer, announcement,
//! conflict (and, if asked for, per probe sent), and the identifiers they use.

use std::net::IpAddr;
use std::time::Duration;

use crate::wire::MacAddr;

/// The prober's own identifier of an interface *name*. It stays the same when
/// the interface is deleted and re-created with a new ifindex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IfaceId(pub u32);

/// A fact about one host `(iface, ip, mac)` that the prober observed.
///
/// `iface` is an [`IfaceId`] in the sans-IO core and the interface name
/// (`Arc<str>`) in the reports of the tokio [`Prober`](crate::Prober).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report<I = IfaceId> {
    /// The interface the host is probed on.
    pub iface: I,
    /// The host's address.
    pub ip: IpAddr,
    /// The MAC the host is probed at (for [`ReportKind::Discovered`], the MAC seen).
    pub mac: MacAddr,
    /// What happened.
    pub kind: ReportKind,
}

/// What a [`Report`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// The host answered (ARP reply or solicited NA from `mac`, addressed to
    /// this interface). `rtt` is set for the first answer after one of our
    /// probes and `None` for others (duplicates, answers to the kernel's own
    /// probes): all of them prove liveness.
    Alive {
        /// Time since our last probe to this host, for the first answer to it.
        rtt: Option<Duration>,
    },
    /// The host announced itself from `mac` (gratuitous ARP, unsolicited NA):
    /// also proof of liveness.
    Announced,
    /// Someone else answered or announced for `ip` from `seen_mac`: a
    /// duplicate address or a move. Never counted as liveness of `mac`.
    Conflict {
        /// The MAC that claimed the address.
        seen_mac: MacAddr,
    },
    /// A probe to the host was handed to the kernel (only when
    /// `report_sent` is configured), so the user can count misses.
    ProbeSent,
    /// An answer or announcement for an address that is not a target on this
    /// interface (only when `report_unknown` is configured): a host to learn.
    Discovered,
}

impl ReportKind {
    /// True for the kinds that prove `mac` at `ip` is alive.
    pub fn is_liveness(&self) -> bool {
        matches!(self, ReportKind::Alive { .. } | ReportKind::Announced)
    }
}
