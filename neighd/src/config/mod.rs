//! The TOML configuration: its model, parsing and validation.

mod model;

pub use model::*;
