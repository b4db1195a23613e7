//! The RFC 4271 §8 session state machine for one connection, as a pure
//! function of events to actions: no sockets, no clock. The driver performs
//! the actions (connect, send, close, run timers) and feeds back what
//! happens as events.

use std::fmt;
use std::time::Duration;

use super::config::SessionConfig;
use super::negotiate::{build_open, negotiate, Negotiated};
use crate::wire::error::code;
use crate::wire::{
    DecodeError, Family, Message, Notification, RefreshSubtype, RouteRefresh, Update,
};

/// The session states of RFC 4271 §8.2.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Not trying; waiting for a start (or the idle hold to end).
    Idle,
    /// Connecting to the peer.
    Connect,
    /// Waiting for the peer to connect (or the connect retry timer).
    Active,
    /// OPEN sent, waiting for the peer's.
    OpenSent,
    /// OPENs exchanged, waiting for the peer's KEEPALIVE.
    OpenConfirm,
    /// Up: routes flow.
    Established,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            State::Idle => "Idle",
            State::Connect => "Connect",
            State::Active => "Active",
            State::OpenSent => "OpenSent",
            State::OpenConfirm => "OpenConfirm",
            State::Established => "Established",
        })
    }
}

/// The session's timers; the driver runs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timer {
    /// Time between connection attempts.
    ConnectRetry,
    /// The peer must send something within this time.
    Hold,
    /// When to send our next KEEPALIVE.
    Keepalive,
    /// The pause after a failure before starting again (grows with repeated
    /// failures).
    IdleHold,
}

/// What happens to the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Administrative start (or restart after configuration).
    Start,
    /// Administrative stop, with an optional shutdown communication
    /// (RFC 9003) for the peer.
    Stop(Option<String>),
    /// The peer was removed from the configuration: like [`Event::Stop`],
    /// but the NOTIFICATION is Cease / Peer De-configured (RFC 4486), with
    /// the optional shutdown communication.
    Deconfigured(Option<String>),
    /// A TCP connection to the peer is up (ours, or accepted from it).
    TcpConnected,
    /// Our connection attempt failed.
    TcpFailed,
    /// The connection closed or failed.
    TcpClosed,
    /// A message arrived.
    Received(Message),
    /// A message could not be decoded; the error says what to send.
    Malformed(DecodeError),
    /// A timer fired.
    TimerExpired(Timer),
    /// The peer sent more prefixes of `family` than `limit`: send Cease /
    /// Maximum Number of Prefixes Reached (RFC 4486) and stay idle for
    /// `idle_hold` before trying again.
    MaxPrefixExceeded {
        /// The family that went over.
        family: Family,
        /// The configured limit.
        limit: u32,
        /// How long to stay down.
        idle_hold: Duration,
    },
}

/// Why a session (or an attempt at one) ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownReason {
    /// We sent this NOTIFICATION, for this reason.
    NotificationSent(Notification, String),
    /// The peer sent this NOTIFICATION.
    NotificationReceived(Notification),
    /// The peer sent nothing for the hold time.
    HoldTimerExpired,
    /// The TCP connection closed.
    ConnectionClosed,
    /// We were told to stop.
    AdminStop,
    /// The peer was removed from our configuration.
    Deconfigured,
    /// The peer sent more prefixes than allowed.
    MaxPrefix {
        /// The family that went over.
        family: Family,
        /// The configured limit.
        limit: u32,
    },
}

impl fmt::Display for DownReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DownReason::NotificationSent(n, why) => write!(f, "sent NOTIFICATION {n}: {why}"),
            DownReason::NotificationReceived(n) => write!(f, "received NOTIFICATION {n}"),
            DownReason::HoldTimerExpired => f.write_str("hold timer expired"),
            DownReason::ConnectionClosed => f.write_str("connection closed"),
            DownReason::AdminStop => f.write_str("administratively stopped"),
            DownReason::Deconfigured => f.write_str("peer de-configured"),
            DownReason::MaxPrefix { family, limit } => write!(
                f,
                "sent NOTIFICATION Cease/Maximum Number of Prefixes Reached: more than {limit} {family} prefixes"
            ),
        }
    }
}

/// What the driver must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Open a TCP connection to the peer.
    Connect,
    /// Send a message (encoded with the negotiated transmit context once
    /// established).
    Send(Message),
    /// Close the TCP connection.
    Close,
    /// Start (or restart) a timer.
    StartTimer(Timer, Duration),
    /// Stop a timer.
    StopTimer(Timer),
    /// The session is up with these parameters.
    Established(Box<Negotiated>),
    /// The session, or the attempt at one, ended.
    Down(DownReason),
    /// Routes from the peer, for the RIB.
    Update(Box<Update>),
    /// The peer asks for our routes again, or marks the start or end of
    /// its own re-advertisement (RFC 7313).
    RouteRefresh(RouteRefresh),
}

/// The hold time proposed while waiting for the peer's OPEN (RFC 4271
/// §8.2.2 suggests 4 minutes).
pub const OPEN_HOLD_TIME: Duration = Duration::from_secs(240);

/// One session's state machine.
#[derive(Debug, Clone)]
pub struct Session {
    cfg: SessionConfig,
    state: State,
    negotiated: Option<Negotiated>,
    failures: u32,
    connect_failures: u32,
    admin_up: bool,
}

impl Session {
    /// A stopped session.
    pub fn new(cfg: SessionConfig) -> Session {
        Session {
            cfg,
            state: State::Idle,
            negotiated: None,
            failures: 0,
            connect_failures: 0,
            admin_up: false,
        }
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The configuration.
    pub fn config(&self) -> &SessionConfig {
        &self.cfg
    }

    /// Switches between waiting for the peer and connecting to it (an
    /// unnumbered peer can only be connected to once its address is known).
    pub fn set_passive(&mut self, passive: bool) {
        self.cfg.passive = passive;
    }

    /// What was negotiated, once OPENs are exchanged.
    pub fn negotiated(&self) -> Option<&Negotiated> {
        self.negotiated.as_ref()
    }

    /// Failures since the last time the session was established.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The connect retry time after the current count of failed attempts:
    /// `connect_retry`, doubling per failure, at most `idle_hold_max`.
    pub fn connect_retry(&self) -> Duration {
        let shift = self.connect_failures.min(16);
        (self.cfg.connect_retry * (1u32 << shift))
            .min(self.cfg.idle_hold_max.max(self.cfg.connect_retry))
    }

    /// The idle hold that follows the current count of failures.
    pub fn idle_hold(&self) -> Duration {
        let shift = self.failures.saturating_sub(1).min(16);
        (self.cfg.idle_hold * (1u32 << shift)).min(self.cfg.idle_hold_max)
    }

    /// Handles one event and returns what to do, in order.
    pub fn handle(&mut self, event: Event) -> Vec<Action> {
        let mut acts = Vec::new();
        match event {
            Event::Start => {
                self.admin_up = true;
                if self.state == State::Idle {
                    acts.push(Action::StopTimer(Timer::IdleHold));
                    self.start(&mut acts);
                }
            }
            Event::Stop(message) => self.stop(
                code::cease::ADMINISTRATIVE_SHUTDOWN,
                message,
                DownReason::AdminStop,
                &mut acts,
            ),
            Event::Deconfigured(message) => self.stop(
                code::cease::PEER_DECONFIGURED,
                message,
                DownReason::Deconfigured,
                &mut acts,
            ),
            Event::TimerExpired(t) => self.timer(t, &mut acts),
            Event::TcpConnected => self.connected(&mut acts),
            Event::TcpFailed => {
                if self.state == State::Connect {
                    // Try again after a connect retry that grows with each
                    // failed attempt.
                    self.connect_failures += 1;
                    self.state = State::Active;
                    acts.push(Action::StartTimer(
                        Timer::ConnectRetry,
                        self.connect_retry(),
                    ));
                }
            }
            Event::TcpClosed => match self.state {
                State::Idle | State::Connect | State::Active => {}
                _ => self.fail(None, DownReason::ConnectionClosed, &mut acts),
            },
            Event::Received(m) => self.received(m, &mut acts),
            Event::MaxPrefixExceeded {
                family,
                limit,
                idle_hold,
            } => {
                if self.state == State::Established {
                    // RFC 4486 §4: AFI, SAFI and the upper bound.
                    let mut data = family.afi.to_be_bytes().to_vec();
                    data.push(family.safi);
                    data.extend_from_slice(&limit.to_be_bytes());
                    let n = Notification {
                        code: code::CEASE,
                        subcode: code::cease::MAXIMUM_PREFIXES,
                        data,
                    };
                    acts.push(Action::Send(Message::Notification(n)));
                    self.teardown(DownReason::MaxPrefix { family, limit }, &mut acts);
                    self.failures += 1;
                    if self.admin_up {
                        acts.push(Action::StartTimer(Timer::IdleHold, idle_hold));
                    }
                }
            }
            Event::Malformed(e) => {
                if matches!(
                    self.state,
                    State::OpenSent | State::OpenConfirm | State::Established
                ) {
                    let n = Notification {
                        code: e.code,
                        subcode: e.subcode,
                        data: e.data.clone(),
                    };
                    self.fail_with(n, e.to_string(), &mut acts);
                }
            }
        }
        acts
    }

    fn start(&mut self, acts: &mut Vec<Action>) {
        acts.push(Action::StartTimer(
            Timer::ConnectRetry,
            self.connect_retry(),
        ));
        if self.cfg.passive {
            self.state = State::Active;
        } else {
            self.state = State::Connect;
            acts.push(Action::Connect);
        }
    }

    /// Stops for good: with a connection, Cease / `subcode` (and the
    /// shutdown communication) and down for `reason`.
    fn stop(
        &mut self,
        subcode: u8,
        message: Option<String>,
        reason: DownReason,
        acts: &mut Vec<Action>,
    ) {
        self.admin_up = false;
        match self.state {
            State::OpenSent | State::OpenConfirm | State::Established => {
                let n = match &message {
                    Some(m) => Notification::cease_with_message(subcode, m),
                    None => Notification::new(code::CEASE, subcode),
                };
                acts.push(Action::Send(Message::Notification(n)));
                self.teardown(reason, acts);
            }
            State::Connect | State::Active => {
                acts.push(Action::Close);
                acts.push(Action::StopTimer(Timer::ConnectRetry));
                self.state = State::Idle;
            }
            State::Idle => acts.push(Action::StopTimer(Timer::IdleHold)),
        }
        self.failures = 0;
    }

    fn timer(&mut self, t: Timer, acts: &mut Vec<Action>) {
        match (t, self.state) {
            (Timer::IdleHold, State::Idle) if self.admin_up => self.start(acts),
            (Timer::ConnectRetry, State::Connect) => {
                // The attempt got no answer in time.
                self.connect_failures += 1;
                acts.push(Action::Close);
                acts.push(Action::Connect);
                acts.push(Action::StartTimer(
                    Timer::ConnectRetry,
                    self.connect_retry(),
                ));
            }
            (Timer::ConnectRetry, State::Active) if !self.cfg.passive => {
                self.state = State::Connect;
                acts.push(Action::Connect);
                acts.push(Action::StartTimer(
                    Timer::ConnectRetry,
                    self.connect_retry(),
                ));
            }
            (Timer::ConnectRetry, State::Active) => {
                acts.push(Action::StartTimer(
                    Timer::ConnectRetry,
                    self.cfg.connect_retry,
                ));
            }
            (Timer::Hold, State::OpenSent | State::OpenConfirm | State::Established) => {
                let n = Notification::new(code::HOLD_TIMER_EXPIRED, 0);
                self.fail(Some(n), DownReason::HoldTimerExpired, acts);
            }
            (Timer::Keepalive, State::OpenConfirm | State::Established) => {
                acts.push(Action::Send(Message::Keepalive));
                if let Some(n) = &self.negotiated {
                    acts.push(Action::StartTimer(Timer::Keepalive, n.keepalive));
                }
            }
            // A timer the driver had not stopped in time: nothing to do.
            _ => {}
        }
    }

    fn connected(&mut self, acts: &mut Vec<Action>) {
        match self.state {
            State::Connect | State::Active | State::Idle if self.admin_up => {
                self.connect_failures = 0;
                acts.push(Action::StopTimer(Timer::ConnectRetry));
                acts.push(Action::StopTimer(Timer::IdleHold));
                acts.push(Action::Send(Message::Open(build_open(&self.cfg))));
                acts.push(Action::StartTimer(Timer::Hold, OPEN_HOLD_TIME));
                self.state = State::OpenSent;
            }
            // Administratively down, or already connected: refuse.
            _ => acts.push(Action::Close),
        }
    }

    fn received(&mut self, m: Message, acts: &mut Vec<Action>) {
        if let Message::Notification(n) = m {
            if matches!(
                self.state,
                State::OpenSent | State::OpenConfirm | State::Established
            ) {
                self.fail(None, DownReason::NotificationReceived(n), acts);
            }
            return;
        }
        match self.state {
            State::OpenSent => match m {
                Message::Open(open) => match negotiate(&self.cfg, &open) {
                    Ok(neg) => {
                        acts.push(Action::Send(Message::Keepalive));
                        if neg.hold_time.is_zero() {
                            acts.push(Action::StopTimer(Timer::Hold));
                        } else {
                            acts.push(Action::StartTimer(Timer::Hold, neg.hold_time));
                            acts.push(Action::StartTimer(Timer::Keepalive, neg.keepalive));
                        }
                        self.negotiated = Some(neg);
                        self.state = State::OpenConfirm;
                    }
                    Err(refused) => self.fail_with(refused.notification, refused.reason, acts),
                },
                other => self.unexpected(1, &other, acts),
            },
            State::OpenConfirm => match m {
                Message::Keepalive => {
                    self.restart_hold(acts);
                    self.state = State::Established;
                    self.failures = 0;
                    let neg = self.negotiated.clone().expect("negotiated in OpenSent");
                    acts.push(Action::Established(Box::new(neg)));
                }
                other => self.unexpected(2, &other, acts),
            },
            State::Established => {
                self.restart_hold(acts);
                match m {
                    Message::Keepalive => {}
                    Message::Update(u) => acts.push(Action::Update(u)),
                    Message::RouteRefresh(rr) => {
                        let known = self
                            .negotiated
                            .as_ref()
                            .is_some_and(|n| n.has_family(rr.family));
                        // RFC 7313 §5: reserved subtypes and unnegotiated
                        // families are ignored.
                        if known && !matches!(rr.subtype, RefreshSubtype::Reserved(_)) {
                            acts.push(Action::RouteRefresh(rr));
                        }
                    }
                    other => self.unexpected(3, &other, acts),
                }
            }
            // No connection: nothing can arrive.
            State::Idle | State::Connect | State::Active => {}
        }
    }

    /// RFC 6608: an unexpected message in OpenSent (1), OpenConfirm (2) or
    /// Established (3).
    fn unexpected(&mut self, subcode: u8, m: &Message, acts: &mut Vec<Action>) {
        let n = Notification {
            code: code::FSM,
            subcode,
            data: vec![m.kind()],
        };
        let why = format!("unexpected {m} in {}", self.state);
        self.fail_with(n, why, acts);
    }

    fn restart_hold(&self, acts: &mut Vec<Action>) {
        if let Some(n) = &self.negotiated {
            if !n.hold_time.is_zero() {
                acts.push(Action::StartTimer(Timer::Hold, n.hold_time));
            }
        }
    }

    /// Ends the session after an error we report to the peer.
    fn fail_with(&mut self, n: Notification, why: String, acts: &mut Vec<Action>) {
        self.fail(Some(n.clone()), DownReason::NotificationSent(n, why), acts);
    }

    /// Ends the session after an error: optionally a NOTIFICATION, then
    /// close, go Idle and, unless stopped, retry after a growing idle hold.
    fn fail(&mut self, notify: Option<Notification>, reason: DownReason, acts: &mut Vec<Action>) {
        if let Some(n) = notify {
            acts.push(Action::Send(Message::Notification(n)));
        }
        self.teardown(reason, acts);
        self.failures += 1;
        self.idle_hold_if_up(acts);
    }

    fn teardown(&mut self, reason: DownReason, acts: &mut Vec<Action>) {
        acts.push(Action::Close);
        for t in [Timer::ConnectRetry, Timer::Hold, Timer::Keepalive] {
            acts.push(Action::StopTimer(t));
        }
        acts.push(Action::Down(reason));
        self.negotiated = None;
        self.state = State::Idle;
    }

    fn idle_hold_if_up(&self, acts: &mut Vec<Action>) {
        if self.admin_up {
            acts.push(Action::StartTimer(Timer::IdleHold, self.idle_hold()));
        }
    }
}
