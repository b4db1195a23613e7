//! One host's record in the table: its binding, state, clocks, flap
//! penalty and conflicts, and what it shows to neighctl.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use arpprobe::MacAddr;

use super::actions::{Action, Binding};
use super::damping::Penalty;
use super::policy::HostPolicy;
use crate::status::{HostState, HostView};

/// A second claimant of a live host's address, watched for a move.
#[derive(Debug, Clone)]
pub(super) struct Other {
    pub(super) binding: Binding,
    pub(super) last_answer: Option<Instant>,
}

#[derive(Debug)]
pub(super) struct Host {
    pub(super) primary: Binding,
    pub(super) other: Option<Other>,
    pub(super) state: HostState,
    /// The interface the route is advertised with, when it is.
    pub(super) advertised: Option<Arc<str>>,
    /// Last proof of life, or when tracking (re)started: the liveness clock.
    pub(super) last_evidence: Instant,
    pub(super) last_answer: Option<Instant>,
    /// When the neighbour entry appeared, until the first advertisement.
    pub(super) seen_at: Option<Instant>,
    pub(super) in_kernel: bool,
    /// Conflicts seen, boxed: most hosts never have one.
    pub(super) conflict: Option<Box<ConflictRecord>>,
    pub(super) penalty: Penalty,
    /// When the current state was entered.
    pub(super) state_since: Instant,
    /// The check scheduled in the heap for this host.
    pub(super) next_check: Instant,
    /// Whether the heap holds an entry for `next_check`.
    pub(super) queued: bool,
}

/// The conflicts of one host.
#[derive(Debug, Default)]
pub(super) struct ConflictRecord {
    /// How many.
    pub(super) count: u32,
    /// The other MAC of the last local conflict.
    pub(super) mac: Option<MacAddr>,
    /// Another router advertising the address, while it does.
    pub(super) remote: Option<String>,
    /// Claimants already logged.
    pub(super) logged: HashSet<Binding>,
}

impl Host {
    pub(super) fn conflict_remote(&self) -> Option<&String> {
        self.conflict.as_ref().and_then(|c| c.remote.as_ref())
    }

    pub(super) fn enter(&mut self, state: HostState, now: Instant) {
        self.state = state;
        self.state_since = now;
    }

    pub(super) fn primary_is_live(&self, policy: &HostPolicy, now: Instant) -> bool {
        matches!(self.state, HostState::Alive | HostState::HeldDown)
            && self
                .last_answer
                .is_some_and(|t| now < t + policy.dead_after())
    }

    pub(super) fn advertise(&mut self, ip: IpAddr, now: Instant, out: &mut Vec<Action>) {
        if self.advertised.is_some() {
            return;
        }
        self.advertised = Some(self.primary.iface.clone());
        let since_seen = self
            .seen_at
            .take()
            .map(|t| now.saturating_duration_since(t));
        out.push(Action::Advertise {
            ip,
            iface: self.primary.iface.clone(),
            since_seen,
        });
    }

    pub(super) fn withdraw(&mut self, ip: IpAddr, out: &mut Vec<Action>) {
        if let Some(iface) = self.advertised.take() {
            out.push(Action::Withdraw { ip, iface });
        }
    }

    pub(super) fn view(&self, ip: IpAddr, policy: &HostPolicy, now: Instant) -> HostView {
        let silent = now.saturating_duration_since(self.last_evidence);
        let misses = if matches!(self.state, HostState::LinkDown) {
            0
        } else {
            let interval = policy.probe_interval.as_nanos().max(1);
            u32::try_from(silent.as_nanos() / interval).unwrap_or(u32::MAX)
        };
        HostView {
            ip: ip.to_string(),
            mac: self.primary.mac.to_string(),
            interface: self.primary.iface.to_string(),
            state: self.state,
            advertised: self.advertised.is_some(),
            last_answer_ms: self.last_answer.map(|t| {
                u64::try_from(now.saturating_duration_since(t).as_millis()).unwrap_or(u64::MAX)
            }),
            misses,
            conflicts: self.conflict.as_ref().map_or(0, |c| c.count),
            conflict_mac: self
                .conflict
                .as_ref()
                .and_then(|c| c.mac)
                .map(|m| m.to_string()),
            conflict_remote: self.conflict_remote().cloned(),
            penalty: self.penalty.value(&policy.flap, now).round() as u32,
        }
    }
}
