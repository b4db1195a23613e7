//! A real FRR instance (zebra + bgpd) in a namespace, with FRR's pathspace
//! (`-N <namespace>`) so instances run side by side: start, stop, bgpd-only
//! kill/restart (for graceful restart), `vtysh -N` commands, and typed
//! queries ([`query`]). Configs come from [`config`].

pub mod config;
pub mod query;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cmd;
use crate::daemon::Daemon;
use crate::error::{Error, Result};
use crate::netns::{Netns, FRR_RUN_ROOT};

/// Where the FRR daemons live on Debian.
pub const FRR_BIN: &str = "/usr/lib/frr";

/// How long daemons get to come up (create their sockets).
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A running FRR instance; its daemons are stopped on drop.
#[derive(Debug)]
pub struct Frr {
    ns: String,
    dir: PathBuf,
    conf: PathBuf,
    zebra: Option<Daemon>,
    bgpd: Option<Daemon>,
}

impl Frr {
    /// Writes `frr_conf` to `<workdir>/frr/frr.conf` (owned by the frr
    /// user), starts zebra, waits for its API socket, starts bgpd, waits for
    /// its vty socket. Both run in the foreground as our children, with
    /// pathspace `-N <namespace name>`.
    pub fn start(ns: &Netns, frr_conf: &str) -> Result<Frr> {
        let dir = ns.subdir("frr")?;
        let conf = dir.join("frr.conf");
        std::fs::write(&conf, frr_conf).map_err(|e| Error::io("write", &conf, e))?;
        let run = Path::new(FRR_RUN_ROOT).join(ns.name());
        std::fs::create_dir_all(&run).map_err(|e| Error::io("create", &run, e))?;
        chown_frr(&[&dir, &conf, &run])?;
        let mut frr = Frr {
            ns: ns.name().to_string(),
            dir,
            conf,
            zebra: None,
            bgpd: None,
        };
        let zebra = frr.spawn(ns, "zebra", &["-s", "67108864"])?;
        frr.zebra = Some(zebra);
        frr.wait_socket("zserv.api", "zebra")?;
        frr.start_bgpd_in(ns)?;
        Ok(frr)
    }

    fn spawn(&self, ns: &Netns, daemon: &str, extra: &[&str]) -> Result<Daemon> {
        let mut c = ns.command(Path::new(FRR_BIN).join(daemon));
        c.args(["-N", &self.ns, "-P", "0", "-f"])
            .arg(&self.conf)
            .arg("-i")
            .arg(self.dir.join(format!("{daemon}.pid")))
            .args(extra);
        Daemon::spawn(
            format!("{daemon} in {}", self.ns),
            c,
            &self.dir.join(format!("{daemon}.out")),
        )
    }

    fn socket(&self, name: &str) -> PathBuf {
        Path::new(FRR_RUN_ROOT).join(&self.ns).join(name)
    }

    fn wait_socket(&mut self, name: &str, daemon: &str) -> Result<()> {
        let path = self.socket(name);
        let deadline = std::time::Instant::now() + START_TIMEOUT;
        loop {
            let d = match daemon {
                "zebra" => self.zebra.as_mut(),
                _ => self.bgpd.as_mut(),
            };
            if let Some(d) = d {
                // died at startup (bad config, …): its log says why
                d.check()?;
            }
            if path.exists() {
                return Ok(());
            }
            if std::time::Instant::now() >= deadline {
                return Err(Error::Timeout {
                    what: format!("{daemon} in {} to open {}", self.ns, path.display()),
                    timeout: START_TIMEOUT,
                    last: "no socket".into(),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn start_bgpd_in(&mut self, ns: &Netns) -> Result<()> {
        // a killed bgpd leaves its socket behind: wait for the new one
        let _ = std::fs::remove_file(self.socket("bgpd.vty"));
        self.bgpd = Some(self.spawn(ns, "bgpd", &[])?);
        self.wait_socket("bgpd.vty", "bgpd")
    }

    /// Starts bgpd again after [`Frr::kill_bgpd`] or [`Frr::stop_bgpd`].
    pub fn start_bgpd(&mut self, ns: &Netns) -> Result<()> {
        if self.bgpd.is_some() {
            return Err(Error::Invalid(format!(
                "bgpd in {} is already running",
                self.ns
            )));
        }
        self.start_bgpd_in(ns)
    }

    /// Kills bgpd with SIGKILL (zebra keeps running): no NOTIFICATION is
    /// sent, as in a crash — the peers' graceful restart keeps our routes.
    pub fn kill_bgpd(&mut self) {
        if let Some(mut d) = self.bgpd.take() {
            d.kill();
        }
    }

    /// Stops bgpd with SIGTERM (it sends CEASE to its peers).
    pub fn stop_bgpd(&mut self) {
        if let Some(mut d) = self.bgpd.take() {
            d.stop();
        }
    }

    /// Kills bgpd (SIGKILL) and starts it again with the same config.
    pub fn restart_bgpd(&mut self, ns: &Netns) -> Result<()> {
        self.kill_bgpd();
        self.start_bgpd_in(ns)
    }

    /// Stops bgpd and zebra.
    pub fn stop(&mut self) {
        self.stop_bgpd();
        if let Some(mut d) = self.zebra.take() {
            d.stop();
        }
    }

    /// Ok while both daemons run; otherwise which one exited and its log.
    pub fn check(&mut self) -> Result<()> {
        for d in [self.zebra.as_mut(), self.bgpd.as_mut()]
            .into_iter()
            .flatten()
        {
            d.check()?;
        }
        Ok(())
    }

    /// The namespace (and pathspace) name.
    pub fn netns(&self) -> &str {
        &self.ns
    }

    /// The directory with frr.conf, pid files and the daemons' output.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// bgpd's process, while it runs (for pid and resource use).
    pub fn bgpd(&self) -> Option<&Daemon> {
        self.bgpd.as_ref()
    }

    /// zebra's process, while it runs.
    pub fn zebra(&self) -> Option<&Daemon> {
        self.zebra.as_ref()
    }

    /// Runs `vtysh -N <ns> -c <cmd> …`; its stdout. Output lines starting
    /// with `%` (FRR's error marker) make it fail.
    pub fn vtysh(&self, cmds: &[&str]) -> Result<String> {
        let mut c = std::process::Command::new("vtysh");
        c.args(["-N", &self.ns]);
        for cmd in cmds {
            c.args(["-c", cmd]);
        }
        let command = cmd::describe(&c);
        let out = cmd::output(&mut c)?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if let Some(err) = stdout.lines().find(|l| l.trim_start().starts_with('%')) {
            return Err(Error::Command {
                command,
                status: "exit status: 0".into(),
                stderr: err.trim().to_string(),
            });
        }
        Ok(stdout)
    }

    /// Runs one vtysh command ending in `json` and parses its output.
    pub fn vtysh_json<T: serde::de::DeserializeOwned>(&self, command: &str) -> Result<T> {
        let text = self.vtysh(&[command])?;
        serde_json::from_str(&text).map_err(|e| {
            Error::parse(
                &format!("vtysh -N {} -c '{command}'", self.ns),
                e.to_string(),
                &text,
            )
        })
    }

    /// Applies configuration lines (`configure terminal`, then `lines` in order).
    pub fn configure(&self, lines: &[&str]) -> Result<()> {
        let mut all = vec!["configure terminal"];
        all.extend_from_slice(lines);
        self.vtysh(&all).map(drop)
    }
}

impl Drop for Frr {
    fn drop(&mut self) {
        self.stop();
    }
}

fn chown_frr(paths: &[&Path]) -> Result<()> {
    let mut args: Vec<std::ffi::OsString> = vec!["frr:frr".into()];
    args.extend(paths.iter().map(|p| p.as_os_str().to_owned()));
    cmd::run("chown", args).map(drop)
}
