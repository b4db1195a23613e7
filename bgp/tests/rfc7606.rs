//! RFC 7606 error handling, on hand-built malformed UPDATEs: each error is
//! classified (session reset / treat-as-withdraw / attribute discard) with
//! the NOTIFICATION code, subcode and data RFC 4271 prescribes, and the
//! NLRI is still located so that it can be withdrawn.

use bgp::wire::error::code::{self, update as sub};
use bgp::wire::*;

/// A whole UPDATE message from its three fields.
fn update(withdrawn: &[u8], attrs: &[u8], nlri: &[u8]) -> Vec<u8> {
    let mut m = vec![0xff; 16];
    let len = 19 + 2 + withdrawn.len() + 2 + attrs.len() + nlri.len();
    m.extend_from_slice(&(len as u16).to_be_bytes());
    m.push(2);
    m.extend_from_slice(&(withdrawn.len() as u16).to_be_bytes());
    m.extend_from_slice(withdrawn);
    m.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
    m.extend_from_slice(attrs);
    m.extend_from_slice(nlri);
    m
}

const ORIGIN: &[u8] = &[0x40, 1, 1, 0];
const AS_PATH: &[u8] = &[0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xe9]; // 65001, 4-octet
const NEXT_HOP: &[u8] = &[0x40, 3, 4, 10, 0, 0, 1];
const NLRI: &[u8] = &[32, 172, 16, 1, 11, 24, 10, 1, 2];

fn attrs(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn decode(msg: &[u8]) -> Result<Update, DecodeError> {
    match Message::decode_one(msg, &WireContext::modern())? {
        Message::Update(u) => Ok(*u),
        other => panic!("not an UPDATE: {other:?}"),
    }
}

fn only_error(u: &Update) -> &DecodeError {
    assert_eq!(u.errors.len(), 1, "{:?}", u.errors);
    &u.errors[0]
}

#[test]
fn well_formed_update_has_no_errors() {
    let u = decode(&update(&[], &attrs(&[ORIGIN, AS_PATH, NEXT_HOP]), NLRI)).unwrap();
    assert!(u.errors.is_empty());
    assert_eq!(u.nlri.len(), 2);
    assert_eq!(u.attributes.as_path.unwrap().to_string(), "65001");
}

#[test]
fn bad_origin_is_treat_as_withdraw_and_nlri_is_kept() {
    let u = decode(&update(
        &[],
        &attrs(&[&[0x40, 1, 1, 5], AS_PATH, NEXT_HOP]),
        NLRI,
    ))
    .unwrap();
    let e = only_error(&u);
    assert_eq!(
        (e.action, e.code, e.subcode),
        (
            ErrorAction::TreatAsWithdraw,
            code::UPDATE_MESSAGE,
            sub::INVALID_ORIGIN
        )
    );
    assert_eq!(e.data, vec![0x40, 1, 1, 5]);
    assert!(u.treat_as_withdraw());
    assert_eq!(u.nlri.len(), 2, "the NLRI must be located to withdraw it");

    let u = decode(&update(
        &[],
        &attrs(&[&[0x40, 1, 2, 0, 0], AS_PATH, NEXT_HOP]),
        NLRI,
    ))
    .unwrap();
    assert_eq!(only_error(&u).subcode, sub::ATTRIBUTE_LENGTH_ERROR);
}

#[test]
fn fixed_length_attributes_with_wrong_length_withdraw() {
    let med = &[0x80u8, 4, 3, 0, 0, 1][..];
    let local_pref = &[0x40u8, 5, 5, 0, 0, 0, 1, 0][..];
    let next_hop = &[0x40u8, 3, 3, 10, 0, 0][..];
    for parts in [
        [ORIGIN, AS_PATH, NEXT_HOP, med],
        [ORIGIN, AS_PATH, NEXT_HOP, local_pref],
        [ORIGIN, AS_PATH, next_hop, &[]],
    ] {
        let u = decode(&update(&[], &attrs(&parts), NLRI)).unwrap();
        let e = u
            .errors
            .iter()
            .find(|e| e.subcode == sub::ATTRIBUTE_LENGTH_ERROR)
            .expect("length error");
        assert_eq!(e.action, ErrorAction::TreatAsWithdraw, "{e}");
    }
}

#[test]
fn malformed_as_path_withdraws() {
    let bad = [0x40, 2, 4, 2, 2, 0, 1]; // claims two ASNs, has half of one
    let u = decode(&update(&[], &attrs(&[ORIGIN, &bad, NEXT_HOP]), NLRI)).unwrap();
    let e = only_error(&u);
    assert_eq!(
        (e.action, e.subcode),
        (ErrorAction::TreatAsWithdraw, sub::MALFORMED_AS_PATH)
    );
}

#[test]
fn communities_not_multiple_of_four_withdraw() {
    let bad = [0xc0, 8, 5, 0, 0, 0, 1, 2];
    let u = decode(&update(
        &[],
        &attrs(&[ORIGIN, AS_PATH, NEXT_HOP, &bad]),
        NLRI,
    ))
    .unwrap();
    assert_eq!(only_error(&u).action, ErrorAction::TreatAsWithdraw);
    let bad = [0xc0, 32, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 3];
    let u = decode(&update(
        &[],
        &attrs(&[ORIGIN, AS_PATH, NEXT_HOP, &bad]),
        NLRI,
    ))
    .unwrap();
    assert_eq!(only_error(&u).action, ErrorAction::TreatAsWithdraw);
}

#[test]
fn aggregator_and_atomic_aggregate_errors_discard_the_attribute() {
    let agg = [0xc0, 7, 6, 0xfd, 0xe9, 10, 0, 0, 1]; // 2-octet form on a 4-octet session
    let atomic = [0x40, 6, 1, 0];
    let u = decode(&update(
        &[],
        &attrs(&[ORIGIN, AS_PATH, NEXT_HOP, &atomic, &agg]),
        NLRI,
    ))
    .unwrap();
    assert_eq!(u.errors.len(), 2);
    assert!(u
        .errors
        .iter()
        .all(|e| e.action == ErrorAction::AttributeDiscard));
    assert!(!u.treat_as_withdraw());
    assert!(u.attributes.aggregator.is_none() && !u.attributes.atomic_aggregate);
}

#[test]
fn as4_path_on_a_four_octet_session_is_discarded() {
    let as4 = [0xc0, 17, 6, 2, 1, 0, 0, 0xfd, 0xe9];
    let u = decode(&update(
        &[],
        &attrs(&[ORIGIN, AS_PATH, NEXT_HOP, &as4]),
        NLRI,
    ))
    .unwrap();
    assert_eq!(only_error(&u).action, ErrorAction::AttributeDiscard);
    assert!(u.attributes.as4_path.is_none());
}

#[test]
fn second_copy_of_an_attribute_is_ignored() {
    let med1 = [0x80, 4, 4, 0, 0, 0, 10];
    let med2 = [0x80, 4, 4, 0, 0, 0, 20];
    let u = decode(&update(
        &[],
        &attrs(&[ORIGIN, AS_PATH, NEXT_HOP, &med1, &med2]),
        NLRI,
    ))
    .unwrap();
    assert_eq!(only_error(&u).action, ErrorAction::AttributeDiscard);
    assert_eq!(u.attributes.med, Some(10));
}

#[test]
fn duplicate_mp_reach_resets_the_session() {
    let mp = [
        0x90, 14, 0, 13, 0, 2, 1, 16, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0,
    ];
    let mut mp = mp.to_vec();
    mp[3] = (mp.len() - 4) as u8;
    let e = decode(&update(&[], &attrs(&[&mp, &mp, ORIGIN, AS_PATH]), &[])).unwrap_err();
    assert_eq!(
        (e.action, e.subcode),
        (ErrorAction::SessionReset, sub::MALFORMED_ATTRIBUTE_LIST)
    );
}

#[test]
fn mp_reach_with_bad_next_hop_length_resets_the_session() {
    // IPv6 unicast, next hop length 5.
    let mp = [0x90, 14, 0, 10, 0, 2, 1, 5, 1, 2, 3, 4, 5, 0];
    let e = decode(&update(&[], &attrs(&[&mp, ORIGIN, AS_PATH]), &[])).unwrap_err();
    assert_eq!(
        (e.action, e.subcode),
        (ErrorAction::SessionReset, sub::OPTIONAL_ATTRIBUTE_ERROR)
    );
    assert_eq!(e.data, mp.to_vec(), "the data is the offending attribute");
    assert!(e.to_string().contains("5-byte next hop"), "{e}");
}

#[test]
fn mp_reach_of_a_family_not_supported_is_ignored() {
    let evpn = [0x90, 14, 0, 9, 0, 25, 70, 4, 10, 0, 0, 1, 0];
    let u = decode(&update(&[], &attrs(&[&evpn, ORIGIN, AS_PATH]), &[])).unwrap();
    assert_eq!(only_error(&u).action, ErrorAction::AttributeDiscard);
    assert!(u.mp_reach.is_none());
}

#[test]
fn attribute_overrunning_the_attribute_field_withdraws_and_nlri_is_still_found() {
    // MED claims 9 bytes; only 4 remain before the NLRI.
    let bad = [0x80, 4, 9, 0, 0, 0, 1];
    let u = decode(&update(
        &[],
        &attrs(&[ORIGIN, AS_PATH, NEXT_HOP, &bad]),
        NLRI,
    ))
    .unwrap();
    assert_eq!(only_error(&u).action, ErrorAction::TreatAsWithdraw);
    assert_eq!(u.nlri.len(), 2);
}

#[test]
fn stray_bytes_after_the_last_attribute_withdraw() {
    let u = decode(&update(
        &[],
        &attrs(&[ORIGIN, AS_PATH, NEXT_HOP, &[0x40, 9]]),
        NLRI,
    ))
    .unwrap();
    assert_eq!(only_error(&u).action, ErrorAction::TreatAsWithdraw);
}

#[test]
fn inconsistent_field_lengths_reset_the_session() {
    let mut m = update(&[], &attrs(&[ORIGIN, AS_PATH, NEXT_HOP]), NLRI);
    m[19..21].copy_from_slice(&500u16.to_be_bytes());
    let e = decode(&m).unwrap_err();
    assert_eq!(
        (e.action, e.subcode),
        (ErrorAction::SessionReset, sub::MALFORMED_ATTRIBUTE_LIST)
    );
    let mut m = update(&[], &attrs(&[ORIGIN, AS_PATH, NEXT_HOP]), NLRI);
    m[21..23].copy_from_slice(&500u16.to_be_bytes());
    let e = decode(&m).unwrap_err();
    assert_eq!(e.subcode, sub::MALFORMED_ATTRIBUTE_LIST);
}

#[test]
fn syntactically_bad_nlri_resets_the_session() {
    let e = decode(&update(
        &[],
        &attrs(&[ORIGIN, AS_PATH, NEXT_HOP]),
        &[33, 1, 2, 3, 4, 5],
    ))
    .unwrap_err();
    assert_eq!(
        (e.action, e.subcode),
        (ErrorAction::SessionReset, sub::INVALID_NETWORK_FIELD)
    );
    let e = decode(&update(&[24, 10, 0], &[], &[])).unwrap_err();
    assert_eq!(e.subcode, sub::INVALID_NETWORK_FIELD);
}

#[test]
fn missing_mandatory_attributes_withdraw() {
    let u = decode(&update(&[], &attrs(&[ORIGIN, AS_PATH]), NLRI)).unwrap();
    let e = only_error(&u);
    assert_eq!(
        (e.action, e.subcode, e.data.clone()),
        (
            ErrorAction::TreatAsWithdraw,
            sub::MISSING_WELL_KNOWN_ATTRIBUTE,
            vec![3]
        )
    );
    assert!(e.to_string().contains("NEXT_HOP"), "{e}");
    // An UPDATE with only withdrawals needs no attributes.
    let u = decode(&update(NLRI, &[], &[])).unwrap();
    assert!(u.errors.is_empty());
    assert_eq!(u.withdrawn.len(), 2);
    // MP_REACH needs ORIGIN and AS_PATH but no NEXT_HOP.
    let mut mp = vec![0x90, 14, 0, 0, 0, 1, 1, 16];
    mp.extend_from_slice(&"fe80::1".parse::<std::net::Ipv6Addr>().unwrap().octets());
    mp.extend_from_slice(&[0, 32, 172, 16, 1, 11]);
    mp[3] = (mp.len() - 4) as u8;
    let u = decode(&update(&[], &attrs(&[&mp, ORIGIN, AS_PATH]), &[])).unwrap();
    assert!(u.errors.is_empty(), "{:?}", u.errors);
    let u = decode(&update(&[], &attrs(&[&mp, AS_PATH]), &[])).unwrap();
    assert_eq!(only_error(&u).data, vec![1]);
}

#[test]
fn wrong_flags_withdraw() {
    let origin_optional = [0xc0, 1, 1, 0];
    let u = decode(&update(
        &[],
        &attrs(&[&origin_optional, AS_PATH, NEXT_HOP]),
        NLRI,
    ))
    .unwrap();
    let e = u
        .errors
        .iter()
        .find(|e| e.subcode == sub::ATTRIBUTE_FLAGS_ERROR)
        .expect("flags error");
    assert_eq!(e.action, ErrorAction::TreatAsWithdraw);
}

#[test]
fn unknown_attributes() {
    let well_known = [0x40, 99, 1, 0];
    let e = decode(&update(
        &[],
        &attrs(&[ORIGIN, AS_PATH, NEXT_HOP, &well_known]),
        NLRI,
    ))
    .unwrap_err();
    assert_eq!(
        (e.action, e.subcode),
        (
            ErrorAction::SessionReset,
            sub::UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE
        )
    );

    let transitive = [0xc0, 99, 2, 7, 7];
    let non_transitive = [0x80, 98, 1, 1];
    let u = decode(&update(
        &[],
        &attrs(&[ORIGIN, AS_PATH, NEXT_HOP, &non_transitive, &transitive]),
        NLRI,
    ))
    .unwrap();
    assert!(u.errors.is_empty());
    assert_eq!(
        u.attributes.other,
        vec![RawAttribute {
            flags: 0xe0,
            code: 99,
            value: vec![7, 7]
        }],
        "kept with the partial bit"
    );

    // Several unknown ones in any order are all carried, in type order (a
    // fuzzer found the encoder dropping all but one when they came unsorted).
    let (a, b, c) = ([0xc0, 255, 1, 1], [0xe0, 253, 1, 2], [0xc0, 37, 1, 3]);
    let msg = update(&[], &attrs(&[ORIGIN, AS_PATH, NEXT_HOP, &a, &b, &c]), NLRI);
    let u = decode(&msg).unwrap();
    let codes: Vec<u8> = u.attributes.other.iter().map(|o| o.code).collect();
    assert_eq!(codes, vec![37, 253, 255]);
    let again = Message::Update(Box::new(u.clone()))
        .to_bytes(&WireContext::modern())
        .unwrap();
    assert_eq!(decode(&again).unwrap(), u);
}

#[test]
fn errors_read_as_one_line() {
    let u = decode(&update(
        &[],
        &attrs(&[&[0x40, 1, 1, 5], AS_PATH, NEXT_HOP]),
        NLRI,
    ))
    .unwrap();
    assert_eq!(
        only_error(&u).to_string(),
        "UPDATE: ORIGIN has undefined value 5 (treat-as-withdraw; notification 3/6 UPDATE Message Error/Invalid ORIGIN Attribute)"
    );
}

#[test]
fn route_refresh_length_error_carries_the_message() {
    let mut m = vec![0xff; 16];
    m.extend_from_slice(&[0, 24, 5, 0, 1, 0, 1, 0]);
    let e = Message::decode_one(&m, &WireContext::modern()).unwrap_err();
    assert_eq!(
        (e.code, e.subcode),
        (
            code::ROUTE_REFRESH_MESSAGE,
            code::route_refresh::INVALID_MESSAGE_LENGTH
        )
    );
    assert_eq!(e.data, m);
}
