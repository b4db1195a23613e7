//! `bgp::speaker`: the tokio driver that embeds the sans-IO pieces.
//!
//! [`start`] binds the listener, spawns the protocol task and returns a
//! [`Speaker`] handle plus the [`Events`] streams. The protocol task owns
//! every [`crate::fsm::Session`], the [`crate::rib`] tables and the timers;
//! each connection has a reader task (framing and decoding, so decoding
//! runs beside the RIB work) and a writer task; outgoing connects run in
//! their own tasks. Only configured peers are accepted; others are refused
//! and logged.

mod api;
mod config;
mod connection;
mod core;
mod peer;
pub mod security;
mod timers;
mod transport;

use tokio::sync::mpsc;

pub use api::{
    Events, FibNextHop, PathStatus, PeerEvent, PeerStatus, RouteAttributes, RouteEvent,
    RouteStatus, Speaker, Stopped,
};
pub use config::{MaxPrefix, PeerConfig, SpeakerConfig};

/// Starts a speaker: binds its listener (when configured) and begins
/// connecting to its peers.
pub async fn start(cfg: SpeakerConfig) -> std::io::Result<(Speaker, Events)> {
    let (input_tx, input_rx) = mpsc::channel(1024);
    let mut listener_task = None;
    if let Some(addr) = cfg.listen {
        // MD5 keys and GTSM live on the listening socket too, for the
        // peers whose address is configured.
        let secured: Vec<_> = cfg
            .peers
            .iter()
            .filter(|p| !p.is_unnumbered())
            .map(|p| (p.address, p.security.clone()))
            .collect();
        let listener = transport::listen_secured(addr, &secured)?;
        let tx = input_tx.clone();
        listener_task = Some(tokio::spawn(async move {
            loop {
                match listener.accept().await {
                    Ok((stream, from)) => {
                        if tx.send(core::Input::Accepted(stream, from)).await.is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    }
                }
            }
        }));
    }
    let ra = if cfg.peers.iter().any(PeerConfig::is_unnumbered) {
        let (driver, mut events) = crate::unnumbered::RaDriver::start(cfg.ra.clone())
            .map_err(|e| std::io::Error::other(format!("router advertisements: {e}")))?;
        for p in cfg.peers.iter().filter(|p| p.is_unnumbered()) {
            let ifname = p.interface.as_deref().unwrap_or_default();
            driver.add_interface(ifname).map_err(|e| {
                std::io::Error::other(format!("router advertisements on {ifname}: {e}"))
            })?;
        }
        let tx = input_tx.clone();
        tokio::spawn(async move {
            while let Some(e) = events.recv().await {
                if tx.send(core::Input::Ra(e)).await.is_err() {
                    return;
                }
            }
        });
        Some(driver)
    } else {
        None
    };
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let (route_tx, route_rx) = mpsc::unbounded_channel();
    let (peer_tx, peer_rx) = mpsc::unbounded_channel();
    let core = core::Core::new(cfg, input_tx, route_tx, peer_tx, listener_task, ra);
    tokio::spawn(core.run(cmd_rx, input_rx));
    Ok((
        Speaker { tx: cmd_tx },
        Events {
            routes: route_rx,
            peers: peer_rx,
        },
    ))
}
