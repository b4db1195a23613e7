//! The fabric every part runs on: an FRR spine, a leaf running neighd (or
//! FRR), a server; and the probes of it (sessions, metrics, CPU, a seeded RNG).

use super::*;

// ------------------------------------------------------------------ fabric

/// An FRR spine (`swp1`) over a leaf (`swp51`), and a server (`eth1`)
/// behind the leaf's host port `swp1`.
pub(crate) struct Fabric {
    pub(crate) spine: Netns,
    pub(crate) leaf: Netns,
    pub(crate) server: Netns,
    pub(crate) spine_frr: Frr,
}

pub(crate) fn fabric(prefix: &str, mac_base: u32, leaf_addr: &str) -> Result<Fabric> {
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

pub(crate) fn wait_spine_session(f: &Fabric) -> Result<()> {
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
pub(crate) fn spine_received(f: &Fabric) -> Result<u64> {
    Ok(f.spine_frr
        .summary()?
        .get("ipv4Unicast")
        .and_then(|peers| peers.iter().find(|p| p.name == "swp1"))
        .map_or(0, |p| p.prefixes_received))
}

pub(crate) fn neighd_config(
    leaf: &Netns,
    prefixes: &str,
    redistribute_extra: &str,
) -> Result<String> {
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
pub(crate) fn neighd_pid(leaf: &Netns) -> Result<u32> {
    leaf.pids()?
        .into_iter()
        .find(|p| {
            std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c.trim() == "neighd")
        })
        .ok_or_else(|| Error::Invalid(format!("no neighd process in {}", leaf.name())))
}

/// neighd's Prometheus metrics, fetched inside the leaf's namespace.
pub(crate) fn metrics(leaf: &Netns) -> Result<String> {
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
pub(crate) fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

/// Busy (non-idle, non-iowait) time of the whole machine, in ticks.
pub(crate) fn machine_busy_ticks() -> u64 {
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
pub(crate) fn settle(pids: &[u32]) {
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

pub(crate) fn frr_pids(frr: &Frr) -> Vec<u32> {
    [frr.bgpd(), frr.zebra()]
        .into_iter()
        .flatten()
        .map(Daemon::pid)
        .collect()
}

/// A small xorshift generator: random phases without a dependency.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
