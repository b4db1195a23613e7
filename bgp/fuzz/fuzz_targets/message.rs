//! Whole messages from a byte stream: decoding never panics, and whatever
//! decodes cleanly re-encodes to something that decodes to the same value.
#![no_main]

use bgp::wire::{EncodeError, Message};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((ctx, mut buf)) = common::split(data) else {
        return;
    };
    while let Ok(Some((msg, used))) = Message::decode(buf, &ctx) {
        buf = &buf[used..];
        if let Message::Update(u) = &msg {
            if !u.errors.is_empty() {
                continue;
            }
        }
        let mut out = Vec::new();
        match msg.encode(&ctx, &mut out) {
            Ok(()) => {
                let (again, n) = Message::decode(&out, &ctx)
                    .expect("our own encoding decodes")
                    .expect("and is complete");
                assert_eq!(n, out.len());
                assert_eq!(again, msg);
            }
            // Canonical encoding may be a few bytes longer than the peer's
            // (extended length on MP attributes) and overflow the maximum.
            Err(EncodeError::TooLong { .. }) => {}
            Err(e) => panic!("decoded message does not encode: {e}"),
        }
    }
});
