//! `ra-announce [--interval SECS] [--lifetime SECS] [--accept-bgp] IFNAME…`:
//! runs `bgp::unnumbered::RaDriver` on the given interfaces (of the network
//! namespace it runs in: start it with `ip netns exec`) and prints one JSON
//! object per line on stdout:
//!
//! - `{"event":"local","ifname":…,"ifindex":…,"address":…,"mac":…}`
//! - `{"event":"neighbor","ifname":…,"ifindex":…,"address":…,"mac":…,"router_lifetime":SECS}`
//! - `{"event":"down","ifname":…}`
//! - `{"event":"counters",…}` whenever the packet counters changed (checked every second)
//! - with `--accept-bgp`: `{"event":"bgp_connection","peer":…,"local":…}` for
//!   each TCP connection accepted on port 179 (held open, nothing sent), to
//!   observe a BGP peer connecting to our link-local address.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use bgp::unnumbered::{Counters, Event, RaConfig, RaDriver};
use serde_json::{json, Value};

fn mac(m: Option<[u8; 6]>) -> Value {
    m.map_or(Value::Null, |m| {
        Value::String(
            m.iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(":"),
        )
    })
}

fn print(v: Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{v}");
    let _ = out.flush();
}

fn counters(c: &Counters) -> Value {
    json!({
        "event": "counters",
        "ra_sent": c.ra_sent, "rs_sent": c.rs_sent,
        "ra_received": c.ra_received, "rs_received": c.rs_received,
        "dropped_hop_limit": c.dropped_hop_limit, "dropped_source": c.dropped_source,
        "malformed": c.malformed, "send_errors": c.send_errors, "recv_errors": c.recv_errors,
    })
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("ra-announce: {msg}\nusage: ra-announce [--interval SECS] [--lifetime SECS] [--accept-bgp] IFNAME…");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut config = RaConfig::default();
    let mut accept_bgp = false;
    let mut interfaces = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--interval" => match args.next().and_then(|v| v.parse::<f64>().ok()) {
                Some(s) if s.is_finite() && s > 0.0 => config.interval = Duration::from_secs_f64(s),
                _ => return usage("--interval needs a number of seconds"),
            },
            "--lifetime" => match args.next().and_then(|v| v.parse().ok()) {
                Some(s) => config.router_lifetime = s,
                None => return usage("--lifetime needs seconds (0-65535)"),
            },
            "--accept-bgp" => accept_bgp = true,
            "-h" | "--help" => return usage("help"),
            _ if a.starts_with('-') => return usage(&format!("unknown option {a}")),
            _ => interfaces.push(a),
        }
    }
    if interfaces.is_empty() {
        return usage("no interface given");
    }
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ra-announce: tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(config, interfaces, accept_bgp)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ra-announce: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(
    config: RaConfig,
    interfaces: Vec<String>,
    accept_bgp: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    if accept_bgp {
        let l = tokio::net::TcpListener::bind("[::]:179").await?;
        tokio::spawn(async move {
            while let Ok((mut conn, peer)) = l.accept().await {
                let local = conn.local_addr().map(|a| a.to_string()).unwrap_or_default();
                print(json!({"event": "bgp_connection", "peer": peer.to_string(), "local": local}));
                tokio::spawn(async move {
                    // hold it open until the peer gives up; read and discard
                    let mut sink = tokio::io::sink();
                    let _ = tokio::io::copy(&mut conn, &mut sink).await;
                });
            }
        });
    }
    let (driver, mut events) = RaDriver::start(config)?;
    for i in &interfaces {
        driver.add_interface(i)?;
    }
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut last = Counters::default();
    loop {
        tokio::select! {
            e = events.recv() => {
                let v = match e {
                    Some(Event::Local(l)) => json!({
                        "event": "local", "ifname": l.ifname.as_str(), "ifindex": l.ifindex,
                        "address": l.address.to_string(), "mac": mac(l.mac),
                    }),
                    Some(Event::Neighbor(n)) => json!({
                        "event": "neighbor", "ifname": n.ifname.as_str(), "ifindex": n.ifindex,
                        "address": n.address.to_string(), "mac": mac(n.mac),
                        "router_lifetime": n.router_lifetime.as_secs(),
                    }),
                    Some(Event::Down { ifname }) => json!({"event": "down", "ifname": ifname}),
                    None => return Ok(()),
                };
                print(v);
            }
            _ = tick.tick() => {
                let c = driver.counters();
                if c != last {
                    print(counters(&c));
                    last = c;
                }
            }
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}
