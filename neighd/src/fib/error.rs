//! The errors of the FIB module: what stops a [`super::Fib`] or
//! [`super::ExportTable`] from working at all. A route the kernel refuses is
//! not an error here; it is counted in a [`super::FibReport`].

use std::fmt;
use std::io;

/// The FIB cannot be opened or cannot talk to the kernel.
#[derive(Debug, thiserror::Error)]
pub enum FibError {
    /// Options that would make the FIB touch routes that are not ours.
    #[error("invalid FIB options: {0}")]
    InvalidOptions(String),
    /// `open` was called outside a tokio runtime.
    #[error("the FIB must be opened inside a tokio runtime")]
    NoRuntime,
    /// The rtnetlink socket could not be created or set up.
    #[error("cannot open the rtnetlink socket: {0}")]
    Open(#[source] io::Error),
    /// Sending to or receiving from the rtnetlink socket failed.
    #[error("rtnetlink socket: {0}")]
    Socket(#[source] io::Error),
    /// The kernel refused a request that is not about a single route
    /// (a dump, an interface lookup).
    #[error("the kernel refused {what}: {error}")]
    Kernel {
        /// The request.
        what: &'static str,
        /// The kernel's answer.
        error: KernelError,
    },
    /// The kernel did not answer in time.
    #[error("the kernel did not answer {what} within {seconds} s")]
    Timeout {
        /// The request.
        what: &'static str,
        /// How long we waited.
        seconds: u64,
    },
}

/// A negative answer of the kernel to one request: the errno and the
/// extended-ack message, when the kernel gave one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelError {
    /// The (positive) errno.
    pub errno: i32,
    /// The kernel's explanation (`NLMSGERR_ATTR_MSG`), e.g. "Nexthop device is not up".
    pub message: Option<String>,
}

impl KernelError {
    /// An error without an extended-ack message.
    pub fn from_errno(errno: i32) -> Self {
        KernelError {
            errno,
            message: None,
        }
    }
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", io::Error::from_raw_os_error(self.errno))?;
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        Ok(())
    }
}

impl std::error::Error for KernelError {}
