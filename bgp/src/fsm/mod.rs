//! `bgp::fsm`: the session state machine of RFC 4271 §8, sans-IO.
//!
//! [`Session::handle`] takes an [`Event`] (transport up or down, a message,
//! a timer, an administrative start or stop) and returns [`Action`]s
//! (connect, send, close, start or stop a timer, session up or down, routes
//! for the RIB). It owns OPEN building and negotiation ([`negotiate()`]),
//! hold-time and keepalive handling, the NOTIFICATION for every error, and
//! an idle hold that doubles while a peer keeps failing. Collision between
//! two connections to one peer is decided by [`collision::resolve`].

pub mod collision;
pub mod config;
pub mod negotiate;
pub mod session;

#[cfg(test)]
mod tests;

pub use config::{GracefulRestartConfig, RemoteAs, SessionConfig};
pub use negotiate::{build_open, negotiate, Negotiated, OpenRefused};
pub use session::{Action, DownReason, Event, Session, State, Timer, OPEN_HOLD_TIME};
