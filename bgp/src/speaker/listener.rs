//! The listening socket and its accepting task. Its TCP MD5 keys and GTSM
//! setting follow the peers: bound with those of the initial peers (set
//! before `listen`), then changed as peers are added and removed. Keys are
//! per address and only numbered peers have one here (an unnumbered
//! peer's address is learned later); GTSM depends on every peer.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::config::PeerConfig;
use super::core::Input;
use super::security::{set_listener_gtsm, set_md5, ListenerGtsm, PeerSecurity, SecurityError};
use super::transport;

/// The listener; dropping it stops accepting and closes the socket.
#[derive(Debug)]
pub(crate) struct Listener {
    socket: Arc<TcpListener>,
    accepting: JoinHandle<()>,
}

impl Listener {
    /// Binds `addr` secured for `peers` and hands every accepted
    /// connection to the protocol task.
    pub fn start(
        addr: SocketAddr,
        peers: &[PeerConfig],
        input: mpsc::Sender<Input>,
    ) -> io::Result<Listener> {
        let secured: Vec<(IpAddr, PeerSecurity)> = peers
            .iter()
            .map(|p| {
                let mut sec = p.security.clone();
                if p.is_unnumbered() {
                    sec.md5 = None;
                }
                (p.address, sec)
            })
            .collect();
        let socket = Arc::new(transport::listen_secured(addr, &secured)?);
        let accepting = tokio::spawn(accept(Arc::clone(&socket), input));
        Ok(Listener { socket, accepting })
    }

    /// Adds (`Some`) or removes the TCP MD5 key for connections from `peer`.
    pub fn set_key(
        &self,
        peer: IpAddr,
        key: Option<&super::security::Md5Key>,
    ) -> Result<(), SecurityError> {
        set_md5(&*self.socket, peer, key)
    }

    /// Sets GTSM for the peers the listener now serves.
    pub fn set_gtsm<'a>(
        &self,
        peers: impl IntoIterator<Item = &'a PeerSecurity>,
    ) -> Result<(), SecurityError> {
        set_listener_gtsm(&*self.socket, ListenerGtsm::for_peers(peers))
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

async fn accept(socket: Arc<TcpListener>, input: mpsc::Sender<Input>) {
    loop {
        match socket.accept().await {
            Ok((stream, from)) => {
                if input.send(Input::Accepted(stream, from)).await.is_err() {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}
