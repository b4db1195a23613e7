//! Graceful restart (RFC 4724) of our speaker against real FRR 8.4, both
//! roles. We restart: our process is killed (SIGKILL, no NOTIFICATION) and
//! started again; FRR keeps our routes stale, in its RIB and its kernel
//! FIB, until our End-of-RIB, then has lost none of the ones we announce
//! again and removed the one we no longer announce. FRR restarts: its
//! bgpd is killed; we keep its routes stale (and in our FIB) until it is
//! back.

use std::path::Path;
use std::time::Duration;

use integration::frr::config::PeerConfig;
use integration::frr::Frr;
use integration::link::{mac, veth};
use integration::speaker::SpeakerProc;
use integration::{pending, wait_for, Afi, Netns};

const T: Duration = Duration::from_secs(40);
const OUR_AS: u32 = 65011;

fn our_speaker(ns: &Netns, peer: &str, extra: &[&str]) -> integration::Result<SpeakerProc> {
    let mut args: Vec<String> = [
        "--asn",
        "65011",
        "--router-id",
        "10.0.0.11",
        "--graceful-restart",
        "120",
        "--peer",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(peer.to_string());
    args.extend(extra.iter().map(|s| s.to_string()));
    SpeakerProc::start(ns, Path::new(env!("CARGO_BIN_EXE_bgp-speaker")), &args)
}

/// FRR's paths under 10.60.0.0/24: (prefix, stale), sorted.
fn frr_view(frr: &Frr) -> integration::Result<Vec<(String, bool)>> {
    let rib = frr.bgp_rib(Afi::Ipv4)?;
    let mut v: Vec<(String, bool)> = rib
        .iter()
        .filter(|(p, _)| p.starts_with("10.60.0."))
        .map(|(p, paths)| (p.clone(), paths.iter().any(|x| x.stale)))
        .collect();
    v.sort();
    Ok(v)
}

fn kernel_routes(ns: &Netns) -> integration::Result<Vec<String>> {
    let mut v: Vec<String> = ns
        .kernel_routes(Afi::Ipv4)?
        .into_iter()
        .map(|r| r.dst)
        .filter(|d| d.starts_with("10.60.0."))
        .collect();
    v.sort();
    Ok(v)
}

fn hosts(n: u8) -> Vec<String> {
    (0..n).map(|i| format!("10.60.0.{i}/32")).collect()
}

/// Waits until FRR's session to `neighbor` is up with graceful restart
/// negotiated. FRR applies `bgp graceful-restart` to sessions opened after
/// it read it ("reset all peers to take effect"); a session that beat it
/// (on a busy machine) is reset so that both OPENs carry the capability.
fn wait_graceful_restart_negotiated(frr: &Frr, neighbor: &str) -> integration::Result<()> {
    wait_for(T, "FRR's session to negotiate graceful restart", || {
        let v: serde_json::Value =
            frr.vtysh_json(&format!("show bgp neighbors {neighbor} json"))?;
        let n = &v[neighbor];
        let gr = n["neighborCapabilities"]["gracefulRestart"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let up = n["bgpState"] == "Established";
        if up && gr == "advertisedAndReceived" {
            return Ok(());
        }
        if up {
            frr.vtysh(&[&format!("clear bgp {neighbor}")])?;
        }
        Err(pending(gr))
    })
}

#[test]
fn frr_keeps_our_routes_while_we_restart() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let u = Netns::new("itgr-", "us")?;
    let f = Netns::new("itgr-", "frr")?;
    veth(&u, "eth0", &mac(0x0a01), &f, "eth0", &mac(0x0a02))?;
    u.add_addr("eth0", "10.5.0.1/30")?;
    f.add_addr("eth0", "10.5.0.2/30")?;
    let mut frr = Frr::start(
        &f,
        &PeerConfig::new("frr", 65001, "10.5.0.2")
            .neighbor("10.5.0.1", OUR_AS)
            .graceful_restart()
            .render(),
    )?;
    let peer = "10.5.0.2,remote-as=65001";

    let mut us = our_speaker(&u, peer, &[])?;
    us.command("announce 10.60.0.0/32 10")?;
    wait_for(T, "our 10 routes in FRR's RIB and kernel", || {
        frr.check()?;
        let (rib, fib) = (frr_view(&frr)?, kernel_routes(&f)?);
        (rib.len() == 10 && fib.len() == 10)
            .then_some(())
            .ok_or_else(|| pending((rib, fib)))
    })?;

    wait_graceful_restart_negotiated(&frr, "10.5.0.1")?;
    wait_for(T, "our 10 routes back in FRR's RIB", || {
        let rib = frr_view(&frr)?;
        (rib.len() == 10).then_some(()).ok_or_else(|| pending(rib))
    })?;

    // Killed: no NOTIFICATION, the kernel closes the connection.
    us.kill();
    let stale = wait_for(T, "FRR to mark our routes stale", || {
        let rib = frr_view(&frr)?;
        (rib.len() == 10 && rib.iter().all(|(_, s)| *s))
            .then_some(rib.len())
            .ok_or_else(|| pending(rib))
    })?;
    assert_eq!(stale, 10);
    assert_eq!(kernel_routes(&f)?, hosts(10), "still forwarding");

    // Back, restarting: nine of the ten again; End-of-RIB held until we
    // say the initial routes are in.
    let mut us = our_speaker(&u, peer, &["--restarting"])?;
    us.command("announce 10.60.0.0/32 9")?;
    let view = wait_for(T, "nine fresh routes and the tenth still stale", || {
        let rib = frr_view(&frr)?;
        let fresh = rib.iter().filter(|(_, s)| !*s).count();
        (fresh == 9 && rib.len() == 10)
            .then_some(rib.clone())
            .ok_or_else(|| pending(rib))
    })?;
    assert_eq!(view.last(), Some(&("10.60.0.9/32".to_string(), true)));
    us.command("initial-routes-done")?;
    wait_for(T, "the tenth gone after our End-of-RIB", || {
        let (rib, fib) = (frr_view(&frr)?, kernel_routes(&f)?);
        (rib.len() == 9
            && rib.iter().all(|(_, s)| !*s)
            && fib.len() == 9
            && !fib.contains(&"10.60.0.9/32".to_string()))
        .then_some(())
        .ok_or_else(|| pending((rib, fib)))
    })?;
    us.shutdown(None)?;
    Ok(())
}

#[test]
fn we_keep_frr_routes_while_its_bgpd_restarts() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let u = Netns::new("itgh-", "us")?;
    let f = Netns::new("itgh-", "frr")?;
    veth(&u, "eth0", &mac(0x0b01), &f, "eth0", &mac(0x0b02))?;
    u.add_addr("eth0", "10.6.0.1/30")?;
    f.add_addr("eth0", "10.6.0.2/30")?;
    let mut frr = Frr::start(
        &f,
        &PeerConfig::new("frr", 65001, "10.6.0.2")
            .neighbor("10.6.0.1", OUR_AS)
            .graceful_restart()
            .network("10.61.1.1/32")
            .network("10.61.2.0/24")
            .render(),
    )?;
    let mut us = our_speaker(&u, "10.6.0.2,remote-as=65001", &[])?;
    let learned = |us: &mut SpeakerProc| -> integration::Result<Vec<(String, bool)>> {
        let rib = us.routes()?;
        let mut v: Vec<(String, bool)> = rib
            .iter()
            .filter(|(p, _)| p.starts_with("10.61."))
            .map(|(p, paths)| (p.clone(), paths.iter().any(|x| x.stale)))
            .collect();
        v.sort();
        Ok(v)
    };
    wait_for(T, "FRR's two routes in our Loc-RIB", || {
        let v = learned(&mut us)?;
        (v.len() == 2 && v.iter().all(|(_, s)| !*s))
            .then_some(())
            .ok_or_else(|| pending(v))
    })?;

    wait_graceful_restart_negotiated(&frr, "10.6.0.1")?;
    wait_for(T, "FRR's two routes in our Loc-RIB again", || {
        let v = learned(&mut us)?;
        (v.len() == 2).then_some(()).ok_or_else(|| pending(v))
    })?;
    frr.kill_bgpd();
    wait_for(T, "FRR's routes kept stale", || {
        let v = learned(&mut us)?;
        (v.len() == 2 && v.iter().all(|(_, s)| *s))
            .then_some(())
            .ok_or_else(|| pending(v))
    })?;
    let fib = us.fib()?;
    assert!(
        fib.contains_key("10.61.1.1/32") && fib.contains_key("10.61.2.0/24"),
        "still in our FIB: {fib:?}"
    );

    frr.start_bgpd(&f)?;
    wait_for(T, "FRR back and its routes fresh", || {
        frr.check()?;
        let v = learned(&mut us)?;
        (v.len() == 2 && v.iter().all(|(_, s)| !*s))
            .then_some(())
            .ok_or_else(|| pending(v))
    })?;
    us.shutdown(None)?;
    Ok(())
}
