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
