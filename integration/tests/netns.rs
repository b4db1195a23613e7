//! Namespaces clean up after themselves: dropping a `Netns` kills its
//! processes and deletes it (also when a test panics), and `cleanup_prefix`
//! removes what a crashed run left behind.

use std::process::Stdio;
use std::time::Duration;

use integration::link::{mac, veth};
use integration::{cleanup_prefix, wait_until, Netns};

fn namespaces() -> Vec<String> {
    let out = std::process::Command::new("ip")
        .args(["netns", "list"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        s.rsplit_once(')')
            .is_some_and(|(_, r)| !r.trim_start().starts_with('Z'))
    })
}

/// A process in the namespace that is not our child (as a daemonised
/// FRR would be): `setsid` forks, the sleep outlives the setsid we reap.
fn orphan_sleep(ns: &Netns) -> u32 {
    let mut c = ns
        .command("setsid")
        .args(["-f", "sleep", "600"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    c.wait().unwrap();
    wait_until(
        Duration::from_secs(10),
        "the sleep in the namespace",
        || ns.pids().ok()?.first().copied(),
    )
    .unwrap()
}

#[test]
fn drop_removes_the_namespace_and_its_processes() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let a = Netns::new("itdrop-", "a")?;
    let b = Netns::new("itdrop-", "b")?;
    veth(&a, "eth0", &mac(0x0901), &b, "eth0", &mac(0x0902))?;
    a.add_addr("eth0", "10.9.0.1/30")?;
    b.add_addr("eth0", "10.9.0.2/30")?;
    a.exec("ping", ["-c1", "-W5", "10.9.0.2"])?;
    let ll = a.wait_link_local("eth0", Duration::from_secs(10))?;
    assert!(ll.segments()[0] == 0xfe80, "{ll}");
    let pid = orphan_sleep(&a);
    let name = a.name().to_string();
    let dir = a.workdir().to_path_buf();
    assert!(namespaces().contains(&name));
    assert!(dir.is_dir());
    drop(a);
    assert!(!namespaces().contains(&name), "{name} still listed");
    assert!(!dir.exists(), "{} still there", dir.display());
    // The kernel finishes tearing a namespace down (its processes, the
    // peer's veth end) asynchronously after `ip netns del` returns.
    wait_until(
        Duration::from_secs(10),
        "the namespace's process to die",
        || (!alive(pid)).then_some(()),
    )?;
    wait_until(Duration::from_secs(10), "the peer's veth end to go", || {
        b.ip(["link", "show", "eth0"]).is_err().then_some(())
    })?;
    Ok(())
}

#[test]
fn drop_during_a_panic_removes_the_namespace() {
    if !integration::can_run() {
        return;
    }
    let name = std::sync::Mutex::new(String::new());
    let r = std::panic::catch_unwind(|| {
        let ns = Netns::new("itpanic-", "a").unwrap();
        *name.lock().unwrap() = ns.name().to_string();
        panic!("a test fails while its namespace exists");
    });
    assert!(r.is_err());
    let name = name.into_inner().unwrap();
    assert!(!name.is_empty());
    assert!(!namespaces().contains(&name), "{name} survived the panic");
}

#[test]
fn cleanup_prefix_removes_leftovers() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    // a crashed run: namespaces whose guards never ran
    let a = Netns::new("itleft-", "a")?;
    let b = Netns::new("itleft-", "b")?;
    let pid = orphan_sleep(&a);
    let names = [a.name().to_string(), b.name().to_string()];
    let dirs = [a.workdir().to_path_buf(), b.workdir().to_path_buf()];
    std::mem::forget(a);
    std::mem::forget(b);
    let other = Netns::new("itleftover-other-", "c")?;
    let mut removed = cleanup_prefix("itleft-")?;
    removed.sort();
    assert_eq!(removed, names);
    let now = namespaces();
    for n in &names {
        assert!(!now.contains(n), "{n} survived cleanup");
    }
    for d in &dirs {
        assert!(!d.exists(), "{} survived cleanup", d.display());
    }
    assert!(!alive(pid), "process {pid} survived cleanup");
    assert!(
        now.contains(&other.name().to_string()),
        "another prefix was removed"
    );
    assert!(cleanup_prefix("itleft-")?.is_empty());
    Ok(())
}
