//! Output formats. Each writes to a writer and decides nothing.

pub mod card;
pub mod human;
pub mod json;
pub mod words;
