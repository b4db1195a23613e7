//! RFC 4861 validity of a received router discovery message, sans-IO: the
//! IPv6 header fields the socket reports (source address, hop limit) plus
//! the message itself. Invalid messages are dropped and counted.

use std::net::Ipv6Addr;

use super::error::ParseError;
use super::ra::{NdMessage, ND_HOP_LIMIT};

/// Why a received message is dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    /// The hop limit was not 255: the message was forwarded by a router
    /// (or its sender is not on the link). `None`: the kernel did not say.
    #[error("hop limit {0:?}, not 255")]
    HopLimit(Option<u8>),
    /// A Router Advertisement from an address that is not link-local.
    #[error("router advertisement from {0}, not a link-local address")]
    NotLinkLocal(Ipv6Addr),
    /// A Router Solicitation from the unspecified address with a source
    /// link-layer address option.
    #[error("router solicitation from :: with a source link-layer address option")]
    UnspecifiedWithLladdr,
    /// The message does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
}

/// Whether `a` is in fe80::/10.
pub fn is_link_local(a: &Ipv6Addr) -> bool {
    a.segments()[0] & 0xffc0 == 0xfe80
}

/// Checks a message received from `src` with `hop_limit` (RFC 4861 §6.1.1
/// for solicitations, §6.1.2 for advertisements) and parses it.
pub fn validate(src: Ipv6Addr, hop_limit: Option<u8>, bytes: &[u8]) -> Result<NdMessage, Invalid> {
    if hop_limit != Some(ND_HOP_LIMIT) {
        return Err(Invalid::HopLimit(hop_limit));
    }
    let msg = NdMessage::parse(bytes)?;
    match msg {
        NdMessage::RouterAdvert(_) if !is_link_local(&src) => Err(Invalid::NotLinkLocal(src)),
        NdMessage::RouterSolicit(rs) if src.is_unspecified() && rs.source_lladdr.is_some() => {
            Err(Invalid::UnspecifiedWithLladdr)
        }
        _ => Ok(msg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unnumbered::ra::{RouterAdvert, RouterSolicit};

    fn ra() -> Vec<u8> {
        let mut b = Vec::new();
        RouterAdvert::default().emit(&mut b);
        b
    }

    #[test]
    fn hop_limit_must_be_255() {
        let ll: Ipv6Addr = "fe80::1".parse().unwrap();
        assert!(validate(ll, Some(255), &ra()).is_ok());
        assert_eq!(
            validate(ll, Some(254), &ra()),
            Err(Invalid::HopLimit(Some(254)))
        );
        assert_eq!(validate(ll, None, &ra()), Err(Invalid::HopLimit(None)));
    }

    #[test]
    fn adverts_come_from_link_local_addresses() {
        let g: Ipv6Addr = "2001:db8::1".parse().unwrap();
        assert_eq!(validate(g, Some(255), &ra()), Err(Invalid::NotLinkLocal(g)));
        assert!(is_link_local(&"febf::1".parse().unwrap()));
        assert!(!is_link_local(&"fec0::1".parse().unwrap()));
    }

    #[test]
    fn solicitations_from_unspecified_carry_no_lladdr() {
        let mut with = Vec::new();
        RouterSolicit {
            source_lladdr: Some([2, 0, 0, 0, 0, 1]),
        }
        .emit(&mut with);
        let mut without = Vec::new();
        RouterSolicit::default().emit(&mut without);
        let any = Ipv6Addr::UNSPECIFIED;
        assert_eq!(
            validate(any, Some(255), &with),
            Err(Invalid::UnspecifiedWithLladdr)
        );
        assert!(validate(any, Some(255), &without).is_ok());
        assert!(validate("2001:db8::2".parse().unwrap(), Some(255), &with).is_ok());
    }

    #[test]
    fn parse_errors_pass_through() {
        let ll: Ipv6Addr = "fe80::1".parse().unwrap();
        assert!(matches!(
            validate(ll, Some(255), &[134, 0]),
            Err(Invalid::Parse(_))
        ));
    }
}
