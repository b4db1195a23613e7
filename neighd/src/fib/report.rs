//! What one batch of route changes did: how many routes went in and out,
//! which prefixes failed, and why — each distinct reason once, with a count.

use std::fmt;

use bgp::wire::Prefix;

/// The outcome of [`super::Fib::apply`] and the other batch operations.
/// Failures are per route and never stop the batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FibReport {
    /// Routes installed or replaced.
    pub installed: usize,
    /// Routes removed (including ones that were already gone).
    pub removed: usize,
    /// Prefixes whose change failed, in the order of the batch.
    pub failed: Vec<Prefix>,
    /// The distinct reasons of the failures.
    pub reasons: Vec<FailureReason>,
}

/// One reason routes failed, with how many and one example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureReason {
    /// One line, e.g. `install: Network is unreachable (os error 101)`.
    pub reason: String,
    /// How many routes failed for it.
    pub count: usize,
    /// The first prefix that did.
    pub example: Prefix,
}

impl FibReport {
    /// Whether every change succeeded.
    pub fn is_ok(&self) -> bool {
        self.failed.is_empty()
    }

    /// Records that the change of `prefix` failed for `reason`.
    pub(crate) fn fail(&mut self, prefix: Prefix, reason: String) {
        self.failed.push(prefix);
        match self.reasons.iter_mut().find(|r| r.reason == reason) {
            Some(r) => r.count += 1,
            None => self.reasons.push(FailureReason {
                reason,
                count: 1,
                example: prefix,
            }),
        }
    }
}

impl fmt::Display for FibReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} installed, {} removed, {} failed",
            self.installed,
            self.removed,
            self.failed.len()
        )?;
        for r in &self.reasons {
            write!(f, "; {} × {} (e.g. {})", r.count, r.reason, r.example)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_counted_per_distinct_reason() {
        let mut report = FibReport::default();
        let a: Prefix = "10.0.0.1/32".parse().expect("test prefix");
        let b: Prefix = "10.0.0.2/32".parse().expect("test prefix");
        report.fail(a, "install: down".into());
        report.fail(b, "install: down".into());
        report.fail(b, "remove: busy".into());
        report.installed = 5;
        assert!(!report.is_ok());
        assert_eq!(report.failed, vec![a, b, b]);
        assert_eq!(report.reasons.len(), 2);
        assert_eq!(report.reasons[0].count, 2);
        assert_eq!(report.reasons[0].example, a);
        assert_eq!(
            report.to_string(),
            "5 installed, 0 removed, 3 failed; 2 × install: down (e.g. 10.0.0.1/32); \
             1 × remove: busy (e.g. 10.0.0.2/32)"
        );
    }
}
