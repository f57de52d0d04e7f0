//! Benchmark: wall time of whole runs against in-process servers on loopback, with and without
//! filtered hosts, at several concurrency caps. Run with `cargo bench --bench probe_run`.
//!
//! It prints, per scenario: the number of probes, the wall time (min / median / max over the
//! iterations), and the sum of the probes' own durations, which is what probing one after
//! another would cost.

#[path = "../tests/support/mod.rs"]
mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mailprobe::service::{Protocol, Security};
use support::dns::zone;
use support::mail::{Behaviour, BlackHole, Spec, TlsMode};
use support::scenario::World;

const ITERATIONS: usize = 5;

struct Scenario {
    world: World,
    zone: String,
    _holes: Vec<BlackHole>,
}

/// Six names on two working addresses, seven services; `filtered` more MX hosts that drop
/// every SYN and `silent` more that accept and never speak.
async fn scenario(filtered: u8, silent: u8) -> Scenario {
    let mut w = World::new();
    let leaf = w.ca.leaf(&[
        "imap.bench.test",
        "smtp.bench.test",
        "mail.bench.test",
        "pop.bench.test",
        "bench.test",
    ]);
    let both = [10, 11];
    w.serve_tls(&both, Protocol::Imap, Security::Tls, &leaf)
        .await;
    w.serve_tls(&both, Protocol::Imap, Security::StartTls, &leaf)
        .await;
    w.serve_tls(&both, Protocol::Pop3, Security::Tls, &leaf)
        .await;
    w.serve_tls(&both, Protocol::Pop3, Security::StartTls, &leaf)
        .await;
    w.serve_tls(&both, Protocol::Smtp, Security::Tls, &leaf)
        .await;
    w.serve_tls(&both, Protocol::Smtp, Security::StartTls, &leaf)
        .await;
    let mut holes = Vec::new();
    for h in 0..filtered {
        for s in w.services.clone() {
            holes.push(BlackHole::start(SocketAddr::new(w.ip(100 + h), s.port)).await);
        }
    }
    for h in 0..silent {
        let ip = w.ip(150 + h);
        for s in w.services.clone() {
            let spec = Spec::new(s.protocol, TlsMode::None).behaving(Behaviour::Silent);
            w.servers
                .push(support::mail::MailServer::start(SocketAddr::new(ip, s.port), spec).await);
        }
    }
    let n = w.net.prefix();
    let mut body = format!(
        "@ IN MX 10 mail.bench.test.\n@ IN A {n}.10\nmail IN A {n}.10\nimap IN A {n}.10\nimap IN A {n}.11\nsmtp IN A {n}.11\npop IN A {n}.11\n"
    );
    for h in 0..filtered {
        body.push_str(&format!(
            "@ IN MX {} f{h}.bench.test.\nf{h} IN A {n}.{}\n",
            20 + h,
            100 + h
        ));
    }
    for h in 0..silent {
        body.push_str(&format!(
            "@ IN MX {} s{h}.bench.test.\ns{h} IN A {n}.{}\n",
            60 + h,
            150 + h
        ));
    }
    Scenario {
        world: w,
        zone: zone("bench.test", &body),
        _holes: holes,
    }
}

async fn measure(name: &str, s: &Scenario, timeout: Duration, concurrency: usize) {
    measure_with(
        name,
        s,
        timeout,
        concurrency,
        mailprobe::probe::LegacyScope::Clients,
    )
    .await
}

async fn measure_with(
    name: &str,
    s: &Scenario,
    timeout: Duration,
    concurrency: usize,
    legacy_tls: mailprobe::probe::LegacyScope,
) {
    let mut walls = Vec::new();
    let mut probes = 0;
    let mut sequential = Duration::ZERO;
    for _ in 0..ITERATIONS {
        let started = Instant::now();
        let run = s
            .world
            .run_with("user@bench.test", std::slice::from_ref(&s.zone), |o| {
                o.timeout = timeout;
                o.concurrency = concurrency;
                o.legacy_tls = legacy_tls;
            })
            .await;
        walls.push(started.elapsed());
        probes = run.judged.len();
        sequential = run
            .probes()
            .filter(|p| p.shared_with.is_none())
            .map(|p| Duration::from_millis(p.timings.total_ms))
            .sum();
    }
    walls.sort();
    println!(
        "{name:<44} {probes:>4} probes  wall min {:>6.0} ms  median {:>6.0} ms  max {:>6.0} ms  sequential sum {:>7.0} ms",
        ms(walls[0]),
        ms(walls[walls.len() / 2]),
        ms(walls[walls.len() - 1]),
        ms(sequential)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let timeout = Duration::from_secs(2);
    println!("mailprobe benchmark: {ITERATIONS} runs each, --timeout {timeout:?}, in-process servers on loopback\n");
    let all_up = scenario(0, 0).await;
    measure("all hosts answer (concurrency 64)", &all_up, timeout, 64).await;
    measure_with(
        "all hosts answer, --legacy-tls off",
        &all_up,
        timeout,
        64,
        mailprobe::probe::LegacyScope::Off,
    )
    .await;
    let filtered = scenario(5, 0).await;
    measure("5 filtered hosts (concurrency 64)", &filtered, timeout, 64).await;
    measure("5 filtered hosts (concurrency 8)", &filtered, timeout, 8).await;
    let mixed = scenario(3, 3).await;
    measure(
        "3 filtered + 3 silent hosts (concurrency 64)",
        &mixed,
        timeout,
        64,
    )
    .await;
}
