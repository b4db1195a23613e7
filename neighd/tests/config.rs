//! The configuration file as a user meets it: each mistake refused with the
//! file, line, column and key in one line; the documented defaults; the
//! example configurations; the mapping to the BGP speaker.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use bgp::fsm::RemoteAs;
use bgp::wire::{Community, LargeCommunity, Prefix};
use neighd::config::{
    parse, Announce, AnnounceSource, BgpConfig, Config, ConfigError, ControlConfig, FibConfig,
    FlapDamping, MetricsConfig, Neighbor, NeighborTarget, Redistribute, SystemView,
};

/// A leaf with the reference topology's ports.
struct Leaf;

impl SystemView for Leaf {
    fn interface_exists(&self, name: &str) -> bool {
        ["lo", "swp1", "swp2", "swp51", "swp52", "br0"].contains(&name)
    }
    fn hostname(&self) -> Option<String> {
        Some("leaf-under-test".to_string())
    }
}

/// `[bgp]` with its two required keys: lines 1 to 3.
const BGP: &str = "[bgp]\nasn = 65011\nrouter_id = \"10.0.0.11\"\n";

fn rejected(text: &str) -> ConfigError {
    match parse(text, "neighd.toml", &Leaf) {
        Ok(config) => panic!("accepted:\n{text}\nas {config:?}"),
        Err(e) => e,
    }
}

/// `text` is refused with exactly `message`, about `key` on `line`.
#[track_caller]
fn assert_rejected(text: &str, key: &str, line: usize, message: &str) {
    let e = rejected(text);
    assert_eq!(e.to_string(), message);
    assert_eq!(e.key(), Some(key), "key of {e}");
    assert_eq!(e.line(), Some(line), "line of {e}");
    assert!(!e.to_string().contains('\n'), "one line: {e}");
}

fn accepted(text: &str) -> Config {
    parse(text, "neighd.toml", &Leaf).unwrap_or_else(|e| panic!("refused: {e}\n{text}"))
}

// ---- unknown keys ----

#[test]
fn unknown_top_level_key_suggests_the_closest() {
    assert_rejected(
        "[bgpp]\nasn = 1\n",
        "bgpp",
        1,
        "neighd.toml:1:2: bgpp: unknown key (did you mean bgp?)",
    );
}

#[test]
fn unknown_neighbor_key_suggests_the_closest() {
    let text =
        format!("{BGP}\n[[bgp.neighbor]]\ninterface = \"swp51\"\nremtoe_as = \"external\"\n");
    assert_rejected(
        &text,
        "bgp.neighbor[0].remtoe_as",
        7,
        "neighd.toml:7:1: bgp.neighbor[0].remtoe_as: unknown key (did you mean bgp.neighbor[0].remote_as?)",
    );
}

#[test]
fn misspelt_table_is_an_unknown_key() {
    let text = format!("{BGP}\n[[bgp.neighbour]]\ninterface = \"swp51\"\n");
    assert_rejected(
        &text,
        "bgp.neighbour",
        5,
        "neighd.toml:5:7: bgp.neighbour: unknown key (did you mean bgp.neighbor?)",
    );
}

#[test]
fn key_of_another_table_says_where_it_belongs() {
    let text = format!("{BGP}probe_interval = \"1s\"\n");
    assert_rejected(
        &text,
        "bgp.probe_interval",
        4,
        "neighd.toml:4:1: bgp.probe_interval: unknown key here; it belongs in [redistribute]",
    );
}

#[test]
fn unknown_key_far_from_any_known_one() {
    let text = format!("{BGP}[fib]\ncolour = \"blue\"\n");
    assert_rejected(
        &text,
        "fib.colour",
        5,
        "neighd.toml:5:1: fib.colour: unknown key",
    );
}

#[test]
fn first_unknown_key_in_file_order_is_reported() {
    // toml's map is sorted by name; the error follows the file.
    let text = format!("{BGP}[fib]\nzzz = 1\naaa = 2\n");
    assert_rejected(&text, "fib.zzz", 5, "neighd.toml:5:1: fib.zzz: unknown key");
}

// ---- types ----

#[test]
fn wrong_types_name_both() {
    assert_rejected(
        "[bgp]\nasn = \"65011\"\nrouter_id = \"10.0.0.11\"\n",
        "bgp.asn",
        2,
        "neighd.toml:2:7: bgp.asn: expected an integer, found a string",
    );
    assert_rejected(
        &format!("{BGP}graceful_restart = \"yes\"\n"),
        "bgp.graceful_restart",
        4,
        "neighd.toml:4:20: bgp.graceful_restart: expected a boolean, found a string",
    );
    assert_rejected(
        &format!("{BGP}hold_time = 9.5\n"),
        "bgp.hold_time",
        4,
        "neighd.toml:4:13: bgp.hold_time: expected an integer, found a float",
    );
    assert_rejected(
        &format!("{BGP}[redistribute]\ninterfaces = \"swp1\"\n"),
        "redistribute.interfaces",
        5,
        "neighd.toml:5:14: redistribute.interfaces: expected an array, found a string",
    );
    assert_rejected(
        &format!("{BGP}[redistribute]\nprefixes = [\"172.16.1.0/24\", 10]\n"),
        "redistribute.prefixes[1]",
        5,
        "neighd.toml:5:30: redistribute.prefixes[1]: expected a string, found an integer",
    );
    assert_rejected(
        &format!("{BGP}[redistribute]\nprobe_interval = 1\n"),
        "redistribute.probe_interval",
        5,
        "neighd.toml:5:18: redistribute.probe_interval: expected a duration such as \"1s\", found an integer",
    );
}

#[test]
fn a_single_neighbor_table_is_not_an_array_of_tables() {
    let text = format!("{BGP}[bgp.neighbor]\ninterface = \"swp51\"\n");
    assert_rejected(
        &text,
        "bgp.neighbor",
        4,
        "neighd.toml:4:1: bgp.neighbor: expected an array of tables, found a table",
    );
}

// ---- syntax ----

#[test]
fn syntax_errors_carry_line_and_column() {
    let e = rejected("[bgp]\nasn = 65011\nrouter_id = [\n");
    assert_eq!(e.key(), None);
    assert_eq!(e.line(), Some(3));
    assert_eq!(
        e.to_string(),
        "neighd.toml:3:14: unclosed array, expected `]`"
    );
}

#[test]
fn duplicate_keys_are_named() {
    let e = rejected(&format!("{BGP}asn = 65012\n"));
    assert_eq!(e.line(), Some(4));
    assert_eq!(e.to_string(), "neighd.toml:4:1: duplicate key asn");
}

// ---- required ----

#[test]
fn missing_bgp_table() {
    let e = rejected("[fib]\ninstall = false\n");
    assert_eq!(e.key(), Some("bgp"));
    assert_eq!(e.line(), None);
    assert_eq!(e.to_string(), "neighd.toml: bgp: required, but not given");
}

#[test]
fn missing_key_points_at_its_table() {
    assert_rejected(
        "# leaf\n[bgp]\nasn = 65011\n",
        "bgp.router_id",
        2,
        "neighd.toml:2:1: bgp.router_id: required, but not given",
    );
    assert_rejected(
        &format!("{BGP}\n[[bgp.neighbor]]\naddress = \"192.168.2.1\"\n"),
        "bgp.neighbor[0].remote_as",
        5,
        "neighd.toml:5:1: bgp.neighbor[0].remote_as: required, but not given",
    );
}

// ---- [bgp] values ----

#[test]
fn asn_zero() {
    assert_rejected(
        "[bgp]\nasn = 0\nrouter_id = \"10.0.0.11\"\n",
        "bgp.asn",
        2,
        "neighd.toml:2:7: bgp.asn: 0 is out of range (1..=4294967295)",
    );
    assert_rejected(
        "[bgp]\nasn = 4_294_967_296\nrouter_id = \"10.0.0.11\"\n",
        "bgp.asn",
        2,
        "neighd.toml:2:7: bgp.asn: 4_294_967_296 is out of range (1..=4294967295)",
    );
}

#[test]
fn bad_router_id() {
    assert_rejected(
        "[bgp]\nasn = 65011\nrouter_id = \"10.0.0\"\n",
        "bgp.router_id",
        3,
        "neighd.toml:3:13: bgp.router_id: \"10.0.0\" is not an IPv4 address",
    );
    assert_rejected(
        "[bgp]\nasn = 65011\nrouter_id = \"0.0.0.0\"\n",
        "bgp.router_id",
        3,
        "neighd.toml:3:13: bgp.router_id: \"0.0.0.0\" is not a valid router id (it must not be 0.0.0.0)",
    );
}

#[test]
fn hold_time_one_or_two() {
    for bad in [1, 2] {
        assert_rejected(
            &format!("{BGP}hold_time = {bad}\n"),
            "bgp.hold_time",
            4,
            &format!(
                "neighd.toml:4:13: bgp.hold_time: hold time {bad} is not allowed: 0 (no keepalives) or 3..=65535 seconds"
            ),
        );
    }
    assert_rejected(
        &format!("{BGP}[[bgp.neighbor]]\ninterface = \"swp51\"\nremote_as = \"external\"\nhold_time = 2\n"),
        "bgp.neighbor[0].hold_time",
        7,
        "neighd.toml:7:13: bgp.neighbor[0].hold_time: hold time 2 is not allowed: 0 (no keepalives) or 3..=65535 seconds",
    );
    assert_eq!(accepted(&format!("{BGP}hold_time = 0\n")).bgp.hold_time, 0);
    assert_eq!(accepted(&format!("{BGP}hold_time = 3\n")).bgp.hold_time, 3);
}

#[test]
fn listen_is_address_port_or_false() {
    assert_rejected(
        &format!("{BGP}listen = \"0.0.0.0\"\n"),
        "bgp.listen",
        4,
        "neighd.toml:4:10: bgp.listen: \"0.0.0.0\" is not an address:port (e.g. \"127.0.0.1:9611\", \"[::]:179\")",
    );
    assert_rejected(
        &format!("{BGP}listen = true\n"),
        "bgp.listen",
        4,
        "neighd.toml:4:10: bgp.listen: expected \"address:port\" or false, found true",
    );
    assert_rejected(
        &format!("{BGP}listen = 179\n"),
        "bgp.listen",
        4,
        "neighd.toml:4:10: bgp.listen: expected \"address:port\" or false, found an integer",
    );
    assert_eq!(accepted(&format!("{BGP}listen = false\n")).bgp.listen, None);
    assert_eq!(
        accepted(&format!("{BGP}listen = \"192.0.2.1:1179\"\n"))
            .bgp
            .listen,
        Some("192.0.2.1:1179".parse().unwrap())
    );
    assert_rejected(
        &format!("{BGP}[metrics]\nlisten = \"localhost:9611\"\n"),
        "metrics.listen",
        5,
        "neighd.toml:5:10: metrics.listen: \"localhost:9611\" is not an address:port (e.g. \"127.0.0.1:9611\", \"[::]:179\")",
    );
}

#[test]
fn connect_retry_and_restart_time_limits() {
    assert_rejected(
        &format!("{BGP}connect_retry = \"500ms\"\n"),
        "bgp.connect_retry",
        4,
        "neighd.toml:4:17: bgp.connect_retry: \"500ms\" is too short (at least 1s)",
    );
    assert_rejected(
        &format!("{BGP}restart_time = 4096\n"),
        "bgp.restart_time",
        4,
        "neighd.toml:4:16: bgp.restart_time: 4096 is out of range (1..=4095)",
    );
}

// ---- [[bgp.neighbor]] ----

#[test]
fn neighbor_with_neither_or_both_targets() {
    assert_rejected(
        &format!("{BGP}\n[[bgp.neighbor]]\nremote_as = 65020\n"),
        "bgp.neighbor[0]",
        5,
        "neighd.toml:5:1: bgp.neighbor[0]: needs exactly one of address and interface, found neither",
    );
    assert_rejected(
        &format!(
            "{BGP}\n[[bgp.neighbor]]\ninterface = \"swp51\"\nremote_as = \"external\"\n\n\
             [[bgp.neighbor]]\naddress = \"192.168.2.1\"\ninterface = \"swp52\"\nremote_as = 65020\n"
        ),
        "bgp.neighbor[1]",
        9,
        "neighd.toml:9:1: bgp.neighbor[1]: needs exactly one of address and interface, found both",
    );
}

#[test]
fn duplicate_neighbors() {
    assert_rejected(
        &format!(
            "{BGP}[[bgp.neighbor]]\naddress = \"192.168.2.1\"\nremote_as = 65020\n\
             [[bgp.neighbor]]\naddress = \"192.168.2.1\"\nremote_as = 65021\n"
        ),
        "bgp.neighbor[1].address",
        8,
        "neighd.toml:8:11: bgp.neighbor[1].address: 192.168.2.1 duplicates bgp.neighbor[0].address",
    );
    assert_rejected(
        &format!(
            "{BGP}[[bgp.neighbor]]\ninterface = \"swp51\"\nremote_as = \"external\"\n\
             [[bgp.neighbor]]\ninterface = \"swp51\"\nremote_as = \"external\"\n"
        ),
        "bgp.neighbor[1].interface",
        8,
        "neighd.toml:8:13: bgp.neighbor[1].interface: \"swp51\" duplicates bgp.neighbor[0].interface",
    );
}

#[test]
fn neighbor_addresses_must_be_unicast_and_not_link_local() {
    assert_rejected(
        &format!("{BGP}[[bgp.neighbor]]\naddress = \"fe80::1\"\nremote_as = \"external\"\n"),
        "bgp.neighbor[0].address",
        5,
        "neighd.toml:5:11: bgp.neighbor[0].address: \"fe80::1\" is link-local: peer over the link with interface = \"IFNAME\" instead",
    );
    assert_rejected(
        &format!("{BGP}[[bgp.neighbor]]\naddress = \"224.0.0.5\"\nremote_as = 65020\n"),
        "bgp.neighbor[0].address",
        5,
        "neighd.toml:5:11: bgp.neighbor[0].address: \"224.0.0.5\" is not a unicast address",
    );
    assert_rejected(
        &format!("{BGP}[[bgp.neighbor]]\naddress = \"spine01\"\nremote_as = 65020\n"),
        "bgp.neighbor[0].address",
        5,
        "neighd.toml:5:11: bgp.neighbor[0].address: \"spine01\" is not an IP address",
    );
}

#[test]
fn remote_as_number_or_word() {
    assert_rejected(
        &format!("{BGP}[[bgp.neighbor]]\ninterface = \"swp51\"\nremote_as = \"externa\"\n"),
        "bgp.neighbor[0].remote_as",
        6,
        "neighd.toml:6:13: bgp.neighbor[0].remote_as: \"externa\" is not a remote AS (use a number, \"external\" or \"internal\")",
    );
    assert_rejected(
        &format!("{BGP}[[bgp.neighbor]]\ninterface = \"swp51\"\nremote_as = 0\n"),
        "bgp.neighbor[0].remote_as",
        6,
        "neighd.toml:6:13: bgp.neighbor[0].remote_as: 0 is out of range (1..=4294967295)",
    );
    assert_rejected(
        &format!("{BGP}[[bgp.neighbor]]\ninterface = \"swp51\"\nremote_as = true\n"),
        "bgp.neighbor[0].remote_as",
        6,
        "neighd.toml:6:13: bgp.neighbor[0].remote_as: expected an AS number, \"external\" or \"internal\", found a boolean",
    );
    let config = accepted(&format!(
        "{BGP}[[bgp.neighbor]]\ninterface = \"swp51\"\nremote_as = \"internal\"\n\
         [[bgp.neighbor]]\naddress = \"2001:db8::2\"\nremote_as = 4200000000\n"
    ));
    assert_eq!(config.bgp.neighbors[0].remote_as, RemoteAs::Internal);
    assert_eq!(
        config.bgp.neighbors[1].remote_as,
        RemoteAs::Number(4_200_000_000)
    );
}

#[test]
fn passwords_the_kernel_refuses_are_refused_without_showing_them() {
    assert_rejected(
        &format!("{BGP}[[bgp.neighbor]]\naddress = \"192.168.2.1\"\nremote_as = 65020\npassword = \"\"\n"),
        "bgp.neighbor[0].password",
        7,
        "neighd.toml:7:12: bgp.neighbor[0].password: TCP MD5 password is empty",
    );
    let long = "p".repeat(81);
    let e = rejected(&format!(
        "{BGP}[[bgp.neighbor]]\naddress = \"192.168.2.1\"\nremote_as = 65020\npassword = \"{long}\"\n"
    ));
    assert_eq!(
        e.to_string(),
        "neighd.toml:7:12: bgp.neighbor[0].password: TCP MD5 password is 81 bytes long; at most 80 are allowed"
    );
    assert_eq!(e.key(), Some("bgp.neighbor[0].password"));
    assert_eq!(e.line(), Some(7));
    assert!(!format!("{e:?}").contains(&long));
    let eighty = "p".repeat(80);
    let config = accepted(&format!(
        "{BGP}[[bgp.neighbor]]\naddress = \"192.168.2.1\"\nremote_as = 65020\npassword = \"{eighty}\"\n"
    ));
    assert_eq!(config.bgp.neighbors[0].password.as_deref(), Some(&*eighty));
}

#[test]
fn neighbor_debug_never_shows_the_password() {
    let config = accepted(&format!(
        "{BGP}[[bgp.neighbor]]\naddress = \"192.168.2.1\"\nremote_as = 65020\npassword = \"hunter2\"\n"
    ));
    for shown in [
        format!("{config:?}"),
        format!("{config:#?}"),
        format!("{:?}", config.peer_configs()),
        format!("{:?}", config.speaker_config()),
    ] {
        assert!(!shown.contains("hunter2"), "{shown}");
    }
    assert!(format!("{config:?}").contains("password: Some(<redacted>)"));
}

// ---- interfaces ----

#[test]
fn interfaces_must_exist() {
    assert_rejected(
        &format!("{BGP}[redistribute]\ninterfaces = [\"swp1\", \"swp3\"]\n"),
        "redistribute.interfaces[1]",
        5,
        "neighd.toml:5:23: redistribute.interfaces[1]: interface \"swp3\" does not exist (in this network namespace)",
    );
    assert_rejected(
        &format!("{BGP}[[bgp.neighbor]]\ninterface = \"swp53\"\nremote_as = \"external\"\n"),
        "bgp.neighbor[0].interface",
        5,
        "neighd.toml:5:13: bgp.neighbor[0].interface: interface \"swp53\" does not exist (in this network namespace)",
    );
    assert_rejected(
        &format!("{BGP}[[announce]]\ninterface = \"br1\"\n"),
        "announce[0].interface",
        5,
        "neighd.toml:5:13: announce[0].interface: interface \"br1\" does not exist (in this network namespace)",
    );
}

#[test]
fn interface_names_linux_refuses() {
    assert_rejected(
        &format!("{BGP}[redistribute]\ninterfaces = [\"a-name-far-too-long\"]\n"),
        "redistribute.interfaces[0]",
        5,
        "neighd.toml:5:15: redistribute.interfaces[0]: \"a-name-far-too-long\" is not an interface name (1 to 15 bytes, no \"/\", \":\" or whitespace)",
    );
}

#[test]
fn an_interface_listed_twice() {
    assert_rejected(
        &format!("{BGP}[redistribute]\ninterfaces = [\"swp1\", \"swp2\", \"swp1\"]\n"),
        "redistribute.interfaces[2]",
        5,
        "neighd.toml:5:31: redistribute.interfaces[2]: \"swp1\" duplicates redistribute.interfaces[0]",
    );
}

// ---- [redistribute] ----

#[test]
fn prefixes_with_host_bits_or_not_prefixes() {
    assert_rejected(
        &format!("{BGP}[redistribute]\nprefixes = [\"172.16.1.1/24\"]\n"),
        "redistribute.prefixes[0]",
        5,
        "neighd.toml:5:13: redistribute.prefixes[0]: \"172.16.1.1/24\" has host bits set (the network is 172.16.1.0/24)",
    );
    assert_rejected(
        &format!("{BGP}[redistribute]\nprefixes = [\"172.16.1.0\"]\n"),
        "redistribute.prefixes[0]",
        5,
        "neighd.toml:5:13: redistribute.prefixes[0]: \"172.16.1.0\" is not a prefix (expected address/length, e.g. 172.16.1.0/24)",
    );
    assert_rejected(
        &format!("{BGP}[[announce]]\nprefix = \"11.11.1.1/24\"\n"),
        "announce[0].prefix",
        5,
        "neighd.toml:5:10: announce[0].prefix: \"11.11.1.1/24\" has host bits set (the network is 11.11.1.0/24)",
    );
}

#[test]
fn bad_durations() {
    assert_rejected(
        &format!("{BGP}\n[redistribute]\ninterfaces = [\"swp1\"]\nprobe_interval = \"10 parsecs\"\n"),
        "redistribute.probe_interval",
        7,
        "neighd.toml:7:18: redistribute.probe_interval: \"10 parsecs\" is not a duration (use e.g. \"1s\", \"100ms\")",
    );
    assert_rejected(
        &format!("{BGP}[redistribute.flap]\nhalf_life = \"15\"\n"),
        "redistribute.flap.half_life",
        5,
        "neighd.toml:5:13: redistribute.flap.half_life: \"15\" is not a duration (use e.g. \"1s\", \"100ms\")",
    );
}

#[test]
fn probe_interval_below_100ms() {
    assert_rejected(
        &format!("{BGP}[redistribute]\nprobe_interval = \"99ms\"\n"),
        "redistribute.probe_interval",
        5,
        "neighd.toml:5:18: redistribute.probe_interval: \"99ms\" is too short (at least 100ms)",
    );
    let config = accepted(&format!("{BGP}[redistribute]\nprobe_interval = \"0.1s\"\n"));
    assert_eq!(
        config.redistribute.probe_interval,
        Duration::from_millis(100)
    );
}

#[test]
fn probe_misses_zero() {
    assert_rejected(
        &format!("{BGP}[redistribute]\nprobe_misses = 0\n"),
        "redistribute.probe_misses",
        5,
        "neighd.toml:5:16: redistribute.probe_misses: 0 is out of range (1..=4294967295)",
    );
}

#[test]
fn bad_communities() {
    assert_rejected(
        &format!("{BGP}[redistribute]\ncommunities = [\"65000:100\", \"65536:1\"]\n"),
        "redistribute.communities[1]",
        5,
        "neighd.toml:5:29: redistribute.communities[1]: \"65536:1\" is not a community (expected ASN:VALUE with each part 0-65535, or a well-known name such as no-export)",
    );
    assert_rejected(
        &format!("{BGP}[redistribute]\nlarge_communities = [\"65000:1\"]\n"),
        "redistribute.large_communities[0]",
        5,
        "neighd.toml:5:22: redistribute.large_communities[0]: \"65000:1\" is not a large community (expected GLOBAL:LOCAL1:LOCAL2, each 0-4294967295)",
    );
    assert_rejected(
        &format!("{BGP}[[announce]]\nprefix = \"11.11.1.0/24\"\ncommunities = [\"no-exprot\"]\n"),
        "announce[0].communities[0]",
        6,
        "neighd.toml:6:16: announce[0].communities[0]: \"no-exprot\" is not a community (expected ASN:VALUE with each part 0-65535, or a well-known name such as no-export)",
    );
}

#[test]
fn flap_reuse_must_be_below_suppress() {
    assert_rejected(
        &format!("{BGP}[redistribute.flap]\nsuppress = 2500\nreuse = 2500\n"),
        "redistribute.flap.reuse",
        6,
        "neighd.toml:6:9: redistribute.flap.reuse: reuse 2500 must be below suppress 2500",
    );
    assert_rejected(
        &format!("{BGP}[redistribute.flap]\nsuppress = 500\n"),
        "redistribute.flap.suppress",
        5,
        "neighd.toml:5:12: redistribute.flap.suppress: reuse 750 must be below suppress 500",
    );
}

// ---- [[announce]] ----

#[test]
fn announce_with_neither_or_both() {
    assert_rejected(
        &format!("{BGP}\n[[announce]]\ncommunities = [\"65000:1\"]\n"),
        "announce[0]",
        5,
        "neighd.toml:5:1: announce[0]: needs exactly one of prefix and interface, found neither",
    );
    assert_rejected(
        &format!("{BGP}\n[[announce]]\nprefix = \"11.11.1.0/24\"\ninterface = \"br0\"\n"),
        "announce[0]",
        5,
        "neighd.toml:5:1: announce[0]: needs exactly one of prefix and interface, found both",
    );
}

#[test]
fn announcing_the_same_thing_twice() {
    assert_rejected(
        &format!("{BGP}[[announce]]\nprefix = \"11.11.1.0/24\"\n[[announce]]\nprefix = \"11.11.1.0/24\"\n"),
        "announce[1].prefix",
        7,
        "neighd.toml:7:10: announce[1].prefix: 11.11.1.0/24 duplicates announce[0].prefix",
    );
}

// ---- [fib] ----

#[test]
fn reserved_fib_protocols() {
    for (value, column) in [("2", 12), ("186", 12), ("196", 12), ("12", 12)] {
        assert_rejected(
            &format!("{BGP}[fib]\nprotocol = {value}\n"),
            "fib.protocol",
            5,
            &format!(
                "neighd.toml:5:{column}: fib.protocol: protocol {value} is taken (0..=4 the kernel's, 8..=18, 42 and 99 other daemons', 186..=199 FRR's); neighd's default is 201"
            ),
        );
    }
    assert_rejected(
        &format!("{BGP}[fib]\nprotocol = 256\n"),
        "fib.protocol",
        5,
        "neighd.toml:5:12: fib.protocol: 256 is out of range (0..=255)",
    );
    assert_eq!(
        accepted(&format!("{BGP}[fib]\nprotocol = 5\n"))
            .fib
            .protocol,
        5
    );
}

#[test]
fn fib_table_zero() {
    assert_rejected(
        &format!("{BGP}[fib]\ntable = 0\n"),
        "fib.table",
        5,
        "neighd.toml:5:9: fib.table: table 0 is not a routing table (main is 254)",
    );
    assert_rejected(
        &format!("{BGP}[fib]\nexport_table = 255\n"),
        "fib.export_table",
        5,
        "neighd.toml:5:16: fib.export_table: table 255 is the kernel's local table",
    );
}

#[test]
fn export_table_equal_to_fib_table() {
    assert_rejected(
        &format!("{BGP}[fib]\nexport_table = 254\n"),
        "fib.export_table",
        5,
        "neighd.toml:5:16: fib.export_table: 254 is also fib.table; the export table must be another one",
    );
    assert_rejected(
        &format!("{BGP}[fib]\ntable = 100\nexport_table = 100\n"),
        "fib.export_table",
        6,
        "neighd.toml:6:16: fib.export_table: 100 is also fib.table; the export table must be another one",
    );
}

#[test]
fn empty_control_socket() {
    assert_rejected(
        &format!("{BGP}[control]\nsocket = \"\"\n"),
        "control.socket",
        5,
        "neighd.toml:5:10: control.socket: must not be empty",
    );
}

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
                flap: FlapDamping {
                    enabled: true,
                    penalty: 1000,
                    suppress: 2000,
                    reuse: 750,
                    half_life: Duration::from_secs(15),
                    max_hold: Duration::from_secs(120),
                },
            },
            announce: vec![],
            fib: FibConfig {
                install: true,
                table: 254,
                protocol: 201,
                metric: 20,
                export_table: None,
            },
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
                flap: FlapDamping {
                    enabled: true,
                    penalty: 1000,
                    suppress: 2000,
                    reuse: 750,
                    half_life: Duration::from_secs(15),
                    max_hold: Duration::from_secs(120),
                },
            },
            announce: vec![],
            fib: FibConfig {
                install: true,
                table: 254,
                protocol: 201,
                metric: 20,
                export_table: None,
            },
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
