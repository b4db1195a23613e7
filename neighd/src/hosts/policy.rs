//! The timing rules of the host table, from `[redistribute]`.

use std::time::Duration;

use crate::config::{FlapDamping, Redistribute};

/// How the host table judges liveness.
#[derive(Debug, Clone, PartialEq)]
pub struct HostPolicy {
    /// Every host is probed once per interval.
    pub probe_interval: Duration,
    /// Unanswered probes in a row that make a host dead.
    pub probe_misses: u32,
    /// How long the last probe may take to be answered before it counts as
    /// missed: a host is dead once it has been silent for
    /// `probe_interval × probe_misses + reply_grace`.
    pub reply_grace: Duration,
    /// A dead host is still probed (and comes back if it answers) for this
    /// long, then forgotten unless the kernel reports it again.
    pub dead_retention: Duration,
    /// Hold-down of flapping hosts.
    pub flap: FlapDamping,
}

impl HostPolicy {
    /// The policy of a `[redistribute]` section.
    pub fn from_config(cfg: &Redistribute) -> HostPolicy {
        HostPolicy {
            probe_interval: cfg.probe_interval,
            probe_misses: cfg.probe_misses.max(1),
            reply_grace: reply_grace(cfg.probe_interval),
            dead_retention: Duration::from_secs(600),
            flap: cfg.flap.clone(),
        }
    }

    /// Silence after which a host is dead.
    pub fn dead_after(&self) -> Duration {
        self.probe_interval * self.probe_misses + self.reply_grace
    }
}

/// An answer on a LAN takes well under a millisecond; 20 ms leaves room for
/// a busy switch CPU while keeping detection within interval × misses + 20 ms.
fn reply_grace(interval: Duration) -> Duration {
    (interval / 5).min(Duration::from_millis(20))
}
