//! The FIB against a real kernel, each test in its own network namespace:
//! single path, ECMP over IPv6 link-local next hops for IPv4 prefixes
//! (`via inet6 fe80::… dev …`), IPv6 prefixes, replace, removal, per-route
//! failures, 100,000 routes in one batch, the start-up sweep, cleanup that
//! spares other protocols' routes, and the rdnbrd-style export table.
//! Checked with `ip route show`, as a user would.
//!
//! std has no `setns`, so each test runs twice: the outer run (as root)
//! creates the namespace and re-executes this test binary for just this
//! test under `ip netns exec`; the inner run does the work and the checks,
//! and prints a marker the outer run requires. The namespace is removed by
//! the outer run's guard, also on panic.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use bgp::speaker::{FibNextHop, RouteEvent};
use bgp::wire::Prefix;
use integration::reexec::ip;
use neighd::fib::{ExportChange, ExportTable, Fib, FibOptions, InstalledNextHop};
use serde_json::Value;

/// Our protocol in these tests: a number iproute2 and FRR give no name,
/// so `ip route` shows it as "211".
const PROTOCOL: u8 = 211;
const TABLE: u32 = 1000;
const METRIC: u32 = 20;

/// Runs `body` inside a namespace of its own (see the module doc).
fn in_namespace(test: &str, body: impl Future<Output = ()>) {
    integration::reexec::in_namespace("fib-", test, body);
}

fn ip_json(args: &str) -> Vec<Value> {
    serde_json::from_str(&ip(&format!("-j {args}"))).expect("ip -j prints JSON")
}

/// Veth pairs `name` ↔ `name-p`, both ends up.
fn veths(names: &[&str]) {
    for name in names {
        ip(&format!("link add {name} type veth peer name {name}-p"));
        ip(&format!("link set {name} up"));
        ip(&format!("link set {name}-p up"));
    }
}

fn ifindex(name: &str) -> u32 {
    ip_json(&format!("link show {name}"))[0]["ifindex"]
        .as_u64()
        .and_then(|i| u32::try_from(i).ok())
        .expect("an ifindex")
}

fn open_fib() -> Fib {
    Fib::open(FibOptions {
        table: TABLE,
        protocol: PROTOCOL,
        metric: METRIC,
    })
    .expect("open the FIB")
}

fn prefix(text: &str) -> Prefix {
    text.parse().expect("test prefix")
}

/// A route over `(next hop, interface)` pairs ("" for no interface); no
/// pairs: a removal.
fn route(p: &str, hops: &[(&str, &str)]) -> RouteEvent {
    RouteEvent {
        prefix: prefix(p),
        next_hops: hops
            .iter()
            .map(|(address, interface)| FibNextHop {
                address: address.parse().expect("test address"),
                interface: (!interface.is_empty()).then(|| Arc::from(*interface)),
                peer: Arc::from("spine"),
            })
            .collect(),
    }
}

/// The route for `dst` in our table as `ip -j` shows it.
fn shown(family: &str, dst: &str) -> Option<Value> {
    ip_json(&format!("{family} route show table {TABLE}"))
        .into_iter()
        .find(|r| r["dst"] == dst)
}

/// `(via host, dev)` of each next hop of a shown route.
fn next_hops(route: &Value) -> Vec<(String, String)> {
    let hop = |h: &Value| {
        let via = h["via"]["host"]
            .as_str()
            .or(h["gateway"].as_str())
            .unwrap_or("")
            .to_string();
        (via, h["dev"].as_str().unwrap_or("").to_string())
    };
    match route["nexthops"].as_array() {
        Some(hops) => hops.iter().map(hop).collect(),
        None => vec![hop(route)],
    }
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// Route lines of `ip route show` (next hop lines are indented).
fn route_lines(text: &str) -> usize {
    text.lines()
        .filter(|l| !l.starts_with(char::is_whitespace))
        .count()
}

#[test]
fn single_path_routes_are_protocol_marked_in_our_table() {
    in_namespace(
        "single_path_routes_are_protocol_marked_in_our_table",
        async {
            veths(&["swp51"]);
            ip("addr add 192.168.51.1/24 dev swp51");
            let mut fib = open_fib();
            let report = fib
                .apply(&[
                    route("10.1.1.0/24", &[("fe80::1", "swp51")]),
                    route("10.2.2.0/24", &[("192.168.51.2", "")]),
                ])
                .await;
            assert!(report.is_ok(), "{report}");
            assert_eq!(report.installed, 2);

            let r = shown("-4", "10.1.1.0/24").expect("10.1.1.0/24 in our table");
            assert_eq!(r["via"]["family"], "inet6");
            assert_eq!(next_hops(&r), pairs(&[("fe80::1", "swp51")]));
            assert_eq!(r["protocol"], PROTOCOL.to_string());
            assert_eq!(r["metric"], METRIC);
            let r = shown("-4", "10.2.2.0/24").expect("10.2.2.0/24 in our table");
            assert_eq!(next_hops(&r), pairs(&[("192.168.51.2", "swp51")]));
            assert!(
                !ip("-4 route show table main").contains("10.1.1.0"),
                "nothing in the main table"
            );

            let installed = fib.installed().await.expect("dump our routes");
            assert_eq!(installed.len(), 2);
            let ours = installed
                .iter()
                .find(|r| r.prefix == prefix("10.1.1.0/24"))
                .expect("10.1.1.0/24 dumped");
            assert_eq!(
                ours.next_hops,
                vec![InstalledNextHop {
                    gateway: Some("fe80::1".parse().expect("address")),
                    ifindex: Some(ifindex("swp51"))
                }]
            );
            assert_eq!(ours.metric, METRIC);
        },
    );
}

#[test]
fn ecmp_over_link_local_next_hops_replaced_two_one_two() {
    in_namespace(
        "ecmp_over_link_local_next_hops_replaced_two_one_two",
        async {
            veths(&["swp51", "swp52"]);
            let mut fib = open_fib();
            let two = [("fe80::51", "swp51"), ("fe80::52", "swp52")];
            let report = fib.apply(&[route("10.1.1.0/24", &two)]).await;
            assert!(report.is_ok(), "{report}");
            let r = shown("-4", "10.1.1.0/24").expect("installed");
            assert_eq!(next_hops(&r), pairs(&two));
            assert!(r["nexthops"]
                .as_array()
                .expect("multipath")
                .iter()
                .all(|h| h["via"]["family"] == "inet6"));

            let report = fib.apply(&[route("10.1.1.0/24", &two[1..])]).await;
            assert_eq!(report.installed, 1, "{report}");
            let r = shown("-4", "10.1.1.0/24").expect("still installed");
            assert!(r["nexthops"].is_null(), "single path now: {r}");
            assert_eq!(next_hops(&r), pairs(&two[1..]));

            let report = fib.apply(&[route("10.1.1.0/24", &two)]).await;
            assert!(report.is_ok(), "{report}");
            let r = shown("-4", "10.1.1.0/24").expect("installed");
            assert_eq!(next_hops(&r), pairs(&two));
            let text = ip(&format!("-4 route show table {TABLE}"));
            assert_eq!(route_lines(&text), 1, "one route, no duplicates:\n{text}");
        },
    );
}

#[test]
fn ipv6_prefixes_use_gateway_and_interface() {
    in_namespace("ipv6_prefixes_use_gateway_and_interface", async {
        veths(&["swp51", "swp52"]);
        let mut fib = open_fib();
        let two = [("fe80::51", "swp51"), ("fe80::52", "swp52")];
        let report = fib
            .apply(&[
                route("2001:db8:1::/64", &two[..1]),
                route("2001:db8:2::/64", &two),
            ])
            .await;
        assert!(report.is_ok(), "{report}");
        let r = shown("-6", "2001:db8:1::/64").expect("single path");
        assert_eq!(next_hops(&r), pairs(&two[..1]));
        assert_eq!(r["protocol"], PROTOCOL.to_string());
        let r = shown("-6", "2001:db8:2::/64").expect("ECMP");
        assert_eq!(next_hops(&r), pairs(&two));

        // ECMP to one path and back, then removal
        let report = fib.apply(&[route("2001:db8:2::/64", &two[1..])]).await;
        assert!(report.is_ok(), "{report}");
        let r = shown("-6", "2001:db8:2::/64").expect("one path");
        assert_eq!(next_hops(&r), pairs(&two[1..]));
        let report = fib.apply(&[route("2001:db8:2::/64", &two)]).await;
        assert!(report.is_ok(), "{report}");
        let r = shown("-6", "2001:db8:2::/64").expect("two paths");
        assert_eq!(next_hops(&r), pairs(&two));
        let report = fib.apply(&[route("2001:db8:2::/64", &[])]).await;
        assert_eq!(report.removed, 1, "{report}");
        assert!(shown("-6", "2001:db8:2::/64").is_none());
        assert!(shown("-6", "2001:db8:1::/64").is_some());
    });
}

#[test]
fn removal_of_present_and_absent_routes_succeeds() {
    in_namespace("removal_of_present_and_absent_routes_succeeds", async {
        veths(&["swp51"]);
        let mut fib = open_fib();
        let hop = [("fe80::1", "swp51")];
        let report = fib
            .apply(&[route("10.1.1.0/24", &hop), route("10.1.2.0/24", &hop)])
            .await;
        assert!(report.is_ok(), "{report}");
        // the same prefix twice in one batch: the last event wins
        let report = fib
            .apply(&[
                route("10.1.1.0/24", &[]),
                route("10.1.2.0/24", &[]),
                route("10.1.2.0/24", &hop),
            ])
            .await;
        assert!(report.is_ok(), "{report}");
        assert_eq!((report.installed, report.removed), (1, 1));
        assert!(shown("-4", "10.1.1.0/24").is_none());
        assert!(shown("-4", "10.1.2.0/24").is_some());
        let report = fib
            .apply(&[route("10.1.1.0/24", &[]), route("10.9.9.0/24", &[])])
            .await;
        assert!(report.is_ok(), "already gone is success: {report}");
        assert_eq!(report.removed, 2);
    });
}

#[test]
fn refused_routes_are_reported_per_reason_and_do_not_stop_the_batch() {
    in_namespace(
        "refused_routes_are_reported_per_reason_and_do_not_stop_the_batch",
        async {
            veths(&["swp51", "swp53"]);
            ip("link set swp53 down");
            let mut fib = open_fib();
            let report = fib
                .apply(&[
                    route("10.1.1.0/24", &[("fe80::1", "swp51")]),
                    route("10.3.1.0/24", &[("fe80::1", "swp53")]),
                    route("10.3.2.0/24", &[("fe80::1", "swp53")]),
                    route("10.4.0.0/24", &[("fe80::1", "swp99")]),
                    route("10.5.0.0/24", &[("192.0.2.1", "")]),
                ])
                .await;
            println!("{report}");
            assert_eq!(report.installed, 1);
            let failed: Vec<Prefix> = ["10.3.1.0/24", "10.3.2.0/24", "10.4.0.0/24", "10.5.0.0/24"]
                .into_iter()
                .map(prefix)
                .collect();
            let mut reported = report.failed.clone();
            reported.sort();
            assert_eq!(reported, failed);
            assert_eq!(report.reasons.len(), 3, "{report}");
            let reason = |text: &str| {
                report
                    .reasons
                    .iter()
                    .find(|r| r.reason.contains(text))
                    .unwrap_or_else(|| panic!("a reason with {text:?}: {report}"))
            };
            assert_eq!(reason("Nexthop device is not up").count, 2);
            assert_eq!(reason("interface swp99 does not exist").count, 1);
            assert_eq!(
                reason("Network is unreachable").example,
                prefix("10.5.0.0/24")
            );
            assert!(shown("-4", "10.1.1.0/24").is_some());
            assert!(shown("-4", "10.3.1.0/24").is_none());
        },
    );
}

#[test]
fn a_recreated_interface_is_resolved_again() {
    in_namespace("a_recreated_interface_is_resolved_again", async {
        veths(&["swp51"]);
        let mut fib = open_fib();
        let hop = [("fe80::1", "swp51")];
        assert!(fib.apply(&[route("10.1.1.0/24", &hop)]).await.is_ok());
        let old = ifindex("swp51");
        ip("link del swp51");
        veths(&["swp51"]);
        assert_ne!(ifindex("swp51"), old);
        let report = fib.apply(&[route("10.1.1.0/24", &hop)]).await;
        assert!(report.is_ok(), "{report}");
        let r = shown("-4", "10.1.1.0/24").expect("installed again");
        assert_eq!(next_hops(&r), pairs(&hop));
    });
}

#[test]
fn hundred_thousand_ecmp_routes_in_one_apply() {
    in_namespace("hundred_thousand_ecmp_routes_in_one_apply", async {
        const N: u32 = 100_000;
        veths(&["swp51", "swp52"]);
        let mut fib = open_fib();
        let hops = route(
            "10.0.0.0/32",
            &[("fe80::51", "swp51"), ("fe80::52", "swp52")],
        )
        .next_hops;
        let host = |i: u32| Prefix::host(IpAddr::V4(Ipv4Addr::from(0x0a80_0000 + i)));
        let install: Vec<RouteEvent> = (0..N)
            .map(|i| RouteEvent {
                prefix: host(i),
                next_hops: hops.clone(),
            })
            .collect();
        let report = fib.apply(&install).await;
        assert!(report.is_ok(), "{report}");
        assert_eq!(report.installed, N as usize);
        let text = ip(&format!("-4 route show table {TABLE}"));
        let next_hop_lines = text
            .lines()
            .filter(|l| l.trim_start().starts_with("nexthop via inet6 fe80::5"))
            .count();
        assert_eq!(route_lines(&text), N as usize);
        assert_eq!(next_hop_lines, 2 * N as usize);
        assert_eq!(fib.installed().await.expect("dump").len(), N as usize);

        let remove: Vec<RouteEvent> = (0..N)
            .map(|i| RouteEvent {
                prefix: host(i),
                next_hops: Vec::new(),
            })
            .collect();
        let report = fib.apply(&remove).await;
        assert!(report.is_ok(), "{report}");
        assert_eq!(report.removed, N as usize);
        assert_eq!(ip(&format!("-4 route show table {TABLE}")), "");
    });
}

#[test]
fn sweep_at_start_removes_leftovers_that_were_not_learned_again() {
    in_namespace(
        "sweep_at_start_removes_leftovers_that_were_not_learned_again",
        async {
            veths(&["swp51"]);
            let hop = [("fe80::1", "swp51")];
            {
                // the previous run, with metric 30
                let mut previous_run = Fib::open(FibOptions {
                    table: TABLE,
                    protocol: PROTOCOL,
                    metric: 30,
                })
                .expect("open the FIB");
                let report = previous_run
                    .apply(&[
                        route("10.1.1.0/24", &hop),
                        route("10.1.2.0/24", &hop),
                        route("2001:db8:1::/64", &hop),
                    ])
                    .await;
                assert!(report.is_ok(), "{report}");
            }
            let mut fib = open_fib();
            let report = fib.apply(&[route("10.1.1.0/24", &hop)]).await;
            assert!(report.is_ok(), "{report}");
            assert_eq!(
                route_lines(&ip(&format!("-4 route show table {TABLE} 10.1.1.0/24"))),
                2,
                "learned again with metric {METRIC}, the old one with metric 30"
            );
            let keep = prefix("10.1.1.0/24");
            let report = fib.sweep_stale(|p| *p == keep).await.expect("sweep");
            assert_eq!(report.removed, 3, "{report}");
            let r = shown("-4", "10.1.1.0/24").expect("kept");
            assert_eq!(r["metric"], METRIC);
            assert_eq!(route_lines(&ip(&format!("-4 route show table {TABLE}"))), 1);
            assert!(shown("-4", "10.1.2.0/24").is_none());
            assert!(shown("-6", "2001:db8:1::/64").is_none());
        },
    );
}

#[test]
fn cleanup_removes_only_our_protocol_in_our_table() {
    in_namespace("cleanup_removes_only_our_protocol_in_our_table", async {
        veths(&["swp51"]);
        let hop = [("fe80::1", "swp51")];
        let mut fib = open_fib();
        let report = fib
            .apply(&[
                route("10.1.1.0/24", &hop),
                route("10.1.2.0/24", &hop),
                route("2001:db8:1::/64", &hop),
            ])
            .await;
        assert!(report.is_ok(), "{report}");
        ip(&format!(
            "route add 10.9.9.0/24 via inet6 fe80::9 dev swp51 table {TABLE} proto static"
        ));
        ip(&format!(
            "route add 10.9.8.0/24 via inet6 fe80::9 dev swp51 table 1001 proto {PROTOCOL}"
        ));
        ip(&format!(
            "route add 10.9.7.0/24 via inet6 fe80::9 dev swp51 proto {PROTOCOL}"
        ));

        let report = fib.cleanup().await.expect("cleanup");
        assert_eq!(report.removed, 3, "{report}");
        let left = ip_json(&format!("-4 route show table {TABLE}"));
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(left[0]["dst"], "10.9.9.0/24");
        assert_eq!(left[0]["protocol"], "static");
        assert!(ip_json(&format!("-6 route show table {TABLE}")).is_empty());
        assert_eq!(ip_json("-4 route show table 1001").len(), 1);
        assert!(ip("-4 route show table main").contains("10.9.7.0/24"));
        assert!(fib.installed().await.expect("dump").is_empty());
    });
}

#[test]
fn export_table_entries_have_rdnbrds_form() {
    in_namespace("export_table_entries_have_rdnbrds_form", async {
        veths(&["swp1", "swp2"]);
        let mut export = ExportTable::open(10, PROTOCOL).expect("open the export table");
        let a: IpAddr = "172.16.1.11".parse().expect("address");
        let b: IpAddr = "172.16.1.12".parse().expect("address");
        let c: IpAddr = "2001:db8::11".parse().expect("address");
        let report = export
            .apply(&[
                ExportChange::Add {
                    address: a,
                    interface: "swp1".into(),
                },
                ExportChange::Add {
                    address: b,
                    interface: ifindex("swp2").into(),
                },
                ExportChange::Add {
                    address: c,
                    interface: "swp1".into(),
                },
            ])
            .await;
        assert!(report.is_ok(), "{report}");
        assert_eq!(report.installed, 3);

        // ours read exactly like what iproute2 writes for the rdnbrd form
        ip(&format!(
            "route add 172.16.1.99/32 dev swp2 scope link table 10 proto {PROTOCOL}"
        ));
        ip(&format!(
            "-6 route add 2001:db8::99/128 dev swp1 table 10 proto {PROTOCOL}"
        ));
        let v4 = ip("-4 route show table 10");
        let v6 = ip("-6 route show table 10");
        print!("{v4}{v6}");
        let line_of = |text: &str, address: &str| -> String {
            text.lines()
                .find(|l| l.starts_with(&format!("{address} ")))
                .unwrap_or_else(|| panic!("{address} in table 10:\n{text}"))
                .to_string()
        };
        assert_eq!(
            line_of(&v4, "172.16.1.11").trim_end(),
            format!("172.16.1.11 dev swp1 proto {PROTOCOL} scope link")
        );
        assert_eq!(
            line_of(&v4, "172.16.1.12"),
            line_of(&v4, "172.16.1.99").replace("172.16.1.99", "172.16.1.12")
        );
        assert_eq!(
            line_of(&v6, "2001:db8::11"),
            line_of(&v6, "2001:db8::99").replace("2001:db8::99", "2001:db8::11")
        );
        ip("route del 172.16.1.99/32 table 10");
        ip("-6 route del 2001:db8::99/128 table 10");

        // the host moved: one entry, on the new port
        let report = export.add(a, "swp2").await;
        assert!(report.is_ok(), "{report}");
        assert!(line_of(&ip("-4 route show table 10"), "172.16.1.11").contains("dev swp2"));
        let mut entries = export.entries().await.expect("entries");
        entries.sort_by_key(|e| e.address);
        let swp2 = ifindex("swp2");
        assert_eq!(
            entries
                .iter()
                .map(|e| (e.address, e.ifindex))
                .collect::<Vec<_>>(),
            vec![(a, swp2), (b, swp2), (c, ifindex("swp1"))]
        );

        let report = export.remove(b).await;
        assert_eq!(report.removed, 1, "{report}");
        assert!(!ip("-4 route show table 10").contains("172.16.1.12"));
        assert!(export.remove(b).await.is_ok(), "removing twice is fine");

        ip("route add 172.16.1.50/32 dev swp1 scope link table 10 proto static");
        let report = export.cleanup().await.expect("cleanup");
        assert_eq!(report.removed, 2, "{report}");
        assert_eq!(
            ip("-4 route show table 10").trim_end(),
            "172.16.1.50 dev swp1 proto static scope link"
        );
        assert_eq!(ip("-6 route show table 10"), "");
    });
}
