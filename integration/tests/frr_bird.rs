//! FRR ↔ BIRD over a numbered IPv4 session and a numbered IPv6 session:
//! both come up, and each side's routes show up in the other's RIB (and
//! FRR's in zebra and the kernel FIB) through the typed queries.

use std::time::Duration;

use integration::bird::config::BirdConfig;
use integration::bird::Bird;
use integration::frr::config::PeerConfig;
use integration::frr::Frr;
use integration::link::{mac, veth};
use integration::{pending, wait_for, Afi, Netns};

const T: Duration = Duration::from_secs(40);

#[test]
fn frr_and_bird_exchange_routes() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let f = Netns::new("itfb-", "frr")?;
    let b = Netns::new("itfb-", "bird")?;
    veth(&f, "eth0", &mac(0x0101), &b, "eth0", &mac(0x0102))?;
    f.add_addr("eth0", "10.1.0.1/30")?;
    b.add_addr("eth0", "10.1.0.2/30")?;
    f.add_addr("eth0", "fd00:1::1/64")?;
    b.add_addr("eth0", "fd00:1::2/64")?;

    let frr_conf = PeerConfig::new("frr", 65001, "10.1.0.1")
        .neighbor("10.1.0.2", 65002)
        .neighbor("fd00:1::2", 65002)
        .network("10.11.1.1/32")
        .network("fd00:11::1/128")
        .render();
    let bird_conf = BirdConfig::new("10.1.0.2", 65002)
        .neighbor("frr4", "10.1.0.1", 65001)
        .neighbor("frr6", "fd00:1::1", 65001)
        .static_routes(&["10.12.1.1/32", "10.12.0.0/24", "fd00:12::1/128"])
        .render();
    let mut frr = Frr::start(&f, &frr_conf)?;
    let mut bird = Bird::start(&b, &bird_conf)?;

    for peer in ["10.1.0.2", "fd00:1::2"] {
        wait_for(T, &format!("FRR's session to {peer} established"), || {
            frr.check()?;
            let n = frr.neighbor(peer)?;
            n.clone()
                .filter(|n| n.is_established())
                .ok_or_else(|| pending(n))
        })?;
    }
    wait_for(T, "BIRD's sessions established", || {
        bird.check()?;
        let p = bird.protocols()?;
        let up = p
            .iter()
            .filter(|p| p.info.starts_with("Established"))
            .count();
        (up == 2).then_some(()).ok_or_else(|| pending(p))
    })?;

    // BIRD's routes in FRR's BGP RIB, best, AS path 65002, next hop BIRD
    // (a path is in the RIB a moment before the best-path run marks it best)
    let rib = wait_for(T, "BIRD's IPv4 routes best in FRR's BGP RIB", || {
        let rib = frr.bgp_rib(Afi::Ipv4)?;
        let best = |p: &str| rib.get(p).is_some_and(|paths| paths.iter().any(|x| x.best));
        (best("10.12.1.1/32") && best("10.12.0.0/24"))
            .then_some(rib.clone())
            .ok_or_else(|| pending(rib))
    })?;
    let p = &rib["10.12.1.1/32"][0];
    assert!(p.best && p.valid, "{p:?}");
    assert_eq!(p.as_path, [65002]);
    assert_eq!(
        p.next_hops,
        ["10.1.0.2".parse::<std::net::IpAddr>().unwrap()]
    );
    let rib6 = wait_for(T, "BIRD's IPv6 route in FRR's BGP RIB", || {
        let rib = frr.bgp_rib(Afi::Ipv6)?;
        rib.contains_key("fd00:12::1/128")
            .then_some(rib.clone())
            .ok_or_else(|| pending(rib.keys().collect::<Vec<_>>()))
    })?;
    assert_eq!(rib6["fd00:12::1/128"][0].as_path, [65002]);

    // … and in zebra and the kernel of FRR's namespace
    let z = wait_for(T, "10.12.1.1/32 in zebra's RIB", || {
        let z = frr.zebra_rib(Afi::Ipv4)?;
        z.get("10.12.1.1/32")
            .cloned()
            .ok_or_else(|| pending(z.keys().collect::<Vec<_>>()))
    })?;
    assert_eq!(z[0].protocol, "bgp");
    let k = wait_for(T, "10.12.1.1/32 in FRR's kernel FIB", || {
        f.kernel_route("10.12.1.1/32")?
            .ok_or_else(|| pending("absent"))
    })?;
    assert_eq!(k.protocol, "bgp");
    assert_eq!(k.next_hops[0].gateway, Some("10.1.0.2".parse().unwrap()));

    // FRR's routes in BIRD's tables, learned from the right protocols
    let r4 = wait_for(T, "FRR's IPv4 route in BIRD", || {
        let r = bird.routes(&["table", "master4"])?;
        r.get("10.11.1.1/32")
            .cloned()
            .ok_or_else(|| pending(r.keys().collect::<Vec<_>>()))
    })?;
    assert_eq!(r4[0].peer, "frr4");
    assert_eq!(r4[0].as_path, [65001]);
    let r6 = wait_for(T, "FRR's IPv6 route in BIRD", || {
        let r = bird.routes(&["table", "master6"])?;
        r.get("fd00:11::1/128")
            .cloned()
            .ok_or_else(|| pending(r.keys().collect::<Vec<_>>()))
    })?;
    assert_eq!(r6[0].peer, "frr6");
    assert!(bird.table_routes("master4")? >= 3);

    // bgpd killed (zebra stays) and started again: the session comes back
    let before = frr.bgpd().map(|d| d.pid());
    frr.restart_bgpd(&f)?;
    assert_ne!(frr.bgpd().map(|d| d.pid()), before);
    wait_for(T, "FRR's session to BIRD back after a bgpd restart", || {
        frr.check()?;
        let n = frr.neighbor("10.1.0.2")?;
        n.clone()
            .filter(|n| n.is_established())
            .ok_or_else(|| pending(n))
    })?;
    wait_for(T, "BIRD's route back in FRR's BGP RIB", || {
        let p = frr.bgp_prefix("10.12.1.1/32")?;
        p.iter()
            .any(|x| x.best)
            .then_some(())
            .ok_or_else(|| pending(p))
    })?;
    Ok(())
}
