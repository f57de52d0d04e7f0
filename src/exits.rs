//! Exit statuses, in one place (the README lists them).

/// Discovery done; with probing: working incoming and outgoing settings confirmed, no errors.
pub const OK: u8 = 0;
/// Partial: something works, but not both directions cleanly, or errors were found.
pub const PROBLEMS: u8 = 1;
/// Bad usage or input.
pub const USAGE: u8 = 2;
/// Nothing works for a mail client, the domain receives no mail (NXDOMAIN, null MX), or DNS
/// itself failed.
pub const NOTHING_WORKS: u8 = 3;
/// `--compare`: something got worse since the compared run.
pub const REGRESSIONS: u8 = 4;
/// Interrupted (Ctrl-C): what was done has been written.
pub const INTERRUPTED: u8 = 130;
