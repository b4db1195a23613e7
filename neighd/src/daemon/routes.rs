//! The routes neighd originates: host routes of live hosts and
//! `[[announce]]` prefixes, with their attributes, batched for the speaker.

use std::collections::HashMap;
use std::net::IpAddr;

use bgp::speaker::{RouteAttributes, Speaker};
use bgp::wire::{Community, LargeCommunity, Prefix};

/// Announcements and withdrawals gathered during one turn of the agent's
/// loop (the last change of a prefix wins), handed to the speaker in one
/// message each.
#[derive(Debug, Default)]
pub(crate) struct RouteBatch {
    changes: HashMap<Prefix, Option<RouteAttributes>>,
}

impl RouteBatch {
    pub(crate) fn announce(&mut self, prefix: Prefix, attrs: RouteAttributes) {
        self.changes.insert(prefix, Some(attrs));
    }

    pub(crate) fn withdraw(&mut self, prefix: Prefix) {
        self.changes.insert(prefix, None);
    }

    /// Sends the batch (withdrawals first) and empties it; returns
    /// `(announced, withdrawn)`.
    pub(crate) fn flush(&mut self, speaker: &Speaker) -> (usize, usize) {
        let mut announce = Vec::new();
        let mut withdraw = Vec::new();
        for (prefix, change) in self.changes.drain() {
            match change {
                Some(attrs) => announce.push((prefix, attrs)),
                None => withdraw.push(prefix),
            }
        }
        let counts = (announce.len(), withdraw.len());
        if !withdraw.is_empty() {
            let _ = speaker.withdraw_many(withdraw);
        }
        if !announce.is_empty() {
            let _ = speaker.announce_many(announce);
        }
        counts
    }
}

/// The host route of `ip`: a /32 or /128.
pub(crate) fn host_prefix(ip: IpAddr) -> Prefix {
    Prefix::host(ip)
}

/// Attributes carrying `communities` and `large`.
pub(crate) fn attributes(communities: &[Community], large: &[LargeCommunity]) -> RouteAttributes {
    RouteAttributes {
        communities: communities.to_vec(),
        large_communities: large.to_vec(),
        ..RouteAttributes::default()
    }
}
