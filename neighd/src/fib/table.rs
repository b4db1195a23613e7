//! Routes of one protocol in one kernel table, shared by [`super::Fib`] and
//! [`super::ExportTable`]: batches of installs and removals through the
//! pipelined socket with interface names resolved (and resolved again,
//! once, when the kernel answers ENODEV), the routes read back by dump, and
//! removed by the list.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use bgp::wire::Prefix;

use super::error::FibError;
use super::installed::{self, InstalledRoute, RTM_NEWROUTE};
use super::interfaces::{InterfaceCache, InterfaceRef};
use super::message::{self, Forwarding, ResolvedHop, RouteOwner};
use super::report::FibReport;
use super::socket::{Request, RouteSocket};

/// The metric the kernel gives IPv6 routes added without one.
const IPV6_DEFAULT_METRIC: u32 = 1024;

/// A next hop as the caller names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GatewayHop {
    pub(crate) address: IpAddr,
    pub(crate) interface: Option<Arc<str>>,
}

/// Where a route should send packets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// Through gateways (ECMP when more than one).
    Gateways(Vec<GatewayHop>),
    /// Out of an interface, scope link.
    Device(InterfaceRef),
}

/// Install (or replace) a route, or remove it (`target: None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    pub(crate) prefix: Prefix,
    pub(crate) target: Option<Target>,
}

impl Change {
    fn action(&self) -> &'static str {
        if self.target.is_some() {
            "install"
        } else {
            "remove"
        }
    }

    fn interface_names(&self) -> impl Iterator<Item = &Arc<str>> {
        let (hops, device): (&[GatewayHop], Option<&Arc<str>>) = match &self.target {
            Some(Target::Gateways(hops)) => (hops, None),
            Some(Target::Device(InterfaceRef::Name(name))) => (&[], Some(name)),
            Some(Target::Device(InterfaceRef::Index(_))) | None => (&[], None),
        };
        hops.iter()
            .filter_map(|h| h.interface.as_ref())
            .chain(device)
    }
}

/// The socket, the interface cache and whose routes we handle.
#[derive(Debug)]
pub(crate) struct OwnedTable {
    socket: RouteSocket,
    interfaces: InterfaceCache,
    owner: RouteOwner,
}

impl OwnedTable {
    /// Refuses owners that would match other programs' routes.
    pub(crate) fn open(owner: RouteOwner) -> Result<OwnedTable, FibError> {
        if owner.table == 0 {
            return Err(FibError::InvalidOptions(
                "table 0 is not a table (RT_TABLE_UNSPEC)".into(),
            ));
        }
        if owner.protocol == 0 {
            return Err(FibError::InvalidOptions(
                "protocol 0 (unspec) would match every route of the table".into(),
            ));
        }
        Ok(OwnedTable {
            socket: RouteSocket::open()?,
            interfaces: InterfaceCache::default(),
            owner,
        })
    }

    /// Applies `changes` (one per prefix) and reports per route.
    pub(crate) async fn apply(&mut self, changes: &[Change]) -> FibReport {
        let mut report = FibReport::default();
        let mut pending: Vec<&Change> = changes.iter().collect();
        let mut may_retry = true;
        while !pending.is_empty() {
            pending = self.apply_round(&pending, may_retry, &mut report).await;
            may_retry = false;
        }
        report
    }

    /// One pass over `changes`; the installs to try again because an
    /// interface index went away.
    async fn apply_round<'a>(
        &mut self,
        changes: &[&'a Change],
        may_retry: bool,
        report: &mut FibReport,
    ) -> Vec<&'a Change> {
        let indexes = match self.resolve_names(changes).await {
            Ok(i) => i,
            Err(e) => {
                for change in changes {
                    report.fail(change.prefix, format!("{}: {e}", change.action()));
                }
                return Vec::new();
            }
        };
        let mut requests = Vec::with_capacity(changes.len());
        let mut sent = Vec::with_capacity(changes.len());
        for &change in changes {
            match self.request(change, &indexes) {
                Ok(r) => {
                    requests.push(r);
                    sent.push(change);
                }
                Err(reason) => report.fail(change.prefix, format!("{}: {reason}", change.action())),
            }
        }
        let answers = match self.socket.execute(&requests).await {
            Ok(a) => a,
            Err(e) => {
                for change in sent {
                    report.fail(change.prefix, format!("{}: {e}", change.action()));
                }
                return Vec::new();
            }
        };
        let mut retry = Vec::new();
        for (change, answer) in sent.into_iter().zip(answers) {
            let install = change.target.is_some();
            match answer {
                Ok(()) if install => report.installed += 1,
                Ok(()) => report.removed += 1,
                // Already gone is what we wanted.
                Err(e) if !install && e.errno == libc::ESRCH => report.removed += 1,
                Err(e)
                    if e.errno == libc::ENODEV
                        && may_retry
                        && change.interface_names().next().is_some() =>
                {
                    for name in change.interface_names() {
                        self.interfaces.forget(name);
                    }
                    retry.push(change);
                }
                Err(e) => report.fail(change.prefix, format!("{}: {e}", change.action())),
            }
        }
        retry
    }

    /// The index (or why there is none) of every interface name in `changes`.
    async fn resolve_names(
        &mut self,
        changes: &[&Change],
    ) -> Result<HashMap<Arc<str>, Result<u32, String>>, FibError> {
        let mut indexes = HashMap::new();
        for change in changes {
            for name in change.interface_names() {
                if !indexes.contains_key(name) {
                    let index = self.interfaces.resolve(&mut self.socket, name).await?;
                    indexes.insert(name.clone(), index);
                }
            }
        }
        Ok(indexes)
    }

    fn request(
        &self,
        change: &Change,
        indexes: &HashMap<Arc<str>, Result<u32, String>>,
    ) -> Result<Request, String> {
        let index_of = |name: &Arc<str>| -> Result<u32, String> {
            indexes
                .get(name)
                .cloned()
                .unwrap_or_else(|| Err(format!("interface {name} was not looked up")))
        };
        let forwarding = match &change.target {
            None => {
                return Ok(message::remove(
                    &self.owner,
                    &change.prefix,
                    self.owner.metric,
                ))
            }
            Some(Target::Device(InterfaceRef::Index(index))) => Forwarding::Device(*index),
            Some(Target::Device(InterfaceRef::Name(name))) => Forwarding::Device(index_of(name)?),
            Some(Target::Gateways(hops)) => Forwarding::Gateways(
                hops.iter()
                    .map(|hop| {
                        Ok(ResolvedHop {
                            address: hop.address,
                            ifindex: hop.interface.as_ref().map(index_of).transpose()?,
                        })
                    })
                    .collect::<Result<_, String>>()?,
            ),
        };
        message::install(&self.owner, &change.prefix, &forwarding)
    }

    /// Our routes as the kernel has them.
    pub(crate) async fn routes(&mut self) -> Result<Vec<InstalledRoute>, FibError> {
        let replies = self
            .socket
            .dump(&message::dump(&self.owner), "the route dump")
            .await?;
        Ok(replies
            .iter()
            .filter(|r| r.message_type == RTM_NEWROUTE)
            .filter_map(|r| installed::parse(&self.owner, &r.payload))
            .collect())
    }

    /// Removes our routes that `keep` rejects or whose metric is not ours.
    pub(crate) async fn sweep(
        &mut self,
        keep: impl Fn(&InstalledRoute) -> bool,
    ) -> Result<FibReport, FibError> {
        let stale: Vec<InstalledRoute> = self
            .routes()
            .await?
            .into_iter()
            .filter(|r| !keep(r) || !self.has_our_metric(r))
            .collect();
        Ok(self.remove_routes(&stale).await)
    }

    /// Whether `route` carries our metric (IPv6 routes given none get 1024).
    fn has_our_metric(&self, route: &InstalledRoute) -> bool {
        route.metric == self.owner.metric
            || (self.owner.metric == 0
                && matches!(route.prefix, Prefix::V6(_))
                && route.metric == IPV6_DEFAULT_METRIC)
    }

    /// Removes `routes` (as dumped: each with its own metric).
    async fn remove_routes(&mut self, routes: &[InstalledRoute]) -> FibReport {
        let requests: Vec<Request> = routes
            .iter()
            .map(|r| message::remove(&self.owner, &r.prefix, r.metric))
            .collect();
        let mut report = FibReport::default();
        match self.socket.execute(&requests).await {
            Ok(answers) => {
                for (route, answer) in routes.iter().zip(answers) {
                    match answer {
                        Ok(()) => report.removed += 1,
                        Err(e) if e.errno == libc::ESRCH => report.removed += 1,
                        Err(e) => report.fail(route.prefix, format!("remove: {e}")),
                    }
                }
            }
            Err(e) => {
                for route in routes {
                    report.fail(route.prefix, format!("remove: {e}"));
                }
            }
        }
        report
    }
}
