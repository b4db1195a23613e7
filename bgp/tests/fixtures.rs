//! Messages captured from real FRR 8.4, BIRD 2.0 and GoBGP 3.10 sessions
//! (`tests/fixtures/README.md` says how; `capture.sh` re-captures them).
//!
//! Every fixture decodes without an error to what tshark, an independent
//! decoder, saw in it, and re-encodes to the same bytes: exactly for FRR,
//! whose encoding is our canonical one; for BIRD and GoBGP after putting
//! their attributes in FRR's order and length form, which are the only
//! differences (BIRD and GoBGP send AS_PATH with a 1-byte length, GoBGP puts
//! MP_REACH_NLRI last).

use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use bgp::wire::capability::{AddPathMode, ExtendedNextHop};
use bgp::wire::error::code;
use bgp::wire::*;

#[path = "support/wire_views.rs"]
mod wire_views;
use wire_views::*;

struct Fixture {
    file: String,
    sender: String,
    kind: String,
    ctx: WireContext,
    bytes: Vec<u8>,
    description: String,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixtures() -> Vec<Fixture> {
    let manifest = std::fs::read_to_string(dir().join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let all: Vec<Fixture> = manifest
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let c: Vec<&str> = line.split('\t').collect();
            let yes = |s: &str| s == "yes";
            Fixture {
                file: c[0].to_string(),
                sender: c[1].to_string(),
                kind: c[3].to_string(),
                ctx: WireContext {
                    four_octet_as: yes(c[4]),
                    add_path: AddPath {
                        ipv4: yes(c[5]),
                        ipv6: yes(c[6]),
                    },
                    extended_message: yes(c[7]),
                },
                bytes: std::fs::read(dir().join(c[0])).unwrap_or_else(|e| panic!("{}: {e}", c[0])),
                description: c[8].to_string(),
            }
        })
        .collect();
    assert!(
        all.len() >= 100,
        "expected the captured set, found {} fixtures",
        all.len()
    );
    all
}

/// The decoded messages of one scenario from one sender (file numbers
/// change between captures; what a message holds does not).
fn decoded(scenario: &str, sender: &str) -> Vec<(Message, Fixture)> {
    let v: Vec<_> = fixtures()
        .into_iter()
        .filter(|f| f.file.starts_with(&format!("{scenario}/")) && f.sender == sender)
        .map(|f| {
            (
                Message::decode_one(&f.bytes, &f.ctx).unwrap_or_else(|e| panic!("{}: {e}", f.file)),
                f,
            )
        })
        .collect();
    assert!(!v.is_empty(), "no fixtures from {sender} in {scenario}");
    v
}

/// The first UPDATE from `sender` in `scenario` that `pick` accepts.
fn update(scenario: &str, sender: &str, pick: impl Fn(&Update) -> bool) -> Update {
    decoded(scenario, sender)
        .into_iter()
        .find_map(|(m, _)| match m {
            Message::Update(u) if pick(&u) => Some(*u),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no such UPDATE from {sender} in {scenario}"))
}

fn open(scenario: &str, sender: &str) -> Open {
    decoded(scenario, sender)
        .into_iter()
        .find_map(|(m, _)| match m {
            Message::Open(o) => Some(o),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no OPEN from {sender} in {scenario}"))
}

fn notification(scenario: &str, sender: &str) -> Notification {
    decoded(scenario, sender)
        .into_iter()
        .find_map(|(m, _)| match m {
            Message::Notification(n) => Some(n),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no NOTIFICATION from {sender} in {scenario}"))
}

fn refreshes(scenario: &str, sender: &str) -> Vec<RouteRefresh> {
    decoded(scenario, sender)
        .into_iter()
        .filter_map(|(m, _)| match m {
            Message::RouteRefresh(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn strings<T: ToString>(v: &[T]) -> Vec<String> {
    v.iter().map(ToString::to_string).collect()
}

fn kind_name(m: &Message) -> &'static str {
    match m {
        Message::Open(_) => "open",
        Message::Update(_) => "update",
        Message::Notification(_) => "notification",
        Message::Keepalive => "keepalive",
        Message::RouteRefresh(_) => "route-refresh",
    }
}

#[test]
fn every_fixture_decodes_cleanly_as_its_type() {
    for f in fixtures() {
        let (m, used) = Message::decode(&f.bytes, &f.ctx)
            .unwrap_or_else(|e| panic!("{}: {e}", f.file))
            .unwrap_or_else(|| panic!("{}: incomplete", f.file));
        assert_eq!(used, f.bytes.len(), "{}", f.file);
        assert_eq!(kind_name(&m), f.kind, "{}", f.file);
        if let Message::Update(u) = &m {
            assert!(u.errors.is_empty(), "{}: {:?}", f.file, u.errors);
        }
        // Any prefix of a message is "not yet complete", never an error.
        assert_eq!(
            Message::decode(&f.bytes[..f.bytes.len() - 1], &f.ctx),
            Ok(None),
            "{}",
            f.file
        );
    }
}

#[test]
fn every_fixture_re_encodes_to_the_same_bytes() {
    let mut exact = 0;
    for f in fixtures() {
        let m = Message::decode_one(&f.bytes, &f.ctx).unwrap();
        let ours = m
            .to_bytes(&f.ctx)
            .unwrap_or_else(|e| panic!("{}: {e}", f.file));
        let from_frr = f.sender.starts_with("frr");
        let expected = if from_frr || f.kind != "update" {
            f.bytes.clone()
        } else {
            normalize_update(&f.bytes)
        };
        assert_eq!(
            hex::encode(&ours),
            hex::encode(&expected),
            "{} ({})",
            f.file,
            f.sender
        );
        exact += usize::from(ours == f.bytes);
    }
    assert!(
        exact >= 100,
        "only {exact} fixtures re-encode byte for byte"
    );
}

#[test]
fn decoding_agrees_with_tshark() {
    let mut checked = 0;
    for f in fixtures() {
        if f.bytes.len() > MAX_MESSAGE_LEN {
            // tshark 4.0 predates RFC 8654 and calls these malformed; the
            // test below checks them against what the capture announced.
            continue;
        }
        let text = tshark(&f.file);
        match Message::decode_one(&f.bytes, &f.ctx).unwrap() {
            Message::Update(u) => {
                assert_eq!(our_prefixes(&u), tshark_prefixes(&text), "{}", f.file);
                assert_eq!(our_attr_codes(&u), tshark_attr_codes(&text), "{}", f.file);
                if let Some(p) = &u.attributes.as_path {
                    let shown = text
                        .lines()
                        .find_map(|l| l.trim().strip_prefix("Path Attribute - AS_PATH: "))
                        .unwrap_or("");
                    assert_eq!(p.to_string(), shown.trim(), "{}", f.file);
                }
                checked += 1;
            }
            Message::Open(o) => {
                let ours: Vec<u8> = o.capabilities.iter().map(Capability::code).collect();
                assert_eq!(ours, tshark_capability_codes(&text), "{}", f.file);
                assert!(
                    text.contains(&format!("BGP Identifier: {}", o.router_id)),
                    "{}",
                    f.file
                );
                assert!(
                    text.contains(&format!("Hold Time: {}", o.hold_time)),
                    "{}",
                    f.file
                );
                checked += 1;
            }
            Message::Notification(n) => {
                assert!(text.contains(&format!("({})", n.code)), "{}", f.file);
                if let Some(msg) = n.shutdown_message() {
                    assert!(
                        text.contains(&format!("Shutdown Communication: {msg}")),
                        "{}",
                        f.file
                    );
                }
                checked += 1;
            }
            _ => {}
        }
    }
    assert!(checked >= 80, "only {checked} fixtures cross-checked");
}

#[test]
fn frr_open_capabilities() {
    let o = open("frr-bird", "frr");
    assert_eq!(
        (o.asn(), o.hold_time, o.router_id),
        (65001, 9, Ipv4Addr::new(10, 1, 0, 1))
    );
    assert_eq!(
        o.layout,
        ParamLayout::OnePerParameter,
        "FRR sends one capability per parameter"
    );
    let caps = &o.capabilities;
    assert!(caps.contains(&Capability::FourOctetAs(65001)));
    assert!(caps.contains(&Capability::RouteRefresh));
    assert!(caps.contains(&Capability::EnhancedRouteRefresh));
    assert!(caps.contains(&Capability::ExtendedMessage));
    assert!(
        caps.contains(&Capability::Unknown {
            code: 128,
            value: vec![]
        }),
        "old Cisco route refresh kept"
    );
    assert!(caps
        .iter()
        .any(|c| matches!(c, Capability::Fqdn { hostname, .. } if hostname == "fx-a-frr")));
    assert!(caps.iter().any(
        |c| matches!(c, Capability::AddPath(t) if t.iter().all(|x| x.mode == AddPathMode::Receive))
    ));
    let gr = caps.iter().find_map(|c| match c {
        Capability::GracefulRestart(gr) => Some(gr),
        _ => None,
    });
    assert!(gr.is_some_and(|gr| gr.restart_time > 0), "{gr:?}");
    assert!(caps
        .iter()
        .any(|c| matches!(c, Capability::LongLivedGracefulRestart(_))));
}

#[test]
fn bird_open_groups_capabilities() {
    let o = open("frr-bird", "bird");
    assert_eq!(o.asn(), 65002);
    assert_eq!(o.layout, ParamLayout::Grouped);
}

#[test]
fn gobgp_four_octet_asn_uses_as_trans() {
    let o = open("frr-gobgp", "gobgp");
    assert_eq!(o.my_as, AS_TRANS);
    assert_eq!(o.asn(), 4_200_000_001);
}

#[test]
fn unnumbered_frr_sends_ipv4_over_ipv6_link_local() {
    let o = open("frr-unnumbered", "frrspine");
    assert!(o.capabilities.iter().any(|c| matches!(c, Capability::ExtendedNextHop(t) if t.contains(&ExtendedNextHop::IPV4_UNICAST_OVER_IPV6))));
    let u = update("frr-unnumbered", "frrleaf", |u| {
        u.mp_reach
            .as_ref()
            .is_some_and(|m| m.family == Family::IPV4_UNICAST && m.nlri.len() == 3)
    });
    let reach = u.mp_reach.expect("MP_REACH_NLRI");
    let ll: Ipv6Addr = "fe80::ff:fe00:402".parse().unwrap();
    assert_eq!(
        reach.next_hop,
        NextHop::V6 {
            global: ll,
            link_local: Some(ll)
        }
    );
    let mut got = strings(&reach.nlri);
    got.sort();
    assert_eq!(got, ["172.16.1.11/32", "172.16.1.12/32", "172.16.1.13/32"]);
    assert_eq!(u.attributes.as_path.unwrap().to_string(), "65011");
    assert!(
        u.attributes.next_hop.is_none(),
        "no NEXT_HOP with MP-only NLRI"
    );
}

#[test]
fn unnumbered_bird_sends_an_unspecified_global_next_hop() {
    let u = update("bird-unnumbered", "birdleaf", |u| u.mp_reach.is_some());
    let reach = u.mp_reach.expect("MP_REACH_NLRI");
    let NextHop::V6 {
        global,
        link_local: Some(ll),
    } = reach.next_hop
    else {
        panic!("{:?}", reach.next_hop)
    };
    assert!(global.is_unspecified());
    assert_eq!(ll, "fe80::ff:fe00:502".parse::<Ipv6Addr>().unwrap());
    assert_eq!(reach.next_hop.forwarding_addr(), std::net::IpAddr::V6(ll));
}

#[test]
fn numbered_ipv6_next_hop_has_global_and_link_local() {
    let u = update("frr-bird", "frr", |u| {
        u.mp_reach
            .as_ref()
            .is_some_and(|m| m.family == Family::IPV6_UNICAST)
    });
    assert_eq!(
        u.mp_reach.unwrap().next_hop,
        NextHop::V6 {
            global: "fd00:1::1".parse().unwrap(),
            link_local: Some("fe80::ff:fe00:101".parse().unwrap())
        }
    );
    let u = update("frr-gobgp", "gobgp", |u| u.mp_reach.is_some());
    assert!(
        matches!(
            u.mp_reach.unwrap().next_hop,
            NextHop::V6 {
                link_local: None,
                ..
            }
        ),
        "GoBGP sends 16 bytes"
    );
}

#[test]
fn add_path_identifiers_and_communities() {
    let u = update("frr-bird", "bird", |u| u.nlri.len() == 3);
    let mut got = strings(&u.nlri);
    got.sort();
    assert_eq!(
        got,
        [
            "10.12.1.1/32 path-id 2",
            "10.12.1.2/32 path-id 2",
            "10.12.9.9/32 path-id 3"
        ]
    );
    assert_eq!(
        strings(&u.attributes.communities),
        ["65000:200", "no-export"]
    );
    assert_eq!(strings(&u.attributes.large_communities), ["65002:1:2"]);
    let u = update("frr-bird", "frr", |u| {
        !u.attributes.ext_communities.is_empty()
    });
    assert_eq!(strings(&u.attributes.ext_communities), ["rt 65001:100"]);
    assert_eq!(u.attributes.med, Some(50));
}

#[test]
fn end_of_rib_markers() {
    let mut seen = 0;
    for f in fixtures() {
        let Message::Update(u) = Message::decode_one(&f.bytes, &f.ctx).unwrap() else {
            continue;
        };
        let said = f.description.contains("End-of-RIB");
        assert_eq!(u.end_of_rib_family().is_some(), said, "{}", f.file);
        if let Some(family) = u.end_of_rib_family() {
            let name = if family == Family::IPV4_UNICAST {
                "IPv4"
            } else {
                "IPv6"
            };
            assert!(
                f.description.contains(&format!("End-of-RIB {name}")),
                "{}",
                f.file
            );
            let ours = Message::Update(Box::new(Update::end_of_rib(family)))
                .to_bytes(&WireContext::modern())
                .unwrap();
            assert_eq!(ours, f.bytes, "{}", f.file);
            seen += 1;
        }
    }
    assert!(seen >= 20, "{seen}");
}

#[test]
fn two_octet_session_with_as4_path_and_aggregators() {
    let u = update("frr-bird-as2", "frr", |u| u.attributes.atomic_aggregate);
    let a = &u.attributes;
    assert_eq!(a.as_path.as_ref().unwrap().to_string(), "23456");
    assert_eq!(a.as4_path.as_ref().unwrap().to_string(), "4200000001");
    assert_eq!(a.effective_as_path().unwrap().to_string(), "4200000001");
    assert_eq!(a.aggregator.unwrap().asn, u32::from(AS_TRANS));
    assert_eq!(a.as4_aggregator.unwrap().asn, 4_200_000_001);
    assert_eq!(
        a.as4_aggregator.unwrap().address,
        Ipv4Addr::new(10, 5, 0, 1)
    );
    assert_eq!(
        open("frr-bird-as2", "frr").capabilities,
        vec![],
        "capability negotiation off"
    );
}

#[test]
fn route_refresh_and_enhanced_demarcation() {
    let frr = refreshes("frr-bird", "frr");
    let bird = refreshes("frr-bird", "bird");
    assert!(frr.contains(&RouteRefresh::request(Family::IPV4_UNICAST)));
    for (side, family) in [(&bird, Family::IPV4_UNICAST), (&frr, Family::IPV6_UNICAST)] {
        assert!(
            side.contains(&RouteRefresh {
                family,
                subtype: RefreshSubtype::Begin
            }),
            "{side:?}"
        );
        assert!(
            side.contains(&RouteRefresh {
                family,
                subtype: RefreshSubtype::End
            }),
            "{side:?}"
        );
    }
}

#[test]
fn notifications() {
    let n = notification("frr-bird", "frr");
    assert_eq!(
        (n.code, n.subcode),
        (code::CEASE, code::cease::ADMINISTRATIVE_SHUTDOWN)
    );
    assert_eq!(n.shutdown_message(), Some("maintenance window 42"));
    assert_eq!(
        n.to_string(),
        "Cease/Administrative Shutdown \"maintenance window 42\""
    );
    assert_eq!(
        notification("frr-gobgp", "gobgp").shutdown_message(),
        Some("gobgp maintenance")
    );
    let reset = notification("bird-gobgp", "gobgp");
    assert_eq!(
        (reset.subcode, reset.shutdown_message()),
        (code::cease::ADMINISTRATIVE_RESET, Some("gobgp reset"))
    );
    let hard = notification("frr-unnumbered", "frrspine");
    assert_eq!(
        (hard.code, hard.subcode),
        (code::CEASE, code::cease::HARD_RESET)
    );
    assert_eq!(
        hard.data,
        vec![code::CEASE, code::cease::ADMINISTRATIVE_SHUTDOWN],
        "RFC 8538 encapsulated notification"
    );
    let errors: Vec<Notification> = ["frr", "bird"]
        .iter()
        .flat_map(|s| decoded("errors", s))
        .filter_map(|(m, _)| match m {
            Message::Notification(n) => Some(n),
            _ => None,
        })
        .collect();
    let bad_as: Vec<_> = errors
        .iter()
        .filter(|n| (n.code, n.subcode) == (code::OPEN_MESSAGE, code::open::BAD_PEER_AS))
        .collect();
    assert_eq!(bad_as.len(), 2, "from FRR and from BIRD");
    let hold: Vec<_> = errors
        .iter()
        .filter(|n| n.code == code::HOLD_TIMER_EXPIRED)
        .collect();
    assert_eq!(hold.len(), 2, "from FRR and from BIRD");
    assert_eq!(hold[0].to_string(), "Hold Timer Expired/Unspecific");
}

#[test]
fn extended_messages_carry_all_3000_routes() {
    // capture.sh gives FRR 3000 blackhole /32s from 10.70.0.0 up, which it
    // announces in one UPDATE and withdraws in another (RFC 8654).
    let expected: Vec<String> = (0..3000u32)
        .map(|i| format!("{}/32", Ipv4Addr::from(0x0a46_0000 + i)))
        .collect();
    let big: Vec<(Message, Fixture)> = decoded("frr-bird-extended", "frr")
        .into_iter()
        .filter(|(_, f)| f.bytes.len() > MAX_MESSAGE_LEN)
        .collect();
    assert_eq!(big.len(), 2);
    let mut kinds = Vec::new();
    for (m, f) in big {
        assert!(f.ctx.extended_message);
        assert!(
            Message::decode_one(
                &f.bytes,
                &WireContext {
                    extended_message: false,
                    ..f.ctx
                }
            )
            .is_err(),
            "too long without RFC 8654"
        );
        let Message::Update(u) = m else {
            panic!("{}", f.file)
        };
        let (list, kind) = if u.nlri.is_empty() {
            (&u.withdrawn, "withdraw")
        } else {
            (&u.nlri, "announce")
        };
        let mut got = strings(list);
        got.sort();
        let mut want = expected.clone();
        want.sort();
        assert_eq!(got, want, "{}", f.file);
        kinds.push(kind);
    }
    kinds.sort();
    assert_eq!(kinds, ["announce", "withdraw"]);
}

#[test]
fn ipv6_add_path_from_bird() {
    let u = update("frr-bird-extended", "bird", |u| {
        u.mp_reach
            .as_ref()
            .is_some_and(|m| m.family == Family::IPV6_UNICAST && !m.nlri.is_empty())
    });
    let reach = u.mp_reach.unwrap();
    let mut got = strings(&reach.nlri);
    got.sort();
    assert!(
        got.iter()
            .filter(|s| s.starts_with("fd00:72::1/128 path-id"))
            .count()
            == 2,
        "{got:?}"
    );
}
