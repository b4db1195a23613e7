//! Counters of everything the prober did and dropped, for metrics and tests.

/// Monotonic counters (and two gauges) of one prober. Cheap to copy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Probes handed to the kernel.
    pub probes_sent: u64,
    /// Probes not sent because the target's interface was down or missing.
    pub probes_skipped_iface_down: u64,
    /// Probes the kernel refused (interface gone, buffer full, ...).
    pub send_errors: u64,
    /// Frames read from the sockets (after the kernel's filter).
    pub frames_received: u64,
    /// Answers from the expected MAC ([`ReportKind::Alive`](crate::ReportKind::Alive)).
    pub replies_matched: u64,
    /// Announcements from the expected MAC ([`ReportKind::Announced`](crate::ReportKind::Announced)).
    pub announcements_matched: u64,
    /// Answers or announcements from another MAC ([`ReportKind::Conflict`](crate::ReportKind::Conflict)).
    pub conflicts: u64,
    /// Frames that did not parse (truncated, bad checksum, ...).
    pub dropped_malformed: u64,
    /// Frames from an interface other than the socket's, or for a host that
    /// is a target only on another interface.
    pub dropped_unexpected_iface: u64,
    /// Replies not addressed to this interface's MAC and IP (spoofed or stray).
    pub dropped_not_for_us: u64,
    /// Answers and announcements for addresses that are not targets anywhere.
    pub ignored_unknown_host: u64,
    /// Well-formed frames that are neither answers nor announcements (e.g. NS).
    pub ignored_other: u64,
    /// Reports lost because the user did not keep up with the report channel.
    pub reports_dropped: u64,
    /// Interface (re)configurations: sockets opened for an interface that
    /// appeared, came up or was re-created.
    pub interface_resets: u64,
    /// Gauge: packet sockets open now (two per probed interface that is up,
    /// plus one for sending).
    pub sockets_open: u64,
    /// Gauge: targets configured now.
    pub targets: u64,
}

impl Counters {
    /// Every counter with its name, in a stable order (for metrics and logs).
    pub fn fields(&self) -> [(&'static str, u64); 16] {
        [
            ("probes_sent", self.probes_sent),
            ("probes_skipped_iface_down", self.probes_skipped_iface_down),
            ("send_errors", self.send_errors),
            ("frames_received", self.frames_received),
            ("replies_matched", self.replies_matched),
            ("announcements_matched", self.announcements_matched),
            ("conflicts", self.conflicts),
            ("dropped_malformed", self.dropped_malformed),
            ("dropped_unexpected_iface", self.dropped_unexpected_iface),
            ("dropped_not_for_us", self.dropped_not_for_us),
            ("ignored_unknown_host", self.ignored_unknown_host),
            ("ignored_other", self.ignored_other),
            ("reports_dropped", self.reports_dropped),
            ("interface_resets", self.interface_resets),
            ("sockets_open", self.sockets_open),
            ("targets", self.targets),
        ]
    }
}
