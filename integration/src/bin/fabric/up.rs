//! `fabric up`: builds a seed's fabric, waits until it converged, shows
//! what the spines (or the router) route, and keeps it until Ctrl-C.

use std::time::{Duration, Instant};

use integration::fabric::{check, seed000, seed000::Seed000, seed004};
use integration::Result;

use crate::args::{Seed, UpOptions};
use crate::{signals, status};

const CONVERGE: Duration = Duration::from_secs(120);

pub fn run(opts: &UpOptions) -> Result<()> {
    let start = Instant::now();
    match opts.seed {
        Seed::S004 => {
            let mut o = seed004::Options::new(&opts.prefix);
            o.agents = opts.agents;
            o.probe_interval = opts.probe_interval.clone();
            o.probe_misses = opts.probe_misses;
            println!("building the seed 004 fabric under {}…", opts.prefix);
            let mut f = seed004::Seed004::up(o)?;
            if opts.agents {
                check::wait_consistent(&f, CONVERGE)?;
                println!(
                    "converged in {:.1} s: both spines route the {} containers, each via its leaf",
                    start.elapsed().as_secs_f64(),
                    f.containers().len()
                );
            }
            for s in f.spines() {
                status::print_vtysh(s.ns.name(), &s.name, "show ip route")?;
            }
            print_hints(&opts.prefix);
            park(|| f.check_daemons())
        }
        Seed::S000 => {
            println!("building the seed 000 fabric under {}…", opts.prefix);
            let mut f = Seed000::up(seed000::Options {
                prefix: opts.prefix.clone(),
                nodes: opts.nodes,
                agents: opts.agents,
            })?;
            if opts.agents {
                check::wait_nodes_consistent(&f, CONVERGE)?;
                println!(
                    "converged in {:.1} s: the router routes each node's subnet via the node",
                    start.elapsed().as_secs_f64()
                );
            }
            status::print_vtysh(f.router_ns().name(), "router", "show ip route")?;
            print_hints(&opts.prefix);
            park(|| f.check_daemons())
        }
    }
}

fn print_hints(prefix: &str) {
    println!(
        "\nthe fabric runs until Ctrl-C. In another shell:\n  \
         fabric status --prefix {prefix}\n  \
         ip netns list | grep {prefix}\n  \
         vtysh -N <spine namespace> -c 'show ip route'\n  \
         ip netns exec <container namespace> ping 172.16.1.41"
    );
}

/// Waits for a signal (the watcher thread tears down and exits); warns
/// once if a daemon died meanwhile.
fn park(mut check: impl FnMut() -> Result<()>) -> Result<()> {
    let mut warned = false;
    loop {
        std::thread::sleep(Duration::from_secs(2));
        if let Err(e) = check() {
            if !warned && !signals::tearing_down() {
                eprintln!("fabric: {e}");
                warned = true;
            }
        }
    }
}
