//! Matching a received frame to a target: answer, announcement, conflict,
//! or one of the counted reasons to drop it.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use super::Core;
use crate::report::{IfaceId, Report, ReportKind};
use crate::wire::{ArpOp, Frame, MacAddr, NdiscRepr};

/// How a frame claims `(ip, mac)`.
enum Claim {
    /// A reply addressed to us.
    Answer,
    /// An announcement (gratuitous ARP, unsolicited NA).
    Announcement,
}

pub(super) fn handle(
    core: &mut Core,
    now: Instant,
    iface: IfaceId,
    ifindex: u32,
    bytes: &[u8],
) -> Option<Report> {
    let frame = match Frame::parse(bytes) {
        Ok(f) => f,
        Err(_) => {
            core.counters.dropped_malformed += 1;
            return None;
        }
    };
    let Some(info) = core.ifaces.get(&iface) else {
        core.counters.dropped_unexpected_iface += 1;
        return None;
    };
    if info.ifindex != ifindex {
        core.counters.dropped_unexpected_iface += 1;
        return None;
    }
    let (ip, mac, claim) = match frame {
        Frame::Arp { eth, arp } => {
            if arp.is_gratuitous() {
                (IpAddr::V4(arp.spa), arp.sha, Claim::Announcement)
            } else if arp.op == ArpOp::Reply {
                if eth.dst != info.mac || arp.tha != info.mac || !info.owns_v4(arp.tpa) {
                    core.counters.dropped_not_for_us += 1;
                    return None;
                }
                (IpAddr::V4(arp.spa), arp.sha, Claim::Answer)
            } else {
                core.counters.ignored_other += 1;
                return None;
            }
        }
        Frame::Ndisc { eth, ip, nd } => match nd {
            NdiscRepr::NeighborAdvert {
                flags,
                target,
                target_lladdr,
            } => {
                let mac = target_lladdr.unwrap_or(eth.src);
                if flags.solicited {
                    if eth.dst != info.mac || !info.owns_v6(ip.dst) {
                        core.counters.dropped_not_for_us += 1;
                        return None;
                    }
                    (IpAddr::V6(target), mac, Claim::Answer)
                } else {
                    (IpAddr::V6(target), mac, Claim::Announcement)
                }
            }
            NdiscRepr::NeighborSolicit { .. } => {
                core.counters.ignored_other += 1;
                return None;
            }
        },
    };
    if !mac.is_unicast() {
        core.counters.dropped_malformed += 1;
        return None;
    }
    let now_us = core.micros(now);
    let Some(entry) = core.schedule.get_mut_near(&(iface, ip)) else {
        return unknown(core, iface, ip, mac);
    };
    let kind = if mac != entry.mac {
        core.counters.conflicts += 1;
        ReportKind::Conflict { seen_mac: mac }
    } else {
        match claim {
            Claim::Answer => {
                core.counters.replies_matched += 1;
                let sent_us = std::mem::take(&mut entry.sent_us);
                let rtt = (sent_us != 0)
                    .then(|| Duration::from_micros(u64::from(now_us.wrapping_sub(sent_us))));
                ReportKind::Alive { rtt }
            }
            Claim::Announcement => {
                core.counters.announcements_matched += 1;
                ReportKind::Announced
            }
        }
    };
    Some(Report {
        iface,
        ip,
        mac: entry.mac,
        kind,
    })
}

fn unknown(core: &mut Core, iface: IfaceId, ip: IpAddr, mac: MacAddr) -> Option<Report> {
    if core.is_target_elsewhere(iface, ip) {
        // a target, but on another interface: never liveness for it
        core.counters.dropped_unexpected_iface += 1;
        return None;
    }
    core.counters.ignored_unknown_host += 1;
    core.config.report_unknown.then_some(Report {
        iface,
        ip,
        mac,
        kind: ReportKind::Discovered,
    })
}
