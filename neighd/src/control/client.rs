//! The client's side of the control socket: send one [`Request`], read one
//! [`Response`]. An async variant for tests and tools on tokio, a blocking
//! one for neighctl.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

use super::ControlError;
use crate::status::{Request, Response};

/// How long [`query`] waits for the daemon.
pub const DEFAULT_QUERY_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest answer read (a table of a few hundred thousand hosts).
const MAX_RESPONSE_BYTES: u64 = 256 * 1024 * 1024;

/// Asks the daemon on `path` and returns its answer, waiting at most
/// [`DEFAULT_QUERY_TIMEOUT`]. A [`Response::Error`] from the daemon is an
/// `Ok` here: the exchange worked.
pub async fn query(path: &Path, request: Request) -> Result<Response, ControlError> {
    match tokio::time::timeout(DEFAULT_QUERY_TIMEOUT, exchange(path, &request)).await {
        Ok(result) => result,
        Err(_) => Err(ControlError::Timeout {
            path: path.to_path_buf(),
            secs: DEFAULT_QUERY_TIMEOUT.as_secs(),
        }),
    }
}

async fn exchange(path: &Path, request: &Request) -> Result<Response, ControlError> {
    let mut stream = tokio::net::UnixStream::connect(path)
        .await
        .map_err(|e| connect_error(path, e))?;
    let io_error = |source| ControlError::Io {
        path: path.to_path_buf(),
        source,
    };
    stream
        .write_all(&request_line(request))
        .await
        .map_err(io_error)?;
    let mut line = Vec::new();
    tokio::io::BufReader::new(stream)
        .take(MAX_RESPONSE_BYTES)
        .read_until(b'\n', &mut line)
        .await
        .map_err(io_error)?;
    decode(path, &line)
}

/// [`query`] for callers without a tokio runtime: connecting, sending and
/// each read wait at most `timeout`.
pub fn query_blocking(
    path: &Path,
    request: Request,
    timeout: Duration,
) -> Result<Response, ControlError> {
    let mut stream =
        std::os::unix::net::UnixStream::connect(path).map_err(|e| connect_error(path, e))?;
    let io_error = |source: io::Error| match source.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => ControlError::Timeout {
            path: path.to_path_buf(),
            secs: timeout.as_secs(),
        },
        _ => ControlError::Io {
            path: path.to_path_buf(),
            source,
        },
    };
    stream.set_read_timeout(Some(timeout)).map_err(io_error)?;
    stream.set_write_timeout(Some(timeout)).map_err(io_error)?;
    stream
        .write_all(&request_line(&request))
        .map_err(io_error)?;
    let mut line = Vec::new();
    BufReader::new(stream)
        .take(MAX_RESPONSE_BYTES)
        .read_until(b'\n', &mut line)
        .map_err(io_error)?;
    decode(path, &line)
}

fn request_line(request: &Request) -> Vec<u8> {
    // A `Request` is a tag and nothing else: it always encodes.
    let mut line =
        serde_json::to_vec(request).expect("a Request has only string fields and always encodes");
    line.push(b'\n');
    line
}

fn decode(path: &Path, line: &[u8]) -> Result<Response, ControlError> {
    if line.trim_ascii().is_empty() {
        return Err(ControlError::NoAnswer {
            path: path.to_path_buf(),
        });
    }
    serde_json::from_slice(line).map_err(ControlError::BadAnswer)
}

fn connect_error(path: &Path, e: io::Error) -> ControlError {
    match e.kind() {
        io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused => ControlError::NoDaemon {
            path: path.to_path_buf(),
        },
        io::ErrorKind::PermissionDenied => ControlError::PermissionDenied {
            path: path.to_path_buf(),
        },
        _ => ControlError::Io {
            path: path.to_path_buf(),
            source: e,
        },
    }
}
