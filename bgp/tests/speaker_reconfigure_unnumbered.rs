//! An unnumbered peer added, removed and re-added while the speaker runs:
//! the router advertisement machinery starts for the new interface, the
//! peer's link-local address is learned, routes flow with link-local next
//! hops, removal withdraws them, and re-adding brings them back. Two of
//! our speakers, each in its own network namespace, joined by a veth pair
//! (root only; prints SKIPPED otherwise).
//!
//! The test re-runs its own binary inside the namespaces (`ip netns exec`)
//! with `BGP_RECONFIGURE_ROLE` set to `leaf` or `spine`; each role asserts
//! what it sees and exits non-zero on failure.

use std::process::Stdio;
use std::time::Duration;

use bgp::fsm::{RemoteAs, State};
use bgp::speaker::{self, AddPeerError, Events, PeerConfig, RouteAttributes, SpeakerConfig};
use bgp::wire::Prefix;
use tokio::process::{Child, Command};

const ROLE: &str = "BGP_RECONFIGURE_ROLE";
const TEST: &str = "unnumbered_peer_is_added_removed_and_re_added";
const LEAF_IF: &str = "lf1";
const SPINE_IF: &str = "sp1";
const LEAF_ROUTE: &str = "10.1.0.0/24";
const SPINE_ROUTE: &str = "10.2.0.0/24";
const STEP: Duration = Duration::from_secs(60);

#[tokio::test]
async fn unnumbered_peer_is_added_removed_and_re_added() {
    match std::env::var(ROLE).as_deref() {
        Ok("leaf") => return leaf().await,
        Ok("spine") => return spine().await,
        _ => {}
    }
    if !is_root() {
        println!("SKIPPED: {TEST} needs root for network namespaces");
        return;
    }
    let nets = Namespaces::new().expect("namespaces and veth");
    let spine = role(&nets.spine, "spine");
    let leaf = role(&nets.leaf, "leaf");
    let (leaf, spine) = tokio::time::timeout(Duration::from_secs(300), async {
        // The leaf drives; the spine ends when the leaf shuts down.
        let leaf = leaf.wait_with_output().await.expect("leaf runs");
        let spine = spine.wait_with_output().await.expect("spine runs");
        (leaf, spine)
    })
    .await
    .expect("both roles end within 5 minutes");
    let show = |o: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    assert!(leaf.status.success(), "leaf failed:\n{}", show(&leaf));
    assert!(spine.status.success(), "spine failed:\n{}", show(&spine));
    drop(nets);
}

/// This test binary, running only this test, in `ns` as `role`; killed
/// if the test ends first.
fn role(ns: &str, role: &str) -> Child {
    let exe = std::env::current_exe().expect("the test binary");
    Command::new("ip")
        .args(["netns", "exec", ns])
        .arg(exe)
        .args(["--exact", TEST, "--nocapture"])
        .env(ROLE, role)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("ip netns exec")
}

fn config(asn: u32, router_id: &str) -> SpeakerConfig {
    let mut cfg = SpeakerConfig::new(asn, router_id.parse().unwrap());
    cfg.ra.interval = Duration::from_secs(1);
    cfg
}

fn unnumbered(interface: &str) -> PeerConfig {
    let mut p = PeerConfig::interface(interface, RemoteAs::External);
    p.connect_retry = Duration::from_secs(1);
    p
}

/// Waits for the next peer event that matches.
async fn peer_event(events: &mut Events, what: &str, f: impl Fn(State, Option<&str>) -> bool) {
    let found = tokio::time::timeout(STEP, async {
        while let Some(e) = events.peers.recv().await {
            println!("peer event: {e:?}");
            if f(e.state, e.reason.as_deref()) {
                return;
            }
        }
        panic!("the speaker stopped while waiting for {what}");
    })
    .await;
    assert!(found.is_ok(), "timed out waiting for {what}");
}

/// Waits for the next FIB event for `prefix`; its next hops as
/// (address, interface).
async fn route_event(events: &mut Events, prefix: &str) -> Vec<(std::net::IpAddr, Option<String>)> {
    let prefix: Prefix = prefix.parse().unwrap();
    let found = tokio::time::timeout(STEP, async {
        while let Some(e) = events.routes.recv().await {
            println!("route event: {e:?}");
            if e.prefix == prefix {
                return e;
            }
        }
        panic!("the speaker stopped while waiting for {prefix}");
    })
    .await;
    let e = found.unwrap_or_else(|_| panic!("timed out waiting for a route event for {prefix}"));
    e.next_hops
        .into_iter()
        .map(|n| (n.address, n.interface.map(|i| i.to_string())))
        .collect()
}

/// Checks one learned next hop: the spine's link-local address on our port.
fn assert_link_local_via(next_hops: &[(std::net::IpAddr, Option<String>)], interface: &str) {
    assert_eq!(next_hops.len(), 1, "{next_hops:?}");
    let (address, via) = &next_hops[0];
    assert!(
        matches!(address, std::net::IpAddr::V6(a) if a.is_unicast_link_local()),
        "{next_hops:?}"
    );
    assert_eq!(via.as_deref(), Some(interface));
}

/// Starts with no peers, adds the spine by interface, removes it, adds it
/// again, then shuts down.
async fn leaf() {
    let (leaf, mut events) = speaker::start(config(65011, "10.0.0.11"))
        .await
        .expect("leaf starts");
    leaf.announce(LEAF_ROUTE.parse().unwrap(), RouteAttributes::default())
        .unwrap();
    leaf.add_peer(unnumbered(LEAF_IF)).await.expect("added");
    let mut again = unnumbered(LEAF_IF);
    again.name = "spine-again".into();
    let dup = leaf.add_peer(again).await;
    assert!(
        matches!(&dup, Err(AddPeerError::DuplicateInterface { existing, .. }) if existing == LEAF_IF),
        "{dup:?}"
    );

    peer_event(&mut events, "established", |s, _| s == State::Established).await;
    assert_link_local_via(&route_event(&mut events, SPINE_ROUTE).await, LEAF_IF);
    let spine = leaf.peers().await.unwrap().remove(0);
    assert!(
        matches!(spine.address, std::net::IpAddr::V6(a) if a.is_unicast_link_local()),
        "{spine:?}"
    );
    println!("leaf: established with {}", spine.address);

    assert!(leaf
        .remove_peer(LEAF_IF, Some("reload".into()))
        .await
        .unwrap());
    assert_eq!(route_event(&mut events, SPINE_ROUTE).await, vec![]);
    assert!(leaf.peers().await.unwrap().is_empty());
    println!("leaf: removed");

    leaf.add_peer(unnumbered(LEAF_IF))
        .await
        .expect("added again");
    peer_event(&mut events, "established again", |s, _| {
        s == State::Established
    })
    .await;
    assert_link_local_via(&route_event(&mut events, SPINE_ROUTE).await, LEAF_IF);
    println!("leaf: established again");
    leaf.shutdown(Some("leaf done".into())).await.unwrap();
}

/// Peers with the leaf by interface from the start and watches it come,
/// be de-configured, come back and shut down.
async fn spine() {
    let mut cfg = config(65020, "10.0.0.21");
    cfg.peers.push(unnumbered(SPINE_IF));
    let (spine, mut events) = speaker::start(cfg).await.expect("spine starts");
    spine
        .announce(SPINE_ROUTE.parse().unwrap(), RouteAttributes::default())
        .unwrap();

    peer_event(&mut events, "established", |s, _| s == State::Established).await;
    assert_link_local_via(&route_event(&mut events, LEAF_ROUTE).await, SPINE_IF);
    peer_event(&mut events, "de-configured by the leaf", |s, why| {
        s == State::Idle && why == Some("received NOTIFICATION Cease/Peer De-configured \"reload\"")
    })
    .await;
    assert_eq!(route_event(&mut events, LEAF_ROUTE).await, vec![]);
    println!("spine: de-configured, the leaf's route is gone");
    peer_event(&mut events, "established again", |s, _| {
        s == State::Established
    })
    .await;
    assert_link_local_via(&route_event(&mut events, LEAF_ROUTE).await, SPINE_IF);
    peer_event(&mut events, "the leaf's shutdown", |s, why| {
        s == State::Idle && why.is_some_and(|w| w.contains("\"leaf done\""))
    })
    .await;
    println!("spine: the leaf shut down");
    spine.shutdown(None).await.unwrap();
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(2))
            == Some("0")
    })
}

/// Two namespaces joined by a veth pair, deleted on drop (also when a
/// panic unwinds).
struct Namespaces {
    leaf: String,
    spine: String,
}

impl Namespaces {
    fn new() -> Result<Namespaces, String> {
        let pid = std::process::id();
        let nets = Namespaces {
            leaf: format!("bgpreconf{pid}-leaf"),
            spine: format!("bgpreconf{pid}-spine"),
        };
        for ns in [&nets.leaf, &nets.spine] {
            run(&["ip", "netns", "add", ns])?;
            let sysctl = [
                "ip",
                "netns",
                "exec",
                ns,
                "sysctl",
                "-qw",
                // link-local addresses usable at once
                "net.ipv6.conf.all.accept_dad=0",
                "net.ipv6.conf.default.accept_dad=0",
            ];
            run(&sysctl)?;
            run(&["ip", "-n", ns, "link", "set", "lo", "up"])?;
        }
        // Created inside the namespaces: nothing appears in the root one.
        run(&[
            "ip",
            "link",
            "add",
            LEAF_IF,
            "netns",
            &nets.leaf,
            "type",
            "veth",
            "peer",
            "name",
            SPINE_IF,
            "netns",
            &nets.spine,
        ])?;
        run(&["ip", "-n", &nets.leaf, "link", "set", LEAF_IF, "up"])?;
        run(&["ip", "-n", &nets.spine, "link", "set", SPINE_IF, "up"])?;
        Ok(nets)
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for ns in [&self.leaf, &self.spine] {
            if let Err(e) = run(&["ip", "netns", "del", ns]) {
                eprintln!("{e}");
            }
        }
    }
}

fn run(args: &[&str]) -> Result<(), String> {
    let out = std::process::Command::new(args[0])
        .args(&args[1..])
        .output()
        .map_err(|e| format!("{}: {e}", args.join(" ")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
