//! Fabric benchmark: the `arpprobe` binary probes 10,000 and then 100,000
//! IPv4 hosts answered by a real Linux kernel in another network namespace,
//! and `arping` (Debian package `arping`) probes a sample of the same hosts
//! in the same run. Prints sustained probes/s, answers matched/s, CPU
//! seconds per 100,000 probes, peak RSS, and CPU per probe for both tools
//! with the ratio.
//!
//! Run as root: `cargo bench -p arpprobe --bench probe_fabric`
//! (`ARPPROBE_BENCH_SIZES=10000,100000`, `ARPPROBE_BENCH_SECS=10` to change).
//!
//! Hosts are "containers" as in the Cumulus demo (seed 004): namespaces of
//! 1,000 addresses each on a macvlan (one MAC each) of the server's end of a
//! veth pair. Everything happens in namespaces this program creates and
//! deletes; nothing is sent anywhere else.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_arpprobe");
const PER_MACVLAN: usize = 1000;

fn sh(args: &[&str]) -> std::process::Output {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .expect("spawn");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn ip_batch(ns: &str, lines: &str) {
    let mut child = Command::new("ip")
        .args(["-n", ns, "-batch", "-"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("spawn ip -batch");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(lines.as_bytes())
        .expect("write batch");
    assert!(child.wait().expect("wait ip").success(), "ip -batch failed");
}

fn clk_tck() -> f64 {
    let out = sh(&["getconf", "CLK_TCK"]);
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(100.0)
}

/// utime + stime of a process, in ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = s.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    // fields after the command: state(0) ... utime(11) stime(12)
    f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
        + f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
}

/// cutime + cstime of this process: CPU of waited-for children, in ticks.
fn children_ticks() -> u64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = s.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    f.get(13).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
        + f.get(14).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
}

/// Busy (non-idle) ticks of the whole machine.
fn machine_busy_ticks() -> u64 {
    let s = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let f: Vec<u64> = s
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    f.iter().sum::<u64>() - f.get(3).copied().unwrap_or(0) - f.get(4).copied().unwrap_or(0)
}

fn status_kb(pid: u32, key: &str) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn counter(line: &str, name: &str) -> f64 {
    let key = format!("\"{name}\":");
    line.find(&key)
        .and_then(|at| line[at + key.len()..].split([',', '}']).next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

struct Fabric {
    leaf: String,
    hosts: String,
    containers: usize,
}

impl Fabric {
    fn container(&self, g: usize) -> String {
        format!("{}-c{g}", self.hosts)
    }
}

impl Drop for Fabric {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.leaf])
            .status();
        let _ = Command::new("ip")
            .args(["netns", "del", &self.hosts])
            .status();
        for g in 0..self.containers {
            let _ = Command::new("ip")
                .args(["netns", "del", &self.container(g)])
                .status();
        }
    }
}

fn host_ip(i: usize) -> String {
    let a = i + 2; // 10.128.0.1 is the leaf
    format!("10.{}.{}.{}", 128 + (a >> 16), (a >> 8) & 255, a & 255)
}

fn host_mac(i: usize) -> String {
    let g = i / PER_MACVLAN;
    format!("02:00:00:b0:{:02x}:{:02x}", g >> 8, g & 255)
}

/// Deletes namespaces of earlier runs whose benchmark process is gone.
fn remove_leftovers() {
    let Ok(out) = Command::new("ip").args(["netns", "list"]).output() else {
        return;
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        let Some(pid) = name.strip_prefix("apb").and_then(|r| r.split('-').next()) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = Command::new("ip").args(["netns", "del", name]).status();
        }
    }
}

fn build(n: usize) -> Fabric {
    remove_leftovers();
    let tag = std::process::id();
    let f = Fabric {
        leaf: format!("apb{tag}-leaf"),
        hosts: format!("apb{tag}-hosts"),
        containers: n.div_ceil(PER_MACVLAN),
    };
    for ns in [&f.leaf, &f.hosts] {
        sh(&["ip", "netns", "add", ns]);
        sh(&["ip", "-n", ns, "link", "set", "lo", "up"]);
        // (gc_thresh* are global, not per namespace, on this kernel; neither side
        // needs more than ~100 neighbour entries here: the leaf's kernel creates no
        // entries for answers it did not ask for, and the hosts' side learns only
        // the leaf's address, once per macvlan)
    }
    sh(&[
        "ip",
        "link",
        "add",
        "p0",
        "netns",
        &f.leaf,
        "address",
        "02:00:00:b0:ff:01",
        "type",
        "veth",
        "peer",
        "name",
        "h0",
        "netns",
        &f.hosts,
    ]);
    sh(&[
        "ip",
        "-n",
        &f.leaf,
        "addr",
        "add",
        "10.128.0.1/15",
        "dev",
        "p0",
    ]);
    sh(&["ip", "-n", &f.leaf, "link", "set", "p0", "up"]);
    sh(&["ip", "-n", &f.hosts, "link", "set", "h0", "up"]);
    // containers as in seed 004: a namespace per 1,000 addresses, each with a
    // macvlan child of the server's uplink (the kernel hashes local addresses
    // per namespace, so this also keeps its own lookups realistic)
    let groups = n.div_ceil(PER_MACVLAN);
    let mut links = String::new();
    for g in 0..groups {
        let c = f.container(g);
        sh(&["ip", "netns", "add", &c]);
        let mac = host_mac(g * PER_MACVLAN);
        links.push_str(&format!("link add link h0 name m{g} address {mac} type macvlan mode bridge\nlink set m{g} netns {c}\n"));
    }
    ip_batch(&f.hosts, &links);
    for g in 0..groups {
        let c = f.container(g);
        let mut cmds = format!("link set m{g} name eth0\nlink set eth0 up\nlink set lo up\n");
        for i in g * PER_MACVLAN..((g + 1) * PER_MACVLAN).min(n) {
            cmds.push_str(&format!("addr add {}/15 dev eth0\n", host_ip(i)));
        }
        ip_batch(&c, &cmds);
    }
    f
}

struct Ours {
    probes_per_s: f64,
    replies_per_s: f64,
    cpu_s_per_100k: f64,
    core_share: f64,
    machine_share: f64,
    rss_kb: u64,
}

/// Runs the prober for `secs` (after a 2 s warm-up). With `split`, the
/// prober is pinned to CPU 0 and the hosts' side of the veth hands its
/// receive work to CPU 1 (RPS), so the answering kernel's work is not run in,
/// and charged to, the prober's own context as plain veth does.
fn run_ours(f: &Fabric, n: usize, secs: u64, split: bool) -> Ours {
    let rps = if split { "2" } else { "0" };
    sh(&[
        "ip",
        "netns",
        "exec",
        &f.hosts,
        "sh",
        "-c",
        &format!("echo {rps} > /sys/class/net/h0/queues/rx-0/rps_cpus"),
    ]);
    let path = std::env::temp_dir().join(format!("apb-targets-{}-{n}", std::process::id()));
    let mut t = String::with_capacity(n * 40);
    for i in 0..n {
        t.push_str(&format!("p0 {} {}\n", host_ip(i), host_mac(i)));
    }
    std::fs::write(&path, t).expect("write targets");
    let mut child = Command::new("ip")
        .args([
            "netns",
            "exec",
            &f.leaf,
            BIN,
            "probe",
            "--quiet",
            "--stdin",
            "--interval",
            "1s",
            "--stats",
            "1s",
        ])
        .arg("--targets-file")
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn arpprobe");
    let pid = child.id();
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    let tck = clk_tck();
    // skip the first two seconds (loading targets, first round), then measure
    let mut start: Option<(String, u64, u64, Instant)> = None;
    let mut end = None;
    while let Some(Ok(line)) = lines.next() {
        if !line.contains("\"event\":\"stats\"") {
            continue;
        }
        let t = counter(&line, "t");
        if start.is_none() && t >= 2.0 {
            start = Some((line, cpu_ticks(pid), machine_busy_ticks(), Instant::now()));
        } else if start.is_some() && t >= 2.0 + secs as f64 {
            end = Some((line, cpu_ticks(pid), machine_busy_ticks(), Instant::now()));
            break;
        }
    }
    let rss_kb = status_kb(pid, "VmHWM:");
    drop(child.stdin.take());
    for _ in lines.by_ref() {}
    let _ = child.wait();
    let _ = std::fs::remove_file(&path);
    let (s, e) = (start.expect("stats"), end.expect("stats"));
    let dt = counter(&e.0, "t") - counter(&s.0, "t");
    let probes = counter(&e.0, "probes_sent") - counter(&s.0, "probes_sent");
    let replies = counter(&e.0, "replies_matched") - counter(&s.0, "replies_matched");
    let cpu = (e.1 - s.1) as f64 / tck;
    let wall = (e.3 - s.3).as_secs_f64();
    Ours {
        probes_per_s: probes / dt,
        replies_per_s: replies / dt,
        cpu_s_per_100k: cpu / probes * 100_000.0,
        core_share: cpu / wall,
        machine_share: (e.2 - s.2) as f64 / tck / wall,
        rss_kb,
    }
}

/// arping, one process per probe as a script (or rdnbrd) would run it, on
/// `sample` hosts; returns CPU seconds per probe and the answers seen.
fn run_arping(f: &Fabric, n: usize, sample: usize, count: usize) -> (f64, usize) {
    let before = children_ticks();
    let mut answered = 0;
    let step = (n / sample).max(1);
    let mut probes = 0;
    for k in 0..sample {
        let i = (k * step).min(n - 1);
        let c = count.to_string();
        let out = Command::new("ip")
            .args([
                "netns", "exec", &f.leaf, "arping", "-q", "-i", "p0", "-c", &c, "-W", "0.01", "-w",
                "2",
            ])
            .args(["-S", "10.128.0.1", "-t", &host_mac(i), &host_ip(i)])
            .output()
            .expect("run arping (apt-get install arping)");
        probes += count;
        if out.status.success() {
            answered += 1;
        }
    }
    let cpu = (children_ticks() - before) as f64 / clk_tck();
    (cpu / probes as f64, answered)
}

fn main() {
    // only under `cargo bench` (which passes --bench): not in test runs or listings
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let arping = Command::new("arping").arg("--help").output().is_ok();
    if !root || !arping {
        eprintln!("probe_fabric SKIPPED: needs root, iproute2 and arping");
        return;
    }
    let sizes: Vec<usize> = std::env::var("ARPPROBE_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let secs: u64 = std::env::var("ARPPROBE_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    println!("probe_fabric: arpprobe vs arping, 1 s interval, {secs} s measured after 2 s warm-up");
    for n in sizes {
        let t = Instant::now();
        let f = build(n);
        let setup = t.elapsed();
        let ours = run_ours(&f, n, secs, false);
        let split = run_ours(&f, n, secs, true);
        let (arping_single, answered) = run_arping(&f, n, 50, 1);
        let (arping_burst, _) = run_arping(&f, n, 5, 20);
        let ours_per_probe = ours.cpu_s_per_100k / 100_000.0;
        println!(
            "hosts {n} (setup {:.1} s: {} container namespaces with a macvlan and 1,000 addresses each, ip -batch)",
            setup.as_secs_f64(),
            n.div_ceil(PER_MACVLAN)
        );
        println!(
            "  arpprobe: {:.0} probes/s sustained, {:.0} answers matched/s",
            ours.probes_per_s, ours.replies_per_s
        );
        println!(
            "  arpprobe: {:.3} CPU s per 100,000 probes ({:.1}% of one core); whole machine incl. the answering kernel {:.1}% of one core; peak RSS {:.1} MiB",
            ours.cpu_s_per_100k,
            ours.core_share * 100.0,
            ours.machine_share * 100.0,
            ours.rss_kb as f64 / 1024.0
        );
        println!(
            "  arpprobe, answering kernel's work moved off the prober's CPU (RPS): {:.0} probes/s, {:.0} answers/s, {:.3} CPU s per 100,000 probes ({:.1}% of one core)",
            split.probes_per_s,
            split.replies_per_s,
            split.cpu_s_per_100k,
            split.core_share * 100.0
        );
        println!(
            "  arping (one process per probe, 50 hosts, {answered}/50 answered): {:.1} us CPU per probe",
            arping_single * 1e6
        );
        println!(
            "  arping (20 probes per process, 5 hosts): {:.1} us CPU per probe",
            arping_burst * 1e6
        );
        println!(
            "  arpprobe {:.2} us CPU per probe: {:.0}x less than arping per process, {:.0}x less than arping -c 20",
            ours_per_probe * 1e6,
            arping_single / ours_per_probe,
            arping_burst / ours_per_probe
        );
        let _ = std::io::stdout().flush();
        drop(f);
        std::thread::sleep(Duration::from_millis(200));
    }
}
