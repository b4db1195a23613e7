//! neighd on a leaf under an unmodified FRR spine, as a user sees it:
//! containers become /32s on the spine; a container that disappears is
//! withdrawn within probe_interval × probe_misses + 100 ms; a host port
//! going down withdraws its hosts at once; 1,000 hosts at once all arrive;
//! a forced netlink overrun is reconciled; neighctl and the metrics show
//! what neighd believes; SIGHUP applies new communities without resetting
//! the session.

#[path = "support/leaf_bed.rs"]
mod leaf_bed;

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use integration::{pending, wait_for};
use leaf_bed::{detection_bound, LeafBed, LeafOptions, T};

#[test]
fn containers_become_host_routes_and_dead_ones_are_withdrawn_in_time() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let mut bed = LeafBed::up(LeafOptions::new("itna-", 0x0d01))?;
    let ips: Vec<Ipv4Addr> = [11, 12, 13]
        .into_iter()
        .map(|n| bed.add_container(n))
        .collect::<integration::Result<_>>()?;
    bed.wait_spine_has(&ips)?;

    let hosts = bed.agent().hosts()?;
    for ip in &ips {
        let h = hosts
            .iter()
            .find(|h| h.ip == ip.to_string())
            .unwrap_or_else(|| panic!("{ip} not in neighctl show hosts: {hosts:?}"));
        assert_eq!(h.state, "alive", "{h:?}");
        assert!(h.advertised, "{h:?}");
        assert_eq!(h.interface, "swp1");
    }

    // The container's namespace is deleted: nothing answers for it any more.
    let gone = ips[1];
    bed.remove_container(gone);
    let deleted_at = Instant::now();
    let took = bed.time_until_gone(gone, deleted_at)?;
    println!(
        "{gone}/32 gone from the spine {} ms after its container was deleted (bound {} ms)",
        took.as_millis(),
        detection_bound().as_millis()
    );
    assert!(
        took <= detection_bound(),
        "withdrawn after {took:?}, more than {:?}",
        detection_bound()
    );
    bed.wait_spine_has(&[ips[0], ips[2]])?;
    let hosts = bed.agent().hosts()?;
    let dead = hosts.iter().find(|h| h.ip == gone.to_string());
    assert!(
        dead.is_none_or(|h| !h.advertised && h.state == "dead"),
        "{dead:?}"
    );

    // A container added later appears too.
    let added = bed.add_container(14)?;
    bed.wait_spine_has(&[ips[0], ips[2], added])?;
    Ok(())
}

#[test]
fn host_port_down_withdraws_at_once_and_up_brings_hosts_back() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let mut bed = LeafBed::up(LeafOptions::new("itnb-", 0x0d11))?;
    let ips: Vec<Ipv4Addr> = [21, 22]
        .into_iter()
        .map(|n| bed.add_container(n))
        .collect::<integration::Result<_>>()?;
    bed.wait_spine_has(&ips)?;

    bed.leaf.link_down("swp1")?;
    let down_at = Instant::now();
    let took = bed.time_until_gone(ips[0], down_at)?;
    println!(
        "host port down: {}/32 gone from the spine after {} ms",
        ips[0],
        took.as_millis()
    );
    // Far less than the probe detection time: the link event, not silence.
    assert!(
        took < Duration::from_millis(leaf_bed::PROBE_INTERVAL_MS * leaf_bed::PROBE_MISSES),
        "took {took:?}"
    );
    bed.wait_spine_has(&[])?;
    let hosts = bed.agent().hosts()?;
    assert!(
        hosts
            .iter()
            .all(|h| h.state == "link_down" && !h.advertised),
        "{hosts:?}"
    );

    bed.leaf.link_up("swp1")?;
    bed.wait_spine_has(&ips)?;
    Ok(())
}

#[test]
fn a_thousand_hosts_at_once_all_reach_the_spine() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let mut opts = LeafOptions::new("itnc-", 0x0d21);
    opts.prefixes = "\"172.16.0.0/16\"";
    opts.redistribute_extra = "permanent = true".into();
    let bed = LeafBed::up(opts)?;
    let hosts = thousand_hosts(&bed, 1000, 10)?;
    bed.wait_spine_count(hosts)?;
    let alive = bed
        .agent()
        .hosts()?
        .iter()
        .filter(|h| h.state == "alive" && h.advertised)
        .count();
    assert_eq!(alive, hosts);
    Ok(())
}

#[test]
fn netlink_overrun_is_reconciled_without_losing_hosts() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    // A tiny netlink receive buffer: a burst of 2,000 entries overruns it.
    // neighd inherits this from the test process (one process per test).
    std::env::set_var("NEIGHD_NETLINK_RCVBUF", "4096");
    let mut opts = LeafOptions::new("itnd-", 0x0d31);
    opts.prefixes = "\"172.16.0.0/16\"";
    opts.redistribute_extra = "permanent = true".into();
    let bed = LeafBed::up(opts)?;
    let hosts = thousand_hosts(&bed, 2000, 20)?;
    bed.wait_spine_count(hosts)?;
    let log = std::fs::read_to_string(bed.agent().log_path()).unwrap_or_default();
    assert!(
        log.contains("resynchronised"),
        "no overrun happened, the test proves nothing; log:\n{log}"
    );
    let advertised = bed.agent().hosts()?.iter().filter(|h| h.advertised).count();
    assert_eq!(advertised, hosts, "every host once, none lost, none twice");
    Ok(())
}

#[test]
fn neighctl_and_metrics_show_what_neighd_believes() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let mut opts = LeafOptions::new("itne-", 0x0d41);
    opts.extra = "[metrics]\nlisten = \"127.0.0.1:9611\"\n".into();
    let mut bed = LeafBed::up(opts)?;
    let ip = bed.add_container(31)?;
    bed.wait_spine_has(&[ip])?;

    let hosts = bed.agent().neighctl_text("hosts")?;
    assert!(
        hosts.contains("172.16.1.31") && hosts.contains("alive"),
        "{hosts}"
    );
    let peers = wait_for(T, "neighctl show peers to list swp51 up", || {
        let text = bed
            .agent()
            .neighctl_text("peers")
            .map_err(|e| pending(e.to_string()))?;
        if text.contains("swp51") && text.contains("Established") {
            Ok(text)
        } else {
            Err(pending(text))
        }
    })?;
    println!("{hosts}\n{peers}");
    let routes = bed.agent().routes()?;
    assert!(
        routes.iter().any(|r| r.prefix == "172.16.1.31/32"),
        "{routes:?}"
    );

    let metrics = wait_for(T, "the metrics to count the host", || {
        let text = bed
            .leaf
            .exec(
                "bash",
                [
                    "-c",
                    "exec 3<>/dev/tcp/127.0.0.1/9611; printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3",
                ],
            )
            .map_err(|e| pending(e.to_string()))?;
        if text.contains("neighd_hosts{state=\"alive\"} 1") {
            Ok(text)
        } else {
            Err(pending(text))
        }
    })?;
    assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics}");
    for line in [
        "neighd_hosts{state=\"alive\"} 1",
        "neighd_peer_up{peer=\"swp51\"} 1",
        "neighd_neigh_to_route_seconds_count",
        "neighd_probes_sent_total",
    ] {
        assert!(metrics.contains(line), "missing {line:?} in:\n{metrics}");
    }
    Ok(())
}

#[test]
fn sighup_applies_new_communities_without_resetting_the_session() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let opts = LeafOptions::new("itnf-", 0x0d51);
    let mut bed = LeafBed::up(opts)?;
    let ip = bed.add_container(41)?;
    bed.wait_spine_has(&[ip])?;
    let before = bed.spine_frr.neighbor("swp1")?.map(|n| n.established_count);

    let mut opts = LeafOptions::new("itnf-", 0x0d51);
    opts.extra = String::new();
    let config = bed.config(&opts).replace(
        "probe_misses = 3\n",
        "probe_misses = 3\ncommunities = [\"65000:100\"]\n",
    );
    bed.agent
        .as_mut()
        .expect("neighd started")
        .reload(&config)?;
    wait_for(T, "the community on the spine", || {
        let paths = bed
            .spine_frr
            .bgp_prefix(&format!("{ip}/32"))
            .map_err(|e| pending(e.to_string()))?;
        if paths
            .iter()
            .any(|p| p.communities.iter().any(|c| c == "65000:100"))
        {
            Ok(())
        } else {
            Err(pending(format!("{paths:?}")))
        }
    })?;
    let after = bed.spine_frr.neighbor("swp1")?.map(|n| n.established_count);
    assert_eq!(before, after, "the session was reset by the reload");
    Ok(())
}

#[test]
fn bad_configs_are_refused_naming_the_key_and_line() -> integration::Result<()> {
    let bins = integration::agent::Binaries::locate()?;
    let dir = std::env::temp_dir().join(format!("neighd-badcfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| integration::Error::Invalid(format!("mkdir {}: {e}", dir.display())))?;
    let cases = [
        (
            "[bgp]\nasn = 65011\nrouter_id = \"10.0.0.11\"\n[redistribute]\nprobe_interval = \"10 parsecs\"\n",
            "neighd.toml:5:18: redistribute.probe_interval:",
        ),
        (
            "[bgp]\nasn = 65011\nrouter_id = \"10.0.0.11\"\nhold_tme = 9\n",
            "neighd.toml:4:1: bgp.hold_tme: unknown key (did you mean bgp.hold_time?)",
        ),
        (
            "[bgp]\nasn = 65011\nrouter_id = \"10.0.0.11\"\n[[bgp.neighbor]]\naddress = \"192.168.0.1\"\nremote_as = 1\n[[bgp.neighbor]]\naddress = \"192.168.0.1\"\nremote_as = 2\n",
            "bgp.neighbor[1].address: 192.168.0.1 duplicates bgp.neighbor[0].address",
        ),
        (
            "[bgp]\nasn = 65011\nrouter_id = \"10.0.0.11\"\n[redistribute]\ninterfaces = [\"swp99\"]\n",
            "interface \"swp99\" does not exist",
        ),
        (
            "[bgp]\nasn = 65011\nrouter_id = \"10.0.0.11\"\n[redistribute]\nprefixes = [\"172.16.1.1/24\"]\n",
            "has host bits set (the network is 172.16.1.0/24)",
        ),
    ];
    for (text, want) in cases {
        let path = dir.join("neighd.toml");
        std::fs::write(&path, text)
            .map_err(|e| integration::Error::Invalid(format!("write {}: {e}", path.display())))?;
        let out = std::process::Command::new(&bins.neighd)
            .arg("--config")
            .arg(&path)
            .arg("--check")
            .output()
            .map_err(|e| {
                integration::Error::Invalid(format!("run {}: {e}", bins.neighd.display()))
            })?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(want), "want {want:?} in {stderr:?}");
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// `count` hosts in 172.16.<first_octet3>.0 and up, all addresses of the
/// server's eth1 (its kernel answers ARP for each), written into the
/// leaf's neighbour table in one burst; returns `count`. The entries are
/// PERMANENT (neighd configured with `permanent = true`): the kernel's
/// limit on other entries (gc_thresh3, 1,024 by default) is shared by
/// every namespace on the machine, and raising it would touch the host.
fn thousand_hosts(bed: &LeafBed, count: usize, first_octet3: u8) -> integration::Result<usize> {
    bed.leaf.ip(["addr", "flush", "dev", "swp1"])?;
    bed.leaf.add_addr("swp1", "172.16.0.1/16")?;
    let mac = server_eth1_mac(bed)?;
    let ips: Vec<Ipv4Addr> = (0..count)
        .map(|i| {
            let i = u32::try_from(i).expect("few hosts");
            Ipv4Addr::from(u32::from(Ipv4Addr::new(172, 16, first_octet3, 10)) + i)
        })
        .collect();
    bed.server
        .ip_batch(ips.iter().map(|ip| format!("addr add {ip}/16 dev eth1")))?;
    bed.leaf.ip_batch(
        ips.iter()
            .map(|ip| format!("neigh replace {ip} lladdr {mac} dev swp1 nud permanent")),
    )?;
    Ok(count)
}

/// The MAC of the server's eth1, from `ip -j link`.
fn server_eth1_mac(bed: &LeafBed) -> integration::Result<String> {
    let v: serde_json::Value = bed.server.ip_json(["link", "show", "eth1"])?;
    v[0]["address"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| integration::Error::Invalid(format!("no MAC for eth1: {v}")))
}
