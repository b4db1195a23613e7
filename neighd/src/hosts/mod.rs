//! The host table: a sans-IO state machine deciding which hosts are alive and announced.
