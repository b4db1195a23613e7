//! `Metrics::render` checked line by line against the Prometheus text
//! format 0.0.4 by a small independent parser, and the values read back
//! from the parsed text after recording.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use bgp::fsm::State;
use neighd::metrics::Metrics;
use neighd::status::HostState;

/// One parsed sample line.
#[derive(Debug, Clone, PartialEq)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// One metric family: its HELP, TYPE and samples.
#[derive(Debug, Clone, PartialEq)]
struct Family {
    name: String,
    kind: String,
    help: Option<String>,
    samples: Vec<Sample>,
}

/// Parses exposition text, enforcing the 0.0.4 rules: valid names and
/// label names, escaped label values, numeric values, HELP/TYPE at most
/// once and before the family's samples, each family in one group, no
/// duplicate series, histograms with cumulative `le` buckets ending in
/// `+Inf` equal to `_count`, and counters that are not negative.
fn parse_exposition(text: &str) -> Result<Vec<Family>, String> {
    if !text.is_empty() && !text.ends_with('\n') {
        return Err("the text does not end with a newline".to_string());
    }
    let mut families: Vec<Family> = Vec::new();
    let mut finished: HashSet<String> = HashSet::new();
    let mut series: HashSet<(String, BTreeMap<String, String>)> = HashSet::new();
    for (number, line) in text.lines().enumerate() {
        let at = |reason: String| format!("line {}: {reason}: {line:?}", number + 1);
        if line.is_empty() {
            return Err(at("empty line".to_string()));
        }
        if let Some(comment) = line.strip_prefix('#') {
            let mut words = comment.trim_start().splitn(3, ' ');
            let (keyword, name, rest) = (words.next(), words.next(), words.next());
            if keyword != Some("HELP") && keyword != Some("TYPE") {
                continue; // a plain comment
            }
            let name = name
                .filter(|n| valid_metric_name(n))
                .ok_or_else(|| at("bad metric name".to_string()))?;
            let family = family_for(&mut families, &mut finished, name).map_err(at)?;
            if !family.samples.is_empty() {
                return Err(at("HELP or TYPE after the family's samples".to_string()));
            }
            if keyword == Some("HELP") {
                if family.help.is_some() {
                    return Err(at("second HELP".to_string()));
                }
                family.help = Some(rest.unwrap_or_default().to_string());
            } else {
                let kind = rest.unwrap_or_default();
                if !["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind) {
                    return Err(at(format!("unknown type {kind:?}")));
                }
                if family.kind != "untyped" {
                    return Err(at("second TYPE".to_string()));
                }
                family.kind = kind.to_string();
            }
            continue;
        }
        let sample = parse_sample(line).map_err(at)?;
        if !series.insert((sample.name.clone(), sample.labels.clone())) {
            return Err(at("duplicate series".to_string()));
        }
        let family_name = family_of_sample(&families, &sample.name);
        let family = family_for(&mut families, &mut finished, &family_name).map_err(at)?;
        if family.kind == "counter" && (sample.value.is_nan() || sample.value < 0.0) {
            return Err(at("negative counter".to_string()));
        }
        family.samples.push(sample);
    }
    for family in &families {
        if family.kind == "histogram" {
            check_histogram(family)?;
        }
    }
    Ok(families)
}

/// The family a sample belongs to: a histogram's `_bucket`, `_sum` and
/// `_count` belong to the open histogram family.
fn family_of_sample(families: &[Family], sample_name: &str) -> String {
    if let Some(last) = families.last() {
        if last.kind == "histogram" {
            for suffix in ["_bucket", "_sum", "_count"] {
                if sample_name.strip_suffix(suffix) == Some(last.name.as_str()) {
                    return last.name.clone();
                }
            }
        }
    }
    sample_name.to_string()
}

/// The family named `name`, which must be the current one or a new one.
fn family_for<'a>(
    families: &'a mut Vec<Family>,
    finished: &mut HashSet<String>,
    name: &str,
) -> Result<&'a mut Family, String> {
    let is_current = families.last().is_some_and(|f| f.name == name);
    if !is_current {
        if finished.contains(name) {
            return Err(format!("family {name} is split into two groups"));
        }
        if let Some(previous) = families.last() {
            finished.insert(previous.name.clone());
        }
        families.push(Family {
            name: name.to_string(),
            kind: "untyped".to_string(),
            help: None,
            samples: Vec::new(),
        });
    }
    Ok(families
        .last_mut()
        .expect("a family was just found or pushed"))
}

fn valid_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn valid_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn parse_sample(line: &str) -> Result<Sample, String> {
    let name_end = line.find(['{', ' ']).ok_or("no value")?;
    let name = &line[..name_end];
    if !valid_metric_name(name) {
        return Err("bad metric name".to_string());
    }
    let mut rest = &line[name_end..];
    let mut labels = BTreeMap::new();
    if let Some(after_brace) = rest.strip_prefix('{') {
        let mut chars = after_brace.char_indices().peekable();
        loop {
            match chars.peek() {
                Some(&(i, '}')) => {
                    rest = &after_brace[i + 1..];
                    break;
                }
                Some(_) => {}
                None => return Err("unclosed label set".to_string()),
            }
            let mut label = String::new();
            for (_, c) in chars.by_ref() {
                if c == '=' {
                    break;
                }
                label.push(c);
            }
            if !valid_label_name(&label) {
                return Err(format!("bad label name {label:?}"));
            }
            if chars.next().map(|(_, c)| c) != Some('"') {
                return Err("label value not quoted".to_string());
            }
            let mut value = String::new();
            loop {
                match chars.next().map(|(_, c)| c) {
                    Some('"') => break,
                    Some('\\') => match chars.next().map(|(_, c)| c) {
                        Some('\\') => value.push('\\'),
                        Some('"') => value.push('"'),
                        Some('n') => value.push('\n'),
                        other => return Err(format!("bad escape {other:?}")),
                    },
                    Some('\n') | None => return Err("unterminated label value".to_string()),
                    Some(c) => value.push(c),
                }
            }
            if labels.insert(label.clone(), value).is_some() {
                return Err(format!("label {label} repeated"));
            }
            if let Some(&(_, ',')) = chars.peek() {
                chars.next();
            }
        }
    }
    let mut fields = rest
        .strip_prefix(' ')
        .ok_or("no space before the value")?
        .split(' ');
    let value = fields.next().ok_or("no value")?;
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        v => v.parse::<f64>().map_err(|_| format!("bad value {v:?}"))?,
    };
    if let Some(timestamp) = fields.next() {
        timestamp
            .parse::<i64>()
            .map_err(|_| format!("bad timestamp {timestamp:?}"))?;
    }
    if fields.next().is_some() {
        return Err("trailing fields".to_string());
    }
    Ok(Sample {
        name: name.to_string(),
        labels,
        value,
    })
}

fn check_histogram(family: &Family) -> Result<(), String> {
    let name = &family.name;
    let bucket_name = format!("{name}_bucket");
    let mut previous: Option<(f64, f64)> = None;
    for sample in family.samples.iter().filter(|s| s.name == bucket_name) {
        let le = match sample.labels.get("le").map(String::as_str) {
            Some("+Inf") => f64::INFINITY,
            Some(le) => le
                .parse::<f64>()
                .map_err(|_| format!("{name}: bad le {le:?}"))?,
            None => return Err(format!("{name}: bucket without le")),
        };
        if let Some((previous_le, previous_count)) = previous {
            if le <= previous_le || sample.value < previous_count {
                return Err(format!("{name}: buckets not increasing at le={le}"));
            }
        }
        previous = Some((le, sample.value));
    }
    let count = family
        .samples
        .iter()
        .find(|s| s.name == format!("{name}_count"));
    let sum = family
        .samples
        .iter()
        .find(|s| s.name == format!("{name}_sum"));
    match (previous, count, sum) {
        (Some((le, inf)), Some(count), Some(_)) if le.is_infinite() && inf == count.value => Ok(()),
        _ => Err(format!(
            "{name}: needs a +Inf bucket equal to _count, and _sum"
        )),
    }
}

/// The value of the series `name{labels}`.
fn value(families: &[Family], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let labels: BTreeMap<String, String> = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    families
        .iter()
        .flat_map(|f| &f.samples)
        .find(|s| s.name == name && s.labels == labels)
        .map(|s| s.value)
}

fn parsed(metrics: &Metrics) -> Vec<Family> {
    let text = metrics.render();
    parse_exposition(&text).unwrap_or_else(|e| panic!("invalid exposition: {e}\n{text}"))
}

#[test]
fn a_fresh_daemon_exposes_every_family_with_help_and_type() {
    let families = parsed(&Metrics::new());
    let kinds: BTreeMap<&str, &str> = families
        .iter()
        .map(|f| (f.name.as_str(), f.kind.as_str()))
        .collect();
    let expected = BTreeMap::from([
        ("neighd_build_info", "gauge"),
        ("neighd_hosts", "gauge"),
        ("neighd_probes_sent_total", "counter"),
        ("neighd_probes_answered_total", "counter"),
        ("neighd_probes_missed_total", "counter"),
        ("neighd_host_conflicts_total", "counter"),
        ("neighd_routes_advertised_total", "counter"),
        ("neighd_routes_withdrawn_total", "counter"),
        ("neighd_routes_advertised", "gauge"),
        ("neighd_routes_learned", "gauge"),
        ("neighd_fib_routes", "gauge"),
        ("neighd_fib_errors_total", "counter"),
        ("neighd_netlink_resyncs_total", "counter"),
        ("neighd_neigh_events_total", "counter"),
        ("neighd_peer_up", "gauge"),
        ("neighd_peer_state", "gauge"),
        ("neighd_neigh_to_route_seconds", "histogram"),
    ]);
    assert_eq!(kinds, expected);
    assert!(families
        .iter()
        .all(|f| f.help.as_deref().is_some_and(|h| !h.is_empty())));
    assert_eq!(
        value(
            &families,
            "neighd_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        Some(1.0)
    );
    for state in ["probing", "alive", "dead", "held_down", "link_down"] {
        assert_eq!(
            value(&families, "neighd_hosts", &[("state", state)]),
            Some(0.0),
            "{state}"
        );
    }
    assert_eq!(value(&families, "neighd_probes_sent_total", &[]), Some(0.0));
    assert_eq!(
        value(&families, "neighd_neigh_to_route_seconds_count", &[]),
        Some(0.0)
    );
}

#[test]
fn what_was_recorded_is_what_is_exposed() {
    let metrics = Metrics::new();
    metrics.probes_sent(10);
    metrics.probes_sent(5);
    metrics.probes_answered(12);
    metrics.probes_missed(3);
    metrics.host_conflict();
    metrics.host_conflict();
    metrics.routes_advertised(7);
    metrics.routes_withdrawn(2);
    metrics.advertised_routes_now(5);
    metrics.learned_routes_now(40);
    metrics.fib_routes_now(38);
    metrics.fib_error();
    metrics.netlink_resync();
    metrics.neigh_events(99);
    metrics.host_states(&[(HostState::Alive, 5), (HostState::Dead, 1)]);
    metrics.host_states(&[(HostState::Alive, 4), (HostState::Probing, 2)]);

    let families = parsed(&metrics);
    let get = |name: &str| value(&families, name, &[]);
    assert_eq!(get("neighd_probes_sent_total"), Some(15.0));
    assert_eq!(get("neighd_probes_answered_total"), Some(12.0));
    assert_eq!(get("neighd_probes_missed_total"), Some(3.0));
    assert_eq!(get("neighd_host_conflicts_total"), Some(2.0));
    assert_eq!(get("neighd_routes_advertised_total"), Some(7.0));
    assert_eq!(get("neighd_routes_withdrawn_total"), Some(2.0));
    assert_eq!(get("neighd_routes_advertised"), Some(5.0));
    assert_eq!(get("neighd_routes_learned"), Some(40.0));
    assert_eq!(get("neighd_fib_routes"), Some(38.0));
    assert_eq!(get("neighd_fib_errors_total"), Some(1.0));
    assert_eq!(get("neighd_netlink_resyncs_total"), Some(1.0));
    assert_eq!(get("neighd_neigh_events_total"), Some(99.0));
    let hosts = |state: &str| value(&families, "neighd_hosts", &[("state", state)]);
    assert_eq!(hosts("alive"), Some(4.0));
    assert_eq!(hosts("probing"), Some(2.0));
    assert_eq!(
        hosts("dead"),
        Some(0.0),
        "the latest counts replace the earlier ones"
    );
}

#[test]
fn peers_show_up_and_one_state_each_until_removed() {
    let metrics = Metrics::new();
    metrics.peer_state("swp51", State::OpenSent);
    metrics.peer_state("swp51", State::Established);
    metrics.peer_state("192.168.2.1", State::Active);

    let families = parsed(&metrics);
    assert_eq!(
        value(&families, "neighd_peer_up", &[("peer", "swp51")]),
        Some(1.0)
    );
    assert_eq!(
        value(&families, "neighd_peer_up", &[("peer", "192.168.2.1")]),
        Some(0.0)
    );
    let state = |peer: &str, state: &str| {
        value(
            &families,
            "neighd_peer_state",
            &[("peer", peer), ("state", state)],
        )
    };
    assert_eq!(state("swp51", "Established"), Some(1.0));
    assert_eq!(state("swp51", "OpenSent"), Some(0.0));
    assert_eq!(state("192.168.2.1", "Active"), Some(1.0));
    let family = families
        .iter()
        .find(|f| f.name == "neighd_peer_state")
        .expect("present");
    assert_eq!(family.samples.len(), 12, "six states per peer");
    assert_eq!(
        family.samples.iter().filter(|s| s.value == 1.0).count(),
        2,
        "one current state per peer"
    );

    metrics.peer_removed("192.168.2.1");
    let families = parsed(&metrics);
    assert_eq!(
        value(&families, "neighd_peer_up", &[("peer", "192.168.2.1")]),
        None
    );
    assert_eq!(
        value(&families, "neighd_peer_up", &[("peer", "swp51")]),
        Some(1.0)
    );
}

#[test]
fn peer_names_that_need_escaping_come_back_intact() {
    let metrics = Metrics::new();
    let awkward = "odd \"peer\" \\ with\nnewline";
    metrics.peer_state(awkward, State::Idle);
    let families = parsed(&metrics);
    assert_eq!(
        value(&families, "neighd_peer_up", &[("peer", awkward)]),
        Some(0.0)
    );
}

#[test]
fn the_neigh_to_route_histogram_counts_each_observation_once() {
    let metrics = Metrics::new();
    for micros in [50, 100, 300, 2_000, 40_000, 700_000, 9_000_000] {
        metrics.observe_neigh_to_route(Duration::from_micros(micros));
    }
    let families = parsed(&metrics);
    let bucket = |le: &str| {
        value(
            &families,
            "neighd_neigh_to_route_seconds_bucket",
            &[("le", le)],
        )
    };
    assert_eq!(bucket("0.0001"), Some(2.0));
    assert_eq!(bucket("0.0005"), Some(3.0));
    assert_eq!(bucket("0.0025"), Some(4.0));
    assert_eq!(bucket("0.05"), Some(5.0));
    assert_eq!(bucket("1"), Some(6.0));
    assert_eq!(bucket("5"), Some(6.0));
    assert_eq!(bucket("+Inf"), Some(7.0));
    assert_eq!(
        value(&families, "neighd_neigh_to_route_seconds_count", &[]),
        Some(7.0)
    );
    let sum = value(&families, "neighd_neigh_to_route_seconds_sum", &[]).expect("a sum");
    assert!((sum - 9.74245).abs() < 1e-9, "sum {sum}");
}

#[test]
fn recording_from_many_threads_loses_nothing() {
    let metrics = Arc::new(Metrics::new());
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let metrics = Arc::clone(&metrics);
            std::thread::spawn(move || {
                for _ in 0..10_000 {
                    metrics.probes_sent(1);
                    metrics.observe_neigh_to_route(Duration::from_millis(1));
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("no panic");
    }
    let families = parsed(&metrics);
    assert_eq!(
        value(&families, "neighd_probes_sent_total", &[]),
        Some(80_000.0)
    );
    assert_eq!(
        value(&families, "neighd_neigh_to_route_seconds_count", &[]),
        Some(80_000.0)
    );
}

/// The checker must be able to fail, or the tests above prove nothing.
#[test]
fn the_checker_rejects_what_prometheus_would() {
    let bad = [
        ("no_newline 1", "newline"),
        ("m{a=\"x} 1\n", "unterminated"),
        ("m{a=\"\\t\"} 1\n", "bad escape"),
        ("m 1\nm 1\n", "duplicate"),
        ("m one\n", "bad value"),
        ("1m 1\n", "bad metric name"),
        ("m{1a=\"x\"} 1\n", "bad label name"),
        ("a 1\nb 1\na{x=\"y\"} 1\n", "split"),
        ("m 1\n# TYPE m gauge\n", "after"),
        ("# TYPE c counter\nc -1\n", "negative"),
        ("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "not increasing"),
        ("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 2\n", "+Inf"),
    ];
    for (text, reason) in bad {
        match parse_exposition(text) {
            Ok(_) => panic!("accepted {text:?}"),
            Err(e) => assert!(e.contains(reason), "{text:?}: {e}"),
        }
    }
    let good = "# HELP h A histogram.\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3.5\nh_count 2\n";
    assert!(parse_exposition(good).is_ok());
}
