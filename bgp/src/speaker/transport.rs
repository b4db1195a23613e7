//! TCP for BGP: the listening socket and outgoing connections.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// Binds the listening socket (address reuse on; an IPv6 wildcard also
/// accepts IPv4).
pub fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(128)
}

/// Connects to `to`, from `from` when given, within `timeout`.
pub async fn connect(
    to: SocketAddr,
    from: Option<IpAddr>,
    timeout: Duration,
) -> io::Result<TcpStream> {
    let socket = match to {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
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

/// The address a peer connected from, with IPv4-mapped IPv6 addresses
/// turned back into IPv4.
pub fn peer_ip(addr: &SocketAddr) -> (IpAddr, u32) {
    match addr {
        SocketAddr::V4(a) => (IpAddr::V4(*a.ip()), 0),
        SocketAddr::V6(a) => (IpAddr::V6(*a.ip()).to_canonical(), a.scope_id()),
    }
}
