//! The machine's load average (`/proc/loadavg`): benchmarks on a shared
//! machine wait for it to fall before measuring and print it beside their
//! figures.

use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The 1-, 5- and 15-minute load averages.
pub fn load_average() -> Result<[f64; 3]> {
    let path = "/proc/loadavg";
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    parse(&text).ok_or_else(|| Error::parse(path, "not three load averages", &text))
}

fn parse(text: &str) -> Option<[f64; 3]> {
    let mut f = text.split_whitespace().map(|v| v.parse::<f64>().ok());
    Some([f.next()??, f.next()??, f.next()??])
}

/// Waits (checking every 10 s) until the 1-minute load average is below
/// `limit` or `max_wait` passed; the load averages at the end and how long
/// it waited. `progress` sees each reading that was still too high.
pub fn wait_for_load_below(
    limit: f64,
    max_wait: Duration,
    mut progress: impl FnMut([f64; 3]),
) -> Result<([f64; 3], Duration)> {
    let start = Instant::now();
    loop {
        let load = load_average()?;
        if load[0] < limit || start.elapsed() >= max_wait {
            return Ok((load, start.elapsed()));
        }
        progress(load);
        std::thread::sleep(Duration::from_secs(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_loadavg() {
        assert_eq!(
            parse("1.65 3.06 2.69 3/512 12345\n"),
            Some([1.65, 3.06, 2.69])
        );
        assert_eq!(parse("1.0 2.0"), None);
    }

    #[test]
    fn reads_this_machine() {
        let l = load_average().unwrap();
        assert!(l.iter().all(|v| *v >= 0.0), "{l:?}");
    }
}
