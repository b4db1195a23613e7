//! neighd and neighctl, the binaries under test, run in a namespace: where
//! the binaries are, the agent as a [`Daemon`] (config written to the
//! namespace's work directory, checked with `--check` first), graceful stop,
//! crash, reload, and neighctl's JSON views (the fields of neighd's
//! `status` module that tests look at) — what a user of `neighctl --json`
//! sees.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::cmd;
use crate::daemon::Daemon;
use crate::error::{Error, Result};
use crate::netns::Netns;

/// Environment variable naming the neighd binary (default: next to the
/// running executable, as cargo lays out `target/<profile>/`).
pub const NEIGHD_BIN_ENV: &str = "NEIGHD_BIN";
/// Environment variable naming the neighctl binary.
pub const NEIGHCTL_BIN_ENV: &str = "NEIGHCTL_BIN";

/// The paths of the two binaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binaries {
    /// `neighd`.
    pub neighd: PathBuf,
    /// `neighctl`.
    pub neighctl: PathBuf,
}

impl Binaries {
    /// `$NEIGHD_BIN` / `$NEIGHCTL_BIN`, else the binaries of the same cargo
    /// profile as the running executable (`target/debug/neighd` for a test
    /// in `target/debug/deps/`). Fails, saying how to build them, if missing.
    pub fn locate() -> Result<Binaries> {
        Ok(Binaries {
            neighd: locate_one("neighd", NEIGHD_BIN_ENV)?,
            neighctl: locate_one("neighctl", NEIGHCTL_BIN_ENV)?,
        })
    }
}

fn locate_one(name: &str, env: &str) -> Result<PathBuf> {
    if let Some(p) = std::env::var_os(env) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(Error::Invalid(format!(
                "${env} = {} is not a file",
                p.display()
            )))
        };
    }
    let exe = std::env::current_exe().map_err(|e| Error::io("locate", "current_exe", e))?;
    let mut tried = Vec::new();
    for dir in exe.ancestors().skip(1).take(2) {
        let p = dir.join(name);
        if p.is_file() {
            return Ok(p);
        }
        tried.push(p.display().to_string());
    }
    Err(Error::Invalid(format!(
        "{name} not found (tried {}); build it with `cargo build -p neighd` (add --release \
         for release builds) or set ${env}",
        tried.join(", ")
    )))
}

/// A host as `neighctl show hosts --json` shows it (neighd's `HostView`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HostView {
    /// Its address.
    pub ip: String,
    /// Its MAC.
    pub mac: String,
    /// The interface it is on.
    pub interface: String,
    /// `probing`, `alive`, `dead`, `held_down`, `link_down`.
    pub state: String,
    /// Whether its host route is advertised.
    pub advertised: bool,
    /// Probes in a row it did not answer.
    #[serde(default)]
    pub misses: u32,
    /// Conflicts seen (another MAC answered for it, or it moved).
    #[serde(default)]
    pub conflicts: u32,
    /// The other MAC of the last conflict.
    #[serde(default)]
    pub conflict_mac: Option<String>,
}

/// A BGP peer as `neighctl show peers --json` shows it (neighd's `PeerView`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PeerView {
    /// The configured name: address or interface.
    pub name: String,
    /// The peer's address (discovered link-local for unnumbered peers).
    #[serde(default)]
    pub address: String,
    /// Session state (`Established`, …).
    pub state: String,
    /// Prefixes received.
    #[serde(default)]
    pub prefixes_received: usize,
    /// Prefixes advertised.
    #[serde(default)]
    pub prefixes_sent: usize,
}

/// A route as `neighctl show routes --json` shows it (neighd's `RouteView`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RouteView {
    /// The prefix.
    pub prefix: String,
    /// `host`, `announce` or `learned`.
    pub origin: String,
    /// For learned routes: the ECMP next hops.
    #[serde(default)]
    pub next_hops: Vec<String>,
    /// For learned routes: whether it is in the kernel.
    #[serde(default)]
    pub installed: bool,
}

/// neighd running in a namespace; stopped (SIGTERM) on drop.
#[derive(Debug)]
pub struct Agent {
    ns: String,
    bins: Binaries,
    config: PathBuf,
    socket: PathBuf,
    log: PathBuf,
    daemon: Option<Daemon>,
}

impl Agent {
    /// Where [`Agent::start`] puts the control socket in `ns`:
    /// `<workdir>/neighd/neighd.sock` (the value for a config's `control_socket`).
    pub fn socket_path(ns: &Netns) -> Result<PathBuf> {
        Ok(ns.subdir("neighd")?.join("neighd.sock"))
    }

    /// Writes `config` to `<workdir>/neighd/neighd.toml`, validates it
    /// (`neighd --config F --check`; a rejected config is an error quoting
    /// neighd) and starts `neighd --config F` in `ns`, logging to
    /// `<workdir>/neighd/neighd.log` (`RUST_LOG=info` unless set).
    pub fn start(ns: &Netns, bins: &Binaries, config: &str) -> Result<Agent> {
        let dir = ns.subdir("neighd")?;
        let path = dir.join("neighd.toml");
        std::fs::write(&path, config).map_err(|e| Error::io("write", &path, e))?;
        let mut agent = Agent {
            ns: ns.name().to_string(),
            bins: bins.clone(),
            config: path,
            socket: Self::socket_path(ns)?,
            log: dir.join("neighd.log"),
            daemon: None,
        };
        agent.check_config()?;
        agent.spawn(ns)?;
        Ok(agent)
    }

    /// `neighd --config F --check`, in the agent's namespace: the check
    /// looks for the configured interfaces where neighd will run.
    fn check_config(&self) -> Result<()> {
        let neighd = self.bins.neighd.to_string_lossy();
        cmd::run(
            "ip",
            [
                "netns".as_ref(),
                "exec".as_ref(),
                self.ns.as_ref(),
                std::ffi::OsStr::new(neighd.as_ref()),
                "--config".as_ref(),
                self.config.as_os_str(),
                "--check".as_ref(),
            ],
        )
        .map(drop)
    }

    fn spawn(&mut self, ns: &Netns) -> Result<()> {
        let mut c = ns.command(&self.bins.neighd);
        c.arg("--config").arg(&self.config);
        if std::env::var_os("RUST_LOG").is_none() {
            c.env("RUST_LOG", "info");
        }
        self.daemon = Some(Daemon::spawn(
            format!("neighd in {}", self.ns),
            c,
            &self.log,
        )?);
        Ok(())
    }

    /// Starts neighd again (same config file) after [`Agent::stop`] or [`Agent::kill`].
    pub fn start_again(&mut self, ns: &Netns) -> Result<()> {
        if self.daemon.is_some() {
            return Err(Error::Invalid(format!("neighd in {} is running", self.ns)));
        }
        self.spawn(ns)
    }

    /// Stops neighd with SIGTERM (with graceful restart on, it withdraws
    /// nothing) and waits for it to exit (SIGKILL after 10 s).
    pub fn stop(&mut self) {
        if let Some(mut d) = self.daemon.take() {
            d.stop_within(Duration::from_secs(10));
        }
    }

    /// Kills neighd with SIGKILL, as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut d) = self.daemon.take() {
            d.kill();
        }
    }

    /// Replaces the config file with `config` (checked first) and sends SIGHUP.
    pub fn reload(&mut self, config: &str) -> Result<()> {
        std::fs::write(&self.config, config).map_err(|e| Error::io("write", &self.config, e))?;
        self.check_config()?;
        match &self.daemon {
            Some(d) => {
                d.signal("HUP");
                Ok(())
            }
            None => Err(Error::Invalid(format!(
                "neighd in {} is not running",
                self.ns
            ))),
        }
    }

    /// Ok while neighd runs; its exit status and log tail once it exited.
    pub fn check(&mut self) -> Result<()> {
        match self.daemon.as_mut() {
            Some(d) => d.check(),
            None => Err(Error::Invalid(format!("neighd in {} is stopped", self.ns))),
        }
    }

    /// Whether neighd was started and not stopped or killed since.
    pub fn is_running(&self) -> bool {
        self.daemon.is_some()
    }

    /// The config file.
    pub fn config_path(&self) -> &Path {
        &self.config
    }

    /// The log file (neighd's stdout and stderr).
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// The control socket.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// `neighctl --socket S show hosts --json`.
    pub fn hosts(&self) -> Result<Vec<HostView>> {
        self.neighctl_json("hosts")
    }

    /// `neighctl --socket S show peers --json`.
    pub fn peers(&self) -> Result<Vec<PeerView>> {
        self.neighctl_json("peers")
    }

    /// `neighctl --socket S show routes --json`.
    pub fn routes(&self) -> Result<Vec<RouteView>> {
        self.neighctl_json("routes")
    }

    /// `neighctl --socket S show WHAT` (the human table).
    pub fn neighctl_text(&self, what: &str) -> Result<String> {
        cmd::run(
            self.bins.neighctl.to_string_lossy().as_ref(),
            [
                "--socket".as_ref(),
                self.socket.as_os_str(),
                "show".as_ref(),
                what.as_ref(),
            ],
        )
    }

    fn neighctl_json<T: serde::de::DeserializeOwned>(&self, what: &str) -> Result<T> {
        cmd::run_json(
            self.bins.neighctl.to_string_lossy().as_ref(),
            [
                "--socket".as_ref(),
                self.socket.as_os_str(),
                "show".as_ref(),
                what.as_ref(),
                "--json".as_ref(),
            ],
        )
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        self.stop();
    }
}
