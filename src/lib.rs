//! mailprobe: where does a domain's mail live, and which IMAP/POP3/SMTP settings work from here?
//!
//! The pipeline, one module per stage: [`input`] → [`discover`] (DNS via [`net::dns`], the
//! zone's own servers in [`discover::authority`]) → [`provider`] (its [`provider::table`]) →
//! [`published`] (what clients are told) → [`plan`] → [`probe`] (every connection through
//! [`net::gate`]) → [`delivery`] (what senders check) → [`sending`] (what receivers see) →
//! [`judge`] (facts by stage in [`judge::findings`], every decision in [`judge::policy`]) →
//! [`words`] → [`report`] (the JSON view) → [`render`]. [`fleet`] runs many targets on one
//! engine. Data flows forward: probing never prints, the judgement writes no sentences,
//! rendering never decides (`tests/layers.rs` holds each rule).

pub mod cli;
pub mod delivery;
pub mod discover;
pub mod exits;
pub mod files;
pub mod fleet;
pub mod input;
pub mod judge;
pub mod net;
pub mod plan;
pub mod probe;
pub mod provider;
pub mod published;
pub mod render;
pub mod report;
pub mod run;
pub mod sending;
pub mod service;
pub mod text;
pub mod token;
pub mod words;

pub use run::{
    run, run_with, LoginCheck, Options, Run, SetupError, Shared, DEFAULT_MAX_TIME, LOGIN_ALLOWANCE,
};
