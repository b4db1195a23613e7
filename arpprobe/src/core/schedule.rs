//! The probe schedule: every target once per interval, spread evenly.
//!
//! Targets live in one vector split by a cursor into the part already probed
//! this round and the part still pending. Sending is paced by a credit that
//! grows by `targets × elapsed` and pays `interval` per probe, so the rate is
//! `targets / interval` at every moment, with no bursts even when targets are
//! added mid-round. Removal keeps both parts intact, so nobody is skipped or
//! probed twice in a round. Everything is O(1) per operation.
//!
//! Positions are `u32` and hashed with foldhash: at 100,000 targets the
//! index is a lookup per answer, and SipHash's flood resistance buys nothing
//! for keys the user added.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

type FastHash = foldhash::fast::RandomState;

#[derive(Debug)]
pub(crate) struct Schedule<K, E> {
    order: Vec<(K, E)>,
    pos: HashMap<K, u32, FastHash>,
    cursor: usize,
    interval: Duration,
    round_start: Option<Instant>,
    last: Option<Instant>,
    credit: u128,
    /// Just past where [`Schedule::get_mut_near`] last found its key.
    hint: usize,
}

/// How far past the hint [`Schedule::get_mut_near`] looks before hashing.
const NEAR: usize = 8;

impl<K: Copy + Eq + Hash, E> Schedule<K, E> {
    pub(crate) fn new(interval: Duration) -> Self {
        Schedule {
            order: Vec::new(),
            pos: HashMap::default(),
            cursor: 0,
            interval: interval.max(Duration::from_millis(1)),
            round_start: None,
            last: None,
            credit: 0,
            hint: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }

    fn index(&self, k: &K) -> Option<usize> {
        self.pos.get(k).map(|&i| i as usize)
    }

    pub(crate) fn get(&self, k: &K) -> Option<&E> {
        self.index(k).map(|i| &self.order[i].1)
    }

    /// The value of `k`, mutable. For keys that tend to come in the order of
    /// the schedule — answers return in the order their probes went out —
    /// so the next one is usually within a few places of the last: those
    /// places are compared first, which spares a random access into the
    /// index (a cache miss per answer at 100,000 targets).
    pub(crate) fn get_mut_near(&mut self, k: &K) -> Option<&mut E> {
        let start = self.hint.min(self.order.len());
        let end = (start + NEAR).min(self.order.len());
        let i = match (start..end).find(|&i| self.order[i].0 == *k) {
            Some(i) => i,
            None => self.index(k)?,
        };
        self.hint = i + 1;
        Some(&mut self.order[i].1)
    }

    /// Adds `k` (pending this round) or replaces its value. Returns true if
    /// new. At most `u32::MAX` targets: beyond that, `k` is not added.
    pub(crate) fn insert(&mut self, k: K, e: E) -> bool {
        if let Some(i) = self.index(&k) {
            self.order[i].1 = e;
            return false;
        }
        let Ok(i) = u32::try_from(self.order.len()) else {
            return false;
        };
        self.pos.insert(k, i);
        self.order.push((k, e));
        true
    }

    fn swap(&mut self, a: usize, b: usize) {
        if a != b {
            self.order.swap(a, b);
            // both below len, which fits in u32 (see `insert`)
            self.pos.insert(self.order[a].0, a as u32);
            self.pos.insert(self.order[b].0, b as u32);
        }
    }

    pub(crate) fn remove(&mut self, k: &K) -> Option<E> {
        let i = self.index(k)?;
        if i < self.cursor {
            // keep [0, cursor) = probed: fill the hole with the last probed one,
            // then move the last pending one into the slot that frees up
            self.swap(i, self.cursor - 1);
            self.cursor -= 1;
            let last = self.order.len() - 1;
            self.swap(self.cursor, last);
        } else {
            let last = self.order.len() - 1;
            self.swap(i, last);
        }
        let (key, e) = self.order.pop().expect("position was in the map");
        self.pos.remove(&key);
        Some(e)
    }

    /// Moves the round forward to `now` and calls `f` on each target due,
    /// at most `max` of them. Returns how many were due.
    pub(crate) fn poll(
        &mut self,
        now: Instant,
        max: usize,
        mut f: impl FnMut(&K, &mut E),
    ) -> usize {
        let len = self.order.len();
        if len == 0 {
            self.round_start = None;
            self.last = None;
            self.cursor = 0;
            self.credit = 0;
            return 0;
        }
        let start = *self.round_start.get_or_insert(now);
        let last = *self.last.get_or_insert(now);
        if self.cursor >= len {
            let end = start + self.interval;
            if now < end {
                self.credit = 0;
                self.last = Some(now);
                return 0;
            }
            // a new round; if we are far behind, start it now instead of catching up
            let new_start = if now.duration_since(end) > self.interval / 10 {
                now
            } else {
                end
            };
            self.round_start = Some(new_start);
            self.last = Some(new_start);
            self.cursor = 0;
            self.credit = 0;
        }
        let last = self.last.unwrap_or(last);
        let interval = self.interval.as_nanos();
        let dt = now.saturating_duration_since(last).as_nanos();
        self.last = Some(now.max(last));
        let cap = ((len as u128 / 10).max(64) + 1) * interval;
        self.credit = (self.credit + len as u128 * dt).min(cap);
        let pending = len - self.cursor;
        let n = usize::try_from(self.credit / interval)
            .unwrap_or(usize::MAX)
            .min(pending)
            .min(max);
        self.credit -= n as u128 * interval;
        for (k, e) in &mut self.order[self.cursor..self.cursor + n] {
            f(k, e);
        }
        self.cursor += n;
        if self.cursor >= len {
            self.credit = 0;
        }
        n
    }

    /// When [`Schedule::poll`] will next have something to do.
    pub(crate) fn next_wakeup(&self) -> Option<Instant> {
        let len = self.order.len();
        if len == 0 {
            return None;
        }
        let start = self.round_start?;
        if self.cursor >= len {
            return Some(start + self.interval);
        }
        let last = self.last?;
        let missing = self.interval.as_nanos().saturating_sub(self.credit);
        let wait = missing.div_ceil(len as u128);
        Some(last + Duration::from_nanos(u64::try_from(wait).unwrap_or(u64::MAX)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn spreads_one_round_evenly() {
        let t0 = Instant::now();
        let mut s: Schedule<u32, ()> = Schedule::new(ms(1000));
        for k in 0..1000 {
            s.insert(k, ());
        }
        let mut total = s.poll(t0, usize::MAX, |_, _| {});
        for step in 1..=1000u64 {
            let n = s.poll(t0 + ms(step), usize::MAX, |_, _| {});
            assert!(n <= 2, "burst of {n} at {step} ms");
            total += n;
        }
        assert_eq!(total, 1000);
        // nothing more until the round ends
        assert_eq!(s.next_wakeup(), Some(t0 + ms(1000)));
        // and the next round goes on at the same pace
        assert_eq!(s.poll(t0 + ms(1050), usize::MAX, |_, _| {}), 50);
        // a late poll catches up at most a tenth of a round (at least 64 probes)
        assert_eq!(s.poll(t0 + ms(1500), usize::MAX, |_, _| {}), 101);
        let rest: usize = (1501..=2349)
            .map(|t| s.poll(t0 + ms(t), usize::MAX, |_, _| {}))
            .sum();
        assert_eq!(rest, 1000 - 50 - 101);
        // that round overran its end by far: the next one starts afresh, no burst
        assert_eq!(s.poll(t0 + ms(2350), usize::MAX, |_, _| {}), 0);
        assert_eq!(s.poll(t0 + ms(2351), usize::MAX, |_, _| {}), 1);
    }

    #[test]
    fn next_wakeup_is_when_the_next_probe_is_due() {
        let t0 = Instant::now();
        let mut s: Schedule<u32, ()> = Schedule::new(ms(1000));
        for k in 0..4 {
            s.insert(k, ());
        }
        assert_eq!(s.poll(t0, 10, |_, _| {}), 0);
        let w = s.next_wakeup().unwrap();
        assert_eq!(w, t0 + ms(250));
        assert_eq!(s.poll(w, 10, |_, _| {}), 1);
    }

    #[test]
    fn a_lookup_near_the_last_one_finds_the_key_wherever_it_is() {
        let mut s: Schedule<u32, u32> = Schedule::new(ms(1000));
        for k in 0..100 {
            s.insert(k, k * 10);
        }
        // in order, out of order, far away, after a removal moved keys, and absent
        for k in [0, 1, 2, 5, 4, 90, 3, 99] {
            assert_eq!(s.get_mut_near(&k).copied(), Some(k * 10));
        }
        s.remove(&50);
        for k in (0..100).filter(|k| *k != 50) {
            assert_eq!(s.get_mut_near(&k).copied(), Some(k * 10), "{k}");
        }
        assert_eq!(s.get_mut_near(&50), None);
        *s.get_mut_near(&7).unwrap() = 1;
        assert_eq!(s.get(&7), Some(&1));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add(u8),
        Remove(u8),
        Advance(u16),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            any::<u8>().prop_map(Op::Add),
            any::<u8>().prop_map(Op::Remove),
            (1u16..400).prop_map(Op::Advance),
        ]
    }

    proptest! {
        /// Within a round, no target is probed twice; a target present for a
        /// whole round is probed in it; the number of probes in a step never
        /// exceeds the paced rate (plus one for rounding).
        #[test]
        fn each_target_once_per_round(ops in proptest::collection::vec(op(), 1..200)) {
            let interval = ms(1000);
            let t0 = Instant::now();
            let mut now = t0;
            let mut s: Schedule<u8, ()> = Schedule::new(interval);
            let mut present: HashSet<u8> = HashSet::new();
            let mut probed_this_round: HashSet<u8> = HashSet::new();
            let mut since_round_start: HashSet<u8> = HashSet::new();
            let mut round = s.round_start;
            for op in ops {
                match op {
                    Op::Add(k) => { s.insert(k, ()); present.insert(k); }
                    Op::Remove(k) => {
                        prop_assert_eq!(s.remove(&k).is_some(), present.remove(&k));
                        since_round_start.remove(&k);
                        probed_this_round.remove(&k);
                    }
                    Op::Advance(d) => {
                        let before = now;
                        now += ms(u64::from(d));
                        let len = s.len();
                        let mut seen = Vec::new();
                        let n = s.poll(now, usize::MAX, |k, _| seen.push(*k));
                        if s.round_start != round {
                            // a round finished: everyone present all along was probed
                            for k in &since_round_start {
                                prop_assert!(probed_this_round.contains(k) || !present.contains(k));
                            }
                            probed_this_round.clear();
                            since_round_start = present.clone();
                            round = s.round_start;
                        }
                        let allowed = (len as u128 * (now - before).as_nanos()).div_ceil(interval.as_nanos()) as usize
                            + (len / 10).max(64) + 2;
                        prop_assert!(n <= allowed, "{} > {}", n, allowed);
                        for k in seen {
                            prop_assert!(probed_this_round.insert(k), "{} probed twice in a round", k);
                        }
                    }
                }
                prop_assert_eq!(s.len(), present.len());
                for k in &present { prop_assert!(s.get(k).is_some()); }
            }
        }
    }
}
