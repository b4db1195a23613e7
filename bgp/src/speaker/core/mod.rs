//! The speaker's one protocol task: it owns every session state machine,
//! the RIBs and the timers, and performs the state machines' actions.
//! Reading and decoding run in one task per connection, writing in
//! another, accepting and connecting in their own; they talk to this task
//! over channels, so no state is shared and nothing is locked.

mod graceful;
mod reconfigure;
mod routes;
mod unnumbered;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::api::{
    Command, PathStatus, PeerEvent, PeerStatus, RouteAttributes, RouteEvent, RouteStatus,
};
use super::config::SpeakerConfig;
use super::connection::{MessageReader, MessageWriter, ReadError};
use super::listener::Listener;
use super::peer::{Conn, Fsm, Peer, Slot};
use super::peer_table::PeerTable;
use super::transport;
use crate::fsm::collision::{self, Keep};
use crate::fsm::{Action, Event, State};
use crate::rib::{AttrInterner, LocRib, PathAttrs};
use crate::wire::error::code;
use crate::wire::{DecodeError, Message, NextHop, Notification, Prefix, WireContext};

/// What the helper tasks tell the protocol task.
#[derive(Debug)]
pub(crate) enum Input {
    /// From a connection's reader.
    Conn(u64, ConnInput),
    /// The listener accepted a connection.
    Accepted(TcpStream, SocketAddr),
    /// An outgoing attempt of peer `.0`, generation `.1`, finished.
    Connected(usize, u64, std::io::Result<TcpStream>),
    /// Router advertisement news for unnumbered peers.
    Ra(crate::unnumbered::Event),
}

#[derive(Debug)]
pub(crate) enum ConnInput {
    Message(Message),
    Malformed(DecodeError),
    Closed(Option<String>),
}

pub(crate) struct Core {
    /// The speaker's settings; its `peers` are empty, the peers are in
    /// `peers`.
    cfg: SpeakerConfig,
    peers: PeerTable,
    loc: LocRib,
    interner: AttrInterner,
    input: mpsc::Sender<Input>,
    routes: mpsc::UnboundedSender<RouteEvent>,
    peer_events: mpsc::UnboundedSender<PeerEvent>,
    next_id: u64,
    draining: Vec<tokio::task::JoinHandle<()>>,
    /// Router advertisements for unnumbered peers, started with the first
    /// one (stopped when dropped).
    ra: Option<crate::unnumbered::RaDriver>,
    /// The listening socket, closed with the speaker (freeing the port).
    listener: Option<Listener>,
    /// While we restart: End-of-RIB waits until the application's
    /// routes are all back, at the latest until this time.
    eor_deadline: Option<Instant>,
    /// Prefixes with learned next hops on the FIB stream.
    installed: std::collections::HashSet<Prefix, foldhash::fast::RandomState>,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("peers", &self.peers.len())
            .finish()
    }
}

impl Core {
    /// A core without peers yet (they come with `add_initial_peer` and
    /// the `AddPeer` command); `cfg.peers` is ignored.
    pub(crate) fn new(
        mut cfg: SpeakerConfig,
        input: mpsc::Sender<Input>,
        routes: mpsc::UnboundedSender<RouteEvent>,
        peer_events: mpsc::UnboundedSender<PeerEvent>,
        listener: Option<Listener>,
    ) -> Core {
        cfg.peers.clear();
        let cfg_restart_deadline = cfg
            .graceful_restart
            .filter(|gr| gr.restarting)
            .map(|gr| Instant::now() + std::time::Duration::from_secs(u64::from(gr.restart_time)));
        Core {
            loc: LocRib::with_max_paths(cfg.max_paths),
            cfg,
            peers: PeerTable::default(),
            interner: AttrInterner::new(),
            input,
            routes,
            peer_events,
            next_id: 0,
            draining: Vec::new(),
            installed: std::collections::HashSet::default(),
            eor_deadline: cfg_restart_deadline,
            listener,
            ra: None,
        }
    }

    pub(crate) async fn run(
        mut self,
        mut commands: mpsc::UnboundedReceiver<Command>,
        mut inputs: mpsc::Receiver<Input>,
    ) {
        loop {
            let deadline = self.next_deadline();
            tokio::select! {
                cmd = commands.recv() => match cmd {
                    Some(Command::Shutdown(msg, done)) => {
                        self.shutdown(msg).await;
                        let _ = done.send(());
                        return;
                    }
                    Some(Command::StopForRestart(done)) => {
                        self.stop_for_restart().await;
                        let _ = done.send(());
                        return;
                    }
                    Some(cmd) => self.command(cmd),
                    None => {
                        self.shutdown(None).await;
                        return;
                    }
                },
                Some(input) = inputs.recv() => self.input(input),
                _ = sleep_until(deadline) => self.fire_timers(),
            }
            self.flush();
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        let fsm = self
            .peers
            .iter()
            .flat_map(|p| std::iter::once(&p.main).chain(p.other.as_ref()))
            .filter_map(|f| f.timers.next())
            .min();
        fsm.into_iter().chain(self.next_restart_deadline()).min()
    }

    fn fire_timers(&mut self) {
        let now = Instant::now();
        self.fire_restart_deadlines(now);
        for p in self.peers.indices() {
            for slot in [Slot::Main, Slot::Other] {
                let due = self.peers[p]
                    .fsm(slot)
                    .map(|f| f.timers.take_due(now))
                    .unwrap_or_default();
                for t in due {
                    self.drive(p, slot, Event::TimerExpired(t));
                }
            }
        }
    }

    /// Feeds one event to a state machine and performs its actions.
    fn drive(&mut self, p: usize, slot: Slot, event: Event) {
        let is_open = matches!(event, Event::Received(Message::Open(_)));
        let Some(fsm) = self.peers[p].fsm(slot) else {
            return;
        };
        let before = fsm.session.state();
        let actions = fsm.session.handle(event);
        let after = fsm.session.state();
        for a in actions {
            self.execute(p, slot, a);
        }
        if slot == Slot::Main && before != after {
            tracing::debug!(peer = %self.peers[p].cfg.name, "{before} -> {after}");
        }
        if is_open {
            self.resolve_collision(p);
        }
    }

    fn execute(&mut self, p: usize, slot: Slot, action: Action) {
        match action {
            Action::Connect if slot == Slot::Main => self.connect(p),
            // The colliding connection never connects out.
            Action::Connect => {}
            Action::Send(m) => {
                if let Some(f) = self.peers[p].fsm(slot) {
                    f.send(&m);
                }
            }
            Action::Close => {
                let peer = &mut self.peers[p];
                if slot == Slot::Main {
                    peer.connecting = None;
                }
                if let Some(c) = peer.fsm(slot).and_then(|f| f.conn.take()) {
                    self.draining.push(c.close());
                }
            }
            Action::StartTimer(t, d) => {
                if let Some(f) = self.peers[p].fsm(slot) {
                    f.timers.start(t, d);
                }
            }
            Action::StopTimer(t) => {
                if let Some(f) = self.peers[p].fsm(slot) {
                    f.timers.stop(t);
                }
            }
            Action::Established(neg) if slot == Slot::Main => self.established(p, *neg),
            Action::Established(_) => {}
            Action::Down(reason) => {
                if slot == Slot::Main {
                    self.down(p, reason);
                    // The colliding connection, if any, carries on.
                    if let Some(other) = self.peers[p].other.take() {
                        self.peers[p].main = other;
                    }
                } else {
                    self.peers[p].other = None;
                }
            }
            Action::Update(u) => self.update(p, &u),
            Action::RouteRefresh(rr) => self.refresh(p, rr),
        }
    }

    fn connect(&mut self, p: usize) {
        self.next_id += 1;
        let generation = self.next_id;
        let peer = &mut self.peers[p];
        peer.connecting = Some(generation);
        let (to, from, timeout) = (
            peer.cfg.socket_addr(),
            peer.cfg.local_address,
            peer.cfg.connect_retry,
        );
        let security = peer.cfg.security.clone();
        let input = self.input.clone();
        tokio::spawn(async move {
            let r = transport::connect_secured(to, from, timeout, &security).await;
            let _ = input.send(Input::Connected(p, generation, r)).await;
        });
    }

    /// Wraps a TCP stream: a reader task feeding this task, a writer task.
    fn new_conn(&mut self, stream: TcpStream, outgoing: bool, p: usize) -> Option<Conn> {
        let local = stream.local_addr().ok()?;
        let _ = stream.set_nodelay(true);
        self.next_id += 1;
        let id = self.next_id;
        let (r, w) = stream.into_split();
        let input = self.input.clone();
        let extended = self.cfg.session(&self.peers[p].cfg).extended_message;
        let reader = tokio::spawn(async move {
            let mut reader = MessageReader::new(r, extended);
            loop {
                let (event, last) = match reader.next().await {
                    Ok(Some(m)) => (ConnInput::Message(m), false),
                    Ok(None) => (ConnInput::Closed(None), true),
                    Err(ReadError::Io(e)) => (ConnInput::Closed(Some(e.to_string())), true),
                    Err(ReadError::Decode(e)) => (ConnInput::Malformed(e), true),
                };
                if input.send(Input::Conn(id, event)).await.is_err() || last {
                    return;
                }
            }
        });
        Some(Conn {
            id,
            writer: MessageWriter::spawn(w),
            reader,
            outgoing,
            local,
        })
    }

    fn input(&mut self, input: Input) {
        match input {
            Input::Conn(id, ev) => {
                let found = self.peers.enumerate().find_map(|(p, peer)| {
                    if peer.main.conn.as_ref().is_some_and(|c| c.id == id) {
                        Some((p, Slot::Main))
                    } else if peer
                        .other
                        .as_ref()
                        .and_then(|f| f.conn.as_ref())
                        .is_some_and(|c| c.id == id)
                    {
                        Some((p, Slot::Other))
                    } else {
                        None
                    }
                });
                let Some((p, slot)) = found else { return };
                let event = match ev {
                    ConnInput::Message(m) => Event::Received(m),
                    ConnInput::Malformed(e) => {
                        tracing::warn!(peer = %self.peers[p].cfg.name, "malformed message: {e}");
                        Event::Malformed(e)
                    }
                    ConnInput::Closed(why) => {
                        if let Some(why) = why {
                            tracing::debug!(peer = %self.peers[p].cfg.name, "connection lost: {why}");
                        }
                        Event::TcpClosed
                    }
                };
                self.drive(p, slot, event);
            }
            Input::Connected(p, generation, result) => {
                if self.peers.get(p).and_then(|peer| peer.connecting) != Some(generation) {
                    // superseded, or the peer was removed; a stream, if
                    // any, is dropped
                    return;
                }
                self.peers[p].connecting = None;
                match result {
                    Ok(stream) => match self.new_conn(stream, true, p) {
                        Some(conn) => {
                            self.peers[p].main.conn = Some(conn);
                            self.drive(p, Slot::Main, Event::TcpConnected);
                        }
                        None => self.drive(p, Slot::Main, Event::TcpFailed),
                    },
                    Err(e) => {
                        tracing::debug!(peer = %self.peers[p].cfg.name, "connect failed: {e}");
                        self.drive(p, Slot::Main, Event::TcpFailed);
                    }
                }
            }
            Input::Accepted(stream, from) => self.accepted(stream, from),
            Input::Ra(event) => self.router_advertisement(event),
        }
    }

    fn accepted(&mut self, stream: TcpStream, from: SocketAddr) {
        let (ip, scope) = transport::peer_ip(&from);
        let Some(p) = self.peers.enumerate().find_map(|(p, peer)| {
            let scoped = scope == 0 || peer.cfg.scope_id == 0 || peer.cfg.scope_id == scope;
            // An unnumbered peer is whoever calls from a link-local address
            // on its interface.
            let on_its_link = peer.cfg.interface.is_some()
                && peer.cfg.scope_id != 0
                && peer.cfg.scope_id == scope
                && matches!(ip, IpAddr::V6(a) if a.is_unicast_link_local());
            ((peer.cfg.address == ip && scoped) || (peer.unnumbered && on_its_link)).then_some(p)
        }) else {
            tracing::info!("refused a connection from {from}: not a configured neighbor");
            return;
        };
        if let Err(e) = transport::secure_accepted_from(&stream, ip, &self.peers[p].cfg.security) {
            tracing::warn!(peer = %self.peers[p].cfg.name, "cannot apply its TCP MD5 key or GTSM to its connection: {e}");
            return;
        }
        let Some(conn) = self.new_conn(stream, false, p) else {
            return;
        };
        let peer = &mut self.peers[p];
        if peer.unnumbered && peer.cfg.address != ip {
            tracing::info!(peer = %peer.cfg.name, "peer is {ip} (it connected to us)");
            peer.cfg.address = ip;
        }
        match peer.main.session.state() {
            State::Idle | State::Connect | State::Active => {
                // Adopt it; an outgoing attempt in flight is dropped.
                peer.connecting = None;
                if let Some(old) = peer.main.conn.replace(conn) {
                    self.draining.push(old.close());
                }
                self.drive(p, Slot::Main, Event::TcpConnected);
            }
            State::OpenSent | State::OpenConfirm if peer.other.is_none() => {
                let mut other = Fsm::new(peer.main.session.config().clone());
                other.conn = Some(conn);
                peer.other = Some(other);
                self.drive(p, Slot::Other, Event::Start);
                self.drive(p, Slot::Other, Event::TcpConnected);
                self.resolve_collision(p);
            }
            _ => {
                tracing::info!(peer = %peer.cfg.name, "refused a second connection from {from}: session already {}", peer.main.session.state());
                let n =
                    Notification::new(code::CEASE, code::cease::CONNECTION_COLLISION_RESOLUTION);
                conn.writer
                    .send_message(&Message::Notification(n), &WireContext::default());
                self.draining.push(conn.close());
            }
        }
    }

    /// RFC 4271 §6.8: once the peer's BGP identifier is known from either
    /// connection, keep the one opened by the higher identifier.
    fn resolve_collision(&mut self, p: usize) {
        let peer = &mut self.peers[p];
        let Some(other) = &peer.other else { return };
        let Some(remote) = peer
            .main
            .session
            .negotiated()
            .or(other.session.negotiated())
            .map(|n| n.peer_router_id)
        else {
            return;
        };
        let main_outgoing = peer.main.conn.as_ref().is_none_or(|c| c.outgoing);
        let keep = collision::resolve(self.cfg.router_id, remote);
        let drop_main = main_outgoing == (keep == Keep::Incoming);
        tracing::info!(peer = %peer.cfg.name, "connection collision: keeping the {} connection", if keep == Keep::Incoming { "incoming" } else { "outgoing" });
        let n = Message::Notification(Notification::new(
            code::CEASE,
            code::cease::CONNECTION_COLLISION_RESOLUTION,
        ));
        let loser = if drop_main {
            let other = peer.other.take().expect("checked above");
            std::mem::replace(&mut peer.main, other)
        } else {
            peer.other.take().expect("checked above")
        };
        loser.send(&n);
        if let Some(c) = loser.conn {
            self.draining.push(c.close());
        }
    }

    fn command(&mut self, cmd: Command) {
        match cmd {
            Command::Announce(routes) => {
                let mut lc = Vec::new();
                let mut last: Option<(RouteAttributes, Arc<PathAttrs>)> = None;
                for (prefix, ra) in routes {
                    let attrs = match &last {
                        Some((prev, arc)) if *prev == ra => Arc::clone(arc),
                        _ => {
                            // Our own routes: the next hop is set per peer
                            // on export; this one is a placeholder.
                            let pa = PathAttrs::new(
                                ra.to_path_attributes(),
                                NextHop::V4(std::net::Ipv4Addr::UNSPECIFIED),
                            );
                            let arc = self.interner.intern(pa);
                            last = Some((ra, Arc::clone(&arc)));
                            arc
                        }
                    };
                    self.loc.originate(prefix, attrs, &mut lc);
                }
                self.propagate(lc);
            }
            Command::Withdraw(prefixes) => {
                let mut lc = Vec::new();
                for prefix in prefixes {
                    self.loc.withdraw_local(prefix, &mut lc);
                }
                self.propagate(lc);
                self.interner.gc();
            }
            Command::AddPeer(peer, reply) => {
                let _ = reply.send(self.add_peer(*peer));
            }
            Command::RemovePeer(name, message, reply) => {
                let _ = reply.send(self.remove_peer(&name, message));
            }
            Command::Peers(reply) => {
                let _ = reply.send(self.peers.iter().map(|p| self.status(p)).collect());
            }
            Command::Routes(reply) => {
                let _ = reply.send(self.routes_snapshot());
            }
            Command::InitialRoutesDone => {
                if self.eor_deadline.take().is_some() {
                    tracing::info!("initial routes announced: End-of-RIB to every peer");
                }
            }
            Command::Shutdown(..) | Command::StopForRestart(_) => unreachable!("handled by run"),
        }
    }

    fn status(&self, p: &Peer) -> PeerStatus {
        let up = p.up.as_ref();
        PeerStatus {
            name: p.cfg.name.clone(),
            address: p.cfg.address,
            remote_as: up.map_or(p.cfg.remote_as.to_string(), |u| {
                u.negotiated.peer_as.to_string()
            }),
            state: p.main.session.state(),
            uptime: up.map(|u| u.since.elapsed()),
            prefixes_received: up.map_or(0, |u| u.adj_in.len()),
            prefixes_sent: up.map_or(0, |u| u.adj_out.advertised_len()),
            hostname: up.and_then(|u| u.negotiated.peer_hostname.clone()),
            last_error: p.last_error.clone(),
            refresh_requests_received: p.refresh_requests,
        }
    }

    fn routes_snapshot(&self) -> Vec<RouteStatus> {
        let mut out: Vec<RouteStatus> = self
            .loc
            .iter()
            .map(|(prefix, candidates)| {
                let best = self.loc.best(prefix);
                let ecmp = self.loc.ecmp(prefix);
                let paths = candidates
                    .iter()
                    .map(|path| {
                        let local = path.peer.is_local();
                        PathStatus {
                            from: if local {
                                "local".into()
                            } else {
                                self.peers
                                    .get(path.peer.0 as usize)
                                    .map_or_else(|| path.peer.to_string(), |p| p.cfg.name.clone())
                            },
                            next_hop: if local {
                                "self".into()
                            } else {
                                path.attrs.next_hop.to_string()
                            },
                            as_path: path
                                .attrs
                                .attrs
                                .as_path
                                .as_ref()
                                .map(|a| a.to_string())
                                .unwrap_or_default(),
                            best: best.is_some_and(|b| b.same_route(path)),
                            multipath: ecmp.iter().any(|e| e.same_route(path)),
                            stale: path.stale,
                        }
                    })
                    .collect();
                RouteStatus { prefix, paths }
            })
            .collect();
        out.sort_by_key(|r| r.prefix);
        out
    }

    /// Closes every connection without a NOTIFICATION, so that peers
    /// doing graceful restart keep our routes while we are away.
    async fn stop_for_restart(&mut self) {
        for peer in self.peers.iter_mut() {
            for f in std::iter::once(&mut peer.main).chain(peer.other.as_mut()) {
                if let Some(c) = f.conn.take() {
                    self.draining.push(c.close());
                }
            }
        }
        self.drain().await;
    }

    async fn drain(&mut self) {
        let draining = std::mem::take(&mut self.draining);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), async {
            for t in draining {
                let _ = t.await;
            }
        })
        .await;
    }

    async fn shutdown(&mut self, message: Option<String>) {
        for p in self.peers.indices() {
            self.drive(p, Slot::Other, Event::Stop(message.clone()));
            self.drive(p, Slot::Main, Event::Stop(message.clone()));
        }
        // Let the writers send their NOTIFICATIONs.
        self.drain().await;
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
