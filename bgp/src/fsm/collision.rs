//! Connection collision resolution (RFC 4271 §6.8): when both speakers
//! connect to each other at once, the connection opened by the speaker with
//! the higher BGP identifier survives.

use std::net::Ipv4Addr;

/// Which of two connections to one peer to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// The connection we opened.
    Outgoing,
    /// The connection the peer opened.
    Incoming,
}

/// Decides a collision between our connection and the peer's, given both
/// BGP identifiers (compared as unsigned 32-bit numbers). The other
/// connection is closed with Cease / Connection Collision Resolution.
pub fn resolve(local_id: Ipv4Addr, remote_id: Ipv4Addr) -> Keep {
    if u32::from(local_id) > u32::from(remote_id) {
        Keep::Outgoing
    } else {
        Keep::Incoming
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn higher_identifier_keeps_its_own_connection() {
        let (a, b) = (Ipv4Addr::new(10, 0, 0, 11), Ipv4Addr::new(10, 0, 0, 21));
        assert_eq!(resolve(a, b), Keep::Incoming);
        assert_eq!(resolve(b, a), Keep::Outgoing);
        // Compared as numbers, not text.
        assert_eq!(
            resolve(Ipv4Addr::new(9, 0, 0, 0), Ipv4Addr::new(10, 0, 0, 0)),
            Keep::Incoming
        );
    }
}
