//! Path attributes (RFC 4271 §4.3 and §5): the typed set, the decode loop
//! that applies RFC 7606 error handling attribute by attribute, and the
//! canonical encoder.
//!
//! Canonical encoding, used for every message we send, is FRR's, so that
//! what we send looks on the wire like what the spines already exchange:
//! MP_REACH_NLRI and MP_UNREACH_NLRI first (RFC 7606 §5.1) with the
//! extended-length flag, except the empty MP_UNREACH_NLRI of an End-of-RIB
//! marker (FRR, BIRD and GoBGP all send that one short); then the other
//! attributes in ascending type code, AS_PATH and AS4_PATH always with the
//! extended-length flag, the rest only when the value exceeds 255 bytes.

pub mod aspath;
pub mod community;
pub mod mp;

use std::net::Ipv4Addr;

use self::aspath::AsPath;
use self::community::{Community, ExtCommunity, LargeCommunity};
use self::mp::{MpError, MpReach, MpUnreach};
use super::error::{code, DecodeError, ErrorAction};
use super::WireContext;

/// Attribute flag bits.
pub mod flag {
    /// Optional (else well-known).
    pub const OPTIONAL: u8 = 0x80;
    /// Transitive.
    pub const TRANSITIVE: u8 = 0x40;
    /// Partial: an optional transitive attribute passed on unrecognised.
    pub const PARTIAL: u8 = 0x20;
    /// The length field is two bytes.
    pub const EXTENDED_LENGTH: u8 = 0x10;
}

/// Attribute type codes.
pub mod attr_code {
    /// ORIGIN.
    pub const ORIGIN: u8 = 1;
    /// AS_PATH.
    pub const AS_PATH: u8 = 2;
    /// NEXT_HOP.
    pub const NEXT_HOP: u8 = 3;
    /// MULTI_EXIT_DISC.
    pub const MED: u8 = 4;
    /// LOCAL_PREF.
    pub const LOCAL_PREF: u8 = 5;
    /// ATOMIC_AGGREGATE.
    pub const ATOMIC_AGGREGATE: u8 = 6;
    /// AGGREGATOR.
    pub const AGGREGATOR: u8 = 7;
    /// COMMUNITIES.
    pub const COMMUNITIES: u8 = 8;
    /// ORIGINATOR_ID (RFC 4456).
    pub const ORIGINATOR_ID: u8 = 9;
    /// CLUSTER_LIST (RFC 4456).
    pub const CLUSTER_LIST: u8 = 10;
    /// MP_REACH_NLRI.
    pub const MP_REACH_NLRI: u8 = 14;
    /// MP_UNREACH_NLRI.
    pub const MP_UNREACH_NLRI: u8 = 15;
    /// EXTENDED_COMMUNITIES.
    pub const EXTENDED_COMMUNITIES: u8 = 16;
    /// AS4_PATH.
    pub const AS4_PATH: u8 = 17;
    /// AS4_AGGREGATOR.
    pub const AS4_AGGREGATOR: u8 = 18;
    /// LARGE_COMMUNITY.
    pub const LARGE_COMMUNITY: u8 = 32;
}

/// The name of an attribute type, for messages.
pub fn attr_name(c: u8) -> &'static str {
    use attr_code::*;
    match c {
        ORIGIN => "ORIGIN",
        AS_PATH => "AS_PATH",
        NEXT_HOP => "NEXT_HOP",
        MED => "MULTI_EXIT_DISC",
        LOCAL_PREF => "LOCAL_PREF",
        ATOMIC_AGGREGATE => "ATOMIC_AGGREGATE",
        AGGREGATOR => "AGGREGATOR",
        COMMUNITIES => "COMMUNITIES",
        ORIGINATOR_ID => "ORIGINATOR_ID",
        CLUSTER_LIST => "CLUSTER_LIST",
        MP_REACH_NLRI => "MP_REACH_NLRI",
        MP_UNREACH_NLRI => "MP_UNREACH_NLRI",
        EXTENDED_COMMUNITIES => "EXTENDED_COMMUNITIES",
        AS4_PATH => "AS4_PATH",
        AS4_AGGREGATOR => "AS4_AGGREGATOR",
        LARGE_COMMUNITY => "LARGE_COMMUNITY",
        _ => "unknown attribute",
    }
}

/// The optional/transitive bits each known attribute must carry.
fn expected_flags(c: u8) -> Option<u8> {
    use attr_code::*;
    use flag::*;
    Some(match c {
        ORIGIN | AS_PATH | NEXT_HOP | LOCAL_PREF | ATOMIC_AGGREGATE => TRANSITIVE,
        MED | ORIGINATOR_ID | CLUSTER_LIST | MP_REACH_NLRI | MP_UNREACH_NLRI => OPTIONAL,
        AGGREGATOR | COMMUNITIES | EXTENDED_COMMUNITIES | AS4_PATH | AS4_AGGREGATOR
        | LARGE_COMMUNITY => OPTIONAL | TRANSITIVE,
        _ => return None,
    })
}

/// ORIGIN values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// Learned by an interior protocol (0).
    #[default]
    Igp,
    /// Learned by EGP (1).
    Egp,
    /// Learned some other way (2).
    Incomplete,
}

/// AGGREGATOR and AS4_AGGREGATOR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Aggregator {
    /// The aggregating AS.
    pub asn: u32,
    /// The aggregating speaker's identifier.
    pub address: Ipv4Addr,
}

/// An attribute this codec does not interpret, passed on verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RawAttribute {
    /// Flags as received, with PARTIAL set when kept (RFC 4271 §5).
    pub flags: u8,
    /// Type code.
    pub code: u8,
    /// Value.
    pub value: Vec<u8>,
}

/// The path attributes of an UPDATE other than MP_REACH_NLRI and
/// MP_UNREACH_NLRI (which the [`super::Update`] holds, since they carry NLRI).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PathAttributes {
    /// ORIGIN.
    pub origin: Option<Origin>,
    /// AS_PATH, as received (2-octet sessions: see [`Self::effective_as_path`]).
    pub as_path: Option<AsPath>,
    /// NEXT_HOP (IPv4 NLRI outside MP_REACH_NLRI).
    pub next_hop: Option<Ipv4Addr>,
    /// MULTI_EXIT_DISC.
    pub med: Option<u32>,
    /// LOCAL_PREF.
    pub local_pref: Option<u32>,
    /// ATOMIC_AGGREGATE.
    pub atomic_aggregate: bool,
    /// AGGREGATOR.
    pub aggregator: Option<Aggregator>,
    /// COMMUNITIES, in received order (empty: absent).
    pub communities: Vec<Community>,
    /// ORIGINATOR_ID.
    pub originator_id: Option<Ipv4Addr>,
    /// CLUSTER_LIST (empty: absent).
    pub cluster_list: Vec<Ipv4Addr>,
    /// EXTENDED_COMMUNITIES (empty: absent).
    pub ext_communities: Vec<ExtCommunity>,
    /// AS4_PATH (only on 2-octet sessions).
    pub as4_path: Option<AsPath>,
    /// AS4_AGGREGATOR (only on 2-octet sessions).
    pub as4_aggregator: Option<Aggregator>,
    /// LARGE_COMMUNITY (empty: absent).
    pub large_communities: Vec<LargeCommunity>,
    /// Unrecognised optional transitive attributes; decoding sorts them by
    /// type code, as they are encoded.
    pub other: Vec<RawAttribute>,
}

impl PathAttributes {
    /// The AS path with RFC 6793 AS4_PATH reconstruction applied.
    pub fn effective_as_path(&self) -> Option<AsPath> {
        match (&self.as_path, &self.as4_path) {
            (Some(p), Some(p4)) => Some(AsPath::merge_as4(p, p4)),
            (p, _) => p.clone(),
        }
    }
}

/// The attributes of one UPDATE, split as the message needs them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecodedAttributes {
    /// Everything but the MP attributes.
    pub attributes: PathAttributes,
    /// MP_REACH_NLRI of a supported family.
    pub mp_reach: Option<MpReach>,
    /// MP_UNREACH_NLRI of a supported family.
    pub mp_unreach: Option<MpUnreach>,
    /// Treat-as-withdraw and attribute-discard errors met on the way.
    pub errors: Vec<DecodeError>,
    /// Which type codes were present (for the mandatory-attribute check).
    pub(crate) present: TypeSet,
}

/// A set of attribute type codes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TypeSet([u64; 4]);

impl TypeSet {
    /// Adds `c`; returns whether it was already there.
    fn insert(&mut self, c: u8) -> bool {
        let (w, b) = (usize::from(c / 64), c % 64);
        let had = self.0[w] & (1 << b) != 0;
        self.0[w] |= 1 << b;
        had
    }

    pub(crate) fn contains(&self, c: u8) -> bool {
        self.0[usize::from(c / 64)] & (1 << (c % 64)) != 0
    }
}

fn be32(v: &[u8]) -> u32 {
    u32::from_be_bytes([v[0], v[1], v[2], v[3]])
}

fn ipv4(v: &[u8]) -> Ipv4Addr {
    Ipv4Addr::new(v[0], v[1], v[2], v[3])
}

/// Decodes the path attributes field of an UPDATE.
///
/// `Err` is a session reset. Lesser errors (treat-as-withdraw, attribute
/// discard) are collected in [`DecodedAttributes::errors`] and decoding goes
/// on, so that the NLRI can still be located and withdrawn.
pub fn decode_attributes(buf: &[u8], ctx: &WireContext) -> Result<DecodedAttributes, DecodeError> {
    let mut d = DecodedAttributes::default();
    let mut pos = 0;
    while pos < buf.len() {
        let rest = &buf[pos..];
        let ext = rest[0] & flag::EXTENDED_LENGTH != 0;
        let head = if ext { 4 } else { 3 };
        if rest.len() < head {
            // RFC 7606 §4: too few bytes for an attribute header.
            d.errors.push(DecodeError::withdraw(
                code::update::MALFORMED_ATTRIBUTE_LIST,
                vec![],
                format!(
                    "UPDATE: {} stray bytes at the end of the path attributes",
                    rest.len()
                ),
            ));
            break;
        }
        let (flags, c) = (rest[0], rest[1]);
        let len = if ext {
            usize::from(u16::from_be_bytes([rest[2], rest[3]]))
        } else {
            usize::from(rest[2])
        };
        let Some(value) = rest.get(head..head + len) else {
            // RFC 7606 §4: the attribute overruns the total attribute length.
            d.errors.push(DecodeError::withdraw(
                code::update::ATTRIBUTE_LENGTH_ERROR,
                rest.to_vec(),
                format!(
                    "UPDATE: {} ({c}) of {len} bytes runs past the path attributes ({} bytes left)",
                    attr_name(c),
                    rest.len() - head
                ),
            ));
            break;
        };
        let raw = &rest[..head + len];
        pos += head + len;
        decode_one(&mut d, flags, c, value, raw, ctx)?;
    }
    // Canonical order, as the encoder writes them (codes are unique: later
    // copies were discarded).
    d.attributes.other.sort_by_key(|o| o.code);
    Ok(d)
}

fn decode_one(
    d: &mut DecodedAttributes,
    flags: u8,
    c: u8,
    v: &[u8],
    raw: &[u8],
    ctx: &WireContext,
) -> Result<(), DecodeError> {
    use attr_code::*;
    let name = attr_name(c);
    if d.present.insert(c) {
        if c == MP_REACH_NLRI || c == MP_UNREACH_NLRI {
            return Err(DecodeError::reset(
                code::UPDATE_MESSAGE,
                code::update::MALFORMED_ATTRIBUTE_LIST,
                vec![],
                format!("UPDATE: {name} appears twice"),
            ));
        }
        d.errors.push(DecodeError::discard(
            code::update::MALFORMED_ATTRIBUTE_LIST,
            raw.to_vec(),
            format!("UPDATE: {name} ({c}) appears twice, the second is ignored"),
        ));
        return Ok(());
    }
    let Some(expected) = expected_flags(c) else {
        return unknown(d, flags, c, v, raw);
    };
    let flags_ok = flags & (flag::OPTIONAL | flag::TRANSITIVE) == expected;
    let withdraw = |sub: u8, why: String| {
        DecodeError::withdraw(sub, raw.to_vec(), format!("UPDATE: {name} {why}"))
    };
    let discard = |why: String| {
        DecodeError::discard(
            code::update::ATTRIBUTE_LENGTH_ERROR,
            raw.to_vec(),
            format!("UPDATE: {name} {why}, attribute ignored"),
        )
    };
    let len_err = |want: &str| {
        withdraw(
            code::update::ATTRIBUTE_LENGTH_ERROR,
            format!("has length {}, expected {want}", v.len()),
        )
    };
    if !flags_ok && c != MP_REACH_NLRI && c != MP_UNREACH_NLRI {
        d.errors.push(withdraw(
            code::update::ATTRIBUTE_FLAGS_ERROR,
            format!("has flags {flags:#04x}, expected optional/transitive bits {expected:#04x}"),
        ));
        return Ok(());
    }
    let a = &mut d.attributes;
    let err = match c {
        ORIGIN => match v {
            [0] => (a.origin = Some(Origin::Igp), None).1,
            [1] => (a.origin = Some(Origin::Egp), None).1,
            [2] => (a.origin = Some(Origin::Incomplete), None).1,
            [x] => Some(withdraw(
                code::update::INVALID_ORIGIN,
                format!("has undefined value {x}"),
            )),
            _ => Some(len_err("1")),
        },
        AS_PATH => {
            let width = if ctx.four_octet_as { 4 } else { 2 };
            match AsPath::decode(v, width) {
                Ok(p) => (a.as_path = Some(p), None).1,
                Err(e) => Some(withdraw(
                    code::update::MALFORMED_AS_PATH,
                    format!("is malformed: {}", e.0),
                )),
            }
        }
        NEXT_HOP | MED | LOCAL_PREF | ORIGINATOR_ID => {
            if v.len() != 4 {
                Some(len_err("4"))
            } else {
                match c {
                    NEXT_HOP => a.next_hop = Some(ipv4(v)),
                    MED => a.med = Some(be32(v)),
                    LOCAL_PREF => a.local_pref = Some(be32(v)),
                    _ => a.originator_id = Some(ipv4(v)),
                }
                None
            }
        }
        ATOMIC_AGGREGATE => {
            if v.is_empty() {
                a.atomic_aggregate = true;
                None
            } else {
                Some(discard(format!("has length {}, expected 0", v.len())))
            }
        }
        AGGREGATOR | AS4_AGGREGATOR => {
            let four = c == AS4_AGGREGATOR || ctx.four_octet_as;
            if c == AS4_AGGREGATOR && ctx.four_octet_as {
                Some(discard("received on a 4-octet AS session".into()))
            } else if v.len() != if four { 8 } else { 6 } {
                Some(discard(format!(
                    "has length {}, expected {}",
                    v.len(),
                    if four { 8 } else { 6 }
                )))
            } else {
                let agg = if four {
                    Aggregator {
                        asn: be32(v),
                        address: ipv4(&v[4..]),
                    }
                } else {
                    Aggregator {
                        asn: u32::from(u16::from_be_bytes([v[0], v[1]])),
                        address: ipv4(&v[2..]),
                    }
                };
                if c == AGGREGATOR {
                    a.aggregator = Some(agg);
                } else {
                    a.as4_aggregator = Some(agg);
                }
                None
            }
        }
        COMMUNITIES | CLUSTER_LIST => {
            if v.is_empty() || v.len() % 4 != 0 {
                Some(len_err("a non-zero multiple of 4"))
            } else {
                if c == COMMUNITIES {
                    a.communities = v.chunks_exact(4).map(|x| Community(be32(x))).collect();
                } else {
                    a.cluster_list = v.chunks_exact(4).map(ipv4).collect();
                }
                None
            }
        }
        EXTENDED_COMMUNITIES => {
            if v.is_empty() || v.len() % 8 != 0 {
                Some(len_err("a non-zero multiple of 8"))
            } else {
                a.ext_communities = v
                    .chunks_exact(8)
                    .map(|x| ExtCommunity(x.try_into().expect("chunk of 8")))
                    .collect();
                None
            }
        }
        LARGE_COMMUNITY => {
            if v.is_empty() || v.len() % 12 != 0 {
                Some(len_err("a non-zero multiple of 12"))
            } else {
                a.large_communities = v
                    .chunks_exact(12)
                    .map(|x| LargeCommunity {
                        global: be32(x),
                        local1: be32(&x[4..]),
                        local2: be32(&x[8..]),
                    })
                    .collect();
                None
            }
        }
        AS4_PATH => {
            if ctx.four_octet_as {
                Some(discard("received on a 4-octet AS session".into()))
            } else {
                match AsPath::decode(v, 4) {
                    Ok(p)
                        if p.segments.iter().any(|s| {
                            matches!(
                                s.kind,
                                aspath::SegmentType::ConfedSequence
                                    | aspath::SegmentType::ConfedSet
                            )
                        }) =>
                    {
                        Some(discard("carries confederation segments".into()))
                    }
                    Ok(p) => (a.as4_path = Some(p), None).1,
                    Err(e) => Some(discard(format!("is malformed: {}", e.0))),
                }
            }
        }
        MP_REACH_NLRI | MP_UNREACH_NLRI => {
            let r = if c == MP_REACH_NLRI {
                MpReach::decode(v, ctx).map(|m| d.mp_reach = Some(m))
            } else {
                MpUnreach::decode(v, ctx).map(|m| d.mp_unreach = Some(m))
            };
            match r {
                Ok(()) if flags_ok => None,
                Ok(()) => Some(withdraw(
                    code::update::ATTRIBUTE_FLAGS_ERROR,
                    format!(
                        "has flags {flags:#04x}, expected optional/transitive bits {expected:#04x}"
                    ),
                )),
                Err(MpError::Unsupported(f)) => Some(DecodeError::discard(
                    code::update::OPTIONAL_ATTRIBUTE_ERROR,
                    vec![],
                    format!("UPDATE: {name} for {f}, a family not negotiated, ignored"),
                )),
                Err(MpError::Malformed(why)) => {
                    return Err(DecodeError::reset(
                        code::UPDATE_MESSAGE,
                        code::update::OPTIONAL_ATTRIBUTE_ERROR,
                        raw.to_vec(),
                        format!("UPDATE: {name} is malformed: {why}"),
                    ))
                }
            }
        }
        _ => unreachable!("expected_flags covers exactly the codes matched here"),
    };
    d.errors.extend(err);
    Ok(())
}

fn unknown(
    d: &mut DecodedAttributes,
    flags: u8,
    c: u8,
    v: &[u8],
    raw: &[u8],
) -> Result<(), DecodeError> {
    if flags & flag::OPTIONAL == 0 {
        return Err(DecodeError::reset(
            code::UPDATE_MESSAGE,
            code::update::UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE,
            raw.to_vec(),
            format!("UPDATE: unrecognised well-known attribute type {c}"),
        ));
    }
    if flags & flag::TRANSITIVE != 0 {
        d.attributes.other.push(RawAttribute {
            flags: (flags | flag::PARTIAL) & !flag::EXTENDED_LENGTH,
            code: c,
            value: v.to_vec(),
        });
    }
    // Unrecognised optional non-transitive attributes are quietly ignored
    // (RFC 4271 §5).
    Ok(())
}

/// Appends one attribute: flags, code, length (extended only when the value
/// needs it, or always when `force_extended`) and the value that `value`
/// writes.
pub(crate) fn put_attr(
    out: &mut Vec<u8>,
    flags: u8,
    c: u8,
    force_extended: bool,
    value: impl FnOnce(&mut Vec<u8>),
) {
    let start = out.len();
    out.push(flags & !flag::EXTENDED_LENGTH);
    out.push(c);
    out.push(0);
    if force_extended {
        out.push(0);
    }
    let value_start = out.len();
    value(out);
    let len = out.len() - value_start;
    if force_extended || len > 255 {
        if !force_extended {
            out.insert(value_start, 0);
        }
        out[start] |= flag::EXTENDED_LENGTH;
        let l = (len.min(usize::from(u16::MAX)) as u16).to_be_bytes();
        out[start + 2] = l[0];
        out[start + 3] = l[1];
    } else {
        out[start + 2] = len as u8;
    }
}

impl PathAttributes {
    /// Appends every present attribute in ascending type code (the MP
    /// attributes are the caller's, written before these).
    pub fn encode(&self, ctx: &WireContext, out: &mut Vec<u8>) {
        use attr_code::*;
        use flag::*;
        let mut sorted: Vec<&RawAttribute> = self.other.iter().collect();
        sorted.sort_by_key(|o| o.code);
        let mut others = sorted.into_iter().peekable();
        let mut flush_below = |code_: u8, out: &mut Vec<u8>| {
            while let Some(o) = others.next_if(|o| o.code < code_) {
                put_attr(out, o.flags, o.code, false, |b| {
                    b.extend_from_slice(&o.value)
                });
            }
        };
        let width = if ctx.four_octet_as { 4 } else { 2 };
        flush_below(ORIGIN, out);
        if let Some(o) = self.origin {
            put_attr(out, TRANSITIVE, ORIGIN, false, |b| b.push(o as u8));
        }
        flush_below(AS_PATH, out);
        if let Some(p) = &self.as_path {
            put_attr(out, TRANSITIVE, AS_PATH, true, |b| p.encode(width, b));
        }
        flush_below(NEXT_HOP, out);
        if let Some(nh) = self.next_hop {
            put_attr(out, TRANSITIVE, NEXT_HOP, false, |b| {
                b.extend_from_slice(&nh.octets())
            });
        }
        flush_below(MED, out);
        if let Some(m) = self.med {
            put_attr(out, OPTIONAL, MED, false, |b| {
                b.extend_from_slice(&m.to_be_bytes())
            });
        }
        flush_below(LOCAL_PREF, out);
        if let Some(lp) = self.local_pref {
            put_attr(out, TRANSITIVE, LOCAL_PREF, false, |b| {
                b.extend_from_slice(&lp.to_be_bytes())
            });
        }
        flush_below(ATOMIC_AGGREGATE, out);
        if self.atomic_aggregate {
            put_attr(out, TRANSITIVE, ATOMIC_AGGREGATE, false, |_| {});
        }
        flush_below(AGGREGATOR, out);
        if let Some(agg) = self.aggregator {
            put_attr(out, OPTIONAL | TRANSITIVE, AGGREGATOR, false, |b| {
                if width == 4 {
                    b.extend_from_slice(&agg.asn.to_be_bytes());
                } else {
                    let asn = u16::try_from(agg.asn).unwrap_or(super::open::AS_TRANS);
                    b.extend_from_slice(&asn.to_be_bytes());
                }
                b.extend_from_slice(&agg.address.octets());
            });
        }
        flush_below(COMMUNITIES, out);
        if !self.communities.is_empty() {
            put_attr(out, OPTIONAL | TRANSITIVE, COMMUNITIES, false, |b| {
                for c in &self.communities {
                    b.extend_from_slice(&c.0.to_be_bytes());
                }
            });
        }
        flush_below(ORIGINATOR_ID, out);
        if let Some(id) = self.originator_id {
            put_attr(out, OPTIONAL, ORIGINATOR_ID, false, |b| {
                b.extend_from_slice(&id.octets())
            });
        }
        flush_below(CLUSTER_LIST, out);
        if !self.cluster_list.is_empty() {
            put_attr(out, OPTIONAL, CLUSTER_LIST, false, |b| {
                for id in &self.cluster_list {
                    b.extend_from_slice(&id.octets());
                }
            });
        }
        flush_below(EXTENDED_COMMUNITIES, out);
        if !self.ext_communities.is_empty() {
            put_attr(
                out,
                OPTIONAL | TRANSITIVE,
                EXTENDED_COMMUNITIES,
                false,
                |b| {
                    for c in &self.ext_communities {
                        b.extend_from_slice(&c.0);
                    }
                },
            );
        }
        flush_below(AS4_PATH, out);
        if let Some(p) = &self.as4_path {
            put_attr(out, OPTIONAL | TRANSITIVE, AS4_PATH, true, |b| {
                p.encode(4, b)
            });
        }
        flush_below(AS4_AGGREGATOR, out);
        if let Some(agg) = self.as4_aggregator {
            put_attr(out, OPTIONAL | TRANSITIVE, AS4_AGGREGATOR, false, |b| {
                b.extend_from_slice(&agg.asn.to_be_bytes());
                b.extend_from_slice(&agg.address.octets());
            });
        }
        flush_below(LARGE_COMMUNITY, out);
        if !self.large_communities.is_empty() {
            put_attr(out, OPTIONAL | TRANSITIVE, LARGE_COMMUNITY, false, |b| {
                for c in &self.large_communities {
                    b.extend_from_slice(&c.global.to_be_bytes());
                    b.extend_from_slice(&c.local1.to_be_bytes());
                    b.extend_from_slice(&c.local2.to_be_bytes());
                }
            });
        }
        for o in others {
            put_attr(out, o.flags, o.code, false, |b| {
                b.extend_from_slice(&o.value)
            });
        }
    }
}

impl DecodedAttributes {
    /// The strongest action among the collected errors.
    pub fn worst_action(&self) -> Option<ErrorAction> {
        self.errors.iter().map(|e| e.action).min()
    }
}
