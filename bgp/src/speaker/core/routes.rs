//! What the protocol task does with routes: a session coming up (initial
//! export) or going down (withdrawal, or stale marking for a peer doing a
//! graceful restart), UPDATEs and route refresh from peers, propagation of
//! Loc-RIB changes to Adj-RIBs-Out and the FIB stream, and flushing.

use std::net::IpAddr;
use std::sync::Arc;

use tokio::time::Instant;

use super::graceful::STALE_TIME;
use super::Core;
use crate::fsm::{DownReason, Event, State};
use crate::rib::{AdjInConfig, AdjRibIn, AdjRibOut, ExportPolicy, LocRibChange, PeerInfo};
use crate::speaker::api::{FibNextHop, PeerEvent, RouteEvent};
use crate::speaker::peer::{Slot, Up};
use crate::wire::{Family, Message, NextHop, RefreshSubtype, RouteRefresh, Update};

impl Core {
    pub(super) fn established(&mut self, p: usize, neg: crate::fsm::Negotiated) {
        let local = self.peers[p].main.conn.as_ref().map(|c| c.local.ip());
        let peer = &mut self.peers[p];
        let info = PeerInfo {
            id: peer.id,
            asn: neg.peer_as,
            router_id: neg.peer_router_id,
            address: peer.cfg.address,
            ibgp: neg.ibgp,
            interface: peer.cfg.interface.clone(),
        };
        let local_v4 = match local {
            Some(IpAddr::V4(a)) => Some(a),
            _ => None,
        };
        let local_v6 = match local {
            Some(IpAddr::V6(a)) if a.to_ipv4_mapped().is_none() => Some(NextHop::V6 {
                global: a,
                link_local: a.is_unicast_link_local().then_some(a),
            }),
            _ => None,
        };
        let policy = ExportPolicy {
            local_asn: self.cfg.asn,
            next_hop_v4: peer.cfg.next_hop_v4.or(local_v4).or(match local {
                Some(IpAddr::V6(a)) => a.to_ipv4_mapped(),
                _ => None,
            }),
            next_hop_v6: peer.cfg.next_hop_v6.or(local_v6),
            extended_next_hop: neg.ipv4_over_ipv6,
        };
        tracing::info!(
            peer = %peer.cfg.name,
            "session established with AS {} ({}), hold time {}s",
            neg.peer_as,
            neg.peer_hostname.as_deref().unwrap_or("no hostname"),
            neg.hold_time.as_secs()
        );
        self.loc.set_peer(info.clone());
        let fresh = || {
            AdjRibIn::new(
                peer.id,
                AdjInConfig::new(self.cfg.asn, self.cfg.router_id, &info),
            )
        };
        // A peer back from a graceful restart: its stale routes wait for
        // its End-of-RIB, for the families it kept forwarding.
        let (adj_in, kept_families) = match peer.retained.take() {
            Some(kept) => {
                let preserved: Vec<Family> = neg
                    .peer_graceful_restart
                    .iter()
                    .flat_map(|gr| &gr.families)
                    .filter(|f| f.forwarding_preserved)
                    .map(|f| f.family)
                    .collect();
                (kept.adj_in, Some(preserved))
            }
            None => (fresh(), None),
        };
        let mut adj_out = AdjRibOut::new(info, policy);
        for (prefix, _) in self.loc.iter() {
            if !neg.has_family(prefix.family()) {
                continue;
            }
            let best = self.loc.best(prefix);
            let source = best.and_then(|b| self.loc.peer(b.peer));
            if let Err(e) = adj_out.apply_best(prefix, best, source, &mut self.interner) {
                tracing::debug!(peer = %peer.cfg.name, "not advertised: {e}");
            }
        }
        let families = neg.families.clone();
        peer.up = Some(Up {
            negotiated: neg,
            adj_in,
            adj_out,
            since: Instant::now(),
            eor_pending: families,
            eorr_pending: Vec::new(),
            stale_until: kept_families.as_ref().map(|_| Instant::now() + STALE_TIME),
            max_prefix_warned: false,
        });
        peer.last_error = None;
        let _ = self.peer_events.send(PeerEvent {
            peer: peer.cfg.name.clone(),
            state: State::Established,
            reason: None,
        });
        if let Some(preserved) = kept_families {
            for family in [Family::IPV4_UNICAST, Family::IPV6_UNICAST] {
                if !preserved.contains(&family) {
                    self.sweep(p, Some(family));
                }
            }
        }
    }

    pub(super) fn down(&mut self, p: usize, reason: DownReason) {
        let restart = self.helps_restart(p, &reason);
        let text = reason.to_string();
        let peer = &mut self.peers[p];
        tracing::warn!(peer = %peer.cfg.name, "session down: {text}");
        peer.last_error = Some(text.clone());
        let was_up = peer.up.take();
        let id = peer.id;
        let _ = self.peer_events.send(PeerEvent {
            peer: peer.cfg.name.clone(),
            state: State::Idle,
            reason: Some(text),
        });
        let Some(mut up) = was_up else { return };
        if let Some(restart) = restart {
            self.retain(p, up.adj_in, restart);
            return;
        }
        let mut changes = Vec::new();
        up.adj_in.clear(&mut changes);
        let mut lc = Vec::new();
        if let Err(e) = self.loc.apply(id, &changes, &mut lc) {
            tracing::error!("RIB: {e}");
        }
        self.loc.remove_peer(id, &mut lc);
        self.propagate(lc);
    }

    pub(super) fn update(&mut self, p: usize, u: &Update) {
        let peer = &mut self.peers[p];
        let Some(up) = peer.up.as_mut() else { return };
        for e in &u.errors {
            tracing::warn!(peer = %peer.cfg.name, "{e}");
        }
        let mut changes = Vec::new();
        if let Some(rejected) = up.adj_in.apply(u, &mut self.interner, &mut changes) {
            tracing::debug!(peer = %peer.cfg.name, "routes treated as withdrawn: {rejected:?}");
        }
        let mut lc = Vec::new();
        if let Err(e) = self.loc.apply(peer.id, &changes, &mut lc) {
            tracing::error!("RIB: {e}");
        }
        self.propagate(lc);
        if let Some(family) = u.end_of_rib_family() {
            self.sweep(p, Some(family));
        }
        self.check_max_prefix(p);
    }

    /// Warns at the threshold and closes the session above the limit.
    fn check_max_prefix(&mut self, p: usize) {
        let peer = &mut self.peers[p];
        let (Some(max), Some(up)) = (peer.cfg.max_prefix, peer.up.as_mut()) else {
            return;
        };
        for family in [Family::IPV4_UNICAST, Family::IPV6_UNICAST] {
            let count = up.adj_in.len_family(family);
            let warn_at = u64::from(max.limit) * u64::from(max.warning_percent) / 100;
            if count as u64 >= warn_at && !up.max_prefix_warned {
                up.max_prefix_warned = true;
                tracing::warn!(peer = %peer.cfg.name, "{count} {family} prefixes: {}% of the limit of {}", max.warning_percent, max.limit);
            }
            if count as u64 > u64::from(max.limit) {
                let event = Event::MaxPrefixExceeded {
                    family,
                    limit: max.limit,
                    idle_hold: max.restart,
                };
                self.drive(p, Slot::Main, event);
                return;
            }
        }
    }

    pub(super) fn refresh(&mut self, p: usize, rr: RouteRefresh) {
        let peer = &mut self.peers[p];
        let Some(up) = peer.up.as_mut() else { return };
        if rr.subtype != RefreshSubtype::Request {
            // The peer's own re-advertisement markers; without graceful
            // handling of stale routes here they need no action.
            return;
        }
        peer.refresh_requests += 1;
        tracing::info!(peer = %peer.cfg.name, "route refresh requested for {}", rr.family);
        if up.negotiated.enhanced_route_refresh {
            peer.main.send(&Message::RouteRefresh(RouteRefresh {
                family: rr.family,
                subtype: RefreshSubtype::Begin,
            }));
            up.eorr_pending.push(rr.family);
        }
        up.adj_out.resend_all();
    }

    /// Hands Loc-RIB changes to every established peer's Adj-RIB-Out and
    /// to the FIB stream.
    pub(super) fn propagate(&mut self, changes: Vec<LocRibChange>) {
        let Core {
            peers,
            loc,
            interner,
            routes,
            installed,
            ..
        } = self;
        for ch in changes {
            let family = ch.prefix.family();
            let source = ch.best.as_ref().and_then(|b| loc.peer(b.peer));
            for peer in peers.iter_mut() {
                let Some(up) = peer.up.as_mut() else { continue };
                if !up.negotiated.has_family(family) {
                    continue;
                }
                if let Err(e) = up
                    .adj_out
                    .apply_best(ch.prefix, ch.best.as_ref(), source, interner)
                {
                    tracing::debug!(peer = %peer.cfg.name, "not advertised: {e}");
                }
            }
            if routes.is_closed() {
                continue;
            }
            let next_hops: Vec<FibNextHop> = ch
                .ecmp
                .iter()
                .filter(|path| !path.peer.is_local())
                .filter_map(|path| {
                    let from = peers.get(path.peer.0 as usize)?;
                    Some(FibNextHop {
                        address: fib_address(&path.attrs.next_hop, from.cfg.interface.is_some()),
                        interface: from.interface.clone(),
                        peer: Arc::clone(&from.name),
                    })
                })
                .collect();
            // Tell the FIB about learned routes only: a prefix whose best
            // path is ours was never installed, unless it replaced a
            // learned one.
            let was_installed = if next_hops.is_empty() {
                installed.remove(&ch.prefix)
            } else {
                installed.insert(ch.prefix);
                true
            };
            if was_installed {
                let _ = routes.send(RouteEvent {
                    prefix: ch.prefix,
                    next_hops,
                });
            }
        }
    }

    /// Writes pending route changes to every peer with room in its queue,
    /// then the End-of-RIB and EoRR markers that were waiting for them.
    pub(super) fn flush(&mut self) {
        let released = self.end_of_rib_released();
        for peer in self.peers.iter_mut() {
            let (Some(up), Some(conn)) = (peer.up.as_mut(), peer.main.conn.as_ref()) else {
                continue;
            };
            if up.adj_out.pending_len() > 0 {
                if !conn.writer.has_room() {
                    continue;
                }
                let mut buf = Vec::new();
                up.adj_out.flush(&up.negotiated.tx, &mut buf);
                conn.writer.send(buf);
            }
            let eor = if released {
                std::mem::take(&mut up.eor_pending)
            } else {
                Vec::new()
            };
            for family in eor {
                let eor = Message::Update(Box::new(Update::end_of_rib(family)));
                conn.writer.send_message(&eor, &up.negotiated.tx);
            }
            for family in up.eorr_pending.drain(..) {
                let eorr = Message::RouteRefresh(RouteRefresh {
                    family,
                    subtype: RefreshSubtype::End,
                });
                conn.writer.send_message(&eorr, &up.negotiated.tx);
            }
        }
        self.draining.retain(|t| !t.is_finished());
    }
}

/// The address the FIB forwards to. A link-local next hop needs its
/// interface, which only unnumbered peers have: from a numbered peer
/// (that sends its global address and a link-local one, as FRR does) the
/// route goes via the global address.
fn fib_address(next_hop: &NextHop, has_interface: bool) -> IpAddr {
    match *next_hop {
        NextHop::V6 { global, .. }
            if !has_interface && !global.is_unspecified() && !global.is_unicast_link_local() =>
        {
            IpAddr::V6(global)
        }
        _ => next_hop.forwarding_addr(),
    }
}
