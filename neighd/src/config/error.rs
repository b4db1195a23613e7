//! What can be wrong with a configuration file, as one line that names the
//! file, the line and column when the file has them, the key path and the
//! problem: `neighd.toml:14:18: redistribute.probe_interval: "10 parsecs"
//! is not a duration (use e.g. "1s", "100ms")`.

use std::fmt;

use bgp::speaker::security::SecurityError;
use bgp::wire::attributes::community::{CommunityParseError, LargeCommunityParseError};
use bgp::wire::prefix::PrefixParseError;

/// A configuration that cannot be used. `Display` is one line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{origin}: cannot read the configuration: {source}")]
    Read {
        /// The file name.
        origin: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// Not TOML.
    #[error("{at}: {message}")]
    Syntax {
        /// Where.
        at: Box<Location>,
        /// toml's message, on one line.
        message: String,
    },
    /// TOML, but not a valid neighd configuration.
    #[error("{at}: {key}: {problem}")]
    Invalid {
        /// Where: the value when the key is in the file, else the table
        /// that lacks it.
        at: Box<Location>,
        /// The key path, e.g. `bgp.neighbor[1].remote_as`.
        key: String,
        /// What is wrong.
        problem: Problem,
    },
}

impl ConfigError {
    /// The key path the error is about (`bgp.neighbor[1].remote_as`), if any.
    pub fn key(&self) -> Option<&str> {
        match self {
            ConfigError::Invalid { key, .. } => Some(key),
            _ => None,
        }
    }

    /// Where in which file, unless the file could not be read.
    pub fn location(&self) -> Option<&Location> {
        match self {
            ConfigError::Read { .. } => None,
            ConfigError::Syntax { at, .. } | ConfigError::Invalid { at, .. } => Some(at),
        }
    }

    /// The 1-based line in the file, when the error has a place in it.
    pub fn line(&self) -> Option<usize> {
        self.location().and_then(|l| l.line)
    }

    /// The 1-based column (in characters), when the error has a place.
    pub fn column(&self) -> Option<usize> {
        self.location().and_then(|l| l.column)
    }

    /// What is wrong, for a valid TOML file with a bad value.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ConfigError::Invalid { problem, .. } => Some(problem),
            _ => None,
        }
    }
}

/// A place in a configuration file: `neighd.toml:14:18`, or just the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file name as given.
    pub origin: String,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column, counted in characters.
    pub column: Option<usize>,
}

impl Location {
    /// The line and column of byte `offset` of `text`, or only the file
    /// when there is no offset.
    pub(crate) fn new(origin: &str, text: &str, offset: Option<usize>) -> Box<Location> {
        let (line, column) = match offset {
            Some(offset) => {
                let offset = floor_char_boundary(text, offset);
                let before = &text[..offset];
                let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                let line = before.matches('\n').count() + 1;
                let column = before[line_start..].chars().count() + 1;
                (Some(line), Some(column))
            }
            None => (None, None),
        };
        Box::new(Location {
            origin: origin.to_string(),
            line,
            column,
        })
    }
}

/// The largest char boundary of `text` not after `offset`.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.origin)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// What is wrong with a key or its value. The key path is printed before
/// it, so the messages do not repeat it.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    /// A key neighd does not know, with the nearest known one.
    #[error("unknown key{}", did_you_mean(.closest))]
    UnknownKey {
        /// The known key (full path) that is a small edit away.
        closest: Option<String>,
    },
    /// A key that belongs to another table.
    #[error("unknown key here; it belongs in {table}")]
    KeyInWrongTable {
        /// The table that has this key, as written in a file (`[redistribute]`).
        table: String,
    },
    /// A required key or table is absent.
    #[error("required, but not given")]
    Missing,
    /// A value of the wrong TOML type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// What the key takes, e.g. `a string`.
        expected: &'static str,
        /// What the file has, e.g. `an integer`.
        found: &'static str,
    },
    /// A number outside the allowed range.
    #[error("{value} is out of range ({range})")]
    OutOfRange {
        /// The number as written.
        value: String,
        /// The range, e.g. `1..=4294967295`.
        range: String,
    },
    /// Not a duration.
    #[error("{text:?} is not a duration (use e.g. \"1s\", \"100ms\")")]
    NotADuration {
        /// The text given.
        text: String,
    },
    /// A duration below its minimum.
    #[error("{text:?} is too short (at least {min})")]
    TooShort {
        /// The text given.
        text: String,
        /// The minimum, e.g. `100ms`.
        min: &'static str,
    },
    /// A BGP hold time of 1 or 2 seconds (RFC 4271 §4.2).
    #[error("hold time {value} is not allowed: 0 (no keepalives) or 3..=65535 seconds")]
    HoldTime {
        /// The value given.
        value: u16,
    },
    /// Not `address/length`.
    #[error(transparent)]
    NotAPrefix(#[from] PrefixParseError),
    /// A prefix whose address has bits beyond its length.
    #[error("{text:?} has host bits set (the network is {network})")]
    HostBitsSet {
        /// The text given.
        text: String,
        /// The prefix with the host bits cleared.
        network: String,
    },
    /// Not a standard community.
    #[error(transparent)]
    NotACommunity(#[from] CommunityParseError),
    /// Not a large community.
    #[error(transparent)]
    NotALargeCommunity(#[from] LargeCommunityParseError),
    /// Not an address of the expected kind.
    #[error("{text:?} is not {expected}")]
    NotAnAddress {
        /// The text given.
        text: String,
        /// E.g. `an IPv4 address`.
        expected: &'static str,
    },
    /// A router id of 0.0.0.0 (RFC 6286: the BGP identifier is non-zero).
    #[error("{text:?} is not a valid router id (it must not be 0.0.0.0)")]
    ZeroRouterId {
        /// The text given.
        text: String,
    },
    /// A neighbor address that is not a unicast host address.
    #[error("{text:?} is not a unicast address")]
    NotUnicast {
        /// The text given.
        text: String,
    },
    /// A numbered neighbor on an IPv6 link-local address, which needs an
    /// interface.
    #[error("{text:?} is link-local: peer over the link with interface = \"IFNAME\" instead")]
    LinkLocalNeighbor {
        /// The text given.
        text: String,
    },
    /// Not `address:port`.
    #[error("{text:?} is not an address:port (e.g. \"127.0.0.1:9611\", \"[::]:179\")")]
    NotASocketAddress {
        /// The text given.
        text: String,
    },
    /// Not a remote AS.
    #[error("{text:?} is not a remote AS (use a number, \"external\" or \"internal\")")]
    NotARemoteAs {
        /// The text given.
        text: String,
    },
    /// A table that needs exactly one of two keys.
    #[error("needs exactly one of {first} and {second}, found {}", if *.both { "both" } else { "neither" })]
    ExactlyOne {
        /// One key.
        first: &'static str,
        /// The other.
        second: &'static str,
        /// Both were given (else neither).
        both: bool,
    },
    /// A value given twice where it must be unique.
    #[error("{value} duplicates {other}")]
    Duplicate {
        /// The value, as written in messages (`"swp51"`, `192.168.2.1`).
        value: String,
        /// The key path of the first one.
        other: String,
    },
    /// Not something Linux accepts as an interface name.
    #[error("{text:?} is not an interface name (1 to 15 bytes, no \"/\", \":\" or whitespace)")]
    NotAnInterfaceName {
        /// The text given.
        text: String,
    },
    /// An interface this network namespace does not have.
    #[error("interface {name:?} does not exist (in this network namespace)")]
    NoSuchInterface {
        /// The name.
        name: String,
    },
    /// An rtnetlink protocol number the kernel or FRR uses.
    #[error("protocol {value} is taken (0..=4 the kernel's, 8..=18, 42 and 99 other daemons', 186..=199 FRR's); neighd's default is 201")]
    ReservedProtocol {
        /// The value given.
        value: u8,
    },
    /// A routing table that cannot hold our routes.
    #[error("table {value} is {why}")]
    ReservedTable {
        /// The value given.
        value: u32,
        /// Why, e.g. `not a routing table (main is 254)`.
        why: &'static str,
    },
    /// The export table is the table learned routes go to.
    #[error("{value} is also fib.table; the export table must be another one")]
    ExportIsFibTable {
        /// The table.
        value: u32,
    },
    /// A TCP MD5 password the kernel would refuse (its text is never shown).
    #[error(transparent)]
    Password(#[from] SecurityError),
    /// An empty string where text is needed.
    #[error("must not be empty")]
    Empty,
    /// A string longer than the protocol allows.
    #[error("is {len} bytes long; at most {max} are allowed")]
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Flap damping whose reuse threshold is not below the suppress one.
    #[error("reuse {reuse} must be below suppress {suppress}")]
    ReuseNotBelowSuppress {
        /// `reuse`.
        reuse: u32,
        /// `suppress`.
        suppress: u32,
    },
}

fn did_you_mean(closest: &Option<String>) -> String {
    match closest {
        Some(key) => format!(" (did you mean {key}?)"),
        None => String::new(),
    }
}
