//! The configuration as the rest of neighd sees it: plain, validated values.
//!
//! Parsing and validation (with the key and line of every error) live in
//! the sibling modules; everything here is already known to be good.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use bgp::fsm::RemoteAs;
use bgp::wire::{Community, LargeCommunity, Prefix};

/// The whole configuration file.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `[bgp]`.
    pub bgp: BgpConfig,
    /// `[redistribute]`: which neighbours become host routes.
    pub redistribute: Redistribute,
    /// `[[announce]]`: fixed prefixes and interface subnets.
    pub announce: Vec<Announce>,
    /// `[fib]`: learned routes into the kernel, and the rdnbrd-style export table.
    pub fib: FibConfig,
    /// `[control]`: the Unix socket neighctl talks to.
    pub control: ControlConfig,
    /// `[metrics]`: Prometheus exposition.
    pub metrics: MetricsConfig,
}

/// `[bgp]`.
#[derive(Debug, Clone, PartialEq)]
pub struct BgpConfig {
    /// `asn`: our AS (1..=4294967295).
    pub asn: u32,
    /// `router_id`: an IPv4 address.
    pub router_id: Ipv4Addr,
    /// `listen`: where to accept BGP connections (default `[::]:179`);
    /// `listen = false` in the file gives `None` (connect only).
    pub listen: Option<SocketAddr>,
    /// `hold_time` in seconds (default 9, FRR's datacenter default; 0 or 3..=65535).
    pub hold_time: u16,
    /// `connect_retry` (default "2s" — short, as on a fabric).
    pub connect_retry: Duration,
    /// `graceful_restart` (default false).
    pub graceful_restart: bool,
    /// `restart_time` in seconds (default 120).
    pub restart_time: u16,
    /// `max_paths`: ECMP width (default 64).
    pub max_paths: usize,
    /// `hostname`: sent in the FQDN capability (default: the machine's).
    pub hostname: Option<String>,
    /// `[[bgp.neighbor]]`.
    pub neighbors: Vec<Neighbor>,
}

/// Where a neighbor is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NeighborTarget {
    /// `address = "192.168.2.1"`: numbered.
    Address(IpAddr),
    /// `interface = "swp51"`: unnumbered, found by router advertisements.
    Interface(String),
}

/// `[[bgp.neighbor]]`. Its `Debug` shows `<redacted>` for the password.
#[derive(Clone, PartialEq)]
pub struct Neighbor {
    /// `address` or `interface` (exactly one of them).
    pub target: NeighborTarget,
    /// `remote_as`: a number, `"external"` or `"internal"`.
    pub remote_as: RemoteAs,
    /// `password`: TCP MD5 (RFC 2385). Never logged.
    pub password: Option<String>,
    /// `ttl_security`: GTSM (RFC 5082).
    pub ttl_security: bool,
    /// `passive`: wait for the peer to connect.
    pub passive: bool,
    /// `hold_time`: overrides `[bgp] hold_time`.
    pub hold_time: Option<u16>,
    /// `port` (default 179).
    pub port: u16,
    /// `max_prefix`: tear the session down above this many prefixes.
    pub max_prefix: Option<u32>,
    /// `description`: free text, shown by neighctl.
    pub description: Option<String>,
}

/// `[redistribute]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Redistribute {
    /// `interfaces`: host-facing interfaces to watch (a bridge member folds
    /// into its bridge). Empty: redistribution is off.
    pub interfaces: Vec<String>,
    /// `prefixes`: only hosts inside these are announced. Empty: any
    /// (global-scope) address.
    pub prefixes: Vec<Prefix>,
    /// `probe_interval` (default "1s", at least "100ms").
    pub probe_interval: Duration,
    /// `probe_misses` (default 3, at least 1).
    pub probe_misses: u32,
    /// `communities`: standard communities on every host route (`"65000:100"`).
    pub communities: Vec<Community>,
    /// `large_communities` (`"65000:1:2"`).
    pub large_communities: Vec<LargeCommunity>,
    /// `permanent`: also redistribute PERMANENT (static) neighbour entries (default false).
    pub permanent: bool,
    /// `[redistribute.flap]`: hold-down of hosts that flap.
    pub flap: FlapDamping,
}

/// `[redistribute.flap]`: a host that dies and returns is penalised; while
/// its penalty is above `suppress`, it stays withdrawn even if alive.
#[derive(Debug, Clone, PartialEq)]
pub struct FlapDamping {
    /// `enabled` (default true).
    pub enabled: bool,
    /// `penalty`: added at each death (default 1000).
    pub penalty: u32,
    /// `suppress`: suppressed above this (default 2000: the third death within about a minute).
    pub suppress: u32,
    /// `reuse`: announced again once decayed below this (default 750).
    pub reuse: u32,
    /// `half_life` (default "15s").
    pub half_life: Duration,
    /// `max_hold`: never held down longer than this (default "120s").
    pub max_hold: Duration,
}

/// `[[announce]]`: exactly one of `prefix` and `interface`.
#[derive(Debug, Clone, PartialEq)]
pub struct Announce {
    /// What to announce.
    pub source: AnnounceSource,
    /// `communities` on this announcement.
    pub communities: Vec<Community>,
}

/// See [`Announce`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AnnounceSource {
    /// `prefix = "11.11.1.0/24"`: always announced.
    Prefix(Prefix),
    /// `interface = "br0"`: the interface's connected (global-scope) subnets,
    /// announced while it is up.
    Interface(String),
}

/// `[fib]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FibConfig {
    /// `install` (default true): learned routes into the kernel.
    pub install: bool,
    /// `table` (default 254, main).
    pub table: u32,
    /// `protocol`: the rtnetlink protocol number that marks our routes
    /// (default 201; numbers the kernel, other daemons or FRR use are refused:
    /// 0..=4, 8..=18, 42, 99, 186..=199).
    pub protocol: u8,
    /// `metric` of installed routes (default 20).
    pub metric: u32,
    /// `export_table`: also write each live host as `IP/32 dev IF scope link` here (rdnbrd's table 10).
    pub export_table: Option<u32>,
}

/// `[control]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlConfig {
    /// `socket` (default `/run/neighd/neighd.sock`), created 0600.
    pub socket: PathBuf,
}

/// `[metrics]`.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsConfig {
    /// `listen`: address of the Prometheus endpoint (`/metrics`); absent: off.
    pub listen: Option<SocketAddr>,
}
