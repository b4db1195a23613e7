//! From TOML text to a validated [`Config`]: the file is parsed with its
//! spans, each table is checked against its schema and turned into the
//! model, and the first problem found is returned as a [`ConfigError`]
//! that names the file, line, column and key.

mod announce;
mod bgp_table;
mod fib;
mod redistribute;
mod service;

use std::collections::HashMap;
use std::hash::Hash;
use std::path::Path;
use std::time::Duration;

use toml::de::{DeTable, DeValue};

use super::error::{ConfigError, Location, Problem};
use super::model::{Config, FibConfig, Redistribute};
use super::reader::{Item, Source, Table};
use super::schema;
use super::system::{LiveSystem, SystemView};
use super::values;

/// Reads and validates the configuration file at `path` against the
/// running system ([`LiveSystem`]).
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        origin: origin.clone(),
        source,
    })?;
    parse(&text, &origin, &LiveSystem)
}

/// Validates configuration `text`; `origin` names it in messages (the file
/// name), `env` says which interfaces exist and the default host name.
pub fn parse(text: &str, origin: &str, env: &dyn SystemView) -> Result<Config, ConfigError> {
    let doc = DeTable::parse(text).map_err(|e| syntax_error(origin, text, &e))?;
    let src = Source { origin, text };
    let root = Table::root(&src, doc.get_ref())?;

    let bgp = bgp_table::bgp(&root.required("bgp")?.table(&schema::BGP)?, env)?;
    let redistribute = root.or("redistribute", Redistribute::default(), |i| {
        redistribute::redistribute(&i.table(&schema::REDISTRIBUTE)?, env)
    })?;
    let announce = root.or("announce", Vec::new(), |i| {
        announce::announcements(&i.tables(&schema::ANNOUNCE)?, env)
    })?;
    let fib = root.or("fib", FibConfig::default(), |i| {
        fib::fib(&i.table(&schema::FIB)?)
    })?;
    let control = root.or("control", Default::default(), |i| {
        service::control(&i.table(&schema::CONTROL)?)
    })?;
    let metrics = root.or("metrics", Default::default(), |i| {
        service::metrics(&i.table(&schema::METRICS)?)
    })?;
    Ok(Config {
        bgp,
        redistribute,
        announce,
        fib,
        control,
        metrics,
    })
}

/// toml's error on one line, placed where toml says.
fn syntax_error(origin: &str, text: &str, e: &toml::de::Error) -> ConfigError {
    let mut message = e
        .message()
        .trim()
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("; ");
    let span = e.span();
    // toml points at the repeated key without naming it.
    if message == "duplicate key" {
        if let Some(key) = span.as_ref().and_then(|s| text.get(s.clone())) {
            message = format!("duplicate key {key}");
        }
    }
    ConfigError::Syntax {
        at: Location::new(origin, text, span.map(|s| s.start)),
        message,
    }
}

/// An interface name that is valid and exists.
fn existing_interface(item: &Item<'_, '_>, env: &dyn SystemView) -> Result<String, ConfigError> {
    let name = item.parse_str(|s| values::interface_name(s).map(str::to_string))?;
    if !env.interface_exists(&name) {
        return Err(item.fail(Problem::NoSuchInterface { name }));
    }
    Ok(name)
}

/// A duration string of at least `min` (written `min_text` in messages).
fn duration_at_least(
    item: &Item<'_, '_>,
    min: Duration,
    min_text: &'static str,
) -> Result<Duration, ConfigError> {
    if !matches!(item.value(), DeValue::String(_)) {
        return Err(item.wrong_type("a duration such as \"1s\""));
    }
    item.parse_str(|s| values::duration_at_least(s, min, min_text))
}

/// Values that must not repeat, each remembered with the key path of its
/// first occurrence.
#[derive(Debug)]
struct Unique<K> {
    first: HashMap<K, String>,
}

impl<K: Eq + Hash> Unique<K> {
    fn new() -> Self {
        Unique {
            first: HashMap::new(),
        }
    }

    /// Remembers `value` at `item`; an error if it was seen before.
    /// `shown` is how the message writes it.
    fn insert(&mut self, value: K, shown: String, item: &Item<'_, '_>) -> Result<(), ConfigError> {
        match self.first.get(&value) {
            Some(other) => Err(item.fail(Problem::Duplicate {
                value: shown,
                other: other.clone(),
            })),
            None => {
                self.first.insert(value, item.path().to_string());
                Ok(())
            }
        }
    }
}

/// Which of two keys, exactly one of which a table must have, it has.
#[derive(Debug)]
enum OneOf<'d, 'i> {
    First(Item<'d, 'i>),
    Second(Item<'d, 'i>),
}

/// The item of whichever of `first` and `second` the table has; exactly
/// one of them must be there.
fn exactly_one<'d, 'i>(
    table: &Table<'d, 'i>,
    first: &'static str,
    second: &'static str,
) -> Result<OneOf<'d, 'i>, ConfigError> {
    match (table.get(first), table.get(second)) {
        (Some(item), None) => Ok(OneOf::First(item)),
        (None, Some(item)) => Ok(OneOf::Second(item)),
        (a, _) => Err(table.fail(Problem::ExactlyOne {
            first,
            second,
            both: a.is_some(),
        })),
    }
}

/// A list of standard communities.
fn communities(item: &Item<'_, '_>) -> Result<Vec<::bgp::wire::Community>, ConfigError> {
    Ok(item
        .parse_list(values::community)?
        .into_iter()
        .map(|(c, _)| c)
        .collect())
}
