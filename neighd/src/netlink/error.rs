//! What can go wrong with the rtnetlink socket itself.

use std::io;

/// A failure of the rtnetlink socket (not of a request the kernel refused).
#[derive(Debug, thiserror::Error)]
pub enum NetlinkError {
    /// The socket was opened outside a tokio runtime.
    #[error("the netlink socket needs a tokio runtime (opened outside one)")]
    NoRuntime,
    /// A system call on the socket failed.
    #[error("netlink {op}: {source}")]
    Io {
        /// What was being done (`socket`, `bind`, `subscribe`, `recv`, …).
        op: &'static str,
        /// The error the kernel returned.
        #[source]
        source: io::Error,
    },
}

impl NetlinkError {
    pub(crate) fn io(op: &'static str, source: impl Into<io::Error>) -> Self {
        NetlinkError::Io {
            op,
            source: source.into(),
        }
    }
}
