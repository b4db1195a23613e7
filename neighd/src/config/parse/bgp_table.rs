//! `[bgp]` and its `[[bgp.neighbor]]` tables.

use std::net::SocketAddr;

use bgp::fsm::RemoteAs;
use bgp::speaker::security::Md5Key;
use toml::de::DeValue;

use super::{duration_at_least, exactly_one, existing_interface, OneOf, Unique};
use crate::config::defaults::{
    DEFAULT_CONNECT_RETRY, DEFAULT_HOLD_TIME, DEFAULT_LISTEN, DEFAULT_MAX_PATHS, DEFAULT_PORT,
    DEFAULT_RESTART_TIME, MAX_HOSTNAME_LEN, MAX_RESTART_TIME, MIN_CONNECT_RETRY,
};
use crate::config::error::{ConfigError, Problem};
use crate::config::model::{BgpConfig, Neighbor, NeighborTarget};
use crate::config::reader::{Item, Table};
use crate::config::schema;
use crate::config::system::SystemView;
use crate::config::values;

/// `[bgp]`.
pub(super) fn bgp(t: &Table<'_, '_>, env: &dyn SystemView) -> Result<BgpConfig, ConfigError> {
    let asn = t.required("asn")?.int_in(1..=u32::MAX)?;
    let router_id = t.required("router_id")?.parse_str(values::router_id)?;
    let listen = t.or("listen", Some(DEFAULT_LISTEN), listen)?;
    let hold_time = t.or("hold_time", DEFAULT_HOLD_TIME, hold_time)?;
    let connect_retry = t.or("connect_retry", DEFAULT_CONNECT_RETRY, |i| {
        duration_at_least(i, MIN_CONNECT_RETRY, "1s")
    })?;
    let graceful_restart = t.or("graceful_restart", false, Item::bool)?;
    let restart_time = t.or("restart_time", DEFAULT_RESTART_TIME, |i| {
        i.int_in(1..=MAX_RESTART_TIME)
    })?;
    let max_paths = t.or("max_paths", DEFAULT_MAX_PATHS, |i| {
        i.int_in(1..=u16::MAX).map(usize::from)
    })?;
    let hostname = match t.opt("hostname", hostname)? {
        Some(name) => Some(name),
        None => env.hostname(),
    };
    let neighbors = t.or("neighbor", Vec::new(), |i| {
        neighbors(&i.tables(&schema::NEIGHBOR)?, env)
    })?;
    Ok(BgpConfig {
        asn,
        router_id,
        listen,
        hold_time,
        connect_retry,
        graceful_restart,
        restart_time,
        max_paths,
        hostname,
        neighbors,
    })
}

/// `listen = "addr:port"` or `listen = false`.
fn listen(i: &Item<'_, '_>) -> Result<Option<SocketAddr>, ConfigError> {
    const EXPECTED: &str = "\"address:port\" or false";
    match i.value() {
        DeValue::String(_) => i.parse_str(values::socket_address).map(Some),
        DeValue::Boolean(false) => Ok(None),
        DeValue::Boolean(true) => Err(i.fail(Problem::WrongType {
            expected: EXPECTED,
            found: "true",
        })),
        _ => Err(i.wrong_type(EXPECTED)),
    }
}

/// A hold time: 0, or 3 seconds and more (RFC 4271 §4.2).
fn hold_time(i: &Item<'_, '_>) -> Result<u16, ConfigError> {
    match i.int_in(0..=u16::MAX)? {
        value @ (1 | 2) => Err(i.fail(Problem::HoldTime { value })),
        value => Ok(value),
    }
}

fn hostname(i: &Item<'_, '_>) -> Result<String, ConfigError> {
    let name = i.non_empty_str()?;
    if name.len() > MAX_HOSTNAME_LEN {
        return Err(i.fail(Problem::TooLong {
            len: name.len(),
            max: MAX_HOSTNAME_LEN,
        }));
    }
    Ok(name.to_string())
}

/// Every `[[bgp.neighbor]]`, no two at the same address or interface.
fn neighbors(tables: &[Table<'_, '_>], env: &dyn SystemView) -> Result<Vec<Neighbor>, ConfigError> {
    let mut seen = Unique::new();
    let mut out = Vec::with_capacity(tables.len());
    for t in tables {
        let (neighbor, target_item) = neighbor(t, env)?;
        let shown = match &neighbor.target {
            NeighborTarget::Address(a) => a.to_string(),
            NeighborTarget::Interface(name) => format!("{name:?}"),
        };
        seen.insert(neighbor.target.clone(), shown, &target_item)?;
        out.push(neighbor);
    }
    Ok(out)
}

/// One `[[bgp.neighbor]]`, with the item of its address or interface.
fn neighbor<'d, 'i>(
    t: &Table<'d, 'i>,
    env: &dyn SystemView,
) -> Result<(Neighbor, Item<'d, 'i>), ConfigError> {
    let (target, target_item) = match exactly_one(t, "address", "interface")? {
        OneOf::First(a) => (
            NeighborTarget::Address(a.parse_str(values::neighbor_address)?),
            a,
        ),
        OneOf::Second(i) => (NeighborTarget::Interface(existing_interface(&i, env)?), i),
    };
    let neighbor = Neighbor {
        target,
        remote_as: remote_as(&t.required("remote_as")?)?,
        password: t.opt("password", password)?,
        ttl_security: t.or("ttl_security", false, Item::bool)?,
        passive: t.or("passive", false, Item::bool)?,
        hold_time: t.opt("hold_time", hold_time)?,
        port: t.or("port", DEFAULT_PORT, |i| i.int_in(1..=u16::MAX))?,
        max_prefix: t.opt("max_prefix", |i| i.int_in(1..=u32::MAX))?,
        description: t.opt("description", |i| i.str().map(str::to_string))?,
    };
    Ok((neighbor, target_item))
}

/// `remote_as`: an AS number, `"external"` or `"internal"`.
fn remote_as(i: &Item<'_, '_>) -> Result<RemoteAs, ConfigError> {
    match i.value() {
        DeValue::Integer(_) => i.int_in(1..=u32::MAX).map(RemoteAs::Number),
        DeValue::String(_) => i.parse_str(values::remote_as_word),
        _ => Err(i.wrong_type("an AS number, \"external\" or \"internal\"")),
    }
}

/// A TCP MD5 password the kernel accepts (1 to 80 bytes). The messages
/// never contain it.
fn password(i: &Item<'_, '_>) -> Result<String, ConfigError> {
    let text = i.str()?;
    Md5Key::new(text).map_err(|e| i.fail(Problem::Password(e)))?;
    Ok(text.to_string())
}
