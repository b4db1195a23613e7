//! Learned routes into the kernel over netlink (ECMP, batched, protocol-marked), and the rdnbrd-style export table.
//!
//! [`Fib`] turns the BGP speaker's [`bgp::speaker::RouteEvent`]s into
//! RTM_NEWROUTE / RTM_DELROUTE requests in one table, marked with our
//! protocol number and metric: ECMP as RTA_MULTIPATH, IPv6 link-local next
//! hops of IPv4 prefixes as RTA_VIA (`via inet6 fe80::… dev swp51`).
//! [`ExportTable`] writes live hosts as `IP/32 dev IF scope link` into a
//! table of their own, as rdnbrd did. Both send many requests at a time and
//! report per route ([`FibReport`]); only a broken socket is an error
//! ([`FibError`]).
//!
//! Files: `kernel` (Fib), `export` (ExportTable), `table` (what both share:
//! batches, interface resolution, dump, removal), `message` (building
//! requests), `installed` (reading dumps), `interfaces` (name → index
//! cache), `socket` (the pipelined rtnetlink socket), `report`, `error`.

mod error;
mod export;
pub(crate) mod installed;
mod interfaces;
mod kernel;
pub(crate) mod message;
mod report;
pub(crate) mod socket;
mod table;

pub use error::{FibError, KernelError};
pub use export::{ExportChange, ExportEntry, ExportTable};
pub use installed::{InstalledNextHop, InstalledRoute};
pub use interfaces::InterfaceRef;
pub use kernel::{Fib, FibOptions};
pub use report::{FailureReason, FibReport};
