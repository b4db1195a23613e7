//! The NLRI field encoding (RFC 4271 §4.3, RFC 4760 §5, RFC 7911 §3):
//! `[path id (4)] length (1) prefix (ceil(length / 8))`, repeated.
//!
//! [`NlriIter`] is a zero-copy view over an encoded field; [`decode_nlri`]
//! collects it; [`encode_nlri`] writes one entry.

use super::prefix::{Ipv4Prefix, Ipv6Prefix, Nlri, Prefix};
use super::Family;

/// A syntactically incorrect NLRI field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason} at byte {offset} of the NLRI field")]
pub struct NlriError {
    /// Offset of the bad entry within the field.
    pub offset: usize,
    /// What was wrong.
    pub reason: &'static str,
}

/// The largest address length in bits for a unicast family.
fn max_bits(family: Family) -> u8 {
    if family == Family::IPV6_UNICAST {
        128
    } else {
        32
    }
}

/// Decodes the entry at `pos`, returning it and the offset after it.
///
/// Monomorphised per family and add-path so the hot loop has no branches
/// on either; the address is loaded as one big-endian word when the buffer
/// has room and masked to the prefix length, which also clears the bytes
/// past the prefix.
#[inline(always)]
fn decode_one<const V6: bool, const ADD_PATH: bool>(
    buf: &[u8],
    pos: usize,
) -> Result<(Nlri, usize), NlriError> {
    let mut at = pos;
    let path_id = if ADD_PATH {
        let Some(id) = buf.get(at..at + 4) else {
            return Err(NlriError {
                offset: pos,
                reason: "path identifier truncated",
            });
        };
        at += 4;
        Some(u32::from_be_bytes([id[0], id[1], id[2], id[3]]))
    } else {
        None
    };
    let Some(&len) = buf.get(at) else {
        return Err(NlriError {
            offset: pos,
            reason: "prefix length missing",
        });
    };
    at += 1;
    let max = if V6 { 128 } else { 32 };
    if len > max {
        return Err(NlriError {
            offset: pos,
            reason: "prefix length longer than the address",
        });
    }
    let n = usize::from(len).div_ceil(8);
    if at + n > buf.len() {
        return Err(NlriError {
            offset: pos,
            reason: "prefix runs past the end of the field",
        });
    }
    let prefix = if V6 {
        let bits = match buf.get(at..at + 16) {
            Some(w) => u128::from_be_bytes(w.try_into().expect("16 bytes")),
            None => {
                let mut a = [0u8; 16];
                a[..n].copy_from_slice(&buf[at..at + n]);
                u128::from_be_bytes(a)
            }
        };
        Prefix::V6(Ipv6Prefix::masked(bits, len))
    } else {
        let bits = match buf.get(at..at + 4) {
            Some(w) => u32::from_be_bytes(w.try_into().expect("4 bytes")),
            None => {
                let mut a = [0u8; 4];
                a[..n].copy_from_slice(&buf[at..at + n]);
                u32::from_be_bytes(a)
            }
        };
        Prefix::V4(Ipv4Prefix::masked(bits, len))
    };
    Ok((Nlri { path_id, prefix }, at + n))
}

fn decode_into<const V6: bool, const ADD_PATH: bool>(
    buf: &[u8],
    out: &mut Vec<Nlri>,
) -> Result<(), NlriError> {
    let mut pos = 0;
    while pos < buf.len() {
        let (nlri, next) = decode_one::<V6, ADD_PATH>(buf, pos)?;
        out.push(nlri);
        pos = next;
    }
    Ok(())
}

fn decode_at(buf: &[u8], pos: usize, v6: bool, add_path: bool) -> Result<(Nlri, usize), NlriError> {
    match (v6, add_path) {
        (false, false) => decode_one::<false, false>(buf, pos),
        (false, true) => decode_one::<false, true>(buf, pos),
        (true, false) => decode_one::<true, false>(buf, pos),
        (true, true) => decode_one::<true, true>(buf, pos),
    }
}

/// Decodes every entry of an NLRI field of `family` into `out`.
///
/// On error `out` keeps the entries decoded before the bad one.
pub fn decode_nlri(
    buf: &[u8],
    family: Family,
    add_path: bool,
    out: &mut Vec<Nlri>,
) -> Result<(), NlriError> {
    // A /32 takes 5 bytes: reserve for the common host-route case without
    // trusting the peer for more than the buffer can hold.
    out.reserve(buf.len() / if add_path { 9 } else { 5 });
    match (max_bits(family) == 128, add_path) {
        (false, false) => decode_into::<false, false>(buf, out),
        (false, true) => decode_into::<false, true>(buf, out),
        (true, false) => decode_into::<true, false>(buf, out),
        (true, true) => decode_into::<true, true>(buf, out),
    }
}

/// A zero-copy iterator over an encoded NLRI field.
///
/// Yields `Err` once at the first malformed entry, then stops.
#[derive(Debug, Clone)]
pub struct NlriIter<'a> {
    buf: &'a [u8],
    pos: usize,
    v6: bool,
    add_path: bool,
}

impl<'a> NlriIter<'a> {
    /// A view over `buf`, an NLRI field of `family`.
    pub fn new(buf: &'a [u8], family: Family, add_path: bool) -> Self {
        NlriIter {
            buf,
            pos: 0,
            v6: max_bits(family) == 128,
            add_path,
        }
    }
}

impl Iterator for NlriIter<'_> {
    type Item = Result<Nlri, NlriError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.buf.len() {
            return None;
        }
        match decode_at(self.buf, self.pos, self.v6, self.add_path) {
            Ok((nlri, next)) => {
                self.pos = next;
                Some(Ok(nlri))
            }
            Err(e) => {
                self.pos = self.buf.len();
                Some(Err(e))
            }
        }
    }
}

/// The encoded size of one entry.
#[inline]
pub fn encoded_len(nlri: &Nlri, add_path: bool) -> usize {
    (if add_path { 4 } else { 0 }) + 1 + usize::from(nlri.prefix.len()).div_ceil(8)
}

/// Appends one entry; the path identifier is written (0 when absent) only
/// when `add_path` is set.
#[inline]
pub fn encode_nlri(nlri: &Nlri, add_path: bool, out: &mut Vec<u8>) {
    if add_path {
        out.extend_from_slice(&nlri.path_id.unwrap_or(0).to_be_bytes());
    }
    let len = nlri.prefix.len();
    let n = usize::from(len).div_ceil(8);
    out.push(len);
    match nlri.prefix {
        Prefix::V4(p) => out.extend_from_slice(&p.addr().octets()[..n]),
        Prefix::V6(p) => out.extend_from_slice(&p.addr().octets()[..n]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> Nlri {
        Nlri::new(s.parse::<Prefix>().unwrap())
    }

    #[test]
    fn decodes_rfc4271_examples() {
        // 10.0.0.0/8, 192.168.1.0/24, 0.0.0.0/0, 172.16.1.11/32
        let buf = [8, 10, 24, 192, 168, 1, 0, 32, 172, 16, 1, 11];
        let mut out = Vec::new();
        decode_nlri(&buf, Family::IPV4_UNICAST, false, &mut out).unwrap();
        assert_eq!(
            out,
            vec![
                v4("10.0.0.0/8"),
                v4("192.168.1.0/24"),
                v4("0.0.0.0/0"),
                v4("172.16.1.11/32")
            ]
        );
    }

    #[test]
    fn trailing_bits_are_masked() {
        let buf = [9, 10, 0xff];
        let mut out = Vec::new();
        decode_nlri(&buf, Family::IPV4_UNICAST, false, &mut out).unwrap();
        assert_eq!(out, vec![v4("10.128.0.0/9")]);
    }

    #[test]
    fn rejects_bad_entries() {
        let mut out = Vec::new();
        let too_long = [33, 1, 2, 3, 4, 5];
        assert!(decode_nlri(&too_long, Family::IPV4_UNICAST, false, &mut out).is_err());
        let overrun = [24, 10, 0];
        assert!(decode_nlri(&overrun, Family::IPV4_UNICAST, false, &mut out).is_err());
        let short_path_id = [0, 0, 1];
        assert!(decode_nlri(&short_path_id, Family::IPV4_UNICAST, true, &mut out).is_err());
        let v6_ok = [129];
        assert!(decode_nlri(&v6_ok, Family::IPV6_UNICAST, false, &mut out).is_err());
    }

    #[test]
    fn add_path_round_trip() {
        let entries = [
            Nlri::with_path_id("172.16.1.11/32".parse::<Prefix>().unwrap(), 7),
            Nlri::with_path_id("2001:db8::/48".parse::<Prefix>().unwrap(), 1),
        ];
        let mut buf = Vec::new();
        encode_nlri(&entries[0], true, &mut buf);
        let mut out = Vec::new();
        decode_nlri(&buf, Family::IPV4_UNICAST, true, &mut out).unwrap();
        assert_eq!(out[0], entries[0]);
        let mut buf6 = Vec::new();
        encode_nlri(&entries[1], true, &mut buf6);
        assert_eq!(buf6.len(), encoded_len(&entries[1], true));
        let got: Vec<_> = NlriIter::new(&buf6, Family::IPV6_UNICAST, true)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(got, vec![entries[1]]);
    }
}
