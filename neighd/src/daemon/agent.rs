//! The agent's state and its reactions: neighbour and link events, prober
//! reports and host-table timers in; host routes, export-table entries and
//! probe targets out.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arpprobe::{Event as ProbeEvent, Prober, ReportKind};
use bgp::speaker::{RouteAttributes, Speaker};
use bgp::wire::{Community, Prefix};
use tokio::sync::mpsc;

use super::fib_task::FibCommand;
use super::routes::{attributes, host_prefix, RouteBatch};
use crate::announce::{self, InterfaceSubnets};
use crate::config::Config;
use crate::fib::ExportChange;
use crate::hosts::{Action, Binding, HostTable, Note};
use crate::metrics::Metrics;
use crate::neigh::filter::{LinkTable, Verdict, Watch};
use crate::neigh::{Address, NeighChange, NeighEvent, Neighbour, NudState};

/// Everything the agent's loop owns.
pub(crate) struct Agent {
    pub(crate) cfg: Config,
    pub(crate) table: HostTable,
    pub(crate) watch: Watch,
    pub(crate) links: LinkTable,
    pub(crate) addresses: Vec<Address>,
    pub(crate) prober: Prober,
    pub(crate) speaker: Speaker,
    pub(crate) fib: mpsc::UnboundedSender<FibCommand>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) host_attrs: RouteAttributes,
    pub(crate) announced: BTreeMap<Prefix, Vec<Community>>,
    /// Whether the first neighbour snapshot has been processed.
    pub(crate) synced: bool,
    /// A fresh snapshot was asked for (reload), not caused by an overrun.
    pub(crate) resync_requested: bool,
    batch: RouteBatch,
    export: Vec<ExportChange>,
    /// Prefixes we started to originate this turn, for the FIB worker.
    originated: Vec<Prefix>,
    /// First advertisements of this turn: time from sight to decision, and when decided.
    first_advertised: Vec<(Duration, Instant)>,
    actions: Vec<Action>,
}

impl Agent {
    pub(crate) fn new(
        cfg: Config,
        table: HostTable,
        prober: Prober,
        speaker: Speaker,
        fib: mpsc::UnboundedSender<FibCommand>,
        metrics: Arc<Metrics>,
    ) -> Agent {
        let watch = watch_of(&cfg);
        let host_attrs = attributes(
            &cfg.redistribute.communities,
            &cfg.redistribute.large_communities,
        );
        Agent {
            cfg,
            table,
            watch,
            links: LinkTable::default(),
            addresses: Vec::new(),
            prober,
            speaker,
            fib,
            metrics,
            host_attrs,
            announced: BTreeMap::new(),
            synced: false,
            resync_requested: false,
            batch: RouteBatch::default(),
            first_advertised: Vec::new(),
            originated: Vec::new(),
            export: Vec::new(),
            actions: Vec::new(),
        }
    }

    /// One event from the neighbour tracker.
    pub(crate) fn on_neigh(&mut self, now: Instant, event: NeighEvent) {
        self.metrics.neigh_events(1);
        match event {
            NeighEvent::Snapshot(snapshot) => {
                if std::mem::take(&mut self.resync_requested) {
                    tracing::info!(target: "neighd::neigh", "neighbour table re-read for the new configuration");
                } else if self.synced {
                    self.metrics.netlink_resync();
                    tracing::warn!(target: "neighd::neigh", "neighbour table resynchronised after a netlink overrun");
                }
                self.links = LinkTable::from_links(snapshot.links);
                self.addresses = snapshot.addresses;
                // A sorted list, not a set: at 100,000 entries it is half
                // the memory, at the moment memory peaks (after an overrun).
                let mut present = Vec::with_capacity(snapshot.neighbours.len());
                for n in &snapshot.neighbours {
                    if let Some(ip) = self.neighbour_seen(now, n) {
                        present.push(ip);
                    }
                }
                drop(snapshot.neighbours);
                present.sort_unstable();
                let absent = self
                    .table
                    .addresses_where(|ip| present.binary_search(&ip).is_err());
                drop(present);
                for ip in absent {
                    self.table.neighbour_gone(now, ip, &mut self.actions);
                }
                self.sync_link_states(now);
                self.synced = true;
                self.prober.link_changed();
                self.refresh_announcements();
            }
            NeighEvent::Neighbour(NeighChange::Removed, n) => {
                self.table.neighbour_gone(now, n.ip, &mut self.actions);
            }
            NeighEvent::Neighbour(_, n) => {
                let failed = n.state.intersects(NudState::FAILED | NudState::INCOMPLETE);
                if self.neighbour_seen(now, &n).is_none() && failed {
                    self.table.neighbour_gone(now, n.ip, &mut self.actions);
                }
            }
            NeighEvent::Link(link) => {
                self.links.upsert(link);
                self.sync_link_states(now);
                self.prober.link_changed();
                self.refresh_announcements();
            }
            NeighEvent::LinkRemoved(ifindex, _) => {
                self.links.remove(ifindex);
                self.addresses.retain(|a| a.ifindex != ifindex);
                self.sync_link_states(now);
                self.prober.link_changed();
                self.refresh_announcements();
            }
            NeighEvent::Address(added, address) => {
                self.addresses
                    .retain(|a| !(a.ifindex == address.ifindex && a.local == address.local));
                if added {
                    self.addresses.push(address);
                }
                self.prober.link_changed();
                self.refresh_announcements();
            }
        }
        self.flush(now);
    }

    /// A neighbour entry that may be a host: into the table if it passes
    /// the filter. Returns its address when it does.
    fn neighbour_seen(&mut self, now: Instant, n: &Neighbour) -> Option<IpAddr> {
        match self.watch.classify(n, &self.links) {
            Verdict::Track { iface } => {
                let mac = n.mac?;
                let binding = Binding { iface, mac };
                let confirmed = n.state.contains(NudState::REACHABLE);
                self.table
                    .neighbour(now, n.ip, binding, confirmed, &mut self.actions);
                Some(n.ip)
            }
            Verdict::Ignore(_) => None,
        }
    }

    /// Tells the host table which watched interfaces are up.
    fn sync_link_states(&mut self, now: Instant) {
        for name in tracked_interfaces(&self.watch, &self.links) {
            let up = self.links.by_name(&name).is_some_and(|l| l.up);
            self.table.link(now, &name, up, &mut self.actions);
        }
    }

    /// Events from the prober.
    pub(crate) fn on_probe_events(&mut self, now: Instant, events: Vec<ProbeEvent>) {
        for event in events {
            let ProbeEvent::Host(report) = event else {
                continue;
            };
            let iface = report.iface.clone();
            match report.kind {
                ReportKind::Alive { .. } | ReportKind::Announced => {
                    let binding = Binding {
                        iface,
                        mac: report.mac,
                    };
                    self.table
                        .answered(now, report.ip, &binding, &mut self.actions);
                }
                ReportKind::Conflict { seen_mac } => {
                    let binding = Binding {
                        iface,
                        mac: seen_mac,
                    };
                    self.table
                        .claimed(now, report.ip, binding, &mut self.actions);
                }
                ReportKind::Discovered => {
                    if self.accepts_discovered(&iface, report.ip) {
                        let binding = Binding {
                            iface,
                            mac: report.mac,
                        };
                        self.table
                            .neighbour(now, report.ip, binding, true, &mut self.actions);
                    }
                }
                ReportKind::ProbeSent => {}
            }
        }
        self.flush(now);
    }

    /// Hosts saved by the previous run that the kernel no longer lists:
    /// tracked again (probing) if still watched; an answer advertises them.
    pub(crate) fn restore(&mut self, now: Instant, saved: Vec<(IpAddr, Binding)>) {
        let tracked = tracked_interfaces(&self.watch, &self.links);
        let prefixes = &self.watch.prefixes;
        let mut restored = 0;
        for (ip, binding) in saved {
            let watched = tracked.contains(&binding.iface)
                && (prefixes.is_empty() || prefixes.iter().any(|p| p.contains(ip)));
            if watched && self.table.state(ip).is_none() {
                self.table
                    .neighbour(now, ip, binding, false, &mut self.actions);
                restored += 1;
            }
        }
        if restored > 0 {
            tracing::info!(target: "neighd", "{restored} hosts known before the restart and no longer in the kernel's table: probing them");
        }
        self.flush(now);
    }

    /// Whether an ARP/NA heard from a host that is not a target makes it
    /// one: on a tracked interface, inside the watched prefixes.
    fn accepts_discovered(&self, iface: &Arc<str>, ip: IpAddr) -> bool {
        let link_local = match ip {
            IpAddr::V4(a) => a.is_link_local(),
            IpAddr::V6(a) => (a.segments()[0] & 0xffc0) == 0xfe80,
        };
        let prefixes = &self.watch.prefixes;
        !link_local
            && (prefixes.is_empty() || prefixes.iter().any(|p| p.contains(ip)))
            && tracked_interfaces(&self.watch, &self.links).contains(iface)
    }

    /// Host-table checks due now.
    pub(crate) fn on_timer(&mut self, now: Instant) {
        self.table.on_timer(now, &mut self.actions);
        self.flush(now);
    }

    /// Queues actions produced outside the agent's own handlers.
    pub(crate) fn take_actions(&mut self, actions: Vec<crate::hosts::Action>) {
        self.actions.extend(actions);
    }

    /// Carries out the host table's actions and sends the batches.
    pub(crate) fn flush(&mut self, _now: Instant) {
        for action in std::mem::take(&mut self.actions) {
            self.carry_out(action);
        }
        let (announced, withdrawn) = self.batch.flush(&self.speaker);
        // Neighbour entry seen -> route handed to the speaker.
        let sent = Instant::now();
        for (decided, at) in self.first_advertised.drain(..) {
            self.metrics
                .observe_neigh_to_route(decided + sent.saturating_duration_since(at));
        }
        self.metrics.routes_advertised(announced as u64);
        self.metrics.routes_withdrawn(withdrawn as u64);
        if !self.originated.is_empty() {
            let _ = self
                .fib
                .send(FibCommand::Originated(std::mem::take(&mut self.originated)));
        }
        if !self.export.is_empty() {
            let _ = self
                .fib
                .send(FibCommand::Export(std::mem::take(&mut self.export)));
        }
    }

    fn carry_out(&mut self, action: Action) {
        match action {
            Action::Advertise {
                ip,
                iface,
                since_seen,
            } => {
                self.batch
                    .announce(host_prefix(ip), self.host_attrs.clone());
                self.originated.push(host_prefix(ip));
                self.export.push(ExportChange::Add {
                    address: ip,
                    interface: iface.into(),
                });
                if let Some(latency) = since_seen {
                    self.first_advertised.push((latency, Instant::now()));
                }
            }
            Action::Withdraw { ip, .. } => {
                self.batch.withdraw(host_prefix(ip));
                self.export.push(ExportChange::Remove { address: ip });
            }
            Action::Probe { iface, ip, mac } => {
                if let Err(e) = self.prober.add(&iface, ip, mac) {
                    tracing::warn!(target: "neighd::hosts", "cannot probe {ip} on {iface}: {e}");
                }
            }
            Action::StopProbe { iface, ip } => {
                self.prober.remove(&iface, ip);
            }
            Action::Note(note) => self.log_note(note),
        }
    }

    fn log_note(&self, note: Note) {
        match note {
            Note::Died { ip, iface } => {
                tracing::info!(target: "neighd::hosts", "{ip} on {iface} stopped answering: withdrawn");
            }
            Note::Returned {
                ip,
                held_down: false,
            } => {
                tracing::info!(target: "neighd::hosts", "{ip} answers again: advertised");
            }
            Note::Returned {
                ip,
                held_down: true,
            } => {
                tracing::warn!(target: "neighd::hosts", "{ip} answers again but flaps: held down");
            }
            Note::Released { ip } => {
                tracing::info!(target: "neighd::hosts", "{ip} no longer held down: advertised");
            }
            Note::Conflict { ip, kept, other } => {
                self.metrics.host_conflict();
                tracing::warn!(
                    target: "neighd::hosts",
                    "conflict: {ip} is claimed by {} on {} while {} on {} answers; keeping {}",
                    other.mac, other.iface, kept.mac, kept.iface, kept.iface
                );
            }
            Note::Moved { ip, from, to } => {
                tracing::info!(
                    target: "neighd::hosts",
                    "{ip} moved from {} on {} to {} on {}",
                    from.mac, from.iface, to.mac, to.iface
                );
            }
            Note::RemoteConflict { ip, from } => {
                self.metrics.host_conflict();
                tracing::warn!(
                    target: "neighd::hosts",
                    "conflict: {ip} is also advertised by another router (learned from {from}); keeping ours"
                );
            }
            Note::Forgotten { ip } => {
                tracing::debug!(target: "neighd::hosts", "{ip} forgotten");
            }
        }
    }

    /// Recomputes the `[[announce]]` prefixes from the interfaces and
    /// announces or withdraws what changed.
    pub(crate) fn refresh_announcements(&mut self) {
        let interfaces: Vec<InterfaceSubnets> = self
            .links
            .iter()
            .map(|link| InterfaceSubnets {
                name: link.name.to_string(),
                up: link.up,
                subnets: self
                    .addresses
                    .iter()
                    .filter(|a| a.ifindex == link.ifindex && a.scope_global)
                    .map(|a| a.prefix)
                    .collect(),
            })
            .collect();
        let desired = announce::desired(&self.cfg.announce, &interfaces);
        let diff = announce::diff(&self.announced, &desired);
        for prefix in &diff.withdraw {
            tracing::info!(target: "neighd::announce", "withdrawing {prefix}");
            self.batch.withdraw(*prefix);
        }
        for (prefix, communities) in diff.announce {
            tracing::info!(target: "neighd::announce", "announcing {prefix}");
            self.batch.announce(prefix, attributes(&communities, &[]));
            self.originated.push(prefix);
        }
        self.announced = desired;
    }

    /// Asks the speaker which of our host routes others advertise too, and
    /// records them as conflicts.
    pub(crate) async fn check_remote_claims(&mut self, now: Instant) {
        let Ok(contested) = self.speaker.contested().await else {
            return;
        };
        let claims: std::collections::HashMap<IpAddr, String> = contested
            .into_iter()
            .filter(|c| c.prefix.len() == if c.prefix.addr().is_ipv4() { 32 } else { 128 })
            .map(|c| {
                let from = c
                    .from
                    .iter()
                    .map(|(peer, path)| format!("{peer} ({path})"))
                    .collect::<Vec<_>>()
                    .join(", ");
                (c.prefix.addr(), from)
            })
            .collect();
        self.table.remote_claims(&claims, &mut self.actions);
        self.flush(now);
    }

    /// Updates the metrics that are sampled rather than counted.
    pub(crate) fn sample_metrics(&self, last: &mut arpprobe::Counters) {
        self.metrics.host_states(&self.table.counts());
        self.metrics
            .advertised_routes_now((self.table.advertised().count() + self.announced.len()) as u64);
        let now = self.prober.counters();
        self.metrics
            .probes_sent(now.probes_sent.saturating_sub(last.probes_sent));
        let sent = now.probes_sent.saturating_sub(last.probes_sent);
        let replies = now.replies_matched.saturating_sub(last.replies_matched);
        self.metrics.probes_answered(replies);
        // Probes of this second without a matched reply (a reply that
        // crosses the second boundary counts in the next one).
        self.metrics.probes_missed(sent.saturating_sub(replies));
        *last = now;
    }
}

/// The interfaces hosts are tracked on: each watched interface that
/// exists, or the bridge (or bond) it is a port of.
pub(crate) fn tracked_interfaces(watch: &Watch, links: &LinkTable) -> Vec<Arc<str>> {
    let mut out: Vec<Arc<str>> = Vec::new();
    for name in &watch.interfaces {
        let Some(index) = links.index_of(name) else {
            continue;
        };
        if let Some(l3) = links.name(links.l3_interface(index)) {
            if !out.contains(l3) {
                out.push(l3.clone());
            }
        }
    }
    out
}

/// The neighbour filter of a configuration.
pub(crate) fn watch_of(cfg: &Config) -> Watch {
    Watch {
        interfaces: cfg.redistribute.interfaces.clone(),
        prefixes: cfg.redistribute.prefixes.clone(),
        permanent: cfg.redistribute.permanent,
    }
}
