//! Unicast ARP and IPv6 Neighbour Solicitation probes for 100,000 hosts.
//!
//! For each `(interface, IP, MAC)` target, arpprobe answers one question:
//! does this host still answer? It sends a unicast ARP request (IPv4) or a
//! unicast Neighbour Solicitation (IPv6) to the host's known MAC once per
//! interval, spread evenly over the interval and batched with `sendmmsg`,
//! and matches replies by interface, IP and MAC. Answers and announcements
//! (gratuitous ARP, unsolicited NA) from the known MAC are liveness; from
//! another MAC they are conflicts.
//!
//! Layers:
//! - [`wire`]: sans-IO frame codec (Ethernet, ARP, IPv6, ICMPv6 NS/NA).
//! - [`bpf`]: the classic BPF filters the sockets carry, as data.
//! - [`Core`]: the sans-IO prober: `(now, events)` in, frames and
//!   [`Report`]s out.
//! - [`Prober`]: the thin tokio driver with AF_PACKET sockets (`sys`, the
//!   only module with `unsafe`).
//!
//! Liveness policy (how many misses make a host dead) belongs to the user;
//! see [`Prober`] for the contract.

pub mod bpf;
mod core;
mod counters;
mod driver;
mod error;
mod iface;
mod report;
mod sys;
mod txbatch;
pub mod wire;

pub use crate::core::{Core, CoreConfig};
pub use counters::Counters;
pub use driver::{Config, Event, LinkEvent, LinkState, Prober, Reports};
pub use error::Error;
pub use iface::IfaceInfo;
pub use report::{IfaceId, Report, ReportKind};
pub use sys::{raise_nofile_limit, send_raw_frame};
pub use txbatch::{TxBatch, TxMeta};
pub use wire::MacAddr;
