//! The kernel neighbour table over netlink: dump, events, overrun resync, and the filter of what counts.
