//! Hostile servers and DNS: every probe ends on time, memory stays bounded, nothing dangerous
//! reaches the terminal, and each behaviour gets its own reason.

mod support;

use std::time::{Duration, Instant};

use mailprobe::discover::MAX_MX_RECORDS;
use mailprobe::judge::findings::Code;
use mailprobe::probe::{FailureKind, Heard, Phase, ProbeResult, TlsFailure};
use mailprobe::service::{Protocol, Security, Service};
use mailprobe::Run;
use support::dns::{zone, TestDns};
use support::mail::{Behaviour, Spec, TlsMode};
use support::scenario::{finding, message, ok_zone, probe, World};

const TIMEOUT: Duration = Duration::from_secs(1);
/// What a probe may take beyond its timeout: scheduling and the polite goodbye.
const SLACK: Duration = Duration::from_millis(900);

/// Serves one hostile server on .10 and runs mailprobe with a 1 s timeout.
async fn against(
    protocol: Protocol,
    security: Security,
    tls: TlsMode,
    behaviour: Behaviour,
) -> (Run, Service, Duration) {
    let mut w = World::new();
    let service = w
        .serve(
            &[10],
            security,
            Spec::new(protocol, tls).behaving(behaviour),
        )
        .await;
    let started = Instant::now();
    let run = w
        .run_with("ok.test", &[ok_zone(&w.net)], |o| o.timeout = TIMEOUT)
        .await;
    (run, service, started.elapsed())
}

fn first(run: &Run, service: Service) -> &ProbeResult {
    probe(run, "imap.ok.test", service)
}

fn assert_on_time(run: &Run, elapsed: Duration) {
    assert!(elapsed < TIMEOUT + SLACK, "the run took {elapsed:?}");
    for p in run.probes() {
        assert!(
            Duration::from_millis(p.timings.total_ms) < TIMEOUT + SLACK,
            "{}:{} took {} ms",
            p.host,
            p.port,
            p.timings.total_ms
        );
    }
}

fn assert_terminal_safe(run: &Run) {
    let report = support::human_report(run);
    let raw = support::raw_control_chars(&report);
    assert!(
        raw.is_empty(),
        "raw control characters {raw:?} in:\n{report}"
    );
    let json = serde_json::to_string(&mailprobe::report::Report::new(run)).unwrap();
    assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
}

fn leaf(w: &World) -> support::pki::Leaf {
    w.ca.leaf(&["imap.ok.test"])
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tarpit_that_never_greets_times_out_in_the_greeting() {
    let (run, s, elapsed) = against(
        Protocol::Smtp,
        Security::StartTls,
        TlsMode::None,
        Behaviour::Silent,
    )
    .await;
    let f = first(&run, s).failure.clone().unwrap();
    assert_eq!((f.phase, f.kind), (Phase::Greeting, FailureKind::TimedOut));
    assert!(finding(&run, Code::NoGreeting).is_some());
    assert_on_time(&run, elapsed);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_drip_feed_cannot_stretch_the_probe() {
    let greeting = b"* OK dripping very slowly, one byte at a time\r\n".to_vec();
    let (run, s, elapsed) = against(
        Protocol::Imap,
        Security::StartTls,
        TlsMode::None,
        Behaviour::Drip(greeting, Duration::from_millis(200)),
    )
    .await;
    let f = first(&run, s).failure.clone().unwrap();
    assert_eq!((f.phase, f.kind), (Phase::Greeting, FailureKind::TimedOut));
    assert_on_time(&run, elapsed);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endless_line_is_cut_without_buffering_it() {
    let (run, s, elapsed) = against(
        Protocol::Pop3,
        Security::StartTls,
        TlsMode::None,
        Behaviour::EndlessLine,
    )
    .await;
    let p = first(&run, s);
    let f = p.failure.clone().unwrap();
    assert_eq!(
        (f.phase, f.kind),
        (Phase::Greeting, FailureKind::LineTooLong)
    );
    assert!(p.banner.is_none());
    assert!(finding(&run, Code::ServerSentTooMuch).is_some());
    assert_on_time(&run, elapsed);
}

#[tokio::test(flavor = "multi_thread")]
async fn endless_capability_lists_hit_a_limit_for_every_protocol() {
    for protocol in [Protocol::Imap, Protocol::Pop3, Protocol::Smtp] {
        let (run, s, elapsed) = against(
            protocol,
            Security::StartTls,
            TlsMode::None,
            Behaviour::EndlessCapabilities,
        )
        .await;
        let p = first(&run, s);
        let f = p
            .failure
            .clone()
            .unwrap_or_else(|| panic!("{protocol:?}: {p:#?}"));
        assert_eq!(f.phase, Phase::Capabilities, "{protocol:?}");
        assert!(
            matches!(f.kind, FailureKind::TooMuchData | FailureKind::TooManyLines),
            "{protocol:?}: {:?}",
            f.kind
        );
        assert!(p.capabilities.before_tls.len() <= mailprobe::probe::MAX_CAPABILITIES);
        assert_on_time(&run, elapsed);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_tls_handshake_times_out() {
    let (run, s, elapsed) = against(
        Protocol::Imap,
        Security::Tls,
        TlsMode::None,
        Behaviour::StallHandshake,
    )
    .await;
    let f = first(&run, s).failure.clone().unwrap();
    assert_eq!(
        (f.phase, f.kind),
        (Phase::TlsHandshake, FailureKind::TimedOut)
    );
    assert!(finding(&run, Code::TlsHandshakeFailed).is_some());
    assert_on_time(&run, elapsed);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_close_in_the_middle_of_the_handshake_is_its_own_reason() {
    let (run, s, elapsed) = against(
        Protocol::Imap,
        Security::Tls,
        TlsMode::None,
        Behaviour::CloseMidHandshake,
    )
    .await;
    let f = first(&run, s).failure.clone().unwrap();
    assert_eq!(f.phase, Phase::TlsHandshake);
    match f.kind {
        FailureKind::TlsHandshake(t) => assert_eq!(t, TlsFailure::ClosedDuringHandshake),
        other => panic!("{other:?}"),
    }
    assert_on_time(&run, elapsed);
}

/// OpenSMTPD on Debian 12 with a key it cannot use: its ServerHello (and certificate), then
/// `internal_error`. The server failed; the client is not outdated.
#[tokio::test(flavor = "multi_thread")]
async fn an_alert_after_the_server_hello_is_the_server_failing() {
    let (run, s, elapsed) = against(
        Protocol::Imap,
        Security::Tls,
        TlsMode::None,
        Behaviour::FailAfterServerHello,
    )
    .await;
    let f = first(&run, s).failure.clone().unwrap();
    assert_eq!(f.phase, Phase::TlsHandshake);
    assert_eq!(
        f.kind,
        FailureKind::TlsHandshake(TlsFailure::ServerFailed {
            alert: 80, // internal_error
            version: 0x0303,
            certificate: false,
        })
    );
    let found = finding(&run, Code::TlsHandshakeFailed).expect("tls_handshake_failed");
    let said = message(found);
    assert!(said.contains("the server chose TLS 1.2, then ended its own handshake with alert internal_error: a fault on the server's side"), "{said}");
    let hint = mailprobe::words::hint(found).unwrap();
    assert!(hint.contains("its TLS key and certificate"), "{hint}");
    assert!(!hint.contains("outdated"), "{hint}");
    assert_on_time(&run, elapsed);
}

/// A certificate with an RSA-1024 key: rustls will not verify the handshake's signature with
/// it. The failure names the key, never a "bad signature" beside a "trusted" chain.
#[tokio::test(flavor = "multi_thread")]
async fn a_signature_rejected_for_a_small_key_names_the_key() {
    let weak = include_bytes!("fixtures/rsa1024-sha1.der").to_vec();
    let (run, s, elapsed) = against(
        Protocol::Imap,
        Security::Tls,
        TlsMode::None,
        Behaviour::SignWith(weak),
    )
    .await;
    let p = first(&run, s);
    let f = p.failure.clone().unwrap();
    assert_eq!(
        f.kind,
        FailureKind::TlsHandshake(TlsFailure::SignatureRejected {
            key: mailprobe::probe::tls::KeyKind::Rsa,
            bits: 1024,
        }),
        "{f:?}"
    );
    let why = mailprobe::words::failure(s, &f);
    assert!(
        why.contains("did not verify with the RSA 1024-bit key"),
        "{why}"
    );
    // The judgement names the key, which clients refuse, not a failed handshake.
    assert!(finding(&run, Code::TlsHandshakeFailed).is_none());
    let found = finding(&run, Code::CertificateWeakKey).expect("certificate_weak_key");
    assert!(message(found).contains("1024"), "{}", message(found));
    let hint = mailprobe::words::hint(found).unwrap();
    assert!(hint.contains("2048"), "{hint}");
    assert_on_time(&run, elapsed);
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_after_starttls_fails_the_upgrade_not_the_tool() {
    let w = World::new();
    let (run, s, elapsed) = against(
        Protocol::Smtp,
        Security::StartTls,
        TlsMode::StartTls(leaf(&w)),
        Behaviour::GarbageAfterStartTls,
    )
    .await;
    let f = first(&run, s).failure.clone().unwrap();
    // The garbage arrives right behind the go-ahead: either it is caught as injected plaintext,
    // or, if it arrived later, the handshake fails on it.
    assert!(
        matches!(
            (f.phase, &f.kind),
            (Phase::StartTls, FailureKind::StartTlsInjection { .. }) | (Phase::TlsHandshake, _)
        ),
        "{f:?}"
    );
    assert_on_time(&run, elapsed);
}

#[tokio::test(flavor = "multi_thread")]
async fn http_and_plaintext_on_mail_ports_are_named() {
    let (run, s, _) = against(
        Protocol::Imap,
        Security::StartTls,
        TlsMode::None,
        Behaviour::Raw(b"HTTP/1.0 200 OK\r\nServer: nginx\r\n\r\n<html>".to_vec()),
    )
    .await;
    assert_eq!(first(&run, s).heard, Some(Heard::Http));
    let (run, s, _) = against(
        Protocol::Smtp,
        Security::Tls,
        TlsMode::None,
        Behaviour::Raw(b"220 plaintext.example ESMTP\r\n".to_vec()),
    )
    .await;
    let f = first(&run, s).failure.clone().unwrap();
    assert!(
        matches!(
            f.kind,
            FailureKind::ProtocolMismatch {
                heard: Heard::Smtp,
                ..
            }
        ),
        "{f:?}"
    );
    assert!(finding(&run, Code::PlaintextOnTlsPort).is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn escape_sequences_in_banners_never_reach_the_terminal() {
    let hostile = b"* OK \x1b[2J\x1b]0;pwned\x07 \x1b[31mred\x08\x08\r\n\xff\xfe\x9b31m \xe2\x80\xae evil\r\n".to_vec();
    let (run, s, _) = against(
        Protocol::Imap,
        Security::StartTls,
        TlsMode::None,
        Behaviour::Greeting(String::from_utf8_lossy(&hostile).into_owned()),
    )
    .await;
    let p = first(&run, s);
    let banner = p.banner.as_deref().unwrap();
    assert!(banner.contains("\\e[2J"), "{banner}");
    assert!(!banner.contains('\u{1b}'));
    assert_terminal_safe(&run);

    // A server that sends raw bytes (invalid UTF-8, C1 controls) instead of a greeting.
    let (run, _, _) = against(
        Protocol::Smtp,
        Security::StartTls,
        TlsMode::None,
        Behaviour::Raw(b"\x1b]52;c;ZXZpbA==\x07\xff\xc0\x9b\x1b[6n garbage\r\n".to_vec()),
    )
    .await;
    assert_terminal_safe(&run);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejecting_greeting_is_reported_with_its_text() {
    let (run, s, _) = against(
        Protocol::Smtp,
        Security::StartTls,
        TlsMode::None,
        Behaviour::Greeting("554 5.7.1 your address is on a blocklist".into()),
    )
    .await;
    let p = first(&run, s);
    assert_eq!(p.heard, Some(Heard::Smtp));
    match &p.failure.as_ref().unwrap().kind {
        FailureKind::Rejected(reply) => {
            assert!(reply.line.contains("blocklist"));
            assert_eq!(reply.code, Some(554));
        }
        other => panic!("{other:?}"),
    }
    assert!(finding(&run, Code::GreetingRejected).is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_whole_run_ends_within_about_one_timeout_with_every_hostile_server_at_once() {
    let mut w = World::new();
    let behaviours = [
        Behaviour::Silent,
        Behaviour::EndlessLine,
        Behaviour::EndlessCapabilities,
        Behaviour::Drip(b"+OK slow".to_vec(), Duration::from_millis(300)),
        Behaviour::StallHandshake,
    ];
    for (i, b) in behaviours.into_iter().enumerate() {
        let security = if matches!(b, Behaviour::StallHandshake) {
            Security::Tls
        } else {
            Security::StartTls
        };
        w.serve(
            &[10 + i as u8],
            security,
            Spec::new(Protocol::Pop3, TlsMode::None).behaving(b),
        )
        .await;
    }
    let n = w.net.prefix();
    let z = zone(
        "ok.test",
        &format!("@ IN MX 10 a.ok.test.\n@ IN MX 20 b.ok.test.\n@ IN MX 30 c.ok.test.\n@ IN MX 40 d.ok.test.\n@ IN MX 50 e.ok.test.\na IN A {n}.10\nb IN A {n}.11\nc IN A {n}.12\nd IN A {n}.13\ne IN A {n}.14\n"),
    );
    let started = Instant::now();
    let run = w.run_with("ok.test", &[z], |o| o.timeout = TIMEOUT).await;
    let elapsed = started.elapsed();
    assert!(run.judged.len() >= 25);
    assert!(elapsed < TIMEOUT + SLACK, "took {elapsed:?}");
    assert_terminal_safe(&run);
}

async fn dns_run(zones: &[String], target: &str) -> Run {
    let dns = TestDns::start(zones).await;
    let mut o = support::options(target, dns.addr, &[], Duration::from_secs(2));
    o.probe = false;
    support::run(&o).await
}

#[tokio::test(flavor = "multi_thread")]
async fn cname_loops_and_long_chains_end_with_an_answer() {
    let z = zone(
        "loop.test",
        "@ IN MX 10 a.loop.test.\n@ IN MX 20 c1.loop.test.\na IN CNAME b.loop.test.\nb IN CNAME a.loop.test.\n\
         c1 IN CNAME c2.loop.test.\nc2 IN CNAME c3.loop.test.\nc3 IN CNAME c4.loop.test.\nc4 IN CNAME c5.loop.test.\nc5 IN A 127.0.0.9\n",
    );
    let started = Instant::now();
    let run = dns_run(&[z], "loop.test").await;
    assert!(started.elapsed() < Duration::from_secs(5));
    let looped = &run.discovery.mx[0];
    assert!(looped.address_list().is_empty());
    assert!(finding(&run, Code::MxUnresolvable).is_some());
    let chained = &run.discovery.mx[1];
    assert_eq!(chained.address_list()[0].to_string(), "127.0.0.9");
    assert!(chained.addresses.as_ref().unwrap().cname_chain.len() >= 2);
    assert!(finding(&run, Code::MxIsCname).is_some());
    assert_terminal_safe(&run);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_huge_mx_set_is_capped_with_a_finding() {
    let mut body = String::new();
    for i in 0..60 {
        body.push_str(&format!(
            "@ IN MX {i} mx{i}.big.test.\nmx{i} IN A 127.0.0.{}\n",
            i + 1
        ));
    }
    let run = dns_run(&[zone("big.test", &body)], "big.test").await;
    assert_eq!(run.discovery.mx.len(), MAX_MX_RECORDS);
    assert_eq!(run.discovery.mx_total, 60);
    assert_eq!(run.discovery.mx[0].preference, 0);
    assert!(finding(&run, Code::MxTruncated).is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_names_in_dns_answers_are_escaped() {
    use hickory_proto::rr::rdata::{A, MX};
    use hickory_proto::rr::{Name, RData, Record, RecordType};
    // A label may hold any octet on the wire: an escape sequence, a BEL, a bidi override.
    let evil = Name::from_labels(vec![
        b"a\x1b[31m\x07".to_vec(),
        "b\u{202e}".as_bytes().to_vec(),
        b"evil".to_vec(),
        b"test".to_vec(),
    ])
    .unwrap();
    let apex = Name::from_ascii("evil.test.").unwrap();
    let dns = support::dns::FaultyDns::start(None, move |name, rtype| {
        let records = match rtype {
            RecordType::MX if name == &apex => vec![Record::from_rdata(
                apex.clone(),
                60,
                RData::MX(MX::new(10, evil.clone())),
            )],
            RecordType::A if name == &evil => vec![Record::from_rdata(
                evil.clone(),
                60,
                RData::A(A::new(127, 0, 0, 9)),
            )],
            _ => vec![],
        };
        support::dns::Fault::Answer(records)
    })
    .await;
    let mut o = support::options("evil.test", dns.addr, &[], Duration::from_secs(1));
    o.probe = false;
    let run = support::run(&o).await;
    assert_eq!(run.discovery.mx.len(), 1);
    let shown = &run.discovery.mx[0].exchange;
    assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
    assert_terminal_safe(&run);
}
