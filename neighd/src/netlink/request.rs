//! Encoding rtnetlink requests into the bytes the kernel reads.

use netlink_packet_core::{NetlinkHeader, NetlinkMessage, NetlinkPayload};
use netlink_packet_route::RouteNetlinkMessage;

/// `message` as one netlink message with `flags` (`NLM_F_REQUEST` is always
/// added) and sequence number `seq`.
pub fn encode_request(message: RouteNetlinkMessage, flags: u16, seq: u32) -> Vec<u8> {
    let mut header = NetlinkHeader::default();
    header.flags = flags | netlink_packet_core::NLM_F_REQUEST;
    header.sequence_number = seq;
    let mut msg = NetlinkMessage::new(header, NetlinkPayload::InnerMessage(message));
    msg.finalize();
    let mut bytes = vec![0; msg.buffer_len()];
    // serialize writes exactly buffer_len() bytes after finalize()
    msg.serialize(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netlink::Frames;
    use netlink_packet_core::{NLM_F_DUMP, NLM_F_REQUEST};
    use netlink_packet_route::neighbour::NeighbourMessage;

    #[test]
    fn a_dump_request_reads_back_as_one_frame_with_its_type_flags_and_sequence() {
        let bytes = encode_request(
            RouteNetlinkMessage::GetNeighbour(NeighbourMessage::default()),
            NLM_F_DUMP,
            7,
        );
        let frames: Vec<_> = Frames::new(&bytes).collect::<Result<_, _>>().unwrap();
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].kind, libc::RTM_GETNEIGH);
        assert_eq!(frames[0].flags, NLM_F_DUMP | NLM_F_REQUEST);
        assert_eq!(frames[0].seq, 7);
        assert_eq!(frames[0].payload.len(), 12, "a struct ndmsg");
    }
}
