//! Configurations neighd accepts: the documented defaults, the example
//! files, the mapping to the BGP speaker, and loading from a file.

#[path = "support/config.rs"]
mod support;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use bgp::fsm::RemoteAs;
use bgp::wire::{Community, LargeCommunity, Prefix};
use neighd::config::{
    parse, Announce, AnnounceSource, BgpConfig, Config, ControlConfig, MetricsConfig, Neighbor,
    NeighborTarget, Redistribute, SystemView,
};

use support::{accepted, documented_fib, documented_flap_damping, Leaf, BGP};

// ---- defaults ----

#[test]
fn defaults_are_the_documented_ones() {
    let config = accepted(BGP);
    assert_eq!(
        config,
        Config {
            bgp: BgpConfig {
                asn: 65011,
                router_id: Ipv4Addr::new(10, 0, 0, 11),
                listen: Some("[::]:179".parse().unwrap()),
                hold_time: 9,
                connect_retry: Duration::from_secs(2),
                graceful_restart: false,
                restart_time: 120,
                max_paths: 64,
                hostname: Some("leaf-under-test".to_string()),
                neighbors: vec![],
            },
            redistribute: Redistribute {
                interfaces: vec![],
                prefixes: vec![],
                probe_interval: Duration::from_secs(1),
                probe_misses: 3,
                communities: vec![],
                large_communities: vec![],
                permanent: false,
                flap: documented_flap_damping(),
            },
            announce: vec![],
            fib: documented_fib(),
            control: ControlConfig {
                socket: PathBuf::from("/run/neighd/neighd.sock"),
            },
            metrics: MetricsConfig { listen: None },
        }
    );
}

#[test]
fn neighbor_defaults() {
    let config = accepted(&format!(
        "{BGP}[[bgp.neighbor]]\naddress = \"192.168.2.1\"\nremote_as = 65020\n"
    ));
    assert_eq!(
        config.bgp.neighbors,
        vec![Neighbor {
            target: NeighborTarget::Address(IpAddr::V4(Ipv4Addr::new(192, 168, 2, 1))),
            remote_as: RemoteAs::Number(65020),
            password: None,
            ttl_security: false,
            passive: false,
            hold_time: None,
            port: 179,
            max_prefix: None,
            description: None,
        }]
    );
}

#[test]
fn no_hostname_anywhere_is_none() {
    struct Nameless;
    impl SystemView for Nameless {
        fn interface_exists(&self, _: &str) -> bool {
            false
        }
        fn hostname(&self) -> Option<String> {
            None
        }
    }
    let config = parse(BGP, "neighd.toml", &Nameless).unwrap();
    assert_eq!(config.bgp.hostname, None);
}

// ---- the examples ----

fn example(name: &str) -> (String, Config) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let config = parse(&text, name, &Leaf).unwrap_or_else(|e| panic!("{e}"));
    (text, config)
}

#[test]
fn leaf01_example() {
    let (_, config) = example("leaf01.toml");
    let spine = |ifname: &str, description: &str| Neighbor {
        target: NeighborTarget::Interface(ifname.to_string()),
        remote_as: RemoteAs::External,
        password: None,
        ttl_security: false,
        passive: false,
        hold_time: None,
        port: 179,
        max_prefix: Some(12000),
        description: Some(description.to_string()),
    };
    assert_eq!(
        config,
        Config {
            bgp: BgpConfig {
                asn: 65011,
                router_id: Ipv4Addr::new(10, 0, 0, 11),
                listen: Some("[::]:179".parse().unwrap()),
                hold_time: 9,
                connect_retry: Duration::from_secs(2),
                graceful_restart: true,
                restart_time: 120,
                max_paths: 64,
                hostname: Some("leaf01".to_string()),
                neighbors: vec![spine("swp51", "spine01"), spine("swp52", "spine02")],
            },
            redistribute: Redistribute {
                interfaces: vec!["swp1".to_string(), "swp2".to_string()],
                prefixes: vec!["172.16.1.0/24".parse::<Prefix>().unwrap()],
                probe_interval: Duration::from_secs(1),
                probe_misses: 3,
                communities: vec![Community::new(65000, 100)],
                large_communities: vec![],
                permanent: false,
                flap: documented_flap_damping(),
            },
            announce: vec![],
            fib: documented_fib(),
            control: ControlConfig {
                socket: PathBuf::from("/run/neighd/neighd.sock"),
            },
            metrics: MetricsConfig {
                listen: Some(SocketAddr::from((Ipv4Addr::LOCALHOST, 9611))),
            },
        }
    );
}

#[test]
fn node_example() {
    let (_, config) = example("node.toml");
    assert_eq!(config.bgp.asn, 65101);
    assert_eq!(config.bgp.router_id, Ipv4Addr::new(192, 168, 2, 1));
    assert_eq!(config.bgp.listen, None);
    assert!(!config.bgp.graceful_restart);
    assert_eq!(
        config.bgp.neighbors,
        vec![Neighbor {
            target: NeighborTarget::Address(IpAddr::V4(Ipv4Addr::new(192, 168, 2, 2))),
            remote_as: RemoteAs::Number(65100),
            password: None,
            ttl_security: false,
            passive: false,
            hold_time: None,
            port: 179,
            max_prefix: None,
            description: Some("router".to_string()),
        }]
    );
    assert!(config.redistribute.interfaces.is_empty());
    assert_eq!(
        config.announce,
        vec![Announce {
            source: AnnounceSource::Interface("br0".to_string()),
            communities: vec![Community::new(65000, 200)],
        }]
    );
    assert!(config.fib.install);
    assert_eq!(config.metrics.listen, None);
}

/// Every key neighd knows appears in an example, set or commented out, so
/// the examples stay a complete reference.
#[test]
fn examples_mention_every_key() {
    let (leaf, _) = example("leaf01.toml");
    let (node, _) = example("node.toml");
    let both = format!("{leaf}\n{node}");
    let keys = [
        "asn",
        "router_id",
        "listen",
        "hold_time",
        "connect_retry",
        "graceful_restart",
        "restart_time",
        "max_paths",
        "hostname",
        "[[bgp.neighbor]]",
        "address",
        "interface",
        "remote_as",
        "password",
        "ttl_security",
        "passive",
        "port",
        "max_prefix",
        "description",
        "[redistribute]",
        "interfaces",
        "prefixes",
        "probe_interval",
        "probe_misses",
        "communities",
        "large_communities",
        "permanent",
        "[redistribute.flap]",
        "enabled",
        "penalty",
        "suppress",
        "reuse",
        "half_life",
        "max_hold",
        "[[announce]]",
        "prefix",
        "[fib]",
        "install",
        "table",
        "protocol",
        "metric",
        "export_table",
        "[control]",
        "socket",
        "[metrics]",
    ];
    for key in keys {
        let written = both.lines().any(|line| {
            let line = line.trim_start_matches(['#', ' ']);
            line.starts_with(&format!("{key} =")) || line.starts_with(key) && key.starts_with('[')
        });
        assert!(written, "{key} is in no example");
    }
}

// ---- the speaker's configuration ----

#[test]
fn peer_and_speaker_configs() {
    let config = accepted(&format!(
        "{BGP}hold_time = 30\nconnect_retry = \"5s\"\ngraceful_restart = true\nrestart_time = 300\n\
         max_paths = 8\nhostname = \"leaf01\"\nlisten = \"0.0.0.0:1179\"\n\
         [[bgp.neighbor]]\ninterface = \"swp51\"\nremote_as = \"external\"\n\
         [[bgp.neighbor]]\naddress = \"192.168.2.1\"\nremote_as = 65020\npassword = \"secret\"\n\
         ttl_security = true\npassive = true\nhold_time = 0\nport = 1179\nmax_prefix = 100\n"
    ));
    assert_eq!(config.bgp.neighbors[0].name(), "swp51");
    assert_eq!(config.bgp.neighbors[1].name(), "192.168.2.1");

    let peers = config.peer_configs();
    assert_eq!(peers.len(), 2);
    let unnumbered = &peers[0];
    assert_eq!(unnumbered.name, "swp51");
    assert!(unnumbered.is_unnumbered());
    assert_eq!(unnumbered.interface.as_deref(), Some("swp51"));
    assert_eq!(unnumbered.remote_as, RemoteAs::External);
    assert_eq!(unnumbered.hold_time, 30);
    assert_eq!(unnumbered.connect_retry, Duration::from_secs(5));
    assert_eq!(unnumbered.port, 179);
    assert!(!unnumbered.passive);
    assert_eq!(unnumbered.max_prefix, None);
    assert_eq!(unnumbered.security.md5, None);
    assert!(!unnumbered.security.ttl_security);

    let numbered = &peers[1];
    assert_eq!(numbered.name, "192.168.2.1");
    assert_eq!(numbered.address, IpAddr::V4(Ipv4Addr::new(192, 168, 2, 1)));
    assert_eq!(numbered.interface, None);
    assert_eq!(numbered.remote_as, RemoteAs::Number(65020));
    assert_eq!(numbered.hold_time, 0);
    assert_eq!(numbered.port, 1179);
    assert!(numbered.passive);
    assert_eq!(numbered.max_prefix, Some(bgp::speaker::MaxPrefix::new(100)));
    assert_eq!(
        numbered.security.md5,
        Some(bgp::speaker::security::Md5Key::new("secret").unwrap())
    );
    assert!(numbered.security.ttl_security);

    let speaker = config.speaker_config();
    assert_eq!(speaker.asn, 65011);
    assert_eq!(speaker.router_id, Ipv4Addr::new(10, 0, 0, 11));
    assert_eq!(speaker.listen, Some("0.0.0.0:1179".parse().unwrap()));
    assert_eq!(speaker.peers, peers);
    assert_eq!(speaker.max_paths, 8);
    assert_eq!(speaker.hostname.as_deref(), Some("leaf01"));
    assert_eq!(
        speaker.graceful_restart,
        Some(bgp::fsm::GracefulRestartConfig {
            restart_time: 300,
            forwarding_preserved: false,
            restarting: false,
        })
    );

    let without_gr = accepted(BGP).speaker_config();
    assert_eq!(without_gr.graceful_restart, None);
}

#[test]
fn large_communities_and_permanent() {
    let config = accepted(&format!(
        "{BGP}[redistribute]\nlarge_communities = [\"65011:1:2\"]\npermanent = true\n"
    ));
    assert_eq!(
        config.redistribute.large_communities,
        vec![LargeCommunity {
            global: 65011,
            local1: 1,
            local2: 2
        }]
    );
    assert!(config.redistribute.permanent);
}

// ---- load ----

#[test]
fn load_names_the_file() {
    let dir = std::env::temp_dir().join(format!("neighd-config-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.toml");
    std::fs::write(
        &path,
        "[bgp]\nasn = 65011\nrouter_id = \"10.0.0.11\"\nhold_time = 1\n",
    )
    .unwrap();
    let e = neighd::config::load(&path).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}:4:13: bgp.hold_time: hold time 1 is not allowed: 0 (no keepalives) or 3..=65535 seconds",
            path.display()
        )
    );
    let missing = dir.join("missing.toml");
    let e = neighd::config::load(&missing).unwrap_err();
    assert!(
        e.to_string().starts_with(&format!(
            "{}: cannot read the configuration: No such file or directory",
            missing.display()
        )),
        "{e}"
    );
    assert_eq!(e.line(), None);
    std::fs::remove_dir_all(&dir).unwrap();
}
