//! The host table under a fake clock: appear, confirm, miss, die, return,
//! flap, move, conflict, interface down.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arpprobe::MacAddr;

use super::*;
use crate::config::FlapDamping;
use crate::status::HostState;

const MS: Duration = Duration::from_millis(1);

fn policy() -> HostPolicy {
    HostPolicy {
        probe_interval: Duration::from_secs(1),
        probe_misses: 3,
        reply_grace: Duration::from_millis(20),
        dead_retention: Duration::from_secs(600),
        flap: FlapDamping {
            enabled: true,
            penalty: 1000,
            suppress: 2000,
            reuse: 750,
            half_life: Duration::from_secs(15),
            max_hold: Duration::from_secs(120),
        },
    }
}

/// A table with a clock that only moves when told, and the actions so far.
struct Bench {
    table: HostTable,
    now: Instant,
    out: Vec<Action>,
}

impl Bench {
    fn new() -> Bench {
        Bench {
            table: HostTable::new(policy()),
            now: Instant::now(),
            out: Vec::new(),
        }
    }

    /// Moves the clock, running every check that falls due on the way.
    fn advance(&mut self, by: Duration) {
        let end = self.now + by;
        while let Some(at) = self.table.next_deadline() {
            if at > end {
                break;
            }
            self.now = self.now.max(at);
            self.table.on_timer(self.now, &mut self.out);
        }
        self.now = end;
    }

    /// Answers from `b` every second for `secs` seconds.
    fn answering(&mut self, ip: IpAddr, b: &Binding, secs: u32) {
        for _ in 0..secs {
            self.advance(Duration::from_secs(1));
            self.table.answered(self.now, ip, b, &mut self.out);
        }
    }

    fn take(&mut self) -> Vec<Action> {
        std::mem::take(&mut self.out)
    }

    fn neighbour(&mut self, ip: IpAddr, b: &Binding, confirmed: bool) {
        self.table
            .neighbour(self.now, ip, b.clone(), confirmed, &mut self.out);
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().expect("test address")
}

fn binding(iface: &str, mac: u8) -> Binding {
    Binding {
        iface: Arc::from(iface),
        mac: MacAddr([2, 0, 0, 0, 0, mac]),
    }
}

fn advertises(actions: &[Action]) -> Vec<(IpAddr, Arc<str>)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Advertise { ip, iface, .. } => Some((*ip, iface.clone())),
            _ => None,
        })
        .collect()
}

fn withdraws(actions: &[Action]) -> Vec<IpAddr> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Withdraw { ip, .. } => Some(*ip),
            _ => None,
        })
        .collect()
}

fn notes(actions: &[Action]) -> Vec<&Note> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Note(n) => Some(n),
            _ => None,
        })
        .collect()
}

#[test]
fn stale_entry_is_probed_and_advertised_on_its_first_answer() {
    let mut t = Bench::new();
    let (h, b) = (ip("172.16.1.11"), binding("swp1", 1));
    t.neighbour(h, &b, false);
    let acts = t.take();
    assert_eq!(
        acts,
        vec![Action::Probe {
            iface: b.iface.clone(),
            ip: h,
            mac: b.mac
        }]
    );
    assert_eq!(t.table.state(h), Some(HostState::Probing));
    t.advance(300 * MS);
    t.table.answered(t.now, h, &b, &mut t.out);
    let acts = t.take();
    assert_eq!(advertises(&acts), vec![(h, b.iface.clone())]);
    let since = acts.iter().find_map(|a| match a {
        Action::Advertise { since_seen, .. } => *since_seen,
        _ => None,
    });
    assert_eq!(since, Some(300 * MS));
    assert_eq!(t.table.state(h), Some(HostState::Alive));
}

#[test]
fn reachable_entry_is_advertised_at_once() {
    let mut t = Bench::new();
    let (h, b) = (ip("172.16.1.12"), binding("swp1", 2));
    t.neighbour(h, &b, true);
    let acts = t.take();
    assert_eq!(advertises(&acts), vec![(h, b.iface.clone())]);
    assert!(t.table.is_advertised(h));
}

#[test]
fn silent_host_dies_after_interval_times_misses_plus_grace_not_before() {
    let mut t = Bench::new();
    let (h, b) = (ip("172.16.1.13"), binding("swp1", 3));
    t.neighbour(h, &b, true);
    t.answering(h, &b, 5);
    t.take();
    // Last answer at t; dead at t + 3 s + 20 ms.
    t.advance(3000 * MS + 19 * MS);
    assert!(withdraws(&t.take()).is_empty());
    assert_eq!(t.table.state(h), Some(HostState::Alive));
    t.advance(MS);
    let acts = t.take();
    assert_eq!(withdraws(&acts), vec![h]);
    assert!(matches!(notes(&acts)[..], [Note::Died { .. }]));
    assert_eq!(t.table.state(h), Some(HostState::Dead));
    assert!(!t.table.is_advertised(h));
}

#[test]
fn misses_shown_while_silent() {
    let mut t = Bench::new();
    let (h, b) = (ip("172.16.1.14"), binding("swp1", 4));
    t.neighbour(h, &b, true);
    t.advance(2100 * MS);
    let view = &t.table.views(t.now)[0];
    assert_eq!(view.misses, 2);
    assert_eq!(view.last_answer_ms, Some(2100));
    assert_eq!(view.state, HostState::Alive);
}

#[test]
fn dead_host_that_answers_again_comes_back() {
    let mut t = Bench::new();
    let (h, b) = (ip("172.16.1.21"), binding("swp2", 5));
    t.neighbour(h, &b, true);
    t.advance(Duration::from_secs(4));
    assert_eq!(t.table.state(h), Some(HostState::Dead));
    t.take();
    t.table.answered(t.now, h, &b, &mut t.out);
    let acts = t.take();
    assert_eq!(advertises(&acts), vec![(h, b.iface.clone())]);
    assert!(matches!(
        notes(&acts)[..],
        [Note::Returned {
            held_down: false,
            ..
        }]
    ));
    assert_eq!(t.table.state(h), Some(HostState::Alive));
}

#[test]
fn never_confirmed_host_is_not_advertised_and_dies_quietly() {
    let mut t = Bench::new();
    let (h, b) = (ip("172.16.1.22"), binding("swp2", 6));
    t.neighbour(h, &b, false);
    t.advance(Duration::from_secs(5));
    let acts = t.take();
    assert!(advertises(&acts).is_empty());
    assert!(withdraws(&acts).is_empty());
    assert!(!notes(&acts).iter().any(|n| matches!(n, Note::Died { .. })));
    assert_eq!(t.table.state(h), Some(HostState::Dead));
}

#[test]
fn flapping_host_is_held_down_then_released() {
    let mut t = Bench::new();
    let (h, b) = (ip("172.16.1.23"), binding("swp2", 7));
    t.neighbour(h, &b, true);
    // Three deaths in quick succession.
    for _ in 0..3 {
        t.advance(Duration::from_secs(4));
        assert_eq!(t.table.state(h), Some(HostState::Dead));
        t.table.answered(t.now, h, &b, &mut t.out);
    }
    assert_eq!(t.table.state(h), Some(HostState::HeldDown));
    assert!(!t.table.is_advertised(h));
    let acts = t.take();
    assert!(notes(&acts).iter().any(|n| matches!(
        n,
        Note::Returned {
            held_down: true,
            ..
        }
    )));
    // It keeps answering; after the penalty decays it is advertised again.
    t.answering(h, &b, 10);
    assert_eq!(t.table.state(h), Some(HostState::HeldDown));
    assert!(advertises(&t.take()).is_empty());
    t.answering(h, &b, 30);
    assert_eq!(t.table.state(h), Some(HostState::Alive));
    let acts = t.take();
    assert_eq!(advertises(&acts), vec![(h, b.iface.clone())]);
    assert!(notes(&acts)
        .iter()
        .any(|n| matches!(n, Note::Released { .. })));
}

#[test]
fn held_down_host_that_dies_stays_withdrawn() {
    let mut t = Bench::new();
    let (h, b) = (ip("172.16.1.24"), binding("swp2", 8));
    t.neighbour(h, &b, true);
    for _ in 0..3 {
        t.advance(Duration::from_secs(4));
        t.table.answered(t.now, h, &b, &mut t.out);
    }
    assert_eq!(t.table.state(h), Some(HostState::HeldDown));
    t.take();
    t.advance(Duration::from_secs(4));
    assert_eq!(t.table.state(h), Some(HostState::Dead));
    let acts = t.take();
    assert!(withdraws(&acts).is_empty(), "was never re-advertised");
}

#[test]
fn move_to_another_port_keeps_the_route_up() {
    let mut t = Bench::new();
    let h = ip("172.16.1.31");
    let (old, new) = (binding("swp1", 9), binding("swp2", 9));
    t.neighbour(h, &old, true);
    t.answering(h, &old, 2);
    t.take();
    // The host appears on swp2 while swp1 still looks alive: a conflict,
    // and swp2 is probed too.
    t.neighbour(h, &new, true);
    let acts = t.take();
    assert!(matches!(notes(&acts)[..], [Note::Conflict { .. }]));
    assert!(acts.contains(&Action::Probe {
        iface: new.iface.clone(),
        ip: h,
        mac: new.mac
    }));
    // Only swp2 answers from now on.
    t.answering(h, &new, 5);
    let acts = t.take();
    assert!(
        withdraws(&acts).is_empty(),
        "the route must not flap: {acts:?}"
    );
    assert_eq!(advertises(&acts), vec![(h, new.iface.clone())]);
    assert!(notes(&acts).iter().any(|n| matches!(n, Note::Moved { .. })));
    assert!(acts.contains(&Action::StopProbe {
        iface: old.iface.clone(),
        ip: h
    }));
    assert_eq!(t.table.state(h), Some(HostState::Alive));
    assert_eq!(t.table.views(t.now)[0].interface, "swp2");
}

#[test]
fn two_macs_answering_is_one_logged_conflict_and_no_flap() {
    let mut t = Bench::new();
    let h = ip("172.16.1.32");
    let (a, b) = (binding("swp1", 10), binding("swp1", 11));
    t.neighbour(h, &a, true);
    t.take();
    for _ in 0..10 {
        t.advance(Duration::from_secs(1));
        t.table.answered(t.now, h, &a, &mut t.out);
        t.table.claimed(t.now, h, b.clone(), &mut t.out);
    }
    let acts = t.take();
    let conflicts = notes(&acts)
        .iter()
        .filter(|n| matches!(n, Note::Conflict { .. }))
        .count();
    assert_eq!(conflicts, 1, "logged once");
    assert!(withdraws(&acts).is_empty());
    assert!(advertises(&acts).is_empty());
    let view = &t.table.views(t.now)[0];
    assert_eq!(view.conflicts, 1);
    assert_eq!(view.conflict_mac.as_deref(), Some("02:00:00:00:00:0b"));
    assert_eq!(view.mac, "02:00:00:00:00:0a");
}

#[test]
fn new_mac_on_same_port_after_the_old_one_died_is_taken_over() {
    let mut t = Bench::new();
    let h = ip("172.16.1.33");
    let (a, b) = (binding("swp1", 12), binding("swp1", 13));
    t.neighbour(h, &a, true);
    t.advance(Duration::from_secs(4));
    assert_eq!(t.table.state(h), Some(HostState::Dead));
    t.take();
    // A re-created container: same address, new MAC.
    t.neighbour(h, &b, true);
    let acts = t.take();
    assert!(acts.contains(&Action::Probe {
        iface: b.iface.clone(),
        ip: h,
        mac: b.mac
    }));
    assert_eq!(advertises(&acts), vec![(h, b.iface.clone())]);
    assert_eq!(t.table.views(t.now)[0].mac, "02:00:00:00:00:0d");
}

#[test]
fn interface_down_withdraws_at_once_and_up_needs_a_fresh_answer() {
    let mut t = Bench::new();
    let swp1: Arc<str> = Arc::from("swp1");
    let (h1, h2, h3) = (ip("172.16.1.41"), ip("172.16.1.42"), ip("172.16.1.43"));
    t.neighbour(h1, &binding("swp1", 14), true);
    t.neighbour(h2, &binding("swp1", 15), true);
    t.neighbour(h3, &binding("swp2", 16), true);
    t.take();
    t.table.link(t.now, &swp1, false, &mut t.out);
    let mut gone = withdraws(&t.take());
    gone.sort();
    assert_eq!(gone, vec![h1, h2]);
    assert_eq!(t.table.state(h1), Some(HostState::LinkDown));
    assert_eq!(t.table.state(h3), Some(HostState::Alive));
    // Kernel flushes the entries of a downed link: the hosts stay known.
    t.table.neighbour_gone(t.now, h1, &mut t.out);
    t.advance(Duration::from_secs(30));
    assert_eq!(t.table.state(h1), Some(HostState::LinkDown));
    t.take();
    t.table.link(t.now, &swp1, true, &mut t.out);
    assert_eq!(t.table.state(h1), Some(HostState::Probing));
    assert!(advertises(&t.take()).is_empty());
    t.table
        .answered(t.now, h1, &binding("swp1", 14), &mut t.out);
    assert_eq!(advertises(&t.take()), vec![(h1, swp1.clone())]);
}

#[test]
fn dead_host_whose_entry_is_removed_is_forgotten() {
    let mut t = Bench::new();
    let (h, b) = (ip("172.16.1.51"), binding("swp1", 17));
    t.neighbour(h, &b, true);
    t.advance(Duration::from_secs(4));
    t.take();
    t.table.neighbour_gone(t.now, h, &mut t.out);
    let acts = t.take();
    assert!(acts.contains(&Action::StopProbe {
        iface: b.iface.clone(),
        ip: h
    }));
    assert_eq!(t.table.state(h), None);
    assert!(t.table.is_empty());
}

#[test]
fn alive_host_whose_entry_is_removed_stays_while_it_answers() {
    let mut t = Bench::new();
    let (h, b) = (ip("172.16.1.52"), binding("swp1", 18));
    t.neighbour(h, &b, true);
    t.table.neighbour_gone(t.now, h, &mut t.out);
    t.answering(h, &b, 10);
    assert_eq!(t.table.state(h), Some(HostState::Alive));
    assert!(withdraws(&t.take()).is_empty());
}

#[test]
fn dead_hosts_are_forgotten_after_the_retention() {
    let mut t = Bench::new();
    let (h, b) = (ip("172.16.1.53"), binding("swp1", 19));
    t.neighbour(h, &b, true);
    t.advance(Duration::from_secs(4));
    assert_eq!(t.table.state(h), Some(HostState::Dead));
    t.advance(Duration::from_secs(599));
    assert_eq!(t.table.state(h), Some(HostState::Dead));
    t.advance(Duration::from_secs(2));
    assert_eq!(t.table.state(h), None);
}

#[test]
fn counts_follow_states() {
    let mut t = Bench::new();
    t.neighbour(ip("10.0.0.1"), &binding("swp1", 1), true);
    t.neighbour(ip("10.0.0.2"), &binding("swp1", 2), false);
    let counts = t.table.counts();
    assert!(counts.contains(&(HostState::Alive, 1)));
    assert!(counts.contains(&(HostState::Probing, 1)));
}

#[test]
fn a_hundred_thousand_answering_hosts_keep_the_check_heap_small() {
    let mut t = Bench::new();
    let hosts: Vec<(IpAddr, Binding)> = (0..100_000u32)
        .map(|i| {
            let [_, b, c, d] = i.to_be_bytes();
            (IpAddr::from([10, b, c, d]), binding("swp1", d))
        })
        .collect();
    for (h, b) in &hosts {
        t.neighbour(*h, b, true);
    }
    for _ in 0..5 {
        t.advance(Duration::from_secs(1));
        for (h, b) in &hosts {
            t.table.answered(t.now, *h, b, &mut t.out);
        }
    }
    assert!(withdraws(&t.take()).is_empty());
    assert!(
        t.table.queued_checks() <= hosts.len() + hosts.len() / 10,
        "{} checks queued",
        t.table.queued_checks()
    );
}

#[test]
fn another_rack_advertising_the_address_is_a_conflict_logged_once() {
    let mut t = Bench::new();
    let (h, b) = (ip("172.16.1.61"), binding("swp1", 20));
    t.neighbour(h, &b, true);
    t.take();
    let claims = std::collections::HashMap::from([(h, "swp51 (65020 65014)".to_string())]);
    for _ in 0..3 {
        t.table.remote_claims(&claims, &mut t.out);
    }
    let acts = t.take();
    assert_eq!(
        notes(&acts)
            .iter()
            .filter(|n| matches!(n, Note::RemoteConflict { .. }))
            .count(),
        1
    );
    assert!(withdraws(&acts).is_empty(), "the route stays");
    let view = &t.table.views(t.now)[0];
    assert_eq!(view.conflicts, 1);
    assert_eq!(view.conflict_remote.as_deref(), Some("swp51 (65020 65014)"));
    t.table
        .remote_claims(&std::collections::HashMap::new(), &mut t.out);
    assert_eq!(t.table.views(t.now)[0].conflict_remote, None);
    assert_eq!(t.table.views(t.now)[0].conflicts, 1);
}
