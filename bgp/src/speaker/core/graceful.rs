//! Graceful restart (RFC 4724) in both roles.
//!
//! Helper: when a peer that announced the capability loses its connection
//! without a NOTIFICATION, its routes stay, marked stale (they still win
//! when nothing fresher exists, and stay in the FIB), for the restart time
//! it announced. When it comes back, families it no longer preserves are
//! swept at once; the others when its End-of-RIB arrives, or after
//! [`STALE_TIME`].
//!
//! Restarting speaker: with `restarting` set in the configuration, our
//! End-of-RIB waits until the embedding application says its routes are
//! all announced again ([`super::super::Speaker::initial_routes_done`]), or
//! until our restart time runs out, so that the peers keep our stale routes
//! meanwhile; and [`super::super::Speaker::stop_for_restart`] closes every
//! session without a NOTIFICATION, so that the peers keep our routes while
//! we restart.

use std::time::Duration;

use tokio::time::Instant;

use super::Core;
use crate::fsm::DownReason;
use crate::rib::AdjRibIn;
use crate::speaker::peer::Retained;
use crate::wire::Family;

/// How long routes kept from before a peer's restart may wait for its
/// End-of-RIB once the session is back (FRR's default stale-path time).
pub(crate) const STALE_TIME: Duration = Duration::from_secs(360);

impl Core {
    /// Whether the peer's routes are to be kept stale rather than
    /// withdrawn after it went down for `reason`.
    pub(super) fn helps_restart(&self, p: usize, reason: &DownReason) -> Option<Duration> {
        let up = self.peers[p].up.as_ref()?;
        let gr = up.negotiated.peer_graceful_restart.as_ref()?;
        let kept = matches!(reason, DownReason::ConnectionClosed) && gr.restart_time > 0;
        kept.then(|| Duration::from_secs(u64::from(gr.restart_time)))
    }

    /// Marks everything the peer sent stale and keeps it for `restart`.
    pub(super) fn retain(&mut self, p: usize, mut adj_in: AdjRibIn, restart: Duration) {
        let peer = &mut self.peers[p];
        tracing::info!(peer = %peer.cfg.name, "peer restarting gracefully: keeping its {} routes stale for {}s", adj_in.len(), restart.as_secs());
        let mut changes = Vec::new();
        adj_in.mark_stale(&mut changes);
        let id = peer.id;
        peer.retained = Some(Retained {
            adj_in,
            until: Instant::now() + restart,
        });
        let mut lc = Vec::new();
        if let Err(e) = self.loc.apply(id, &changes, &mut lc) {
            tracing::error!("RIB: {e}");
        }
        self.propagate(lc);
    }

    /// Removes the stale routes of `family` (all, with `None`) that the
    /// peer has not announced again.
    pub(super) fn sweep(&mut self, p: usize, family: Option<Family>) {
        let peer = &mut self.peers[p];
        let id = peer.id;
        let mut changes = Vec::new();
        if let Some(up) = peer.up.as_mut() {
            up.adj_in.sweep_stale(family, &mut changes);
            if family.is_none() {
                up.stale_until = None;
            }
        } else if let Some(mut kept) = peer.retained.take() {
            // The peer did not come back in time.
            tracing::info!(peer = %peer.cfg.name, "restart time over: withdrawing its {} stale routes", kept.adj_in.len());
            kept.adj_in.clear(&mut changes);
        }
        if changes.is_empty() {
            return;
        }
        tracing::info!(peer = %self.peers[p].cfg.name, "removed {} stale routes", changes.len());
        let mut lc = Vec::new();
        if let Err(e) = self.loc.apply(id, &changes, &mut lc) {
            tracing::error!("RIB: {e}");
        }
        if self.peers[p].up.is_none() {
            self.loc.remove_peer(id, &mut lc);
        }
        self.propagate(lc);
    }

    /// The earliest graceful restart deadline of any peer.
    pub(super) fn next_restart_deadline(&self) -> Option<Instant> {
        let peers = self.peers.iter().filter_map(|p| {
            p.retained
                .as_ref()
                .map(|r| r.until)
                .or(p.up.as_ref().and_then(|u| u.stale_until))
        });
        peers.chain(self.eor_deadline).min()
    }

    /// Sweeps what timed out, and releases our End-of-RIB when our own
    /// restart time is over.
    pub(super) fn fire_restart_deadlines(&mut self, now: Instant) {
        for p in self.peers.indices() {
            let peer = &self.peers[p];
            let due = peer.retained.as_ref().is_some_and(|r| r.until <= now)
                || peer
                    .up
                    .as_ref()
                    .and_then(|u| u.stale_until)
                    .is_some_and(|t| t <= now);
            if due {
                self.sweep(p, None);
            }
        }
        if self.eor_deadline.is_some_and(|t| t <= now) {
            tracing::warn!("restart time over before the initial routes were all announced: sending End-of-RIB anyway");
            self.eor_deadline = None;
        }
    }

    /// Whether End-of-RIB may be sent: not while we are restarting and the
    /// application has not re-announced everything yet.
    pub(super) fn end_of_rib_released(&self) -> bool {
        self.eor_deadline.is_none()
    }
}
