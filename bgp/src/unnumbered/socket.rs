//! The raw OS boundary of the unnumbered module, and its only `unsafe`: a
//! raw ICMPv6 socket per interface (socket2 for everything it offers; libc
//! for the ICMPv6 type filter, reading the received hop limit out of the
//! control message, the interface index and the MAC/flags ioctls).
//!
//! The kernel computes and verifies ICMPv6 checksums on raw ICMPv6 sockets
//! (RFC 3542 §3.1), so nothing here touches them.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::io;
use std::mem::{size_of, MaybeUninit};
use std::net::{Ipv6Addr, SocketAddrV6};
use std::os::fd::AsRawFd;

use socket2::{Domain, MaybeUninitSlice, MsgHdrMut, Protocol, SockAddr, Socket, Type};
use tokio::io::unix::AsyncFd;

use super::ra::{ALL_ROUTERS, ND_HOP_LIMIT, ROUTER_ADVERT, ROUTER_SOLICIT};

/// `ICMP6_FILTER` of `<netinet/icmp6.h>` (not in the libc crate).
const ICMP6_FILTER: libc::c_int = 1;

/// What the kernel knows of a link by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Link {
    /// Interface index.
    pub ifindex: u32,
    /// Its MAC, for an Ethernet-like link.
    pub mac: Option<[u8; 6]>,
    /// Administratively up and with carrier (IFF_UP and IFF_RUNNING).
    pub up: bool,
}

/// The interface named `name` in this network namespace, `None` if there
/// is none.
pub(crate) fn link(name: &str) -> io::Result<Option<Link>> {
    let Ok(cname) = CString::new(name) else {
        return Ok(None);
    };
    // SAFETY: `cname` is a NUL-terminated string alive for the call; the
    // function only reads it.
    let ifindex = unsafe { libc::if_nametoindex(cname.as_ptr()) };
    if ifindex == 0 {
        return Ok(None);
    }
    let probe = Socket::new(Domain::IPV6, Type::DGRAM, None)?;
    let Some(flags) = ioctl_ifreq(&probe, name, libc::SIOCGIFFLAGS)? else {
        return Ok(None);
    };
    // SAFETY: SIOCGIFFLAGS filled the union's `ifru_flags` member.
    let flags = i32::from(unsafe { flags.ifr_ifru.ifru_flags });
    let up = flags & libc::IFF_UP != 0 && flags & libc::IFF_RUNNING != 0;
    let mac = match ioctl_ifreq(&probe, name, libc::SIOCGIFHWADDR)? {
        Some(r) => {
            // SAFETY: SIOCGIFHWADDR filled the union's `ifru_hwaddr` member.
            let sa = unsafe { r.ifr_ifru.ifru_hwaddr };
            (sa.sa_family == libc::ARPHRD_ETHER).then(|| {
                let mut mac = [0u8; 6];
                for (m, d) in mac.iter_mut().zip(sa.sa_data.iter()) {
                    *m = *d as u8;
                }
                mac
            })
        }
        None => None,
    };
    Ok(Some(Link { ifindex, mac, up }))
}

/// An interface ioctl with a `struct ifreq` naming `name`; `None` if the
/// interface does not exist (any more).
fn ioctl_ifreq(
    sock: &Socket,
    name: &str,
    request: libc::c_ulong,
) -> io::Result<Option<libc::ifreq>> {
    // SAFETY: ifreq is plain old data (a name array and a union of plain
    // old data); all-zero is a valid value.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    if name.len() >= req.ifr_name.len() {
        return Ok(None);
    }
    for (d, s) in req.ifr_name.iter_mut().zip(name.bytes()) {
        *d = s as libc::c_char;
    }
    // SAFETY: `req` is a live ifreq for the duration of the call, which is
    // what both requests read and write; the name is NUL-terminated (zeroed
    // and shorter than IFNAMSIZ).
    let ret = unsafe { libc::ioctl(sock.as_raw_fd(), request as _, &mut req as *mut libc::ifreq) };
    if ret < 0 {
        let e = io::Error::last_os_error();
        return match e.raw_os_error() {
            Some(libc::ENODEV) | Some(libc::ENXIO) => Ok(None),
            _ => Err(e),
        };
    }
    Ok(Some(req))
}

/// One received ICMPv6 message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Received {
    /// Its length in the buffer.
    pub len: usize,
    /// The IPv6 source address.
    pub src: Ipv6Addr,
    /// The IPv6 hop limit it arrived with, from the IPV6_HOPLIMIT control
    /// message.
    pub hop_limit: Option<u8>,
}

/// A raw ICMPv6 socket bound to one interface and its link-local address,
/// sending with hop limit 255, receiving only RS and RA (and what arrives
/// for all-routers ff02::2), with the hop limit of each received packet.
#[derive(Debug)]
pub(crate) struct IcmpSocket {
    fd: AsyncFd<Socket>,
    ifindex: u32,
}

impl IcmpSocket {
    /// Opens the socket on `ifname` (index `ifindex`), bound to `local`, a
    /// link-local address of that interface. Needs CAP_NET_RAW.
    pub fn open(ifname: &str, ifindex: u32, local: Ipv6Addr) -> io::Result<IcmpSocket> {
        let s = Socket::new(
            Domain::IPV6,
            Type::RAW.nonblocking().cloexec(),
            Some(Protocol::ICMPV6),
        )?;
        s.bind_device(Some(ifname.as_bytes()))?;
        set_filter(&s, &[ROUTER_SOLICIT, ROUTER_ADVERT])?;
        s.set_unicast_hops_v6(u32::from(ND_HOP_LIMIT))?;
        s.set_multicast_hops_v6(u32::from(ND_HOP_LIMIT))?;
        s.set_multicast_if_v6(ifindex)?;
        s.set_multicast_loop_v6(false)?;
        s.set_recv_hoplimit_v6(true)?;
        s.join_multicast_v6(&ALL_ROUTERS, ifindex)?;
        s.bind(&SockAddr::from(SocketAddrV6::new(local, 0, 0, ifindex)))?;
        // SAFETY: the socket is moved into the AsyncFd, which owns it: the fd
        // stays open, and `as_raw_fd` returns the same fd, until the AsyncFd
        // is dropped.
        let fd = unsafe { AsyncFd::register(s) }?;
        Ok(IcmpSocket { fd, ifindex })
    }

    /// Sends `msg` (an ICMPv6 message, checksum left to the kernel) to
    /// `dst` on this socket's interface.
    pub async fn send_to(&self, msg: &[u8], dst: Ipv6Addr) -> io::Result<()> {
        let to = SockAddr::from(SocketAddrV6::new(dst, 0, 0, self.ifindex));
        loop {
            let mut guard = self.fd.writable().await?;
            match guard.try_io(|s| s.get_ref().send_to(msg, &to)) {
                Ok(r) => return r.map(drop),
                Err(_would_block) => continue,
            }
        }
    }

    /// Receives one message into `buf`.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<Received> {
        loop {
            let mut guard = self.fd.readable().await?;
            match guard.try_io(|s| recv_one(s.get_ref(), buf)) {
                Ok(r) => return r,
                Err(_would_block) => continue,
            }
        }
    }
}

/// Room for the hop limit control message (and a packet info one).
const CONTROL_LEN: usize = 64;

fn recv_one(s: &Socket, buf: &mut [u8]) -> io::Result<Received> {
    let mut from = SockAddr::from(SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, 0, 0, 0));
    let mut control = [MaybeUninit::new(0u8); CONTROL_LEN];
    // SAFETY: a `&mut [u8]` is a valid `&mut [MaybeUninit<u8>]` of the same
    // length; recvmsg only writes initialised bytes into it.
    let data: &mut [MaybeUninit<u8>] =
        unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr().cast(), buf.len()) };
    let mut bufs = [MaybeUninitSlice::new(data)];
    let mut msg = MsgHdrMut::new()
        .with_addr(&mut from)
        .with_buffers(&mut bufs)
        .with_control(&mut control);
    let len = s.recvmsg(&mut msg, 0)?;
    let control_len = msg.control_len().min(CONTROL_LEN);
    // SAFETY: every byte of `control` was initialised (to 0) at creation;
    // the kernel wrote only initialised bytes over some of them.
    let control: &[u8] =
        unsafe { std::slice::from_raw_parts(control.as_ptr().cast(), control_len) };
    let src = from
        .as_socket_ipv6()
        .map_or(Ipv6Addr::UNSPECIFIED, |a| *a.ip());
    Ok(Received {
        len,
        src,
        hop_limit: hop_limit(control),
    })
}

/// The IPV6_HOPLIMIT value among the control messages, read from bytes
/// (Linux layout: `cmsghdr` then the data, both aligned to `size_t`).
fn hop_limit(control: &[u8]) -> Option<u8> {
    let align = size_of::<usize>();
    let header = size_of::<libc::cmsghdr>();
    let round = |n: usize| n.checked_add(align - 1).map(|n| n & !(align - 1));
    let mut at = 0usize;
    while let Some(h) = control.get(at..at.checked_add(header)?) {
        let cmsg_len = usize::from_ne_bytes(h[..align].try_into().ok()?);
        let level = i32::from_ne_bytes(h[align..align + 4].try_into().ok()?);
        let kind = i32::from_ne_bytes(h[align + 4..align + 8].try_into().ok()?);
        if cmsg_len < header {
            return None;
        }
        if level == libc::IPPROTO_IPV6 && kind == libc::IPV6_HOPLIMIT {
            let data = control.get(at.checked_add(round(header)?)?..)?;
            let v = i32::from_ne_bytes(data.get(..4)?.try_into().ok()?);
            return u8::try_from(v).ok();
        }
        at = at.checked_add(round(cmsg_len)?)?;
    }
    None
}

/// Lets only the ICMPv6 types in `pass` reach the socket (Linux semantics:
/// a set bit blocks the type).
fn set_filter(s: &Socket, pass: &[u8]) -> io::Result<()> {
    let mut filter = [u32::MAX; 8];
    for &t in pass {
        filter[usize::from(t >> 5)] &= !(1u32 << (t & 31));
    }
    // SAFETY: the option value points to `filter`, a live [u32; 8] (the
    // kernel's struct icmp6_filter) of exactly the size passed.
    let ret = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::IPPROTO_ICMPV6,
            ICMP6_FILTER,
            filter.as_ptr().cast(),
            size_of::<[u32; 8]>() as libc::socklen_t,
        )
    };
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmsg(level: i32, kind: i32, value: i32) -> Vec<u8> {
        let mut b = Vec::new();
        let len = size_of::<libc::cmsghdr>() + 4;
        b.extend_from_slice(&len.to_ne_bytes());
        b.extend_from_slice(&level.to_ne_bytes());
        b.extend_from_slice(&kind.to_ne_bytes());
        b.extend_from_slice(&value.to_ne_bytes());
        while b.len() % size_of::<usize>() != 0 {
            b.push(0);
        }
        b
    }

    #[test]
    fn hop_limit_is_found_among_control_messages() {
        let mut c = cmsg(libc::IPPROTO_IPV6, libc::IPV6_PKTINFO, 7);
        c.extend(cmsg(libc::IPPROTO_IPV6, libc::IPV6_HOPLIMIT, 255));
        assert_eq!(hop_limit(&c), Some(255));
        assert_eq!(
            hop_limit(&cmsg(libc::IPPROTO_IPV6, libc::IPV6_HOPLIMIT, 64)),
            Some(64)
        );
        assert_eq!(hop_limit(&[]), None);
        assert_eq!(hop_limit(&c[..10]), None);
        // a zero length must not loop forever
        assert_eq!(hop_limit(&[0u8; 32]), None);
    }

    #[test]
    fn missing_interfaces_are_none() {
        assert_eq!(link("no-such-if0").unwrap(), None);
        assert_eq!(link("bad\0name").unwrap(), None);
        assert!(link("lo").unwrap().is_some_and(|l| l.ifindex > 0));
    }
}
