//! Classic BPF socket filters, built as plain data (no I/O): the kernel runs
//! them on every frame before it is queued to a socket, so only replies and
//! announcements ever reach user space. Also a small interpreter for the
//! instructions used here, so the programs are tested on captured frames.

/// One classic BPF instruction, laid out as the kernel's `struct sock_filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insn {
    /// Opcode.
    pub code: u16,
    /// Jump offset if true.
    pub jt: u8,
    /// Jump offset if false.
    pub jf: u8,
    /// Constant operand.
    pub k: u32,
}

const LD_W_ABS: u16 = 0x20;
const LD_H_ABS: u16 = 0x28;
const LD_B_ABS: u16 = 0x30;
const LDX_MEM: u16 = 0x61;
const ST: u16 = 0x02;
const JEQ_K: u16 = 0x15;
const JEQ_X: u16 = 0x1d;
const RET_K: u16 = 0x06;

/// `SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT`: the ancillary load that is 1 when
/// the frame still carries an 802.1Q tag (it belongs to a VLAN subinterface).
const VLAN_TAG_PRESENT: u32 = 0xffff_f000 + 48;

/// Bytes of an ARP frame handed to user space (header, packet and padding).
pub const ARP_SNAPLEN: u32 = 128;
/// Bytes of a Neighbour Advertisement handed to user space.
pub const NA_SNAPLEN: u32 = 512;

/// A jump target while building: index of an instruction.
#[derive(Clone, Copy)]
enum T {
    Next,
    At(usize),
}

struct Builder {
    insns: Vec<(u16, T, T, u32)>,
}

impl Builder {
    fn op(&mut self, code: u16, k: u32) {
        self.insns.push((code, T::Next, T::Next, k));
    }
    fn jeq(&mut self, code: u16, k: u32, jt: T, jf: T) {
        self.insns.push((code, jt, jf, k));
    }
    fn finish(self) -> Vec<Insn> {
        let resolve = |i: usize, t: T| -> u8 {
            match t {
                T::Next => 0,
                T::At(target) => u8::try_from(target - i - 1).expect("filter programs are short"),
            }
        };
        self.insns
            .iter()
            .enumerate()
            .map(|(i, &(code, jt, jf, k))| Insn {
                code,
                jt: resolve(i, jt),
                jf: resolve(i, jf),
                k,
            })
            .collect()
    }
}

/// The ARP socket's filter: accept untagged Ethernet/IPv4 ARP that is a reply
/// (op 2) or a gratuitous request (op 1 with sender IP = target IP); drop
/// everything else, including ordinary requests.
pub fn arp_filter() -> Vec<Insn> {
    const ACCEPT: usize = 16;
    const DROP: usize = 17;
    let mut b = Builder { insns: Vec::new() };
    b.op(LD_W_ABS, VLAN_TAG_PRESENT); // 0
    b.jeq(JEQ_K, 0, T::Next, T::At(DROP)); // 1
    b.op(LD_H_ABS, 12); // 2 ethertype
    b.jeq(JEQ_K, 0x0806, T::Next, T::At(DROP)); // 3
    b.op(LD_W_ABS, 14); // 4 htype, ptype
    b.jeq(JEQ_K, 0x0001_0800, T::Next, T::At(DROP)); // 5
    b.op(LD_H_ABS, 18); // 6 hlen, plen
    b.jeq(JEQ_K, 0x0604, T::Next, T::At(DROP)); // 7
    b.op(LD_H_ABS, 20); // 8 op
    b.jeq(JEQ_K, 2, T::At(ACCEPT), T::Next); // 9
    b.jeq(JEQ_K, 1, T::Next, T::At(DROP)); // 10
    b.op(LD_W_ABS, 28); // 11 spa
    b.op(ST, 0); // 12
    b.op(LDX_MEM, 0); // 13
    b.op(LD_W_ABS, 38); // 14 tpa
    b.jeq(JEQ_X, 0, T::At(ACCEPT), T::At(DROP)); // 15
    b.op(RET_K, ARP_SNAPLEN); // 16 ACCEPT
    b.op(RET_K, 0); // 17 DROP
    b.finish()
}

/// The IPv6 socket's filter: accept untagged IPv6 frames whose next header
/// is ICMPv6 and whose ICMPv6 type is 136 (Neighbour Advertisement, solicited
/// or not) with hop limit 255; drop everything else.
pub fn na_filter() -> Vec<Insn> {
    const ACCEPT: usize = 10;
    const DROP: usize = 11;
    let mut b = Builder { insns: Vec::new() };
    b.op(LD_W_ABS, VLAN_TAG_PRESENT); // 0
    b.jeq(JEQ_K, 0, T::Next, T::At(DROP)); // 1
    b.op(LD_H_ABS, 12); // 2
    b.jeq(JEQ_K, 0x86dd, T::Next, T::At(DROP)); // 3
    b.op(LD_B_ABS, 20); // 4 next header
    b.jeq(JEQ_K, 58, T::Next, T::At(DROP)); // 5
    b.op(LD_B_ABS, 54); // 6 ICMPv6 type
    b.jeq(JEQ_K, 136, T::Next, T::At(DROP)); // 7
    b.op(LD_B_ABS, 21); // 8 hop limit
    b.jeq(JEQ_K, 255, T::At(ACCEPT), T::At(DROP)); // 9
    b.op(RET_K, NA_SNAPLEN); // 10 ACCEPT
    b.op(RET_K, 0); // 11 DROP
    b.finish()
}

/// A filter that accepts nothing: attached to a fresh socket before it is
/// bound, so no frame from another interface slips in before the real filter.
pub fn drop_all() -> Vec<Insn> {
    vec![Insn {
        code: RET_K,
        jt: 0,
        jf: 0,
        k: 0,
    }]
}

/// Runs `prog` on `frame` like the kernel would for the instructions used in
/// this module; `vlan_tagged` is the value of the VLAN-tag-present ancillary
/// load. Returns the number of bytes the kernel would keep (0 = drop).
/// Unknown instructions and out-of-bounds loads drop, as in the kernel.
pub fn run(prog: &[Insn], frame: &[u8], vlan_tagged: bool) -> u32 {
    let (mut a, mut x, mut mem) = (0u32, 0u32, [0u32; 16]);
    let mut pc = 0usize;
    let load = |k: u32, n: usize| -> Option<u32> {
        if k == VLAN_TAG_PRESENT {
            return Some(u32::from(vlan_tagged));
        }
        let k = usize::try_from(k).ok()?;
        let b = frame.get(k..k.checked_add(n)?)?;
        Some(
            b.iter()
                .fold(0u32, |acc, &byte| (acc << 8) | u32::from(byte)),
        )
    };
    while let Some(i) = prog.get(pc) {
        pc += 1;
        match i.code {
            LD_W_ABS | LD_H_ABS | LD_B_ABS => {
                let n = match i.code {
                    LD_W_ABS => 4,
                    LD_H_ABS => 2,
                    _ => 1,
                };
                match load(i.k, n) {
                    Some(v) => a = v,
                    None => return 0,
                }
            }
            ST => mem[(i.k & 15) as usize] = a,
            LDX_MEM => x = mem[(i.k & 15) as usize],
            JEQ_K | JEQ_X => {
                let operand = if i.code == JEQ_K { i.k } else { x };
                pc += usize::from(if a == operand { i.jt } else { i.jf });
            }
            RET_K => return i.k,
            _ => return 0,
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{
        build_arp_probe, build_ns_probe, ArpOp, ArpRepr, EtherType, EthernetRepr, Frame, MacAddr,
    };
    use std::net::Ipv4Addr;

    const A: MacAddr = MacAddr([2, 0, 0, 0, 0, 1]);
    const B: MacAddr = MacAddr([2, 0, 0, 0, 0, 2]);

    fn arp(op: ArpOp, spa: [u8; 4], tpa: [u8; 4]) -> Vec<u8> {
        let mut buf = vec![0u8; 60];
        let f = Frame::Arp {
            eth: EthernetRepr {
                src: B,
                dst: A,
                ethertype: EtherType::Arp,
            },
            arp: ArpRepr {
                op,
                sha: B,
                spa: spa.into(),
                tha: A,
                tpa: tpa.into(),
            },
        };
        f.emit(&mut buf).unwrap();
        buf
    }

    #[test]
    fn arp_filter_passes_replies_and_gratuitous_only() {
        let p = arp_filter();
        assert_eq!(
            run(&p, &arp(ArpOp::Reply, [10, 0, 0, 2], [10, 0, 0, 1]), false),
            ARP_SNAPLEN
        );
        assert_eq!(
            run(
                &p,
                &arp(ArpOp::Request, [10, 0, 0, 2], [10, 0, 0, 2]),
                false
            ),
            ARP_SNAPLEN
        );
        assert_eq!(
            run(
                &p,
                &arp(ArpOp::Request, [10, 0, 0, 2], [10, 0, 0, 1]),
                false
            ),
            0
        );
        assert_eq!(
            run(&p, &arp(ArpOp::Reply, [10, 0, 0, 2], [10, 0, 0, 1]), true),
            0
        );
        let mut probe = [0u8; 64];
        let n = build_arp_probe(
            &mut probe,
            A,
            Ipv4Addr::new(10, 0, 0, 1),
            B,
            Ipv4Addr::new(10, 0, 0, 2),
        )
        .unwrap();
        assert_eq!(
            run(&p, &probe[..n], false),
            0,
            "our own requests never come back"
        );
        assert_eq!(run(&p, &probe[..20], false), 0, "short frames are dropped");
    }

    #[test]
    fn na_filter_drops_ns() {
        let mut ns = [0u8; 128];
        let n = build_ns_probe(
            &mut ns,
            A,
            "fe80::1".parse().unwrap(),
            B,
            "fe80::2".parse().unwrap(),
        )
        .unwrap();
        assert_eq!(run(&na_filter(), &ns[..n], false), 0);
        ns[54] = 136;
        assert_eq!(run(&na_filter(), &ns[..n], false), NA_SNAPLEN);
    }

    #[test]
    fn jumps_stay_in_program() {
        for p in [arp_filter(), na_filter(), drop_all()] {
            for (i, insn) in p.iter().enumerate() {
                assert!(i + 1 + usize::from(insn.jt) < p.len() || insn.code == RET_K);
                assert!(i + 1 + usize::from(insn.jf) < p.len() || insn.code == RET_K);
            }
            assert_eq!(p.last().unwrap().code, RET_K);
        }
    }
}
