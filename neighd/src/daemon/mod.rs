//! The agent: wires the neighbour tracker, host table, prober, speaker and
//! FIB together, answers the control socket, and handles signals
//! (SIGHUP reloads; SIGTERM/SIGINT stop — keeping routes everywhere when
//! graceful restart is on, withdrawing them with a Cease otherwise).

mod agent;
mod error;
mod fib_task;
mod reload;
mod routes;
mod saved_hosts;
mod views;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arpprobe::Prober;
use bgp::fsm::{GracefulRestartConfig, State};
use bgp::wire::Prefix;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::{mpsc, oneshot};

pub use error::DaemonError;

use self::agent::Agent;
use self::fib_task::{FibCommand, FibWorker};
use crate::config::Config;
use crate::control;
use crate::fib::{ExportTable, Fib, FibOptions};
use crate::hosts::{HostPolicy, HostTable};
use crate::metrics::{self, Metrics};
use crate::neigh::{Tracker, TrackerOptions};

/// Every this many seconds, the host routes other routers advertise too
/// are looked for (the same address in two racks).
const REMOTE_CLAIM_CHECK_TICKS: u64 = 3;

/// Runs the agent with `cfg` (read from `path`, re-read on SIGHUP) until
/// SIGTERM or SIGINT.
pub async fn run(path: PathBuf, cfg: Config) -> Result<(), DaemonError> {
    let metrics = Arc::new(Metrics::new());
    let mut sighup = signal(SignalKind::hangup()).map_err(DaemonError::Signals)?;
    let mut sigterm = signal(SignalKind::terminate()).map_err(DaemonError::Signals)?;
    let mut sigint = signal(SignalKind::interrupt()).map_err(DaemonError::Signals)?;

    // The FIB first: routes of ours left in the kernel mean we are
    // restarting, and the peers must be told we kept forwarding.
    let mut fib = if cfg.fib.install {
        Some(Fib::open(fib_options(&cfg))?)
    } else {
        None
    };
    let kept: Vec<Prefix> = match fib.as_mut() {
        Some(fib) => fib
            .installed()
            .await?
            .into_iter()
            .map(|r| r.prefix)
            .collect(),
        None => Vec::new(),
    };
    let leftovers = kept.len();
    // Hosts the previous run knew (saved when it stopped, kept only for
    // the restart time): a graceful restart must find them again.
    let saved_path = saved_hosts::path_for(&cfg.control.socket);
    let restart_time = Duration::from_secs(u64::from(cfg.bgp.restart_time));
    let mut saved = saved_hosts::take(&saved_path, restart_time);
    let restarting = cfg.bgp.graceful_restart && (leftovers > 0 || !saved.is_empty());
    if leftovers > 0 && !restarting {
        if let Some(fib) = fib.as_mut() {
            fib.cleanup().await?;
        }
        tracing::info!(target: "neighd", "removed {leftovers} routes left by a previous run");
    }
    let mut export = match cfg.fib.export_table {
        Some(table) => Some(ExportTable::open(table, cfg.fib.protocol)?),
        None => None,
    };
    if !restarting {
        if let Some(export) = export.as_mut() {
            export.cleanup().await?;
        }
    }

    let mut speaker_cfg = cfg.speaker_config();
    if cfg.bgp.graceful_restart {
        speaker_cfg.graceful_restart = Some(GracefulRestartConfig {
            restart_time: cfg.bgp.restart_time,
            forwarding_preserved: restarting,
            restarting,
        });
    }
    let (speaker, events) = bgp::speaker::start(speaker_cfg)
        .await
        .map_err(DaemonError::Speaker)?;
    let bgp::speaker::Events {
        routes: route_events,
        peers: mut peer_events,
    } = events;

    let (fib_tx, fib_rx) = mpsc::unbounded_channel();
    let kept = if restarting { kept } else { Vec::new() };
    let fib_worker = FibWorker::new(fib, export, kept, metrics.clone());
    let fib_handle = tokio::spawn(fib_worker.run(route_events, fib_rx));

    if let Err(e) = arpprobe::raise_nofile_limit() {
        tracing::warn!(target: "neighd", "cannot raise the open-file limit: {e}");
    }
    let (prober, mut reports) = Prober::start(prober_config(&cfg))?;
    let (mut tracker, mut neigh_events) = Tracker::start(tracker_options())?;

    let (control_tx, mut control_rx) = mpsc::channel(64);
    let _control = control::serve(&cfg.control.socket, control_tx)
        .await
        .map_err(|source| DaemonError::Control {
            path: cfg.control.socket.clone(),
            source,
        })?;
    let _metrics_server = match cfg.metrics.listen {
        Some(addr) => Some(metrics::serve_metrics(addr, metrics.clone()).await?),
        None => None,
    };

    let policy = HostPolicy::from_config(&cfg.redistribute);
    let mut agent = Agent::new(
        cfg,
        HostTable::new(policy),
        prober,
        speaker.clone(),
        fib_tx.clone(),
        metrics.clone(),
    );
    tracing::info!(
        target: "neighd",
        "started: AS {}, router-id {}, {} neighbors, watching {:?}{}",
        agent.cfg.bgp.asn,
        agent.cfg.bgp.router_id,
        agent.cfg.bgp.neighbors.len(),
        agent.cfg.redistribute.interfaces,
        if restarting { " (graceful restart: kept forwarding)" } else { "" }
    );

    let started = Instant::now();
    let mut initial_done_at: Option<Instant> = None;
    let mut sweep_pending = restarting;
    let mut peers_up = std::collections::HashMap::<String, bool>::new();
    let mut all_up_since: Option<Instant> = None;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_counters = arpprobe::Counters::default();
    let far = Duration::from_secs(3600);
    let mut ticks: u64 = 0;

    // One timer for the host table's checks, moved rather than re-created
    // at each turn of the loop (a turn per batch of probe answers).
    let sleep = tokio::time::sleep(far);
    tokio::pin!(sleep);
    loop {
        let deadline: tokio::time::Instant = agent
            .table
            .next_deadline()
            .unwrap_or_else(|| Instant::now() + far)
            .into();
        if sleep.deadline() != deadline {
            sleep.as_mut().reset(deadline);
        }
        tokio::select! {
            event = neigh_events.recv() => {
                let Some(event) = event else {
                    tracing::error!(target: "neighd", "neighbour tracker stopped");
                    break;
                };
                let was_synced = agent.synced;
                agent.on_neigh(Instant::now(), event);
                if !was_synced && agent.synced {
                    agent.restore(Instant::now(), std::mem::take(&mut saved));
                }
                if !was_synced && agent.synced && restarting {
                    // Give every host one probe round to answer before
                    // telling the peers our routes are complete.
                    initial_done_at = Some(Instant::now() + agent.table.policy().probe_interval * 2);
                }
            }
            batch = reports.recv_batch() => {
                let Some(batch) = batch else {
                    tracing::error!(target: "neighd", "prober stopped");
                    break;
                };
                agent.on_probe_events(Instant::now(), batch);
            }
            () = &mut sleep => agent.on_timer(Instant::now()),
            request = control_rx.recv() => {
                if let Some((request, reply)) = request {
                    views::answer(&agent, request, reply);
                }
            }
            event = peer_events.recv() => {
                let Some(event) = event else { break };
                let up = event.state == State::Established;
                agent.metrics.peer_state(&event.peer, event.state);
                match (&event.reason, up) {
                    (_, true) => tracing::info!(target: "neighd::bgp", "peer {} up", event.peer),
                    (Some(reason), false) => tracing::info!(target: "neighd::bgp", "peer {} {:?}: {reason}", event.peer, event.state),
                    (None, false) => tracing::debug!(target: "neighd::bgp", "peer {} {:?}", event.peer, event.state),
                }
                peers_up.insert(event.peer, up);
                let expected = agent.cfg.bgp.neighbors.len();
                all_up_since = (peers_up.values().filter(|u| **u).count() >= expected).then(Instant::now);
            }
            _ = sighup.recv() => {
                let reloaded = reload::reload(&mut agent, &path, Instant::now()).await;
                if let Some(new_reports) = reloaded.reports {
                    reports = new_reports;
                }
                if reloaded.resync {
                    drop(tracker);
                    (tracker, neigh_events) = Tracker::start(tracker_options())?;
                    agent.resync_requested = true;
                }
            }
            _ = sigterm.recv() => break,
            _ = sigint.recv() => break,
            _ = tick.tick() => {
                agent.sample_metrics(&mut last_counters);
                ticks += 1;
                if ticks % REMOTE_CLAIM_CHECK_TICKS == 0 {
                    agent.check_remote_claims(Instant::now()).await;
                }
                if let Some(at) = initial_done_at {
                    if Instant::now() >= at {
                        initial_done_at = None;
                        let _ = agent.speaker.initial_routes_done();
                        tracing::info!(target: "neighd", "initial routes re-announced after restart");
                    }
                }
                if sweep_pending {
                    let restart_time = Duration::from_secs(u64::from(agent.cfg.bgp.restart_time));
                    let settled = all_up_since.is_some_and(|t| t.elapsed() >= Duration::from_secs(5));
                    if settled || started.elapsed() >= restart_time {
                        sweep_pending = false;
                        let _ = fib_tx.send(FibCommand::SweepStale);
                    }
                }
            }
        }
    }

    // Stop.
    let graceful = agent.cfg.bgp.graceful_restart;
    if let Err(e) = saved_hosts::save(&saved_path, &agent.table.known_bindings()) {
        tracing::warn!(target: "neighd", "cannot save the host table to {}: {e}", saved_path.display());
    }
    drop(tracker);
    if graceful {
        tracing::info!(target: "neighd", "stopping for a graceful restart: peers keep our routes");
        let _ = speaker.stop_for_restart().await;
    } else {
        tracing::info!(target: "neighd", "stopping: withdrawing our routes");
        let _ = speaker.shutdown(Some("neighd stopping".into())).await;
    }
    let (done_tx, done_rx) = oneshot::channel();
    let _ = fib_tx.send(FibCommand::Stop {
        keep: graceful,
        done: done_tx,
    });
    let _ = tokio::time::timeout(Duration::from_secs(30), done_rx).await;
    drop(agent);
    let _ = fib_handle.await;
    Ok(())
}

/// The tracker's settings; `NEIGHD_NETLINK_RCVBUF` (bytes) overrides the
/// receive buffer, which tests shrink to force overruns.
fn tracker_options() -> TrackerOptions {
    let mut opts = TrackerOptions::default();
    if let Some(bytes) = std::env::var("NEIGHD_NETLINK_RCVBUF")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        opts.receive_buffer = bytes;
    }
    opts
}

fn fib_options(cfg: &Config) -> FibOptions {
    FibOptions {
        table: cfg.fib.table,
        protocol: cfg.fib.protocol,
        metric: cfg.fib.metric,
    }
}

pub(crate) fn prober_config(cfg: &Config) -> arpprobe::Config {
    arpprobe::Config {
        interval: cfg.redistribute.probe_interval,
        report_unknown: true,
        // Probes leave in batches every 4 ms and answers are read 256 at a
        // time: at 100,000 hosts, 250 wake-ups a second instead of 1,000.
        min_tick: Duration::from_millis(4),
        recv_batch: 256,
        ..arpprobe::Config::default()
    }
}
