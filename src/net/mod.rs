//! Network basics below the mail probes: the recursive resolver and what kind of address DNS
//! gave us.

pub mod address;
pub mod authority;
pub mod dns;
pub mod dnssec;
pub mod gate;
pub mod http;
