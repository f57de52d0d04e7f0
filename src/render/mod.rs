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
