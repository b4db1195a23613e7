//! The keys each table of the file may have: the one list that unknown-key
//! errors and their suggestions are checked against.

/// A table of the file and its keys.
#[derive(Debug)]
pub(crate) struct TableSchema {
    /// The table's path without indices, e.g. `bgp.neighbor`.
    pub name: &'static str,
    /// How the table is written in a file, e.g. `[[bgp.neighbor]]`.
    pub header: &'static str,
    /// Its keys (sub-tables included).
    pub keys: &'static [&'static str],
}

pub(crate) const ROOT: TableSchema = TableSchema {
    name: "",
    header: "the top level",
    keys: &[
        "bgp",
        "redistribute",
        "announce",
        "fib",
        "control",
        "metrics",
    ],
};

pub(crate) const BGP: TableSchema = TableSchema {
    name: "bgp",
    header: "[bgp]",
    keys: &[
        "asn",
        "router_id",
        "listen",
        "hold_time",
        "connect_retry",
        "graceful_restart",
        "restart_time",
        "max_paths",
        "hostname",
        "neighbor",
    ],
};

pub(crate) const NEIGHBOR: TableSchema = TableSchema {
    name: "bgp.neighbor",
    header: "[[bgp.neighbor]]",
    keys: &[
        "address",
        "interface",
        "remote_as",
        "password",
        "ttl_security",
        "passive",
        "hold_time",
        "port",
        "max_prefix",
        "description",
    ],
};

pub(crate) const REDISTRIBUTE: TableSchema = TableSchema {
    name: "redistribute",
    header: "[redistribute]",
    keys: &[
        "interfaces",
        "prefixes",
        "probe_interval",
        "probe_misses",
        "communities",
        "large_communities",
        "permanent",
        "flap",
    ],
};

pub(crate) const FLAP: TableSchema = TableSchema {
    name: "redistribute.flap",
    header: "[redistribute.flap]",
    keys: &[
        "enabled",
        "penalty",
        "suppress",
        "reuse",
        "half_life",
        "max_hold",
    ],
};

pub(crate) const ANNOUNCE: TableSchema = TableSchema {
    name: "announce",
    header: "[[announce]]",
    keys: &["prefix", "interface", "communities"],
};

pub(crate) const FIB: TableSchema = TableSchema {
    name: "fib",
    header: "[fib]",
    keys: &["install", "table", "protocol", "metric", "export_table"],
};

pub(crate) const CONTROL: TableSchema = TableSchema {
    name: "control",
    header: "[control]",
    keys: &["socket"],
};

pub(crate) const METRICS: TableSchema = TableSchema {
    name: "metrics",
    header: "[metrics]",
    keys: &["listen"],
};

/// Every table, for "this key belongs in [x]" hints.
pub(crate) const ALL: &[&TableSchema] = &[
    &ROOT,
    &BGP,
    &NEIGHBOR,
    &REDISTRIBUTE,
    &FLAP,
    &ANNOUNCE,
    &FIB,
    &CONTROL,
    &METRICS,
];
