//! The control socket (JSON lines over a Unix socket) and its client.
