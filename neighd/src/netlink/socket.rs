//! An rtnetlink socket driven by tokio: bound, subscribed to multicast
//! groups, with the receive buffer the caller asked for (forced past
//! `rmem_max` when the process may), sending requests and receiving one
//! datagram at a time into a buffer it owns.

use std::io;

use netlink_packet_route::RouteNetlinkMessage;
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

use super::{encode_request, NetlinkError};

/// Bytes of the receive buffer for one datagram. The kernel never builds a
/// dump datagram larger than 32 KiB, nor a notification near that size.
pub const RECV_BUFFER_LEN: usize = 64 * 1024;

/// What one [`RtnlSocket::recv`] returned.
#[derive(Debug)]
pub enum Received<'a> {
    /// A datagram: one or more netlink messages (walk them with
    /// [`Frames`](super::Frames)).
    Datagram(&'a [u8]),
    /// The kernel dropped messages for this socket because its receive
    /// buffer was full (`ENOBUFS`): whatever the caller mirrors from
    /// notifications is out of date.
    Overrun,
    /// A datagram longer than [`RECV_BUFFER_LEN`] (its full length); its
    /// messages are lost.
    Truncated(usize),
}

/// A `NETLINK_ROUTE` socket on the tokio reactor.
#[derive(Debug)]
pub struct RtnlSocket {
    fd: AsyncFd<Socket>,
    port: u32,
    last_seq: u32,
    receive_buffer: usize,
    buf: Vec<u8>,
}

impl RtnlSocket {
    /// Opens a socket in the calling thread's network namespace, subscribed
    /// to `groups` (see [`groups`](super::groups)), with a receive buffer of
    /// `receive_buffer` bytes: `SO_RCVBUFFORCE` first, `SO_RCVBUF` (capped
    /// by `net.core.rmem_max`) when the process lacks `CAP_NET_ADMIN`. Must
    /// be called inside a tokio runtime.
    pub fn open(groups: &[u32], receive_buffer: usize) -> Result<Self, NetlinkError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| NetlinkError::NoRuntime)?;
        let mut socket = Socket::new(NETLINK_ROUTE).map_err(|e| NetlinkError::io("socket", e))?;
        let addr = socket
            .bind_auto()
            .map_err(|e| NetlinkError::io("bind", e))?;
        for &group in groups {
            socket
                .add_membership(group)
                .map_err(|e| NetlinkError::io("subscribe", e))?;
        }
        let receive_buffer = set_receive_buffer(&socket, receive_buffer)
            .map_err(|e| NetlinkError::io("SO_RCVBUF", e))?;
        socket
            .set_non_blocking(true)
            .map_err(|e| NetlinkError::io("set non-blocking", e))?;
        let _entered = runtime.enter();
        // tokio 1.54 deprecated the safe constructor because a `T` could
        // change or close the fd behind the reactor's back; the only
        // alternative is `unsafe`, which this crate denies. `Socket` owns
        // its fd, returns that same fd from `as_raw_fd` and closes it only
        // when dropped, which the AsyncFd does after deregistering.
        #[allow(deprecated)]
        let fd = AsyncFd::with_interest(socket, Interest::READABLE | Interest::WRITABLE)
            .map_err(|e| NetlinkError::io("register with tokio", e))?;
        Ok(RtnlSocket {
            fd,
            port: addr.port_number(),
            last_seq: 0,
            receive_buffer,
            buf: Vec::with_capacity(RECV_BUFFER_LEN),
        })
    }

    /// The port (`nl_pid`) the kernel gave this socket; replies to its
    /// requests carry it.
    pub fn port(&self) -> u32 {
        self.port
    }

    /// The receive buffer as the kernel reports it (twice what was set,
    /// for its bookkeeping).
    pub fn receive_buffer(&self) -> usize {
        self.receive_buffer
    }

    /// Sends `message` with `flags` (`NLM_F_REQUEST` is added) under a new
    /// sequence number, which it returns: replies carry it.
    pub async fn request(
        &mut self,
        message: RouteNetlinkMessage,
        flags: u16,
    ) -> Result<u32, NetlinkError> {
        self.last_seq = self.last_seq.wrapping_add(1).max(1);
        let seq = self.last_seq;
        let bytes = encode_request(message, flags, seq);
        let kernel = SocketAddr::new(0, 0);
        self.fd
            .async_io(Interest::WRITABLE, |s| s.send_to(&bytes, &kernel, 0))
            .await
            .map_err(|e| NetlinkError::io("send", e))?;
        Ok(seq)
    }

    /// Sends a dump request (`NLM_F_DUMP`) for `message`'s kind; its
    /// sequence number.
    pub async fn dump(&mut self, message: RouteNetlinkMessage) -> Result<u32, NetlinkError> {
        self.request(message, netlink_packet_core::NLM_F_DUMP).await
    }

    /// Waits for the next datagram.
    pub async fn recv(&mut self) -> Result<Received<'_>, NetlinkError> {
        let buf = &mut self.buf;
        let res = self
            .fd
            .async_io(Interest::READABLE, |s| {
                buf.clear();
                loop {
                    match s.recv(buf, libc::MSG_TRUNC) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        other => return other,
                    }
                }
            })
            .await;
        match res {
            Ok(len) if len > self.buf.len() => Ok(Received::Truncated(len)),
            Ok(_) => Ok(Received::Datagram(&self.buf)),
            Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => Ok(Received::Overrun),
            Err(e) => Err(NetlinkError::io("recv", e)),
        }
    }
}

/// Sets the receive buffer, forced if allowed; the size the kernel reports.
fn set_receive_buffer(socket: &Socket, bytes: usize) -> io::Result<usize> {
    use rustix::net::sockopt;
    if sockopt::set_socket_recv_buffer_size_force(socket, bytes).is_err() {
        sockopt::set_socket_recv_buffer_size(socket, bytes)?;
    }
    socket.get_rx_buf_sz()
}
