//! neighd: the redistribute-neighbour agent.
//!
//! The kernel neighbour table ([`neigh`]) feeds the host table ([`hosts`]),
//! which keeps each host proven alive with `arpprobe` and decides which host
//! routes the embedded BGP speaker advertises. Routes learned from the
//! spines go into the kernel ([`fib`]). [`daemon`] wires these together;
//! [`control`] and [`metrics`] show what the agent believes.

pub mod announce;
pub mod config;
pub mod control;
pub mod daemon;
pub mod fib;
pub mod hosts;
pub mod metrics;
pub mod neigh;
pub mod netlink;
pub mod status;

/// The crate's private parsers, reachable for the cargo-fuzz targets in
/// `neighd/fuzz` (which check their properties on arbitrary input). Not an
/// API: nothing outside the fuzz crate should use it, and it may change
/// without notice. The configuration parser and the control protocol's
/// types are public already and are not repeated here.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::fib::installed::parse as parse_installed_route;
    pub use crate::fib::message::{install, link_index, Forwarding, ResolvedHop, RouteOwner};
    pub use crate::fib::socket::{ack_result, frames as fib_frames, Frame as FibFrame, Request};
    pub use crate::neigh::decode::{decode, DecodeError, Decoded, NeighbourEntry, Update};
}
