//! Our router advertisement driver (`bgp::unnumbered`, run by the
//! `ra-announce` binary in the leaf namespace) against the real FRR spine of
//! the Cumulus demo, unmodified (`neighbor swp1 interface remote-as
//! external`, `ipv6 nd ra-interval 3`, `no ipv6 nd suppress-ra`):
//! (a) our RAs are on the wire, valid, and counted by FRR; (b) FRR learns
//! our link-local address from them and connects to it on port 179; (c) our
//! driver reports the spine's link-local address from the spine's RAs.

use std::net::{IpAddr, Ipv6Addr};
use std::path::Path;
use std::time::Duration;

use integration::daemon::Daemon;
use integration::frr::config::SpineConfig;
use integration::frr::Frr;
use integration::link::{mac, veth};
use integration::{pending, wait_for, Netns, SpineLeaf};
use serde_json::Value;

const T: Duration = Duration::from_secs(45);

/// The JSON lines `ra-announce` printed so far.
fn lines(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn find(log: &Path, event: &str, pred: impl Fn(&Value) -> bool) -> Option<Value> {
    lines(log)
        .into_iter()
        .find(|v| v["event"] == event && pred(v))
}

/// FRR's count of RAs received on an interface (`show interface IF`:
/// "ND router advertisements sent: N rcvd: M").
fn frr_ra_received(frr: &Frr, ifname: &str) -> integration::Result<Option<u64>> {
    let text = frr.vtysh(&[&format!("show interface {ifname}")])?;
    Ok(text
        .lines()
        .find_map(|l| l.trim().strip_prefix("ND router advertisements sent:"))
        .and_then(|rest| rest.split("rcvd:").nth(1))
        .and_then(|n| n.trim().parse().ok()))
}

#[test]
fn frr_spine_discovers_our_link_local_from_our_router_advertisements() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let SpineLeaf {
        spine,
        leaf,
        spine_ll,
        leaf_ll,
    } = SpineLeaf::new("itra-", "spine", 0x0801, T)?;

    // our RAs as the spine sees them, decoded by tshark
    let mut tshark_cmd = spine.command("tshark");
    tshark_cmd.args([
        "-l",
        "-n",
        "-i",
        "swp1",
        "-a",
        "duration:120",
        "-f",
        &format!("icmp6 and ip6[40] == 134 and ether src {}", mac(0x0802)),
        "-T",
        "fields",
        "-E",
        "separator=|",
        "-e",
        "ipv6.src",
        "-e",
        "ipv6.hlim",
        "-e",
        "ipv6.dst",
        "-e",
        "icmpv6.nd.ra.router_lifetime",
        "-e",
        "icmpv6.opt.linkaddr",
        "-e",
        "icmpv6.checksum.status",
    ]);
    let mut tshark = Daemon::spawn(
        "tshark in spine",
        tshark_cmd,
        &spine.workdir().join("tshark.log"),
    )?;
    // tshark takes a while to start capturing; nothing is sent before it does
    let tshark_log = spine.workdir().join("tshark.log");
    wait_for(T, "tshark to capture on swp1", || {
        tshark.check()?;
        let l = std::fs::read_to_string(&tshark_log).unwrap_or_default();
        l.contains("Capturing on")
            .then_some(())
            .ok_or_else(|| pending(l))
    })?;

    let frr = Frr::start(
        &spine,
        &SpineConfig::new("spine01", 65020, "10.0.0.21")
            .interface("swp1")
            .network("10.0.0.21/32")
            .render(),
    )?;

    let ra_log = leaf.workdir().join("ra-announce.out");
    let mut cmd = leaf.command(env!("CARGO_BIN_EXE_ra-announce"));
    cmd.args(["--accept-bgp", "swp51"]);
    let mut ra = Daemon::spawn("ra-announce in leaf", cmd, &ra_log)?;

    // our own link-local address is reported (the RFC 8950 next hop)
    let local = wait_for(T, "ra-announce to report our link-local on swp51", || {
        ra.check()?;
        find(&ra_log, "local", |_| true).ok_or_else(|| pending(lines(&ra_log)))
    })?;
    assert_eq!(local["ifname"], "swp51");
    assert_eq!(local["address"], leaf_ll.to_string());
    assert_eq!(local["mac"], mac(0x0802));

    // (a) on the wire: from our link-local to ff02::1, hop limit 255,
    // lifetime 0, our MAC in the source link-layer option, checksum good
    let wire = wait_for(T, "our RA in the spine's capture", || {
        tshark.check()?;
        let t = std::fs::read_to_string(&tshark_log).unwrap_or_default();
        t.lines()
            .find(|l| l.starts_with("fe80"))
            .map(str::to_string)
            .ok_or_else(|| pending(t))
    })?;
    let f: Vec<&str> = wire.split('|').collect();
    assert_eq!(f[0].parse::<Ipv6Addr>().ok(), Some(leaf_ll), "{wire}");
    assert_eq!(f[1], "255", "{wire}");
    assert_eq!(f[2], "ff02::1", "{wire}");
    assert_eq!(f[3], "0", "{wire}");
    assert_eq!(f[4], mac(0x0802), "{wire}");
    assert_eq!(f[5], "1", "checksum status good (1): {wire}");
    // and FRR's zebra counted them
    wait_for(T, "FRR to count RAs received on swp1", || {
        let n = frr_ra_received(&frr, "swp1")?;
        n.filter(|&n| n > 0).ok_or_else(|| pending(n))
    })?;

    // (b) FRR's interface peer: bgpd connects to our link-local address
    let conn = wait_for(T, "FRR's BGP connection to our link-local", || {
        ra.check()?;
        find(&ra_log, "bgp_connection", |_| true).ok_or_else(|| pending(lines(&ra_log)))
    })?;
    let peer: std::net::SocketAddrV6 = conn["peer"]
        .as_str()
        .unwrap_or("")
        .parse()
        .map_err(|_| integration::Error::Invalid(format!("peer address in {conn}")))?;
    let ours: std::net::SocketAddrV6 = conn["local"]
        .as_str()
        .unwrap_or("")
        .parse()
        .map_err(|_| integration::Error::Invalid(format!("local address in {conn}")))?;
    assert_eq!(*peer.ip(), spine_ll, "{conn}");
    assert_eq!(*ours.ip(), leaf_ll, "{conn}");
    assert_eq!(ours.port(), 179, "{conn}");
    let n = wait_for(
        T,
        "FRR's neighbor swp1 with our address as foreign host",
        || {
            let n = frr.neighbor("swp1")?;
            n.clone()
                .filter(|n| n.foreign_address == Some(IpAddr::V6(leaf_ll)))
                .ok_or_else(|| pending(n))
        },
    )?;
    assert_eq!(n.local_address, Some(IpAddr::V6(spine_ll)), "{n:?}");
    assert!(!n.is_established(), "nothing speaks BGP here: {n:?}");

    // (c) our driver heard the spine's RAs
    let nb = wait_for(T, "ra-announce to report the spine as neighbour", || {
        ra.check()?;
        find(&ra_log, "neighbor", |_| true).ok_or_else(|| pending(lines(&ra_log)))
    })?;
    assert_eq!(nb["ifname"], "swp51");
    assert_eq!(nb["address"], spine_ll.to_string());
    assert_eq!(nb["mac"], mac(0x0801));
    assert_eq!(nb["router_lifetime"], 9, "FRR: 3 x ra-interval 3");

    // nothing invalid was seen
    let c = wait_for(T, "counters with RAs both ways", || {
        find(&ra_log, "counters", |c| {
            c["ra_sent"].as_u64() > Some(0) && c["ra_received"].as_u64() > Some(0)
        })
        .ok_or_else(|| pending(lines(&ra_log)))
    })?;
    for k in [
        "dropped_hop_limit",
        "dropped_source",
        "malformed",
        "send_errors",
        "recv_errors",
    ] {
        assert_eq!(c[k], 0, "{k}: {c}");
    }
    Ok(())
}

fn count(log: &Path, event: &str) -> usize {
    lines(log).iter().filter(|v| v["event"] == event).count()
}

/// Our driver on both ends of a link, started before the link exists: each
/// side picks the interface up once it appears, hears the other, reports
/// the interface lost when it goes down, and everything again when it
/// comes back up.
#[test]
fn our_driver_on_both_ends_follows_late_and_flapping_interfaces() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let a = Netns::new("itra-", "a")?;
    let b = Netns::new("itra-", "b")?;
    let start = |ns: &Netns, ifname: &str| -> integration::Result<(Daemon, std::path::PathBuf)> {
        let log = ns.workdir().join("ra-announce.out");
        let mut cmd = ns.command(env!("CARGO_BIN_EXE_ra-announce"));
        cmd.args(["--interval", "1", ifname]);
        Ok((
            Daemon::spawn(format!("ra-announce in {}", ns.name()), cmd, &log)?,
            log,
        ))
    };
    let (mut ra_a, log_a) = start(&a, "swp52")?;
    let (mut ra_b, log_b) = start(&b, "swp1")?;
    // running, waiting for interfaces that do not exist
    wait_for(T, "both drivers to start", || {
        ra_a.check()?;
        ra_b.check()?;
        let t = std::fs::read_to_string(&log_a).unwrap_or_default()
            + &std::fs::read_to_string(&log_b).unwrap_or_default();
        (t.matches("does not exist").count() >= 2)
            .then_some(())
            .ok_or_else(|| pending(t))
    })?;
    assert_eq!(count(&log_a, "local") + count(&log_b, "local"), 0);

    veth(&a, "swp52", &mac(0x0901), &b, "swp1", &mac(0x0902))?;
    let ll_a = a.wait_link_local("swp52", T)?;
    let ll_b = b.wait_link_local("swp1", T)?;
    for (log, ifname, me, them, their_mac) in [
        (&log_a, "swp52", ll_a, ll_b, mac(0x0902)),
        (&log_b, "swp1", ll_b, ll_a, mac(0x0901)),
    ] {
        let l = wait_for(T, &format!("{ifname} ready"), || {
            find(log, "local", |_| true).ok_or_else(|| pending(lines(log)))
        })?;
        assert_eq!(l["address"], me.to_string());
        let n = wait_for(T, &format!("the other end heard on {ifname}"), || {
            find(log, "neighbor", |_| true).ok_or_else(|| pending(lines(log)))
        })?;
        assert_eq!(n["address"], them.to_string());
        assert_eq!(n["mac"], their_mac);
        assert_eq!(n["router_lifetime"], 0);
    }

    a.link_down("swp52")?;
    wait_for(T, "swp52 reported down", || {
        ra_a.check()?;
        find(&log_a, "down", |d| d["ifname"] == "swp52").ok_or_else(|| pending(lines(&log_a)))
    })?;
    a.link_up("swp52")?;
    wait_for(T, "swp52 ready again, the other end heard afresh", || {
        ra_a.check()?;
        (count(&log_a, "local") == 2 && count(&log_a, "neighbor") == 2)
            .then_some(())
            .ok_or_else(|| pending(lines(&log_a)))
    })?;
    for log in [&log_a, &log_b] {
        let c = lines(log)
            .into_iter()
            .rfind(|v| v["event"] == "counters")
            .unwrap_or_default();
        for k in [
            "dropped_hop_limit",
            "dropped_source",
            "malformed",
            "recv_errors",
        ] {
            assert_eq!(c[k], 0, "{k}: {c}");
        }
    }
    Ok(())
}
