//! The fixed IPv6 header (RFC 8200): zero-copy view and parsed representation.

use std::net::Ipv6Addr;

use super::Malformed;

/// Length of the fixed IPv6 header.
pub const IPV6_HEADER_LEN: usize = 40;
/// Next-header value of ICMPv6.
pub const NEXT_HEADER_ICMPV6: u8 = 58;

/// A view over an IPv6 packet. [`Ipv6Packet::new_checked`] checks the version
/// and that the buffer holds the header and the whole payload length.
#[derive(Debug, Clone, Copy)]
pub struct Ipv6Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Ipv6Packet<T> {
    /// Wraps `buffer`; trailing bytes past the payload length (padding) are allowed.
    pub fn new_checked(buffer: T) -> Result<Self, Malformed> {
        let b = buffer.as_ref();
        if b.len() < IPV6_HEADER_LEN {
            return Err(Malformed::Truncated);
        }
        if b[0] >> 4 != 6 {
            return Err(Malformed::BadIpVersion);
        }
        let p = Ipv6Packet { buffer };
        if p.buffer.as_ref().len() < IPV6_HEADER_LEN + usize::from(p.payload_len()) {
            return Err(Malformed::Truncated);
        }
        Ok(p)
    }

    /// Payload length field.
    pub fn payload_len(&self) -> u16 {
        let b = self.buffer.as_ref();
        u16::from_be_bytes([b[4], b[5]])
    }

    /// Next header.
    pub fn next_header(&self) -> u8 {
        self.buffer.as_ref()[6]
    }

    /// Hop limit.
    pub fn hop_limit(&self) -> u8 {
        self.buffer.as_ref()[7]
    }

    /// Source address.
    pub fn src(&self) -> Ipv6Addr {
        let b: [u8; 16] = self.buffer.as_ref()[8..24]
            .try_into()
            .expect("checked length");
        Ipv6Addr::from(b)
    }

    /// Destination address.
    pub fn dst(&self) -> Ipv6Addr {
        let b: [u8; 16] = self.buffer.as_ref()[24..40]
            .try_into()
            .expect("checked length");
        Ipv6Addr::from(b)
    }

    /// The payload, exactly `payload_len` bytes.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[IPV6_HEADER_LEN..IPV6_HEADER_LEN + usize::from(self.payload_len())]
    }
}

/// Parsed fixed IPv6 header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv6Repr {
    /// Source address.
    pub src: Ipv6Addr,
    /// Destination address.
    pub dst: Ipv6Addr,
    /// Next header.
    pub next_header: u8,
    /// Hop limit.
    pub hop_limit: u8,
    /// Payload length.
    pub payload_len: u16,
}

impl Ipv6Repr {
    /// Reads the header out of a checked packet.
    pub fn parse<T: AsRef<[u8]>>(p: &Ipv6Packet<T>) -> Ipv6Repr {
        Ipv6Repr {
            src: p.src(),
            dst: p.dst(),
            next_header: p.next_header(),
            hop_limit: p.hop_limit(),
            payload_len: p.payload_len(),
        }
    }

    /// Writes the header (traffic class and flow label zero) into the first
    /// 40 bytes of `buf`; returns `Truncated` if `buf` is shorter.
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), Malformed> {
        let b = buf.get_mut(..IPV6_HEADER_LEN).ok_or(Malformed::Truncated)?;
        b[0..4].copy_from_slice(&[0x60, 0, 0, 0]);
        b[4..6].copy_from_slice(&self.payload_len.to_be_bytes());
        b[6] = self.next_header;
        b[7] = self.hop_limit;
        b[8..24].copy_from_slice(&self.src.octets());
        b[24..40].copy_from_slice(&self.dst.octets());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_checks() {
        let r = Ipv6Repr {
            src: "fe80::1".parse().unwrap(),
            dst: "2001:db8::2".parse().unwrap(),
            next_header: 58,
            hop_limit: 255,
            payload_len: 2,
        };
        let mut b = [0u8; 42];
        r.emit(&mut b).unwrap();
        assert_eq!(
            Ipv6Repr::parse(&Ipv6Packet::new_checked(&b[..]).unwrap()),
            r
        );
        assert_eq!(
            Ipv6Packet::new_checked(&b[..41]).unwrap_err(),
            Malformed::Truncated
        );
        b[0] = 0x40;
        assert_eq!(
            Ipv6Packet::new_checked(&b[..]).unwrap_err(),
            Malformed::BadIpVersion
        );
    }
}
