//! `fabric demo`: the seed 004 demo in about two minutes — the fabric comes
//! up, the spines show every container as a /32 via its leaf (the seed's
//! `show ip route`), containers ping across racks, then containers are
//! removed, added and moved and the spines' routes follow. Everything is
//! removed at the end (and on Ctrl-C, by the signal watcher).

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use integration::fabric::check::{self, spine_host_routes};
use integration::fabric::seed004::{Options, Seed004};
use integration::{Error, Result};

use crate::status::print_vtysh;

const CONVERGE: Duration = Duration::from_secs(120);

fn ip(last: u8) -> Ipv4Addr {
    Ipv4Addr::new(172, 16, 1, last)
}

fn step(start: Instant, text: &str) {
    println!("\n==== [{:5.1} s] {text}", start.elapsed().as_secs_f64());
}

/// Prints spine01's host routes, one line each, with the leaf behind the port.
fn print_host_routes(f: &Seed004) -> Result<()> {
    let routes = spine_host_routes(f.frr(1)?)?;
    println!("spine01 routes {} container /32s:", routes.len());
    for (ip, ifs) in routes {
        let via: Vec<String> = ifs
            .iter()
            .map(|i| {
                let leaf = i.trim_start_matches("swp");
                format!("{i} (leaf0{leaf})")
            })
            .collect();
        println!("  {ip}/32 via {}", via.join(", "));
    }
    Ok(())
}

/// Waits until the spines agree with the containers again and says how long it took.
fn follow(f: &Seed004, start: Instant, what: &str) -> Result<()> {
    let t = Instant::now();
    check::wait_consistent(f, CONVERGE)?;
    println!(
        "{what}: both spines agree after {:.1} s",
        t.elapsed().as_secs_f64()
    );
    print_host_routes(f)?;
    let _ = start;
    Ok(())
}

pub fn run(prefix: &str) -> Result<()> {
    let start = Instant::now();
    step(start, "building the seed 004 fabric: spine01/02 (FRR), leaf01..04 (neighd, probes every 1 s, 3 misses), server01..04 with 3 macvlan containers each");
    let mut o = Options::new(prefix);
    o.probe_interval = "1s".into();
    let mut f = Seed004::up(o)?;
    check::wait_consistent(&f, CONVERGE)?;
    step(
        start,
        "converged: what spine01 sees (the seed's `show ip route`)",
    );
    print_vtysh(f.spine(1)?.ns.name(), "spine01", "show ip route")?;

    step(start, "leaf01: neighctl show hosts, neighctl show peers");
    let agent = f.agent(1)?;
    println!("{}", agent.neighctl_text("hosts")?.trim_end());
    println!("{}", agent.neighctl_text("peers")?.trim_end());

    step(
        start,
        "172.16.1.11 (server01, rack 1) pings 172.16.1.41 (server04, rack 4) across the spines",
    );
    let out = f
        .container(1, ip(11))?
        .ns
        .exec("ping", ["-c", "3", "-i", "0.3", "-W", "1", "172.16.1.41"])
        .map_err(|e| Error::Invalid(format!("cross-rack ping failed: {e}")))?;
    println!("{}", out.trim_end());

    step(start, "removing 172.16.1.12 (server01) and 172.16.1.42 (server04): their leaves stop getting answers to their probes and withdraw them");
    f.remove_container(1, ip(12))?;
    f.remove_container(4, ip(42))?;
    follow(&f, start, "172.16.1.12 and .42 withdrawn")?;

    step(start, "starting 172.16.1.14 on server01 and 172.16.1.44 on server04: each pings its gateway, its leaf advertises it");
    f.add_container(1, ip(14))?;
    f.add_container(4, ip(44))?;
    follow(&f, start, "172.16.1.14 and .44 advertised")?;

    step(
        start,
        "moving 172.16.1.13 from server01 (leaf01) to server03 (leaf03): the route follows",
    );
    f.move_container(ip(13), 1, 3)?;
    follow(&f, start, "172.16.1.13 now via leaf03")?;
    let out = f
        .container(3, ip(13))?
        .ns
        .exec("ping", ["-c", "2", "-i", "0.3", "-W", "1", "172.16.1.44"])
        .map_err(|e| Error::Invalid(format!("ping from the moved container failed: {e}")))?;
    println!("{}", out.lines().rev().nth(1).unwrap_or_default());

    step(start, "spine02's view at the end");
    print_vtysh(f.spine(2)?.ns.name(), "spine02", "show ip route")?;

    step(start, "tearing down");
    drop(f);
    println!(
        "done in {:.0} s; nothing left behind",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
