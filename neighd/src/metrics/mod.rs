//! Prometheus metrics: counters and gauges, and their text exposition over HTTP.
