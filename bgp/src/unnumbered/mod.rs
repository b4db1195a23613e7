//! Unnumbered BGP peering (RFC 5549/8950 style, as FRR's `neighbor IF
//! interface`): IPv6 router advertisements on each fabric port, so that the
//! peer learns our link-local address, and discovery of the peer's
//! link-local address from its advertisements.
//!
//! - [`ra`]: sans-IO codec for Router Solicitation (133) and Router
//!   Advertisement (134) messages; [`validate`]: RFC 4861 validity of a
//!   received one (hop limit 255, link-local source).

mod error;
pub mod ra;
pub mod validate;

#[cfg(test)]
mod fixture_tests;

pub use error::ParseError;
