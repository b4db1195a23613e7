//! The 19-byte message header (RFC 4271 §4.1): marker, length, type; and
//! framing a byte stream into whole messages.

use super::error::{code, DecodeError};

/// Header size.
pub const HEADER_LEN: usize = 19;

/// Message type codes.
pub mod msg_type {
    /// OPEN.
    pub const OPEN: u8 = 1;
    /// UPDATE.
    pub const UPDATE: u8 = 2;
    /// NOTIFICATION.
    pub const NOTIFICATION: u8 = 3;
    /// KEEPALIVE.
    pub const KEEPALIVE: u8 = 4;
    /// ROUTE-REFRESH.
    pub const ROUTE_REFRESH: u8 = 5;
}

/// A parsed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Total message length including the header.
    pub length: usize,
    /// Message type.
    pub kind: u8,
}

pub(crate) fn bad_length(len: usize) -> DecodeError {
    DecodeError::reset(
        code::MESSAGE_HEADER,
        code::header::BAD_MESSAGE_LENGTH,
        (len.min(usize::from(u16::MAX)) as u16)
            .to_be_bytes()
            .to_vec(),
        format!("message length {len} is not valid for its type"),
    )
}

/// Validates the header at the start of `buf` (which must hold at least
/// [`HEADER_LEN`] bytes) against the largest message allowed.
pub fn parse_header(buf: &[u8], max_len: usize) -> Result<Header, DecodeError> {
    debug_assert!(buf.len() >= HEADER_LEN);
    if buf[..16].iter().any(|&b| b != 0xff) {
        return Err(DecodeError::reset(
            code::MESSAGE_HEADER,
            code::header::CONNECTION_NOT_SYNCHRONIZED,
            vec![],
            "message marker is not all ones",
        ));
    }
    let length = usize::from(u16::from_be_bytes([buf[16], buf[17]]));
    let kind = buf[18];
    let min = match kind {
        msg_type::OPEN => 29,
        msg_type::UPDATE => 23,
        msg_type::NOTIFICATION => 21,
        msg_type::KEEPALIVE => 19,
        // RFC 7313 §5: a wrong ROUTE-REFRESH length has its own error,
        // raised by the message decoder.
        msg_type::ROUTE_REFRESH => 19,
        _ => {
            return Err(DecodeError::reset(
                code::MESSAGE_HEADER,
                code::header::BAD_MESSAGE_TYPE,
                vec![kind],
                format!("unknown message type {kind}"),
            ))
        }
    };
    // RFC 8654: OPEN and KEEPALIVE stay within 4096 bytes.
    let max = match kind {
        msg_type::KEEPALIVE => 19,
        msg_type::OPEN => max_len.min(super::MAX_MESSAGE_LEN),
        _ => max_len,
    };
    if length < min || length > max {
        return Err(bad_length(length));
    }
    Ok(Header { length, kind })
}

/// How many bytes the first message in `buf` takes, or `None` when `buf`
/// does not yet hold all of it. Errors are header errors (session reset).
pub fn frame_len(buf: &[u8], max_len: usize) -> Result<Option<usize>, DecodeError> {
    if buf.len() < HEADER_LEN {
        return Ok(None);
    }
    let h = parse_header(buf, max_len)?;
    Ok((buf.len() >= h.length).then_some(h.length))
}

/// Appends a header for a message of `kind`; the length is patched by
/// [`finish_header`].
pub(crate) fn start_header(kind: u8, out: &mut Vec<u8>) -> usize {
    let start = out.len();
    out.extend_from_slice(&[0xff; 16]);
    out.extend_from_slice(&[0, 0, kind]);
    start
}

/// Writes the length of the message begun at `start`.
pub(crate) fn finish_header(start: usize, out: &mut [u8]) {
    let len = (out.len() - start) as u16;
    out[start + 16..start + 18].copy_from_slice(&len.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_errors() {
        let mut ka = vec![0xff; 16];
        ka.extend_from_slice(&[0, 19, 4]);
        assert_eq!(frame_len(&ka, 4096).unwrap(), Some(19));
        assert_eq!(frame_len(&ka[..18], 4096).unwrap(), None);

        let mut bad_marker = ka.clone();
        bad_marker[3] = 0;
        let e = frame_len(&bad_marker, 4096).unwrap_err();
        assert_eq!(e.subcode, code::header::CONNECTION_NOT_SYNCHRONIZED);

        let mut long_ka = ka.clone();
        long_ka[17] = 20;
        let e = frame_len(&long_ka, 4096).unwrap_err();
        assert_eq!(
            (e.subcode, e.data.clone()),
            (code::header::BAD_MESSAGE_LENGTH, vec![0, 20])
        );

        let mut bad_type = ka.clone();
        bad_type[18] = 9;
        let e = frame_len(&bad_type, 4096).unwrap_err();
        assert_eq!(
            (e.subcode, e.data.clone()),
            (code::header::BAD_MESSAGE_TYPE, vec![9])
        );

        let mut big = ka.clone();
        big[16..18].copy_from_slice(&5000u16.to_be_bytes());
        big[18] = 2;
        assert!(frame_len(&big, 4096).is_err());
        assert_eq!(frame_len(&big, 65535).unwrap(), None);
    }
}
