//! Seed 000 end to end: one subnet per node, and a router that learns each
//! node's subnet from the node's neighd instead of a route typed per node.
//! Containers on different nodes reach each other through the router; a
//! fourth node joins and is routed with no change to the router's config.

use std::net::Ipv4Addr;
use std::time::Duration;

use integration::fabric::check::wait_nodes_consistent;
use integration::fabric::seed000::{Options, Seed000};
use integration::wait_until;

const CONVERGE: Duration = Duration::from_secs(90);

fn ping(f: &Seed000, from: (u8, usize), to: Ipv4Addr) -> integration::Result<()> {
    let c = &f.node(from.0)?.containers[from.1];
    wait_until(CONVERGE, &format!("{to} to answer {}", c.ip), || {
        c.ping_once(to).then_some(())
    })
}

#[test]
fn nodes_announce_their_subnets_and_a_new_node_needs_no_router_change() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let mut f = Seed000::up(Options::new("it0-"))?;
    wait_nodes_consistent(&f, CONVERGE)?;

    // across the router: node1 (switch 1) to node2 and node3 (switch 2),
    // and node2 to node3 on the same switch
    ping(&f, (1, 0), Ipv4Addr::new(11, 11, 2, 2))?;
    ping(&f, (1, 1), Ipv4Addr::new(11, 11, 3, 3))?;
    ping(&f, (2, 0), Ipv4Addr::new(11, 11, 3, 2))?;
    ping(&f, (3, 0), Ipv4Addr::new(11, 11, 1, 2))?;

    // a fourth node joins: the router learns 11.11.4.0/24 on its own
    let config_file = std::fs::read(f.router()?.dir().join("frr.conf")).expect("router frr.conf");
    let running_before = f.router()?.vtysh(&["show running-config"])?;
    f.add_node(4)?;
    wait_nodes_consistent(&f, CONVERGE)?;
    ping(&f, (1, 0), Ipv4Addr::new(11, 11, 4, 2))?;
    ping(&f, (4, 1), Ipv4Addr::new(11, 11, 2, 3))?;
    let running_after = f.router()?.vtysh(&["show running-config"])?;
    assert_eq!(
        running_before, running_after,
        "the router's running config changed"
    );
    assert_eq!(
        std::fs::read(f.router()?.dir().join("frr.conf")).expect("router frr.conf"),
        config_file
    );
    f.check_daemons()
}
