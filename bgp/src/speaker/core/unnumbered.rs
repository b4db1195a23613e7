//! Unnumbered peers: what router advertisements tell the protocol task.
//! The peer's link-local address and interface index come from its RAs; a
//! peer whose address is known is connected to (until then the session
//! only waits for the peer, which connects once it has heard our RAs).

use super::Core;
use crate::fsm::{Event, State, Timer};
use crate::speaker::peer::Slot;
use crate::unnumbered::Event as RaEvent;

impl Core {
    pub(super) fn router_advertisement(&mut self, event: RaEvent) {
        match event {
            RaEvent::Local(local) => {
                for peer in self.peers.iter_mut().filter(|p| p.unnumbered) {
                    if peer.cfg.interface.as_deref() == Some(local.ifname.as_str()) {
                        peer.cfg.scope_id = local.ifindex;
                        tracing::debug!(peer = %peer.cfg.name, "our address on the link: {}", local.address);
                    }
                }
            }
            RaEvent::Neighbor(n) => {
                for p in self.peers.indices() {
                    let peer = &mut self.peers[p];
                    if !peer.unnumbered || peer.cfg.interface.as_deref() != Some(n.ifname.as_str())
                    {
                        continue;
                    }
                    peer.cfg.scope_id = n.ifindex;
                    if peer.cfg.address != std::net::IpAddr::V6(n.address) {
                        tracing::info!(peer = %peer.cfg.name, "peer is {}%{} (router advertisement)", n.address, n.ifname);
                        peer.cfg.address = std::net::IpAddr::V6(n.address);
                    }
                    if !peer.cfg.passive {
                        peer.main.session.set_passive(false);
                        if peer.main.session.state() == State::Active {
                            // Connect now rather than at the next retry.
                            self.drive(p, Slot::Main, Event::TimerExpired(Timer::ConnectRetry));
                        }
                    }
                }
            }
            RaEvent::Down { ifname } => {
                for peer in self.peers.iter_mut().filter(|p| p.unnumbered) {
                    if peer.cfg.interface.as_deref() == Some(ifname.as_str()) {
                        tracing::info!(peer = %peer.cfg.name, "{ifname} is down or lost its link-local address");
                        peer.main.session.set_passive(true);
                    }
                }
            }
        }
    }
}
