//! FRR ↔ GoBGP over a numbered IPv4 session: it comes up on both sides,
//! GoBGP's routes (with their communities) reach FRR's BGP RIB and FRR's
//! reach GoBGP's global RIB, through the typed queries.

use std::time::Duration;

use integration::frr::config::PeerConfig;
use integration::frr::Frr;
use integration::gobgp::config::GobgpConfig;
use integration::gobgp::{Gobgp, DEFAULT_API_PORT};
use integration::link::{mac, veth};
use integration::route::{ipv4_hosts, ipv6_hosts};
use integration::{pending, wait_for, Afi, Netns};

const T: Duration = Duration::from_secs(40);

#[test]
fn frr_and_gobgp_exchange_routes() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let f = Netns::new("itfg-", "frr")?;
    let g = Netns::new("itfg-", "gobgp")?;
    veth(&f, "eth0", &mac(0x0201), &g, "eth0", &mac(0x0202))?;
    f.add_addr("eth0", "10.2.0.1/30")?;
    g.add_addr("eth0", "10.2.0.2/30")?;

    let gobgp = Gobgp::start(
        &g,
        &GobgpConfig::new(4200000001, "10.2.0.2")
            .neighbor("10.2.0.1", 65001)
            .render(),
        DEFAULT_API_PORT,
    )?;
    gobgp.add_route("10.20.1.1/32", &["community", "65000:2"])?;
    let mut frr = Frr::start(
        &f,
        &PeerConfig::new("frr", 65001, "10.2.0.1")
            .neighbor("10.2.0.2", 4200000001)
            .network("10.21.1.1/32")
            .render(),
    )?;

    wait_for(T, "FRR's session to GoBGP established", || {
        frr.check()?;
        let n = frr.neighbor("10.2.0.2")?;
        n.clone()
            .filter(|n| n.is_established())
            .ok_or_else(|| pending(n))
    })?;
    wait_for(T, "GoBGP's session to FRR established", || {
        let n = gobgp.neighbors()?;
        n.iter()
            .any(|n| n.address == "10.2.0.1" && n.is_established())
            .then_some(())
            .ok_or_else(|| pending(n))
    })?;

    let paths = wait_for(T, "GoBGP's route best in FRR", || {
        let p = frr.bgp_prefix("10.20.1.1/32")?;
        p.iter()
            .any(|x| x.best)
            .then_some(p.clone())
            .ok_or_else(|| pending(p))
    })?;
    assert!(paths[0].best, "{paths:?}");
    assert_eq!(paths[0].as_path, [4200000001]);
    assert_eq!(paths[0].communities, ["65000:2"]);

    let rib = wait_for(T, "FRR's route in GoBGP's global RIB", || {
        let rib = gobgp.rib(Afi::Ipv4)?;
        rib.get("10.21.1.1/32")
            .filter(|p| p.iter().any(|x| x.best))
            .cloned()
            .ok_or_else(|| pending(rib.keys().collect::<Vec<_>>()))
    })?;
    assert!(rib[0].best, "{rib:?}");
    assert_eq!(rib[0].as_path, [65001]);
    assert_eq!(
        rib[0].next_hops,
        ["10.2.0.1".parse::<std::net::IpAddr>().unwrap()]
    );
    assert_eq!(gobgp.rib_count(Afi::Ipv4)?, 2);

    // the fast path: 5000 IPv4 and 10 IPv6 routes through an MRT file; all
    // IPv4 ones reach FRR
    let mut many = ipv4_hosts("10.22.0.0".parse().unwrap(), 5000)?;
    many.extend(ipv6_hosts("fd00:22::".parse().unwrap(), 10)?);
    gobgp.inject_routes(
        &many,
        "10.2.0.2".parse().unwrap(),
        "fd00:2::2".parse().unwrap(),
        &[(65000, 3)],
    )?;
    assert_eq!(gobgp.rib_count(Afi::Ipv4)?, 5002);
    assert_eq!(gobgp.rib_count(Afi::Ipv6)?, 10);
    wait_for(T, "5001 prefixes from GoBGP at FRR", || {
        let s = frr.summary()?;
        let got = s
            .get("ipv4Unicast")
            .and_then(|peers| peers.iter().find(|p| p.name == "10.2.0.2"))
            .map(|p| p.prefixes_received);
        (got == Some(5001))
            .then_some(())
            .ok_or_else(|| pending(got))
    })?;
    let p = frr.bgp_prefix("10.22.19.135/32")?;
    assert_eq!(p[0].communities, ["65000:3"], "{p:?}");
    Ok(())
}
