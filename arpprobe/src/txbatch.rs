//! A batch of frames to send: one flat buffer of fixed-size slots plus, per
//! frame, the interface and EtherType. Filled by the core, drained by the
//! socket layer with one `sendmmsg` call; reused without reallocating.

use crate::wire::Malformed;

/// Bytes reserved per frame; the largest probe (NS with option) is 86.
pub const SLOT: usize = 128;

/// Where and how one frame of a batch goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxMeta {
    /// Outgoing interface index.
    pub ifindex: u32,
    /// EtherType (0x0806 or 0x86dd), for the socket address.
    pub ethertype: u16,
    /// Frame length within its slot.
    pub len: usize,
}

/// Up to `capacity` frames waiting to be sent.
#[derive(Debug)]
pub struct TxBatch {
    buf: Vec<u8>,
    meta: Vec<TxMeta>,
    capacity: usize,
}

impl TxBatch {
    /// An empty batch that holds up to `capacity` frames (at least one).
    pub fn new(capacity: usize) -> TxBatch {
        let capacity = capacity.max(1);
        TxBatch {
            buf: vec![0; capacity * SLOT],
            meta: Vec::with_capacity(capacity),
            capacity,
        }
    }

    /// True when no more frames fit.
    pub fn is_full(&self) -> bool {
        self.meta.len() >= self.capacity
    }

    /// How many more frames fit.
    pub fn capacity_left(&self) -> usize {
        self.capacity - self.meta.len()
    }

    /// Number of frames queued.
    pub fn len(&self) -> usize {
        self.meta.len()
    }

    /// True when no frames are queued.
    pub fn is_empty(&self) -> bool {
        self.meta.is_empty()
    }

    /// Appends a frame written by `build` into a fresh slot. Returns false
    /// (and queues nothing) when the batch is full or `build` fails.
    pub fn push_with(
        &mut self,
        ifindex: u32,
        ethertype: u16,
        build: impl FnOnce(&mut [u8]) -> Result<usize, Malformed>,
    ) -> bool {
        if self.is_full() {
            return false;
        }
        let i = self.meta.len();
        let slot = &mut self.buf[i * SLOT..(i + 1) * SLOT];
        match build(slot) {
            Ok(len) if len <= SLOT => {
                self.meta.push(TxMeta {
                    ifindex,
                    ethertype,
                    len,
                });
                true
            }
            _ => false,
        }
    }

    /// The `i`-th frame and its metadata.
    pub fn get(&self, i: usize) -> Option<(TxMeta, &[u8])> {
        let m = *self.meta.get(i)?;
        Some((m, &self.buf[i * SLOT..i * SLOT + m.len]))
    }

    /// Drops the first `n` frames (sent, or failed and skipped), keeping the rest in order.
    pub fn consume(&mut self, n: usize) {
        let n = n.min(self.meta.len());
        if n == 0 {
            return;
        }
        let rest = self.meta.len() - n;
        self.buf.copy_within(n * SLOT..(n + rest) * SLOT, 0);
        self.meta.drain(..n);
    }

    /// Empties the batch.
    pub fn clear(&mut self) {
        self.meta.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_get_consume() {
        let mut b = TxBatch::new(2);
        assert!(b.push_with(1, 0x0806, |s| {
            s[0] = 1;
            Ok(1)
        }));
        assert!(!b.push_with(1, 0x0806, |_| Err(Malformed::Truncated)));
        assert!(b.push_with(2, 0x86dd, |s| {
            s[..2].copy_from_slice(&[2, 2]);
            Ok(2)
        }));
        assert!(b.is_full());
        assert!(!b.push_with(3, 0, |_| Ok(0)));
        b.consume(1);
        let (m, f) = b.get(0).unwrap();
        assert_eq!((m.ifindex, f), (2, &[2u8, 2][..]));
        assert_eq!(b.len(), 1);
    }
}
