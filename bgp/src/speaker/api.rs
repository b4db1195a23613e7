//! The embedding API: a cloneable [`Speaker`] handle that announces and
//! withdraws routes, adds and removes peers, and answers snapshot queries,
//! and the event streams for FIB programming and peer state.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::config::PeerConfig;
use super::security::SecurityError;
use crate::fsm::State;
use crate::wire::{AsPath, Community, LargeCommunity, Origin, PathAttributes, Prefix};

/// Attributes of a route we originate. The AS path starts empty (our AS is
/// prepended towards eBGP peers) and the next hop is always ourselves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct RouteAttributes {
    /// ORIGIN (IGP by default).
    pub origin: Origin,
    /// MULTI_EXIT_DISC.
    pub med: Option<u32>,
    /// COMMUNITIES.
    pub communities: Vec<Community>,
    /// LARGE_COMMUNITY.
    pub large_communities: Vec<LargeCommunity>,
}

impl RouteAttributes {
    pub(crate) fn to_path_attributes(&self) -> PathAttributes {
        PathAttributes {
            origin: Some(self.origin),
            as_path: Some(AsPath::default()),
            med: self.med,
            communities: self.communities.clone(),
            large_communities: self.large_communities.clone(),
            ..PathAttributes::default()
        }
    }
}

/// One next hop of a learned route, as the FIB needs it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FibNextHop {
    /// The address to forward to (an IPv6 link-local address for routes
    /// from unnumbered peers, even for IPv4 prefixes).
    pub address: IpAddr,
    /// The interface, for link-local next hops.
    pub interface: Option<Arc<str>>,
    /// The peer the path came from (its configured name).
    pub peer: Arc<str>,
}

/// A change of the best learned route of a prefix, for FIB programming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteEvent {
    /// The prefix.
    pub prefix: Prefix,
    /// The ECMP next hops; empty: remove the route (withdrawn, or our own
    /// route now wins).
    pub next_hops: Vec<FibNextHop>,
}

/// A peer's session changed state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerEvent {
    /// The peer's configured name.
    pub peer: String,
    /// The new state.
    pub state: State,
    /// Why it went down, when it did.
    pub reason: Option<String>,
}

/// A peer as `neighctl show peers` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerStatus {
    /// Configured name.
    pub name: String,
    /// Address.
    pub address: IpAddr,
    /// The peer's AS once known, else the configured one.
    pub remote_as: String,
    /// Session state.
    pub state: State,
    /// Time since the session came up.
    pub uptime: Option<Duration>,
    /// Prefixes the peer sent us (Adj-RIB-In).
    pub prefixes_received: usize,
    /// Prefixes we advertise to it (Adj-RIB-Out).
    pub prefixes_sent: usize,
    /// The peer's host name, if it sent one.
    pub hostname: Option<String>,
    /// Why the session last went down.
    pub last_error: Option<String>,
    /// ROUTE-REFRESH requests the peer sent us (each answered by re-sending
    /// our Adj-RIB-Out), over every session since the speaker started.
    pub refresh_requests_received: u64,
}

/// One path of a route as `neighctl show routes` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathStatus {
    /// `local`, or the peer's name.
    pub from: String,
    /// Next hop as received (`self` for local routes).
    pub next_hop: String,
    /// AS path.
    pub as_path: String,
    /// Whether this is the best path.
    pub best: bool,
    /// Whether it is in the ECMP set.
    pub multipath: bool,
    /// Held as stale during a peer's graceful restart.
    pub stale: bool,
}

/// A prefix in the Loc-RIB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteStatus {
    /// The prefix.
    pub prefix: Prefix,
    /// Its candidate paths, best first.
    pub paths: Vec<PathStatus>,
}

/// The speaker stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the BGP speaker has stopped")]
pub struct Stopped;

/// Why [`Speaker::add_peer`] refused a peer. Nothing of the peer is kept.
#[derive(Debug, thiserror::Error)]
pub enum AddPeerError {
    /// Another peer has this name.
    #[error("a peer named {name:?} is already configured")]
    DuplicateName {
        /// The name.
        name: String,
    },
    /// Another numbered peer has this address (connections from it could
    /// not be told apart).
    #[error("peer {name:?}: address {address} is already that of peer {existing:?}")]
    DuplicateAddress {
        /// The refused peer.
        name: String,
        /// Its address.
        address: IpAddr,
        /// The peer that has it.
        existing: String,
    },
    /// Another unnumbered peer is on this interface.
    #[error("peer {name:?}: interface {interface} already has unnumbered peer {existing:?}")]
    DuplicateInterface {
        /// The refused peer.
        name: String,
        /// Its interface.
        interface: String,
        /// The peer on it.
        existing: String,
    },
    /// Its TCP MD5 key or GTSM could not be set on the listening socket
    /// (e.g. an IPv6 peer on an IPv4 listener).
    #[error("peer {name:?}: cannot secure the listening socket for it: {source}")]
    Listener {
        /// The refused peer.
        name: String,
        /// What the kernel said.
        source: SecurityError,
    },
    /// Router advertisements cannot run on its interface (a bad interface
    /// name, or the driver failed to start).
    #[error("peer {name:?} on {interface}: {source}")]
    RouterAdvertisements {
        /// The refused peer.
        name: String,
        /// Its interface.
        interface: String,
        /// The driver's error.
        source: crate::unnumbered::Error,
    },
    /// The speaker has stopped.
    #[error(transparent)]
    Stopped(#[from] Stopped),
}

pub(crate) enum Command {
    Announce(Vec<(Prefix, RouteAttributes)>),
    Withdraw(Vec<Prefix>),
    AddPeer(Box<PeerConfig>, oneshot::Sender<Result<(), AddPeerError>>),
    RemovePeer(String, Option<String>, oneshot::Sender<bool>),
    Peers(oneshot::Sender<Vec<PeerStatus>>),
    Routes(oneshot::Sender<Vec<RouteStatus>>),
    Shutdown(Option<String>, oneshot::Sender<()>),
    StopForRestart(oneshot::Sender<()>),
    InitialRoutesDone,
}

/// A handle to a running speaker. Cheap to clone; the speaker stops when
/// [`Speaker::shutdown`] is called or every handle is dropped.
#[derive(Debug, Clone)]
pub struct Speaker {
    pub(crate) tx: mpsc::UnboundedSender<Command>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Command::Announce(_) => "Announce",
            Command::Withdraw(_) => "Withdraw",
            Command::AddPeer(..) => "AddPeer",
            Command::RemovePeer(..) => "RemovePeer",
            Command::Peers(_) => "Peers",
            Command::Routes(_) => "Routes",
            Command::Shutdown(..) => "Shutdown",
            Command::StopForRestart(_) => "StopForRestart",
            Command::InitialRoutesDone => "InitialRoutesDone",
        })
    }
}

impl Speaker {
    /// Announces (or re-announces with new attributes) one route.
    pub fn announce(&self, prefix: Prefix, attrs: RouteAttributes) -> Result<(), Stopped> {
        self.announce_many(vec![(prefix, attrs)])
    }

    /// Announces many routes at once (one trip to the speaker's task).
    pub fn announce_many(&self, routes: Vec<(Prefix, RouteAttributes)>) -> Result<(), Stopped> {
        self.tx.send(Command::Announce(routes)).map_err(|_| Stopped)
    }

    /// Withdraws one route of ours.
    pub fn withdraw(&self, prefix: Prefix) -> Result<(), Stopped> {
        self.withdraw_many(vec![prefix])
    }

    /// Withdraws many routes of ours.
    pub fn withdraw_many(&self, prefixes: Vec<Prefix>) -> Result<(), Stopped> {
        self.tx
            .send(Command::Withdraw(prefixes))
            .map_err(|_| Stopped)
    }

    /// Starts a session with a new peer, numbered or unnumbered (router
    /// advertisements start on its interface), as if it had been in the
    /// [`super::SpeakerConfig`]: the listener accepts it (with its TCP MD5
    /// key and GTSM), and once established it gets every route we
    /// advertise. Refused, with nothing kept, when its name is taken, when
    /// another numbered peer has its address or another unnumbered peer
    /// its interface, or when the listener or the router advertisements
    /// cannot take it. Other sessions are not touched.
    pub async fn add_peer(&self, peer: PeerConfig) -> Result<(), AddPeerError> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Command::AddPeer(Box::new(peer), tx))
            .map_err(|_| Stopped)?;
        rx.await.map_err(|_| Stopped)?
    }

    /// Stops the session with the peer named `name` (Cease / Peer
    /// De-configured, RFC 4486, with `message` as shutdown communication),
    /// withdraws the routes learned from it (the route events say so),
    /// and forgets it: its TCP MD5 key leaves the listener, router
    /// advertisements stop on its interface. Returns whether there was
    /// such a peer. Other sessions are not touched.
    pub async fn remove_peer(&self, name: &str, message: Option<String>) -> Result<bool, Stopped> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Command::RemovePeer(name.to_string(), message, tx))
            .map_err(|_| Stopped)?;
        rx.await.map_err(|_| Stopped)
    }

    /// Every peer with its state and counters, in the order they were
    /// configured (a peer added at runtime takes the place of the first
    /// one removed before it, if any).
    pub async fn peers(&self) -> Result<Vec<PeerStatus>, Stopped> {
        let (tx, rx) = oneshot::channel();
        self.tx.send(Command::Peers(tx)).map_err(|_| Stopped)?;
        rx.await.map_err(|_| Stopped)
    }

    /// The Loc-RIB: every prefix with its paths.
    pub async fn routes(&self) -> Result<Vec<RouteStatus>, Stopped> {
        let (tx, rx) = oneshot::channel();
        self.tx.send(Command::Routes(tx)).map_err(|_| Stopped)?;
        rx.await.map_err(|_| Stopped)
    }

    /// After a restart (graceful restart configured with `restarting`):
    /// every route is announced again, so End-of-RIB may go to the peers,
    /// which then drop what we did not re-announce.
    pub fn initial_routes_done(&self) -> Result<(), Stopped> {
        self.tx
            .send(Command::InitialRoutesDone)
            .map_err(|_| Stopped)
    }

    /// Ends the speaker for a graceful restart: every connection is closed
    /// without a NOTIFICATION, so peers that help (RFC 4724) keep our
    /// routes as stale until we are back.
    pub async fn stop_for_restart(&self) -> Result<(), Stopped> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Command::StopForRestart(tx))
            .map_err(|_| Stopped)?;
        rx.await.map_err(|_| Stopped)
    }

    /// Stops every session with Cease / Administrative Shutdown (and the
    /// given shutdown communication) and ends the speaker.
    pub async fn shutdown(&self, message: Option<String>) -> Result<(), Stopped> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Command::Shutdown(message, tx))
            .map_err(|_| Stopped)?;
        rx.await.map_err(|_| Stopped)
    }
}

/// The streams a running speaker produces. Drop a receiver you do not need.
#[derive(Debug)]
pub struct Events {
    /// Best learned route changes, for the FIB.
    pub routes: mpsc::UnboundedReceiver<RouteEvent>,
    /// Peer state changes.
    pub peers: mpsc::UnboundedReceiver<PeerEvent>,
}
