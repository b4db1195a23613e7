//! Why the neighbour tracker could not start or stopped.

use crate::netlink::NetlinkError;

/// A failure of the tracker.
#[derive(Debug, thiserror::Error)]
pub enum NeighError {
    /// The netlink socket failed (open, subscribe, send, receive).
    #[error(transparent)]
    Netlink(#[from] NetlinkError),
    /// The kernel refused a dump.
    #[error("the kernel refused the {what} dump: {}", std::io::Error::from_raw_os_error(*errno))]
    Dump {
        /// `links`, `addresses` or `neighbours`.
        what: &'static str,
        /// The error number.
        errno: i32,
    },
    /// The tracker's task panicked or was cancelled.
    #[error("the tracker task ended abnormally: {0}")]
    Task(String),
}
