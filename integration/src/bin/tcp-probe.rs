//! `tcp-probe`: one BGP TCP connection with or without TCP MD5 and GTSM,
//! made with the speaker's own socket functions
//! (`bgp::speaker::security`), to test them against a real peer. Run it
//! inside a namespace (`ip netns exec NS tcp-probe …`).
//!
//! ```text
//! tcp-probe connect ADDR:PORT [--from IP] [OPTIONS]
//! tcp-probe listen ADDR:PORT --peer IP [OPTIONS]
//!   --md5 KEY  --ttl-security  --timeout-ms N (default 3000)
//!   --ttl-255 (send with TTL 255 but check nothing: GTSM's send half)
//!   --asn N (65011)  --router-id A.B.C.D (10.0.0.11)
//! ```
//!
//! It sends a minimal OPEN once connected and prints one line:
//! `open` (the peer's OPEN arrived, then nothing in time) or
//! `open keepalive` (its KEEPALIVE followed ours: the session progresses),
//! `open closed`, `open reset`, `[open ]notification C/S`, `closed` or
//! `reset` (established, but the peer closed or reset it before its OPEN),
//! `silent` (established, nothing within the time), `timeout` (no TCP
//! handshake completed in time), `refused` or `error MESSAGE`. The exit
//! status is 0 whenever a result was printed, 2 for bad arguments. A
//! listener ignores other sources and accepts again after `closed` or
//! `reset` while time is left.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use bgp::speaker::security::{
    connect_secured, listen_secured, secure_accepted, set_listener_gtsm, ListenerGtsm, Md5Key,
    PeerSecurity,
};
use bgp::wire::{Capability, Family, Message, Open, WireContext};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

#[derive(Debug)]
struct Args {
    listen: bool,
    addr: SocketAddr,
    from: Option<IpAddr>,
    peer: Option<IpAddr>,
    sec: PeerSecurity,
    ttl_255: bool,
    timeout: Duration,
    asn: u32,
    router_id: Ipv4Addr,
}

fn parse() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let listen = match it.next().as_deref() {
        Some("connect") => false,
        Some("listen") => true,
        other => return Err(format!("expected connect or listen, got {other:?}")),
    };
    let addr = it
        .next()
        .ok_or("missing ADDR:PORT")?
        .parse()
        .map_err(|e| format!("ADDR:PORT: {e}"))?;
    let mut a = Args {
        listen,
        addr,
        from: None,
        peer: None,
        sec: PeerSecurity::default(),
        ttl_255: false,
        timeout: Duration::from_millis(3000),
        asn: 65011,
        router_id: Ipv4Addr::new(10, 0, 0, 11),
    };
    while let Some(flag) = it.next() {
        if flag == "--ttl-security" {
            a.sec.ttl_security = true;
            continue;
        }
        if flag == "--ttl-255" {
            a.ttl_255 = true;
            continue;
        }
        let v = it.next().ok_or(format!("{flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {v}: {e}");
        match flag.as_str() {
            "--from" => a.from = Some(v.parse().map_err(|e| bad(&e))?),
            "--peer" => a.peer = Some(v.parse().map_err(|e| bad(&e))?),
            "--md5" => a.sec.md5 = Some(Md5Key::new(v.as_bytes()).map_err(|e| bad(&e))?),
            "--timeout-ms" => a.timeout = Duration::from_millis(v.parse().map_err(|e| bad(&e))?),
            "--asn" => a.asn = v.parse().map_err(|e| bad(&e))?,
            "--router-id" => a.router_id = v.parse().map_err(|e| bad(&e))?,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if a.listen && a.peer.is_none() {
        return Err("listen needs --peer IP".into());
    }
    Ok(a)
}

/// Sends our OPEN (IPv4 and IPv6 unicast, 4-octet AS, hold time 9),
/// answers the peer's OPEN with a KEEPALIVE, and reports how far it got.
async fn talk(mut s: TcpStream, a: &Args, deadline: Instant) -> String {
    let ctx = WireContext::modern();
    let open = Message::Open(Open::new(
        a.asn,
        9,
        a.router_id,
        vec![
            Capability::Multiprotocol(Family::IPV4_UNICAST),
            Capability::Multiprotocol(Family::IPV6_UNICAST),
            Capability::FourOctetAs(a.asn),
        ],
    ));
    let bytes = open.to_bytes(&ctx).expect("a minimal OPEN always encodes");
    if let Err(e) = s.write_all(&bytes).await {
        return format!("error sending OPEN: {e}");
    }
    let mut buf = Vec::new();
    let mut got_open = false;
    loop {
        while let Ok(Some((m, n))) = Message::decode(&buf, &ctx) {
            buf.drain(..n);
            match m {
                Message::Open(_) if !got_open => {
                    got_open = true;
                    let ka = Message::Keepalive
                        .to_bytes(&ctx)
                        .expect("KEEPALIVE encodes");
                    let _ = s.write_all(&ka).await;
                }
                Message::Keepalive if got_open => return "open keepalive".into(),
                Message::Notification(n) => {
                    let before = if got_open { "open " } else { "" };
                    return format!("{before}notification {}/{}", n.code, n.subcode);
                }
                _ => {}
            }
        }
        let mut chunk = [0u8; 4096];
        match tokio::time::timeout_at(deadline, s.read(&mut chunk)).await {
            Ok(Ok(0)) if got_open => return "open closed".into(),
            Ok(Err(_)) if got_open => return "open reset".into(),
            Err(_) if got_open => return "open".into(),
            Ok(Ok(0)) => return "closed".into(),
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionReset => return "reset".into(),
            Ok(Err(e)) => return format!("error reading: {e}"),
            Err(_) => return "silent".into(),
        }
    }
}

async fn run(a: Args) -> String {
    let deadline = Instant::now() + a.timeout;
    if a.listen {
        return listen(&a, deadline).await;
    }
    if a.ttl_255 {
        return "error: --ttl-255 is for listen".into();
    }
    let stream = match connect_secured(a.addr, a.from, a.timeout, &a.sec).await {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return "timeout".into(),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => return "refused".into(),
        Err(e) => return format!("error connecting: {e}"),
    };
    // the rest of the time, at least 2 s, for the BGP exchange
    talk(
        stream,
        &a,
        deadline.max(Instant::now() + Duration::from_secs(2)),
    )
    .await
}

/// Accepts the peer's connections until one gets as far as its OPEN (the
/// peer may drop an attempt before that, e.g. when its connect timer
/// fires at the same moment) or the time is up.
async fn listen(a: &Args, deadline: Instant) -> String {
    let peer = a.peer.expect("checked in parse");
    let l = match listen_secured(a.addr, &[(peer, a.sec.clone())]) {
        Ok(l) => l,
        Err(e) => return format!("error listening: {e}"),
    };
    if a.ttl_255 {
        if let Err(e) = set_listener_gtsm(&l, ListenerGtsm::SendOnly) {
            return format!("error setting TTL 255: {e}");
        }
    }
    let mut last = "timeout".to_string();
    loop {
        let s = match tokio::time::timeout_at(deadline, l.accept()).await {
            Err(_) => return last,
            Ok(Err(e)) => return format!("error accepting: {e}"),
            Ok(Ok((_, from))) if from.ip().to_canonical() != peer => {
                eprintln!("tcp-probe: ignoring a connection from {from}");
                continue;
            }
            Ok(Ok((s, _))) => s,
        };
        if !a.ttl_255 {
            if let Err(e) = secure_accepted(&s, &a.sec) {
                return format!("error securing: {e}");
            }
        }
        let r = talk(s, a, deadline.max(Instant::now() + Duration::from_secs(2))).await;
        if !matches!(r.as_str(), "reset" | "closed") || Instant::now() >= deadline {
            return r;
        }
        eprintln!("tcp-probe: attempt ended before an OPEN ({r}); accepting again");
        last = r;
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let a = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("tcp-probe: {e}");
            return ExitCode::from(2);
        }
    };
    println!("{}", run(a).await);
    ExitCode::SUCCESS
}
