//! Route messages as the FIB sends them: RTM_NEWROUTE for gateway routes
//! (single path or RTA_MULTIPATH, IPv6 next hops of IPv4 prefixes as
//! RTA_VIA) and for device routes (`dev IF scope link`), RTM_DELROUTE,
//! the filtered RTM_GETROUTE dump and the RTM_GETLINK lookup by name.
//! Pure: no I/O.

use std::net::IpAddr;

use bgp::wire::Prefix;
use netlink_packet_core::{NLM_F_CREATE, NLM_F_REPLACE};
use netlink_packet_route::link::{LinkAttribute, LinkMessage};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteNextHop, RouteProtocol,
    RouteScope, RouteType, RouteVia,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};

use super::socket::Request;

/// RT_SCOPE_NOWHERE: a delete that matches routes of any scope.
const SCOPE_ANY: u8 = 255;

/// Whose routes these are: the table they live in, the protocol that marks
/// them, and their metric (0: none given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RouteOwner {
    pub(crate) table: u32,
    pub(crate) protocol: u8,
    pub(crate) metric: u32,
}

/// A next hop with its interface resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ResolvedHop {
    pub(crate) address: IpAddr,
    pub(crate) ifindex: Option<u32>,
}

/// Where a route sends packets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Forwarding {
    /// Through one or more gateways (ECMP).
    Gateways(Vec<ResolvedHop>),
    /// Straight out of an interface (`dev IF scope link`).
    Device(u32),
}

/// RTM_NEWROUTE with NLM_F_CREATE | NLM_F_REPLACE, or why the route
/// cannot be expressed.
pub(crate) fn install(
    owner: &RouteOwner,
    prefix: &Prefix,
    forwarding: &Forwarding,
) -> Result<Request, String> {
    let mut message = route_header(owner, prefix);
    match forwarding {
        Forwarding::Device(ifindex) => {
            message.header.scope = RouteScope::Link;
            message.attributes.push(RouteAttribute::Oif(*ifindex));
        }
        Forwarding::Gateways(hops) => match hops.as_slice() {
            [] => return Err("no next hop".into()),
            [hop] => {
                message.attributes.push(gateway(prefix, hop)?);
                if let Some(ifindex) = hop.ifindex {
                    message.attributes.push(RouteAttribute::Oif(ifindex));
                }
            }
            hops => {
                let mut next_hops = Vec::with_capacity(hops.len());
                for hop in hops {
                    let mut next_hop = RouteNextHop::default();
                    next_hop.interface_index = hop.ifindex.unwrap_or(0);
                    next_hop.attributes.push(gateway(prefix, hop)?);
                    next_hops.push(next_hop);
                }
                message
                    .attributes
                    .push(RouteAttribute::MultiPath(next_hops));
            }
        },
    }
    if owner.metric != 0 {
        message
            .attributes
            .push(RouteAttribute::Priority(owner.metric));
    }
    Ok(Request::new(
        &RouteNetlinkMessage::NewRoute(message),
        NLM_F_CREATE | NLM_F_REPLACE,
    ))
}

/// RTM_DELROUTE of our route for `prefix` with `metric` (0: any metric).
pub(crate) fn remove(owner: &RouteOwner, prefix: &Prefix, metric: u32) -> Request {
    let mut message = route_header(owner, prefix);
    message.header.scope = RouteScope::from(SCOPE_ANY);
    message.header.kind = RouteType::Unspec;
    if metric != 0 {
        message.attributes.push(RouteAttribute::Priority(metric));
    }
    Request::new(&RouteNetlinkMessage::DelRoute(message), 0)
}

/// The RTM_GETROUTE dump of the owner's table and protocol (both families;
/// the kernel filters with strict checking on, [`super::installed`] again).
pub(crate) fn dump(owner: &RouteOwner) -> Request {
    let mut message = RouteMessage::default();
    message.header.address_family = AddressFamily::Unspec;
    message.header.table = short_table(owner.table);
    message.header.protocol = RouteProtocol::from(owner.protocol);
    message.attributes.push(RouteAttribute::Table(owner.table));
    Request::new(&RouteNetlinkMessage::GetRoute(message), 0)
}

/// RTM_GETLINK for the interface called `name`.
pub(crate) fn link_by_name(name: &str) -> Request {
    let mut message = LinkMessage::default();
    message
        .attributes
        .push(LinkAttribute::IfName(name.to_string()));
    Request::new(&RouteNetlinkMessage::GetLink(message), 0)
}

/// The interface index in an RTM_NEWLINK answer (`struct ifinfomsg`).
pub(crate) fn link_index(payload: &[u8]) -> Option<u32> {
    let index = payload.get(4..8)?;
    let index = i32::from_ne_bytes([index[0], index[1], index[2], index[3]]);
    u32::try_from(index).ok().filter(|&i| i != 0)
}

fn route_header(owner: &RouteOwner, prefix: &Prefix) -> RouteMessage {
    let mut message = RouteMessage::default();
    message.header = RouteHeader {
        address_family: family(prefix),
        destination_prefix_length: prefix.len(),
        table: short_table(owner.table),
        protocol: RouteProtocol::from(owner.protocol),
        scope: RouteScope::Universe,
        kind: RouteType::Unicast,
        ..RouteHeader::default()
    };
    message
        .attributes
        .push(RouteAttribute::Destination(RouteAddress::from(
            prefix.addr(),
        )));
    message.attributes.push(RouteAttribute::Table(owner.table));
    message
}

/// `rtm_table` holds 8 bits; larger tables go in RTA_TABLE only (as iproute2 does).
fn short_table(table: u32) -> u8 {
    u8::try_from(table).unwrap_or(RouteHeader::RT_TABLE_UNSPEC)
}

fn family(prefix: &Prefix) -> AddressFamily {
    match prefix {
        Prefix::V4(_) => AddressFamily::Inet,
        Prefix::V6(_) => AddressFamily::Inet6,
    }
}

/// The gateway attribute of `hop` for `prefix`: RTA_GATEWAY of the prefix's
/// family, or RTA_VIA for an IPv6 next hop of an IPv4 prefix (RFC 8950,
/// what `ip route add A via inet6 fe80::1 dev IF` sends).
fn gateway(prefix: &Prefix, hop: &ResolvedHop) -> Result<RouteAttribute, String> {
    if let IpAddr::V6(address) = hop.address {
        if address.is_unicast_link_local() && hop.ifindex.is_none() {
            return Err(format!(
                "link-local next hop {address} without an interface"
            ));
        }
    }
    match (prefix, hop.address) {
        (Prefix::V4(_), IpAddr::V4(address)) => Ok(RouteAttribute::Gateway(address.into())),
        (Prefix::V4(_), IpAddr::V6(address)) => match address.to_ipv4_mapped() {
            Some(mapped) => Ok(RouteAttribute::Gateway(mapped.into())),
            None => Ok(RouteAttribute::Via(RouteVia::Inet6(address))),
        },
        (Prefix::V6(_), IpAddr::V6(address)) => Ok(RouteAttribute::Gateway(address.into())),
        (Prefix::V6(_), IpAddr::V4(address)) => Err(format!(
            "IPv4 next hop {address} for an IPv6 prefix is not supported"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use netlink_packet_core::Parseable;

    const OWNER: RouteOwner = RouteOwner {
        table: 1000,
        protocol: 196,
        metric: 20,
    };

    fn parsed(request: &Request) -> RouteMessage {
        RouteMessage::parse(request.payload()).expect("a message we built parses")
    }

    fn hop(address: &str, ifindex: Option<u32>) -> ResolvedHop {
        ResolvedHop {
            address: address.parse().expect("test address"),
            ifindex,
        }
    }

    #[test]
    fn ipv4_prefix_over_two_link_local_next_hops_is_multipath_with_via_inet6() {
        let prefix: Prefix = "10.1.1.0/24".parse().expect("test prefix");
        let forwarding =
            Forwarding::Gateways(vec![hop("fe80::1", Some(3)), hop("fe80::2", Some(4))]);
        let message = parsed(&install(&OWNER, &prefix, &forwarding).expect("expressible"));
        assert_eq!(message.header.address_family, AddressFamily::Inet);
        assert_eq!(message.header.destination_prefix_length, 24);
        assert_eq!(message.header.protocol, RouteProtocol::from(196));
        assert_eq!(message.header.table, RouteHeader::RT_TABLE_UNSPEC);
        assert!(message.attributes.contains(&RouteAttribute::Table(1000)));
        assert!(message.attributes.contains(&RouteAttribute::Priority(20)));
        let hops = message
            .attributes
            .iter()
            .find_map(|a| match a {
                RouteAttribute::MultiPath(h) => Some(h.clone()),
                _ => None,
            })
            .expect("RTA_MULTIPATH");
        assert_eq!(hops.len(), 2);
        assert_eq!(hops[1].interface_index, 4);
        assert_eq!(
            hops[1].attributes,
            vec![RouteAttribute::Via(RouteVia::Inet6(
                "fe80::2".parse().expect("test address")
            ))]
        );
    }

    #[test]
    fn ipv6_prefix_uses_gateway_and_oif_and_refuses_ipv4_next_hops() {
        let prefix: Prefix = "2001:db8::/64".parse().expect("test prefix");
        let one = Forwarding::Gateways(vec![hop("fe80::1", Some(3))]);
        let message = parsed(&install(&OWNER, &prefix, &one).expect("expressible"));
        assert!(message.attributes.contains(&RouteAttribute::Oif(3)));
        assert!(message
            .attributes
            .contains(&RouteAttribute::Gateway(RouteAddress::Inet6(
                "fe80::1".parse().expect("test address")
            ))));
        let v4 = Forwarding::Gateways(vec![hop("192.0.2.1", None)]);
        assert!(install(&OWNER, &prefix, &v4).is_err());
        let no_interface = Forwarding::Gateways(vec![hop("fe80::1", None)]);
        assert!(install(&OWNER, &prefix, &no_interface)
            .unwrap_err()
            .contains("without an interface"));
    }

    #[test]
    fn device_route_is_scope_link_without_metric() {
        let owner = RouteOwner {
            table: 10,
            protocol: 196,
            metric: 0,
        };
        let prefix: Prefix = "172.16.1.11/32".parse().expect("test prefix");
        let message = parsed(&install(&owner, &prefix, &Forwarding::Device(7)).expect("ok"));
        assert_eq!(message.header.scope, RouteScope::Link);
        assert_eq!(message.header.table, 10);
        assert!(message.attributes.contains(&RouteAttribute::Oif(7)));
        assert!(!message
            .attributes
            .iter()
            .any(|a| matches!(a, RouteAttribute::Priority(_))));
    }

    #[test]
    fn link_index_reads_ifinfomsg_and_rejects_short_or_zero() {
        assert_eq!(link_index(&[0, 0, 1, 0, 9, 0, 0, 0, 0, 0]), Some(9));
        assert_eq!(link_index(&[0, 0, 1, 0, 0, 0, 0, 0]), None);
        assert_eq!(link_index(&[0, 0, 1]), None);
    }
}
