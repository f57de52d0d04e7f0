//! Limits that hold whatever the other side does: fan-out caps, connection caps that every
//! connection respects, the run's deadline, redaction, and the wrong diagnoses a hostile or odd
//! server used to cause. Real sockets on loopback and in-process DNS, as in tests/hostile.rs;
//! each test asserts the reason, and the deadline or connection count where those are the point.

mod support;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use hickory_proto::rr::{rdata, Name, RData, Record, RecordType};
use mailprobe::judge::findings::Code;
use mailprobe::judge::Verdict;
use mailprobe::net::address::AddressClass;
use mailprobe::probe::login::{Credentials, LoginOutcome, Secret};
use mailprobe::probe::{FailureKind, Skip, TlsFailure};
use mailprobe::service::{Protocol, Security};
use mailprobe::words;
use support::dns::{zone, Fault, FaultyDns, TestDns};
use support::mail::{Behaviour, Spec, TlsMode};
use support::pki::self_signed_leaf;
use support::scenario::{finding, message, messages, ok_zone, probe, verdict, World, TIMEOUT};

const SLACK: Duration = Duration::from_millis(1200);

#[tokio::test(flavor = "multi_thread")]
async fn fan_out_is_capped_and_said() {
    let w = World::new();
    let n = w.net.prefix();
    // Sixteen MX names with twenty addresses each: thousands of probes without caps.
    let mut body = String::new();
    for i in 0..16 {
        body.push_str(&format!("@ IN MX {i} mx{i}.ok.test.\n"));
        for a in 0..20 {
            body.push_str(&format!("mx{i} IN A {n}.{}\n", 100 + a));
        }
    }
    let started = Instant::now();
    let run = w
        .run_with("ok.test", &[zone("ok.test", &body)], |o| {
            o.services = mailprobe::service::STANDARD_SERVICES.to_vec();
        })
        .await;
    assert!(
        run.judged.len() <= mailprobe::plan::MAX_PROBES,
        "{}",
        run.judged.len()
    );
    let per_name = run.probes().filter(|p| p.host == "mx0.ok.test").count();
    assert!(per_name <= 4 * 7, "{per_name}");
    assert!(finding(&run, Code::AddressesTruncated).is_some());
    assert!(finding(&run, Code::ProbeBudgetExhausted).is_some());
    // Refused everywhere: quick, and the report stays small.
    assert!(
        started.elapsed() < TIMEOUT + SLACK,
        "{:?}",
        started.elapsed()
    );
    let report = support::human_report(&run);
    assert!(report.len() < 200_000, "{}", report.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_with_thousands_of_names_is_checked_whole_and_kept_small() {
    let mut w = World::new();
    // 2,000 names: near what a TLS handshake can carry at all (64 KiB).
    let names: Vec<String> = (0..2000)
        .map(|i| format!("host{i}.filler.test"))
        .chain(["imap.ok.test".to_string()])
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let leaf = w.ca.leaf(&refs);
    let s = w
        .serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    let p = probe(&run, "imap.ok.test", s);
    let tls = p.tls.as_ref().unwrap();
    // The name is the 2001st: found, although only 50 names are kept.
    assert_eq!(tls.name_matches, Some(true));
    let cert = tls.certificate.as_ref().unwrap();
    assert_eq!(cert.names.len(), mailprobe::probe::tls::MAX_CERT_NAMES);
    assert_eq!(cert.names_total, 2001);
    assert_eq!(verdict(&run, "imap.ok.test", s), Verdict::Works);
    assert!(finding(&run, Code::CertificateNamesTruncated).is_some());
    let report = support::human_report(&run);
    let longest = report.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 4000, "{longest}");
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrency_one_means_one_connection_second_looks_included() {
    let mut w = World::new();
    // A plaintext port that never greets: a second look (a TLS handshake) would follow.
    w.serve(
        &[10],
        Security::StartTls,
        Spec::new(Protocol::Imap, TlsMode::None).behaving(Behaviour::Silent),
    )
    .await;
    let run = w
        .run_with("ok.test", &[ok_zone(&w.net)], |o| o.concurrency = 1)
        .await;
    assert!(!run.judged.is_empty());
    let peak = w.servers[0].peak_connections.load(Ordering::SeqCst);
    assert_eq!(peak, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ipv4_mapped_aaaa_is_the_same_host_not_another() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test"]);
    let s = w
        .serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let n = w.net.prefix();
    let body = format!("@ IN MX 10 imap.ok.test.\nimap IN A {n}.10\nimap IN AAAA ::ffff:{n}.10\n");
    let run = w.run("ok.test", &[zone("ok.test", &body)]).await;
    let imap: Vec<_> = run
        .probes()
        .filter(|p| p.host == "imap.ok.test" && p.service == s)
        .collect();
    assert_eq!(imap.len(), 1, "{imap:#?}");
    assert!(imap[0].address.is_ipv4());
    assert_eq!(verdict(&run, "imap.ok.test", s), Verdict::Works);
}

#[tokio::test(flavor = "multi_thread")]
async fn many_names_on_one_slow_address_finish_in_about_one_timeout() {
    let mut w = World::new();
    let names: Vec<String> = (0..21).map(|i| format!("h{i}.ok.test")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let leaf = w.ca.leaf(&refs);
    // Implicit TLS completes at once, then the greeting never comes in time.
    let slow = Spec::new(Protocol::Imap, TlsMode::Implicit(leaf))
        .behaving(Behaviour::SlowGreeting(Duration::from_secs(30)));
    let s = w.serve(&[10], Security::Tls, slow).await;
    let n = w.net.prefix();
    let mut body = String::from("@ IN MX 10 h0.ok.test.\n");
    for name in &names {
        body.push_str(&format!(
            "{} IN A {n}.10\n",
            name.trim_end_matches(".ok.test")
        ));
    }
    let started = Instant::now();
    let run = w
        .run_with("ok.test", &[zone("ok.test", &body)], |o| {
            o.extra_hosts = names.clone();
        })
        .await;
    assert!(
        started.elapsed() < TIMEOUT + SLACK,
        "{:?}",
        started.elapsed()
    );
    let mut own = 0;
    for name in &names {
        let p = probe(&run, name, s);
        let tls = p.tls.as_ref().unwrap();
        assert_eq!(&tls.sni, name);
        // Its own certificate check where a connection was free in time; else said as shared.
        match tls.name_matches {
            Some(true) => own += 1,
            _ => assert!(p.shared_with.is_some(), "{name}: {p:#?}"),
        }
        assert_eq!(verdict(&run, name, s), Verdict::Fails, "{name}");
    }
    assert!(own >= 7, "{own}");
    // Handshake-only connections stay open until the group is done: the server never sees
    // more than the cap, however slow it is to notice a close.
    let peak = w.servers[0].peak_connections.load(Ordering::SeqCst);
    assert!(peak <= 8, "peak {peak}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stall_for_one_name_is_not_copied_to_another() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test", "mail.ok.test"]);
    let spec = Spec::new(Protocol::Imap, TlsMode::Implicit(leaf))
        .behaving(Behaviour::StallHandshakeFor("imap.ok.test".into()));
    let s = w.serve(&[10], Security::Tls, spec).await;
    let started = Instant::now();
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    assert!(
        started.elapsed() < TIMEOUT + SLACK,
        "{:?}",
        started.elapsed()
    );
    assert_eq!(verdict(&run, "imap.ok.test", s), Verdict::Fails);
    assert_eq!(verdict(&run, "mail.ok.test", s), Verdict::Works);
    assert!(run
        .diagnosis
        .recommended
        .incoming
        .iter()
        .any(|r| r.host == "mail.ok.test"));
    assert_ne!(run.exit_code, mailprobe::exits::NOTHING_WORKS);
}

#[tokio::test(flavor = "multi_thread")]
async fn findings_grouped_over_ports_keep_each_ports_own_words() {
    let mut w = World::new();
    for (protocol, banner) in [
        (Protocol::Imap, "HTTP/1.1 400 Bad Request"),
        (Protocol::Pop3, "220 ProFTPD Server ready"),
        (Protocol::Smtp, "SSH-2.0-OpenSSH_9.2"),
    ] {
        let spec = Spec::new(protocol, TlsMode::None)
            .behaving(Behaviour::Raw(format!("{banner}\r\n").into_bytes()));
        w.serve(&[10], Security::StartTls, spec).await;
    }
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    let texts = messages(&run, Code::WrongProtocol);
    assert_eq!(texts.len(), 3, "{texts:#?}");
    for (protocol, heard) in [("IMAP", "HTTP"), ("POP3", "FTP"), ("SMTP", "SSH")] {
        assert!(
            texts
                .iter()
                .any(|t| t.contains(&format!("expected {protocol}, but the port speaks {heard}"))),
            "{protocol}/{heard}: {texts:#?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn answer_records_for_names_never_asked_are_ignored() {
    let evil =
        |owner: &str, data: RData| Record::from_rdata(Name::from_ascii(owner).unwrap(), 300, data);
    let dns = FaultyDns::start(None, move |name, rtype| {
        let asked = name.to_ascii().to_lowercase();
        match (asked.as_str(), rtype) {
            ("ok.test.", RecordType::MX) => Fault::Answer(vec![
                evil(
                    "other.example.",
                    RData::MX(rdata::MX::new(
                        5,
                        Name::from_ascii("evil.example.").unwrap(),
                    )),
                ),
                evil(
                    "ok.test.",
                    RData::MX(rdata::MX::new(10, Name::from_ascii("mx.ok.test.").unwrap())),
                ),
            ]),
            ("mx.ok.test.", RecordType::A) => Fault::Answer(vec![
                evil("evil.example.", RData::A(rdata::A::new(127, 0, 0, 66))),
                evil("mx.ok.test.", RData::A(rdata::A::new(127, 0, 0, 25))),
            ]),
            _ => Fault::Answer(vec![]),
        }
    })
    .await;
    let mut o = support::options("ok.test", dns.addr, &[], TIMEOUT);
    o.probe = false;
    let run = support::run(&o).await;
    let mx: Vec<&str> = run
        .discovery
        .mx
        .iter()
        .map(|m| m.exchange.as_str())
        .collect();
    assert_eq!(mx, vec!["mx.ok.test"]);
    let addrs = run.discovery.mx[0].address_list();
    assert_eq!(
        addrs,
        vec!["127.0.0.25".parse::<std::net::IpAddr>().unwrap()]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn special_purpose_addresses_are_never_probed_as_the_server() {
    let w = World::new();
    // A public-looking domain whose MX points at "this host", a mapped loopback and link-local.
    let body = "@ IN MX 10 mx.mailprobe-hostile.com.\nmx IN A 0.0.0.0\nmx IN AAAA ::ffff:127.0.0.1\nmx IN AAAA fe80::1\n";
    let dns = TestDns::start(&[zone("mailprobe-hostile.com", body)]).await;
    let services = mailprobe::service::STANDARD_SERVICES.to_vec();
    let o = support::options("mailprobe-hostile.com", dns.addr, &services, TIMEOUT);
    let started = Instant::now();
    let run = support::run(&o).await;
    assert!(started.elapsed() < TIMEOUT, "{:?}", started.elapsed());
    let mx_probes: Vec<_> = run
        .probes()
        .filter(|p| p.host == "mx.mailprobe-hostile.com")
        .collect();
    assert!(!mx_probes.is_empty());
    for p in &mx_probes {
        let f = p.failure.as_ref().unwrap();
        let FailureKind::Skipped(Skip::Address(class)) = f.kind else {
            panic!("{p:#?}");
        };
        assert!(matches!(
            class,
            AddressClass::Unspecified | AddressClass::Loopback | AddressClass::LinkLocal
        ));
        assert!(words::failure(p.service, f).contains("cannot be this domain's mail server"));
    }
    let f = finding(&run, Code::MxPrivateAddress).expect("flagged");
    let text = message(f);
    assert!(
        text.contains("0.0.0.0") && text.contains("127.0.0.1") && text.contains("fe80::1"),
        "{text}"
    );
    let _ = w;
}

#[tokio::test(flavor = "multi_thread")]
async fn plaintext_injected_late_after_starttls_is_called_injection() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test", "smtp.ok.test", "mail.ok.test"]);
    let spec = Spec::new(Protocol::Smtp, TlsMode::StartTls(leaf))
        .behaving(Behaviour::InjectLateAfterStartTls);
    let s = w.serve(&[10], Security::StartTls, spec).await;
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    let p = probe(&run, "smtp.ok.test", s);
    let f = p.failure.as_ref().unwrap();
    assert!(
        matches!(f.kind, FailureKind::StartTlsInjection { .. }),
        "{f:?}"
    );
    let text = words::failure(s, f);
    assert!(!text.contains("implicit-TLS"), "{text}");
    assert!(finding(&run, Code::StarttlsInjection).is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn long_but_legal_replies_are_read_whole() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test", "smtp.ok.test", "mail.ok.test"]);
    // A 301-line greeting, then a normal session.
    let mut greeting: String = (0..300).map(|i| format!("220-line {i}\r\n")).collect();
    greeting.push_str("220 ready");
    let long_greeting = w
        .serve(
            &[10],
            Security::StartTls,
            Spec::new(Protocol::Smtp, TlsMode::StartTls(leaf.clone()))
                .behaving(Behaviour::Greeting(greeting)),
        )
        .await;
    // A 100-line (about 1.4 KB) EHLO reply.
    let long_ehlo = w
        .serve(
            &[10],
            Security::StartTls,
            Spec::new(Protocol::Smtp, TlsMode::StartTls(leaf.clone()))
                .behaving(Behaviour::LongEhlo(100)),
        )
        .await;
    // Too many lines: said as lines, not as 64 KiB.
    let endless_ehlo = w
        .serve(
            &[10],
            Security::StartTls,
            Spec::new(Protocol::Smtp, TlsMode::StartTls(leaf)).behaving(Behaviour::LongEhlo(1500)),
        )
        .await;
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    assert_eq!(verdict(&run, "smtp.ok.test", long_greeting), Verdict::Works);
    assert_eq!(verdict(&run, "smtp.ok.test", long_ehlo), Verdict::Works);
    let p = probe(&run, "smtp.ok.test", endless_ehlo);
    let f = p.failure.as_ref().unwrap();
    assert_eq!(f.kind, FailureKind::TooManyLines);
    assert!(words::failure(endless_ehlo, f).contains("more than 1000 lines"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_demands_client_certificates_is_named_so() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test"]);
    let ca = w.ca.cert_der.to_vec();
    let spec = Spec::new(Protocol::Imap, TlsMode::Implicit(leaf))
        .behaving(Behaviour::RequireClientCert(ca));
    let s = w.serve(&[10], Security::Tls, spec).await;
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    let p = probe(&run, "imap.ok.test", s);
    assert!(p.tls.as_ref().unwrap().client_certificate_requested);
    let f = p.failure.as_ref().unwrap();
    assert_eq!(
        f.kind,
        FailureKind::TlsHandshake(TlsFailure::ClientCertificateRequired),
        "{f:?}"
    );
    assert!(words::failure(s, f).contains("client certificate"));
}

#[tokio::test(flavor = "multi_thread")]
async fn preauth_before_tls_is_never_confirmed_nor_followed_by_starttls() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test"]);
    let spec = Spec::new(Protocol::Imap, TlsMode::StartTls(leaf)).behaving(Behaviour::Preauth);
    let s = w.serve(&[10], Security::StartTls, spec).await;
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    let p = probe(&run, "imap.ok.test", s);
    assert_eq!(
        p.failure.as_ref().unwrap().kind,
        FailureKind::PreAuthenticated
    );
    let f = finding(&run, Code::ImapPreauth).expect("imap_preauth");
    assert_eq!(f.severity, mailprobe::judge::findings::Severity::Error);
    assert!(
        !w.commands().iter().any(|c| c.contains("STARTTLS")),
        "{:?}",
        w.commands()
    );
    assert!(run.diagnosis.recommended.incoming.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_login_goes_to_the_trusted_address_of_a_name() {
    let mut w = World::new();
    let good = w.ca.leaf(&["imap.ok.test"]);
    let bad = self_signed_leaf(&["imap.ok.test"]);
    let trusted = w
        .serve(
            &[10],
            Security::Tls,
            Spec::new(Protocol::Imap, TlsMode::Implicit(good)).with_account("a@ok.test", "pw"),
        )
        .await;
    // The same port on a second address, with a self-signed certificate.
    let port = trusted.port;
    let ip = w.ip(12);
    w.servers.push(
        support::mail::MailServer::start(
            std::net::SocketAddr::new(ip, port),
            Spec::new(Protocol::Imap, TlsMode::Implicit(bad)).with_account("a@ok.test", "pw"),
        )
        .await,
    );
    let n = w.net.prefix();
    let body = format!("@ IN MX 10 imap.ok.test.\nimap IN A {n}.10\nimap IN A {n}.12\n");
    let creds = Credentials {
        username: "a@ok.test".into(),
        password: Secret::new("pw".into()),
        allow_insecure: false,
    };
    let run = w
        .run_with("a@ok.test", &[zone("ok.test", &body)], |o| {
            o.login = Some(creds)
        })
        .await;
    let check = &run.login.as_ref().unwrap()[0];
    assert_eq!(check.address, w.ip(10));
    assert!(
        matches!(check.outcome, LoginOutcome::Accepted { .. }),
        "{check:?}"
    );
    let f = finding(&run, Code::AddressInconsistent).expect("address_inconsistent");
    assert!(message(f).contains(&ip.to_string()), "{}", message(f));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_only_in_the_cn_is_one_consistent_mismatch() {
    let mut w = World::new();
    let leaf = w.ca.cn_only_leaf("imap.ok.test");
    let s = w
        .serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    let p = probe(&run, "imap.ok.test", s);
    let tls = p.tls.as_ref().unwrap();
    assert_eq!(tls.name_matches, Some(false));
    assert_eq!(
        tls.verdict,
        Some(mailprobe::probe::CertVerdict::NameMismatch)
    );
    let f = finding(&run, Code::CertificateNameMismatch).unwrap();
    assert!(
        message(f).contains("only in its subject CN"),
        "{}",
        message(f)
    );
    assert_ne!(verdict(&run, "imap.ok.test", s), Verdict::Works);
    // Every place says the same: the card's warning too (not "not valid for this name (it
    // names imap.ok.test)", which contradicts itself).
    let report = support::human_report(&run);
    assert!(
        !report.contains("not valid for this name (it names imap.ok.test)"),
        "{report}"
    );
    assert!(
        report.contains("certificate names imap.ok.test only in its subject CN"),
        "{report}"
    );
}

/// IMAP over TLS and SMTP with STARTTLS on one host, both with this account and behaviour.
async fn imap_and_smtp_with_account(user: &str, password: &str, behaviour: Behaviour) -> World {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test", "smtp.ok.test"]);
    for (protocol, security, tls) in [
        (
            Protocol::Imap,
            Security::Tls,
            TlsMode::Implicit(leaf.clone()),
        ),
        (
            Protocol::Smtp,
            Security::StartTls,
            TlsMode::StartTls(leaf.clone()),
        ),
    ] {
        let spec = Spec::new(protocol, tls)
            .with_account(user, password)
            .behaving(behaviour.clone());
        w.serve(&[10], security, spec).await;
    }
    w
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_quoted_back_by_the_server_never_reach_the_report() {
    const PASSWORD: &str = "s3cret-Passw0rd";
    let w = imap_and_smtp_with_account("a@ok.test", "another password", Behaviour::EchoCredentials)
        .await;
    let creds = Credentials {
        username: "a@ok.test".into(),
        password: Secret::new(PASSWORD.into()),
        allow_insecure: false,
    };
    let run = w
        .run_with("a@ok.test", &[ok_zone(&w.net)], |o| o.login = Some(creds))
        .await;
    let checks = run.login.as_ref().unwrap();
    assert_eq!(checks.len(), 2);
    assert!(checks
        .iter()
        .all(|c| matches!(c.outcome, LoginOutcome::Rejected { .. })));
    let mut json = Vec::new();
    mailprobe::render::json::render(&run, &mut json).unwrap();
    let json = String::from_utf8(json).unwrap();
    let human = support::human_report(&run);
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    for text in [&json, &human, &format!("{run:?}")] {
        for form in [
            PASSWORD.to_string(),
            b64(&format!("\0a@ok.test\0{PASSWORD}")),
            b64(PASSWORD),
        ] {
            assert!(!text.contains(&form), "{form} in output");
        }
    }
    assert!(json.contains("<redacted>"), "{json}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_run_ends_by_its_time_limit_and_says_what_it_cut() {
    let mut w = World::new();
    let blackholes =
        [support::mail::BlackHole::start(std::net::SocketAddr::new(w.ip(10), 0)).await];
    let s =
        mailprobe::service::Service::new(blackholes[0].addr.port(), Protocol::Imap, Security::Tls);
    w.services.push(s);
    let started = Instant::now();
    let run = w
        .run_with("ok.test", &[ok_zone(&w.net)], |o| {
            o.timeout = Duration::from_secs(5);
            o.max_time = Duration::from_millis(800);
        })
        .await;
    assert!(
        started.elapsed() < Duration::from_millis(800) + SLACK,
        "{:?}",
        started.elapsed()
    );
    let f = finding(&run, Code::RunDeadlineReached).expect("run_deadline_reached");
    assert!(message(f).contains("time limit"));
    // Cut short by our limit: not reported as the host's fault.
    assert!(finding(&run, Code::HostUnreachable).is_none());
}

/// Peak resident memory of the child processes this test waited for, in KiB.
fn children_peak_rss_kib() -> i64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage only writes into the struct it is given.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(rc, 0);
    usage.ru_maxrss
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_fan_out_stays_small_in_memory_and_time() {
    let mut w = World::new();
    // Sixteen MX names, each with twenty addresses, and a certificate with 2,000 names on the
    // one address that answers.
    let names: Vec<String> = (0..2000).map(|i| format!("n{i}.filler.test")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let leaf = w.ca.leaf(&refs);
    let s = w
        .serve_tls(&[100], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let n = w.net.prefix();
    let mut body = String::new();
    for i in 0..16 {
        body.push_str(&format!("@ IN MX {i} mx{i}.ok.test.\n"));
        for a in 0..20 {
            body.push_str(&format!("mx{i} IN A {n}.{}\n", 100 + a));
        }
    }
    let dns = TestDns::start(&[zone("ok.test", &body)]).await;
    let ca = w.ca.pem_file();
    let args: Vec<String> = vec![
        "ok.test".into(),
        "--dns".into(),
        dns.addr.to_string(),
        "--ca-file".into(),
        ca.path().display().to_string(),
        "--ports".into(),
        "none".into(),
        "--service".into(),
        format!("{}/imap/tls", s.port),
        "--service".into(),
        "9/smtp/starttls".into(),
        "--timeout".into(),
        "2".into(),
    ];
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_mailprobe"))
            .args(&args)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let elapsed = started.elapsed();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("addresses_truncated"), "{report}");
    assert!(report.contains("certificate_names_truncated"), "{report}");
    assert!(elapsed < TIMEOUT + SLACK, "{elapsed:?}");
    let peak = children_peak_rss_kib();
    eprintln!("fan-out run: {elapsed:?}, peak RSS {peak} KiB");
    assert!(peak < 64 * 1024, "peak RSS {peak} KiB");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resolver_slow_on_every_query_costs_two_rounds_not_one_per_phase() {
    let mut w = World::new();
    let leaf =
        w.ca.leaf(&["imap.ok.test", "mail.ok.test", "smtp.ok.test", "mx.ok.test"]);
    w.serve_tls(&[10, 11], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let upstream = TestDns::start(&[ok_zone(&w.net)]).await;
    let timeout = Duration::from_secs(1);
    let slow = timeout * 9 / 10;
    let dns = FaultyDns::start(Some(upstream.addr), move |_, _| Fault::Slow(slow)).await;
    let mut o = support::options("ok.test", dns.addr, &w.services, timeout);
    let ca = w.ca.pem_file();
    o.ca_file = Some(ca.path().to_path_buf());
    let started = Instant::now();
    let run = support::run(&o).await;
    let elapsed = started.elapsed();
    // Discovery and the names that do not depend on it in one round, the MX hosts' addresses
    // in a second: about two slow answers, then quick probes.
    assert!(
        elapsed < slow * 2 + Duration::from_millis(900),
        "{elapsed:?}"
    );
    assert!(run
        .diagnosis
        .recommended
        .incoming
        .first()
        .is_some_and(|r| r.confirmed));
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_quoted_in_the_goodbye_are_scrubbed_in_every_encoding() {
    use base64::Engine;
    // Characters the escaper rewrites: redaction must run on the raw bytes, before escaping.
    const PASSWORD: &str = "tab\there\u{200d}zwj\u{ad}shy-Pw";
    const USER: &str = "a@ok.test";
    let w = imap_and_smtp_with_account(
        USER,
        PASSWORD,
        Behaviour::EchoOnClose(USER.into(), PASSWORD.into()),
    )
    .await;
    let creds = Credentials {
        username: USER.into(),
        password: Secret::new(PASSWORD.into()),
        allow_insecure: false,
    };
    let run = w
        .run_with(USER, &[ok_zone(&w.net)], |o| {
            o.login = Some(creds);
            o.transcripts = true;
        })
        .await;
    let checks = run.login.as_ref().unwrap();
    assert!(
        checks
            .iter()
            .all(|c| matches!(c.outcome, LoginOutcome::Accepted { .. })),
        "{checks:?}"
    );
    let mut json = Vec::new();
    mailprobe::render::json::render(&run, &mut json).unwrap();
    let json = String::from_utf8(json).unwrap();
    let human = support::human_report(&run);
    let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
    let escaped = mailprobe::text::escape_controls(PASSWORD);
    let forms = [
        PASSWORD.to_string(),
        escaped.clone(),
        serde_json::to_string(PASSWORD)
            .unwrap()
            .trim_matches('"')
            .to_string(),
        b64(format!("x{PASSWORD}")),
        b64(format!("{USER}:{PASSWORD}")),
        b64(format!("\0{USER}\0{PASSWORD}")),
        "tab".to_string() + "\\t",
    ];
    for text in [&json, &human] {
        for form in &forms {
            assert!(!text.contains(form.as_str()), "{form:?} in output:\n{text}");
        }
    }
    // The goodbye was recorded (`-v`), scrubbed.
    assert!(human.contains("you were <redacted>"), "{human}");
}

#[tokio::test(flavor = "multi_thread")]
async fn web_and_name_server_stages_never_contact_special_addresses_of_a_public_domain() {
    use support::web::{response, Web};
    // A public-looking domain whose web names and name server all point at this machine: what
    // answers there is not the domain's policy, and asking it would reach local services.
    let web_log = Web::start("127.0.0.1:0".parse().unwrap(), None, |_| {
        response(
            "200 OK",
            "text/plain",
            "version: STSv1\nmode: enforce\nmx: *\nmax_age: 86400\n",
        )
    })
    .await;
    let body = "@ IN MX 10 mx.mailprobe-hostile.com.\n\
                @ IN NS ns.mailprobe-hostile.com.\n\
                ns IN A 127.0.0.1\n\
                mx IN A 192.0.2.25\n\
                mta-sts IN A 127.0.0.1\n\
                autoconfig IN A 127.0.0.1\n\
                autodiscover IN A 127.0.0.1\n\
                _mta-sts IN TXT \"v=STSv1; id=20260101\"\n";
    let dns = TestDns::start_at(
        "127.0.0.1:0".parse().unwrap(),
        &[zone("mailprobe-hostile.com", body)],
    )
    .await;
    let mut o = support::options("mailprobe-hostile.com", dns.addr, &[], TIMEOUT);
    o.probe = true;
    o.delivery = true;
    o.published = true;
    o.authoritative = true;
    o.authority_port = dns.addr.port();
    o.https_port = web_log.port;
    o.http_port = web_log.port;
    let run = support::run(&o).await;
    assert!(web_log.requests().is_empty(), "{:?}", web_log.requests());
    let authority = run
        .authority
        .as_ref()
        .expect("the zone's servers were looked at");
    assert!(!authority.servers.is_empty());
    for s in &authority.servers {
        assert!(
            matches!(
                s.outcome,
                mailprobe::discover::authority::ServerOutcome::NotAsked(AddressClass::Loopback)
            ),
            "{s:?}"
        );
    }
    let f = finding(&run, Code::SpecialAddressNotContacted).expect("said");
    assert!(message(f).contains("127.0.0.1"), "{}", message(f));
    let human = support::human_report(&run);
    assert!(
        human.contains("not fetched: its address 127.0.0.1"),
        "{human}"
    );
}

/// Web fetches pass the run's gate: with `--concurrency 1`, nine fetches at once to one web
/// host open one connection at a time (before, all nine sockets were open together); with a
/// wide cap they do run together, so the test can tell the difference.
#[tokio::test(flavor = "multi_thread")]
async fn web_fetches_keep_the_connection_caps() {
    use mailprobe::net::gate::{Gate, Limiter};
    use mailprobe::net::http::Http;
    use support::web::{not_found, Web};
    let w = World::new();
    let leaf = w.ca.leaf(&["web.ok.test"]);
    let addr = std::net::SocketAddr::new(w.ip(30), 0);
    let n = w.net.prefix();
    let dns = TestDns::start(&[zone("ok.test", &format!("web IN A {n}.30\n"))]).await;
    let resolver = mailprobe::net::dns::Dns::new(&mailprobe::net::dns::DnsSettings {
        servers: vec![dns.addr],
        timeout: TIMEOUT,
    })
    .unwrap();
    let ca = w.ca.pem_file();
    let trust = mailprobe::probe::Trust::with_source(
        mailprobe::probe::tls::TrustSource::Both,
        Some(ca.path()),
    )
    .unwrap();
    // Wide open, the per-address cap (8) still holds.
    for (concurrency, most) in [(1, 1), (64, 8)] {
        let web = Web::start_slow(addr, Some(&leaf), Duration::from_millis(200), |_| {
            not_found()
        })
        .await;
        let gate = Gate::new(std::sync::Arc::new(Limiter::new(concurrency)), false);
        let http = Http::new(
            &resolver,
            trust.verifying_config().unwrap(),
            Duration::from_secs(10),
            gate,
        )
        .unwrap();
        let url = format!("https://web.ok.test:{}/x", web.port);
        let fetches = (0..9).map(|_| http.get(&url));
        for r in futures::future::join_all(fetches).await {
            assert_eq!(r.map(|f| f.status).ok(), Some(404));
        }
        let seen = web.most_open.load(Ordering::SeqCst);
        if concurrency == 1 {
            assert_eq!(seen, 1, "--concurrency 1");
        } else {
            assert!(seen > 1 && seen <= most, "{seen}");
        }
    }
}
