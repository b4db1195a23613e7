//! The configuration file's refusals as a user meets them: each mistake
//! refused with the file, line, column and key in one line.

#[path = "support/config.rs"]
mod support;

use std::time::Duration;

use bgp::fsm::RemoteAs;

use support::{accepted, assert_rejected, rejected, BGP};

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
