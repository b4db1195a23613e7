//! The control protocol on arbitrary bytes, from both ends.
//!
//! The daemon's side: a request line (`{"show":"hosts"}`) that parses
//! encodes to one line that parses to the same request.
//!
//! neighctl's side: a response line that parses encodes to one line that
//! parses to the same response. What neighctl prints for it never panics:
//! an error is one line (neighctl promises every error on one line of
//! stderr); a table has a header, one line per row (one per next hop for
//! routes), a blank line and a summary, with no control characters from
//! the daemon's (or a BGP peer's) text; `--json` prints the items as a JSON
//! array that reads back as the same items.
#![no_main]

use libfuzzer_sys::fuzz_target;
use neighd::control::cli::render;
use neighd::status::{Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

const REQUESTS: [Request; 3] = [Request::Hosts, Request::Peers, Request::Routes];

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = serde_json::from_slice::<Request>(data.trim_ascii()) {
        round_trip(&request);
    }
    if let Ok(response) = serde_json::from_slice::<Response>(data) {
        round_trip(&response);
        for request in &REQUESTS {
            check_render(request, &response);
        }
    }
});

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) {
    let line = serde_json::to_string(value).expect("control messages encode");
    assert!(!line.contains('\n'), "not one line: {line:?}");
    let again: T = serde_json::from_str(&line).expect("our own encoding decodes");
    assert_eq!(&again, value);
}

fn check_render(request: &Request, response: &Response) {
    let table = render(request, response, false);
    let json = render(request, response, true);
    let rows = match (request, response) {
        (Request::Hosts, Response::Hosts(hosts)) => {
            assert_json(&json, hosts);
            hosts.len()
        }
        (Request::Peers, Response::Peers(peers)) => {
            assert_json(&json, peers);
            peers.len()
        }
        (Request::Routes, Response::Routes(routes)) => {
            assert_json(&json, routes);
            routes.iter().map(|r| r.next_hops.len().max(1)).sum()
        }
        _ => {
            for reason in [table, json] {
                let reason = reason.expect_err("a mismatched or error answer is an error");
                assert!(
                    !reason.contains(|c: char| c.is_control()),
                    "neighctl's error is not one clean line: {reason:?}"
                );
            }
            return;
        }
    };
    let table = table.expect("a matching answer renders");
    let lines: Vec<&str> = table.lines().collect();
    assert!(table.ends_with('\n'));
    if rows == 0 {
        assert_eq!(lines.len(), 1, "{table:?}");
    } else {
        assert_eq!(
            lines.len(),
            rows + 3,
            "header, rows, blank, summary: {table:?}"
        );
    }
    for line in lines {
        assert!(
            !line.contains(|c: char| c.is_control()),
            "a control character in neighctl's table: {line:?}"
        );
    }
}

fn assert_json<T: DeserializeOwned + PartialEq + std::fmt::Debug>(
    json: &Result<String, String>,
    items: &[T],
) {
    let text = json.as_ref().expect("a matching answer renders as JSON");
    let again: Vec<T> = serde_json::from_str(text).expect("neighctl --json prints JSON");
    assert_eq!(again, items);
}
