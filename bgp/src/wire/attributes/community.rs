//! Communities (RFC 1997, well-known ones named), extended communities
//! (RFC 4360) and large communities (RFC 8092), with their text forms.

use std::fmt;
use std::str::FromStr;

/// A standard community, `asn:value` in 32 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Community(pub u32);

impl Community {
    /// GRACEFUL_SHUTDOWN (RFC 8326).
    pub const GRACEFUL_SHUTDOWN: Community = Community(0xFFFF_0000);
    /// ACCEPT_OWN (RFC 7611).
    pub const ACCEPT_OWN: Community = Community(0xFFFF_0001);
    /// LLGR_STALE (RFC 9494).
    pub const LLGR_STALE: Community = Community(0xFFFF_0006);
    /// NO_LLGR (RFC 9494).
    pub const NO_LLGR: Community = Community(0xFFFF_0007);
    /// BLACKHOLE (RFC 7999).
    pub const BLACKHOLE: Community = Community(0xFFFF_029A);
    /// NO_EXPORT (RFC 1997).
    pub const NO_EXPORT: Community = Community(0xFFFF_FF01);
    /// NO_ADVERTISE (RFC 1997).
    pub const NO_ADVERTISE: Community = Community(0xFFFF_FF02);
    /// NO_EXPORT_SUBCONFED (RFC 1997).
    pub const NO_EXPORT_SUBCONFED: Community = Community(0xFFFF_FF03);
    /// NOPEER (RFC 3765).
    pub const NO_PEER: Community = Community(0xFFFF_FF04);

    const NAMED: [(Community, &'static str); 9] = [
        (Community::GRACEFUL_SHUTDOWN, "graceful-shutdown"),
        (Community::ACCEPT_OWN, "accept-own"),
        (Community::LLGR_STALE, "llgr-stale"),
        (Community::NO_LLGR, "no-llgr"),
        (Community::BLACKHOLE, "blackhole"),
        (Community::NO_EXPORT, "no-export"),
        (Community::NO_ADVERTISE, "no-advertise"),
        (Community::NO_EXPORT_SUBCONFED, "no-export-subconfed"),
        (Community::NO_PEER, "no-peer"),
    ];

    /// `asn:value`.
    pub const fn new(asn: u16, value: u16) -> Community {
        Community(((asn as u32) << 16) | value as u32)
    }

    /// The well-known name, if this community has one.
    pub fn name(self) -> Option<&'static str> {
        Community::NAMED
            .iter()
            .find(|(c, _)| *c == self)
            .map(|(_, n)| *n)
    }
}

impl fmt::Display for Community {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{}:{}", self.0 >> 16, self.0 & 0xffff),
        }
    }
}

/// Text that is not a community.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a community (expected ASN:VALUE with each part 0-65535, or a well-known name such as no-export)")]
pub struct CommunityParseError(pub String);

impl FromStr for Community {
    type Err = CommunityParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some((c, _)) = Community::NAMED.iter().find(|(_, n)| *n == s) {
            return Ok(*c);
        }
        let err = || CommunityParseError(s.to_string());
        let (a, v) = s.split_once(':').ok_or_else(err)?;
        Ok(Community::new(
            a.parse().map_err(|_| err())?,
            v.parse().map_err(|_| err())?,
        ))
    }
}

/// An extended community (RFC 4360): 8 bytes, type and subtype first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExtCommunity(pub [u8; 8]);

impl ExtCommunity {
    /// A 2-octet-AS route target `rt asn:value`.
    pub fn route_target(asn: u16, value: u32) -> ExtCommunity {
        let mut b = [0u8; 8];
        b[0] = 0x00;
        b[1] = 0x02;
        b[2..4].copy_from_slice(&asn.to_be_bytes());
        b[4..8].copy_from_slice(&value.to_be_bytes());
        ExtCommunity(b)
    }

    /// The type octet (high-order).
    pub fn kind(&self) -> u8 {
        self.0[0]
    }

    /// The subtype octet.
    pub fn subtype(&self) -> u8 {
        self.0[1]
    }

    /// Whether the community may cross AS boundaries (T bit clear).
    pub fn is_transitive(&self) -> bool {
        self.0[0] & 0x40 == 0
    }
}

impl fmt::Display for ExtCommunity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.0;
        let name = match b[1] {
            0x02 => Some("rt"),
            0x03 => Some("soo"),
            _ => None,
        };
        match (b[0] & 0x3f, name) {
            (0x00, Some(n)) => write!(
                f,
                "{n} {}:{}",
                u16::from_be_bytes([b[2], b[3]]),
                u32::from_be_bytes([b[4], b[5], b[6], b[7]])
            ),
            (0x01, Some(n)) => write!(
                f,
                "{n} {}.{}.{}.{}:{}",
                b[2],
                b[3],
                b[4],
                b[5],
                u16::from_be_bytes([b[6], b[7]])
            ),
            (0x02, Some(n)) => write!(
                f,
                "{n} {}:{}",
                u32::from_be_bytes([b[2], b[3], b[4], b[5]]),
                u16::from_be_bytes([b[6], b[7]])
            ),
            _ => {
                f.write_str("0x")?;
                b.iter().try_for_each(|x| write!(f, "{x:02x}"))
            }
        }
    }
}

/// A large community (RFC 8092): `global:local1:local2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LargeCommunity {
    /// Global administrator (an ASN).
    pub global: u32,
    /// First local data part.
    pub local1: u32,
    /// Second local data part.
    pub local2: u32,
}

impl fmt::Display for LargeCommunity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.global, self.local1, self.local2)
    }
}

/// Text that is not a large community.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a large community (expected GLOBAL:LOCAL1:LOCAL2, each 0-4294967295)")]
pub struct LargeCommunityParseError(pub String);

impl FromStr for LargeCommunity {
    type Err = LargeCommunityParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || LargeCommunityParseError(s.to_string());
        let mut parts = s.split(':').map(|p| p.parse::<u32>().map_err(|_| err()));
        let lc = LargeCommunity {
            global: parts.next().ok_or_else(err)??,
            local1: parts.next().ok_or_else(err)??,
            local2: parts.next().ok_or_else(err)??,
        };
        if parts.next().is_some() {
            return Err(err());
        }
        Ok(lc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms() {
        assert_eq!(
            "65000:100".parse::<Community>().unwrap(),
            Community::new(65000, 100)
        );
        assert_eq!(
            "no-export".parse::<Community>().unwrap(),
            Community::NO_EXPORT
        );
        assert_eq!(Community::NO_EXPORT.to_string(), "no-export");
        assert_eq!(Community::new(65000, 100).to_string(), "65000:100");
        assert!("65536:1".parse::<Community>().is_err());
        assert!("65000".parse::<Community>().is_err());
        let lc: LargeCommunity = "65001:1:2".parse().unwrap();
        assert_eq!(lc.to_string(), "65001:1:2");
        assert!("1:2".parse::<LargeCommunity>().is_err());
        assert!("1:2:3:4".parse::<LargeCommunity>().is_err());
        assert_eq!(
            ExtCommunity::route_target(65001, 100).to_string(),
            "rt 65001:100"
        );
    }
}
