//! The configuration parser on arbitrary text. It never panics. A refused
//! file gives one line without control characters (tabs aside) that starts
//! with the file's name and points inside the text. A file that parses parses the same again, keeps every rule the
//! parser promises (hold times, probe interval, flap thresholds, FIB table
//! and protocol, interfaces that exist, unique neighbors), maps to the BGP
//! speaker's configuration without panicking, and never shows a password
//! in its `Debug`.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use neighd::config::{parse, AnnounceSource, Config, ConfigError, NeighborTarget, SystemView};

const ORIGIN: &str = "fuzz.toml";

/// The interfaces of the example configurations, and a few more.
const INTERFACES: &[&str] = &[
    "lo", "swp1", "swp2", "swp51", "swp52", "br0", "p3p1", "eth0",
];

/// A machine with a fixed set of interfaces and a host name.
struct Machine;

impl SystemView for Machine {
    fn interface_exists(&self, name: &str) -> bool {
        INTERFACES.contains(&name)
    }

    fn hostname(&self) -> Option<String> {
        Some("leaf01".to_string())
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let first = parse(text, ORIGIN, &Machine);
    let again = parse(text, ORIGIN, &Machine);
    match (&first, &again) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "parsing is not deterministic");
            check_config(a);
        }
        (Err(a), Err(b)) => {
            assert_eq!(a.to_string(), b.to_string(), "parsing is not deterministic");
            check_error(text, a);
        }
        _ => panic!("parsing is not deterministic: {first:?} then {again:?}"),
    }
});

fn check_error(text: &str, e: &ConfigError) {
    let line = e.to_string();
    // One line, and nothing from the file that a terminal would act on.
    assert!(
        !line.contains(|c: char| c.is_control() && c != '\t'),
        "the error is not one clean line: {line:?}"
    );
    assert!(
        line.starts_with(ORIGIN),
        "the error does not name the file: {line:?}"
    );
    assert!(
        !matches!(e, ConfigError::Read { .. }),
        "parse does not read files"
    );
    let location = e.location().expect("parse errors have a location");
    assert_eq!(location.origin, ORIGIN);
    if let Some(n) = location.line {
        // Lines as Location counts them: one more than the newlines before.
        let lines: Vec<&str> = text.split('\n').collect();
        assert!(
            n >= 1 && n <= lines.len(),
            "line {n} of {}: {line:?}",
            lines.len()
        );
        let column = location.column.expect("a line comes with a column");
        let width = lines[n - 1].chars().count();
        assert!(
            column >= 1 && column <= width + 1,
            "column {column} of a {width}-character line: {line:?}"
        );
    }
    if let Some(key) = e.key() {
        assert!(
            line.contains(key),
            "the message does not name {key:?}: {line:?}"
        );
    }
}

fn check_config(c: &Config) {
    let bgp = &c.bgp;
    assert!(bgp.asn != 0);
    assert!(!bgp.router_id.is_unspecified());
    assert!(
        bgp.hold_time == 0 || bgp.hold_time >= 3,
        "hold time {}",
        bgp.hold_time
    );
    assert!(bgp.connect_retry >= Duration::from_secs(1));
    assert!((1..=4095).contains(&bgp.restart_time));
    assert!((1..=usize::from(u16::MAX)).contains(&bgp.max_paths));
    if let Some(h) = &bgp.hostname {
        assert!(!h.is_empty() && h.len() <= 255);
    }
    for (i, n) in bgp.neighbors.iter().enumerate() {
        match &n.target {
            NeighborTarget::Interface(name) => assert!(INTERFACES.contains(&name.as_str())),
            NeighborTarget::Address(a) => assert!(!a.is_unspecified() && !a.is_multicast()),
        }
        assert!(
            bgp.neighbors[..i].iter().all(|m| m.target != n.target),
            "neighbor {:?} twice",
            n.target
        );
        if let Some(h) = n.hold_time {
            assert!(h == 0 || h >= 3);
        }
        assert!(n.port != 0);
        if let Some(p) = &n.password {
            assert!((1..=80).contains(&p.len()));
            let shown = format!("{n:?}");
            let mut without = n.clone();
            without.password = None;
            let expected =
                format!("{without:?}").replacen("password: None", "password: Some(<redacted>)", 1);
            assert_eq!(shown, expected, "Debug of a neighbor shows its password");
        }
    }
    let r = &c.redistribute;
    assert!(r.probe_interval >= Duration::from_millis(100));
    assert!(r.probe_misses >= 1);
    for (i, name) in r.interfaces.iter().enumerate() {
        assert!(INTERFACES.contains(&name.as_str()));
        assert!(
            !r.interfaces[..i].contains(name),
            "interface {name:?} twice"
        );
    }
    assert!(r.flap.reuse < r.flap.suppress);
    assert!(r.flap.penalty >= 1);
    assert!(r.flap.half_life >= Duration::from_secs(1));
    assert!(r.flap.max_hold >= Duration::from_secs(1));
    for a in &c.announce {
        if let AnnounceSource::Interface(name) = &a.source {
            assert!(INTERFACES.contains(&name.as_str()));
        }
    }
    let fib = &c.fib;
    assert!(fib.table != 0 && fib.table != 255);
    assert!(
        !matches!(fib.protocol, 0..=4 | 8..=18 | 42 | 99 | 186..=199),
        "protocol {} is reserved",
        fib.protocol
    );
    if let Some(export) = fib.export_table {
        assert!(export != fib.table && export != 0 && export != 255);
    }
    // Documented to panic only on passwords parse refuses.
    let speaker = c.speaker_config();
    assert_eq!(speaker.peers.len(), bgp.neighbors.len());
    assert_eq!(speaker.asn, bgp.asn);
}
