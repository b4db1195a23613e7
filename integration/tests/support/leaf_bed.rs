//! One leaf running neighd under one unmodified FRR spine, with a server
//! behind the leaf's host port `swp1` whose containers (macvlan children of
//! its `eth1`) are the hosts: the smallest piece of the reference topology
//! that exercises the whole data flow.

// Each test binary uses a part of this.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use integration::agent::{Agent, Binaries};
use integration::fabric::check::{spine_host_routes, HostRoutes};
use integration::fabric::container::{Addressing, Container};
use integration::frr::config::SpineConfig;
use integration::frr::Frr;
use integration::link::{mac, veth};
use integration::{pending, wait_for, Netns, SpineLeaf};

pub const T: Duration = Duration::from_secs(60);
pub const GATEWAY: Ipv4Addr = Ipv4Addr::new(172, 16, 1, 1);
pub const PROBE_INTERVAL_MS: u64 = 300;
pub const PROBE_MISSES: u64 = 3;

/// What differs between the tests' leaves.
#[derive(Clone)]
pub struct LeafOptions {
    /// Name prefix of the namespaces.
    pub prefix: &'static str,
    /// Base of the MACs of the fabric links.
    pub mac_base: u32,
    /// Extra TOML appended to the leaf's configuration.
    pub extra: String,
    /// The leaf's BGP neighbors (TOML); default: the spine, unnumbered.
    pub neighbors: String,
    /// The `[redistribute]` prefixes.
    pub prefixes: &'static str,
    /// More `[redistribute]` keys (TOML lines).
    pub redistribute_extra: String,
    /// The `[fib]` table (TOML).
    pub fib: String,
    /// Whether to start neighd (tests that run FRR on the leaf first set this later).
    pub start_agent: bool,
}

impl LeafOptions {
    pub fn new(prefix: &'static str, mac_base: u32) -> LeafOptions {
        LeafOptions {
            prefix,
            mac_base,
            extra: String::new(),
            neighbors: "[[bgp.neighbor]]\ninterface = \"swp51\"\nremote_as = \"external\"\n".into(),
            prefixes: "\"172.16.1.0/24\"",
            redistribute_extra: String::new(),
            fib: "[fib]\ninstall = true\n".into(),
            start_agent: true,
        }
    }
}

pub struct LeafBed {
    pub spine: Netns,
    pub leaf: Netns,
    pub server: Netns,
    pub spine_frr: Frr,
    pub agent: Option<Agent>,
    pub bins: Binaries,
    pub containers: BTreeMap<Ipv4Addr, Container>,
    prefix: &'static str,
}

impl LeafBed {
    pub fn up(opts: LeafOptions) -> integration::Result<LeafBed> {
        let bins = Binaries::locate()?;
        let SpineLeaf { spine, leaf, .. } = SpineLeaf::new(opts.prefix, "spine", opts.mac_base, T)?;
        let server = Netns::new(opts.prefix, "srv")?;
        veth(
            &leaf,
            "swp1",
            &mac(opts.mac_base + 2),
            &server,
            "eth1",
            &mac(opts.mac_base + 3),
        )?;
        leaf.add_addr("swp1", &format!("{GATEWAY}/24"))?;
        leaf.sysctl(&[("net.ipv4.conf.swp1.proxy_arp", "1")])?;
        let spine_frr = Frr::start(
            &spine,
            &SpineConfig::new("spine01", 65020, "10.0.0.21")
                .interface("swp1")
                .render(),
        )?;
        let mut bed = LeafBed {
            spine,
            leaf,
            server,
            spine_frr,
            agent: None,
            bins,
            containers: BTreeMap::new(),
            prefix: opts.prefix,
        };
        if opts.start_agent {
            let config = bed.config(&opts);
            bed.agent = Some(Agent::start(&bed.leaf, &bed.bins, &config)?);
        }
        Ok(bed)
    }

    /// The leaf's neighd configuration for `opts`.
    pub fn config(&self, opts: &LeafOptions) -> String {
        let socket = Agent::socket_path(&self.leaf).expect("work directory of the leaf");
        format!(
            "[bgp]\nasn = 65011\nrouter_id = \"10.0.0.11\"\nhostname = \"leaf01\"\n\n{}\n\
             [redistribute]\ninterfaces = [\"swp1\"]\nprefixes = [{}]\n\
             probe_interval = \"{PROBE_INTERVAL_MS}ms\"\nprobe_misses = {PROBE_MISSES}\n{}\n\
             {}\n[control]\nsocket = \"{}\"\n\n{}",
            opts.neighbors,
            opts.prefixes,
            opts.redistribute_extra,
            opts.fib,
            socket.display(),
            opts.extra
        )
    }

    pub fn agent(&self) -> &Agent {
        self.agent.as_ref().expect("neighd started")
    }

    /// A container `172.16.1.<n>` on the server, which pings its gateway
    /// so the leaf learns it, as the seed's containers do.
    pub fn add_container(&mut self, n: u8) -> integration::Result<Ipv4Addr> {
        let ip = Ipv4Addr::new(172, 16, 1, n);
        let c = Container::macvlan(
            self.prefix,
            &format!("c{n}"),
            &self.server,
            "eth1",
            &Addressing::docker(ip, 24, GATEWAY),
        )?;
        c.ping(GATEWAY, 10)?;
        self.containers.insert(ip, c);
        Ok(ip)
    }

    /// Removes a container: its namespace and interface are gone at once.
    pub fn remove_container(&mut self, ip: Ipv4Addr) {
        self.containers.remove(&ip);
    }

    /// The /32s of 172.16.1.0/24 the spine routes, with their ports.
    pub fn spine_routes(&self) -> integration::Result<HostRoutes> {
        spine_host_routes(&self.spine_frr)
    }

    /// Waits until the spine routes exactly `ips`, each via swp1.
    pub fn wait_spine_has(&self, ips: &[Ipv4Addr]) -> integration::Result<()> {
        let want: HostRoutes = ips
            .iter()
            .map(|ip| (*ip, BTreeSet::from(["swp1".to_string()])))
            .collect();
        wait_for(
            T,
            "the spine's host routes to be the live containers",
            || {
                let got = self.spine_routes().map_err(|e| pending(e.to_string()))?;
                if got == want {
                    Ok(())
                } else {
                    Err(pending(format!("want {want:?}, spine has {got:?}")))
                }
            },
        )
    }

    /// Waits until the spine's BGP table holds exactly `n` prefixes; the
    /// error says how many neighd advertised meanwhile.
    pub fn wait_spine_count(&self, n: usize) -> integration::Result<()> {
        wait_for(T, &format!("{n} host routes on the spine"), || {
            let got = self
                .spine_frr
                .bgp_rib(integration::Afi::Ipv4)
                .map_err(|e| pending(e.to_string()))?
                .len();
            if got == n {
                Ok(())
            } else {
                let advertised = self
                    .agent()
                    .hosts()
                    .map(|h| h.iter().filter(|h| h.advertised).count());
                Err(pending(format!(
                    "{got} prefixes on the spine, {advertised:?} advertised by neighd"
                )))
            }
        })
    }

    /// Polls the spine until `ip`'s /32 is gone and returns how long after
    /// `since` the first poll that no longer saw it started (the route was
    /// still there when the previous poll started).
    pub fn time_until_gone(&self, ip: Ipv4Addr, since: Instant) -> integration::Result<Duration> {
        let cmd = format!("show ip route {ip}/32 json");
        loop {
            let started = Instant::now();
            let text = self.spine_frr.vtysh(&[&cmd])?;
            if !text.contains(&format!("\"{ip}/32\"")) {
                return Ok(started.duration_since(since));
            }
            if since.elapsed() > T {
                return Err(integration::Error::Invalid(format!(
                    "{ip}/32 still on the spine after {T:?}"
                )));
            }
        }
    }
}

/// The detection time the tests promise: interval × misses + 100 ms.
pub fn detection_bound() -> Duration {
    Duration::from_millis(PROBE_INTERVAL_MS * PROBE_MISSES + 100)
}
