//! Our own speaker in a namespace: the `bgp-speaker` harness binary run
//! with `ip netns exec`, driven through its stdin line protocol (one JSON
//! line of reply per command), with typed answers in the crate's route
//! vocabulary. Its log (stderr) goes to `<workdir>/bgp-speaker/speaker.log`;
//! it is shut down (end of stdin, then SIGKILL after 3 s) on drop.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::cmd;
use crate::error::{Error, Result};
use crate::netns::Netns;
use crate::procstat::{self, ProcUsage};
use crate::route::{parse_as_path, BgpPath, BgpRib};

/// A peer as the harness's `peers` command reports it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpeakerPeer {
    /// Configured name (the address).
    pub name: String,
    /// `Established`, `Active`, …
    pub state: String,
    /// The peer's AS (or the configured one before it is known).
    pub remote_as: String,
    /// Seconds since the session came up.
    pub uptime_secs: Option<f64>,
    /// Prefixes in the peer's Adj-RIB-In.
    pub prefixes_received: u64,
    /// Prefixes in the peer's Adj-RIB-Out.
    pub prefixes_sent: u64,
    /// The hostname the peer announced.
    pub hostname: Option<String>,
    /// Why the session last went down.
    pub last_error: Option<String>,
    /// ROUTE-REFRESH requests received from the peer.
    pub refresh_requests_received: u64,
}

impl SpeakerPeer {
    /// Whether the session is up.
    pub fn is_established(&self) -> bool {
        self.state == "Established"
    }
}

/// The harness's `routes-count` answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RouteCounts {
    /// Prefixes in the Loc-RIB.
    pub total: u64,
    /// Prefixes with at least one learned path.
    pub learned: u64,
    /// Prefixes with two or more multipath (ECMP) paths.
    pub ecmp: u64,
}

/// A running `bgp-speaker`.
#[derive(Debug)]
pub struct SpeakerProc {
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    log: PathBuf,
    label: String,
}

impl SpeakerProc {
    /// Starts `binary` (the harness; in this crate's tests and benches
    /// `env!("CARGO_BIN_EXE_bgp-speaker")`) in `ns` with `args` (its flags).
    pub fn start<S: AsRef<std::ffi::OsStr>>(
        ns: &Netns,
        binary: &Path,
        args: &[S],
    ) -> Result<SpeakerProc> {
        let dir = ns.subdir("bgp-speaker")?;
        let log = dir.join("speaker.log");
        let file = std::fs::File::create(&log).map_err(|e| Error::io("create", &log, e))?;
        let mut c = ns.command(binary);
        c.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(file);
        if std::env::var_os("RUST_LOG").is_none() {
            c.env("RUST_LOG", "info");
        }
        let mut child = c.spawn().map_err(|source| Error::Spawn {
            command: cmd::describe(&c),
            source,
        })?;
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        Ok(SpeakerProc {
            child: Some(child),
            stdin,
            stdout,
            log,
            label: format!("bgp-speaker in {}", ns.name()),
        })
    }

    /// The process id (its own: `ip netns exec` execs it).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// CPU time and memory now.
    pub fn usage(&self) -> Result<ProcUsage> {
        procstat::usage(self.pid())
    }

    /// The log file (the harness's stderr).
    pub fn log(&self) -> &Path {
        &self.log
    }

    fn died(&mut self, what: &str) -> Error {
        let status = self
            .child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
            .map_or_else(|| what.to_string(), |s| s.to_string());
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        Error::DaemonExited {
            daemon: self.label.clone(),
            status,
            log: self.log.display().to_string(),
            tail: lines[lines.len().saturating_sub(15)..].join("\n"),
        }
    }

    /// Sends one command line; its JSON reply. A reply with `"ok": false`
    /// is an [`Error::Command`] carrying the harness's error text.
    pub fn command(&mut self, line: &str) -> Result<Value> {
        let Some(stdin) = self.stdin.as_mut() else {
            return Err(Error::Invalid(format!("{} was shut down", self.label)));
        };
        if writeln!(stdin, "{line}")
            .and_then(|()| stdin.flush())
            .is_err()
        {
            return Err(self.died("stdin closed"));
        }
        let mut text = String::new();
        match self.stdout.read_line(&mut text) {
            Ok(0) | Err(_) => return Err(self.died("stdout closed")),
            Ok(_) => {}
        }
        let v: Value = serde_json::from_str(&text).map_err(|e| {
            Error::parse(&format!("{} <<< {line}", self.label), e.to_string(), &text)
        })?;
        if v.get("ok") == Some(&Value::Bool(true)) {
            Ok(v)
        } else {
            Err(Error::Command {
                command: format!("{} <<< {line}", self.label),
                status: "ok: false".into(),
                stderr: v
                    .get("error")
                    .and_then(Value::as_str)
                    .unwrap_or("no error text")
                    .to_string(),
            })
        }
    }

    /// `peers`.
    pub fn peers(&mut self) -> Result<Vec<SpeakerPeer>> {
        let v = self.command("peers")?;
        let s = |p: &Value, k: &str| p.get(k).and_then(Value::as_str).map(str::to_string);
        let n = |p: &Value, k: &str| p.get(k).and_then(Value::as_u64).unwrap_or(0);
        Ok(v["peers"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| SpeakerPeer {
                name: s(p, "name").unwrap_or_default(),
                state: s(p, "state").unwrap_or_default(),
                remote_as: s(p, "remote_as").unwrap_or_default(),
                uptime_secs: p.get("uptime_secs").and_then(Value::as_f64),
                prefixes_received: n(p, "prefixes_received"),
                prefixes_sent: n(p, "prefixes_sent"),
                hostname: s(p, "hostname"),
                last_error: s(p, "last_error"),
                refresh_requests_received: n(p, "refresh_requests_received"),
            })
            .collect())
    }

    /// The peer named `name` (its address), if configured.
    pub fn peer(&mut self, name: &str) -> Result<Option<SpeakerPeer>> {
        Ok(self.peers()?.into_iter().find(|p| p.name == name))
    }

    /// `routes`: the Loc-RIB, prefix → paths (`peer` is `local` or the
    /// peer's name; `next_hops` empty for our own routes).
    pub fn routes(&mut self) -> Result<BgpRib> {
        let v = self.command("routes")?;
        let mut rib = BgpRib::new();
        for r in v["routes"].as_array().into_iter().flatten() {
            let prefix = r["prefix"].as_str().unwrap_or_default().to_string();
            let paths = r["paths"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| BgpPath {
                    prefix: prefix.clone(),
                    as_path: parse_as_path(p["as_path"].as_str().unwrap_or_default()),
                    // `10.1.0.2`, `fd00::2`, `fd00::2 (fe80::2)`, `self`
                    next_hops: p["next_hop"]
                        .as_str()
                        .unwrap_or_default()
                        .split([' ', '(', ')'])
                        .filter_map(|a| a.parse().ok())
                        .collect(),
                    valid: true,
                    best: p["best"].as_bool().unwrap_or(false),
                    multipath: p["multipath"].as_bool().unwrap_or(false),
                    stale: p["stale"].as_bool().unwrap_or(false),
                    peer: p["from"].as_str().unwrap_or_default().to_string(),
                    ..BgpPath::default()
                })
                .collect();
            rib.insert(prefix, paths);
        }
        Ok(rib)
    }

    /// `routes-count`.
    pub fn route_counts(&mut self) -> Result<RouteCounts> {
        let v = self.command("routes-count")?;
        let n = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
        Ok(RouteCounts {
            total: n("total"),
            learned: n("learned"),
            ecmp: n("ecmp"),
        })
    }

    /// `fib`: prefix → next-hop addresses (as text), from the speaker's
    /// route event stream.
    pub fn fib(&mut self) -> Result<std::collections::BTreeMap<String, Vec<String>>> {
        let v = self.command("fib")?;
        Ok(v["fib"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(p, hops)| {
                let hops = hops
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|h| h["address"].as_str().map(str::to_string))
                    .collect();
                (p.clone(), hops)
            })
            .collect())
    }

    /// `wait-learned N TIMEOUT`: blocks until the FIB stream has `n`
    /// learned prefixes (or fails when `timeout` runs out).
    pub fn wait_learned(&mut self, n: u64, timeout: Duration) -> Result<u64> {
        let v = self.command(&format!("wait-learned {n} {}", timeout.as_millis()))?;
        Ok(v["learned"].as_u64().unwrap_or(0))
    }

    /// `shutdown [message]`, then waits (up to 5 s) for the process to exit.
    pub fn shutdown(&mut self, message: Option<&str>) -> Result<()> {
        let line = match message {
            Some(m) => format!("shutdown {m}"),
            None => "shutdown".into(),
        };
        self.command(&line)?;
        self.stop_within(Duration::from_secs(5));
        Ok(())
    }

    /// SIGKILL, as a crash or `kill -9` would: no NOTIFICATION, the
    /// kernel closes the connections.
    pub fn kill(&mut self) {
        // SIGKILL first: closing stdin first would let the harness read
        // end-of-input and shut down cleanly, with a NOTIFICATION.
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.stdin = None;
    }

    fn stop_within(&mut self, grace: Duration) {
        self.stdin = None; // end of stdin: the harness shuts down
        let Some(mut child) = self.child.take() else {
            return;
        };
        let deadline = Instant::now() + grace;
        while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for SpeakerProc {
    fn drop(&mut self) {
        self.stop_within(Duration::from_secs(3));
    }
}
