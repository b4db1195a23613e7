//! The speaker's configuration: who we are and which peers to talk to.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::fsm::{GracefulRestartConfig, RemoteAs, SessionConfig};
use crate::rib::DEFAULT_MAX_PATHS;
use crate::unnumbered::RaConfig;

use super::security::PeerSecurity;
use crate::wire::{Family, NextHop};

/// One configured peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerConfig {
    /// A name for logs and snapshots (the address, or the interface for
    /// unnumbered peers).
    pub name: String,
    /// The peer's address.
    pub address: IpAddr,
    /// For an IPv6 link-local address: the index of the interface it is on.
    pub scope_id: u32,
    /// The interface name, for link-local next hops in the FIB.
    pub interface: Option<String>,
    /// TCP port (179).
    pub port: u16,
    /// The AS the peer must have.
    pub remote_as: RemoteAs,
    /// Bind our side of outgoing connections to this address.
    pub local_address: Option<IpAddr>,
    /// Never connect; wait for the peer.
    pub passive: bool,
    /// Hold time to propose (FRR datacenter default 9 s).
    pub hold_time: u16,
    /// Seconds between connection attempts.
    pub connect_retry: Duration,
    /// Families to offer.
    pub families: Vec<Family>,
    /// Our IPv4 next hop; default: our address on the session if IPv4.
    pub next_hop_v4: Option<Ipv4Addr>,
    /// Our IPv6 next hop; default: our address on the session if IPv6.
    pub next_hop_v6: Option<NextHop>,
    /// A limit on the prefixes the peer may send, per family.
    pub max_prefix: Option<MaxPrefix>,
    /// TCP MD5 password (RFC 2385) and GTSM (RFC 5082). Debug output
    /// never shows the password.
    pub security: PeerSecurity,
}

/// A maximum-prefix limit (FRR's `neighbor X maximum-prefix N P restart M`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxPrefix {
    /// Prefixes per family above which the session is closed with Cease /
    /// Maximum Number of Prefixes Reached.
    pub limit: u32,
    /// Percent of `limit` at which a warning is logged (once per session).
    pub warning_percent: u8,
    /// How long the session stays down before trying again.
    pub restart: Duration,
}

impl MaxPrefix {
    /// A limit with a warning at 75% and a one-minute hold down.
    pub fn new(limit: u32) -> MaxPrefix {
        MaxPrefix {
            limit,
            warning_percent: 75,
            restart: Duration::from_secs(60),
        }
    }
}

impl PeerConfig {
    /// A numbered peer with FRR datacenter timers, both unicast families.
    pub fn new(address: IpAddr, remote_as: RemoteAs) -> PeerConfig {
        PeerConfig {
            name: address.to_string(),
            address,
            scope_id: 0,
            interface: None,
            port: 179,
            remote_as,
            local_address: None,
            passive: false,
            hold_time: 9,
            connect_retry: Duration::from_secs(10),
            families: vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST],
            next_hop_v4: None,
            next_hop_v6: None,
            max_prefix: None,
            security: PeerSecurity::default(),
        }
    }

    /// An unnumbered peer on `interface` (FRR's `neighbor swp51 interface
    /// remote-as external`): its link-local address is learned from its
    /// router advertisements, ours is announced in ours.
    pub fn interface(interface: &str, remote_as: RemoteAs) -> PeerConfig {
        PeerConfig {
            name: interface.to_string(),
            interface: Some(interface.to_string()),
            ..PeerConfig::new(IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED), remote_as)
        }
    }

    /// Whether the peer's address is to be learned on its interface.
    pub fn is_unnumbered(&self) -> bool {
        self.interface.is_some() && self.address.is_unspecified()
    }

    /// The socket address to connect to.
    pub fn socket_addr(&self) -> SocketAddr {
        match self.address {
            IpAddr::V4(a) => SocketAddr::from((a, self.port)),
            IpAddr::V6(a) => {
                SocketAddr::V6(std::net::SocketAddrV6::new(a, self.port, 0, self.scope_id))
            }
        }
    }
}

/// The whole speaker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeakerConfig {
    /// Our AS.
    pub asn: u32,
    /// Our BGP identifier.
    pub router_id: Ipv4Addr,
    /// Where to accept connections (`[::]:179` takes IPv4 too); `None`:
    /// only connect out.
    pub listen: Option<SocketAddr>,
    /// The peers.
    pub peers: Vec<PeerConfig>,
    /// The ECMP limit (1 disables multipath).
    pub max_paths: usize,
    /// Our host name, sent in the FQDN capability.
    pub hostname: Option<String>,
    /// Graceful restart, when enabled.
    pub graceful_restart: Option<GracefulRestartConfig>,
    /// Router advertisements on the interfaces of unnumbered peers.
    pub ra: RaConfig,
}

impl SpeakerConfig {
    /// A speaker listening on `[::]:179` with no peers yet.
    pub fn new(asn: u32, router_id: Ipv4Addr) -> SpeakerConfig {
        SpeakerConfig {
            asn,
            router_id,
            listen: Some(SocketAddr::from((std::net::Ipv6Addr::UNSPECIFIED, 179))),
            peers: Vec::new(),
            max_paths: DEFAULT_MAX_PATHS,
            hostname: None,
            graceful_restart: None,
            ra: RaConfig::default(),
        }
    }

    /// The session configuration of `peer`.
    pub(crate) fn session(&self, peer: &PeerConfig) -> SessionConfig {
        let mut s = SessionConfig::new(self.asn, self.router_id, peer.remote_as);
        s.hold_time = peer.hold_time;
        s.connect_retry = peer.connect_retry;
        // An unnumbered peer waits until its address is known.
        s.passive = peer.passive || peer.is_unnumbered();
        s.families = peer.families.clone();
        s.hostname = self.hostname.clone();
        s.graceful_restart = self.graceful_restart;
        s
    }
}
