//! BGP capabilities (RFC 5492) as carried in the OPEN message: parsing of
//! each capability value and its encoding. Unknown capabilities are kept
//! verbatim so that they can be logged and ignored.

use std::fmt;

use super::error::{code, DecodeError};
use super::Family;

/// Capability codes (IANA "Capability Codes" registry).
pub mod cap_code {
    /// Multiprotocol Extensions (RFC 4760).
    pub const MULTIPROTOCOL: u8 = 1;
    /// Route Refresh (RFC 2918).
    pub const ROUTE_REFRESH: u8 = 2;
    /// Extended Next Hop Encoding (RFC 8950).
    pub const EXTENDED_NEXT_HOP: u8 = 5;
    /// Extended Message (RFC 8654).
    pub const EXTENDED_MESSAGE: u8 = 6;
    /// Graceful Restart (RFC 4724).
    pub const GRACEFUL_RESTART: u8 = 64;
    /// Support for 4-octet AS numbers (RFC 6793).
    pub const FOUR_OCTET_AS: u8 = 65;
    /// ADD-PATH (RFC 7911).
    pub const ADD_PATH: u8 = 69;
    /// Enhanced Route Refresh (RFC 7313).
    pub const ENHANCED_ROUTE_REFRESH: u8 = 70;
    /// Long-Lived Graceful Restart (RFC 9494).
    pub const LONG_LIVED_GRACEFUL_RESTART: u8 = 71;
    /// FQDN (draft-walton-bgp-hostname-capability, as FRR sends it).
    pub const FQDN: u8 = 73;
}

/// Per-family graceful restart state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GracefulRestartFamily {
    /// The family.
    pub family: Family,
    /// F bit: forwarding state was preserved across the restart.
    pub forwarding_preserved: bool,
}

/// The graceful restart capability (RFC 4724 §3, RFC 8538 N bit).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GracefulRestart {
    /// R bit: the sender has restarted.
    pub restart_state: bool,
    /// N bit: graceful restart also covers NOTIFICATION (RFC 8538).
    pub notification: bool,
    /// Restart time in seconds (12 bits).
    pub restart_time: u16,
    /// Families for which the sender preserves forwarding state.
    pub families: Vec<GracefulRestartFamily>,
}

/// Per-family long-lived graceful restart parameters (RFC 9494).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LlgrFamily {
    /// The family.
    pub family: Family,
    /// F bit.
    pub forwarding_preserved: bool,
    /// Long-lived stale time in seconds (24 bits).
    pub stale_time: u32,
}

/// ADD-PATH send/receive mode for one family (RFC 7911 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddPathMode {
    /// The sender can receive multiple paths.
    Receive,
    /// The sender can send multiple paths.
    Send,
    /// Both.
    Both,
}

impl AddPathMode {
    fn from_u8(v: u8) -> Option<Self> {
        match v {
            1 => Some(AddPathMode::Receive),
            2 => Some(AddPathMode::Send),
            3 => Some(AddPathMode::Both),
            _ => None,
        }
    }

    fn to_u8(self) -> u8 {
        match self {
            AddPathMode::Receive => 1,
            AddPathMode::Send => 2,
            AddPathMode::Both => 3,
        }
    }

    /// Whether this mode includes receiving.
    pub fn receives(self) -> bool {
        matches!(self, AddPathMode::Receive | AddPathMode::Both)
    }

    /// Whether this mode includes sending.
    pub fn sends(self) -> bool {
        matches!(self, AddPathMode::Send | AddPathMode::Both)
    }
}

/// One ADD-PATH tuple.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddPathFamily {
    /// The family.
    pub family: Family,
    /// Send, receive or both.
    pub mode: AddPathMode,
}

/// One extended next hop tuple (RFC 8950 §3): NLRI of (afi, safi) may carry
/// a next hop of `next_hop_afi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExtendedNextHop {
    /// NLRI AFI.
    pub nlri_afi: u16,
    /// NLRI SAFI (16 bits in this capability).
    pub nlri_safi: u16,
    /// Next hop AFI.
    pub next_hop_afi: u16,
}

impl ExtendedNextHop {
    /// IPv4 unicast NLRI with IPv6 next hops, the unnumbered-fabric case.
    pub const IPV4_UNICAST_OVER_IPV6: ExtendedNextHop = ExtendedNextHop {
        nlri_afi: 1,
        nlri_safi: 1,
        next_hop_afi: 2,
    };
}

/// A capability from an OPEN message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Multiprotocol extensions for one family.
    Multiprotocol(Family),
    /// Route refresh.
    RouteRefresh,
    /// Enhanced route refresh.
    EnhancedRouteRefresh,
    /// 4-octet AS numbers, with the sender's AS.
    FourOctetAs(u32),
    /// Graceful restart.
    GracefulRestart(GracefulRestart),
    /// Long-lived graceful restart.
    LongLivedGracefulRestart(Vec<LlgrFamily>),
    /// ADD-PATH.
    AddPath(Vec<AddPathFamily>),
    /// Extended next hop encoding.
    ExtendedNextHop(Vec<ExtendedNextHop>),
    /// Extended messages up to 65535 bytes.
    ExtendedMessage,
    /// The sender's host and domain name, as FRR sends them.
    Fqdn {
        /// Host name.
        hostname: String,
        /// Domain name (often empty).
        domain: String,
    },
    /// A capability this codec does not interpret, kept verbatim.
    Unknown {
        /// Capability code.
        code: u8,
        /// Capability value.
        value: Vec<u8>,
    },
}

fn malformed(code_: u8, value: &[u8], what: &str) -> DecodeError {
    let mut data = vec![code_, value.len() as u8];
    data.extend_from_slice(value);
    DecodeError::reset(
        code::OPEN_MESSAGE,
        code::open::UNSPECIFIC,
        data,
        format!(
            "OPEN: malformed {what} capability (code {code_}, {} bytes)",
            value.len()
        ),
    )
}

fn family_at(v: &[u8]) -> Family {
    Family::new(u16::from_be_bytes([v[0], v[1]]), v[3])
}

impl Capability {
    /// The capability code.
    pub fn code(&self) -> u8 {
        match self {
            Capability::Multiprotocol(_) => cap_code::MULTIPROTOCOL,
            Capability::RouteRefresh => cap_code::ROUTE_REFRESH,
            Capability::EnhancedRouteRefresh => cap_code::ENHANCED_ROUTE_REFRESH,
            Capability::FourOctetAs(_) => cap_code::FOUR_OCTET_AS,
            Capability::GracefulRestart(_) => cap_code::GRACEFUL_RESTART,
            Capability::LongLivedGracefulRestart(_) => cap_code::LONG_LIVED_GRACEFUL_RESTART,
            Capability::AddPath(_) => cap_code::ADD_PATH,
            Capability::ExtendedNextHop(_) => cap_code::EXTENDED_NEXT_HOP,
            Capability::ExtendedMessage => cap_code::EXTENDED_MESSAGE,
            Capability::Fqdn { .. } => cap_code::FQDN,
            Capability::Unknown { code, .. } => *code,
        }
    }

    /// Parses one capability value.
    pub fn decode(code_: u8, v: &[u8]) -> Result<Capability, DecodeError> {
        use cap_code::*;
        let cap = match code_ {
            MULTIPROTOCOL => {
                if v.len() != 4 {
                    return Err(malformed(code_, v, "multiprotocol"));
                }
                Capability::Multiprotocol(family_at(v))
            }
            ROUTE_REFRESH | ENHANCED_ROUTE_REFRESH | EXTENDED_MESSAGE => {
                if !v.is_empty() {
                    return Err(malformed(code_, v, "zero-length"));
                }
                match code_ {
                    ROUTE_REFRESH => Capability::RouteRefresh,
                    ENHANCED_ROUTE_REFRESH => Capability::EnhancedRouteRefresh,
                    _ => Capability::ExtendedMessage,
                }
            }
            FOUR_OCTET_AS => {
                let a: [u8; 4] = v
                    .try_into()
                    .map_err(|_| malformed(code_, v, "4-octet AS"))?;
                Capability::FourOctetAs(u32::from_be_bytes(a))
            }
            GRACEFUL_RESTART => {
                if v.len() < 2 || (v.len() - 2) % 4 != 0 {
                    return Err(malformed(code_, v, "graceful restart"));
                }
                let head = u16::from_be_bytes([v[0], v[1]]);
                Capability::GracefulRestart(GracefulRestart {
                    restart_state: head & 0x8000 != 0,
                    notification: head & 0x4000 != 0,
                    restart_time: head & 0x0fff,
                    families: v[2..]
                        .chunks_exact(4)
                        .map(|c| GracefulRestartFamily {
                            family: Family::new(u16::from_be_bytes([c[0], c[1]]), c[2]),
                            forwarding_preserved: c[3] & 0x80 != 0,
                        })
                        .collect(),
                })
            }
            LONG_LIVED_GRACEFUL_RESTART => {
                if v.len() % 7 != 0 {
                    return Err(malformed(code_, v, "long-lived graceful restart"));
                }
                Capability::LongLivedGracefulRestart(
                    v.chunks_exact(7)
                        .map(|c| LlgrFamily {
                            family: Family::new(u16::from_be_bytes([c[0], c[1]]), c[2]),
                            forwarding_preserved: c[3] & 0x80 != 0,
                            stale_time: u32::from_be_bytes([0, c[4], c[5], c[6]]),
                        })
                        .collect(),
                )
            }
            ADD_PATH => {
                if v.is_empty() || v.len() % 4 != 0 {
                    return Err(malformed(code_, v, "add-path"));
                }
                let mut tuples = Vec::with_capacity(v.len() / 4);
                for c in v.chunks_exact(4) {
                    let mode = AddPathMode::from_u8(c[3])
                        .ok_or_else(|| malformed(code_, v, "add-path"))?;
                    tuples.push(AddPathFamily {
                        family: Family::new(u16::from_be_bytes([c[0], c[1]]), c[2]),
                        mode,
                    });
                }
                Capability::AddPath(tuples)
            }
            EXTENDED_NEXT_HOP => {
                if v.is_empty() || v.len() % 6 != 0 {
                    return Err(malformed(code_, v, "extended next hop"));
                }
                Capability::ExtendedNextHop(
                    v.chunks_exact(6)
                        .map(|c| ExtendedNextHop {
                            nlri_afi: u16::from_be_bytes([c[0], c[1]]),
                            nlri_safi: u16::from_be_bytes([c[2], c[3]]),
                            next_hop_afi: u16::from_be_bytes([c[4], c[5]]),
                        })
                        .collect(),
                )
            }
            FQDN => decode_fqdn(v).ok_or_else(|| malformed(code_, v, "FQDN"))?,
            _ => Capability::Unknown {
                code: code_,
                value: v.to_vec(),
            },
        };
        Ok(cap)
    }

    /// Appends code, length and value.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.code());
        let len_at = out.len();
        out.push(0);
        match self {
            Capability::Multiprotocol(f) => {
                out.extend_from_slice(&f.afi.to_be_bytes());
                out.push(0);
                out.push(f.safi);
            }
            Capability::RouteRefresh
            | Capability::EnhancedRouteRefresh
            | Capability::ExtendedMessage => {}
            Capability::FourOctetAs(asn) => out.extend_from_slice(&asn.to_be_bytes()),
            Capability::GracefulRestart(gr) => {
                let mut head = gr.restart_time & 0x0fff;
                if gr.restart_state {
                    head |= 0x8000;
                }
                if gr.notification {
                    head |= 0x4000;
                }
                out.extend_from_slice(&head.to_be_bytes());
                for f in &gr.families {
                    out.extend_from_slice(&f.family.afi.to_be_bytes());
                    out.push(f.family.safi);
                    out.push(if f.forwarding_preserved { 0x80 } else { 0 });
                }
            }
            Capability::LongLivedGracefulRestart(fams) => {
                for f in fams {
                    out.extend_from_slice(&f.family.afi.to_be_bytes());
                    out.push(f.family.safi);
                    out.push(if f.forwarding_preserved { 0x80 } else { 0 });
                    out.extend_from_slice(&(f.stale_time & 0x00ff_ffff).to_be_bytes()[1..]);
                }
            }
            Capability::AddPath(tuples) => {
                for t in tuples {
                    out.extend_from_slice(&t.family.afi.to_be_bytes());
                    out.push(t.family.safi);
                    out.push(t.mode.to_u8());
                }
            }
            Capability::ExtendedNextHop(tuples) => {
                for t in tuples {
                    out.extend_from_slice(&t.nlri_afi.to_be_bytes());
                    out.extend_from_slice(&t.nlri_safi.to_be_bytes());
                    out.extend_from_slice(&t.next_hop_afi.to_be_bytes());
                }
            }
            Capability::Fqdn { hostname, domain } => {
                for s in [hostname, domain] {
                    let b = &s.as_bytes()[..s.len().min(255)];
                    out.push(b.len() as u8);
                    out.extend_from_slice(b);
                }
            }
            Capability::Unknown { value, .. } => out.extend_from_slice(value),
        }
        // Values longer than 255 bytes cannot be expressed; callers keep
        // tuples lists short (a handful of families).
        out[len_at] = (out.len() - len_at - 1).min(255) as u8;
    }
}

fn decode_fqdn(v: &[u8]) -> Option<Capability> {
    let hlen = usize::from(*v.first()?);
    let hostname = v.get(1..1 + hlen)?;
    let rest = &v[1 + hlen..];
    // FRR always sends the domain length; tolerate its absence.
    let domain = match rest.split_first() {
        None => &[][..],
        Some((&dlen, d)) => d.get(..usize::from(dlen))?,
    };
    Some(Capability::Fqdn {
        hostname: String::from_utf8(hostname.to_vec()).ok()?,
        domain: String::from_utf8(domain.to_vec()).ok()?,
    })
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Capability::Multiprotocol(fam) => write!(f, "multiprotocol {fam}"),
            Capability::RouteRefresh => f.write_str("route-refresh"),
            Capability::EnhancedRouteRefresh => f.write_str("enhanced-route-refresh"),
            Capability::FourOctetAs(asn) => write!(f, "4-octet-as {asn}"),
            Capability::GracefulRestart(gr) => {
                write!(f, "graceful-restart time {}", gr.restart_time)?;
                if gr.restart_state {
                    f.write_str(" restarting")?;
                }
                for fam in &gr.families {
                    write!(
                        f,
                        " {}{}",
                        fam.family,
                        if fam.forwarding_preserved { "(F)" } else { "" }
                    )?;
                }
                Ok(())
            }
            Capability::LongLivedGracefulRestart(fams) => {
                f.write_str("long-lived-graceful-restart")?;
                for fam in fams {
                    write!(f, " {} stale {}s", fam.family, fam.stale_time)?;
                }
                Ok(())
            }
            Capability::AddPath(t) => {
                f.write_str("add-path")?;
                for x in t {
                    write!(f, " {} {:?}", x.family, x.mode)?;
                }
                Ok(())
            }
            Capability::ExtendedNextHop(t) => {
                f.write_str("extended-next-hop")?;
                for x in t {
                    write!(
                        f,
                        " {}/{} via afi {}",
                        x.nlri_afi, x.nlri_safi, x.next_hop_afi
                    )?;
                }
                Ok(())
            }
            Capability::ExtendedMessage => f.write_str("extended-message"),
            Capability::Fqdn { hostname, domain } => write!(f, "fqdn {hostname}.{domain}"),
            Capability::Unknown { code, value } => {
                write!(f, "unknown({code}, {} bytes)", value.len())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(cap: Capability) {
        let mut buf = Vec::new();
        cap.encode(&mut buf);
        assert_eq!(usize::from(buf[1]), buf.len() - 2);
        assert_eq!(Capability::decode(buf[0], &buf[2..]).unwrap(), cap);
    }

    #[test]
    fn round_trips() {
        round_trip(Capability::Multiprotocol(Family::IPV6_UNICAST));
        round_trip(Capability::FourOctetAs(4_200_000_001));
        round_trip(Capability::GracefulRestart(GracefulRestart {
            restart_state: true,
            notification: true,
            restart_time: 120,
            families: vec![GracefulRestartFamily {
                family: Family::IPV4_UNICAST,
                forwarding_preserved: true,
            }],
        }));
        round_trip(Capability::LongLivedGracefulRestart(vec![LlgrFamily {
            family: Family::IPV4_UNICAST,
            forwarding_preserved: false,
            stale_time: 0x00ab_cdef,
        }]));
        round_trip(Capability::AddPath(vec![AddPathFamily {
            family: Family::IPV4_UNICAST,
            mode: AddPathMode::Both,
        }]));
        round_trip(Capability::ExtendedNextHop(vec![
            ExtendedNextHop::IPV4_UNICAST_OVER_IPV6,
        ]));
        round_trip(Capability::Fqdn {
            hostname: "leaf01".into(),
            domain: String::new(),
        });
        round_trip(Capability::Unknown {
            code: 128,
            value: vec![],
        });
    }

    #[test]
    fn malformed_values_are_open_errors() {
        for (c, v) in [
            (1u8, &[0u8, 1, 0][..]),
            (65, &[0, 0, 1]),
            (69, &[0, 1, 1, 9]),
            (2, &[1]),
        ] {
            let e = Capability::decode(c, v).unwrap_err();
            assert_eq!(
                (e.code, e.subcode),
                (code::OPEN_MESSAGE, code::open::UNSPECIFIC)
            );
        }
    }
}
