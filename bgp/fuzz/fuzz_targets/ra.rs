//! Router Solicitation / Advertisement parser: never panics, and whatever
//! parses re-encodes to bytes that parse to the same message. The first
//! input byte is the hop limit handed to the RFC 4861 validity check.
#![no_main]

use std::net::Ipv6Addr;

use bgp::unnumbered::ra::NdMessage;
use bgp::unnumbered::validate::validate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&hop_limit, msg)) = data.split_first() else {
        return;
    };
    let ll = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1);
    let checked = validate(ll, Some(hop_limit), msg);
    let parsed = NdMessage::parse(msg);
    if hop_limit == 255 {
        assert_eq!(checked.is_ok(), parsed.is_ok());
    }
    if let Ok(m) = parsed {
        let mut again = Vec::new();
        match m {
            NdMessage::RouterAdvert(ra) => {
                ra.emit(&mut again);
                assert_eq!(again.len(), ra.buffer_len());
            }
            NdMessage::RouterSolicit(rs) => {
                rs.emit(&mut again);
                assert_eq!(again.len(), rs.buffer_len());
            }
        }
        assert_eq!(NdMessage::parse(&again), Ok(m));
    }
});
