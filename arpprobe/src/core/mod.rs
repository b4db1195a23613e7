//! The sans-IO prober: targets, interfaces, the probe schedule, and the
//! matching of received frames to targets. It takes `(now, events)` and
//! returns frames to send and [`Report`]s; it owns no clock and no socket,
//! so it is driven the same way by the tokio driver and by tests.

mod matcher;
mod schedule;

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::counters::Counters;
use crate::iface::IfaceInfo;
use crate::report::{IfaceId, Report, ReportKind};
use crate::txbatch::TxBatch;
use crate::wire::{build_arp_probe, build_ns_probe, MacAddr};
use crate::Error;
use schedule::Schedule;

/// Settings of the core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoreConfig {
    /// Every target is probed once per interval (default 1 s).
    pub interval: Duration,
    /// Emit [`ReportKind::ProbeSent`] for every probe (default off).
    pub report_sent: bool,
    /// Emit [`ReportKind::Discovered`] for answers and announcements from
    /// addresses that are not targets on that interface (default off).
    pub report_unknown: bool,
}

impl Default for CoreConfig {
    fn default() -> Self {
        CoreConfig {
            interval: Duration::from_secs(1),
            report_sent: false,
            report_unknown: false,
        }
    }
}

/// A target: 12 bytes, 36 with its key in the schedule (3.6 MB for
/// 100,000 targets).
#[derive(Debug)]
pub(crate) struct Entry {
    mac: MacAddr,
    /// When the last unanswered probe went out: microseconds since the
    /// core's epoch, wrapping every 71 minutes (a round trip is far
    /// shorter); 0 when none is outstanding.
    sent_us: u32,
}

/// The prober state machine. See the module documentation.
#[derive(Debug)]
pub struct Core {
    config: CoreConfig,
    ifaces: HashMap<IfaceId, IfaceInfo>,
    schedule: Schedule<(IfaceId, IpAddr), Entry>,
    /// Targets per interface: where to look for an address answering on
    /// the wrong interface.
    iface_targets: HashMap<IfaceId, u32>,
    counters: Counters,
    /// The origin of `Entry::sent_us`.
    epoch: Instant,
}

impl Core {
    /// A core with no targets and no interfaces.
    pub fn new(config: CoreConfig) -> Core {
        Core {
            config,
            ifaces: HashMap::new(),
            schedule: Schedule::new(config.interval),
            iface_targets: HashMap::new(),
            counters: Counters::default(),
            epoch: Instant::now(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &CoreConfig {
        &self.config
    }

    /// Declares `iface` up with the given kernel details, or (with `None`)
    /// down or gone: its targets are kept but skipped until it is back.
    pub fn set_interface(&mut self, iface: IfaceId, info: Option<IfaceInfo>) {
        match info {
            Some(i) => {
                self.ifaces.insert(iface, i);
            }
            None => {
                self.ifaces.remove(&iface);
            }
        }
    }

    /// The details of `iface`, if it is up.
    pub fn interface(&self, iface: IfaceId) -> Option<&IfaceInfo> {
        self.ifaces.get(&iface)
    }

    /// Adds (or updates the MAC of) a target. The MAC must be unicast.
    pub fn add_target(&mut self, iface: IfaceId, ip: IpAddr, mac: MacAddr) -> Result<(), Error> {
        if !mac.is_unicast() {
            return Err(Error::InvalidTarget {
                ip,
                reason: "MAC is not a unicast address",
            });
        }
        if ip.is_unspecified()
            || ip.is_multicast()
            || ip == IpAddr::V4(std::net::Ipv4Addr::BROADCAST)
        {
            return Err(Error::InvalidTarget {
                ip,
                reason: "address is not a unicast host address",
            });
        }
        if self.schedule.insert((iface, ip), Entry { mac, sent_us: 0 }) {
            *self.iface_targets.entry(iface).or_insert(0) += 1;
        }
        self.counters.targets = self.schedule.len() as u64;
        Ok(())
    }

    /// Removes a target; returns whether it existed.
    pub fn remove_target(&mut self, iface: IfaceId, ip: IpAddr) -> bool {
        let existed = self.schedule.remove(&(iface, ip)).is_some();
        if existed {
            if let Some(n) = self.iface_targets.get_mut(&iface) {
                *n -= 1;
                if *n == 0 {
                    self.iface_targets.remove(&iface);
                }
            }
        }
        self.counters.targets = self.schedule.len() as u64;
        existed
    }

    /// Whether `ip` is a target on an interface other than `iface`.
    pub(crate) fn is_target_elsewhere(&self, iface: IfaceId, ip: IpAddr) -> bool {
        self.iface_targets
            .keys()
            .any(|&other| other != iface && self.schedule.get(&(other, ip)).is_some())
    }

    /// `now` in the wrapping microseconds of `Entry::sent_us`, never 0.
    pub(crate) fn micros(&self, now: Instant) -> u32 {
        let us = now.saturating_duration_since(self.epoch).as_micros();
        // the low 32 bits: the clock wraps, and only differences count
        ((us & u128::from(u32::MAX)) as u32).max(1)
    }

    /// The MAC a target is probed at.
    pub fn target_mac(&self, iface: IfaceId, ip: IpAddr) -> Option<MacAddr> {
        self.schedule.get(&(iface, ip)).map(|e| e.mac)
    }

    /// Number of targets.
    pub fn target_count(&self) -> usize {
        self.schedule.len()
    }

    /// Queues the probes due at `now` into `batch` (as many as fit) and
    /// appends a [`ReportKind::ProbeSent`] per probe to `reports` if so
    /// configured. Targets whose interface is down are skipped and counted.
    pub fn poll_transmit(&mut self, now: Instant, batch: &mut TxBatch, reports: &mut Vec<Report>) {
        let sent_us = self.micros(now);
        let room = batch.capacity_left();
        let ifaces = &self.ifaces;
        let counters = &mut self.counters;
        let report_sent = self.config.report_sent;
        self.schedule.poll(now, room, |&(iface, ip), entry| {
            let Some(info) = ifaces.get(&iface) else {
                counters.probes_skipped_iface_down += 1;
                return;
            };
            let queued = match ip {
                IpAddr::V4(dst) => batch.push_with(info.ifindex, 0x0806, |buf| {
                    build_arp_probe(buf, info.mac, info.arp_source(dst), entry.mac, dst)
                }),
                IpAddr::V6(dst) => batch.push_with(info.ifindex, 0x86dd, |buf| {
                    build_ns_probe(buf, info.mac, info.ns_source(dst), entry.mac, dst)
                }),
            };
            if queued {
                entry.sent_us = sent_us;
                counters.probes_sent += 1;
                if report_sent {
                    reports.push(Report {
                        iface,
                        ip,
                        mac: entry.mac,
                        kind: ReportKind::ProbeSent,
                    });
                }
            }
        });
    }

    /// When [`Core::poll_transmit`] should next be called (`None`: no targets).
    pub fn next_wakeup(&self) -> Option<Instant> {
        self.schedule.next_wakeup()
    }

    /// Handles one frame read from `iface`'s socket; `ifindex` is the
    /// interface the kernel says it arrived on. Returns the report it gives
    /// rise to, if any. Never panics; everything dropped is counted.
    pub fn handle_frame(
        &mut self,
        now: Instant,
        iface: IfaceId,
        ifindex: u32,
        frame: &[u8],
    ) -> Option<Report> {
        self.counters.frames_received += 1;
        matcher::handle(self, now, iface, ifindex, frame)
    }

    /// The counters.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// Mutable counters, for the driver's own (send errors, sockets, ...).
    pub fn counters_mut(&mut self) -> &mut Counters {
        &mut self.counters
    }
}

#[cfg(test)]
mod tests;
