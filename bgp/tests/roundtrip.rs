//! Property tests: any message we can represent encodes and decodes back to
//! itself, in every session context.

use std::net::{Ipv4Addr, Ipv6Addr};

use bgp::wire::capability::{
    AddPathFamily, AddPathMode, ExtendedNextHop, GracefulRestart, GracefulRestartFamily, LlgrFamily,
};
use bgp::wire::*;
use proptest::collection::vec;
use proptest::prelude::*;

fn ctx() -> impl Strategy<Value = WireContext> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(four, ap4, ap6, ext)| WireContext {
            four_octet_as: four,
            add_path: AddPath {
                ipv4: ap4,
                ipv6: ap6,
            },
            extended_message: ext,
        },
    )
}

fn family() -> impl Strategy<Value = Family> {
    prop_oneof![
        Just(Family::IPV4_UNICAST),
        Just(Family::IPV6_UNICAST),
        (any::<u16>(), any::<u8>()).prop_map(|(a, s)| Family::new(a, s))
    ]
}

fn v4_prefix() -> impl Strategy<Value = Prefix> {
    (any::<u32>(), 0u8..=32)
        .prop_map(|(a, l)| Prefix::V4(Ipv4Prefix::new(Ipv4Addr::from(a), l).unwrap()))
}

fn v6_prefix() -> impl Strategy<Value = Prefix> {
    (any::<u128>(), 0u8..=128)
        .prop_map(|(a, l)| Prefix::V6(Ipv6Prefix::new(Ipv6Addr::from(a), l).unwrap()))
}

fn nlri(p: impl Strategy<Value = Prefix>, add_path: bool) -> impl Strategy<Value = Nlri> {
    (p, any::<u32>()).prop_map(move |(prefix, id)| Nlri {
        path_id: add_path.then_some(id),
        prefix,
    })
}

fn as_path(max_asn: u32) -> impl Strategy<Value = AsPath> {
    let seg = (
        prop_oneof![
            Just(SegmentType::Sequence),
            Just(SegmentType::Set),
            Just(SegmentType::ConfedSequence),
            Just(SegmentType::ConfedSet)
        ],
        vec(0..=max_asn, 1..20),
    )
        .prop_map(|(kind, asns)| AsSegment { kind, asns });
    vec(seg, 0..4).prop_map(|segments| AsPath { segments })
}

fn attributes(c: WireContext) -> impl Strategy<Value = PathAttributes> {
    let max_asn = if c.four_octet_as { u32::MAX } else { 65535 };
    let core = (
        proptest::option::of(prop_oneof![
            Just(Origin::Igp),
            Just(Origin::Egp),
            Just(Origin::Incomplete)
        ]),
        proptest::option::of(as_path(max_asn)),
        proptest::option::of(any::<u32>().prop_map(Ipv4Addr::from)),
        proptest::option::of(any::<u32>()),
        proptest::option::of(any::<u32>()),
        any::<bool>(),
        proptest::option::of((0..=max_asn, any::<u32>()).prop_map(|(asn, a)| Aggregator {
            asn,
            address: Ipv4Addr::from(a),
        })),
    );
    let lists = (
        vec(any::<u32>().prop_map(Community), 0..10),
        proptest::option::of(any::<u32>().prop_map(Ipv4Addr::from)),
        vec(any::<u32>().prop_map(Ipv4Addr::from), 0..3),
        vec(any::<[u8; 8]>().prop_map(ExtCommunity), 0..4),
        vec(
            (any::<u32>(), any::<u32>(), any::<u32>()).prop_map(|(global, local1, local2)| {
                LargeCommunity {
                    global,
                    local1,
                    local2,
                }
            }),
            0..4,
        ),
        proptest::collection::btree_map(
            // Unknown codes only (not any the codec interprets).
            prop_oneof![11u8..14, 19u8..32, 33u8..=255],
            vec(any::<u8>(), 0..300),
            0..3,
        ),
    );
    let as4 = (
        proptest::option::of(as_path(u32::MAX).prop_map(|p| {
            AsPath {
                segments: p
                    .segments
                    .into_iter()
                    .filter(|s| matches!(s.kind, SegmentType::Sequence | SegmentType::Set))
                    .collect(),
            }
        })),
        proptest::option::of(
            (any::<u32>(), any::<u32>()).prop_map(|(asn, a)| Aggregator {
                asn,
                address: Ipv4Addr::from(a),
            }),
        ),
    );
    (core, lists, as4).prop_map(
        move |(
            (origin, as_path, next_hop, med, local_pref, atomic_aggregate, aggregator),
            (communities, originator_id, cluster_list, ext_communities, large_communities, other),
            (as4_path, as4_aggregator),
        )| {
            PathAttributes {
                origin,
                as_path,
                next_hop,
                med,
                local_pref,
                atomic_aggregate,
                aggregator,
                communities,
                originator_id,
                cluster_list,
                ext_communities,
                // A 4-octet session discards AS4_* attributes (RFC 6793).
                as4_path: if c.four_octet_as { None } else { as4_path },
                as4_aggregator: if c.four_octet_as {
                    None
                } else {
                    as4_aggregator
                },
                large_communities,
                other: other
                    .into_iter()
                    .map(|(code, value)| RawAttribute {
                        flags: 0xe0,
                        code,
                        value,
                    })
                    .collect(),
            }
        },
    )
}

fn next_hop(family: Family) -> BoxedStrategy<NextHop> {
    let v6 = (any::<u128>(), proptest::option::of(any::<u128>())).prop_map(|(g, l)| NextHop::V6 {
        global: Ipv6Addr::from(g),
        link_local: l.map(Ipv6Addr::from),
    });
    if family == Family::IPV4_UNICAST {
        prop_oneof![
            any::<u32>().prop_map(|a| NextHop::V4(Ipv4Addr::from(a))),
            v6
        ]
        .boxed()
    } else {
        v6.boxed()
    }
}

fn update(c: WireContext) -> impl Strategy<Value = Update> {
    let v4 = move || nlri(v4_prefix(), c.add_path.ipv4);
    let mp_reach = prop_oneof![Just(Family::IPV4_UNICAST), Just(Family::IPV6_UNICAST)]
        .prop_flat_map(move |f| {
            let entries = if f == Family::IPV4_UNICAST {
                vec(nlri(v4_prefix(), c.add_path.ipv4), 0..30).boxed()
            } else {
                vec(nlri(v6_prefix(), c.add_path.ipv6), 0..30).boxed()
            };
            (next_hop(f), entries).prop_map(move |(next_hop, nlri)| MpReach {
                family: f,
                next_hop,
                nlri,
            })
        });
    let mp_unreach = prop_oneof![Just(Family::IPV4_UNICAST), Just(Family::IPV6_UNICAST)]
        .prop_flat_map(move |f| {
            let entries = if f == Family::IPV4_UNICAST {
                vec(nlri(v4_prefix(), c.add_path.ipv4), 0..30).boxed()
            } else {
                vec(nlri(v6_prefix(), c.add_path.ipv6), 0..30).boxed()
            };
            entries.prop_map(move |withdrawn| MpUnreach {
                family: f,
                withdrawn,
            })
        });
    (
        vec(v4(), 0..50),
        attributes(c),
        proptest::option::of(mp_reach),
        proptest::option::of(mp_unreach),
        vec(v4(), 0..50),
    )
        .prop_map(|(withdrawn, mut attributes, mp_reach, mp_unreach, nlri)| {
            // Announcements need the mandatory attributes, or decoding
            // (rightly) flags the UPDATE treat-as-withdraw.
            let announces =
                !nlri.is_empty() || mp_reach.as_ref().is_some_and(|m| !m.nlri.is_empty());
            if announces {
                attributes.origin.get_or_insert(Origin::Igp);
                attributes.as_path.get_or_insert_with(AsPath::default);
            }
            if !nlri.is_empty() {
                attributes
                    .next_hop
                    .get_or_insert(Ipv4Addr::new(192, 0, 2, 1));
            }
            Update {
                withdrawn,
                attributes,
                mp_reach,
                mp_unreach,
                nlri,
                errors: vec![],
            }
        })
}

fn capability() -> impl Strategy<Value = Capability> {
    let gr = (
        any::<bool>(),
        any::<bool>(),
        0u16..4096,
        vec((family(), any::<bool>()), 0..3),
    )
        .prop_map(|(r, n, t, f)| {
            Capability::GracefulRestart(GracefulRestart {
                restart_state: r,
                notification: n,
                restart_time: t,
                families: f
                    .into_iter()
                    .map(|(family, forwarding_preserved)| GracefulRestartFamily {
                        family,
                        forwarding_preserved,
                    })
                    .collect(),
            })
        });
    let llgr = vec((family(), any::<bool>(), 0u32..(1 << 24)), 0..3).prop_map(|v| {
        Capability::LongLivedGracefulRestart(
            v.into_iter()
                .map(|(family, forwarding_preserved, stale_time)| LlgrFamily {
                    family,
                    forwarding_preserved,
                    stale_time,
                })
                .collect(),
        )
    });
    let add_path = vec(
        (
            family(),
            prop_oneof![
                Just(AddPathMode::Receive),
                Just(AddPathMode::Send),
                Just(AddPathMode::Both)
            ],
        ),
        1..3,
    )
    .prop_map(|v| {
        Capability::AddPath(
            v.into_iter()
                .map(|(family, mode)| AddPathFamily { family, mode })
                .collect(),
        )
    });
    let enh = vec((any::<u16>(), any::<u16>(), any::<u16>()), 1..3).prop_map(|v| {
        Capability::ExtendedNextHop(
            v.into_iter()
                .map(|(nlri_afi, nlri_safi, next_hop_afi)| ExtendedNextHop {
                    nlri_afi,
                    nlri_safi,
                    next_hop_afi,
                })
                .collect(),
        )
    });
    prop_oneof![
        family().prop_map(Capability::Multiprotocol),
        Just(Capability::RouteRefresh),
        Just(Capability::EnhancedRouteRefresh),
        Just(Capability::ExtendedMessage),
        any::<u32>().prop_map(Capability::FourOctetAs),
        gr,
        llgr,
        add_path,
        enh,
        ("[a-z0-9-]{0,20}", "[a-z.]{0,20}")
            .prop_map(|(hostname, domain)| Capability::Fqdn { hostname, domain }),
        (
            prop_oneof![3u8..5, 7u8..64, 74u8..=255],
            vec(any::<u8>(), 0..20)
        )
            .prop_map(|(code, value)| Capability::Unknown { code, value }),
    ]
}

fn open() -> impl Strategy<Value = Open> {
    (
        any::<u16>(),
        prop_oneof![Just(0u16), 3u16..],
        1u32..,
        vec(capability(), 0..12),
        any::<bool>(),
    )
        .prop_map(|(my_as, hold_time, id, capabilities, one)| Open {
            my_as,
            hold_time,
            router_id: Ipv4Addr::from(id),
            // One-per-parameter only shows as such with two or more.
            layout: if one && capabilities.len() > 1 {
                ParamLayout::OnePerParameter
            } else {
                ParamLayout::Grouped
            },
            capabilities,
        })
}

fn message(c: WireContext) -> impl Strategy<Value = Message> {
    prop_oneof![
        open().prop_map(Message::Open),
        update(c).prop_map(|u| Message::Update(Box::new(u))),
        (any::<u8>(), any::<u8>(), vec(any::<u8>(), 0..100)).prop_map(|(code, subcode, data)| {
            Message::Notification(Notification {
                code,
                subcode,
                data,
            })
        }),
        Just(Message::Keepalive),
        (
            family(),
            prop_oneof![
                Just(RefreshSubtype::Request),
                Just(RefreshSubtype::Begin),
                Just(RefreshSubtype::End),
                (3u8..).prop_map(RefreshSubtype::Reserved)
            ]
        )
            .prop_map(|(family, subtype)| Message::RouteRefresh(RouteRefresh { family, subtype })),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn encode_then_decode_is_identity((c, m) in ctx().prop_flat_map(|c| (Just(c), message(c)))) {
        let mut buf = Vec::new();
        match m.encode(&c, &mut buf) {
            Ok(()) => {
                let (back, used) = Message::decode(&buf, &c).expect("decodes").expect("complete");
                prop_assert_eq!(used, buf.len());
                prop_assert_eq!(back, m);
            }
            // Only size may stop an encode of a well-formed message.
            Err(EncodeError::TooLong { .. }) => prop_assert!(buf.is_empty()),
            Err(e) => prop_assert!(false, "unexpected encode error {e}"),
        }
    }

    #[test]
    fn packed_updates_carry_every_prefix(
        (c, attrs, v4, v6, nh6) in ctx().prop_flat_map(|c| (
            Just(c),
            attributes(c),
            vec(nlri(v4_prefix(), c.add_path.ipv4), 0..3000),
            vec(nlri(v6_prefix(), c.add_path.ipv6), 0..1000),
            next_hop(Family::IPV6_UNICAST),
        )),
        withdraw_first in any::<bool>(),
    ) {
        let mut attrs = attrs;
        attrs.origin.get_or_insert(Origin::Igp);
        attrs.as_path.get_or_insert_with(AsPath::default);
        let mut batch = UpdateBatch::new();
        let nh4 = NextHop::V4(Ipv4Addr::new(192, 0, 2, 1));
        for n in &v4 {
            if withdraw_first { batch.withdraw(*n) } else { batch.announce(&attrs, nh4, *n) }
        }
        for n in &v6 {
            batch.announce(&attrs, nh6, *n);
        }
        let mut buf = Vec::new();
        match batch.encode(&c, &mut buf) {
            Ok(count) => {
                let mut rest = &buf[..];
                let (mut got4, mut got6, mut msgs) = (Vec::new(), Vec::new(), 0);
                while let Some((m, used)) = Message::decode(rest, &c).expect("decodes") {
                    let Message::Update(u) = m else { panic!("not an UPDATE") };
                    prop_assert!(u.errors.is_empty(), "{:?}", u.errors);
                    got4.extend(u.withdrawn);
                    got4.extend(u.nlri);
                    if let Some(r) = u.mp_reach { prop_assert_eq!(r.next_hop, nh6); got6.extend(r.nlri); }
                    rest = &rest[used..];
                    msgs += 1;
                }
                prop_assert!(rest.is_empty());
                prop_assert_eq!(msgs, count);
                prop_assert_eq!(got4, v4);
                prop_assert_eq!(got6, v6);
            }
            // Huge random attribute sets may leave no room for a prefix.
            Err(EncodeError::TooLong { .. }) => {}
            Err(e) => prop_assert!(false, "unexpected encode error {e}"),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(c in ctx(), bytes in vec(any::<u8>(), 0..600)) {
        let _ = Message::decode(&bytes, &c);
        let _ = decode_attributes(&bytes, &c);
        let mut out = Vec::new();
        let _ = decode_nlri(&bytes, Family::IPV6_UNICAST, c.add_path.ipv6, &mut out);
    }

    #[test]
    fn corrupted_messages_never_panic(c in ctx(), m in ctx().prop_flat_map(message), flips in vec((any::<usize>(), any::<u8>()), 1..6)) {
        let mut buf = Vec::new();
        if m.encode(&c, &mut buf).is_ok() {
            for (at, x) in flips {
                let i = 16 + at % (buf.len() - 16);
                buf[i] ^= x;
            }
            let _ = Message::decode(&buf, &c);
        }
    }
}
