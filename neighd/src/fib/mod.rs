//! Learned routes into the kernel over netlink (ECMP, batched, protocol-marked), and the rdnbrd-style export table.
