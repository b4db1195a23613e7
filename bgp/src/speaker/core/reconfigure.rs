//! Peers added and removed while the speaker runs (a configuration
//! reload; the initial peers are added the same way). An added peer must
//! be distinguishable from the others; the listener gets its TCP MD5 key
//! and GTSM, router advertisements start on its interface when it is
//! unnumbered, and its session starts. A removed peer's session ends with
//! Cease / Peer De-configured, its routes leave the Loc-RIB (so the other
//! peers and the FIB stream see them withdrawn), and the listener and the
//! router advertisements forget it. Other sessions are not touched.

use std::net::IpAddr;

use super::{Core, Input};
use crate::fsm::Event;
use crate::speaker::api::AddPeerError;
use crate::speaker::config::PeerConfig;
use crate::speaker::peer::{Peer, Slot};
use crate::unnumbered::RaDriver;

impl Core {
    /// Adds a peer and starts its session.
    pub(super) fn add_peer(&mut self, cfg: PeerConfig) -> Result<(), AddPeerError> {
        self.check_distinct(&cfg)?;
        let advertising = self.advertise_for(&cfg)?;
        if let Err(e) = self.secure_listener_for(&cfg) {
            if let Some(ifname) = advertising {
                self.stop_advertising(&ifname);
            }
            return Err(e);
        }
        self.start_peer(cfg);
        Ok(())
    }

    /// Adds a peer of the initial configuration, for which the listener
    /// was secured before it started listening.
    pub(crate) fn add_initial_peer(&mut self, cfg: PeerConfig) -> Result<(), AddPeerError> {
        self.check_distinct(&cfg)?;
        self.advertise_for(&cfg)?;
        self.start_peer(cfg);
        Ok(())
    }

    fn start_peer(&mut self, cfg: PeerConfig) {
        let session = self.cfg.session(&cfg);
        let p = self.peers.insert(|id| Peer::new(id, cfg, session));
        tracing::info!(peer = %self.peers[p].cfg.name, "peer added");
        self.drive(p, Slot::Main, Event::Start);
    }

    /// Removes the peer named `name`; false when there is none.
    pub(super) fn remove_peer(&mut self, name: &str, message: Option<String>) -> bool {
        let Some(p) = self.peers.position_by_name(name) else {
            return false;
        };
        // As at shutdown: the colliding connection first, so that the main
        // one's end does not promote it. A session that was up goes down
        // here, taking its routes out of the Loc-RIB.
        self.drive(p, Slot::Other, Event::Deconfigured(message.clone()));
        self.drive(p, Slot::Main, Event::Deconfigured(message));
        let Some(peer) = self.peers.remove(p) else {
            return false;
        };
        for conn in [Some(peer.main), peer.other]
            .into_iter()
            .flatten()
            .filter_map(|f| f.conn)
        {
            self.draining.push(conn.close());
        }
        // Routes kept stale for a graceful restart that will not come.
        let mut lc = Vec::new();
        if let Some(mut kept) = peer.retained {
            let mut changes = Vec::new();
            kept.adj_in.clear(&mut changes);
            if let Err(e) = self.loc.apply(peer.id, &changes, &mut lc) {
                tracing::error!("RIB: {e}");
            }
        }
        if self.loc.peer(peer.id).is_some() {
            self.loc.remove_peer(peer.id, &mut lc);
        }
        self.propagate(lc);
        self.interner.gc();
        if !peer.unnumbered && peer.cfg.security.md5.is_some() {
            self.restore_listener_key(peer.cfg.address);
        }
        self.update_listener_gtsm();
        if peer.unnumbered {
            if let Some(ifname) = &peer.cfg.interface {
                self.stop_advertising(ifname);
            }
        }
        tracing::info!(peer = %peer.cfg.name, "peer removed");
        true
    }

    /// Refuses a peer that could not be told apart from one we have.
    fn check_distinct(&self, new: &PeerConfig) -> Result<(), AddPeerError> {
        let name = || new.name.clone();
        for peer in self.peers.iter() {
            let existing = || peer.cfg.name.clone();
            if peer.cfg.name == new.name {
                return Err(AddPeerError::DuplicateName { name: name() });
            }
            if new.is_unnumbered() {
                if peer.unnumbered && peer.cfg.interface == new.interface {
                    return Err(AddPeerError::DuplicateInterface {
                        name: name(),
                        interface: new.interface.clone().unwrap_or_default(),
                        existing: existing(),
                    });
                }
            } else if !peer.unnumbered && same_address(&peer.cfg, new) {
                return Err(AddPeerError::DuplicateAddress {
                    name: name(),
                    address: new.address,
                    existing: existing(),
                });
            }
        }
        Ok(())
    }

    /// Starts router advertisements on an unnumbered peer's interface (the
    /// driver itself with the first such peer); returns the interface.
    fn advertise_for(&mut self, cfg: &PeerConfig) -> Result<Option<String>, AddPeerError> {
        let (true, Some(ifname)) = (cfg.is_unnumbered(), cfg.interface.as_deref()) else {
            return Ok(None);
        };
        let refused = |source| AddPeerError::RouterAdvertisements {
            name: cfg.name.clone(),
            interface: ifname.to_string(),
            source,
        };
        let driver = match &self.ra {
            Some(d) => d,
            None => {
                let (driver, mut events) = RaDriver::start(self.cfg.ra.clone()).map_err(refused)?;
                let tx = self.input.clone();
                tokio::spawn(async move {
                    while let Some(e) = events.recv().await {
                        if tx.send(Input::Ra(e)).await.is_err() {
                            return;
                        }
                    }
                });
                &*self.ra.insert(driver)
            }
        };
        driver.add_interface(ifname).map_err(refused)?;
        Ok(Some(ifname.to_string()))
    }

    fn stop_advertising(&self, ifname: &str) {
        if let Some(ra) = &self.ra {
            if let Err(e) = ra.remove_interface(ifname) {
                tracing::warn!("{e}");
            }
        }
    }

    /// Gives the listener a numbered peer's TCP MD5 key and the GTSM
    /// setting for the peers including it; undoes the key on failure.
    fn secure_listener_for(&self, cfg: &PeerConfig) -> Result<(), AddPeerError> {
        let Some(listener) = &self.listener else {
            return Ok(());
        };
        let refused = |source| AddPeerError::Listener {
            name: cfg.name.clone(),
            source,
        };
        let key = cfg.security.md5.as_ref().filter(|_| !cfg.is_unnumbered());
        if let Some(key) = key {
            listener.set_key(cfg.address, Some(key)).map_err(refused)?;
        }
        let everyone = self
            .peers
            .iter()
            .map(|p| &p.cfg.security)
            .chain([&cfg.security]);
        if let Err(e) = listener.set_gtsm(everyone) {
            if key.is_some() {
                self.restore_listener_key(cfg.address);
            }
            return Err(refused(e));
        }
        Ok(())
    }

    /// Sets the listener's key for `address` to that of the numbered peer
    /// that has the address now (the kernel keeps one key per address,
    /// whatever the link-local scope), or removes it.
    fn restore_listener_key(&self, address: IpAddr) {
        let Some(listener) = &self.listener else {
            return;
        };
        let key = self
            .peers
            .iter()
            .filter(|p| !p.unnumbered && p.cfg.address.to_canonical() == address.to_canonical())
            .find_map(|p| p.cfg.security.md5.as_ref());
        if let Err(e) = listener.set_key(address, key) {
            tracing::warn!("listening socket: {e}");
        }
    }

    fn update_listener_gtsm(&self) {
        let Some(listener) = &self.listener else {
            return;
        };
        if let Err(e) = listener.set_gtsm(self.peers.iter().map(|p| &p.cfg.security)) {
            tracing::warn!("listening socket: {e}");
        }
    }
}

/// Whether connections from two numbered peers could not be told apart:
/// the same address, and the same link-local scope (or either has none).
fn same_address(a: &PeerConfig, b: &PeerConfig) -> bool {
    a.address.to_canonical() == b.address.to_canonical()
        && (a.scope_id == b.scope_id || a.scope_id == 0 || b.scope_id == 0)
}
