//! Packing routes into UPDATE messages: prefixes that share attributes and
//! next hop are grouped, and each UPDATE carries as many as fit in the
//! session's maximum message size. Withdrawals are packed the same way and
//! written before announcements.

use std::collections::HashMap;

use super::attributes::mp::{encode_reach_head, encode_unreach_head, NextHop};
use super::attributes::{attr_code, flag, PathAttributes};
use super::error::EncodeError;
use super::header::{finish_header, msg_type, start_header, HEADER_LEN};
use super::nlri::{encode_nlri, encoded_len};
use super::prefix::Nlri;
use super::{Family, WireContext};

/// Bytes of an UPDATE before its first attribute: header, withdrawn routes
/// length, total path attribute length.
const UPDATE_OVERHEAD: usize = HEADER_LEN + 4;
/// An MP attribute header with extended length.
const MP_ATTR_HEADER: usize = 4;

/// Appends UPDATEs withdrawing `nlri` (all of one family), packed.
/// Returns the number of messages written.
pub fn pack_withdrawals(
    ctx: &WireContext,
    family: Family,
    nlri: &[Nlri],
    out: &mut Vec<u8>,
) -> Result<usize, EncodeError> {
    let add_path = ctx.add_path.for_family(family);
    let max = ctx.max_message_len();
    let mut rest = nlri;
    let mut count = 0;
    while !rest.is_empty() {
        let start = start_header(msg_type::UPDATE, out);
        if family == Family::IPV4_UNICAST {
            let wstart = out.len();
            out.extend_from_slice(&[0, 0]);
            rest = fill(rest, family, add_path, max - UPDATE_OVERHEAD, out)?;
            let wlen = (out.len() - wstart - 2) as u16;
            out[wstart..wstart + 2].copy_from_slice(&wlen.to_be_bytes());
            out.extend_from_slice(&[0, 0]);
        } else {
            out.extend_from_slice(&[0, 0]);
            let astart = out.len();
            out.extend_from_slice(&[0, 0]);
            let mp = begin_mp(out, attr_code::MP_UNREACH_NLRI);
            encode_unreach_head(family, out);
            let budget = max.saturating_sub(out.len() - start);
            rest = fill(rest, family, add_path, budget, out)?;
            end_mp(out, mp);
            patch_len(out, astart);
        }
        finish_header(start, out);
        count += 1;
    }
    Ok(count)
}

/// Appends UPDATEs announcing `nlri` (all of one family) with `attrs` and
/// `next_hop`, packed. IPv4 with an IPv4 next hop uses the native NLRI
/// field and NEXT_HOP; IPv4 with an IPv6 next hop (RFC 8950) and IPv6 use
/// MP_REACH_NLRI, without NEXT_HOP. `attrs.next_hop` is ignored.
/// Returns the number of messages written.
pub fn pack_announcements(
    ctx: &WireContext,
    attrs: &PathAttributes,
    next_hop: NextHop,
    family: Family,
    nlri: &[Nlri],
    out: &mut Vec<u8>,
) -> Result<usize, EncodeError> {
    let add_path = ctx.add_path.for_family(family);
    let max = ctx.max_message_len();
    let native = match (family, next_hop) {
        (Family::IPV4_UNICAST, NextHop::V4(_)) => true,
        (Family::IPV4_UNICAST | Family::IPV6_UNICAST, NextHop::V6 { .. }) => false,
        _ => {
            return Err(EncodeError::Invalid(format!(
                "next hop {next_hop} cannot carry {family} routes"
            )))
        }
    };
    let mut a = attrs.clone();
    a.next_hop = match next_hop {
        NextHop::V4(nh) if native => Some(nh),
        _ => None,
    };
    let mut attr_bytes = Vec::with_capacity(64);
    a.encode(ctx, &mut attr_bytes);
    let mut rest = nlri;
    let mut count = 0;
    while !rest.is_empty() {
        let start = start_header(msg_type::UPDATE, out);
        out.extend_from_slice(&[0, 0]);
        let astart = out.len();
        out.extend_from_slice(&[0, 0]);
        if native {
            out.extend_from_slice(&attr_bytes);
            patch_len(out, astart);
            let budget = max.saturating_sub(out.len() - start);
            rest = fill(rest, family, add_path, budget, out)?;
        } else {
            let mp = begin_mp(out, attr_code::MP_REACH_NLRI);
            encode_reach_head(family, &next_hop, out);
            let budget = max.saturating_sub(out.len() - start + attr_bytes.len());
            rest = fill(rest, family, add_path, budget, out)?;
            end_mp(out, mp);
            out.extend_from_slice(&attr_bytes);
            patch_len(out, astart);
        }
        finish_header(start, out);
        count += 1;
    }
    Ok(count)
}

/// Writes entries of `family` from `nlri` while they fit in `budget` bytes;
/// returns those left. Fails when not even one fits or a prefix is of
/// another family.
fn fill<'n>(
    nlri: &'n [Nlri],
    family: Family,
    add_path: bool,
    budget: usize,
    out: &mut Vec<u8>,
) -> Result<&'n [Nlri], EncodeError> {
    let mut used = 0;
    for (i, n) in nlri.iter().enumerate() {
        if n.prefix.family() != family {
            return Err(EncodeError::Invalid(format!(
                "{} is not a {family} prefix",
                n.prefix
            )));
        }
        let l = encoded_len(n, add_path);
        if used + l > budget {
            if i == 0 {
                return Err(EncodeError::TooLong {
                    what: "UPDATE with one prefix",
                    len: UPDATE_OVERHEAD + l + (budget.max(UPDATE_OVERHEAD) - budget),
                    max: budget,
                });
            }
            return Ok(&nlri[i..]);
        }
        used += l;
        encode_nlri(n, add_path, out);
    }
    Ok(&[])
}

fn begin_mp(out: &mut Vec<u8>, c: u8) -> usize {
    let at = out.len();
    out.extend_from_slice(&[flag::OPTIONAL | flag::EXTENDED_LENGTH, c, 0, 0]);
    at
}

fn end_mp(out: &mut [u8], at: usize) {
    let len = (out.len() - at - MP_ATTR_HEADER) as u16;
    out[at + 2..at + 4].copy_from_slice(&len.to_be_bytes());
}

fn patch_len(out: &mut [u8], at: usize) {
    let len = (out.len() - at - 2) as u16;
    out[at..at + 2].copy_from_slice(&len.to_be_bytes());
}

/// A set of route changes to send to one peer, grouped for packing.
///
/// ```
/// use bgp::wire::{UpdateBatch, PathAttributes, NextHop, Nlri, WireContext, Message};
/// let attrs = PathAttributes::default();
/// let mut batch = UpdateBatch::new();
/// for i in 0..1000u32 {
///     let p = std::net::Ipv4Addr::from(0x0a00_0000 + i);
///     batch.announce(&attrs, NextHop::V4("192.0.2.1".parse().unwrap()), Nlri::new(bgp::wire::Ipv4Prefix::host(p)));
/// }
/// let mut out = Vec::new();
/// let messages = batch.encode(&WireContext::modern(), &mut out).unwrap();
/// assert_eq!(messages, 2); // 1000 /32s need two 4096-byte UPDATEs
/// ```
#[derive(Debug, Default)]
pub struct UpdateBatch<'a> {
    withdrawn: HashMap<Family, Vec<Nlri>>,
    groups: Vec<Group<'a>>,
    index: HashMap<(&'a PathAttributes, NextHop, Family), usize>,
}

#[derive(Debug)]
struct Group<'a> {
    attrs: &'a PathAttributes,
    next_hop: NextHop,
    family: Family,
    nlri: Vec<Nlri>,
}

impl<'a> UpdateBatch<'a> {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a withdrawal.
    pub fn withdraw(&mut self, nlri: Nlri) {
        self.withdrawn
            .entry(nlri.prefix.family())
            .or_default()
            .push(nlri);
    }

    /// Adds an announcement; prefixes with equal attributes, next hop and
    /// family share UPDATEs.
    pub fn announce(&mut self, attrs: &'a PathAttributes, next_hop: NextHop, nlri: Nlri) {
        let family = nlri.prefix.family();
        // Callers usually announce runs with the same attributes: check the
        // last group by pointer before hashing.
        if let Some(g) = self.groups.last_mut() {
            if std::ptr::eq(g.attrs, attrs) && g.next_hop == next_hop && g.family == family {
                g.nlri.push(nlri);
                return;
            }
        }
        let idx = *self
            .index
            .entry((attrs, next_hop, family))
            .or_insert_with(|| {
                self.groups.push(Group {
                    attrs,
                    next_hop,
                    family,
                    nlri: Vec::new(),
                });
                self.groups.len() - 1
            });
        self.groups[idx].nlri.push(nlri);
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.withdrawn.values().all(Vec::is_empty)
    }

    /// Appends all UPDATEs, withdrawals first; returns how many.
    pub fn encode(&self, ctx: &WireContext, out: &mut Vec<u8>) -> Result<usize, EncodeError> {
        let mut count = 0;
        let mut families: Vec<_> = self.withdrawn.keys().copied().collect();
        families.sort();
        for f in families {
            count += pack_withdrawals(ctx, f, &self.withdrawn[&f], out)?;
        }
        for g in &self.groups {
            count += pack_announcements(ctx, g.attrs, g.next_hop, g.family, &g.nlri, out)?;
        }
        Ok(count)
    }
}
