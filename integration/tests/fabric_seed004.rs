//! Seed 004 end to end: the Cumulus docker-macvlan demo with real FRR
//! spines and neighd on the leaves. What the seed's user would check — the
//! spines' routes, pings between racks — while containers come, go and
//! move, a host port fails, a spine stops, and neighd restarts gracefully.
//! Every scenario ends with the consistency check: each spine routes
//! exactly the live containers, each via its leaf.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use integration::fabric::check::{spine_host_routes, wait_consistent};
use integration::fabric::monitor::RouteMonitor;
use integration::fabric::seed004::{seed_containers, Options, Seed004};
use integration::fabric::traffic::Pinger;
use integration::{pending, wait_for, wait_until};

/// Bound for the fabric to come up and converge (BGP, first probes).
const CONVERGE: Duration = Duration::from_secs(120);
/// Bound for one change to reach both spines: detection is 3 × 250 ms.
const FOLLOW: Duration = Duration::from_secs(30);

fn ip(last: u8) -> Ipv4Addr {
    Ipv4Addr::new(172, 16, 1, last)
}

fn fabric(prefix: &str) -> integration::Result<Seed004> {
    let f = Seed004::up(Options::new(prefix))?;
    wait_consistent(&f, CONVERGE)?;
    Ok(f)
}

/// Waits until the change reaches both spines and says how long it took.
fn follow(f: &Seed004, what: &str) -> integration::Result<()> {
    let t = Instant::now();
    wait_consistent(f, FOLLOW)?;
    eprintln!(
        "{what}: on both spines after {:.2} s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

fn wait_ping(f: &Seed004, from: (usize, Ipv4Addr), to: Ipv4Addr) -> integration::Result<()> {
    let c = f.container(from.0, from.1)?;
    wait_until(FOLLOW, &format!("{} to answer {}", to, from.1), || {
        c.ping_once(to).then_some(())
    })
}

#[test]
fn containers_are_routed_and_routes_follow_them() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let mut f = fabric("it4r-")?;

    // the seed's view: all twelve /32s on both spines, each via its leaf
    for s in 1..=2 {
        let routes = spine_host_routes(f.frr(s)?)?;
        let want: Vec<(Ipv4Addr, BTreeSet<String>)> = seed_containers()
            .into_iter()
            .map(|(server, a)| (a, BTreeSet::from([format!("swp{server}")])))
            .collect();
        assert_eq!(routes.into_iter().collect::<Vec<_>>(), want, "spine0{s}");
        // originated by the leaf: AS path is the leaf's AS alone
        let paths = f.frr(s)?.bgp_prefix("172.16.1.41/32")?;
        assert!(
            paths.iter().any(|p| p.best && p.as_path == [65014]),
            "spine0{s}: {paths:?}"
        );
    }

    // a container on server01 reaches one on server04 across the spines
    wait_ping(&f, (1, ip(11)), ip(41))?;

    // removed: its /32 leaves both spines
    f.remove_container(1, ip(12))?;
    follow(&f, "172.16.1.12 removed")?;
    for s in 1..=2 {
        assert!(!spine_host_routes(f.frr(s)?)?.contains_key(&ip(12)));
    }

    // added: its /32 appears, via its leaf
    f.add_container(2, ip(24))?;
    follow(&f, "172.16.1.24 added on server02")?;
    wait_ping(&f, (2, ip(24)), ip(31))?;

    // moved from server01 to server03: the route follows, no stale copy
    f.move_container(ip(13), 1, 3)?;
    follow(&f, "172.16.1.13 moved to server03")?;
    for s in 1..=2 {
        let routes = spine_host_routes(f.frr(s)?)?;
        assert_eq!(routes[&ip(13)], BTreeSet::from(["swp3".to_string()]));
    }
    let leaf01 = f.agent(1)?.hosts()?;
    assert!(
        leaf01
            .iter()
            .all(|h| h.ip != "172.16.1.13" || !h.advertised),
        "leaf01 still advertises the moved container: {leaf01:?}"
    );
    wait_ping(&f, (3, ip(13)), ip(11))?;

    // leaf02's host port down: rack 2's routes withdrawn; back up: back
    f.set_host_port(2, false)?;
    follow(&f, "leaf02 swp1 down")?;
    let hosts = f.agent(2)?.hosts()?;
    for h in hosts.iter().filter(|h| h.interface == "swp1") {
        assert!(!h.advertised, "leaf02 advertises {h:?} with swp1 down");
    }
    f.set_host_port(2, true)?;
    follow(&f, "leaf02 swp1 up again")?;
    wait_ping(&f, (1, ip(11)), ip(21))?;
    f.check_daemons()
}

#[test]
fn a_spine_stops_and_a_leaf_agent_restarts_without_losing_traffic() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let mut f = fabric("it4s-")?;
    wait_ping(&f, (1, ip(11)), ip(41))?;

    // spine01 stopped: traffic takes spine02
    f.stop_spine(1)?;
    let via = wait_for(
        FOLLOW,
        "leaf01's route to 172.16.1.41 via swp52 only",
        || {
            let r = f.leaf(1)?.ns.ip(["route", "show", "172.16.1.41/32"])?;
            if r.contains("swp52") && !r.contains("swp51") {
                Ok(r)
            } else {
                Err(pending(r))
            }
        },
    )?;
    eprintln!("spine01 down, leaf01: {}", via.trim());
    let report = Pinger::start(
        &f.container(1, ip(11))?.ns,
        ip(41),
        10,
        Duration::from_millis(200),
    )?
    .finish()?;
    assert_eq!(report.lost(), Vec::<u32>::new(), "pings via spine02 alone");
    wait_consistent(&f, FOLLOW)?;

    // spine01 back: it learns every container again, leaf01 uses both spines
    f.start_spine(1)?;
    follow(&f, "spine01 back")?;
    wait_for(
        FOLLOW,
        "leaf01's route to 172.16.1.41 via both spines",
        || {
            let r = f.leaf(1)?.ns.ip(["route", "show", "172.16.1.41/32"])?;
            if r.contains("swp51") && r.contains("swp52") {
                Ok(())
            } else {
                Err(pending(r))
            }
        },
    )?;

    // neighd on leaf04 restarts with graceful restart: the spines keep
    // rack 4's routes throughout and pings to rack 4 keep passing
    let rack4: Vec<String> = [41, 42, 43].iter().map(|l| ip(*l).to_string()).collect();
    let monitors = [
        RouteMonitor::start(&f.spine(1)?.ns, "gr")?,
        RouteMonitor::start(&f.spine(2)?.ns, "gr")?,
    ];
    let established_before: Vec<u64> = (1..=2)
        .map(|s| {
            Ok(f.frr(s)?
                .neighbor("swp4")?
                .map_or(0, |n| n.established_count))
        })
        .collect::<integration::Result<_>>()?;
    let pinger = Pinger::start(
        &f.container(1, ip(11))?.ns,
        ip(41),
        50,
        Duration::from_millis(200),
    )?;
    f.stop_agent(4)?;
    std::thread::sleep(Duration::from_secs(3));
    f.start_agent_again(4)?;
    for s in 1..=2 {
        let before = established_before[s - 1];
        wait_for(
            CONVERGE,
            &format!("spine0{s}'s session to leaf04 re-established"),
            || {
                let n = f.frr(s)?.neighbor("swp4")?;
                match &n {
                    Some(n) if n.is_established() && n.established_count > before => Ok(()),
                    _ => Err(pending(n)),
                }
            },
        )?;
    }
    wait_consistent(&f, FOLLOW)?;
    let report = pinger.finish()?;
    for (s, m) in monitors.into_iter().enumerate() {
        let deleted = m.deletions(&rack4)?;
        assert_eq!(
            deleted,
            Vec::<String>::new(),
            "spine0{} withdrew rack 4 routes",
            s + 1
        );
    }
    assert_eq!(
        report.lost(),
        Vec::<u32>::new(),
        "pings from 172.16.1.11 to 172.16.1.41 while leaf04's neighd restarted"
    );
    f.check_daemons()
}

/// The same address on two racks: both leaves advertise it, the spines
/// route it via both (multipath), and the leaf whose path the spines did not
/// pick as best — so it receives the other rack's route — shows the
/// conflict, naming the other rack's AS path. (The other leaf cannot see it:
/// spines send only their best path, and that one is its own.)
#[test]
fn the_same_address_on_two_racks_is_shown_as_a_conflict() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let mut opts = Options::new("it4c-");
    opts.containers = false;
    let mut f = Seed004::up(opts)?;
    f.add_container(1, ip(11))?;
    f.add_container(2, ip(21))?;
    wait_consistent(&f, CONVERGE)?;

    // 172.16.1.50 on server01 and on server02 (the mistake the seed warns of)
    f.add_container(1, ip(50))?;
    f.add_container(2, ip(50))?;
    follow(&f, "172.16.1.50 on two racks, routed via both leaves")?;
    let best = f.frr(1)?.bgp_prefix("172.16.1.50/32")?;
    let best_as = best
        .iter()
        .find(|p| p.best)
        .and_then(|p| p.as_path.first().copied())
        .expect("spine01 has a best path to 172.16.1.50/32");
    let (winner, loser) = if best_as == 65011 { (1, 2) } else { (2, 1) };
    let agent = f.agent(loser)?;
    let h = wait_for(
        FOLLOW,
        &format!("leaf0{loser} to show the conflict on 172.16.1.50"),
        || {
            let hosts = agent.hosts()?;
            let h = hosts.iter().find(|h| h.ip == "172.16.1.50").cloned();
            match h {
                Some(h) if h.conflicts > 0 => Ok(h),
                _ => Err(pending(hosts)),
            }
        },
    )?;
    let remote = h.conflict_remote.clone().unwrap_or_default();
    assert!(
        remote.contains(&format!("6501{winner}")),
        "leaf0{loser}'s conflict names leaf0{winner}'s AS: {h:?}"
    );
    assert!(
        h.advertised,
        "a conflict does not withdraw the local host: {h:?}"
    );
    eprintln!(
        "leaf0{loser} neighctl show hosts:\n{}",
        agent.neighctl_text("hosts")?
    );

    // one of them stops: the other keeps the address, routed via its leaf only
    f.remove_container(1, ip(50))?;
    follow(&f, "172.16.1.50 only on server02")?;
    f.check_daemons()
}

/// A host port flaps (the kernel forgets the rack's neighbours; neighd
/// keeps probing them and they stay advertised), then neighd restarts
/// gracefully: the restarted agent must still advertise the live
/// containers of that rack once its graceful restart is over.
#[test]
fn a_graceful_restart_after_a_host_port_flap_keeps_the_rack() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let mut opts = Options::new("it4f-");
    opts.containers = false;
    let mut f = Seed004::up(opts)?;
    f.add_container(1, ip(11))?;
    f.add_container(4, ip(41))?;
    wait_consistent(&f, CONVERGE)?;

    f.set_host_port(1, false)?;
    follow(&f, "leaf01 swp1 down")?;
    f.set_host_port(1, true)?;
    follow(&f, "leaf01 swp1 up again: 172.16.1.11 back")?;
    let kernel = f.leaf(1)?.ns.ip(["-4", "neigh", "show", "dev", "swp1"])?;
    eprintln!("leaf01's kernel neighbours on swp1 after the flap: {kernel:?}");

    let before = f
        .frr(1)?
        .neighbor("swp1")?
        .map_or(0, |n| n.established_count);
    f.stop_agent(1)?;
    f.start_agent_again(1)?;
    wait_for(
        CONVERGE,
        "spine01's session to leaf01 re-established",
        || {
            let n = f.frr(1)?.neighbor("swp1")?;
            match &n {
                Some(n) if n.is_established() && n.established_count > before => Ok(()),
                _ => Err(pending(n)),
            }
        },
    )?;
    follow(&f, "leaf01's neighd restarted")?;
    wait_ping(&f, (4, ip(41)), ip(11))?;
    f.check_daemons()
}
