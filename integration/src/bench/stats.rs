//! Latency summaries: count, median, 99th percentile and maximum of a set
//! of samples (nearest-rank percentiles, no interpolation: every figure
//! printed is a latency that was measured).

use std::time::Duration;

/// The distribution of a set of latencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// How many samples.
    pub count: usize,
    /// The smallest.
    pub min: Duration,
    /// The median (nearest rank).
    pub median: Duration,
    /// The 99th percentile (nearest rank).
    pub p99: Duration,
    /// The largest.
    pub max: Duration,
}

impl Summary {
    /// The summary of `samples`; `None` when there are none.
    pub fn of(samples: &[Duration]) -> Option<Summary> {
        if samples.is_empty() {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        Some(Summary {
            count: sorted.len(),
            min: sorted[0],
            median: nearest_rank(&sorted, 50),
            p99: nearest_rank(&sorted, 99),
            max: sorted[sorted.len() - 1],
        })
    }
}

/// The `pct`-th percentile of non-empty, sorted `sorted`: the smallest
/// sample with at least `pct` % of the samples at or below it.
fn nearest_rank(sorted: &[Duration], pct: usize) -> Duration {
    let rank = (pct * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|&m| Duration::from_millis(m)).collect()
    }

    #[test]
    fn nearest_rank_percentiles_of_a_hundred() {
        let s = Summary::of(&ms(&(1..=100).rev().collect::<Vec<_>>())).unwrap();
        assert_eq!(s.count, 100);
        assert_eq!(s.min, Duration::from_millis(1));
        assert_eq!(s.median, Duration::from_millis(50));
        assert_eq!(s.p99, Duration::from_millis(99));
        assert_eq!(s.max, Duration::from_millis(100));
    }

    #[test]
    fn one_outlier_in_a_thousand_is_above_p99() {
        let mut v = vec![5; 999];
        v.push(900);
        let s = Summary::of(&ms(&v)).unwrap();
        assert_eq!(s.p99, Duration::from_millis(5));
        assert_eq!(s.max, Duration::from_millis(900));
    }

    #[test]
    fn small_sets_and_empty() {
        let s = Summary::of(&ms(&[7])).unwrap();
        assert_eq!(
            (s.median, s.p99),
            (Duration::from_millis(7), Duration::from_millis(7))
        );
        let s = Summary::of(&ms(&[1, 2])).unwrap();
        assert_eq!(
            (s.median, s.p99),
            (Duration::from_millis(1), Duration::from_millis(2))
        );
        assert_eq!(Summary::of(&[]), None);
    }
}
