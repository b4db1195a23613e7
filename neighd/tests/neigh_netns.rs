//! The neighbour tracker against a real kernel, in network namespaces: a
//! "leaf" namespace (the tracker runs there) with veth0, wired to a "host"
//! namespace's veth1. Entries are made with `ip neigh`, links and addresses
//! with `ip link` / `ip addr`; the tests check the events a consumer gets.
//!
//! The tracker's socket must live in the leaf namespace: each test runs its
//! async part on a thread that first joins that namespace (`setns` through
//! rustix, no `unsafe`), so the rest of the test process stays where it was.

use std::collections::HashSet;
use std::fs::File;
use std::future::Future;
use std::net::IpAddr;
use std::os::fd::AsFd;
use std::time::Duration;

use arpprobe::MacAddr;
use integration::netns::Netns;
use neighd::neigh::{
    LinkTable, NeighChange, NeighEvent, Neighbour, NudState, Snapshot, Tracker, TrackerOptions,
    Verdict, Watch,
};
use tokio::sync::mpsc;

/// Namespace names start with this (then the pid, see [`Netns::new`]).
const PREFIX: &str = "nneigh";

/// How long any one expected event may take: generous, the machine is shared.
const PATIENCE: Duration = Duration::from_secs(30);

/// The leaf and host namespaces and the veth between them; both
/// namespaces are deleted on drop, also when a test panics.
struct Pair {
    leaf: Netns,
    /// Holds veth1; only its deletion matters.
    _host: Netns,
}

/// The namespaces with veth0 (leaf, 10.77.0.1/16) – veth1 (host), both up;
/// `None` (after printing SKIPPED) when namespaces cannot be made here.
fn pair() -> Option<Pair> {
    if !integration::can_run() {
        return None;
    }
    let leaf = Netns::new(PREFIX, "leaf").expect("leaf namespace");
    let host = Netns::new(PREFIX, "host").expect("host namespace");
    leaf.ip([
        "link",
        "add",
        "veth0",
        "type",
        "veth",
        "peer",
        "name",
        "veth1",
        "netns",
        host.name(),
    ])
    .expect("veth pair");
    leaf.ip(["addr", "add", "10.77.0.1/16", "dev", "veth0"])
        .expect("address");
    leaf.ip(["link", "set", "veth0", "up"]).expect("veth0 up");
    host.ip(["link", "set", "veth1", "up"]).expect("veth1 up");
    Some(Pair { leaf, _host: host })
}

/// Runs `test` on a thread inside `ns` with a current-thread tokio runtime.
fn in_netns<F, Fut>(ns: &Netns, test: F)
where
    F: FnOnce() -> Fut + Send,
    Fut: Future<Output = ()>,
{
    std::thread::scope(|scope| {
        let run = scope.spawn(|| {
            let path = format!("/run/netns/{}", ns.name());
            let file = File::open(&path).unwrap_or_else(|e| panic!("open {path}: {e}"));
            rustix::thread::move_into_link_name_space(
                file.as_fd(),
                Some(rustix::thread::LinkNameSpaceType::Network),
            )
            .expect("setns into the leaf namespace");
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            runtime.block_on(test());
        });
        if let Err(panic) = run.join() {
            std::panic::resume_unwind(panic);
        }
    });
}

/// The consumer side: events in order, and the link table kept from them
/// as the host table would keep it.
struct Consumer {
    tracker: Tracker,
    rx: mpsc::Receiver<NeighEvent>,
    links: LinkTable,
}

impl Consumer {
    fn start(opts: TrackerOptions) -> Consumer {
        let (tracker, rx) = Tracker::start(opts).expect("tracker starts");
        Consumer {
            tracker,
            rx,
            links: LinkTable::new(),
        }
    }

    async fn next(&mut self) -> NeighEvent {
        let event = tokio::time::timeout(PATIENCE, self.rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no event within {PATIENCE:?}"))
            .expect("the tracker stopped");
        self.links.apply(&event);
        event
    }

    /// The first event, which must be a snapshot.
    async fn snapshot(&mut self) -> Snapshot {
        match self.next().await {
            NeighEvent::Snapshot(s) => s,
            other => panic!("first event is not a snapshot: {other:?}"),
        }
    }

    /// Events until one matches `want` (described by `what`); that one.
    async fn until(&mut self, what: &str, want: impl Fn(&NeighEvent) -> bool) -> NeighEvent {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let event = tokio::time::timeout(left, self.next())
                .await
                .unwrap_or_else(|_| panic!("no {what} within {PATIENCE:?}"));
            if want(&event) {
                return event;
            }
        }
    }

    /// The next event about neighbour `ip`, with its change.
    async fn neighbour(&mut self, ip: &str) -> (NeighChange, Neighbour) {
        let ip: IpAddr = ip.parse().expect("test address");
        let what = format!("event for neighbour {ip}");
        match self
            .until(
                &what,
                |e| matches!(e, NeighEvent::Neighbour(_, n) if n.ip == ip),
            )
            .await
        {
            NeighEvent::Neighbour(change, n) => (change, n),
            _ => unreachable!("until returned a matching event"),
        }
    }
}

/// Runs `ip -n <ns> <command>` (words split at spaces); panics on failure.
fn ip(ns: &Netns, command: &str) {
    if let Err(e) = ns.ip(command.split_whitespace()) {
        panic!("ip {command}: {e}");
    }
}

fn mac(s: &str) -> Option<MacAddr> {
    Some(s.parse().expect("test MAC"))
}

fn find<'a>(neighbours: &'a [Neighbour], ip: &str) -> &'a Neighbour {
    let ip: IpAddr = ip.parse().expect("test address");
    neighbours
        .iter()
        .find(|n| n.ip == ip)
        .unwrap_or_else(|| panic!("{ip} not in {neighbours:#?}"))
}

#[test]
fn the_first_snapshot_holds_what_was_there_before_the_start() {
    let Some(p) = pair() else { return };
    ip(
        &p.leaf,
        "neigh add 10.77.0.11 lladdr 02:00:00:00:00:11 nud reachable dev veth0",
    );
    ip(
        &p.leaf,
        "neigh add 10.77.0.12 lladdr 02:00:00:00:00:12 nud stale dev veth0",
    );
    ip(
        &p.leaf,
        "neigh add 10.77.0.13 lladdr 02:00:00:00:00:13 nud permanent dev veth0",
    );
    ip(
        &p.leaf,
        "-6 neigh add 2001:db8:77::14 lladdr 02:00:00:00:00:14 nud reachable dev veth0",
    );
    in_netns(&p.leaf, || async {
        let mut c = Consumer::start(TrackerOptions::default());
        let s = c.snapshot().await;

        let veth0 = s
            .links
            .iter()
            .find(|l| &*l.name == "veth0")
            .expect("veth0 in the snapshot");
        assert!(veth0.up, "{veth0:?}");
        assert_eq!(veth0.kind.as_deref(), Some("veth"));
        assert!(veth0.mac.is_some());
        assert!(s.links.iter().any(|l| &*l.name == "lo"));
        let address = s
            .addresses
            .iter()
            .find(|a| a.local.to_string() == "10.77.0.1")
            .expect("10.77.0.1 in the snapshot");
        assert_eq!(address.ifindex, veth0.ifindex);
        assert_eq!(address.prefix.to_string(), "10.77.0.0/16");
        assert!(address.scope_global);

        for (ip, state, m) in [
            ("10.77.0.11", NudState::REACHABLE, "02:00:00:00:00:11"),
            ("10.77.0.12", NudState::STALE, "02:00:00:00:00:12"),
            ("10.77.0.13", NudState::PERMANENT, "02:00:00:00:00:13"),
            ("2001:db8:77::14", NudState::REACHABLE, "02:00:00:00:00:14"),
        ] {
            let n = find(&s.neighbours, ip);
            assert_eq!((n.ifindex, &*n.iface), (veth0.ifindex, "veth0"), "{ip}");
            assert_eq!((n.state, n.mac), (state, mac(m)), "{ip}");
        }
        assert!(
            s.neighbours.iter().all(|n| !n.ip.is_multicast()),
            "no multicast entries: {:#?}",
            s.neighbours
        );
        assert_eq!(c.tracker.counters().snapshots, 1);
    });
}

#[test]
fn added_changed_and_removed_neighbours_arrive_as_events() {
    let Some(p) = pair() else { return };
    in_netns(&p.leaf, || async {
        let mut c = Consumer::start(TrackerOptions::default());
        c.snapshot().await;

        ip(
            &p.leaf,
            "neigh add 10.77.0.21 lladdr 02:00:00:00:00:21 nud stale dev veth0",
        );
        let (change, n) = c.neighbour("10.77.0.21").await;
        assert_eq!(change, NeighChange::Added);
        assert_eq!(n.state, NudState::STALE);
        assert_eq!((n.mac, &*n.iface), (mac("02:00:00:00:00:21"), "veth0"));
        let watch = Watch {
            interfaces: vec!["veth0".into()],
            prefixes: vec!["10.77.0.0/16".parse().unwrap()],
            permanent: false,
        };
        let track = Verdict::Track {
            iface: "veth0".into(),
        };
        assert_eq!(watch.classify(&n, &c.links), track);

        ip(
            &p.leaf,
            "neigh change 10.77.0.21 lladdr 02:00:00:00:00:22 nud reachable dev veth0",
        );
        let (change, n) = c.neighbour("10.77.0.21").await;
        assert_eq!(change, NeighChange::Changed);
        assert_eq!(
            (n.state, n.mac),
            (NudState::REACHABLE, mac("02:00:00:00:00:22"))
        );

        // `ip neigh del`: the kernel marks the entry FAILED, then removes it
        ip(&p.leaf, "neigh del 10.77.0.21 dev veth0");
        let (change, n) = c.neighbour("10.77.0.21").await;
        if change == NeighChange::Changed {
            assert_eq!((n.state, n.mac), (NudState::FAILED, None));
            let unresolved = Verdict::Ignore("unresolved entry (INCOMPLETE or FAILED)");
            assert_eq!(watch.classify(&n, &c.links), unresolved);
            let (change, _) = c.neighbour("10.77.0.21").await;
            assert_eq!(change, NeighChange::Removed);
        } else {
            assert_eq!(change, NeighChange::Removed);
        }

        ip(
            &p.leaf,
            "-6 neigh add 2001:db8:77::21 lladdr 02:00:00:00:00:23 router nud reachable dev veth0",
        );
        let (change, n) = c.neighbour("2001:db8:77::21").await;
        assert_eq!(change, NeighChange::Added);
        assert!(n.is_router);

        let counted = c.tracker.counters();
        assert!(counted.events >= 4, "{counted:?}");
        assert_eq!(counted.resyncs, 0, "{counted:?}");
    });
}

#[test]
fn link_state_addresses_and_link_removal_arrive_as_events() {
    let Some(p) = pair() else { return };
    in_netns(&p.leaf, || async {
        let mut c = Consumer::start(TrackerOptions::default());
        c.snapshot().await;
        let veth0 = c
            .links
            .index_of("veth0")
            .expect("veth0 known from the snapshot");
        let address_of = |local: &'static str| move |e: &NeighEvent| matches!(e, NeighEvent::Address(_, a) if a.local.to_string() == local);

        ip(&p.leaf, "addr add 10.88.1.1/16 dev veth0");
        let event = c.until("10.88.1.1 added", address_of("10.88.1.1")).await;
        let NeighEvent::Address(true, a) = event else {
            panic!("not an addition: {event:?}");
        };
        assert_eq!((a.ifindex, a.scope_global), (veth0, true));
        assert_eq!(a.prefix.to_string(), "10.88.0.0/16");

        ip(&p.leaf, "addr add 2001:db8:88::1/64 dev veth0");
        let event = c
            .until("2001:db8:88::1 added", address_of("2001:db8:88::1"))
            .await;
        let NeighEvent::Address(true, a) = event else {
            panic!("not an addition: {event:?}");
        };
        assert_eq!(a.prefix.to_string(), "2001:db8:88::/64");

        ip(&p.leaf, "addr del 10.88.1.1/16 dev veth0");
        let event = c.until("10.88.1.1 removed", address_of("10.88.1.1")).await;
        assert!(matches!(event, NeighEvent::Address(false, _)), "{event:?}");

        ip(&p.leaf, "link set veth0 down");
        let veth0_up = |up: bool| move |e: &NeighEvent| matches!(e, NeighEvent::Link(l) if l.ifindex == veth0 && l.up == up);
        c.until("veth0 down", veth0_up(false)).await;
        assert!(!c.links.is_up(veth0));
        ip(&p.leaf, "link set veth0 up");
        c.until("veth0 up", veth0_up(true)).await;

        ip(&p.leaf, "link add br7 type bridge");
        let event = c
            .until(
                "br7",
                |e| matches!(e, NeighEvent::Link(l) if &*l.name == "br7"),
            )
            .await;
        let NeighEvent::Link(br7) = event else {
            unreachable!("until returned a matching event");
        };
        assert_eq!(br7.kind.as_deref(), Some("bridge"));
        ip(&p.leaf, "link del br7");
        let event = c
            .until("br7 removed", |e| matches!(e, NeighEvent::LinkRemoved(..)))
            .await;
        assert_eq!(event, NeighEvent::LinkRemoved(br7.ifindex, "br7".into()));
        assert_eq!(c.links.index_of("br7"), None);
    });
}

#[test]
fn an_overrun_resyncs_with_a_snapshot_of_every_entry() {
    const BURST: u32 = 2000;
    let Some(p) = pair() else { return };
    in_netns(&p.leaf, || async {
        let opts = TrackerOptions {
            receive_buffer: 4096,
            channel_capacity: 16,
        };
        let mut c = Consumer::start(opts);
        c.snapshot().await;
        // `ip -batch` runs as a child process while the tracker task keeps
        // running and this consumer reads nothing: the channel fills, the
        // tracker stops reading, the 4 KiB socket buffer overflows.
        // PERMANENT entries, so the kernel's neighbour GC limit (gc_thresh3,
        // shared by all namespaces) does not refuse the burst.
        let ips: Vec<String> = (0..BURST)
            .map(|i| format!("10.77.{}.{}", 10 + i / 200, 1 + i % 200))
            .collect();
        let mut batch = String::new();
        for (i, ip) in ips.iter().enumerate() {
            let (hi, lo) = (i / 256, i % 256);
            batch += &format!(
                "neigh add {ip} lladdr 02:00:00:01:{hi:02x}:{lo:02x} nud permanent dev veth0\n"
            );
        }
        let path = p.leaf.workdir().join("burst.batch");
        std::fs::write(&path, batch).expect("write the batch file");
        let status = tokio::process::Command::new("ip")
            .args(["-n", p.leaf.name(), "-batch"])
            .arg(&path)
            .status()
            .await
            .expect("run ip -batch");
        assert!(status.success(), "ip -batch: {status}");

        let burst: HashSet<IpAddr> = ips.iter().map(|s| s.parse().unwrap()).collect();
        let holds_burst = |s: &Snapshot| {
            s.neighbours
                .iter()
                .filter(|n| burst.contains(&n.ip))
                .count()
                == burst.len()
        };
        let event = c
            .until(
                "a snapshot holding the whole burst",
                |e| matches!(e, NeighEvent::Snapshot(s) if holds_burst(s)),
            )
            .await;
        let NeighEvent::Snapshot(s) = event else {
            unreachable!("until returned a matching event");
        };
        let keys: HashSet<_> = s.neighbours.iter().map(|n| (n.ifindex, n.ip)).collect();
        assert_eq!(keys.len(), s.neighbours.len(), "duplicates in the snapshot");
        let from_burst = s.neighbours.iter().filter(|n| burst.contains(&n.ip));
        assert!(from_burst.clone().all(|n| n.state == NudState::PERMANENT));
        assert_eq!(from_burst.count(), BURST as usize);
        let counted = c.tracker.counters();
        assert!(counted.overruns >= 1 && counted.resyncs >= 1, "{counted:?}");
        assert!(counted.snapshots >= 2, "{counted:?}");
        eprintln!(
            "burst of {BURST} with a {} byte receive buffer: {counted:?}",
            c.tracker.receive_buffer()
        );

        // and it keeps following after the resync
        ip(
            &p.leaf,
            "neigh add 10.77.0.99 lladdr 02:00:00:00:00:99 nud reachable dev veth0",
        );
        let (change, _) = c.neighbour("10.77.0.99").await;
        assert_eq!(change, NeighChange::Added);
    });
}

#[test]
fn a_watched_bridge_port_folds_into_the_bridge_and_fdb_entries_stay_out() {
    let Some(p) = pair() else { return };
    ip(&p.leaf, "link add br0 type bridge");
    ip(&p.leaf, "addr del 10.77.0.1/16 dev veth0");
    ip(&p.leaf, "link set veth0 master br0");
    ip(&p.leaf, "addr add 10.77.0.1/16 dev br0");
    ip(&p.leaf, "link set br0 up");
    in_netns(&p.leaf, || async {
        let mut c = Consumer::start(TrackerOptions::default());
        let s = c.snapshot().await;
        let br0 = c.links.index_of("br0").expect("br0 known");
        let veth0 = s
            .links
            .iter()
            .find(|l| &*l.name == "veth0")
            .expect("veth0 known");
        assert_eq!(veth0.master, Some(br0));
        assert_eq!(
            c.links.get(br0).and_then(|l| l.kind.as_deref()),
            Some("bridge")
        );
        if !c.links.is_up(br0) {
            let br0_up =
                |e: &NeighEvent| matches!(e, NeighEvent::Link(l) if l.ifindex == br0 && l.up);
            c.until("br0 up", br0_up).await;
        }

        // a bridge FDB entry is a neighbour message of family AF_BRIDGE
        let ignored_before = c.tracker.counters().ignored;
        let fdb = [
            "fdb",
            "add",
            "02:00:00:00:77:77",
            "dev",
            "veth0",
            "master",
            "static",
        ];
        p.leaf.exec("bridge", fdb).expect("bridge fdb add");
        ip(
            &p.leaf,
            "neigh add 10.77.0.31 lladdr 02:00:00:00:00:31 nud reachable dev br0",
        );
        let any_neighbour = |e: &NeighEvent| matches!(e, NeighEvent::Neighbour(..));
        let NeighEvent::Neighbour(change, n) = c.until("a neighbour event", any_neighbour).await
        else {
            unreachable!("until returned a matching event");
        };
        assert_eq!(
            n.ip.to_string(),
            "10.77.0.31",
            "the FDB entry must not come out as a neighbour"
        );
        assert_eq!(change, NeighChange::Added);
        assert_eq!((n.ifindex, &*n.iface), (br0, "br0"));
        assert!(c.tracker.counters().ignored > ignored_before);

        let on_br0 = Verdict::Track {
            iface: "br0".into(),
        };
        let by_port = Watch {
            interfaces: vec!["veth0".into()],
            prefixes: vec![],
            permanent: false,
        };
        assert_eq!(by_port.classify(&n, &c.links), on_br0);
        let by_bridge = Watch {
            interfaces: vec!["br0".into()],
            ..by_port.clone()
        };
        assert_eq!(by_bridge.classify(&n, &c.links), on_br0);
        let elsewhere = Watch {
            interfaces: vec!["lo".into()],
            ..by_port
        };
        assert_eq!(
            elsewhere.classify(&n, &c.links),
            Verdict::Ignore("interface not watched")
        );
    });
}
