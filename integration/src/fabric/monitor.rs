//! A record of every change to a namespace's kernel routes
//! (`ip monitor route`) while a test runs, to prove that a route was never
//! deleted — sampling could miss a short withdrawal, the monitor cannot.

use std::path::PathBuf;
use std::time::Duration;

use crate::daemon::Daemon;
use crate::error::{Error, Result};
use crate::netns::Netns;

/// `ip monitor route` running in a namespace, its output in a log file.
#[derive(Debug)]
pub struct RouteMonitor {
    daemon: Daemon,
    log: PathBuf,
}

impl RouteMonitor {
    /// Starts monitoring `ns`'s routes (IPv4). Give it a moment before the
    /// change it should see: [`RouteMonitor::start`] waits 300 ms for
    /// `ip monitor` to subscribe.
    pub fn start(ns: &Netns, label: &str) -> Result<RouteMonitor> {
        let log = ns.workdir().join(format!("monitor-{label}.log"));
        let _ = std::fs::remove_file(&log);
        let mut c = ns.command("ip");
        c.args(["-4", "monitor", "route"]);
        let daemon = Daemon::spawn(format!("ip monitor route in {}", ns.name()), c, &log)?;
        std::thread::sleep(Duration::from_millis(300));
        Ok(RouteMonitor { daemon, log })
    }

    /// Stops monitoring; the route deletions it saw (`Deleted …` lines),
    /// optionally only those whose destination is in `dsts` (`172.16.1.41`).
    pub fn deletions(mut self, dsts: &[String]) -> Result<Vec<String>> {
        self.daemon.check()?;
        self.daemon.stop();
        let text =
            std::fs::read_to_string(&self.log).map_err(|e| Error::io("read", &self.log, e))?;
        Ok(text
            .lines()
            .filter(|l| l.starts_with("Deleted "))
            .filter(|l| {
                dsts.is_empty()
                    || l.split_whitespace()
                        .nth(1)
                        .is_some_and(|d| dsts.iter().any(|x| x == d))
            })
            .map(str::to_string)
            .collect())
    }
}
