//! `bgp-speaker`: a small harness around `bgp::speaker` that the interop
//! tests and fabric benchmarks run inside a namespace (`ip netns exec`).
//! It takes its config from flags and/or a TOML file ([`config`]), starts
//! the speaker, and then answers a line protocol on stdin with one JSON
//! line per command on stdout ([`commands`]). Logs go to stderr
//! (`RUST_LOG`, default `info`). End of stdin shuts the speaker down.

mod commands;
mod config;
mod fib;

use std::io::Write as _;

use serde_json::{json, Value};
use tokio::io::AsyncBufReadExt;

fn reply(v: &Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{v}");
    let _ = out.flush();
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match config::from_args(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("bgp-speaker: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bgp-speaker: tokio runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    rt.block_on(serve(cfg))
}

async fn serve(cfg: bgp::speaker::SpeakerConfig) -> std::process::ExitCode {
    let (speaker, events) = match bgp::speaker::start(cfg).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("bgp-speaker: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let fib = fib::Fib::spawn(events.routes);
    let mut peer_events = events.peers;
    tokio::spawn(async move {
        while let Some(ev) = peer_events.recv().await {
            tracing::info!(peer = %ev.peer, reason = ?ev.reason, "peer is now {}", ev.state);
        }
    });
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    loop {
        let line = match lines.next_line().await {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(e) => {
                tracing::error!("stdin: {e}");
                break;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        match commands::parse(&line) {
            Ok(commands::Command::Shutdown(msg)) => {
                let r = speaker.shutdown(msg).await;
                reply(&match r {
                    Ok(()) => json!({"ok": true}),
                    Err(e) => json!({"ok": false, "error": e.to_string()}),
                });
                return std::process::ExitCode::SUCCESS;
            }
            Ok(cmd) => reply(&match commands::run(&speaker, &fib, cmd).await {
                Ok(v) => v,
                Err(e) => json!({"ok": false, "error": e}),
            }),
            Err(e) => reply(&json!({"ok": false, "error": e})),
        }
    }
    let _ = speaker.shutdown(None).await;
    std::process::ExitCode::SUCCESS
}
