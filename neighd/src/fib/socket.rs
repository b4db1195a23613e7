//! The FIB's rtnetlink socket: requests sent many at a time under a window
//! of unacknowledged sequence numbers (sized to the receive buffer), their
//! ACKs and errors matched back by sequence number, route dumps, and single
//! queries. Nothing here knows what a route is: requests arrive serialized.
//!
//! The kernel handles an rtnetlink request while we are still in `send`, so
//! by the time `send` returns every ACK it produced sits in our receive
//! queue — or was dropped because the queue was full (the next `recv` fails
//! with ENOBUFS). After such an overrun the ACKs not found in the queue are
//! lost; their requests are sent again (route changes are idempotent:
//! REPLACE installs the same route, a second delete answers ESRCH) with a
//! smaller window.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::time::Duration;

use netlink_packet_core::{
    NetlinkSerializable, NLMSG_DONE, NLMSG_ERROR, NLM_F_ACK, NLM_F_ACK_TLVS, NLM_F_CAPPED,
    NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST,
};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};
use tokio::io::unix::AsyncFd;

use super::error::{FibError, KernelError};

/// Receive buffer of one `recv`: the kernel fills dump datagrams up to 32 KiB.
const RECV_BUFFER: usize = 64 * 1024;
/// Requests are packed into datagrams up to this size (well below the
/// default socket send buffer).
const SEND_CHUNK: usize = 32 * 1024;
/// The receive buffer we ask for; the kernel caps it at `net.core.rmem_max`.
const WANTED_RECEIVE_BUFFER: usize = 4 << 20;
/// What one queued ACK costs in the receive buffer (the skb's truesize,
/// generously): the window is the buffer divided by this.
const ACK_COST: usize = 1536;
const MIN_WINDOW: usize = 16;
const MAX_WINDOW: usize = 1024;
/// A request whose ACK was lost this many times at the smallest window is
/// given up.
const MAX_LOSSES: u8 = 3;
/// How long to wait for an answer the kernel owes us.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);
/// A dump interrupted by concurrent changes is repeated this often.
const DUMP_ATTEMPTS: usize = 3;
const NLMSG_HEADER_LEN: usize = 16;
const NLMSGERR_ATTR_MSG: u16 = 1;

/// One request, serialized once and sent (again) with a fresh sequence number.
#[derive(Debug, Clone)]
pub struct Request {
    message_type: u16,
    flags: u16,
    payload: Vec<u8>,
}

impl Request {
    /// `message` with `flags` (NLM_F_REQUEST is added; NLM_F_ACK too for
    /// [`RouteSocket::execute`] and [`RouteSocket::query`]).
    pub(crate) fn new(message: &RouteNetlinkMessage, flags: u16) -> Self {
        let mut payload = vec![0; NetlinkSerializable::buffer_len(message)];
        NetlinkSerializable::serialize(message, &mut payload);
        Request {
            message_type: NetlinkSerializable::message_type(message),
            flags: flags | NLM_F_REQUEST,
            payload,
        }
    }

    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    fn encode(&self, extra_flags: u16, sequence: u32, out: &mut Vec<u8>) {
        let len = NLMSG_HEADER_LEN + self.payload.len();
        out.extend_from_slice(&(len as u32).to_ne_bytes());
        out.extend_from_slice(&self.message_type.to_ne_bytes());
        out.extend_from_slice(&(self.flags | extra_flags).to_ne_bytes());
        out.extend_from_slice(&sequence.to_ne_bytes());
        out.extend_from_slice(&0u32.to_ne_bytes()); // port id: the kernel's is 0
        out.extend_from_slice(&self.payload);
        out.resize(align(out.len()), 0);
    }
}

/// A message the kernel sent in answer to a query or dump.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) message_type: u16,
    pub(crate) payload: Vec<u8>,
}

/// The socket, with its sequence numbers and its current window.
#[derive(Debug)]
pub(crate) struct RouteSocket {
    fd: AsyncFd<Socket>,
    next_sequence: u32,
    window: usize,
    full_window: usize,
    recv_buf: Vec<u8>,
    send_buf: Vec<u8>,
}

impl RouteSocket {
    /// Opens and binds a NETLINK_ROUTE socket (non-blocking, capped ACKs,
    /// extended ACKs, strict dump filtering). Must run inside a tokio runtime.
    pub(crate) fn open() -> Result<RouteSocket, FibError> {
        Self::open_with(WANTED_RECEIVE_BUFFER, None)
    }

    /// [`Self::open`] asking for `receive_buffer` bytes; `window` overrides
    /// the window that buffer gives (tests force overruns with it).
    fn open_with(receive_buffer: usize, window: Option<usize>) -> Result<RouteSocket, FibError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(FibError::NoRuntime);
        }
        let mut socket = Socket::new(NETLINK_ROUTE).map_err(FibError::Open)?;
        socket.bind_auto().map_err(FibError::Open)?;
        socket
            .connect(&SocketAddr::new(0, 0))
            .map_err(FibError::Open)?;
        socket.set_non_blocking(true).map_err(FibError::Open)?;
        // Without these the socket still works: errors carry no message,
        // ACKs carry the whole request, dumps are filtered here only.
        let _ = socket.set_cap_ack(true);
        let _ = socket.set_ext_ack(true);
        let _ = socket.set_netlink_get_strict_chk(true);
        let wanted = libc::c_int::try_from(receive_buffer).unwrap_or(libc::c_int::MAX);
        let _ = socket.set_rx_buf_sz(wanted);
        let receive_buffer = socket.get_rx_buf_sz().map_err(FibError::Open)?;
        let window =
            window.unwrap_or_else(|| (receive_buffer / ACK_COST).clamp(MIN_WINDOW, MAX_WINDOW));
        tracing::debug!(receive_buffer, window, "rtnetlink socket for the FIB");
        // `AsyncFd::new` is deprecated in favour of the unsafe `register`
        // (tokio#8587: a wrapper's `as_raw_fd` could change or close the fd
        // behind tokio's back). `netlink_sys::Socket` owns its fd, closes it
        // only on drop and is never cloned here, which is what `register`
        // asks the caller to promise; neighd denies `unsafe`.
        #[allow(deprecated)]
        let fd = AsyncFd::new(socket).map_err(FibError::Open)?;
        Ok(RouteSocket {
            fd,
            next_sequence: 1,
            window,
            full_window: window,
            recv_buf: Vec::with_capacity(RECV_BUFFER),
            send_buf: Vec::with_capacity(SEND_CHUNK + 4096),
        })
    }

    /// Sends every request (with NLM_F_ACK), at most a window of them
    /// unacknowledged at a time, and returns the kernel's answer to each,
    /// in the order of `requests`. Only a failing socket is an error.
    pub(crate) async fn execute(
        &mut self,
        requests: &[Request],
    ) -> Result<Vec<Result<(), KernelError>>, FibError> {
        let mut answers: Vec<Option<Result<(), KernelError>>> = vec![None; requests.len()];
        // ACKs lost while the window could not shrink any more
        let mut losses = vec![0u8; requests.len()];
        let mut queue: VecDeque<usize> = (0..requests.len()).collect();
        let mut in_flight: HashMap<u32, usize> = HashMap::with_capacity(self.window);
        let mut overran = false;
        while !queue.is_empty() || !in_flight.is_empty() {
            self.send_window(requests, &mut queue, &mut in_flight)
                .await?;
            let low_water = if queue.is_empty() { 0 } else { self.window / 2 };
            match self
                .collect_acks(&mut in_flight, &mut answers, low_water)
                .await?
            {
                Acks::Complete => {}
                Acks::Overrun => {
                    overran = true;
                    let shrunk = self.window > MIN_WINDOW;
                    self.window = (self.window / 2).max(MIN_WINDOW);
                    tracing::debug!(
                        lost = in_flight.len(),
                        window = self.window,
                        "rtnetlink receive queue overran, sending the unanswered requests again"
                    );
                    for (_, i) in in_flight.drain() {
                        if !shrunk {
                            losses[i] += 1;
                        }
                        if losses[i] >= MAX_LOSSES {
                            answers[i] = Some(Err(no_answer("receive queue overrun")));
                        } else {
                            queue.push_front(i);
                        }
                    }
                }
                Acks::Silent => {
                    // Something is badly wrong: give up on this batch.
                    tracing::warn!(
                        unanswered = in_flight.len() + queue.len(),
                        "the kernel did not acknowledge route requests"
                    );
                    for i in in_flight.drain().map(|(_, i)| i).chain(queue.drain(..)) {
                        answers[i] = Some(Err(no_answer("timed out")));
                    }
                }
            }
            // The kernel did the work inside `send`: let other tasks run.
            tokio::task::yield_now().await;
        }
        if !overran {
            self.window = (self.window * 2).min(self.full_window);
        }
        Ok(answers
            .into_iter()
            .map(|a| a.unwrap_or_else(|| Err(no_answer("lost"))))
            .collect())
    }

    /// Fills the window from `queue`, packing requests into datagrams.
    async fn send_window(
        &mut self,
        requests: &[Request],
        queue: &mut VecDeque<usize>,
        in_flight: &mut HashMap<u32, usize>,
    ) -> Result<(), FibError> {
        while in_flight.len() < self.window {
            self.send_buf.clear();
            while in_flight.len() < self.window && self.send_buf.len() < SEND_CHUNK {
                let Some(i) = queue.pop_front() else { break };
                let sequence = self.sequence();
                requests[i].encode(NLM_F_ACK, sequence, &mut self.send_buf);
                in_flight.insert(sequence, i);
            }
            if self.send_buf.is_empty() {
                break;
            }
            send(&self.fd, &self.send_buf).await?;
        }
        Ok(())
    }

    /// Reads ACKs into `answers` until at most `low_water` requests are
    /// unanswered and nothing more is queued. After an overrun or silence,
    /// what is still in `in_flight` will never be answered.
    async fn collect_acks(
        &mut self,
        in_flight: &mut HashMap<u32, usize>,
        answers: &mut [Option<Result<(), KernelError>>],
        low_water: usize,
    ) -> Result<Acks, FibError> {
        let mut overrun = false;
        loop {
            let received = if in_flight.len() > low_water && !overrun {
                match tokio::time::timeout(ANSWER_TIMEOUT, self.recv()).await {
                    Ok(r) => r.map(Some),
                    Err(_) => return Ok(Acks::Silent),
                }
            } else {
                self.try_recv()
            };
            match received {
                Ok(Some(_)) => {}
                Ok(None) if overrun => return Ok(Acks::Overrun),
                Ok(None) => return Ok(Acks::Complete),
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                    overrun = true;
                    continue;
                }
                Err(e) => return Err(FibError::Socket(e)),
            }
            for frame in frames(&self.recv_buf) {
                if frame.message_type != NLMSG_ERROR {
                    continue;
                }
                if let Some(i) = in_flight.remove(&frame.sequence) {
                    answers[i] = Some(ack_result(&frame));
                }
            }
        }
    }

    /// Dumps with `request` (NLM_F_DUMP is added): every message of the
    /// answer, repeated when the kernel says the dump was interrupted by
    /// changes.
    pub(crate) async fn dump(
        &mut self,
        request: &Request,
        what: &'static str,
    ) -> Result<Vec<Reply>, FibError> {
        let mut attempt = 1;
        loop {
            let (replies, interrupted) = self.dump_once(request, what).await?;
            if !interrupted || attempt == DUMP_ATTEMPTS {
                return Ok(replies);
            }
            attempt += 1;
        }
    }

    async fn dump_once(
        &mut self,
        request: &Request,
        what: &'static str,
    ) -> Result<(Vec<Reply>, bool), FibError> {
        let sequence = self.sequence();
        self.send_buf.clear();
        request.encode(NLM_F_DUMP, sequence, &mut self.send_buf);
        send(&self.fd, &self.send_buf).await?;
        let mut replies = Vec::new();
        let mut interrupted = false;
        loop {
            self.recv_answer(what).await?;
            for frame in frames(&self.recv_buf) {
                if frame.sequence != sequence {
                    continue;
                }
                interrupted |= frame.flags & NLM_F_DUMP_INTR != 0;
                match frame.message_type {
                    NLMSG_DONE => {
                        // NLMSG_DONE carries the dump's error code (0: complete).
                        if let Err(error) = ack_result(&frame) {
                            return Err(FibError::Kernel { what, error });
                        }
                        return Ok((replies, interrupted));
                    }
                    NLMSG_ERROR => {
                        if let Err(error) = ack_result(&frame) {
                            return Err(FibError::Kernel { what, error });
                        }
                    }
                    message_type => replies.push(Reply {
                        message_type,
                        payload: frame.payload.to_vec(),
                    }),
                }
            }
        }
    }

    /// Sends one request with NLM_F_ACK: the messages it produced, or the
    /// kernel's refusal.
    pub(crate) async fn query(
        &mut self,
        request: &Request,
        what: &'static str,
    ) -> Result<Result<Vec<Reply>, KernelError>, FibError> {
        let sequence = self.sequence();
        self.send_buf.clear();
        request.encode(NLM_F_ACK, sequence, &mut self.send_buf);
        send(&self.fd, &self.send_buf).await?;
        let mut replies = Vec::new();
        loop {
            self.recv_answer(what).await?;
            for frame in frames(&self.recv_buf) {
                if frame.sequence != sequence {
                    continue;
                }
                if frame.message_type == NLMSG_ERROR {
                    return Ok(ack_result(&frame).map(|()| replies));
                }
                replies.push(Reply {
                    message_type: frame.message_type,
                    payload: frame.payload.to_vec(),
                });
            }
        }
    }

    /// One datagram an answer is due in; an overrun (ACKs of earlier
    /// batches we no longer wait for) is not our answer's problem.
    async fn recv_answer(&mut self, what: &'static str) -> Result<(), FibError> {
        loop {
            match tokio::time::timeout(ANSWER_TIMEOUT, self.recv()).await {
                Err(_) => {
                    return Err(FibError::Timeout {
                        what,
                        seconds: ANSWER_TIMEOUT.as_secs(),
                    })
                }
                Ok(Err(e)) if e.raw_os_error() == Some(libc::ENOBUFS) => continue,
                Ok(Err(e)) => return Err(FibError::Socket(e)),
                Ok(Ok(_)) => return Ok(()),
            }
        }
    }

    fn sequence(&mut self) -> u32 {
        let s = self.next_sequence;
        self.next_sequence = self.next_sequence.wrapping_add(1);
        s
    }

    /// Waits for and reads one datagram into `recv_buf`.
    async fn recv(&mut self) -> io::Result<usize> {
        loop {
            let mut guard = self.fd.readable().await?;
            self.recv_buf.clear();
            let buf = &mut self.recv_buf;
            match guard.try_io(|fd| fd.get_ref().recv(buf, 0)) {
                Ok(result) => return result,
                Err(_would_block) => continue,
            }
        }
    }

    /// Reads one datagram into `recv_buf` if one is queued.
    fn try_recv(&mut self) -> io::Result<Option<usize>> {
        self.recv_buf.clear();
        match self.fd.get_ref().recv(&mut self.recv_buf, 0) {
            Ok(n) => Ok(Some(n)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(e),
        }
    }
}

async fn send(fd: &AsyncFd<Socket>, bytes: &[u8]) -> Result<(), FibError> {
    loop {
        let mut guard = fd.writable().await.map_err(FibError::Socket)?;
        match guard.try_io(|fd| fd.get_ref().send(bytes, 0)) {
            Ok(result) => return result.map(drop).map_err(FibError::Socket),
            Err(_would_block) => continue,
        }
    }
}

/// How a round of reading ACKs ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Acks {
    /// Every ACK that was due has been read.
    Complete,
    /// The receive queue overran: the unread ACKs are lost.
    Overrun,
    /// The kernel owed ACKs and sent nothing for [`ANSWER_TIMEOUT`].
    Silent,
}

fn no_answer(why: &str) -> KernelError {
    KernelError {
        errno: libc::ENOBUFS,
        message: Some(format!("no answer from the kernel ({why})")),
    }
}

fn align(len: usize) -> usize {
    (len + 3) & !3
}

/// One netlink message inside a datagram.
#[derive(Debug)]
pub struct Frame<'a> {
    pub message_type: u16,
    pub flags: u16,
    pub sequence: u32,
    pub payload: &'a [u8],
}

/// The messages of a datagram; stops at the first malformed header.
pub fn frames(mut buf: &[u8]) -> impl Iterator<Item = Frame<'_>> {
    std::iter::from_fn(move || {
        let header = buf.get(..NLMSG_HEADER_LEN)?;
        let len = u32::from_ne_bytes(header[0..4].try_into().ok()?) as usize;
        if len < NLMSG_HEADER_LEN || len > buf.len() {
            return None;
        }
        let frame = Frame {
            message_type: u16::from_ne_bytes(header[4..6].try_into().ok()?),
            flags: u16::from_ne_bytes(header[6..8].try_into().ok()?),
            sequence: u32::from_ne_bytes(header[8..12].try_into().ok()?),
            payload: &buf[NLMSG_HEADER_LEN..len],
        };
        buf = buf.get(align(len)..).unwrap_or(&[]);
        Some(frame)
    })
}

/// The answer in an NLMSG_ERROR (or NLMSG_DONE) message: 0 is success,
/// a negative errno a refusal, with the extended-ack message if present.
pub fn ack_result(frame: &Frame<'_>) -> Result<(), KernelError> {
    let Some(code) = frame.payload.get(..4) else {
        return Err(KernelError {
            errno: libc::EIO,
            message: Some("truncated answer from the kernel".into()),
        });
    };
    let code = i32::from_ne_bytes([code[0], code[1], code[2], code[3]]);
    if code == 0 {
        return Ok(());
    }
    let message = if frame.message_type == NLMSG_ERROR && frame.flags & NLM_F_ACK_TLVS != 0 {
        // After the code: the request's header (capped) or the whole request.
        let request_len = if frame.flags & NLM_F_CAPPED != 0 {
            Some(NLMSG_HEADER_LEN)
        } else {
            frame
                .payload
                .get(4..8)
                .map(|l| u32::from_ne_bytes([l[0], l[1], l[2], l[3]]) as usize)
        };
        request_len
            .and_then(|l| frame.payload.get(4 + align(l)..))
            .and_then(extended_ack_message)
    } else {
        None
    };
    Err(KernelError {
        errno: code.saturating_neg(),
        message,
    })
}

/// NLMSGERR_ATTR_MSG among the extended-ack attributes.
fn extended_ack_message(mut tlvs: &[u8]) -> Option<String> {
    while tlvs.len() >= 4 {
        let len = u16::from_ne_bytes([tlvs[0], tlvs[1]]) as usize;
        let kind = u16::from_ne_bytes([tlvs[2], tlvs[3]]);
        let value = tlvs.get(4..len)?;
        if kind == NLMSGERR_ATTR_MSG {
            let text = value.split(|&b| b == 0).next().unwrap_or(value);
            return Some(String::from_utf8_lossy(text).into_owned());
        }
        tlvs = tlvs.get(align(len.max(4))..)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::message::{self, Forwarding, RouteOwner};
    use super::*;
    use bgp::wire::Prefix;
    use integration::reexec::{in_namespace, ip};
    use std::net::Ipv4Addr;

    #[test]
    fn acks_lost_to_a_full_receive_queue_are_recovered_by_sending_again() {
        in_namespace(
            "fib-unit-",
            "fib::socket::tests::acks_lost_to_a_full_receive_queue_are_recovered_by_sending_again",
            async {
                const ROUTES: u32 = 5000;
                ip("link add swp1 type veth peer name swp1-p");
                ip("link set swp1 up");
                let swp1 = ip("-o link show swp1")
                    .split(':')
                    .next()
                    .and_then(|i| i.trim().parse().ok())
                    .expect("swp1's ifindex");
                // a receive queue of a few dozen ACKs, a window of a thousand
                let mut socket = RouteSocket::open_with(4096, Some(MAX_WINDOW)).expect("socket");
                let owner = RouteOwner {
                    table: 1000,
                    protocol: 211,
                    metric: 20,
                };
                let requests: Vec<Request> = (0..ROUTES)
                    .map(|i| {
                        let host = Prefix::host(Ipv4Addr::from(0x0a80_0000 + i).into());
                        message::install(&owner, &host, &Forwarding::Device(swp1))
                            .expect("a device route")
                    })
                    .collect();
                let answers = socket.execute(&requests).await.expect("the socket works");
                assert!(
                    socket.window < MAX_WINDOW,
                    "the queue overran and the window shrank"
                );
                let failed: Vec<_> = answers.iter().filter(|a| a.is_err()).collect();
                assert!(
                    failed.is_empty(),
                    "{} failed, e.g. {:?}",
                    failed.len(),
                    failed[0]
                );
                let shown = ip("-4 route show table 1000 proto 211");
                assert_eq!(shown.lines().count(), ROUTES as usize);
            },
        );
    }

    fn error_frame(code: i32, flags: u16, tlvs: &[u8]) -> Vec<u8> {
        let mut payload = code.to_ne_bytes().to_vec();
        payload.extend_from_slice(&[0; NLMSG_HEADER_LEN]);
        payload.extend_from_slice(tlvs);
        let mut out = ((NLMSG_HEADER_LEN + payload.len()) as u32)
            .to_ne_bytes()
            .to_vec();
        out.extend_from_slice(&NLMSG_ERROR.to_ne_bytes());
        out.extend_from_slice(&flags.to_ne_bytes());
        out.extend_from_slice(&7u32.to_ne_bytes());
        out.extend_from_slice(&0u32.to_ne_bytes());
        out.extend_from_slice(&payload);
        out
    }

    #[test]
    fn an_ack_is_success_and_a_nack_carries_errno_and_message() {
        let mut tlv = vec![0u8; 4];
        let text = b"Nexthop device is not up\0";
        tlv[0..2].copy_from_slice(&((4 + text.len()) as u16).to_ne_bytes());
        tlv[2..4].copy_from_slice(&NLMSGERR_ATTR_MSG.to_ne_bytes());
        tlv.extend_from_slice(text);
        let mut datagram = error_frame(0, NLM_F_CAPPED, &[]);
        datagram.extend(error_frame(
            -libc::ENETDOWN,
            NLM_F_CAPPED | NLM_F_ACK_TLVS,
            &tlv,
        ));
        let answers: Vec<_> = frames(&datagram).map(|f| ack_result(&f)).collect();
        assert_eq!(answers.len(), 2);
        assert_eq!(answers[0], Ok(()));
        let error = answers[1].clone().unwrap_err();
        assert_eq!(error.errno, libc::ENETDOWN);
        assert_eq!(error.message.as_deref(), Some("Nexthop device is not up"));
        assert!(error.to_string().contains("Nexthop device is not up"));
    }

    #[test]
    fn a_malformed_datagram_ends_the_frames_without_panicking() {
        let mut datagram = error_frame(0, 0, &[]);
        datagram.extend_from_slice(&[200, 0, 0, 0, 2, 0]);
        assert_eq!(frames(&datagram).count(), 1);
        assert_eq!(frames(&[1, 2, 3]).count(), 0);
        let short = Frame {
            message_type: NLMSG_ERROR,
            flags: 0,
            sequence: 1,
            payload: &[1],
        };
        assert_eq!(ack_result(&short).unwrap_err().errno, libc::EIO);
    }
}
