//! (a) 100,000 live hosts: time to the spine, CPU and RSS in steady state;
//! (c) on the same fabric, removed hosts until withdrawn at the spine.

use super::*;

// ------------------------------------------------------------ (a) and (c)

/// One steady-state window of neighd.
pub(crate) struct Window {
    pub(crate) wall: Duration,
    pub(crate) cpu_share: f64,
    pub(crate) machine_share: f64,
    pub(crate) probes_per_s: f64,
    pub(crate) answered_per_s: f64,
    pub(crate) missed_per_s: f64,
    /// Routes neighd withdrew meanwhile (hosts it wrongly took for dead).
    pub(crate) withdrawn: f64,
}

pub(crate) struct Scale {
    pub(crate) hosts: u32,
    pub(crate) groups: usize,
    pub(crate) setup: Duration,
    pub(crate) batch: Duration,
    pub(crate) all_on_spine: Duration,
    pub(crate) ramp_cpu: Duration,
    pub(crate) alive: f64,
    pub(crate) steady: Window,
    pub(crate) rps: std::result::Result<Window, String>,
    pub(crate) rss: u64,
    pub(crate) peak_rss: u64,
}

pub(crate) struct Removal {
    /// Removal → the spine's bgpd logs the withdrawal (its RIB).
    pub(crate) to_rib: Vec<Duration>,
    /// Removal → the spine's kernel route is deleted.
    pub(crate) to_kernel: Vec<Duration>,
    pub(crate) missing: Vec<Ipv4Addr>,
    /// Kernel-learned hosts: removal → withdrawn in the spine's RIB,
    /// → FAILED in the leaf's kernel.
    pub(crate) kernel: Vec<(Ipv4Addr, Option<Duration>, Option<Duration>)>,
}

pub(crate) fn measure_window(leaf: &Netns, pid: u32, wall: Duration) -> Result<Window> {
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
pub(crate) fn measure_rps_window(f: &Fabric, pid: u32) -> Result<Window> {
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

pub(crate) fn scale_and_removal(bins: &Binaries, hosts: u32) -> Result<(Scale, Result<Removal>)> {
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
pub(crate) struct Prepared {
    pub(crate) spine_ev: EventLog,
    pub(crate) leaf_ev: EventLog,
    pub(crate) group_ev: EventLog,
    pub(crate) kernel_hosts: Vec<Ipv4Addr>,
    pub(crate) kernel_removed_at: Instant,
    pub(crate) pings: Vec<Daemon>,
}

/// Hosts the leaf's kernel learns itself (ping, kept flowing), on the
/// spine through neighd, then removed; the monitors (c) reads.
pub(crate) fn prepare_removals(f: &Fabric, fleet: &HostFleet) -> Result<Prepared> {
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
pub(crate) fn removals(f: &Fabric, fleet: &HostFleet, p: Prepared) -> Result<Removal> {
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
pub(crate) fn logged(frr: &Frr, news: News, hosts: &[String]) -> Result<HashMap<String, i64>> {
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
pub(crate) fn first<'a>(
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
