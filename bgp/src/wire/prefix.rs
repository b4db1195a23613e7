//! IP prefixes and NLRI entries (a prefix with an optional add-path
//! identifier), with parsing from and formatting to `a.b.c.d/len` text.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// An IPv4 prefix whose host bits are zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ipv4Prefix {
    addr: Ipv4Addr,
    len: u8,
}

/// An IPv6 prefix whose host bits are zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ipv6Prefix {
    addr: Ipv6Addr,
    len: u8,
}

/// A prefix length longer than the address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("prefix length {len} is longer than {max}")]
pub struct PrefixLenError {
    /// The length given.
    pub len: u8,
    /// The address's bit count.
    pub max: u8,
}

impl Ipv4Prefix {
    /// A prefix; host bits beyond `len` are cleared.
    pub fn new(addr: Ipv4Addr, len: u8) -> Result<Self, PrefixLenError> {
        if len > 32 {
            return Err(PrefixLenError { len, max: 32 });
        }
        Ok(Self::masked(u32::from(addr), len))
    }

    /// A host route (/32).
    pub fn host(addr: Ipv4Addr) -> Self {
        Ipv4Prefix { addr, len: 32 }
    }

    pub(crate) fn masked(bits: u32, len: u8) -> Self {
        // Shifting a u64 keeps len 0 (mask 0) free of a branch.
        let mask = (u64::from(u32::MAX) << (32 - u32::from(len))) as u32;
        Ipv4Prefix {
            addr: Ipv4Addr::from(bits & mask),
            len,
        }
    }

    /// The network address.
    pub fn addr(&self) -> Ipv4Addr {
        self.addr
    }

    /// The prefix length in bits.
    pub fn len(&self) -> u8 {
        self.len
    }

    /// Whether this is the default route (length 0).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `addr` lies inside this prefix.
    pub fn contains(&self, addr: Ipv4Addr) -> bool {
        Self::masked(u32::from(addr), self.len).addr == self.addr
    }
}

impl Ipv6Prefix {
    /// A prefix; host bits beyond `len` are cleared.
    pub fn new(addr: Ipv6Addr, len: u8) -> Result<Self, PrefixLenError> {
        if len > 128 {
            return Err(PrefixLenError { len, max: 128 });
        }
        Ok(Self::masked(u128::from(addr), len))
    }

    /// A host route (/128).
    pub fn host(addr: Ipv6Addr) -> Self {
        Ipv6Prefix { addr, len: 128 }
    }

    pub(crate) fn masked(bits: u128, len: u8) -> Self {
        let mask = if len == 0 {
            0
        } else {
            u128::MAX << (128 - len)
        };
        Ipv6Prefix {
            addr: Ipv6Addr::from(bits & mask),
            len,
        }
    }

    /// The network address.
    pub fn addr(&self) -> Ipv6Addr {
        self.addr
    }

    /// The prefix length in bits.
    pub fn len(&self) -> u8 {
        self.len
    }

    /// Whether this is the default route (length 0).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `addr` lies inside this prefix.
    pub fn contains(&self, addr: Ipv6Addr) -> bool {
        Self::masked(u128::from(addr), self.len).addr == self.addr
    }
}

/// An IPv4 or IPv6 prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Prefix {
    /// IPv4.
    V4(Ipv4Prefix),
    /// IPv6.
    V6(Ipv6Prefix),
}

impl Prefix {
    /// A prefix of either family; host bits are cleared.
    pub fn new(addr: IpAddr, len: u8) -> Result<Self, PrefixLenError> {
        match addr {
            IpAddr::V4(a) => Ipv4Prefix::new(a, len).map(Prefix::V4),
            IpAddr::V6(a) => Ipv6Prefix::new(a, len).map(Prefix::V6),
        }
    }

    /// The host route for `addr` (/32 or /128).
    pub fn host(addr: IpAddr) -> Self {
        match addr {
            IpAddr::V4(a) => Prefix::V4(Ipv4Prefix::host(a)),
            IpAddr::V6(a) => Prefix::V6(Ipv6Prefix::host(a)),
        }
    }

    /// The network address.
    pub fn addr(&self) -> IpAddr {
        match self {
            Prefix::V4(p) => IpAddr::V4(p.addr),
            Prefix::V6(p) => IpAddr::V6(p.addr),
        }
    }

    /// The prefix length in bits.
    pub fn len(&self) -> u8 {
        match self {
            Prefix::V4(p) => p.len,
            Prefix::V6(p) => p.len,
        }
    }

    /// Whether this is a default route.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The unicast family of this prefix.
    pub fn family(&self) -> super::Family {
        match self {
            Prefix::V4(_) => super::Family::IPV4_UNICAST,
            Prefix::V6(_) => super::Family::IPV6_UNICAST,
        }
    }

    /// Whether `addr` lies inside this prefix.
    pub fn contains(&self, addr: IpAddr) -> bool {
        match (self, addr) {
            (Prefix::V4(p), IpAddr::V4(a)) => p.contains(a),
            (Prefix::V6(p), IpAddr::V6(a)) => p.contains(a),
            _ => false,
        }
    }
}

impl From<Ipv4Prefix> for Prefix {
    fn from(p: Ipv4Prefix) -> Self {
        Prefix::V4(p)
    }
}

impl From<Ipv6Prefix> for Prefix {
    fn from(p: Ipv6Prefix) -> Self {
        Prefix::V6(p)
    }
}

/// A prefix as carried in an UPDATE, with its add-path identifier when the
/// session negotiated add-path for its family (RFC 7911).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nlri {
    /// The add-path identifier, if the family carries them.
    pub path_id: Option<u32>,
    /// The prefix.
    pub prefix: Prefix,
}

impl Nlri {
    /// An NLRI entry without a path identifier.
    pub fn new(prefix: impl Into<Prefix>) -> Self {
        Nlri {
            path_id: None,
            prefix: prefix.into(),
        }
    }

    /// An NLRI entry with a path identifier.
    pub fn with_path_id(prefix: impl Into<Prefix>, path_id: u32) -> Self {
        Nlri {
            path_id: Some(path_id),
            prefix: prefix.into(),
        }
    }
}

impl fmt::Display for Ipv4Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

impl fmt::Display for Ipv6Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Prefix::V4(p) => p.fmt(f),
            Prefix::V6(p) => p.fmt(f),
        }
    }
}

impl fmt::Display for Nlri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.path_id {
            Some(id) => write!(f, "{} path-id {}", self.prefix, id),
            None => self.prefix.fmt(f),
        }
    }
}

/// Text that is not `address/length`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a prefix (expected address/length, e.g. 172.16.1.0/24)")]
pub struct PrefixParseError(pub String);

fn split_prefix(s: &str) -> Result<(&str, u8), PrefixParseError> {
    let err = || PrefixParseError(s.to_string());
    let (addr, len) = s.split_once('/').ok_or_else(err)?;
    let len = len.parse::<u8>().map_err(|_| err())?;
    Ok((addr, len))
}

impl FromStr for Ipv4Prefix {
    type Err = PrefixParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (addr, len) = split_prefix(s)?;
        let addr = addr
            .parse::<Ipv4Addr>()
            .map_err(|_| PrefixParseError(s.to_string()))?;
        Ipv4Prefix::new(addr, len).map_err(|_| PrefixParseError(s.to_string()))
    }
}

impl FromStr for Ipv6Prefix {
    type Err = PrefixParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (addr, len) = split_prefix(s)?;
        let addr = addr
            .parse::<Ipv6Addr>()
            .map_err(|_| PrefixParseError(s.to_string()))?;
        Ipv6Prefix::new(addr, len).map_err(|_| PrefixParseError(s.to_string()))
    }
}

impl FromStr for Prefix {
    type Err = PrefixParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (addr, len) = split_prefix(s)?;
        let addr = addr
            .parse::<IpAddr>()
            .map_err(|_| PrefixParseError(s.to_string()))?;
        Prefix::new(addr, len).map_err(|_| PrefixParseError(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_bits_are_cleared() {
        let p: Ipv4Prefix = "10.1.2.3/16".parse().unwrap();
        assert_eq!(p.to_string(), "10.1.0.0/16");
        let p: Prefix = "2001:db8::1/32".parse().unwrap();
        assert_eq!(p.to_string(), "2001:db8::/32");
        assert_eq!("0.0.0.0/0".parse::<Prefix>().unwrap().len(), 0);
    }

    #[test]
    fn bad_text_is_rejected() {
        for bad in ["10.0.0.0", "10.0.0.0/33", "::/129", "x/8", "10.0.0.0/-1"] {
            assert!(bad.parse::<Prefix>().is_err(), "{bad}");
        }
    }

    #[test]
    fn contains() {
        let p: Prefix = "172.16.1.0/24".parse().unwrap();
        assert!(p.contains("172.16.1.11".parse().unwrap()));
        assert!(!p.contains("172.16.2.11".parse().unwrap()));
        assert!(!p.contains("::1".parse().unwrap()));
    }
}
