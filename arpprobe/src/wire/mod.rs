//! Sans-IO frame codec for the frames arpprobe sends and receives: Ethernet II,
//! ARP (Ethernet/IPv4), IPv6 and ICMPv6 Neighbour Solicitation/Advertisement.
//!
//! Each layer follows the smoltcp `wire` pattern: a zero-copy view over a byte
//! buffer (`*Packet<T: AsRef<[u8]>>`, checked once on construction so that its
//! getters never panic) and a parsed, owned representation (`*Repr`) with
//! `parse` and `emit`. Nothing here does I/O or allocates.

mod arp;
mod checksum;
mod ethernet;
mod frame;
mod icmpv6;
mod ipv6;
mod mac;

pub use arp::{ArpOp, ArpPacket, ArpRepr, ARP_LEN};
pub use checksum::icmpv6_checksum;
pub use ethernet::{EtherType, EthernetFrame, EthernetRepr, ETHERNET_HEADER_LEN};
pub use frame::{
    build_arp_probe, build_ns_probe, Frame, ARP_PROBE_LEN, NS_PROBE_LEN, NS_PROBE_LEN_NO_SLLA,
};
pub use icmpv6::{NaFlags, NdiscPacket, NdiscRepr, ICMPV6_NA, ICMPV6_NS};
pub use ipv6::{Ipv6Packet, Ipv6Repr, IPV6_HEADER_LEN, NEXT_HEADER_ICMPV6};
pub use mac::MacAddr;

use std::fmt;

/// Why a frame was rejected by the parser. Cheap to copy; frames from the
/// network are never trusted, so every reason is an ordinary value, not a panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Malformed {
    /// The buffer is shorter than the header or the length fields claim.
    Truncated,
    /// The EtherType is neither ARP nor IPv6.
    UnsupportedEtherType(u16),
    /// ARP hardware/protocol types or lengths are not Ethernet/IPv4.
    UnsupportedArp,
    /// ARP operation other than request (1) or reply (2).
    UnsupportedArpOp(u16),
    /// IPv6 version field is not 6.
    BadIpVersion,
    /// IPv6 next header is not ICMPv6 (extension headers are not accepted,
    /// as RFC 4861 forbids them on Neighbour Discovery in practice).
    NotIcmpv6(u8),
    /// ICMPv6 type is not NS (135) or NA (136).
    NotNeighborDiscovery(u8),
    /// Neighbour Discovery validity checks of RFC 4861 §7.1 failed
    /// (hop limit, code, option length, multicast target).
    InvalidNdisc(&'static str),
    /// The ICMPv6 checksum does not match.
    BadChecksum,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Malformed::Truncated => f.write_str("truncated frame"),
            Malformed::UnsupportedEtherType(t) => write!(f, "unsupported EtherType {t:#06x}"),
            Malformed::UnsupportedArp => f.write_str("ARP is not Ethernet/IPv4"),
            Malformed::UnsupportedArpOp(op) => write!(f, "unsupported ARP operation {op}"),
            Malformed::BadIpVersion => f.write_str("IP version is not 6"),
            Malformed::NotIcmpv6(nh) => write!(f, "IPv6 next header {nh} is not ICMPv6"),
            Malformed::NotNeighborDiscovery(t) => write!(f, "ICMPv6 type {t} is not NS/NA"),
            Malformed::InvalidNdisc(why) => write!(f, "invalid neighbour discovery message: {why}"),
            Malformed::BadChecksum => f.write_str("bad ICMPv6 checksum"),
        }
    }
}

impl std::error::Error for Malformed {}
