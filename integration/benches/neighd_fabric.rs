//! neighd's fabric benchmarks (issue 6), in one run, each figure printed
//! beside its goal with the ratio:
//!
//! (a) 100,000 live hosts probed every second, answered by real kernels
//!     (100 namespaces of 1,000 addresses, each on a macvlan of the server
//!     behind the leaf's swp1), their leaf entries `nud permanent` and
//!     neighd run with `permanent = true` (gc_thresh3 for other entries is
//!     global to the machine): how long until all 100,000 /32s are on an
//!     FRR spine (its `pfxRcd`), then neighd's CPU share of one core and
//!     its RSS over a steady-state window — once as is (veth delivers the
//!     answering kernels' receive work in neighd's send context), once with
//!     that work steered to the other CPU (RPS on the server's port,
//!     neighd pinned), which is what a leaf whose hosts are other machines
//!     pays. Goals ≤ 0.25 core, ≤ 64 MB.
//! (b) a neighbour entry appearing on the leaf (`nud reachable`, advertised
//!     on sight) → the /32 at an FRR spine: 1,000 hosts, one every 20 ms,
//!     timed from the leaf's `ip -ts monitor neigh` to (1) the spine's bgpd
//!     logging `rcvd PREFIX` (`debug bgp updates in`: the prefix is in its
//!     RIB) and (2) the spine's kernel route (`ip -ts monitor route`; zebra
//!     installs after bgpd's best-path work queue, which FRR holds 50 ms,
//!     and its own, held 10 ms). The rdnbrd path on a fabric of its own,
//!     afterwards: the same /32 written to table 10 on the leaf, carried by
//!     an FRR leaf (`ip import-table 10`, `redistribute table 10`), timed
//!     from the leaf's table-10 route event. Goals p99 ≤ 20 ms and ≤ 0.5 ×
//!     the rdnbrd path.
//! (c) on fabric (a), with the default probe_interval 1 s × probe_misses 3:
//!     50 hosts removed (their address deleted, so nothing answers ARP) one
//!     by one at random phases (a removal every 200-800 ms, so detections
//!     overlap), timed from the address's removal (`ip -ts monitor
//!     address` in its namespace) to the withdrawal in the spine's bgpd RIB
//!     and to the spine's kernel route deletion. Goal ≤ 1 s × 3 + 50 ms.
//!     Beside it, for hosts the leaf's kernel learned itself (ping, traffic
//!     kept flowing), how long the kernel's own state machine with default
//!     sysctls takes to mark them FAILED.
//!
//! All monitors run at real-time priority so their time stamps are taken
//! when the event happens, not when a busy machine gets round to them.
//! Before measuring it waits (up to 10 min) for the 1-minute load average
//! to fall below 1.5, and prints the load at start and end. Every fabric
//! lives in namespaces this program creates and removes, also on failure.
//! Needs root and a release neighd:
//!
//!   cargo build --release -p neighd
//!   cargo bench -p integration --bench neighd_fabric
//!
//! NEIGHD_FABRIC_HOSTS (100000), NEIGHD_FABRIC_ONLY (`a` = (a)+(c), `b`)
//! and NEIGHD_FABRIC_NO_WAIT (skip the load wait) are for development.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use integration::agent::{Agent, Binaries};
use integration::bench::events::{Event, EventLog};
use integration::bench::fleet::{FleetSpec, HostFleet};
use integration::bench::frr_log::{self, News};
use integration::bench::load::{load_average, wait_for_load_below};
use integration::bench::paced::BatchPipe;
use integration::bench::stats::Summary;
use integration::daemon::Daemon;
use integration::frr::config::SpineConfig;
use integration::frr::Frr;
use integration::link::{mac, veth};
use integration::{pending, procstat, wait_for, Error, Netns, Result, SpineLeaf};

/// Bounded waits for fabric set-up (sessions, routes).
const T: Duration = Duration::from_secs(120);
const LOAD_LIMIT: f64 = 1.5;
const LOAD_WAIT: Duration = Duration::from_secs(600);
const METRICS_PORT: u16 = 9617;

const CPU_GOAL: f64 = 0.25;
const RSS_GOAL_MB: f64 = 64.0;
const P99_GOAL: Duration = Duration::from_millis(20);
const RDNBRD_RATIO_GOAL: f64 = 0.5;
const PROBE_INTERVAL: Duration = Duration::from_secs(1);
const PROBE_MISSES: u32 = 3;
const REMOVAL_SLACK: Duration = Duration::from_millis(50);

const STEADY_WINDOW: Duration = Duration::from_secs(20);
const RPS_WINDOW: Duration = Duration::from_secs(15);
const LATENCY_HOSTS: u32 = 1000;
const LATENCY_SPACING: Duration = Duration::from_millis(20);
/// (b) deletes the leaf entry of host i - 50 when it adds host i (the
/// route stays: neighd keeps probing the host), so at most 50 entries
/// count against the machine-wide gc_thresh3.
const LATENCY_ENTRIES_KEPT: u32 = 50;
const REMOVED_HOSTS: usize = 50;
const KERNEL_HOSTS: u32 = 3;
const KERNEL_FAILED_LIMIT: Duration = Duration::from_secs(75);

// ------------------------------------------------------------------ fabric

/// An FRR spine (`swp1`) over a leaf (`swp51`), and a server (`eth1`)
/// behind the leaf's host port `swp1`.
struct Fabric {
    spine: Netns,
    leaf: Netns,
    server: Netns,
    spine_frr: Frr,
}

fn fabric(prefix: &str, mac_base: u32, leaf_addr: &str) -> Result<Fabric> {
    let SpineLeaf { spine, leaf, .. } = SpineLeaf::new(prefix, "spine", mac_base, T)?;
    let server = Netns::new(prefix, "srv")?;
    veth(
        &leaf,
        "swp1",
        &mac(mac_base + 2),
        &server,
        "eth1",
        &mac(mac_base + 3),
    )?;
    leaf.add_addr("swp1", leaf_addr)?;
    let spine_frr = Frr::start(
        &spine,
        &SpineConfig::new("spine01", 65020, "10.0.0.21")
            .interface("swp1")
            .render(),
    )?;
    Ok(Fabric {
        spine,
        leaf,
        server,
        spine_frr,
    })
}

fn wait_spine_session(f: &Fabric) -> Result<()> {
    wait_for(T, "the spine's session to the leaf", || {
        let n = f
            .spine_frr
            .neighbor("swp1")
            .map_err(|e| pending(e.to_string()))?;
        match &n {
            Some(n) if n.is_established() => Ok(()),
            _ => Err(pending(n)),
        }
    })
}

/// The spine's prefixes received from the leaf (`pfxRcd`).
fn spine_received(f: &Fabric) -> Result<u64> {
    Ok(f.spine_frr
        .summary()?
        .get("ipv4Unicast")
        .and_then(|peers| peers.iter().find(|p| p.name == "swp1"))
        .map_or(0, |p| p.prefixes_received))
}

fn neighd_config(leaf: &Netns, prefixes: &str, redistribute_extra: &str) -> Result<String> {
    Ok(format!(
        "[bgp]\nasn = 65011\nrouter_id = \"10.0.0.11\"\nhostname = \"leaf01\"\n\n\
         [[bgp.neighbor]]\ninterface = \"swp51\"\nremote_as = \"external\"\n\n\
         [redistribute]\ninterfaces = [\"swp1\"]\nprefixes = [\"{prefixes}\"]\n\
         probe_interval = \"{}ms\"\nprobe_misses = {PROBE_MISSES}\n{redistribute_extra}\n\n\
         [fib]\ninstall = true\n\n[control]\nsocket = \"{}\"\n\n\
         [metrics]\nlisten = \"127.0.0.1:{METRICS_PORT}\"\n",
        PROBE_INTERVAL.as_millis(),
        Agent::socket_path(leaf)?.display()
    ))
}

/// neighd's pid: the process of the leaf's namespace called `neighd`.
fn neighd_pid(leaf: &Netns) -> Result<u32> {
    leaf.pids()?
        .into_iter()
        .find(|p| {
            std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c.trim() == "neighd")
        })
        .ok_or_else(|| Error::Invalid(format!("no neighd process in {}", leaf.name())))
}

/// neighd's Prometheus metrics, fetched inside the leaf's namespace.
fn metrics(leaf: &Netns) -> Result<String> {
    leaf.exec(
        "bash",
        [
            "-c",
            &format!(
                "exec 3<>/dev/tcp/127.0.0.1/{METRICS_PORT}; \
                 printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3"
            ),
        ],
    )
}

/// The value of the sample `name` (with its labels, e.g.
/// `neighd_hosts{state="alive"}`) in a metrics text.
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

/// Busy (non-idle, non-iowait) time of the whole machine, in ticks.
fn machine_busy_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let f: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    f.iter().sum::<u64>() - f.get(3).copied().unwrap_or(0) - f.get(4).copied().unwrap_or(0)
}

/// Waits (up to 60 s) until `pids` together use less than 5 % of a core
/// over 1 s: FRR digesting 100,000 routes must not share the window.
fn settle(pids: &[u32]) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let before: Duration = pids
            .iter()
            .filter_map(|p| procstat::usage(*p).ok())
            .map(|u| u.cpu())
            .sum();
        std::thread::sleep(Duration::from_secs(1));
        let after: Duration = pids
            .iter()
            .filter_map(|p| procstat::usage(*p).ok())
            .map(|u| u.cpu())
            .sum();
        if after.saturating_sub(before) < Duration::from_millis(50) {
            return;
        }
    }
}

fn frr_pids(frr: &Frr) -> Vec<u32> {
    [frr.bgpd(), frr.zebra()]
        .into_iter()
        .flatten()
        .map(Daemon::pid)
        .collect()
}

/// A small xorshift generator: random phases without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

// ------------------------------------------------------------ (a) and (c)

/// One steady-state window of neighd.
struct Window {
    wall: Duration,
    cpu_share: f64,
    machine_share: f64,
    probes_per_s: f64,
    answered_per_s: f64,
    missed_per_s: f64,
    /// Routes neighd withdrew meanwhile (hosts it wrongly took for dead).
    withdrawn: f64,
}

struct Scale {
    hosts: u32,
    groups: usize,
    setup: Duration,
    batch: Duration,
    all_on_spine: Duration,
    ramp_cpu: Duration,
    alive: f64,
    steady: Window,
    rps: std::result::Result<Window, String>,
    rss: u64,
    peak_rss: u64,
}

struct Removal {
    /// Removal → the spine's bgpd logs the withdrawal (its RIB).
    to_rib: Vec<Duration>,
    /// Removal → the spine's kernel route is deleted.
    to_kernel: Vec<Duration>,
    missing: Vec<Ipv4Addr>,
    /// Kernel-learned hosts: removal → withdrawn in the spine's RIB,
    /// → FAILED in the leaf's kernel.
    kernel: Vec<(Ipv4Addr, Option<Duration>, Option<Duration>)>,
}

fn measure_window(leaf: &Netns, pid: u32, wall: Duration) -> Result<Window> {
    let m0 = metrics(leaf)?;
    let u0 = procstat::usage(pid)?;
    let b0 = machine_busy_ticks();
    let t0 = Instant::now();
    std::thread::sleep(wall);
    let u1 = procstat::usage(pid)?;
    let b1 = machine_busy_ticks();
    let wall = t0.elapsed();
    let m1 = metrics(leaf)?;
    let rate = |name: &str| {
        (metric(&m1, name).unwrap_or(0.0) - metric(&m0, name).unwrap_or(0.0)) / wall.as_secs_f64()
    };
    Ok(Window {
        wall,
        cpu_share: u1.cpu().saturating_sub(u0.cpu()).as_secs_f64() / wall.as_secs_f64(),
        // USER_HZ is 100
        machine_share: (b1 - b0) as f64 / 100.0 / wall.as_secs_f64(),
        probes_per_s: rate("neighd_probes_sent_total"),
        answered_per_s: rate("neighd_probes_answered_total"),
        missed_per_s: rate("neighd_probes_missed_total"),
        withdrawn: rate("neighd_routes_withdrawn_total") * wall.as_secs_f64(),
    })
}

/// The answering kernels' receive work on the other CPU (RPS on the
/// server's port), neighd pinned to CPU 0; undone afterwards.
fn measure_rps_window(f: &Fabric, pid: u32) -> Result<Window> {
    let rps = |mask: &str| {
        f.server.exec(
            "sh",
            [
                "-c",
                &format!("echo {mask} > /sys/class/net/eth1/queues/rx-0/rps_cpus"),
            ],
        )
    };
    let pin = |cpus: &str| {
        std::process::Command::new("taskset")
            .args(["-a", "-p", cpus, &pid.to_string()])
            .output()
            .map_err(|source| Error::Spawn {
                command: format!("taskset -a -p {cpus} {pid}"),
                source,
            })
            .and_then(|o| {
                if o.status.success() {
                    Ok(())
                } else {
                    Err(Error::Invalid(format!(
                        "taskset: {}",
                        String::from_utf8_lossy(&o.stderr)
                    )))
                }
            })
    };
    rps("2")?;
    pin("1")?;
    std::thread::sleep(Duration::from_secs(2));
    let w = measure_window(&f.leaf, pid, RPS_WINDOW);
    let _ = pin("0xffffffff");
    let _ = rps("0");
    w
}

fn scale_and_removal(bins: &Binaries, hosts: u32) -> Result<(Scale, Result<Removal>)> {
    let started = Instant::now();
    let f = fabric("nfa-", 0x0e41, "10.128.0.1/15")?;
    let fleet = HostFleet::build(
        "nfa-",
        &f.server,
        "eth1",
        FleetSpec {
            first: Ipv4Addr::new(10, 128, 1, 0),
            count: hosts,
            prefix_len: 15,
            per_group: 1000,
            mac_base: 0xb1_0000,
        },
    )?;
    let agent = Agent::start(
        &f.leaf,
        bins,
        &neighd_config(&f.leaf, "10.128.0.0/15", "permanent = true")?,
    )?;
    wait_spine_session(&f)?;
    let pid = neighd_pid(&f.leaf)?;
    let setup = started.elapsed();

    let cpu0 = procstat::usage(pid)?.cpu();
    let t0 = Instant::now();
    f.leaf
        .ip_batch(fleet.neighbour_lines("swp1", "permanent"))?;
    let batch = t0.elapsed();
    let mut last = 0;
    let all_on_spine = loop {
        if let Ok(n) = spine_received(&f) {
            last = n;
            if n >= u64::from(hosts) {
                break t0.elapsed();
            }
        }
        if t0.elapsed() > Duration::from_secs(240) {
            return Err(Error::Timeout {
                what: format!("{hosts} /32s on the spine"),
                timeout: Duration::from_secs(240),
                last: format!("{last} received"),
            });
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    let ramp_cpu = procstat::usage(pid)?.cpu().saturating_sub(cpu0);
    eprintln!(
        "neighd_fabric: (a) all {hosts} on the spine after {:.1} s; settling FRR",
        all_on_spine.as_secs_f64()
    );
    settle(&frr_pids(&f.spine_frr));
    // (c)'s kernel-learned hosts go now: the kernel takes most of a minute
    // to notice, time the steady-state windows can use; neighd withdraws
    // them within 3 s, before the window starts
    let prepared = prepare_removals(&f, &fleet);
    std::thread::sleep(PROBE_INTERVAL * (PROBE_MISSES + 1));
    eprintln!("neighd_fabric: (a) steady state, {STEADY_WINDOW:?}");
    let steady = measure_window(&f.leaf, pid, STEADY_WINDOW)?;
    let alive = metric(&metrics(&f.leaf)?, "neighd_hosts{state=\"alive\"}").unwrap_or(0.0);
    eprintln!("neighd_fabric: (a) steady state with RPS, {RPS_WINDOW:?}");
    let rps = measure_rps_window(&f, pid).map_err(|e| e.to_string());
    let usage = procstat::usage(pid)?;
    let scale = Scale {
        hosts,
        groups: fleet.groups(),
        setup,
        batch,
        all_on_spine,
        ramp_cpu,
        alive,
        steady,
        rps,
        rss: usage.rss,
        peak_rss: usage.peak_rss,
    };

    eprintln!("neighd_fabric: (c) removals");
    let removal = prepared.and_then(|p| removals(&f, &fleet, p));
    drop(agent);
    Ok((scale, removal))
}

/// What (c) set up before the steady-state windows of (a).
struct Prepared {
    spine_ev: EventLog,
    leaf_ev: EventLog,
    group_ev: EventLog,
    kernel_hosts: Vec<Ipv4Addr>,
    kernel_removed_at: Instant,
    pings: Vec<Daemon>,
}

/// Hosts the leaf's kernel learns itself (ping, kept flowing), on the
/// spine through neighd, then removed; the monitors (c) reads.
fn prepare_removals(f: &Fabric, fleet: &HostFleet) -> Result<Prepared> {
    // hosts the leaf's kernel learns by itself, kept busy with traffic
    let group_ns = fleet.group_of(1000);
    let kernel_hosts: Vec<Ipv4Addr> = (1..=KERNEL_HOSTS)
        .map(|k| Ipv4Addr::new(10, 129, 250, k as u8))
        .collect();
    for ip in &kernel_hosts {
        group_ns.add_addr("eth0", &format!("{ip}/15"))?;
    }
    let mut pings = Vec::new();
    for ip in &kernel_hosts {
        let mut c = f.leaf.command("ping");
        c.args(["-q", "-i", "0.2", &ip.to_string()]);
        let log = f.leaf.workdir().join(format!("ping-{ip}.log"));
        pings.push(Daemon::spawn(format!("ping {ip}"), c, &log)?);
    }
    wait_for(T, "the kernel-learned hosts on the spine", || {
        for ip in &kernel_hosts {
            let paths = f
                .spine_frr
                .bgp_prefix(&format!("{ip}/32"))
                .map_err(|e| pending(e.to_string()))?;
            if paths.is_empty() {
                return Err(pending(format!("{ip}/32 not yet")));
            }
        }
        Ok(())
    })?;
    // a moment of traffic, so the entries are in use when the hosts go
    std::thread::sleep(Duration::from_secs(1));

    frr_log::log_updates_in(&f.spine_frr)?;
    let spine_ev = EventLog::start(&f.spine, &["route"], "c-spine")?;
    let leaf_ev = EventLog::start(&f.leaf, &["neigh"], "c-leaf")?;
    let group_ev = EventLog::start(group_ns, &["address"], "c-group")?;
    for ip in &kernel_hosts {
        group_ns.ip(["addr", "del", &format!("{ip}/15"), "dev", "eth0"])?;
    }
    Ok(Prepared {
        spine_ev,
        leaf_ev,
        group_ev,
        kernel_hosts,
        kernel_removed_at: Instant::now(),
        pings,
    })
}

/// (c): hosts removed at random phases → their /32 gone from the spine's
/// kernel; the kernel-learned hosts → FAILED in the leaf's kernel.
fn removals(f: &Fabric, fleet: &HostFleet, p: Prepared) -> Result<Removal> {
    let Prepared {
        mut spine_ev,
        mut leaf_ev,
        mut group_ev,
        kernel_hosts,
        kernel_removed_at,
        pings,
    } = p;
    let seed = u64::from(std::process::id()) << 20 ^ 0x9e37_79b9_7f4a_7c15;
    let mut rng = Rng(seed | 1);
    let mut candidates: Vec<u32> = (1000..2000.min(fleet.len()))
        .filter(|i| fleet.removable(*i))
        .collect();
    let mut removed = Vec::new();
    while removed.len() < REMOVED_HOSTS && !candidates.is_empty() {
        std::thread::sleep(Duration::from_millis(200 + rng.below(600)));
        let k = rng.below(candidates.len() as u64) as usize;
        let i = candidates.swap_remove(k);
        fleet.remove(i)?;
        removed.push(fleet.host(i));
    }
    // every withdrawal due within 3 s of the last removal; the kernel's FAILED later
    let removals_done = Instant::now();
    loop {
        let spine = spine_ev.events()?;
        let leaf = leaf_ev.events()?;
        let all_gone = removed
            .iter()
            .chain(&kernel_hosts)
            .all(|ip| first(&spine, ip, true, |_| true).is_some());
        let all_failed = kernel_hosts
            .iter()
            .all(|ip| first(&leaf, ip, false, |e| e.text.contains("FAILED")).is_some());
        let spine_waited = removals_done.elapsed() > Duration::from_secs(15);
        let kernel_waited = kernel_removed_at.elapsed() > KERNEL_FAILED_LIMIT;
        if (all_gone || spine_waited) && (all_failed || kernel_waited) {
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    drop(pings);

    let spine = spine_ev.events()?;
    let leaf = leaf_ev.events()?;
    let group = group_ev.events()?;
    let gone: Vec<String> = removed.iter().map(Ipv4Addr::to_string).collect();
    let rib = logged(&f.spine_frr, News::Withdrawn, &gone)?;
    let removed_at = |ip: &Ipv4Addr| {
        group
            .iter()
            .find(|e| e.deleted && e.inet() == Some(&ip.to_string()))
    };
    let to_rib = |ip: &Ipv4Addr| {
        let at = removed_at(ip)?.at_us;
        let d = rib.get(&format!("{ip}/32"))? - at;
        u64::try_from(d).ok().map(Duration::from_micros)
    };
    let to_kernel = |ip: &Ipv4Addr| first(&spine, ip, true, |_| true)?.since(removed_at(ip)?);
    let mut r = Removal {
        to_rib: Vec::new(),
        to_kernel: Vec::new(),
        missing: Vec::new(),
        kernel: Vec::new(),
    };
    for ip in &removed {
        match (to_rib(ip), to_kernel(ip)) {
            (Some(a), Some(b)) => {
                r.to_rib.push(a);
                r.to_kernel.push(b);
            }
            _ => r.missing.push(*ip),
        }
    }
    for ip in &kernel_hosts {
        let failed = removed_at(ip)
            .and_then(|a| first(&leaf, ip, false, |e| e.text.contains("FAILED"))?.since(a));
        r.kernel.push((*ip, to_rib(ip), failed));
    }
    Ok(r)
}

/// bgpd's first `news` about each prefix, once its log (written with a
/// delay) has every one of `hosts` (or after 10 s, with what it has).
fn logged(frr: &Frr, news: News, hosts: &[String]) -> Result<HashMap<String, i64>> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = frr_log::first_news(frr, news)?;
        let complete = hosts.iter().all(|h| got.contains_key(&format!("{h}/32")));
        if complete || Instant::now() >= deadline {
            return Ok(got);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The first event about `ip` (its subject) of the given kind matching `also`.
fn first<'a>(
    events: &'a [Event],
    ip: &Ipv4Addr,
    deleted: bool,
    also: impl Fn(&Event) -> bool,
) -> Option<&'a Event> {
    let ip = ip.to_string();
    events
        .iter()
        .find(|e| e.deleted == deleted && e.subject() == ip && also(e))
}

// --------------------------------------------------------------------- (b)

/// Latencies of one path to the two points measured at the spine.
struct Latency {
    name: &'static str,
    /// To bgpd's RIB: its `rcvd PREFIX` debug line.
    to_rib: Vec<Duration>,
    /// To the kernel: zebra's route install (`ip monitor route`).
    to_kernel: Vec<Duration>,
    /// Hosts without a start event or without an end event, per point.
    missing: (usize, usize),
    /// Hosts whose end was stamped before their start (the leaf's monitor
    /// woke up later than the spine logged it), counted as 0, per point.
    early: (usize, usize),
    /// neighd's own histogram mean (neighbour event → route sent).
    inside: Option<Duration>,
}

fn latency_host(i: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(Ipv4Addr::new(172, 16, 4, 0)) + i)
}

/// A fabric for (b) with the 1,000 hosts as addresses of the server's
/// eth1 (so neighd's probes are answered and the hosts stay alive).
fn latency_fabric(prefix: &str, mac_base: u32) -> Result<(Fabric, String)> {
    let f = fabric(prefix, mac_base, "172.16.0.1/16")?;
    f.server.ip_batch(
        (0..LATENCY_HOSTS).map(|i| format!("addr add {}/16 dev eth1", latency_host(i))),
    )?;
    Ok((f, mac(mac_base + 3)))
}

/// Writes one line per host (and `extra(i)` lines) on the leaf every
/// [`LATENCY_SPACING`], then waits until the spine's kernel has every /32;
/// the latencies from the leaf event `is_start` picks to the spine's bgpd
/// receiving the prefix and to the spine's kernel route.
fn time_hosts(
    f: &Fabric,
    line: impl Fn(u32) -> String,
    extra: impl Fn(u32) -> Option<String>,
    leaf_objects: &[&str],
    is_start: impl Fn(&Event) -> bool,
) -> Result<Latency> {
    frr_log::log_updates_in(&f.spine_frr)?;
    let mut leaf_ev = EventLog::start(&f.leaf, leaf_objects, "b-leaf")?;
    let mut spine_ev = EventLog::start(&f.spine, &["route"], "b-spine")?;
    std::thread::sleep(Duration::from_secs(1));
    let mut pipe = BatchPipe::start(&f.leaf, "b")?;
    let start = Instant::now();
    for i in 0..LATENCY_HOSTS {
        let due = start + LATENCY_SPACING * i;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        pipe.send(&line(i))?;
        if let Some(l) = extra(i) {
            pipe.send(&l)?;
        }
    }
    let want: Vec<String> = (0..LATENCY_HOSTS)
        .map(|i| latency_host(i).to_string())
        .collect();
    let complete = wait_for(
        Duration::from_secs(30),
        "every /32 in the spine's kernel",
        || {
            let ev = spine_ev.events().map_err(|e| pending(e.to_string()))?;
            let seen: std::collections::HashSet<&str> = ev
                .iter()
                .filter(|e| !e.deleted)
                .map(Event::subject)
                .collect();
            let missing = want.iter().filter(|w| !seen.contains(w.as_str())).count();
            if missing == 0 {
                Ok(())
            } else {
                Err(pending(format!("{missing} missing")))
            }
        },
    );
    pipe.finish()?;
    if let Err(e) = complete {
        eprintln!("neighd_fabric: {e}");
    }
    let spine = spine_ev.events()?;
    let leaf = leaf_ev.events()?;
    let rib = logged(&f.spine_frr, News::Announced, &want)?;
    let mut starts: HashMap<&str, &Event> = HashMap::new();
    for e in leaf.iter().filter(|e| !e.deleted && is_start(e)) {
        starts.entry(e.subject()).or_insert(e);
    }
    let mut ends: HashMap<&str, &Event> = HashMap::new();
    for e in spine.iter().filter(|e| !e.deleted) {
        ends.entry(e.subject()).or_insert(e);
    }
    let mut l = Latency {
        name: "",
        to_rib: Vec::new(),
        to_kernel: Vec::new(),
        missing: (0, 0),
        early: (0, 0),
        inside: None,
    };
    for w in &want {
        let start = starts.get(w.as_str()).map(|e| e.at_us);
        let rib_at = rib.get(&format!("{w}/32")).copied();
        let kernel_at = ends.get(w.as_str()).map(|e| e.at_us);
        for (end, samples, missing, early) in [
            (rib_at, &mut l.to_rib, &mut l.missing.0, &mut l.early.0),
            (
                kernel_at,
                &mut l.to_kernel,
                &mut l.missing.1,
                &mut l.early.1,
            ),
        ] {
            match (start, end) {
                (Some(a), Some(b)) => {
                    if b < a {
                        *early += 1;
                    }
                    samples.push(Duration::from_micros(u64::try_from(b - a).unwrap_or(0)));
                }
                _ => *missing += 1,
            }
        }
    }
    Ok(l)
}

fn latency_neighd(bins: &Binaries) -> Result<Latency> {
    let (f, server_mac) = latency_fabric("nfb-", 0x0e51)?;
    let _agent = Agent::start(&f.leaf, bins, &neighd_config(&f.leaf, "172.16.0.0/16", "")?)?;
    wait_spine_session(&f)?;
    let mut l = time_hosts(
        &f,
        |i| {
            format!(
                "neigh add {} lladdr {server_mac} dev swp1 nud reachable",
                latency_host(i)
            )
        },
        |i| {
            i.checked_sub(LATENCY_ENTRIES_KEPT)
                .map(|old| format!("neigh del {} dev swp1", latency_host(old)))
        },
        &["neigh"],
        |_| true,
    )?;
    let m = metrics(&f.leaf)?;
    l.inside = match (
        metric(&m, "neighd_neigh_to_route_seconds_sum"),
        metric(&m, "neighd_neigh_to_route_seconds_count"),
    ) {
        (Some(sum), Some(count)) if count > 0.0 => Some(Duration::from_secs_f64(sum / count)),
        _ => None,
    };
    l.name = "neighd";
    Ok(l)
}

fn latency_rdnbrd() -> Result<Latency> {
    let (f, _) = latency_fabric("nfr-", 0x0e61)?;
    let leaf_conf = "frr defaults datacenter\n\
        hostname leaf01\n\
        log stdout informational\n\
        ip import-table 10\n\
        interface swp51\n ipv6 nd ra-interval 3\n no ipv6 nd suppress-ra\nexit\n\
        router bgp 65011\n bgp router-id 10.0.0.11\n\
        neighbor swp51 interface remote-as external\n\
        address-family ipv4 unicast\n  redistribute table 10\n exit-address-family\nexit\n";
    let _leaf_frr = Frr::start(&f.leaf, leaf_conf)?;
    wait_spine_session(&f)?;
    let mut l = time_hosts(
        &f,
        |i| format!("route add {}/32 dev swp1 table 10", latency_host(i)),
        |_| None,
        &["route"],
        |e| e.text.contains("table 10"),
    )?;
    l.name = "rdnbrd path (FRR leaf)";
    Ok(l)
}

// ------------------------------------------------------------------ report

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "MISSED"
    }
}

fn report_scale(out: &mut String, r: &std::result::Result<(Scale, Result<Removal>), String>) {
    let _ = writeln!(
        out,
        "\n(a) live hosts probed every {PROBE_INTERVAL:?}, real kernels answering"
    );
    let s = match r {
        Ok((s, _)) => s,
        Err(e) => {
            let _ = writeln!(out, "  FAILED: {e}");
            return;
        }
    };
    let _ = writeln!(
        out,
        "  {} hosts in {} namespaces x 1000 addresses (macvlan), leaf entries nud permanent, neighd permanent = true",
        s.hosts, s.groups
    );
    let _ = writeln!(
        out,
        "  set-up (namespaces, addresses, FRR spine, neighd, session up)   {:>8.1} s",
        s.setup.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "  {} neighbour entries written (one ip -batch)                  {:>8.1} s",
        s.hosts,
        s.batch.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "  all {} /32s on the spine (pfxRcd) after the batch started      {:>8.1} s  (neighd CPU meanwhile {:.1} s)",
        s.hosts,
        s.all_on_spine.as_secs_f64(),
        s.ramp_cpu.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "  hosts alive (neighd_hosts{{state=\"alive\"}})                       {:>8.0}",
        s.alive
    );
    let rss_mb = s.rss as f64 / 1e6;
    let peak_mb = s.peak_rss as f64 / 1e6;
    let _ = writeln!(
        out,
        "  {:<44} {:>10} {:>10} {:>10} {:>9} {:>10} {:>9} {:>8} {:>7}",
        "steady state",
        "window",
        "probes/s",
        "answers/s",
        "missed/s",
        "withdrawn",
        "CPU core",
        "vs 0.25",
        "goal"
    );
    let mut row = |name: &str, w: &Window| {
        let _ = writeln!(
            out,
            "  {:<44} {:>8.1} s {:>10.0} {:>10.0} {:>9.0} {:>10.0} {:>9.3} {:>7.2}x {:>7}",
            name,
            w.wall.as_secs_f64(),
            w.probes_per_s,
            w.answered_per_s,
            w.missed_per_s,
            w.withdrawn,
            w.cpu_share,
            w.cpu_share / CPU_GOAL,
            verdict(w.cpu_share <= CPU_GOAL)
        );
    };
    row("as is (veth: answering kernels' rx in neighd)", &s.steady);
    match &s.rps {
        Ok(w) => row("answering kernels' rx on the other CPU (RPS)", w),
        Err(e) => {
            let _ = writeln!(out, "  RPS window FAILED: {e}");
        }
    }
    let _ = writeln!(
        out,
        "  whole machine busy meanwhile: {:.2} / {:.2} cores (as is / RPS)",
        s.steady.machine_share,
        s.rps.as_ref().map_or(f64::NAN, |w| w.machine_share)
    );
    let _ = writeln!(
        out,
        "  neighd RSS {:.1} MB (peak {:.1} MB)   goal <= {RSS_GOAL_MB} MB   {:.2}x   {}",
        rss_mb,
        peak_mb,
        peak_mb / RSS_GOAL_MB,
        verdict(peak_mb <= RSS_GOAL_MB)
    );
}

fn report_latency(out: &mut String, paths: [&std::result::Result<Latency, String>; 2]) {
    let _ = writeln!(
        out,
        "\n(b) neighbour entry on the leaf -> /32 at the spine ({LATENCY_HOSTS} hosts, one every {LATENCY_SPACING:?})"
    );
    let _ = writeln!(
        out,
        "  start: the leaf's `ip -ts monitor` event (neighbour entry; rdnbrd: table-10 route). end: the spine's bgpd\n  logging `rcvd PREFIX` (debug bgp updates in: the prefix is in its RIB), and the spine's kernel route (`ip -ts monitor route`).\n  `early`: end stamped before the start (the leaf's monitor woke later than bgpd logged), counted as 0"
    );
    let _ = writeln!(
        out,
        "  {:<24} {:<18} {:>6} {:>7} {:>6} {:>10} {:>10} {:>10} {:>10}",
        "path", "until", "hosts", "missed", "early", "min", "median", "p99", "max"
    );
    let mut sums: Vec<[Option<Summary>; 2]> = Vec::new();
    for l in paths {
        let l = match l {
            Ok(l) => l,
            Err(e) => {
                let _ = writeln!(out, "  FAILED: {e}");
                sums.push([None, None]);
                continue;
            }
        };
        let mut both = [None, None];
        for (k, (until, samples, missed, early)) in [
            ("spine bgpd RIB", &l.to_rib, l.missing.0, l.early.0),
            ("spine kernel", &l.to_kernel, l.missing.1, l.early.1),
        ]
        .into_iter()
        .enumerate()
        {
            match Summary::of(samples) {
                Some(s) => {
                    let _ = writeln!(
                        out,
                        "  {:<24} {:<18} {:>6} {:>7} {:>6} {:>10} {:>10} {:>10} {:>10}",
                        l.name,
                        until,
                        s.count,
                        missed,
                        early,
                        ms(s.min),
                        ms(s.median),
                        ms(s.p99),
                        ms(s.max)
                    );
                    both[k] = Some(s);
                }
                None => {
                    let _ = writeln!(
                        out,
                        "  {:<24} {:<18} no samples ({missed} missed)",
                        l.name, until
                    );
                }
            }
        }
        if let Some(d) = l.inside {
            let _ = writeln!(
                out,
                "  {:<24} inside neighd (neighd_neigh_to_route_seconds mean): {:.1} us",
                "",
                d.as_secs_f64() * 1e6
            );
        }
        sums.push(both);
    }
    for (k, until) in ["spine bgpd RIB", "spine kernel"].into_iter().enumerate() {
        let ours = sums.first().and_then(|s| s[k]);
        let theirs = sums.get(1).and_then(|s| s[k]);
        let Some(ours) = ours else { continue };
        let mut line = format!(
            "  until {until}: neighd p99 {} vs goal {} = {:.2}x {}",
            ms(ours.p99),
            ms(P99_GOAL),
            ours.p99.as_secs_f64() / P99_GOAL.as_secs_f64(),
            verdict(ours.p99 <= P99_GOAL)
        );
        if let Some(theirs) = theirs {
            let ratio = ours.p99.as_secs_f64() / theirs.p99.as_secs_f64();
            let _ = write!(
                line,
                "; neighd/rdnbrd median {:.3}x, p99 {:.3}x (goal <= {RDNBRD_RATIO_GOAL}x) {}",
                ours.median.as_secs_f64() / theirs.median.as_secs_f64(),
                ratio,
                verdict(ratio <= RDNBRD_RATIO_GOAL)
            );
        }
        let _ = writeln!(out, "{line}");
    }
}

fn report_removal(out: &mut String, r: &std::result::Result<(Scale, Result<Removal>), String>) {
    let bound = PROBE_INTERVAL * PROBE_MISSES + REMOVAL_SLACK;
    let _ = writeln!(
        out,
        "\n(c) host removed (its address deleted: nothing answers ARP) -> /32 gone at the spine; on fabric (a),\n  probe_interval {PROBE_INTERVAL:?} x probe_misses {PROBE_MISSES} (the defaults); {REMOVED_HOSTS} hosts, one removed every 200-800 ms (random phases)"
    );
    let r = match r {
        Ok((_, Ok(r))) => r,
        Ok((_, Err(e))) => {
            let _ = writeln!(out, "  FAILED: {e}");
            return;
        }
        Err(_) => {
            let _ = writeln!(out, "  not run: fabric (a) failed");
            return;
        }
    };
    let _ = writeln!(
        out,
        "  {:<40} {:>6} {:>11} {:>11} {:>11} {:>11} {:>6} {:>7}",
        "until", "hosts", "min", "median", "p99", "max", "over", "goal"
    );
    for (until, samples) in [
        ("spine bgpd RIB (withdrawal logged)", &r.to_rib),
        ("spine kernel (route deleted)", &r.to_kernel),
    ] {
        match Summary::of(samples) {
            Some(s) => {
                let over = samples.iter().filter(|d| **d > bound).count();
                let _ = writeln!(
                    out,
                    "  {:<40} {:>6} {:>11} {:>11} {:>11} {:>11} {:>6} {:>7}",
                    until,
                    s.count,
                    ms(s.min),
                    ms(s.median),
                    ms(s.p99),
                    ms(s.max),
                    over,
                    verdict(over == 0 && r.missing.is_empty())
                );
            }
            None => {
                let _ = writeln!(out, "  {until:<40} no samples");
            }
        }
    }
    let _ = writeln!(out, "  bound: interval x misses + 50 ms = {}", ms(bound));
    if !r.missing.is_empty() {
        let _ = writeln!(out, "  not seen withdrawn within 15 s: {:?}", r.missing);
    }
    let _ = writeln!(
        out,
        "  the kernel's own state machine (default sysctls) on hosts it learned itself (leaf pings each every 200 ms), same removal:"
    );
    for (ip, gone, failed) in &r.kernel {
        let _ = writeln!(
            out,
            "    {ip}: withdrawn at the spine's RIB after {}; FAILED in the leaf's kernel after {}",
            gone.map_or("-".into(), ms),
            failed.map_or(
                format!("- (not within {KERNEL_FAILED_LIMIT:?})"),
                |d| format!("{:.1} s", d.as_secs_f64())
            )
        );
    }
}

fn load_text(l: [f64; 3]) -> String {
    format!("{:.2} {:.2} {:.2}", l[0], l[1], l[2])
}

fn main() {
    // only under `cargo bench` (which passes --bench): not in test runs or listings
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    if !integration::can_run() {
        println!("neighd_fabric SKIPPED: needs root and network namespaces");
        return;
    }
    let bins = match Binaries::locate() {
        Ok(b) => b,
        Err(e) => {
            println!("neighd_fabric SKIPPED: {e}");
            return;
        }
    };
    let hosts: u32 = std::env::var("NEIGHD_FABRIC_HOSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let only = std::env::var("NEIGHD_FABRIC_ONLY").unwrap_or_default();

    let (load0, waited) = if std::env::var_os("NEIGHD_FABRIC_NO_WAIT").is_some() {
        (load_average().unwrap_or([f64::NAN; 3]), Duration::ZERO)
    } else {
        wait_for_load_below(LOAD_LIMIT, LOAD_WAIT, |l| {
            eprintln!(
                "neighd_fabric: load average {} — waiting for < {LOAD_LIMIT}",
                load_text(l)
            );
        })
        .unwrap_or(([f64::NAN; 3], Duration::ZERO))
    };
    let run_start = Instant::now();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "neighd_fabric: neighd {} ; load average at start {} (waited {} s for the 1-min load < {LOAD_LIMIT})",
        bins.neighd.display(),
        load_text(load0),
        waited.as_secs()
    );

    let (mut b_ours, mut b_rdnbrd) = (Err("not run".to_string()), Err("not run".to_string()));
    if only.is_empty() || only == "b" {
        eprintln!("neighd_fabric: (b) neighd path");
        b_ours = latency_neighd(&bins).map_err(|e| e.to_string());
        eprintln!("neighd_fabric: (b) rdnbrd path");
        b_rdnbrd = latency_rdnbrd().map_err(|e| e.to_string());
    }
    let mut a = Err("not run".to_string());
    if only.is_empty() || only == "a" {
        eprintln!("neighd_fabric: (a) building {hosts} hosts");
        a = scale_and_removal(&bins, hosts).map_err(|e| e.to_string());
    }

    if only.is_empty() || only == "a" {
        report_scale(&mut out, &a);
    }
    if only.is_empty() || only == "b" {
        report_latency(&mut out, [&b_ours, &b_rdnbrd]);
    }
    if only.is_empty() || only == "a" {
        report_removal(&mut out, &a);
    }
    let _ = writeln!(
        out,
        "\nload average at end {} ; run took {:.0} s",
        load_average().map_or("?".into(), load_text),
        run_start.elapsed().as_secs_f64()
    );
    print!("{out}");
}
