//! ARP for Ethernet/IPv4 (RFC 826): zero-copy view and parsed representation.

use std::net::Ipv4Addr;

use super::{MacAddr, Malformed};

/// Length of an Ethernet/IPv4 ARP packet (without the Ethernet header).
pub const ARP_LEN: usize = 28;

/// ARP operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArpOp {
    /// 1.
    Request,
    /// 2.
    Reply,
}

impl ArpOp {
    /// The on-wire value.
    pub const fn value(self) -> u16 {
        match self {
            ArpOp::Request => 1,
            ArpOp::Reply => 2,
        }
    }
}

/// A view over an ARP packet. [`ArpPacket::new_checked`] checks the length and
/// that hardware/protocol are Ethernet/IPv4, so the getters cannot panic.
#[derive(Debug, Clone, Copy)]
pub struct ArpPacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> ArpPacket<T> {
    /// Wraps `buffer` (which may be followed by Ethernet padding).
    pub fn new_checked(buffer: T) -> Result<Self, Malformed> {
        let b = buffer.as_ref();
        if b.len() < ARP_LEN {
            return Err(Malformed::Truncated);
        }
        // htype 1 (Ethernet), ptype 0x0800, hlen 6, plen 4
        if b[0..6] != [0, 1, 8, 0, 6, 4] {
            return Err(Malformed::UnsupportedArp);
        }
        Ok(ArpPacket { buffer })
    }

    /// Wraps `buffer` after checking only its length, for emitting into it.
    pub fn new_unchecked_len(buffer: T) -> Result<Self, Malformed> {
        if buffer.as_ref().len() < ARP_LEN {
            return Err(Malformed::Truncated);
        }
        Ok(ArpPacket { buffer })
    }

    /// Raw operation field.
    pub fn op_raw(&self) -> u16 {
        let b = self.buffer.as_ref();
        u16::from_be_bytes([b[6], b[7]])
    }

    /// Sender hardware address.
    pub fn sha(&self) -> MacAddr {
        let b = self.buffer.as_ref();
        MacAddr([b[8], b[9], b[10], b[11], b[12], b[13]])
    }

    /// Sender protocol address.
    pub fn spa(&self) -> Ipv4Addr {
        let b = self.buffer.as_ref();
        Ipv4Addr::new(b[14], b[15], b[16], b[17])
    }

    /// Target hardware address.
    pub fn tha(&self) -> MacAddr {
        let b = self.buffer.as_ref();
        MacAddr([b[18], b[19], b[20], b[21], b[22], b[23]])
    }

    /// Target protocol address.
    pub fn tpa(&self) -> Ipv4Addr {
        let b = self.buffer.as_ref();
        Ipv4Addr::new(b[24], b[25], b[26], b[27])
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> ArpPacket<T> {
    /// Writes the whole packet from its fields.
    pub fn fill(&mut self, op: ArpOp, sha: MacAddr, spa: Ipv4Addr, tha: MacAddr, tpa: Ipv4Addr) {
        let b = &mut self.buffer.as_mut()[..ARP_LEN];
        b[0..6].copy_from_slice(&[0, 1, 8, 0, 6, 4]);
        b[6..8].copy_from_slice(&op.value().to_be_bytes());
        b[8..14].copy_from_slice(&sha.0);
        b[14..18].copy_from_slice(&spa.octets());
        b[18..24].copy_from_slice(&tha.0);
        b[24..28].copy_from_slice(&tpa.octets());
    }
}

/// Parsed ARP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArpRepr {
    /// Request or reply.
    pub op: ArpOp,
    /// Sender hardware address.
    pub sha: MacAddr,
    /// Sender protocol address.
    pub spa: Ipv4Addr,
    /// Target hardware address.
    pub tha: MacAddr,
    /// Target protocol address.
    pub tpa: Ipv4Addr,
}

impl ArpRepr {
    /// Parses a checked packet; rejects operations other than request and reply.
    pub fn parse<T: AsRef<[u8]>>(p: &ArpPacket<T>) -> Result<ArpRepr, Malformed> {
        let op = match p.op_raw() {
            1 => ArpOp::Request,
            2 => ArpOp::Reply,
            other => return Err(Malformed::UnsupportedArpOp(other)),
        };
        Ok(ArpRepr {
            op,
            sha: p.sha(),
            spa: p.spa(),
            tha: p.tha(),
            tpa: p.tpa(),
        })
    }

    /// Writes the packet.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, p: &mut ArpPacket<T>) {
        p.fill(self.op, self.sha, self.spa, self.tha, self.tpa);
    }

    /// Gratuitous ARP: sender and target protocol address are the same (an
    /// announcement of the sender's own binding, request or reply).
    pub fn is_gratuitous(&self) -> bool {
        self.spa == self.tpa && !self.spa.is_unspecified()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_ethernet_ipv4() {
        let mut b = [0u8; 28];
        b[0..6].copy_from_slice(&[0, 6, 8, 0, 6, 4]);
        assert_eq!(
            ArpPacket::new_checked(&b[..]).unwrap_err(),
            Malformed::UnsupportedArp
        );
        assert_eq!(
            ArpPacket::new_checked(&b[..27]).unwrap_err(),
            Malformed::Truncated
        );
    }

    #[test]
    fn rejects_unknown_op() {
        let mut b = [0u8; 28];
        b[0..8].copy_from_slice(&[0, 1, 8, 0, 6, 4, 0, 3]);
        let p = ArpPacket::new_checked(&b[..]).unwrap();
        assert_eq!(
            ArpRepr::parse(&p).unwrap_err(),
            Malformed::UnsupportedArpOp(3)
        );
    }

    #[test]
    fn round_trip() {
        let r = ArpRepr {
            op: ArpOp::Reply,
            sha: MacAddr([2, 0, 0, 0, 0, 2]),
            spa: Ipv4Addr::new(10, 0, 0, 2),
            tha: MacAddr([2, 0, 0, 0, 0, 1]),
            tpa: Ipv4Addr::new(10, 0, 0, 1),
        };
        let mut b = [0u8; 28];
        r.emit(&mut ArpPacket::new_unchecked_len(&mut b[..]).unwrap());
        assert_eq!(
            ArpRepr::parse(&ArpPacket::new_checked(&b[..]).unwrap()).unwrap(),
            r
        );
        assert!(!r.is_gratuitous());
    }
}
