//! The ROUTE-REFRESH message (RFC 2918) with the enhanced route refresh
//! demarcation subtypes BoRR and EoRR (RFC 7313).

use super::Family;

/// The message subtype (RFC 7313 §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefreshSubtype {
    /// A request to resend (0).
    Request,
    /// Beginning of route refresh (1).
    Begin,
    /// End of route refresh (2).
    End,
    /// A reserved value, to be ignored (RFC 7313 §5).
    Reserved(u8),
}

/// A ROUTE-REFRESH message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RouteRefresh {
    /// The family to refresh.
    pub family: Family,
    /// Request, BoRR or EoRR.
    pub subtype: RefreshSubtype,
}

impl RouteRefresh {
    /// A plain refresh request.
    pub fn request(family: Family) -> RouteRefresh {
        RouteRefresh {
            family,
            subtype: RefreshSubtype::Request,
        }
    }

    /// Decodes the 4-byte body (length checked by the caller).
    pub fn decode(b: &[u8]) -> RouteRefresh {
        RouteRefresh {
            family: Family::new(u16::from_be_bytes([b[0], b[1]]), b[3]),
            subtype: match b[2] {
                0 => RefreshSubtype::Request,
                1 => RefreshSubtype::Begin,
                2 => RefreshSubtype::End,
                x => RefreshSubtype::Reserved(x),
            },
        }
    }

    /// Appends the body.
    pub fn encode_body(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.family.afi.to_be_bytes());
        out.push(match self.subtype {
            RefreshSubtype::Request => 0,
            RefreshSubtype::Begin => 1,
            RefreshSubtype::End => 2,
            RefreshSubtype::Reserved(x) => x,
        });
        out.push(self.family.safi);
    }
}
