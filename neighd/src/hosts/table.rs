//! The host table: every tracked host, its liveness state, and the actions
//! (advertise, withdraw, probe) its changes call for. Sans-IO: callers pass
//! the time with every input and carry out the returned [`Action`]s.

use std::cmp::Reverse;
use std::collections::hash_map::Entry;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use super::actions::{Action, Binding, Note};
use super::clock::{Clock, Stamp};
use super::host::{Host, Other};
use super::policy::HostPolicy;
use crate::status::{HostState, HostView};

/// foldhash: the host map is looked up once per probe answer (100,000 a
/// second), and SipHash's flood resistance buys nothing for addresses the
/// kernel and our own filter admitted.
type FastHash = foldhash::fast::RandomState;

/// The host table. See the module documentation.
#[derive(Debug)]
pub struct HostTable {
    policy: HostPolicy,
    hosts: HashMap<IpAddr, Host, FastHash>,
    checks: BinaryHeap<Reverse<(Stamp, IpAddr)>>,
    links_down: HashSet<Arc<str>>,
    clock: Clock,
}

impl HostTable {
    /// An empty table.
    pub fn new(policy: HostPolicy) -> HostTable {
        HostTable {
            policy,
            hosts: HashMap::default(),
            checks: BinaryHeap::new(),
            links_down: HashSet::new(),
            clock: Clock::new(),
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> &HostPolicy {
        &self.policy
    }

    /// Changes the timing rules (config reload); deadlines follow at the next check.
    pub fn set_policy(&mut self, policy: HostPolicy, now: Instant) {
        self.policy = policy;
        let now = self.clock.stamp(now);
        let ips: Vec<IpAddr> = self.hosts.keys().copied().collect();
        for ip in ips {
            self.schedule(ip, now);
        }
    }

    /// Number of hosts tracked.
    pub fn len(&self) -> usize {
        self.hosts.len()
    }

    /// Entries in the check heap (stale ones included).
    #[cfg(test)]
    pub(crate) fn queued_checks(&self) -> usize {
        self.checks.len()
    }

    /// Whether no host is tracked.
    pub fn is_empty(&self) -> bool {
        self.hosts.is_empty()
    }

    /// Whether `ip`'s route is advertised now.
    pub fn is_advertised(&self, ip: IpAddr) -> bool {
        self.hosts.get(&ip).is_some_and(Host::is_advertised)
    }

    /// The state of `ip`, if tracked.
    pub fn state(&self, ip: IpAddr) -> Option<HostState> {
        self.hosts.get(&ip).map(|h| h.state)
    }

    /// Every advertised host with its interface.
    pub fn advertised(&self) -> impl Iterator<Item = (IpAddr, &Arc<str>)> + '_ {
        self.hosts
            .iter()
            .filter(|(_, h)| h.is_advertised())
            .map(|(ip, h)| (*ip, &h.iface))
    }

    /// Every probe target: the primary binding of each host, and a second
    /// claimant on another port (to re-add them to a new prober).
    pub fn targets(&self) -> Vec<(IpAddr, Binding)> {
        let mut out = Vec::with_capacity(self.hosts.len());
        for (ip, h) in &self.hosts {
            out.push((*ip, h.primary()));
            if let Some(other) = h.other().filter(|o| o.binding.iface != h.iface) {
                out.push((*ip, other.binding.clone()));
            }
        }
        out
    }

    /// The primary binding of every host that is not dead: what a restart
    /// must not forget.
    pub fn known_bindings(&self) -> Vec<(IpAddr, Binding)> {
        self.hosts
            .iter()
            .filter(|(_, h)| h.state != HostState::Dead)
            .map(|(ip, h)| (*ip, h.primary()))
            .collect()
    }

    /// The tracked addresses for which `keep` is true.
    pub fn addresses_where(&self, mut keep: impl FnMut(IpAddr) -> bool) -> Vec<IpAddr> {
        self.hosts.keys().copied().filter(|ip| keep(*ip)).collect()
    }

    /// The kernel reports a usable neighbour entry for `ip` at `binding`;
    /// `confirmed` when the kernel itself just saw it reachable.
    pub fn neighbour(
        &mut self,
        now: Instant,
        ip: IpAddr,
        binding: Binding,
        confirmed: bool,
        out: &mut Vec<Action>,
    ) {
        let now = self.clock.stamp(now);
        let link_down = self.links_down.contains(&binding.iface);
        match self.hosts.entry(ip) {
            Entry::Vacant(slot) => {
                let state = if link_down {
                    HostState::LinkDown
                } else {
                    HostState::Probing
                };
                slot.insert(Host::new(binding.clone(), state, now));
                out.push(Action::Probe {
                    iface: binding.iface,
                    ip,
                    mac: binding.mac,
                });
                if confirmed && !link_down {
                    self.evidence(now, ip, out);
                } else {
                    self.schedule(ip, now);
                }
            }
            Entry::Occupied(mut slot) => {
                let host = slot.get_mut();
                host.set_in_kernel(true);
                if host.is_primary(&binding) {
                    if confirmed {
                        self.evidence(now, ip, out);
                    }
                    return;
                }
                if host.primary_is_live(&self.policy, now) {
                    self.claim(now, ip, binding, confirmed, out);
                } else {
                    self.rebind(now, ip, binding, out);
                    if confirmed {
                        self.evidence(now, ip, out);
                    }
                }
            }
        }
    }

    /// The kernel removed (or failed) its neighbour entry for `ip`. The host
    /// stays tracked while it answers probes; a dead one is forgotten now.
    pub fn neighbour_gone(&mut self, _now: Instant, ip: IpAddr, out: &mut Vec<Action>) {
        let Some(host) = self.hosts.get_mut(&ip) else {
            return;
        };
        host.set_in_kernel(false);
        if host.state == HostState::Dead {
            self.forget(ip, out);
        }
    }

    /// `ip` answered a probe or announced itself from `binding`.
    pub fn answered(&mut self, now: Instant, ip: IpAddr, binding: &Binding, out: &mut Vec<Action>) {
        let now = self.clock.stamp(now);
        let Some(host) = self.hosts.get_mut(&ip) else {
            return;
        };
        if host.is_primary(binding) {
            // The common case, 100,000 times a second: a live host answered.
            // One lookup, no state change, nothing to schedule.
            if host.heard(now) {
                self.evidence(now, ip, out);
            }
        } else {
            self.claimed_at(now, ip, binding.clone(), out);
        }
    }

    /// Someone at `binding` (not the probed MAC) answered or announced for `ip`.
    pub fn claimed(&mut self, now: Instant, ip: IpAddr, binding: Binding, out: &mut Vec<Action>) {
        let now = self.clock.stamp(now);
        self.claimed_at(now, ip, binding, out);
    }

    fn claimed_at(&mut self, now: Stamp, ip: IpAddr, binding: Binding, out: &mut Vec<Action>) {
        let Some(host) = self.hosts.get_mut(&ip) else {
            return;
        };
        if host.is_primary(&binding) {
            self.evidence(now, ip, out);
            return;
        }
        if host.primary_is_live(&self.policy, now) {
            self.claim(now, ip, binding, true, out);
        } else {
            self.rebind(now, ip, binding, out);
            self.evidence(now, ip, out);
        }
    }

    /// An interface went down (`up == false`) or came back.
    pub fn link(&mut self, now: Instant, iface: &Arc<str>, up: bool, out: &mut Vec<Action>) {
        let now = self.clock.stamp(now);
        let changed = if up {
            self.links_down.remove(iface)
        } else {
            self.links_down.insert(iface.clone())
        };
        if !changed {
            return;
        }
        let affected: Vec<IpAddr> = self
            .hosts
            .iter()
            .filter(|(_, h)| {
                h.iface == *iface || h.other().is_some_and(|o| o.binding.iface == *iface)
            })
            .map(|(ip, _)| *ip)
            .collect();
        for ip in affected {
            let Some(host) = self.hosts.get_mut(&ip) else {
                continue;
            };
            if host.iface != *iface {
                if !up {
                    host.take_other();
                }
                continue;
            }
            if up {
                if host.state == HostState::LinkDown {
                    host.enter(HostState::Probing, now);
                    host.last_evidence = now;
                    self.schedule(ip, now);
                }
            } else {
                host.withdraw(ip, out);
                host.enter(HostState::LinkDown, now);
                host.take_other();
                self.schedule(ip, now);
            }
        }
    }

    /// Stops tracking every host for which `drop` is true (an interface or
    /// prefix no longer watched), withdrawing their routes.
    pub fn forget_where(
        &mut self,
        mut drop: impl FnMut(IpAddr, &Binding) -> bool,
        out: &mut Vec<Action>,
    ) {
        let gone: Vec<IpAddr> = self
            .hosts
            .iter()
            .filter(|(ip, h)| drop(**ip, &h.primary()))
            .map(|(ip, _)| *ip)
            .collect();
        for ip in gone {
            self.forget(ip, out);
        }
    }

    /// Which host addresses other routers advertise too (from the BGP
    /// speaker's contested prefixes): each new claim is a conflict, logged
    /// once and counted; a claim that went away is cleared. Routes stay.
    pub fn remote_claims(&mut self, claims: &HashMap<IpAddr, String>, out: &mut Vec<Action>) {
        for (ip, host) in &mut self.hosts {
            match claims.get(ip) {
                Some(from) if host.conflict_remote() != Some(from) => {
                    let record = host.conflict_mut();
                    record.count += 1;
                    record.remote = Some(from.clone());
                    out.push(Action::Note(Note::RemoteConflict {
                        ip: *ip,
                        from: from.clone(),
                    }));
                }
                Some(_) => {}
                None => host.clear_remote_conflict(),
            }
        }
    }

    /// When [`HostTable::on_timer`] must next be called.
    pub fn next_deadline(&mut self) -> Option<Instant> {
        while let Some(Reverse((at, ip))) = self.checks.peek().copied() {
            if self
                .hosts
                .get(&ip)
                .is_some_and(|h| h.next_check == Some(at))
            {
                return Some(self.clock.instant(at));
            }
            self.checks.pop();
        }
        None
    }

    /// Runs every check due at `now`.
    pub fn on_timer(&mut self, now: Instant, out: &mut Vec<Action>) {
        let now = self.clock.stamp(now);
        let mut due = Vec::new();
        while let Some(Reverse((at, ip))) = self.checks.peek().copied() {
            if at > now {
                break;
            }
            self.checks.pop();
            if let Some(host) = self.hosts.get_mut(&ip) {
                if host.next_check == Some(at) {
                    host.next_check = None;
                    due.push(ip);
                }
            }
        }
        // Checks scheduled by these run at the next call, never in this loop.
        for ip in due {
            self.check(now, ip, out);
        }
    }

    /// Hosts by state, for metrics.
    pub fn counts(&self) -> [(HostState, u64); 5] {
        let mut counts = [
            (HostState::Probing, 0),
            (HostState::Alive, 0),
            (HostState::Dead, 0),
            (HostState::HeldDown, 0),
            (HostState::LinkDown, 0),
        ];
        for host in self.hosts.values() {
            if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == host.state) {
                slot.1 += 1;
            }
        }
        counts
    }

    /// What `neighctl show hosts` shows, sorted by address.
    pub fn views(&self, now: Instant) -> Vec<HostView> {
        let now = self.clock.stamp(now);
        let mut views: Vec<(IpAddr, HostView)> = self
            .hosts
            .iter()
            .map(|(ip, h)| (*ip, h.view(*ip, &self.policy, now)))
            .collect();
        views.sort_by_key(|(ip, _)| *ip);
        views.into_iter().map(|(_, v)| v).collect()
    }

    /// Proof of life from the primary binding.
    fn evidence(&mut self, now: Stamp, ip: IpAddr, out: &mut Vec<Action>) {
        let policy = &self.policy;
        let Some(host) = self.hosts.get_mut(&ip) else {
            return;
        };
        host.heard(now);
        match host.state {
            HostState::Alive | HostState::HeldDown | HostState::LinkDown => return,
            HostState::Probing => {
                host.enter(HostState::Alive, now);
                host.advertise(ip, now, out);
            }
            HostState::Dead => {
                let held_down = host.penalty().suppresses(&policy.flap, now);
                out.push(Action::Note(Note::Returned { ip, held_down }));
                if held_down {
                    host.enter(HostState::HeldDown, now);
                } else {
                    host.enter(HostState::Alive, now);
                    host.advertise(ip, now, out);
                }
            }
        }
        self.schedule(ip, now);
    }

    /// A second claimant while the primary is alive: a conflict, logged once
    /// per claimant, watched in case it is a move.
    fn claim(
        &mut self,
        now: Stamp,
        ip: IpAddr,
        binding: Binding,
        answered: bool,
        out: &mut Vec<Action>,
    ) {
        let Some(host) = self.hosts.get_mut(&ip) else {
            return;
        };
        let record = host.conflict_mut();
        if record.logged.insert(binding.clone()) {
            record.count += 1;
            record.mac = Some(binding.mac);
            out.push(Action::Note(Note::Conflict {
                ip,
                kept: host.primary(),
                other: binding.clone(),
            }));
        }
        let last_answer = answered.then_some(now);
        match host.other_mut() {
            Some(other) if other.binding == binding => {
                if answered {
                    other.last_answer = last_answer;
                }
            }
            _ => {
                // The prober keeps one target per (interface, address): a
                // claimant on another port is probed too; one on the same
                // port shows itself through the prober's conflict reports.
                if binding.iface != host.iface {
                    out.push(Action::Probe {
                        iface: binding.iface.clone(),
                        ip,
                        mac: binding.mac,
                    });
                }
                if let Some(old) = host.take_other() {
                    if old.binding.iface != host.iface && old.binding.iface != binding.iface {
                        out.push(Action::StopProbe {
                            iface: old.binding.iface,
                            ip,
                        });
                    }
                }
                host.set_other(Other {
                    binding,
                    last_answer,
                });
            }
        }
    }

    /// The primary binding is replaced (it was not live, or the host moved).
    fn rebind(&mut self, now: Stamp, ip: IpAddr, to: Binding, out: &mut Vec<Action>) {
        let link_down = self.links_down.contains(&to.iface);
        let Some(host) = self.hosts.get_mut(&ip) else {
            return;
        };
        let from = host.replace_primary(to.clone());
        if from.iface != to.iface {
            let keep_old_target = host.other().is_some_and(|o| o.binding.iface == from.iface);
            if !keep_old_target {
                out.push(Action::StopProbe {
                    iface: from.iface.clone(),
                    ip,
                });
            }
        }
        if host.other().is_some_and(|o| o.binding == to) {
            host.take_other();
        }
        out.push(Action::Probe {
            iface: to.iface.clone(),
            ip,
            mac: to.mac,
        });
        if link_down {
            host.withdraw_from(ip, &from.iface, out);
            host.enter(HostState::LinkDown, now);
        } else if host.state == HostState::LinkDown {
            host.enter(HostState::Probing, now);
            host.last_evidence = now;
        }
        if host.is_advertised() && from.iface != to.iface {
            out.push(Action::Advertise {
                ip,
                iface: to.iface.clone(),
                since_seen: None,
            });
        }
        out.push(Action::Note(Note::Moved { ip, from, to }));
        self.schedule(ip, now);
    }

    /// A scheduled check of one host.
    fn check(&mut self, now: Stamp, ip: IpAddr, out: &mut Vec<Action>) {
        let policy = &self.policy;
        let Some(host) = self.hosts.get_mut(&ip) else {
            return;
        };
        let silent = now >= host.last_evidence + policy.dead_after();
        match host.state {
            HostState::Probing | HostState::Alive | HostState::HeldDown if silent => {
                let other_live = host
                    .other()
                    .filter(|o| o.last_answer.is_some_and(|t| now < t + policy.dead_after()))
                    .is_some();
                if let Some(other) = host.take_other().filter(|_| other_live) {
                    host.last_evidence = other.last_answer.unwrap_or(now);
                    host.last_answer = other.last_answer;
                    return self.rebind(now, ip, other.binding, out);
                }
                if host.state == HostState::Alive {
                    host.penalty_mut().add(&policy.flap, now);
                    out.push(Action::Note(Note::Died {
                        ip,
                        iface: host.iface.clone(),
                    }));
                }
                host.withdraw(ip, out);
                host.enter(HostState::Dead, now);
                if !host.in_kernel() && host.last_answer.is_none() {
                    return self.forget(ip, out);
                }
            }
            HostState::HeldDown => {
                let held_for = now.saturating_duration_since(host.state_since);
                if now >= host.penalty().reuse_at(&policy.flap, now)
                    || held_for >= policy.flap.max_hold
                {
                    host.enter(HostState::Alive, now);
                    host.advertise(ip, now, out);
                    out.push(Action::Note(Note::Released { ip }));
                }
            }
            HostState::Dead | HostState::LinkDown => {
                if now >= host.state_since + policy.dead_retention {
                    return self.forget(ip, out);
                }
            }
            HostState::Probing | HostState::Alive => {}
        }
        self.schedule(ip, now);
    }

    /// Puts the host's next check in the heap.
    fn schedule(&mut self, ip: IpAddr, now: Stamp) {
        let policy = &self.policy;
        let Some(host) = self.hosts.get_mut(&ip) else {
            return;
        };
        let at = match host.state {
            HostState::Probing | HostState::Alive => host.last_evidence + policy.dead_after(),
            HostState::HeldDown => {
                let reuse = host.penalty().reuse_at(&policy.flap, now);
                let cap = host.state_since + policy.flap.max_hold;
                (host.last_evidence + policy.dead_after())
                    .min(reuse)
                    .min(cap)
            }
            HostState::Dead | HostState::LinkDown => host.state_since + policy.dead_retention,
        }
        .max(now);
        // An earlier check already queued re-evaluates the host and
        // schedules the next one itself: one heap entry per host.
        if host.next_check.is_some_and(|queued| queued <= at) {
            return;
        }
        host.next_check = Some(at);
        self.checks.push(Reverse((at, ip)));
    }

    fn forget(&mut self, ip: IpAddr, out: &mut Vec<Action>) {
        let Some(mut host) = self.hosts.remove(&ip) else {
            return;
        };
        host.withdraw(ip, out);
        out.push(Action::StopProbe {
            iface: host.iface.clone(),
            ip,
        });
        if let Some(other) = host.take_other() {
            if other.binding.iface != host.iface {
                out.push(Action::StopProbe {
                    iface: other.binding.iface,
                    ip,
                });
            }
        }
        out.push(Action::Note(Note::Forgotten { ip }));
    }
}
