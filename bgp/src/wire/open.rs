//! The OPEN message (RFC 4271 §4.2) with capabilities carried in optional
//! parameters (RFC 5492), including the extended optional parameters length
//! of RFC 9072.

use std::net::Ipv4Addr;

use super::capability::Capability;
use super::error::{code, DecodeError, EncodeError};

/// The 2-octet AS number that stands in for a 4-octet one (RFC 6793).
pub const AS_TRANS: u16 = 23456;

/// Optional parameter type for capabilities (RFC 5492).
const PARAM_CAPABILITIES: u8 = 2;
/// Marker of the RFC 9072 extended optional parameters length.
const PARAM_EXTENDED: u8 = 255;

/// How capabilities are spread over optional parameters. Both are valid
/// (RFC 5492 §4); decoding records which one the peer used so that a
/// message re-encodes to the same bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ParamLayout {
    /// All capabilities in one optional parameter (BIRD's way).
    #[default]
    Grouped,
    /// One optional parameter per capability (FRR's way).
    OnePerParameter,
}

/// An OPEN message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Open {
    /// The sender's AS, or [`AS_TRANS`] when it does not fit 16 bits.
    pub my_as: u16,
    /// Proposed hold time in seconds (0, or 3 and more).
    pub hold_time: u16,
    /// BGP identifier.
    pub router_id: Ipv4Addr,
    /// Capabilities, in the order received.
    pub capabilities: Vec<Capability>,
    /// How the capabilities were (or are to be) spread over parameters.
    pub layout: ParamLayout,
}

fn open_error(subcode: u8, data: Vec<u8>, reason: impl Into<String>) -> DecodeError {
    DecodeError::reset(code::OPEN_MESSAGE, subcode, data, reason)
}

impl Open {
    /// An OPEN for `asn`, setting `my_as` to [`AS_TRANS`] when needed. The
    /// caller lists the capabilities (including 4-octet AS).
    pub fn new(
        asn: u32,
        hold_time: u16,
        router_id: Ipv4Addr,
        capabilities: Vec<Capability>,
    ) -> Open {
        Open {
            my_as: u16::try_from(asn).unwrap_or(AS_TRANS),
            hold_time,
            router_id,
            capabilities,
            layout: ParamLayout::Grouped,
        }
    }

    /// The sender's AS: from the 4-octet AS capability when present.
    pub fn asn(&self) -> u32 {
        self.capabilities
            .iter()
            .find_map(|c| match c {
                Capability::FourOctetAs(asn) => Some(*asn),
                _ => None,
            })
            .unwrap_or(u32::from(self.my_as))
    }

    /// Whether a capability with this code is present.
    pub fn has(&self, cap_code: u8) -> bool {
        self.capabilities.iter().any(|c| c.code() == cap_code)
    }

    /// Decodes an OPEN body (after the 19-byte header).
    pub fn decode(body: &[u8]) -> Result<Open, DecodeError> {
        if body.len() < 10 {
            return Err(super::header::bad_length(19 + body.len()));
        }
        let version = body[0];
        if version != 4 {
            return Err(open_error(
                code::open::UNSUPPORTED_VERSION,
                vec![0, 4],
                format!("OPEN: BGP version {version}, only 4 is supported"),
            ));
        }
        let my_as = u16::from_be_bytes([body[1], body[2]]);
        let hold_time = u16::from_be_bytes([body[3], body[4]]);
        if hold_time == 1 || hold_time == 2 {
            return Err(open_error(
                code::open::UNACCEPTABLE_HOLD_TIME,
                vec![],
                format!("OPEN: hold time {hold_time}s (must be 0 or at least 3)"),
            ));
        }
        let router_id = Ipv4Addr::new(body[5], body[6], body[7], body[8]);
        if router_id.is_unspecified() {
            return Err(open_error(
                code::open::BAD_BGP_IDENTIFIER,
                router_id.octets().to_vec(),
                "OPEN: BGP identifier 0.0.0.0",
            ));
        }
        let opt_len = usize::from(body[9]);
        let mut rest = &body[10..];
        // RFC 9072: opt_len 255 with a first parameter type of 255 means a
        // 2-byte length follows and every parameter has a 2-byte length.
        let extended = opt_len == 255 && rest.first() == Some(&PARAM_EXTENDED);
        let params = if extended {
            let Some(l) = rest.get(1..3) else {
                return Err(open_error(
                    code::open::UNSPECIFIC,
                    vec![],
                    "OPEN: extended parameters length truncated",
                ));
            };
            let len = usize::from(u16::from_be_bytes([l[0], l[1]]));
            rest = &rest[3..];
            if rest.len() != len {
                return Err(open_error(
                    code::open::UNSPECIFIC,
                    vec![],
                    format!(
                        "OPEN: extended optional parameters length {len}, {} bytes present",
                        rest.len()
                    ),
                ));
            }
            rest
        } else {
            if rest.len() != opt_len {
                return Err(open_error(
                    code::open::UNSPECIFIC,
                    vec![],
                    format!(
                        "OPEN: optional parameters length {opt_len}, {} bytes present",
                        rest.len()
                    ),
                ));
            }
            rest
        };
        let mut capabilities = Vec::new();
        let mut params_seen = 0usize; // parameters holding capabilities
        let mut max_caps_in_param = 0usize;
        let mut pos = 0;
        let head = if extended { 3 } else { 2 };
        while pos < params.len() {
            let Some(h) = params.get(pos..pos + head) else {
                return Err(open_error(
                    code::open::UNSPECIFIC,
                    vec![],
                    "OPEN: optional parameter header truncated",
                ));
            };
            let ptype = h[0];
            let plen = if extended {
                usize::from(u16::from_be_bytes([h[1], h[2]]))
            } else {
                usize::from(h[1])
            };
            let Some(value) = params.get(pos + head..pos + head + plen) else {
                return Err(open_error(
                    code::open::UNSPECIFIC,
                    vec![],
                    format!(
                        "OPEN: optional parameter {ptype} of {plen} bytes runs past the message"
                    ),
                ));
            };
            if ptype != PARAM_CAPABILITIES {
                return Err(open_error(
                    code::open::UNSUPPORTED_OPTIONAL_PARAMETER,
                    vec![],
                    format!("OPEN: unsupported optional parameter type {ptype}"),
                ));
            }
            let before = capabilities.len();
            decode_capabilities(value, &mut capabilities)?;
            if capabilities.len() > before {
                params_seen += 1;
            }
            max_caps_in_param = max_caps_in_param.max(capabilities.len() - before);
            pos += head + plen;
        }
        let layout = if params_seen > 1 && max_caps_in_param <= 1 {
            ParamLayout::OnePerParameter
        } else {
            ParamLayout::Grouped
        };
        Ok(Open {
            my_as,
            hold_time,
            router_id,
            capabilities,
            layout,
        })
    }

    /// Appends the OPEN body (without header).
    pub fn encode_body(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.push(4);
        out.extend_from_slice(&self.my_as.to_be_bytes());
        out.extend_from_slice(&self.hold_time.to_be_bytes());
        out.extend_from_slice(&self.router_id.octets());
        let mut params = Vec::new();
        let mut caps = Vec::new();
        match self.layout {
            ParamLayout::Grouped => {
                for c in &self.capabilities {
                    c.encode(&mut caps);
                }
                if !caps.is_empty() {
                    params.push((PARAM_CAPABILITIES, caps));
                }
            }
            ParamLayout::OnePerParameter => {
                for c in &self.capabilities {
                    let mut one = Vec::new();
                    c.encode(&mut one);
                    params.push((PARAM_CAPABILITIES, one));
                }
            }
        }
        let short: usize = params.iter().map(|(_, v)| 2 + v.len()).sum();
        let fits_short = short < 255 && params.iter().all(|(_, v)| v.len() <= 255);
        if fits_short {
            out.push(short as u8);
            for (t, v) in &params {
                out.push(*t);
                out.push(v.len() as u8);
                out.extend_from_slice(v);
            }
        } else {
            let long: usize = params.iter().map(|(_, v)| 3 + v.len()).sum();
            let long16 = u16::try_from(long).map_err(|_| EncodeError::TooLong {
                what: "OPEN optional parameters",
                len: long,
                max: usize::from(u16::MAX),
            })?;
            out.extend_from_slice(&[255, PARAM_EXTENDED]);
            out.extend_from_slice(&long16.to_be_bytes());
            for (t, v) in &params {
                out.push(*t);
                out.extend_from_slice(&(v.len() as u16).to_be_bytes());
                out.extend_from_slice(v);
            }
        }
        Ok(())
    }
}

fn decode_capabilities(mut v: &[u8], out: &mut Vec<Capability>) -> Result<(), DecodeError> {
    while !v.is_empty() {
        if v.len() < 2 {
            return Err(open_error(
                code::open::UNSPECIFIC,
                v.to_vec(),
                "OPEN: capability header truncated",
            ));
        }
        let (c, len) = (v[0], usize::from(v[1]));
        let Some(value) = v.get(2..2 + len) else {
            return Err(open_error(
                code::open::UNSPECIFIC,
                v.to_vec(),
                format!("OPEN: capability {c} of {len} bytes runs past its parameter"),
            ));
        };
        out.push(Capability::decode(c, value)?);
        v = &v[2 + len..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Family;

    fn sample(layout: ParamLayout) -> Open {
        Open {
            layout,
            ..Open::new(
                4_200_000_001,
                9,
                Ipv4Addr::new(10, 0, 0, 11),
                vec![
                    Capability::Multiprotocol(Family::IPV4_UNICAST),
                    Capability::RouteRefresh,
                    Capability::FourOctetAs(4_200_000_001),
                ],
            )
        }
    }

    #[test]
    fn round_trip_both_layouts() {
        for layout in [ParamLayout::Grouped, ParamLayout::OnePerParameter] {
            let open = sample(layout);
            let mut body = Vec::new();
            open.encode_body(&mut body).unwrap();
            assert_eq!(Open::decode(&body).unwrap(), open);
        }
        assert_eq!(sample(ParamLayout::Grouped).my_as, AS_TRANS);
        assert_eq!(sample(ParamLayout::Grouped).asn(), 4_200_000_001);
    }

    #[test]
    fn extended_parameters_length() {
        let mut open = sample(ParamLayout::Grouped);
        for i in 0..100 {
            open.capabilities.push(Capability::Unknown {
                code: 200,
                value: vec![i],
            });
        }
        let mut body = Vec::new();
        open.encode_body(&mut body).unwrap();
        assert_eq!(&body[9..11], &[255, 255]);
        assert_eq!(Open::decode(&body).unwrap(), open);
    }

    #[test]
    fn errors_name_the_problem() {
        let mut body = Vec::new();
        sample(ParamLayout::Grouped).encode_body(&mut body).unwrap();
        let mut v3 = body.clone();
        v3[0] = 3;
        let e = Open::decode(&v3).unwrap_err();
        assert_eq!(
            (e.subcode, e.data.clone()),
            (code::open::UNSUPPORTED_VERSION, vec![0, 4])
        );
        let mut hold = body.clone();
        hold[3..5].copy_from_slice(&2u16.to_be_bytes());
        assert_eq!(
            Open::decode(&hold).unwrap_err().subcode,
            code::open::UNACCEPTABLE_HOLD_TIME
        );
        let mut id = body.clone();
        id[5..9].fill(0);
        assert_eq!(
            Open::decode(&id).unwrap_err().subcode,
            code::open::BAD_BGP_IDENTIFIER
        );
        let mut param = body.clone();
        param[10] = 1;
        let e = Open::decode(&param).unwrap_err();
        assert_eq!(e.subcode, code::open::UNSUPPORTED_OPTIONAL_PARAMETER);
        assert!(e.to_string().contains("optional parameter type 1"), "{e}");
        let truncated = &body[..body.len() - 1];
        assert!(Open::decode(truncated).is_err());
    }
}
