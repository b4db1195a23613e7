//! The rtnetlink socket the agent shares: open it with multicast groups and
//! a receive buffer sized on purpose, send requests (dumps), receive
//! datagrams with kernel overruns reported as such, and walk the netlink
//! messages inside a datagram without trusting their lengths. What the
//! messages mean belongs to the caller (the neighbour tracker, the FIB).

mod error;
mod frames;
mod request;
mod socket;

pub use error::NetlinkError;
pub use frames::{error_code, Frame, FrameError, Frames};
pub use request::encode_request;
pub use socket::{Received, RtnlSocket, RECV_BUFFER_LEN};

/// The rtnetlink multicast groups (`RTNLGRP_*`) by name, as
/// [`RtnlSocket::open`] takes them.
pub mod groups {
    /// Link creation, changes and removal.
    pub const LINK: u32 = libc::RTNLGRP_LINK;
    /// Neighbour (ARP, NDP and bridge FDB) entries.
    pub const NEIGH: u32 = libc::RTNLGRP_NEIGH;
    /// IPv4 addresses.
    pub const IPV4_IFADDR: u32 = libc::RTNLGRP_IPV4_IFADDR;
    /// IPv6 addresses.
    pub const IPV6_IFADDR: u32 = libc::RTNLGRP_IPV6_IFADDR;
    /// IPv4 routes.
    pub const IPV4_ROUTE: u32 = libc::RTNLGRP_IPV4_ROUTE;
    /// IPv6 routes.
    pub const IPV6_ROUTE: u32 = libc::RTNLGRP_IPV6_ROUTE;
}
