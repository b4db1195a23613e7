//! A real BIRD 2 instance in a namespace: config checked with `bird -p`,
//! run in the foreground as our child (`bird -f -c CONF -s SOCK -P PID`, so
//! it is reaped and killed on drop), queried through `birdc -s SOCK` and
//! parsed into typed results ([`parse`]). Configs come from [`config`].

pub mod config;
pub mod parse;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::cmd;
use crate::daemon::Daemon;
use crate::error::{Error, Result};
use crate::netns::Netns;
use crate::route::BgpRib;

pub use parse::{BirdProtocol, RouteCount};

/// A running BIRD; stopped on drop.
#[derive(Debug)]
pub struct Bird {
    ns: String,
    dir: PathBuf,
    conf: PathBuf,
    sock: PathBuf,
    daemon: Option<Daemon>,
}

impl Bird {
    /// Writes `bird_conf` to `<workdir>/bird/bird.conf`, checks it with
    /// `bird -p`, starts BIRD and waits until its control socket answers.
    pub fn start(ns: &Netns, bird_conf: &str) -> Result<Bird> {
        let dir = ns.subdir("bird")?;
        let conf = dir.join("bird.conf");
        std::fs::write(&conf, bird_conf).map_err(|e| Error::io("write", &conf, e))?;
        cmd::run("bird", ["-p".as_ref(), "-c".as_ref(), conf.as_os_str()])?;
        let mut bird = Bird {
            ns: ns.name().to_string(),
            sock: dir.join("bird.ctl"),
            conf,
            dir,
            daemon: None,
        };
        bird.start_daemon(ns)?;
        Ok(bird)
    }

    fn start_daemon(&mut self, ns: &Netns) -> Result<()> {
        let _ = std::fs::remove_file(&self.sock);
        let mut c = ns.command("bird");
        c.arg("-f")
            .arg("-c")
            .arg(&self.conf)
            .arg("-s")
            .arg(&self.sock)
            .arg("-P")
            .arg(self.dir.join("bird.pid"));
        let mut d = Daemon::spawn(
            format!("bird in {}", self.ns),
            c,
            &self.dir.join("bird.out"),
        )?;
        let timeout = Duration::from_secs(20);
        let deadline = Instant::now() + timeout;
        loop {
            d.check()?;
            if self.sock.exists() && self.birdc(&["show", "status"]).is_ok() {
                break;
            }
            if Instant::now() >= deadline {
                return Err(Error::Timeout {
                    what: format!("bird in {} to answer on {}", self.ns, self.sock.display()),
                    timeout,
                    last: "no answer".into(),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.daemon = Some(d);
        Ok(())
    }

    /// Stops BIRD (SIGTERM, then SIGKILL).
    pub fn stop(&mut self) {
        if let Some(mut d) = self.daemon.take() {
            d.stop();
        }
    }

    /// Kills BIRD with SIGKILL and starts it again with the same config.
    pub fn restart(&mut self, ns: &Netns) -> Result<()> {
        if let Some(mut d) = self.daemon.take() {
            d.kill();
        }
        self.start_daemon(ns)
    }

    /// Ok while BIRD runs; otherwise its exit status and log.
    pub fn check(&mut self) -> Result<()> {
        match self.daemon.as_mut() {
            Some(d) => d.check(),
            None => Err(Error::Invalid(format!("bird in {} was stopped", self.ns))),
        }
    }

    /// BIRD's process while it runs (pid, resource use).
    pub fn daemon(&self) -> Option<&Daemon> {
        self.daemon.as_ref()
    }

    /// The directory with bird.conf, the socket and BIRD's output.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The control socket.
    pub fn socket(&self) -> &Path {
        &self.sock
    }

    /// Runs `birdc -s SOCK words…`; its output without the `BIRD … ready.`
    /// banner. BIRD's error replies (`syntax error`, `Unknown protocol`, …)
    /// make it fail.
    pub fn birdc(&self, words: &[&str]) -> Result<String> {
        let mut c = std::process::Command::new("birdc");
        c.arg("-s").arg(&self.sock).args(words);
        let command = cmd::describe(&c);
        let out = cmd::output(&mut c)?;
        let text = String::from_utf8_lossy(&out.stdout);
        let body: String = text
            .lines()
            .filter(|l| !(l.starts_with("BIRD ") && l.ends_with(" ready.")))
            .flat_map(|l| [l, "\n"])
            .collect();
        if let Some(err) = body.lines().find(|l| parse::is_error_line(l)) {
            return Err(Error::Command {
                command,
                status: "exit status: 0".into(),
                stderr: err.to_string(),
            });
        }
        Ok(body)
    }

    /// `show protocols`.
    pub fn protocols(&self) -> Result<Vec<BirdProtocol>> {
        Ok(parse::protocols(&self.birdc(&["show", "protocols"])?))
    }

    /// The BGP protocols (sessions) that are Established; dynamic ones
    /// (from `neighbor range`) included.
    pub fn established(&self) -> Result<Vec<BirdProtocol>> {
        Ok(self
            .protocols()?
            .into_iter()
            .filter(|p| p.proto == "BGP" && p.info.starts_with("Established"))
            .collect())
    }

    /// Whether the BGP protocol `name` is Established.
    pub fn is_established(&self, name: &str) -> Result<bool> {
        Ok(self.established()?.iter().any(|p| p.name == name))
    }

    /// `show route all [args…]` (e.g. `["table", "master6"]`, `["protocol",
    /// "frr4"]`, `["for", "10.1.2.3"]`): prefix → paths, with BGP attributes.
    pub fn routes(&self, args: &[&str]) -> Result<BgpRib> {
        let mut words = vec!["show", "route", "all"];
        words.extend_from_slice(args);
        Ok(parse::routes(&self.birdc(&words)?))
    }

    /// `show route [args…] count`: one line per table.
    pub fn route_count(&self, args: &[&str]) -> Result<Vec<RouteCount>> {
        let mut words = vec!["show", "route"];
        words.extend_from_slice(args);
        words.push("count");
        let text = self.birdc(&words)?;
        let counts = parse::route_counts(&text);
        if counts.is_empty() {
            return Err(Error::parse(&words.join(" "), "no count line", &text));
        }
        Ok(counts)
    }

    /// How many routes BIRD has in `table` (`master4`, `master6`).
    pub fn table_routes(&self, table: &str) -> Result<u64> {
        Ok(self
            .route_count(&["table", table])?
            .iter()
            .map(|c| c.routes)
            .sum())
    }
}

impl Drop for Bird {
    fn drop(&mut self) {
        self.stop();
    }
}
