//! The config templates shared with the Vagrant topology
//! (`integration/templates/`, see its README) and their renderer: every
//! `{{name}}` is replaced textually by its value; a placeholder left over is
//! an error naming it.

use crate::error::{Error, Result};

/// Seed 004 spine (FRR): `hostname` `asn` `router_id`.
pub const SPINE_FRR: &str = include_str!("../templates/spine.frr.conf");
/// Seed 004 leaf (neighd): `hostname` `asn` `router_id` `probe_interval`
/// `probe_misses` `control_socket` `metrics_listen`.
pub const LEAF_NEIGHD: &str = include_str!("../templates/leaf.neighd.toml");
/// Seed 000 router (FRR): `hostname` `asn` `router_id` `node_range`.
pub const ROUTER_FRR: &str = include_str!("../templates/router.frr.conf");
/// Seed 000 node (neighd): `hostname` `asn` `router_id` `router_address`
/// `router_asn` `control_socket` `metrics_listen`.
pub const NODE_NEIGHD: &str = include_str!("../templates/node.neighd.toml");

/// Replaces every `{{name}}` of `values` in `template`. Fails if a `{{…}}`
/// is left (a value the caller did not give), naming it.
pub fn render(template: &str, values: &[(&str, &str)]) -> Result<String> {
    let mut text = template.to_string();
    for (name, value) in values {
        text = text.replace(&format!("{{{{{name}}}}}"), value);
    }
    if let Some(start) = text.find("{{") {
        let rest = &text[start..];
        let end = rest.find("}}").map_or(rest.len().min(40), |e| e + 2);
        return Err(Error::Invalid(format!(
            "template placeholder {} has no value",
            &rest[..end]
        )));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_every_occurrence() {
        let t = "a {{x}} b {{y}} c {{x}}";
        assert_eq!(render(t, &[("x", "1"), ("y", "2")]).unwrap(), "a 1 b 2 c 1");
    }

    #[test]
    fn a_missing_value_is_named() {
        let e = render(SPINE_FRR, &[("hostname", "spine01"), ("asn", "65020")]).unwrap_err();
        assert!(e.to_string().contains("{{router_id}}"), "{e}");
    }

    #[test]
    fn the_spine_renders_the_seed_lines() {
        let c = render(
            SPINE_FRR,
            &[
                ("hostname", "spine01"),
                ("asn", "65020"),
                ("router_id", "10.0.0.21"),
            ],
        )
        .unwrap();
        for l in [
            "frr defaults datacenter",
            "hostname spine01",
            "router bgp 65020",
            " bgp router-id 10.0.0.21",
            " bgp bestpath as-path multipath-relax",
            " neighbor swp4 interface remote-as external",
            "  network 10.0.0.21/32",
        ] {
            assert!(c.lines().any(|x| x == l), "missing {l:?} in\n{c}");
        }
    }
}
