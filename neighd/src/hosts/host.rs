//! One host's record in the table: its binding, state, clocks, and (boxed,
//! since few hosts ever have them) its flap penalty, conflicts and second
//! claimant; and what it shows to neighctl. Kept at 72 bytes — a switch
//! tracks 100,000 of them.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::Arc;

use arpprobe::MacAddr;

use super::actions::{Action, Binding};
use super::clock::Stamp;
use super::damping::Penalty;
use super::policy::HostPolicy;
use crate::status::{HostState, HostView};

/// A second claimant of a live host's address, watched for a move.
#[derive(Debug, Clone)]
pub(super) struct Other {
    pub(super) binding: Binding,
    pub(super) last_answer: Option<Stamp>,
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

/// What most hosts never need.
#[derive(Debug, Default)]
struct Rare {
    other: Option<Other>,
    conflict: Option<ConflictRecord>,
    penalty: Penalty,
}

/// The kernel has a neighbour entry for the host.
const IN_KERNEL: u8 = 1;
/// The host's route is advertised (on `iface`).
const ADVERTISED: u8 = 2;

#[derive(Debug)]
pub(super) struct Host {
    /// The primary binding's interface and MAC (a [`Binding`], unpacked
    /// so the small fields share its padding).
    pub(super) iface: Arc<str>,
    pub(super) mac: MacAddr,
    pub(super) state: HostState,
    flags: u8,
    /// Last proof of life, or when tracking (re)started: the liveness clock.
    pub(super) last_evidence: Stamp,
    pub(super) last_answer: Option<Stamp>,
    /// When the neighbour entry appeared, until the first advertisement.
    pub(super) seen_at: Option<Stamp>,
    /// When the current state was entered.
    pub(super) state_since: Stamp,
    /// The check queued in the heap for this host, if any.
    pub(super) next_check: Option<Stamp>,
    rare: Option<Box<Rare>>,
}

impl Host {
    /// A host just seen at `binding`, in the kernel's table.
    pub(super) fn new(binding: Binding, state: HostState, now: Stamp) -> Host {
        Host {
            iface: binding.iface,
            mac: binding.mac,
            state,
            flags: IN_KERNEL,
            last_evidence: now,
            last_answer: None,
            seen_at: Some(now),
            state_since: now,
            next_check: None,
            rare: None,
        }
    }

    /// The primary binding.
    pub(super) fn primary(&self) -> Binding {
        Binding {
            iface: self.iface.clone(),
            mac: self.mac,
        }
    }

    pub(super) fn is_primary(&self, b: &Binding) -> bool {
        self.mac == b.mac && self.iface == b.iface
    }

    /// Makes `to` the primary binding; returns the old one.
    pub(super) fn replace_primary(&mut self, to: Binding) -> Binding {
        let from = self.primary();
        self.iface = to.iface;
        self.mac = to.mac;
        from
    }

    pub(super) fn in_kernel(&self) -> bool {
        self.flags & IN_KERNEL != 0
    }

    pub(super) fn set_in_kernel(&mut self, on: bool) {
        self.set_flag(IN_KERNEL, on);
    }

    pub(super) fn is_advertised(&self) -> bool {
        self.flags & ADVERTISED != 0
    }

    fn set_flag(&mut self, flag: u8, on: bool) {
        if on {
            self.flags |= flag;
        } else {
            self.flags &= !flag;
        }
    }

    fn rare_mut(&mut self) -> &mut Rare {
        self.rare.get_or_insert_with(Box::default)
    }

    pub(super) fn other(&self) -> Option<&Other> {
        self.rare.as_ref().and_then(|r| r.other.as_ref())
    }

    pub(super) fn other_mut(&mut self) -> Option<&mut Other> {
        self.rare.as_mut().and_then(|r| r.other.as_mut())
    }

    pub(super) fn take_other(&mut self) -> Option<Other> {
        self.rare.as_mut().and_then(|r| r.other.take())
    }

    pub(super) fn set_other(&mut self, other: Other) {
        self.rare_mut().other = Some(other);
    }

    pub(super) fn conflict(&self) -> Option<&ConflictRecord> {
        self.rare.as_ref().and_then(|r| r.conflict.as_ref())
    }

    /// The conflict record, created if there is none yet.
    pub(super) fn conflict_mut(&mut self) -> &mut ConflictRecord {
        self.rare_mut()
            .conflict
            .get_or_insert_with(Default::default)
    }

    /// Clears the remote claim, if any.
    pub(super) fn clear_remote_conflict(&mut self) {
        if let Some(c) = self.rare.as_mut().and_then(|r| r.conflict.as_mut()) {
            c.remote = None;
        }
    }

    pub(super) fn penalty(&self) -> Penalty {
        self.rare.as_ref().map(|r| r.penalty).unwrap_or_default()
    }

    pub(super) fn penalty_mut(&mut self) -> &mut Penalty {
        &mut self.rare_mut().penalty
    }

    pub(super) fn conflict_remote(&self) -> Option<&String> {
        self.conflict().and_then(|c| c.remote.as_ref())
    }

    /// Records proof of life from the primary binding; returns whether the
    /// state must change (a probing or dead host came alive).
    pub(super) fn heard(&mut self, now: Stamp) -> bool {
        self.last_answer = Some(now);
        self.last_evidence = now;
        matches!(self.state, HostState::Probing | HostState::Dead)
    }

    pub(super) fn enter(&mut self, state: HostState, now: Stamp) {
        self.state = state;
        self.state_since = now;
    }

    pub(super) fn primary_is_live(&self, policy: &HostPolicy, now: Stamp) -> bool {
        matches!(self.state, HostState::Alive | HostState::HeldDown)
            && self
                .last_answer
                .is_some_and(|t| now < t + policy.dead_after())
    }

    pub(super) fn advertise(&mut self, ip: IpAddr, now: Stamp, out: &mut Vec<Action>) {
        if self.is_advertised() {
            return;
        }
        self.set_flag(ADVERTISED, true);
        let since_seen = self
            .seen_at
            .take()
            .map(|t| now.saturating_duration_since(t));
        out.push(Action::Advertise {
            ip,
            iface: self.iface.clone(),
            since_seen,
        });
    }

    /// Withdraws the route, advertised on `iface`.
    pub(super) fn withdraw_from(&mut self, ip: IpAddr, iface: &Arc<str>, out: &mut Vec<Action>) {
        if self.is_advertised() {
            self.set_flag(ADVERTISED, false);
            out.push(Action::Withdraw {
                ip,
                iface: iface.clone(),
            });
        }
    }

    pub(super) fn withdraw(&mut self, ip: IpAddr, out: &mut Vec<Action>) {
        let iface = self.iface.clone();
        self.withdraw_from(ip, &iface, out);
    }

    pub(super) fn view(&self, ip: IpAddr, policy: &HostPolicy, now: Stamp) -> HostView {
        let silent = now.saturating_duration_since(self.last_evidence);
        let misses = if matches!(self.state, HostState::LinkDown) {
            0
        } else {
            let interval = policy.probe_interval.as_nanos().max(1);
            u32::try_from(silent.as_nanos() / interval).unwrap_or(u32::MAX)
        };
        HostView {
            ip: ip.to_string(),
            mac: self.mac.to_string(),
            interface: self.iface.to_string(),
            state: self.state,
            advertised: self.is_advertised(),
            last_answer_ms: self.last_answer.map(|t| {
                u64::try_from(now.saturating_duration_since(t).as_millis()).unwrap_or(u64::MAX)
            }),
            misses,
            conflicts: self.conflict().map_or(0, |c| c.count),
            conflict_mac: self.conflict().and_then(|c| c.mac).map(|m| m.to_string()),
            conflict_remote: self.conflict_remote().cloned(),
            penalty: self.penalty().value(&policy.flap, now).round() as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_record_stays_small() {
        assert!(
            std::mem::size_of::<Host>() <= 72,
            "{}",
            std::mem::size_of::<Host>()
        );
        assert!(std::mem::size_of::<(IpAddr, Host)>() <= 96);
    }
}
