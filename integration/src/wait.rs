//! Bounded polling: tests wait for what a user would see, with generous
//! timeouts, and never assert on how long something took.

use std::fmt::Debug;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How often conditions are polled.
pub const POLL: Duration = Duration::from_millis(200);

/// Polls `probe` every [`POLL`] until it returns `Some`, for at most
/// `timeout`. The error names `what` was awaited.
pub fn wait_until<T>(
    timeout: Duration,
    what: &str,
    mut probe: impl FnMut() -> Option<T>,
) -> Result<T> {
    wait_for(timeout, what, || {
        probe().ok_or_else(|| pending("condition not met"))
    })
}

/// "Not yet", with what was observed instead. Crate errors convert into it
/// with `?` (a query failing while a daemon starts is "not yet" too), except
/// [`Error::DaemonExited`], which ends the wait at once.
#[derive(Debug)]
pub struct Pending {
    observed: String,
    fatal: Option<Error>,
}

/// "Not yet": `observed` (Debug-formatted) is reported if the wait times out.
pub fn pending(observed: impl Debug) -> Pending {
    Pending {
        observed: format!("{observed:?}"),
        fatal: None,
    }
}

impl From<Error> for Pending {
    fn from(e: Error) -> Pending {
        match e {
            Error::DaemonExited { .. } => Pending {
                observed: e.to_string(),
                fatal: Some(e),
            },
            e => Pending {
                observed: e.to_string(),
                fatal: None,
            },
        }
    }
}

/// Polls `probe` every [`POLL`] until it returns `Ok`, for at most `timeout`.
/// `Err(`[`pending`]`(observed))` means "not yet"; the last observed value
/// is in the timeout error next to `what` was awaited.
///
/// ```no_run
/// # fn f(frr: &integration::frr::Frr) -> integration::Result<()> {
/// use integration::{wait::pending, wait_for, Afi};
/// let path = wait_for(std::time::Duration::from_secs(30), "10.1.2.3/32 at FRR", || {
///     let rib = frr.bgp_rib(Afi::Ipv4)?;
///     rib.get("10.1.2.3/32").cloned().ok_or_else(|| pending(rib.keys().collect::<Vec<_>>()))
/// })?;
/// # Ok(()) }
/// ```
pub fn wait_for<T>(
    timeout: Duration,
    what: &str,
    mut probe: impl FnMut() -> std::result::Result<T, Pending>,
) -> Result<T> {
    let start = Instant::now();
    loop {
        let last = match probe() {
            Ok(v) => return Ok(v),
            Err(Pending { fatal: Some(e), .. }) => return Err(e),
            Err(p) => p.observed,
        };
        if start.elapsed() >= timeout {
            let mut last = last;
            if last.len() > 2000 {
                let mut cut = 2000;
                while !last.is_char_boundary(cut) {
                    cut -= 1;
                }
                last.truncate(cut);
                last.push('…');
            }
            return Err(Error::Timeout {
                what: what.to_string(),
                timeout,
                last,
            });
        }
        std::thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_the_value_once_ready() {
        let mut n = 0;
        let v = wait_until(Duration::from_secs(5), "n to reach 2", || {
            n += 1;
            (n >= 2).then_some(n)
        });
        assert_eq!(v.unwrap(), 2);
    }

    #[test]
    fn timeout_names_what_and_last_observed() {
        let e = wait_for(Duration::ZERO, "the moon", || {
            Err::<(), _>(pending("still cheese"))
        })
        .unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("the moon"), "{msg}");
        assert!(msg.contains("still cheese"), "{msg}");
    }
}
