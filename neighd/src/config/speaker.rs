//! The configuration as the embedded BGP speaker takes it: the mapping to
//! `bgp::speaker::{SpeakerConfig, PeerConfig}`, peer names, and a `Debug`
//! for neighbors that never shows a password.

use std::fmt;

use bgp::fsm::GracefulRestartConfig;
use bgp::speaker::security::{Md5Key, PeerSecurity};
use bgp::speaker::{MaxPrefix, PeerConfig, SpeakerConfig};

use super::model::{Config, Neighbor, NeighborTarget};

impl Neighbor {
    /// The BGP peer's name: its address as text, or its interface for an
    /// unnumbered peer (as FRR names them, and as `PeerConfig::name`).
    pub fn name(&self) -> String {
        match &self.target {
            NeighborTarget::Address(a) => a.to_string(),
            NeighborTarget::Interface(name) => name.clone(),
        }
    }

    /// This neighbor as a speaker peer; `[bgp]` gives the timers it does
    /// not override.
    fn peer_config(&self, config: &Config) -> PeerConfig {
        let mut peer = match &self.target {
            NeighborTarget::Address(a) => PeerConfig::new(*a, self.remote_as),
            NeighborTarget::Interface(name) => PeerConfig::interface(name, self.remote_as),
        };
        peer.name = self.name();
        peer.port = self.port;
        peer.passive = self.passive;
        peer.hold_time = self.hold_time.unwrap_or(config.bgp.hold_time);
        peer.connect_retry = config.bgp.connect_retry;
        peer.max_prefix = self.max_prefix.map(MaxPrefix::new);
        peer.security = PeerSecurity {
            md5: self
                .password
                .as_deref()
                .map(|p| Md5Key::new(p).expect("parse() accepts only passwords of 1 to 80 bytes")),
            ttl_security: self.ttl_security,
        };
        peer
    }
}

impl Config {
    /// One speaker peer per `[[bgp.neighbor]]`, in file order.
    ///
    /// # Panics
    ///
    /// If a password was set by hand to an empty string or one longer
    /// than 80 bytes; [`parse`](super::parse) refuses those.
    pub fn peer_configs(&self) -> Vec<PeerConfig> {
        self.bgp
            .neighbors
            .iter()
            .map(|n| n.peer_config(self))
            .collect()
    }

    /// The whole speaker: `[bgp]` and its peers.
    ///
    /// # Panics
    ///
    /// As [`Config::peer_configs`].
    pub fn speaker_config(&self) -> SpeakerConfig {
        let bgp = &self.bgp;
        let mut speaker = SpeakerConfig::new(bgp.asn, bgp.router_id);
        speaker.listen = bgp.listen;
        speaker.peers = self.peer_configs();
        speaker.max_paths = bgp.max_paths;
        speaker.hostname = bgp.hostname.clone();
        speaker.graceful_restart = bgp.graceful_restart.then_some(GracefulRestartConfig {
            restart_time: bgp.restart_time,
            forwarding_preserved: false,
            restarting: false,
        });
        speaker
    }
}

impl fmt::Debug for Neighbor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Neighbor")
            .field("target", &self.target)
            .field("remote_as", &self.remote_as)
            .field("password", &self.password.as_ref().map(|_| Redacted))
            .field("ttl_security", &self.ttl_security)
            .field("passive", &self.passive)
            .field("hold_time", &self.hold_time)
            .field("port", &self.port)
            .field("max_prefix", &self.max_prefix)
            .field("description", &self.description)
            .finish()
    }
}

/// Prints `<redacted>` in place of a secret.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}
