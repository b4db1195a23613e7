//! TCP MD5 (RFC 2385) on our speaker's sessions with a real FRR 8.4 that
//! has `neighbor X password`: with the right password the session comes up
//! (both sides), with a wrong or missing one it never does; the password
//! never appears in our log. (Socket-level MD5 and GTSM checks are in
//! `bgp_security.rs`.)

use std::path::Path;
use std::time::Duration;

use integration::frr::config::PeerConfig;
use integration::frr::Frr;
use integration::link::{mac, veth};
use integration::speaker::{SpeakerPeer, SpeakerProc};
use integration::{pending, wait_for, Netns};

const T: Duration = Duration::from_secs(40);
const SECRET: &str = "s3cret-fabric";

fn setup(tag: &str, n: u16) -> integration::Result<(Netns, Netns, Frr)> {
    let u = Netns::new(tag, "us")?;
    let f = Netns::new(tag, "frr")?;
    veth(
        &u,
        "eth0",
        &mac(0x0d01 + u32::from(n) * 2),
        &f,
        "eth0",
        &mac(0x0d02 + u32::from(n) * 2),
    )?;
    u.add_addr("eth0", "10.7.0.1/30")?;
    f.add_addr("eth0", "10.7.0.2/30")?;
    let frr = Frr::start(
        &f,
        &PeerConfig::new("frr", 65001, "10.7.0.2")
            .neighbor("10.7.0.1", 65011)
            .bgp_line(&format!("neighbor 10.7.0.1 password {SECRET}"))
            .render(),
    )?;
    Ok((u, f, frr))
}

fn speaker(u: &Netns, peer: &str) -> integration::Result<SpeakerProc> {
    let args: Vec<String> = ["--asn", "65011", "--router-id", "10.0.0.11", "--peer", peer]
        .iter()
        .map(|s| s.to_string())
        .collect();
    SpeakerProc::start(u, Path::new(env!("CARGO_BIN_EXE_bgp-speaker")), &args)
}

#[test]
fn the_right_password_establishes_and_is_never_logged() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let (u, _f, frr) = setup("itmd5a-", 0)?;
    let mut us = speaker(&u, &format!("10.7.0.2,remote-as=65001,password={SECRET}"))?;
    wait_for(T, "our session established", || {
        let p = us.peer("10.7.0.2")?;
        p.clone()
            .filter(SpeakerPeer::is_established)
            .ok_or_else(|| pending(p))
    })?;
    wait_for(T, "FRR's session established", || {
        let n = frr.neighbor("10.7.0.1")?;
        n.clone()
            .filter(|n| n.is_established())
            .ok_or_else(|| pending(n))
    })?;
    us.shutdown(None)?;
    let log = std::fs::read_to_string(us.log()).unwrap_or_default();
    assert!(!log.contains(SECRET), "the password is in our log:\n{log}");
    Ok(())
}

#[test]
fn a_wrong_or_missing_password_never_establishes() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let (u, _f, frr) = setup("itmd5b-", 1)?;
    for peer in [
        "10.7.0.2,remote-as=65001,password=wrong",
        "10.7.0.2,remote-as=65001",
    ] {
        let mut us = speaker(&u, peer)?;
        // Both sides keep trying (connect retry 1-2 s); no attempt may get
        // through in this many tries.
        std::thread::sleep(Duration::from_secs(8));
        let ours = us.peer("10.7.0.2")?.expect("configured peer");
        assert!(!ours.is_established(), "{peer}: {ours:?}");
        let theirs = frr.neighbor("10.7.0.1")?;
        assert!(
            !theirs.as_ref().is_some_and(|n| n.is_established()),
            "{peer}: {theirs:?}"
        );
        us.shutdown(None)?;
    }
    Ok(())
}
