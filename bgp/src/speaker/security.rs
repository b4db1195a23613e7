//! Socket-level session security: TCP MD5 signatures (RFC 2385) and the
//! Generalized TTL Security Mechanism (GTSM, RFC 5082), Linux only.
//!
//! These are the calls the speaker's core makes on its sockets; the
//! connect/listen variants that use them are in `transport` and re-exported
//! here ([`listen_secured`], [`connect_secured`], [`secure_accepted`]).
//!
//! # What the kernel does (Linux 6.x, checked in namespaces, see
//! `integration/tests/bgp_security.rs`)
//!
//! **MD5.** `setsockopt(TCP_MD5SIG)` adds a key for one peer address to a
//! socket (key length 0 deletes it). Once a socket has a key for an
//! address, every segment to that address is signed and every segment from
//! it must carry a valid signature; segments without one are dropped
//! silently (`TcpExtTCPMD5NotFound`), wrongly signed ones too
//! (`TcpExtTCPMD5Failure`), and signed segments from an address without a
//! key as well (`TcpExtTCPMD5Unexpected`). So a peer with a missing or
//! wrong password never completes the TCP handshake: its `connect` times
//! out, there is no RST. Keys on a listening socket are per peer address:
//! peers without a key are still accepted unsigned, and an accepted socket
//! inherits the key of its peer. The address family must be the socket's:
//! an `AF_INET` socket takes IPv4 peers only; on an `AF_INET6` socket an
//! IPv4 peer is given as `::ffff:a.b.c.d`, which the kernel stores as an
//! IPv4 key, so a dual-stack listener signs IPv4 peers too. [`set_md5`]
//! does this mapping.
//!
//! **Link-local peers.** The kernel matches a key by address only:
//! `sin6_scope_id` is ignored, and the `tcpm_ifindex` of `TCP_MD5SIG_EXT`
//! accepts only an L3 master device (a VRF), not an interface. One socket
//! therefore holds one key per link-local address whatever the interface:
//! two unnumbered peers that use the same link-local address on different
//! ports (common: `fe80::1` everywhere) share one entry, and setting the
//! second replaces the first. Give such peers the same password, or
//! separate listeners per VRF.
//!
//! **GTSM.** [`set_ttl_security`] sends with TTL / hop limit 255
//! (`IP_TTL`, `IPV6_UNICAST_HOPS`) and drops received segments whose TTL is
//! below [`GTSM_MIN_TTL`] (`IP_MINTTL`, `IPV6_MINHOPCOUNT`; counted as
//! `TcpExtTCPMinTTLDrop`). Both IPv4 and IPv6 options are set on an
//! `AF_INET6` socket, because IPv4-mapped connections use the IPv4 ones.
//! On a listener the minimum applies to the SYN itself, so a SYN from too
//! far away is dropped before any handshake (no SYN-ACK, no accept); the
//! accepted socket inherits both values, and SYN-ACKs leave with TTL 255.
//! The minimum is per socket, not per peer: a listener shared with peers
//! that do not use GTSM must not have it (see [`ListenerGtsm`]).
//!
//! [`GTSM_MIN_TTL`] is 255 (RFC 5082 §3 for directly connected peers, and
//! FRR's `ttl-security hops 1`): only a peer on the link gets in; one whose
//! packets crossed a router (254) does not.

#![allow(unsafe_code)]

use std::fmt;
use std::io;
use std::mem;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::{AsFd, AsRawFd};

use socket2::SockRef;

pub use super::transport::{connect_secured, listen_secured, secure_accepted};

/// The longest key the kernel accepts (`TCP_MD5SIG_MAXKEYLEN`).
pub const MD5_MAX_KEY_LEN: usize = 80;

/// The TTL / hop limit a GTSM session sends with.
pub const GTSM_TTL: u8 = 255;

/// The lowest TTL / hop limit a GTSM session accepts.
pub const GTSM_MIN_TTL: u8 = 255;

/// Errors of the security socket options.
#[derive(Debug, thiserror::Error)]
pub enum SecurityError {
    /// The password is longer than the kernel allows.
    #[error("TCP MD5 password is {len} bytes long; at most {MD5_MAX_KEY_LEN} are allowed")]
    KeyTooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// The password is empty (the kernel would read it as "delete the key").
    #[error("TCP MD5 password is empty")]
    EmptyKey,
    /// An IPv6 peer for an IPv4 socket.
    #[error("cannot set a TCP MD5 key for IPv6 peer {peer} on an IPv4 socket")]
    FamilyMismatch {
        /// The peer.
        peer: IpAddr,
    },
    /// The kernel refused the key (the key itself is not in the message).
    #[error("setting the TCP MD5 key for {peer} failed: {source}")]
    Md5 {
        /// The peer.
        peer: IpAddr,
        /// The kernel's answer.
        source: io::Error,
    },
    /// A socket option failed.
    #[error("setting {option} failed: {source}")]
    SockOpt {
        /// The option, e.g. `IP_MINTTL`.
        option: &'static str,
        /// The kernel's answer.
        source: io::Error,
    },
}

impl From<SecurityError> for io::Error {
    fn from(e: SecurityError) -> io::Error {
        let kind = match &e {
            SecurityError::Md5 { source, .. } | SecurityError::SockOpt { source, .. } => {
                source.kind()
            }
            _ => io::ErrorKind::InvalidInput,
        };
        io::Error::new(kind, e)
    }
}

/// A TCP MD5 password: 1 to 80 bytes. Its `Debug` prints `***`, so it can
/// sit in configs and errors that get logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Md5Key(Vec<u8>);

impl Md5Key {
    /// A key from a password; errors when it is empty or longer than 80 bytes.
    pub fn new(password: impl Into<Vec<u8>>) -> Result<Md5Key, SecurityError> {
        let key = password.into();
        match key.len() {
            0 => Err(SecurityError::EmptyKey),
            len if len > MD5_MAX_KEY_LEN => Err(SecurityError::KeyTooLong { len }),
            _ => Ok(Md5Key(key)),
        }
    }

    /// The key bytes, for the socket option only.
    fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Md5Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"***\"")
    }
}

/// What one peer's session asks of its sockets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeerSecurity {
    /// TCP MD5 password.
    pub md5: Option<Md5Key>,
    /// GTSM: send with TTL 255, accept [`GTSM_MIN_TTL`] and more.
    pub ttl_security: bool,
}

/// GTSM on a listening socket, which serves every peer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ListenerGtsm {
    /// No peer uses GTSM.
    #[default]
    Off,
    /// Some peers do: SYN-ACKs leave with TTL 255 (a GTSM peer drops
    /// anything lower), and the minimum is checked on each accepted socket
    /// ([`secure_accepted`]) — only from that call on: the handshake and
    /// whatever arrived before it (possibly the peer's OPEN) got in
    /// unchecked. FRR works this way and the test sees the race.
    SendOnly,
    /// Every peer does: SYNs arriving below [`GTSM_MIN_TTL`] are dropped.
    All,
}

impl ListenerGtsm {
    /// The listener setting for a set of peers.
    pub fn for_peers<'a>(peers: impl IntoIterator<Item = &'a PeerSecurity>) -> ListenerGtsm {
        let (mut any, mut all) = (false, true);
        for p in peers {
            any |= p.ttl_security;
            all &= p.ttl_security;
        }
        match (any, all) {
            (false, _) => ListenerGtsm::Off,
            (true, true) => ListenerGtsm::All,
            (true, false) => ListenerGtsm::SendOnly,
        }
    }
}

/// `struct tcp_md5sig` of `<linux/tcp.h>` (libc does not define it).
#[repr(C)]
struct TcpMd5Sig {
    addr: libc::sockaddr_storage,
    flags: u8,
    prefixlen: u8,
    keylen: u16,
    ifindex: libc::c_int,
    key: [u8; MD5_MAX_KEY_LEN],
}

/// Whether the socket is `AF_INET6` (else `AF_INET`).
fn is_ipv6(sock: &SockRef<'_>) -> io::Result<bool> {
    Ok(sock.local_addr()?.is_ipv6())
}

/// Adds (`Some`) or removes (`None`) the TCP MD5 key for `peer` on a
/// socket: a listener (one call per peer with a password) or an outgoing
/// socket before `connect`. Removing a key that is not there is not an
/// error. IPv4 peers on an IPv6 socket are mapped; IPv4-mapped peers on an
/// IPv4 socket are unmapped; a link-local scope is ignored by the kernel
/// (see the module documentation).
pub fn set_md5(sock: &impl AsFd, peer: IpAddr, key: Option<&Md5Key>) -> Result<(), SecurityError> {
    let s = SockRef::from(sock);
    let v6 = is_ipv6(&s).map_err(|source| SecurityError::Md5 { peer, source })?;
    let addr: SocketAddr = match (v6, peer.to_canonical()) {
        (true, IpAddr::V4(a)) => SocketAddr::new(IpAddr::V6(a.to_ipv6_mapped()), 0),
        (true, IpAddr::V6(a)) => SocketAddr::new(IpAddr::V6(a), 0),
        (false, IpAddr::V4(a)) => SocketAddr::new(IpAddr::V4(a), 0),
        (false, IpAddr::V6(_)) => return Err(SecurityError::FamilyMismatch { peer }),
    };
    let sa = socket2::SockAddr::from(addr);
    // SAFETY: `TcpMd5Sig` is plain old data (integers and byte arrays), for
    // which all zero bytes are a valid value.
    let mut sig: TcpMd5Sig = unsafe { mem::zeroed() };
    // SAFETY: `sa.as_ptr()` points to `sa.len()` initialised bytes of a
    // sockaddr (at most `sizeof(sockaddr_storage)`, checked by socket2),
    // and `sig.addr` is a distinct `sockaddr_storage` of at least that size.
    unsafe {
        std::ptr::copy_nonoverlapping(
            sa.as_ptr().cast::<u8>(),
            std::ptr::addr_of_mut!(sig.addr).cast::<u8>(),
            sa.len() as usize,
        );
    }
    if let Some(k) = key {
        let b = k.bytes();
        sig.keylen = b.len() as u16; // at most 80, checked by Md5Key::new
        sig.key[..b.len()].copy_from_slice(b);
    }
    // SAFETY: the fd is open for the duration of the borrow of `sock`;
    // `sig` is a valid `struct tcp_md5sig` and the length passed is its size.
    let r = unsafe {
        libc::setsockopt(
            sock.as_fd().as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_MD5SIG,
            std::ptr::addr_of!(sig).cast(),
            mem::size_of::<TcpMd5Sig>() as libc::socklen_t,
        )
    };
    // the key bytes leave the stack copy
    sig.key.fill(0);
    if r == 0 {
        return Ok(());
    }
    let source = io::Error::last_os_error();
    if key.is_none() && source.raw_os_error() == Some(libc::ENOENT) {
        return Ok(());
    }
    Err(SecurityError::Md5 { peer, source })
}

fn set_int(
    sock: &impl AsFd,
    level: libc::c_int,
    name: libc::c_int,
    option: &'static str,
    value: libc::c_int,
) -> Result<(), SecurityError> {
    // SAFETY: the fd is open for the duration of the borrow of `sock`; the
    // option value is a `c_int` and the length passed is its size.
    let r = unsafe {
        libc::setsockopt(
            sock.as_fd().as_raw_fd(),
            level,
            name,
            std::ptr::addr_of!(value).cast(),
            mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(SecurityError::SockOpt {
            option,
            source: io::Error::last_os_error(),
        })
    }
}

/// Sends with TTL / hop limit 255 (`send`) and drops segments received with
/// less than [`GTSM_MIN_TTL`] (`check`). `false` restores the default TTL
/// (`send`) or turns the check off (`check`). Both the IPv4 and the IPv6
/// options are set on an IPv6 socket (IPv4-mapped traffic uses the IPv4 ones).
pub fn set_gtsm(sock: &impl AsFd, send: bool, check: bool) -> Result<(), SecurityError> {
    let s = SockRef::from(sock);
    let v6 = is_ipv6(&s).map_err(|source| SecurityError::SockOpt {
        option: "getsockname",
        source,
    })?;
    let sock_opt = |option, source| SecurityError::SockOpt { option, source };
    if send {
        s.set_ttl(u32::from(GTSM_TTL))
            .map_err(|e| sock_opt("IP_TTL", e))?;
        if v6 {
            s.set_unicast_hops_v6(u32::from(GTSM_TTL))
                .map_err(|e| sock_opt("IPV6_UNICAST_HOPS", e))?;
        }
    } else {
        // -1: the namespace's default (net.ipv4.ip_default_ttl, hop_limit)
        set_int(sock, libc::IPPROTO_IP, libc::IP_TTL, "IP_TTL", -1)?;
        if v6 {
            set_int(
                sock,
                libc::IPPROTO_IPV6,
                libc::IPV6_UNICAST_HOPS,
                "IPV6_UNICAST_HOPS",
                -1,
            )?;
        }
    }
    let min = if check {
        libc::c_int::from(GTSM_MIN_TTL)
    } else {
        0
    };
    set_int(sock, libc::IPPROTO_IP, libc::IP_MINTTL, "IP_MINTTL", min)?;
    if v6 {
        set_int(
            sock,
            libc::IPPROTO_IPV6,
            libc::IPV6_MINHOPCOUNT,
            "IPV6_MINHOPCOUNT",
            min,
        )?;
    }
    Ok(())
}

/// GTSM on one session's socket: TTL 255 out, at least [`GTSM_MIN_TTL`]
/// in (`true`), or the defaults (`false`).
pub fn set_ttl_security(sock: &impl AsFd, on: bool) -> Result<(), SecurityError> {
    set_gtsm(sock, on, on)
}

/// GTSM on a listener, per [`ListenerGtsm`].
pub fn set_listener_gtsm(sock: &impl AsFd, gtsm: ListenerGtsm) -> Result<(), SecurityError> {
    match gtsm {
        ListenerGtsm::Off => set_gtsm(sock, false, false),
        ListenerGtsm::SendOnly => set_gtsm(sock, true, false),
        ListenerGtsm::All => set_gtsm(sock, true, true),
    }
}

/// The TTL options of a socket, as the kernel reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TtlOptions {
    /// `IP_TTL`.
    pub ttl: u32,
    /// `IP_MINTTL` (0: no check).
    pub min_ttl: u32,
    /// `IPV6_UNICAST_HOPS` and `IPV6_MINHOPCOUNT`, on an IPv6 socket.
    pub v6: Option<(u32, u32)>,
}

/// The TTL options a socket has now, for tests and diagnostics.
pub fn ttl_options(sock: &impl AsFd) -> io::Result<TtlOptions> {
    let s = SockRef::from(sock);
    let get = |level, name| -> io::Result<u32> {
        let mut v: libc::c_int = 0;
        let mut len = mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: the fd is open for the borrow of `sock`; `v` and `len`
        // are valid for writes and `len` is the size of `v`.
        let r = unsafe {
            libc::getsockopt(
                sock.as_fd().as_raw_fd(),
                level,
                name,
                std::ptr::addr_of_mut!(v).cast(),
                &mut len,
            )
        };
        if r == 0 {
            Ok(v as u32)
        } else {
            Err(io::Error::last_os_error())
        }
    };
    let v6 = if is_ipv6(&s)? {
        Some((
            get(libc::IPPROTO_IPV6, libc::IPV6_UNICAST_HOPS)?,
            get(libc::IPPROTO_IPV6, libc::IPV6_MINHOPCOUNT)?,
        ))
    } else {
        None
    };
    Ok(TtlOptions {
        ttl: get(libc::IPPROTO_IP, libc::IP_TTL)?,
        min_ttl: get(libc::IPPROTO_IP, libc::IP_MINTTL)?,
        v6,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, TcpListener};

    #[test]
    fn key_debug_is_redacted() {
        let k = Md5Key::new("secret").expect("a short key");
        assert_eq!(format!("{k:?}"), "\"***\"");
        let p = PeerSecurity {
            md5: Some(k),
            ttl_security: true,
        };
        let d = format!("{p:?} {p:#?}");
        assert!(!d.contains("secret"), "{d}");
        assert!(d.contains("***"), "{d}");
    }

    #[test]
    fn key_length_is_checked() {
        assert!(Md5Key::new(vec![b'x'; 80]).is_ok());
        let e = Md5Key::new(vec![b'x'; 81]).expect_err("81 bytes is too long");
        assert_eq!(
            e.to_string(),
            "TCP MD5 password is 81 bytes long; at most 80 are allowed"
        );
        assert!(!e.to_string().contains("xxx"));
        assert!(matches!(Md5Key::new(""), Err(SecurityError::EmptyKey)));
    }

    #[test]
    fn struct_layout_matches_the_kernel() {
        // 128 (sockaddr_storage) + 1 + 1 + 2 + 4 + 80
        assert_eq!(mem::size_of::<TcpMd5Sig>(), 216);
    }

    #[test]
    fn md5_keys_on_v4_v6_and_dual_stack_sockets() {
        let k = Md5Key::new("secret").expect("a short key");
        let v4 = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        set_md5(&v4, "192.0.2.1".parse().expect("ip"), Some(&k)).expect("v4 key on v4");
        set_md5(&v4, "::ffff:192.0.2.2".parse().expect("ip"), Some(&k)).expect("mapped on v4");
        assert!(matches!(
            set_md5(&v4, "2001:db8::1".parse().expect("ip"), Some(&k)),
            Err(SecurityError::FamilyMismatch { .. })
        ));
        set_md5(&v4, "192.0.2.1".parse().expect("ip"), None).expect("remove");
        set_md5(&v4, "192.0.2.1".parse().expect("ip"), None).expect("remove twice");
        let Ok(v6) = TcpListener::bind("[::]:0") else {
            eprintln!("SKIPPED: no IPv6 here");
            return;
        };
        for p in ["2001:db8::1", "fe80::1", "192.0.2.1"] {
            set_md5(&v6, p.parse().expect("ip"), Some(&k)).expect(p);
        }
        set_md5(&v6, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), None).expect("remove v4 on v6");
    }

    #[test]
    fn gtsm_options_are_set_and_reset() {
        let v4 = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        set_ttl_security(&v4, true).expect("gtsm on");
        let o = ttl_options(&v4).expect("read");
        assert_eq!((o.ttl, o.min_ttl, o.v6), (255, 255, None));
        set_ttl_security(&v4, false).expect("gtsm off");
        let o = ttl_options(&v4).expect("read");
        assert_eq!(o.min_ttl, 0);
        assert_ne!(o.ttl, 255, "the default TTL is back");
        let Ok(v6) = TcpListener::bind("[::]:0") else {
            eprintln!("SKIPPED: no IPv6 here");
            return;
        };
        set_listener_gtsm(&v6, ListenerGtsm::All).expect("gtsm on v6");
        let o = ttl_options(&v6).expect("read");
        assert_eq!((o.ttl, o.min_ttl, o.v6), (255, 255, Some((255, 255))));
        set_listener_gtsm(&v6, ListenerGtsm::SendOnly).expect("send only");
        let o = ttl_options(&v6).expect("read");
        assert_eq!((o.ttl, o.min_ttl, o.v6), (255, 0, Some((255, 0))));
    }

    #[test]
    fn listener_gtsm_for_peers() {
        let on = PeerSecurity {
            md5: None,
            ttl_security: true,
        };
        let off = PeerSecurity::default();
        assert_eq!(ListenerGtsm::for_peers([&off]), ListenerGtsm::Off);
        assert_eq!(ListenerGtsm::for_peers([&on, &on]), ListenerGtsm::All);
        assert_eq!(ListenerGtsm::for_peers([&on, &off]), ListenerGtsm::SendOnly);
        assert_eq!(ListenerGtsm::for_peers([]), ListenerGtsm::Off);
    }
}
