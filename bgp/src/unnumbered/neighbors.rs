//! The routers heard on one interface, sans-IO: which advertisements are
//! news (a new link-local address, or a known one whose MAC or router
//! lifetime changed) and so become a [`super::Neighbor`] event.

use std::collections::HashMap;
use std::net::Ipv6Addr;

/// At most this many routers are remembered per interface (a point-to-point
/// fabric link has one); beyond it every advertisement of a new address is
/// reported, without being remembered.
pub(crate) const MAX_PER_INTERFACE: usize = 64;

/// What was last heard from each router on one interface.
#[derive(Debug, Default)]
pub(crate) struct Neighbors {
    seen: HashMap<Ipv6Addr, (Option<[u8; 6]>, u16)>,
}

impl Neighbors {
    /// Records an advertisement from `addr`; true if it is news.
    pub fn observe(&mut self, addr: Ipv6Addr, mac: Option<[u8; 6]>, lifetime: u16) -> bool {
        let now = (mac, lifetime);
        match self.seen.get_mut(&addr) {
            Some(old) if *old == now => false,
            Some(old) => {
                *old = now;
                true
            }
            None => {
                if self.seen.len() < MAX_PER_INTERFACE {
                    self.seen.insert(addr, now);
                }
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_new_and_changed_routers_once() {
        let a: Ipv6Addr = "fe80::1".parse().unwrap();
        let b: Ipv6Addr = "fe80::2".parse().unwrap();
        let mac = Some([2, 0, 0, 0, 0, 1]);
        let mut n = Neighbors::default();
        assert!(n.observe(a, mac, 9));
        assert!(!n.observe(a, mac, 9));
        assert!(n.observe(a, mac, 0), "lifetime change");
        assert!(n.observe(a, None, 0), "MAC change");
        assert!(n.observe(b, mac, 9), "second router");
        assert!(!n.observe(b, mac, 9));
    }

    #[test]
    fn memory_is_bounded() {
        let mut n = Neighbors::default();
        for i in 0..1000u16 {
            let a = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, i);
            assert!(n.observe(a, None, 0));
        }
        assert_eq!(n.seen.len(), MAX_PER_INTERFACE);
    }
}
