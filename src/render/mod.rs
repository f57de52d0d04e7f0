//! Output formats. Each writes to a writer and decides nothing.

pub mod autoconfig;
pub mod card;
pub mod export;
pub mod fleet;
pub mod fleet_output;
pub mod html;
pub mod human;
pub mod json;
pub mod mobileconfig;
pub mod nagios;
pub mod prometheus;
mod servers;

/// Adds `port` to the group of `key` (made when new), each port once, in the order seen.
fn group_port<K: PartialEq>(groups: &mut Vec<(K, Vec<u16>)>, key: K, port: u16) {
    match groups.iter_mut().find(|(k, _)| *k == key) {
        Some((_, ports)) if !ports.contains(&port) => ports.push(port),
        Some(_) => {}
        None => groups.push((key, vec![port])),
    }
}
