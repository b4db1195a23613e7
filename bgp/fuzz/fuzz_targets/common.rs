//! The session context a fuzz input asks for, taken from its first byte.

use bgp::wire::{AddPath, WireContext};

pub fn split(data: &[u8]) -> Option<(WireContext, &[u8])> {
    let (&first, rest) = data.split_first()?;
    let ctx = WireContext {
        four_octet_as: first & 1 != 0,
        add_path: AddPath {
            ipv4: first & 2 != 0,
            ipv6: first & 4 != 0,
        },
        extended_message: first & 8 != 0,
    };
    Some((ctx, rest))
}
