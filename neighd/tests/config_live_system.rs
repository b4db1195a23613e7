//! `LiveSystem` asks the network namespace the process runs in, not the
//! one sysfs happens to show: `neighd --check` run with `nsenter --net`
//! (which does not remount /sys) must see the namespace's interfaces.
//!
//! Needs root (skips with a SKIPPED line otherwise): creates the network
//! namespace `neighd-config-<pid>` with a veth pair inside it, always removed.

use std::process::{Command, Output};

use neighd::config::{parse, LiveSystem, SystemView};

const CHILD_IFNAME_VAR: &str = "NEIGHD_CONFIG_TEST_IFNAME";
const CHILD_MARK: &str = "child: interface seen through /proc";

/// A network namespace that is deleted when dropped, also on panic.
struct Netns(String);

impl Netns {
    fn create(name: String) -> Netns {
        run(&["ip", "netns", "add", &name]);
        Netns(name)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

fn run(args: &[&str]) -> Output {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

#[test]
fn live_system_sees_the_namespace_it_runs_in() {
    if !is_root() {
        println!("SKIPPED: live_system_sees_the_namespace_it_runs_in needs root");
        return;
    }
    if Command::new("nsenter").arg("--version").output().is_err() {
        println!("SKIPPED: live_system_sees_the_namespace_it_runs_in needs nsenter");
        return;
    }
    let pid = std::process::id();
    let ns = Netns::create(format!("neighd-config-{pid}"));
    let ifname = format!("ndcfg{}", pid % 10_000_000);
    let peer = format!("ndcfgp{}", pid % 1_000_000);
    // A veth pair with both ends in the namespace (no dummy module needed).
    run(&[
        "ip", "-n", &ns.0, "link", "add", &ifname, "type", "veth", "peer", "name", &peer,
    ]);

    // Here, in the test's own namespace, the interface does not exist.
    assert!(!LiveSystem.interface_exists(&ifname));

    // The same test binary, inside the namespace, runs the child test.
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("nsenter")
        .arg(format!("--net=/run/netns/{}", ns.0))
        .arg(&exe)
        .args([
            "--exact",
            "child_sees_its_namespace",
            "--include-ignored",
            "--nocapture",
        ])
        .env(CHILD_IFNAME_VAR, &ifname)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains(CHILD_MARK),
        "child did not run:\n{stdout}\n{stderr}"
    );
}

/// Run by the test above inside the namespace.
#[test]
#[ignore = "run by live_system_sees_the_namespace_it_runs_in inside a network namespace"]
fn child_sees_its_namespace() {
    let ifname = std::env::var(CHILD_IFNAME_VAR).expect("set by the parent test");
    assert!(LiveSystem.interface_exists(&ifname));
    assert!(LiveSystem.interface_exists("lo"));
    let text = format!(
        "[bgp]\nasn = 65011\nrouter_id = \"10.0.0.11\"\n[redistribute]\ninterfaces = [\"{ifname}\"]\n"
    );
    let config = parse(&text, "neighd.toml", &LiveSystem).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.redistribute.interfaces, vec![ifname.clone()]);
    // Not remounted by nsenter, sysfs still shows the parent's namespace.
    let in_sysfs = std::path::Path::new("/sys/class/net")
        .join(&ifname)
        .exists();
    println!("{CHILD_MARK} (sysfs shows it: {in_sysfs})");
}
