//! The seed 004 fabric (the Cumulus docker-macvlan "redistribute neighbor"
//! demo) in namespaces: spine01/spine02 run real FRR from
//! `templates/spine.frr.conf`; leaf01..leaf04 run neighd from
//! `templates/leaf.neighd.toml` (uplinks swp51 → spine01 swpN, swp52 →
//! spine02 swpN, unnumbered; host port swp1 with 172.16.1.1/24 and proxy
//! ARP; swp2 configured the same but admin down);
//! server01..server04 hang off the leaves' swp1 (`eth1`) and host the
//! containers, each a namespace with a macvlan child of `eth1`. The
//! operations tests and the demo perform — add, remove and move
//! containers, host port down/up, spines and agents stopped and restarted
//! — keep a record of what should be live, for the consistency check
//! ([`super::check`]).

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use crate::agent::{Agent, Binaries};
use crate::error::{Error, Result};
use crate::fabric::container::{Addressing, Container};
use crate::frr::Frr;
use crate::link::veth;
use crate::netns::Netns;
use crate::templates;

/// The containers' subnet, shared by every rack.
pub const SUBNET: &str = "172.16.1.0/24";
/// The gateway on every leaf's host ports.
pub const GATEWAY: Ipv4Addr = Ipv4Addr::new(172, 16, 1, 1);
/// How many leaves (and servers, one per leaf) and spines.
pub const LEAVES: usize = 4;
/// See [`LEAVES`].
pub const SPINES: usize = 2;
/// The spines' AS.
pub const SPINE_ASN: u32 = 65020;

/// The seed's twelve containers: server N holds 172.16.1.N1, .N2, .N3.
pub fn seed_containers() -> Vec<(usize, Ipv4Addr)> {
    (1..=LEAVES)
        .flat_map(|s| (1..=3).map(move |c| (s, Ipv4Addr::new(172, 16, 1, (s * 10 + c) as u8))))
        .collect()
}

/// How to build the fabric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Namespace name prefix (`<prefix><pid>x<n>-leaf01`); two fabrics with
    /// different prefixes, or in different processes, run side by side.
    pub prefix: String,
    /// The leaves' `probe_interval` (`"250ms"`).
    pub probe_interval: String,
    /// The leaves' `probe_misses`.
    pub probe_misses: u32,
    /// Start neighd on the leaves (off: the fabric without its agent).
    pub agents: bool,
    /// Start the seed's twelve containers ([`seed_containers`]).
    pub containers: bool,
    /// neighd's flap hold-down (its default: on). Off appends
    /// `[redistribute.flap] enabled = false` to the leaves' config, for runs
    /// that revive the same addresses many times on purpose.
    pub flap_damping: bool,
}

impl Options {
    /// Tests' defaults under `prefix`: probes every 250 ms, 3 misses,
    /// agents and the twelve containers.
    pub fn new(prefix: &str) -> Options {
        Options {
            prefix: prefix.to_string(),
            probe_interval: "250ms".into(),
            probe_misses: 3,
            agents: true,
            containers: true,
            flap_damping: true,
        }
    }
}

/// A spine: FRR in a namespace; ports swp1..swp4 to leaf01..leaf04.
#[derive(Debug)]
pub struct Spine {
    /// `spine01`, `spine02`.
    pub name: String,
    /// Its namespace.
    pub ns: Netns,
    /// Its FRR while running.
    pub frr: Option<Frr>,
    /// Its frr.conf.
    pub config: String,
}

/// A leaf: neighd in a namespace.
#[derive(Debug)]
pub struct Leaf {
    /// `leaf01`…
    pub name: String,
    /// Its namespace.
    pub ns: Netns,
    /// neighd, once started.
    pub agent: Option<Agent>,
    /// Its neighd.toml.
    pub config: String,
    /// Whether its host port swp1 is up.
    pub host_port_up: bool,
}

/// A server: a namespace whose `eth1` goes to its leaf's swp1.
#[derive(Debug)]
pub struct Server {
    /// `server01`…
    pub name: String,
    /// Its namespace.
    pub ns: Netns,
}

/// The seed 004 fabric; everything is removed on drop.
#[derive(Debug)]
pub struct Seed004 {
    // dropped first: containers, then their servers, leaves, spines
    containers: BTreeMap<(usize, Ipv4Addr), Container>,
    servers: Vec<Server>,
    leaves: Vec<Leaf>,
    spines: Vec<Spine>,
    bins: Option<Binaries>,
    opts: Options,
}

/// The MAC of a fabric port, Cumulus-style (`44:38:39:00:<a>:<b>`), so
/// link-local next hops read like the seed's (`fe80::4638:39ff:fe00:…`).
fn port_mac(a: usize, b: usize) -> String {
    format!("44:38:39:00:{a:02x}:{b:02x}")
}

impl Seed004 {
    /// Builds the fabric: namespaces and links, FRR on the spines, neighd
    /// on the leaves (if `opts.agents`), the twelve containers (if
    /// `opts.containers`, each pinging its gateway once, as in the seed).
    /// Returns without waiting for BGP: see [`super::check`].
    pub fn up(opts: Options) -> Result<Seed004> {
        let bins = if opts.agents {
            Some(Binaries::locate()?)
        } else {
            None
        };
        let mut f = Seed004 {
            containers: BTreeMap::new(),
            servers: Vec::new(),
            leaves: Vec::new(),
            spines: Vec::new(),
            bins,
            opts,
        };
        for s in 1..=SPINES {
            let name = format!("spine{s:02}");
            let ns = Netns::new(&f.opts.prefix, &name)?;
            ns.enable_forwarding()?;
            let config = templates::render(
                templates::SPINE_FRR,
                &[
                    ("hostname", &name),
                    ("asn", &SPINE_ASN.to_string()),
                    ("router_id", &format!("10.0.0.{}", 20 + s)),
                ],
            )?;
            f.spines.push(Spine {
                name,
                ns,
                frr: None,
                config,
            });
        }
        for l in 1..=LEAVES {
            f.add_leaf(l)?;
        }
        for spine in &mut f.spines {
            spine.frr = Some(Frr::start(&spine.ns, &spine.config)?);
        }
        for i in 0..LEAVES {
            f.start_agent(i + 1)?;
        }
        if f.opts.containers {
            for (server, ip) in seed_containers() {
                f.add_container(server, ip)?;
            }
        }
        Ok(f)
    }

    fn add_leaf(&mut self, l: usize) -> Result<()> {
        let name = format!("leaf{l:02}");
        let ns = Netns::new(&self.opts.prefix, &name)?;
        ns.enable_forwarding()?;
        ns.add_addr("lo", &format!("10.0.0.{}/32", 10 + l))?;
        for (s, spine) in self.spines.iter().enumerate() {
            let uplink = format!("swp{}", 51 + s);
            let port = format!("swp{l}");
            veth(
                &spine.ns,
                &port,
                &port_mac(s + 1, l),
                &ns,
                &uplink,
                &port_mac(0x10 + l, 0x51 + s),
            )?;
        }
        let server_name = format!("server{l:02}");
        let server = Netns::new(&self.opts.prefix, &server_name)?;
        veth(
            &ns,
            "swp1",
            &port_mac(0x10 + l, 1),
            &server,
            "eth1",
            &port_mac(0x30 + l, 1),
        )?;
        // swp2: a second host port, configured like swp1 but admin down
        // (its cable goes to the server's unused eth2)
        veth(
            &ns,
            "swp2",
            &port_mac(0x10 + l, 2),
            &server,
            "eth2",
            &port_mac(0x30 + l, 2),
        )?;
        ns.link_down("swp2")?;
        let gw = format!("{GATEWAY}/24");
        for port in ["swp1", "swp2"] {
            ns.add_addr(port, &gw)?;
            ns.sysctl(&[(&format!("net.ipv4.conf.{port}.proxy_arp"), "1")])?;
        }
        let mut config = templates::render(
            templates::LEAF_NEIGHD,
            &[
                ("hostname", &name),
                ("asn", &(65010 + l).to_string()),
                ("router_id", &format!("10.0.0.{}", 10 + l)),
                ("probe_interval", &self.opts.probe_interval),
                ("probe_misses", &self.opts.probe_misses.to_string()),
                (
                    "control_socket",
                    &Agent::socket_path(&ns)?.to_string_lossy(),
                ),
                ("metrics_listen", "127.0.0.1:9610"),
            ],
        )?;
        if !self.opts.flap_damping {
            config.push_str("\n[redistribute.flap]\nenabled = false\n");
        }
        self.leaves.push(Leaf {
            name,
            ns,
            agent: None,
            config,
            host_port_up: true,
        });
        self.servers.push(Server {
            name: server_name,
            ns: server,
        });
        Ok(())
    }

    fn start_agent(&mut self, leaf: usize) -> Result<()> {
        let Some(bins) = self.bins.clone() else {
            return Ok(());
        };
        let l = self.leaf_mut(leaf)?;
        l.agent = Some(Agent::start(&l.ns, &bins, &l.config)?);
        Ok(())
    }

    /// The options it was built with.
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// Spine `n` (1 or 2).
    pub fn spine(&self, n: usize) -> Result<&Spine> {
        self.spines
            .get(n.wrapping_sub(1))
            .ok_or_else(|| Error::Invalid(format!("no spine{n:02}")))
    }

    fn spine_mut(&mut self, n: usize) -> Result<&mut Spine> {
        self.spines
            .get_mut(n.wrapping_sub(1))
            .ok_or_else(|| Error::Invalid(format!("no spine{n:02}")))
    }

    /// All spines, spine01 first.
    pub fn spines(&self) -> &[Spine] {
        &self.spines
    }

    /// Leaf `n` (1..=4).
    pub fn leaf(&self, n: usize) -> Result<&Leaf> {
        self.leaves
            .get(n.wrapping_sub(1))
            .ok_or_else(|| Error::Invalid(format!("no leaf{n:02}")))
    }

    fn leaf_mut(&mut self, n: usize) -> Result<&mut Leaf> {
        self.leaves
            .get_mut(n.wrapping_sub(1))
            .ok_or_else(|| Error::Invalid(format!("no leaf{n:02}")))
    }

    /// All leaves, leaf01 first.
    pub fn leaves(&self) -> &[Leaf] {
        &self.leaves
    }

    /// Leaf `n`'s neighd (an error if agents are off or it is stopped).
    pub fn agent(&self, leaf: usize) -> Result<&Agent> {
        let l = self.leaf(leaf)?;
        l.agent
            .as_ref()
            .ok_or_else(|| Error::Invalid(format!("neighd on {} is not running", l.name)))
    }

    /// Server `n` (1..=4).
    pub fn server(&self, n: usize) -> Result<&Server> {
        self.servers
            .get(n.wrapping_sub(1))
            .ok_or_else(|| Error::Invalid(format!("no server{n:02}")))
    }

    /// Starts a container with `ip` on `server` (its leaf is leaf `server`)
    /// and lets it ping its gateway, as the seed's containers do.
    pub fn add_container(&mut self, server: usize, ip: Ipv4Addr) -> Result<&Container> {
        if self.containers.contains_key(&(server, ip)) {
            return Err(Error::Invalid(format!(
                "server{server:02} already runs {ip}"
            )));
        }
        let host = &self.server(server)?.ns;
        let short = format!("s{server:02}-{}", ip.octets()[3]);
        let c = Container::macvlan(
            &self.opts.prefix,
            &short,
            host,
            "eth1",
            &Addressing::docker(ip, 24, GATEWAY),
        )?;
        c.ping(GATEWAY, 3)?;
        Ok(self.containers.entry((server, ip)).or_insert(c))
    }

    /// Stops (removes) the container with `ip` on `server`.
    pub fn remove_container(&mut self, server: usize, ip: Ipv4Addr) -> Result<()> {
        self.containers
            .remove(&(server, ip))
            .map(drop)
            .ok_or_else(|| Error::Invalid(format!("server{server:02} runs no {ip}")))
    }

    /// Moves the container `ip` from server `from` to server `to`: removed
    /// there, started here with the same address and MAC.
    pub fn move_container(&mut self, ip: Ipv4Addr, from: usize, to: usize) -> Result<()> {
        self.remove_container(from, ip)?;
        self.add_container(to, ip).map(drop)
    }

    /// The container `ip` on `server`.
    pub fn container(&self, server: usize, ip: Ipv4Addr) -> Result<&Container> {
        self.containers
            .get(&(server, ip))
            .ok_or_else(|| Error::Invalid(format!("server{server:02} runs no {ip}")))
    }

    /// Every container as (server, ip).
    pub fn containers(&self) -> Vec<(usize, Ipv4Addr)> {
        self.containers.keys().copied().collect()
    }

    /// Sets leaf `leaf`'s host port swp1 (to its server) up or down.
    pub fn set_host_port(&mut self, leaf: usize, up: bool) -> Result<()> {
        let l = self.leaf_mut(leaf)?;
        if up {
            l.ns.link_up("swp1")?;
        } else {
            l.ns.link_down("swp1")?;
        }
        l.host_port_up = up;
        Ok(())
    }

    /// Stops spine `n`'s FRR (SIGTERM: bgpd tells its peers, zebra removes
    /// its routes).
    pub fn stop_spine(&mut self, n: usize) -> Result<()> {
        let s = self.spine_mut(n)?;
        if let Some(mut frr) = s.frr.take() {
            frr.stop();
        }
        Ok(())
    }

    /// Starts spine `n`'s FRR again after [`Seed004::stop_spine`].
    pub fn start_spine(&mut self, n: usize) -> Result<()> {
        let s = self.spine_mut(n)?;
        if s.frr.is_none() {
            s.frr = Some(Frr::start(&s.ns, &s.config)?);
        }
        Ok(())
    }

    /// Kills spine `n`'s bgpd (SIGKILL, zebra stays) and starts it again.
    pub fn restart_spine_bgpd(&mut self, n: usize) -> Result<()> {
        let s = self.spine_mut(n)?;
        match s.frr.as_mut() {
            Some(frr) => frr.restart_bgpd(&s.ns),
            None => Err(Error::Invalid(format!("FRR on {} is stopped", s.name))),
        }
    }

    /// Spine `n`'s running FRR.
    pub fn frr(&self, n: usize) -> Result<&Frr> {
        let s = self.spine(n)?;
        s.frr
            .as_ref()
            .ok_or_else(|| Error::Invalid(format!("FRR on {} is stopped", s.name)))
    }

    /// Stops leaf `n`'s neighd with SIGTERM (graceful restart: nothing withdrawn).
    pub fn stop_agent(&mut self, leaf: usize) -> Result<()> {
        let l = self.leaf_mut(leaf)?;
        match l.agent.as_mut() {
            Some(a) => {
                a.stop();
                Ok(())
            }
            None => Err(Error::Invalid(format!("no neighd on {}", l.name))),
        }
    }

    /// Starts leaf `n`'s neighd again after [`Seed004::stop_agent`].
    pub fn start_agent_again(&mut self, leaf: usize) -> Result<()> {
        let l = self.leaf_mut(leaf)?;
        match l.agent.as_mut() {
            Some(a) => a.start_again(&l.ns),
            None => Err(Error::Invalid(format!("no neighd on {}", l.name))),
        }
    }

    /// What the spines should route now: every container whose leaf's host
    /// port is up, to the set of leaves (1..=4) it is behind (one leaf,
    /// unless the same address runs on two racks).
    pub fn expected_host_routes(&self) -> BTreeMap<Ipv4Addr, BTreeSet<usize>> {
        let mut want: BTreeMap<Ipv4Addr, BTreeSet<usize>> = BTreeMap::new();
        for &(server, ip) in self.containers.keys() {
            if self.leaves[server - 1].host_port_up {
                want.entry(ip).or_default().insert(server);
            }
        }
        want
    }

    /// Checks every daemon still runs (FRR on running spines, neighd on
    /// leaves whose agent runs): the first one that died, with its log.
    pub fn check_daemons(&mut self) -> Result<()> {
        for s in &mut self.spines {
            if let Some(frr) = s.frr.as_mut() {
                frr.check()?;
            }
        }
        for l in &mut self.leaves {
            if let Some(a) = l.agent.as_mut() {
                if a.is_running() {
                    a.check()?;
                }
            }
        }
        Ok(())
    }
}
