//! The Adj-RIB-Out of one peer: what we advertised to it, and the changes
//! not sent yet, coalesced per prefix; [`AdjRibOut::flush`] packs them
//! into UPDATEs, withdrawals first.

use std::collections::HashMap;
use std::sync::Arc;

use super::export::ExportPolicy;
use super::intern::AttrInterner;
use super::map::FamilyMap;
use super::path::{Path, PathAttrs, PeerInfo};
use super::RibError;
use crate::wire::{
    pack_announcements, pack_withdrawals, Family, NextHop, Nlri, PathAttributes, Prefix,
    WireContext,
};

/// The Adj-RIB-Out of one peer.
///
/// Sends no add-path identifiers: one path per prefix.
#[derive(Debug)]
pub struct AdjRibOut {
    peer: PeerInfo,
    policy: ExportPolicy,
    advertised: FamilyMap<(), Arc<PathAttrs>>,
    /// `Some`: announce these attributes; `None`: withdraw.
    pending: FamilyMap<(), Option<Arc<PathAttrs>>>,
    unencodable: u64,
}

impl AdjRibOut {
    /// An empty Adj-RIB-Out for `peer`, presenting routes by `policy`.
    pub fn new(peer: PeerInfo, policy: ExportPolicy) -> Self {
        AdjRibOut {
            peer,
            policy,
            advertised: FamilyMap::default(),
            pending: FamilyMap::default(),
            unencodable: 0,
        }
    }

    /// The peer.
    pub fn peer(&self) -> &PeerInfo {
        &self.peer
    }

    /// The export policy.
    pub fn policy(&self) -> &ExportPolicy {
        &self.policy
    }

    /// Queues an announcement. Announcing what the peer already has (or
    /// will have after the next flush) queues nothing.
    ///
    /// Fails when the next hop cannot carry the prefix on this session
    /// (an IPv6 prefix needs an IPv6 next hop; an IPv4 prefix with an IPv6
    /// next hop needs extended next hop).
    pub fn advertise(&mut self, prefix: Prefix, attrs: Arc<PathAttrs>) -> Result<(), RibError> {
        let ok = match (prefix, attrs.next_hop) {
            (Prefix::V6(_), NextHop::V6 { .. }) | (Prefix::V4(_), NextHop::V4(_)) => true,
            (Prefix::V4(_), NextHop::V6 { .. }) => self.policy.extended_next_hop,
            (Prefix::V6(_), NextHop::V4(_)) => false,
        };
        if !ok {
            return Err(RibError::NextHopFamily {
                prefix,
                next_hop: attrs.next_hop,
            });
        }
        let current = self.advertised.get(prefix, ());
        if current.is_some_and(|c| Arc::ptr_eq(c, &attrs) || **c == *attrs) {
            self.pending.remove(prefix, ());
        } else {
            self.pending.insert(prefix, (), Some(attrs));
        }
        Ok(())
    }

    /// Queues a withdrawal. Withdrawing what the peer never got cancels a
    /// pending announcement and queues nothing.
    pub fn withdraw(&mut self, prefix: Prefix) {
        if self.advertised.get(prefix, ()).is_some() {
            self.pending.insert(prefix, (), None);
        } else {
            self.pending.remove(prefix, ());
        }
    }

    /// Feeds a Loc-RIB best-path change: exports `best` (from `source`,
    /// `None` for local routes) through the policy, interns the result and
    /// advertises it, or withdraws `prefix` when there is no best path or
    /// the policy keeps it from this peer.
    pub fn apply_best(
        &mut self,
        prefix: Prefix,
        best: Option<&Path>,
        source: Option<&PeerInfo>,
        interner: &mut AttrInterner,
    ) -> Result<(), RibError> {
        match best.and_then(|p| self.policy.export(prefix, p, source, &self.peer)) {
            Some(a) => self.advertise(prefix, interner.intern(a)),
            None => {
                self.withdraw(prefix);
                Ok(())
            }
        }
    }

    /// What the peer was sent for `prefix` (as of the last flush).
    pub fn advertised(&self, prefix: Prefix) -> Option<&Arc<PathAttrs>> {
        self.advertised.get(prefix, ())
    }

    /// How many prefixes the peer has from us (as of the last flush).
    pub fn advertised_len(&self) -> usize {
        self.advertised.len()
    }

    /// How many prefixes have a change waiting.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// Routes dropped by [`AdjRibOut::flush`] because their attributes do
    /// not fit in one UPDATE.
    pub fn unencodable(&self) -> u64 {
        self.unencodable
    }

    /// Route refresh (RFC 2918): queues everything advertised again
    /// (pending changes, being newer, stand).
    pub fn resend_all(&mut self) {
        for (prefix, (), attrs) in self.advertised.iter() {
            self.pending
                .get_or_insert_with(prefix, (), || Some(Arc::clone(attrs)));
        }
    }

    /// The session is gone: forgets everything.
    pub fn clear(&mut self) {
        self.advertised.clear();
        self.pending.clear();
    }

    /// Appends UPDATEs for every pending change to `out` and returns how
    /// many: all withdrawals first (IPv4, then IPv6), then the
    /// announcements, prefixes with the same attributes packed together.
    /// Output is deterministic (sorted by prefix).
    ///
    /// A route whose attributes cannot fit in one UPDATE with even one
    /// prefix is not sent; if the peer had an older version, it is
    /// withdrawn instead (counted in [`AdjRibOut::unencodable`]).
    pub fn flush(&mut self, ctx: &WireContext, out: &mut Vec<u8>) -> usize {
        let pending = std::mem::take(&mut self.pending);
        let mut withdrawn: Vec<Nlri> = Vec::new();
        let mut groups: Vec<(Arc<PathAttrs>, Vec<Nlri>)> = Vec::new();
        // Group by pointer (interned attributes: one hash of a pointer per
        // prefix), falling back to equality for each new pointer.
        let mut by_ptr: HashMap<*const PathAttrs, usize> = HashMap::new();
        let mut by_value: HashMap<Arc<PathAttrs>, usize> = HashMap::new();
        for (prefix, (), change) in pending.into_entries() {
            match change {
                None => withdrawn.push(Nlri::new(prefix)),
                Some(attrs) => {
                    let i = *by_ptr.entry(Arc::as_ptr(&attrs)).or_insert_with(|| {
                        *by_value.entry(Arc::clone(&attrs)).or_insert_with(|| {
                            groups.push((Arc::clone(&attrs), Vec::new()));
                            groups.len() - 1
                        })
                    });
                    groups[i].1.push(Nlri::new(prefix));
                }
            }
        }
        drop((by_ptr, by_value));
        for g in &mut groups {
            g.1.sort_unstable();
        }
        groups.sort_unstable_by_key(|g| g.1.first().copied());

        let mut messages = 0;
        let mut announcements = Vec::new();
        for (attrs, nlri) in &groups {
            let wire = wire_attrs(&attrs.attrs, ctx);
            // A group may mix families (one IPv6 next hop for both): split.
            let split = nlri.partition_point(|n| matches!(n.prefix, Prefix::V4(_)));
            for part in [&nlri[..split], &nlri[split..]] {
                let Some(first) = part.first() else { continue };
                let mark = announcements.len();
                match pack_announcements(
                    ctx,
                    &wire,
                    attrs.next_hop,
                    first.prefix.family(),
                    part,
                    &mut announcements,
                ) {
                    Ok(n) => {
                        messages += n;
                        for n in part {
                            self.advertised.insert(n.prefix, (), Arc::clone(attrs));
                        }
                    }
                    Err(_) => {
                        announcements.truncate(mark);
                        self.unencodable += part.len() as u64;
                        for n in part {
                            if self.advertised.get(n.prefix, ()).is_some() {
                                withdrawn.push(*n);
                            }
                        }
                    }
                }
            }
        }

        withdrawn.sort_unstable();
        let split = withdrawn.partition_point(|n| matches!(n.prefix, Prefix::V4(_)));
        for (family, part) in [
            (Family::IPV4_UNICAST, &withdrawn[..split]),
            (Family::IPV6_UNICAST, &withdrawn[split..]),
        ] {
            if part.is_empty() {
                continue;
            }
            let mark = out.len();
            match pack_withdrawals(ctx, family, part, out) {
                Ok(n) => {
                    messages += n;
                    for n in part {
                        self.advertised.remove(n.prefix, ());
                    }
                }
                // Cannot happen (a prefix is at most 21 bytes); keep them
                // pending rather than lose them.
                Err(_) => {
                    out.truncate(mark);
                    for n in part {
                        self.pending.insert(n.prefix, (), None);
                    }
                }
            }
        }
        out.extend_from_slice(&announcements);
        messages
    }
}

/// The attributes as this session encodes them: on a 2-octet AS session,
/// AS4_PATH and AS4_AGGREGATOR carry what AS_TRANS hides (RFC 6793 §4.2.2).
fn wire_attrs<'a>(
    a: &'a PathAttributes,
    ctx: &WireContext,
) -> std::borrow::Cow<'a, PathAttributes> {
    let path_needs = a.as_path.as_ref().is_some_and(|p| p.needs_as4_path());
    let agg_needs = a.aggregator.is_some_and(|g| g.asn > 0xffff);
    if ctx.four_octet_as || !(path_needs || agg_needs) {
        return std::borrow::Cow::Borrowed(a);
    }
    let mut a = a.clone();
    if path_needs {
        a.as4_path = a.as_path.clone();
    }
    if agg_needs {
        a.as4_aggregator = a.aggregator;
    }
    std::borrow::Cow::Owned(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rib::testutil::*;
    use crate::rib::PeerId;
    use crate::wire::{AsPath, Community, Message, Update};

    fn out_rib() -> AdjRibOut {
        AdjRibOut::new(
            peer_info(1, 65020, "10.0.0.21", "10.1.1.21", false),
            ExportPolicy {
                local_asn: 65011,
                next_hop_v4: Some("10.0.0.11".parse().unwrap()),
                next_hop_v6: Some(nh("2001:db8::11")),
                extended_next_hop: false,
            },
        )
    }

    fn p(s: &str) -> Prefix {
        s.parse().unwrap()
    }

    fn a(asns: &[u32]) -> Arc<PathAttrs> {
        attrs_with(|a| a.as_path = Some(AsPath::from_sequence(asns)))
    }

    /// Flushes and decodes the UPDATEs.
    fn flush(r: &mut AdjRibOut, ctx: &WireContext) -> Vec<Update> {
        let mut bytes = Vec::new();
        let count = r.flush(ctx, &mut bytes);
        let mut updates = Vec::new();
        let mut rest = &bytes[..];
        while let Some((m, used)) = Message::decode(rest, ctx).unwrap() {
            let Message::Update(u) = m else {
                panic!("not an UPDATE: {m:?}")
            };
            assert!(u.errors.is_empty(), "{:?}", u.errors);
            updates.push(*u);
            rest = &rest[used..];
        }
        assert!(rest.is_empty());
        assert_eq!(updates.len(), count);
        updates
    }

    fn announced(u: &Update) -> Vec<String> {
        let mp = u.mp_reach.iter().flat_map(|m| &m.nlri);
        u.nlri.iter().chain(mp).map(|n| n.to_string()).collect()
    }

    fn withdrawn(u: &Update) -> Vec<String> {
        let mp = u.mp_unreach.iter().flat_map(|m| &m.withdrawn);
        u.withdrawn
            .iter()
            .chain(mp)
            .map(|n| n.to_string())
            .collect()
    }

    #[test]
    fn coalescing() {
        let ctx = WireContext::modern();
        let mut r = out_rib();
        // Announce then withdraw before a flush: nothing.
        r.advertise(p("10.0.0.0/24"), a(&[65011])).unwrap();
        r.withdraw(p("10.0.0.0/24"));
        assert_eq!(r.pending_len(), 0);
        assert!(flush(&mut r, &ctx).is_empty());
        // Withdrawing what was never sent: nothing.
        r.withdraw(p("10.0.9.0/24"));
        assert_eq!(r.pending_len(), 0);
        // Two announcements of one prefix: the last one goes.
        r.advertise(p("10.0.0.0/24"), a(&[65011, 1])).unwrap();
        r.advertise(p("10.0.0.0/24"), a(&[65011, 2])).unwrap();
        let u = flush(&mut r, &ctx);
        assert_eq!(u.len(), 1);
        assert_eq!(
            u[0].attributes.as_path,
            Some(AsPath::from_sequence(&[65011, 2]))
        );
        // Re-announcing identical attributes (even another Arc): nothing.
        r.advertise(p("10.0.0.0/24"), a(&[65011, 2])).unwrap();
        assert_eq!(r.pending_len(), 0);
        // Change then change back before a flush: nothing.
        r.advertise(p("10.0.0.0/24"), a(&[65011, 3])).unwrap();
        r.advertise(p("10.0.0.0/24"), a(&[65011, 2])).unwrap();
        assert_eq!(r.pending_len(), 0);
        // Withdraw then re-announce the same: nothing either.
        r.withdraw(p("10.0.0.0/24"));
        r.advertise(p("10.0.0.0/24"), a(&[65011, 2])).unwrap();
        assert!(flush(&mut r, &ctx).is_empty());
        assert_eq!(r.advertised_len(), 1);
    }

    #[test]
    fn withdrawals_go_first_and_equal_attributes_share_updates() {
        let ctx = WireContext::modern();
        let mut r = out_rib();
        let (x, y) = (a(&[65011]), a(&[65011, 7]));
        r.advertise(p("10.0.0.0/24"), x.clone()).unwrap();
        r.advertise(
            p("2001:db8:5::/48"),
            attrs_with(|_| {}).as_ref().clone().with_nh6(),
        )
        .unwrap();
        flush(&mut r, &ctx);
        // Announcements queued before the withdrawals.
        r.advertise(p("10.0.2.0/24"), y.clone()).unwrap();
        r.advertise(p("10.0.1.0/24"), x.clone()).unwrap();
        r.advertise(p("10.0.3.0/24"), y.clone()).unwrap();
        r.withdraw(p("10.0.0.0/24"));
        r.withdraw(p("2001:db8:5::/48"));
        let u = flush(&mut r, &ctx);
        assert_eq!(u.len(), 4, "{u:#?}");
        assert_eq!(withdrawn(&u[0]), vec!["10.0.0.0/24"]);
        assert!(announced(&u[0]).is_empty());
        assert_eq!(withdrawn(&u[1]), vec!["2001:db8:5::/48"]);
        assert_eq!(announced(&u[2]), vec!["10.0.1.0/24"]);
        assert_eq!(announced(&u[3]), vec!["10.0.2.0/24", "10.0.3.0/24"]);
        assert_eq!(r.advertised_len(), 3);
        assert!(r.advertised(p("10.0.0.0/24")).is_none());
    }

    #[test]
    fn resend_all_for_route_refresh() {
        let ctx = WireContext::modern();
        let mut r = out_rib();
        for i in 0..3 {
            r.advertise(p(&format!("10.0.{i}.0/24")), a(&[65011]))
                .unwrap();
        }
        flush(&mut r, &ctx);
        r.resend_all();
        r.withdraw(p("10.0.0.0/24"));
        let u = flush(&mut r, &ctx);
        assert_eq!(withdrawn(&u[0]), vec!["10.0.0.0/24"]);
        assert_eq!(announced(&u[1]), vec!["10.0.1.0/24", "10.0.2.0/24"]);
    }

    #[test]
    fn next_hop_must_fit_the_family() {
        let mut r = out_rib();
        let v6nh = attrs_with(|_| {}).as_ref().clone().with_nh6();
        assert!(matches!(
            r.advertise(p("10.0.0.0/24"), v6nh),
            Err(RibError::NextHopFamily { .. })
        ));
        assert!(r.advertise(p("2001:db8::/32"), a(&[65011])).is_err());
    }

    #[test]
    fn two_octet_sessions_get_as4_path() {
        let ctx = WireContext::default();
        let mut r = out_rib();
        r.advertise(p("10.0.0.0/24"), a(&[4_200_000_011, 65020]))
            .unwrap();
        let u = flush(&mut r, &ctx);
        assert_eq!(
            u[0].attributes.effective_as_path(),
            Some(AsPath::from_sequence(&[4_200_000_011, 65020]))
        );
    }

    #[test]
    fn unencodable_routes_are_withdrawn() {
        let ctx = WireContext::modern();
        let mut r = out_rib();
        r.advertise(p("10.0.0.0/24"), a(&[65011])).unwrap();
        flush(&mut r, &ctx);
        let huge = attrs_with(|a| a.communities = vec![Community(1); 1100]);
        r.advertise(p("10.0.0.0/24"), huge.clone()).unwrap();
        r.advertise(p("10.0.1.0/24"), huge).unwrap();
        let u = flush(&mut r, &ctx);
        assert_eq!(u.len(), 1);
        assert_eq!(withdrawn(&u[0]), vec!["10.0.0.0/24"]);
        assert_eq!(r.unencodable(), 2);
        assert_eq!(r.advertised_len(), 0);
    }

    #[test]
    fn apply_best_exports_through_the_policy() {
        let ctx = WireContext::modern();
        let mut r = out_rib();
        let mut i = AttrInterner::new();
        let mut local = path(0, 100, &[]);
        local.peer = PeerId::LOCAL;
        r.apply_best(p("11.11.1.0/24"), Some(&local), None, &mut i)
            .unwrap();
        // A route from this very peer is not sent back: withdraw (nothing
        // to withdraw yet, so nothing queued).
        let back = path(1, 100, &[65020]);
        let src = r.peer().clone();
        r.apply_best(p("10.0.0.0/24"), Some(&back), Some(&src), &mut i)
            .unwrap();
        let u = flush(&mut r, &ctx);
        assert_eq!(u.len(), 1);
        assert_eq!(announced(&u[0]), vec!["11.11.1.0/24"]);
        assert_eq!(
            u[0].attributes.as_path,
            Some(AsPath::from_sequence(&[65011]))
        );
        assert_eq!(u[0].attributes.next_hop, Some("10.0.0.11".parse().unwrap()));
        r.apply_best(p("11.11.1.0/24"), None, None, &mut i).unwrap();
        assert_eq!(withdrawn(&flush(&mut r, &ctx)[0]), vec!["11.11.1.0/24"]);
    }

    impl PathAttrs {
        fn with_nh6(mut self) -> Arc<PathAttrs> {
            self.next_hop = nh("2001:db8::11");
            Arc::new(self)
        }
    }
}
