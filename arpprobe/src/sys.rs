//! The raw OS boundary, and the only module with `unsafe`: AF_PACKET sockets
//! (open, attach a classic BPF filter before bind, `sendmmsg`, `recvmmsg`),
//! interface enumeration with `getifaddrs`, and the open-files limit.
//!
//! Every `unsafe` block passes pointers to memory owned by the enclosing
//! function for the duration of one system call; each says why that is sound.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString};
use std::io;
use std::mem::{size_of, zeroed};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use crate::bpf::Insn;
use crate::txbatch::TxBatch;
use crate::wire::MacAddr;
use crate::Error;

const ARPHRD_ETHER: u16 = 1;

fn cvt(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// Creates a non-blocking AF_PACKET/SOCK_RAW socket with protocol 0, which
/// receives nothing until it is bound with a protocol.
fn packet_socket() -> io::Result<OwnedFd> {
    // SAFETY: socket(2) takes no pointers; a non-negative result is a new fd we own.
    let fd = cvt(unsafe {
        libc::socket(
            libc::AF_PACKET,
            libc::SOCK_RAW | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        )
    })?;
    // SAFETY: `fd` was just returned by socket(2) and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn setsockopt_int(
    fd: RawFd,
    level: libc::c_int,
    name: libc::c_int,
    value: libc::c_int,
) -> io::Result<()> {
    // SAFETY: the option value points to a live c_int of the size passed.
    cvt(unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&value as *const libc::c_int).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    })
    .map(drop)
}

fn sockaddr_ll(ifindex: u32, ethertype: u16) -> libc::sockaddr_ll {
    // SAFETY: sockaddr_ll is plain old data; all-zero is a valid value.
    let mut sa: libc::sockaddr_ll = unsafe { zeroed() };
    sa.sll_family = libc::AF_PACKET as u16;
    sa.sll_protocol = ethertype.to_be();
    sa.sll_ifindex = ifindex as i32;
    sa
}

/// A packet socket bound to one interface and EtherType, carrying a filter.
#[derive(Debug)]
pub(crate) struct RxSocket {
    fd: OwnedFd,
}

impl AsRawFd for RxSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// Frames read by one [`RxSocket::recv_batch`] call, reused between calls:
/// the buffers and the `recvmmsg` headers pointing into them are built
/// once, so a call allocates and clears nothing.
pub(crate) struct RecvBatch {
    buf: Vec<u8>,
    snap: usize,
    /// (length, ifindex the kernel reports) per frame read.
    pub(crate) frames: Vec<(usize, u32)>,
    addrs: Vec<libc::sockaddr_ll>,
    iovs: Vec<libc::iovec>,
    msgs: Vec<libc::mmsghdr>,
    /// Headers the last call filled (their `msg_namelen` to restore).
    used: usize,
}

// SAFETY: the raw pointers in `iovs` and `msgs` point only into the heap
// buffers of this same value (`buf`, `addrs`, `iovs`), which are allocated
// once in `new` and never grown, so they stay valid wherever the value
// moves; they are dereferenced only by the kernel, inside `recv_batch`,
// which takes `&mut self`.
unsafe impl Send for RecvBatch {}

impl std::fmt::Debug for RecvBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecvBatch")
            .field("count", &self.msgs.len())
            .field("snap", &self.snap)
            .field("frames", &self.frames)
            .finish()
    }
}

impl RecvBatch {
    pub(crate) fn new(count: usize, snap: usize) -> RecvBatch {
        let count = count.max(1);
        let mut buf = vec![0u8; count * snap];
        // SAFETY: sockaddr_ll is plain old data; all-zero is a valid value.
        let mut addrs: Vec<libc::sockaddr_ll> = vec![unsafe { zeroed() }; count];
        let mut iovs: Vec<libc::iovec> = buf
            .chunks_exact_mut(snap)
            .map(|c| libc::iovec {
                iov_base: c.as_mut_ptr().cast(),
                iov_len: c.len(),
            })
            .collect();
        // SAFETY: mmsghdr is plain old data; all-zero is a valid value.
        let mut msgs: Vec<libc::mmsghdr> = vec![unsafe { zeroed() }; count];
        for ((m, iov), sa) in msgs.iter_mut().zip(iovs.iter_mut()).zip(addrs.iter_mut()) {
            m.msg_hdr.msg_name = (sa as *mut libc::sockaddr_ll).cast();
            m.msg_hdr.msg_namelen = size_of::<libc::sockaddr_ll>() as libc::socklen_t;
            m.msg_hdr.msg_iov = iov;
            m.msg_hdr.msg_iovlen = 1;
        }
        RecvBatch {
            buf,
            snap,
            frames: Vec::with_capacity(count),
            addrs,
            iovs,
            msgs,
            used: 0,
        }
    }

    pub(crate) fn frame(&self, i: usize) -> &[u8] {
        let (len, _) = self.frames[i];
        &self.buf[i * self.snap..i * self.snap + len.min(self.snap)]
    }
}

impl RxSocket {
    /// Opens a socket for `ethertype` frames of interface `ifindex`, with
    /// `filter` attached before bind so no other frame is ever queued.
    pub(crate) fn open(
        ifindex: u32,
        ethertype: u16,
        filter: &[Insn],
        rcvbuf: usize,
    ) -> io::Result<RxSocket> {
        let fd = packet_socket()?;
        let mut prog: Vec<libc::sock_filter> = filter
            .iter()
            .map(|i| libc::sock_filter {
                code: i.code,
                jt: i.jt,
                jf: i.jf,
                k: i.k,
            })
            .collect();
        let fprog = libc::sock_fprog {
            len: u16::try_from(prog.len())
                .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?,
            filter: prog.as_mut_ptr(),
        };
        // SAFETY: `fprog` and the instructions it points to live until the call returns;
        // the kernel copies the program.
        cvt(unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_ATTACH_FILTER,
                (&fprog as *const libc::sock_fprog).cast(),
                size_of::<libc::sock_fprog>() as libc::socklen_t,
            )
        })?;
        // best effort: a larger queue absorbs bursts of replies
        let _ = setsockopt_int(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            rcvbuf as libc::c_int,
        );
        let sa = sockaddr_ll(ifindex, ethertype);
        // SAFETY: `sa` is a valid sockaddr_ll of the size passed, alive for the call.
        cvt(unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&sa as *const libc::sockaddr_ll).cast(),
                size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        })?;
        Ok(RxSocket { fd })
    }

    /// Registers the socket with the tokio reactor (inside a runtime).
    pub(crate) fn register(self) -> io::Result<tokio::io::unix::AsyncFd<RxSocket>> {
        // SAFETY: the fd is an OwnedFd inside `self`, which the AsyncFd takes ownership
        // of: it stays open, and `as_raw_fd` returns the same fd, until the AsyncFd is dropped.
        Ok(unsafe { tokio::io::unix::AsyncFd::register(self) }?)
    }

    /// Reads as many queued frames as fit in `batch` with one `recvmmsg`.
    /// Returns `WouldBlock` when nothing is queued.
    pub(crate) fn recv_batch(&self, batch: &mut RecvBatch) -> io::Result<usize> {
        batch.frames.clear();
        // the kernel shrinks msg_namelen to what it wrote: give the room back
        for m in &mut batch.msgs[..batch.used] {
            m.msg_hdr.msg_namelen = size_of::<libc::sockaddr_ll>() as libc::socklen_t;
        }
        batch.used = 0;
        let count = batch.msgs.len();
        debug_assert_eq!(batch.iovs.len(), count);
        // SAFETY: every mmsghdr points to its own iovec over a distinct chunk of
        // `batch.buf` and to its own sockaddr_ll in `batch.addrs` (set up in
        // `RecvBatch::new`, never reallocated); `batch` is borrowed mutably for
        // the call, and `count` is the length of `msgs`.
        let n = cvt(unsafe {
            libc::recvmmsg(
                self.fd.as_raw_fd(),
                batch.msgs.as_mut_ptr(),
                count as libc::c_uint,
                libc::MSG_DONTWAIT,
                std::ptr::null_mut(),
            )
        })? as usize;
        batch.used = n;
        for (m, sa) in batch.msgs.iter().zip(batch.addrs.iter()).take(n) {
            batch
                .frames
                .push((m.msg_len as usize, sa.sll_ifindex as u32));
        }
        Ok(n)
    }
}

/// The one unbound socket all probes leave through: every message of a
/// `sendmmsg` names its own interface, so one call serves any number of them.
#[derive(Debug)]
pub(crate) struct TxSocket {
    fd: OwnedFd,
}

/// What became of a batch handed to [`TxSocket::send_batch`].
#[derive(Debug, Default)]
pub(crate) struct SendOutcome {
    /// Frames the kernel accepted.
    pub(crate) sent: usize,
    /// Frames it refused, with the interface and the error.
    pub(crate) failed: Vec<(u32, io::Error)>,
}

impl TxSocket {
    pub(crate) fn open(sndbuf: usize) -> io::Result<TxSocket> {
        let fd = packet_socket()?;
        let _ = setsockopt_int(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_SNDBUF,
            sndbuf as libc::c_int,
        );
        Ok(TxSocket { fd })
    }

    /// Sends the frames of `batch` with as few `sendmmsg` calls as possible.
    /// Frames the kernel refuses are dropped from the batch and reported;
    /// if the socket buffer is full, the rest stays in the batch for later.
    pub(crate) fn send_batch(&self, batch: &mut TxBatch) -> SendOutcome {
        let mut out = SendOutcome::default();
        while !batch.is_empty() {
            let count = batch.len();
            let mut addrs: Vec<libc::sockaddr_ll> = Vec::with_capacity(count);
            let mut iovs: Vec<libc::iovec> = Vec::with_capacity(count);
            for i in 0..count {
                let (meta, frame) = batch.get(i).expect("index below len");
                let mut sa = sockaddr_ll(meta.ifindex, meta.ethertype);
                sa.sll_halen = 6;
                sa.sll_addr[..6].copy_from_slice(&frame[..6]);
                addrs.push(sa);
                iovs.push(libc::iovec {
                    iov_base: frame.as_ptr() as *mut libc::c_void,
                    iov_len: frame.len(),
                });
            }
            // SAFETY: plain old data; zero is valid.
            let mut msgs: Vec<libc::mmsghdr> = vec![unsafe { zeroed() }; count];
            for ((m, iov), sa) in msgs.iter_mut().zip(iovs.iter_mut()).zip(addrs.iter_mut()) {
                m.msg_hdr.msg_name = (sa as *mut libc::sockaddr_ll).cast();
                m.msg_hdr.msg_namelen = size_of::<libc::sockaddr_ll>() as libc::socklen_t;
                m.msg_hdr.msg_iov = iov;
                m.msg_hdr.msg_iovlen = 1;
            }
            // SAFETY: each mmsghdr points to a sockaddr_ll in `addrs` and an iovec over a
            // frame inside `batch`, which is not touched until the call returns; the kernel
            // only reads the frames. `count` is the length of `msgs`.
            let ret = unsafe {
                libc::sendmmsg(
                    self.fd.as_raw_fd(),
                    msgs.as_mut_ptr(),
                    count as libc::c_uint,
                    libc::MSG_DONTWAIT,
                )
            };
            if ret > 0 {
                out.sent += ret as usize;
                batch.consume(ret as usize);
                continue;
            }
            let err = io::Error::last_os_error();
            match err.raw_os_error() {
                Some(libc::EAGAIN) | Some(libc::ENOBUFS) => break,
                Some(libc::EINTR) => continue,
                _ => {
                    // the first frame failed: drop it and go on with the rest
                    let ifindex = batch.get(0).map_or(0, |(m, _)| m.ifindex);
                    out.failed.push((ifindex, err));
                    batch.consume(1);
                }
            }
        }
        out
    }
}

/// One network interface as `getifaddrs` shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KernelIface {
    pub(crate) ifindex: u32,
    pub(crate) up: bool,
    pub(crate) ethernet: bool,
    pub(crate) mac: MacAddr,
    pub(crate) ipv4: Vec<(Ipv4Addr, u8)>,
    pub(crate) ipv6: Vec<(Ipv6Addr, u8)>,
}

/// All interfaces and their addresses, by name (one netlink dump).
pub(crate) fn interfaces() -> io::Result<std::collections::HashMap<String, KernelIface>> {
    let mut map: std::collections::HashMap<String, KernelIface> = std::collections::HashMap::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: `head` is a valid out-pointer; on success the list is freed below.
    cvt(unsafe { libc::getifaddrs(&mut head) })?;
    let mut cur = head;
    while !cur.is_null() {
        // SAFETY: `cur` is a node of the list getifaddrs returned, not yet freed.
        let ifa = unsafe { &*cur };
        cur = ifa.ifa_next;
        if ifa.ifa_name.is_null() || ifa.ifa_addr.is_null() {
            continue;
        }
        // SAFETY: ifa_name is a NUL-terminated string owned by the list.
        let name = unsafe { CStr::from_ptr(ifa.ifa_name) }
            .to_string_lossy()
            .into_owned();
        let entry = map.entry(name).or_default();
        let running = libc::IFF_UP as u32 | libc::IFF_RUNNING as u32;
        entry.up = ifa.ifa_flags & running == running;
        // SAFETY: ifa_addr is non-null and points to at least a sockaddr header.
        let family = i32::from(unsafe { (*ifa.ifa_addr).sa_family });
        match family {
            libc::AF_PACKET => {
                // SAFETY: for AF_PACKET entries ifa_addr points to a sockaddr_ll.
                let sll = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_ll) };
                entry.ifindex = sll.sll_ifindex as u32;
                entry.ethernet = sll.sll_hatype == ARPHRD_ETHER && sll.sll_halen == 6;
                if let Some(m) = MacAddr::from_slice(&sll.sll_addr[..6]) {
                    entry.mac = m;
                }
            }
            libc::AF_INET => {
                // SAFETY: for AF_INET entries ifa_addr (and a non-null netmask) point to sockaddr_in.
                let sin = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in) };
                let prefix = if ifa.ifa_netmask.is_null() {
                    32
                } else {
                    // SAFETY: as above.
                    let m = unsafe { &*(ifa.ifa_netmask as *const libc::sockaddr_in) };
                    u32::from_be(m.sin_addr.s_addr).count_ones() as u8
                };
                entry
                    .ipv4
                    .push((Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr)), prefix));
            }
            libc::AF_INET6 => {
                // SAFETY: for AF_INET6 entries ifa_addr (and a non-null netmask) point to sockaddr_in6.
                let sin6 = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in6) };
                let prefix = if ifa.ifa_netmask.is_null() {
                    128
                } else {
                    // SAFETY: as above.
                    let m = unsafe { &*(ifa.ifa_netmask as *const libc::sockaddr_in6) };
                    m.sin6_addr
                        .s6_addr
                        .iter()
                        .map(|b| b.count_ones())
                        .sum::<u32>() as u8
                };
                entry
                    .ipv6
                    .push((Ipv6Addr::from(sin6.sin6_addr.s6_addr), prefix));
            }
            _ => {}
        }
    }
    // SAFETY: `head` came from a successful getifaddrs and is freed exactly once.
    unsafe { libc::freeifaddrs(head) };
    map.retain(|_, i| i.ifindex != 0);
    Ok(map)
}

/// The index of interface `name`, if it exists.
pub(crate) fn ifindex(name: &str) -> Option<u32> {
    let c = CString::new(name).ok()?;
    // SAFETY: `c` is a valid NUL-terminated string for the duration of the call.
    let i = unsafe { libc::if_nametoindex(c.as_ptr()) };
    (i != 0).then_some(i)
}

/// Raises the soft limit on open files to the hard limit (each probed
/// interface holds two sockets). Returns the new soft limit.
pub fn raise_nofile_limit() -> io::Result<u64> {
    // SAFETY: plain old data; zero is valid.
    let mut lim: libc::rlimit = unsafe { zeroed() };
    // SAFETY: `lim` is a valid out-pointer for the call.
    cvt(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) })?;
    lim.rlim_cur = lim.rlim_max;
    // SAFETY: `lim` is a valid rlimit for the call.
    cvt(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) })?;
    Ok(lim.rlim_cur)
}

/// Sends one raw Ethernet frame out of interface `iface` (a test and
/// debugging aid: the namespace tests use it to inject spoofed replies).
pub fn send_raw_frame(iface: &str, frame: &[u8]) -> Result<(), Error> {
    let idx = ifindex(iface).ok_or_else(|| Error::InvalidInterfaceName(iface.to_string()))?;
    if frame.len() < 14 {
        return Err(Error::Malformed(crate::wire::Malformed::Truncated));
    }
    let fd = packet_socket().map_err(|e| Error::io("socket(AF_PACKET)", e))?;
    let ethertype = u16::from_be_bytes([frame[12], frame[13]]);
    let mut sa = sockaddr_ll(idx, ethertype);
    sa.sll_halen = 6;
    sa.sll_addr[..6].copy_from_slice(&frame[..6]);
    // SAFETY: `frame` and `sa` are valid for the sizes passed and live for the call.
    let ret = unsafe {
        libc::sendto(
            fd.as_raw_fd(),
            frame.as_ptr().cast(),
            frame.len(),
            0,
            (&sa as *const libc::sockaddr_ll).cast(),
            size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        )
    };
    if ret < 0 {
        return Err(Error::io("sendto(AF_PACKET)", io::Error::last_os_error()));
    }
    Ok(())
}
