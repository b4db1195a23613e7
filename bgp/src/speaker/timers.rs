//! The deadlines of one session's timers, for the driver's event loop.

use std::time::Duration;

use tokio::time::Instant;

use crate::fsm::Timer;

/// Deadlines for the four FSM timers.
#[derive(Debug, Clone, Default)]
pub struct Timers {
    deadlines: [Option<Instant>; 4],
}

fn slot(t: Timer) -> usize {
    match t {
        Timer::ConnectRetry => 0,
        Timer::Hold => 1,
        Timer::Keepalive => 2,
        Timer::IdleHold => 3,
    }
}

const ALL: [Timer; 4] = [
    Timer::ConnectRetry,
    Timer::Hold,
    Timer::Keepalive,
    Timer::IdleHold,
];

impl Timers {
    /// Arms `t` to fire after `d`.
    pub fn start(&mut self, t: Timer, d: Duration) {
        self.deadlines[slot(t)] = Some(Instant::now() + d);
    }

    /// Disarms `t`.
    pub fn stop(&mut self, t: Timer) {
        self.deadlines[slot(t)] = None;
    }

    /// The earliest deadline.
    pub fn next(&self) -> Option<Instant> {
        self.deadlines.iter().flatten().min().copied()
    }

    /// Disarms and returns the timers due at `now`.
    pub fn take_due(&mut self, now: Instant) -> Vec<Timer> {
        ALL.into_iter()
            .filter(|&t| {
                let due = self.deadlines[slot(t)].is_some_and(|d| d <= now);
                if due {
                    self.deadlines[slot(t)] = None;
                }
                due
            })
            .collect()
    }
}
