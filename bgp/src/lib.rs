//! An embeddable BGP-4 speaker.
//!
//! - [`wire`]: the sans-IO message codec (bytes in, typed messages out, and
//!   back), with RFC 7606 error classification.
//! - [`rib`]: the sans-IO routing tables (Adj-RIB-In, Loc-RIB with best
//!   path and ECMP, Adj-RIB-Out with update packing).
//!
//! The session state machine, the RIBs and the tokio driver build on `wire`.

pub mod fsm;
pub mod rib;
pub mod speaker;
pub mod unnumbered;
pub mod wire;
