//! An embeddable BGP-4 speaker.
//!
//! - [`wire`]: the sans-IO message codec (bytes in, typed messages out, and
//!   back), with RFC 7606 error classification.
//!
//! The session state machine, the RIBs and the tokio driver build on `wire`.

pub mod fsm;
pub mod wire;
