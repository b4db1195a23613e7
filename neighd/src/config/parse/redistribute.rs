//! `[redistribute]` and `[redistribute.flap]`: which neighbours become host
//! routes, how they are probed and how flapping ones are held down.

use super::{communities, duration_at_least, existing_interface, Unique};
use crate::config::defaults::{
    DEFAULT_PROBE_INTERVAL, DEFAULT_PROBE_MISSES, MIN_FLAP_TIME, MIN_PROBE_INTERVAL,
};
use crate::config::error::{ConfigError, Problem};
use crate::config::model::{FlapDamping, Redistribute};
use crate::config::reader::{Item, Table};
use crate::config::schema;
use crate::config::system::SystemView;
use crate::config::values;

/// `[redistribute]`.
pub(super) fn redistribute(
    t: &Table<'_, '_>,
    env: &dyn SystemView,
) -> Result<Redistribute, ConfigError> {
    let interfaces = t.or("interfaces", Vec::new(), |i| interfaces(i, env))?;
    let prefixes = t.or("prefixes", Vec::new(), |i| {
        Ok(i.parse_list(values::prefix)?
            .into_iter()
            .map(|(p, _)| p)
            .collect())
    })?;
    let probe_interval = t.or("probe_interval", DEFAULT_PROBE_INTERVAL, |i| {
        duration_at_least(i, MIN_PROBE_INTERVAL, "100ms")
    })?;
    let probe_misses = t.or("probe_misses", DEFAULT_PROBE_MISSES, |i| {
        i.int_in(1..=u32::MAX)
    })?;
    let communities = t.or("communities", Vec::new(), communities)?;
    let large_communities = t.or("large_communities", Vec::new(), |i| {
        Ok(i.parse_list(values::large_community)?
            .into_iter()
            .map(|(c, _)| c)
            .collect())
    })?;
    let permanent = t.or("permanent", false, Item::bool)?;
    let flap = t.or("flap", FlapDamping::default(), |i| {
        flap(&i.table(&schema::FLAP)?)
    })?;
    Ok(Redistribute {
        interfaces,
        prefixes,
        probe_interval,
        probe_misses,
        communities,
        large_communities,
        permanent,
        flap,
    })
}

/// Existing interfaces, each once.
fn interfaces(item: &Item<'_, '_>, env: &dyn SystemView) -> Result<Vec<String>, ConfigError> {
    let mut seen = Unique::new();
    let mut out = Vec::new();
    for i in item.array()? {
        let name = existing_interface(&i, env)?;
        seen.insert(name.clone(), format!("{name:?}"), &i)?;
        out.push(name);
    }
    Ok(out)
}

/// `[redistribute.flap]`.
fn flap(t: &Table<'_, '_>) -> Result<FlapDamping, ConfigError> {
    let default = FlapDamping::default();
    let positive = |i: &Item<'_, '_>| i.int_in(1..=u32::MAX);
    let time = |i: &Item<'_, '_>| duration_at_least(i, MIN_FLAP_TIME, "1s");
    let flap = FlapDamping {
        enabled: t.or("enabled", default.enabled, Item::bool)?,
        penalty: t.or("penalty", default.penalty, positive)?,
        suppress: t.or("suppress", default.suppress, positive)?,
        reuse: t.or("reuse", default.reuse, positive)?,
        half_life: t.or("half_life", default.half_life, time)?,
        max_hold: t.or("max_hold", default.max_hold, time)?,
    };
    if flap.reuse >= flap.suppress {
        let problem = Problem::ReuseNotBelowSuppress {
            reuse: flap.reuse,
            suppress: flap.suppress,
        };
        // Placed at whichever of the two the file gives (reuse first).
        let item = t.get("reuse").or_else(|| t.get("suppress"));
        return Err(match item {
            Some(i) => i.fail(problem),
            None => t.fail(problem),
        });
    }
    Ok(flap)
}
