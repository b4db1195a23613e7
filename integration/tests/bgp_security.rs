//! TCP MD5 (RFC 2385) and GTSM (RFC 5082) at the socket layer, against a
//! real FRR: the `tcp-probe` binary opens one BGP connection with the
//! speaker's own socket functions (`bgp::speaker::security`) from inside a
//! namespace, sends an OPEN and reports what FRR answered. The kernel's
//! own drop counters (`/proc/net/netstat`, `TcpExt`) show which check
//! dropped the segments when no handshake completes.
//!
//! MD5: the right key gets FRR's OPEN and KEEPALIVE back (IPv4, IPv6, and
//! IPv4 through an IPv6 socket); a missing or wrong key never completes
//! the handshake; a peer without a password works unsigned. Our listener
//! (an IPv6 socket, the IPv4 peer's key set through its mapped address)
//! accepts FRR's signed connection with the right key and drops it with a
//! wrong or no key.
//!
//! GTSM, over a chain us — r1 — r2 — frr (forwarding on r1 and r2):
//! FRR with `ttl-security hops 1` accepts our TTL-255 connection from the
//! directly connected r2 and drops our segments at TTL 64 (FRR checks on
//! the accepted socket only, so the handshake completes, its OPEN comes
//! back, and what we send after its accept() is dropped); FRR with hops 2
//! and 3, whose connecting sockets check our SYN-ACK, shows that our
//! listener sends with TTL 255; our connecting socket with
//! `ttl_security` (minimum TTL 254) drops FRR's SYN-ACK from two routers
//! away (TTL 253); our listener with `ttl_security` accepts FRR's
//! connection that crossed one router (r1, TTL 254), drops at the SYN the
//! one that crossed two (us, TTL 253), and accepts that one without the
//! minimum.

use std::collections::HashMap;
use std::path::Path;
use std::process::Child;
use std::time::Duration;

use integration::frr::config::PeerConfig;
use integration::frr::Frr;
use integration::link::{mac, veth};
use integration::{pending, wait_for, Netns};

const T: Duration = Duration::from_secs(30);
const OUR_AS: u32 = 65011;

fn probe_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_tcp-probe"))
}

/// Starts `tcp-probe ARGS…` in `ns`.
fn spawn_probe(ns: &Netns, args: &[&str]) -> Child {
    ns.command(probe_bin())
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("tcp-probe starts")
}

/// The line a probe printed.
fn result_of(child: Child, what: &str) -> String {
    let out = child.wait_with_output().expect("tcp-probe runs");
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        out.status.success() && !stdout.starts_with("error"),
        "{what}: tcp-probe failed: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{what}: {stdout}");
    stdout
}

fn probe(ns: &Netns, what: &str, args: &[&str]) -> String {
    result_of(spawn_probe(ns, args), what)
}

/// The namespace's `TcpExt` counters (`/proc/net/netstat` read from inside it).
fn tcp_ext(ns: &Netns) -> HashMap<String, u64> {
    let text = ns
        .exec("cat", ["/proc/net/netstat"])
        .expect("read /proc/net/netstat");
    let mut lines = text.lines().filter(|l| l.starts_with("TcpExt:"));
    let (Some(names), Some(values)) = (lines.next(), lines.next()) else {
        panic!("no TcpExt in /proc/net/netstat:\n{text}");
    };
    names
        .split_whitespace()
        .zip(values.split_whitespace())
        .skip(1)
        .filter_map(|(n, v)| Some((n.to_string(), v.parse().ok()?)))
        .collect()
}

fn counter(ns: &Netns, name: &str) -> u64 {
    tcp_ext(ns).get(name).copied().unwrap_or(0)
}

/// Waits until FRR runs and has its listener up.
fn wait_frr_listening(frr: &mut Frr, ns: &Netns) -> integration::Result<()> {
    wait_for(T, "FRR listening on port 179", || {
        frr.check()?;
        let ss = ns.exec("ss", ["-Htln", "sport = :179"])?;
        (!ss.trim().is_empty())
            .then_some(())
            .ok_or_else(|| pending(ss))
    })
}

#[test]
fn md5_against_frr() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let u = Netns::new("itsec-", "us")?;
    let f = Netns::new("itsec-", "frr")?;
    veth(&u, "eth0", &mac(0x0401), &f, "eth0", &mac(0x0402))?;
    for a in ["10.4.0.1/24", "10.4.0.3/24", "fd00:4::1/64"] {
        u.add_addr("eth0", a)?;
    }
    for a in ["10.4.0.2/24", "fd00:4::2/64"] {
        f.add_addr("eth0", a)?;
    }
    let mut frr = Frr::start(
        &f,
        &PeerConfig::new("frr", 65001, "10.4.0.2")
            .neighbor("10.4.0.1", OUR_AS)
            .neighbor("10.4.0.3", OUR_AS)
            .neighbor("fd00:4::1", OUR_AS)
            .bgp_line("neighbor 10.4.0.1 password secret")
            .bgp_line("neighbor fd00:4::1 password secret")
            .render(),
    )?;
    wait_frr_listening(&mut frr, &f)?;

    // connections from us to FRR
    let v4 = ["connect", "10.4.0.2:179", "--from", "10.4.0.1"];
    let v6 = ["connect", "[fd00:4::2]:179", "--from", "fd00:4::1"];
    let md5 = |base: &[&'static str], key: &'static str| {
        let mut v = base.to_vec();
        v.extend(["--md5", key]);
        v
    };
    let (not_found, failure) = (counter(&f, "TCPMD5NotFound"), counter(&f, "TCPMD5Failure"));
    // the ones that must not get through run side by side (each waits 3 s)
    let unsigned = spawn_probe(&u, &v4);
    let wrong = spawn_probe(&u, &md5(&v4, "wrong"));
    let wrong6 = spawn_probe(&u, &md5(&v6, "wrong"));
    let right = probe(&u, "IPv4, right key", &md5(&v4, "secret"));
    let right6 = probe(&u, "IPv6, right key", &md5(&v6, "secret"));
    let mapped = probe(
        &u,
        "IPv4 through an IPv6 socket, right key",
        &md5(
            &[
                "connect",
                "[::ffff:10.4.0.2]:179",
                "--from",
                "::ffff:10.4.0.1",
            ],
            "secret",
        ),
    );
    let control = probe(
        &u,
        "unsigned to a peer without password",
        &["connect", "10.4.0.2:179", "--from", "10.4.0.3"],
    );
    assert_eq!(right, "open keepalive");
    assert_eq!(right6, "open keepalive");
    assert_eq!(mapped, "open keepalive");
    assert_eq!(control, "open keepalive");
    assert_eq!(result_of(unsigned, "IPv4, no key"), "timeout");
    assert_eq!(result_of(wrong, "IPv4, wrong key"), "timeout");
    assert_eq!(result_of(wrong6, "IPv6, wrong key"), "timeout");
    // FRR's kernel dropped them: unsigned segments from a keyed peer, and
    // segments with a bad signature
    let (nf, fl) = (counter(&f, "TCPMD5NotFound"), counter(&f, "TCPMD5Failure"));
    eprintln!("FRR's kernel: TCPMD5NotFound {not_found} -> {nf}, TCPMD5Failure {failure} -> {fl}");
    assert!(nf > not_found, "no TCPMD5NotFound drop at FRR");
    assert!(fl >= failure + 2, "fewer than 2 TCPMD5Failure drops at FRR");

    // FRR connecting to our listener (IPv6 socket bound to the IPv4-mapped
    // address: the key for 10.4.0.2 goes in through ::ffff:10.4.0.2)
    let listen = ["listen", "[::ffff:10.4.0.1]:179", "--peer", "10.4.0.2"];
    let mut args = md5(&listen, "secret");
    args.extend(["--timeout-ms", "20000"]);
    assert_eq!(
        probe(&u, "our listener, right key", &args),
        "open keepalive"
    );
    let (unexpected, failure) = (
        counter(&u, "TCPMD5Unexpected"),
        counter(&u, "TCPMD5Failure"),
    );
    let mut args = md5(&listen, "wrong");
    args.extend(["--timeout-ms", "5000"]);
    assert_eq!(probe(&u, "our listener, wrong key", &args), "timeout");
    let mut args = listen.to_vec();
    args.extend(["--timeout-ms", "5000"]);
    assert_eq!(probe(&u, "our listener, no key", &args), "timeout");
    let (un, fl) = (
        counter(&u, "TCPMD5Unexpected"),
        counter(&u, "TCPMD5Failure"),
    );
    eprintln!("our kernel: TCPMD5Unexpected {unexpected} -> {un}, TCPMD5Failure {failure} -> {fl}");
    assert!(fl > failure, "our kernel counted no TCPMD5Failure");
    assert!(un > unexpected, "our kernel counted no TCPMD5Unexpected");
    frr.check()
}

#[test]
fn gtsm_against_frr() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let u = Netns::new("itsec-", "us")?;
    let r1 = Netns::new("itsec-", "r1")?;
    let r2 = Netns::new("itsec-", "r2")?;
    let f = Netns::new("itsec-", "frr")?;
    veth(&u, "eth0", &mac(0x0501), &r1, "eth0", &mac(0x0502))?;
    veth(&r1, "eth1", &mac(0x0503), &r2, "eth0", &mac(0x0504))?;
    veth(&r2, "eth1", &mac(0x0505), &f, "eth0", &mac(0x0506))?;
    u.add_addr("eth0", "10.5.1.1/30")?;
    r1.add_addr("eth0", "10.5.1.2/30")?;
    r1.add_addr("eth1", "10.5.2.1/30")?;
    r2.add_addr("eth0", "10.5.2.2/30")?;
    r2.add_addr("eth1", "10.5.3.1/30")?;
    f.add_addr("eth0", "10.5.3.2/30")?;
    r1.enable_forwarding()?;
    r2.enable_forwarding()?;
    u.ip(["route", "add", "default", "via", "10.5.1.2"])?;
    r1.ip(["route", "add", "10.5.3.0/30", "via", "10.5.2.2"])?;
    r2.ip(["route", "add", "10.5.1.0/30", "via", "10.5.2.1"])?;
    // not a default route: FRR's next-hop tracking ignores those
    f.ip(["route", "add", "10.5.0.0/16", "via", "10.5.3.1"])?;

    // FRR's minimum TTL per neighbour is 256 - hops: 255 for r2 (directly
    // connected), 254 for r1, 253 for us, so each side's own check decides
    let mut frr = Frr::start(
        &f,
        &PeerConfig::new("frr", 65001, "10.5.3.2")
            .neighbor("10.5.3.1", OUR_AS)
            .neighbor("10.5.2.1", OUR_AS)
            .neighbor("10.5.1.1", OUR_AS)
            .bgp_line("neighbor 10.5.3.1 ttl-security hops 1")
            .bgp_line("neighbor 10.5.2.1 ttl-security hops 2")
            .bgp_line("neighbor 10.5.1.1 ttl-security hops 3")
            .render(),
    )?;
    wait_frr_listening(&mut frr, &f)?;

    // FRR's check of our outgoing TTL, from the directly connected r2
    let gtsm = probe(
        &r2,
        "to FRR (hops 1) with TTL 255",
        &[
            "connect",
            "10.5.3.2:179",
            "--from",
            "10.5.3.1",
            "--ttl-security",
        ],
    );
    assert_eq!(gtsm, "open keepalive");
    // at TTL 64: FRR's listener has no minimum, so the handshake completes
    // and FRR sends its OPEN; FRR sets IP_MINTTL (255) on the accepted
    // socket only after accept(), so what we send from then on is dropped
    // (usually our OPEN already; under load our OPEN sometimes gets in
    // first and the session even progresses: a race in FRR's approach)
    let drops = counter(&f, "TCPMinTTLDrop");
    let plain = probe(
        &r2,
        "to FRR (hops 1) with TTL 64",
        &["connect", "10.5.3.2:179", "--from", "10.5.3.1"],
    );
    assert!(plain.starts_with("open"), "{plain}");
    let after = wait_for(T, "FRR's kernel dropping our TTL-64 segments", || {
        let n = counter(&f, "TCPMinTTLDrop");
        (n > drops).then_some(n).ok_or_else(|| pending(n))
    })?;
    eprintln!("FRR's kernel: TCPMinTTLDrop {drops} -> {after}");

    // our check on a connecting socket: FRR's SYN-ACK from two routers
    // away arrives with TTL 253 and is dropped (FRR, hops 3, would take ours)
    let drops = counter(&u, "TCPMinTTLDrop");
    assert_eq!(
        probe(
            &u,
            "to FRR (hops 3) across two routers",
            &["connect", "10.5.3.2:179", "--ttl-security"],
        ),
        "timeout"
    );
    let after = counter(&u, "TCPMinTTLDrop");
    eprintln!("our kernel (connect): TCPMinTTLDrop {drops} -> {after}");
    assert!(after > drops, "our kernel counted no TCPMinTTLDrop");

    // our check: FRR directly connected (TTL 255) is accepted …
    assert_eq!(
        probe(
            &r2,
            "our listener, FRR directly connected",
            &[
                "listen",
                "10.5.3.1:179",
                "--peer",
                "10.5.3.2",
                "--ttl-security",
                "--timeout-ms",
                "20000"
            ],
        ),
        "open keepalive"
    );
    // … one router away (TTL 254) it is dropped at the SYN …
    let drops = counter(&r1, "TCPMinTTLDrop");
    assert_eq!(
        probe(
            &r1,
            "our listener, FRR one router away",
            &[
                "listen",
                "10.5.2.1:179",
                "--peer",
                "10.5.3.2",
                "--ttl-security",
                "--timeout-ms",
                "5000"
            ],
        ),
        "timeout"
    );
    assert!(
        counter(&r1, "TCPMinTTLDrop") > drops,
        "r1's kernel counted no TCPMinTTLDrop"
    );
    // … across two (TTL 253) it is dropped at the SYN
    let drops = counter(&u, "TCPMinTTLDrop");
    assert_eq!(
        probe(
            &u,
            "our listener, FRR two routers away",
            &[
                "listen",
                "10.5.1.1:179",
                "--peer",
                "10.5.3.2",
                "--ttl-security",
                "--timeout-ms",
                "5000"
            ],
        ),
        "timeout"
    );
    let after = counter(&u, "TCPMinTTLDrop");
    eprintln!("our kernel (listen): TCPMinTTLDrop {drops} -> {after}");
    assert!(after > drops, "our kernel counted no TCPMinTTLDrop");
    // and without ttl_security the same listener takes it (FRR's SYN-ACK
    // check needs our TTL 255: hops 3 means at least 253)
    assert_eq!(
        probe(
            &u,
            "our listener without GTSM, FRR two routers away",
            &[
                "listen",
                "10.5.1.1:179",
                "--peer",
                "10.5.3.2",
                "--ttl-255",
                "--timeout-ms",
                "20000"
            ],
        ),
        "open keepalive"
    );
    frr.check()
}
