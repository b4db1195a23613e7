//! When FRR's bgpd put a prefix into its RIB or took it out: the lines
//! `debug bgp updates in` writes for every NLRI of an UPDATE it accepts
//! (`2026/11/21 10:15:52.843259 BGP: [YCKEM-GB33T] swp1(leaf01) rcvd
//! 172.16.4.5/32 IPv4 unicast`) and every withdrawal (`… rcvd UPDATE about
//! 10.128.7.8/32 IPv4 unicast -- withdrawn`), with `log timestamp precision
//! 6`. The time stamps are local time like `ip -ts`'s, so they compare with
//! [`super::events::Event::at_us`]. bgpd logs them before its best-path
//! work queue (which holds 50 ms) and zebra's (10 ms) run, so they are the
//! moment the spine's RIB has the news, not its kernel.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::events::parse_stamp;
use crate::error::{Error, Result};
use crate::frr::Frr;

/// What bgpd logged about a prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum News {
    /// Received (announced to it).
    Announced,
    /// Withdrawn.
    Withdrawn,
}

/// Where [`log_updates_in`] has FRR log: `<frr dir>/updates.log`.
pub fn log_path(frr: &Frr) -> PathBuf {
    frr.dir().join("updates.log")
}

/// Turns on the logging [`first_news`] reads, at run time (no restart):
/// `debug bgp updates in` to a log file of its own with microsecond time
/// stamps, unbuffered (FRR's stdout log keeps the last lines until more
/// follow, which a benchmark reading it at once would miss).
pub fn log_updates_in(frr: &Frr) -> Result<()> {
    let file = format!("log file {} debugging", log_path(frr).display());
    frr.configure(&[
        "log immediate-mode",
        "log timestamp precision 6",
        &file,
        "debug bgp updates in",
    ])
}

/// The first time bgpd logged `news` about each prefix (`172.16.4.5/32`),
/// in microseconds as [`super::events::Event::at_us`], from the log
/// [`log_updates_in`] set up.
pub fn first_news(frr: &Frr, news: News) -> Result<HashMap<String, i64>> {
    read(&log_path(frr), news)
}

fn read(path: &Path, news: News) -> Result<HashMap<String, i64>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    let mut first = HashMap::new();
    for (n, prefix, at) in text.lines().filter_map(parse_line) {
        if n == news {
            first.entry(prefix).or_insert(at);
        }
    }
    Ok(first)
}

fn parse_line(line: &str) -> Option<(News, String, i64)> {
    let mut words = line.split_whitespace();
    let (date, time) = (words.next()?, words.next()?);
    words.find(|w| *w == "rcvd")?;
    let mut prefix = words.next()?;
    let mut news = News::Announced;
    if prefix == "UPDATE" {
        if words.next()? != "about" || !line.trim_end().ends_with("-- withdrawn") {
            return None;
        }
        prefix = words.next()?;
        news = News::Withdrawn;
    }
    let (addr, len) = prefix.split_once('/')?;
    addr.parse::<std::net::IpAddr>().ok()?;
    len.parse::<u8>().ok()?;
    Some((
        news,
        prefix.to_string(),
        parse_stamp(&format!("{date} {time}"))?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_announcements_and_withdrawals_only() {
        let at = parse_stamp("2026-11-21T10:15:52.843259").unwrap();
        assert_eq!(
            parse_line("2026/11/21 10:15:52.843259 BGP: [YCKEM-GB33T] swp1(leaf01) rcvd 172.16.4.5/32 IPv4 unicast"),
            Some((News::Announced, "172.16.4.5/32".to_string(), at))
        );
        assert_eq!(
            parse_line("2026/11/21 10:15:52.843259 BGP: [PAPP6-VDAWM] swp1(leaf01) rcvd UPDATE about 10.128.7.8/32 IPv4 unicast -- withdrawn"),
            Some((News::Withdrawn, "10.128.7.8/32".to_string(), at))
        );
        assert_eq!(
            parse_line("2026/11/21 10:15:52.843259 BGP: [X] swp1 rcvd UPDATE about 10.1.1.1/32 IPv4 unicast -- DENIED due to: martian"),
            None
        );
        assert_eq!(
            parse_line("2026/11/21 10:15:52.843100 BGP: [TJ7BV-7R5JX] swp1(leaf01) rcvd UPDATE w/ attr: nexthop fe80::1"),
            None
        );
        assert_eq!(parse_line("2026/11/21 10:15:52.8 ZEBRA: started"), None);
    }

    #[test]
    fn keeps_the_first_time_a_prefix_was_received() {
        let dir = std::env::temp_dir().join(format!("frr-log-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bgpd.out");
        std::fs::write(
            &path,
            "2026/11/21 10:00:00.000001 BGP: [X] swp1 rcvd 10.0.0.1/32 IPv4 unicast\n\
             2026/11/21 10:00:01.000001 BGP: [X] swp1 rcvd 10.0.0.1/32 IPv4 unicast\n\
             2026/11/21 10:00:02.000001 BGP: [X] swp1 rcvd UPDATE about 10.0.0.1/32 IPv4 unicast -- withdrawn\n",
        )
        .unwrap();
        let got = read(&path, News::Announced).unwrap();
        let gone = read(&path, News::Withdrawn).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(
            gone["10.0.0.1/32"],
            parse_stamp("2026-11-21T10:00:02.000001").unwrap()
        );
        assert_eq!(
            got["10.0.0.1/32"],
            parse_stamp("2026-11-21T10:00:00.000001").unwrap()
        );
    }
}
