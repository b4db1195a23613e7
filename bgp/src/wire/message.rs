//! A whole BGP message: decode from a byte stream, encode to bytes.

use std::fmt;

use super::error::{code, DecodeError, EncodeError};
use super::header::{finish_header, frame_len, msg_type, parse_header, start_header, HEADER_LEN};
use super::notification::Notification;
use super::open::Open;
use super::route_refresh::RouteRefresh;
use super::update::Update;
use super::WireContext;

/// A BGP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// OPEN.
    Open(Open),
    /// UPDATE (boxed: its attributes make it by far the largest).
    Update(Box<Update>),
    /// NOTIFICATION.
    Notification(Notification),
    /// KEEPALIVE.
    Keepalive,
    /// ROUTE-REFRESH.
    RouteRefresh(RouteRefresh),
}

impl Message {
    /// Decodes the first message in `buf`. Returns `Ok(None)` while `buf`
    /// holds less than a whole message, else the message and the bytes it
    /// took. `Err` means the session must be reset with the error's
    /// NOTIFICATION.
    pub fn decode(buf: &[u8], ctx: &WireContext) -> Result<Option<(Message, usize)>, DecodeError> {
        let Some(len) = frame_len(buf, ctx.max_message_len())? else {
            return Ok(None);
        };
        Message::decode_one(&buf[..len], ctx).map(|m| Some((m, len)))
    }

    /// Decodes exactly one message that fills `msg`.
    pub fn decode_one(msg: &[u8], ctx: &WireContext) -> Result<Message, DecodeError> {
        if msg.len() < HEADER_LEN {
            return Err(super::header::bad_length(msg.len()));
        }
        let h = parse_header(msg, ctx.max_message_len())?;
        if h.length != msg.len() {
            return Err(super::header::bad_length(msg.len()));
        }
        let body = &msg[HEADER_LEN..];
        Ok(match h.kind {
            msg_type::OPEN => Message::Open(Open::decode(body)?),
            msg_type::UPDATE => Message::Update(Box::new(Update::decode(body, ctx)?)),
            msg_type::NOTIFICATION => Message::Notification(Notification::decode(body)),
            msg_type::KEEPALIVE => Message::Keepalive,
            msg_type::ROUTE_REFRESH => {
                if body.len() != 4 {
                    return Err(DecodeError::reset(
                        code::ROUTE_REFRESH_MESSAGE,
                        code::route_refresh::INVALID_MESSAGE_LENGTH,
                        msg.to_vec(),
                        format!("ROUTE-REFRESH of {} bytes (must be 23)", msg.len()),
                    ));
                }
                Message::RouteRefresh(RouteRefresh::decode(body))
            }
            _ => unreachable!("parse_header accepts only known types"),
        })
    }

    /// The message type code.
    pub fn kind(&self) -> u8 {
        match self {
            Message::Open(_) => msg_type::OPEN,
            Message::Update(_) => msg_type::UPDATE,
            Message::Notification(_) => msg_type::NOTIFICATION,
            Message::Keepalive => msg_type::KEEPALIVE,
            Message::RouteRefresh(_) => msg_type::ROUTE_REFRESH,
        }
    }

    /// Appends the encoded message to `out`. On error `out` is unchanged.
    pub fn encode(&self, ctx: &WireContext, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let start = start_header(self.kind(), out);
        let r = match self {
            Message::Open(o) => o.encode_body(out),
            Message::Update(u) => u.encode_body(ctx, out),
            Message::Notification(n) => {
                n.encode_body(out);
                Ok(())
            }
            Message::Keepalive => Ok(()),
            Message::RouteRefresh(r) => {
                r.encode_body(out);
                Ok(())
            }
        };
        let max = match self {
            Message::Update(_) | Message::RouteRefresh(_) => ctx.max_message_len(),
            _ => super::MAX_MESSAGE_LEN,
        };
        let len = out.len() - start;
        let r = r.and_then(|()| {
            (len <= max).then_some(()).ok_or(EncodeError::TooLong {
                what: "message",
                len,
                max,
            })
        });
        match r {
            Ok(()) => {
                finish_header(start, out);
                Ok(())
            }
            Err(e) => {
                out.truncate(start);
                Err(e)
            }
        }
    }

    /// Encodes into a new buffer.
    pub fn to_bytes(&self, ctx: &WireContext) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        self.encode(ctx, &mut out)?;
        Ok(out)
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Message::Open(o) => write!(
                f,
                "OPEN as {} hold {}s id {} ({} capabilities)",
                o.asn(),
                o.hold_time,
                o.router_id,
                o.capabilities.len()
            ),
            Message::Update(u) => {
                if let Some(fam) = u.end_of_rib_family() {
                    return write!(f, "UPDATE End-of-RIB {fam}");
                }
                let reach = u.nlri.len() + u.mp_reach.as_ref().map_or(0, |m| m.nlri.len());
                let unreach =
                    u.withdrawn.len() + u.mp_unreach.as_ref().map_or(0, |m| m.withdrawn.len());
                write!(f, "UPDATE {reach} announced, {unreach} withdrawn")
            }
            Message::Notification(n) => write!(f, "NOTIFICATION {n}"),
            Message::Keepalive => f.write_str("KEEPALIVE"),
            Message::RouteRefresh(r) => write!(f, "ROUTE-REFRESH {} {:?}", r.family, r.subtype),
        }
    }
}
