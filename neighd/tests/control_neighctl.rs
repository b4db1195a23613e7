//! neighctl run as a process against a control socket served in the test,
//! checking what an operator sees: the tables, the JSON, the exit codes and
//! the one-line errors.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use neighd::control::{serve, ControlServer};
use neighd::status::{HostState, HostView, PeerView, Request, Response, RouteOrigin, RouteView};
use tokio::process::Command;
use tokio::sync::{mpsc, oneshot};

const NEIGHCTL: &str = env!("CARGO_BIN_EXE_neighctl");
/// Generous: only reached when something is broken.
const PATIENCE: Duration = Duration::from_secs(30);

fn hosts() -> Vec<HostView> {
    vec![
        HostView {
            ip: "172.16.1.12".to_string(),
            mac: "52:54:00:00:00:0c".to_string(),
            interface: "swp2".to_string(),
            state: HostState::Dead,
            advertised: false,
            last_answer_ms: Some(3_400),
            misses: 3,
            conflicts: 1,
            conflict_mac: Some("52:54:00:00:00:99".to_string()),
            penalty: 0,
        },
        HostView {
            ip: "172.16.1.11".to_string(),
            mac: "52:54:00:00:00:0b".to_string(),
            interface: "swp1".to_string(),
            state: HostState::Alive,
            advertised: true,
            last_answer_ms: Some(400),
            misses: 0,
            conflicts: 0,
            conflict_mac: None,
            penalty: 0,
        },
    ]
}

fn peers() -> Vec<PeerView> {
    vec![PeerView {
        name: "swp51".to_string(),
        address: "fe80::1%swp51".to_string(),
        remote_as: "65020".to_string(),
        state: "Established".to_string(),
        uptime_secs: Some(3_723),
        prefixes_received: 9,
        prefixes_sent: 2,
        hostname: Some("spine01".to_string()),
        last_error: None,
        description: None,
    }]
}

fn routes() -> Vec<RouteView> {
    vec![RouteView {
        prefix: "172.16.1.21/32".to_string(),
        origin: RouteOrigin::Learned,
        next_hops: vec!["fe80::1%swp51".to_string(), "fe80::2%swp52".to_string()],
        peers: vec!["swp51".to_string(), "swp52".to_string()],
        as_path: "65020 65012".to_string(),
        installed: true,
    }]
}

/// The daemon's side, answering with the views above.
async fn daemon(path: &Path) -> ControlServer {
    let (tx, mut rx) = mpsc::channel::<(Request, oneshot::Sender<Response>)>(4);
    tokio::spawn(async move {
        while let Some((request, reply)) = rx.recv().await {
            let _ = reply.send(match request {
                Request::Hosts => Response::Hosts(hosts()),
                Request::Peers => Response::Peers(peers()),
                Request::Routes => Response::Routes(routes()),
            });
        }
    });
    serve(path, tx).await.expect("the control socket starts")
}

async fn neighctl(args: &[&str], env_socket: Option<&Path>) -> Output {
    let mut command = Command::new(NEIGHCTL);
    command.args(args).env_remove("NEIGHCTL_SOCKET");
    if let Some(socket) = env_socket {
        command.env("NEIGHCTL_SOCKET", socket);
    }
    tokio::time::timeout(PATIENCE, command.output())
        .await
        .expect("neighctl finishes in time")
        .expect("neighctl runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 errors")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_hosts_prints_the_table() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let socket = dir.path().join("neighd.sock");
    let _daemon = daemon(&socket).await;

    let output = neighctl(
        &[
            "--socket",
            socket.to_str().expect("UTF-8 path"),
            "show",
            "hosts",
        ],
        None,
    )
    .await;
    assert_eq!(stderr(&output), "");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output),
        "\
IP           MAC                Interface  State  Advertised  Last answer  Misses  Conflicts
172.16.1.11  52:54:00:00:00:0b  swp1       alive  yes         0.4s ago          0  0
172.16.1.12  52:54:00:00:00:0c  swp2       dead   no          3.4s ago          3  1 (last 52:54:00:00:00:99)

2 hosts: 1 alive, 1 dead; 1 advertised
"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_peers_and_routes_through_the_environment_socket() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let socket = dir.path().join("neighd.sock");
    let _daemon = daemon(&socket).await;

    let output = neighctl(&["show", "peers"], Some(&socket)).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "\
Peer            Address           AS  State         Up/Down  PfxRcd  PfxSnt  Last error
spine01(swp51)  fe80::1%swp51  65020  Established  01:02:03       9       2  -

1 peer, 1 established
"
    );

    let output = neighctl(&["show", "routes"], Some(&socket)).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "\
Prefix          Origin   Next hop       Peer   AS path      Installed
172.16.1.21/32  learned  fe80::1%swp51  swp51  65020 65012  yes
                         fe80::2%swp52  swp52

1 route: 0 advertised (0 host, 0 announce), 1 learned (1 installed)
"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_prints_the_items_as_a_pretty_array() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let socket = dir.path().join("neighd.sock");
    let _daemon = daemon(&socket).await;
    let socket_arg = format!("--socket={}", socket.display());

    let output = neighctl(&["show", "hosts", "--json", &socket_arg], None).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with("[\n  {\n    \"ip\": \"172.16.1.12\""),
        "pretty: {text}"
    );
    let parsed: Vec<HostView> = serde_json::from_str(&text).expect("a JSON array of hosts");
    assert_eq!(parsed, hosts(), "the daemon's order and every field");

    let output = neighctl(&["--json", &socket_arg, "show", "routes"], None).await;
    let parsed: Vec<RouteView> =
        serde_json::from_str(&stdout(&output)).expect("a JSON array of routes");
    assert_eq!(parsed, routes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_daemon_is_one_line_and_exit_1() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let socket = dir.path().join("neighd.sock");

    let output = neighctl(&["show", "hosts"], Some(&socket)).await;
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        format!(
            "neighctl: no daemon answers on {} (is neighd running?)\n",
            socket.display()
        )
    );

    // A dead daemon's socket file: the same.
    drop(std::os::unix::net::UnixListener::bind(&socket).expect("binds"));
    let output = neighctl(&["show", "hosts"], Some(&socket)).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).starts_with("neighctl: no daemon answers on"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_from_the_daemon_is_one_line_and_exit_1() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let socket = dir.path().join("neighd.sock");
    let (tx, mut rx) = mpsc::channel::<(Request, oneshot::Sender<Response>)>(1);
    tokio::spawn(async move {
        while let Some((_, reply)) = rx.recv().await {
            let _ = reply.send(Response::Error(
                "the host table is still loading".to_string(),
            ));
        }
    });
    let _daemon = serve(&socket, tx).await.expect("starts");

    let output = neighctl(&["show", "hosts"], Some(&socket)).await;
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "neighctl: the daemon says: the host table is still loading\n"
    );
}

#[tokio::test]
async fn usage_errors_exit_2_and_help_and_version_exit_0() {
    let output = neighctl(&["show", "everything"], None).await;
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "neighctl: cannot show \"everything\": expected hosts, peers or routes (see neighctl --help)\n"
    );
    let output = neighctl(&[], None).await;
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output).lines().count(), 1);

    let output = neighctl(&["--help"], None).await;
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output)
        .starts_with("Usage: neighctl [--socket PATH] show hosts|peers|routes [--json]\n"));

    let output = neighctl(&["--version"], None).await;
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output),
        format!("neighctl {}\n", env!("CARGO_PKG_VERSION"))
    );
}

/// Run as an unprivileged user against root's 0600 socket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_user_gets_permission_denied() {
    let is_root = std::fs::read_to_string("/proc/self/status")
        .map(|status| {
            status
                .lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false);
    if !is_root || !Path::new("/usr/bin/setpriv").exists() {
        println!("SKIPPED: needs root and setpriv to run neighctl as nobody");
        return;
    }
    let dir = tempfile::tempdir().expect("a temp dir");
    // The directory is searchable; the socket itself (0600) is what refuses.
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let socket = dir.path().join("neighd.sock");
    let _daemon = daemon(&socket).await;

    let output = tokio::time::timeout(
        PATIENCE,
        Command::new("/usr/bin/setpriv")
            .args([
                "--reuid=nobody",
                "--regid=nogroup",
                "--clear-groups",
                NEIGHCTL,
                "show",
                "hosts",
            ])
            .env("NEIGHCTL_SOCKET", &socket)
            .output(),
    )
    .await
    .expect("finishes in time")
    .expect("setpriv runs");
    if stderr(&output).starts_with("setpriv:") {
        println!(
            "SKIPPED: setpriv cannot drop privileges here: {}",
            stderr(&output)
        );
        return;
    }
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        format!(
            "neighctl: permission denied on {} (the control socket is 0600: run as the daemon's user or root)\n",
            socket.display()
        )
    );
}
