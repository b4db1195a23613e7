//! A minimal HTTP/1.1 responder for Prometheus: `GET /metrics` (and `HEAD`)
//! answered with [`Metrics::render`], 404 for other paths, 405 for other
//! methods, one request per connection (`Connection: close`).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use super::Metrics;

/// The content type of the text format 0.0.4.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
/// The longest request head read.
const MAX_HEAD_BYTES: usize = 8 * 1024;
/// A client gets this long to send its request and take the answer.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

/// The metrics endpoint could not start.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    /// Binding the listening address failed.
    #[error("cannot listen for metrics on {addr}: {source}")]
    Bind {
        /// The configured address.
        addr: SocketAddr,
        /// The system's reason.
        source: io::Error,
    },
}

/// The running metrics endpoint; dropping it stops it.
#[derive(Debug)]
pub struct MetricsServer {
    local_addr: SocketAddr,
    task: JoinHandle<()>,
}

impl MetricsServer {
    /// The address it listens on (the real port when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Listens on `addr` and answers `GET /metrics` with `metrics` rendered
/// as Prometheus text, until the returned server is dropped.
pub async fn serve_metrics(
    addr: SocketAddr,
    metrics: Arc<Metrics>,
) -> Result<MetricsServer, MetricsError> {
    let bind_error = |source| MetricsError::Bind { addr, source };
    let listener = TcpListener::bind(addr).await.map_err(bind_error)?;
    let local_addr = listener.local_addr().map_err(bind_error)?;
    tracing::info!(%local_addr, "metrics endpoint ready");
    Ok(MetricsServer {
        local_addr,
        task: tokio::spawn(accept_loop(listener, metrics)),
    })
}

async fn accept_loop(listener: TcpListener, metrics: Arc<Metrics>) {
    // Owned here, so aborting this task aborts every connection too.
    let mut connections = JoinSet::new();
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let metrics = Arc::clone(&metrics);
                connections.spawn(async move {
                    if tokio::time::timeout(CLIENT_TIMEOUT, answer(stream, &metrics))
                        .await
                        .is_err()
                    {
                        tracing::debug!("metrics: dropped a client that was too slow");
                    }
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "metrics: accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        while connections.try_join_next().is_some() {}
    }
}

async fn answer(mut stream: TcpStream, metrics: &Metrics) {
    let Some(head) = read_head(&mut stream).await else {
        return;
    };
    let response = respond(&head, metrics);
    if let Err(e) = stream.write_all(&response).await {
        tracing::debug!(error = %e, "metrics: write failed");
        return;
    }
    let _ = stream.shutdown().await;
}

/// Reads up to the blank line that ends the request head; `None` if the
/// client went away first.
async fn read_head(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        if head.windows(4).any(|w| w == b"\r\n\r\n") || head.windows(2).any(|w| w == b"\n\n") {
            return Some(head);
        }
        if head.len() >= MAX_HEAD_BYTES {
            // Too long to be a scrape: answer from what we have (400 or 404).
            return Some(head);
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
    }
}

/// The whole response for a request head.
fn respond(head: &[u8], metrics: &Metrics) -> Vec<u8> {
    let request_line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let request_line = String::from_utf8_lossy(request_line);
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return response(400, "Bad Request", &[], "bad request line\n", true);
    };
    if !version.starts_with("HTTP/1.") {
        return response(400, "Bad Request", &[], "HTTP/1.x only\n", true);
    }
    let with_body = match method {
        "GET" => true,
        "HEAD" => false,
        _ => {
            return response(
                405,
                "Method Not Allowed",
                &[("Allow", "GET, HEAD")],
                "only GET and HEAD\n",
                true,
            )
        }
    };
    let path = target.split('?').next().unwrap_or_default();
    if path == "/metrics" {
        response(200, "OK", &[], &metrics.render(), with_body)
    } else {
        response(
            404,
            "Not Found",
            &[],
            "not found; the metrics are at /metrics\n",
            with_body,
        )
    }
}

fn response(
    code: u16,
    reason: &str,
    headers: &[(&str, &str)],
    body: &str,
    with_body: bool,
) -> Vec<u8> {
    let content_type = if code == 200 {
        CONTENT_TYPE
    } else {
        "text/plain; charset=utf-8"
    };
    let mut text = format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    if with_body {
        text.push_str(body);
    }
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_line(head: &str) -> String {
        let response = respond(head.as_bytes(), &Metrics::new());
        let text = String::from_utf8(response).expect("responses are text");
        text.lines().next().unwrap_or_default().to_string()
    }

    #[test]
    fn routes_requests_by_method_and_path() {
        assert_eq!(
            status_line("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"),
            "HTTP/1.1 200 OK"
        );
        assert_eq!(
            status_line("GET /metrics?x=1 HTTP/1.0\r\n\r\n"),
            "HTTP/1.1 200 OK"
        );
        assert_eq!(
            status_line("HEAD /metrics HTTP/1.1\r\n\r\n"),
            "HTTP/1.1 200 OK"
        );
        assert_eq!(
            status_line("GET / HTTP/1.1\r\n\r\n"),
            "HTTP/1.1 404 Not Found"
        );
        assert_eq!(
            status_line("POST /metrics HTTP/1.1\r\n\r\n"),
            "HTTP/1.1 405 Method Not Allowed"
        );
        assert_eq!(
            status_line("GET /metrics SPDY/3\r\n\r\n"),
            "HTTP/1.1 400 Bad Request"
        );
        assert_eq!(
            status_line("\u{0}\u{1}garbage\r\n\r\n"),
            "HTTP/1.1 400 Bad Request"
        );
        assert_eq!(status_line(""), "HTTP/1.1 400 Bad Request");
    }

    #[test]
    fn head_has_the_length_but_no_body() {
        let metrics = Metrics::new();
        let response =
            String::from_utf8(respond(b"HEAD /metrics HTTP/1.1\r\n\r\n", &metrics)).expect("text");
        let (headers, body) = response.split_once("\r\n\r\n").expect("a head");
        assert_eq!(body, "");
        assert!(headers.contains(&format!("Content-Length: {}", metrics.render().len())));
    }
}
