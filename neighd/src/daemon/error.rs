//! Why the agent could not start or had to stop.

use std::path::PathBuf;

/// The agent's errors at its boundary.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// The configuration is invalid (exit code 2).
    #[error("{0}")]
    Config(#[from] crate::config::ConfigError),
    /// The neighbour tracker could not start.
    #[error("neighbour table: {0}")]
    Neigh(#[from] crate::neigh::NeighError),
    /// The prober could not start (it needs CAP_NET_RAW).
    #[error("prober: {0}")]
    Probe(#[from] arpprobe::Error),
    /// The FIB could not be opened (it needs CAP_NET_ADMIN).
    #[error("fib: {0}")]
    Fib(#[from] crate::fib::FibError),
    /// The control socket could not be created.
    #[error("control socket {path}: {source}")]
    Control {
        /// The socket's path.
        path: PathBuf,
        /// Why.
        source: crate::control::ControlError,
    },
    /// The metrics endpoint could not be started.
    #[error("metrics: {0}")]
    Metrics(#[from] crate::metrics::MetricsError),
    /// The BGP speaker could not start (e.g. port 179 is taken).
    #[error("bgp: {0}")]
    Speaker(std::io::Error),
    /// Signal handlers could not be installed.
    #[error("signals: {0}")]
    Signals(std::io::Error),
}

impl DaemonError {
    /// The process exit code for this error: 2 for a bad configuration, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            DaemonError::Config(_) => 2,
            _ => 1,
        }
    }
}
