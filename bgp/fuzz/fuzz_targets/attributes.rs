//! The path attribute parser on its own: never panics, and what it keeps
//! re-encodes and decodes to the same attributes.
#![no_main]

use bgp::wire::decode_attributes;
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((ctx, buf)) = common::split(data) else {
        return;
    };
    if let Ok(d) = decode_attributes(buf, &ctx) {
        let mut out = Vec::new();
        d.attributes.encode(&ctx, &mut out);
        let again = decode_attributes(&out, &ctx).expect("our own encoding decodes");
        assert_eq!(again.attributes, d.attributes);
    }
});
