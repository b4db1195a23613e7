//! Sans-IO codec for the two ICMPv6 router discovery messages of RFC 4861
//! that unnumbered BGP needs: Router Solicitation (type 133) and Router
//! Advertisement (type 134), with the source link-layer address and MTU
//! options. Bytes are the ICMPv6 message as a raw ICMPv6 socket reads and
//! writes it (no IPv6 header). The checksum is the kernel's business: it
//! computes it for raw ICMPv6 sockets on send and verifies it on receive,
//! so [`RouterAdvert::emit`] leaves it zero and parsing ignores it.
//!
//! Parsing never panics; it validates what RFC 4861 §6.1 asks of the
//! message itself (code 0, minimum length, no zero-length option, options
//! within the message). The checks on the IPv6 header (hop limit 255,
//! link-local source) are in [`super::validate`].

use std::net::Ipv6Addr;

use super::error::ParseError;

/// ICMPv6 type of a Router Solicitation.
pub const ROUTER_SOLICIT: u8 = 133;
/// ICMPv6 type of a Router Advertisement.
pub const ROUTER_ADVERT: u8 = 134;
/// The all-nodes multicast group, where routers send advertisements.
pub const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
/// The all-routers multicast group, where hosts send solicitations.
pub const ALL_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);
/// The only hop limit a valid neighbour discovery message arrives with.
pub const ND_HOP_LIMIT: u8 = 255;

const OPT_SOURCE_LLADDR: u8 = 1;
const OPT_MTU: u8 = 5;
const RS_HEADER: usize = 8;
const RA_HEADER: usize = 16;

/// A Router Advertisement (RFC 4861 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RouterAdvert {
    /// Hop limit hosts should use; 0 is "unspecified".
    pub cur_hop_limit: u8,
    /// The flags byte as on the wire: M (0x80), O (0x40), H (0x20), the
    /// RFC 4191 default router preference (0x18) and the rest.
    pub flags: u8,
    /// How long, in seconds, the sender is a default router; 0: it is not
    /// one (the advertisement is still valid and announces the router).
    pub router_lifetime: u16,
    /// Reachable time in milliseconds; 0 is "unspecified".
    pub reachable_time: u32,
    /// Retransmission timer in milliseconds; 0 is "unspecified".
    pub retrans_timer: u32,
    /// The source link-layer address option, when it carries a 6-byte
    /// (Ethernet) address.
    pub source_lladdr: Option<[u8; 6]>,
    /// The MTU option.
    pub mtu: Option<u32>,
}

/// A Router Solicitation (RFC 4861 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RouterSolicit {
    /// The source link-layer address option (Ethernet), if present.
    pub source_lladdr: Option<[u8; 6]>,
}

/// A parsed router discovery message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NdMessage {
    /// Type 133.
    RouterSolicit(RouterSolicit),
    /// Type 134.
    RouterAdvert(RouterAdvert),
}

impl NdMessage {
    /// Parses an ICMPv6 message that should be an RS or an RA.
    pub fn parse(buf: &[u8]) -> Result<NdMessage, ParseError> {
        match buf.first() {
            None => Err(ParseError::Truncated { len: 0, need: 4 }),
            Some(&ROUTER_SOLICIT) => RouterSolicit::parse(buf).map(NdMessage::RouterSolicit),
            Some(&ROUTER_ADVERT) => RouterAdvert::parse(buf).map(NdMessage::RouterAdvert),
            Some(&other) => Err(ParseError::NotRouterDiscovery(other)),
        }
    }
}

impl RouterAdvert {
    /// The M flag: addresses are available via DHCPv6.
    pub const FLAG_MANAGED: u8 = 0x80;
    /// The O flag: other configuration is available via DHCPv6.
    pub const FLAG_OTHER: u8 = 0x40;

    /// Whether the M flag is set.
    pub fn managed(&self) -> bool {
        self.flags & Self::FLAG_MANAGED != 0
    }

    /// Whether the O flag is set.
    pub fn other_config(&self) -> bool {
        self.flags & Self::FLAG_OTHER != 0
    }

    /// Parses a Router Advertisement; unknown options are skipped.
    pub fn parse(buf: &[u8]) -> Result<RouterAdvert, ParseError> {
        let h = header(buf, ROUTER_ADVERT, RA_HEADER)?;
        let mut ra = RouterAdvert {
            cur_hop_limit: h[4],
            flags: h[5],
            router_lifetime: u16::from_be_bytes([h[6], h[7]]),
            reachable_time: u32::from_be_bytes([h[8], h[9], h[10], h[11]]),
            retrans_timer: u32::from_be_bytes([h[12], h[13], h[14], h[15]]),
            source_lladdr: None,
            mtu: None,
        };
        for opt in Options::new(buf, RA_HEADER) {
            let (kind, body) = opt?;
            match kind {
                OPT_SOURCE_LLADDR if ra.source_lladdr.is_none() => {
                    ra.source_lladdr = ethernet(body);
                }
                // body: 2 reserved bytes, then the MTU
                OPT_MTU if ra.mtu.is_none() && body.len() == 6 => {
                    ra.mtu = Some(u32::from_be_bytes([body[2], body[3], body[4], body[5]]));
                }
                _ => {}
            }
        }
        Ok(ra)
    }

    /// The length of [`RouterAdvert::emit`]'s output.
    pub fn buffer_len(&self) -> usize {
        RA_HEADER
            + 8 * usize::from(self.source_lladdr.is_some())
            + 8 * usize::from(self.mtu.is_some())
    }

    /// Appends the message to `out`, checksum zero (the kernel fills it in).
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.reserve(self.buffer_len());
        out.extend_from_slice(&[ROUTER_ADVERT, 0, 0, 0, self.cur_hop_limit, self.flags]);
        out.extend_from_slice(&self.router_lifetime.to_be_bytes());
        out.extend_from_slice(&self.reachable_time.to_be_bytes());
        out.extend_from_slice(&self.retrans_timer.to_be_bytes());
        if let Some(mac) = self.source_lladdr {
            emit_lladdr(mac, out);
        }
        if let Some(mtu) = self.mtu {
            out.extend_from_slice(&[OPT_MTU, 1, 0, 0]);
            out.extend_from_slice(&mtu.to_be_bytes());
        }
    }
}

impl RouterSolicit {
    /// Parses a Router Solicitation; unknown options are skipped.
    pub fn parse(buf: &[u8]) -> Result<RouterSolicit, ParseError> {
        header(buf, ROUTER_SOLICIT, RS_HEADER)?;
        let mut rs = RouterSolicit::default();
        for opt in Options::new(buf, RS_HEADER) {
            let (kind, body) = opt?;
            if kind == OPT_SOURCE_LLADDR && rs.source_lladdr.is_none() {
                rs.source_lladdr = ethernet(body);
            }
        }
        Ok(rs)
    }

    /// The length of [`RouterSolicit::emit`]'s output.
    pub fn buffer_len(&self) -> usize {
        RS_HEADER + 8 * usize::from(self.source_lladdr.is_some())
    }

    /// Appends the message to `out`, checksum zero (the kernel fills it in).
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.reserve(self.buffer_len());
        out.extend_from_slice(&[ROUTER_SOLICIT, 0, 0, 0, 0, 0, 0, 0]);
        if let Some(mac) = self.source_lladdr {
            emit_lladdr(mac, out);
        }
    }
}

fn emit_lladdr(mac: [u8; 6], out: &mut Vec<u8>) {
    out.extend_from_slice(&[OPT_SOURCE_LLADDR, 1]);
    out.extend_from_slice(&mac);
}

/// The fixed header of a message of type `kind`, at least `len` bytes, code 0.
fn header(buf: &[u8], kind: u8, len: usize) -> Result<&[u8], ParseError> {
    let Some(h) = buf.get(..len) else {
        return Err(ParseError::Truncated {
            len: buf.len(),
            need: len,
        });
    };
    if h[0] != kind {
        return Err(ParseError::NotRouterDiscovery(h[0]));
    }
    if h[1] != 0 {
        return Err(ParseError::BadCode { kind, code: h[1] });
    }
    Ok(h)
}

/// An Ethernet address from a link-layer address option body (6 bytes, or
/// 6 bytes followed by padding).
fn ethernet(body: &[u8]) -> Option<[u8; 6]> {
    // an 8-byte option: 2 header bytes + 6 address bytes
    (body.len() == 6).then(|| {
        let mut mac = [0; 6];
        mac.copy_from_slice(body);
        mac
    })
}

/// The options after the fixed header: `(type, body without type and length)`.
/// An error ends the iteration.
struct Options<'a> {
    buf: &'a [u8],
    at: usize,
    failed: bool,
}

impl<'a> Options<'a> {
    fn new(buf: &'a [u8], at: usize) -> Self {
        Options {
            buf,
            at,
            failed: false,
        }
    }
}

impl<'a> Iterator for Options<'a> {
    type Item = Result<(u8, &'a [u8]), ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.at >= self.buf.len() {
            return None;
        }
        let at = self.at;
        let rest = &self.buf[at..];
        let err = match rest {
            [_] => Some(ParseError::OptionTruncated { offset: at }),
            [_, 0, ..] => Some(ParseError::ZeroLengthOption { offset: at }),
            [kind, units, ..] => {
                let len = usize::from(*units) * 8;
                match rest.get(2..len) {
                    Some(body) => {
                        self.at += len;
                        return Some(Ok((*kind, body)));
                    }
                    None => Some(ParseError::OptionOverrun {
                        offset: at,
                        kind: *kind,
                        len,
                        total: self.buf.len(),
                    }),
                }
            }
            [] => None,
        };
        self.failed = true;
        err.map(Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAC: [u8; 6] = [0x02, 0, 0, 0, 0x06, 0x01];

    #[test]
    fn advert_round_trip() {
        let ra = RouterAdvert {
            cur_hop_limit: 64,
            flags: RouterAdvert::FLAG_OTHER,
            router_lifetime: 0,
            reachable_time: 30_000,
            retrans_timer: 1_000,
            source_lladdr: Some(MAC),
            mtu: Some(9000),
        };
        let mut b = Vec::new();
        ra.emit(&mut b);
        assert_eq!(b.len(), ra.buffer_len());
        assert_eq!(b.len(), 32);
        assert_eq!(&b[..4], &[134, 0, 0, 0]);
        assert_eq!(RouterAdvert::parse(&b), Ok(ra));
        assert_eq!(NdMessage::parse(&b), Ok(NdMessage::RouterAdvert(ra)));
        assert!(ra.other_config() && !ra.managed());
    }

    #[test]
    fn solicit_round_trip_with_and_without_option() {
        for rs in [
            RouterSolicit::default(),
            RouterSolicit {
                source_lladdr: Some(MAC),
            },
        ] {
            let mut b = Vec::new();
            rs.emit(&mut b);
            assert_eq!(b.len(), rs.buffer_len());
            assert_eq!(NdMessage::parse(&b), Ok(NdMessage::RouterSolicit(rs)));
        }
    }

    #[test]
    fn unknown_options_are_skipped_and_first_lladdr_wins() {
        let mut b = vec![134, 0, 0, 0, 64, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0];
        b.extend_from_slice(&[3, 4]); // a prefix information option, 32 bytes
        b.extend_from_slice(&[0; 30]);
        b.extend_from_slice(&[1, 1, 1, 2, 3, 4, 5, 6]);
        b.extend_from_slice(&[1, 1, 9, 9, 9, 9, 9, 9]);
        b.extend_from_slice(&[1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let ra = RouterAdvert::parse(&b).unwrap();
        assert_eq!(ra.source_lladdr, Some([1, 2, 3, 4, 5, 6]));
        assert_eq!(ra.router_lifetime, 9);
    }

    #[test]
    fn non_ethernet_lladdr_is_not_a_mac() {
        let mut b = vec![133, 0, 0, 0, 0, 0, 0, 0];
        b.extend_from_slice(&[1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(RouterSolicit::parse(&b).unwrap().source_lladdr, None);
    }

    #[test]
    fn malformed_messages_are_errors() {
        let ra = |tail: &[u8]| {
            let mut b = vec![134, 0, 0, 0, 64, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0];
            b.extend_from_slice(tail);
            b
        };
        assert_eq!(
            NdMessage::parse(&[]),
            Err(ParseError::Truncated { len: 0, need: 4 })
        );
        assert_eq!(
            NdMessage::parse(&[134, 0, 0, 0, 64]),
            Err(ParseError::Truncated { len: 5, need: 16 })
        );
        assert_eq!(
            NdMessage::parse(&[135, 0, 0, 0]),
            Err(ParseError::NotRouterDiscovery(135))
        );
        let mut bad_code = ra(&[]);
        bad_code[1] = 1;
        assert_eq!(
            NdMessage::parse(&bad_code),
            Err(ParseError::BadCode { kind: 134, code: 1 })
        );
        assert_eq!(
            NdMessage::parse(&ra(&[1, 0, 0, 0, 0, 0, 0, 0])),
            Err(ParseError::ZeroLengthOption { offset: 16 })
        );
        assert_eq!(
            NdMessage::parse(&ra(&[1, 2, 0, 0, 0, 0, 0, 0])),
            Err(ParseError::OptionOverrun {
                offset: 16,
                kind: 1,
                len: 16,
                total: 24
            })
        );
        assert_eq!(
            NdMessage::parse(&ra(&[1])),
            Err(ParseError::OptionTruncated { offset: 16 })
        );
        // every error reads as one line
        let e = NdMessage::parse(&ra(&[1, 0])).unwrap_err().to_string();
        assert!(e.contains("length 0"), "{e}");
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        fn advert() -> impl Strategy<Value = RouterAdvert> {
            (
                any::<(u8, u8, u16, u32, u32)>(),
                proptest::option::of(any::<[u8; 6]>()),
                proptest::option::of(any::<u32>()),
            )
                .prop_map(|((h, f, l, r, t), source_lladdr, mtu)| RouterAdvert {
                    cur_hop_limit: h,
                    flags: f,
                    router_lifetime: l,
                    reachable_time: r,
                    retrans_timer: t,
                    source_lladdr,
                    mtu,
                })
        }

        proptest! {
            #[test]
            fn adverts_round_trip(ra in advert()) {
                let mut b = Vec::new();
                ra.emit(&mut b);
                prop_assert_eq!(b.len(), ra.buffer_len());
                prop_assert_eq!(NdMessage::parse(&b), Ok(NdMessage::RouterAdvert(ra)));
            }

            #[test]
            fn any_bytes_parse_or_fail_without_panic(
                kind in prop_oneof![Just(133u8), Just(134u8), any::<u8>()],
                rest in proptest::collection::vec(any::<u8>(), 0..80),
            ) {
                let mut b = vec![kind];
                b.extend_from_slice(&rest);
                if let Ok(m) = NdMessage::parse(&b) {
                    let mut again = Vec::new();
                    match m {
                        NdMessage::RouterAdvert(ra) => ra.emit(&mut again),
                        NdMessage::RouterSolicit(rs) => rs.emit(&mut again),
                    }
                    prop_assert_eq!(NdMessage::parse(&again), Ok(m));
                }
            }
        }
    }
}
