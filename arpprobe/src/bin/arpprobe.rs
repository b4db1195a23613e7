//! `arpprobe`: a command-line front end to the prober, used by the namespace
//! tests and the fabric benchmark, and handy on a switch.
//!
//! ```text
//! arpprobe probe [--interval 1s] [--duration 10s] [--stats 1s] [--quiet]
//!                [--report-sent] [--report-unknown] [--stdin]
//!                [--target IFACE,IP,MAC]... [--targets-file FILE]
//! arpprobe send-frame IFACE HEX
//! ```
//!
//! `probe` prints one JSON object per line: `ready`, then one line per
//! report (`alive`, `announced`, `conflict`, `probe_sent`, `discovered`) and
//! link change (`link`), `stats` lines if asked, and `counters` at exit. It
//! stops after `--duration`, on SIGINT/SIGTERM, or (with `--stdin`) when its
//! standard input closes. A targets file has one `IFACE IP MAC` per line.
//!
//! `send-frame` sends one raw Ethernet frame given in hex (tests use it to
//! inject spoofed replies).

use std::io::{BufRead, Write};
use std::net::IpAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use arpprobe::{Config, Counters, Event, LinkState, MacAddr, Prober, ReportKind};
use tokio::io::AsyncReadExt;

struct Args {
    config: Config,
    duration: Option<Duration>,
    stats: Option<Duration>,
    quiet: bool,
    stdin: bool,
    targets: Vec<(String, IpAddr, MacAddr)>,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let (num, unit) = s
        .find(|c: char| c.is_ascii_alphabetic())
        .map_or((s, "s"), |i| s.split_at(i));
    let v: f64 = num.parse().map_err(|_| format!("bad duration {s:?}"))?;
    let secs = match unit {
        "s" => v,
        "ms" => v / 1e3,
        "us" => v / 1e6,
        "m" => v * 60.0,
        _ => return Err(format!("bad duration unit in {s:?}")),
    };
    if !(secs.is_finite() && secs >= 0.0) {
        return Err(format!("bad duration {s:?}"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn parse_target(fields: &[&str]) -> Result<(String, IpAddr, MacAddr), String> {
    let [iface, ip, mac] = fields else {
        return Err(format!("target {fields:?} is not IFACE IP MAC"));
    };
    let ip = ip.parse().map_err(|_| format!("bad IP {ip:?}"))?;
    let mac = mac.parse().map_err(|_| format!("bad MAC {mac:?}"))?;
    Ok((iface.to_string(), ip, mac))
}

fn parse_probe(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        config: Config::default(),
        duration: None,
        stats: None,
        quiet: false,
        stdin: false,
        targets: Vec::new(),
    };
    while let Some(arg) = it.next() {
        let mut val = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--interval" => a.config.interval = parse_duration(&val()?)?,
            "--duration" => a.duration = Some(parse_duration(&val()?)?),
            "--stats" => a.stats = Some(parse_duration(&val()?)?),
            "--link-recheck" => a.config.link_recheck = parse_duration(&val()?)?,
            "--quiet" => a.quiet = true,
            "--stdin" => a.stdin = true,
            "--report-sent" => a.config.report_sent = true,
            "--report-unknown" => a.config.report_unknown = true,
            "--target" => {
                let v = val()?;
                a.targets
                    .push(parse_target(&v.split(',').collect::<Vec<_>>())?);
            }
            "--targets-file" => {
                let path = val()?;
                let f = std::fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?;
                for line in std::io::BufReader::new(f).lines() {
                    let line = line.map_err(|e| format!("{path}: {e}"))?;
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    if fields.is_empty() || fields[0].starts_with('#') {
                        continue;
                    }
                    a.targets.push(parse_target(&fields)?);
                }
            }
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(a)
}

fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn counters_json(event: &str, c: &Counters, t: f64) -> String {
    let mut s = format!("{{\"event\":\"{event}\",\"t\":{t:.3}");
    for (k, v) in c.fields() {
        s.push_str(&format!(",\"{k}\":{v}"));
    }
    let fds = std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0);
    s.push_str(&format!(",\"open_fds\":{fds}}}"));
    s
}

fn event_json(e: &Event) -> String {
    match e {
        Event::Host(r) => {
            let (kind, extra) = match r.kind {
                ReportKind::Alive { rtt } => (
                    "alive",
                    rtt.map(|d| format!(",\"rtt_us\":{}", d.as_micros()))
                        .unwrap_or_default(),
                ),
                ReportKind::Announced => ("announced", String::new()),
                ReportKind::Conflict { seen_mac } => {
                    ("conflict", format!(",\"seen_mac\":\"{seen_mac}\""))
                }
                ReportKind::ProbeSent => ("probe_sent", String::new()),
                ReportKind::Discovered => ("discovered", String::new()),
            };
            format!(
                "{{\"event\":\"{kind}\",\"iface\":{},\"ip\":\"{}\",\"mac\":\"{}\"{extra}}}",
                json_str(&r.iface),
                r.ip,
                r.mac
            )
        }
        Event::Link(l) => {
            let state = match l.state {
                LinkState::Up => "up",
                LinkState::Down => "down",
            };
            let idx = l
                .ifindex
                .map(|i| format!(",\"ifindex\":{i}"))
                .unwrap_or_default();
            format!(
                "{{\"event\":\"link\",\"iface\":{},\"state\":\"{state}\"{idx}}}",
                json_str(&l.iface)
            )
        }
    }
}

async fn probe(a: Args) -> Result<(), String> {
    let _ = arpprobe::raise_nofile_limit();
    let start = Instant::now();
    let (prober, mut reports) = Prober::start(a.config.clone()).map_err(|e| e.to_string())?;
    for (iface, ip, mac) in &a.targets {
        prober.add(iface, *ip, *mac).map_err(|e| e.to_string())?;
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let _ = writeln!(
        out,
        "{{\"event\":\"ready\",\"targets\":{}}}",
        a.targets.len()
    );
    let _ = out.flush();
    let deadline = a.duration.map(|d| tokio::time::Instant::now() + d);
    let mut stats = a
        .stats
        .map(|d| tokio::time::interval_at(tokio::time::Instant::now() + d, d));
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| e.to_string())?;
    let mut stdin = tokio::io::stdin();
    let mut stdin_buf = [0u8; 256];
    loop {
        tokio::select! {
            batch = reports.recv_batch() => {
                let Some(batch) = batch else { break };
                for e in &batch {
                    if a.quiet && matches!(e, Event::Host(_)) {
                        continue;
                    }
                    let _ = writeln!(out, "{}", event_json(e));
                }
                let _ = out.flush();
            }
            _ = async { tokio::time::sleep_until(deadline.expect("guarded")).await }, if deadline.is_some() => break,
            _ = async { stats.as_mut().expect("guarded").tick().await }, if stats.is_some() => {
                let _ = writeln!(out, "{}", counters_json("stats", &prober.counters(), start.elapsed().as_secs_f64()));
                let _ = out.flush();
            }
            n = stdin.read(&mut stdin_buf), if a.stdin => {
                if matches!(n, Ok(0) | Err(_)) { break }
            }
            _ = tokio::signal::ctrl_c() => break,
            _ = term.recv() => break,
        }
    }
    let _ = writeln!(
        out,
        "{}",
        counters_json(
            "counters",
            &prober.counters(),
            start.elapsed().as_secs_f64()
        )
    );
    let _ = out.flush();
    Ok(())
}

fn decode_hex(s: &str) -> Result<Vec<u8>, String> {
    let s: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect();
    if s.len() % 2 != 0 {
        return Err("odd number of hex digits".into());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|_| format!("bad hex at {i}")))
        .collect()
}

const USAGE: &str = "usage: arpprobe probe [--interval D] [--duration D] [--stats D] [--quiet] [--report-sent] \
[--report-unknown] [--stdin] [--link-recheck D] [--target IFACE,IP,MAC]... [--targets-file FILE]\n       \
arpprobe send-frame IFACE HEX";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let result = match args.next().as_deref() {
        Some("probe") => parse_probe(args).and_then(|a| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(probe(a))
        }),
        Some("send-frame") => match (args.next(), args.next()) {
            (Some(iface), Some(hex)) => decode_hex(&hex)
                .and_then(|f| arpprobe::send_raw_frame(&iface, &f).map_err(|e| e.to_string())),
            _ => Err(USAGE.into()),
        },
        _ => Err(USAGE.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("arpprobe: {e}");
            ExitCode::from(2)
        }
    }
}
