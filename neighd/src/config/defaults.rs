//! The default of every optional key, as `model.rs` documents them, and
//! `Default` for the tables that may be left out of the file entirely.

use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6};
use std::path::PathBuf;
use std::time::Duration;

use super::model::{ControlConfig, FibConfig, FlapDamping, MetricsConfig, Redistribute};

/// `bgp.listen`: `[::]:179` (IPv4 too).
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, 179, 0, 0));
/// `bgp.hold_time`: 9 s, FRR's datacenter default (keepalive 3 s).
pub const DEFAULT_HOLD_TIME: u16 = 9;
/// `bgp.connect_retry`: 2 s, short, as on a fabric.
pub const DEFAULT_CONNECT_RETRY: Duration = Duration::from_secs(2);
/// The shortest `bgp.connect_retry`.
pub const MIN_CONNECT_RETRY: Duration = Duration::from_secs(1);
/// `bgp.restart_time`: 120 s.
pub const DEFAULT_RESTART_TIME: u16 = 120;
/// The longest `bgp.restart_time`: the capability has 12 bits for it.
pub const MAX_RESTART_TIME: u16 = 4095;
/// `bgp.max_paths`: 64-way ECMP.
pub const DEFAULT_MAX_PATHS: usize = bgp::rib::DEFAULT_MAX_PATHS;
/// The longest `bgp.hostname`: the FQDN capability has one length byte.
pub const MAX_HOSTNAME_LEN: usize = 255;
/// `bgp.neighbor.port`: 179.
pub const DEFAULT_PORT: u16 = 179;

/// `redistribute.probe_interval`: 1 s.
pub const DEFAULT_PROBE_INTERVAL: Duration = Duration::from_secs(1);
/// The shortest `redistribute.probe_interval`.
pub const MIN_PROBE_INTERVAL: Duration = Duration::from_millis(100);
/// `redistribute.probe_misses`: 3.
pub const DEFAULT_PROBE_MISSES: u32 = 3;
/// The shortest `redistribute.flap.half_life` and `max_hold`.
pub const MIN_FLAP_TIME: Duration = Duration::from_secs(1);

/// `fib.table`: 254, main.
pub const DEFAULT_FIB_TABLE: u32 = 254;
/// `fib.protocol`: 201 (named `neighd` by `dist/rt_protos.d/neighd.conf`).
pub const DEFAULT_FIB_PROTOCOL: u8 = 201;
/// `fib.metric`: 20.
pub const DEFAULT_FIB_METRIC: u32 = 20;

/// `control.socket`.
pub const DEFAULT_CONTROL_SOCKET: &str = "/run/neighd/neighd.sock";

impl Default for FlapDamping {
    fn default() -> Self {
        FlapDamping {
            enabled: true,
            penalty: 1000,
            suppress: 2000,
            reuse: 750,
            half_life: Duration::from_secs(15),
            max_hold: Duration::from_secs(120),
        }
    }
}

impl Default for Redistribute {
    /// Redistribution off (no interfaces), default probing.
    fn default() -> Self {
        Redistribute {
            interfaces: Vec::new(),
            prefixes: Vec::new(),
            probe_interval: DEFAULT_PROBE_INTERVAL,
            probe_misses: DEFAULT_PROBE_MISSES,
            communities: Vec::new(),
            large_communities: Vec::new(),
            permanent: false,
            flap: FlapDamping::default(),
        }
    }
}

impl Default for FibConfig {
    fn default() -> Self {
        FibConfig {
            install: true,
            table: DEFAULT_FIB_TABLE,
            protocol: DEFAULT_FIB_PROTOCOL,
            metric: DEFAULT_FIB_METRIC,
            export_table: None,
        }
    }
}

impl Default for ControlConfig {
    fn default() -> Self {
        ControlConfig {
            socket: PathBuf::from(DEFAULT_CONTROL_SOCKET),
        }
    }
}

impl Default for MetricsConfig {
    /// Off.
    fn default() -> Self {
        MetricsConfig { listen: None }
    }
}
