//! `bgp::rib`: the sans-IO routing tables of the speaker.
//!
//! No sockets, no clock: the owner (the speaker driver) feeds decoded
//! UPDATEs in and takes route changes and encoded UPDATEs out.
//!
//! - [`AdjRibIn`] (one per peer): what a peer announced, after RFC 7606
//!   treat-as-withdraw, AS-path loop detection and LOCAL_PREF scrubbing;
//!   graceful-restart staleness. It turns an [`Update`](crate::wire::Update)
//!   into [`RouteChange`]s.
//! - [`LocRib`]: every candidate path per prefix, the best path by the RFC
//!   4271 §9.1.2.2 decision process and the ECMP set ("multipath relax").
//!   It turns [`RouteChange`]s into [`LocRibChange`]s, emitted only when the
//!   best path or the ECMP set changed.
//! - [`AdjRibOut`] (one per peer): what we advertised to a peer and what is
//!   pending, coalesced, flushed as packed UPDATEs with withdrawals first.
//!   [`ExportPolicy`] builds the attributes we send.
//! - [`AttrInterner`]: equal attribute sets share one [`Arc<PathAttrs>`](PathAttrs).
//!
//! The pipeline, for one UPDATE from peer `p`:
//!
//! ```text
//! Update --AdjRibIn::apply--> [RouteChange] --LocRib::apply--> [LocRibChange]
//!        --AdjRibOut::apply_best (every other peer)--> AdjRibOut::flush --> bytes
//! ```

mod adj_in;
mod adj_out;
mod candidates;
mod decision;
mod export;
mod intern;
mod loc;
mod map;
mod path;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod testutil;

pub use adj_in::{AdjInConfig, AdjRibIn, Rejected, RouteChange};
pub use adj_out::AdjRibOut;
pub use export::ExportPolicy;
pub use intern::AttrInterner;
pub use loc::{LocRib, LocRibChange, DEFAULT_MAX_PATHS};
pub use path::{Path, PathAttrs, PeerId, PeerInfo, DEFAULT_LOCAL_PREF};

use crate::wire::{NextHop, Prefix};

/// What the RIB refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RibError {
    /// A route change names a peer the Loc-RIB does not know
    /// ([`LocRib::set_peer`] first).
    #[error("peer {0} is not registered with the Loc-RIB")]
    UnknownPeer(PeerId),
    /// A next hop that cannot carry the prefix on this session.
    #[error("next hop {next_hop} cannot carry {prefix} on this session")]
    NextHopFamily {
        /// The prefix.
        prefix: Prefix,
        /// The next hop.
        next_hop: NextHop,
    },
}
