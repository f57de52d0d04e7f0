//! Network clients that are not mail probes: the recursive resolver.

pub mod dns;
