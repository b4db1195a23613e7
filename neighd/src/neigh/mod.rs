//! The kernel neighbour table over netlink: the [`Tracker`] mirrors links,
//! addresses and ARP/NDP entries and reports them as [`NeighEvent`]s (a
//! [`Snapshot`] first and after any overrun, changes in between); the
//! [`filter`] decides which entries are hosts to track. The host table that
//! consumes the events lives elsewhere.

mod counters;
pub(crate) mod decode;
mod error;
pub mod filter;
mod link_table;
mod model;
mod neighbour_set;
mod table;
mod tracker;

pub use counters::Counters;
pub use error::NeighError;
pub use filter::{Verdict, Watch};
pub use link_table::LinkTable;
pub use model::{Address, Link, NeighChange, NeighEvent, Neighbour, NudState, Snapshot};
pub use tracker::{Tracker, TrackerOptions};
