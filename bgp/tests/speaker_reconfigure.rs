//! Peers added and removed while speakers run (what a configuration
//! reload does), with three and two of our speakers over real TCP on
//! loopback: a new session comes up and gets our routes, a removed one
//! ends with Cease / Peer De-configured and its routes go (on both sides
//! and towards the FIB), it comes back when re-added, duplicates are
//! refused, TCP MD5 keys on the listener follow the peers, and the other
//! sessions never flap.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use bgp::fsm::{RemoteAs, State};
use bgp::speaker::security::{Md5Key, PeerSecurity};
use bgp::speaker::{
    self, AddPeerError, Events, PeerConfig, PeerEvent, PeerStatus, RouteAttributes, RouteEvent,
    RouteStatus, Speaker, SpeakerConfig,
};
use bgp::wire::Prefix;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn prefix(s: &str) -> Prefix {
    s.parse().unwrap()
}

/// `them` as a peer of `me`, both on `port`.
fn peer(me: &str, them: &str, their_as: u32, port: u16) -> PeerConfig {
    let mut peer = PeerConfig::new(ip(them), RemoteAs::Number(their_as));
    peer.port = port;
    peer.local_address = Some(ip(me));
    peer.connect_retry = Duration::from_secs(1);
    peer
}

/// A speaker listening on `me`:`port` with `peers` and one route of its own.
async fn speaker(
    asn: u32,
    me: &str,
    port: u16,
    peers: Vec<PeerConfig>,
    route: &str,
) -> (Speaker, Events) {
    let mut cfg = SpeakerConfig::new(asn, me.parse().unwrap());
    cfg.listen = Some(SocketAddr::new(ip(me), port));
    cfg.peers = peers;
    let (s, e) = speaker::start(cfg).await.expect("speaker starts");
    s.announce(prefix(route), RouteAttributes::default())
        .unwrap();
    (s, e)
}

async fn wait_for<T>(what: &str, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..600 {
        if let Some(v) = f().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn status(s: &Speaker, name: &str) -> Option<PeerStatus> {
    s.peers().await.ok()?.into_iter().find(|p| p.name == name)
}

async fn established(s: &Speaker, name: &str) -> PeerStatus {
    wait_for(&format!("{name} established"), async || {
        status(s, name)
            .await
            .filter(|p| p.state == State::Established)
    })
    .await
}

/// The learned route for `p`: (from, AS path), if any.
fn learned(routes: &[RouteStatus], p: &str) -> Option<(String, String)> {
    let r = routes.iter().find(|r| r.prefix == prefix(p))?;
    let best = r.paths.iter().find(|p| p.best && p.from != "local")?;
    Some((best.from.clone(), best.as_path.clone()))
}

/// Receives events until one matches.
async fn next_matching<T: std::fmt::Debug + Clone>(
    what: &str,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<T>,
    seen: &mut Vec<T>,
    mut f: impl FnMut(&T) -> bool,
) {
    let found = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(ev) = rx.recv().await {
            seen.push(ev.clone());
            if f(&ev) {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(found, Ok(true), "{what}; seen: {seen:#?}");
}

fn drain<T>(rx: &mut tokio::sync::mpsc::UnboundedReceiver<T>, into: &mut Vec<T>) {
    while let Ok(ev) = rx.try_recv() {
        into.push(ev);
    }
}

fn events_of<'a>(events: &'a [PeerEvent], peer: &str) -> Vec<&'a PeerEvent> {
    events.iter().filter(|e| e.peer == peer).collect()
}

#[tokio::test]
async fn peers_are_added_removed_and_re_added_while_others_stay_up() {
    const PORT: u16 = 17931;
    let (a_ip, b_ip, c_ip) = ("127.0.0.51", "127.0.0.61", "127.0.0.71");
    // a and b peer from the start; c knows nobody yet.
    let (a, mut a_events) = speaker(
        65011,
        a_ip,
        PORT,
        vec![peer(a_ip, b_ip, 65020, PORT)],
        "10.51.0.0/24",
    )
    .await;
    let (b, mut b_events) = speaker(
        65020,
        b_ip,
        PORT,
        vec![peer(b_ip, a_ip, 65011, PORT)],
        "10.61.0.0/24",
    )
    .await;
    let (c, mut c_events) = speaker(65030, c_ip, PORT, vec![], "10.71.0.0/24").await;
    let (mut a_peer_log, mut b_peer_log, mut c_peer_log) = (vec![], vec![], vec![]);
    let mut a_routes = vec![];

    let b_on_a = established(&a, b_ip).await;
    established(&b, a_ip).await;
    let uptime_before = b_on_a.uptime.expect("established has an uptime");
    // What led up to it (a connection collision may show as an Idle) is
    // not part of the test: from here on, a–b must not change.
    drain(&mut a_events.peers, &mut vec![]);
    drain(&mut b_events.peers, &mut vec![]);

    // c takes a as a passive peer: a's connection has to come through c's
    // listener, to an address c did not know when it started.
    let mut a_on_c = peer(c_ip, a_ip, 65011, PORT);
    a_on_c.passive = true;
    c.add_peer(a_on_c.clone()).await.expect("c adds a");
    a.add_peer(peer(a_ip, c_ip, 65030, PORT))
        .await
        .expect("a adds c");
    established(&a, c_ip).await;
    established(&c, a_ip).await;

    // c gets everything a advertises: a's own route and b's through a.
    let c_routes = wait_for("a's routes on c", async || {
        let r = c.routes().await.ok()?;
        (learned(&r, "10.51.0.0/24").is_some() && learned(&r, "10.61.0.0/24").is_some())
            .then_some(r)
    })
    .await;
    assert_eq!(
        learned(&c_routes, "10.61.0.0/24"),
        Some((a_ip.to_string(), "65011 65020".to_string()))
    );
    // a learns c's route (and tells its FIB); b learns it through a.
    next_matching(
        "a's FIB stream gets c's route",
        &mut a_events.routes,
        &mut a_routes,
        |e: &RouteEvent| {
            e.prefix == prefix("10.71.0.0/24")
                && e.next_hops.len() == 1
                && e.next_hops[0].address == ip(c_ip)
        },
    )
    .await;
    wait_for("c's route on b", async || {
        let r = b.routes().await.ok()?;
        (learned(&r, "10.71.0.0/24") == Some((a_ip.to_string(), "65011 65030".to_string())))
            .then_some(())
    })
    .await;

    // Duplicates are refused and change nothing.
    let dup = a.add_peer(peer(a_ip, c_ip, 65030, PORT)).await;
    assert!(
        matches!(&dup, Err(AddPeerError::DuplicateName { name }) if name == c_ip),
        "{dup:?}"
    );
    assert_eq!(
        dup.unwrap_err().to_string(),
        "a peer named \"127.0.0.71\" is already configured"
    );
    let mut same_address = peer(a_ip, c_ip, 65030, PORT);
    same_address.name = "c-again".into();
    let dup = a.add_peer(same_address).await;
    assert!(
        matches!(&dup, Err(AddPeerError::DuplicateAddress { existing, .. }) if existing == c_ip),
        "{dup:?}"
    );
    assert_eq!(a.peers().await.unwrap().len(), 2);
    assert_eq!(status(&a, c_ip).await.unwrap().state, State::Established);

    // Remove c from a, with a shutdown communication.
    assert!(a.remove_peer(c_ip, Some("reload".into())).await.unwrap());
    next_matching(
        "c is told it was de-configured",
        &mut c_events.peers,
        &mut c_peer_log,
        |e: &PeerEvent| {
            e.peer == a_ip
                && e.state == State::Idle
                && e.reason.as_deref()
                    == Some("received NOTIFICATION Cease/Peer De-configured \"reload\"")
        },
    )
    .await;
    // c drops what a sent it; a removes c's route from its FIB; b loses it.
    wait_for("a's routes gone from c", async || {
        let r = c.routes().await.ok()?;
        (r.len() == 1 && learned(&r, "10.71.0.0/24").is_none()).then_some(())
    })
    .await;
    next_matching(
        "a's FIB stream removes c's route",
        &mut a_events.routes,
        &mut a_routes,
        |e: &RouteEvent| e.prefix == prefix("10.71.0.0/24") && e.next_hops.is_empty(),
    )
    .await;
    wait_for("c's route gone from b", async || {
        let r = b.routes().await.ok()?;
        learned(&r, "10.71.0.0/24").is_none().then_some(())
    })
    .await;
    assert!(learned(&a.routes().await.unwrap(), "10.71.0.0/24").is_none());
    let names: Vec<String> = a
        .peers()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, vec![b_ip.to_string()]);
    assert!(!a.remove_peer(c_ip, None).await.unwrap(), "already gone");

    // Re-added: back up, routes back.
    a.add_peer(peer(a_ip, c_ip, 65030, PORT))
        .await
        .expect("a adds c again");
    established(&a, c_ip).await;
    next_matching(
        "a's FIB stream gets c's route again",
        &mut a_events.routes,
        &mut a_routes,
        |e: &RouteEvent| e.prefix == prefix("10.71.0.0/24") && e.next_hops.len() == 1,
    )
    .await;
    wait_for("a's routes back on c", async || {
        let r = c.routes().await.ok()?;
        learned(&r, "10.61.0.0/24").map(|_| ())
    })
    .await;
    wait_for("c's route back on b", async || {
        let r = b.routes().await.ok()?;
        learned(&r, "10.71.0.0/24").map(|_| ())
    })
    .await;

    // a–b never flapped: no event on either side, the same session.
    drain(&mut a_events.peers, &mut a_peer_log);
    drain(&mut b_events.peers, &mut b_peer_log);
    let b_now = status(&a, b_ip).await.unwrap();
    assert_eq!(b_now.state, State::Established);
    assert!(
        b_now.uptime.unwrap() > uptime_before,
        "{:?} then {:?}",
        uptime_before,
        b_now.uptime
    );
    assert_eq!(b_now.last_error, None);
    for (log, who) in [(&a_peer_log, b_ip), (&b_peer_log, a_ip)] {
        assert!(events_of(log, who).is_empty(), "{who}: {log:#?}");
    }
    // a saw c come, go (de-configured by us) and come back.
    let states: Vec<(State, Option<String>)> = events_of(&a_peer_log, c_ip)
        .iter()
        .map(|e| (e.state, e.reason.clone()))
        .collect();
    assert_eq!(
        states,
        vec![
            (State::Established, None),
            (State::Idle, Some("peer de-configured".into())),
            (State::Established, None),
        ]
    );
    for s in [a, b, c] {
        s.shutdown(None).await.unwrap();
    }
}

/// Whether a plain TCP connection from `from` to `to` completes: it does
/// not while `to`'s listener has an MD5 key for `from`.
async fn unsigned_connect(from: &str, to: SocketAddr) -> bool {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(ip(from), 0)).unwrap();
    matches!(
        tokio::time::timeout(Duration::from_secs(3), socket.connect(to)).await,
        Ok(Ok(_))
    )
}

#[tokio::test]
async fn md5_keys_on_the_listener_follow_added_and_removed_peers() {
    const PORT: u16 = 17932;
    let (d_ip, e_ip) = ("127.0.0.52", "127.0.0.62");
    let d_listener = SocketAddr::new(ip(d_ip), PORT);
    let (d, mut d_events) = speaker(65011, d_ip, PORT, vec![], "10.52.0.0/24").await;
    let (e, mut e_events) = speaker(65020, e_ip, PORT, vec![], "10.62.0.0/24").await;
    let security = PeerSecurity {
        md5: Some(Md5Key::new("s3cret").unwrap()),
        ttl_security: false,
    };
    // d only listens for e: the session comes up only if d's listener got
    // e's key when e was added.
    let mut e_on_d = peer(d_ip, e_ip, 65020, PORT);
    e_on_d.passive = true;
    e_on_d.security = security.clone();
    d.add_peer(e_on_d).await.expect("d adds e");
    assert!(
        !unsigned_connect(e_ip, d_listener).await,
        "d's listener wants e's key"
    );
    let mut d_on_e = peer(e_ip, d_ip, 65011, PORT);
    d_on_e.security = security;
    e.add_peer(d_on_e).await.expect("e adds d");
    established(&d, e_ip).await;
    wait_for("d's route on e", async || {
        let r = e.routes().await.ok()?;
        learned(&r, "10.52.0.0/24").map(|_| ())
    })
    .await;

    assert!(d.remove_peer(e_ip, None).await.unwrap());
    let (mut d_log, mut e_log) = (vec![], vec![]);
    next_matching(
        "e is told it was de-configured",
        &mut e_events.peers,
        &mut e_log,
        |ev: &PeerEvent| {
            ev.reason.as_deref() == Some("received NOTIFICATION Cease/Peer De-configured")
        },
    )
    .await;
    next_matching(
        "d's FIB stream removes e's route",
        &mut d_events.routes,
        &mut vec![],
        |ev: &RouteEvent| ev.prefix == prefix("10.62.0.0/24") && ev.next_hops.is_empty(),
    )
    .await;
    drain(&mut d_events.peers, &mut d_log);
    // The key left with the peer: an unsigned connection gets through (and
    // is closed at once, e being no peer any more).
    assert!(
        unsigned_connect(e_ip, d_listener).await,
        "d's listener dropped e's key"
    );
    for s in [d, e] {
        s.shutdown(None).await.unwrap();
    }
}
