//! Installing and removing 100,000 host routes (/32, ECMP over two IPv6
//! link-local next hops, `via inet6 fe80::… dev swp51/swp52`): neighd's FIB
//! against `ip -batch` (iproute2) doing the same, in the same run, in a
//! network namespace of its own. Prints routes/s of each and the ratio.
//!
//! `cargo bench -p neighd --bench fib_install` (root; prints SKIPPED
//! otherwise). NEIGHD_FIB_BENCH_ROUTES and NEIGHD_FIB_BENCH_ROUNDS change
//! the route count (100000) and the rounds (2; the best of each is shown).
//! Like the namespace tests, it re-executes itself under `ip netns exec`.

use std::net::{IpAddr, Ipv4Addr};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bgp::speaker::{FibNextHop, RouteEvent};
use bgp::wire::Prefix;
use neighd::fib::{Fib, FibOptions};

const INNER: &str = "NEIGHD_FIB_BENCH_INNER";
const PROTOCOL: u8 = 211;
const METRIC: u32 = 20;
const OUR_TABLE: u32 = 1000;
const IPROUTE_TABLE: u32 = 1001;
const HOPS: [(&str, &str); 2] = [("fe80::51", "swp51"), ("fe80::52", "swp52")];

fn main() {
    let routes = env_number("NEIGHD_FIB_BENCH_ROUTES", 100_000);
    let rounds = env_number("NEIGHD_FIB_BENCH_ROUNDS", 2);
    if std::env::var_os(INNER).is_some() {
        inside(routes, rounds);
        return;
    }
    if !integration::can_run() {
        println!("SKIPPED: fib_install needs root and network namespaces");
        return;
    }
    let ns = integration::Netns::new("fib-bench-", "b").expect("create the namespace");
    let status = Command::new("ip")
        .args(["netns", "exec", ns.name()])
        .arg(std::env::current_exe().expect("the bench binary's path"))
        .env(INNER, ns.name())
        .status()
        .expect("run the benchmark inside the namespace");
    assert!(
        status.success(),
        "the benchmark failed inside {}",
        ns.name()
    );
}

fn env_number(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn inside(routes: u32, rounds: u32) {
    for name in ["swp51", "swp52"] {
        ip(&[
            "link",
            "add",
            name,
            "type",
            "veth",
            "peer",
            "name",
            &format!("{name}-p"),
        ]);
        ip(&["link", "set", name, "up"]);
        ip(&["link", "set", &format!("{name}-p"), "up"]);
    }
    let host = |i: u32| Ipv4Addr::from(0x0a80_0000 + i);
    let dir = std::env::temp_dir().join(format!("neighd-fib-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let add_file = dir.join("add.batch");
    let del_file = dir.join("del.batch");
    let nexthops: String = HOPS
        .iter()
        .map(|(via, dev)| format!(" nexthop via inet6 {via} dev {dev}"))
        .collect();
    let lines = |verb: &str, tail: &str| -> String {
        (0..routes)
            .map(|i| {
                format!(
                    "route {verb} {}/32 table {IPROUTE_TABLE} proto {PROTOCOL} metric {METRIC}{tail}\n",
                    host(i)
                )
            })
            .collect()
    };
    std::fs::write(&add_file, lines("add", &nexthops)).expect("write the add batch");
    std::fs::write(&del_file, lines("del", "")).expect("write the del batch");

    let next_hops: Vec<FibNextHop> = HOPS
        .iter()
        .map(|(via, dev)| FibNextHop {
            address: via.parse().expect("a next hop"),
            interface: Some(Arc::from(*dev)),
            peer: Arc::from("spine"),
        })
        .collect();
    let install: Vec<RouteEvent> = (0..routes)
        .map(|i| RouteEvent {
            prefix: Prefix::host(IpAddr::V4(host(i))),
            next_hops: next_hops.clone(),
        })
        .collect();
    let remove: Vec<RouteEvent> = install
        .iter()
        .map(|e| RouteEvent {
            prefix: e.prefix,
            next_hops: Vec::new(),
        })
        .collect();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let _entered = runtime.enter();
    let mut fib = Fib::open(FibOptions {
        table: OUR_TABLE,
        protocol: PROTOCOL,
        metric: METRIC,
    })
    .expect("open the FIB");

    let mut best = [Duration::MAX; 4];
    println!(
        "fib_install: {routes} /32 routes, ECMP via inet6 {} dev {} + {} dev {}",
        HOPS[0].0, HOPS[0].1, HOPS[1].0, HOPS[1].1
    );
    for round in 1..=rounds {
        let (ours_add, ours_del) = {
            let start = Instant::now();
            let report = runtime.block_on(fib.apply(&install));
            let add = start.elapsed();
            assert!(
                report.is_ok() && report.installed == routes as usize,
                "{report}"
            );
            assert_eq!(count(OUR_TABLE), routes as usize, "all of ours installed");
            let start = Instant::now();
            let report = runtime.block_on(fib.apply(&remove));
            let del = start.elapsed();
            assert!(
                report.is_ok() && report.removed == routes as usize,
                "{report}"
            );
            assert_eq!(count(OUR_TABLE), 0, "all of ours removed");
            (add, del)
        };
        let (ip_add, ip_del) = {
            let add = timed_batch(&add_file);
            assert_eq!(
                count(IPROUTE_TABLE),
                routes as usize,
                "all of ip's installed"
            );
            let del = timed_batch(&del_file);
            assert_eq!(count(IPROUTE_TABLE), 0, "all of ip's removed");
            (add, del)
        };
        println!(
            "round {round}: install neighd {} / ip -batch {}; remove neighd {} / ip -batch {}",
            rate(routes, ours_add),
            rate(routes, ip_add),
            rate(routes, ours_del),
            rate(routes, ip_del)
        );
        for (b, t) in best.iter_mut().zip([ours_add, ip_add, ours_del, ip_del]) {
            *b = (*b).min(t);
        }
    }
    let [ours_add, ip_add, ours_del, ip_del] = best;
    println!("best of {rounds}:");
    for (what, ours, theirs) in [("install", ours_add, ip_add), ("remove", ours_del, ip_del)] {
        println!(
            "  {what:7}  neighd {:>9.3} s {:>12}   ip -batch {:>9.3} s {:>12}   neighd/ip {:.2}x",
            ours.as_secs_f64(),
            rate(routes, ours),
            theirs.as_secs_f64(),
            rate(routes, theirs),
            theirs.as_secs_f64() / ours.as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn rate(routes: u32, took: Duration) -> String {
    format!("{:.0} routes/s", f64::from(routes) / took.as_secs_f64())
}

fn timed_batch(file: &std::path::Path) -> Duration {
    let start = Instant::now();
    let status = Command::new("ip")
        .arg("-batch")
        .arg(file)
        .status()
        .expect("run ip -batch");
    let took = start.elapsed();
    assert!(status.success(), "ip -batch {}", file.display());
    took
}

/// Routes in `table` (next hop lines of multipath routes are indented).
fn count(table: u32) -> usize {
    let text = ip(&["-4", "route", "show", "table", &table.to_string()]);
    text.lines()
        .filter(|l| !l.starts_with(char::is_whitespace))
        .count()
}

fn ip(args: &[&str]) -> String {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
