//! What the namespace tests share: namespaces that delete themselves, veth
//! links, and the `arpprobe` binary run in a namespace with its JSON lines
//! collected.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_arpprobe");
pub const WAIT: Duration = Duration::from_secs(30);

pub fn can_run() -> bool {
    let ok = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
        && Command::new("ip")
            .args(["netns", "list"])
            .output()
            .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIPPED: namespace tests need root and iproute2");
    }
    ok
}

pub fn ip(args: &str) {
    let out = Command::new("ip")
        .args(args.split_whitespace())
        .output()
        .expect("run ip");
    assert!(
        out.status.success(),
        "ip {args}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn ns_exec(ns: &str, cmd: &str) -> std::process::Output {
    Command::new("ip")
        .args(["netns", "exec", ns])
        .args(cmd.split_whitespace())
        .output()
        .expect("run ip netns exec")
}

/// Namespaces of one test, deleted on drop.
pub struct Namespaces {
    prefix: String,
    made: Vec<String>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl Namespaces {
    pub fn new() -> Namespaces {
        remove_leftovers();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        Namespaces {
            prefix: format!("apt{}x{n}-", std::process::id()),
            made: Vec::new(),
        }
    }

    pub fn add(&mut self, short: &str) -> String {
        let name = format!("{}{short}", self.prefix);
        ip(&format!("netns add {name}"));
        ip(&format!("-n {name} link set lo up"));
        self.made.push(name.clone());
        name
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for n in &self.made {
            let _ = Command::new("ip").args(["netns", "del", n]).status();
        }
    }
}

/// Deletes namespaces of earlier runs whose test process is gone.
pub fn remove_leftovers() {
    let Ok(out) = Command::new("ip").args(["netns", "list"]).output() else {
        return;
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        let Some(rest) = name.strip_prefix("apt") else {
            continue;
        };
        let Some(pid) = rest.split('x').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = Command::new("ip").args(["netns", "del", name]).status();
        }
    }
}

/// A veth pair `a` (in `ns_a`) <-> `b` (in `ns_b`) with fixed MACs, both up.
pub fn veth(ns_a: &str, a: &str, mac_a: &str, ns_b: &str, b: &str, mac_b: &str) {
    ip(&format!("link add {a} netns {ns_a} address {mac_a} type veth peer name {b} netns {ns_b} address {mac_b}"));
    ip(&format!("-n {ns_a} link set {a} up"));
    ip(&format!("-n {ns_b} link set {b} up"));
}

/// The arpprobe binary running in a namespace, its output collected as lines.
pub struct Probe {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Probe {
    pub fn start(ns: &str, targets: &[(&str, &str, &str)], extra: &[&str]) -> Probe {
        let mut cmd = Command::new("ip");
        cmd.args([
            "netns",
            "exec",
            ns,
            BIN,
            "probe",
            "--stdin",
            "--interval",
            "200ms",
            "--link-recheck",
            "200ms",
        ]);
        for (iface, ipaddr, mac) in targets {
            cmd.args(["--target", &format!("{iface},{ipaddr},{mac}")]);
        }
        cmd.args(extra);
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn arpprobe");
        let stdout = child.stdout.take().expect("piped");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap_or_else(|p| p.into_inner()).push(line);
            }
        });
        let stdin = child.stdin.take();
        let p = Probe {
            child,
            stdin,
            lines,
        };
        p.wait_for(0, |l| l.contains("\"event\":\"ready\""));
        p
    }

    pub fn len(&self) -> usize {
        self.lines.lock().unwrap().len()
    }

    /// Waits (bounded) for a line at index >= `from` matching `pred`; returns its index.
    pub fn wait_for(&self, from: usize, pred: impl Fn(&str) -> bool) -> usize {
        let start = Instant::now();
        loop {
            {
                let lines = self.lines.lock().unwrap();
                if let Some(i) = lines.iter().skip(from).position(|l| pred(l)) {
                    return from + i;
                }
            }
            assert!(
                start.elapsed() < WAIT,
                "timed out; output so far:\n{}",
                self.lines.lock().unwrap().join("\n")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn lines_from(&self, from: usize) -> Vec<String> {
        self.lines.lock().unwrap()[from..].to_vec()
    }

    /// Closes stdin, waits for exit, returns the final counters line.
    pub fn stop(mut self) -> String {
        drop(self.stdin.take());
        let n = self.len();
        let i = self.wait_for(n.saturating_sub(1), |l| {
            l.contains("\"event\":\"counters\"")
        });
        let _ = self.child.wait();
        self.lines.lock().unwrap()[i].clone()
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn counter(line: &str, name: &str) -> u64 {
    let key = format!("\"{name}\":");
    let at = line
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {line}"))
        + key.len();
    line[at..]
        .split([',', '}'])
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

pub fn is(kind: &str, ipaddr: &str) -> impl Fn(&str) -> bool {
    let k = format!("\"event\":\"{kind}\"");
    let i = format!("\"ip\":\"{ipaddr}\"");
    move |l: &str| l.contains(&k) && l.contains(&i)
}

pub fn link_local(ns: &str, dev: &str) -> String {
    let out = ns_exec(ns, &format!("ip -6 -o addr show dev {dev} scope link"));
    let s = String::from_utf8_lossy(&out.stdout).to_string();
    let at = s
        .find("fe80::")
        .unwrap_or_else(|| panic!("no link-local on {dev}: {s}"));
    s[at..].split('/').next().unwrap().to_string()
}

/// Tries to create a link of `kind` (kept if it works, for bonds); false,
/// with a message, where the kernel lacks the driver.
pub fn optional_link(ns: &str, name: &str, kind: &str) -> bool {
    let probe = if kind == "vlan" {
        format!("{name}x")
    } else {
        name.to_string()
    };
    let mut args = vec!["-n", ns, "link", "add"];
    if kind == "vlan" {
        args.extend(["link", "lo", "name", &probe, "type", "vlan", "id", "9"]);
    } else {
        args.extend([probe.as_str(), "type", kind]);
    }
    let out = Command::new("ip").args(&args).output().expect("run ip");
    if kind == "vlan" && out.status.success() {
        ip(&format!("-n {ns} link del {probe}"));
    }
    let ok = out.status.success()
        || !String::from_utf8_lossy(&out.stderr).contains("Unknown device type");
    if !ok {
        eprintln!("{kind} part SKIPPED: no {kind} driver in this kernel");
    }
    ok
}

/// A veth from `leaf` (`p0`, MAC 02:00:00:ID:00:01, 10.ID.0.1/24) to `host`
/// (`h0`, MAC 02:00:00:ID:00:02, 10.ID.0.2/24), plus 2001:db8:ID::1 and
/// ::2/64 with `ipv6`. Returns the host's MAC.
pub fn leaf_host_link(leaf: &str, host: &str, id: u8, ipv6: bool) -> String {
    let host_mac = format!("02:00:00:{id}:00:02");
    veth(
        leaf,
        "p0",
        &format!("02:00:00:{id}:00:01"),
        host,
        "h0",
        &host_mac,
    );
    ip(&format!("-n {leaf} addr add 10.{id}.0.1/24 dev p0"));
    ip(&format!("-n {host} addr add 10.{id}.0.2/24 dev h0"));
    if ipv6 {
        ip(&format!(
            "-n {leaf} addr add 2001:db8:{id}::1/64 dev p0 nodad"
        ));
        ip(&format!(
            "-n {host} addr add 2001:db8:{id}::2/64 dev h0 nodad"
        ));
    }
    host_mac
}
