//! What one BGP session is configured to be: our AS and identity, the
//! peer's expected AS, timers, and the capabilities we offer.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;
use std::time::Duration;

use crate::wire::Family;

/// The AS a peer must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RemoteAs {
    /// Exactly this AS.
    Number(u32),
    /// Any AS but ours (FRR's `remote-as external`).
    External,
    /// Our own AS (FRR's `remote-as internal`).
    Internal,
}

impl RemoteAs {
    /// Whether `asn` is acceptable given our own `local`.
    pub fn accepts(self, asn: u32, local: u32) -> bool {
        match self {
            RemoteAs::Number(n) => n == asn,
            RemoteAs::External => asn != local,
            RemoteAs::Internal => asn == local,
        }
    }
}

impl fmt::Display for RemoteAs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RemoteAs::Number(n) => write!(f, "{n}"),
            RemoteAs::External => f.write_str("external"),
            RemoteAs::Internal => f.write_str("internal"),
        }
    }
}

/// Text that is not a remote AS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a remote AS (expected a number 1-4294967295, \"external\" or \"internal\")")]
pub struct RemoteAsParseError(pub String);

impl FromStr for RemoteAs {
    type Err = RemoteAsParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "external" => Ok(RemoteAs::External),
            "internal" => Ok(RemoteAs::Internal),
            n => match n.parse::<u32>() {
                Ok(0) | Err(_) => Err(RemoteAsParseError(s.to_string())),
                Ok(asn) => Ok(RemoteAs::Number(asn)),
            },
        }
    }
}

/// Graceful restart as we announce it (RFC 4724).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GracefulRestartConfig {
    /// Seconds the peer should keep our routes while we restart.
    pub restart_time: u16,
    /// Whether we kept forwarding state (set after a restart when the FIB
    /// still holds our routes).
    pub forwarding_preserved: bool,
    /// Whether this OPEN follows a restart of ours (the R bit).
    pub restarting: bool,
}

/// The configuration of one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// Our AS.
    pub local_as: u32,
    /// Our BGP identifier.
    pub router_id: Ipv4Addr,
    /// The AS the peer must have.
    pub remote_as: RemoteAs,
    /// The hold time we propose (0 or at least 3 seconds).
    pub hold_time: u16,
    /// Seconds between connection attempts.
    pub connect_retry: Duration,
    /// Wait for the peer to connect instead of connecting.
    pub passive: bool,
    /// Families we offer (multiprotocol capabilities).
    pub families: Vec<Family>,
    /// Offer IPv4 unicast with IPv6 next hops (RFC 8950).
    pub extended_next_hop: bool,
    /// Offer messages up to 65535 bytes (RFC 8654).
    pub extended_message: bool,
    /// Graceful restart, when enabled.
    pub graceful_restart: Option<GracefulRestartConfig>,
    /// Our host name for the FQDN capability (FRR shows it in its tables).
    pub hostname: Option<String>,
    /// The first idle hold after a failure; doubles with each further
    /// failure up to `idle_hold_max`.
    pub idle_hold: Duration,
    /// The longest idle hold.
    pub idle_hold_max: Duration,
}

impl SessionConfig {
    /// A configuration with FRR's datacenter defaults: hold time 9 s
    /// (keepalive 3 s), connect retry 10 s, IPv4 and IPv6 unicast,
    /// extended next hop and extended messages offered.
    pub fn new(local_as: u32, router_id: Ipv4Addr, remote_as: RemoteAs) -> SessionConfig {
        SessionConfig {
            local_as,
            router_id,
            remote_as,
            hold_time: 9,
            connect_retry: Duration::from_secs(10),
            passive: false,
            families: vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST],
            extended_next_hop: true,
            extended_message: true,
            graceful_restart: None,
            hostname: None,
            idle_hold: Duration::from_secs(1),
            idle_hold_max: Duration::from_secs(60),
        }
    }
}
