//! MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760) for IPv4 and IPv6 unicast,
//! including IPv4 NLRI with an IPv6 next hop (RFC 8950) and both IPv6 next
//! hop forms: 16 bytes (global) and 32 bytes (global + link-local, RFC 2545).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::wire::nlri::{decode_nlri, encode_nlri};
use crate::wire::prefix::Nlri;
use crate::wire::{Family, WireContext};

/// A route's next hop as carried in NEXT_HOP or MP_REACH_NLRI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NextHop {
    /// An IPv4 address (NEXT_HOP, or a 4-byte MP_REACH next hop).
    V4(Ipv4Addr),
    /// An IPv6 next hop: the global address and, in the 32-byte form, the
    /// link-local one. Unnumbered peers put their link-local address in the
    /// global field too.
    V6 {
        /// The global (first) address.
        global: Ipv6Addr,
        /// The link-local (second) address, when 32 bytes were sent.
        link_local: Option<Ipv6Addr>,
    },
}

impl NextHop {
    /// The address to forward to: the link-local one when present (it is
    /// the on-link address of the peer), else the global one.
    pub fn forwarding_addr(&self) -> IpAddr {
        match *self {
            NextHop::V4(a) => IpAddr::V4(a),
            NextHop::V6 {
                link_local: Some(ll),
                ..
            } => IpAddr::V6(ll),
            NextHop::V6 { global, .. } => IpAddr::V6(global),
        }
    }

    /// Encoded length in MP_REACH_NLRI.
    pub fn encoded_len(&self) -> usize {
        match self {
            NextHop::V4(_) => 4,
            NextHop::V6 {
                link_local: None, ..
            } => 16,
            NextHop::V6 { .. } => 32,
        }
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        match self {
            NextHop::V4(a) => out.extend_from_slice(&a.octets()),
            NextHop::V6 { global, link_local } => {
                out.extend_from_slice(&global.octets());
                if let Some(ll) = link_local {
                    out.extend_from_slice(&ll.octets());
                }
            }
        }
    }

    fn decode(family: Family, v: &[u8]) -> Option<NextHop> {
        let v6 = |b: &[u8]| Ipv6Addr::from(<[u8; 16]>::try_from(b).expect("slice of 16"));
        match (family, v.len()) {
            (Family::IPV4_UNICAST, 4) => Some(NextHop::V4(Ipv4Addr::new(v[0], v[1], v[2], v[3]))),
            (_, 16) => Some(NextHop::V6 {
                global: v6(v),
                link_local: None,
            }),
            (_, 32) => Some(NextHop::V6 {
                global: v6(&v[..16]),
                link_local: Some(v6(&v[16..])),
            }),
            _ => None,
        }
    }
}

impl fmt::Display for NextHop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NextHop::V4(a) => a.fmt(f),
            NextHop::V6 {
                global,
                link_local: None,
            } => global.fmt(f),
            NextHop::V6 {
                global,
                link_local: Some(ll),
            } => write!(f, "{global} ({ll})"),
        }
    }
}

/// MP_REACH_NLRI: reachable NLRI of one family with their next hop.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MpReach {
    /// The family of the NLRI.
    pub family: Family,
    /// The next hop.
    pub next_hop: NextHop,
    /// The announced NLRI.
    pub nlri: Vec<Nlri>,
}

/// MP_UNREACH_NLRI: withdrawn NLRI of one family; with no NLRI it is the
/// End-of-RIB marker of that family (RFC 4724 §2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MpUnreach {
    /// The family of the NLRI.
    pub family: Family,
    /// The withdrawn NLRI.
    pub withdrawn: Vec<Nlri>,
}

/// What decoding an MP attribute can run into, short of success.
#[derive(Debug)]
pub(crate) enum MpError {
    /// The attribute is malformed (RFC 7606 §7.11: session reset).
    Malformed(String),
    /// A family this codec does not handle; the attribute is ignored.
    Unsupported(Family),
}

fn header(v: &[u8]) -> Result<Family, MpError> {
    if v.len() < 3 {
        return Err(MpError::Malformed("shorter than AFI and SAFI".into()));
    }
    let family = Family::new(u16::from_be_bytes([v[0], v[1]]), v[2]);
    if !family.is_supported() {
        return Err(MpError::Unsupported(family));
    }
    Ok(family)
}

impl MpReach {
    pub(crate) fn decode(v: &[u8], ctx: &WireContext) -> Result<MpReach, MpError> {
        let family = header(v)?;
        let Some(&nh_len) = v.get(3) else {
            return Err(MpError::Malformed("next hop length missing".into()));
        };
        let nh_end = 4 + usize::from(nh_len);
        let Some(nh) = v.get(4..nh_end) else {
            return Err(MpError::Malformed(format!(
                "next hop of {nh_len} bytes runs past the attribute"
            )));
        };
        let next_hop = NextHop::decode(family, nh).ok_or_else(|| {
            MpError::Malformed(format!(
                "a {nh_len}-byte next hop is not valid for {family}"
            ))
        })?;
        // One reserved byte (formerly the SNPA count), ignored on receipt.
        let Some(nlri_bytes) = v.get(nh_end + 1..) else {
            return Err(MpError::Malformed("reserved byte missing".into()));
        };
        let mut nlri = Vec::new();
        decode_nlri(
            nlri_bytes,
            family,
            ctx.add_path.for_family(family),
            &mut nlri,
        )
        .map_err(|e| MpError::Malformed(format!("NLRI: {e}")))?;
        Ok(MpReach {
            family,
            next_hop,
            nlri,
        })
    }

    /// Appends the attribute value.
    pub(crate) fn encode_value(&self, ctx: &WireContext, out: &mut Vec<u8>) {
        encode_reach_head(self.family, &self.next_hop, out);
        let ap = ctx.add_path.for_family(self.family);
        for n in &self.nlri {
            encode_nlri(n, ap, out);
        }
    }
}

/// Appends AFI, SAFI, next hop and the reserved byte.
pub(crate) fn encode_reach_head(family: Family, next_hop: &NextHop, out: &mut Vec<u8>) {
    out.extend_from_slice(&family.afi.to_be_bytes());
    out.push(family.safi);
    out.push(next_hop.encoded_len() as u8);
    next_hop.encode(out);
    out.push(0);
}

/// Appends AFI and SAFI of an MP_UNREACH_NLRI value.
pub(crate) fn encode_unreach_head(family: Family, out: &mut Vec<u8>) {
    out.extend_from_slice(&family.afi.to_be_bytes());
    out.push(family.safi);
}

impl MpUnreach {
    pub(crate) fn decode(v: &[u8], ctx: &WireContext) -> Result<MpUnreach, MpError> {
        let family = header(v)?;
        let mut withdrawn = Vec::new();
        decode_nlri(
            &v[3..],
            family,
            ctx.add_path.for_family(family),
            &mut withdrawn,
        )
        .map_err(|e| MpError::Malformed(format!("NLRI: {e}")))?;
        Ok(MpUnreach { family, withdrawn })
    }

    /// Appends the attribute value.
    pub(crate) fn encode_value(&self, ctx: &WireContext, out: &mut Vec<u8>) {
        encode_unreach_head(self.family, out);
        let ap = ctx.add_path.for_family(self.family);
        for n in &self.withdrawn {
            encode_nlri(n, ap, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_over_ipv6_link_local() {
        let ll: Ipv6Addr = "fe80::4638:39ff:fe00:53".parse().unwrap();
        let reach = MpReach {
            family: Family::IPV4_UNICAST,
            next_hop: NextHop::V6 {
                global: ll,
                link_local: Some(ll),
            },
            nlri: vec![Nlri::new(
                "172.16.1.11/32".parse::<crate::wire::Prefix>().unwrap(),
            )],
        };
        let ctx = WireContext::modern();
        let mut v = Vec::new();
        reach.encode_value(&ctx, &mut v);
        assert_eq!(v[3], 32);
        assert_eq!(MpReach::decode(&v, &ctx).unwrap(), reach);
        assert_eq!(reach.next_hop.forwarding_addr(), IpAddr::V6(ll));
    }

    #[test]
    fn bad_next_hop_lengths() {
        let ctx = WireContext::modern();
        // IPv6 unicast with a 4-byte next hop.
        let v = [0, 2, 1, 4, 10, 0, 0, 1, 0];
        assert!(matches!(
            MpReach::decode(&v, &ctx),
            Err(MpError::Malformed(_))
        ));
        // Next hop length past the end.
        let v = [0, 1, 1, 16, 0, 0];
        assert!(matches!(
            MpReach::decode(&v, &ctx),
            Err(MpError::Malformed(_))
        ));
        // L2VPN EVPN: not ours, ignored.
        let v = [0, 25, 70, 4, 10, 0, 0, 1, 0];
        assert!(matches!(
            MpReach::decode(&v, &ctx),
            Err(MpError::Unsupported(_))
        ));
    }
}
