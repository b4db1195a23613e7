//! Decode and encode errors, each classified as RFC 7606 prescribes and
//! carrying the NOTIFICATION (RFC 4271 §4.5) a session reset must send.

use std::fmt;

/// NOTIFICATION error codes and subcodes (RFC 4271 §4.5 and successors).
pub mod code {
    /// Message Header Error.
    pub const MESSAGE_HEADER: u8 = 1;
    /// OPEN Message Error.
    pub const OPEN_MESSAGE: u8 = 2;
    /// UPDATE Message Error.
    pub const UPDATE_MESSAGE: u8 = 3;
    /// Hold Timer Expired.
    pub const HOLD_TIMER_EXPIRED: u8 = 4;
    /// Finite State Machine Error (RFC 6608).
    pub const FSM: u8 = 5;
    /// Cease (RFC 4486).
    pub const CEASE: u8 = 6;
    /// ROUTE-REFRESH Message Error (RFC 7313).
    pub const ROUTE_REFRESH_MESSAGE: u8 = 7;

    /// Message Header Error subcodes.
    pub mod header {
        /// Connection Not Synchronized (bad marker).
        pub const CONNECTION_NOT_SYNCHRONIZED: u8 = 1;
        /// Bad Message Length.
        pub const BAD_MESSAGE_LENGTH: u8 = 2;
        /// Bad Message Type.
        pub const BAD_MESSAGE_TYPE: u8 = 3;
    }

    /// OPEN Message Error subcodes.
    pub mod open {
        /// No specific subcode.
        pub const UNSPECIFIC: u8 = 0;
        /// Unsupported Version Number.
        pub const UNSUPPORTED_VERSION: u8 = 1;
        /// Bad Peer AS.
        pub const BAD_PEER_AS: u8 = 2;
        /// Bad BGP Identifier.
        pub const BAD_BGP_IDENTIFIER: u8 = 3;
        /// Unsupported Optional Parameter.
        pub const UNSUPPORTED_OPTIONAL_PARAMETER: u8 = 4;
        /// Unacceptable Hold Time.
        pub const UNACCEPTABLE_HOLD_TIME: u8 = 6;
        /// Unsupported Capability (RFC 5492).
        pub const UNSUPPORTED_CAPABILITY: u8 = 7;
    }

    /// UPDATE Message Error subcodes.
    pub mod update {
        /// Malformed Attribute List.
        pub const MALFORMED_ATTRIBUTE_LIST: u8 = 1;
        /// Unrecognized Well-known Attribute.
        pub const UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE: u8 = 2;
        /// Missing Well-known Attribute.
        pub const MISSING_WELL_KNOWN_ATTRIBUTE: u8 = 3;
        /// Attribute Flags Error.
        pub const ATTRIBUTE_FLAGS_ERROR: u8 = 4;
        /// Attribute Length Error.
        pub const ATTRIBUTE_LENGTH_ERROR: u8 = 5;
        /// Invalid ORIGIN Attribute.
        pub const INVALID_ORIGIN: u8 = 6;
        /// Invalid NEXT_HOP Attribute.
        pub const INVALID_NEXT_HOP: u8 = 8;
        /// Optional Attribute Error.
        pub const OPTIONAL_ATTRIBUTE_ERROR: u8 = 9;
        /// Invalid Network Field.
        pub const INVALID_NETWORK_FIELD: u8 = 10;
        /// Malformed AS_PATH.
        pub const MALFORMED_AS_PATH: u8 = 11;
    }

    /// Cease subcodes (RFC 4486, RFC 8538).
    pub mod cease {
        /// Maximum Number of Prefixes Reached.
        pub const MAXIMUM_PREFIXES: u8 = 1;
        /// Administrative Shutdown (carries a shutdown communication).
        pub const ADMINISTRATIVE_SHUTDOWN: u8 = 2;
        /// Peer De-configured.
        pub const PEER_DECONFIGURED: u8 = 3;
        /// Administrative Reset (carries a shutdown communication).
        pub const ADMINISTRATIVE_RESET: u8 = 4;
        /// Connection Rejected.
        pub const CONNECTION_REJECTED: u8 = 5;
        /// Other Configuration Change.
        pub const OTHER_CONFIGURATION_CHANGE: u8 = 6;
        /// Connection Collision Resolution.
        pub const CONNECTION_COLLISION_RESOLUTION: u8 = 7;
        /// Out of Resources.
        pub const OUT_OF_RESOURCES: u8 = 8;
        /// Hard Reset (RFC 8538).
        pub const HARD_RESET: u8 = 9;
    }

    /// ROUTE-REFRESH Message Error subcodes (RFC 7313).
    pub mod route_refresh {
        /// Invalid Message Length.
        pub const INVALID_MESSAGE_LENGTH: u8 = 1;
    }
}

/// What RFC 7606 says to do about an error, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorAction {
    /// Send the NOTIFICATION and close the session (RFC 4271).
    SessionReset,
    /// Keep the session; handle the UPDATE's NLRI as withdrawn (RFC 7606 §2).
    TreatAsWithdraw,
    /// Keep the session; ignore the one attribute (RFC 7606 §2).
    AttributeDiscard,
}

impl fmt::Display for ErrorAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorAction::SessionReset => "session reset",
            ErrorAction::TreatAsWithdraw => "treat-as-withdraw",
            ErrorAction::AttributeDiscard => "attribute discard",
        })
    }
}

/// A malformed message or attribute.
///
/// `code`, `subcode` and `data` are the NOTIFICATION to send when `action`
/// is a session reset; for the lesser actions they say what RFC 4271 would
/// have sent, for logs. `Display` gives one line a network engineer can act
/// on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DecodeError {
    /// What the receiver must do.
    pub action: ErrorAction,
    /// NOTIFICATION error code.
    pub code: u8,
    /// NOTIFICATION error subcode.
    pub subcode: u8,
    /// NOTIFICATION data (e.g. the offending attribute).
    pub data: Vec<u8>,
    /// What was wrong, in words.
    pub reason: String,
}

impl DecodeError {
    /// An error that resets the session.
    pub fn reset(code: u8, subcode: u8, data: Vec<u8>, reason: impl Into<String>) -> Self {
        DecodeError {
            action: ErrorAction::SessionReset,
            code,
            subcode,
            data,
            reason: reason.into(),
        }
    }

    /// An UPDATE error handled by treat-as-withdraw.
    pub fn withdraw(subcode: u8, data: Vec<u8>, reason: impl Into<String>) -> Self {
        DecodeError {
            action: ErrorAction::TreatAsWithdraw,
            code: code::UPDATE_MESSAGE,
            subcode,
            data,
            reason: reason.into(),
        }
    }

    /// An UPDATE error handled by discarding one attribute.
    pub fn discard(subcode: u8, data: Vec<u8>, reason: impl Into<String>) -> Self {
        DecodeError {
            action: ErrorAction::AttributeDiscard,
            code: code::UPDATE_MESSAGE,
            subcode,
            data,
            reason: reason.into(),
        }
    }

    /// The same error, escalated or relaxed to `action`.
    pub fn with_action(mut self, action: ErrorAction) -> Self {
        self.action = action;
        self
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}; notification {}/{} {})",
            self.reason,
            self.action,
            self.code,
            self.subcode,
            super::notification::describe(self.code, self.subcode)
        )
    }
}

impl std::error::Error for DecodeError {}

/// A message that cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The message would exceed the session's maximum message size.
    #[error("{what} would be {len} bytes, more than the {max} this session allows")]
    TooLong {
        /// What was being encoded.
        what: &'static str,
        /// The length it would have.
        len: usize,
        /// The session's maximum.
        max: usize,
    },
    /// A value does not fit its field (e.g. an AS_PATH segment or a prefix
    /// for the wrong family).
    #[error("{0}")]
    Invalid(String),
}
