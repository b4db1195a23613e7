//! For unit tests that need a network namespace (std has no `setns`): the
//! test re-executes the test binary for itself under `ip netns exec` in a
//! namespace the outer run creates and removes; the inner run does the work.
//! tests/fib_netns.rs does the same for the integration tests.

use std::future::Future;
use std::process::Command;

const INNER: &str = "NEIGHD_FIB_UNIT_NETNS_INNER";
const DONE: &str = "fib-unit-netns: body done";

/// Runs `body` on a tokio runtime inside a new namespace. `test` must be
/// the test's full path (`fib::socket::tests::name`).
pub(crate) fn in_namespace(test: &str, body: impl Future<Output = ()>) {
    if std::env::var_os(INNER).is_some() {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
            .block_on(body);
        println!("{DONE}");
        return;
    }
    if !integration::can_run() {
        println!("SKIPPED: {test} needs root and network namespaces");
        return;
    }
    let ns = integration::Netns::new("fib-unit-", "t").expect("create the test namespace");
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
        "{test} did not run inside {}",
        ns.name()
    );
}

/// `ip ARGS…` (inside the namespace); its stdout. Panics with stderr on failure.
pub(crate) fn ip(args: &str) -> String {
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
