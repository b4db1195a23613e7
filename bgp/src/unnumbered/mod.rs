//! Unnumbered BGP peering (RFC 5549/8950 style, as FRR's `neighbor IF
//! interface`): IPv6 router advertisements on each fabric port, so that the
//! peer learns our link-local address, and discovery of the peer's
//! link-local address from its advertisements.
//!
//! - [`ra`]: sans-IO codec for Router Solicitation (133) and Router
//!   Advertisement (134) messages; [`validate`]: RFC 4861 validity of a
//!   received one (hop limit 255, link-local source).
//! - [`RaDriver`]: the tokio driver, one raw ICMPv6 socket per interface;
//!   interfaces are added and removed at runtime; it reports [`Event`]s:
//!   our link-local address per interface ([`LocalAddress`], the RFC 8950
//!   next hop to announce) and each router heard ([`Neighbor`], whom to
//!   connect to at `address%ifname` port 179).
//!
//! What FRR needs to discover us: FRR's zebra, on an interface with
//! `no ipv6 nd suppress-ra`, accepts an RA that arrives with hop limit 255
//! from a link-local source and is at least 16 bytes long, and hands its
//! source address to bgpd as the interface's neighbour; bgpd then connects
//! to it. The router lifetime, flags and options are not looked at (only
//! logged when they disagree with its own settings), so a lifetime of 0 is
//! enough; `integration/tests/unnumbered_ra.rs` shows it with FRR 8.4.4.
//!
//! ```no_run
//! # async fn f() -> Result<(), bgp::unnumbered::Error> {
//! use bgp::unnumbered::{Event, RaConfig, RaDriver};
//! let (ra, mut events) = RaDriver::start(RaConfig::default())?;
//! ra.add_interface("swp51")?;
//! while let Some(e) = events.recv().await {
//!     match e {
//!         Event::Local(l) => println!("next hop self on {}: {}", l.ifname, l.address),
//!         Event::Neighbor(n) => println!("peer {}%{}", n.address, n.ifname),
//!         Event::Down { ifname } => println!("{ifname} lost"),
//!     }
//! }
//! # Ok(()) }
//! ```

mod driver;
mod error;
mod event;
mod iface;
mod neighbors;
mod port;
pub mod ra;
mod socket;
pub mod validate;

#[cfg(test)]
mod fixture_tests;

pub use driver::{RaConfig, RaDriver, MIN_INTERVAL};
pub use error::{Error, ParseError};
pub use event::{Counters, Event, IfName, LocalAddress, Neighbor};
