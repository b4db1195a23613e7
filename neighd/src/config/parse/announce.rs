//! `[[announce]]`: fixed prefixes and interface subnets to announce.

use super::{communities, exactly_one, existing_interface, OneOf, Unique};
use crate::config::error::ConfigError;
use crate::config::model::{Announce, AnnounceSource};
use crate::config::reader::Table;
use crate::config::system::SystemView;
use crate::config::values;

/// Every `[[announce]]`, none announcing the same thing twice.
pub(super) fn announcements(
    tables: &[Table<'_, '_>],
    env: &dyn SystemView,
) -> Result<Vec<Announce>, ConfigError> {
    let mut seen = Unique::new();
    let mut out = Vec::with_capacity(tables.len());
    for t in tables {
        let (source, item) = match exactly_one(t, "prefix", "interface")? {
            OneOf::First(p) => (AnnounceSource::Prefix(p.parse_str(values::prefix)?), p),
            OneOf::Second(i) => (AnnounceSource::Interface(existing_interface(&i, env)?), i),
        };
        let shown = match &source {
            AnnounceSource::Prefix(p) => p.to_string(),
            AnnounceSource::Interface(name) => format!("{name:?}"),
        };
        seen.insert(source.clone(), shown, &item)?;
        out.push(Announce {
            source,
            communities: t.or("communities", Vec::new(), communities)?,
        });
    }
    Ok(out)
}
