//! How fast each reference daemon takes on N routes (default 100,000) by
//! the fast path this crate offers, measured until the daemon's own RIB
//! holds them all — plus the slow per-route path of GoBGP for comparison —
//! with each daemon's CPU time and peak RSS afterwards.
//!
//!   cargo run --release -p integration --example route_injection [N]
//!
//! Needs root. A measurement, not a test: it prints, it asserts nothing.

use std::time::{Duration, Instant};

use integration::bird::config::BirdConfig;
use integration::bird::Bird;
use integration::frr::config::{PeerConfig, Redistribute};
use integration::frr::Frr;
use integration::gobgp::config::GobgpConfig;
use integration::gobgp::{Gobgp, DEFAULT_API_PORT};
use integration::procstat::ProcUsage;
use integration::route::ipv4_hosts;
use integration::{pending, wait_for, Afi, Netns};

const T: Duration = Duration::from_secs(300);

fn report(what: &str, n: u32, took: Duration, usage: Option<ProcUsage>) {
    let rate = f64::from(n) / took.as_secs_f64();
    print!(
        "{what:<58} {n:>7} routes in {:>7.2} s ({rate:>9.0}/s)",
        took.as_secs_f64()
    );
    if let Some(u) = usage {
        print!(
            "  cpu {:>6.2} s  peak rss {:>4} MiB",
            u.cpu().as_secs_f64(),
            u.peak_rss >> 20
        );
    }
    println!();
}

fn main() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let prefixes = ipv4_hosts("10.100.0.0".parse().expect("an address"), n)?;

    // ONLY=frr|bird|gobgp measures one daemon
    let only = std::env::var("ONLY").unwrap_or_default();
    if only.is_empty() || only == "frr" {
        // FRR: blackholes in the namespace's kernel with `ip -batch`, `redistribute kernel`
        {
            let ns = Netns::new("itinj-", "frr")?;
            ns.add_addr("lo", "10.99.0.1/32")?;
            let frr = Frr::start(
                &ns,
                &PeerConfig::new("frr", 65001, "10.99.0.1")
                    .neighbor("10.99.0.2", 65002)
                    .redistribute(Redistribute::Kernel)
                    .render(),
            )?;
            let start = Instant::now();
            ns.add_blackholes(&prefixes)?;
            report(
                "FRR: ip -batch blackholes into the kernel",
                n,
                start.elapsed(),
                None,
            );
            wait_for(T, "FRR's BGP RIB to hold them all", || {
                let c = frr.bgp_prefix_count(Afi::Ipv4)?;
                (c >= u64::from(n)).then_some(()).ok_or_else(|| pending(c))
            })?;
            report(
                "FRR: … + zebra + bgpd (redistribute kernel), in the BGP RIB",
                n,
                start.elapsed(),
                frr.bgpd().and_then(|d| d.usage().ok()),
            );
            if let Some(z) = frr.zebra().and_then(|d| d.usage().ok()) {
                println!(
                    "{:<58} zebra: cpu {:.2} s, peak rss {} MiB",
                    "",
                    z.cpu().as_secs_f64(),
                    z.peak_rss >> 20
                );
            }
        }
    }
    if only.is_empty() || only == "bird" {
        // BIRD: static protocol with N blackhole routes in bird.conf
        {
            let ns = Netns::new("itinj-", "bird")?;
            let start = Instant::now();
            let conf = BirdConfig::new("10.99.0.2", 65002)
                .static_routes(&prefixes)
                .render();
            let bird = Bird::start(&ns, &conf)?;
            wait_for(T, "BIRD's master4 to hold them all", || {
                let c = bird.table_routes("master4")?;
                (c >= u64::from(n)).then_some(()).ok_or_else(|| pending(c))
            })?;
            report(
                "BIRD: static routes in bird.conf (start, config incl.)",
                n,
                start.elapsed(),
                bird.daemon().and_then(|d| d.usage().ok()),
            );
        }
    }
    if only.is_empty() || only == "gobgp" {
        // GoBGP: an MRT TABLE_DUMP_V2 file and `gobgp mrt inject global`
        {
            let ns = Netns::new("itinj-", "gobgp")?;
            let gobgp = Gobgp::start(
                &ns,
                &GobgpConfig::new(65003, "10.99.0.3").render(),
                DEFAULT_API_PORT,
            )?;
            let start = Instant::now();
            gobgp.inject_routes(
                &prefixes,
                "10.99.0.3".parse().expect("an address"),
                "::1".parse().expect("an address"),
                &[(65003, 1)],
            )?;
            wait_for(T, "GoBGP's global RIB to hold them all", || {
                let c = gobgp.rib_count(Afi::Ipv4)?;
                (c >= u64::from(n)).then_some(()).ok_or_else(|| pending(c))
            })?;
            report(
                "GoBGP: MRT file + gobgp mrt inject global",
                n,
                start.elapsed(),
                gobgp.daemon().and_then(|d| d.usage().ok()),
            );
            let few = 200.min(n);
            let more = ipv4_hosts("10.200.0.0".parse().expect("an address"), few)?;
            let start = Instant::now();
            for p in &more {
                gobgp.add_route(p, &[])?;
            }
            let took = start.elapsed();
            report(
                "GoBGP: gobgp global rib add, one process per route",
                few,
                took,
                None,
            );
            println!(
                "{:<58} (extrapolated: {n} routes in about {:.0} s)",
                "",
                took.as_secs_f64() * f64::from(n) / f64::from(few)
            );
        }
    }
    Ok(())
}
