//! Walking the netlink messages packed into one datagram. Lengths come from
//! the kernel and are checked before use: a bad one ends the walk with an
//! error instead of reading out of bounds.

use netlink_packet_core::{NetlinkBuffer, NLMSG_DONE, NLMSG_ERROR, NLMSG_OVERRUN, NLM_F_DUMP_INTR};

const HEADER_LEN: usize = 16;

/// One netlink message: its header fields and its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// `nlmsg_type`: `RTM_NEWNEIGH`, `NLMSG_DONE`, …
    pub kind: u16,
    /// `nlmsg_flags`.
    pub flags: u16,
    /// `nlmsg_seq`: the request's sequence number for replies, usually 0 for
    /// notifications.
    pub seq: u32,
    /// `nlmsg_pid`: the port of the socket a reply is for.
    pub port: u32,
    /// The bytes after the header.
    pub payload: &'a [u8],
}

impl Frame<'_> {
    /// The end of a dump.
    pub fn is_done(&self) -> bool {
        self.kind == NLMSG_DONE
    }

    /// An error or acknowledgement; see [`error_code`].
    pub fn is_error(&self) -> bool {
        self.kind == NLMSG_ERROR
    }

    /// The kernel says messages were lost (`NLMSG_OVERRUN`; Linux reports
    /// overruns as `ENOBUFS` from recv instead, but the type exists).
    pub fn is_overrun(&self) -> bool {
        self.kind == NLMSG_OVERRUN
    }

    /// A dump message whose dump was interrupted by a change: the dump is
    /// inconsistent and must be repeated.
    pub fn is_dump_interrupted(&self) -> bool {
        self.flags & NLM_F_DUMP_INTR != 0
    }
}

/// The error number in an `NLMSG_ERROR` payload: 0 for an acknowledgement,
/// a positive errno (the kernel sends it negated) otherwise; `None` when the
/// payload is too short to hold one.
pub fn error_code(payload: &[u8]) -> Option<i32> {
    let raw: [u8; 4] = payload.get(..4)?.try_into().ok()?;
    Some(i32::from_ne_bytes(raw).saturating_neg())
}

/// A datagram whose next message header is cut short or claims more bytes
/// than are left; the messages after it cannot be found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed netlink message at byte {offset} of a {len}-byte datagram")]
pub struct FrameError {
    /// Where the bad message starts.
    pub offset: usize,
    /// The datagram's length.
    pub len: usize,
}

/// The messages of a datagram, in order. After an error it yields nothing.
#[derive(Debug, Clone)]
pub struct Frames<'a> {
    datagram: &'a [u8],
    offset: usize,
}

impl<'a> Frames<'a> {
    /// Walks `datagram`.
    pub fn new(datagram: &'a [u8]) -> Self {
        Frames {
            datagram,
            offset: 0,
        }
    }
}

impl<'a> Iterator for Frames<'a> {
    type Item = Result<Frame<'a>, FrameError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.datagram.get(self.offset..).filter(|r| !r.is_empty())?;
        let error = FrameError {
            offset: self.offset,
            len: self.datagram.len(),
        };
        // new_checked: at least a header, and the length field within `rest`
        let Ok(buf) = NetlinkBuffer::new_checked(rest) else {
            self.offset = self.datagram.len();
            return Some(Err(error));
        };
        let len = buf.length() as usize;
        let Some(payload) = rest.get(HEADER_LEN..len) else {
            self.offset = self.datagram.len();
            return Some(Err(error));
        };
        let frame = Frame {
            kind: buf.message_type(),
            flags: buf.flags(),
            seq: buf.sequence_number(),
            port: buf.port_number(),
            payload,
        };
        // messages are 4-byte aligned; the last one's padding may be missing
        self.offset = self.offset.saturating_add(len.saturating_add(3) & !3);
        Some(Ok(frame))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(kind: u16, flags: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
        let len = (HEADER_LEN + payload.len()) as u32;
        let mut m = Vec::new();
        m.extend_from_slice(&len.to_ne_bytes());
        m.extend_from_slice(&kind.to_ne_bytes());
        m.extend_from_slice(&flags.to_ne_bytes());
        m.extend_from_slice(&seq.to_ne_bytes());
        m.extend_from_slice(&42u32.to_ne_bytes());
        m.extend_from_slice(payload);
        while m.len() % 4 != 0 {
            m.push(0);
        }
        m
    }

    #[test]
    fn walks_every_message_of_a_datagram_with_padding() {
        let mut d = message(libc::RTM_NEWNEIGH, 2, 5, &[1, 2, 3, 4, 5]);
        d.extend(message(NLMSG_DONE, 2, 5, &[0, 0, 0, 0]));
        let frames: Vec<_> = Frames::new(&d).collect::<Result<_, _>>().unwrap();
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[0].payload, &[1, 2, 3, 4, 5]);
        assert_eq!((frames[0].seq, frames[0].port), (5, 42));
        assert!(frames[1].is_done());
    }

    #[test]
    fn a_length_past_the_end_stops_the_walk_with_an_error() {
        let mut d = message(libc::RTM_NEWLINK, 0, 0, &[0; 16]);
        let good = d.len();
        let mut bad = message(libc::RTM_NEWLINK, 0, 0, &[0; 16]);
        bad[0] = 200; // claims 200 bytes, 32 are there
        d.extend(bad);
        let got: Vec<_> = Frames::new(&d).collect();
        assert_eq!(got.len(), 2);
        assert!(got[0].is_ok());
        assert_eq!(
            got[1],
            Err(FrameError {
                offset: good,
                len: d.len()
            })
        );
    }

    #[test]
    fn no_prefix_or_corruption_of_a_datagram_panics() {
        let mut d = message(libc::RTM_NEWLINK, 0, 0, &[7; 20]);
        d.extend(message(NLMSG_ERROR, 0, 0, &(-105i32).to_ne_bytes()));
        for cut in 0..=d.len() {
            let _ = Frames::new(&d[..cut]).count();
        }
        for i in 0..d.len() {
            for v in [0u8, 1, 3, 15, 16, 17, 0x7f, 0xff] {
                let mut c = d.clone();
                c[i] = v;
                let _ = Frames::new(&c).count();
            }
        }
    }

    #[test]
    fn error_code_is_the_negated_errno_or_zero_for_an_ack() {
        assert_eq!(error_code(&(-105i32).to_ne_bytes()), Some(105));
        assert_eq!(error_code(&0i32.to_ne_bytes()), Some(0));
        assert_eq!(error_code(&[1, 2]), None);
    }
}
