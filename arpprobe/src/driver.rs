//! The tokio driver: owns the sockets and timers around a [`Core`] and
//! nothing else. One task paces the probes out through one `sendmmsg`
//! socket; one task per interface and family reads answers; one task keeps
//! the interfaces in step with the kernel.
//!
//! Interfaces are named by the user and resolved here. The driver re-reads
//! the interface list (one `getifaddrs`) every [`Config::link_recheck`], at
//! once when the user calls [`Prober::link_changed`] (e.g. on a netlink link
//! event), and at once when a socket reports its interface went down or
//! away. An interface that is down or missing keeps its targets but has no
//! sockets; when it is up again (same or new ifindex), fresh sockets are
//! opened and probing resumes. Sockets are closed when the interface goes
//! down, disappears, or loses its last target, so nothing leaks.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::unix::AsyncFd;
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::bpf;
use crate::core::{Core, CoreConfig};
use crate::counters::Counters;
use crate::iface::IfaceInfo;
use crate::report::{IfaceId, Report};
use crate::sys::{self, RecvBatch, RxSocket, TxSocket};
use crate::txbatch::TxBatch;
use crate::wire::MacAddr;
use crate::Error;

/// Settings of a [`Prober`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Every target is probed once per interval. Default 1 s.
    pub interval: Duration,
    /// Shortest pause between two sends, so probes go out in batches of
    /// `targets × min_tick / interval` frames. Default 1 ms.
    pub min_tick: Duration,
    /// Most frames per `sendmmsg` call. Default 256.
    pub max_batch: usize,
    /// Frames read per `recvmmsg` call. Default 64.
    pub recv_batch: usize,
    /// How often the interface list is re-read by itself. Default 1 s.
    pub link_recheck: Duration,
    /// Report every probe sent ([`crate::ReportKind::ProbeSent`]). Default off.
    pub report_sent: bool,
    /// Report answers from hosts that are not targets ([`crate::ReportKind::Discovered`]). Default off.
    pub report_unknown: bool,
    /// Batches of events buffered for the user before new ones are dropped
    /// (and counted in `reports_dropped`). Default 4096.
    pub channel_capacity: usize,
    /// Receive buffer asked for per socket, bytes. Default 4 MiB.
    pub rcvbuf: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            interval: Duration::from_secs(1),
            min_tick: Duration::from_millis(1),
            max_batch: 256,
            recv_batch: 64,
            link_recheck: Duration::from_secs(1),
            report_sent: false,
            report_unknown: false,
            channel_capacity: 4096,
            rcvbuf: 4 << 20,
        }
    }
}

/// What the prober tells its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// About one host.
    Host(Report<Arc<str>>),
    /// About one interface that has targets.
    Link(LinkEvent),
}

/// An interface with targets became usable or stopped being usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkEvent {
    /// Interface name.
    pub iface: Arc<str>,
    /// Its ifindex when up.
    pub ifindex: Option<u32>,
    /// Up (sockets open, probing) or down (missing, down, no carrier).
    pub state: LinkState,
}

/// See [`LinkEvent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Probing on this interface (first time, after it came back, or after
    /// it was re-created with a new ifindex).
    Up,
    /// Not probing: the interface is down, has no carrier, or does not exist.
    Down,
}

/// The receiving end of a prober's events.
#[derive(Debug)]
pub struct Reports {
    rx: mpsc::Receiver<Vec<Event>>,
    pending: VecDeque<Event>,
}

impl Reports {
    /// The next event; `None` once the prober is gone.
    pub async fn recv(&mut self) -> Option<Event> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Some(e);
            }
            self.pending.extend(self.rx.recv().await?);
        }
    }

    /// The next batch of events (cheaper at high rates); `None` once the prober is gone.
    pub async fn recv_batch(&mut self) -> Option<Vec<Event>> {
        if !self.pending.is_empty() {
            return Some(self.pending.drain(..).collect());
        }
        self.rx.recv().await
    }
}

#[derive(Debug)]
struct Open {
    ifindex: u32,
    tasks: Vec<JoinHandle<()>>,
}

#[derive(Debug)]
struct Slot {
    name: Arc<str>,
    targets: usize,
    open: Option<Open>,
    /// A socket of this interface failed: reopen on the next pass.
    stale: bool,
}

#[derive(Debug)]
struct State {
    core: Core,
    ids: HashMap<Arc<str>, IfaceId>,
    slots: HashMap<IfaceId, Slot>,
    next_id: u32,
}

#[derive(Debug)]
struct Shared {
    config: Config,
    state: Mutex<State>,
    wake_tx: Notify,
    wake_links: Notify,
    events: mpsc::Sender<Vec<Event>>,
    sockets_open: AtomicU64,
    reports_dropped: AtomicU64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // a panic while holding the lock would be a bug in this crate; the
        // state is still consistent enough to keep probing
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn emit(&self, events: Vec<Event>) {
        if events.is_empty() {
            return;
        }
        let n = events.len() as u64;
        if self.events.try_send(events).is_err() {
            self.reports_dropped.fetch_add(n, Ordering::Relaxed);
        }
    }
}

/// A running prober. See the crate documentation for the contract.
///
/// The prober reports what it sees; it decides nothing. A host is alive for
/// as long as [`Event::Host`] reports with a liveness kind keep coming (one
/// per answered probe, i.e. about one per interval); the user decides how
/// many intervals without one make it dead. With `report_sent`, each probe
/// also gives a `ProbeSent` report so misses can be counted exactly. While
/// an interface is [`LinkState::Down`], its hosts are not probed.
///
/// Dropping the prober stops all its tasks and closes all its sockets.
#[derive(Debug)]
pub struct Prober {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() < libc::IFNAMSIZ
        && name != "."
        && name != ".."
        && !name
            .bytes()
            .any(|b| b == 0 || b == b'/' || b.is_ascii_whitespace())
}

impl Prober {
    /// Starts a prober on the current tokio runtime. Needs CAP_NET_RAW.
    pub fn start(config: Config) -> Result<(Prober, Reports), Error> {
        let handle = tokio::runtime::Handle::try_current().map_err(|_| Error::NoRuntime)?;
        let tx_socket = TxSocket::open(4 << 20).map_err(|e| Error::io("socket(AF_PACKET)", e))?;
        let (events, rx) = mpsc::channel(config.channel_capacity.max(1));
        let core = Core::new(CoreConfig {
            interval: config.interval,
            report_sent: config.report_sent,
            report_unknown: config.report_unknown,
        });
        let shared = Arc::new(Shared {
            config,
            state: Mutex::new(State {
                core,
                ids: HashMap::new(),
                slots: HashMap::new(),
                next_id: 1,
            }),
            wake_tx: Notify::new(),
            wake_links: Notify::new(),
            events,
            sockets_open: AtomicU64::new(1),
            reports_dropped: AtomicU64::new(0),
        });
        let tasks = vec![
            handle.spawn(tx_loop(shared.clone(), tx_socket)),
            handle.spawn(link_loop(shared.clone())),
        ];
        Ok((
            Prober { shared, tasks },
            Reports {
                rx,
                pending: VecDeque::new(),
            },
        ))
    }

    /// Probes `ip` at `mac` on interface `iface` (adding it, or changing its
    /// MAC). The interface need not exist yet.
    pub fn add(&self, iface: &str, ip: IpAddr, mac: MacAddr) -> Result<(), Error> {
        if !valid_name(iface) {
            return Err(Error::InvalidInterfaceName(iface.to_string()));
        }
        let mut st = self.shared.lock();
        let id = match st.ids.get(iface) {
            Some(id) => *id,
            None => {
                let id = IfaceId(st.next_id);
                st.next_id += 1;
                let name: Arc<str> = Arc::from(iface);
                st.ids.insert(name.clone(), id);
                st.slots.insert(
                    id,
                    Slot {
                        name,
                        targets: 0,
                        open: None,
                        stale: false,
                    },
                );
                id
            }
        };
        let new = st.core.target_mac(id, ip).is_none();
        st.core.add_target(id, ip, mac)?;
        if new {
            let slot = st.slots.get_mut(&id).expect("slot exists for every id");
            slot.targets += 1;
            if slot.targets == 1 {
                self.shared.wake_links.notify_one();
            }
        }
        drop(st);
        self.shared.wake_tx.notify_one();
        Ok(())
    }

    /// Stops probing `ip` on `iface`; returns whether it was a target.
    pub fn remove(&self, iface: &str, ip: IpAddr) -> bool {
        let mut st = self.shared.lock();
        let Some(&id) = st.ids.get(iface) else {
            return false;
        };
        if !st.core.remove_target(id, ip) {
            return false;
        }
        if let Some(slot) = st.slots.get_mut(&id) {
            slot.targets -= 1;
            if slot.targets == 0 {
                self.shared.wake_links.notify_one();
            }
        }
        true
    }

    /// Tells the prober that interfaces changed (from a netlink link or
    /// address event, say): it re-reads them now instead of at the next recheck.
    pub fn link_changed(&self) {
        self.shared.wake_links.notify_one();
    }

    /// The counters.
    pub fn counters(&self) -> Counters {
        counters(&self.shared)
    }
}

fn counters(shared: &Shared) -> Counters {
    let mut c = shared.lock().core.counters();
    c.sockets_open = shared.sockets_open.load(Ordering::Relaxed);
    c.reports_dropped = shared.reports_dropped.load(Ordering::Relaxed);
    c
}

impl Drop for Prober {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        let mut st = self.shared.lock();
        for slot in st.slots.values_mut() {
            if let Some(open) = slot.open.take() {
                open.tasks.iter().for_each(JoinHandle::abort);
            }
        }
    }
}

async fn tx_loop(shared: Arc<Shared>, socket: TxSocket) {
    let _guard = SocketGuard(shared.clone());
    let mut batch = TxBatch::new(shared.config.max_batch);
    let mut reports = Vec::new();
    loop {
        let now = Instant::now();
        let next = {
            let mut st = shared.lock();
            st.core
                .poll_transmit(now.into_std(), &mut batch, &mut reports);
            st.core.next_wakeup()
        };
        let was_full = batch.is_full();
        if !batch.is_empty() {
            let out = socket.send_batch(&mut batch);
            if !out.failed.is_empty() {
                let mut st = shared.lock();
                let errors = out.failed.len() as u64;
                let c = st.core.counters_mut();
                c.send_errors += errors;
                c.probes_sent = c.probes_sent.saturating_sub(errors);
                for (ifindex, err) in &out.failed {
                    tracing::debug!(ifindex, %err, "probe refused");
                    for slot in st.slots.values_mut() {
                        if slot.open.as_ref().is_some_and(|o| o.ifindex == *ifindex) {
                            slot.stale = true;
                        }
                    }
                }
                drop(st);
                shared.wake_links.notify_one();
            }
        }
        if !reports.is_empty() {
            let events = host_events(&shared, &mut reports);
            shared.emit(events);
        }
        if was_full && batch.is_empty() {
            tokio::task::yield_now().await;
            continue;
        }
        let min = now + shared.config.min_tick;
        let deadline = match next {
            _ if !batch.is_empty() => min,
            Some(t) => Instant::from_std(t).max(min),
            None => now + Duration::from_secs(3600),
        };
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => {}
            _ = shared.wake_tx.notified() => {}
        }
    }
}

fn host_events(shared: &Shared, reports: &mut Vec<Report>) -> Vec<Event> {
    let st = shared.lock();
    reports
        .drain(..)
        .filter_map(|r| {
            let name = st.slots.get(&r.iface)?.name.clone();
            Some(Event::Host(Report {
                iface: name,
                ip: r.ip,
                mac: r.mac,
                kind: r.kind,
            }))
        })
        .collect()
}

/// Counts a socket as open for as long as it lives.
struct SocketGuard(Arc<Shared>);

impl Drop for SocketGuard {
    fn drop(&mut self) {
        self.0.sockets_open.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn rx_loop(shared: Arc<Shared>, id: IfaceId, name: Arc<str>, fd: AsyncFd<RxSocket>) {
    let _guard = SocketGuard(shared.clone());
    let mut batch = RecvBatch::new(shared.config.recv_batch, bpf::NA_SNAPLEN as usize);
    loop {
        let mut ready = match fd.readable().await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(iface = %name, %e, "socket poll failed");
                break;
            }
        };
        match ready.try_io(|s| s.get_ref().recv_batch(&mut batch)) {
            Err(_would_block) => continue,
            Ok(Ok(n)) => {
                let now = std::time::Instant::now();
                let reports: Vec<Report> = {
                    let mut st = shared.lock();
                    (0..n)
                        .filter_map(|i| {
                            st.core
                                .handle_frame(now, id, batch.frames[i].1, batch.frame(i))
                        })
                        .collect()
                };
                let events = reports
                    .into_iter()
                    .map(|r| {
                        Event::Host(Report {
                            iface: name.clone(),
                            ip: r.ip,
                            mac: r.mac,
                            kind: r.kind,
                        })
                    })
                    .collect();
                shared.emit(events);
            }
            Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => continue,
            Ok(Err(e)) => {
                // ENETDOWN: the interface went down or was deleted
                tracing::debug!(iface = %name, %e, "socket error, re-resolving interface");
                if let Some(slot) = shared.lock().slots.get_mut(&id) {
                    slot.stale = true;
                }
                shared.wake_links.notify_one();
                break;
            }
        }
    }
}

async fn link_loop(shared: Arc<Shared>) {
    loop {
        reconcile(&shared);
        tokio::select! {
            _ = tokio::time::sleep(shared.config.link_recheck) => {}
            _ = shared.wake_links.notified() => {}
        }
    }
}

fn open_sockets(
    shared: &Arc<Shared>,
    id: IfaceId,
    name: &Arc<str>,
    ifindex: u32,
) -> io::Result<Vec<JoinHandle<()>>> {
    let mut sockets = Vec::with_capacity(2);
    for (ethertype, filter) in [(0x0806u16, bpf::arp_filter()), (0x86dd, bpf::na_filter())] {
        let s = RxSocket::open(ifindex, ethertype, &filter, shared.config.rcvbuf)?;
        sockets.push(s.register()?);
    }
    Ok(sockets
        .into_iter()
        .map(|fd| {
            shared.sockets_open.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(rx_loop(shared.clone(), id, name.clone(), fd))
        })
        .collect())
}

/// Brings every interface's sockets and core state in line with the kernel.
fn reconcile(shared: &Arc<Shared>) {
    let kernel = match sys::interfaces() {
        Ok(k) => k,
        Err(e) => {
            tracing::warn!(%e, "cannot list interfaces");
            return;
        }
    };
    let mut events = Vec::new();
    let mut st = shared.lock();
    let State { core, slots, .. } = &mut *st;
    for (&id, slot) in slots.iter_mut() {
        let k = kernel
            .get(&*slot.name)
            .filter(|k| k.up && k.ethernet && slot.targets > 0);
        match k {
            Some(k) => {
                let info = IfaceInfo {
                    ifindex: k.ifindex,
                    mac: k.mac,
                    ipv4: k.ipv4.clone(),
                    ipv6: k.ipv6.clone(),
                };
                let fresh =
                    slot.open.as_ref().is_some_and(|o| o.ifindex == k.ifindex) && !slot.stale;
                if fresh {
                    if core.interface(id) != Some(&info) {
                        core.set_interface(id, Some(info));
                    }
                    continue;
                }
                if let Some(old) = slot.open.take() {
                    old.tasks.iter().for_each(JoinHandle::abort);
                }
                slot.stale = false;
                match open_sockets(shared, id, &slot.name, k.ifindex) {
                    Ok(tasks) => {
                        slot.open = Some(Open {
                            ifindex: k.ifindex,
                            tasks,
                        });
                        core.set_interface(id, Some(info));
                        core.counters_mut().interface_resets += 1;
                        events.push(Event::Link(LinkEvent {
                            iface: slot.name.clone(),
                            ifindex: Some(k.ifindex),
                            state: LinkState::Up,
                        }));
                    }
                    Err(e) => {
                        tracing::warn!(iface = %slot.name, %e, "cannot open packet sockets");
                        core.set_interface(id, None);
                    }
                }
            }
            None => {
                if let Some(old) = slot.open.take() {
                    old.tasks.iter().for_each(JoinHandle::abort);
                    core.set_interface(id, None);
                    if slot.targets > 0 {
                        events.push(Event::Link(LinkEvent {
                            iface: slot.name.clone(),
                            ifindex: None,
                            state: LinkState::Down,
                        }));
                    }
                }
                slot.stale = false;
            }
        }
    }
    drop(st);
    shared.emit(events);
    shared.wake_tx.notify_one();
}
