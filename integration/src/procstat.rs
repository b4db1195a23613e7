//! Resource use of a process from /proc, for fabric benchmarks that put our
//! daemon next to FRR, BIRD and GoBGP: CPU time (user + system) and peak RSS.

use std::time::Duration;

use crate::error::{Error, Result};

/// CPU time and memory of one process at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcUsage {
    /// Time spent in user mode.
    pub user: Duration,
    /// Time spent in the kernel on the process's behalf.
    pub system: Duration,
    /// Peak resident set size (VmHWM), bytes.
    pub peak_rss: u64,
    /// Current resident set size (VmRSS), bytes.
    pub rss: u64,
}

impl ProcUsage {
    /// User plus system time.
    pub fn cpu(&self) -> Duration {
        self.user + self.system
    }
}

/// Clock ticks per second of /proc/PID/stat. Linux reports USER_HZ, which is
/// 100 on every architecture Debian ships (it is fixed in the kernel ABI).
const USER_HZ: u64 = 100;

/// User and system CPU time of `pid` (from /proc/PID/stat, fields 14 and 15).
pub fn cpu_time(pid: u32) -> Result<(Duration, Duration)> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
    parse_stat(&stat).ok_or_else(|| Error::parse(&path, "no utime/stime fields", &stat))
}

fn parse_stat(stat: &str) -> Option<(Duration, Duration)> {
    // the command name (field 2) may contain spaces and parentheses: skip to the last ')'
    let (_, rest) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // rest starts at field 3 (state): utime is field 14, stime field 15
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let tick = |t: u64| Duration::from_millis(t * 1000 / USER_HZ);
    Some((tick(utime), tick(stime)))
}

/// Peak and current resident set size of `pid` in bytes (VmHWM, VmRSS).
pub fn memory(pid: u32) -> Result<(u64, u64)> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
    let kib = |key: &str| {
        status.lines().find_map(|l| {
            let v = l.strip_prefix(key)?.trim().strip_suffix("kB")?.trim();
            v.parse::<u64>().ok().map(|k| k * 1024)
        })
    };
    match (kib("VmHWM:"), kib("VmRSS:")) {
        (Some(hwm), Some(rss)) => Ok((hwm, rss)),
        _ => Err(Error::parse(
            &path,
            "no VmHWM/VmRSS (a kernel thread or a zombie?)",
            &status,
        )),
    }
}

/// CPU time and memory of `pid` now.
pub fn usage(pid: u32) -> Result<ProcUsage> {
    let (user, system) = cpu_time(pid)?;
    let (peak_rss, rss) = memory(pid)?;
    Ok(ProcUsage {
        user,
        system,
        peak_rss,
        rss,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_with_spaces_in_the_name() {
        let stat = "42 (a (b) c) S 1 42 42 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 1 0 5 1000 10";
        assert_eq!(
            parse_stat(stat),
            Some((Duration::from_millis(2500), Duration::from_millis(750)))
        );
    }

    #[test]
    fn reads_this_process() {
        let u = usage(std::process::id()).unwrap();
        assert!(u.peak_rss >= u.rss && u.rss > 0, "{u:?}");
    }
}
