//! What the tracker has done, counted for metrics and tests.

use std::sync::atomic::{AtomicU64, Ordering};

/// A reading of the tracker's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Incremental events sent (snapshots not included).
    pub events: u64,
    /// Snapshots sent, the first one included.
    pub snapshots: u64,
    /// Snapshots sent because sync was lost (overrun, inconsistent dump,
    /// unreadable datagram, a neighbour on an unknown interface).
    pub resyncs: u64,
    /// Times the kernel dropped notifications for the socket (`ENOBUFS`).
    pub overruns: u64,
    /// Messages that could not be decoded, skipped.
    pub dropped: u64,
    /// Messages not for the tracker (bridge FDB, multicast and broadcast
    /// neighbours, proxy entries, bridge port messages), skipped.
    pub ignored: u64,
    /// Messages that repeated what the tracker already had.
    pub unchanged: u64,
    /// Dumps started over (interrupted by a change, overrun meanwhile).
    pub dump_retries: u64,
}

#[derive(Debug, Default)]
pub(crate) struct SharedCounters {
    pub events: AtomicU64,
    pub snapshots: AtomicU64,
    pub resyncs: AtomicU64,
    pub overruns: AtomicU64,
    pub dropped: AtomicU64,
    pub ignored: AtomicU64,
    pub unchanged: AtomicU64,
    pub dump_retries: AtomicU64,
}

impl SharedCounters {
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn read(&self) -> Counters {
        let r = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Counters {
            events: r(&self.events),
            snapshots: r(&self.snapshots),
            resyncs: r(&self.resyncs),
            overruns: r(&self.overruns),
            dropped: r(&self.dropped),
            ignored: r(&self.ignored),
            unchanged: r(&self.unchanged),
            dump_retries: r(&self.dump_retries),
        }
    }
}
