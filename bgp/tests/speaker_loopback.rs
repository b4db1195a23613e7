//! Two speakers over real TCP on loopback: session establishment, routes
//! both ways with next hop self, withdrawal, route refresh, ECMP-free
//! snapshots, and a shutdown communication seen by the other side. (The
//! interop tests against FRR, BIRD and GoBGP are in the `integration`
//! crate.)

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use bgp::fsm::{RemoteAs, State};
use bgp::speaker::{self, Events, PeerConfig, RouteAttributes, Speaker, SpeakerConfig};
use bgp::wire::{Community, Ipv4Prefix, Prefix};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// A speaker on `me`:`port` that peers with `them`:`port`.
async fn speaker(asn: u32, me: &str, them: &str, their_as: u32, port: u16) -> (Speaker, Events) {
    let mut cfg = SpeakerConfig::new(asn, me.parse().unwrap());
    cfg.listen = Some(SocketAddr::new(ip(me), port));
    cfg.hostname = Some(format!("as{asn}"));
    let mut peer = PeerConfig::new(ip(them), RemoteAs::Number(their_as));
    peer.port = port;
    peer.local_address = Some(ip(me));
    peer.connect_retry = Duration::from_secs(1);
    cfg.peers.push(peer);
    speaker::start(cfg).await.expect("speaker starts")
}

async fn wait_for<T>(what: &str, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..300 {
        if let Some(v) = f().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

fn hosts(n: u32) -> Vec<Prefix> {
    (0..n)
        .map(|i| Prefix::V4(Ipv4Prefix::host(Ipv4Addr::from(0xac10_0000 + i))))
        .collect()
}

#[tokio::test]
async fn two_speakers_exchange_routes() {
    let (a, mut a_events) = speaker(65011, "127.0.0.11", "127.0.0.21", 65020, 17901).await;
    let (b, _b_events) = speaker(65020, "127.0.0.21", "127.0.0.11", 65011, 17901).await;

    wait_for("established", async || {
        let peers = a.peers().await.ok()?;
        (peers[0].state == State::Established).then_some(())
    })
    .await;
    let status = &b.peers().await.unwrap()[0];
    assert_eq!(status.state, State::Established);
    assert_eq!(status.remote_as, "65011");
    assert_eq!(status.hostname.as_deref(), Some("as65011"));

    let attrs = RouteAttributes {
        communities: vec![Community::new(65000, 100)],
        ..Default::default()
    };
    a.announce_many(
        hosts(1000)
            .into_iter()
            .map(|p| (p, attrs.clone()))
            .collect(),
    )
    .unwrap();
    b.announce("10.20.0.0/24".parse().unwrap(), RouteAttributes::default())
        .unwrap();

    let routes = wait_for("1000 routes on b", async || {
        let r = b.routes().await.ok()?;
        (r.iter()
            .filter(|r| r.paths.iter().any(|p| p.from != "local"))
            .count()
            == 1000)
            .then_some(r)
    })
    .await;
    let learned = routes
        .iter()
        .find(|r| r.prefix.to_string() == "172.16.0.5/32")
        .unwrap();
    assert_eq!(learned.paths.len(), 1);
    let path = &learned.paths[0];
    assert_eq!(
        (
            path.from.as_str(),
            path.next_hop.as_str(),
            path.as_path.as_str()
        ),
        ("127.0.0.11", "127.0.0.11", "65011")
    );
    assert!(path.best && path.multipath);
    assert_eq!(b.peers().await.unwrap()[0].prefixes_received, 1000);
    assert_eq!(a.peers().await.unwrap()[0].prefixes_sent, 1000);

    // a learns b's route, and its FIB stream says so.
    let ev = wait_for("route event on a", async || a_events.routes.try_recv().ok()).await;
    assert_eq!(ev.prefix.to_string(), "10.20.0.0/24");
    assert_eq!(ev.next_hops.len(), 1);
    assert_eq!(ev.next_hops[0].address, ip("127.0.0.21"));

    a.withdraw_many(hosts(1000)[..400].to_vec()).unwrap();
    wait_for("600 routes left on b", async || {
        let r = b.routes().await.ok()?;
        (r.iter()
            .filter(|r| r.paths.iter().any(|p| p.from != "local"))
            .count()
            == 600)
            .then_some(())
    })
    .await;

    a.shutdown(Some("maintenance window 42".into()))
        .await
        .unwrap();
    let why = wait_for("b sees the shutdown", async || {
        let p = b.peers().await.ok()?.remove(0);
        (p.state != State::Established).then_some(p.last_error)
    })
    .await;
    assert_eq!(
        why.as_deref(),
        Some("received NOTIFICATION Cease/Administrative Shutdown \"maintenance window 42\"")
    );
    let left = b.routes().await.unwrap();
    assert_eq!(left.len(), 1, "only b's own route is left: {left:?}");
    b.shutdown(None).await.unwrap();
}

#[tokio::test]
async fn wrong_remote_as_never_establishes_and_says_why() {
    let (a, _ae) = speaker(65011, "127.0.0.12", "127.0.0.22", 65099, 17902).await;
    let (b, _be) = speaker(65020, "127.0.0.22", "127.0.0.12", 65011, 17902).await;
    let err = wait_for("a refuses b", async || {
        a.peers().await.ok()?.remove(0).last_error
    })
    .await;
    assert_eq!(err, "sent NOTIFICATION OPEN Message Error/Bad Peer AS (2 bytes of data): peer AS 65020 is not the configured remote-as 65099");
    let err = wait_for("b is told", async || {
        b.peers().await.ok()?.remove(0).last_error
    })
    .await;
    assert!(
        err.starts_with("received NOTIFICATION OPEN Message Error/Bad Peer AS"),
        "{err}"
    );
    assert_ne!(a.peers().await.unwrap()[0].state, State::Established);
}

#[tokio::test]
async fn unconfigured_peers_are_refused() {
    let (a, _ae) = speaker(65011, "127.0.0.13", "127.0.0.23", 65020, 17903).await;
    // Someone else connects: refused without an OPEN.
    let mut s = tokio::net::TcpStream::connect("127.0.0.13:17903")
        .await
        .unwrap();
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(
        Duration::from_secs(5),
        tokio::io::AsyncReadExt::read(&mut s, &mut buf),
    )
    .await
    .unwrap()
    .unwrap_or(0);
    assert_eq!(n, 0, "closed without a word");
    a.shutdown(None).await.unwrap();
}

#[tokio::test]
async fn four_octet_asn_and_ibgp() {
    // eBGP from a 4-octet AS: the AS path carries it whole.
    let (a, _ae) = speaker(4_200_000_001, "127.0.0.14", "127.0.0.24", 65020, 17904).await;
    let (b, _be) = speaker(65020, "127.0.0.24", "127.0.0.14", 4_200_000_001, 17904).await;
    a.announce("10.40.0.0/24".parse().unwrap(), RouteAttributes::default())
        .unwrap();
    let path = wait_for("route on b", async || {
        let r = b.routes().await.ok()?;
        r.into_iter().next().map(|r| r.paths[0].clone())
    })
    .await;
    assert_eq!(path.as_path, "4200000001");
    assert_eq!(b.peers().await.unwrap()[0].remote_as, "4200000001");

    // iBGP: no AS prepended; the route is learned with an empty AS path.
    let (c, _ce) = speaker(65030, "127.0.0.15", "127.0.0.25", 65030, 17905).await;
    let (d, _de) = speaker(65030, "127.0.0.25", "127.0.0.15", 65030, 17905).await;
    c.announce(
        "10.50.0.0/24".parse().unwrap(),
        RouteAttributes {
            med: Some(7),
            ..Default::default()
        },
    )
    .unwrap();
    let path = wait_for("route on d", async || {
        let r = d.routes().await.ok()?;
        r.into_iter().next().map(|r| r.paths[0].clone())
    })
    .await;
    assert_eq!(
        (
            path.from.as_str(),
            path.as_path.as_str(),
            path.next_hop.as_str()
        ),
        ("127.0.0.15", "", "127.0.0.15")
    );
    for s in [a, b, c, d] {
        s.shutdown(None).await.unwrap();
    }
}

#[tokio::test]
async fn a_prefix_both_sides_originate_is_reported_contested() {
    let (a, _ae) = speaker(65011, "127.0.0.16", "127.0.0.26", 65014, 17906).await;
    let (b, _be) = speaker(65014, "127.0.0.26", "127.0.0.16", 65011, 17906).await;
    let shared = hosts(1)[0];
    let only_a = hosts(2)[1];
    a.announce(shared, RouteAttributes::default()).unwrap();
    a.announce(only_a, RouteAttributes::default()).unwrap();
    b.announce(shared, RouteAttributes::default()).unwrap();
    let contested = wait_for("the shared prefix contested", async || {
        let c = a.contested().await.ok()?;
        (!c.is_empty()).then_some(c)
    })
    .await;
    assert_eq!(contested.len(), 1, "{contested:?}");
    assert_eq!(contested[0].prefix, shared);
    assert_eq!(
        contested[0].from,
        vec![("127.0.0.26".to_string(), "65014".to_string())]
    );
    b.withdraw(shared).unwrap();
    wait_for("no longer contested", async || {
        a.contested().await.ok()?.is_empty().then_some(())
    })
    .await;
}
