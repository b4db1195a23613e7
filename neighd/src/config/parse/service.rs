//! `[control]` and `[metrics]`: where neighd shows what it believes.

use std::path::PathBuf;

use crate::config::defaults::DEFAULT_CONTROL_SOCKET;
use crate::config::error::ConfigError;
use crate::config::model::{ControlConfig, MetricsConfig};
use crate::config::reader::Table;
use crate::config::values;

/// `[control]`.
pub(super) fn control(t: &Table<'_, '_>) -> Result<ControlConfig, ConfigError> {
    Ok(ControlConfig {
        socket: t.or("socket", PathBuf::from(DEFAULT_CONTROL_SOCKET), |i| {
            i.non_empty_str().map(PathBuf::from)
        })?,
    })
}

/// `[metrics]`.
pub(super) fn metrics(t: &Table<'_, '_>) -> Result<MetricsConfig, ConfigError> {
    Ok(MetricsConfig {
        listen: t.opt("listen", |i| i.parse_str(values::socket_address))?,
    })
}
