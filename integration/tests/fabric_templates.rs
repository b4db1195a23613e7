//! The config templates shared with vagrant/ are what FRR and neighd accept:
//! FRR 8.4 loads the rendered spine and router configs without a rejected
//! line and runs what they say; neighd's `--check` accepts the rendered leaf
//! and node configs.

use std::time::Duration;

use integration::agent::Binaries;
use integration::frr::Frr;
use integration::templates::{self, render};
use integration::{wait_until, Netns};

/// Config lines that neither zebra nor bgpd accepted (one frr.conf serves
/// both: each rejects the other's lines, so only a line both reject is wrong).
fn frr_rejections(frr: &Frr) -> Vec<String> {
    let rejected = |daemon: &str| -> Vec<(u32, String)> {
        std::fs::read_to_string(frr.dir().join(format!("{daemon}.out")))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| {
                let (_, rest) = l.split_once("on config line ")?;
                let (n, text) = rest.split_once(':')?;
                Some((n.parse().ok()?, text.trim().to_string()))
            })
            .collect()
    };
    let bgpd = rejected("bgpd");
    rejected("zebra")
        .into_iter()
        .filter(|z| bgpd.contains(z))
        .map(|(n, text)| format!("line {n}: {text}"))
        .collect()
}

fn running_config_has(frr: &Frr, lines: &[&str]) -> integration::Result<()> {
    let conf = wait_until(Duration::from_secs(20), "FRR's running config", || {
        frr.vtysh(&["show running-config"]).ok()
    })?;
    for l in lines {
        assert!(
            conf.lines().any(|x| x.trim_end() == *l),
            "running config lacks {l:?}:\n{conf}"
        );
    }
    Ok(())
}

#[test]
fn frr_runs_the_spine_and_router_templates_as_written() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let spine = Netns::new("ittpl-", "spine01")?;
    let conf = render(
        templates::SPINE_FRR,
        &[
            ("hostname", "spine01"),
            ("asn", "65020"),
            ("router_id", "10.0.0.21"),
        ],
    )?;
    let frr = Frr::start(&spine, &conf)?;
    running_config_has(
        &frr,
        &[
            "hostname spine01",
            "router bgp 65020",
            " bgp router-id 10.0.0.21",
            " bgp bestpath as-path multipath-relax",
            " neighbor swp1 interface remote-as external",
            " neighbor swp4 interface remote-as external",
            "  network 10.0.0.21/32",
        ],
    )?;
    assert_eq!(frr_rejections(&frr), Vec::<String>::new());

    let router = Netns::new("ittpl-", "router")?;
    let conf = render(
        templates::ROUTER_FRR,
        &[
            ("hostname", "router"),
            ("asn", "65000"),
            ("router_id", "10.0.0.1"),
            ("node_range", "192.168.0.0/16"),
        ],
    )?;
    let frr = Frr::start(&router, &conf)?;
    running_config_has(
        &frr,
        &[
            "router bgp 65000",
            " neighbor nodes peer-group",
            " neighbor nodes remote-as external",
            " bgp listen range 192.168.0.0/16 peer-group nodes",
        ],
    )?;
    assert_eq!(frr_rejections(&frr), Vec::<String>::new());
    Ok(())
}

#[test]
fn neighd_accepts_the_leaf_and_node_templates() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let bins = Binaries::locate()?;
    // neighd checks that the interfaces exist: a namespace with the ports
    // of a leaf (two veth pairs within it) and of a node (br0)
    let ns = Netns::new("ittpl-", "ports")?;
    for (a, b) in [("swp51", "swp52"), ("swp1", "swp2")] {
        ns.ip(["link", "add", a, "type", "veth", "peer", "name", b])?;
    }
    ns.ip(["link", "add", "br0", "type", "bridge"])?;
    let socket = ns.workdir().join("neighd.sock");
    let socket = socket.to_string_lossy();
    let leaf = render(
        templates::LEAF_NEIGHD,
        &[
            ("hostname", "leaf01"),
            ("asn", "65011"),
            ("router_id", "10.0.0.11"),
            ("probe_interval", "1s"),
            ("probe_misses", "3"),
            ("control_socket", &socket),
            ("metrics_listen", "127.0.0.1:9610"),
        ],
    )?;
    let node = render(
        templates::NODE_NEIGHD,
        &[
            ("hostname", "node1"),
            ("asn", "65101"),
            ("router_id", "10.0.1.1"),
            ("router_address", "192.168.2.2"),
            ("router_asn", "65000"),
            ("control_socket", &socket),
            ("metrics_listen", "127.0.0.1:9610"),
        ],
    )?;
    for (name, text) in [("leaf.toml", leaf), ("node.toml", node)] {
        let path = ns.workdir().join(name);
        std::fs::write(&path, text).expect("write the rendered config");
        let out = ns
            .command(&bins.neighd)
            .arg("--config")
            .arg(&path)
            .arg("--check")
            .output()
            .expect("run neighd --check");
        assert!(
            out.status.success(),
            "neighd --check rejected {name}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}
