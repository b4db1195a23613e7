//! neighd's test fabric: real network namespaces with real FRR, BIRD and
//! GoBGP peers — and our own speaker through the `bgp-speaker` harness
//! ([`speaker`]) — typed queries of what they see, bounded waits, and resource
//! measurements for fabric benchmarks. No mocks.
//!
//! Everything it creates lives inside namespaces it creates (named
//! `<prefix><pid>x<n>-<name>`) and is removed when the owning value is
//! dropped, also on panic; [`cleanup_prefix`] and the `fabric-clean` binary
//! remove what a killed run left. Nothing is configured in the root
//! namespace.
//!
//! ```no_run
//! use std::time::Duration;
//! use integration::{frr::config::PeerConfig, frr::Frr, link::{mac, veth}, wait_until, Netns};
//!
//! if !integration::can_run() { return Ok(()); }
//! let a = Netns::new("demo-", "a")?;
//! let b = Netns::new("demo-", "b")?;
//! veth(&a, "eth0", &mac(0x0101), &b, "eth0", &mac(0x0102))?;
//! a.add_addr("eth0", "10.1.0.1/30")?;
//! b.add_addr("eth0", "10.1.0.2/30")?;
//! let conf = PeerConfig::new("a", 65001, "10.1.0.1").neighbor("10.1.0.2", 65002).render();
//! let frr = Frr::start(&a, &conf)?;
//! // … a peer in b …
//! wait_until(Duration::from_secs(30), "session", || frr.is_established("10.1.0.2").ok()?.then_some(()))?;
//! # Ok::<(), integration::Error>(())
//! ```

pub mod agent;
pub mod bench;
pub mod bird;
mod cmd;
pub mod daemon;
pub mod error;
pub mod fabric;
pub mod fib;
pub mod frr;
pub mod gobgp;
pub mod link;
pub mod netns;
pub mod procstat;
pub mod reexec;
pub mod route;
pub mod speaker;
pub mod spine_leaf;
pub mod templates;
pub mod wait;

pub use error::{Error, Result};
pub use netns::{can_run, cleanup_prefix, cleanup_stale, Netns};
pub use route::{Afi, BgpPath, BgpRib};
pub use spine_leaf::SpineLeaf;
pub use wait::{pending, wait_for, wait_until, Pending};
