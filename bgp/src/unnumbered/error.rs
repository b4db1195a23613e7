//! Errors of the unnumbered module: [`ParseError`] for router discovery
//! messages that do not parse, [`Error`] at the driver's API.

/// Why bytes are not a valid Router Solicitation or Advertisement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Shorter than the fixed header of its type.
    #[error("ICMPv6 message of {len} bytes is shorter than its {need}-byte header")]
    Truncated {
        /// Bytes present.
        len: usize,
        /// Bytes the header needs.
        need: usize,
    },
    /// Another ICMPv6 type.
    #[error("ICMPv6 type {0} is neither a router solicitation (133) nor advertisement (134)")]
    NotRouterDiscovery(u8),
    /// RFC 4861 §6.1: the ICMP code must be 0.
    #[error("ICMPv6 type {kind} with code {code} (must be 0)")]
    BadCode {
        /// The ICMPv6 type.
        kind: u8,
        /// The code it carried.
        code: u8,
    },
    /// RFC 4861 §6.1: every option has a length greater than 0.
    #[error("neighbour discovery option at byte {offset} has length 0")]
    ZeroLengthOption {
        /// Where the option starts in the message.
        offset: usize,
    },
    /// One byte left where an option needs at least two.
    #[error("neighbour discovery option at byte {offset} is cut off after its type")]
    OptionTruncated {
        /// Where the option starts in the message.
        offset: usize,
    },
    /// An option longer than the rest of the message.
    #[error("neighbour discovery option type {kind} at byte {offset} claims {len} bytes, past the end of the {total}-byte message")]
    OptionOverrun {
        /// Where the option starts in the message.
        offset: usize,
        /// Its type.
        kind: u8,
        /// The length it claims, in bytes.
        len: usize,
        /// The message length.
        total: usize,
    },
}

/// Errors of the router advertisement driver's API.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration value out of range.
    #[error("router advertisements: {0}")]
    Config(String),
    /// An interface name the kernel cannot have.
    #[error("router advertisements: invalid interface name {0:?} (1 to 15 bytes, no '/', ':', NUL or whitespace)")]
    InterfaceName(String),
    /// The driver task has stopped (its runtime shut down).
    #[error("router advertisements: the driver has stopped")]
    Stopped,
    /// Not called from within a tokio runtime.
    #[error("router advertisements: the driver must be started inside a tokio runtime")]
    NoRuntime,
}
