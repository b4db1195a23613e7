//! Traffic that runs while a test changes the fabric: `ping` from a
//! container at a fixed rate in the background, and its report (how many
//! answers, which sequence numbers were lost) once it finished.

use std::net::Ipv4Addr;
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::cmd;
use crate::error::{Error, Result};
use crate::netns::Netns;

/// A background `ping -c COUNT -i INTERVAL -W 1 DST` in a namespace; killed
/// on drop if still running.
#[derive(Debug)]
pub struct Pinger {
    child: Option<Child>,
    what: String,
    count: u32,
}

/// What a finished [`Pinger`] saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PingReport {
    /// Echo requests sent.
    pub sent: u32,
    /// Sequence numbers (1-based) that got an answer.
    pub answered: Vec<u32>,
}

impl PingReport {
    /// Sequence numbers sent without an answer.
    pub fn lost(&self) -> Vec<u32> {
        (1..=self.sent)
            .filter(|s| !self.answered.contains(s))
            .collect()
    }
}

impl Pinger {
    /// Starts `count` pings from `ns` to `dst`, one every `interval` (at
    /// least 200 ms, to keep the load low), each answer awaited up to 1 s.
    pub fn start(ns: &Netns, dst: Ipv4Addr, count: u32, interval: Duration) -> Result<Pinger> {
        let interval = interval.max(Duration::from_millis(200));
        let mut c = ns.command("ping");
        c.args([
            "-n",
            "-c",
            &count.to_string(),
            "-i",
            &format!("{:.3}", interval.as_secs_f64()),
            "-W",
            "1",
            &dst.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let what = cmd::describe(&c);
        let child = c.spawn().map_err(|source| Error::Spawn {
            command: what.clone(),
            source,
        })?;
        Ok(Pinger {
            child: Some(child),
            what,
            count,
        })
    }

    /// Waits for ping to finish (it sends all its requests; the last one
    /// waits up to 1 s) and reports what was answered.
    pub fn finish(mut self) -> Result<PingReport> {
        let child = self
            .child
            .take()
            .ok_or_else(|| Error::Invalid("ping already finished".into()))?;
        let out = child
            .wait_with_output()
            .map_err(|e| Error::io("wait for", &self.what, e))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let mut answered: Vec<u32> = text
            .lines()
            .filter(|l| l.contains("bytes from"))
            .filter_map(|l| {
                l.split_whitespace()
                    .find_map(|w| w.strip_prefix("icmp_seq="))
                    .and_then(|s| s.parse().ok())
            })
            .collect();
        answered.sort_unstable();
        answered.dedup();
        Ok(PingReport {
            sent: self.count,
            answered,
        })
    }
}

impl Drop for Pinger {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
