//! SIGHUP: re-read the configuration and apply what changed without
//! disturbing what did not — sessions of unchanged neighbors stay up.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::time::Instant;

use arpprobe::{Prober, Reports};

use super::agent::{tracked_interfaces, watch_of, Agent};
use super::prober_config;
use super::routes::{attributes, host_prefix};
use crate::config::{self, Config};
use crate::hosts::HostPolicy;

/// What the agent's loop must do after a reload.
#[derive(Debug, Default)]
pub(crate) struct Reloaded {
    /// The probe interval changed: the new prober's reports.
    pub(crate) reports: Option<Reports>,
    /// Watched interfaces or prefixes changed: re-read the neighbour table.
    pub(crate) resync: bool,
}

/// Re-reads `path` and applies it. A bad file is logged and changes
/// nothing.
pub(crate) async fn reload(agent: &mut Agent, path: &Path, now: Instant) -> Reloaded {
    let new = match config::load(path) {
        Ok(new) => new,
        Err(e) => {
            tracing::error!(target: "neighd", "reload: {e}; keeping the running configuration");
            return Reloaded::default();
        }
    };
    if new == agent.cfg {
        tracing::info!(target: "neighd", "reload: no change");
        return Reloaded::default();
    }
    warn_restart_only(&agent.cfg, &new);
    reconfigure_neighbors(agent, &new).await;

    let mut reports = None;
    let mut resync = false;
    let old = std::mem::replace(&mut agent.cfg, new);
    let new = agent.cfg.clone();
    let new = &new;
    if old.redistribute.probe_interval != new.redistribute.probe_interval {
        match Prober::start(prober_config(new)) {
            Ok((prober, r)) => {
                for (ip, binding) in agent.table.targets() {
                    if let Err(e) = prober.add(&binding.iface, ip, binding.mac) {
                        tracing::warn!(target: "neighd", "cannot probe {ip} on {}: {e}", binding.iface);
                    }
                }
                agent.prober = prober;
                reports = Some(r);
            }
            Err(e) => {
                tracing::error!(target: "neighd", "reload: new probe interval not applied: {e}")
            }
        }
    }
    if old.redistribute != new.redistribute {
        agent
            .table
            .set_policy(HostPolicy::from_config(&new.redistribute), now);
    }
    if old.redistribute.interfaces != new.redistribute.interfaces
        || old.redistribute.prefixes != new.redistribute.prefixes
        || old.redistribute.permanent != new.redistribute.permanent
    {
        agent.watch = watch_of(new);
        let tracked: HashSet<_> = tracked_interfaces(&agent.watch, &agent.links)
            .into_iter()
            .collect();
        let prefixes = new.redistribute.prefixes.clone();
        let mut actions = Vec::new();
        agent.table.forget_where(
            |ip, binding| {
                !tracked.contains(&binding.iface)
                    || !(prefixes.is_empty() || prefixes.iter().any(|p| p.contains(ip)))
            },
            &mut actions,
        );
        agent.take_actions(actions);
        // Hosts on newly watched interfaces come from a fresh dump.
        resync = true;
    }
    if old.redistribute.communities != new.redistribute.communities
        || old.redistribute.large_communities != new.redistribute.large_communities
    {
        agent.host_attrs = attributes(
            &new.redistribute.communities,
            &new.redistribute.large_communities,
        );
        let routes: Vec<_> = agent
            .table
            .advertised()
            .map(|(ip, _)| (host_prefix(ip), agent.host_attrs.clone()))
            .collect();
        let _ = agent.speaker.announce_many(routes);
    }
    if old.announce != agent.cfg.announce {
        // Re-announce everything with the new communities.
        agent.announced = BTreeMap::new();
        agent.refresh_announcements();
    }
    agent.flush(now);
    tracing::info!(target: "neighd", "reload: configuration applied");
    Reloaded { reports, resync }
}

/// Settings that only take effect when neighd restarts.
fn warn_restart_only(old: &Config, new: &Config) {
    let mut keys = Vec::new();
    let (a, b) = (&old.bgp, &new.bgp);
    for (key, changed) in [
        ("bgp.asn", a.asn != b.asn),
        ("bgp.router_id", a.router_id != b.router_id),
        ("bgp.listen", a.listen != b.listen),
        (
            "bgp.graceful_restart",
            a.graceful_restart != b.graceful_restart,
        ),
        ("bgp.restart_time", a.restart_time != b.restart_time),
        ("bgp.max_paths", a.max_paths != b.max_paths),
        ("bgp.hostname", a.hostname != b.hostname),
        ("fib", old.fib != new.fib),
        ("control", old.control != new.control),
        ("metrics", old.metrics != new.metrics),
    ] {
        if changed {
            keys.push(key);
        }
    }
    if !keys.is_empty() {
        tracing::warn!(
            target: "neighd",
            "reload: {} changed; this takes effect when neighd restarts",
            keys.join(", ")
        );
    }
}

/// Stops removed neighbors, starts new ones, restarts changed ones; leaves
/// the others alone. `hold_time` and `connect_retry` under `[bgp]` count
/// as a change of every neighbor that does not override them.
async fn reconfigure_neighbors(agent: &mut Agent, new: &Config) {
    let old_peers: BTreeMap<String, _> = agent
        .cfg
        .peer_configs()
        .into_iter()
        .map(|p| (p.name.clone(), p))
        .collect();
    let new_peers: BTreeMap<String, _> = new
        .peer_configs()
        .into_iter()
        .map(|p| (p.name.clone(), p))
        .collect();
    for (name, old) in &old_peers {
        if new_peers.get(name) != Some(old) {
            let why = if new_peers.contains_key(name) {
                "neighbor reconfigured"
            } else {
                "neighbor removed from the configuration"
            };
            match agent.speaker.remove_peer(name, Some(why.into())).await {
                Ok(_) => tracing::info!(target: "neighd::bgp", "reload: {name}: {why}"),
                Err(_) => tracing::error!(target: "neighd::bgp", "reload: the speaker has stopped"),
            }
        }
    }
    for (name, peer) in new_peers {
        if old_peers.get(&name) != Some(&peer) {
            match agent.speaker.add_peer(peer).await {
                Ok(()) => tracing::info!(target: "neighd::bgp", "reload: {name}: session started"),
                Err(e) => tracing::error!(target: "neighd::bgp", "reload: {name}: {e}"),
            }
        }
    }
}
