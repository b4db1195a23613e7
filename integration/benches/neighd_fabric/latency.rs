//! (b) neighbour entry on the leaf -> /32 at the spine, beside the rdnbrd
//! path (table 10 read by an FRR leaf).

use super::*;

// --------------------------------------------------------------------- (b)

/// Latencies of one path to the two points measured at the spine.
pub(crate) struct Latency {
    pub(crate) name: &'static str,
    /// To bgpd's RIB: its `rcvd PREFIX` debug line.
    pub(crate) to_rib: Vec<Duration>,
    /// To the kernel: zebra's route install (`ip monitor route`).
    pub(crate) to_kernel: Vec<Duration>,
    /// Hosts without a start event or without an end event, per point.
    pub(crate) missing: (usize, usize),
    /// Hosts whose end was stamped before their start (the leaf's monitor
    /// woke up later than the spine logged it), counted as 0, per point.
    pub(crate) early: (usize, usize),
    /// neighd's own histogram mean (neighbour event → route sent).
    pub(crate) inside: Option<Duration>,
}

pub(crate) fn latency_host(i: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(Ipv4Addr::new(172, 16, 4, 0)) + i)
}

/// A fabric for (b) with the 1,000 hosts as addresses of the server's
/// eth1 (so neighd's probes are answered and the hosts stay alive).
pub(crate) fn latency_fabric(prefix: &str, mac_base: u32) -> Result<(Fabric, String)> {
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
pub(crate) fn time_hosts(
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

pub(crate) fn latency_neighd(bins: &Binaries) -> Result<Latency> {
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

pub(crate) fn latency_rdnbrd() -> Result<Latency> {
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
