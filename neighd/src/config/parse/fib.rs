//! `[fib]`: where learned routes and exported hosts go in the kernel.

use crate::config::defaults::{DEFAULT_FIB_METRIC, DEFAULT_FIB_PROTOCOL, DEFAULT_FIB_TABLE};
use crate::config::error::{ConfigError, Problem};
use crate::config::model::FibConfig;
use crate::config::reader::{Item, Table};

/// `[fib]`.
pub(super) fn fib(t: &Table<'_, '_>) -> Result<FibConfig, ConfigError> {
    let table = t.or("table", DEFAULT_FIB_TABLE, routing_table)?;
    let export_table = match t.get("export_table") {
        Some(i) => {
            let export = routing_table(&i)?;
            if export == table {
                return Err(i.fail(Problem::ExportIsFibTable { value: export }));
            }
            Some(export)
        }
        None => None,
    };
    Ok(FibConfig {
        install: t.or("install", true, Item::bool)?,
        table,
        protocol: t.or("protocol", DEFAULT_FIB_PROTOCOL, protocol)?,
        metric: t.or("metric", DEFAULT_FIB_METRIC, |i| i.int_in(0..=u32::MAX))?,
        export_table,
    })
}

/// A kernel routing table that can hold routes: not 0 (unspecified) nor
/// 255 (local).
fn routing_table(i: &Item<'_, '_>) -> Result<u32, ConfigError> {
    let value = i.int_in(0..=u32::MAX)?;
    let why = match value {
        0 => "not a routing table (main is 254)",
        255 => "the kernel's local table",
        _ => return Ok(value),
    };
    Err(i.fail(Problem::ReservedTable { value, why }))
}

/// An rtnetlink protocol number that neither the kernel (0..=4), the
/// routing daemons iproute2 names (8..=18, 42, 99) nor FRR (186..=199,
/// with its sharp/pbr/static/openfabric in 194..=197) uses.
fn protocol(i: &Item<'_, '_>) -> Result<u8, ConfigError> {
    match i.int_in(0..=u8::MAX)? {
        value @ (0..=4 | 8..=18 | 42 | 99 | 186..=199) => {
            Err(i.fail(Problem::ReservedProtocol { value }))
        }
        value => Ok(value),
    }
}
