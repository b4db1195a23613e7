//! End-to-end tests in network namespaces: the `arpprobe` binary probes real
//! Linux kernels over veth, bridge, VLAN and macvlan interfaces.
//!
//! Each test makes its own namespaces, named `apt<pid>x<n>-…`, and deletes
//! them when it ends (a guard with Drop); namespaces left by a crashed run
//! (whose pid no longer exists) are deleted first. Tests wait for conditions
//! with bounded polling and never assert on timing. They need root (CI runs
//! as root) and are skipped with a message otherwise. No frame leaves the
//! namespaces the tests created.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_arpprobe");
const WAIT: Duration = Duration::from_secs(30);

fn can_run() -> bool {
    let ok = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
        && Command::new("ip")
            .args(["netns", "list"])
            .output()
            .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIPPED: namespace tests need root and iproute2");
    }
    ok
}

fn ip(args: &str) {
    let out = Command::new("ip")
        .args(args.split_whitespace())
        .output()
        .expect("run ip");
    assert!(
        out.status.success(),
        "ip {args}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn ns_exec(ns: &str, cmd: &str) -> std::process::Output {
    Command::new("ip")
        .args(["netns", "exec", ns])
        .args(cmd.split_whitespace())
        .output()
        .expect("run ip netns exec")
}

/// Namespaces of one test, deleted on drop.
struct Namespaces {
    prefix: String,
    made: Vec<String>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl Namespaces {
    fn new() -> Namespaces {
        remove_leftovers();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        Namespaces {
            prefix: format!("apt{}x{n}-", std::process::id()),
            made: Vec::new(),
        }
    }

    fn add(&mut self, short: &str) -> String {
        let name = format!("{}{short}", self.prefix);
        ip(&format!("netns add {name}"));
        ip(&format!("-n {name} link set lo up"));
        self.made.push(name.clone());
        name
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for n in &self.made {
            let _ = Command::new("ip").args(["netns", "del", n]).status();
        }
    }
}

/// Deletes namespaces of earlier runs whose test process is gone.
fn remove_leftovers() {
    let Ok(out) = Command::new("ip").args(["netns", "list"]).output() else {
        return;
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        let Some(rest) = name.strip_prefix("apt") else {
            continue;
        };
        let Some(pid) = rest.split('x').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = Command::new("ip").args(["netns", "del", name]).status();
        }
    }
}

/// A veth pair `a` (in `ns_a`) <-> `b` (in `ns_b`) with fixed MACs, both up.
fn veth(ns_a: &str, a: &str, mac_a: &str, ns_b: &str, b: &str, mac_b: &str) {
    ip(&format!("link add {a} netns {ns_a} address {mac_a} type veth peer name {b} netns {ns_b} address {mac_b}"));
    ip(&format!("-n {ns_a} link set {a} up"));
    ip(&format!("-n {ns_b} link set {b} up"));
}

/// The arpprobe binary running in a namespace, its output collected as lines.
struct Probe {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Probe {
    fn start(ns: &str, targets: &[(&str, &str, &str)], extra: &[&str]) -> Probe {
        let mut cmd = Command::new("ip");
        cmd.args([
            "netns",
            "exec",
            ns,
            BIN,
            "probe",
            "--stdin",
            "--interval",
            "200ms",
            "--link-recheck",
            "200ms",
        ]);
        for (iface, ipaddr, mac) in targets {
            cmd.args(["--target", &format!("{iface},{ipaddr},{mac}")]);
        }
        cmd.args(extra);
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn arpprobe");
        let stdout = child.stdout.take().expect("piped");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap_or_else(|p| p.into_inner()).push(line);
            }
        });
        let stdin = child.stdin.take();
        let p = Probe {
            child,
            stdin,
            lines,
        };
        p.wait_for(0, |l| l.contains("\"event\":\"ready\""));
        p
    }

    fn len(&self) -> usize {
        self.lines.lock().unwrap().len()
    }

    /// Waits (bounded) for a line at index >= `from` matching `pred`; returns its index.
    fn wait_for(&self, from: usize, pred: impl Fn(&str) -> bool) -> usize {
        let start = Instant::now();
        loop {
            {
                let lines = self.lines.lock().unwrap();
                if let Some(i) = lines.iter().skip(from).position(|l| pred(l)) {
                    return from + i;
                }
            }
            assert!(
                start.elapsed() < WAIT,
                "timed out; output so far:\n{}",
                self.lines.lock().unwrap().join("\n")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn lines_from(&self, from: usize) -> Vec<String> {
        self.lines.lock().unwrap()[from..].to_vec()
    }

    /// Closes stdin, waits for exit, returns the final counters line.
    fn stop(mut self) -> String {
        drop(self.stdin.take());
        let n = self.len();
        let i = self.wait_for(n.saturating_sub(1), |l| {
            l.contains("\"event\":\"counters\"")
        });
        let _ = self.child.wait();
        self.lines.lock().unwrap()[i].clone()
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn counter(line: &str, name: &str) -> u64 {
    let key = format!("\"{name}\":");
    let at = line
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {line}"))
        + key.len();
    line[at..]
        .split([',', '}'])
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn is(kind: &str, ipaddr: &str) -> impl Fn(&str) -> bool {
    let k = format!("\"event\":\"{kind}\"");
    let i = format!("\"ip\":\"{ipaddr}\"");
    move |l: &str| l.contains(&k) && l.contains(&i)
}

fn link_local(ns: &str, dev: &str) -> String {
    let out = ns_exec(ns, &format!("ip -6 -o addr show dev {dev} scope link"));
    let s = String::from_utf8_lossy(&out.stdout).to_string();
    let at = s
        .find("fe80::")
        .unwrap_or_else(|| panic!("no link-local on {dev}: {s}"));
    s[at..].split('/').next().unwrap().to_string()
}

/// Tries to create a link of `kind` (kept if it works, for bonds); false,
/// with a message, where the kernel lacks the driver.
fn optional_link(ns: &str, name: &str, kind: &str) -> bool {
    let probe = if kind == "vlan" {
        format!("{name}x")
    } else {
        name.to_string()
    };
    let mut args = vec!["-n", ns, "link", "add"];
    if kind == "vlan" {
        args.extend(["link", "lo", "name", &probe, "type", "vlan", "id", "9"]);
    } else {
        args.extend([probe.as_str(), "type", kind]);
    }
    let out = Command::new("ip").args(&args).output().expect("run ip");
    if kind == "vlan" && out.status.success() {
        ip(&format!("-n {ns} link del {probe}"));
    }
    let ok = out.status.success()
        || !String::from_utf8_lossy(&out.stderr).contains("Unknown device type");
    if !ok {
        eprintln!("{kind} part SKIPPED: no {kind} driver in this kernel");
    }
    ok
}

#[test]
fn probes_are_answered_by_real_kernels_ipv4_and_ipv6() {
    if !can_run() {
        return;
    }
    let mut n = Namespaces::new();
    let (leaf, host) = (n.add("leaf"), n.add("host"));
    veth(
        &leaf,
        "p0",
        "02:00:00:51:00:01",
        &host,
        "h0",
        "02:00:00:51:00:02",
    );
    ip(&format!("-n {leaf} addr add 10.51.0.1/24 dev p0"));
    ip(&format!(
        "-n {leaf} addr add 2001:db8:51::1/64 dev p0 nodad"
    ));
    ip(&format!("-n {host} addr add 10.51.0.2/24 dev h0"));
    ip(&format!(
        "-n {host} addr add 2001:db8:51::2/64 dev h0 nodad"
    ));
    // wait for the host's link-local address (DAD)
    let start = Instant::now();
    while !String::from_utf8_lossy(&ns_exec(&host, "ip -6 -o addr show dev h0 scope link").stdout)
        .contains("fe80::")
        || String::from_utf8_lossy(&ns_exec(&host, "ip -6 -o addr show dev h0").stdout)
            .contains("tentative")
    {
        assert!(start.elapsed() < WAIT, "no link-local address");
        std::thread::sleep(Duration::from_millis(50));
    }
    let ll = link_local(&host, "h0");
    let mac = "02:00:00:51:00:02";
    let p = Probe::start(
        &leaf,
        &[
            ("p0", "10.51.0.2", mac),
            ("p0", "2001:db8:51::2", mac),
            ("p0", &ll, mac),
        ],
        &[],
    );
    for ipaddr in ["10.51.0.2", "2001:db8:51::2", ll.as_str()] {
        let i = p.wait_for(0, is("alive", ipaddr));
        assert!(p.lines_from(i)[0].contains(&format!("\"mac\":\"{mac}\"")));
    }
    let c = p.stop();
    assert_eq!(counter(&c, "conflicts"), 0);
    assert_eq!(counter(&c, "dropped_malformed"), 0);
    assert!(counter(&c, "replies_matched") >= 3);
}

#[test]
fn removed_host_no_longer_answers() {
    if !can_run() {
        return;
    }
    let mut n = Namespaces::new();
    let (leaf, host) = (n.add("leaf"), n.add("host"));
    veth(
        &leaf,
        "p0",
        "02:00:00:52:00:01",
        &host,
        "h0",
        "02:00:00:52:00:02",
    );
    ip(&format!("-n {leaf} addr add 10.52.0.1/24 dev p0"));
    ip(&format!("-n {host} addr add 10.52.0.2/24 dev h0"));
    ip(&format!("-n {host} addr add 10.52.0.3/24 dev h0"));
    let mac = "02:00:00:52:00:02";
    let p = Probe::start(
        &leaf,
        &[("p0", "10.52.0.2", mac), ("p0", "10.52.0.3", mac)],
        &["--report-sent"],
    );
    p.wait_for(0, is("alive", "10.52.0.2"));
    p.wait_for(0, is("alive", "10.52.0.3"));
    // the host 10.52.0.3 goes away: its (secondary) address is removed
    ip(&format!("-n {host} addr del 10.52.0.3/24 dev h0"));
    let mark = p.len();
    // after two more probes, any answer to a probe sent before the removal is in
    let first = p.wait_for(mark, is("probe_sent", "10.52.0.3"));
    let second = p.wait_for(first + 1, is("probe_sent", "10.52.0.3"));
    let third = p.wait_for(second + 1, is("probe_sent", "10.52.0.3"));
    let fourth = p.wait_for(third + 1, is("probe_sent", "10.52.0.3"));
    // the other host answers all along
    p.wait_for(second, is("alive", "10.52.0.2"));
    let after = p.lines_from(second);
    assert!(
        !after[..fourth - second]
            .iter()
            .any(|l| is("alive", "10.52.0.3")(l)),
        "removed host reported alive:\n{}",
        after.join("\n")
    );
    p.stop();
}

#[test]
fn changed_mac_is_reported_as_conflict() {
    if !can_run() {
        return;
    }
    let mut n = Namespaces::new();
    let (leaf, host) = (n.add("leaf"), n.add("host"));
    veth(
        &leaf,
        "p0",
        "02:00:00:53:00:01",
        &host,
        "h0",
        "02:00:00:53:00:02",
    );
    ip(&format!("-n {leaf} addr add 10.53.0.1/24 dev p0"));
    ip(&format!(
        "-n {leaf} addr add 2001:db8:53::1/64 dev p0 nodad"
    ));
    ip(&format!("-n {host} addr add 10.53.0.2/24 dev h0"));
    ip(&format!(
        "-n {host} addr add 2001:db8:53::2/64 dev h0 nodad"
    ));
    let old = "02:00:00:53:00:02";
    let new = "02:00:00:53:00:99";
    let p = Probe::start(
        &leaf,
        &[("p0", "10.53.0.2", old), ("p0", "2001:db8:53::2", old)],
        &[],
    );
    p.wait_for(0, is("alive", "10.53.0.2"));
    p.wait_for(0, is("alive", "2001:db8:53::2"));
    // the host's NIC changes (a VM moved, a card was replaced); defaults: no announcement
    ip(&format!("-n {host} link set h0 address {new}"));
    let mark = p.len();
    // the leaf's own kernel re-resolves the host (traffic to it); the answers,
    // from the new MAC, reach our sockets and must be conflicts
    ip(&format!("-n {leaf} neigh flush dev p0"));
    let _ = ns_exec(&leaf, "ping -c1 -W1 10.53.0.2");
    let _ = ns_exec(&leaf, "ping -6 -c1 -W1 2001:db8:53::2");
    for ipaddr in ["10.53.0.2", "2001:db8:53::2"] {
        let i = p.wait_for(mark, is("conflict", ipaddr));
        let line = &p.lines_from(i)[0];
        assert!(
            line.contains(&format!("\"seen_mac\":\"{new}\""))
                && line.contains(&format!("\"mac\":\"{old}\"")),
            "{line}"
        );
    }
    // and no liveness of the old MAC after the change
    let later = p.wait_for(mark, |l| l.contains("\"event\":\"conflict\""));
    assert!(!p
        .lines_from(later)
        .iter()
        .any(|l| l.contains("\"event\":\"alive\"")));
    let c = p.stop();
    assert!(counter(&c, "conflicts") >= 2);
}

#[test]
fn spoofed_and_malformed_replies_are_ignored() {
    if !can_run() {
        return;
    }
    let mut n = Namespaces::new();
    let (leaf, host, other) = (n.add("leaf"), n.add("host"), n.add("other"));
    veth(
        &leaf,
        "p0",
        "02:00:00:54:00:01",
        &host,
        "h0",
        "02:00:00:54:00:02",
    );
    veth(
        &leaf,
        "p1",
        "02:00:00:54:01:01",
        &other,
        "o1",
        "02:00:00:54:01:02",
    );
    ip(&format!("-n {leaf} addr add 10.54.0.1/24 dev p0"));
    ip(&format!("-n {leaf} addr add 10.54.1.1/24 dev p1"));
    // the victim 10.54.0.2 has no address anywhere: only the spoofer "answers"
    let victim = "02:00:00:54:00:02";
    let p = Probe::start(
        &leaf,
        &[
            ("p0", "10.54.0.2", victim),
            ("p0", "10.54.0.3", "02:00:00:54:00:33"),
            ("p1", "10.54.1.3", "02:00:00:54:01:33"),
        ],
        &[],
    );
    p.wait_for(0, |l| {
        l.contains("\"state\":\"up\"") && l.contains("\"p1\"")
    });
    p.wait_for(0, |l| {
        l.contains("\"state\":\"up\"") && l.contains("\"p0\"")
    });
    let arp = |dst: &str, sha: &str, spa: &str, tha: &str, tpa: &str| -> String {
        let mac = |m: &str| m.replace(':', "");
        let ip4 = |a: &str| {
            a.split('.')
                .map(|o| format!("{:02x}", o.parse::<u8>().unwrap()))
                .collect::<String>()
        };
        format!(
            "{}{}0806000108000604{}{}{}{}{}",
            mac(dst),
            mac(sha),
            "0002",
            mac(sha),
            ip4(spa),
            mac(tha),
            ip4(tpa)
        )
    };
    let send = |ns: &str, dev: &str, hex: &str| {
        let out = Command::new("ip")
            .args(["netns", "exec", ns, BIN, "send-frame", dev, hex])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "send-frame: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let leaf0 = "02:00:00:54:00:01";
    let leaf1 = "02:00:00:54:01:01";
    // wrong target MAC (Ethernet and ARP), wrong target IP
    send(
        &host,
        "h0",
        &arp(
            "02:00:00:54:00:77",
            victim,
            "10.54.0.2",
            "02:00:00:54:00:77",
            "10.54.0.1",
        ),
    );
    send(
        &host,
        "h0",
        &arp(leaf0, victim, "10.54.0.2", "02:00:00:54:00:77", "10.54.0.1"),
    );
    send(
        &host,
        "h0",
        &arp(leaf0, victim, "10.54.0.2", leaf0, "10.54.0.99"),
    );
    // right everything, but on the wrong interface
    send(
        &other,
        "o1",
        &arp(leaf1, victim, "10.54.0.2", leaf1, "10.54.1.1"),
    );
    // truncated reply (passes the filter, fails the parser)
    send(
        &host,
        "h0",
        &arp(leaf0, victim, "10.54.0.2", leaf0, "10.54.0.1")[..60],
    );
    // sentinels: valid answers for other targets on each interface, sent last
    send(
        &host,
        "h0",
        &arp(leaf0, "02:00:00:54:00:33", "10.54.0.3", leaf0, "10.54.0.1"),
    );
    send(
        &other,
        "o1",
        &arp(leaf1, "02:00:00:54:01:33", "10.54.1.3", leaf1, "10.54.1.1"),
    );
    p.wait_for(0, is("alive", "10.54.0.3"));
    p.wait_for(0, is("alive", "10.54.1.3"));
    let all = p.lines_from(0);
    let c = p.stop();
    assert!(
        !all.iter().any(|l| l.contains("\"ip\":\"10.54.0.2\"")),
        "spoof accepted:\n{}",
        all.join("\n")
    );
    assert_eq!(counter(&c, "dropped_not_for_us"), 3, "{c}");
    assert_eq!(counter(&c, "dropped_unexpected_iface"), 1, "{c}");
    assert_eq!(counter(&c, "dropped_malformed"), 1, "{c}");
}

#[test]
fn interface_down_up_deleted_and_recreated_resumes_probing_without_leaks() {
    if !can_run() {
        return;
    }
    let mut n = Namespaces::new();
    let (leaf, host) = (n.add("leaf"), n.add("host"));
    let mac = "02:00:00:55:00:02";
    let make = || {
        veth(&leaf, "p0", "02:00:00:55:00:01", &host, "h0", mac);
        ip(&format!("-n {leaf} addr add 10.55.0.1/24 dev p0"));
        ip(&format!("-n {host} addr add 10.55.0.2/24 dev h0"));
    };
    make();
    let p = Probe::start(&leaf, &[("p0", "10.55.0.2", mac)], &[]);
    let mut up = p.wait_for(0, |l| l.contains("\"state\":\"up\""));
    p.wait_for(up, is("alive", "10.55.0.2"));
    let first_up = p.lines_from(up)[0].clone();
    // down and up again
    ip(&format!("-n {leaf} link set p0 down"));
    let down = p.wait_for(up + 1, |l| l.contains("\"state\":\"down\""));
    ip(&format!("-n {leaf} link set p0 up"));
    up = p.wait_for(down, |l| l.contains("\"state\":\"up\""));
    p.wait_for(up, is("alive", "10.55.0.2"));
    // deleted and re-created, three times: a new ifindex each time
    let mut ups = vec![first_up];
    for _ in 0..3 {
        ip(&format!("-n {leaf} link del p0"));
        let down = p.wait_for(up + 1, |l| l.contains("\"state\":\"down\""));
        make();
        up = p.wait_for(down, |l| l.contains("\"state\":\"up\""));
        ups.push(p.lines_from(up)[0].clone());
        p.wait_for(up, is("alive", "10.55.0.2"));
    }
    let mut distinct = ups.clone();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        4,
        "each re-creation has a new ifindex: {ups:?}"
    );
    let c = p.stop();
    // one TX socket and two RX sockets (ARP, IPv6) for the one interface
    assert_eq!(counter(&c, "sockets_open"), 3, "{c}");
    assert_eq!(counter(&c, "interface_resets"), 5, "{c}");
}

#[test]
fn probes_at_bridge_vlan_and_macvlan_interfaces() {
    if !can_run() {
        return;
    }
    let mut n = Namespaces::new();
    let (leaf, host) = (n.add("leaf"), n.add("host"));
    // bridge with an SVI address: probing at br0, the host behind port p2
    veth(
        &leaf,
        "p2",
        "02:00:00:56:02:01",
        &host,
        "h2",
        "02:00:00:56:02:02",
    );
    ip(&format!(
        "-n {leaf} link add br0 address 02:00:00:56:02:0b type bridge"
    ));
    ip(&format!("-n {leaf} link set p2 master br0"));
    ip(&format!("-n {leaf} link set br0 up"));
    ip(&format!("-n {leaf} addr add 10.56.2.1/24 dev br0"));
    ip(&format!("-n {host} addr add 10.56.2.2/24 dev h2"));
    // macvlan on the leaf side
    veth(
        &leaf,
        "p4",
        "02:00:00:56:04:01",
        &host,
        "h4",
        "02:00:00:56:04:02",
    );
    ip(&format!(
        "-n {leaf} link add link p4 name mv0 address 02:00:00:56:04:0a type macvlan mode bridge"
    ));
    ip(&format!("-n {leaf} link set mv0 up"));
    ip(&format!("-n {leaf} addr add 10.56.4.1/24 dev mv0"));
    ip(&format!("-n {host} addr add 10.56.4.2/24 dev h4"));
    let p = Probe::start(
        &leaf,
        &[
            ("br0", "10.56.2.2", "02:00:00:56:02:02"),
            ("mv0", "10.56.4.2", "02:00:00:56:04:02"),
        ],
        &[],
    );
    for (ipaddr, iface) in [("10.56.2.2", "br0"), ("10.56.4.2", "mv0")] {
        let i = p.wait_for(0, is("alive", ipaddr));
        assert!(p.lines_from(i)[0].contains(&format!("\"iface\":\"{iface}\"")));
    }
    // VLAN subinterfaces: only where the kernel has the 8021q driver
    if optional_link(&leaf, "p3", "vlan") {
        veth(
            &leaf,
            "p3",
            "02:00:00:56:03:01",
            &host,
            "h3",
            "02:00:00:56:03:02",
        );
        ip(&format!(
            "-n {leaf} link add link p3 name p3.100 type vlan id 100"
        ));
        ip(&format!(
            "-n {host} link add link h3 name h3.100 type vlan id 100"
        ));
        ip(&format!("-n {leaf} link set p3.100 up"));
        ip(&format!("-n {host} link set h3.100 up"));
        ip(&format!("-n {leaf} addr add 10.56.3.1/24 dev p3.100"));
        ip(&format!("-n {host} addr add 10.56.3.2/24 dev h3.100"));
        // the same address untagged on the parent: its answers are not the VLAN's
        ip(&format!("-n {host} addr add 10.56.3.2/24 dev h3"));
        ip(&format!("-n {leaf} addr add 10.56.30.1/24 dev p3"));
        let pv = Probe::start(&leaf, &[("p3.100", "10.56.3.2", "02:00:00:56:03:02")], &[]);
        let i = pv.wait_for(0, is("alive", "10.56.3.2"));
        assert!(pv.lines_from(i)[0].contains("\"iface\":\"p3.100\""));
        pv.stop();
    }
    // bonds: only where the kernel has the bonding driver
    if optional_link(&leaf, "bond0", "bond") {
        veth(
            &leaf,
            "p5",
            "02:00:00:56:05:01",
            &host,
            "h5",
            "02:00:00:56:05:02",
        );
        ip(&format!("-n {leaf} link set p5 down"));
        ip(&format!("-n {leaf} link set p5 master bond0"));
        ip(&format!("-n {leaf} link set bond0 up"));
        ip(&format!("-n {leaf} addr add 10.56.5.1/24 dev bond0"));
        ip(&format!("-n {host} addr add 10.56.5.2/24 dev h5"));
        let p5 = Probe::start(&leaf, &[("bond0", "10.56.5.2", "02:00:00:56:05:02")], &[]);
        p5.wait_for(0, is("alive", "10.56.5.2"));
        p5.stop();
    }
    let c = p.stop();
    assert_eq!(counter(&c, "conflicts"), 0, "{c}");
}
