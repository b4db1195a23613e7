//! The TOML configuration: its model, parsing and validation.
//!
//! [`load`] reads a file and [`parse`] validates text into a [`Config`];
//! the first problem comes back as a [`ConfigError`] whose one-line
//! message names the file, line, column and key path:
//!
//! ```text
//! neighd.toml:14:18: redistribute.probe_interval: "10 parsecs" is not a duration (use e.g. "1s", "100ms")
//! ```
//!
//! Files: `model` (the validated values), `defaults`, `schema` (the keys
//! of each table), `reader` (spanned TOML access), `values` (text forms),
//! `parse` (the tables), `system` (interfaces and host name), `speaker`
//! (mapping to the BGP speaker's configuration), `error`.

mod defaults;
mod error;
mod model;
mod parse;
mod reader;
mod schema;
mod speaker;
mod suggest;
mod system;
mod values;

pub use defaults::*;
pub use error::{ConfigError, Location, Problem};
pub use model::*;
pub use parse::{load, parse};
pub use system::{LiveSystem, SystemView};
