//! The control socket over a real Unix socket in a temporary directory:
//! round trips, file modes, malformed and oversized requests, stale and
//! live sockets, many clients at once, and clients that misbehave.

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use neighd::control::{
    query, query_blocking, serve, ControlError, ControlServer, MAX_REQUEST_BYTES,
};
use neighd::status::{HostState, HostView, PeerView, Request, Response};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::sync::{mpsc, oneshot};

/// Generous: only reached when something is broken.
const PATIENCE: Duration = Duration::from_secs(20);

fn host(ip: &str) -> HostView {
    HostView {
        ip: ip.to_string(),
        mac: "52:54:00:00:00:0b".to_string(),
        interface: "swp1".to_string(),
        state: HostState::Alive,
        advertised: true,
        last_answer_ms: Some(400),
        misses: 0,
        conflicts: 0,
        conflict_mac: None,
        penalty: 0,
    }
}

fn peer(name: &str) -> PeerView {
    PeerView {
        name: name.to_string(),
        address: "fe80::1%swp51".to_string(),
        remote_as: "65020".to_string(),
        state: "Established".to_string(),
        uptime_secs: Some(62),
        prefixes_received: 4,
        prefixes_sent: 2,
        hostname: None,
        last_error: None,
        description: None,
    }
}

/// A stand-in for the daemon's loop: answers hosts and peers with the
/// given views, routes with an error. Returns how many requests it answered.
fn answer_requests(
    hosts: Vec<HostView>,
    peers: Vec<PeerView>,
) -> (
    mpsc::Sender<(Request, oneshot::Sender<Response>)>,
    tokio::task::JoinHandle<usize>,
) {
    let (tx, mut rx) = mpsc::channel::<(Request, oneshot::Sender<Response>)>(16);
    let task = tokio::spawn(async move {
        let mut answered = 0;
        while let Some((request, reply)) = rx.recv().await {
            let response = match request {
                Request::Hosts => Response::Hosts(hosts.clone()),
                Request::Peers => Response::Peers(peers.clone()),
                Request::Routes => Response::Error("routes are not ready".to_string()),
            };
            let _ = reply.send(response);
            answered += 1;
        }
        answered
    });
    (tx, task)
}

async fn start(path: &Path) -> ControlServer {
    let (tx, _task) = answer_requests(vec![host("172.16.1.11")], vec![peer("swp51")]);
    serve(path, tx).await.expect("the control socket starts")
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .expect("the file exists")
        .permissions()
        .mode()
        & 0o7777
}

async fn read_line(reader: &mut BufReader<tokio::net::unix::OwnedReadHalf>) -> String {
    let mut line = String::new();
    tokio::time::timeout(PATIENCE, reader.read_line(&mut line))
        .await
        .expect("an answer in time")
        .expect("the read works");
    line
}

#[tokio::test]
async fn round_trip_with_socket_0600_in_a_new_0755_directory_removed_on_drop() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("run/neighd/neighd.sock");
    let server = start(&path).await;

    assert!(std::fs::symlink_metadata(&path)
        .expect("socket exists")
        .file_type()
        .is_socket());
    assert_eq!(mode(&path), 0o600, "socket mode");
    assert_eq!(
        mode(path.parent().expect("has a parent")),
        0o755,
        "directory mode"
    );
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().expect("has a parent"))
        .expect("the directory reads")
        .map(|entry| entry.expect("an entry").file_name())
        .collect();
    assert_eq!(
        leftovers,
        ["neighd.sock"],
        "only the socket is left in its directory"
    );

    assert_eq!(
        query(&path, Request::Hosts).await.expect("the query works"),
        Response::Hosts(vec![host("172.16.1.11")])
    );
    let blocking_path = path.clone();
    let peers = tokio::task::spawn_blocking(move || {
        query_blocking(&blocking_path, Request::Peers, PATIENCE)
    })
    .await
    .expect("the blocking query does not panic")
    .expect("the blocking query works");
    assert_eq!(peers, Response::Peers(vec![peer("swp51")]));
    assert_eq!(
        query(&path, Request::Routes)
            .await
            .expect("the query works"),
        Response::Error("routes are not ready".to_string())
    );

    drop(server);
    assert!(
        !path.exists(),
        "the socket file is removed when the server is dropped"
    );
    assert!(matches!(
        query(&path, Request::Hosts).await,
        Err(ControlError::NoDaemon { .. })
    ));
}

#[tokio::test]
async fn several_requests_per_connection_and_malformed_ones_get_an_error_line() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("neighd.sock");
    let _server = start(&path).await;

    let (read_half, mut write_half) = UnixStream::connect(&path)
        .await
        .expect("connects")
        .into_split();
    write_half
        .write_all(b"{\"show\":\"hosts\"}\nthis is not json\n\n{\"show\":\"everything\"}\n  {\"show\":\"peers\"}  \n")
        .await
        .expect("the requests are sent");
    let mut reader = BufReader::new(read_half);

    let decode = |line: &str| {
        serde_json::from_str::<Response>(line).expect("each answer is a JSON response")
    };
    assert_eq!(
        decode(&read_line(&mut reader).await),
        Response::Hosts(vec![host("172.16.1.11")])
    );
    for _ in 0..2 {
        let line = read_line(&mut reader).await;
        assert!(
            line.ends_with('\n') && line.matches('\n').count() == 1,
            "one line: {line:?}"
        );
        match decode(&line) {
            Response::Error(reason) => {
                assert!(reason.starts_with("malformed request"), "reason: {reason}");
                assert!(!reason.contains('\n'), "the reason is one line: {reason:?}");
            }
            other => panic!("expected an error, got {other:?}"),
        }
    }
    assert_eq!(
        decode(&read_line(&mut reader).await),
        Response::Peers(vec![peer("swp51")])
    );

    // The last request may end at EOF without a newline.
    write_half
        .write_all(b"{\"show\":\"hosts\"}")
        .await
        .expect("sent");
    write_half.shutdown().await.expect("half-closed");
    assert_eq!(
        decode(&read_line(&mut reader).await),
        Response::Hosts(vec![host("172.16.1.11")])
    );
    assert_eq!(
        read_line(&mut reader).await,
        "",
        "the server closes after the client did"
    );
}

#[tokio::test]
async fn an_oversized_request_is_refused_and_the_connection_closed() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("neighd.sock");
    let _server = start(&path).await;

    let (read_half, mut write_half) = UnixStream::connect(&path)
        .await
        .expect("connects")
        .into_split();
    let huge = vec![b'x'; MAX_REQUEST_BYTES + 10];
    // The server may close before it read everything; only the answer matters.
    let _ = write_half.write_all(&huge).await;
    let mut reader = BufReader::new(read_half);
    let line = read_line(&mut reader).await;
    assert_eq!(
        serde_json::from_str::<Response>(&line).expect("a JSON response"),
        Response::Error(format!("request longer than {MAX_REQUEST_BYTES} bytes"))
    );
    let mut rest = Vec::new();
    tokio::time::timeout(PATIENCE, reader.read_to_end(&mut rest))
        .await
        .expect("closed in time")
        .expect("reads to the end");
    assert!(rest.is_empty());
}

#[tokio::test]
async fn a_stale_socket_of_a_dead_daemon_is_replaced() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("neighd.sock");
    drop(std::os::unix::net::UnixListener::bind(&path).expect("binds"));
    assert!(path.exists(), "a dead listener leaves its socket file");

    let _server = start(&path).await;
    assert_eq!(
        query(&path, Request::Hosts)
            .await
            .expect("the new daemon answers"),
        Response::Hosts(vec![host("172.16.1.11")])
    );
    assert_eq!(mode(&path), 0o600);
}

#[tokio::test]
async fn a_live_daemon_on_the_socket_is_not_replaced() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("neighd.sock");
    let _first = start(&path).await;

    let (tx, _task) = answer_requests(vec![], vec![]);
    let refused = serve(&path, tx)
        .await
        .expect_err("a second daemon must not start");
    assert!(
        matches!(refused, ControlError::AlreadyRunning { .. }),
        "{refused:?}"
    );
    assert_eq!(
        refused.to_string(),
        format!(
            "another neighd is already running: it answers on {}",
            path.display()
        )
    );
    assert_eq!(
        query(&path, Request::Hosts)
            .await
            .expect("the first daemon still answers"),
        Response::Hosts(vec![host("172.16.1.11")])
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_socket_is_left_alone() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("neighd.sock");
    std::fs::write(&path, "precious").expect("written");

    let (tx, _task) = answer_requests(vec![], vec![]);
    let refused = serve(&path, tx)
        .await
        .expect_err("must not replace a regular file");
    assert!(
        matches!(refused, ControlError::NotASocket { .. }),
        "{refused:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).expect("still there"),
        "precious"
    );
}

#[tokio::test]
async fn a_replaced_socket_file_is_not_removed_by_the_old_server() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("neighd.sock");
    let server = start(&path).await;
    std::fs::remove_file(&path).expect("removed");
    std::fs::write(&path, "someone else's").expect("written");
    drop(server);
    assert_eq!(
        std::fs::read_to_string(&path).expect("still there"),
        "someone else's"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_at_once_while_others_misbehave() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("neighd.sock");
    let hosts: Vec<HostView> = (1..=200)
        .map(|i| host(&format!("172.16.{}.{}", i / 250, i % 250)))
        .collect();
    let (tx, daemon) = answer_requests(hosts.clone(), vec![peer("swp51")]);
    let server = serve(&path, tx).await.expect("starts");

    // One client sends half a request and stalls; another sends a request
    // and never reads its answer.
    let mut stalled = UnixStream::connect(&path).await.expect("connects");
    stalled.write_all(b"{\"show\":").await.expect("sent");
    let mut deaf = UnixStream::connect(&path).await.expect("connects");
    deaf.write_all(&b"{\"show\":\"hosts\"}\n".repeat(50))
        .await
        .expect("sent");

    let clients: Vec<_> = (0..64)
        .map(|i| {
            let path = path.clone();
            tokio::spawn(async move {
                let request = if i % 2 == 0 {
                    Request::Hosts
                } else {
                    Request::Peers
                };
                let mut answers = Vec::new();
                for _ in 0..5 {
                    answers.push(
                        query(&path, request.clone())
                            .await
                            .expect("every client is answered"),
                    );
                }
                (request, answers)
            })
        })
        .collect();
    for client in clients {
        let (request, answers) = tokio::time::timeout(PATIENCE, client)
            .await
            .expect("all clients finish in time")
            .expect("no client panics");
        for answer in answers {
            match (&request, answer) {
                (Request::Hosts, Response::Hosts(got)) => assert_eq!(got, hosts),
                (Request::Peers, Response::Peers(got)) => assert_eq!(got, vec![peer("swp51")]),
                (request, answer) => panic!("{request:?} answered with {answer:?}"),
            }
        }
    }
    drop((stalled, deaf));
    drop(server);
    let answered = tokio::time::timeout(PATIENCE, daemon)
        .await
        .expect("the daemon loop ends once the server is gone")
        .expect("no panic");
    assert!(answered >= 64 * 5, "answered {answered}");
}

#[tokio::test]
async fn a_daemon_that_stopped_listening_gives_an_error_answer() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("neighd.sock");
    let (tx, rx) = mpsc::channel(1);
    drop(rx);
    let _server = serve(&path, tx).await.expect("starts");
    assert_eq!(
        query(&path, Request::Hosts)
            .await
            .expect("the exchange works"),
        Response::Error("the daemon is shutting down".to_string())
    );
}

#[tokio::test]
async fn no_daemon_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path: PathBuf = dir.path().join("nothing.sock");
    let error = query(&path, Request::Hosts)
        .await
        .expect_err("nobody is there");
    assert_eq!(
        error.to_string(),
        format!(
            "no daemon answers on {} (is neighd running?)",
            path.display()
        )
    );
    drop(std::os::unix::net::UnixListener::bind(&path).expect("binds"));
    let error = query_blocking(&path, Request::Hosts, PATIENCE).expect_err("a stale socket");
    assert!(matches!(error, ControlError::NoDaemon { .. }), "{error:?}");
}
