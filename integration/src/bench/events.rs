//! Kernel events of a namespace with the kernel-side moment they were seen:
//! `ip -ts -o monitor OBJECT…` running in the namespace, one line per
//! event (`[2026-11-21T10:09:30.530238] 172.16.4.7 dev swp1 …`, `Deleted`
//! in front of removals), written to a log that can be read while it runs.
//! Latencies across namespaces are differences of these timestamps, all
//! taken by the same clock and the same program (at real-time priority, so
//! its reaction time stays small).

use std::path::PathBuf;
use std::time::Duration;

use crate::daemon::Daemon;
use crate::error::{Error, Result};
use crate::netns::Netns;

/// `ip -ts -o monitor …` running in a namespace; stopped on drop.
#[derive(Debug)]
pub struct EventLog {
    daemon: Daemon,
    log: PathBuf,
}

/// One event: when, whether it was a removal, and what `ip` printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Microseconds since 1970-01-01 in the timestamp's (local) time: only
    /// differences between events mean anything.
    pub at_us: i64,
    /// The line started with `Deleted`.
    pub deleted: bool,
    /// The rest of the line (after the timestamp and `Deleted `).
    pub text: String,
}

impl Event {
    /// The first word: the destination of a route, the address of a
    /// neighbour entry.
    pub fn subject(&self) -> &str {
        self.text.split_whitespace().next().unwrap_or("")
    }

    /// For address events (`5: eth0    inet 10.1.2.3/15 …`): the address
    /// without its prefix length.
    pub fn inet(&self) -> Option<&str> {
        let mut words = self.text.split_whitespace();
        words.find(|w| *w == "inet" || *w == "inet6")?;
        words.next().map(|a| a.split('/').next().unwrap_or(a))
    }

    /// How long after `earlier` this event happened (`None` if before it).
    pub fn since(&self, earlier: &Event) -> Option<Duration> {
        let d = self.at_us.checked_sub(earlier.at_us)?;
        u64::try_from(d).ok().map(Duration::from_micros)
    }
}

impl EventLog {
    /// Starts `ip -ts -o monitor OBJECTS…` (`route`, `neigh`, `address`) in
    /// `ns`, logging to `<workdir>/events-<label>.log`, and gives it 300 ms
    /// to subscribe. It runs with real-time priority (`chrt -f 20`): the
    /// time stamp is taken when it reads the event, so it must not wait
    /// behind the work it measures.
    pub fn start(ns: &Netns, objects: &[&str], label: &str) -> Result<EventLog> {
        let log = ns.workdir().join(format!("events-{label}.log"));
        let _ = std::fs::remove_file(&log);
        let mut c = ns.command("chrt");
        c.args(["-f", "20", "ip", "-ts", "-o", "monitor"])
            .args(objects);
        let daemon = Daemon::spawn(format!("ip monitor {objects:?} in {}", ns.name()), c, &log)?;
        std::thread::sleep(Duration::from_millis(300));
        Ok(EventLog { daemon, log })
    }

    /// Every complete event logged so far (a line still being written is
    /// left for the next call); fails if the monitor died.
    pub fn events(&mut self) -> Result<Vec<Event>> {
        self.daemon.check()?;
        let text =
            std::fs::read_to_string(&self.log).map_err(|e| Error::io("read", &self.log, e))?;
        let complete = match text.rfind('\n') {
            Some(end) => &text[..end],
            None => "",
        };
        Ok(complete.lines().filter_map(parse_line).collect())
    }
}

/// Parses `[YYYY-MM-DDTHH:MM:SS.ffffff] [Deleted ]TEXT`.
fn parse_line(line: &str) -> Option<Event> {
    let rest = line.strip_prefix('[')?;
    let (stamp, text) = rest.split_once(']')?;
    let text = text.trim();
    let (deleted, text) = match text.strip_prefix("Deleted ") {
        Some(t) => (true, t),
        None => (false, text),
    };
    Some(Event {
        at_us: parse_stamp(stamp)?,
        deleted,
        text: text.to_string(),
    })
}

/// Microseconds since 1970-01-01 of a local time stamp as `ip -ts`
/// (`2026-11-21T10:09:30.530238`) or FRR's log (`2026/11/21 10:09:30.530238`)
/// print it.
pub(crate) fn parse_stamp(stamp: &str) -> Option<i64> {
    let (date, time) = stamp.split_once(['T', ' '])?;
    let mut d = date.split(['-', '/']).map(|v| v.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let mut t = hms.split(':').map(|v| v.parse::<i64>().ok());
    let (h, min, s) = (t.next()??, t.next()??, t.next()??);
    // the fraction as microseconds, whatever its number of digits
    let digits: String = frac.chars().take(6).collect();
    let us = digits.parse::<i64>().ok()? * 10_i64.pow(6 - digits.len() as u32);
    let secs = days_from_civil(y, m, day) * 86_400 + h * 3600 + min * 60 + s;
    Some(secs * 1_000_000 + us)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_route_neigh_and_address_lines() {
        let r = parse_line("[2026-11-21T10:09:30.539098] 10.9.1.5 dev d0 table 10 scope link ")
            .unwrap();
        assert_eq!((r.subject(), r.deleted), ("10.9.1.5", false));
        let d =
            parse_line("[2026-11-21T10:09:30.553681] Deleted 10.9.1.5 dev d0 table 10 scope link")
                .unwrap();
        assert_eq!((d.subject(), d.deleted), ("10.9.1.5", true));
        assert_eq!(d.since(&r), Some(Duration::from_micros(14_583)));
        assert_eq!(r.since(&d), None);
        let a = parse_line(
            "[2026-11-21T10:09:31.000001] Deleted 5: eth0    inet 10.128.3.7/15 scope global secondary eth0\\       valid_lft forever preferred_lft forever",
        )
        .unwrap();
        assert_eq!((a.inet(), a.deleted), (Some("10.128.3.7"), true));
    }

    #[test]
    fn timestamps_cross_midnight_and_month_ends() {
        let a = parse_stamp("2026-02-28T23:59:59.999999").unwrap();
        let b = parse_stamp("2026-03-01T00:00:00.000001").unwrap();
        assert_eq!(b - a, 2);
        assert_eq!(parse_stamp("1970-01-01T00:00:01.5"), Some(1_500_000));
        assert_eq!(parse_stamp("1970/01/01 00:00:01.000250"), Some(1_000_250));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn ignores_what_is_not_an_event() {
        assert_eq!(parse_line("Cannot find device \"d0\""), None);
        assert_eq!(parse_line("[garbage] x"), None);
    }
}
