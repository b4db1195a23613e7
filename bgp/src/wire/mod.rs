//! `bgp::wire`: the sans-IO BGP-4 message codec.
//!
//! Bytes in, typed messages out, and back; no sockets, no clock. Decoding
//! applies RFC 7606: every error is a [`DecodeError`] whose
//! [`ErrorAction`] says whether to reset the session (with the NOTIFICATION
//! it carries), treat the UPDATE as a withdrawal, or discard one attribute.
//! A malformed message never panics and allocates at most in proportion to
//! its own length.
//!
//! Layout, in the spirit of smoltcp's `wire`: each message type has a
//! representation with `decode` and `encode`; [`NlriIter`] and
//! [`frame_len`] are zero-copy views for hot paths; [`UpdateBatch`] packs
//! many routes into few UPDATEs.

pub mod attributes;
pub mod capability;
pub mod context;
pub mod error;
pub mod header;
pub mod message;
pub mod nlri;
pub mod notification;
pub mod open;
pub mod pack;
pub mod prefix;
pub mod route_refresh;
pub mod update;

pub use attributes::aspath::{AsPath, AsSegment, SegmentType};
pub use attributes::community::{Community, ExtCommunity, LargeCommunity};
pub use attributes::mp::{MpReach, MpUnreach, NextHop};
pub use attributes::{decode_attributes, Aggregator, Origin, PathAttributes, RawAttribute};
pub use capability::Capability;
pub use context::{AddPath, Family, WireContext, MAX_EXTENDED_MESSAGE_LEN, MAX_MESSAGE_LEN};
pub use error::{DecodeError, EncodeError, ErrorAction};
pub use header::{frame_len, HEADER_LEN};
pub use message::Message;
pub use nlri::{decode_nlri, NlriIter};
pub use notification::Notification;
pub use open::{Open, ParamLayout, AS_TRANS};
pub use pack::{pack_announcements, pack_withdrawals, UpdateBatch};
pub use prefix::{Ipv4Prefix, Ipv6Prefix, Nlri, Prefix};
pub use route_refresh::{RefreshSubtype, RouteRefresh};
pub use update::Update;
