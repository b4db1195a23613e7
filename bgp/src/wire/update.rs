//! The UPDATE message (RFC 4271 §4.3): withdrawn routes, path attributes
//! and NLRI, with the message-level checks of RFC 7606 (field lengths,
//! mandatory attributes) on top of the per-attribute ones.

use super::attributes::mp::{MpReach, MpUnreach};
use super::attributes::{self, attr_code, decode_attributes, put_attr, PathAttributes};
use super::error::{code, DecodeError, EncodeError, ErrorAction};
use super::nlri::{decode_nlri, encode_nlri};
use super::prefix::Nlri;
use super::{Family, WireContext};

/// An UPDATE message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Update {
    /// Withdrawn IPv4 unicast routes (the native field).
    pub withdrawn: Vec<Nlri>,
    /// Path attributes other than the MP ones.
    pub attributes: PathAttributes,
    /// MP_REACH_NLRI.
    pub mp_reach: Option<MpReach>,
    /// MP_UNREACH_NLRI.
    pub mp_unreach: Option<MpUnreach>,
    /// Reachable IPv4 unicast routes (the native field).
    pub nlri: Vec<Nlri>,
    /// Treat-as-withdraw and attribute-discard errors found while decoding
    /// (never encoded). When any says treat-as-withdraw, every route this
    /// UPDATE announces must be handled as withdrawn.
    pub errors: Vec<DecodeError>,
}

fn reset(subcode: u8, reason: String) -> DecodeError {
    DecodeError::reset(code::UPDATE_MESSAGE, subcode, vec![], reason)
}

impl Update {
    /// The End-of-RIB marker of `family` (RFC 4724 §2).
    pub fn end_of_rib(family: Family) -> Update {
        if family == Family::IPV4_UNICAST {
            Update::default()
        } else {
            Update {
                mp_unreach: Some(MpUnreach {
                    family,
                    withdrawn: Vec::new(),
                }),
                ..Update::default()
            }
        }
    }

    /// The family whose End-of-RIB marker this is, if it is one.
    pub fn end_of_rib_family(&self) -> Option<Family> {
        let no_native =
            self.withdrawn.is_empty() && self.nlri.is_empty() && self.mp_reach.is_none();
        if !no_native || self.attributes != PathAttributes::default() {
            return None;
        }
        match &self.mp_unreach {
            None => Some(Family::IPV4_UNICAST),
            Some(u) if u.withdrawn.is_empty() => Some(u.family),
            Some(_) => None,
        }
    }

    /// Whether RFC 7606 says to handle the announced routes as withdrawn.
    pub fn treat_as_withdraw(&self) -> bool {
        self.errors
            .iter()
            .any(|e| e.action == ErrorAction::TreatAsWithdraw)
    }

    /// Decodes an UPDATE body (after the 19-byte header). `Err` is a
    /// session reset; lesser errors are in [`Update::errors`].
    pub fn decode(body: &[u8], ctx: &WireContext) -> Result<Update, DecodeError> {
        let total = 19 + body.len();
        if body.len() < 4 {
            return Err(super::header::bad_length(total));
        }
        let wlen = usize::from(u16::from_be_bytes([body[0], body[1]]));
        let Some(wbytes) = body.get(2..2 + wlen) else {
            return Err(reset(
                code::update::MALFORMED_ATTRIBUTE_LIST,
                format!("UPDATE: withdrawn routes length {wlen} exceeds the {total}-byte message"),
            ));
        };
        let Some(a) = body.get(2 + wlen..4 + wlen) else {
            return Err(reset(
                code::update::MALFORMED_ATTRIBUTE_LIST,
                format!("UPDATE: no room for the total path attribute length in the {total}-byte message"),
            ));
        };
        let alen = usize::from(u16::from_be_bytes([a[0], a[1]]));
        let Some(abytes) = body.get(4 + wlen..4 + wlen + alen) else {
            return Err(reset(
                code::update::MALFORMED_ATTRIBUTE_LIST,
                format!(
                    "UPDATE: total path attribute length {alen} exceeds the {total}-byte message"
                ),
            ));
        };
        let nbytes = &body[4 + wlen + alen..];
        let add_path = ctx.add_path.for_family(Family::IPV4_UNICAST);
        let mut withdrawn = Vec::new();
        decode_nlri(wbytes, Family::IPV4_UNICAST, add_path, &mut withdrawn).map_err(|e| {
            reset(
                code::update::INVALID_NETWORK_FIELD,
                format!("UPDATE: withdrawn routes: {e}"),
            )
        })?;
        let d = decode_attributes(abytes, ctx)?;
        let mut nlri = Vec::new();
        decode_nlri(nbytes, Family::IPV4_UNICAST, add_path, &mut nlri).map_err(|e| {
            reset(
                code::update::INVALID_NETWORK_FIELD,
                format!("UPDATE: NLRI: {e}"),
            )
        })?;
        let mut errors = d.errors;
        let already_withdrawn = errors
            .iter()
            .any(|e| e.action == ErrorAction::TreatAsWithdraw);
        if !already_withdrawn {
            let mp_nlri = d.mp_reach.as_ref().is_some_and(|m| !m.nlri.is_empty());
            let mut required: Vec<u8> = Vec::new();
            if !nlri.is_empty() || mp_nlri {
                required.extend([attr_code::ORIGIN, attr_code::AS_PATH]);
            }
            if !nlri.is_empty() {
                required.push(attr_code::NEXT_HOP);
            }
            if let Some(&missing) = required.iter().find(|&&c| !d.present.contains(c)) {
                errors.push(DecodeError::withdraw(
                    code::update::MISSING_WELL_KNOWN_ATTRIBUTE,
                    vec![missing],
                    format!(
                        "UPDATE: announces routes without the mandatory {} attribute",
                        attributes::attr_name(missing)
                    ),
                ));
            }
        }
        Ok(Update {
            withdrawn,
            attributes: d.attributes,
            mp_reach: d.mp_reach,
            mp_unreach: d.mp_unreach,
            nlri,
            errors,
        })
    }

    /// Appends the UPDATE body in canonical form (see [`super::attributes`]).
    pub fn encode_body(&self, ctx: &WireContext, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let add_path = ctx.add_path.for_family(Family::IPV4_UNICAST);
        let wstart = out.len();
        out.extend_from_slice(&[0, 0]);
        for n in &self.withdrawn {
            check_family(n, Family::IPV4_UNICAST)?;
            encode_nlri(n, add_path, out);
        }
        patch_u16(out, wstart)?;
        let astart = out.len();
        out.extend_from_slice(&[0, 0]);
        if let Some(m) = &self.mp_reach {
            for n in &m.nlri {
                check_family(n, m.family)?;
            }
            put_attr(
                out,
                attributes::flag::OPTIONAL,
                attr_code::MP_REACH_NLRI,
                true,
                |b| m.encode_value(ctx, b),
            );
        }
        if let Some(m) = &self.mp_unreach {
            for n in &m.withdrawn {
                check_family(n, m.family)?;
            }
            put_attr(
                out,
                attributes::flag::OPTIONAL,
                attr_code::MP_UNREACH_NLRI,
                // End-of-RIB goes short, as every implementation sends it.
                !m.withdrawn.is_empty(),
                |b| m.encode_value(ctx, b),
            );
        }
        self.attributes.encode(ctx, out);
        patch_u16(out, astart)?;
        for n in &self.nlri {
            check_family(n, Family::IPV4_UNICAST)?;
            encode_nlri(n, add_path, out);
        }
        Ok(())
    }
}

fn check_family(n: &Nlri, family: Family) -> Result<(), EncodeError> {
    if n.prefix.family() == family {
        Ok(())
    } else {
        Err(EncodeError::Invalid(format!(
            "{} cannot be encoded as {family} NLRI",
            n.prefix
        )))
    }
}

/// Writes the length of what follows the 2-byte field at `at`.
fn patch_u16(out: &mut [u8], at: usize) -> Result<(), EncodeError> {
    let len = out.len() - at - 2;
    let l = u16::try_from(len).map_err(|_| EncodeError::TooLong {
        what: "UPDATE field",
        len,
        max: usize::from(u16::MAX),
    })?;
    out[at..at + 2].copy_from_slice(&l.to_be_bytes());
    Ok(())
}
