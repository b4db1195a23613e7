//! Network namespaces owned by a test: unique names under a caller's prefix,
//! commands run inside them, and removal (every process in the namespace
//! killed first) when the [`Netns`] is dropped — also while unwinding from a
//! panic. [`cleanup_prefix`] and [`cleanup_stale`] remove what a crashed
//! run left behind. Nothing here touches the root namespace's interfaces,
//! addresses or sysctls.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::cmd;
use crate::error::{Error, Result};

/// Where namespaces keep their files (daemon configs, sockets, logs):
/// `/tmp/neighd-fabric/<namespace>/`.
pub const WORK_ROOT: &str = "/tmp/neighd-fabric";

/// Where FRR's pathspace (`-N name`) puts its sockets: `/var/run/frr/<name>/`.
pub const FRR_RUN_ROOT: &str = "/var/run/frr";

/// Set this environment variable to keep namespaces' work directories
/// (configs and daemon logs) after the test, for debugging.
pub const KEEP_ENV: &str = "NEIGHD_FABRIC_KEEP";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A network namespace, deleted with everything in it on drop.
#[derive(Debug)]
pub struct Netns {
    name: String,
    workdir: PathBuf,
}

impl Netns {
    /// Creates `<prefix><pid>x<n>-<short>` (unique in this process and
    /// across processes), brings its loopback up and turns duplicate address
    /// detection off (so link-local addresses of interfaces added later are
    /// usable at once). Leftovers under `prefix` whose creating process is
    /// gone are removed first ([`cleanup_stale`]).
    pub fn new(prefix: &str, short: &str) -> Result<Netns> {
        if prefix.is_empty() || prefix.contains('/') || short.contains('/') {
            return Err(Error::Invalid(format!(
                "namespace prefix {prefix:?} / name {short:?}: non-empty, no '/'"
            )));
        }
        cleanup_stale(prefix)?;
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("{prefix}{}x{n}-{short}", std::process::id());
        cmd::run("ip", ["netns", "add", &name])?;
        let workdir = Path::new(WORK_ROOT).join(&name);
        // from here on Drop cleans up whatever fails below
        let ns = Netns { name, workdir };
        make_dir(Path::new(WORK_ROOT))?;
        make_dir(&ns.workdir)?;
        ns.ip(["link", "set", "lo", "up"])?;
        ns.sysctl(&[
            ("net.ipv6.conf.all.accept_dad", "0"),
            ("net.ipv6.conf.default.accept_dad", "0"),
        ])?;
        Ok(ns)
    }

    /// The namespace's name (as in `ip netns list`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The namespace's work directory (`/tmp/neighd-fabric/<name>`), mode 755.
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// A subdirectory of the work directory, created (mode 755) if missing.
    pub fn subdir(&self, name: &str) -> Result<PathBuf> {
        let d = self.workdir.join(name);
        make_dir(&d)?;
        Ok(d)
    }

    /// A command that runs `program` inside the namespace
    /// (`ip netns exec <name> program`), for the caller to add arguments and
    /// run or spawn. `ip netns exec` execs the program, so a spawned child's
    /// pid is the program's.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name]).arg(program);
        c
    }

    /// Runs `program args…` inside the namespace; its stdout.
    pub fn exec<I, S>(&self, program: &str, args: I) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let out = cmd::output(self.command(program).args(args))?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Runs `ip -n <name> args…`; its stdout.
    pub fn ip<I, S>(&self, args: I) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut c = Command::new("ip");
        c.args(["-n", &self.name]).args(args);
        let out = cmd::output(&mut c)?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Runs `ip -j -n <name> args…` and parses the JSON it prints.
    pub fn ip_json<T, I, S>(&self, args: I) -> Result<T>
    where
        T: serde::de::DeserializeOwned,
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut all: Vec<std::ffi::OsString> =
            vec!["-j".into(), "-n".into(), self.name.clone().into()];
        all.extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        cmd::run_json("ip", all)
    }

    /// Runs `ip -n <name> -batch FILE` with `lines` (one `ip` command each,
    /// without the leading `ip`): the fast way to add thousands of routes.
    pub fn ip_batch(&self, lines: impl IntoIterator<Item = String>) -> Result<()> {
        let path = self.workdir.join(format!(
            "ip-batch-{}.txt",
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let mut text = String::new();
        for l in lines {
            text.push_str(&l);
            text.push('\n');
        }
        std::fs::write(&path, text).map_err(|e| Error::io("write", &path, e))?;
        let r = cmd::run(
            "ip",
            [
                "-n".as_ref(),
                self.name.as_ref(),
                "-batch".as_ref(),
                path.as_os_str(),
            ],
        );
        let _ = std::fs::remove_file(&path);
        r.map(drop)
    }

    /// Sets sysctls inside the namespace (`sysctl -qw key=value …`).
    pub fn sysctl(&self, settings: &[(&str, &str)]) -> Result<()> {
        let args: Vec<String> = std::iter::once("-qw".to_string())
            .chain(settings.iter().map(|(k, v)| format!("{k}={v}")))
            .collect();
        self.exec("sysctl", args).map(drop)
    }

    /// Turns IPv4 and IPv6 forwarding on in the namespace.
    pub fn enable_forwarding(&self) -> Result<()> {
        self.sysctl(&[
            ("net.ipv4.ip_forward", "1"),
            ("net.ipv6.conf.all.forwarding", "1"),
            ("net.ipv6.conf.default.forwarding", "1"),
        ])
    }

    /// The processes in the namespace (`ip netns pids`).
    pub fn pids(&self) -> Result<Vec<u32>> {
        pids_of(&self.name)
    }

    /// Kills every process in the namespace: SIGTERM, up to 3 s of grace,
    /// then SIGKILL.
    pub fn kill_all(&self) -> Result<()> {
        kill_all_in(&self.name)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        remove_namespace(&self.name, std::env::var_os(KEEP_ENV).is_some());
    }
}

fn make_dir(d: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(d).map_err(|e| Error::io("create", d, e))?;
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| Error::io("chmod", d, e))
}

fn pids_of(ns: &str) -> Result<Vec<u32>> {
    let out = cmd::run("ip", ["netns", "pids", ns])?;
    Ok(out
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect())
}

fn kill_all_in(ns: &str) -> Result<()> {
    let pids = pids_of(ns)?;
    if pids.is_empty() {
        return Ok(());
    }
    for &p in &pids {
        // a stopped process (a test froze it) must run to handle SIGTERM
        cmd::signal(p, "CONT");
        cmd::signal(p, "TERM");
    }
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let left = pids_of(ns)?;
        if left.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            for p in left {
                cmd::signal(p, "KILL");
            }
            // SIGKILL is not instant either; wait until the kernel is done
            let deadline = Instant::now() + Duration::from_secs(3);
            while !pids_of(ns)?.is_empty() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Kills the processes of `ns`, deletes it, and removes its work and FRR
/// run directories (the work directory stays if `keep_files`).
fn remove_namespace(ns: &str, keep_files: bool) {
    if let Err(e) = kill_all_in(ns) {
        eprintln!("neighd-fabric: killing the processes of {ns}: {e}");
    }
    if let Err(e) = cmd::run("ip", ["netns", "del", ns]) {
        eprintln!("neighd-fabric: {e}");
    }
    if !keep_files {
        let _ = std::fs::remove_dir_all(Path::new(WORK_ROOT).join(ns));
    }
    let _ = std::fs::remove_dir_all(Path::new(FRR_RUN_ROOT).join(ns));
}

/// The namespaces whose names start with `prefix`.
pub fn list_prefix(prefix: &str) -> Result<Vec<String>> {
    let out = cmd::run("ip", ["netns", "list"])?;
    Ok(out
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| n.starts_with(prefix))
        .map(str::to_string)
        .collect())
}

/// Removes every namespace whose name starts with `prefix` (killing its
/// processes first) and the matching work and FRR run directories, also
/// directories without a namespace. Returns the namespaces removed.
/// Do not call it with a prefix that a running fabric uses.
pub fn cleanup_prefix(prefix: &str) -> Result<Vec<String>> {
    cleanup_where(prefix, |_| true)
}

/// Like [`cleanup_prefix`], but only for namespaces made by this library
/// (`<prefix><pid>x<n>-…`) whose creating process no longer runs: safe to
/// call while other fabrics with the same prefix are alive.
pub fn cleanup_stale(prefix: &str) -> Result<Vec<String>> {
    cleanup_where(prefix, |name| match owner_pid(prefix, name) {
        Some(pid) => !cmd::alive(pid),
        None => false,
    })
}

fn owner_pid(prefix: &str, name: &str) -> Option<u32> {
    let rest = name.strip_prefix(prefix)?;
    let (pid, _) = rest.split_once('x')?;
    pid.parse().ok()
}

fn cleanup_where(prefix: &str, remove: impl Fn(&str) -> bool) -> Result<Vec<String>> {
    if prefix.is_empty() {
        return Err(Error::Invalid("cleanup needs a non-empty prefix".into()));
    }
    let mut removed = Vec::new();
    for ns in list_prefix(prefix)? {
        if remove(&ns) {
            remove_namespace(&ns, false);
            removed.push(ns);
        }
    }
    // directories whose namespace is already gone
    for root in [WORK_ROOT, FRR_RUN_ROOT] {
        let Ok(entries) = std::fs::read_dir(root) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(prefix)
                && remove(&name)
                && !Path::new("/var/run/netns").join(&name).exists()
            {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    Ok(removed)
}

/// Whether this process can build fabrics (root, `ip netns` works). If not,
/// prints why to stderr, for tests to skip: `if !integration::can_run() { return; }`.
pub fn can_run() -> bool {
    let root = std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|l| l.split_whitespace().nth(1))
            == Some("0")
    });
    if !root {
        eprintln!("SKIPPED: fabric tests need root (network namespaces); CI runs them as root");
        return false;
    }
    if let Err(e) = cmd::run("ip", ["netns", "list"]) {
        eprintln!("SKIPPED: `ip netns` does not work here: {e}");
        return false;
    }
    true
}
