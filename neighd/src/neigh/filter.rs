//! Which neighbour entries are hosts to track: the policy over what the
//! tracker reports. Pure: a neighbour and the link table in, a verdict out.

use std::net::IpAddr;
use std::sync::Arc;

use bgp::wire::Prefix;

pub use super::LinkTable;
use super::{Neighbour, NudState};

/// What to watch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watch {
    /// Interface names. A bridge port (or bond member) stands for the bridge
    /// it belongs to, where the kernel keeps the neighbours.
    pub interfaces: Vec<String>,
    /// Host addresses must lie in one of these; empty means any global
    /// unicast address.
    pub prefixes: Vec<Prefix>,
    /// Track PERMANENT (hand-configured) entries too.
    pub permanent: bool,
}

/// What to do with a neighbour entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A host to track on `iface` (the interface holding the entry: a
    /// watched interface, or the bridge a watched port belongs to).
    Track {
        /// The interface name.
        iface: Arc<str>,
    },
    /// Not a host to track, and why.
    Ignore(&'static str),
}

impl Watch {
    /// The verdict for `n`, with `links` naming interfaces and masters.
    pub fn classify(&self, n: &Neighbour, links: &LinkTable) -> Verdict {
        if is_link_local(n.ip) {
            return Verdict::Ignore("link-local address");
        }
        if !is_unicast_host(n.ip) {
            return Verdict::Ignore("not a unicast host address");
        }
        if !self.prefixes.is_empty() && !self.prefixes.iter().any(|p| p.contains(n.ip)) {
            return Verdict::Ignore("outside the watched prefixes");
        }
        let Some(link) = links.get(n.ifindex) else {
            return Verdict::Ignore("unknown interface");
        };
        if !self.watches(n.ifindex, &link.name, links) {
            return Verdict::Ignore("interface not watched");
        }
        if !link.up {
            return Verdict::Ignore("interface down");
        }
        if n.state.contains(NudState::NOARP) {
            return Verdict::Ignore("NOARP entry");
        }
        if n.state.contains(NudState::PERMANENT) && !self.permanent {
            return Verdict::Ignore("PERMANENT entry");
        }
        if n.state.intersects(NudState::INCOMPLETE | NudState::FAILED) {
            return Verdict::Ignore("unresolved entry (INCOMPLETE or FAILED)");
        }
        if n.mac.is_none_or(|m| m.octets() == [0; 6]) {
            return Verdict::Ignore("no MAC address");
        }
        Verdict::Track {
            iface: link.name.clone(),
        }
    }

    /// Whether the interface `ifindex` (called `name`) is watched itself or
    /// through a watched port of it.
    fn watches(&self, ifindex: u32, name: &str, links: &LinkTable) -> bool {
        self.interfaces.iter().any(|w| {
            w == name
                || links
                    .index_of(w)
                    .is_some_and(|port| links.l3_interface(port) == ifindex)
        })
    }
}

/// fe80::/10 and 169.254.0.0/16: what unnumbered BGP and link-local
/// autoconfiguration put in the table.
fn is_link_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => a.is_link_local(),
        IpAddr::V6(a) => a.segments()[0] & 0xffc0 == 0xfe80,
    }
}

fn is_unicast_host(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => {
            !(a.is_unspecified() || a.is_loopback() || a.is_multicast() || a.is_broadcast())
        }
        IpAddr::V6(a) => !(a.is_unspecified() || a.is_loopback() || a.is_multicast()),
    }
}

#[cfg(test)]
mod tests {
    use arpprobe::MacAddr;

    use super::*;
    use crate::neigh::link_table::tests::link;

    const SWP1: u32 = 2;
    const SWP2: u32 = 3;
    const BR0: u32 = 10;
    const SWP3: u32 = 4;
    const DOWN: u32 = 5;

    fn links() -> LinkTable {
        let mut down = link(DOWN, "swp9", None, None);
        down.up = false;
        LinkTable::from_links([
            link(SWP1, "swp1", None, None),
            link(SWP2, "swp2", None, Some(BR0)),
            link(SWP3, "swp3", None, Some(BR0)),
            link(BR0, "br0", Some("bridge"), None),
            down,
        ])
    }

    fn neighbour(ifindex: u32, ip: &str, state: NudState) -> Neighbour {
        Neighbour {
            ifindex,
            iface: "ignored by classify".into(),
            ip: ip.parse().unwrap(),
            mac: Some(MacAddr([2, 0, 0, 0, 0, 1])),
            state,
            is_router: false,
            externally_learned: false,
        }
    }

    fn watch(interfaces: &[&str], prefixes: &[&str]) -> Watch {
        Watch {
            interfaces: interfaces.iter().map(|s| s.to_string()).collect(),
            prefixes: prefixes.iter().map(|p| p.parse().unwrap()).collect(),
            permanent: false,
        }
    }

    fn track(iface: &str) -> Verdict {
        Verdict::Track {
            iface: iface.into(),
        }
    }

    #[test]
    fn a_reachable_or_stale_host_on_a_watched_interface_in_the_prefix_is_tracked() {
        let w = watch(&["swp1"], &["172.16.1.0/24"]);
        for state in [
            NudState::REACHABLE,
            NudState::STALE,
            NudState::DELAY,
            NudState::PROBE,
        ] {
            let n = neighbour(SWP1, "172.16.1.11", state);
            assert_eq!(w.classify(&n, &links()), track("swp1"), "{state}");
        }
    }

    #[test]
    fn link_local_addresses_are_ignored_even_when_everything_else_matches() {
        let w = watch(&["swp1"], &[]);
        for ip in ["fe80::1", "febf::1", "169.254.0.1"] {
            let n = neighbour(SWP1, ip, NudState::REACHABLE);
            assert_eq!(
                w.classify(&n, &links()),
                Verdict::Ignore("link-local address"),
                "{ip}"
            );
        }
        // fec0::/10 is not link-local
        let n = neighbour(SWP1, "fec0::1", NudState::REACHABLE);
        assert_eq!(w.classify(&n, &links()), track("swp1"));
    }

    #[test]
    fn empty_prefixes_mean_any_global_unicast_address() {
        let w = watch(&["swp1"], &[]);
        for ip in ["10.1.2.3", "203.0.113.9", "2001:db8::7", "fd00::1"] {
            let n = neighbour(SWP1, ip, NudState::REACHABLE);
            assert_eq!(w.classify(&n, &links()), track("swp1"), "{ip}");
        }
        for ip in ["0.0.0.0", "127.0.0.1", "::1", "::", "ff02::1"] {
            let n = neighbour(SWP1, ip, NudState::REACHABLE);
            assert_eq!(
                w.classify(&n, &links()),
                Verdict::Ignore("not a unicast host address"),
                "{ip}"
            );
        }
    }

    #[test]
    fn addresses_outside_the_prefixes_are_ignored() {
        let w = watch(&["swp1"], &["172.16.1.0/24", "2001:db8:1::/64"]);
        assert_eq!(
            w.classify(
                &neighbour(SWP1, "172.16.2.11", NudState::REACHABLE),
                &links()
            ),
            Verdict::Ignore("outside the watched prefixes")
        );
        assert_eq!(
            w.classify(
                &neighbour(SWP1, "2001:db8:1::5", NudState::REACHABLE),
                &links()
            ),
            track("swp1")
        );
    }

    #[test]
    fn unwatched_unknown_and_down_interfaces_are_ignored() {
        let w = watch(&["swp1", "swp9"], &[]);
        let verdict = |ifindex| {
            w.classify(
                &neighbour(ifindex, "10.0.0.5", NudState::REACHABLE),
                &links(),
            )
        };
        assert_eq!(verdict(BR0), Verdict::Ignore("interface not watched"));
        assert_eq!(verdict(99), Verdict::Ignore("unknown interface"));
        assert_eq!(verdict(DOWN), Verdict::Ignore("interface down"));
    }

    #[test]
    fn a_watched_bridge_port_folds_into_its_bridge_and_so_does_a_watched_bridge() {
        let n = neighbour(BR0, "172.16.1.21", NudState::REACHABLE);
        assert_eq!(watch(&["swp2"], &[]).classify(&n, &links()), track("br0"));
        assert_eq!(watch(&["br0"], &[]).classify(&n, &links()), track("br0"));
        // another bridge's port does not make br0 watched
        let mut other = links();
        other.upsert(link(SWP3, "swp3", None, None));
        other.upsert(link(SWP2, "swp2", None, None));
        assert_eq!(
            watch(&["swp2"], &[]).classify(&n, &other),
            Verdict::Ignore("interface not watched")
        );
    }

    #[test]
    fn noarp_unresolved_and_macless_entries_are_ignored() {
        let w = watch(&["swp1"], &[]);
        let classify = |n: &Neighbour| w.classify(n, &links());
        let n = neighbour(SWP1, "10.0.0.5", NudState::NOARP);
        assert_eq!(classify(&n), Verdict::Ignore("NOARP entry"));
        for state in [NudState::INCOMPLETE, NudState::FAILED] {
            let n = neighbour(SWP1, "10.0.0.5", state);
            assert_eq!(
                classify(&n),
                Verdict::Ignore("unresolved entry (INCOMPLETE or FAILED)")
            );
        }
        let mut n = neighbour(SWP1, "10.0.0.5", NudState::STALE);
        n.mac = None;
        assert_eq!(classify(&n), Verdict::Ignore("no MAC address"));
        n.mac = Some(MacAddr::ZERO);
        assert_eq!(classify(&n), Verdict::Ignore("no MAC address"));
    }

    #[test]
    fn permanent_entries_only_when_asked_for() {
        let mut w = watch(&["swp1"], &[]);
        let n = neighbour(SWP1, "10.0.0.5", NudState::PERMANENT);
        assert_eq!(w.classify(&n, &links()), Verdict::Ignore("PERMANENT entry"));
        w.permanent = true;
        assert_eq!(w.classify(&n, &links()), track("swp1"));
    }
}
