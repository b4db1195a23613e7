//! Our speaker as a leaf under an unmodified FRR 8.4 spine (`frr defaults
//! datacenter`, `neighbor swp1 interface remote-as external`, router
//! advertisements on): the session comes up with no address configured on
//! either side, 1,000 of our /32s arrive on the spine with our link-local
//! address as RFC 8950 next hop and are installed in the spine's kernel
//! `via inet6 fe80::… dev swp1`; the spine's routes reach our FIB stream
//! via its link-local address on swp51.

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use integration::frr::config::SpineConfig;
use integration::frr::Frr;
use integration::speaker::SpeakerProc;
use integration::{pending, wait_for, Afi, SpineLeaf};

const T: Duration = Duration::from_secs(45);

#[test]
fn unmodified_frr_spine_peers_with_us_over_link_local() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let SpineLeaf {
        spine,
        leaf,
        spine_ll,
        leaf_ll,
    } = SpineLeaf::new("itbu-", "spine", 0x0c01, T)?;

    let mut frr = Frr::start(
        &spine,
        &SpineConfig::new("spine01", 65020, "10.0.0.21")
            .interface("swp1")
            .network("10.0.0.21/32")
            .render(),
    )?;
    let args: Vec<String> = [
        "--asn",
        "65011",
        "--router-id",
        "10.0.0.11",
        "--hostname",
        "leaf01",
        "--peer",
        "interface=swp51,remote-as=external",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut us = SpeakerProc::start(&leaf, Path::new(env!("CARGO_BIN_EXE_bgp-speaker")), &args)?;

    let n = wait_for(T, "the spine's session on swp1 established", || {
        frr.check()?;
        let n = frr.neighbor("swp1")?;
        n.clone()
            .filter(|n| n.is_established())
            .ok_or_else(|| pending(n))
    })?;
    assert_eq!(n.remote_as, Some(65011));
    assert_eq!(n.foreign_address, Some(IpAddr::V6(leaf_ll)));
    assert_eq!(n.hostname.as_deref(), Some("leaf01"));
    let ours = us.peer("swp51")?.expect("our peer");
    assert!(ours.is_established(), "{ours:?}");

    us.command("announce 172.16.1.0/32 1000")?;
    let rib = wait_for(T, "our 1,000 /32s in the spine's RIB", || {
        let rib = frr.bgp_rib(Afi::Ipv4)?;
        let n = rib.keys().filter(|p| p.starts_with("172.16.")).count();
        (n == 1000).then_some(rib).ok_or_else(|| pending(n))
    })?;
    let path = &rib["172.16.1.11/32"][0];
    assert_eq!(path.as_path, [65011]);
    assert!(path.next_hops.contains(&IpAddr::V6(leaf_ll)), "{path:?}");
    let installed = wait_for(T, "our /32s in the spine's kernel FIB", || {
        let k = spine.kernel_routes(Afi::Ipv4)?;
        let ours: Vec<_> = k
            .into_iter()
            .filter(|r| r.dst.starts_with("172.16."))
            .collect();
        (ours.len() == 1000)
            .then_some(ours)
            .ok_or_else(|| pending("fewer"))
    })?;
    for r in &installed {
        assert_eq!(r.next_hops.len(), 1, "{r:?}");
        assert_eq!(r.next_hops[0].gateway, Some(IpAddr::V6(leaf_ll)), "{r:?}");
        assert_eq!(r.next_hops[0].dev.as_deref(), Some("swp1"), "{r:?}");
    }

    let fib = wait_for(T, "the spine's route in our FIB", || {
        let fib = us.fib()?;
        fib.get("10.0.0.21/32").cloned().ok_or_else(|| pending(fib))
    })?;
    assert_eq!(fib, vec![spine_ll.to_string()]);
    let raw = us.command("fib")?;
    assert_eq!(raw["fib"]["10.0.0.21/32"][0]["interface"], "swp51", "{raw}");
    us.shutdown(None)?;
    Ok(())
}

/// BIRD 2 on the other end, configured for link-local peering (`neighbor
/// range fe80::/10 external`, `interface`, `extended next hop on`, router
/// advertisements): BIRD waits to be called, so this also shows that we
/// learn its address from its RAs and connect to it.
#[test]
fn bird_link_local_peer_gets_our_routes_with_our_link_local_next_hop() -> integration::Result<()> {
    use integration::bird::config::BirdConfig;
    use integration::bird::Bird;
    if !integration::can_run() {
        return Ok(());
    }
    let SpineLeaf {
        spine,
        leaf,
        spine_ll: _,
        leaf_ll,
    } = SpineLeaf::new("itbub-", "bird", 0x0e01, T)?;
    let mut bird = Bird::start(
        &spine,
        &BirdConfig::new("10.0.0.22", 65020)
            .unnumbered("leaf", "swp1")
            .static_route("10.0.0.22/32")
            .render(),
    )?;
    let args: Vec<String> = [
        "--asn",
        "65011",
        "--router-id",
        "10.0.0.11",
        "--peer",
        "interface=swp51,remote-as=external",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut us = SpeakerProc::start(&leaf, Path::new(env!("CARGO_BIN_EXE_bgp-speaker")), &args)?;
    wait_for(T, "BIRD's session established", || {
        bird.check()?;
        let up = bird.established()?;
        (!up.is_empty()).then_some(()).ok_or_else(|| pending(up))
    })?;
    us.command("announce 172.16.3.0/32 1000")?;
    wait_for(T, "our 1,000 /32s at BIRD (and its own one)", || {
        let counts = bird.route_count(&["table", "master4"])?;
        let n = counts.iter().map(|c| c.routes).sum::<u64>();
        (n == 1001).then_some(()).ok_or_else(|| pending(counts))
    })?;
    let r = bird.routes(&["for", "172.16.3.11"])?;
    let path = &r["172.16.3.11/32"][0];
    assert!(path.next_hops.contains(&IpAddr::V6(leaf_ll)), "{path:?}");
    assert_eq!(path.as_path, [65011]);
    let fib = wait_for(T, "BIRD's route in our FIB", || {
        let fib = us.fib()?;
        fib.get("10.0.0.22/32").cloned().ok_or_else(|| pending(fib))
    })?;
    assert_eq!(fib.len(), 1);
    us.shutdown(None)?;
    Ok(())
}
