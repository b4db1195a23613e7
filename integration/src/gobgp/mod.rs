//! A real GoBGP (`gobgpd`) in a namespace with its gRPC API on the
//! namespace's loopback (`--api-hosts 127.0.0.1:PORT`), queried with
//! `gobgp -p PORT … -j` ([`query`]), fed routes one by one
//! (`gobgp global rib add`) or by the hundred thousand through an MRT
//! file (`gobgp mrt inject global`, see [`mrt`]). Configs come from [`config`].

pub mod config;
pub mod mrt;
pub mod query;

use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::cmd;
use crate::daemon::Daemon;
use crate::error::{Error, Result};
use crate::netns::Netns;
use crate::route::Afi;
use crate::wait::{pending, wait_for};

/// The default API port; every namespace has its own loopback, so the same
/// port can serve instances side by side.
pub const DEFAULT_API_PORT: u16 = 50051;

/// A running gobgpd; stopped on drop.
#[derive(Debug)]
pub struct Gobgp {
    ns: String,
    dir: PathBuf,
    port: u16,
    daemon: Option<Daemon>,
}

impl Gobgp {
    /// Writes `toml` to `<workdir>/gobgp/gobgpd.toml`, checks it
    /// (`gobgpd -d`), starts gobgpd with its API on 127.0.0.1:`port` inside
    /// the namespace and waits until the API answers. gobgpd runs in its own
    /// UTS namespace whose hostname is the namespace's name (GoBGP announces
    /// it in the FQDN capability).
    pub fn start(ns: &Netns, toml: &str, port: u16) -> Result<Gobgp> {
        let dir = ns.subdir("gobgp")?;
        let conf = dir.join("gobgpd.toml");
        std::fs::write(&conf, toml).map_err(|e| Error::io("write", &conf, e))?;
        cmd::run("gobgpd", ["-d".as_ref(), "-f".as_ref(), conf.as_os_str()])?;
        let mut c = ns.command("unshare");
        c.args([
            "--uts",
            "--",
            "sh",
            "-c",
            "hostname \"$0\" && exec gobgpd \"$@\"",
        ])
        .arg(ns.name())
        .arg("-f")
        .arg(&conf)
        .arg(format!("--api-hosts=127.0.0.1:{port}"))
        .args(["--pprof-disable", "-p", "-l", "info"]);
        let mut d = Daemon::spawn(
            format!("gobgpd in {}", ns.name()),
            c,
            &dir.join("gobgpd.log"),
        )?;
        let mut g = Gobgp {
            ns: ns.name().to_string(),
            dir,
            port,
            daemon: None,
        };
        let timeout = Duration::from_secs(20);
        let deadline = Instant::now() + timeout;
        loop {
            d.check()?;
            match g.gobgp(&["global"]) {
                Ok(_) => break,
                Err(e) if Instant::now() >= deadline => {
                    return Err(Error::Timeout {
                        what: format!("gobgpd in {} to answer on port {port}", g.ns),
                        timeout,
                        last: e.to_string(),
                    })
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
        g.daemon = Some(d);
        Ok(g)
    }

    /// The API port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The directory with the config and gobgpd's log.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// gobgpd's process while it runs (pid, resource use).
    pub fn daemon(&self) -> Option<&Daemon> {
        self.daemon.as_ref()
    }

    /// Ok while gobgpd runs; otherwise its exit status and log.
    pub fn check(&mut self) -> Result<()> {
        match self.daemon.as_mut() {
            Some(d) => d.check(),
            None => Err(Error::Invalid(format!("gobgpd in {} was stopped", self.ns))),
        }
    }

    /// Stops gobgpd (SIGTERM, then SIGKILL).
    pub fn stop(&mut self) {
        if let Some(mut d) = self.daemon.take() {
            d.stop();
        }
    }

    /// Runs `gobgp -p PORT args…` inside the namespace; its stdout.
    pub fn gobgp(&self, args: &[&str]) -> Result<String> {
        let mut c = std::process::Command::new("ip");
        c.args([
            "netns",
            "exec",
            &self.ns,
            "gobgp",
            "-p",
            &self.port.to_string(),
        ])
        .args(args);
        let out = cmd::output(&mut c)?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Runs `gobgp -p PORT args… -j` and parses the JSON.
    pub fn gobgp_json(&self, args: &[&str]) -> Result<serde_json::Value> {
        let mut all = args.to_vec();
        all.push("-j");
        let text = self.gobgp(&all)?;
        serde_json::from_str(&text).map_err(|e| {
            Error::parse(
                &format!("gobgp -p {} {}", self.port, all.join(" ")),
                e.to_string(),
                &text,
            )
        })
    }

    /// Adds one route to the global RIB (`gobgp global rib add -a FAMILY
    /// PREFIX [attrs…]`, e.g. `["community", "65000:1", "med", "10"]`; IPv6
    /// routes need `["nexthop", "…"]`).
    pub fn add_route(&self, prefix: &str, attrs: &[&str]) -> Result<()> {
        let afi = Afi::of(prefix).as_str();
        let mut args = vec!["global", "rib", "add", "-a", afi, prefix];
        args.extend_from_slice(attrs);
        self.gobgp(&args).map(drop)
    }

    /// Withdraws one route from the global RIB.
    pub fn del_route(&self, prefix: &str) -> Result<()> {
        let afi = Afi::of(prefix).as_str();
        self.gobgp(&["global", "rib", "del", "-a", afi, prefix])
            .map(drop)
    }

    /// Adds many routes at once: writes them as an MRT TABLE_DUMP_V2 file
    /// and loads it with `gobgp mrt inject global` (GoBGP's streaming API),
    /// then waits (bounded) until the global RIB has grown by the number of
    /// new prefixes. IPv4 routes get `next_hop4`, IPv6 routes `next_hop6`
    /// (GoBGP rewrites next hops towards eBGP peers anyway); every route
    /// carries `communities`. The prefixes must not be in the RIB yet.
    ///
    /// `gobgp mrt inject` (3.10) exits before the server has taken the last
    /// records of its stream: the tail of the file is lost (about 500–1000
    /// routes, whatever the file size). So the file ends with
    /// [`INJECT_PADDING`]+ repeats of routes already sent (re-adding an
    /// identical path changes nothing), and the count is checked.
    pub fn inject_routes(
        &self,
        prefixes: &[String],
        next_hop4: Ipv4Addr,
        next_hop6: Ipv6Addr,
        communities: &[(u16, u16)],
    ) -> Result<()> {
        if prefixes.is_empty() {
            return Ok(());
        }
        let new6 = prefixes.iter().filter(|p| p.contains(':')).count() as u64;
        let new4 = prefixes.len() as u64 - new6;
        let before4 = self.rib_count(Afi::Ipv4)?;
        let before6 = self.rib_count(Afi::Ipv6)?;
        let pad = INJECT_PADDING + prefixes.len() / 20;
        let padded: Vec<String> = prefixes
            .iter()
            .chain(prefixes.iter().cycle().take(pad))
            .cloned()
            .collect();
        let bytes = mrt::encode(&padded, next_hop4, next_hop6, communities)?;
        let path = self.dir.join("inject.mrt");
        std::fs::write(&path, bytes).map_err(|e| Error::io("write", &path, e))?;
        let p = path.to_string_lossy().into_owned();
        let r = self.gobgp(&["mrt", "inject", "global", &p]);
        if std::env::var_os(crate::netns::KEEP_ENV).is_none() {
            let _ = std::fs::remove_file(&path);
        }
        r?;
        wait_for(
            Duration::from_secs(60),
            &format!(
                "{} injected routes in GoBGP's global RIB in {}",
                prefixes.len(),
                self.ns
            ),
            || {
                let c4 = self.rib_count(Afi::Ipv4)?;
                let c6 = self.rib_count(Afi::Ipv6)?;
                (c4 >= before4 + new4 && c6 >= before6 + new6)
                    .then_some(())
                    .ok_or_else(|| {
                        pending(format!(
                            "ipv4 {c4} of {}, ipv6 {c6} of {}",
                            before4 + new4,
                            before6 + new6
                        ))
                    })
            },
        )
    }
}

/// How many repeated routes end an injected MRT file at least (see
/// [`Gobgp::inject_routes`]).
pub const INJECT_PADDING: usize = 4096;

impl Drop for Gobgp {
    fn drop(&mut self) {
        self.stop();
    }
}
