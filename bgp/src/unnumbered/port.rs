//! One interface's task: wait (polling every retry interval, never busy)
//! until the interface exists, is up and has a link-local address; open its
//! socket; send a solicitation and an advertisement at once, then an
//! advertisement every interval and soon after each solicitation; report
//! the routers heard; start over when the interface changes or goes away.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{interval_at, sleep, sleep_until, Instant, MissedTickBehavior};

use super::driver::RaConfig;
use super::event::{Event, IfName, LocalAddress, Neighbor, Stats};
use super::iface::{self, NotReady, Ready};
use super::neighbors::Neighbors;
use super::ra::{NdMessage, RouterAdvert, RouterSolicit, ALL_NODES, ALL_ROUTERS};
use super::socket::IcmpSocket;
use super::validate::{validate, Invalid};

/// Solicited advertisements are sent at most this often per interface.
const SOLICITED_MIN_GAP: Duration = Duration::from_millis(500);

pub(crate) struct Port {
    name: IfName,
    config: Arc<RaConfig>,
    events: mpsc::UnboundedSender<Event>,
    stats: Arc<Stats>,
}

/// Why serving a ready interface ended.
enum End {
    /// It changed or is no longer ready: look again at once.
    Changed,
    /// The socket failed: look again after the retry interval.
    Failed,
}

impl Port {
    pub fn new(
        name: IfName,
        config: Arc<RaConfig>,
        events: mpsc::UnboundedSender<Event>,
        stats: Arc<Stats>,
    ) -> Port {
        Port {
            name,
            config,
            events,
            stats,
        }
    }

    fn emit(&self, e: Event) {
        // a reader that went away does not stop the advertisements
        let _ = self.events.send(e);
    }

    pub async fn run(self) {
        let name = self.name.as_str();
        let mut announced: Option<LocalAddress> = None;
        let mut last_problem = String::new();
        loop {
            let problem = match iface::probe(name) {
                Ok(Ok(ready)) => match IcmpSocket::open(name, ready.ifindex, ready.link_local) {
                    Ok(sock) => {
                        last_problem.clear();
                        let local = LocalAddress {
                            ifindex: ready.ifindex,
                            address: ready.link_local,
                            mac: ready.mac,
                            ifname: self.name,
                        };
                        if announced != Some(local) {
                            tracing::info!(interface = name, address = %local.address, "router advertisements: sending");
                            self.emit(Event::Local(local));
                            announced = Some(local);
                        }
                        match self.serve(&sock, ready).await {
                            End::Changed => continue,
                            End::Failed => String::new(),
                        }
                    }
                    Err(e) => format!("cannot open its ICMPv6 socket: {e}"),
                },
                Ok(Err(NotReady::Missing)) => "does not exist".into(),
                Ok(Err(NotReady::Down)) => "is down".into(),
                Ok(Err(NotReady::NoLinkLocal)) => "has no usable link-local address yet".into(),
                Err(e) => format!("cannot be looked at: {e}"),
            };
            if let Some(local) = announced.take() {
                tracing::info!(interface = name, address = %local.address, "router advertisements: interface lost");
                self.emit(Event::Down {
                    ifname: name.to_string(),
                });
            }
            if !problem.is_empty() && problem != last_problem {
                if problem.starts_with("cannot") {
                    tracing::warn!(
                        interface = name,
                        "router advertisements: waiting, the interface {problem}"
                    );
                } else {
                    tracing::info!(
                        interface = name,
                        "router advertisements: waiting, the interface {problem}"
                    );
                }
                last_problem = problem;
            }
            sleep(self.config.retry_interval).await;
        }
    }

    async fn serve(&self, sock: &IcmpSocket, ready: Ready) -> End {
        let name = self.name.as_str();
        let cfg = &*self.config;
        let mut advert = Vec::new();
        RouterAdvert {
            cur_hop_limit: cfg.cur_hop_limit,
            flags: 0,
            router_lifetime: cfg.router_lifetime,
            reachable_time: cfg.reachable_time,
            retrans_timer: cfg.retrans_timer,
            source_lladdr: ready.mac,
            mtu: None,
        }
        .emit(&mut advert);
        if cfg.solicit {
            let mut rs = Vec::new();
            RouterSolicit {
                source_lladdr: ready.mac,
            }
            .emit(&mut rs);
            self.send(sock, &rs, ALL_ROUTERS, &self.stats.rs_sent).await;
        }
        let now = Instant::now();
        // the first tick is at once
        let mut periodic = interval_at(now, cfg.interval);
        periodic.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut check = interval_at(now + cfg.retry_interval, cfg.retry_interval);
        check.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut last_sent = now;
        let mut solicited: Option<Instant> = None;
        let mut neighbors = Neighbors::default();
        let mut buf = vec![0u8; 2048];
        loop {
            tokio::select! {
                _ = periodic.tick() => {
                    self.send(sock, &advert, ALL_NODES, &self.stats.ra_sent).await;
                    last_sent = Instant::now();
                }
                _ = sleep_until(solicited.unwrap_or(now)), if solicited.is_some() => {
                    solicited = None;
                    self.send(sock, &advert, ALL_NODES, &self.stats.ra_sent).await;
                    last_sent = Instant::now();
                }
                _ = check.tick() => {
                    match iface::probe(name) {
                        Ok(Ok(r)) if r == ready => {}
                        _ => return End::Changed,
                    }
                }
                r = sock.recv(&mut buf) => match r {
                    Ok(rx) => {
                        let msg = &buf[..rx.len.min(buf.len())];
                        match validate(rx.src, rx.hop_limit, msg) {
                            Ok(NdMessage::RouterSolicit(_)) => {
                                Stats::bump(&self.stats.rs_received);
                                if solicited.is_none() {
                                    solicited = Some(Instant::now().max(last_sent + SOLICITED_MIN_GAP));
                                }
                            }
                            Ok(NdMessage::RouterAdvert(ra)) if rx.src != ready.link_local => {
                                Stats::bump(&self.stats.ra_received);
                                if neighbors.observe(rx.src, ra.source_lladdr, ra.router_lifetime) {
                                    tracing::info!(interface = name, router = %rx.src, lifetime = ra.router_lifetime, "router advertisements: router heard");
                                    self.emit(Event::Neighbor(Neighbor {
                                        ifindex: ready.ifindex,
                                        ifname: self.name,
                                        address: rx.src,
                                        mac: ra.source_lladdr,
                                        router_lifetime: Duration::from_secs(u64::from(ra.router_lifetime)),
                                    }));
                                }
                            }
                            Ok(NdMessage::RouterAdvert(_)) => {}
                            Err(e) => {
                                let c = match e {
                                    Invalid::HopLimit(_) => &self.stats.dropped_hop_limit,
                                    Invalid::Parse(_) => &self.stats.malformed,
                                    Invalid::NotLinkLocal(_) | Invalid::UnspecifiedWithLladdr => &self.stats.dropped_source,
                                };
                                Stats::bump(c);
                                tracing::debug!(interface = name, from = %rx.src, "router advertisements: dropped: {e}");
                            }
                        }
                    }
                    Err(e) => {
                        Stats::bump(&self.stats.recv_errors);
                        tracing::warn!(interface = name, "router advertisements: receive failed: {e}");
                        return End::Failed;
                    }
                },
            }
        }
    }

    async fn send(
        &self,
        sock: &IcmpSocket,
        msg: &[u8],
        dst: std::net::Ipv6Addr,
        counter: &std::sync::atomic::AtomicU64,
    ) {
        match sock.send_to(msg, dst).await {
            Ok(()) => Stats::bump(counter),
            Err(e) => {
                Stats::bump(&self.stats.send_errors);
                tracing::debug!(
                    interface = self.name.as_str(),
                    "router advertisements: send failed: {e}"
                );
            }
        }
    }
}
