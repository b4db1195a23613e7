//! Turning rtnetlink link, address and neighbour messages into the
//! tracker's updates. Only the attributes the tracker uses are read, each
//! checked for length; anything malformed is an error for the caller to
//! count, never a panic. Bridge FDB entries, proxy entries and multicast or
//! broadcast neighbours are dropped here with a reason.

use std::net::IpAddr;
use std::sync::Arc;

use arpprobe::MacAddr;
use bgp::wire::Prefix;
use netlink_packet_core::{parse_ip, parse_string, parse_u32, NlaBuffer, NlasIterator};
use netlink_packet_route::address::{AddressHeader, AddressScope};
use netlink_packet_route::link::{LinkFlags, LinkHeader};
use netlink_packet_route::neighbour::{NeighbourFlags, NeighbourHeader};
use netlink_packet_route::route::RouteType;
use netlink_packet_route::AddressFamily;

use super::{Address, Link, NudState};

const LINK_HEADER_LEN: usize = 16;
const ADDRESS_HEADER_LEN: usize = 8;
const NEIGHBOUR_HEADER_LEN: usize = 12;

/// A neighbour entry as the message has it (the interface name comes from
/// the link table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NeighbourEntry {
    pub ifindex: u32,
    pub ip: IpAddr,
    pub mac: Option<MacAddr>,
    pub state: NudState,
    pub is_router: bool,
    pub externally_learned: bool,
}

/// A change the kernel reported (or a dump line, which reads the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Update {
    Link(Link),
    LinkRemoved {
        ifindex: u32,
        name: Option<Arc<str>>,
    },
    Address {
        added: bool,
        address: Address,
    },
    Neighbour {
        removed: bool,
        entry: NeighbourEntry,
    },
}

/// What a message amounts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decoded {
    Update(Update),
    /// Not for the tracker; why.
    Ignored(&'static str),
}

/// A message the tracker cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed rtnetlink message type {kind}: {what}")]
pub(crate) struct DecodeError {
    pub kind: u16,
    pub what: String,
}

/// Decodes the payload of a netlink message of type `kind`.
pub(crate) fn decode(kind: u16, payload: &[u8]) -> Result<Decoded, DecodeError> {
    let fail = |what: String| DecodeError { kind, what };
    match kind {
        libc::RTM_NEWLINK | libc::RTM_DELLINK => {
            decode_link(payload, kind == libc::RTM_DELLINK).map_err(fail)
        }
        libc::RTM_NEWADDR | libc::RTM_DELADDR => {
            decode_address(payload, kind == libc::RTM_NEWADDR).map_err(fail)
        }
        libc::RTM_NEWNEIGH | libc::RTM_DELNEIGH => {
            decode_neighbour(payload, kind == libc::RTM_DELNEIGH).map_err(fail)
        }
        _ => Ok(Decoded::Ignored("message type not tracked")),
    }
}

/// The attributes after a fixed header, as (type, value) pairs.
fn attributes(
    payload: &[u8],
    header_len: usize,
) -> Result<impl Iterator<Item = Result<NlaBuffer<&[u8]>, String>>, String> {
    let rest = payload
        .get(header_len..)
        .ok_or_else(|| format!("{} bytes, shorter than its header", payload.len()))?;
    Ok(NlasIterator::new(rest).map(|a| a.map_err(|e| format!("attribute: {e}"))))
}

fn decode_link(payload: &[u8], removed: bool) -> Result<Decoded, String> {
    let header = LinkHeader::parse(payload).map_err(|e| e.to_string())?;
    if header.interface_family == AddressFamily::Bridge {
        // the bridge's per-port notifications: not the link itself
        return Ok(Decoded::Ignored("bridge port message"));
    }
    let mut name = None;
    let mut mac = None;
    let mut master = None;
    let mut kind = None;
    for attr in attributes(payload, LINK_HEADER_LEN)? {
        let attr = attr?;
        let value = attr.value();
        match attr.kind() {
            libc::IFLA_IFNAME => {
                let s = parse_string(value).map_err(|e| format!("IFLA_IFNAME: {e}"))?;
                name = Some(Arc::<str>::from(s));
            }
            libc::IFLA_ADDRESS => mac = MacAddr::from_slice(value).filter(|_| value.len() == 6),
            libc::IFLA_MASTER => {
                let m = parse_u32(value).map_err(|e| format!("IFLA_MASTER: {e}"))?;
                master = Some(m).filter(|&m| m != 0);
            }
            libc::IFLA_LINKINFO => kind = link_kind(value)?,
            _ => {}
        }
    }
    if removed {
        return Ok(Decoded::Update(Update::LinkRemoved {
            ifindex: header.index,
            name,
        }));
    }
    let name = name.ok_or("link without a name")?;
    let flags = header.flags;
    let up = flags.contains(LinkFlags::Up)
        && flags.contains(LinkFlags::LowerUp)
        && flags.contains(LinkFlags::Running);
    Ok(Decoded::Update(Update::Link(Link {
        ifindex: header.index,
        name,
        up,
        master,
        kind,
        mac,
    })))
}

/// `IFLA_INFO_KIND` inside `IFLA_LINKINFO`.
fn link_kind(linkinfo: &[u8]) -> Result<Option<String>, String> {
    for attr in NlasIterator::new(linkinfo) {
        let attr = attr.map_err(|e| format!("IFLA_LINKINFO: {e}"))?;
        if attr.kind() == libc::IFLA_INFO_KIND {
            let kind = parse_string(attr.value()).map_err(|e| format!("IFLA_INFO_KIND: {e}"))?;
            return Ok(Some(kind));
        }
    }
    Ok(None)
}

fn decode_address(payload: &[u8], added: bool) -> Result<Decoded, String> {
    let header = AddressHeader::parse(payload).map_err(|e| e.to_string())?;
    if !matches!(header.family, AddressFamily::Inet | AddressFamily::Inet6) {
        return Ok(Decoded::Ignored("address family not IP"));
    }
    let mut address = None;
    let mut local = None;
    for attr in attributes(payload, ADDRESS_HEADER_LEN)? {
        let attr = attr?;
        match attr.kind() {
            libc::IFA_ADDRESS => {
                address = Some(
                    ip_of(&header.family, attr.value()).map_err(|e| format!("IFA_ADDRESS: {e}"))?,
                )
            }
            libc::IFA_LOCAL => {
                local = Some(
                    ip_of(&header.family, attr.value()).map_err(|e| format!("IFA_LOCAL: {e}"))?,
                )
            }
            _ => {}
        }
    }
    // IPv4 puts the own address in IFA_LOCAL and the peer (or the same) in
    // IFA_ADDRESS; IPv6 has only IFA_ADDRESS unless point-to-point.
    let (network_of, local) = match (address, local) {
        (Some(a), Some(l)) => (a, l),
        (Some(a), None) => (a, a),
        (None, Some(l)) => (l, l),
        (None, None) => return Err("address message without an address".into()),
    };
    let prefix = Prefix::new(network_of, header.prefix_len).map_err(|e| e.to_string())?;
    Ok(Decoded::Update(Update::Address {
        added,
        address: Address {
            ifindex: header.index,
            prefix,
            local,
            scope_global: header.scope == AddressScope::Universe,
        },
    }))
}

fn decode_neighbour(payload: &[u8], removed: bool) -> Result<Decoded, String> {
    let header = NeighbourHeader::parse(payload).map_err(|e| e.to_string())?;
    match header.family {
        AddressFamily::Inet | AddressFamily::Inet6 => {}
        AddressFamily::Bridge => return Ok(Decoded::Ignored("bridge FDB entry")),
        _ => return Ok(Decoded::Ignored("neighbour family not IP")),
    }
    if header.flags.contains(NeighbourFlags::Proxy) {
        return Ok(Decoded::Ignored("proxy entry"));
    }
    if matches!(header.kind, RouteType::Multicast | RouteType::Broadcast) {
        return Ok(Decoded::Ignored("multicast or broadcast entry"));
    }
    let mut ip = None;
    let mut mac = None;
    for attr in attributes(payload, NEIGHBOUR_HEADER_LEN)? {
        let attr = attr?;
        let value = attr.value();
        match attr.kind() {
            libc::NDA_DST => {
                ip = Some(ip_of(&header.family, value).map_err(|e| format!("NDA_DST: {e}"))?)
            }
            libc::NDA_LLADDR => mac = MacAddr::from_slice(value).filter(|_| value.len() == 6),
            _ => {}
        }
    }
    let ip = ip.ok_or("neighbour without NDA_DST")?;
    if is_group_address(ip) || mac.is_some_and(|m| m.is_multicast()) {
        return Ok(Decoded::Ignored("multicast or broadcast entry"));
    }
    Ok(Decoded::Update(Update::Neighbour {
        removed,
        entry: NeighbourEntry {
            ifindex: header.ifindex,
            ip,
            mac,
            state: NudState::from_bits_retain(header.state.into()),
            is_router: header.flags.contains(NeighbourFlags::Router),
            externally_learned: header.flags.contains(NeighbourFlags::ExtLearned),
        },
    }))
}

/// An address of the message's family (4 or 16 bytes as the family says).
fn ip_of(family: &AddressFamily, value: &[u8]) -> Result<IpAddr, String> {
    let ip = parse_ip(value).map_err(|e| e.to_string())?;
    match (family, ip) {
        (AddressFamily::Inet, IpAddr::V4(_)) | (AddressFamily::Inet6, IpAddr::V6(_)) => Ok(ip),
        _ => Err(format!("{ip} in a message of family {family:?}")),
    }
}

fn is_group_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => a.is_multicast() || a.is_broadcast(),
        IpAddr::V6(a) => a.is_multicast(),
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    use netlink_packet_core::Emitable;
    use netlink_packet_route::address::{AddressAttribute, AddressMessage};
    use netlink_packet_route::link::{InfoKind, LinkAttribute, LinkInfo, LinkMessage};
    use netlink_packet_route::neighbour::{
        NeighbourAddress, NeighbourAttribute, NeighbourMessage, NeighbourState,
    };

    use super::*;

    const MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x11];

    fn bytes(m: &impl Emitable) -> Vec<u8> {
        let mut b = vec![0; m.buffer_len()];
        m.emit(&mut b);
        b
    }

    fn neighbour_message(
        family: AddressFamily,
        dst: NeighbourAddress,
        lladdr: &[u8],
        state: NeighbourState,
    ) -> Vec<u8> {
        let mut m = NeighbourMessage::default();
        m.header.family = family;
        m.header.ifindex = 7;
        m.header.state = state;
        m.header.kind = RouteType::Unicast;
        m.attributes = vec![
            NeighbourAttribute::Destination(dst),
            NeighbourAttribute::LinkLayerAddress(lladdr.to_vec()),
        ];
        bytes(&m)
    }

    fn v4_neighbour(ip: Ipv4Addr, lladdr: &[u8]) -> Vec<u8> {
        neighbour_message(
            AddressFamily::Inet,
            NeighbourAddress::Inet(ip),
            lladdr,
            NeighbourState::Reachable,
        )
    }

    fn link_message(family: AddressFamily, flags: LinkFlags) -> Vec<u8> {
        let mut m = LinkMessage::default();
        m.header.interface_family = family;
        m.header.index = 4;
        m.header.flags = flags;
        m.attributes = vec![
            LinkAttribute::IfName("br0".into()),
            LinkAttribute::Address(MAC.to_vec()),
            LinkAttribute::Controller(9),
            LinkAttribute::Mtu(1500),
            LinkAttribute::LinkInfo(vec![LinkInfo::Kind(InfoKind::Bridge)]),
        ];
        bytes(&m)
    }

    fn address_message(local: Ipv4Addr, peer: Ipv4Addr, len: u8) -> Vec<u8> {
        let mut m = AddressMessage::default();
        m.header.family = AddressFamily::Inet;
        m.header.prefix_len = len;
        m.header.index = 3;
        m.header.scope = AddressScope::Universe;
        m.attributes = vec![
            AddressAttribute::Address(IpAddr::V4(peer)),
            AddressAttribute::Local(IpAddr::V4(local)),
            AddressAttribute::Label("veth0".into()),
        ];
        bytes(&m)
    }

    #[test]
    fn an_ipv4_neighbour_reads_with_its_mac_and_state() {
        let got = decode(
            libc::RTM_NEWNEIGH,
            &v4_neighbour(Ipv4Addr::new(172, 16, 1, 11), &MAC),
        );
        assert_eq!(
            got,
            Ok(Decoded::Update(Update::Neighbour {
                removed: false,
                entry: NeighbourEntry {
                    ifindex: 7,
                    ip: "172.16.1.11".parse().unwrap(),
                    mac: Some(MacAddr(MAC)),
                    state: NudState::REACHABLE,
                    is_router: false,
                    externally_learned: false,
                },
            }))
        );
    }

    #[test]
    fn an_ipv6_router_removal_keeps_its_flags_and_a_missing_mac_is_none() {
        let mut m = NeighbourMessage::default();
        m.header.family = AddressFamily::Inet6;
        m.header.ifindex = 2;
        m.header.state = NeighbourState::Failed;
        m.header.flags = NeighbourFlags::Router | NeighbourFlags::ExtLearned;
        m.attributes = vec![NeighbourAttribute::Destination(NeighbourAddress::Inet6(
            "2001:db8::5".parse().unwrap(),
        ))];
        let Ok(Decoded::Update(Update::Neighbour { removed, entry })) =
            decode(libc::RTM_DELNEIGH, &bytes(&m))
        else {
            panic!("not a neighbour update");
        };
        assert!(removed);
        assert_eq!(entry.ip, "2001:db8::5".parse::<Ipv6Addr>().unwrap());
        assert_eq!((entry.mac, entry.state), (None, NudState::FAILED));
        assert!(entry.is_router && entry.externally_learned);
    }

    #[test]
    fn bridge_fdb_multicast_and_broadcast_entries_are_ignored_at_the_source() {
        let fdb = neighbour_message(
            AddressFamily::Bridge,
            NeighbourAddress::Other(vec![]),
            &MAC,
            NeighbourState::Noarp,
        );
        assert_eq!(
            decode(libc::RTM_NEWNEIGH, &fdb),
            Ok(Decoded::Ignored("bridge FDB entry"))
        );
        for msg in [
            v4_neighbour(Ipv4Addr::new(224, 0, 0, 251), &[1, 0, 0x5e, 0, 0, 0xfb]),
            v4_neighbour(Ipv4Addr::BROADCAST, &[0xff; 6]),
            // a subnet broadcast: unicast-looking address, broadcast MAC
            v4_neighbour(Ipv4Addr::new(10, 0, 0, 255), &[0xff; 6]),
            neighbour_message(
                AddressFamily::Inet6,
                NeighbourAddress::Inet6("ff02::1".parse().unwrap()),
                &[0x33, 0x33, 0, 0, 0, 1],
                NeighbourState::Noarp,
            ),
        ] {
            assert_eq!(
                decode(libc::RTM_NEWNEIGH, &msg),
                Ok(Decoded::Ignored("multicast or broadcast entry"))
            );
        }
    }

    #[test]
    fn a_link_reads_name_mac_master_kind_and_up_only_with_carrier() {
        let all = LinkFlags::Up | LinkFlags::LowerUp | LinkFlags::Running;
        let Ok(Decoded::Update(Update::Link(link))) =
            decode(libc::RTM_NEWLINK, &link_message(AddressFamily::Unspec, all))
        else {
            panic!("not a link");
        };
        assert_eq!(
            link,
            Link {
                ifindex: 4,
                name: "br0".into(),
                up: true,
                master: Some(9),
                kind: Some("bridge".into()),
                mac: Some(MacAddr(MAC)),
            }
        );
        let Ok(Decoded::Update(Update::Link(no_carrier))) = decode(
            libc::RTM_NEWLINK,
            &link_message(AddressFamily::Unspec, LinkFlags::Up),
        ) else {
            panic!("not a link");
        };
        assert!(!no_carrier.up);
    }

    #[test]
    fn a_removed_link_and_the_bridges_port_messages() {
        assert_eq!(
            decode(
                libc::RTM_DELLINK,
                &link_message(AddressFamily::Unspec, LinkFlags::empty())
            ),
            Ok(Decoded::Update(Update::LinkRemoved {
                ifindex: 4,
                name: Some("br0".into())
            }))
        );
        assert_eq!(
            decode(
                libc::RTM_DELLINK,
                &link_message(AddressFamily::Bridge, LinkFlags::Up)
            ),
            Ok(Decoded::Ignored("bridge port message"))
        );
    }

    #[test]
    fn an_address_gives_its_connected_network_with_host_bits_cleared() {
        let local = Ipv4Addr::new(172, 16, 1, 1);
        let Ok(Decoded::Update(Update::Address { added, address })) =
            decode(libc::RTM_NEWADDR, &address_message(local, local, 24))
        else {
            panic!("not an address");
        };
        assert!(added);
        assert_eq!(address.prefix.to_string(), "172.16.1.0/24");
        assert_eq!(address.local, IpAddr::V4(local));
        assert!(address.scope_global);
        // point-to-point: the network is the peer's
        let Ok(Decoded::Update(Update::Address { address, .. })) = decode(
            libc::RTM_DELADDR,
            &address_message(local, Ipv4Addr::new(10, 9, 9, 9), 32),
        ) else {
            panic!("not an address");
        };
        assert_eq!(address.prefix.to_string(), "10.9.9.9/32");
    }

    #[test]
    fn malformed_messages_are_errors() {
        assert!(decode(libc::RTM_NEWNEIGH, &[2, 0, 0]).is_err());
        let mut m = v4_neighbour(Ipv4Addr::new(10, 0, 0, 1), &MAC);
        m[NEIGHBOUR_HEADER_LEN] = 200; // first attribute's length past the end
        assert!(decode(libc::RTM_NEWNEIGH, &m).is_err());
        // an IPv6 address in an IPv4 message
        let wrong = neighbour_message(
            AddressFamily::Inet,
            NeighbourAddress::Inet6("2001:db8::1".parse().unwrap()),
            &MAC,
            NeighbourState::Stale,
        );
        assert!(decode(libc::RTM_NEWNEIGH, &wrong).is_err());
        assert!(decode(
            libc::RTM_NEWADDR,
            &address_message(Ipv4Addr::LOCALHOST, Ipv4Addr::LOCALHOST, 33)
        )
        .is_err());
    }

    /// Every prefix and every single-byte corruption of real-shaped
    /// messages decodes to something or an error, never a panic.
    #[test]
    fn no_truncation_or_corruption_panics() {
        let samples = [
            (
                libc::RTM_NEWNEIGH,
                v4_neighbour(Ipv4Addr::new(10, 0, 0, 1), &MAC),
            ),
            (
                libc::RTM_NEWLINK,
                link_message(AddressFamily::Unspec, LinkFlags::Up),
            ),
            (
                libc::RTM_NEWADDR,
                address_message(Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 1), 8),
            ),
        ];
        for (kind, msg) in samples {
            for cut in 0..=msg.len() {
                let _ = decode(kind, &msg[..cut]);
            }
            for i in 0..msg.len() {
                for v in [0u8, 1, 2, 3, 4, 5, 6, 7, 8, 10, 16, 18, 0x7f, 0x80, 0xff] {
                    let mut c = msg.clone();
                    c[i] = v;
                    let _ = decode(kind, &c);
                }
            }
        }
    }
}
