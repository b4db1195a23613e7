//! `bgp::speaker`: the tokio driver that embeds the sans-IO pieces.
//!
//! [`start`] binds the listener, spawns the protocol task and returns a
//! [`Speaker`] handle plus the [`Events`] streams. The protocol task owns
//! every [`crate::fsm::Session`], the [`crate::rib`] tables and the timers;
//! each connection has a reader task (framing and decoding, so decoding
//! runs beside the RIB work) and a writer task; outgoing connects run in
//! their own tasks. Only configured peers are accepted; others are refused
//! and logged. Peers can be added and removed while the speaker runs
//! ([`Speaker::add_peer`], [`Speaker::remove_peer`]) without touching the
//! other sessions.

mod api;
mod config;
mod connection;
mod core;
mod listener;
mod peer;
mod peer_table;
pub mod security;
mod timers;
mod transport;

use tokio::sync::mpsc;

pub use api::{
    AddPeerError, Events, FibNextHop, PathStatus, PeerEvent, PeerStatus, RouteAttributes,
    RouteEvent, RouteStatus, Speaker, Stopped,
};
pub use config::{MaxPrefix, PeerConfig, SpeakerConfig};

/// Starts a speaker: binds its listener (when configured) and begins
/// connecting to its peers. Fails when the listener cannot be bound or
/// secured, or a peer is refused as [`Speaker::add_peer`] would refuse it.
pub async fn start(mut cfg: SpeakerConfig) -> std::io::Result<(Speaker, Events)> {
    let (input_tx, input_rx) = mpsc::channel(1024);
    let peers = std::mem::take(&mut cfg.peers);
    // MD5 keys and GTSM are on the listening socket before it listens.
    let listener = match cfg.listen {
        Some(addr) => Some(listener::Listener::start(addr, &peers, input_tx.clone())?),
        None => None,
    };
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let (route_tx, route_rx) = mpsc::unbounded_channel();
    let (peer_tx, peer_rx) = mpsc::unbounded_channel();
    let mut core = core::Core::new(cfg, input_tx, route_tx, peer_tx, listener);
    for peer in peers {
        core.add_initial_peer(peer).map_err(std::io::Error::other)?;
    }
    tokio::spawn(core.run(cmd_rx, input_rx));
    Ok((
        Speaker { tx: cmd_tx },
        Events {
            routes: route_rx,
            peers: peer_rx,
        },
    ))
}
