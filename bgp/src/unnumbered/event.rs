//! What the router advertisement driver reports: our own link-local address
//! per interface, the routers heard on it, interfaces going away, and
//! packet counters.

use std::net::Ipv6Addr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A report of the driver, on the channel [`super::RaDriver::start`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The interface is up with a usable link-local address and router
    /// advertisements are being sent from it. Reported again when the
    /// address (or index, or MAC) changes.
    Local(LocalAddress),
    /// A router on the interface: the first advertisement from an address,
    /// or one whose MAC or router lifetime differs from the last one.
    Neighbor(Neighbor),
    /// The interface went away, went down or lost its link-local address:
    /// no advertisements are sent until a [`Event::Local`] again, and the
    /// routers heard on it are forgotten (reported afresh later).
    Down {
        /// The interface name.
        ifname: String,
    },
}

/// Our side of an interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LocalAddress {
    /// Interface index.
    pub ifindex: u32,
    /// Our link-local address: the source of our advertisements, the local
    /// end of the BGP session and the RFC 8950 next hop we announce.
    pub address: Ipv6Addr,
    /// Our MAC, sent in the source link-layer address option.
    pub mac: Option<[u8; 6]>,
    /// The interface name (interned: names are at most 15 bytes).
    pub ifname: IfName,
}

/// A router heard on an interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Neighbor {
    /// Interface index.
    pub ifindex: u32,
    /// The interface name.
    pub ifname: IfName,
    /// The link-local source of its advertisement: where to connect
    /// (`address%ifname`, port 179) and whom to accept from.
    pub address: Ipv6Addr,
    /// Its source link-layer address option, if it sent one.
    pub mac: Option<[u8; 6]>,
    /// Its router lifetime (0: it is not a default router; FRR sends
    /// 3 × its RA interval).
    pub router_lifetime: Duration,
}

/// An interface name, stored inline (Linux names are at most 15 bytes).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct IfName {
    len: u8,
    bytes: [u8; 15],
}

impl IfName {
    /// `name` if it is a possible Linux interface name: 1 to 15 bytes, no
    /// `/`, `:`, NUL or whitespace.
    pub fn new(name: &str) -> Option<IfName> {
        let ok = !name.is_empty()
            && name.len() <= 15
            && name
                .chars()
                .all(|c| !c.is_whitespace() && c != '/' && c != ':' && c != '\0');
        ok.then(|| {
            let mut bytes = [0; 15];
            bytes[..name.len()].copy_from_slice(name.as_bytes());
            IfName {
                len: name.len() as u8,
                bytes,
            }
        })
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        // built from a &str in `new`, so always UTF-8
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

impl std::fmt::Debug for IfName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl std::fmt::Display for IfName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Packet counters of a driver, over all its interfaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    /// Router advertisements sent.
    pub ra_sent: u64,
    /// Router solicitations sent (one when an interface becomes ready).
    pub rs_sent: u64,
    /// Valid router advertisements received.
    pub ra_received: u64,
    /// Valid router solicitations received.
    pub rs_received: u64,
    /// Dropped: hop limit not 255 (RFC 4861 §6.1).
    pub dropped_hop_limit: u64,
    /// Dropped: an RA from a non-link-local source, or an RS from `::`
    /// with a link-layer address option.
    pub dropped_source: u64,
    /// Dropped: the message did not parse.
    pub malformed: u64,
    /// Sends the kernel refused.
    pub send_errors: u64,
    /// Receive errors.
    pub recv_errors: u64,
}

/// The shared, updatable form of [`Counters`].
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub ra_sent: AtomicU64,
    pub rs_sent: AtomicU64,
    pub ra_received: AtomicU64,
    pub rs_received: AtomicU64,
    pub dropped_hop_limit: AtomicU64,
    pub dropped_source: AtomicU64,
    pub malformed: AtomicU64,
    pub send_errors: AtomicU64,
    pub recv_errors: AtomicU64,
}

impl Stats {
    pub fn bump(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Counters {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Counters {
            ra_sent: g(&self.ra_sent),
            rs_sent: g(&self.rs_sent),
            ra_received: g(&self.ra_received),
            rs_received: g(&self.rs_received),
            dropped_hop_limit: g(&self.dropped_hop_limit),
            dropped_source: g(&self.dropped_source),
            malformed: g(&self.malformed),
            send_errors: g(&self.send_errors),
            recv_errors: g(&self.recv_errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::IfName;

    #[test]
    fn interface_names() {
        assert_eq!(IfName::new("swp51").unwrap().as_str(), "swp51");
        assert_eq!(
            IfName::new("a23456789012345").unwrap().to_string().len(),
            15
        );
        for bad in ["", "a234567890123456", "a/b", "a b", "a:1", "a\0"] {
            assert!(IfName::new(bad).is_none(), "{bad:?}");
        }
    }
}
