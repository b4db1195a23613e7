//! The stdin line protocol: one command per line, exactly one JSON line
//! of reply on stdout. Every reply has `"ok"`; a failure has `"error"`.
//!
//! ```text
//! announce PREFIX [COUNT] [community=A:B …] [med=N]   → {"ok":true,"announced":N}
//! withdraw PREFIX [COUNT]                             → {"ok":true,"withdrawn":N}
//! peers                                               → {"ok":true,"peers":[…]}
//! routes                                              → {"ok":true,"routes":[…]}
//! routes-count                                        → {"ok":true,"total":N,"learned":N,"ecmp":N}
//! fib                                                 → {"ok":true,"fib":{"PREFIX":[{"address":…,"peer":…}]}}
//! wait-learned N TIMEOUT_MS                           → {"ok":true,"learned":N}
//! shutdown [message]                                  → {"ok":true}, then the process exits
//! ```
//!
//! With COUNT, `announce`/`withdraw` mean COUNT consecutive host routes
//! (/32 or /128) from PREFIX's address on; without, PREFIX itself.

use std::net::IpAddr;
use std::time::Duration;

use bgp::speaker::{RouteAttributes, Speaker};
use bgp::wire::{Community, Prefix};
use serde_json::{json, Value};

use crate::fib::Fib;

/// What a command asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Originate routes.
    Announce(Vec<Prefix>, RouteAttributes),
    /// Withdraw routes of ours.
    Withdraw(Vec<Prefix>),
    /// Peer snapshot.
    Peers,
    /// Loc-RIB snapshot.
    Routes,
    /// Loc-RIB counts.
    RoutesCount,
    /// The FIB built from the route event stream.
    Fib,
    /// Wait for this many learned prefixes, at most this long.
    WaitLearned(usize, Duration),
    /// Stop with an optional shutdown communication.
    Shutdown(Option<String>),
    /// Graceful restart: every route is back, send End-of-RIB.
    InitialRoutesDone,
}

/// Parses one line.
pub fn parse(line: &str) -> Result<Command, String> {
    let mut words = line.split_whitespace();
    let verb = words.next().ok_or("empty command")?;
    let rest: Vec<&str> = words.collect();
    let number = |w: Option<&&str>, what: &str| -> Result<u64, String> {
        let w = w.ok_or_else(|| format!("{verb}: {what} missing"))?;
        w.parse()
            .map_err(|_| format!("{verb}: {what} {w:?} is not a number"))
    };
    let no_more = |n: usize| {
        if rest.len() > n {
            Err(format!("{verb}: unexpected {:?}", rest[n]))
        } else {
            Ok(())
        }
    };
    match verb {
        "announce" | "withdraw" => {
            let first: Prefix = rest
                .first()
                .ok_or_else(|| format!("{verb}: PREFIX missing"))?
                .parse()
                .map_err(|e| format!("{verb}: {e}"))?;
            let mut i = 1;
            let count = match rest.get(1).filter(|w| !w.contains('=')) {
                Some(_) => {
                    i = 2;
                    Some(number(rest.get(1), "COUNT")?)
                }
                None => None,
            };
            let prefixes = expand(first, count)?;
            if verb == "withdraw" {
                no_more(i)?;
                return Ok(Command::Withdraw(prefixes));
            }
            let mut attrs = RouteAttributes::default();
            for w in &rest[i..] {
                match w.split_once('=') {
                    Some(("community", c)) => attrs
                        .communities
                        .push(c.parse::<Community>().map_err(|e| e.to_string())?),
                    Some(("med", m)) => {
                        attrs.med =
                            Some(m.parse().map_err(|_| format!("med {m:?} is not a number"))?)
                    }
                    _ => return Err(format!("announce: unknown attribute {w:?}")),
                }
            }
            Ok(Command::Announce(prefixes, attrs))
        }
        "peers" => no_more(0).map(|()| Command::Peers),
        "routes" => no_more(0).map(|()| Command::Routes),
        "routes-count" => no_more(0).map(|()| Command::RoutesCount),
        "fib" => no_more(0).map(|()| Command::Fib),
        "wait-learned" => {
            no_more(2)?;
            Ok(Command::WaitLearned(
                number(rest.first(), "N")? as usize,
                Duration::from_millis(number(rest.get(1), "TIMEOUT_MS")?),
            ))
        }
        "initial-routes-done" => no_more(0).map(|()| Command::InitialRoutesDone),
        "shutdown" => Ok(Command::Shutdown(
            (!rest.is_empty()).then(|| rest.join(" ")),
        )),
        other => Err(format!(
            "unknown command {other:?} (announce, withdraw, peers, routes, routes-count, fib, wait-learned, initial-routes-done, shutdown)"
        )),
    }
}

/// `count` consecutive host prefixes from `first`'s address, or `first`.
fn expand(first: Prefix, count: Option<u64>) -> Result<Vec<Prefix>, String> {
    let Some(count) = count else {
        return Ok(vec![first]);
    };
    let overflow = || format!("{count} host routes from {} overflow", first.addr());
    match first.addr() {
        IpAddr::V4(a) => {
            let start = u32::from(a);
            if count > 0 && u64::from(start) + count - 1 > u64::from(u32::MAX) {
                return Err(overflow());
            }
            Ok((0..count as u32)
                .map(|i| Prefix::host(IpAddr::V4((start + i).into())))
                .collect())
        }
        IpAddr::V6(a) => {
            let start = u128::from(a);
            if count > 0 && start.checked_add(u128::from(count) - 1).is_none() {
                return Err(overflow());
            }
            Ok((0..u128::from(count))
                .map(|i| Prefix::host(IpAddr::V6((start + i).into())))
                .collect())
        }
    }
}

/// Runs a command other than `shutdown`; its reply.
pub async fn run(speaker: &Speaker, fib: &Fib, cmd: Command) -> Result<Value, String> {
    let stopped = |e: bgp::speaker::Stopped| e.to_string();
    match cmd {
        Command::Announce(prefixes, attrs) => {
            let n = prefixes.len();
            speaker
                .announce_many(prefixes.into_iter().map(|p| (p, attrs.clone())).collect())
                .map_err(stopped)?;
            Ok(json!({"ok": true, "announced": n}))
        }
        Command::InitialRoutesDone => {
            speaker.initial_routes_done().map_err(stopped)?;
            Ok(json!({"ok": true}))
        }
        Command::Withdraw(prefixes) => {
            let n = prefixes.len();
            speaker.withdraw_many(prefixes).map_err(stopped)?;
            Ok(json!({"ok": true, "withdrawn": n}))
        }
        Command::Peers => {
            let peers: Vec<Value> = speaker
                .peers()
                .await
                .map_err(stopped)?
                .into_iter()
                .map(|p| {
                    json!({
                        "name": p.name,
                        "address": p.address.to_string(),
                        "state": p.state.to_string(),
                        "remote_as": p.remote_as,
                        "uptime_secs": p.uptime.map(|u| u.as_secs_f64()),
                        "prefixes_received": p.prefixes_received,
                        "prefixes_sent": p.prefixes_sent,
                        "last_error": p.last_error,
                        "hostname": p.hostname,
                        "refresh_requests_received": p.refresh_requests_received,
                    })
                })
                .collect();
            Ok(json!({"ok": true, "peers": peers}))
        }
        Command::Routes => {
            let routes: Vec<Value> = speaker
                .routes()
                .await
                .map_err(stopped)?
                .into_iter()
                .map(|r| {
                    let paths: Vec<Value> = r
                        .paths
                        .into_iter()
                        .map(|p| {
                            json!({
                                "from": p.from,
                                "next_hop": p.next_hop,
                                "as_path": p.as_path,
                                "best": p.best,
                                "multipath": p.multipath,
                                "stale": p.stale,
                            })
                        })
                        .collect();
                    json!({"prefix": r.prefix.to_string(), "paths": paths})
                })
                .collect();
            Ok(json!({"ok": true, "routes": routes}))
        }
        Command::RoutesCount => {
            let routes = speaker.routes().await.map_err(stopped)?;
            let learned = routes
                .iter()
                .filter(|r| r.paths.iter().any(|p| p.from != "local"))
                .count();
            let ecmp = routes
                .iter()
                .filter(|r| r.paths.iter().filter(|p| p.multipath).count() >= 2)
                .count();
            Ok(json!({"ok": true, "total": routes.len(), "learned": learned, "ecmp": ecmp}))
        }
        Command::Fib => {
            let fib: serde_json::Map<String, Value> = fib
                .snapshot()
                .into_iter()
                .map(|(prefix, hops)| {
                    let hops: Vec<Value> = hops
                        .into_iter()
                        .map(|h| {
                            json!({
                                "address": h.address.to_string(),
                                "interface": h.interface.as_deref(),
                                "peer": &*h.peer,
                            })
                        })
                        .collect();
                    (prefix.to_string(), Value::Array(hops))
                })
                .collect();
            Ok(json!({"ok": true, "fib": fib}))
        }
        Command::WaitLearned(n, timeout) => match fib.wait_len(n, timeout).await {
            Ok(c) => Ok(json!({"ok": true, "learned": c})),
            Err(c) => Err(format!(
                "timed out after {} ms with {c} of {n} learned prefixes",
                timeout.as_millis()
            )),
        },
        Command::Shutdown(_) => Err("shutdown is handled by the caller".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announce_many_hosts_with_attributes() {
        let Command::Announce(p, a) =
            parse("announce 10.0.0.255/32 3 community=65000:1 med=5").unwrap()
        else {
            panic!("not an announce")
        };
        let p: Vec<String> = p.iter().map(ToString::to_string).collect();
        assert_eq!(p, ["10.0.0.255/32", "10.0.1.0/32", "10.0.1.1/32"]);
        assert_eq!(a.communities, [Community::new(65000, 1)]);
        assert_eq!(a.med, Some(5));
    }

    #[test]
    fn one_prefix_and_ipv6_hosts() {
        assert_eq!(
            parse("withdraw 10.1.0.0/24").unwrap(),
            Command::Withdraw(vec!["10.1.0.0/24".parse().unwrap()])
        );
        let Command::Withdraw(p) = parse("withdraw fd00::ffff/128 2").unwrap() else {
            panic!()
        };
        assert_eq!(p[1].to_string(), "fd00::1:0/128");
    }

    #[test]
    fn bad_commands_are_errors() {
        for bad in [
            "",
            "fly",
            "announce",
            "announce 10.0.0.0/33",
            "announce 10.0.0.1/32 x",
            "announce 255.255.255.255/32 2",
            "announce 10.0.0.1/32 1 colour=red",
            "withdraw 10.0.0.1/32 1 med=3",
            "wait-learned 5",
            "peers now",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
        assert_eq!(
            parse("shutdown going away").unwrap(),
            Command::Shutdown(Some("going away".into()))
        );
    }
}
