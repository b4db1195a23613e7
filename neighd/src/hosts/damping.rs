//! Flap damping of hosts: a penalty that grows at each death and decays
//! exponentially, as BGP route-flap damping (RFC 2439) does for routes.

use std::time::Duration;

use super::clock::Stamp;
use crate::config::FlapDamping;

/// The decaying penalty of one host.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Penalty {
    value: f64,
    at: Option<Stamp>,
}

impl Penalty {
    /// The penalty at `now`.
    pub(crate) fn value(&self, cfg: &FlapDamping, now: Stamp) -> f64 {
        match self.at {
            None => 0.0,
            Some(at) => {
                let age = now.saturating_duration_since(at).as_secs_f64();
                let half_life = cfg.half_life.as_secs_f64().max(1e-3);
                self.value * 0.5f64.powf(age / half_life)
            }
        }
    }

    /// Adds one death's penalty.
    pub(crate) fn add(&mut self, cfg: &FlapDamping, now: Stamp) {
        let ceiling = ceiling(cfg);
        self.value = (self.value(cfg, now) + f64::from(cfg.penalty)).min(ceiling);
        self.at = Some(now);
    }

    /// Whether a host coming back now must be held down.
    pub(crate) fn suppresses(&self, cfg: &FlapDamping, now: Stamp) -> bool {
        cfg.enabled && self.value(cfg, now) > f64::from(cfg.suppress)
    }

    /// When the penalty will have decayed below `reuse`.
    pub(crate) fn reuse_at(&self, cfg: &FlapDamping, now: Stamp) -> Stamp {
        let value = self.value(cfg, now);
        let reuse = f64::from(cfg.reuse.max(1));
        if value <= reuse {
            return now;
        }
        let half_lives = (value / reuse).log2();
        now + Duration::from_secs_f64(cfg.half_life.as_secs_f64() * half_lives)
    }
}

/// The highest penalty worth keeping: one that decays to `reuse` in
/// `max_hold`, so no host is held down longer than that.
fn ceiling(cfg: &FlapDamping) -> f64 {
    let half_lives = cfg.max_hold.as_secs_f64() / cfg.half_life.as_secs_f64().max(1e-3);
    f64::from(cfg.reuse.max(1)) * 2f64.powf(half_lives.min(60.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hosts::clock::Clock;
    use std::time::Instant;

    fn t0() -> Stamp {
        Clock::new().stamp(Instant::now())
    }

    fn cfg() -> FlapDamping {
        FlapDamping {
            enabled: true,
            penalty: 1000,
            suppress: 2000,
            reuse: 750,
            half_life: Duration::from_secs(15),
            max_hold: Duration::from_secs(120),
        }
    }

    #[test]
    fn third_quick_death_suppresses_and_decays_back() {
        let cfg = cfg();
        let t0 = t0();
        let mut p = Penalty::default();
        assert!(!p.suppresses(&cfg, t0));
        p.add(&cfg, t0);
        p.add(&cfg, t0 + Duration::from_secs(1));
        assert!(!p.suppresses(&cfg, t0 + Duration::from_secs(1)));
        p.add(&cfg, t0 + Duration::from_secs(2));
        let now = t0 + Duration::from_secs(2);
        assert!(p.suppresses(&cfg, now));
        let reuse = p.reuse_at(&cfg, now);
        // ~2950 → 750 takes log2(3.9) ≈ 1.98 half-lives ≈ 29.6 s.
        let wait = reuse.saturating_duration_since(now);
        assert!(
            wait > Duration::from_secs(28) && wait < Duration::from_secs(31),
            "{wait:?}"
        );
        assert!(!p.suppresses(&cfg, reuse));
    }

    #[test]
    fn held_down_at_most_max_hold() {
        let cfg = cfg();
        let t0 = t0();
        let mut p = Penalty::default();
        for i in 0..100 {
            p.add(&cfg, t0 + Duration::from_millis(i));
        }
        let now = t0 + Duration::from_millis(100);
        assert!(
            p.reuse_at(&cfg, now).saturating_duration_since(now)
                <= cfg.max_hold + Duration::from_millis(1)
        );
    }

    #[test]
    fn disabled_never_suppresses() {
        let mut cfg = cfg();
        cfg.enabled = false;
        let t0 = t0();
        let mut p = Penalty::default();
        for _ in 0..10 {
            p.add(&cfg, t0);
        }
        assert!(!p.suppresses(&cfg, t0));
    }
}
