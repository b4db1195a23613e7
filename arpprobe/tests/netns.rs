//! End-to-end tests in network namespaces: the `arpprobe` binary probes real
//! Linux kernels over veth, bridge, VLAN and macvlan interfaces.
//!
//! Each test makes its own namespaces, named `apt<pid>x<n>-…`, and deletes
//! them when it ends (a guard with Drop); namespaces left by a crashed run
//! (whose pid no longer exists) are deleted first. Tests wait for conditions
//! with bounded polling and never assert on timing. They need root (CI runs
//! as root) and are skipped with a message otherwise. No frame leaves the
//! namespaces the tests created.

#[path = "support/netns.rs"]
mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::*;

#[test]
fn probes_are_answered_by_real_kernels_ipv4_and_ipv6() {
    if !can_run() {
        return;
    }
    let mut n = Namespaces::new();
    let (leaf, host) = (n.add("leaf"), n.add("host"));
    let mac = leaf_host_link(&leaf, &host, 51, true);
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
    let mac = mac.as_str();
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
    let mac = leaf_host_link(&leaf, &host, 52, false);
    let mac = mac.as_str();
    ip(&format!("-n {host} addr add 10.52.0.3/24 dev h0"));
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
    let old = leaf_host_link(&leaf, &host, 53, true);
    let old = old.as_str();
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
    let make = || leaf_host_link(&leaf, &host, 55, false);
    let mac = make();
    let mac = mac.as_str();
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
