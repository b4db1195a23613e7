//! A lock-free histogram of durations with fixed bucket bounds.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of `neighd_neigh_to_route_seconds`, 100 µs .. 5 s, in
/// seconds (Prometheus' `le`). Observations above the last go to `+Inf`.
pub const NEIGH_TO_ROUTE_BUCKETS: [Duration; 15] = [
    Duration::from_micros(100),
    Duration::from_micros(250),
    Duration::from_micros(500),
    Duration::from_millis(1),
    Duration::from_micros(2_500),
    Duration::from_millis(5),
    Duration::from_millis(10),
    Duration::from_millis(25),
    Duration::from_millis(50),
    Duration::from_millis(100),
    Duration::from_millis(250),
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_millis(2_500),
    Duration::from_secs(5),
];

/// Counts per bucket (not cumulative) and the sum, all atomics.
#[derive(Debug)]
pub(super) struct Histogram {
    bounds: &'static [Duration],
    /// One per bound, plus the `+Inf` bucket last.
    counts: Vec<AtomicU64>,
    sum_nanos: AtomicU64,
}

/// What a histogram held at one moment, cumulative as Prometheus wants it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct HistogramSnapshot {
    /// `(le, count of observations <= le)`; the last is `(None, total)` for `+Inf`.
    pub(super) cumulative: Vec<(Option<Duration>, u64)>,
    /// The sum of all observations.
    pub(super) sum: Duration,
    /// How many observations.
    pub(super) count: u64,
}

impl Histogram {
    pub(super) fn new(bounds: &'static [Duration]) -> Histogram {
        Histogram {
            bounds,
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_nanos: AtomicU64::new(0),
        }
    }

    pub(super) fn observe(&self, value: Duration) {
        let bucket = self.bounds.partition_point(|&bound| bound < value);
        self.counts[bucket].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(value.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    pub(super) fn snapshot(&self) -> HistogramSnapshot {
        let mut running = 0;
        let cumulative = self
            .counts
            .iter()
            .enumerate()
            .map(|(i, count)| {
                running += count.load(Ordering::Relaxed);
                (self.bounds.get(i).copied(), running)
            })
            .collect();
        HistogramSnapshot {
            cumulative,
            sum: Duration::from_nanos(self.sum_nanos.load(Ordering::Relaxed)),
            count: running,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_inclusive_and_counts_cumulative() {
        let histogram = Histogram::new(&NEIGH_TO_ROUTE_BUCKETS);
        histogram.observe(Duration::from_micros(100)); // le 0.0001
        histogram.observe(Duration::from_micros(101)); // le 0.00025
        histogram.observe(Duration::from_millis(3)); // le 0.005
        histogram.observe(Duration::from_secs(60)); // +Inf
        let snapshot = histogram.snapshot();
        assert_eq!(snapshot.count, 4);
        assert_eq!(
            snapshot.sum,
            Duration::from_micros(100 + 101 + 3_000 + 60_000_000)
        );
        let at = |le: Option<Duration>| {
            snapshot
                .cumulative
                .iter()
                .find(|(bound, _)| *bound == le)
                .map(|&(_, n)| n)
        };
        assert_eq!(at(Some(Duration::from_micros(100))), Some(1));
        assert_eq!(at(Some(Duration::from_micros(250))), Some(2));
        assert_eq!(at(Some(Duration::from_millis(1))), Some(2));
        assert_eq!(at(Some(Duration::from_millis(5))), Some(3));
        assert_eq!(at(Some(Duration::from_secs(5))), Some(3));
        assert_eq!(at(None), Some(4));
        assert_eq!(snapshot.cumulative.len(), NEIGH_TO_ROUTE_BUCKETS.len() + 1);
    }

    #[test]
    fn bounds_are_sorted() {
        assert!(NEIGH_TO_ROUTE_BUCKETS.windows(2).all(|w| w[0] < w[1]));
    }
}
