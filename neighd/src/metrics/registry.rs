//! [`Metrics`]: every number neighd exports, recorded by methods named
//! after what happened, and rendered as Prometheus text.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use bgp::fsm::State;

use super::exposition::{Exposition, Kind};
use super::histogram::{Histogram, NEIGH_TO_ROUTE_BUCKETS};
use crate::status::HostState;

/// Every host state, in the order the gauge lists them.
const HOST_STATES: [HostState; 5] = [
    HostState::Probing,
    HostState::Alive,
    HostState::Dead,
    HostState::HeldDown,
    HostState::LinkDown,
];

/// Every BGP session state, in the order `neighd_peer_state` lists them.
const PEER_STATES: [State; 6] = [
    State::Idle,
    State::Connect,
    State::Active,
    State::OpenSent,
    State::OpenConfirm,
    State::Established,
];

/// The daemon's metrics. Share it in an `Arc`; every recording method is a
/// relaxed atomic operation except the per-peer state (a short lock, taken
/// only when a session changes state).
#[derive(Debug)]
pub struct Metrics {
    version: String,
    hosts: [AtomicU64; HOST_STATES.len()],
    probes_sent: AtomicU64,
    probes_answered: AtomicU64,
    probes_missed: AtomicU64,
    host_conflicts: AtomicU64,
    routes_advertised_total: AtomicU64,
    routes_withdrawn_total: AtomicU64,
    routes_advertised: AtomicU64,
    routes_learned: AtomicU64,
    fib_routes: AtomicU64,
    fib_errors: AtomicU64,
    netlink_resyncs: AtomicU64,
    neigh_events: AtomicU64,
    peers: Mutex<BTreeMap<String, State>>,
    neigh_to_route: Histogram,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

fn set(gauge: &AtomicU64, value: u64) {
    gauge.store(value, Ordering::Relaxed);
}

fn get(metric: &AtomicU64) -> u64 {
    metric.load(Ordering::Relaxed)
}

impl Metrics {
    /// All zero, with this crate's version in `neighd_build_info`.
    pub fn new() -> Metrics {
        Metrics {
            version: env!("CARGO_PKG_VERSION").to_string(),
            hosts: Default::default(),
            probes_sent: AtomicU64::new(0),
            probes_answered: AtomicU64::new(0),
            probes_missed: AtomicU64::new(0),
            host_conflicts: AtomicU64::new(0),
            routes_advertised_total: AtomicU64::new(0),
            routes_withdrawn_total: AtomicU64::new(0),
            routes_advertised: AtomicU64::new(0),
            routes_learned: AtomicU64::new(0),
            fib_routes: AtomicU64::new(0),
            fib_errors: AtomicU64::new(0),
            netlink_resyncs: AtomicU64::new(0),
            neigh_events: AtomicU64::new(0),
            peers: Mutex::new(BTreeMap::new()),
            neigh_to_route: Histogram::new(&NEIGH_TO_ROUTE_BUCKETS),
        }
    }

    /// `n` probes (ARP requests or neighbour solicitations) went out.
    pub fn probes_sent(&self, n: u64) {
        add(&self.probes_sent, n);
    }

    /// `n` probes were answered.
    pub fn probes_answered(&self, n: u64) {
        add(&self.probes_answered, n);
    }

    /// `n` probes went unanswered.
    pub fn probes_missed(&self, n: u64) {
        add(&self.probes_missed, n);
    }

    /// A host's address answered from another MAC, or the host moved.
    pub fn host_conflict(&self) {
        add(&self.host_conflicts, 1);
    }

    /// How many hosts are in each state now. States not listed have none.
    pub fn host_states(&self, counts: &[(HostState, u64)]) {
        for (i, state) in HOST_STATES.iter().enumerate() {
            let n = counts
                .iter()
                .filter(|(s, _)| s == state)
                .map(|&(_, n)| n)
                .sum();
            set(&self.hosts[i], n);
        }
    }

    /// `n` routes were handed to the speaker for advertisement.
    pub fn routes_advertised(&self, n: u64) {
        add(&self.routes_advertised_total, n);
    }

    /// `n` routes were withdrawn.
    pub fn routes_withdrawn(&self, n: u64) {
        add(&self.routes_withdrawn_total, n);
    }

    /// How many routes we advertise now.
    pub fn advertised_routes_now(&self, n: u64) {
        set(&self.routes_advertised, n);
    }

    /// How many routes are learned from peers now.
    pub fn learned_routes_now(&self, n: u64) {
        set(&self.routes_learned, n);
    }

    /// How many routes neighd has in the kernel now.
    pub fn fib_routes_now(&self, n: u64) {
        set(&self.fib_routes, n);
    }

    /// The kernel refused a route change.
    pub fn fib_error(&self) {
        add(&self.fib_errors, 1);
    }

    /// The netlink view was rebuilt from a dump (after an overrun or at start).
    pub fn netlink_resync(&self) {
        add(&self.netlink_resyncs, 1);
    }

    /// `n` neighbour events arrived from the kernel.
    pub fn neigh_events(&self, n: u64) {
        add(&self.neigh_events, n);
    }

    /// The session with `peer` is now in `state`.
    pub fn peer_state(&self, peer: &str, state: State) {
        let mut peers = self.peers.lock().unwrap_or_else(PoisonError::into_inner);
        match peers.get_mut(peer) {
            Some(known) => *known = state,
            None => {
                peers.insert(peer.to_string(), state);
            }
        }
    }

    /// `peer` is no longer configured: its series disappear.
    pub fn peer_removed(&self, peer: &str) {
        self.peers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(peer);
    }

    /// A neighbour entry's route was handed to the speaker `elapsed` after
    /// the entry appeared.
    pub fn observe_neigh_to_route(&self, elapsed: Duration) {
        self.neigh_to_route.observe(elapsed);
    }

    /// Everything, in the Prometheus text format 0.0.4.
    pub fn render(&self) -> String {
        let mut out = Exposition::default();

        out.family(
            "neighd_build_info",
            "The neighd version; always 1.",
            Kind::Gauge,
        );
        out.sample("neighd_build_info", &[("version", &self.version)], 1);

        out.family(
            "neighd_hosts",
            "Hosts in the host table, by state.",
            Kind::Gauge,
        );
        for (state, gauge) in HOST_STATES.iter().zip(&self.hosts) {
            out.sample("neighd_hosts", &[("state", state.as_str())], get(gauge));
        }

        let counters = [
            (
                "neighd_probes_sent_total",
                "ARP and NS probes sent.",
                &self.probes_sent,
            ),
            (
                "neighd_probes_answered_total",
                "Probes answered.",
                &self.probes_answered,
            ),
            (
                "neighd_probes_missed_total",
                "Probes not answered in time.",
                &self.probes_missed,
            ),
            (
                "neighd_host_conflicts_total",
                "Answers for a host's address from another MAC, and host moves.",
                &self.host_conflicts,
            ),
            (
                "neighd_routes_advertised_total",
                "Routes handed to the BGP speaker for advertisement.",
                &self.routes_advertised_total,
            ),
            (
                "neighd_routes_withdrawn_total",
                "Routes withdrawn.",
                &self.routes_withdrawn_total,
            ),
            (
                "neighd_fib_errors_total",
                "Route changes the kernel refused.",
                &self.fib_errors,
            ),
            (
                "neighd_netlink_resyncs_total",
                "Rebuilds of the netlink view from a full dump.",
                &self.netlink_resyncs,
            ),
            (
                "neighd_neigh_events_total",
                "Neighbour events from the kernel.",
                &self.neigh_events,
            ),
        ];
        let gauges = [
            (
                "neighd_routes_advertised",
                "Routes advertised now.",
                &self.routes_advertised,
            ),
            (
                "neighd_routes_learned",
                "Routes learned from peers now.",
                &self.routes_learned,
            ),
            (
                "neighd_fib_routes",
                "Routes neighd has in the kernel now.",
                &self.fib_routes,
            ),
        ];
        for (kind, list) in [(Kind::Counter, &counters[..]), (Kind::Gauge, &gauges[..])] {
            for (name, help, metric) in list {
                out.family(name, help, kind);
                out.sample(name, &[], get(metric));
            }
        }

        let peers = self
            .peers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        out.family(
            "neighd_peer_up",
            "1 if the BGP session with the peer is Established, else 0.",
            Kind::Gauge,
        );
        for (peer, state) in &peers {
            out.sample(
                "neighd_peer_up",
                &[("peer", peer)],
                u64::from(*state == State::Established),
            );
        }
        out.family(
            "neighd_peer_state",
            "The BGP session state with the peer: 1 for the current state.",
            Kind::Gauge,
        );
        for (peer, current) in &peers {
            for state in PEER_STATES {
                let name = state.to_string();
                out.sample(
                    "neighd_peer_state",
                    &[("peer", peer), ("state", &name)],
                    u64::from(state == *current),
                );
            }
        }

        out.family(
            "neighd_neigh_to_route_seconds",
            "Time from a neighbour entry appearing to its route being handed to the BGP speaker.",
            Kind::Histogram,
        );
        out.histogram(
            "neighd_neigh_to_route_seconds",
            &self.neigh_to_route.snapshot(),
        );

        out.finish()
    }
}
