//! What can go wrong on either side of the control socket, worded for the
//! operator who reads it on one line.

use std::io;
use std::path::PathBuf;

/// An error starting the control socket or talking to the daemon through it.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// Another daemon answers on the socket path.
    #[error("another neighd is already running: it answers on {path}")]
    AlreadyRunning {
        /// The socket path.
        path: PathBuf,
    },
    /// Something other than a socket sits at the socket path.
    #[error("{path} exists and is not a socket; refusing to replace it")]
    NotASocket {
        /// The socket path.
        path: PathBuf,
    },
    /// The socket path has no file name (e.g. `/` or `..`).
    #[error("{path} cannot be a socket path")]
    BadPath {
        /// The path given.
        path: PathBuf,
    },
    /// A filesystem step of setting up the socket failed.
    #[error("control socket {path}: cannot {action}: {source}")]
    Setup {
        /// The file or directory acted on.
        path: PathBuf,
        /// What was being done ("create the directory", "bind", ...).
        action: &'static str,
        /// The system's reason.
        source: io::Error,
    },
    /// Nothing listens on the socket path.
    #[error("no daemon answers on {path} (is neighd running?)")]
    NoDaemon {
        /// The socket path.
        path: PathBuf,
    },
    /// The socket (or its directory) is not accessible to this user.
    #[error("permission denied on {path} (the control socket is 0600: run as the daemon's user or root)")]
    PermissionDenied {
        /// The socket path.
        path: PathBuf,
    },
    /// Connecting, sending or receiving failed for another reason.
    #[error("talking to the daemon on {path}: {source}")]
    Io {
        /// The socket path.
        path: PathBuf,
        /// The system's reason.
        source: io::Error,
    },
    /// The daemon did not answer in time.
    #[error("the daemon on {path} did not answer within {secs} s")]
    Timeout {
        /// The socket path.
        path: PathBuf,
        /// The time waited, in seconds.
        secs: u64,
    },
    /// The daemon closed the connection without an answer.
    #[error("the daemon on {path} closed the connection without answering")]
    NoAnswer {
        /// The socket path.
        path: PathBuf,
    },
    /// The daemon's answer could not be decoded.
    #[error("the daemon's answer is not a valid response: {0}")]
    BadAnswer(serde_json::Error),
}
