//! Our side of an interface: its index, MAC, whether it is up, and its
//! usable IPv6 link-local address (the RA source, and the next hop the
//! speaker announces for RFC 8950 routes). The addresses come from
//! `/proc/net/if_inet6`, which is per network namespace.

use std::io;
use std::net::Ipv6Addr;

use super::socket;

/// An interface ready to send router advertisements from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ready {
    /// Interface index.
    pub ifindex: u32,
    /// Its MAC (the source link-layer address option).
    pub mac: Option<[u8; 6]>,
    /// Its link-local address.
    pub link_local: Ipv6Addr,
}

/// Why an interface is not ready yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotReady {
    /// No interface of that name.
    Missing,
    /// Not up or no carrier.
    Down,
    /// Up, but without a usable (non-tentative) link-local address.
    NoLinkLocal,
}

/// The state of interface `name` now.
pub(crate) fn probe(name: &str) -> io::Result<Result<Ready, NotReady>> {
    let Some(link) = socket::link(name)? else {
        return Ok(Err(NotReady::Missing));
    };
    if !link.up {
        return Ok(Err(NotReady::Down));
    }
    let table = std::fs::read_to_string("/proc/net/if_inet6")?;
    Ok(match link_local(&table, link.ifindex) {
        Some(ll) => Ok(Ready {
            ifindex: link.ifindex,
            mac: link.mac,
            link_local: ll,
        }),
        None => Err(NotReady::NoLinkLocal),
    })
}

const SCOPE_LINK: u32 = 0x20;
const IFA_F_DADFAILED: u32 = 0x08;
const IFA_F_TENTATIVE: u32 = 0x40;

/// The first usable link-local address of interface `ifindex` in the text
/// of `/proc/net/if_inet6` (`ADDR IFINDEX PLEN SCOPE FLAGS NAME`, hex).
pub(crate) fn link_local(table: &str, ifindex: u32) -> Option<Ipv6Addr> {
    table.lines().find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        let [addr, idx, _plen, scope, flags, _name] = f.as_slice() else {
            return None;
        };
        let hex = |s: &str| u32::from_str_radix(s, 16).ok();
        if hex(idx)? != ifindex || hex(scope)? != SCOPE_LINK {
            return None;
        }
        if hex(flags)? & (IFA_F_TENTATIVE | IFA_F_DADFAILED) != 0 {
            return None;
        }
        u128::from_str_radix(addr, 16)
            .ok()
            .filter(|_| addr.len() == 32)
            .map(Ipv6Addr::from)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "\
00000000000000000000000000000001 01 80 10 80       lo
fe800000000000000000000000000701 03 40 20 c0    swp52
fd000000000000000000000000000001 02 40 00 80    swp51
fe80000000000000000000fffe000601 02 40 20 80    swp51
fe800000000000000000000000000099 03 40 20 80    swp52
";

    #[test]
    fn picks_a_usable_link_local_of_the_interface() {
        assert_eq!(
            link_local(TABLE, 2),
            Some("fe80::ff:fe00:601".parse().unwrap())
        );
        // the first one of ifindex 3 is tentative (0x40)
        assert_eq!(link_local(TABLE, 3), Some("fe80::99".parse().unwrap()));
        assert_eq!(link_local(TABLE, 1), None);
        assert_eq!(link_local(TABLE, 9), None);
        assert_eq!(link_local("garbage\n\nfe80 zz 40 20 80 x", 2), None);
    }
}
