//! `[[announce]]`: fixed prefixes and the connected subnets of interfaces.
