//! TCP for BGP: the listening socket and outgoing connections, with TCP
//! MD5 and GTSM when a peer asks for them (`listen_secured`,
//! `connect_secured`, `secure_accepted`, `secure_accepted_from`; the
//! options are in `security`).

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket, TcpStream};

use super::security::{
    set_gtsm, set_listener_gtsm, set_md5, set_ttl_security, ListenerGtsm, PeerSecurity,
};

/// The address a peer connected from, with IPv4-mapped IPv6 addresses
/// turned back into IPv4.
pub fn peer_ip(addr: &SocketAddr) -> (IpAddr, u32) {
    match addr {
        SocketAddr::V4(a) => (IpAddr::V4(*a.ip()), 0),
        SocketAddr::V6(a) => (IpAddr::V6(*a.ip()).to_canonical(), a.scope_id()),
    }
}

/// Binds the listening socket (address reuse on; an IPv6 wildcard also
/// takes IPv4) with TCP MD5 keys and GTSM for the peers that will connect:
/// `peers` lists every peer this listener serves (those without a password
/// or GTSM too, as they decide [`ListenerGtsm`]). Keys are set before
/// `listen`, so no connection is accepted unchecked.
pub fn listen_secured(
    addr: SocketAddr,
    peers: &[(IpAddr, PeerSecurity)],
) -> io::Result<TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    for (peer, sec) in peers {
        if let Some(key) = &sec.md5 {
            set_md5(&socket, *peer, Some(key))?;
        }
    }
    set_listener_gtsm(
        &socket,
        ListenerGtsm::for_peers(peers.iter().map(|(_, s)| s)),
    )?;
    socket.listen(128)
}

/// Connects to `to` (from `from` when given) within `timeout`, with the
/// peer's TCP MD5 key and GTSM set on the socket
/// before the SYN leaves. With a missing or wrong key on either side the
/// handshake never completes, so this ends in the `timeout` error.
pub async fn connect_secured(
    to: SocketAddr,
    from: Option<IpAddr>,
    timeout: Duration,
    sec: &PeerSecurity,
) -> io::Result<TcpStream> {
    let socket = match to {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    if let Some(key) = &sec.md5 {
        set_md5(&socket, to.ip(), Some(key))?;
    }
    if sec.ttl_security {
        set_ttl_security(&socket, true)?;
    }
    if let Some(ip) = from {
        socket.bind(SocketAddr::new(ip, 0))?;
    }
    let stream = tokio::time::timeout(timeout, socket.connect(to))
        .await
        .map_err(|_| {
            io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no answer from {to} within {timeout:?}"),
            )
        })??;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// Applies a peer's GTSM to a socket accepted by a [`listen_secured`]
/// listener: needed when the listener serves peers without GTSM too
/// ([`ListenerGtsm::SendOnly`]); harmless otherwise. The MD5 key needs
/// nothing: the accepted socket inherits it from the listener.
pub fn secure_accepted(stream: &TcpStream, sec: &PeerSecurity) -> io::Result<()> {
    set_gtsm(stream, sec.ttl_security, sec.ttl_security)?;
    Ok(())
}

/// [`secure_accepted`], and the peer's TCP MD5 key set on the accepted
/// socket itself: a connection whose handshake completed before the
/// listener had the key (a peer added while the speaker runs) would
/// otherwise carry on unsigned; with the key, its unsigned segments are
/// dropped from here on and the session never comes up.
pub(crate) fn secure_accepted_from(
    stream: &TcpStream,
    peer: IpAddr,
    sec: &PeerSecurity,
) -> io::Result<()> {
    secure_accepted(stream, sec)?;
    if let Some(key) = &sec.md5 {
        set_md5(stream, peer, Some(key))?;
    }
    Ok(())
}
