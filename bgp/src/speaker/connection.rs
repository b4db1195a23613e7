//! One TCP connection to a peer: framing the byte stream into BGP messages
//! and decoding each with the context the OPEN exchange implies, and a
//! writer task that sends encoded bytes without ever blocking the peer's
//! task.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;

use crate::wire::{
    frame_len, Capability, DecodeError, Message, WireContext, MAX_EXTENDED_MESSAGE_LEN,
};

/// What reading can run into.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The socket failed.
    #[error("read failed: {0}")]
    Io(#[from] std::io::Error),
    /// The peer sent something malformed; send the error's NOTIFICATION.
    #[error("{0}")]
    Decode(#[from] DecodeError),
}

/// Reads whole messages from a connection.
///
/// The decoding context follows the OPEN exchange by itself: when the
/// peer's OPEN arrives, the reader switches to 4-octet AS numbers and
/// extended messages as both OPENs allow, before it decodes the next
/// message. (We never offer add-path, so none is received.)
#[derive(Debug)]
pub struct MessageReader {
    half: OwnedReadHalf,
    buf: BytesMut,
    ctx: WireContext,
    we_offer_extended_message: bool,
}

impl MessageReader {
    /// A reader for a fresh connection.
    pub fn new(half: OwnedReadHalf, we_offer_extended_message: bool) -> MessageReader {
        MessageReader {
            half,
            buf: BytesMut::with_capacity(64 * 1024),
            ctx: WireContext::default(),
            we_offer_extended_message,
        }
    }

    /// The next message; `None` when the peer closed the connection.
    pub async fn next(&mut self) -> Result<Option<Message>, ReadError> {
        loop {
            if let Some(len) = frame_len(
                &self.buf,
                self.ctx.max_message_len().max(crate::wire::MAX_MESSAGE_LEN),
            )? {
                let msg = Message::decode_one(&self.buf[..len], &self.ctx)?;
                self.buf.advance(len);
                if let Message::Open(open) = &msg {
                    self.ctx.four_octet_as = open
                        .capabilities
                        .iter()
                        .any(|c| matches!(c, Capability::FourOctetAs(_)));
                    self.ctx.extended_message = self.we_offer_extended_message
                        && open.capabilities.contains(&Capability::ExtendedMessage);
                }
                return Ok(Some(msg));
            }
            if self.buf.capacity() - self.buf.len() < MAX_EXTENDED_MESSAGE_LEN {
                self.buf.reserve(MAX_EXTENDED_MESSAGE_LEN);
            }
            if self.half.read_buf(&mut self.buf).await? == 0 {
                return Ok(None);
            }
        }
    }
}

/// The sending side: encoded bytes queued to a task that writes them.
///
/// Control messages always queue; the driver flushes its Adj-RIB-Out only
/// while [`MessageWriter::has_room`], so that route changes coalesce in the
/// RIB while the peer is slow instead of piling up here as bytes.
#[derive(Debug)]
pub struct MessageWriter {
    tx: mpsc::UnboundedSender<Vec<u8>>,
    queued: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

/// Bytes that may wait for the socket before route flushing pauses.
const HIGH_WATER: usize = 1 << 20;

impl MessageWriter {
    /// Spawns the writer task for `half`. The task writes what is queued,
    /// then shuts the connection down when the writer is dropped, or stops
    /// at the first failed write.
    pub fn spawn(mut half: OwnedWriteHalf) -> MessageWriter {
        let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
        let queued = Arc::new(AtomicUsize::new(0));
        let q = Arc::clone(&queued);
        let task = tokio::spawn(async move {
            while let Some(chunk) = rx.recv().await {
                let r = half.write_all(&chunk).await;
                q.fetch_sub(chunk.len(), Ordering::Relaxed);
                if let Err(e) = r {
                    tracing::debug!("write failed: {e}");
                    return;
                }
            }
            let _ = half.shutdown().await;
        });
        MessageWriter { tx, queued, task }
    }

    /// Stops accepting bytes; the returned task ends once what is queued
    /// is written and the connection shut down.
    pub fn close(self) -> tokio::task::JoinHandle<()> {
        self.task
    }

    /// Whether route updates may be queued now.
    pub fn has_room(&self) -> bool {
        self.queued.load(Ordering::Relaxed) < HIGH_WATER
    }

    /// Queues encoded bytes; false when the connection is gone.
    pub fn send(&self, bytes: Vec<u8>) -> bool {
        if bytes.is_empty() {
            return true;
        }
        self.queued.fetch_add(bytes.len(), Ordering::Relaxed);
        self.tx.send(bytes).is_ok()
    }

    /// Queues one message encoded with `ctx`.
    pub fn send_message(&self, msg: &Message, ctx: &WireContext) -> bool {
        match msg.to_bytes(ctx) {
            Ok(bytes) => self.send(bytes),
            Err(e) => {
                tracing::error!("cannot encode {msg}: {e}");
                false
            }
        }
    }
}
