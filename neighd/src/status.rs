//! What neighctl shows: the views of hosts, peers and routes, and the
//! control protocol's requests and responses. Plain serde types shared by
//! the daemon (which fills them) and neighctl (which prints them).

use serde::{Deserialize, Serialize};

/// A request on the control socket: one JSON object per line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "show", rename_all = "snake_case")]
pub enum Request {
    /// `neighctl show hosts`.
    Hosts,
    /// `neighctl show peers`.
    Peers,
    /// `neighctl show routes`.
    Routes,
}

/// The answer to a [`Request`]: one JSON object per line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "items", rename_all = "snake_case")]
pub enum Response {
    /// For [`Request::Hosts`].
    Hosts(Vec<HostView>),
    /// For [`Request::Peers`].
    Peers(Vec<PeerView>),
    /// For [`Request::Routes`].
    Routes(Vec<RouteView>),
    /// The request could not be answered.
    Error(String),
}

/// The state of a host as the host table sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostState {
    /// Known from the neighbour table, not yet confirmed by a probe.
    Probing,
    /// Answering; its route is advertised.
    Alive,
    /// Stopped answering; its route is withdrawn. Still probed for a while.
    Dead,
    /// Alive but held down for flapping; its route is withdrawn until the penalty decays.
    HeldDown,
    /// Its interface is down; its route is withdrawn.
    LinkDown,
}

impl HostState {
    /// The lowercase name used in tables, JSON and metric labels.
    pub fn as_str(self) -> &'static str {
        match self {
            HostState::Probing => "probing",
            HostState::Alive => "alive",
            HostState::Dead => "dead",
            HostState::HeldDown => "held_down",
            HostState::LinkDown => "link_down",
        }
    }
}

/// One host (`neighctl show hosts`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostView {
    /// Its address.
    pub ip: String,
    /// Its MAC (the one probed).
    pub mac: String,
    /// The interface it is on (the bridge, for bridge members).
    pub interface: String,
    /// Its state.
    pub state: HostState,
    /// Whether its host route is advertised now.
    pub advertised: bool,
    /// Milliseconds since it last answered (or announced itself); `None`: never.
    pub last_answer_ms: Option<u64>,
    /// Probes in a row it did not answer.
    pub misses: u32,
    /// Conflicts seen: answers for its address from another MAC, or a move.
    pub conflicts: u32,
    /// The other MAC of the last conflict.
    pub conflict_mac: Option<String>,
    /// Another router advertises this address too (the same IP in another
    /// rack): the peer we learn it from and its AS path.
    #[serde(default)]
    pub conflict_remote: Option<String>,
    /// Flap penalty now (0 when it never flapped).
    pub penalty: u32,
}

/// One BGP peer (`neighctl show peers`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerView {
    /// The configured name: the address, or the interface for unnumbered peers.
    pub name: String,
    /// The peer's address (the discovered link-local one for unnumbered peers).
    pub address: String,
    /// The peer's AS once known, else the configured remote-as.
    pub remote_as: String,
    /// Session state (`Idle`, `Connect`, `Active`, `OpenSent`, `OpenConfirm`, `Established`).
    pub state: String,
    /// Seconds since the session came up.
    pub uptime_secs: Option<u64>,
    /// Prefixes received from it.
    pub prefixes_received: usize,
    /// Prefixes advertised to it.
    pub prefixes_sent: usize,
    /// The host name it sent (FQDN capability).
    pub hostname: Option<String>,
    /// Why the session last went down.
    pub last_error: Option<String>,
    /// The configured description.
    pub description: Option<String>,
}

/// Where a route in `neighctl show routes` comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteOrigin {
    /// A live host's /32 or /128, advertised.
    Host,
    /// An `[[announce]]` prefix, advertised.
    Announce,
    /// Learned from a peer.
    Learned,
}

/// One route (`neighctl show routes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteView {
    /// The prefix.
    pub prefix: String,
    /// Advertised by us, or learned.
    pub origin: RouteOrigin,
    /// For learned routes: the ECMP next hops (`fe80::1%swp51`), best first;
    /// for ours: empty.
    pub next_hops: Vec<String>,
    /// For learned routes: the peers they came from, matching `next_hops`.
    pub peers: Vec<String>,
    /// For learned routes: the AS path of the best path.
    pub as_path: String,
    /// For learned routes: whether it is in the kernel.
    pub installed: bool,
}
