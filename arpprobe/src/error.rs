//! The crate's one error type.

use std::net::IpAddr;

use crate::wire::Malformed;

/// Everything that can go wrong at arpprobe's boundary.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A frame did not parse.
    #[error("malformed frame: {0}")]
    Malformed(#[from] Malformed),
    /// A system call failed.
    #[error("{op}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// An interface name the kernel cannot have (empty, too long, NUL, '/').
    #[error("invalid interface name {0:?}")]
    InvalidInterfaceName(String),
    /// A target that cannot be probed.
    #[error("cannot probe {ip}: {reason}")]
    InvalidTarget {
        /// The target's address.
        ip: IpAddr,
        /// Why.
        reason: &'static str,
    },
    /// The prober has been shut down.
    #[error("the prober has shut down")]
    Closed,
    /// The prober was started outside a tokio runtime.
    #[error("the prober must be started inside a tokio runtime")]
    NoRuntime,
}

impl Error {
    pub(crate) fn io(op: &'static str, source: std::io::Error) -> Error {
        Error::Io { op, source }
    }
}
