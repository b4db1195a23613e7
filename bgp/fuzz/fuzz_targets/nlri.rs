//! NLRI fields of both families, with and without add-path: the collecting
//! decoder and the zero-copy iterator agree, and entries re-encode exactly.
#![no_main]

use bgp::wire::nlri::encode_nlri;
use bgp::wire::{decode_nlri, Family, NlriIter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, buf)) = data.split_first() else {
        return;
    };
    let family = if first & 1 == 0 { Family::IPV4_UNICAST } else { Family::IPV6_UNICAST };
    let add_path = first & 2 != 0;
    let mut out = Vec::new();
    let res = decode_nlri(buf, family, add_path, &mut out);
    let iter: Vec<_> = NlriIter::new(buf, family, add_path).collect();
    assert_eq!(iter.iter().filter(|r| r.is_ok()).count(), out.len());
    assert_eq!(iter.last().is_some_and(|r| r.is_err()), res.is_err());
    let mut enc = Vec::new();
    for n in &out {
        encode_nlri(n, add_path, &mut enc);
    }
    let mut again = Vec::new();
    decode_nlri(&enc, family, add_path, &mut again).expect("our own encoding decodes");
    assert_eq!(again, out);
});
