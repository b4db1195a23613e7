//! Reading our routes back from an RTM_GETROUTE dump: which prefixes are in
//! the kernel under our protocol and table, with their next hops.

use std::net::IpAddr;

use bgp::wire::Prefix;
use netlink_packet_core::Parseable;
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteMessage, RouteProtocol, RouteType, RouteVia,
};
use netlink_packet_route::AddressFamily;

use super::message::RouteOwner;

/// RTM_NEWROUTE, the type of every message of a route dump.
pub(crate) const RTM_NEWROUTE: u16 = 24;

/// A route of ours in the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledRoute {
    /// The destination.
    pub prefix: Prefix,
    /// The next hops; one without a gateway for a device route.
    pub next_hops: Vec<InstalledNextHop>,
    /// The route's metric (RTA_PRIORITY; IPv6 routes without one show 1024).
    pub metric: u32,
}

/// One next hop of an [`InstalledRoute`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstalledNextHop {
    /// The gateway (RTA_GATEWAY or RTA_VIA), none for a device route.
    pub gateway: Option<IpAddr>,
    /// The outgoing interface's index, when the kernel gives one.
    pub ifindex: Option<u32>,
}

/// The route in a dumped RTM_NEWROUTE payload, if it is a unicast route of
/// `owner`'s protocol and table (the kernel's dump filter is not trusted
/// alone: without strict checking it returns every route).
pub(crate) fn parse(owner: &RouteOwner, payload: &[u8]) -> Option<InstalledRoute> {
    let message = match RouteMessage::parse(payload) {
        Ok(m) => m,
        Err(e) => {
            tracing::debug!(error = %e, "skipping a route the dump parser does not understand");
            return None;
        }
    };
    let header = &message.header;
    if header.protocol != RouteProtocol::from(owner.protocol) || header.kind != RouteType::Unicast {
        return None;
    }
    let table = message
        .attributes
        .iter()
        .find_map(|a| match a {
            RouteAttribute::Table(t) => Some(*t),
            _ => None,
        })
        .unwrap_or(u32::from(header.table));
    if table != owner.table {
        return None;
    }
    let destination = message.attributes.iter().find_map(|a| match a {
        RouteAttribute::Destination(d) => address(d),
        _ => None,
    });
    let destination = match (header.address_family, destination) {
        (_, Some(d)) => d,
        (AddressFamily::Inet, None) => IpAddr::from([0u8; 4]),
        (AddressFamily::Inet6, None) => IpAddr::from([0u8; 16]),
        _ => return None,
    };
    let prefix = Prefix::new(destination, header.destination_prefix_length).ok()?;
    let mut metric = 0;
    let mut single = InstalledNextHop {
        gateway: None,
        ifindex: None,
    };
    let mut next_hops = Vec::new();
    for attribute in &message.attributes {
        match attribute {
            RouteAttribute::Priority(p) => metric = *p,
            RouteAttribute::Oif(i) => single.ifindex = Some(*i).filter(|&i| i != 0),
            RouteAttribute::MultiPath(hops) => {
                next_hops.extend(hops.iter().map(|h| InstalledNextHop {
                    gateway: h.attributes.iter().find_map(gateway),
                    ifindex: Some(h.interface_index).filter(|&i| i != 0),
                }))
            }
            other => {
                if let Some(g) = gateway(other) {
                    single.gateway = Some(g);
                }
            }
        }
    }
    if next_hops.is_empty() {
        next_hops.push(single);
    }
    Some(InstalledRoute {
        prefix,
        next_hops,
        metric,
    })
}

fn gateway(attribute: &RouteAttribute) -> Option<IpAddr> {
    match attribute {
        RouteAttribute::Gateway(g) => address(g),
        RouteAttribute::Via(RouteVia::Inet(a)) => Some(IpAddr::V4(*a)),
        RouteAttribute::Via(RouteVia::Inet6(a)) => Some(IpAddr::V6(*a)),
        _ => None,
    }
}

fn address(a: &RouteAddress) -> Option<IpAddr> {
    match a {
        RouteAddress::Inet(a) => Some(IpAddr::V4(*a)),
        RouteAddress::Inet6(a) => Some(IpAddr::V6(*a)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::message::{install, Forwarding, ResolvedHop};
    use super::*;

    const OWNER: RouteOwner = RouteOwner {
        table: 1000,
        protocol: 196,
        metric: 20,
    };

    #[test]
    fn an_installed_multipath_route_reads_back_with_its_next_hops() {
        let prefix: Prefix = "10.1.1.0/24".parse().expect("test prefix");
        let hops = vec![
            ResolvedHop {
                address: "fe80::1".parse().expect("test address"),
                ifindex: Some(3),
            },
            ResolvedHop {
                address: "fe80::2".parse().expect("test address"),
                ifindex: Some(4),
            },
        ];
        let request = install(&OWNER, &prefix, &Forwarding::Gateways(hops)).expect("ok");
        let route = parse(&OWNER, request.payload()).expect("ours");
        assert_eq!(route.prefix, prefix);
        assert_eq!(route.metric, 20);
        assert_eq!(
            route.next_hops,
            vec![
                InstalledNextHop {
                    gateway: Some("fe80::1".parse().expect("test address")),
                    ifindex: Some(3)
                },
                InstalledNextHop {
                    gateway: Some("fe80::2".parse().expect("test address")),
                    ifindex: Some(4)
                },
            ]
        );
        let other_protocol = RouteOwner {
            protocol: 4,
            ..OWNER
        };
        assert_eq!(parse(&other_protocol, request.payload()), None);
        let other_table = RouteOwner { table: 10, ..OWNER };
        assert_eq!(parse(&other_table, request.payload()), None);
        assert_eq!(parse(&OWNER, &[1, 2, 3]), None);
    }
}
