//! The NOTIFICATION message (RFC 4271 §4.5) and the shutdown communication
//! of Cease / Administrative Shutdown and Reset (RFC 9003, formerly 8203).
//! We also send and read one with Cease / Peer De-configured, for which
//! RFC 9003 defines none: other implementations show it as data bytes.

use std::fmt;

use super::error::code;

/// A NOTIFICATION message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Notification {
    /// Error code.
    pub code: u8,
    /// Error subcode.
    pub subcode: u8,
    /// Data.
    pub data: Vec<u8>,
}

/// The longest shutdown communication (RFC 9003 §2).
pub const MAX_SHUTDOWN_MESSAGE: usize = 255;

impl Notification {
    /// A notification without data.
    pub fn new(code: u8, subcode: u8) -> Notification {
        Notification {
            code,
            subcode,
            data: Vec::new(),
        }
    }

    /// Cease with a shutdown communication (subcode 2 or 4, or 3 — see the
    /// module documentation); the text is cut to 255 bytes at a character
    /// boundary.
    pub fn cease_with_message(subcode: u8, message: &str) -> Notification {
        let mut end = message.len().min(MAX_SHUTDOWN_MESSAGE);
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        let mut data = Vec::with_capacity(end + 1);
        data.push(end as u8);
        data.extend_from_slice(&message.as_bytes()[..end]);
        Notification {
            code: code::CEASE,
            subcode,
            data,
        }
    }

    /// The shutdown communication, when this is Cease / Administrative
    /// Shutdown, Reset or Peer De-configured carrying a well-formed one.
    pub fn shutdown_message(&self) -> Option<&str> {
        if self.code != code::CEASE
            || !matches!(
                self.subcode,
                code::cease::ADMINISTRATIVE_SHUTDOWN
                    | code::cease::ADMINISTRATIVE_RESET
                    | code::cease::PEER_DECONFIGURED
            )
        {
            return None;
        }
        let (&len, rest) = self.data.split_first()?;
        let text = rest.get(..usize::from(len))?;
        std::str::from_utf8(text).ok().filter(|t| !t.is_empty())
    }

    /// Decodes a NOTIFICATION body (length already checked by the header).
    pub fn decode(body: &[u8]) -> Notification {
        Notification {
            code: body[0],
            subcode: body[1],
            data: body[2..].to_vec(),
        }
    }

    /// Appends the body.
    pub fn encode_body(&self, out: &mut Vec<u8>) {
        out.push(self.code);
        out.push(self.subcode);
        out.extend_from_slice(&self.data);
    }
}

/// "Code name / subcode name" for a notification, for logs.
pub fn describe(c: u8, sub: u8) -> String {
    use code::*;
    let name = match c {
        MESSAGE_HEADER => "Message Header Error",
        OPEN_MESSAGE => "OPEN Message Error",
        UPDATE_MESSAGE => "UPDATE Message Error",
        HOLD_TIMER_EXPIRED => "Hold Timer Expired",
        FSM => "Finite State Machine Error",
        CEASE => "Cease",
        ROUTE_REFRESH_MESSAGE => "ROUTE-REFRESH Message Error",
        _ => "Unknown Error",
    };
    let subname = match (c, sub) {
        (MESSAGE_HEADER, 1) => "Connection Not Synchronized",
        (MESSAGE_HEADER, 2) => "Bad Message Length",
        (MESSAGE_HEADER, 3) => "Bad Message Type",
        (OPEN_MESSAGE, 1) => "Unsupported Version Number",
        (OPEN_MESSAGE, 2) => "Bad Peer AS",
        (OPEN_MESSAGE, 3) => "Bad BGP Identifier",
        (OPEN_MESSAGE, 4) => "Unsupported Optional Parameter",
        (OPEN_MESSAGE, 6) => "Unacceptable Hold Time",
        (OPEN_MESSAGE, 7) => "Unsupported Capability",
        (OPEN_MESSAGE, 11) => "Role Mismatch",
        (UPDATE_MESSAGE, 1) => "Malformed Attribute List",
        (UPDATE_MESSAGE, 2) => "Unrecognized Well-known Attribute",
        (UPDATE_MESSAGE, 3) => "Missing Well-known Attribute",
        (UPDATE_MESSAGE, 4) => "Attribute Flags Error",
        (UPDATE_MESSAGE, 5) => "Attribute Length Error",
        (UPDATE_MESSAGE, 6) => "Invalid ORIGIN Attribute",
        (UPDATE_MESSAGE, 8) => "Invalid NEXT_HOP Attribute",
        (UPDATE_MESSAGE, 9) => "Optional Attribute Error",
        (UPDATE_MESSAGE, 10) => "Invalid Network Field",
        (UPDATE_MESSAGE, 11) => "Malformed AS_PATH",
        (FSM, 1) => "Unexpected Message in OpenSent State",
        (FSM, 2) => "Unexpected Message in OpenConfirm State",
        (FSM, 3) => "Unexpected Message in Established State",
        (CEASE, 1) => "Maximum Number of Prefixes Reached",
        (CEASE, 2) => "Administrative Shutdown",
        (CEASE, 3) => "Peer De-configured",
        (CEASE, 4) => "Administrative Reset",
        (CEASE, 5) => "Connection Rejected",
        (CEASE, 6) => "Other Configuration Change",
        (CEASE, 7) => "Connection Collision Resolution",
        (CEASE, 8) => "Out of Resources",
        (CEASE, 9) => "Hard Reset",
        (CEASE, 10) => "BFD Down",
        (ROUTE_REFRESH_MESSAGE, 1) => "Invalid Message Length",
        (_, 0) => "Unspecific",
        _ => "Unknown Subcode",
    };
    format!("{name}/{subname}")
}

impl fmt::Display for Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", describe(self.code, self.subcode))?;
        if let Some(msg) = self.shutdown_message() {
            write!(f, " \"{}\"", msg.escape_debug())?;
        } else if !self.data.is_empty() {
            write!(f, " ({} bytes of data)", self.data.len())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shutdown_communication() {
        let n = Notification::cease_with_message(
            code::cease::ADMINISTRATIVE_SHUTDOWN,
            "maintenance window 42",
        );
        assert_eq!(n.shutdown_message(), Some("maintenance window 42"));
        assert_eq!(
            n.to_string(),
            "Cease/Administrative Shutdown \"maintenance window 42\""
        );
        let long = "é".repeat(200);
        let n = Notification::cease_with_message(code::cease::ADMINISTRATIVE_RESET, &long);
        assert_eq!(n.data[0], 254);
        assert!(n.shutdown_message().is_some());
        let bad = Notification {
            code: code::CEASE,
            subcode: 2,
            data: vec![10, b'a'],
        };
        assert_eq!(bad.shutdown_message(), None);
    }
}
