//! The FIB worker: learned routes from the speaker into the kernel, and
//! live hosts into the export table, in batches, off the agent's loop so a
//! burst of 100,000 routes never delays liveness decisions.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use bgp::speaker::RouteEvent;
use bgp::wire::Prefix;
use tokio::sync::{mpsc, oneshot};

use crate::fib::{ExportChange, ExportTable, Fib, FibReport};
use crate::metrics::Metrics;

/// What the agent asks of the worker.
#[derive(Debug)]
pub(crate) enum FibCommand {
    /// Export table changes.
    Export(Vec<ExportChange>),
    /// Prefixes we now originate ourselves (live hosts, announcements): a
    /// route for one of them kept from the previous run is wrong now.
    Originated(Vec<Prefix>),
    /// The prefixes installed now.
    Installed(oneshot::Sender<HashSet<Prefix>>),
    /// Remove our routes left by a previous run and not learned again.
    SweepStale,
    /// Stop; remove everything of ours unless `keep` (graceful restart).
    Stop {
        /// Keep the kernel routes (forwarding preserved across our restart).
        keep: bool,
        /// Told when done.
        done: oneshot::Sender<()>,
    },
}

/// The worker's state.
pub(crate) struct FibWorker {
    pub(crate) fib: Option<Fib>,
    pub(crate) export: Option<ExportTable>,
    pub(crate) metrics: Arc<Metrics>,
    /// Learned prefixes and whether the kernel took them.
    installed: HashMap<Prefix, bool>,
    /// Routes kept in the kernel from the previous run (graceful restart)
    /// that no route event of this run has taken over yet. The speaker
    /// tells the FIB only about prefixes it installed itself, so one of
    /// these that we now originate would otherwise stay until the sweep.
    kept: HashSet<Prefix>,
}

impl FibWorker {
    pub(crate) fn new(
        fib: Option<Fib>,
        export: Option<ExportTable>,
        kept: Vec<Prefix>,
        metrics: Arc<Metrics>,
    ) -> FibWorker {
        FibWorker {
            fib,
            export,
            metrics,
            installed: HashMap::new(),
            kept: kept.into_iter().collect(),
        }
    }

    /// Runs until told to stop or both channels close.
    pub(crate) async fn run(
        mut self,
        mut routes: mpsc::UnboundedReceiver<RouteEvent>,
        mut commands: mpsc::UnboundedReceiver<FibCommand>,
    ) {
        let mut routes_open = true;
        loop {
            tokio::select! {
                first = routes.recv(), if routes_open => {
                    let Some(first) = first else {
                        routes_open = false;
                        continue;
                    };
                    let mut batch = vec![first];
                    while let Ok(more) = routes.try_recv() {
                        batch.push(more);
                    }
                    self.apply_routes(&batch).await;
                }
                command = commands.recv() => {
                    match command {
                        None => break,
                        Some(FibCommand::Export(ops)) => self.apply_export(ops).await,
                        Some(FibCommand::Originated(prefixes)) => self.drop_kept(prefixes).await,
                        Some(FibCommand::Installed(reply)) => {
                            let set = self.installed.iter().filter(|(_, ok)| **ok).map(|(p, _)| *p).collect();
                            let _ = reply.send(set);
                        }
                        Some(FibCommand::SweepStale) => self.sweep().await,
                        Some(FibCommand::Stop { keep, done }) => {
                            self.stop(keep).await;
                            let _ = done.send(());
                            return;
                        }
                    }
                }
            }
        }
    }

    async fn apply_routes(&mut self, batch: &[RouteEvent]) {
        for event in batch {
            self.kept.remove(&event.prefix);
            if event.next_hops.is_empty() {
                self.installed.remove(&event.prefix);
            } else {
                self.installed.insert(event.prefix, false);
            }
        }
        self.metrics.learned_routes_now(self.installed.len() as u64);
        let Some(fib) = self.fib.as_mut() else {
            return;
        };
        let report = fib.apply(batch).await;
        let failed: HashSet<Prefix> = report.failed.iter().copied().collect();
        for event in batch.iter().filter(|e| !e.next_hops.is_empty()) {
            if let Some(ok) = self.installed.get_mut(&event.prefix) {
                *ok = !failed.contains(&event.prefix);
            }
        }
        self.metrics
            .fib_routes_now(self.installed.values().filter(|ok| **ok).count() as u64);
        self.count_failures(&report);
        log_failures(&report, "learned routes");
    }

    /// Removes kept routes for prefixes we now originate.
    async fn drop_kept(&mut self, prefixes: Vec<Prefix>) {
        let events: Vec<RouteEvent> = prefixes
            .into_iter()
            .filter(|p| self.kept.remove(p))
            .map(|prefix| RouteEvent {
                prefix,
                next_hops: Vec::new(),
            })
            .collect();
        if events.is_empty() {
            return;
        }
        if let Some(fib) = self.fib.as_mut() {
            let report = fib.apply(&events).await;
            self.count_failures(&report);
            log_failures(&report, "routes kept from the previous run");
        }
    }

    async fn apply_export(&mut self, ops: Vec<ExportChange>) {
        let Some(export) = self.export.as_mut() else {
            return;
        };
        let report = export.apply(&ops).await;
        self.count_failures(&report);
        log_failures(&report, "export table");
    }

    fn count_failures(&self, report: &FibReport) {
        for _ in 0..report.failed.len() {
            self.metrics.fib_error();
        }
    }

    async fn sweep(&mut self) {
        let Some(fib) = self.fib.as_mut() else {
            return;
        };
        self.kept.clear();
        let keep: HashSet<Prefix> = self.installed.keys().copied().collect();
        match fib.sweep_stale(|p| keep.contains(p)).await {
            Ok(report) if report.removed > 0 => {
                tracing::info!(target: "neighd::fib", "removed {} routes left by the previous run", report.removed);
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(target: "neighd::fib", "sweeping stale routes: {e}"),
        }
    }

    async fn stop(&mut self, keep: bool) {
        if keep {
            tracing::info!(target: "neighd::fib", "graceful restart: kernel routes kept");
            return;
        }
        if let Some(fib) = self.fib.as_mut() {
            if let Err(e) = fib.cleanup().await {
                tracing::warn!(target: "neighd::fib", "removing our routes: {e}");
            }
        }
        if let Some(export) = self.export.as_mut() {
            if let Err(e) = export.cleanup().await {
                tracing::warn!(target: "neighd::fib", "clearing the export table: {e}");
            }
        }
    }
}

/// One warning line per distinct failure reason.
fn log_failures(report: &FibReport, what: &str) {
    for reason in &report.reasons {
        tracing::warn!(
            target: "neighd::fib",
            "{what}: {} route(s) refused by the kernel: {} (e.g. {})",
            reason.count,
            reason.reason,
            reason.example
        );
    }
}
