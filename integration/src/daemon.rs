//! A daemon process started in a namespace as our child (foreground, so we
//! reap it): output to a log file, SIGTERM then SIGKILL on [`Daemon::stop`]
//! and on drop, liveness checks that quote the log when it died.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::cmd;
use crate::error::{Error, Result};
use crate::procstat::{self, ProcUsage};

/// A running daemon; stopped (and reaped) on drop.
#[derive(Debug)]
pub struct Daemon {
    label: String,
    child: Option<Child>,
    log: PathBuf,
}

impl Daemon {
    /// Spawns `cmd` with stdout and stderr appended to `log`. `label` names
    /// it in errors (`bgpd in sp1`).
    pub fn spawn(label: impl Into<String>, mut cmd: Command, log: &Path) -> Result<Daemon> {
        let open = || {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
                .map_err(|e| Error::io("open", log, e))
        };
        cmd.stdin(Stdio::null()).stdout(open()?).stderr(open()?);
        let child = cmd.spawn().map_err(|source| Error::Spawn {
            command: cmd::describe(&cmd),
            source,
        })?;
        Ok(Daemon {
            label: label.into(),
            child: Some(child),
            log: log.to_path_buf(),
        })
    }

    /// The daemon's pid (its own: `ip netns exec` execs it). 0 once stopped.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// What the daemon is called in messages.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The file its stdout and stderr go to.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// Ok while the daemon runs; the exit status and the end of its log once
    /// it has exited.
    pub fn check(&mut self) -> Result<()> {
        let Some(child) = self.child.as_mut() else {
            return Err(self.exited("stopped by the test".into()));
        };
        match child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(self.exited(status.to_string())),
            Err(e) => Err(self.exited(e.to_string())),
        }
    }

    fn exited(&self, status: String) -> Error {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(15)..].join("\n");
        Error::DaemonExited {
            daemon: self.label.clone(),
            status,
            log: self.log.display().to_string(),
            tail,
        }
    }

    /// CPU time and memory of the daemon now.
    pub fn usage(&self) -> Result<ProcUsage> {
        procstat::usage(self.pid())
    }

    /// Sends a signal (`TERM`, `HUP`, `STOP`, `CONT`, …) to the daemon.
    pub fn signal(&self, signal: &str) {
        if self.child.is_some() {
            cmd::signal(self.pid(), signal);
        }
    }

    /// Stops the daemon: SIGTERM, up to `grace` to exit, then SIGKILL; reaps it.
    pub fn stop_within(&mut self, grace: Duration) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if matches!(child.try_wait(), Ok(None)) {
            cmd::signal(child.id(), "CONT");
            cmd::signal(child.id(), "TERM");
            let deadline = Instant::now() + grace;
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Stops the daemon gracefully (SIGTERM, 5 s, then SIGKILL).
    pub fn stop(&mut self) {
        self.stop_within(Duration::from_secs(5));
    }

    /// Kills the daemon at once (SIGKILL): no NOTIFICATION, no cleanup, as
    /// a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop_within(Duration::from_secs(3));
    }
}
