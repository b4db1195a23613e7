//! The OPEN exchange: the OPEN we send from our configuration, and the
//! checks and capability intersection applied to the OPEN we receive
//! (RFC 4271 §6.2, RFC 5492, RFC 4760, RFC 6793, RFC 7911, RFC 8654,
//! RFC 8950, RFC 4724).

use std::net::Ipv4Addr;
use std::time::Duration;

use super::config::SessionConfig;
use crate::wire::capability::{ExtendedNextHop, GracefulRestart, GracefulRestartFamily};
use crate::wire::error::code;
use crate::wire::{AddPath, Capability, Family, Notification, Open, WireContext};

/// What both sides agreed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// The peer's AS.
    pub peer_as: u32,
    /// The peer's BGP identifier.
    pub peer_router_id: Ipv4Addr,
    /// Whether the peer is in our AS.
    pub ibgp: bool,
    /// The hold time in force (0: no hold timer, no keepalives).
    pub hold_time: Duration,
    /// How often we send KEEPALIVE (a third of the hold time).
    pub keepalive: Duration,
    /// Families both sides support.
    pub families: Vec<Family>,
    /// IPv4 unicast routes travel with IPv6 next hops (RFC 8950).
    pub ipv4_over_ipv6: bool,
    /// How to decode what the peer sends.
    pub rx: WireContext,
    /// How to encode what we send.
    pub tx: WireContext,
    /// The peer answers ROUTE-REFRESH.
    pub route_refresh: bool,
    /// The peer supports enhanced route refresh (RFC 7313).
    pub enhanced_route_refresh: bool,
    /// The peer's graceful restart capability, if it sent one.
    pub peer_graceful_restart: Option<GracefulRestart>,
    /// The peer's host name, if it sent one (FQDN capability).
    pub peer_hostname: Option<String>,
}

impl Negotiated {
    /// Whether `family` may be exchanged.
    pub fn has_family(&self, family: Family) -> bool {
        self.families.contains(&family)
    }
}

/// Builds the OPEN we send.
pub fn build_open(cfg: &SessionConfig) -> Open {
    let mut caps: Vec<Capability> = cfg
        .families
        .iter()
        .map(|&f| Capability::Multiprotocol(f))
        .collect();
    caps.push(Capability::RouteRefresh);
    caps.push(Capability::EnhancedRouteRefresh);
    caps.push(Capability::FourOctetAs(cfg.local_as));
    if cfg.extended_message {
        caps.push(Capability::ExtendedMessage);
    }
    if cfg.extended_next_hop && cfg.families.contains(&Family::IPV4_UNICAST) {
        caps.push(Capability::ExtendedNextHop(vec![
            ExtendedNextHop::IPV4_UNICAST_OVER_IPV6,
        ]));
    }
    if let Some(gr) = cfg.graceful_restart {
        caps.push(Capability::GracefulRestart(GracefulRestart {
            restart_state: gr.restarting,
            notification: false,
            restart_time: gr.restart_time.min(0x0fff),
            families: cfg
                .families
                .iter()
                .map(|&family| GracefulRestartFamily {
                    family,
                    forwarding_preserved: gr.forwarding_preserved,
                })
                .collect(),
        }));
    }
    if let Some(h) = &cfg.hostname {
        caps.push(Capability::Fqdn {
            hostname: h.clone(),
            domain: String::new(),
        });
    }
    Open::new(cfg.local_as, cfg.hold_time, cfg.router_id, caps)
}

fn open_error(subcode: u8, data: Vec<u8>) -> Notification {
    Notification {
        code: code::OPEN_MESSAGE,
        subcode,
        data,
    }
}

/// Why a received OPEN was refused: the NOTIFICATION to send and one line
/// for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenRefused {
    /// What to send the peer.
    pub notification: Notification,
    /// Why, in words.
    pub reason: String,
}

/// Checks the peer's OPEN against our configuration and computes what the
/// session will use.
pub fn negotiate(cfg: &SessionConfig, theirs: &Open) -> Result<Negotiated, OpenRefused> {
    let peer_as = theirs.asn();
    if !cfg.remote_as.accepts(peer_as, cfg.local_as) {
        return Err(OpenRefused {
            notification: open_error(code::open::BAD_PEER_AS, theirs.my_as.to_be_bytes().to_vec()),
            reason: format!(
                "peer AS {peer_as} is not the configured remote-as {}",
                cfg.remote_as
            ),
        });
    }
    let ibgp = peer_as == cfg.local_as;
    if ibgp && theirs.router_id == cfg.router_id {
        return Err(OpenRefused {
            notification: open_error(
                code::open::BAD_BGP_IDENTIFIER,
                theirs.router_id.octets().to_vec(),
            ),
            reason: format!("iBGP peer uses our own router id {}", cfg.router_id),
        });
    }
    let caps = &theirs.capabilities;
    let four_octet_as = caps.iter().any(|c| matches!(c, Capability::FourOctetAs(_)));
    // RFC 4760 §8: a peer that announces no multiprotocol capability speaks
    // IPv4 unicast only.
    let their_families: Vec<Family> = caps
        .iter()
        .filter_map(|c| match c {
            Capability::Multiprotocol(f) => Some(*f),
            _ => None,
        })
        .collect();
    let families: Vec<Family> = cfg
        .families
        .iter()
        .copied()
        .filter(|f| {
            if their_families.is_empty() {
                *f == Family::IPV4_UNICAST
            } else {
                their_families.contains(f)
            }
        })
        .collect();
    if families.is_empty() {
        return Err(OpenRefused {
            notification: open_error(code::open::UNSUPPORTED_CAPABILITY, vec![]),
            reason: "no address family in common".into(),
        });
    }
    let ipv4_over_ipv6 = cfg.extended_next_hop
        && families.contains(&Family::IPV4_UNICAST)
        && caps.iter().any(|c| {
            matches!(c, Capability::ExtendedNextHop(t) if t.contains(&ExtendedNextHop::IPV4_UNICAST_OVER_IPV6))
        });
    let extended_message = cfg.extended_message && caps.contains(&Capability::ExtendedMessage);
    // We announce no add-path capability, so path identifiers flow in
    // neither direction whatever the peer offers.
    let hold = theirs.hold_time.min(cfg.hold_time);
    let hold_time = Duration::from_secs(u64::from(hold));
    let ctx = WireContext {
        four_octet_as,
        add_path: AddPath::default(),
        extended_message,
    };
    Ok(Negotiated {
        peer_as,
        peer_router_id: theirs.router_id,
        ibgp,
        hold_time,
        keepalive: hold_time / 3,
        families,
        ipv4_over_ipv6,
        rx: ctx,
        tx: ctx,
        route_refresh: caps.iter().any(|c| {
            matches!(c, Capability::RouteRefresh)
                || matches!(c, Capability::Unknown { code: 128, .. })
        }),
        enhanced_route_refresh: caps.contains(&Capability::EnhancedRouteRefresh),
        peer_graceful_restart: caps.iter().find_map(|c| match c {
            Capability::GracefulRestart(gr) => Some(gr.clone()),
            _ => None,
        }),
        peer_hostname: caps.iter().find_map(|c| match c {
            Capability::Fqdn { hostname, .. } => Some(hostname.clone()),
            _ => None,
        }),
    })
}
