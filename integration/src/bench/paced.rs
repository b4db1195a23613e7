//! `ip -n NS -force -batch -` fed one line at a time: a benchmark writes
//! neighbour entries or routes at the moments it chooses without paying
//! for a process per command (the spawn would cost more CPU than what is
//! measured). Errors of single lines are logged and counted by `ip`, which
//! goes on (`-force`); [`BatchPipe::finish`] reports them.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};

use crate::error::{Error, Result};
use crate::netns::Netns;

/// A running `ip -batch -` in a namespace; killed on drop if not finished.
#[derive(Debug)]
pub struct BatchPipe {
    child: Child,
    stdin: Option<ChildStdin>,
    log: PathBuf,
    label: String,
}

impl BatchPipe {
    /// Starts `ip -n NS -force -batch -`; its output goes to
    /// `<workdir>/batch-<label>.log`.
    pub fn start(ns: &Netns, label: &str) -> Result<BatchPipe> {
        let log = ns.workdir().join(format!("batch-{label}.log"));
        let out = std::fs::File::create(&log).map_err(|e| Error::io("create", &log, e))?;
        let err = out.try_clone().map_err(|e| Error::io("dup", &log, e))?;
        let mut c = Command::new("ip");
        c.args(["-n", ns.name(), "-force", "-batch", "-"])
            .stdin(Stdio::piped())
            .stdout(out)
            .stderr(err);
        let mut child = c.spawn().map_err(|source| Error::Spawn {
            command: format!("ip -n {} -force -batch -", ns.name()),
            source,
        })?;
        let stdin = child.stdin.take();
        Ok(BatchPipe {
            child,
            stdin,
            log,
            label: format!("ip -batch in {}", ns.name()),
        })
    }

    /// Hands `line` (an `ip` command without the leading `ip`) to `ip` now.
    pub fn send(&mut self, line: &str) -> Result<()> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| Error::Invalid(format!("{} is finished", self.label)))?;
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stdin.flush())
            .map_err(|e| Error::io("write to", &self.label, e))
    }

    /// Closes `ip`'s input and waits for it; an error quoting its log if a
    /// line failed.
    pub fn finish(mut self) -> Result<()> {
        drop(self.stdin.take());
        let status = self
            .child
            .wait()
            .map_err(|e| Error::io("wait for", &self.label, e))?;
        if status.success() {
            return Ok(());
        }
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(5).collect();
        Err(Error::Command {
            command: self.label.clone(),
            status: status.to_string(),
            stderr: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        })
    }
}

impl Drop for BatchPipe {
    fn drop(&mut self) {
        if self.stdin.take().is_some() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}
