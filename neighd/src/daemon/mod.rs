//! The agent: wires the neighbour tracker, host table, prober, speaker and FIB together.
