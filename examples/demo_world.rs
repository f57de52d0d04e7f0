//! A small world on loopback to try mailprobe by hand (and to make the README's sample output):
//! a DNS server for `demo.test` and mail servers on unprivileged ports.
//!
//!     cargo run --example demo_world
//!
//! It prints the mailprobe command line to use (through `cargo run`, so nothing needs to be
//! installed), then serves until Ctrl-C or SIGTERM, and removes its temporary CA file on either.

#[path = "../tests/support/mod.rs"]
mod support;

use std::net::SocketAddr;

use mailprobe::service::Protocol;
use support::dns::{zone, TestDns};
use support::mail::{start_on, BlackHole, Spec, TlsMode};
use support::net::TestNet;
use support::pki::TestCa;

#[tokio::main]
async fn main() {
    let net = TestNet::new();
    let ca = TestCa::new();
    let n = net.prefix();
    let good = ca.leaf(&["imap.demo.test", "smtp.demo.test", "mail.demo.test"]);
    let shared = ca.leaf(&["server7.webhost.test"]);
    let mut servers = Vec::new();
    let mut services = Vec::new();
    let mut add = |servers_: Vec<support::mail::MailServer>, spec: &str| {
        services.push(format!("{}/{spec}", servers_[0].addr.port()));
        servers.extend(servers_);
    };
    let (web, mx) = (net.ip(12), net.ip(11));
    add(
        start_on(
            &[net.ip(10), web],
            Spec::new(Protocol::Imap, TlsMode::Implicit(good.clone())),
        )
        .await,
        "imap/tls",
    );
    add(
        start_on(
            &[net.ip(10)],
            Spec::new(Protocol::Imap, TlsMode::StartTls(good.clone())),
        )
        .await,
        "imap/starttls",
    );
    add(
        start_on(&[net.ip(10)], Spec::new(Protocol::Pop3, TlsMode::None)).await,
        "pop3/starttls",
    );
    add(
        start_on(
            &[net.ip(10)],
            Spec::new(Protocol::Smtp, TlsMode::Implicit(good.clone())),
        )
        .await,
        "smtp/tls",
    );
    let submission = start_on(
        &[net.ip(10), mx],
        Spec::new(Protocol::Smtp, TlsMode::StartTls(good)),
    )
    .await;
    let port = submission[0].addr.port();
    add(submission, "smtp/starttls");
    // The web host's address presents its own certificate for the customer's name.
    let _web_pop = start_on(&[web], Spec::new(Protocol::Pop3, TlsMode::Implicit(shared))).await;
    // The MX drops everything but SMTP submission: a firewall.
    let _hole = BlackHole::start(SocketAddr::new(mx, services_port(&services, 0))).await;
    let z = zone(
        "demo.test",
        &format!(
            "@ IN MX 10 mx.demo.test.\n@ IN A {n}.12\nmx IN A {n}.11\nimap IN A {n}.10\nsmtp IN A {n}.10\nmail IN A {n}.10\n\
             server7.webhost IN A {n}.12\n_submission._tcp IN SRV 0 1 {port} smtp.demo.test.\n"
        ),
    );
    let dns = TestDns::start(&[z]).await;
    // Kept until the world stops; removed when `ca_file` drops, on Ctrl-C and SIGTERM alike.
    let ca_file = ca.pem_file();
    let args: Vec<String> = services.iter().map(|s| format!("--service {s}")).collect();
    println!(
        "cargo run --release -- accounts@demo.test --dns {} --ca-file {} --ports none {}",
        dns.addr,
        ca_file.path().display(),
        args.join(" ")
    );
    println!("(serving until Ctrl-C or SIGTERM; the temporary CA file is removed then)");
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    drop(servers);
    drop(ca_file);
}

fn services_port(services: &[String], i: usize) -> u16 {
    services[i]
        .split('/')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0)
}
