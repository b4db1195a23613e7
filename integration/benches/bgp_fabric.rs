//! Fabric benchmark of our BGP speaker next to FRR, BIRD and GoBGP, in one
//! run, with ratios to ours (a ratio above 1 means the other one took longer):
//!
//! (a) sending: how long until a fresh FRR receiver holds N /32s (default
//!     100,000) that a sender advertises — our speaker (`announce`), BIRD
//!     (a disabled static protocol with N routes, enabled), GoBGP (an MRT
//!     file through `gobgp mrt inject`) and FRR (`ip -batch` blackholes and
//!     `redistribute kernel`). The session is established first; the clock
//!     starts when the announcing starts and stops when the receiver's BGP
//!     RIB count (`show bgp summary json`, polled every 50 ms) reaches N.
//! (b) receiving: how long until a receiver — ours, BIRD, GoBGP — holds N
//!     routes from an FRR sender that has them in its RIB already, over an
//!     established session whose outbound route-map denies everything: the
//!     clock starts when the route-map is removed (and `clear … soft out`
//!     issued) and stops when ours answers `wait-learned N`
//!     (no polling), or when BIRD's `show route count` / GoBGP's
//!     `global rib summary` (polled every 50 ms) reaches N.
//!
//! Before the clock starts, the FRR on the other side is let settle (idle
//! CPU). Each row has the CPU seconds used during the measurement and the peak
//! RSS of the sender and the receiver process. Needs root; a measurement,
//! not a test.
//!
//!   cargo bench -p integration --bench bgp_fabric        # BGP_FABRIC_ROUTES=N to change N

use std::path::Path;
use std::time::{Duration, Instant};

use integration::bird::config::BirdConfig;
use integration::bird::Bird;
use integration::frr::config::{PeerConfig, Redistribute};
use integration::frr::Frr;
use integration::gobgp::config::GobgpConfig;
use integration::gobgp::{Gobgp, DEFAULT_API_PORT};
use integration::link::{mac, veth};
use integration::procstat::{self, ProcUsage};
use integration::route::ipv4_hosts;
use integration::speaker::SpeakerProc;
use integration::{pending, wait_for, Afi, Netns, Result};

const LIMIT: Duration = Duration::from_secs(300);
const POLL: Duration = Duration::from_millis(50);
const SENDER_AS: u32 = 65200;
const RECEIVER_AS: u32 = 65100;
const SENDER: &str = "10.7.0.1";
const RECEIVER: &str = "10.7.0.2";

/// One measured implementation.
struct Row {
    name: &'static str,
    took: Duration,
    sender: Res,
    receiver: Res,
}

/// CPU used during the measurement and peak RSS at its end, of one or more processes.
#[derive(Default, Clone, Copy)]
struct Res {
    cpu: Duration,
    peak_rss: u64,
}

/// Samples processes before and after a measurement.
struct Sampler(Vec<(u32, ProcUsage)>);

impl Sampler {
    fn start(pids: &[u32]) -> Sampler {
        Sampler(
            pids.iter()
                .filter_map(|&p| procstat::usage(p).ok().map(|u| (p, u)))
                .collect(),
        )
    }

    fn finish(&self) -> Res {
        let mut r = Res::default();
        for (pid, before) in &self.0 {
            if let Ok(after) = procstat::usage(*pid) {
                r.cpu += after.cpu().saturating_sub(before.cpu());
                r.peak_rss += after.peak_rss;
            }
        }
        r
    }
}

/// Waits (up to 30 s) until `pids` use less than 20 ms of CPU in 500 ms:
/// a daemon still digesting its start or its preload must not steal the
/// measurement's time.
fn settle(pids: &[u32]) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let s = Sampler::start(pids);
        std::thread::sleep(Duration::from_millis(500));
        if s.finish().cpu < Duration::from_millis(20) {
            return;
        }
    }
}

fn speaker_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_bgp-speaker"))
}

fn pair(tag: &str) -> Result<(Netns, Netns)> {
    let s = Netns::new("itbf-", &format!("{tag}-snd"))?;
    let r = Netns::new("itbf-", &format!("{tag}-rcv"))?;
    veth(&s, "eth0", &mac(0x0701), &r, "eth0", &mac(0x0702))?;
    s.add_addr("eth0", &format!("{SENDER}/30"))?;
    r.add_addr("eth0", &format!("{RECEIVER}/30"))?;
    Ok((s, r))
}

fn frr_pids(frr: &Frr) -> Vec<u32> {
    [frr.bgpd(), frr.zebra()]
        .into_iter()
        .flatten()
        .map(|d| d.pid())
        .collect()
}

fn wait_frr_session(frr: &Frr, peer: &str) -> Result<()> {
    wait_for(LIMIT, &format!("FRR's session to {peer}"), || {
        let n = frr.neighbor(peer)?;
        n.clone()
            .filter(|n| n.is_established())
            .map(drop)
            .ok_or_else(|| pending(n))
    })
}

/// Polls `count` every [`POLL`] until it reaches `n`; the time since `start`.
fn until_count(
    start: Instant,
    n: u64,
    what: &str,
    mut count: impl FnMut() -> Result<u64>,
) -> Result<Duration> {
    let mut last = 0;
    while start.elapsed() < LIMIT {
        if let Ok(c) = count() {
            last = c;
            if c >= n {
                return Ok(start.elapsed());
            }
        }
        std::thread::sleep(POLL);
    }
    Err(integration::Error::Timeout {
        what: what.into(),
        timeout: LIMIT,
        last: last.to_string(),
    })
}

// ---------------------------------------------------------------- (a) sending

/// A fresh FRR receiver in `r` peering with the sender.
fn frr_receiver(r: &Netns) -> Result<Frr> {
    Frr::start(
        r,
        &PeerConfig::new("rcv", RECEIVER_AS, RECEIVER)
            .neighbor(SENDER, SENDER_AS)
            .render(),
    )
}

fn receiver_count(frr: &Frr) -> Result<u64> {
    frr.bgp_prefix_count(Afi::Ipv4)
}

fn send_ours(n: u32) -> Result<Row> {
    let (s, r) = pair("a-ours")?;
    let rcv = frr_receiver(&r)?;
    let mut us = SpeakerProc::start(
        &s,
        speaker_bin(),
        &[
            "--asn",
            &SENDER_AS.to_string(),
            "--router-id",
            SENDER,
            "--peer",
            &format!("{RECEIVER},remote-as={RECEIVER_AS}"),
        ],
    )?;
    wait_frr_session(&rcv, SENDER)?;
    settle(&frr_pids(&rcv));
    let snd_s = Sampler::start(&[us.pid()]);
    let rcv_s = Sampler::start(&frr_pids(&rcv));
    let start = Instant::now();
    us.command(&format!("announce 10.100.0.0/32 {n}"))?;
    let took = until_count(start, n.into(), "FRR to receive ours", || {
        receiver_count(&rcv)
    })?;
    Ok(Row {
        name: "neighd bgp (ours)",
        took,
        sender: snd_s.finish(),
        receiver: rcv_s.finish(),
    })
}

fn send_bird(n: u32, prefixes: &[String]) -> Result<Row> {
    let (s, r) = pair("a-bird")?;
    let rcv = frr_receiver(&r)?;
    let conf = BirdConfig::new(SENDER, SENDER_AS)
        .neighbor("rcv", RECEIVER, RECEIVER_AS)
        .static_routes(prefixes)
        .render()
        .replacen(
            "protocol static static4 {",
            "protocol static static4 {\n  disabled;",
            1,
        );
    let bird = Bird::start(&s, &conf)?;
    wait_frr_session(&rcv, SENDER)?;
    settle(&frr_pids(&rcv));
    let pid = bird.daemon().map_or(0, |d| d.pid());
    let snd_s = Sampler::start(&[pid]);
    let rcv_s = Sampler::start(&frr_pids(&rcv));
    let start = Instant::now();
    bird.birdc(&["enable", "static4"])?;
    let took = until_count(start, n.into(), "FRR to receive BIRD's", || {
        receiver_count(&rcv)
    })?;
    Ok(Row {
        name: "BIRD 2.0.12",
        took,
        sender: snd_s.finish(),
        receiver: rcv_s.finish(),
    })
}

fn send_gobgp(n: u32, prefixes: &[String]) -> Result<Row> {
    let (s, r) = pair("a-gobgp")?;
    let rcv = frr_receiver(&r)?;
    let gobgp = Gobgp::start(
        &s,
        &GobgpConfig::new(SENDER_AS, SENDER)
            .neighbor(RECEIVER, RECEIVER_AS)
            .render(),
        DEFAULT_API_PORT,
    )?;
    wait_frr_session(&rcv, SENDER)?;
    settle(&frr_pids(&rcv));
    let pid = gobgp.daemon().map_or(0, |d| d.pid());
    let snd_s = Sampler::start(&[pid]);
    let rcv_s = Sampler::start(&frr_pids(&rcv));
    let start = Instant::now();
    gobgp.inject_routes(
        prefixes,
        SENDER.parse().expect("an address"),
        "::1".parse().expect("an address"),
        &[],
    )?;
    let took = until_count(start, n.into(), "FRR to receive GoBGP's", || {
        receiver_count(&rcv)
    })?;
    Ok(Row {
        name: "GoBGP 3.10",
        took,
        sender: snd_s.finish(),
        receiver: rcv_s.finish(),
    })
}

fn send_frr(n: u32, prefixes: &[String]) -> Result<Row> {
    let (s, r) = pair("a-frr")?;
    let rcv = frr_receiver(&r)?;
    let snd = Frr::start(
        &s,
        &PeerConfig::new("snd", SENDER_AS, SENDER)
            .neighbor(RECEIVER, RECEIVER_AS)
            .redistribute(Redistribute::Kernel)
            .render(),
    )?;
    wait_frr_session(&rcv, SENDER)?;
    settle(&frr_pids(&rcv));
    wait_frr_session(&snd, RECEIVER)?;
    settle(&frr_pids(&snd));
    let snd_s = Sampler::start(&frr_pids(&snd));
    let rcv_s = Sampler::start(&frr_pids(&rcv));
    let start = Instant::now();
    s.add_blackholes(prefixes)?;
    let took = until_count(start, n.into(), "FRR to receive FRR's", || {
        receiver_count(&rcv)
    })?;
    Ok(Row {
        name: "FRR 8.4.4",
        took,
        sender: snd_s.finish(),
        receiver: rcv_s.finish(),
    })
}

// -------------------------------------------------------------- (b) receiving

/// An FRR sender in `s` holding every prefix in its BGP RIB, its session
/// to the receiver held down until [`open_sender`] releases it.
fn frr_sender(s: &Netns, prefixes: &[String]) -> Result<Frr> {
    let frr = Frr::start(
        s,
        &PeerConfig::new("snd", SENDER_AS, SENDER)
            .neighbor(RECEIVER, RECEIVER_AS)
            .bgp_line(&format!("neighbor {RECEIVER} shutdown"))
            .bgp_line("coalesce-time 0")
            .redistribute(Redistribute::Kernel)
            .render(),
    )?;
    // everything to the receiver is filtered until the clock starts
    frr.configure(&[
        "route-map BLOCK deny 10",
        "exit",
        &format!("router bgp {SENDER_AS}"),
        "address-family ipv4 unicast",
        &format!("neighbor {RECEIVER} route-map BLOCK out"),
    ])?;
    s.add_blackholes(prefixes)?;
    let n = prefixes.len() as u64;
    wait_for(LIMIT, "the FRR sender's BGP RIB to hold them all", || {
        let c = frr.bgp_prefix_count(Afi::Ipv4)?;
        (c >= n).then_some(()).ok_or_else(|| pending(c))
    })?;
    frr.configure(&[
        &format!("router bgp {SENDER_AS}"),
        &format!("no neighbor {RECEIVER} shutdown"),
    ])?;
    Ok(frr)
}

/// Lifts the filter: FRR sends its whole table (the clock runs from here).
fn open_sender(frr: &Frr) -> Result<Instant> {
    let start = Instant::now();
    frr.configure(&[
        &format!("router bgp {SENDER_AS}"),
        "address-family ipv4 unicast",
        &format!("no neighbor {RECEIVER} route-map BLOCK out"),
    ])?;
    frr.vtysh(&[&format!("clear bgp ipv4 unicast {RECEIVER} soft out")])?;
    Ok(start)
}

/// Times one receiver: waits for the FRR sender's session, lets the sender
/// go idle, lifts its filter and runs `wait` (given the start) until the
/// receiver holds everything; samples both sides meanwhile.
fn time_reception(
    name: &'static str,
    snd: &Frr,
    receiver: &[u32],
    wait: impl FnOnce(Instant) -> Result<Duration>,
) -> Result<Row> {
    wait_frr_session(snd, RECEIVER)?;
    settle(&frr_pids(snd));
    let snd_s = Sampler::start(&frr_pids(snd));
    let rcv_s = Sampler::start(receiver);
    let start = open_sender(snd)?;
    let took = wait(start)?;
    Ok(Row {
        name,
        took,
        sender: snd_s.finish(),
        receiver: rcv_s.finish(),
    })
}

fn recv_ours(n: u32, prefixes: &[String]) -> Result<Row> {
    let (s, r) = pair("b-ours")?;
    let snd = frr_sender(&s, prefixes)?;
    let mut us = SpeakerProc::start(
        &r,
        speaker_bin(),
        &[
            "--asn",
            &RECEIVER_AS.to_string(),
            "--router-id",
            RECEIVER,
            "--peer",
            &format!("{SENDER},remote-as={SENDER_AS}"),
        ],
    )?;
    us.route_counts()?; // it answers: it is up
    let pid = us.pid();
    time_reception("neighd bgp (ours)", &snd, &[pid], |start| {
        us.wait_learned(n.into(), LIMIT)?;
        Ok(start.elapsed())
    })
}

fn recv_bird(n: u32, prefixes: &[String]) -> Result<Row> {
    let (s, r) = pair("b-bird")?;
    let snd = frr_sender(&s, prefixes)?;
    let bird = Bird::start(
        &r,
        &BirdConfig::new(RECEIVER, RECEIVER_AS)
            .neighbor("snd", SENDER, SENDER_AS)
            .render(),
    )?;
    let pid = bird.daemon().map_or(0, |d| d.pid());
    time_reception("BIRD 2.0.12", &snd, &[pid], |start| {
        until_count(start, n.into(), "BIRD to receive FRR's", || {
            bird.table_routes("master4")
        })
    })
}

fn recv_gobgp(n: u32, prefixes: &[String]) -> Result<Row> {
    let (s, r) = pair("b-gobgp")?;
    let snd = frr_sender(&s, prefixes)?;
    let gobgp = Gobgp::start(
        &r,
        &GobgpConfig::new(RECEIVER_AS, RECEIVER)
            .neighbor(SENDER, SENDER_AS)
            .render(),
        DEFAULT_API_PORT,
    )?;
    let pid = gobgp.daemon().map_or(0, |d| d.pid());
    time_reception("GoBGP 3.10", &snd, &[pid], |start| {
        until_count(start, n.into(), "GoBGP to receive FRR's", || {
            gobgp.rib_count(Afi::Ipv4)
        })
    })
}

// -------------------------------------------------------------------- output

fn table(title: &str, sender: &str, receiver: &str, rows: &[Row]) {
    println!("\n{title}");
    println!(
        "{:<20} {:>9} {:>11}  {:>12} {:>14}  {:>12} {:>14}",
        "implementation",
        "time s",
        "vs ours",
        format!("{sender} cpu s"),
        format!("{sender} peak MiB"),
        format!("{receiver} cpu s"),
        format!("{receiver} peak MiB"),
    );
    let ours = rows
        .iter()
        .find(|r| r.name.contains("ours"))
        .map(|r| r.took);
    for r in rows {
        let ratio = ours.map_or("-".to_string(), |o| {
            format!("{:.2}x", r.took.as_secs_f64() / o.as_secs_f64())
        });
        println!(
            "{:<20} {:>9.2} {:>11}  {:>12.2} {:>14.1}  {:>12.2} {:>14.1}",
            r.name,
            r.took.as_secs_f64(),
            ratio,
            r.sender.cpu.as_secs_f64(),
            r.sender.peak_rss as f64 / 1048576.0,
            r.receiver.cpu.as_secs_f64(),
            r.receiver.peak_rss as f64 / 1048576.0,
        );
    }
}

fn run<F: FnOnce() -> Result<Row>>(rows: &mut Vec<Row>, what: &str, f: F) {
    eprintln!("bgp_fabric: {what} …");
    match f() {
        Ok(r) => rows.push(r),
        Err(e) => eprintln!("bgp_fabric: {what} failed: {e}"),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    if !integration::can_run() {
        return;
    }
    let n: u32 = std::env::var("BGP_FABRIC_ROUTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let only = std::env::var("BGP_FABRIC_ONLY").unwrap_or_default();
    let prefixes = ipv4_hosts("10.100.0.0".parse().expect("an address"), n).expect("in range");

    if only.is_empty() || only == "a" {
        let mut a = Vec::new();
        run(&mut a, "(a) ours sending", || send_ours(n));
        run(&mut a, "(a) BIRD sending", || send_bird(n, &prefixes));
        run(&mut a, "(a) GoBGP sending", || send_gobgp(n, &prefixes));
        run(&mut a, "(a) FRR sending", || send_frr(n, &prefixes));
        table(
            &format!("(a) {n} IPv4 /32s from the sender until a fresh FRR 8.4.4 receiver's BGP RIB holds them (session up first); sender/receiver cpu over the measurement (FRR: bgpd+zebra)"),
            "sender",
            "FRR rcv",
            &a,
        );
    }
    if only.is_empty() || only == "b" {
        let mut b = Vec::new();
        run(&mut b, "(b) ours receiving", || recv_ours(n, &prefixes));
        run(&mut b, "(b) BIRD receiving", || recv_bird(n, &prefixes));
        run(&mut b, "(b) GoBGP receiving", || recv_gobgp(n, &prefixes));
        table(
            &format!("(b) {n} IPv4 /32s from an FRR 8.4.4 sender (RIB preloaded, session up, filtered) from lifting the filter until the receiver holds them; sender cpu is bgpd+zebra"),
            "FRR snd",
            "receiver",
            &b,
        );
    }
}
