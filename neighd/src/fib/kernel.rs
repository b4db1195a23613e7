//! [`Fib`]: the routes the BGP speaker learned, in the kernel — one
//! RTM_NEWROUTE (create/replace) or RTM_DELROUTE per prefix and batch,
//! marked with our protocol, in our table, with our metric.

use std::collections::hash_map::{Entry, HashMap};

use bgp::speaker::{FibNextHop, RouteEvent};
use bgp::wire::Prefix;
use tokio::sync::Mutex;

use super::error::FibError;
use super::installed::InstalledRoute;
use super::message::RouteOwner;
use super::report::FibReport;
use super::table::{Change, GatewayHop, OwnedTable, Target};

/// Where and how learned routes are installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FibOptions {
    /// The kernel routing table (254 is main).
    pub table: u32,
    /// The rtnetlink protocol number that marks our routes (not 0).
    pub protocol: u8,
    /// The metric (RTA_PRIORITY) of our routes.
    pub metric: u32,
}

/// The kernel FIB as far as learned routes go.
#[derive(Debug)]
pub struct Fib {
    options: FibOptions,
    table: Mutex<OwnedTable>,
}

impl Fib {
    /// Opens an rtnetlink socket for `options`. Must be called inside a
    /// tokio runtime; refuses table 0 and protocol 0.
    pub fn open(options: FibOptions) -> Result<Fib, FibError> {
        let table = OwnedTable::open(RouteOwner {
            table: options.table,
            protocol: options.protocol,
            metric: options.metric,
        })?;
        Ok(Fib {
            options,
            table: Mutex::new(table),
        })
    }

    /// Installs, replaces and removes routes as `events` say. Events for
    /// the same prefix are coalesced (the last one wins); the kernel is
    /// sent many requests at a time. A route the kernel refuses is counted
    /// in the report, never an error; removing a route that is already gone
    /// is a success.
    pub async fn apply(&mut self, events: &[RouteEvent]) -> FibReport {
        let changes = coalesce(events);
        self.table.get_mut().apply(&changes).await
    }

    /// Our routes as they are in the kernel (protocol and table filtered).
    pub async fn installed(&self) -> Result<Vec<InstalledRoute>, FibError> {
        self.table.lock().await.routes().await
    }

    /// Removes our routes whose prefix `keep` rejects: at start, the
    /// leftovers of a previous run that were not learned again. Routes of
    /// ours with another metric (the configuration changed) go too.
    pub async fn sweep_stale(
        &mut self,
        keep: impl Fn(&Prefix) -> bool,
    ) -> Result<FibReport, FibError> {
        self.table.get_mut().sweep(|r| keep(&r.prefix)).await
    }

    /// Removes every route of our protocol in our table (at exit, unless
    /// graceful restart keeps forwarding).
    pub async fn cleanup(&mut self) -> Result<FibReport, FibError> {
        self.sweep_stale(|_| false).await
    }

    /// The options the FIB was opened with.
    pub fn options(&self) -> FibOptions {
        self.options
    }
}

/// One change per prefix, in the order prefixes first appear; the last
/// event of a prefix wins. Duplicate next hops are dropped.
fn coalesce(events: &[RouteEvent]) -> Vec<Change> {
    let mut position: HashMap<Prefix, usize> = HashMap::with_capacity(events.len());
    let mut changes = Vec::with_capacity(events.len());
    for event in events {
        let change = Change {
            prefix: event.prefix,
            target: target(&event.next_hops),
        };
        match position.entry(event.prefix) {
            Entry::Occupied(o) => changes[*o.get()] = change,
            Entry::Vacant(v) => {
                v.insert(changes.len());
                changes.push(change);
            }
        }
    }
    changes
}

fn target(next_hops: &[FibNextHop]) -> Option<Target> {
    let mut hops: Vec<GatewayHop> = Vec::with_capacity(next_hops.len());
    for hop in next_hops {
        let hop = GatewayHop {
            address: hop.address,
            interface: hop.interface.clone(),
        };
        if !hops.contains(&hop) {
            hops.push(hop);
        }
    }
    (!hops.is_empty()).then_some(Target::Gateways(hops))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn event(prefix: &str, hops: &[(&str, &str)]) -> RouteEvent {
        RouteEvent {
            prefix: prefix.parse().expect("test prefix"),
            next_hops: hops
                .iter()
                .map(|(address, interface)| FibNextHop {
                    address: address.parse().expect("test address"),
                    interface: Some(Arc::from(*interface)),
                    peer: Arc::from(*interface),
                })
                .collect(),
        }
    }

    #[test]
    fn the_last_event_of_a_prefix_wins_in_first_seen_order() {
        let events = [
            event("10.0.0.1/32", &[("fe80::1", "swp51")]),
            event("10.0.0.2/32", &[("fe80::1", "swp51")]),
            event("10.0.0.1/32", &[]),
            event("10.0.0.2/32", &[("fe80::1", "swp51"), ("fe80::2", "swp52")]),
        ];
        let changes = coalesce(&events);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].prefix, events[0].prefix);
        assert_eq!(changes[0].target, None);
        match &changes[1].target {
            Some(Target::Gateways(hops)) => assert_eq!(hops.len(), 2),
            other => panic!("expected two gateways, got {other:?}"),
        }
    }

    #[test]
    fn a_next_hop_learned_from_two_peers_is_one_gateway() {
        let mut e = event("10.0.0.1/32", &[("fe80::1", "swp51"), ("fe80::1", "swp51")]);
        e.next_hops[1].peer = Arc::from("other");
        match target(&e.next_hops) {
            Some(Target::Gateways(hops)) => assert_eq!(hops.len(), 1),
            other => panic!("expected one gateway, got {other:?}"),
        }
    }
}
