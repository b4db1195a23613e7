//! Answers to the control socket: hosts from the host table, peers and
//! learned routes from the speaker, installed routes from the FIB worker.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use bgp::speaker::{PeerStatus, RouteStatus};
use bgp::wire::Prefix;
use tokio::sync::oneshot;

use super::agent::Agent;
use super::fib_task::FibCommand;
use crate::status::{PeerView, Request, Response, RouteOrigin, RouteView};

/// Answers `request`; hosts at once, the rest from a task so the agent's
/// loop never waits on the speaker.
pub(crate) fn answer(agent: &Agent, request: Request, reply: oneshot::Sender<Response>) {
    match request {
        Request::Hosts => {
            let _ = reply.send(Response::Hosts(agent.table.views(Instant::now())));
        }
        Request::Peers => {
            let speaker = agent.speaker.clone();
            let descriptions: HashMap<String, String> = agent
                .cfg
                .bgp
                .neighbors
                .iter()
                .filter_map(|n| n.description.clone().map(|d| (n.name(), d)))
                .collect();
            tokio::spawn(async move {
                let response = match speaker.peers().await {
                    Ok(peers) => Response::Peers(
                        peers
                            .into_iter()
                            .map(|p| peer_view(p, &descriptions))
                            .collect(),
                    ),
                    Err(_) => Response::Error("the BGP speaker has stopped".into()),
                };
                let _ = reply.send(response);
            });
        }
        Request::Routes => {
            let hosts: HashSet<Prefix> = agent
                .table
                .advertised()
                .map(|(ip, _)| Prefix::host(ip))
                .collect();
            let announced: HashSet<Prefix> = agent.announced.keys().copied().collect();
            let speaker = agent.speaker.clone();
            let fib = agent.fib.clone();
            tokio::spawn(async move {
                let (tx, rx) = oneshot::channel();
                let installed = match fib.send(FibCommand::Installed(tx)) {
                    Ok(()) => rx.await.unwrap_or_default(),
                    Err(_) => HashSet::new(),
                };
                let response = match speaker.routes().await {
                    Ok(routes) => {
                        Response::Routes(route_views(routes, &hosts, &announced, &installed))
                    }
                    Err(_) => Response::Error("the BGP speaker has stopped".into()),
                };
                let _ = reply.send(response);
            });
        }
    }
}

fn peer_view(p: PeerStatus, descriptions: &HashMap<String, String>) -> PeerView {
    PeerView {
        description: descriptions.get(&p.name).cloned(),
        address: p.address.to_string(),
        remote_as: p.remote_as,
        state: format!("{:?}", p.state),
        uptime_secs: p.uptime.map(|d| d.as_secs()),
        prefixes_received: p.prefixes_received,
        prefixes_sent: p.prefixes_sent,
        hostname: p.hostname,
        last_error: p.last_error,
        name: p.name,
    }
}

/// Our routes (host routes and announcements) and the learned ones, sorted
/// by prefix.
fn route_views(
    routes: Vec<RouteStatus>,
    hosts: &HashSet<Prefix>,
    announced: &HashSet<Prefix>,
    installed: &HashSet<Prefix>,
) -> Vec<RouteView> {
    let mut views = Vec::with_capacity(routes.len());
    for route in routes {
        let ours = route.paths.iter().any(|p| p.from == "local");
        if ours {
            let origin = if hosts.contains(&route.prefix) {
                RouteOrigin::Host
            } else if announced.contains(&route.prefix) {
                RouteOrigin::Announce
            } else {
                continue;
            };
            views.push(RouteView {
                prefix: route.prefix.to_string(),
                origin,
                next_hops: Vec::new(),
                peers: Vec::new(),
                as_path: String::new(),
                installed: false,
            });
        }
        let learned: Vec<_> = route
            .paths
            .iter()
            .filter(|p| p.from != "local" && (p.best || p.multipath))
            .collect();
        if let Some(best) = learned.first() {
            views.push(RouteView {
                prefix: route.prefix.to_string(),
                origin: RouteOrigin::Learned,
                next_hops: learned.iter().map(|p| p.next_hop.clone()).collect(),
                peers: learned.iter().map(|p| p.from.clone()).collect(),
                as_path: best.as_path.clone(),
                installed: installed.contains(&route.prefix),
            });
        }
    }
    views.sort_by(|a, b| {
        let key = |v: &RouteView| v.prefix.parse::<Prefix>().ok();
        key(a)
            .cmp(&key(b))
            .then((a.origin as u8).cmp(&(b.origin as u8)))
    });
    views
}
