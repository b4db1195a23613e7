//! What the configuration tests share: a system view with the reference
//! leaf's ports, the smallest `[bgp]`, and refusal/acceptance helpers.

// Each test binary uses a part of this.
#![allow(dead_code)]

use std::time::Duration;

use neighd::config::{parse, Config, ConfigError, FibConfig, FlapDamping, SystemView};

/// A leaf with the reference topology's ports.
pub struct Leaf;

impl SystemView for Leaf {
    fn interface_exists(&self, name: &str) -> bool {
        ["lo", "swp1", "swp2", "swp51", "swp52", "br0"].contains(&name)
    }
    fn hostname(&self) -> Option<String> {
        Some("leaf-under-test".to_string())
    }
}

/// `[bgp]` with its two required keys: lines 1 to 3.
pub const BGP: &str = "[bgp]\nasn = 65011\nrouter_id = \"10.0.0.11\"\n";

pub fn rejected(text: &str) -> ConfigError {
    match parse(text, "neighd.toml", &Leaf) {
        Ok(config) => panic!("accepted:\n{text}\nas {config:?}"),
        Err(e) => e,
    }
}

/// `text` is refused with exactly `message`, about `key` on `line`.
#[track_caller]
pub fn assert_rejected(text: &str, key: &str, line: usize, message: &str) {
    let e = rejected(text);
    assert_eq!(e.to_string(), message);
    assert_eq!(e.key(), Some(key), "key of {e}");
    assert_eq!(e.line(), Some(line), "line of {e}");
    assert!(!e.to_string().contains('\n'), "one line: {e}");
}

pub fn accepted(text: &str) -> Config {
    parse(text, "neighd.toml", &Leaf).unwrap_or_else(|e| panic!("refused: {e}\n{text}"))
}

/// `[redistribute.flap]` as documented (literal values, not `Default`).
pub fn documented_flap_damping() -> FlapDamping {
    FlapDamping {
        enabled: true,
        penalty: 1000,
        suppress: 2000,
        reuse: 750,
        half_life: Duration::from_secs(15),
        max_hold: Duration::from_secs(120),
    }
}

/// `[fib]` as documented (literal values, not `Default`).
pub fn documented_fib() -> FibConfig {
    FibConfig {
        install: true,
        table: 254,
        protocol: 201,
        metric: 20,
        export_table: None,
    }
}
