//! neighd and the kernel: routes learned from two FRR spines installed as
//! ECMP `via inet6 fe80::… dev swp51/swp52`, removed at exit; and the
//! rdnbrd drop-in — `export_table = 10` read by an FRR on the leaf with
//! `ip import-table 10` + `redistribute table 10`, with neighd speaking no
//! BGP at all.

#[path = "support/leaf_bed.rs"]
mod leaf_bed;

use std::time::Duration;

use integration::agent::{Agent, Binaries};
use integration::frr::config::SpineConfig;
use integration::frr::Frr;
use integration::link::{mac, veth};
use integration::{pending, wait_for, Netns, SpineLeaf};
use leaf_bed::{LeafBed, LeafOptions, T};

const ANYCAST: &str = "10.99.0.0/24";

fn spine_with_anycast(ns: &Netns, name: &str, router_id: &str) -> integration::Result<Frr> {
    ns.ip(["addr", "add", "10.99.0.1/24", "dev", "lo"])?;
    ns.link_up("lo")?;
    Frr::start(
        ns,
        &SpineConfig::new(name, 65020, router_id)
            .interface("swp1")
            .network(ANYCAST)
            .render(),
    )
}

#[test]
fn routes_from_two_spines_are_installed_as_ecmp_over_link_locals() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let bins = Binaries::locate()?;
    let SpineLeaf { spine, leaf, .. } = SpineLeaf::new("itnx-", "sp1", 0x0e01, T)?;
    let spine2 = Netns::new("itnx-", "sp2")?;
    spine2.enable_forwarding()?;
    veth(&spine2, "swp1", &mac(0x0e03), &leaf, "swp52", &mac(0x0e04))?;
    leaf.wait_link_local("swp52", T)?;
    spine2.wait_link_local("swp1", T)?;
    let _frr1 = spine_with_anycast(&spine, "spine01", "10.0.0.21")?;
    let frr2 = spine_with_anycast(&spine2, "spine02", "10.0.0.22")?;

    let socket = Agent::socket_path(&leaf)?;
    let config = format!(
        "[bgp]\nasn = 65011\nrouter_id = \"10.0.0.11\"\n\
         [[bgp.neighbor]]\ninterface = \"swp51\"\nremote_as = \"external\"\n\
         [[bgp.neighbor]]\ninterface = \"swp52\"\nremote_as = \"external\"\n\
         [fib]\ninstall = true\n[control]\nsocket = \"{}\"\n",
        socket.display()
    );
    let mut agent = Agent::start(&leaf, &bins, &config)?;

    let route = wait_for(
        T,
        "10.99.0.0/24 with two next hops in the leaf's kernel",
        || {
            let text = leaf
                .ip(["-4", "route", "show", ANYCAST])
                .map_err(|e| pending(e.to_string()))?;
            let ok = text.matches("via inet6 fe80::").count() == 2
                && text.contains("dev swp51")
                && text.contains("dev swp52");
            if ok {
                Ok(text)
            } else {
                Err(pending(text))
            }
        },
    )?;
    println!("leaf kernel: {route}");
    assert!(route.contains("proto 201"), "marked as ours: {route}");

    let learned = agent.routes()?;
    let r = learned
        .iter()
        .find(|r| r.prefix == ANYCAST)
        .unwrap_or_else(|| panic!("{ANYCAST} not in neighctl show routes: {learned:?}"));
    assert_eq!(r.next_hops.len(), 2, "{r:?}");
    assert!(r.installed, "{r:?}");

    // spine02 stops announcing: one next hop is left.
    frr2.configure(&[
        "router bgp 65020",
        "address-family ipv4 unicast",
        &format!("no network {ANYCAST}"),
    ])?;
    wait_for(T, "one next hop left", || {
        let text = leaf
            .ip(["-4", "route", "show", ANYCAST])
            .map_err(|e| pending(e.to_string()))?;
        if text.contains("via inet6 fe80::")
            && text.contains("dev swp51")
            && !text.contains("swp52")
        {
            Ok(())
        } else {
            Err(pending(text))
        }
    })?;

    // neighd stops without graceful restart: its routes leave the kernel,
    // and only its routes.
    leaf.ip([
        "route",
        "add",
        "192.0.2.0/24",
        "dev",
        "swp51",
        "proto",
        "static",
    ])?;
    agent.stop();
    let left = leaf.ip(["-4", "route", "show"])?;
    assert!(!left.contains("10.99.0.0/24"), "{left}");
    assert!(left.contains("192.0.2.0/24"), "{left}");
    Ok(())
}

#[test]
fn export_table_feeds_an_frr_leaf_with_import_table_like_rdnbrd() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let mut opts = LeafOptions::new("itnt-", 0x0e11);
    opts.start_agent = false;
    // neighd speaks no BGP here: FRR on the leaf does, as with rdnbrd.
    opts.neighbors = "listen = false\n".into();
    opts.fib = "[fib]\ninstall = false\nexport_table = 10\n".into();
    let mut bed = LeafBed::up(opts.clone())?;
    let leaf_frr_conf = "frr defaults datacenter\n\
        hostname leaf01\n\
        ip import-table 10\n\
        interface swp51\n ipv6 nd ra-interval 3\n no ipv6 nd suppress-ra\n\
        router bgp 65011\n bgp router-id 10.0.0.11\n\
        neighbor swp51 interface remote-as external\n\
        address-family ipv4 unicast\n  redistribute table 10\n exit-address-family\n";
    let _leaf_frr = Frr::start(&bed.leaf, leaf_frr_conf)?;
    let config = bed.config(&opts);
    bed.agent = Some(Agent::start(&bed.leaf, &bed.bins, &config)?);

    let a = bed.add_container(51)?;
    let b = bed.add_container(52)?;
    bed.wait_spine_has(&[a, b])?;
    let table = bed.leaf.ip(["route", "show", "table", "10"])?;
    println!("table 10:\n{table}");
    for ip in [a, b] {
        assert!(
            table.contains(&format!("{ip} dev swp1 proto 201 scope link")),
            "{ip} not as rdnbrd writes it: {table}"
        );
    }

    bed.remove_container(b);
    bed.wait_spine_has(&[a])?;
    let table = bed.leaf.ip(["route", "show", "table", "10"])?;
    assert!(!table.contains(&b.to_string()), "{table}");

    // At exit (no graceful restart) the table is emptied.
    bed.agent.as_mut().expect("started").stop();
    wait_for(Duration::from_secs(10), "table 10 empty", || {
        let t = bed
            .leaf
            .ip(["route", "show", "table", "10"])
            .map_err(|e| pending(e.to_string()))?;
        if t.trim().is_empty() {
            Ok(())
        } else {
            Err(pending(t))
        }
    })?;
    bed.wait_spine_has(&[])?;
    Ok(())
}
