//! The host table: a sans-IO state machine deciding which hosts are alive
//! and advertised.
//!
//! A host enters from the kernel neighbour table (or an ARP/NA heard from
//! it) and is probed from then on. It is advertised once confirmed alive
//! (the kernel saw it reachable, or it answered a probe), withdrawn once
//! silent for `probe_interval × probe_misses` (+ a short reply grace), and
//! comes back when it answers again — unless it flaps, in which case it is
//! held down until its penalty decays. A second MAC or port claiming a live
//! host's address is a conflict (logged once, counted); if the old binding
//! then falls silent while the new one answers, the host moved and its
//! route stays up.

mod actions;
mod clock;
mod damping;
mod host;
mod policy;
mod table;
#[cfg(test)]
mod tests;

pub use actions::{Action, Binding, Note};
pub use policy::HostPolicy;
pub use table::HostTable;
