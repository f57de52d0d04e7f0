//! Monitoring outputs on in-process servers: the `--nagios` status line, its states and
//! certificate limits, the Prometheus exposition of a fleet, and a fleet that must end in time.
//! (tests/world.rs checks both outputs with their reference tools on every real scenario.)

mod support;

use std::time::{Duration, Instant};

use mailprobe::fleet::FleetRequest;
use mailprobe::judge::{Alert, ExpiryLimits};
use mailprobe::report::monitoring::Monitoring;
use mailprobe::service::{Protocol, Security};
use support::dns::{zone, TestDns};
use support::mail::{Behaviour, Spec};
use support::scenario::{ok_zone, World};

fn nagios(m: &Monitoring<'_>) -> String {
    let mut out = Vec::new();
    mailprobe::render::nagios::render(m, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

const LIMITS: ExpiryLimits = mailprobe::judge::policy::DEFAULT_EXPIRY_LIMITS;

#[tokio::test(flavor = "multi_thread")]
async fn a_working_domain_is_ok_with_performance_data() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test", "smtp.ok.test"]);
    w.serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    w.serve_tls(&[10], Protocol::Smtp, Security::Tls, &leaf)
        .await;
    let run = w.run("a@ok.test", &[ok_zone(&w.net)]).await;
    let m = Monitoring::new(&run, LIMITS);
    assert_eq!(m.alert, Alert::Ok);
    let text = nagios(&m);
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("MAILPROBE OK - ok.test: works"),
        "{first}"
    );
    let perf = first.split_once(" | ").expect("performance data").1;
    assert!(perf.contains("'incoming_working'=1;;;0"), "{perf}");
    assert!(perf.contains("'outgoing_working'=1;;;0"), "{perf}");
    // The chosen settings' times and certificate days, with the limits as ranges.
    assert!(perf.contains("'imap imap.ok.test:"), "{perf}");
    assert!(perf.contains("certificate_days'="), "{perf}");
    assert!(perf.contains(";22:;8:"), "{perf}");
    assert_eq!(mailprobe::judge::policy::alert_exit(m.alert), 0);
}

/// A certificate inside --critical-days makes an otherwise working domain CRITICAL, and the
/// status line says which certificate.
#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_inside_the_limits_raises_the_state() {
    let mut w = World::new();
    let leaf =
        w.ca.leaf_with_validity(&["imap.ok.test", "smtp.ok.test"], -300, 25);
    w.serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    w.serve_tls(&[10], Protocol::Smtp, Security::Tls, &leaf)
        .await;
    let run = w.run("a@ok.test", &[ok_zone(&w.net)]).await;
    assert_eq!(Monitoring::new(&run, LIMITS).alert, Alert::Ok);
    let warn = Monitoring::new(
        &run,
        ExpiryLimits {
            warning_days: 30,
            critical_days: 7,
        },
    );
    assert_eq!(warn.alert, Alert::Warning);
    let crit = Monitoring::new(
        &run,
        ExpiryLimits {
            warning_days: 60,
            critical_days: 30,
        },
    );
    assert_eq!(crit.alert, Alert::Critical);
    let first = nagios(&crit).lines().next().unwrap().to_string();
    assert!(
        first.starts_with("MAILPROBE CRITICAL - ok.test: the certificate of ")
            && (first.contains("expires in 24 days") || first.contains("expires in 25 days")),
        "{first}"
    );
}

/// Nothing answers: CRITICAL, with the finding that says why, and the long output lists every
/// finding by code.
#[tokio::test(flavor = "multi_thread")]
async fn nothing_working_is_critical_with_the_reason() {
    let mut w = World::new();
    w.dead_service(Protocol::Imap, Security::Tls);
    w.dead_service(Protocol::Smtp, Security::Tls);
    let run = w.run("a@ok.test", &[ok_zone(&w.net)]).await;
    let m = Monitoring::new(&run, LIMITS);
    assert_eq!(m.alert, Alert::Critical);
    let text = nagios(&m);
    assert!(
        text.starts_with("MAILPROBE CRITICAL - ok.test: nothing works: "),
        "{text}"
    );
    for f in &run.diagnosis.findings {
        assert!(
            text.contains(mailprobe::report::names::code(f.code)),
            "{text}"
        );
    }
    assert!(!text
        .lines()
        .next()
        .unwrap()
        .split(" | ")
        .next()
        .unwrap()
        .contains('|'));
}

fn fleet_request(
    w: &World,
    dns: std::net::SocketAddr,
    ca: &std::path::Path,
    domains: &[&str],
) -> FleetRequest {
    let domains: Vec<String> = domains.iter().map(|d| d.to_string()).collect();
    w.fleet_request(dns, ca, &domains, Duration::from_secs(5), 4)
}

/// One metrics file for the fleet: each family once with its HELP and TYPE, every domain in it.
#[tokio::test(flavor = "multi_thread")]
async fn a_fleet_writes_one_prometheus_file() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["mx.hoster.test"]);
    w.serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let p = w.net.prefix();
    let dns = TestDns::start(&[
        zone("hoster.test", &format!("mx IN A {p}.10\n")),
        zone("a.test", "@ IN MX 10 mx.hoster.test.\n"),
        zone("b.test", "@ IN MX 10 mx.hoster.test.\n"),
    ])
    .await;
    let ca = w.ca.pem_file();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fleet.prom");
    let mut req = fleet_request(&w, dns.addr, ca.path(), &["a.test", "b.test"]);
    req.prometheus = Some(file.clone());
    support::run_fleet(&req).await;
    let text = std::fs::read_to_string(&file).unwrap();
    for family in [
        "mailprobe_status",
        "mailprobe_setting_up",
        "mailprobe_certificate_expiry_timestamp_seconds",
        "mailprobe_findings",
        "mailprobe_probe_duration_seconds",
        "mailprobe_last_run_timestamp_seconds",
        "mailprobe_success",
    ] {
        assert_eq!(
            text.matches(&format!("# TYPE {family} gauge\n")).count(),
            1,
            "{family}:\n{text}"
        );
    }
    for d in ["a.test", "b.test"] {
        assert!(
            text.contains(&format!("mailprobe_setting_up{{domain=\"{d}\",direction=\"incoming\",protocol=\"imap\",host=\"mx.hoster.test\"")),
            "{text}"
        );
    }
    // No free text in labels: every label value is a name, a number or a code.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let labels = line.split('{').nth(1).unwrap().split('}').next().unwrap();
        assert!(!labels.contains(' '), "{line}");
    }
}

/// --fleet-max-time: a fleet with a server that never greets ends in time, names what was not
/// finished, keeps what was, and never exits 0.
#[tokio::test(flavor = "multi_thread")]
async fn a_fleet_ends_by_its_deadline() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["mx.fast.test"]);
    w.serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let p = w.net.prefix();
    w.serve(
        &[11],
        Security::StartTls,
        Spec::new(Protocol::Imap, support::mail::TlsMode::None).behaving(Behaviour::Silent),
    )
    .await;
    let dns = TestDns::start(&[
        zone("fast.test", &format!("@ IN MX 10 mx\nmx IN A {p}.10\n")),
        zone("slow.test", &format!("@ IN MX 10 mx\nmx IN A {p}.11\n")),
    ])
    .await;
    let ca = w.ca.pem_file();
    let mut req = fleet_request(&w, dns.addr, ca.path(), &["fast.test", "slow.test"]);
    req.deadline = Some(Duration::from_millis(1500));
    let started = Instant::now();
    let (code, out, err) = support::run_fleet(&req).await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(code >= mailprobe::exits::PROBLEMS, "{code}");
    assert!(
        err.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("--fleet-max-time reached: 1 of 2 domains done; not finished: slow.test"),
        "{err}"
    );
    assert!(out.contains("\"fast.test\""), "{out}");
}
