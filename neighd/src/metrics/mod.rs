//! Prometheus metrics: counters and gauges, and their text exposition over HTTP.
//!
//! The daemon shares one [`Metrics`] (in an `Arc`) with every component;
//! recording is a relaxed atomic add or store, never a lock on a hot path.
//! [`Metrics::render`] writes the text format 0.0.4 and [`serve_metrics`]
//! answers `GET /metrics` with it.

mod exposition;
mod histogram;
mod http;
mod registry;

pub use histogram::NEIGH_TO_ROUTE_BUCKETS;
pub use http::{serve_metrics, MetricsError, MetricsServer};
pub use registry::Metrics;
