//! [`ExportTable`]: live hosts written into a kernel table as
//! `IP/32 dev IF scope link` (`/128` for IPv6), the form rdnbrd used, so
//! that a routing daemon can pick them up with `ip import-table N`.

use std::collections::hash_map::{Entry, HashMap};
use std::net::IpAddr;

use bgp::wire::Prefix;
use tokio::sync::Mutex;

use super::error::FibError;
use super::interfaces::InterfaceRef;
use super::message::RouteOwner;
use super::report::FibReport;
use super::table::{Change, OwnedTable, Target};

/// One change of the export table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportChange {
    /// The host `address` lives behind `interface`.
    Add {
        /// The host.
        address: IpAddr,
        /// Its interface.
        interface: InterfaceRef,
    },
    /// The host is gone.
    Remove {
        /// The host.
        address: IpAddr,
    },
}

/// One host route in the export table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportEntry {
    /// The host.
    pub address: IpAddr,
    /// The interface index of its route.
    pub ifindex: u32,
}

/// Host routes of our protocol in one table.
#[derive(Debug)]
pub struct ExportTable {
    table: Mutex<OwnedTable>,
}

impl ExportTable {
    /// Opens an rtnetlink socket for `table` (rdnbrd used 10), routes
    /// marked with `protocol`. Must be called inside a tokio runtime.
    pub fn open(table: u32, protocol: u8) -> Result<ExportTable, FibError> {
        let table = OwnedTable::open(RouteOwner {
            table,
            protocol,
            metric: 0,
        })?;
        Ok(ExportTable {
            table: Mutex::new(table),
        })
    }

    /// Applies `changes` in batches; the last change of an address wins.
    pub async fn apply(&mut self, changes: &[ExportChange]) -> FibReport {
        let mut position: HashMap<IpAddr, usize> = HashMap::with_capacity(changes.len());
        let mut coalesced: Vec<Change> = Vec::with_capacity(changes.len());
        for change in changes {
            let (address, target) = match change {
                ExportChange::Add { address, interface } => {
                    (*address, Some(Target::Device(interface.clone())))
                }
                ExportChange::Remove { address } => (*address, None),
            };
            let change = Change {
                prefix: Prefix::host(address),
                target,
            };
            match position.entry(address) {
                Entry::Occupied(o) => coalesced[*o.get()] = change,
                Entry::Vacant(v) => {
                    v.insert(coalesced.len());
                    coalesced.push(change);
                }
            }
        }
        self.table.get_mut().apply(&coalesced).await
    }

    /// Writes `address/32 dev interface scope link` (replacing an older entry).
    pub async fn add(&mut self, address: IpAddr, interface: impl Into<InterfaceRef>) -> FibReport {
        self.apply(&[ExportChange::Add {
            address,
            interface: interface.into(),
        }])
        .await
    }

    /// Removes the entry of `address` (success if there is none).
    pub async fn remove(&mut self, address: IpAddr) -> FibReport {
        self.apply(&[ExportChange::Remove { address }]).await
    }

    /// The entries of our protocol in the table.
    pub async fn entries(&self) -> Result<Vec<ExportEntry>, FibError> {
        let routes = self.table.lock().await.routes().await?;
        Ok(routes
            .iter()
            .filter(|r| r.prefix.len() == host_len(&r.prefix.addr()))
            .filter_map(|r| {
                Some(ExportEntry {
                    address: r.prefix.addr(),
                    ifindex: r.next_hops.first()?.ifindex?,
                })
            })
            .collect())
    }

    /// Removes our entries whose address `keep` rejects.
    pub async fn sweep_stale(
        &mut self,
        keep: impl Fn(IpAddr) -> bool,
    ) -> Result<FibReport, FibError> {
        self.table.get_mut().sweep(|r| keep(r.prefix.addr())).await
    }

    /// Removes every route of our protocol in the table.
    pub async fn cleanup(&mut self) -> Result<FibReport, FibError> {
        self.sweep_stale(|_| false).await
    }
}

fn host_len(address: &IpAddr) -> u8 {
    match address {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}
