//! The metrics endpoint over TCP on loopback: what a Prometheus scrape
//! (or curl) gets for `/metrics`, other paths and other methods.

use std::sync::Arc;
use std::time::Duration;

use neighd::metrics::{serve_metrics, Metrics, MetricsError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Generous: only reached when something is broken.
const PATIENCE: Duration = Duration::from_secs(20);

/// A response split into status line, headers (lowercase names) and body.
#[derive(Debug)]
struct HttpResponse {
    status_line: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl HttpResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == &name.to_ascii_lowercase())
            .map(|(_, v)| v.as_str())
    }
}

async fn exchange(addr: std::net::SocketAddr, request: &str) -> HttpResponse {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await.expect("connects");
        stream.write_all(request.as_bytes()).await.expect("sends");
        let mut raw = Vec::new();
        stream
            .read_to_end(&mut raw)
            .await
            .expect("reads until the server closes");
        raw
    };
    let raw = tokio::time::timeout(PATIENCE, exchange)
        .await
        .expect("answered in time");
    let text = String::from_utf8(raw).expect("a text response");
    let (head, body) = text
        .split_once("\r\n\r\n")
        .expect("a head ending in a blank line");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("a status line").to_string();
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').expect("name: value");
            (name.trim().to_ascii_lowercase(), value.trim().to_string())
        })
        .collect();
    HttpResponse {
        status_line,
        headers,
        body: body.to_string(),
    }
}

const SCRAPE: &str =
    "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/plain\r\nUser-Agent: test\r\n\r\n";

#[tokio::test]
async fn get_metrics_returns_the_current_exposition() {
    let metrics = Arc::new(Metrics::new());
    let server = serve_metrics(
        "127.0.0.1:0".parse().expect("an address"),
        Arc::clone(&metrics),
    )
    .await
    .expect("starts");
    let addr = server.local_addr();
    assert_ne!(addr.port(), 0);

    metrics.probes_sent(42);
    let response = exchange(addr, SCRAPE).await;
    assert_eq!(response.status_line, "HTTP/1.1 200 OK");
    assert_eq!(
        response.header("Content-Type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert_eq!(
        response.header("Content-Length"),
        Some(response.body.len().to_string().as_str())
    );
    assert_eq!(response.body, metrics.render());
    assert!(response.body.contains("\nneighd_probes_sent_total 42\n"));

    // Each scrape sees what happened since.
    metrics.probes_sent(8);
    let response = exchange(addr, SCRAPE).await;
    assert!(
        response.body.contains("\nneighd_probes_sent_total 50\n"),
        "{}",
        response.body
    );
}

#[tokio::test]
async fn other_paths_and_methods_are_refused() {
    let server = serve_metrics(
        "127.0.0.1:0".parse().expect("an address"),
        Arc::new(Metrics::new()),
    )
    .await
    .expect("starts");
    let addr = server.local_addr();

    let response = exchange(addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(response.status_line, "HTTP/1.1 404 Not Found");
    assert_eq!(response.body, "not found; the metrics are at /metrics\n");

    let response = exchange(addr, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n").await;
    assert_eq!(response.status_line, "HTTP/1.1 405 Method Not Allowed");
    assert_eq!(response.header("Allow"), Some("GET, HEAD"));

    let response = exchange(addr, "HEAD /metrics HTTP/1.1\r\n\r\n").await;
    assert_eq!(response.status_line, "HTTP/1.1 200 OK");
    assert_eq!(response.body, "");

    let response = exchange(addr, "hello\r\n\r\n").await;
    assert_eq!(response.status_line, "HTTP/1.1 400 Bad Request");
}

#[tokio::test]
async fn many_scrapes_at_once_all_succeed() {
    let metrics = Arc::new(Metrics::new());
    let server = serve_metrics(
        "127.0.0.1:0".parse().expect("an address"),
        Arc::clone(&metrics),
    )
    .await
    .expect("starts");
    let addr = server.local_addr();
    // A client that connects and says nothing does not hold up the others.
    let _silent = TcpStream::connect(addr).await.expect("connects");
    let scrapes: Vec<_> = (0..32)
        .map(|_| tokio::spawn(exchange(addr, SCRAPE)))
        .collect();
    for scrape in scrapes {
        let response = scrape.await.expect("no panic");
        assert_eq!(response.status_line, "HTTP/1.1 200 OK");
        assert_eq!(response.body, metrics.render());
    }
}

#[tokio::test]
async fn an_address_in_use_is_a_clear_error_and_a_dropped_server_stops_listening() {
    let first = serve_metrics(
        "127.0.0.1:0".parse().expect("an address"),
        Arc::new(Metrics::new()),
    )
    .await
    .expect("starts");
    let addr = first.local_addr();
    let error = serve_metrics(addr, Arc::new(Metrics::new()))
        .await
        .expect_err("the port is taken");
    assert!(matches!(error, MetricsError::Bind { .. }));
    assert!(
        error
            .to_string()
            .starts_with(&format!("cannot listen for metrics on {addr}: ")),
        "{error}"
    );

    drop(first);
    // The listening socket closes once the aborted task is dropped; give
    // the runtime a moment and then expect a refusal.
    let refused = tokio::time::timeout(PATIENCE, async {
        loop {
            if TcpStream::connect(addr).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        refused.is_ok(),
        "the dropped server still accepts connections"
    );
}
