//! The Adj-RIB-In of one peer: what it announced and we accepted, keyed by
//! prefix and add-path id. Turns decoded UPDATEs into [`RouteChange`]s,
//! applying the receive-side rules: RFC 7606 treat-as-withdraw, AS-path
//! loop detection, first-AS enforcement, ORIGINATOR_ID loop detection,
//! LOCAL_PREF scrubbing on eBGP (RFC 4271 §5.1.5) and the RFC 6793
//! AS4_PATH/AS4_AGGREGATOR merge. Also graceful-restart staleness.

use std::collections::HashSet;
use std::net::Ipv4Addr;
use std::sync::Arc;

use super::intern::AttrInterner;
use super::map::FamilyMap;
use super::path::{PathAttrs, PeerId, PeerInfo};
use crate::wire::{Family, NextHop, Nlri, PathAttributes, Update, AS_TRANS};

/// A change to one peer's routes, for [`super::LocRib::apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteChange {
    /// New or changed (or refreshed after being stale).
    Announce(Nlri, Arc<PathAttrs>),
    /// Gone.
    Withdraw(Nlri),
    /// Kept through the peer's graceful restart, now stale.
    Stale(Nlri),
}

impl RouteChange {
    /// The route it is about.
    pub fn nlri(&self) -> Nlri {
        match self {
            RouteChange::Announce(n, _) | RouteChange::Withdraw(n) | RouteChange::Stale(n) => *n,
        }
    }
}

/// Why the routes an UPDATE announced were handled as withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// RFC 7606 treat-as-withdraw (the decode errors are on the UPDATE).
    TreatAsWithdraw,
    /// Our AS number is in the AS path.
    AsLoop,
    /// An eBGP peer's path does not start with its own AS.
    FirstAs,
    /// ORIGINATOR_ID is our router id (RFC 4456 §8).
    OriginatorLoop,
    /// Native NLRI without a NEXT_HOP.
    NoNextHop,
}

/// The receive-side rules of one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjInConfig {
    /// Our AS number (loop detection).
    pub local_asn: u32,
    /// Our router id (ORIGINATOR_ID loop detection).
    pub router_id: Ipv4Addr,
    /// The peer's AS number.
    pub peer_asn: u32,
    /// Whether the session is eBGP (LOCAL_PREF is then ignored).
    pub ebgp: bool,
    /// Reject eBGP paths whose first AS is not the peer's (FRR's default
    /// `enforce-first-as`; turn off for route servers).
    pub enforce_first_as: bool,
}

impl AdjInConfig {
    /// The rules for a session with `peer`, first-AS enforcement on.
    pub fn new(local_asn: u32, router_id: Ipv4Addr, peer: &PeerInfo) -> Self {
        AdjInConfig {
            local_asn,
            router_id,
            peer_asn: peer.asn,
            ebgp: !peer.ibgp,
            enforce_first_as: true,
        }
    }
}

/// The Adj-RIB-In of one peer.
#[derive(Debug)]
pub struct AdjRibIn {
    peer: PeerId,
    config: AdjInConfig,
    routes: FamilyMap<Option<u32>, Arc<PathAttrs>>,
    /// Routes kept through a graceful restart and not refreshed yet
    /// (empty outside one, so it costs nothing per route).
    stale: HashSet<Nlri>,
}

impl AdjRibIn {
    /// An empty Adj-RIB-In for `peer`.
    pub fn new(peer: PeerId, config: AdjInConfig) -> Self {
        AdjRibIn {
            peer,
            config,
            routes: FamilyMap::default(),
            stale: HashSet::new(),
        }
    }

    /// The peer.
    pub fn peer(&self) -> PeerId {
        self.peer
    }

    /// The receive-side rules.
    pub fn config(&self) -> &AdjInConfig {
        &self.config
    }

    /// Applies a decoded UPDATE: withdrawals first, then announcements (or
    /// more withdrawals, when the UPDATE is rejected). Pushes what changed
    /// to `out`; returns why the announcements were rejected, if they were.
    pub fn apply(
        &mut self,
        update: &Update,
        interner: &mut AttrInterner,
        out: &mut Vec<RouteChange>,
    ) -> Option<Rejected> {
        for n in &update.withdrawn {
            self.withdraw(*n, out);
        }
        if let Some(u) = &update.mp_unreach {
            for n in &u.withdrawn {
                self.withdraw(*n, out);
            }
        }
        let mp_nlri = update.mp_reach.as_ref().map_or(&[][..], |m| &m.nlri[..]);
        if update.nlri.is_empty() && mp_nlri.is_empty() {
            return None;
        }
        let verdict = self.check(update);
        let base = verdict.is_none().then(|| self.scrub(&update.attributes));
        let mut rejected = verdict;
        let mut announce = |this: &mut Self, nlri: &[Nlri], nh: Option<NextHop>| match (&base, nh) {
            (Some(base), Some(nh)) => {
                let attrs = interner.intern(PathAttrs::new(base.clone(), nh));
                for n in nlri {
                    this.announce(*n, Arc::clone(&attrs), out);
                }
            }
            _ => {
                if base.is_some() {
                    rejected = Some(Rejected::NoNextHop);
                }
                for n in nlri {
                    this.withdraw(*n, out);
                }
            }
        };
        if !update.nlri.is_empty() {
            let nh = update.attributes.next_hop.map(NextHop::V4);
            announce(self, &update.nlri, nh);
        }
        if let Some(m) = &update.mp_reach {
            announce(self, &m.nlri, Some(m.next_hop));
        }
        rejected
    }

    /// Whether the announcements of `update` must be handled as withdrawn.
    fn check(&self, update: &Update) -> Option<Rejected> {
        let a = &update.attributes;
        if update.treat_as_withdraw() {
            return Some(Rejected::TreatAsWithdraw);
        }
        let path = a.effective_as_path();
        let path = path.as_ref();
        if path.is_some_and(|p| p.contains(self.config.local_asn)) {
            return Some(Rejected::AsLoop);
        }
        if self.config.ebgp
            && self.config.enforce_first_as
            && path.and_then(|p| p.first_asn()) != Some(self.config.peer_asn)
        {
            return Some(Rejected::FirstAs);
        }
        if a.originator_id == Some(self.config.router_id) {
            return Some(Rejected::OriginatorLoop);
        }
        None
    }

    /// The attributes as stored: AS4 attributes merged (RFC 6793 §4.2.3),
    /// LOCAL_PREF and the route-reflection attributes dropped on eBGP.
    fn scrub(&self, a: &PathAttributes) -> PathAttributes {
        let mut a = a.clone();
        a.as_path = a.effective_as_path();
        a.as4_path = None;
        if let (Some(agg), Some(agg4)) = (a.aggregator, a.as4_aggregator) {
            if agg.asn == u32::from(AS_TRANS) {
                a.aggregator = Some(agg4);
            }
        }
        a.as4_aggregator = None;
        if self.config.ebgp {
            a.local_pref = None;
            a.originator_id = None;
            a.cluster_list.clear();
        }
        a
    }

    /// Stores a route as is (no checks); pushes an [`RouteChange::Announce`]
    /// unless it was already there, fresh, with equal attributes.
    pub fn announce(&mut self, nlri: Nlri, attrs: Arc<PathAttrs>, out: &mut Vec<RouteChange>) {
        let was_stale = !self.stale.is_empty() && self.stale.remove(&nlri);
        let mut inserted = false;
        let slot = self
            .routes
            .get_or_insert_with(nlri.prefix, nlri.path_id, || {
                inserted = true;
                Arc::clone(&attrs)
            });
        if !inserted {
            let same = Arc::ptr_eq(slot, &attrs) || **slot == *attrs;
            if same && !was_stale {
                return;
            }
            *slot = Arc::clone(&attrs);
        }
        out.push(RouteChange::Announce(nlri, attrs));
    }

    /// Removes a route; pushes a [`RouteChange::Withdraw`] if it was there.
    pub fn withdraw(&mut self, nlri: Nlri, out: &mut Vec<RouteChange>) {
        if self.routes.remove(nlri.prefix, nlri.path_id).is_some() {
            if !self.stale.is_empty() {
                self.stale.remove(&nlri);
            }
            out.push(RouteChange::Withdraw(nlri));
        }
    }

    /// The attributes of a route.
    pub fn get(&self, nlri: Nlri) -> Option<&Arc<PathAttrs>> {
        self.routes.get(nlri.prefix, nlri.path_id)
    }

    /// Whether a route is stale (kept through a graceful restart).
    pub fn is_stale(&self, nlri: Nlri) -> bool {
        self.stale.contains(&nlri)
    }

    /// Every route, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (Nlri, &Arc<PathAttrs>)> + '_ {
        self.routes
            .iter()
            .map(|(prefix, path_id, a)| (Nlri { path_id, prefix }, a))
    }

    /// How many routes (prefix and path id pairs) the peer has: the count a
    /// maximum-prefix limit checks.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// Whether the peer has no routes.
    pub fn is_empty(&self) -> bool {
        self.routes.len() == 0
    }

    /// How many routes of `family` the peer has.
    pub fn len_family(&self, family: Family) -> usize {
        self.routes.len_family(family)
    }

    /// Graceful restart, helper side (RFC 4724 §4.2): the session went down
    /// and the peer said it would come back; every route is kept but stale.
    pub fn mark_stale(&mut self, out: &mut Vec<RouteChange>) {
        for (prefix, path_id, _) in self.routes.iter() {
            let n = Nlri { path_id, prefix };
            if self.stale.insert(n) {
                out.push(RouteChange::Stale(n));
            }
        }
    }

    /// Withdraws the routes still stale, of `family` (after its End-of-RIB)
    /// or of every family (`None`: the restart timer expired).
    pub fn sweep_stale(&mut self, family: Option<Family>, out: &mut Vec<RouteChange>) {
        let routes = &mut self.routes;
        self.stale.retain(|n| {
            if family.is_some_and(|f| f != n.prefix.family()) {
                return true;
            }
            if routes.remove(n.prefix, n.path_id).is_some() {
                out.push(RouteChange::Withdraw(*n));
            }
            false
        });
        if self.stale.is_empty() {
            self.stale = HashSet::new();
        }
    }

    /// The session is gone (without graceful restart): withdraws everything.
    pub fn clear(&mut self, out: &mut Vec<RouteChange>) {
        out.extend(
            self.routes
                .iter()
                .map(|(prefix, path_id, _)| RouteChange::Withdraw(Nlri { path_id, prefix })),
        );
        self.routes.clear();
        self.stale = HashSet::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rib::testutil::*;
    use crate::wire::{AsPath, DecodeError, Message, MpReach, MpUnreach, Prefix, WireContext};

    const LOCAL_ASN: u32 = 65011;

    fn rib(ibgp: bool) -> AdjRibIn {
        let asn = if ibgp { LOCAL_ASN } else { 65020 };
        let peer = peer_info(1, asn, "10.0.0.21", "fe80::21", ibgp);
        AdjRibIn::new(
            PeerId(1),
            AdjInConfig::new(LOCAL_ASN, "10.0.0.11".parse().unwrap(), &peer),
        )
    }

    fn n(s: &str) -> Nlri {
        Nlri::new(s.parse::<Prefix>().unwrap())
    }

    fn update(nlri: &[&str], asns: &[u32]) -> Update {
        let mut attributes = base_attrs();
        attributes.as_path = Some(AsPath::from_sequence(asns));
        attributes.next_hop = Some("10.1.1.21".parse().unwrap());
        attributes.local_pref = Some(500);
        Update {
            attributes,
            nlri: nlri.iter().map(|s| n(s)).collect(),
            ..Update::default()
        }
    }

    fn apply(r: &mut AdjRibIn, u: &Update) -> (Vec<RouteChange>, Option<Rejected>) {
        let mut out = Vec::new();
        let why = r.apply(u, &mut AttrInterner::new(), &mut out);
        (out, why)
    }

    #[test]
    fn announce_shares_attributes_and_ignores_ebgp_local_pref() {
        let mut r = rib(false);
        let mut i = AttrInterner::new();
        let mut out = Vec::new();
        let u = update(&["172.16.2.11/32", "172.16.2.12/32"], &[65020, 65012]);
        assert_eq!(r.apply(&u, &mut i, &mut out), None);
        assert_eq!(out.len(), 2);
        let a = r.get(n("172.16.2.11/32")).unwrap();
        assert!(Arc::ptr_eq(a, r.get(n("172.16.2.12/32")).unwrap()));
        assert_eq!(a.attrs.local_pref, None, "LOCAL_PREF from eBGP is ignored");
        assert_eq!(a.attrs.next_hop, None);
        assert_eq!(a.next_hop, NextHop::V4("10.1.1.21".parse().unwrap()));
        // The same UPDATE again changes nothing.
        out.clear();
        r.apply(&u, &mut i, &mut out);
        assert!(out.is_empty());
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn ibgp_keeps_local_pref() {
        let mut r = rib(true);
        apply(&mut r, &update(&["10.0.0.0/24"], &[65099]));
        assert_eq!(r.get(n("10.0.0.0/24")).unwrap().attrs.local_pref, Some(500));
    }

    #[test]
    fn treat_as_withdraw() {
        let mut r = rib(false);
        apply(&mut r, &update(&["10.0.0.0/24", "10.0.1.0/24"], &[65020]));
        let mut bad = update(&["10.0.0.0/24", "10.0.2.0/24"], &[65020]);
        bad.errors.push(DecodeError::withdraw(3, vec![], "test"));
        let (out, why) = apply(&mut r, &bad);
        assert_eq!(why, Some(Rejected::TreatAsWithdraw));
        // The known route is withdrawn; the unknown one needs nothing.
        assert_eq!(out, vec![RouteChange::Withdraw(n("10.0.0.0/24"))]);
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn treat_as_withdraw_from_the_wire() {
        // ORIGIN with value 7: RFC 7606 §7.1, treat-as-withdraw.
        let ctx = WireContext::modern();
        let mut bytes = Vec::new();
        Message::Update(Box::new(update(&["10.0.0.0/24"], &[65020])))
            .encode(&ctx, &mut bytes)
            .unwrap();
        let at = bytes.windows(3).position(|w| w == [0x40, 1, 1]).unwrap();
        bytes[at + 3] = 7;
        let Ok(Some((Message::Update(u), _))) = Message::decode(&bytes, &ctx) else {
            panic!("decodes")
        };
        let mut r = rib(false);
        apply(&mut r, &update(&["10.0.0.0/24"], &[65020]));
        let (out, why) = apply(&mut r, &u);
        assert_eq!(why, Some(Rejected::TreatAsWithdraw));
        assert_eq!(out, vec![RouteChange::Withdraw(n("10.0.0.0/24"))]);
    }

    #[test]
    fn as_path_loop_is_withdrawn() {
        let mut r = rib(false);
        apply(&mut r, &update(&["10.0.0.0/24"], &[65020]));
        let (out, why) = apply(
            &mut r,
            &update(&["10.0.0.0/24"], &[65020, LOCAL_ASN, 65012]),
        );
        assert_eq!(why, Some(Rejected::AsLoop));
        assert_eq!(out, vec![RouteChange::Withdraw(n("10.0.0.0/24"))]);
        assert!(r.is_empty());
    }

    #[test]
    fn loop_hidden_in_as4_path_is_found() {
        // A 2-octet session: our 4-octet ASN appears as AS_TRANS in
        // AS_PATH and for real in AS4_PATH.
        let big = 4_200_000_011;
        let peer = peer_info(1, 65020, "10.0.0.21", "10.1.1.21", false);
        let mut r = AdjRibIn::new(
            PeerId(1),
            AdjInConfig::new(big, "10.0.0.11".parse().unwrap(), &peer),
        );
        let mut u = update(&["10.0.0.0/24"], &[65020, 23456]);
        u.attributes.as4_path = Some(AsPath::from_sequence(&[big]));
        assert_eq!(apply(&mut r, &u).1, Some(Rejected::AsLoop));
        // Without the loop, the merged path is stored and AS4_PATH dropped.
        u.attributes.as4_path = Some(AsPath::from_sequence(&[4_200_000_012]));
        assert_eq!(apply(&mut r, &u).1, None);
        let a = r.get(n("10.0.0.0/24")).unwrap();
        assert_eq!(a.attrs.as4_path, None);
        assert_eq!(
            a.attrs.as_path.as_ref().unwrap().to_string(),
            "65020 4200000012"
        );
    }

    #[test]
    fn first_as_and_originator_checks() {
        let mut r = rib(false);
        let (_, why) = apply(&mut r, &update(&["10.0.0.0/24"], &[65099]));
        assert_eq!(why, Some(Rejected::FirstAs));
        let mut r = rib(true);
        let mut u = update(&["10.0.0.0/24"], &[]);
        u.attributes.originator_id = Some("10.0.0.11".parse().unwrap());
        assert_eq!(apply(&mut r, &u).1, Some(Rejected::OriginatorLoop));
        // Missing NEXT_HOP on native NLRI (the decoder flags it first; the
        // RIB does not trust that).
        let mut u = update(&["10.0.0.0/24"], &[]);
        u.attributes.next_hop = None;
        assert_eq!(apply(&mut r, &u).1, Some(Rejected::NoNextHop));
        assert!(r.is_empty());
    }

    #[test]
    fn mp_reach_next_hop_and_mp_unreach() {
        let mut r = rib(false);
        let ll = "fe80::4638:39ff:fe00:53".parse().unwrap();
        let mut u = update(&[], &[65020]);
        u.attributes.next_hop = None;
        u.mp_reach = Some(MpReach {
            family: Family::IPV4_UNICAST,
            next_hop: NextHop::V6 {
                global: ll,
                link_local: Some(ll),
            },
            nlri: vec![n("172.16.2.11/32")],
        });
        apply(&mut r, &u);
        let a = r.get(n("172.16.2.11/32")).unwrap();
        assert_eq!(a.next_hop.forwarding_addr(), std::net::IpAddr::V6(ll));
        let w = Update {
            mp_unreach: Some(MpUnreach {
                family: Family::IPV4_UNICAST,
                withdrawn: vec![n("172.16.2.11/32")],
            }),
            ..Update::default()
        };
        let (out, _) = apply(&mut r, &w);
        assert_eq!(out, vec![RouteChange::Withdraw(n("172.16.2.11/32"))]);
    }

    #[test]
    fn graceful_restart_stale_and_sweep() {
        let mut r = rib(false);
        apply(&mut r, &update(&["10.0.0.0/24", "10.0.1.0/24"], &[65020]));
        let mut v6 = update(&[], &[65020]);
        v6.mp_reach = Some(MpReach {
            family: Family::IPV6_UNICAST,
            next_hop: nh("2001:db8::21"),
            nlri: vec![n("2001:db8:1::/48")],
        });
        apply(&mut r, &v6);
        let mut out = Vec::new();
        r.mark_stale(&mut out);
        assert_eq!(out.len(), 3);
        assert!(out.iter().all(|c| matches!(c, RouteChange::Stale(_))));
        // The peer is back and re-announces one route, unchanged: it is
        // fresh again, and the Loc-RIB hears of it.
        let (out, _) = apply(&mut r, &update(&["10.0.0.0/24"], &[65020]));
        assert_eq!(out.len(), 1);
        assert!(!r.is_stale(n("10.0.0.0/24")));
        assert!(r.is_stale(n("10.0.1.0/24")));
        // End-of-RIB for IPv4: the other IPv4 route goes, IPv6 stays stale.
        let mut out = Vec::new();
        r.sweep_stale(Some(Family::IPV4_UNICAST), &mut out);
        assert_eq!(out, vec![RouteChange::Withdraw(n("10.0.1.0/24"))]);
        assert_eq!(r.len_family(Family::IPV4_UNICAST), 1);
        assert!(r.is_stale(n("2001:db8:1::/48")));
        out.clear();
        r.sweep_stale(None, &mut out);
        assert_eq!(out, vec![RouteChange::Withdraw(n("2001:db8:1::/48"))]);
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn clear_withdraws_everything() {
        let mut r = rib(false);
        apply(&mut r, &update(&["10.0.0.0/24", "10.0.1.0/24"], &[65020]));
        let mut out = Vec::new();
        r.clear(&mut out);
        assert_eq!(out.len(), 2);
        assert!(r.is_empty());
        assert_eq!(r.iter().count(), 0);
    }

    #[test]
    fn add_path_ids_are_separate_routes() {
        let mut r = rib(false);
        let mut u = update(&[], &[65020]);
        let p: Prefix = "10.0.0.0/24".parse().unwrap();
        u.nlri = vec![Nlri::with_path_id(p, 1), Nlri::with_path_id(p, 2)];
        apply(&mut r, &u);
        assert_eq!(r.len(), 2);
        let mut out = Vec::new();
        r.withdraw(Nlri::with_path_id(p, 1), &mut out);
        assert_eq!(r.len(), 1);
    }
}
