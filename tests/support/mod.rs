//! Reusable test servers: an authoritative DNS server, a faulty DNS responder, mail servers
//! (IMAP, POP3, SMTP; implicit TLS, STARTTLS, hostile behaviours) and a test PKI.
#![allow(dead_code)]

pub mod dns;
pub mod mail;
pub mod net;
pub mod pki;

use std::time::Duration;

use mailprobe::input::parse_target;
use mailprobe::service::Service;
use mailprobe::{Options, Run};

/// Options for a run against test servers: only the given DNS server and services.
pub fn options(
    target: &str,
    dns: std::net::SocketAddr,
    services: &[Service],
    timeout: Duration,
) -> Options {
    let mut o = Options::new(parse_target(target).expect("valid test target"));
    o.dns_servers = vec![dns];
    o.services = services.to_vec();
    o.timeout = timeout;
    o
}

pub async fn run(options: &Options) -> Run {
    mailprobe::run(options, &mailprobe::probe::engine::Silent)
        .await
        .expect("run starts")
}
