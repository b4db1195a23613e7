//! What a session negotiated that changes how messages are encoded and
//! decoded: 4-octet AS numbers, add-path per family, extended messages.

use std::fmt;

/// An address family / subsequent address family pair (RFC 4760).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Family {
    /// Address Family Identifier (1 = IPv4, 2 = IPv6).
    pub afi: u16,
    /// Subsequent Address Family Identifier (1 = unicast).
    pub safi: u8,
}

impl Family {
    /// IPv4 unicast (AFI 1, SAFI 1).
    pub const IPV4_UNICAST: Family = Family { afi: 1, safi: 1 };
    /// IPv6 unicast (AFI 2, SAFI 1).
    pub const IPV6_UNICAST: Family = Family { afi: 2, safi: 1 };

    /// Builds a family from its numbers.
    pub const fn new(afi: u16, safi: u8) -> Family {
        Family { afi, safi }
    }

    /// Whether this codec can decode the NLRI of this family.
    pub fn is_supported(self) -> bool {
        self == Family::IPV4_UNICAST || self == Family::IPV6_UNICAST
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Family::IPV4_UNICAST => f.write_str("ipv4-unicast"),
            Family::IPV6_UNICAST => f.write_str("ipv6-unicast"),
            Family { afi, safi } => write!(f, "afi {afi}/safi {safi}"),
        }
    }
}

/// Which unicast families carry add-path identifiers (RFC 7911).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct AddPath {
    /// IPv4 unicast NLRI carry a 4-byte path identifier.
    pub ipv4: bool,
    /// IPv6 unicast NLRI carry a 4-byte path identifier.
    pub ipv6: bool,
}

impl AddPath {
    /// Whether NLRI of `family` carry path identifiers.
    pub fn for_family(self, family: Family) -> bool {
        match family {
            Family::IPV4_UNICAST => self.ipv4,
            Family::IPV6_UNICAST => self.ipv6,
            _ => false,
        }
    }
}

/// The negotiated session parameters the codec needs.
///
/// One context describes one direction: for decoding, `add_path` says which
/// families carry path identifiers in what we receive; for encoding, in what
/// we send. A session before OPEN exchange uses [`WireContext::default`]
/// (2-octet AS, no add-path, 4096-byte messages), which is also what OPEN
/// and NOTIFICATION always use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct WireContext {
    /// Both sides announced the 4-octet AS capability (RFC 6793).
    pub four_octet_as: bool,
    /// Families whose NLRI carry path identifiers (RFC 7911).
    pub add_path: AddPath,
    /// Both sides announced the extended message capability (RFC 8654).
    pub extended_message: bool,
}

/// The largest BGP message without RFC 8654.
pub const MAX_MESSAGE_LEN: usize = 4096;
/// The largest BGP message with RFC 8654 extended messages.
pub const MAX_EXTENDED_MESSAGE_LEN: usize = 65535;

impl WireContext {
    /// A context for a modern session: 4-octet AS, no add-path, no extended
    /// messages.
    pub fn modern() -> WireContext {
        WireContext {
            four_octet_as: true,
            ..WireContext::default()
        }
    }

    /// The largest message this session may carry (OPEN, KEEPALIVE and
    /// NOTIFICATION are limited to 4096 by RFC 8654 regardless).
    pub fn max_message_len(&self) -> usize {
        if self.extended_message {
            MAX_EXTENDED_MESSAGE_LEN
        } else {
            MAX_MESSAGE_LEN
        }
    }
}
