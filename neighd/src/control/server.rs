//! The daemon's side of the control socket: accepts connections, reads one
//! JSON [`Request`] per line, hands it to the daemon over an `mpsc` channel
//! with a `oneshot` for the answer, and writes one JSON [`Response`] per line.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot};
use tokio::task::{JoinHandle, JoinSet};

use super::socket_file::{self, FileIdentity};
use super::ControlError;
use crate::status::{Request, Response};

/// The longest request line accepted; a longer one is answered with an
/// error and the connection closed.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// A client that does not take its answer within this time is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// What the daemon receives on the channel given to [`serve`]: a request
/// and where to send its answer.
pub type ControlRequest = (Request, oneshot::Sender<Response>);

/// The running control socket. Dropping it stops accepting, closes every
/// connection and removes the socket file (if it is still ours).
#[derive(Debug)]
pub struct ControlServer {
    path: PathBuf,
    identity: FileIdentity,
    accept_task: JoinHandle<()>,
}

impl ControlServer {
    /// The socket path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ControlServer {
    fn drop(&mut self) {
        self.accept_task.abort();
        socket_file::remove_if_ours(&self.path, self.identity);
    }
}

/// Creates the control socket at `path` (mode 0600; the parent directory
/// 0755 if missing; a dead daemon's socket file replaced) and serves it
/// until the returned [`ControlServer`] is dropped. Each request is sent on
/// `requests` with a `oneshot` the daemon answers on.
///
/// Fails with [`ControlError::AlreadyRunning`] if another daemon answers on
/// `path`, and [`ControlError::NotASocket`] if a regular file is in the way.
pub async fn serve(
    path: &Path,
    requests: mpsc::Sender<ControlRequest>,
) -> Result<ControlServer, ControlError> {
    let (std_listener, identity) = socket_file::bind(path)?;
    let listener = std_listener
        .set_nonblocking(true)
        .and_then(|()| UnixListener::from_std(std_listener))
        .map_err(|source| {
            socket_file::remove_if_ours(path, identity);
            ControlError::Setup {
                path: path.to_path_buf(),
                action: "listen on",
                source,
            }
        })?;
    tracing::info!(path = %path.display(), "control socket ready");
    Ok(ControlServer {
        path: path.to_path_buf(),
        identity,
        accept_task: tokio::spawn(accept_loop(listener, requests)),
    })
}

async fn accept_loop(listener: UnixListener, requests: mpsc::Sender<ControlRequest>) {
    // Owned here, so aborting this task aborts every connection too.
    let mut connections = JoinSet::new();
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                connections.spawn(serve_connection(stream, requests.clone()));
            }
            Err(e) => {
                // Out of file descriptors and the like: back off, do not spin.
                tracing::warn!(error = %e, "control socket: accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        while connections.try_join_next().is_some() {}
    }
}

/// Answers requests on one connection until the client closes it.
async fn serve_connection(stream: UnixStream, requests: mpsc::Sender<ControlRequest>) {
    let (read_half, mut write_half) = stream.into_split();
    let mut reader = BufReader::new(read_half);
    let mut line = Vec::new();
    loop {
        line.clear();
        let limit = MAX_REQUEST_BYTES as u64 + 1;
        match (&mut reader).take(limit).read_until(b'\n', &mut line).await {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) => {
                tracing::debug!(error = %e, "control socket: read failed");
                return;
            }
        }
        let too_long = line.last() != Some(&b'\n') && line.len() > MAX_REQUEST_BYTES;
        let response = if too_long {
            Response::Error(format!("request longer than {MAX_REQUEST_BYTES} bytes"))
        } else {
            let text = line.trim_ascii();
            if text.is_empty() {
                continue;
            }
            answer(text, &requests).await
        };
        if !send(&mut write_half, &response).await || too_long {
            return;
        }
    }
}

/// Decodes one request line and waits for the daemon's answer to it.
async fn answer(text: &[u8], requests: &mpsc::Sender<ControlRequest>) -> Response {
    let request: Request = match serde_json::from_slice(text) {
        Ok(request) => request,
        Err(e) => {
            return Response::Error(format!(
                r#"malformed request (expected e.g. {{"show":"hosts"}}): {e}"#
            ))
        }
    };
    let (reply, answer) = oneshot::channel();
    if requests.send((request, reply)).await.is_err() {
        return Response::Error("the daemon is shutting down".to_string());
    }
    answer.await.unwrap_or_else(|_| {
        Response::Error("the daemon dropped the request without answering".to_string())
    })
}

/// Writes one response line; false if the client is gone or too slow.
async fn send(write_half: &mut tokio::net::unix::OwnedWriteHalf, response: &Response) -> bool {
    let encoded = serde_json::to_vec(response).or_else(|e| {
        tracing::warn!(error = %e, "control socket: cannot encode a response");
        serde_json::to_vec(&Response::Error(format!("cannot encode the response: {e}")))
    });
    let Ok(mut bytes) = encoded else {
        return false;
    };
    bytes.push(b'\n');
    match tokio::time::timeout(WRITE_TIMEOUT, write_half.write_all(&bytes)).await {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "control socket: write failed");
            false
        }
        Err(_) => {
            tracing::info!("control socket: dropped a client that did not read its answer");
            false
        }
    }
}
