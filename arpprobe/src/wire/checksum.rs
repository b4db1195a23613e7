//! The Internet checksum (RFC 1071) over the IPv6 pseudo-header, for ICMPv6.

use std::net::Ipv6Addr;

/// Adds `data` as big-endian 16-bit words to a 32-bit accumulator.
fn sum_words(mut acc: u32, data: &[u8]) -> u32 {
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        acc = acc.wrapping_add(u32::from(u16::from_be_bytes([c[0], c[1]])));
    }
    if let [last] = chunks.remainder() {
        acc = acc.wrapping_add(u32::from(*last) << 8);
    }
    acc
}

fn fold(mut acc: u32) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

/// The ICMPv6 checksum of `icmp` (with its checksum field as it is in the
/// buffer) for the given addresses. Emit: zero the field, store the result.
/// Verify: the result over a received message is 0.
pub fn icmpv6_checksum(src: &Ipv6Addr, dst: &Ipv6Addr, icmp: &[u8]) -> u16 {
    let mut acc = sum_words(0, &src.octets());
    acc = sum_words(acc, &dst.octets());
    let len = icmp.len() as u32;
    acc = acc.wrapping_add(len >> 16).wrapping_add(len & 0xffff);
    acc = acc.wrapping_add(58); // next header: ICMPv6
    acc = sum_words(acc, icmp);
    !fold(acc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_length_pads_with_zero() {
        assert_eq!(sum_words(0, &[1]), sum_words(0, &[1, 0]));
        assert_eq!(fold(0x1_fffe), 0xffff);
    }

    #[test]
    fn verifies_to_zero() {
        let src: Ipv6Addr = "fe80::1".parse().unwrap();
        let dst: Ipv6Addr = "fe80::2".parse().unwrap();
        let mut msg = [
            135u8, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
        ];
        let c = icmpv6_checksum(&src, &dst, &msg);
        msg[2..4].copy_from_slice(&c.to_be_bytes());
        assert_eq!(icmpv6_checksum(&src, &dst, &msg), 0);
    }
}
