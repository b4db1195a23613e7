//! Our BGP speaker (the `bgp-speaker` harness in a namespace) against real
//! FRR 8.4, BIRD 2 and GoBGP 3 over numbered sessions: both sides see the
//! session up; 1,000 of our /32s reach the peer's own RIB with our address
//! as next hop and our AS as path, and leave it when withdrawn; the peer's
//! routes reach our Loc-RIB and FIB stream with its next hop; a route
//! refresh the peer triggers reaches us (our per-peer ROUTE-REFRESH
//! counter) and our routes are still there after our re-send; IPv6 /128s
//! both ways with FRR; and ECMP over an FRR and a BIRD peer that announce
//! the same prefix, down to one next hop when one withdraws.

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use integration::bird::config::BirdConfig;
use integration::bird::Bird;
use integration::frr::config::PeerConfig;
use integration::frr::Frr;
use integration::gobgp::config::GobgpConfig;
use integration::gobgp::{Gobgp, DEFAULT_API_PORT};
use integration::link::{mac, veth};
use integration::speaker::{SpeakerPeer, SpeakerProc};
use integration::{pending, wait_for, Afi, BgpRib, Netns};

const T: Duration = Duration::from_secs(40);
const OUR_AS: u32 = 65011;
const N: usize = 1000;

fn ip(s: &str) -> IpAddr {
    s.parse().expect("an address")
}

fn our_speaker(ns: &Netns, peers: &[&str], extra: &[&str]) -> integration::Result<SpeakerProc> {
    let mut args = vec![
        "--asn".to_string(),
        OUR_AS.to_string(),
        "--router-id".into(),
        "10.0.0.11".into(),
        "--hostname".into(),
        "neighd-us".into(),
    ];
    for p in peers {
        args.push("--peer".into());
        args.push((*p).into());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    SpeakerProc::start(ns, Path::new(env!("CARGO_BIN_EXE_bgp-speaker")), &args)
}

fn wait_our_session(us: &mut SpeakerProc, peer: &str) -> integration::Result<SpeakerPeer> {
    wait_for(T, &format!("our session to {peer} established"), || {
        let p = us.peer(peer)?;
        p.clone()
            .filter(SpeakerPeer::is_established)
            .ok_or_else(|| pending(p))
    })
}

/// Our routes in a peer's RIB: the paths from us to prefixes under `under`.
fn ours_in(rib: &BgpRib, under: &str) -> usize {
    rib.keys().filter(|p| p.starts_with(under)).count()
}

/// The peer's route in our Loc-RIB, best, once it is there.
fn wait_learned(us: &mut SpeakerProc, prefix: &str) -> integration::Result<integration::BgpPath> {
    wait_for(T, &format!("{prefix} best in our Loc-RIB"), || {
        let rib = us.routes()?;
        rib.get(prefix)
            .and_then(|paths| paths.iter().find(|p| p.best).cloned())
            .ok_or_else(|| pending(rib.keys().collect::<Vec<_>>()))
    })
}

fn wait_refreshed(us: &mut SpeakerProc, peer: &str, before: u64) -> integration::Result<u64> {
    wait_for(T, &format!("a ROUTE-REFRESH from {peer}"), || {
        let n = us.peer(peer)?.map_or(0, |p| p.refresh_requests_received);
        (n > before).then_some(n).ok_or_else(|| pending(n))
    })
}

#[test]
fn frr_ipv4_and_ipv6() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let u = Netns::new("itbi-", "us")?;
    let f = Netns::new("itbi-", "frr")?;
    veth(&u, "eth0", &mac(0x0301), &f, "eth0", &mac(0x0302))?;
    u.add_addr("eth0", "10.3.0.1/30")?;
    f.add_addr("eth0", "10.3.0.2/30")?;
    u.add_addr("eth0", "fd00:3::1/64")?;
    f.add_addr("eth0", "fd00:3::2/64")?;

    let mut us = our_speaker(
        &u,
        &["10.3.0.2,remote-as=65001", "fd00:3::2,remote-as=65001"],
        &[],
    )?;
    let mut frr = Frr::start(
        &f,
        &PeerConfig::new("frr", 65001, "10.3.0.2")
            .neighbor("10.3.0.1", OUR_AS)
            .neighbor("fd00:3::1", OUR_AS)
            .network("10.31.1.1/32")
            .network("10.31.2.0/24")
            .network("fd00:31::1/128")
            .render(),
    )?;

    // both sides see both sessions up, with the right AS and hostname
    for peer in ["10.3.0.2", "fd00:3::2"] {
        let p = wait_our_session(&mut us, peer)?;
        assert_eq!(p.remote_as, "65001");
        assert_eq!(p.hostname.as_deref(), Some("frr"));
    }
    for peer in ["10.3.0.1", "fd00:3::1"] {
        let n = wait_for(T, &format!("FRR's session to {peer} established"), || {
            frr.check()?;
            let n = frr.neighbor(peer)?;
            n.clone()
                .filter(|n| n.is_established())
                .ok_or_else(|| pending(n))
        })?;
        assert_eq!(n.remote_as, Some(OUR_AS));
        assert_eq!(n.hostname.as_deref(), Some("neighd-us"));
    }

    // 1,000 /32s and 10 /128s of ours in FRR's BGP RIB
    us.command("announce 10.33.0.0/32 1000 community=65011:7")?;
    us.command("announce fd00:33::/128 10")?;
    let rib = wait_for(T, "our 1000 /32s in FRR's BGP RIB", || {
        let rib = frr.bgp_rib(Afi::Ipv4)?;
        let n = ours_in(&rib, "10.33.");
        (n == N).then_some(rib).ok_or_else(|| pending(n))
    })?;
    for paths in rib
        .iter()
        .filter(|(p, _)| p.starts_with("10.33."))
        .map(|(_, v)| v)
    {
        assert_eq!(paths.len(), 1, "{paths:?}");
        assert_eq!(paths[0].next_hops, [ip("10.3.0.1")], "{paths:?}");
        assert_eq!(paths[0].as_path, [OUR_AS], "{paths:?}");
    }
    let one = frr.bgp_prefix("10.33.3.231/32")?;
    assert!(one[0].best, "{one:?}");
    assert_eq!(one[0].communities, ["65011:7"]);
    let rib6 = wait_for(T, "our 10 /128s in FRR's BGP RIB", || {
        let rib = frr.bgp_rib(Afi::Ipv6)?;
        let n = ours_in(&rib, "fd00:33:");
        (n == 10).then_some(rib).ok_or_else(|| pending(n))
    })?;
    let p6 = &rib6["fd00:33::9/128"][0];
    assert_eq!(p6.as_path, [OUR_AS]);
    assert_eq!(p6.next_hops.first(), Some(&ip("fd00:3::1")), "{p6:?}");

    // FRR's routes in our Loc-RIB, with FRR's next hop, and in our FIB stream
    let p = wait_learned(&mut us, "10.31.1.1/32")?;
    assert_eq!(
        (
            p.peer.as_str(),
            p.next_hops.as_slice(),
            p.as_path.as_slice()
        ),
        ("10.3.0.2", [ip("10.3.0.2")].as_slice(), [65001].as_slice())
    );
    wait_learned(&mut us, "10.31.2.0/24")?;
    let p6 = wait_learned(&mut us, "fd00:31::1/128")?;
    assert_eq!(p6.peer, "fd00:3::2");
    assert_eq!(p6.next_hops.first(), Some(&ip("fd00:3::2")), "{p6:?}");
    assert_eq!(p6.as_path, [65001]);
    let fib = wait_for(T, "FRR's routes in our FIB stream", || {
        let fib = us.fib()?;
        (fib.len() == 3)
            .then_some(fib.clone())
            .ok_or_else(|| pending(fib))
    })?;
    assert_eq!(fib["10.31.1.1/32"], ["10.3.0.2"]);
    assert_eq!(
        fib["fd00:31::1/128"].first().map(String::as_str),
        Some("fd00:3::2")
    );

    // a route refresh from FRR reaches us; our routes are still there after the re-send
    let before = us
        .peer("10.3.0.2")?
        .map_or(0, |p| p.refresh_requests_received);
    frr.vtysh(&["clear bgp ipv4 unicast * soft in"])?;
    wait_refreshed(&mut us, "10.3.0.2", before)?;
    let rib = frr.bgp_rib(Afi::Ipv4)?;
    assert_eq!(ours_in(&rib, "10.33."), N);

    // withdrawn: gone from FRR; FRR's own routes stay
    us.command("withdraw 10.33.0.0/32 1000")?;
    us.command("withdraw fd00:33::/128 10")?;
    wait_for(T, "our routes gone from FRR", || {
        let (r4, r6) = (frr.bgp_rib(Afi::Ipv4)?, frr.bgp_rib(Afi::Ipv6)?);
        let left = (ours_in(&r4, "10.33."), ours_in(&r6, "fd00:33:"));
        (left == (0, 0)).then_some(()).ok_or_else(|| pending(left))
    })?;
    assert!(frr.bgp_rib(Afi::Ipv4)?.contains_key("10.31.1.1/32"));

    us.shutdown(Some("interop test done"))?;
    wait_for(T, "FRR to see our shutdown", || {
        let n = frr.neighbor("10.3.0.1")?;
        n.clone()
            .filter(|n| !n.is_established())
            .ok_or_else(|| pending(n))
    })?;
    Ok(())
}

#[test]
fn bird_ipv4() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let u = Netns::new("itbi-", "us")?;
    let b = Netns::new("itbi-", "bird")?;
    veth(&u, "eth0", &mac(0x0401), &b, "eth0", &mac(0x0402))?;
    u.add_addr("eth0", "10.4.0.1/30")?;
    b.add_addr("eth0", "10.4.0.2/30")?;

    let mut us = our_speaker(&u, &["10.4.0.2,remote-as=65002"], &[])?;
    let mut bird = Bird::start(
        &b,
        &BirdConfig::new("10.4.0.2", 65002)
            .neighbor("neighd", "10.4.0.1", OUR_AS)
            .static_routes(&["10.42.1.1/32", "10.42.2.0/24"])
            .render(),
    )?;

    let p = wait_our_session(&mut us, "10.4.0.2")?;
    assert_eq!(p.remote_as, "65002");
    wait_for(T, "BIRD's session to us established", || {
        bird.check()?;
        let p = bird.protocols()?;
        p.iter()
            .any(|p| p.name == "neighd" && p.info.starts_with("Established"))
            .then_some(())
            .ok_or_else(|| pending(p))
    })?;

    us.command("announce 10.43.0.0/32 1000")?;
    let rib = wait_for(T, "our 1000 /32s in BIRD's master4", || {
        let rib = bird.routes(&["table", "master4", "protocol", "neighd"])?;
        let n = ours_in(&rib, "10.43.");
        (n == N).then_some(rib).ok_or_else(|| pending(n))
    })?;
    for paths in rib.values() {
        assert_eq!(paths[0].next_hops, [ip("10.4.0.1")], "{paths:?}");
        assert_eq!(paths[0].as_path, [OUR_AS], "{paths:?}");
        assert_eq!(paths[0].peer, "neighd");
    }

    let p = wait_learned(&mut us, "10.42.1.1/32")?;
    assert_eq!(
        (
            p.peer.as_str(),
            p.next_hops.as_slice(),
            p.as_path.as_slice()
        ),
        ("10.4.0.2", [ip("10.4.0.2")].as_slice(), [65002].as_slice())
    );
    wait_learned(&mut us, "10.42.2.0/24")?;
    assert_eq!(us.peer("10.4.0.2")?.map(|p| p.prefixes_received), Some(2));
    assert_eq!(
        us.peer("10.4.0.2")?.map(|p| p.prefixes_sent),
        Some(N as u64)
    );

    let before = us
        .peer("10.4.0.2")?
        .map_or(0, |p| p.refresh_requests_received);
    bird.birdc(&["reload", "in", "neighd"])?;
    wait_refreshed(&mut us, "10.4.0.2", before)?;
    let rib = bird.routes(&["table", "master4", "protocol", "neighd"])?;
    assert_eq!(ours_in(&rib, "10.43."), N);

    us.command("withdraw 10.43.0.0/32 1000")?;
    wait_for(T, "our routes gone from BIRD", || {
        let n = ours_in(&bird.routes(&["table", "master4"])?, "10.43.");
        (n == 0).then_some(()).ok_or_else(|| pending(n))
    })?;
    assert!(bird
        .routes(&["table", "master4"])?
        .contains_key("10.42.1.1/32"));
    Ok(())
}

#[test]
fn gobgp_ipv4() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let u = Netns::new("itbi-", "us")?;
    let g = Netns::new("itbi-", "gobgp")?;
    veth(&u, "eth0", &mac(0x0501), &g, "eth0", &mac(0x0502))?;
    u.add_addr("eth0", "10.5.0.1/30")?;
    g.add_addr("eth0", "10.5.0.2/30")?;

    let mut us = our_speaker(&u, &["10.5.0.2,remote-as=65003"], &[])?;
    let gobgp = Gobgp::start(
        &g,
        &GobgpConfig::new(65003, "10.5.0.2")
            .neighbor("10.5.0.1", OUR_AS)
            .render(),
        DEFAULT_API_PORT,
    )?;
    gobgp.add_route("10.52.1.1/32", &["community", "65003:7"])?;

    let p = wait_our_session(&mut us, "10.5.0.2")?;
    assert_eq!(p.remote_as, "65003");
    wait_for(T, "GoBGP's session to us established", || {
        let n = gobgp.neighbors()?;
        n.iter()
            .any(|n| n.address == "10.5.0.1" && n.is_established())
            .then_some(())
            .ok_or_else(|| pending(n))
    })?;

    us.command("announce 10.53.0.0/32 1000")?;
    let rib = wait_for(T, "our 1000 /32s in GoBGP's RIB", || {
        let rib = gobgp.rib(Afi::Ipv4)?;
        let n = ours_in(&rib, "10.53.");
        (n == N).then_some(rib).ok_or_else(|| pending(n))
    })?;
    for paths in rib
        .iter()
        .filter(|(p, _)| p.starts_with("10.53."))
        .map(|(_, v)| v)
    {
        assert_eq!(paths[0].next_hops, [ip("10.5.0.1")], "{paths:?}");
        assert_eq!(paths[0].as_path, [OUR_AS], "{paths:?}");
        assert!(paths[0].best, "{paths:?}");
    }

    let p = wait_learned(&mut us, "10.52.1.1/32")?;
    assert_eq!(
        (
            p.peer.as_str(),
            p.next_hops.as_slice(),
            p.as_path.as_slice()
        ),
        ("10.5.0.2", [ip("10.5.0.2")].as_slice(), [65003].as_slice())
    );

    // GoBGP 3.10 keeps an Adj-RIB-In, and `softresetin` re-applies its import
    // policy to it without sending a ROUTE-REFRESH (a capture on the link
    // shows only KEEPALIVEs): nothing reaches us, and our routes stay.
    gobgp.gobgp(&["neighbor", "10.5.0.1", "softresetin"])?;
    assert_eq!(ours_in(&gobgp.rib(Afi::Ipv4)?, "10.53."), N);

    us.command("withdraw 10.53.0.0/32 1000")?;
    wait_for(T, "our routes gone from GoBGP", || {
        let n = ours_in(&gobgp.rib(Afi::Ipv4)?, "10.53.");
        (n == 0).then_some(()).ok_or_else(|| pending(n))
    })?;
    Ok(())
}

#[test]
fn ecmp_over_frr_and_bird() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let u = Netns::new("itbi-", "us")?;
    let f = Netns::new("itbi-", "frr")?;
    let b = Netns::new("itbi-", "bird")?;
    veth(&u, "eth0", &mac(0x0601), &f, "eth0", &mac(0x0602))?;
    veth(&u, "eth1", &mac(0x0611), &b, "eth0", &mac(0x0612))?;
    u.add_addr("eth0", "10.6.0.1/30")?;
    f.add_addr("eth0", "10.6.0.2/30")?;
    u.add_addr("eth1", "10.6.1.1/30")?;
    b.add_addr("eth0", "10.6.1.2/30")?;

    let mut us = our_speaker(
        &u,
        &["10.6.0.2,remote-as=65021", "10.6.1.2,remote-as=65022"],
        &["--max-paths", "4"],
    )?;
    let _frr = Frr::start(
        &f,
        &PeerConfig::new("frr", 65021, "10.6.0.2")
            .neighbor("10.6.0.1", OUR_AS)
            .network("10.60.0.0/24")
            .network("10.61.0.1/32")
            .render(),
    )?;
    let _bird = Bird::start(
        &b,
        &BirdConfig::new("10.6.1.2", 65022)
            .neighbor("neighd", "10.6.1.1", OUR_AS)
            .static_route("10.60.0.0/24")
            .render(),
    )?;
    wait_our_session(&mut us, "10.6.0.2")?;
    wait_our_session(&mut us, "10.6.1.2")?;

    // the same prefix from AS 65021 and AS 65022, equal AS path lengths: two multipaths
    let paths = wait_for(T, "two multipaths to 10.60.0.0/24 in our Loc-RIB", || {
        let rib = us.routes()?;
        let p = rib.get("10.60.0.0/24").cloned().unwrap_or_default();
        (p.iter().filter(|x| x.multipath).count() == 2)
            .then_some(p.clone())
            .ok_or_else(|| pending(p))
    })?;
    let mut from: Vec<&str> = paths.iter().map(|p| p.peer.as_str()).collect();
    from.sort();
    assert_eq!(from, ["10.6.0.2", "10.6.1.2"]);
    assert_eq!(paths.iter().filter(|p| p.best).count(), 1, "{paths:?}");
    let fib = wait_for(
        T,
        "two next hops for 10.60.0.0/24 on our FIB stream",
        || {
            let fib = us.fib()?;
            let mut hops = fib.get("10.60.0.0/24").cloned().unwrap_or_default();
            hops.sort();
            (hops.len() == 2)
                .then_some(hops)
                .ok_or_else(|| pending(fib))
        },
    )?;
    assert_eq!(fib, ["10.6.0.2", "10.6.1.2"]);
    assert_eq!(us.route_counts()?.ecmp, 1);

    // FRR withdraws its path: one next hop (BIRD's) remains
    _frr.configure(&[
        "router bgp 65021",
        "address-family ipv4 unicast",
        "no network 10.60.0.0/24",
    ])?;
    let fib = wait_for(T, "one next hop left for 10.60.0.0/24", || {
        let fib = us.fib()?;
        let hops = fib.get("10.60.0.0/24").cloned().unwrap_or_default();
        (hops.len() == 1)
            .then_some(hops)
            .ok_or_else(|| pending(fib))
    })?;
    assert_eq!(fib, ["10.6.1.2"]);
    let rib = us.routes()?;
    let p = &rib["10.60.0.0/24"];
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!((p[0].peer.as_str(), p[0].best), ("10.6.1.2", true));
    assert_eq!(us.route_counts()?.ecmp, 0);
    // FRR's other route is untouched
    assert_eq!(us.fib()?["10.61.0.1/32"], ["10.6.0.2"]);
    Ok(())
}
