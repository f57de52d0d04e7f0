//! Reusable test servers: an authoritative DNS server, a faulty DNS responder, mail servers
//! (IMAP, POP3, SMTP; implicit TLS, STARTTLS, hostile behaviours) and a test PKI.
#![allow(dead_code)]

pub mod dns;
pub mod mail;
pub mod manual;
pub mod net;
pub mod pki;
pub mod scenario;
pub mod schema;
pub mod web;

use std::time::Duration;

use mailprobe::input::parse_target;
use mailprobe::service::Service;
use mailprobe::{Options, Run};

/// A test's target with its options (which derefs to the options, so tests set them in place).
#[derive(Debug, Clone)]
pub struct Asked {
    pub target: mailprobe::input::Target,
    pub options: Options,
}

impl std::ops::Deref for Asked {
    type Target = Options;
    fn deref(&self) -> &Options {
        &self.options
    }
}

impl std::ops::DerefMut for Asked {
    fn deref_mut(&mut self) -> &mut Options {
        &mut self.options
    }
}

/// Options for a run against test servers: only the given DNS server and services.
pub fn options(
    target: &str,
    dns: std::net::SocketAddr,
    services: &[Service],
    timeout: Duration,
) -> Asked {
    let mut o = Options::new();
    o.dns_servers = vec![dns];
    o.services = services.to_vec();
    o.timeout = timeout;
    // The zones' name servers are not running in these tests (tests/authority.rs runs them).
    o.authoritative = false;
    // Nor are policy servers (tests/delivery.rs runs them).
    o.delivery = false;
    o.published = false;
    // Never Mozilla's ISPDB from a test: tests/published.rs serves its own.
    o.ispdb_url = None;
    Asked {
        target: parse_target(target).expect("valid test target"),
        options: o,
    }
}

pub async fn run(asked: &Asked) -> Run {
    let run = mailprobe::run(&asked.target, asked, &mailprobe::probe::engine::Silent)
        .await
        .expect("run starts");
    schema::assert_run_valid(&run);
    assert_no_debug_text(&run);
    run
}

/// No output of any run of the suite carries Rust's debug formatting: every outcome has words.
pub fn assert_no_debug_text(run: &Run) {
    colored::control::set_override(false);
    let layout = mailprobe::render::human::Layout {
        width: 80,
        verbose: 2,
    };
    let mut outputs = [Vec::new(), Vec::new(), Vec::new()];
    mailprobe::render::human::render_with(run, layout, &mut outputs[0]).expect("render");
    mailprobe::render::card::render_with(run, 80, &mut outputs[1]).expect("render");
    mailprobe::render::card::quiet_with(run, 80, &mut outputs[2]).expect("render");
    for text in outputs.iter().map(|o| String::from_utf8_lossy(o)) {
        // The card and -q fit the width too (wrapped, never cut).
        let widest = text.lines().max_by_key(|l| l.chars().count()).unwrap_or("");
        assert!(
            widest.chars().count() <= 80,
            "a line wider than 80: {widest}"
        );
        for debug in ["Some(", "Err(", "Ok(", "verifier:", "{ ", " }"] {
            let line = text.lines().find(|l| l.contains(debug));
            assert!(line.is_none(), "debug text {debug:?} in: {line:?}");
        }
    }
}

/// Renders the human report without colour, so that any control character in it came from
/// outside and was not escaped.
pub fn human_report(run: &Run) -> String {
    colored::control::set_override(false);
    let mut out = Vec::new();
    let layout = mailprobe::render::human::Layout {
        width: 80,
        verbose: 2,
    };
    mailprobe::render::human::render_with(run, layout, &mut out).expect("render");
    let text = String::from_utf8(out).expect("the report is valid UTF-8");
    // Every scenario's report fits 80 columns.
    for line in text.lines() {
        assert!(
            line.chars().count() <= 80,
            "a report line is {} columns: {line}",
            line.chars().count()
        );
    }
    text
}

/// Control characters in a report other than line feeds.
pub fn raw_control_chars(report: &str) -> Vec<char> {
    report
        .chars()
        .filter(|c| {
            (c.is_control() && *c != '\n') || matches!(*c as u32, 0x202a..=0x202e | 0x2066..=0x2069)
        })
        .collect()
}

/// Runs a fleet as the binary would, 80 columns wide: its exit status, stdout and stderr. The
/// table (and every report with it) must fit the width it was given.
pub async fn run_fleet(req: &mailprobe::fleet::FleetRequest) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = mailprobe::render::fleet_output::run(
        req,
        mailprobe::render::fleet_output::Sinks {
            out: &mut out,
            err: &mut err,
            progress: false,
            width: 80,
        },
        std::future::pending(),
    )
    .await;
    let (out, err) = (
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    );
    let text = if req.jsonl { &err } else { &out };
    if let Some(wide) = text.lines().find(|l| l.chars().count() > 80) {
        panic!("a line wider than 80 columns: {wide}");
    }
    (code, out, err)
}
