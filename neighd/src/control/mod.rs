//! The control socket (JSON lines over a Unix socket) and its client.
//!
//! The daemon calls [`serve`]: every request that arrives on the socket is
//! handed to the daemon through an `mpsc` channel together with a `oneshot`
//! for the answer, so a slow or stuck client only ever holds up its own
//! connection. neighctl calls [`query`] (or [`query_blocking`]) and prints
//! the answer with [`format`](mod@format); its argument parsing lives in [`cli`].

pub mod cli;
mod client;
mod error;
pub mod format;
mod server;
mod socket_file;
mod table;

pub use client::{query, query_blocking, DEFAULT_QUERY_TIMEOUT};
pub use error::ControlError;
pub use server::{serve, ControlRequest, ControlServer, MAX_REQUEST_BYTES};
