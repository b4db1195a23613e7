//! Building blocks of the fabric benchmarks (`benches/neighd_fabric.rs`):
//! kernel events with their timestamps ([`events`]), when FRR's bgpd
//! received a prefix ([`frr_log`]), a fleet of hosts answered by real
//! kernels ([`fleet`]), paced `ip -batch` input ([`paced`]), latency
//! summaries ([`stats`]) and the machine's load ([`load`]). Measurement
//! helpers only: nothing here asserts.

pub mod events;
pub mod fleet;
pub mod frr_log;
pub mod load;
pub mod paced;
pub mod stats;
