//! The seed 000 fabric ("a subnet per node, a route per node on the
//! router") in namespaces, with neighd doing the router's bookkeeping: a
//! router running real FRR from `templates/router.frr.conf` (p3p1
//! 192.168.2.2/24 on switch 1, p3p2 192.168.3.2/24 on switch 2, nodes as
//! dynamic neighbors of one peer group), two switches (a bridge each), and
//! nodes: nodeN with `eth0` on a switch, a bridge `br0` holding 11.11.N.1/24
//! for its containers (veths into `br0`, as Docker's bridge network), and
//! neighd from `templates/node.neighd.toml` announcing br0's subnet to the
//! router and installing the other nodes' subnets it learns back.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::agent::{Agent, Binaries};
use crate::error::{Error, Result};
use crate::fabric::container::{Addressing, Container};
use crate::frr::Frr;
use crate::link::{mac, veth};
use crate::netns::Netns;
use crate::templates;

/// The router's AS.
pub const ROUTER_ASN: u32 = 65000;
/// Containers per node: 11.11.N.2 and 11.11.N.3.
pub const CONTAINERS_PER_NODE: u8 = 2;

/// Where node `n` (1..=9) sits: (switch 1 or 2, its address, the router's
/// address on that switch). Node 1 is on switch 1 as in the seed, the
/// others on switch 2 (192.168.3.3, .4, .5, …).
pub fn node_addressing(n: u8) -> (u8, Ipv4Addr, Ipv4Addr) {
    if n == 1 {
        (
            1,
            Ipv4Addr::new(192, 168, 2, 1),
            Ipv4Addr::new(192, 168, 2, 2),
        )
    } else {
        (
            2,
            Ipv4Addr::new(192, 168, 3, n + 1),
            Ipv4Addr::new(192, 168, 3, 2),
        )
    }
}

/// Node `n`'s container subnet, `11.11.N.0/24`.
pub fn node_subnet(n: u8) -> String {
    format!("11.11.{n}.0/24")
}

/// How to build the fabric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Namespace name prefix (`<prefix><pid>x<n>-node1`).
    pub prefix: String,
    /// Nodes 1..=`nodes` at the start.
    pub nodes: u8,
    /// Start neighd on the nodes (off: the fabric without its agent).
    pub agents: bool,
}

impl Options {
    /// Three nodes with neighd under `prefix`, as in the seed.
    pub fn new(prefix: &str) -> Options {
        Options {
            prefix: prefix.to_string(),
            nodes: 3,
            agents: true,
        }
    }
}

/// A node: neighd and a bridge of containers.
#[derive(Debug)]
pub struct Node {
    /// `node1`…
    pub name: String,
    /// Its containers (dropped before the node).
    pub containers: Vec<Container>,
    /// Its neighd.
    pub agent: Option<Agent>,
    /// Its namespace.
    pub ns: Netns,
    /// Its address on its switch.
    pub address: Ipv4Addr,
}

/// The seed 000 fabric; everything is removed on drop.
#[derive(Debug)]
pub struct Seed000 {
    // dropped first: nodes (with their containers), switches, router
    nodes: BTreeMap<u8, Node>,
    switches: Vec<Netns>,
    router_frr: Option<Frr>,
    router: Netns,
    router_config: String,
    bins: Option<Binaries>,
    prefix: String,
}

impl Seed000 {
    /// The router with FRR, two switches, and nodes `1..=opts.nodes`, each
    /// with its containers and (if `opts.agents`) neighd. Returns without
    /// waiting for BGP.
    pub fn up(opts: Options) -> Result<Seed000> {
        let bins = if opts.agents {
            Some(Binaries::locate()?)
        } else {
            None
        };
        let prefix = opts.prefix.as_str();
        let router = Netns::new(prefix, "router")?;
        router.enable_forwarding()?;
        let mut switches = Vec::new();
        for s in 1..=2u8 {
            let sw = Netns::new(prefix, &format!("switch{s}"))?;
            sw.ip(["link", "add", "br0", "type", "bridge"])?;
            sw.link_up("br0")?;
            let port = format!("p3p{s}");
            veth(
                &router,
                &port,
                &mac(0x0100 + u32::from(s)),
                &sw,
                "router",
                &mac(0x0200 + u32::from(s)),
            )?;
            sw.ip(["link", "set", "router", "master", "br0"])?;
            router.add_addr(&port, &format!("192.168.{}.2/24", s + 1))?;
            switches.push(sw);
        }
        let router_config = templates::render(
            templates::ROUTER_FRR,
            &[
                ("hostname", "router"),
                ("asn", &ROUTER_ASN.to_string()),
                ("router_id", "10.0.0.1"),
                ("node_range", "192.168.0.0/16"),
            ],
        )?;
        let router_frr = Some(Frr::start(&router, &router_config)?);
        let mut f = Seed000 {
            nodes: BTreeMap::new(),
            switches,
            router_frr,
            router,
            router_config,
            bins,
            prefix: prefix.to_string(),
        };
        for n in 1..=opts.nodes {
            f.add_node(n)?;
        }
        Ok(f)
    }

    /// Adds node `n` (1..=9): its namespace on its switch, br0 with
    /// 11.11.N.1/24, its containers, neighd. Nothing on the router changes.
    pub fn add_node(&mut self, n: u8) -> Result<&Node> {
        if !(1..=9).contains(&n) || self.nodes.contains_key(&n) {
            return Err(Error::Invalid(format!("node{n}: 1..=9 and not there yet")));
        }
        let (switch, address, router_address) = node_addressing(n);
        let name = format!("node{n}");
        let ns = Netns::new(&self.prefix, &name)?;
        ns.enable_forwarding()?;
        let sw = &self.switches[usize::from(switch - 1)];
        let port = format!("node{n}");
        veth(
            &ns,
            "eth0",
            &mac(0x0300 + u32::from(n)),
            sw,
            &port,
            &mac(0x0400 + u32::from(n)),
        )?;
        sw.ip(["link", "set", &port, "master", "br0"])?;
        ns.add_addr("eth0", &format!("{address}/24"))?;
        ns.ip(["link", "add", "br0", "type", "bridge"])?;
        let gateway = Ipv4Addr::new(11, 11, n, 1);
        ns.add_addr("br0", &format!("{gateway}/24"))?;
        ns.link_up("br0")?;
        let mut containers = Vec::new();
        for c in 0..CONTAINERS_PER_NODE {
            let ip = Ipv4Addr::new(11, 11, n, 2 + c);
            let addr = Addressing::docker(ip, 24, gateway);
            let short = format!("n{n}-{}", 2 + c);
            let host_if = format!("veth{}", 2 + c);
            containers.push(Container::on_bridge(
                &self.prefix,
                &short,
                &ns,
                "br0",
                &host_if,
                &addr,
            )?);
        }
        let config = templates::render(
            templates::NODE_NEIGHD,
            &[
                ("hostname", &name),
                ("asn", &(65100 + u32::from(n)).to_string()),
                ("router_id", &format!("10.0.1.{n}")),
                ("router_address", &router_address.to_string()),
                ("router_asn", &ROUTER_ASN.to_string()),
                (
                    "control_socket",
                    &Agent::socket_path(&ns)?.to_string_lossy(),
                ),
                ("metrics_listen", "127.0.0.1:9610"),
            ],
        )?;
        let agent = match &self.bins {
            Some(bins) => Some(Agent::start(&ns, bins, &config)?),
            None => None,
        };
        Ok(self.nodes.entry(n).or_insert(Node {
            name,
            containers,
            agent,
            ns,
            address,
        }))
    }

    /// The router's FRR.
    pub fn router(&self) -> Result<&Frr> {
        self.router_frr
            .as_ref()
            .ok_or_else(|| Error::Invalid("the router's FRR is stopped".into()))
    }

    /// The router's namespace.
    pub fn router_ns(&self) -> &Netns {
        &self.router
    }

    /// The router's frr.conf as rendered from the template.
    pub fn router_config(&self) -> &str {
        &self.router_config
    }

    /// Node `n`.
    pub fn node(&self, n: u8) -> Result<&Node> {
        self.nodes
            .get(&n)
            .ok_or_else(|| Error::Invalid(format!("no node{n}")))
    }

    /// The nodes by number.
    pub fn nodes(&self) -> &BTreeMap<u8, Node> {
        &self.nodes
    }

    /// Checks the router's FRR and every node's neighd still run.
    pub fn check_daemons(&mut self) -> Result<()> {
        if let Some(frr) = self.router_frr.as_mut() {
            frr.check()?;
        }
        for node in self.nodes.values_mut() {
            if let Some(a) = node.agent.as_mut() {
                a.check()?;
            }
        }
        Ok(())
    }
}
