//! Graceful restart (both roles) and maximum-prefix between two speakers
//! over real TCP on loopback. (Against FRR: the `integration` crate.)

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use bgp::fsm::{GracefulRestartConfig, RemoteAs, State};
use bgp::speaker::{
    self, Events, MaxPrefix, PeerConfig, RouteAttributes, RouteStatus, Speaker, SpeakerConfig,
};
use bgp::wire::{Ipv4Prefix, Prefix};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn config(asn: u32, me: &str, them: &str, their_as: u32, port: u16) -> SpeakerConfig {
    let mut cfg = SpeakerConfig::new(asn, me.parse().unwrap());
    cfg.listen = Some(SocketAddr::new(ip(me), port));
    let mut peer = PeerConfig::new(ip(them), RemoteAs::Number(their_as));
    peer.port = port;
    peer.local_address = Some(ip(me));
    peer.connect_retry = Duration::from_secs(1);
    cfg.peers.push(peer);
    cfg
}

fn gr(restarting: bool) -> Option<GracefulRestartConfig> {
    Some(GracefulRestartConfig {
        restart_time: 120,
        forwarding_preserved: true,
        restarting,
    })
}

async fn start(cfg: SpeakerConfig) -> (Speaker, Events) {
    speaker::start(cfg).await.expect("speaker starts")
}

async fn wait_for<T>(what: &str, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..400 {
        if let Some(v) = f().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

fn hosts(n: u32) -> Vec<(Prefix, RouteAttributes)> {
    (0..n)
        .map(|i| {
            (
                Prefix::V4(Ipv4Prefix::host(Ipv4Addr::from(0xac10_0100 + i))),
                RouteAttributes::default(),
            )
        })
        .collect()
}

fn learned(routes: &[RouteStatus]) -> Vec<&RouteStatus> {
    routes
        .iter()
        .filter(|r| r.paths.iter().any(|p| p.from != "local"))
        .collect()
}

#[tokio::test]
async fn routes_survive_a_graceful_restart_and_stale_ones_go_after_end_of_rib() {
    let leaf_cfg = |restarting| {
        let mut c = config(65011, "127.0.0.31", "127.0.0.41", 65020, 17911);
        c.graceful_restart = gr(restarting);
        c
    };
    let mut spine_cfg = config(65020, "127.0.0.41", "127.0.0.31", 65011, 17911);
    spine_cfg.graceful_restart = gr(false);
    let (spine, mut spine_events) = start(spine_cfg).await;
    let (leaf, _le) = start(leaf_cfg(false)).await;
    leaf.announce_many(hosts(10)).unwrap();
    wait_for("10 routes on the spine", async || {
        (learned(&spine.routes().await.ok()?).len() == 10).then_some(())
    })
    .await;
    while spine_events.routes.try_recv().is_ok() {}

    // The leaf goes away without a NOTIFICATION, as for a restart.
    leaf.stop_for_restart().await.unwrap();
    let routes = wait_for("stale routes on the spine", async || {
        let r = spine.routes().await.ok()?;
        let l = learned(&r);
        (l.len() == 10 && l.iter().all(|r| r.paths[0].stale)).then_some(r.len())
    })
    .await;
    assert_eq!(routes, 10, "kept, not withdrawn");
    assert!(
        spine_events.routes.try_recv().is_err(),
        "the FIB was not touched"
    );

    // Back, restarting: nine of the ten are announced again, the tenth is
    // gone; End-of-RIB waits for the application.
    let (leaf, _le) = start(leaf_cfg(true)).await;
    leaf.announce_many(hosts(9)).unwrap();
    wait_for("nine fresh routes", async || {
        let r = spine.routes().await.ok()?;
        (learned(&r).iter().filter(|r| !r.paths[0].stale).count() == 9).then_some(())
    })
    .await;
    let r = spine.routes().await.unwrap();
    assert_eq!(
        learned(&r).len(),
        10,
        "the tenth is still kept stale before End-of-RIB"
    );
    leaf.initial_routes_done().unwrap();
    let r = wait_for("the stale one removed", async || {
        let r = spine.routes().await.ok()?;
        (learned(&r).len() == 9).then_some(r)
    })
    .await;
    assert!(learned(&r).iter().all(|r| !r.paths[0].stale));
    assert!(r.iter().all(|r| r.prefix.to_string() != "172.16.1.9/32"));
    let removed = wait_for("FIB removal of the tenth", async || {
        spine_events.routes.try_recv().ok()
    })
    .await;
    assert_eq!(
        (removed.prefix.to_string(), removed.next_hops.len()),
        ("172.16.1.9/32".to_string(), 0)
    );
    leaf.shutdown(None).await.unwrap();
    spine.shutdown(None).await.unwrap();
}

#[tokio::test]
async fn a_notification_withdraws_at_once_even_with_graceful_restart() {
    let mut a_cfg = config(65011, "127.0.0.32", "127.0.0.42", 65020, 17912);
    a_cfg.graceful_restart = gr(false);
    let mut b_cfg = config(65020, "127.0.0.42", "127.0.0.32", 65011, 17912);
    b_cfg.graceful_restart = gr(false);
    let (b, _be) = start(b_cfg).await;
    let (a, _ae) = start(a_cfg).await;
    a.announce_many(hosts(3)).unwrap();
    wait_for("routes on b", async || {
        (learned(&b.routes().await.ok()?).len() == 3).then_some(())
    })
    .await;
    a.shutdown(Some("decommissioned".into())).await.unwrap();
    wait_for("routes gone from b", async || {
        learned(&b.routes().await.ok()?).is_empty().then_some(())
    })
    .await;
    b.shutdown(None).await.unwrap();
}

#[tokio::test]
async fn maximum_prefix_closes_the_session_and_holds_it_down() {
    let (a, _ae) = start(config(65011, "127.0.0.33", "127.0.0.43", 65020, 17913)).await;
    let mut b_cfg = config(65020, "127.0.0.43", "127.0.0.33", 65011, 17913);
    b_cfg.peers[0].max_prefix = Some(MaxPrefix {
        limit: 100,
        warning_percent: 75,
        restart: Duration::from_secs(300),
    });
    let (b, _be) = start(b_cfg).await;
    wait_for("established", async || {
        (a.peers().await.ok()?[0].state == State::Established).then_some(())
    })
    .await;
    a.announce_many(hosts(150)).unwrap();
    let why = wait_for("a is told", async || {
        let p = a.peers().await.ok()?.remove(0);
        (p.state != State::Established).then_some(p.last_error?)
    })
    .await;
    assert!(
        why.starts_with("received NOTIFICATION Cease/Maximum Number of Prefixes Reached"),
        "{why}"
    );
    let b_peer = b.peers().await.unwrap().remove(0);
    assert_eq!(b_peer.last_error.as_deref(), Some("sent NOTIFICATION Cease/Maximum Number of Prefixes Reached: more than 100 ipv4-unicast prefixes"));
    assert!(
        learned(&b.routes().await.unwrap()).is_empty(),
        "the routes went with the session"
    );
    // b holds the session down (a's reconnections are refused meanwhile).
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_ne!(b.peers().await.unwrap()[0].state, State::Established);
    a.shutdown(None).await.unwrap();
    b.shutdown(None).await.unwrap();
}
