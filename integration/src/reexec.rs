//! Running a test's body inside a network namespace of its own without
//! `setns` (std has none, and `unsafe` stays at the raw-socket boundary):
//! the test re-executes its own binary for just itself under `ip netns
//! exec` in a namespace the outer run creates and removes (also on panic);
//! the inner run does the work and the checks, and prints a marker the
//! outer run requires, so a mistyped test name fails instead of passing.

use std::future::Future;
use std::process::Command;

use crate::netns::{can_run, Netns};

/// Set in the inner run: we are inside the test's namespace.
const INNER: &str = "NEIGHD_REEXEC_INNER";
/// Printed by the inner run once the body finished.
const DONE: &str = "reexec: body done";

/// Runs `body` on a tokio runtime inside a new namespace `<prefix>…-t`.
/// `test` is the test's path as the harness filters it (`--exact`): the
/// function name for an integration test, `module::tests::name` for a unit
/// test. Without root, prints `SKIPPED` and returns.
pub fn in_namespace(prefix: &str, test: &str, body: impl Future<Output = ()>) {
    if std::env::var_os(INNER).is_some() {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
            .block_on(body);
        println!("{DONE}");
        return;
    }
    if !can_run() {
        println!("SKIPPED: {test} needs root and network namespaces");
        return;
    }
    let ns = Netns::new(prefix, "t").expect("create the test namespace");
    let out = Command::new("ip")
        .args(["netns", "exec", ns.name()])
        .arg(std::env::current_exe().expect("the test binary's path"))
        .args(["--exact", test, "--nocapture", "--test-threads", "1"])
        .env(INNER, ns.name())
        .output()
        .expect("run the test inside the namespace");
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{test} failed inside {}", ns.name());
    assert!(
        stdout.contains(DONE),
        "{test} did not run inside {} (wrong test name?)",
        ns.name()
    );
}

/// `ip ARGS…` in the current namespace (the inner run's); its stdout.
/// Panics with ip's stderr on failure.
pub fn ip(args: &str) -> String {
    let out = Command::new("ip")
        .args(args.split_whitespace())
        .output()
        .expect("run ip");
    assert!(
        out.status.success(),
        "ip {args}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
