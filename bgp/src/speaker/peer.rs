//! What the driver keeps per peer: the session state machine of the
//! current connection (and of a colliding second one), its timers and
//! connection, and the peer's RIBs while established.

use std::net::SocketAddr;

use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::config::PeerConfig;
use super::connection::MessageWriter;
use super::timers::Timers;
use crate::fsm::{Negotiated, Session, SessionConfig};
use crate::rib::{AdjRibIn, AdjRibOut, PeerId};
use crate::wire::{Family, Message, WireContext};

/// One TCP connection.
#[derive(Debug)]
pub(crate) struct Conn {
    pub id: u64,
    pub writer: MessageWriter,
    pub reader: JoinHandle<()>,
    pub outgoing: bool,
    pub local: SocketAddr,
}

impl Conn {
    /// Stops reading and lets the writer drain and shut down.
    pub fn close(self) -> JoinHandle<()> {
        self.reader.abort();
        self.writer.close()
    }
}

/// A session state machine with its timers and connection.
#[derive(Debug)]
pub(crate) struct Fsm {
    pub session: Session,
    pub timers: Timers,
    pub conn: Option<Conn>,
}

impl Fsm {
    pub fn new(cfg: SessionConfig) -> Fsm {
        Fsm {
            session: Session::new(cfg),
            timers: Timers::default(),
            conn: None,
        }
    }

    /// Queues a message on the connection (OPEN, KEEPALIVE, NOTIFICATION
    /// need no negotiated context).
    pub fn send(&self, msg: &Message) {
        if let Some(c) = &self.conn {
            c.writer.send_message(msg, &WireContext::default());
        }
    }
}

/// Which state machine of a peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// The current connection (or the attempt at one).
    Main,
    /// A connection the peer opened while ours was opening (RFC 4271 §6.8).
    Other,
}

/// A peer while established.
#[derive(Debug)]
pub(crate) struct Up {
    pub negotiated: Negotiated,
    pub adj_in: AdjRibIn,
    pub adj_out: AdjRibOut,
    pub since: Instant,
    /// End-of-RIB markers to send once the initial table is flushed.
    pub eor_pending: Vec<Family>,
    /// Enhanced route refresh: EoRR to send once the resend is flushed.
    pub eorr_pending: Vec<Family>,
    /// Graceful restart helper: routes kept stale from before the peer's
    /// restart are swept when its End-of-RIB comes, or at this time.
    pub stale_until: Option<Instant>,
    /// A maximum-prefix warning was logged this session.
    pub max_prefix_warned: bool,
}

/// A restarting peer's routes, kept stale while it comes back (RFC 4724
/// §4.2, helper role).
#[derive(Debug)]
pub(crate) struct Retained {
    pub adj_in: AdjRibIn,
    /// When the peer's restart time runs out.
    pub until: Instant,
}

/// Everything about one configured peer.
#[derive(Debug)]
pub(crate) struct Peer {
    pub id: PeerId,
    /// Configured by interface: the address is learned (RAs, or the
    /// peer's connection from a link-local address on that interface).
    pub unnumbered: bool,
    /// `cfg.name`, shared with every FIB next hop.
    pub name: std::sync::Arc<str>,
    /// `cfg.interface`, shared likewise.
    pub interface: Option<std::sync::Arc<str>>,
    pub cfg: PeerConfig,
    pub main: Fsm,
    pub other: Option<Fsm>,
    /// The outgoing connection attempt in flight, by generation.
    pub connecting: Option<u64>,
    pub up: Option<Up>,
    /// Routes of a peer in graceful restart, while it is down.
    pub retained: Option<Retained>,
    pub last_error: Option<String>,
    /// ROUTE-REFRESH requests received, for snapshots.
    pub refresh_requests: u64,
}

impl Peer {
    /// A peer not started yet, with the session configuration made of
    /// `cfg` and the speaker's.
    pub fn new(id: PeerId, cfg: PeerConfig, session: SessionConfig) -> Peer {
        Peer {
            id,
            name: std::sync::Arc::from(cfg.name.as_str()),
            unnumbered: cfg.is_unnumbered(),
            interface: cfg.interface.as_deref().map(std::sync::Arc::from),
            cfg,
            main: Fsm::new(session),
            other: None,
            connecting: None,
            up: None,
            retained: None,
            last_error: None,
            refresh_requests: 0,
        }
    }

    pub fn fsm(&mut self, slot: Slot) -> Option<&mut Fsm> {
        match slot {
            Slot::Main => Some(&mut self.main),
            Slot::Other => self.other.as_mut(),
        }
    }
}
