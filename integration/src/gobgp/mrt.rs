//! A minimal MRT (RFC 6396) TABLE_DUMP_V2 writer: one peer, one path per
//! prefix. `gobgp mrt inject global FILE` loads such a file into GoBGP's
//! global RIB through its streaming API, which is the fast way to give
//! GoBGP 100,000 routes (`gobgp global rib add` costs one process and one
//! RPC per route).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::error::{Error, Result};

const TABLE_DUMP_V2: u16 = 13;
const PEER_INDEX_TABLE: u16 = 1;
const RIB_IPV4_UNICAST: u16 = 2;
const RIB_IPV6_UNICAST: u16 = 4;

fn record(out: &mut Vec<u8>, subtype: u16, body: &[u8]) {
    out.extend_from_slice(&0u32.to_be_bytes()); // timestamp
    out.extend_from_slice(&TABLE_DUMP_V2.to_be_bytes());
    out.extend_from_slice(&subtype.to_be_bytes());
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(body);
}

fn attr(out: &mut Vec<u8>, flags: u8, code: u8, value: &[u8]) {
    // every attribute here is short: no extended length
    out.push(flags);
    out.push(code);
    out.push(value.len() as u8);
    out.extend_from_slice(value);
}

/// Encodes `prefixes` (`10.1.2.3/32`, `fd00::1/128`, mixed families) as an
/// MRT TABLE_DUMP_V2 file: origin IGP, empty AS path (GoBGP originates
/// them), the given next hop per family, and the standard `communities`
/// (`65000:100`) on every route.
pub fn encode(
    prefixes: &[String],
    next_hop4: Ipv4Addr,
    next_hop6: Ipv6Addr,
    communities: &[(u16, u16)],
) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(prefixes.len() * 48 + 64);
    // PEER_INDEX_TABLE: collector id, empty view name, one peer (AS4, IPv4)
    let mut peers = Vec::new();
    peers.extend_from_slice(&next_hop4.octets());
    peers.extend_from_slice(&0u16.to_be_bytes());
    peers.extend_from_slice(&1u16.to_be_bytes());
    peers.push(0x02);
    peers.extend_from_slice(&next_hop4.octets());
    peers.extend_from_slice(&next_hop4.octets());
    peers.extend_from_slice(&0u32.to_be_bytes());
    record(&mut out, PEER_INDEX_TABLE, &peers);

    let mut common = Vec::new();
    attr(&mut common, 0x40, 1, &[0]); // ORIGIN IGP
    attr(&mut common, 0x40, 2, &[]); // AS_PATH, empty
    if !communities.is_empty() {
        let v: Vec<u8> = communities
            .iter()
            .flat_map(|(a, b)| (u32::from(*a) << 16 | u32::from(*b)).to_be_bytes())
            .collect();
        attr(&mut common, 0xc0, 8, &v);
    }
    let mut nh4 = Vec::new();
    attr(&mut nh4, 0x40, 3, &next_hop4.octets());
    // RFC 6396 §4.3.4 abbreviates MP_REACH_NLRI in RIB entries to the next
    // hop, but GoBGP decodes it as a full attribute (AFI, SAFI, next hop,
    // reserved byte, NLRI) and ignores IPv6 entries in the short form
    let mut nh6 = Vec::new();

    let mut body = Vec::new();
    for (seq, p) in prefixes.iter().enumerate() {
        let (addr, len) = p
            .split_once('/')
            .and_then(|(a, l)| Some((a.parse::<IpAddr>().ok()?, l.parse::<u8>().ok()?)))
            .ok_or_else(|| Error::Invalid(format!("not a prefix: {p}")))?;
        let (bytes, max, subtype) = match addr {
            IpAddr::V4(a) => (a.octets().to_vec(), 32, RIB_IPV4_UNICAST),
            IpAddr::V6(a) => (a.octets().to_vec(), 128, RIB_IPV6_UNICAST),
        };
        if len > max {
            return Err(Error::Invalid(format!("not a prefix: {p}")));
        }
        let nlri = &bytes[..usize::from(len).div_ceil(8)];
        let nh: &[u8] = if subtype == RIB_IPV4_UNICAST {
            &nh4
        } else {
            let mut v = vec![0, 2, 1, 16]; // AFI IPv6, SAFI unicast, next hop length
            v.extend_from_slice(&next_hop6.octets());
            v.push(0); // reserved
            v.push(len);
            v.extend_from_slice(nlri);
            nh6.clear();
            attr(&mut nh6, 0x80, 14, &v);
            &nh6
        };
        body.clear();
        body.extend_from_slice(&(seq as u32).to_be_bytes());
        body.push(len);
        body.extend_from_slice(nlri);
        body.extend_from_slice(&1u16.to_be_bytes()); // one entry
        body.extend_from_slice(&0u16.to_be_bytes()); // peer index
        body.extend_from_slice(&0u32.to_be_bytes()); // originated time
        body.extend_from_slice(&((common.len() + nh.len()) as u16).to_be_bytes());
        body.extend_from_slice(&common);
        body.extend_from_slice(nh);
        record(&mut out, subtype, &body);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_one_ipv4_route() {
        let b = encode(
            &["10.0.0.0/8".into()],
            Ipv4Addr::new(1, 2, 3, 4),
            Ipv6Addr::UNSPECIFIED,
            &[],
        )
        .unwrap();
        // peer index table: 12 header + 4 + 2 + 2 + 1 + 4 + 4 + 4
        let rib = &b[12 + 21..];
        assert_eq!(&rib[4..8], &[0, 13, 0, 2]); // TABLE_DUMP_V2, RIB_IPV4_UNICAST
        let body = &rib[12..];
        assert_eq!(&body[4..6], &[8, 10]); // length 8, one byte of prefix
        assert_eq!(&body[6..8], &1u16.to_be_bytes());
        // attributes: origin (4) + empty AS path (3) + next hop (7)
        assert_eq!(&body[14..16], &14u16.to_be_bytes());
        assert_eq!(body.len(), 16 + 14);
    }
}
