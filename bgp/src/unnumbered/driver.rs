//! The tokio driver: one task per interface ([`super::port`]) sends router
//! advertisements and listens for solicitations and other routers'
//! advertisements; a control task adds and removes interfaces at runtime.
//! [`RaDriver`] is the handle; dropping every clone of it stops everything.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::error::Error;
use super::event::{Counters, Event, IfName, Stats};
use super::port::Port;

/// The shortest advertisement interval accepted.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// What to advertise and how often.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaConfig {
    /// Time between unsolicited advertisements (default 3 s, like the FRR
    /// spine's `ipv6 nd ra-interval 3`; at least [`MIN_INTERVAL`]).
    pub interval: Duration,
    /// Router lifetime in seconds. Default 0: "not a default router".
    /// FRR discovers an interface peer from any valid advertisement — its
    /// zebra never looks at the lifetime — so 0 is enough and keeps hosts
    /// that accept RAs from using the leaf as a default gateway.
    pub router_lifetime: u16,
    /// Cur hop limit advertised (default 64, what FRR sends: zebra logs a
    /// warning for a different non-zero value).
    pub cur_hop_limit: u8,
    /// Reachable time in ms (default 0, unspecified, as FRR).
    pub reachable_time: u32,
    /// Retransmission timer in ms (default 0, unspecified, as FRR).
    pub retrans_timer: u32,
    /// How often an interface that is missing, down or without a link-local
    /// address is looked at again, and how often a ready one is checked for
    /// changes (default 1 s).
    pub retry_interval: Duration,
    /// Send one router solicitation when an interface becomes ready, so
    /// that routers on it answer at once (default true).
    pub solicit: bool,
}

impl Default for RaConfig {
    fn default() -> Self {
        RaConfig {
            interval: Duration::from_secs(3),
            router_lifetime: 0,
            cur_hop_limit: 64,
            reachable_time: 0,
            retrans_timer: 0,
            retry_interval: Duration::from_secs(1),
            solicit: true,
        }
    }
}

impl RaConfig {
    fn check(&self) -> Result<(), Error> {
        if self.interval < MIN_INTERVAL {
            return Err(Error::Config(format!(
                "interval {:?} is below the minimum of {MIN_INTERVAL:?}",
                self.interval
            )));
        }
        if self.retry_interval < Duration::from_millis(100) {
            return Err(Error::Config(format!(
                "retry interval {:?} is below 100 ms",
                self.retry_interval
            )));
        }
        Ok(())
    }
}

enum Command {
    Add(IfName),
    Remove(IfName),
}

/// Handle of a running router advertisement driver (cheap to clone).
#[derive(Debug, Clone)]
pub struct RaDriver {
    commands: mpsc::UnboundedSender<Command>,
    stats: Arc<Stats>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Add(n) => write!(f, "Add({n})"),
            Command::Remove(n) => write!(f, "Remove({n})"),
        }
    }
}

impl RaDriver {
    /// Starts the driver on the current tokio runtime, with no interfaces
    /// yet. Events arrive on the returned channel; the driver never waits
    /// for its reader.
    pub fn start(config: RaConfig) -> Result<(RaDriver, mpsc::UnboundedReceiver<Event>), Error> {
        config.check()?;
        let rt = tokio::runtime::Handle::try_current().map_err(|_| Error::NoRuntime)?;
        let (commands, rx) = mpsc::unbounded_channel();
        let (events_tx, events) = mpsc::unbounded_channel();
        let stats = Arc::new(Stats::default());
        rt.spawn(control(rx, Arc::new(config), events_tx, stats.clone()));
        Ok((RaDriver { commands, stats }, events))
    }

    /// Starts advertising on `name` (idempotent). The interface need not
    /// exist yet: it is picked up once it exists, is up and has a link-local
    /// address.
    pub fn add_interface(&self, name: &str) -> Result<(), Error> {
        let n = IfName::new(name).ok_or_else(|| Error::InterfaceName(name.into()))?;
        self.commands
            .send(Command::Add(n))
            .map_err(|_| Error::Stopped)
    }

    /// Stops advertising on `name` and closes its socket (no event follows).
    pub fn remove_interface(&self, name: &str) -> Result<(), Error> {
        let n = IfName::new(name).ok_or_else(|| Error::InterfaceName(name.into()))?;
        self.commands
            .send(Command::Remove(n))
            .map_err(|_| Error::Stopped)
    }

    /// Packet counters over all interfaces.
    pub fn counters(&self) -> Counters {
        self.stats.snapshot()
    }
}

/// Aborts the port task when dropped.
struct PortTask(JoinHandle<()>);

impl Drop for PortTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn control(
    mut commands: mpsc::UnboundedReceiver<Command>,
    config: Arc<RaConfig>,
    events: mpsc::UnboundedSender<Event>,
    stats: Arc<Stats>,
) {
    let mut ports: HashMap<IfName, PortTask> = HashMap::new();
    while let Some(cmd) = commands.recv().await {
        match cmd {
            Command::Add(name) => {
                ports.entry(name).or_insert_with(|| {
                    tracing::info!(interface = %name, "router advertisements: interface added");
                    let port = Port::new(name, config.clone(), events.clone(), stats.clone());
                    PortTask(tokio::spawn(port.run()))
                });
            }
            Command::Remove(name) => {
                if ports.remove(&name).is_some() {
                    tracing::info!(interface = %name, "router advertisements: interface removed");
                }
            }
        }
    }
    // every handle is gone: dropping `ports` stops the interfaces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_limits() {
        assert!(RaConfig::default().check().is_ok());
        let fast = RaConfig {
            interval: Duration::from_millis(500),
            ..RaConfig::default()
        };
        assert!(matches!(fast.check(), Err(Error::Config(_))));
    }

    #[test]
    fn start_needs_a_runtime() {
        assert!(matches!(
            RaDriver::start(RaConfig::default()),
            Err(Error::NoRuntime)
        ));
    }

    #[tokio::test]
    async fn bad_names_and_missing_interfaces() {
        let (d, mut events) = RaDriver::start(RaConfig::default()).unwrap();
        assert!(matches!(
            d.add_interface("a/b"),
            Err(Error::InterfaceName(_))
        ));
        // an interface that does not exist is retried quietly: no event, no traffic
        d.add_interface("neighd-nx0").unwrap();
        d.add_interface("neighd-nx0").unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(events.try_recv().is_err());
        d.remove_interface("neighd-nx0").unwrap();
        assert_eq!(d.counters(), Counters::default());
    }
}
