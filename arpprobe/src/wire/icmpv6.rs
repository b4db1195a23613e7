//! ICMPv6 Neighbour Solicitation and Advertisement (RFC 4861 §4.3, §4.4) with
//! their link-layer address options: zero-copy view and parsed representation,
//! including the validity checks of RFC 4861 §7.1 and the checksum.

use std::net::Ipv6Addr;

use super::{icmpv6_checksum, Ipv6Repr, MacAddr, Malformed};

/// ICMPv6 type of a Neighbour Solicitation.
pub const ICMPV6_NS: u8 = 135;
/// ICMPv6 type of a Neighbour Advertisement.
pub const ICMPV6_NA: u8 = 136;

const OPT_SOURCE_LLADDR: u8 = 1;
const OPT_TARGET_LLADDR: u8 = 2;
/// Type, code, checksum, reserved/flags, target.
const NDISC_FIXED_LEN: usize = 24;

/// A view over an ICMPv6 NS or NA message (the IPv6 payload).
#[derive(Debug, Clone, Copy)]
pub struct NdiscPacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> NdiscPacket<T> {
    /// Wraps `buffer` after checking it is an NS or NA of at least 24 bytes.
    pub fn new_checked(buffer: T) -> Result<Self, Malformed> {
        let b = buffer.as_ref();
        let Some(&ty) = b.first() else {
            return Err(Malformed::Truncated);
        };
        if ty != ICMPV6_NS && ty != ICMPV6_NA {
            return Err(Malformed::NotNeighborDiscovery(ty));
        }
        if b.len() < NDISC_FIXED_LEN {
            return Err(Malformed::Truncated);
        }
        Ok(NdiscPacket { buffer })
    }

    /// ICMPv6 type (135 or 136).
    pub fn msg_type(&self) -> u8 {
        self.buffer.as_ref()[0]
    }

    /// ICMPv6 code (must be 0).
    pub fn code(&self) -> u8 {
        self.buffer.as_ref()[1]
    }

    /// NA flags byte (R, S, O in the top three bits); reserved in an NS.
    pub fn flags(&self) -> u8 {
        self.buffer.as_ref()[4]
    }

    /// Target address.
    pub fn target(&self) -> Ipv6Addr {
        let b: [u8; 16] = self.buffer.as_ref()[8..24]
            .try_into()
            .expect("checked length");
        Ipv6Addr::from(b)
    }

    /// The options area.
    pub fn options(&self) -> &[u8] {
        &self.buffer.as_ref()[NDISC_FIXED_LEN..]
    }

    /// The whole message, for checksumming.
    pub fn as_bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

/// Flags of a Neighbour Advertisement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct NaFlags {
    /// R: the sender is a router.
    pub router: bool,
    /// S: sent in response to a solicitation.
    pub solicited: bool,
    /// O: should override an existing cache entry.
    pub override_: bool,
}

impl NaFlags {
    fn from_byte(b: u8) -> NaFlags {
        NaFlags {
            router: b & 0x80 != 0,
            solicited: b & 0x40 != 0,
            override_: b & 0x20 != 0,
        }
    }

    fn to_byte(self) -> u8 {
        (u8::from(self.router) << 7)
            | (u8::from(self.solicited) << 6)
            | (u8::from(self.override_) << 5)
    }
}

/// A parsed NS or NA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NdiscRepr {
    /// Neighbour Solicitation.
    NeighborSolicit {
        /// The address being asked about.
        target: Ipv6Addr,
        /// Source link-layer address option, if present.
        source_lladdr: Option<MacAddr>,
    },
    /// Neighbour Advertisement.
    NeighborAdvert {
        /// R/S/O flags.
        flags: NaFlags,
        /// The address being advertised.
        target: Ipv6Addr,
        /// Target link-layer address option, if present. Linux leaves it out
        /// of answers to a unicast NS, so the Ethernet source is the fallback.
        target_lladdr: Option<MacAddr>,
    },
}

impl NdiscRepr {
    /// Parses and validates a message carried in `ip`: hop limit 255, code 0,
    /// correct checksum, well-formed options, unicast target, and for an NA
    /// to a multicast destination, the S flag clear.
    pub fn parse<T: AsRef<[u8]>>(
        ip: &Ipv6Repr,
        p: &NdiscPacket<T>,
    ) -> Result<NdiscRepr, Malformed> {
        if ip.hop_limit != 255 {
            return Err(Malformed::InvalidNdisc("hop limit is not 255"));
        }
        if p.code() != 0 {
            return Err(Malformed::InvalidNdisc("code is not 0"));
        }
        if icmpv6_checksum(&ip.src, &ip.dst, p.as_bytes()) != 0 {
            return Err(Malformed::BadChecksum);
        }
        let target = p.target();
        if target.is_multicast() {
            return Err(Malformed::InvalidNdisc("multicast target"));
        }
        let want = if p.msg_type() == ICMPV6_NS {
            OPT_SOURCE_LLADDR
        } else {
            OPT_TARGET_LLADDR
        };
        let lladdr = find_lladdr(p.options(), want)?;
        if p.msg_type() == ICMPV6_NS {
            if ip.src.is_unspecified() && lladdr.is_some() {
                return Err(Malformed::InvalidNdisc(
                    "source link-layer option with unspecified source",
                ));
            }
            Ok(NdiscRepr::NeighborSolicit {
                target,
                source_lladdr: lladdr,
            })
        } else {
            let flags = NaFlags::from_byte(p.flags());
            if ip.dst.is_multicast() && flags.solicited {
                return Err(Malformed::InvalidNdisc(
                    "solicited advertisement to multicast",
                ));
            }
            Ok(NdiscRepr::NeighborAdvert {
                flags,
                target,
                target_lladdr: lladdr,
            })
        }
    }

    /// Length of the ICMPv6 message this emits.
    pub fn buffer_len(&self) -> usize {
        let has_opt = match self {
            NdiscRepr::NeighborSolicit { source_lladdr, .. } => source_lladdr.is_some(),
            NdiscRepr::NeighborAdvert { target_lladdr, .. } => target_lladdr.is_some(),
        };
        NDISC_FIXED_LEN + if has_opt { 8 } else { 0 }
    }

    /// Writes the message with its checksum for `src` → `dst` into the start
    /// of `buf`; returns its length, or `Truncated` if `buf` is too short.
    pub fn emit(&self, src: &Ipv6Addr, dst: &Ipv6Addr, buf: &mut [u8]) -> Result<usize, Malformed> {
        let len = self.buffer_len();
        let b = buf.get_mut(..len).ok_or(Malformed::Truncated)?;
        b.fill(0);
        let (ty, flags, target, opt) = match *self {
            NdiscRepr::NeighborSolicit {
                target,
                source_lladdr,
            } => (
                ICMPV6_NS,
                0,
                target,
                source_lladdr.map(|m| (OPT_SOURCE_LLADDR, m)),
            ),
            NdiscRepr::NeighborAdvert {
                flags,
                target,
                target_lladdr,
            } => (
                ICMPV6_NA,
                flags.to_byte(),
                target,
                target_lladdr.map(|m| (OPT_TARGET_LLADDR, m)),
            ),
        };
        b[0] = ty;
        b[4] = flags;
        b[8..24].copy_from_slice(&target.octets());
        if let Some((code, mac)) = opt {
            b[24] = code;
            b[25] = 1;
            b[26..32].copy_from_slice(&mac.0);
        }
        let c = icmpv6_checksum(src, dst, b);
        b[2..4].copy_from_slice(&c.to_be_bytes());
        Ok(len)
    }
}

/// Walks the options; returns the first link-layer address option of kind
/// `want`. Any option of length 0 or running past the end is malformed.
fn find_lladdr(mut opts: &[u8], want: u8) -> Result<Option<MacAddr>, Malformed> {
    let mut found = None;
    while !opts.is_empty() {
        let (ty, len8) = match opts {
            [ty, len8, ..] => (*ty, *len8),
            _ => return Err(Malformed::Truncated),
        };
        let len = usize::from(len8) * 8;
        if len == 0 {
            return Err(Malformed::InvalidNdisc("option of length 0"));
        }
        let opt = opts.get(..len).ok_or(Malformed::Truncated)?;
        if ty == want && found.is_none() {
            found = MacAddr::from_slice(&opt[2..]);
        }
        opts = &opts[len..];
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Ipv6Packet, NEXT_HEADER_ICMPV6};

    fn ip(src: &str, dst: &str, len: usize) -> Ipv6Repr {
        Ipv6Repr {
            src: src.parse().unwrap(),
            dst: dst.parse().unwrap(),
            next_header: NEXT_HEADER_ICMPV6,
            hop_limit: 255,
            payload_len: len as u16,
        }
    }

    #[test]
    fn na_round_trip_with_and_without_option() {
        for lladdr in [None, Some(MacAddr([2, 0, 0, 0, 0, 9]))] {
            let r = NdiscRepr::NeighborAdvert {
                flags: NaFlags {
                    router: false,
                    solicited: true,
                    override_: lladdr.is_some(),
                },
                target: "2001:db8::9".parse().unwrap(),
                target_lladdr: lladdr,
            };
            let h = ip("2001:db8::9", "2001:db8::1", r.buffer_len());
            let mut b = [0u8; 64];
            let n = r.emit(&h.src, &h.dst, &mut b).unwrap();
            assert_eq!(
                NdiscRepr::parse(&h, &NdiscPacket::new_checked(&b[..n]).unwrap()).unwrap(),
                r
            );
        }
    }

    #[test]
    fn rejects_bad_checksum_hop_limit_and_options() {
        let r = NdiscRepr::NeighborSolicit {
            target: "fe80::2".parse().unwrap(),
            source_lladdr: Some(MacAddr([2, 0, 0, 0, 0, 1])),
        };
        let h = ip("fe80::1", "fe80::2", r.buffer_len());
        let mut b = [0u8; 32];
        r.emit(&h.src, &h.dst, &mut b).unwrap();
        let mut bad = b;
        bad[3] ^= 1;
        assert_eq!(
            NdiscRepr::parse(&h, &NdiscPacket::new_checked(&bad[..]).unwrap()),
            Err(Malformed::BadChecksum)
        );
        let low = Ipv6Repr { hop_limit: 64, ..h };
        assert!(matches!(
            NdiscRepr::parse(&low, &NdiscPacket::new_checked(&b[..]).unwrap()),
            Err(Malformed::InvalidNdisc(_))
        ));
        // option length 0, with a fixed-up checksum so only the option is wrong
        let mut zero = b;
        zero[25] = 0;
        zero[2..4].copy_from_slice(&[0, 0]);
        let c = icmpv6_checksum(&h.src, &h.dst, &zero);
        zero[2..4].copy_from_slice(&c.to_be_bytes());
        assert!(matches!(
            NdiscRepr::parse(&h, &NdiscPacket::new_checked(&zero[..]).unwrap()),
            Err(Malformed::InvalidNdisc(_))
        ));
    }

    #[test]
    fn not_ndisc() {
        assert_eq!(
            NdiscPacket::new_checked(&[128u8; 24][..]).unwrap_err(),
            Malformed::NotNeighborDiscovery(128)
        );
        assert_eq!(
            NdiscPacket::new_checked(&[136u8; 23][..]).unwrap_err(),
            Malformed::Truncated
        );
        let _ = Ipv6Packet::new_checked(&[0u8; 0][..]).unwrap_err();
    }
}
