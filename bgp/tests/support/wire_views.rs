//! Helpers of the fixture tests that look at messages from outside our
//! codec: FRR-style normalisation of a peer's UPDATE bytes, and what tshark
//! printed for a fixture.

use bgp::wire::*;

use super::dir;

/// Rewrites an UPDATE into FRR's attribute order and length form: MP
/// attributes first, the rest by type code; AS_PATH, AS4_PATH and non-empty
/// MP attributes with a 2-byte length, everything else with a 1-byte one
/// when it fits.
pub fn normalize_update(msg: &[u8]) -> Vec<u8> {
    let wlen = usize::from(u16::from_be_bytes([msg[19], msg[20]]));
    let a0 = 21 + wlen;
    let alen = usize::from(u16::from_be_bytes([msg[a0], msg[a0 + 1]]));
    let (attrs, nlri) = msg[a0 + 2..].split_at(alen);
    let mut list = Vec::new();
    let mut p = 0;
    while p < attrs.len() {
        let (flags, code) = (attrs[p], attrs[p + 1]);
        let (len, head) = if flags & 0x10 != 0 {
            (
                usize::from(u16::from_be_bytes([attrs[p + 2], attrs[p + 3]])),
                4,
            )
        } else {
            (usize::from(attrs[p + 2]), 3)
        };
        list.push((
            flags & !0x10,
            code,
            attrs[p + head..p + head + len].to_vec(),
        ));
        p += head + len;
    }
    list.sort_by_key(|(_, code, _)| match code {
        14 => 0,
        15 => 1,
        c => u16::from(*c) + 2,
    });
    let mut out = msg[..a0].to_vec();
    let mut body = Vec::new();
    for (flags, code, v) in list {
        let ext = v.len() > 255 || matches!(code, 2 | 17 | 14) || (code == 15 && v.len() > 3);
        body.push(if ext { flags | 0x10 } else { flags });
        body.push(code);
        if ext {
            body.extend_from_slice(&(v.len() as u16).to_be_bytes());
        } else {
            body.push(v.len() as u8);
        }
        body.extend_from_slice(&v);
    }
    out.extend_from_slice(&(body.len() as u16).to_be_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(nlri);
    let len = out.len() as u16;
    out[16..18].copy_from_slice(&len.to_be_bytes());
    out
}

/// What tshark printed for a fixture.
pub fn tshark(file: &str) -> String {
    let path = dir().join(file.replace(".bin", ".tshark.txt"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every prefix tshark lists (NLRI, withdrawn, MP reach and unreach), as
/// "prefix" or "prefix PathId N", sorted.
pub fn tshark_prefixes(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| {
            let first = l.split(' ').next().unwrap_or("");
            first.contains('/')
                && first
                    .split('/')
                    .next()
                    .unwrap()
                    .parse::<std::net::IpAddr>()
                    .is_ok()
        })
        .map(|l| l.to_string())
        .collect();
    v.sort();
    v
}

pub fn our_prefixes(u: &Update) -> Vec<String> {
    let all = u
        .withdrawn
        .iter()
        .chain(&u.nlri)
        .chain(u.mp_reach.iter().flat_map(|m| &m.nlri))
        .chain(u.mp_unreach.iter().flat_map(|m| &m.withdrawn));
    let mut v: Vec<String> = all
        .map(|n| match n.path_id {
            Some(id) => format!("{} PathId {id}", n.prefix),
            None => n.prefix.to_string(),
        })
        .collect();
    v.sort();
    v
}

/// Type codes of the attributes tshark saw, in wire order.
pub fn tshark_attr_codes(text: &str) -> Vec<u8> {
    let mut v: Vec<u8> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Type Code: "))
        .filter_map(|l| l.rsplit_once('(')?.1.strip_suffix(')')?.parse().ok())
        .collect();
    v.sort();
    v
}

pub fn our_attr_codes(u: &Update) -> Vec<u8> {
    let a = &u.attributes;
    let mut v = Vec::new();
    let mut add = |present: bool, c: u8| {
        if present {
            v.push(c)
        }
    };
    add(a.origin.is_some(), 1);
    add(a.as_path.is_some(), 2);
    add(a.next_hop.is_some(), 3);
    add(a.med.is_some(), 4);
    add(a.local_pref.is_some(), 5);
    add(a.atomic_aggregate, 6);
    add(a.aggregator.is_some(), 7);
    add(!a.communities.is_empty(), 8);
    add(a.originator_id.is_some(), 9);
    add(!a.cluster_list.is_empty(), 10);
    add(u.mp_reach.is_some(), 14);
    add(u.mp_unreach.is_some(), 15);
    add(!a.ext_communities.is_empty(), 16);
    add(a.as4_path.is_some(), 17);
    add(a.as4_aggregator.is_some(), 18);
    add(!a.large_communities.is_empty(), 32);
    v.extend(a.other.iter().map(|o| o.code));
    v.sort();
    v
}

/// Capability codes tshark saw in an OPEN, in wire order.
pub fn tshark_capability_codes(text: &str) -> Vec<u8> {
    text.lines()
        .filter(|l| l.starts_with("                Type: "))
        .filter_map(|l| l.trim().rsplit_once('(')?.1.strip_suffix(')')?.parse().ok())
        .collect()
}
