//! neighctl's human output: the tables of hosts, peers and routes, in the
//! style of `ip neigh` and vtysh's `show ip bgp summary`, each followed by
//! a one-line summary.

use std::cmp::Ordering;
use std::net::IpAddr;

use ipnetwork::IpNetwork;

use super::table::{Align, Table};
use crate::status::{HostState, HostView, PeerView, RouteOrigin, RouteView};

/// The table of hosts, sorted by address.
pub fn hosts_table(hosts: &[HostView]) -> String {
    if hosts.is_empty() {
        return "No hosts.\n".to_string();
    }
    let mut sorted: Vec<&HostView> = hosts.iter().collect();
    sorted.sort_by(|a, b| compare_addresses(&a.ip, &b.ip));
    let mut table = Table::new(&[
        ("IP", Align::Left),
        ("MAC", Align::Left),
        ("Interface", Align::Left),
        ("State", Align::Left),
        ("Advertised", Align::Left),
        ("Last answer", Align::Left),
        ("Misses", Align::Right),
        ("Conflicts", Align::Left),
    ]);
    for host in sorted {
        table.row(vec![
            host.ip.clone(),
            host.mac.clone(),
            host.interface.clone(),
            host.state.as_str().to_string(),
            yes_no(host.advertised).to_string(),
            age(host.last_answer_ms),
            host.misses.to_string(),
            conflicts(host),
        ]);
    }
    let mut out = table.render();
    out.push('\n');
    out.push_str(&hosts_summary(hosts));
    out
}

/// The table of BGP peers, in the daemon's (configuration) order.
pub fn peers_table(peers: &[PeerView]) -> String {
    if peers.is_empty() {
        return "No BGP peers.\n".to_string();
    }
    let mut table = Table::new(&[
        ("Peer", Align::Left),
        ("Address", Align::Left),
        ("AS", Align::Right),
        ("State", Align::Left),
        ("Up/Down", Align::Right),
        ("PfxRcd", Align::Right),
        ("PfxSnt", Align::Right),
        ("Last error", Align::Left),
    ]);
    for peer in peers {
        // As FRR does: the peer's own host name, with our name for it.
        let name = match &peer.hostname {
            Some(hostname) if !hostname.is_empty() => format!("{hostname}({})", peer.name),
            _ => peer.name.clone(),
        };
        table.row(vec![
            name,
            dash_if_empty(&peer.address),
            dash_if_empty(&peer.remote_as),
            peer.state.clone(),
            up_down(peer.uptime_secs),
            peer.prefixes_received.to_string(),
            peer.prefixes_sent.to_string(),
            peer.last_error
                .as_deref()
                .map_or_else(|| "-".to_string(), dash_if_empty),
        ]);
    }
    let established = peers.iter().filter(|p| p.state == "Established").count();
    let mut out = table.render();
    out.push('\n');
    out.push_str(&format!(
        "{}, {established} established\n",
        plural(peers.len(), "peer")
    ));
    out
}

/// The table of routes, sorted by prefix; an ECMP route takes one line per
/// next hop.
pub fn routes_table(routes: &[RouteView]) -> String {
    if routes.is_empty() {
        return "No routes.\n".to_string();
    }
    let mut sorted: Vec<&RouteView> = routes.iter().collect();
    sorted.sort_by(|a, b| compare_prefixes(&a.prefix, &b.prefix));
    let mut table = Table::new(&[
        ("Prefix", Align::Left),
        ("Origin", Align::Left),
        ("Next hop", Align::Left),
        ("Peer", Align::Left),
        ("AS path", Align::Left),
        ("Installed", Align::Left),
    ]);
    for route in sorted {
        let learned = route.origin == RouteOrigin::Learned;
        let installed = if learned {
            yes_no(route.installed)
        } else {
            "-"
        };
        let first_hop = route
            .next_hops
            .first()
            .map_or_else(|| "-".to_string(), Clone::clone);
        let first_peer = route
            .peers
            .first()
            .map_or_else(|| "-".to_string(), Clone::clone);
        table.row(vec![
            route.prefix.clone(),
            origin(route.origin).to_string(),
            first_hop,
            first_peer,
            dash_if_empty(&route.as_path),
            installed.to_string(),
        ]);
        for (i, hop) in route.next_hops.iter().enumerate().skip(1) {
            let peer = route.peers.get(i).cloned().unwrap_or_default();
            table.row(vec![String::new(), String::new(), hop.clone(), peer]);
        }
    }
    let mut out = table.render();
    out.push('\n');
    out.push_str(&routes_summary(routes));
    out
}

/// How long ago something happened, from milliseconds: `0.4s ago`,
/// `42s ago`, `3m12s ago`, `2h03m ago`, `3d04h ago`; `never` for `None`.
pub fn age(ms: Option<u64>) -> String {
    let Some(ms) = ms else {
        return "never".to_string();
    };
    let secs = ms / 1000;
    if ms < 10_000 {
        format!("{}.{}s ago", secs, (ms % 1000) / 100)
    } else if secs < 60 {
        format!("{secs}s ago")
    } else if secs < 3600 {
        format!("{}m{:02}s ago", secs / 60, secs % 60)
    } else if secs < 86_400 {
        format!("{}h{:02}m ago", secs / 3600, (secs % 3600) / 60)
    } else {
        format!("{}d{:02}h ago", secs / 86_400, (secs % 86_400) / 3600)
    }
}

/// A session's up (or down) time as FRR prints it: `00:01:02` under a
/// day, `3d04h05m` under a week, `02w3d04h` beyond; `never` for `None`.
pub fn up_down(secs: Option<u64>) -> String {
    let Some(secs) = secs else {
        return "never".to_string();
    };
    const DAY: u64 = 86_400;
    const WEEK: u64 = 7 * DAY;
    if secs < DAY {
        format!(
            "{:02}:{:02}:{:02}",
            secs / 3600,
            (secs % 3600) / 60,
            secs % 60
        )
    } else if secs < WEEK {
        format!(
            "{}d{:02}h{:02}m",
            secs / DAY,
            (secs % DAY) / 3600,
            (secs % 3600) / 60
        )
    } else {
        format!(
            "{:02}w{}d{:02}h",
            secs / WEEK,
            (secs % WEEK) / DAY,
            (secs % DAY) / 3600
        )
    }
}

fn conflicts(host: &HostView) -> String {
    match (&host.conflict_mac, host.conflicts) {
        (_, 0) => "0".to_string(),
        (Some(mac), n) => format!("{n} (last {mac})"),
        (None, n) => n.to_string(),
    }
}

fn hosts_summary(hosts: &[HostView]) -> String {
    const ORDER: [HostState; 5] = [
        HostState::Alive,
        HostState::Probing,
        HostState::Dead,
        HostState::HeldDown,
        HostState::LinkDown,
    ];
    let by_state: Vec<String> = ORDER
        .iter()
        .map(|&state| (state, hosts.iter().filter(|h| h.state == state).count()))
        .filter(|&(_, n)| n > 0)
        .map(|(state, n)| format!("{n} {}", state.as_str()))
        .collect();
    let advertised = hosts.iter().filter(|h| h.advertised).count();
    format!(
        "{}: {}; {advertised} advertised\n",
        plural(hosts.len(), "host"),
        by_state.join(", ")
    )
}

fn routes_summary(routes: &[RouteView]) -> String {
    let count = |origin| routes.iter().filter(|r| r.origin == origin).count();
    let (host, announce, learned) = (
        count(RouteOrigin::Host),
        count(RouteOrigin::Announce),
        count(RouteOrigin::Learned),
    );
    let installed = routes
        .iter()
        .filter(|r| r.origin == RouteOrigin::Learned && r.installed)
        .count();
    format!(
        "{}: {} advertised ({host} host, {announce} announce), {learned} learned ({installed} installed)\n",
        plural(routes.len(), "route"),
        host + announce,
    )
}

fn origin(origin: RouteOrigin) -> &'static str {
    match origin {
        RouteOrigin::Host => "host",
        RouteOrigin::Announce => "announce",
        RouteOrigin::Learned => "learned",
    }
}

fn yes_no(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}

fn dash_if_empty(text: &str) -> String {
    if text.is_empty() {
        "-".to_string()
    } else {
        text.to_string()
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// IPv4 before IPv6, numerically; text that is not an address after both.
fn compare_addresses(a: &str, b: &str) -> Ordering {
    match (a.parse::<IpAddr>(), b.parse::<IpAddr>()) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

/// By address, then by length; text that is not a prefix after the rest.
fn compare_prefixes(a: &str, b: &str) -> Ordering {
    let key = |net: IpNetwork| (net.ip(), net.prefix());
    match (a.parse::<IpNetwork>(), b.parse::<IpNetwork>()) {
        (Ok(a), Ok(b)) => key(a).cmp(&key(b)),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(ip: &str, state: HostState, last_answer_ms: Option<u64>) -> HostView {
        HostView {
            ip: ip.to_string(),
            mac: "52:54:00:00:00:0b".to_string(),
            interface: "swp1".to_string(),
            state,
            advertised: state == HostState::Alive,
            last_answer_ms,
            misses: 0,
            conflicts: 0,
            conflict_mac: None,
            penalty: 0,
        }
    }

    fn peer(name: &str, state: &str, uptime_secs: Option<u64>) -> PeerView {
        PeerView {
            name: name.to_string(),
            address: "fe80::1%swp51".to_string(),
            remote_as: "65020".to_string(),
            state: state.to_string(),
            uptime_secs,
            prefixes_received: 12,
            prefixes_sent: 3,
            hostname: None,
            last_error: None,
            description: None,
        }
    }

    #[test]
    fn ages_read_like_a_person_would_say_them() {
        assert_eq!(age(None), "never");
        assert_eq!(age(Some(0)), "0.0s ago");
        assert_eq!(age(Some(420)), "0.4s ago");
        assert_eq!(age(Some(9_999)), "9.9s ago");
        assert_eq!(age(Some(42_000)), "42s ago");
        assert_eq!(age(Some(192_000)), "3m12s ago");
        assert_eq!(age(Some(7_380_000)), "2h03m ago");
        assert_eq!(age(Some(273_600_000)), "3d04h ago");
    }

    #[test]
    fn up_down_times_match_frr() {
        assert_eq!(up_down(None), "never");
        assert_eq!(up_down(Some(62)), "00:01:02");
        assert_eq!(up_down(Some(86_399)), "23:59:59");
        assert_eq!(up_down(Some(86_400 * 3 + 4 * 3600 + 5 * 60)), "3d04h05m");
        assert_eq!(up_down(Some(86_400 * 17 + 4 * 3600)), "02w3d04h");
    }

    #[test]
    fn hosts_are_sorted_by_address_with_conflicts_and_a_summary() {
        let mut conflicted = host("172.16.1.12", HostState::Dead, Some(3_400));
        conflicted.misses = 3;
        conflicted.conflicts = 2;
        conflicted.conflict_mac = Some("52:54:00:00:00:99".to_string());
        let hosts = [
            host("172.16.1.100", HostState::Probing, None),
            conflicted,
            host("172.16.1.11", HostState::Alive, Some(400)),
        ];
        assert_eq!(
            hosts_table(&hosts),
            "\
IP            MAC                Interface  State    Advertised  Last answer  Misses  Conflicts
172.16.1.11   52:54:00:00:00:0b  swp1       alive    yes         0.4s ago          0  0
172.16.1.12   52:54:00:00:00:0b  swp1       dead     no          3.4s ago          3  2 (last 52:54:00:00:00:99)
172.16.1.100  52:54:00:00:00:0b  swp1       probing  no          never             0  0

3 hosts: 1 alive, 1 probing, 1 dead; 1 advertised
"
        );
    }

    #[test]
    fn peers_show_state_uptime_and_last_error() {
        let mut down = peer("192.168.2.1", "Active", None);
        down.address = "192.168.2.1".to_string();
        down.prefixes_received = 0;
        down.last_error = Some("hold timer expired".to_string());
        let mut up = peer("swp51", "Established", Some(62));
        up.hostname = Some("spine01".to_string());
        assert_eq!(
            peers_table(&[up, down]),
            "\
Peer            Address           AS  State         Up/Down  PfxRcd  PfxSnt  Last error
spine01(swp51)  fe80::1%swp51  65020  Established  00:01:02      12       3  -
192.168.2.1     192.168.2.1    65020  Active          never       0       3  hold timer expired

2 peers, 1 established
"
        );
    }

    #[test]
    fn ecmp_routes_take_one_line_per_next_hop() {
        let routes = [
            RouteView {
                prefix: "172.16.1.21/32".to_string(),
                origin: RouteOrigin::Learned,
                next_hops: vec!["fe80::1%swp51".to_string(), "fe80::2%swp52".to_string()],
                peers: vec!["swp51".to_string(), "swp52".to_string()],
                as_path: "65020 65012".to_string(),
                installed: true,
            },
            RouteView {
                prefix: "172.16.1.11/32".to_string(),
                origin: RouteOrigin::Host,
                next_hops: vec![],
                peers: vec![],
                as_path: String::new(),
                installed: false,
            },
            RouteView {
                prefix: "11.11.1.0/24".to_string(),
                origin: RouteOrigin::Announce,
                next_hops: vec![],
                peers: vec![],
                as_path: String::new(),
                installed: false,
            },
        ];
        assert_eq!(
            routes_table(&routes),
            "\
Prefix          Origin    Next hop       Peer   AS path      Installed
11.11.1.0/24    announce  -              -      -            -
172.16.1.11/32  host      -              -      -            -
172.16.1.21/32  learned   fe80::1%swp51  swp51  65020 65012  yes
                          fe80::2%swp52  swp52

3 routes: 2 advertised (1 host, 1 announce), 1 learned (1 installed)
"
        );
    }

    #[test]
    fn empty_lists_say_so() {
        assert_eq!(hosts_table(&[]), "No hosts.\n");
        assert_eq!(peers_table(&[]), "No BGP peers.\n");
        assert_eq!(routes_table(&[]), "No routes.\n");
    }

    #[test]
    fn text_that_is_not_an_address_sorts_last_without_panicking() {
        let hosts = [
            host("garbage", HostState::Alive, None),
            host("fe80::1", HostState::Alive, None),
            host("10.0.0.1", HostState::Alive, None),
        ];
        let table = hosts_table(&hosts);
        let order: Vec<&str> = table
            .lines()
            .skip(1)
            .take(3)
            .map(|l| l.split(' ').next().unwrap_or(""))
            .collect();
        assert_eq!(order, ["10.0.0.1", "fe80::1", "garbage"]);
    }
}
