//! The state machine driven by event sequences, asserting the actions.

use std::net::Ipv4Addr;
use std::time::Duration;

use super::*;
use crate::wire::capability::ExtendedNextHop;
use crate::wire::error::code;
use crate::wire::{Capability, Family, Message, Notification, Open, RouteRefresh, Update};

const LEAF: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 11);
const SPINE: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 21);

fn cfg() -> SessionConfig {
    SessionConfig::new(65011, LEAF, RemoteAs::External)
}

/// The OPEN an FRR spine sends (AS 65020, datacenter defaults).
fn spine_open(hold: u16) -> Open {
    Open::new(
        65020,
        hold,
        SPINE,
        vec![
            Capability::Multiprotocol(Family::IPV4_UNICAST),
            Capability::Multiprotocol(Family::IPV6_UNICAST),
            Capability::RouteRefresh,
            Capability::FourOctetAs(65020),
            Capability::ExtendedMessage,
            Capability::ExtendedNextHop(vec![ExtendedNextHop::IPV4_UNICAST_OVER_IPV6]),
            Capability::Fqdn {
                hostname: "spine01".into(),
                domain: String::new(),
            },
        ],
    )
}

fn open_sent(cfg: SessionConfig) -> Session {
    let mut s = Session::new(cfg);
    s.handle(Event::Start);
    s.handle(Event::TcpConnected);
    assert_eq!(s.state(), State::OpenSent);
    s
}

fn established(cfg: SessionConfig) -> Session {
    let mut s = open_sent(cfg);
    s.handle(Event::Received(Message::Open(spine_open(9))));
    s.handle(Event::Received(Message::Keepalive));
    assert_eq!(s.state(), State::Established);
    s
}

fn sent_notification(acts: &[Action]) -> Option<&Notification> {
    acts.iter().find_map(|a| match a {
        Action::Send(Message::Notification(n)) => Some(n),
        _ => None,
    })
}

#[test]
fn active_open_to_established() {
    let mut s = Session::new(cfg());
    let acts = s.handle(Event::Start);
    assert_eq!(
        acts,
        vec![
            Action::StopTimer(Timer::IdleHold),
            Action::StartTimer(Timer::ConnectRetry, Duration::from_secs(10)),
            Action::Connect
        ]
    );
    assert_eq!(s.state(), State::Connect);

    let acts = s.handle(Event::TcpConnected);
    assert_eq!(acts[0], Action::StopTimer(Timer::ConnectRetry));
    let Action::Send(Message::Open(ours)) = &acts[2] else {
        panic!("{acts:?}")
    };
    assert_eq!(
        (ours.asn(), ours.hold_time, ours.router_id),
        (65011, 9, LEAF)
    );
    assert!(ours
        .capabilities
        .contains(&Capability::ExtendedNextHop(vec![
            ExtendedNextHop::IPV4_UNICAST_OVER_IPV6
        ])));
    assert_eq!(acts[3], Action::StartTimer(Timer::Hold, OPEN_HOLD_TIME));

    let acts = s.handle(Event::Received(Message::Open(spine_open(9))));
    assert_eq!(
        acts,
        vec![
            Action::Send(Message::Keepalive),
            Action::StartTimer(Timer::Hold, Duration::from_secs(9)),
            Action::StartTimer(Timer::Keepalive, Duration::from_secs(3)),
        ]
    );
    assert_eq!(s.state(), State::OpenConfirm);

    let acts = s.handle(Event::Received(Message::Keepalive));
    let Action::Established(neg) = &acts[1] else {
        panic!("{acts:?}")
    };
    assert_eq!(neg.peer_as, 65020);
    assert_eq!(neg.peer_router_id, SPINE);
    assert!(!neg.ibgp);
    assert_eq!(
        neg.families,
        vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST]
    );
    assert!(neg.ipv4_over_ipv6);
    assert!(neg.tx.four_octet_as && neg.rx.four_octet_as);
    assert!(neg.tx.extended_message);
    assert!(neg.route_refresh);
    assert_eq!(neg.peer_hostname.as_deref(), Some("spine01"));
}

#[test]
fn passive_session_waits_for_the_peer() {
    let mut c = cfg();
    c.passive = true;
    let mut s = Session::new(c);
    let acts = s.handle(Event::Start);
    assert!(!acts.contains(&Action::Connect));
    assert_eq!(s.state(), State::Active);
    // The retry timer does not make a passive session connect.
    let acts = s.handle(Event::TimerExpired(Timer::ConnectRetry));
    assert!(!acts.contains(&Action::Connect));
    s.handle(Event::TcpConnected);
    assert_eq!(s.state(), State::OpenSent);
}

#[test]
fn hold_time_is_the_smaller_and_zero_disables_keepalives() {
    for (theirs, hold, keepalive) in [(30, 9, 3), (3, 3, 1)] {
        let mut s = open_sent(cfg());
        let acts = s.handle(Event::Received(Message::Open(spine_open(theirs))));
        assert!(acts.contains(&Action::StartTimer(Timer::Hold, Duration::from_secs(hold))));
        assert!(acts.contains(&Action::StartTimer(
            Timer::Keepalive,
            Duration::from_secs(keepalive)
        )));
    }
    let mut s = open_sent(cfg());
    let acts = s.handle(Event::Received(Message::Open(spine_open(0))));
    assert!(acts.contains(&Action::StopTimer(Timer::Hold)));
    assert!(!acts
        .iter()
        .any(|a| matches!(a, Action::StartTimer(Timer::Keepalive, _))));
}

#[test]
fn wrong_peer_as_is_refused_with_bad_peer_as() {
    let mut c = cfg();
    c.remote_as = RemoteAs::Number(65099);
    let mut s = open_sent(c);
    let acts = s.handle(Event::Received(Message::Open(spine_open(9))));
    let n = sent_notification(&acts).expect("notification");
    assert_eq!(
        (n.code, n.subcode, n.data.clone()),
        (
            code::OPEN_MESSAGE,
            code::open::BAD_PEER_AS,
            65020u16.to_be_bytes().to_vec()
        )
    );
    assert!(acts.contains(&Action::Close));
    let down = acts.iter().find_map(|a| match a {
        Action::Down(r) => Some(r.to_string()),
        _ => None,
    });
    assert_eq!(
        down.as_deref(),
        Some("sent NOTIFICATION OPEN Message Error/Bad Peer AS (2 bytes of data): peer AS 65020 is not the configured remote-as 65099")
    );
    assert!(acts.contains(&Action::StartTimer(Timer::IdleHold, Duration::from_secs(1))));
    assert_eq!(s.state(), State::Idle);
}

#[test]
fn remote_as_external_and_internal() {
    assert!(RemoteAs::External.accepts(65020, 65011));
    assert!(!RemoteAs::External.accepts(65011, 65011));
    assert!(RemoteAs::Internal.accepts(65011, 65011));
    assert!(!RemoteAs::Internal.accepts(65020, 65011));
    assert_eq!("external".parse::<RemoteAs>().unwrap(), RemoteAs::External);
    assert_eq!(
        "4200000001".parse::<RemoteAs>().unwrap(),
        RemoteAs::Number(4_200_000_001)
    );
    assert!("0".parse::<RemoteAs>().is_err());
    assert!("extern".parse::<RemoteAs>().is_err());

    // An external session refuses a peer in our own AS.
    let mut s = open_sent(cfg());
    let mut same_as = spine_open(9);
    same_as
        .capabilities
        .retain(|c| !matches!(c, Capability::FourOctetAs(_)));
    same_as.my_as = 65011;
    let acts = s.handle(Event::Received(Message::Open(same_as)));
    assert_eq!(
        sent_notification(&acts).unwrap().subcode,
        code::open::BAD_PEER_AS
    );
}

#[test]
fn ibgp_peer_with_our_router_id_is_refused() {
    let mut c = cfg();
    c.remote_as = RemoteAs::Internal;
    let mut s = open_sent(c);
    let acts = s.handle(Event::Received(Message::Open(Open::new(
        65011,
        9,
        LEAF,
        vec![Capability::FourOctetAs(65011)],
    ))));
    assert_eq!(
        sent_notification(&acts).unwrap().subcode,
        code::open::BAD_BGP_IDENTIFIER
    );
}

#[test]
fn idle_hold_doubles_while_the_peer_keeps_failing() {
    let mut c = cfg();
    c.remote_as = RemoteAs::Number(65099);
    let mut s = Session::new(c);
    s.handle(Event::Start);
    let mut holds = Vec::new();
    for _ in 0..8 {
        s.handle(Event::TcpConnected);
        let acts = s.handle(Event::Received(Message::Open(spine_open(9))));
        let hold = acts.iter().find_map(|a| match a {
            Action::StartTimer(Timer::IdleHold, d) => Some(d.as_secs()),
            _ => None,
        });
        holds.push(hold.expect("idle hold"));
        let acts = s.handle(Event::TimerExpired(Timer::IdleHold));
        assert!(
            acts.contains(&Action::Connect),
            "idle hold over: connect again"
        );
    }
    assert_eq!(holds, vec![1, 2, 4, 8, 16, 32, 60, 60]);
}

#[test]
fn establishing_resets_the_failure_count() {
    let mut s = open_sent(cfg());
    s.handle(Event::TcpClosed);
    assert_eq!(s.failures(), 1);
    s.handle(Event::TimerExpired(Timer::IdleHold));
    s.handle(Event::TcpConnected);
    s.handle(Event::Received(Message::Open(spine_open(9))));
    s.handle(Event::Received(Message::Keepalive));
    assert_eq!(s.failures(), 0);
}

#[test]
fn hold_timer_expiry_sends_notification_and_goes_down() {
    let mut s = established(cfg());
    let acts = s.handle(Event::TimerExpired(Timer::Hold));
    assert_eq!(
        sent_notification(&acts),
        Some(&Notification::new(code::HOLD_TIMER_EXPIRED, 0))
    );
    assert!(acts.contains(&Action::Down(DownReason::HoldTimerExpired)));
    assert!(acts.contains(&Action::StopTimer(Timer::Keepalive)));
    assert_eq!(s.state(), State::Idle);
}

#[test]
fn keepalives_and_updates_restart_the_hold_timer() {
    let mut s = established(cfg());
    let acts = s.handle(Event::TimerExpired(Timer::Keepalive));
    assert_eq!(
        acts,
        vec![
            Action::Send(Message::Keepalive),
            Action::StartTimer(Timer::Keepalive, Duration::from_secs(3))
        ]
    );
    let acts = s.handle(Event::Received(Message::Keepalive));
    assert_eq!(
        acts,
        vec![Action::StartTimer(Timer::Hold, Duration::from_secs(9))]
    );
    let u = Update::end_of_rib(Family::IPV4_UNICAST);
    let acts = s.handle(Event::Received(Message::Update(Box::new(u.clone()))));
    assert_eq!(
        acts,
        vec![
            Action::StartTimer(Timer::Hold, Duration::from_secs(9)),
            Action::Update(Box::new(u))
        ]
    );
}

#[test]
fn unexpected_messages_get_fsm_errors() {
    let mut s = open_sent(cfg());
    let acts = s.handle(Event::Received(Message::Update(Box::default())));
    let n = sent_notification(&acts).unwrap();
    assert_eq!((n.code, n.subcode, n.data.clone()), (code::FSM, 1, vec![2]));

    let mut s = open_sent(cfg());
    s.handle(Event::Received(Message::Open(spine_open(9))));
    let acts = s.handle(Event::Received(Message::RouteRefresh(
        RouteRefresh::request(Family::IPV4_UNICAST),
    )));
    assert_eq!(sent_notification(&acts).unwrap().subcode, 2);

    let mut s = established(cfg());
    let acts = s.handle(Event::Received(Message::Open(spine_open(9))));
    let n = sent_notification(&acts).unwrap();
    assert_eq!((n.code, n.subcode, n.data.clone()), (code::FSM, 3, vec![1]));
}

#[test]
fn notification_from_the_peer_closes_without_answering() {
    let mut s = established(cfg());
    let n = Notification::cease_with_message(code::cease::ADMINISTRATIVE_SHUTDOWN, "maintenance");
    let acts = s.handle(Event::Received(Message::Notification(n.clone())));
    assert!(sent_notification(&acts).is_none());
    assert!(acts.contains(&Action::Close));
    assert!(acts.contains(&Action::Down(DownReason::NotificationReceived(n))));
    assert_eq!(s.state(), State::Idle);
}

#[test]
fn malformed_message_sends_the_codec_notification() {
    let mut s = established(cfg());
    let e = crate::wire::DecodeError::reset(
        code::UPDATE_MESSAGE,
        code::update::MALFORMED_ATTRIBUTE_LIST,
        vec![1, 2],
        "bad",
    );
    let acts = s.handle(Event::Malformed(e));
    let n = sent_notification(&acts).unwrap();
    assert_eq!((n.code, n.subcode, n.data.clone()), (3, 1, vec![1, 2]));
    assert_eq!(s.state(), State::Idle);
}

#[test]
fn deconfigured_sends_peer_deconfigured_and_stays_down() {
    let mut s = established(cfg());
    let acts = s.handle(Event::Deconfigured(Some("spine01 replaced".into())));
    let n = sent_notification(&acts).unwrap();
    assert_eq!(
        (n.code, n.subcode),
        (code::CEASE, code::cease::PEER_DECONFIGURED)
    );
    assert_eq!(n.shutdown_message(), Some("spine01 replaced"));
    assert_eq!(
        n.to_string(),
        "Cease/Peer De-configured \"spine01 replaced\""
    );
    assert!(acts.contains(&Action::Down(DownReason::Deconfigured)));
    assert!(!acts
        .iter()
        .any(|a| matches!(a, Action::StartTimer(Timer::IdleHold, _))));
    assert_eq!(s.state(), State::Idle);
    assert!(s.handle(Event::TimerExpired(Timer::IdleHold)).is_empty());

    let mut s = established(cfg());
    let acts = s.handle(Event::Deconfigured(None));
    let n = sent_notification(&acts).unwrap();
    assert_eq!(
        (n.code, n.subcode, n.data.clone()),
        (code::CEASE, code::cease::PEER_DECONFIGURED, vec![])
    );
}

#[test]
fn admin_stop_sends_a_shutdown_communication_and_stays_down() {
    let mut s = established(cfg());
    let acts = s.handle(Event::Stop(Some("leaf01 maintenance".into())));
    let n = sent_notification(&acts).unwrap();
    assert_eq!(n.shutdown_message(), Some("leaf01 maintenance"));
    assert!(acts.contains(&Action::Down(DownReason::AdminStop)));
    assert!(!acts
        .iter()
        .any(|a| matches!(a, Action::StartTimer(Timer::IdleHold, _))));
    assert!(s.handle(Event::TimerExpired(Timer::IdleHold)).is_empty());
    // And refuses a connection from the peer while stopped.
    assert_eq!(s.handle(Event::TcpConnected), vec![Action::Close]);
    s.handle(Event::Start);
    assert_eq!(s.state(), State::Connect);
}

#[test]
fn route_refresh_for_negotiated_families_only() {
    let mut c = cfg();
    c.families = vec![Family::IPV4_UNICAST];
    let mut s = established(c);
    let rr4 = RouteRefresh::request(Family::IPV4_UNICAST);
    let acts = s.handle(Event::Received(Message::RouteRefresh(rr4)));
    assert!(acts.contains(&Action::RouteRefresh(rr4)));
    let acts = s.handle(Event::Received(Message::RouteRefresh(
        RouteRefresh::request(Family::IPV6_UNICAST),
    )));
    assert!(!acts.iter().any(|a| matches!(a, Action::RouteRefresh(_))));
}

#[test]
fn connection_loss_before_established_retries_after_idle_hold() {
    let mut s = open_sent(cfg());
    let acts = s.handle(Event::TcpClosed);
    assert!(acts.contains(&Action::Down(DownReason::ConnectionClosed)));
    assert!(acts.contains(&Action::StartTimer(Timer::IdleHold, Duration::from_secs(1))));
    // The peer may connect to us meanwhile.
    s.handle(Event::TcpConnected);
    assert_eq!(s.state(), State::OpenSent);
}

#[test]
fn connect_retry_backs_off_while_the_peer_is_unreachable() {
    let mut s = Session::new(cfg());
    s.handle(Event::Start);
    // An attempt without an answer is abandoned and retried.
    let acts = s.handle(Event::TimerExpired(Timer::ConnectRetry));
    assert_eq!(
        acts,
        vec![
            Action::Close,
            Action::Connect,
            Action::StartTimer(Timer::ConnectRetry, Duration::from_secs(20))
        ]
    );
    let mut waits = Vec::new();
    for _ in 0..4 {
        let acts = s.handle(Event::TcpFailed);
        assert_eq!(s.state(), State::Active);
        let Some(Action::StartTimer(Timer::ConnectRetry, d)) = acts.first() else {
            panic!("{acts:?}")
        };
        waits.push(d.as_secs());
        let acts = s.handle(Event::TimerExpired(Timer::ConnectRetry));
        assert!(acts.contains(&Action::Connect));
        assert_eq!(s.state(), State::Connect);
    }
    assert_eq!(waits, vec![40, 60, 60, 60]);
    // A connection resets the backoff.
    s.handle(Event::TcpConnected);
    assert_eq!(s.connect_retry(), Duration::from_secs(10));
}
#[test]
fn peer_without_multiprotocol_speaks_ipv4_only() {
    let mut s = open_sent(cfg());
    let old = Open::new(65020, 90, SPINE, vec![]);
    s.handle(Event::Received(Message::Open(old)));
    let neg = s.negotiated().unwrap();
    assert_eq!(neg.families, vec![Family::IPV4_UNICAST]);
    assert!(!neg.tx.four_octet_as, "2-octet AS session");
    assert!(!neg.ipv4_over_ipv6 && !neg.tx.extended_message);
}

#[test]
fn graceful_restart_capability_is_announced() {
    let mut c = cfg();
    c.graceful_restart = Some(GracefulRestartConfig {
        restart_time: 120,
        forwarding_preserved: true,
        restarting: true,
    });
    let open = build_open(&c);
    let gr = open.capabilities.iter().find_map(|c| match c {
        Capability::GracefulRestart(gr) => Some(gr),
        _ => None,
    });
    let gr = gr.expect("GR capability");
    assert!(gr.restart_state);
    assert_eq!(gr.restart_time, 120);
    assert!(gr.families.iter().all(|f| f.forwarding_preserved));
    assert_eq!(gr.families.len(), 2);
}

#[test]
fn max_prefix_sends_cease_and_holds_down() {
    let mut s = established(cfg());
    let acts = s.handle(Event::MaxPrefixExceeded {
        family: Family::IPV4_UNICAST,
        limit: 1000,
        idle_hold: Duration::from_secs(30),
    });
    let n = sent_notification(&acts).unwrap();
    assert_eq!(
        (n.code, n.subcode),
        (code::CEASE, code::cease::MAXIMUM_PREFIXES)
    );
    assert_eq!(n.data, vec![0, 1, 1, 0, 0, 0x03, 0xe8], "AFI, SAFI, limit");
    assert!(acts.contains(&Action::StartTimer(
        Timer::IdleHold,
        Duration::from_secs(30)
    )));
    let down = acts.iter().find_map(|a| match a {
        Action::Down(r) => Some(r.to_string()),
        _ => None,
    });
    assert_eq!(
        down.as_deref(),
        Some("sent NOTIFICATION Cease/Maximum Number of Prefixes Reached: more than 1000 ipv4-unicast prefixes")
    );
    assert_eq!(s.state(), State::Idle);
    // After the hold, it tries again.
    assert!(s
        .handle(Event::TimerExpired(Timer::IdleHold))
        .contains(&Action::Connect));
}
