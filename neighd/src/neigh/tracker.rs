//! The tracker task. One rtnetlink socket, subscribed to links, addresses
//! and neighbours *before* it dumps them, so every change lands either in
//! a dump or after it; dump lines and notifications are applied in the
//! order the kernel queued them. A [`Snapshot`](super::Snapshot) goes out
//! first and again after any loss of sync (overrun, inconsistent dump,
//! unreadable datagram); incremental events in between.

use std::sync::Arc;
use std::time::Duration;

use netlink_packet_route::address::AddressMessage;
use netlink_packet_route::link::LinkMessage;
use netlink_packet_route::neighbour::NeighbourMessage;
use netlink_packet_route::RouteNetlinkMessage;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::counters::SharedCounters;
use super::decode::{decode, Decoded, Update};
use super::table::{LostSync, Table};
use super::{Counters, NeighError, NeighEvent};
use crate::netlink::{error_code, groups, Frame, Frames, Received, RtnlSocket};

/// The groups the tracker listens to.
const GROUPS: [u32; 4] = [
    groups::LINK,
    groups::NEIGH,
    groups::IPV4_IFADDR,
    groups::IPV6_IFADDR,
];

/// A dump that sends nothing for this long is abandoned with its socket.
/// A running dump delivers datagram after datagram; a stuck one (see
/// `dump_all`) delivers nothing at all.
const DUMP_STALL: Duration = Duration::from_secs(1);

/// Message types below this are netlink control messages (`NLMSG_*`).
const NLMSG_MIN_TYPE: u16 = 0x10;

/// How the tracker is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackerOptions {
    /// The socket's receive buffer in bytes: how large a burst of changes
    /// the kernel holds while the tracker is busy before it drops some and
    /// a resync follows. Set with `SO_RCVBUFFORCE` when the process has
    /// `CAP_NET_ADMIN`, else capped by `net.core.rmem_max`.
    pub receive_buffer: usize,
    /// Events buffered for the consumer; when it falls this far behind,
    /// the tracker waits (and the kernel buffers).
    pub channel_capacity: usize,
}

impl Default for TrackerOptions {
    fn default() -> Self {
        TrackerOptions {
            // Kernel memory, used only while a burst waits to be read: 100,000
            // entries added in a second (a rack booting) fit without an
            // overrun and the full resync that follows one.
            receive_buffer: 32 << 20,
            channel_capacity: 4096,
        }
    }
}

/// A running tracker. Dropping it stops the task.
#[derive(Debug)]
pub struct Tracker {
    counters: Arc<SharedCounters>,
    receive_buffer: usize,
    task: Option<JoinHandle<Result<(), NeighError>>>,
}

impl Tracker {
    /// Opens and subscribes the socket in the calling thread's network
    /// namespace and starts the task on the current tokio runtime. The
    /// receiver gets a [`NeighEvent::Snapshot`] first. The task ends when
    /// the receiver is dropped or on a fatal error ([`Tracker::stopped`]).
    pub fn start(
        opts: TrackerOptions,
    ) -> Result<(Tracker, mpsc::Receiver<NeighEvent>), NeighError> {
        let socket = RtnlSocket::open(&GROUPS, opts.receive_buffer)?;
        let receive_buffer = socket.receive_buffer();
        let (tx, rx) = mpsc::channel(opts.channel_capacity.max(1));
        let counters = Arc::new(SharedCounters::default());
        let worker = Worker {
            socket,
            opts,
            tx,
            counters: counters.clone(),
        };
        // open() succeeded, so there is a runtime to spawn on
        let task = tokio::spawn(worker.run());
        let tracker = Tracker {
            counters,
            receive_buffer,
            task: Some(task),
        };
        Ok((tracker, rx))
    }

    /// The counters now.
    pub fn counters(&self) -> Counters {
        self.counters.read()
    }

    /// The receive buffer the kernel granted (as it reports it: twice the
    /// bytes asked for, for its bookkeeping).
    pub fn receive_buffer(&self) -> usize {
        self.receive_buffer
    }

    /// Waits for the task to end: `Ok` after the receiver was dropped, the
    /// error that stopped it otherwise.
    pub async fn stopped(mut self) -> Result<(), NeighError> {
        let Some(task) = self.task.take() else {
            return Ok(());
        };
        match task.await {
            Ok(r) => r,
            Err(e) => Err(NeighError::Task(e.to_string())),
        }
    }
}

impl Drop for Tracker {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// Which dumps have been asked for: notifications of a kind whose dump has
/// not started yet are skipped, since that dump will include their effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Links,
    Addresses,
    Neighbours,
}

impl Phase {
    fn of(update: &Update) -> Phase {
        match update {
            Update::Link(_) | Update::LinkRemoved { .. } => Phase::Links,
            Update::Address { .. } => Phase::Addresses,
            Update::Neighbour { .. } => Phase::Neighbours,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Phase::Links => "link",
            Phase::Addresses => "address",
            Phase::Neighbours => "neighbour",
        }
    }

    fn request(self) -> RouteNetlinkMessage {
        match self {
            Phase::Links => RouteNetlinkMessage::GetLink(LinkMessage::default()),
            Phase::Addresses => RouteNetlinkMessage::GetAddress(AddressMessage::default()),
            Phase::Neighbours => RouteNetlinkMessage::GetNeighbour(NeighbourMessage::default()),
        }
    }
}

/// How one dump ended.
enum DumpEnd {
    /// Complete and consistent.
    Clean,
    /// Complete, but something was lost meanwhile: dump again.
    Spoiled,
    /// No datagram for [`DUMP_STALL`]: the kernel's dump is stuck.
    Stalled,
}

/// Why following notifications stopped.
enum Stop {
    LostSync(&'static str),
    ConsumerGone,
}

struct Worker {
    socket: RtnlSocket,
    opts: TrackerOptions,
    tx: mpsc::Sender<NeighEvent>,
    counters: Arc<SharedCounters>,
}

impl Worker {
    async fn run(mut self) -> Result<(), NeighError> {
        let mut first = true;
        loop {
            let table = self.resync().await?;
            SharedCounters::bump(&self.counters.snapshots);
            if !first {
                SharedCounters::bump(&self.counters.resyncs);
            }
            first = false;
            let snapshot = table.snapshot();
            tracing::debug!(
                links = snapshot.links.len(),
                addresses = snapshot.addresses.len(),
                neighbours = snapshot.neighbours.len(),
                "neighbour tracker snapshot"
            );
            if self.tx.send(NeighEvent::Snapshot(snapshot)).await.is_err() {
                return Ok(());
            }
            match self.follow(table).await? {
                Stop::ConsumerGone => return Ok(()),
                Stop::LostSync(why) => {
                    tracing::warn!(reason = why, "neighbour tracker lost sync, dumping again");
                }
            }
        }
    }

    /// Dumps links, addresses and neighbours until one round is clean.
    async fn resync(&mut self) -> Result<Table, NeighError> {
        let mut attempt: u64 = 0;
        loop {
            if attempt > 0 {
                SharedCounters::bump(&self.counters.dump_retries);
                if attempt > 3 {
                    // changes keep spoiling the dumps: let them settle
                    tokio::time::sleep(Duration::from_millis(50 * attempt.min(20))).await;
                }
            }
            attempt += 1;
            if let Some(table) = self.dump_all().await? {
                return Ok(table);
            }
        }
    }

    /// One round of dumps; `None` when the result cannot be trusted.
    async fn dump_all(&mut self) -> Result<Option<Table>, NeighError> {
        let mut table = Table::default();
        for phase in [Phase::Links, Phase::Addresses, Phase::Neighbours] {
            match self.dump(phase, &mut table).await? {
                DumpEnd::Clean => {}
                DumpEnd::Spoiled => return Ok(None),
                DumpEnd::Stalled => {
                    // The kernel continues a dump only inside a receive
                    // call made while its queue is at most half full; if
                    // the last one came while it was fuller (an overrun),
                    // the dump waits and nothing ever becomes readable.
                    tracing::warn!(
                        dump = phase.name(),
                        "dump stalled, reopening the netlink socket"
                    );
                    self.socket = RtnlSocket::open(&GROUPS, self.opts.receive_buffer)?;
                    return Ok(None);
                }
            }
        }
        Ok(Some(table))
    }

    /// Sends the dump request of `phase` and reads to its end, applying dump
    /// lines and notifications to `table`; whether the result is clean.
    async fn dump(&mut self, phase: Phase, table: &mut Table) -> Result<DumpEnd, NeighError> {
        let seq = self.socket.dump(phase.request()).await?;
        let port = self.socket.port();
        let counters = &*self.counters;
        let mut clean = true;
        let mut folded = Vec::new();
        loop {
            let Ok(received) = tokio::time::timeout(DUMP_STALL, self.socket.recv()).await else {
                return Ok(DumpEnd::Stalled);
            };
            let datagram = match received? {
                Received::Datagram(d) => d,
                Received::Overrun => {
                    SharedCounters::bump(&counters.overruns);
                    clean = false;
                    continue;
                }
                Received::Truncated(_) => {
                    SharedCounters::bump(&counters.dropped);
                    clean = false;
                    continue;
                }
            };
            let mut done = false;
            for frame in Frames::new(datagram) {
                let Ok(frame) = frame else {
                    SharedCounters::bump(&counters.dropped);
                    clean = false;
                    break;
                };
                let reply = frame.seq == seq && frame.port == port;
                if reply && frame.is_dump_interrupted() {
                    clean = false;
                }
                if reply && frame.is_done() {
                    done = true;
                } else if reply && frame.is_error() {
                    match error_code(frame.payload) {
                        Some(0) => {}
                        Some(libc::EINTR | libc::EBUSY | libc::EAGAIN | libc::ENOBUFS) | None => {
                            clean = false;
                            done = true;
                        }
                        Some(errno) => {
                            return Err(NeighError::Dump {
                                what: phase.name(),
                                errno,
                            })
                        }
                    }
                } else if ingest(counters, frame, table, &mut folded, phase).is_err() {
                    clean = false;
                }
                // a dump's changes are in the snapshot, not events
                folded.clear();
            }
            if done {
                return Ok(if clean {
                    DumpEnd::Clean
                } else {
                    DumpEnd::Spoiled
                });
            }
        }
    }

    /// Applies notifications to `table` and sends the events they make,
    /// until sync is lost or the consumer is gone.
    async fn follow(&mut self, mut table: Table) -> Result<Stop, NeighError> {
        let counters = &*self.counters;
        let mut out = Vec::new();
        loop {
            let received = tokio::select! {
                r = self.socket.recv() => r?,
                () = self.tx.closed() => return Ok(Stop::ConsumerGone),
            };
            let datagram = match received {
                Received::Datagram(d) => d,
                Received::Overrun => {
                    SharedCounters::bump(&counters.overruns);
                    return Ok(Stop::LostSync("netlink overrun (ENOBUFS)"));
                }
                Received::Truncated(_) => {
                    SharedCounters::bump(&counters.dropped);
                    return Ok(Stop::LostSync("datagram longer than the receive buffer"));
                }
            };
            for frame in Frames::new(datagram) {
                let Ok(frame) = frame else {
                    SharedCounters::bump(&counters.dropped);
                    return Ok(Stop::LostSync("malformed netlink datagram"));
                };
                if let Err(LostSync(why)) =
                    ingest(counters, frame, &mut table, &mut out, Phase::Neighbours)
                {
                    return Ok(Stop::LostSync(why));
                }
                for event in out.drain(..) {
                    SharedCounters::bump(&counters.events);
                    if self.tx.send(event).await.is_err() {
                        return Ok(Stop::ConsumerGone);
                    }
                }
            }
        }
    }
}

/// Decodes `frame` and applies it to `table` (events to `out`), unless its
/// kind's dump has not started (`started`); counts what it skips.
fn ingest(
    counters: &SharedCounters,
    frame: Frame<'_>,
    table: &mut Table,
    out: &mut Vec<NeighEvent>,
    started: Phase,
) -> Result<(), LostSync> {
    if frame.is_overrun() {
        return Err(LostSync("NLMSG_OVERRUN"));
    }
    if frame.kind < NLMSG_MIN_TYPE {
        // acknowledgements and stray ends of dumps
        return Ok(());
    }
    match decode(frame.kind, frame.payload) {
        Err(e) => {
            SharedCounters::bump(&counters.dropped);
            tracing::debug!(error = %e, "skipping an undecodable netlink message");
            Ok(())
        }
        Ok(Decoded::Ignored(_)) => {
            SharedCounters::bump(&counters.ignored);
            Ok(())
        }
        Ok(Decoded::Update(update)) => {
            if Phase::of(&update) > started {
                return Ok(());
            }
            let before = out.len();
            table.apply(update, out)?;
            if out.len() == before {
                SharedCounters::bump(&counters.unchanged);
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use netlink_packet_core::Emitable;
    use netlink_packet_route::neighbour::{NeighbourAddress, NeighbourAttribute, NeighbourState};
    use netlink_packet_route::AddressFamily;

    use super::*;
    use crate::netlink::NetlinkError;

    fn new_neighbour_on_unknown_link() -> Vec<u8> {
        let mut m = NeighbourMessage::default();
        m.header.family = AddressFamily::Inet;
        m.header.ifindex = 42;
        m.header.state = NeighbourState::Reachable;
        m.attributes = vec![
            NeighbourAttribute::Destination(NeighbourAddress::Inet("10.0.0.9".parse().unwrap())),
            NeighbourAttribute::LinkLayerAddress(vec![2, 0, 0, 0, 0, 9]),
        ];
        let mut b = vec![0; m.buffer_len()];
        m.emit(&mut b);
        b
    }

    #[test]
    fn notifications_of_a_kind_not_dumped_yet_are_left_to_that_dump() {
        let payload = new_neighbour_on_unknown_link();
        let frame = Frame {
            kind: libc::RTM_NEWNEIGH,
            flags: 0,
            seq: 0,
            port: 0,
            payload: &payload,
        };
        let counters = SharedCounters::default();
        let mut table = Table::default();
        let mut out = Vec::new();
        // while links are being dumped, the neighbour dump is still to come
        assert_eq!(
            ingest(&counters, frame, &mut table, &mut out, Phase::Links),
            Ok(())
        );
        assert!(out.is_empty() && table.snapshot().neighbours.is_empty());
        // once neighbours are dumped, a neighbour on a link never seen means
        // something was missed
        assert!(ingest(&counters, frame, &mut table, &mut out, Phase::Neighbours).is_err());
    }

    #[test]
    fn undecodable_and_foreign_messages_are_counted_and_skipped() {
        let counters = SharedCounters::default();
        let mut table = Table::default();
        let mut out = Vec::new();
        let frame = |kind, payload| Frame {
            kind,
            flags: 0,
            seq: 0,
            port: 0,
            payload,
        };
        let garbage = [2u8, 0, 0];
        let r = ingest(
            &counters,
            frame(libc::RTM_NEWNEIGH, &garbage),
            &mut table,
            &mut out,
            Phase::Neighbours,
        );
        assert_eq!(r, Ok(()));
        let r = ingest(
            &counters,
            frame(libc::RTM_NEWROUTE, &garbage),
            &mut table,
            &mut out,
            Phase::Neighbours,
        );
        assert_eq!(r, Ok(()));
        let read = counters.read();
        assert_eq!((read.dropped, read.ignored), (1, 1));
    }

    #[test]
    fn starting_outside_a_runtime_is_an_error_not_a_panic() {
        let err = Tracker::start(TrackerOptions::default()).unwrap_err();
        assert!(
            matches!(err, NeighError::Netlink(NetlinkError::NoRuntime)),
            "{err}"
        );
    }
}
