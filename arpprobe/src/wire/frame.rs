//! Whole frames: parsing an Ethernet frame into the one message arpprobe cares
//! about (ARP, or NS/NA in IPv6), and building the two probes it sends.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{
    ArpOp, ArpPacket, ArpRepr, EtherType, EthernetFrame, EthernetRepr, Ipv6Packet, Ipv6Repr,
    MacAddr, Malformed, NdiscPacket, NdiscRepr, ARP_LEN, ETHERNET_HEADER_LEN, IPV6_HEADER_LEN,
    NEXT_HEADER_ICMPV6,
};

/// Length of a unicast ARP probe (no Ethernet padding: the NIC or the
/// receiving kernel copes with 42-byte frames, as with Linux's own ARP).
pub const ARP_PROBE_LEN: usize = ETHERNET_HEADER_LEN + ARP_LEN;
/// Length of a unicast NS with the source link-layer address option.
pub const NS_PROBE_LEN: usize = ETHERNET_HEADER_LEN + IPV6_HEADER_LEN + 32;
/// Length of a unicast NS from the unspecified address (no option allowed).
pub const NS_PROBE_LEN_NO_SLLA: usize = ETHERNET_HEADER_LEN + IPV6_HEADER_LEN + 24;

/// A parsed frame of one of the kinds arpprobe handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// An ARP packet.
    Arp {
        /// Ethernet header.
        eth: EthernetRepr,
        /// ARP packet.
        arp: ArpRepr,
    },
    /// An IPv6 Neighbour Solicitation or Advertisement.
    Ndisc {
        /// Ethernet header.
        eth: EthernetRepr,
        /// IPv6 header.
        ip: Ipv6Repr,
        /// The NS or NA.
        nd: NdiscRepr,
    },
}

impl Frame {
    /// Parses a complete Ethernet frame. Never panics; anything that is not a
    /// well-formed ARP or NS/NA gives a [`Malformed`] reason.
    pub fn parse(bytes: &[u8]) -> Result<Frame, Malformed> {
        let eth_frame = EthernetFrame::new_checked(bytes)?;
        let eth = EthernetRepr::parse(&eth_frame);
        match eth.ethertype {
            EtherType::Arp => {
                let arp = ArpRepr::parse(&ArpPacket::new_checked(eth_frame.payload())?)?;
                Ok(Frame::Arp { eth, arp })
            }
            EtherType::Ipv6 => {
                let ip_packet = Ipv6Packet::new_checked(eth_frame.payload())?;
                let ip = Ipv6Repr::parse(&ip_packet);
                if ip.next_header != NEXT_HEADER_ICMPV6 {
                    return Err(Malformed::NotIcmpv6(ip.next_header));
                }
                let nd = NdiscRepr::parse(&ip, &NdiscPacket::new_checked(ip_packet.payload())?)?;
                Ok(Frame::Ndisc { eth, ip, nd })
            }
            EtherType::Other(t) => Err(Malformed::UnsupportedEtherType(t)),
        }
    }

    /// Writes the frame into `buf`; returns its length. The inverse of
    /// [`Frame::parse`] (used by tests, the fuzzer and the test tool that
    /// injects replies).
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Malformed> {
        match self {
            Frame::Arp { eth, arp } => {
                let len = ETHERNET_HEADER_LEN + ARP_LEN;
                let b = buf.get_mut(..len).ok_or(Malformed::Truncated)?;
                let mut f = EthernetFrame::new_checked(&mut b[..])?;
                eth.emit(&mut f);
                arp.emit(&mut ArpPacket::new_unchecked_len(f.payload_mut())?);
                Ok(len)
            }
            Frame::Ndisc { eth, ip, nd } => {
                let len = ETHERNET_HEADER_LEN + IPV6_HEADER_LEN + nd.buffer_len();
                let b = buf.get_mut(..len).ok_or(Malformed::Truncated)?;
                let mut f = EthernetFrame::new_checked(&mut b[..])?;
                eth.emit(&mut f);
                let ip = Ipv6Repr {
                    payload_len: nd.buffer_len() as u16,
                    ..*ip
                };
                let payload = f.payload_mut();
                ip.emit(payload)?;
                nd.emit(&ip.src, &ip.dst, &mut payload[IPV6_HEADER_LEN..])?;
                Ok(len)
            }
        }
    }
}

/// Builds the IPv4 probe: a unicast ARP request to `dst_mac` asking for
/// `dst_ip`, from the interface's own MAC and `src_ip` (0.0.0.0 on an
/// interface without IPv4, which Linux answers with a unicast reply to
/// `src_mac` whose target protocol address is 0.0.0.0). The target hardware
/// address is zero, as in the kernel's own unicast probes. Returns the length.
pub fn build_arp_probe(
    buf: &mut [u8],
    src_mac: MacAddr,
    src_ip: Ipv4Addr,
    dst_mac: MacAddr,
    dst_ip: Ipv4Addr,
) -> Result<usize, Malformed> {
    Frame::Arp {
        eth: EthernetRepr {
            src: src_mac,
            dst: dst_mac,
            ethertype: EtherType::Arp,
        },
        arp: ArpRepr {
            op: ArpOp::Request,
            sha: src_mac,
            spa: src_ip,
            tha: MacAddr::ZERO,
            tpa: dst_ip,
        },
    }
    .emit(buf)
}

/// Builds the IPv6 probe: a Neighbour Solicitation sent unicast to `dst_ip`
/// at `dst_mac`, hop limit 255, with the source link-layer address option
/// (left out when `src_ip` is unspecified, as RFC 4861 requires). Returns the length.
pub fn build_ns_probe(
    buf: &mut [u8],
    src_mac: MacAddr,
    src_ip: Ipv6Addr,
    dst_mac: MacAddr,
    dst_ip: Ipv6Addr,
) -> Result<usize, Malformed> {
    let source_lladdr = if src_ip.is_unspecified() {
        None
    } else {
        Some(src_mac)
    };
    Frame::Ndisc {
        eth: EthernetRepr {
            src: src_mac,
            dst: dst_mac,
            ethertype: EtherType::Ipv6,
        },
        ip: Ipv6Repr {
            src: src_ip,
            dst: dst_ip,
            next_header: NEXT_HEADER_ICMPV6,
            hop_limit: 255,
            payload_len: 0,
        },
        nd: NdiscRepr::NeighborSolicit {
            target: dst_ip,
            source_lladdr,
        },
    }
    .emit(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUR: MacAddr = MacAddr([0x02, 0, 0, 0, 0, 0x01]);
    const HOST: MacAddr = MacAddr([0x02, 0, 0, 0, 0, 0x02]);

    #[test]
    fn arp_probe_bytes() {
        let mut b = [0u8; 64];
        let n = build_arp_probe(
            &mut b,
            OUR,
            Ipv4Addr::new(10, 0, 0, 1),
            HOST,
            Ipv4Addr::new(10, 0, 0, 2),
        )
        .unwrap();
        assert_eq!(n, ARP_PROBE_LEN);
        assert_eq!(
            hex::encode(&b[..n]),
            concat!(
                "020000000002",
                "020000000001",
                "0806",
                "0001",
                "0800",
                "06",
                "04",
                "0001",
                "020000000001",
                "0a000001",
                "000000000000",
                "0a000002"
            )
        );
    }

    #[test]
    fn ns_probe_bytes() {
        let mut b = [0u8; 128];
        let src: Ipv6Addr = "fe80::1".parse().unwrap();
        let dst: Ipv6Addr = "fe80::2".parse().unwrap();
        let n = build_ns_probe(&mut b, OUR, src, HOST, dst).unwrap();
        assert_eq!(n, NS_PROBE_LEN);
        // hop limit 255, next header 58, type 135, SLLA option with our MAC
        assert_eq!(b[14 + 6], 58);
        assert_eq!(b[14 + 7], 255);
        assert_eq!(b[54], 135);
        assert_eq!(&b[78..86], &[1, 1, 2, 0, 0, 0, 0, 1]);
        match Frame::parse(&b[..n]).unwrap() {
            Frame::Ndisc {
                nd:
                    NdiscRepr::NeighborSolicit {
                        target,
                        source_lladdr,
                    },
                ..
            } => {
                assert_eq!(target, dst);
                assert_eq!(source_lladdr, Some(OUR));
            }
            f => panic!("unexpected {f:?}"),
        }
        let n = build_ns_probe(&mut b, OUR, Ipv6Addr::UNSPECIFIED, HOST, dst).unwrap();
        assert_eq!(n, NS_PROBE_LEN_NO_SLLA);
        assert!(Frame::parse(&b[..n]).is_ok());
    }

    #[test]
    fn short_buffers_are_errors_not_panics() {
        let mut b = [0u8; 41];
        assert_eq!(
            build_arp_probe(
                &mut b,
                OUR,
                Ipv4Addr::UNSPECIFIED,
                HOST,
                Ipv4Addr::LOCALHOST
            ),
            Err(Malformed::Truncated)
        );
        let mut b = [0u8; 85];
        assert_eq!(
            build_ns_probe(
                &mut b,
                OUR,
                "fe80::1".parse().unwrap(),
                HOST,
                "fe80::2".parse().unwrap()
            ),
            Err(Malformed::Truncated)
        );
    }

    #[test]
    fn parse_rejects_other_ethertypes_and_next_headers() {
        let mut b = [0u8; 60];
        b[12..14].copy_from_slice(&[0x08, 0x00]);
        assert_eq!(
            Frame::parse(&b),
            Err(Malformed::UnsupportedEtherType(0x0800))
        );
        b[12..14].copy_from_slice(&[0x86, 0xdd]);
        b[14] = 0x60;
        b[14 + 6] = 17;
        assert_eq!(Frame::parse(&b), Err(Malformed::NotIcmpv6(17)));
    }
}
