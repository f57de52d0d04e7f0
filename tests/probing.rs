//! Active probing against in-process IMAP, POP3 and SMTP servers with real TLS, found through
//! a real DNS server: TCP outcomes, TLS verdicts, STARTTLS, mismatches, inference, timing.

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mailprobe::exits;
use mailprobe::judge::findings::Code;
use mailprobe::judge::Verdict;
use mailprobe::probe::{
    CertVerdict, FailureKind, Heard, Phase, StartTlsState, TcpOutcome, Unreachable,
};
use mailprobe::service::{Protocol, Security, Service};
use mailprobe::words;
use support::dns::zone;
use support::mail::{start_on, Behaviour, BlackHole, Spec, TlsMode};
use support::pki::{self_signed_leaf, TestCa};
use support::scenario::{finding, message, ok_zone, probe, verdict, World};

const TIMEOUT: Duration = support::scenario::TIMEOUT;

#[tokio::test(flavor = "multi_thread")]
async fn a_fully_working_domain_is_confirmed_and_recommended() {
    let mut w = World::new();
    let names = [
        "imap.ok.test",
        "smtp.ok.test",
        "mail.ok.test",
        "ok.test",
        "mx.ok.test",
    ];
    let leaf = w.ca.leaf(&names);
    let imaps = w
        .serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let imap = w
        .serve_tls(&[10], Protocol::Imap, Security::StartTls, &leaf)
        .await;
    let pop3s = w
        .serve_tls(&[10], Protocol::Pop3, Security::Tls, &leaf)
        .await;
    let pop3 = w
        .serve_tls(&[10], Protocol::Pop3, Security::StartTls, &leaf)
        .await;
    let smtps = w
        .serve_tls(&[10], Protocol::Smtp, Security::Tls, &leaf)
        .await;
    let submission = w
        .serve_tls(&[10, 11], Protocol::Smtp, Security::StartTls, &leaf)
        .await;
    let run = w.run("accounts@ok.test", &[ok_zone(&w.net)]).await;

    for service in [imaps, imap, pop3s, pop3, smtps, submission] {
        assert_eq!(
            verdict(&run, "imap.ok.test", service),
            Verdict::Works,
            "{service}"
        );
    }
    let p = probe(&run, "imap.ok.test", imaps);
    assert_eq!(p.tcp, TcpOutcome::Connected);
    let tls = p.tls.as_ref().unwrap();
    assert_eq!(tls.verdict, Some(CertVerdict::Trusted));
    assert_eq!(tls.version.as_deref(), Some("TLSv1.3"));
    assert_eq!(tls.sni, "imap.ok.test");
    let cert = tls.certificate.as_ref().unwrap();
    assert!(cert.names.contains(&"imap.ok.test".to_string()));
    assert!(cert.issuer.contains("mailprobe test CA"));
    assert!(cert.days_left > 300);
    assert!(p.banner.as_deref().unwrap().starts_with("* OK"));
    assert!(p.capabilities.after_tls.contains(&"IMAP4rev1".to_string()));
    assert_eq!(p.auth_mechanisms, vec!["PLAIN", "LOGIN"]);

    let p = probe(&run, "imap.ok.test", imap);
    assert_eq!(p.starttls, Some(StartTlsState::Upgraded));
    assert!(p.capabilities.before_tls.contains(&"STARTTLS".to_string()));
    assert!(p
        .capabilities
        .before_tls
        .contains(&"LOGINDISABLED".to_string()));
    assert!(!p.capabilities.after_tls.contains(&"STARTTLS".to_string()));
    let p = probe(&run, "imap.ok.test", pop3);
    assert_eq!(p.starttls, Some(StartTlsState::Upgraded));
    let p = probe(&run, "mx.ok.test", submission);
    assert_eq!(p.starttls, Some(StartTlsState::Upgraded));
    assert!(p
        .capabilities
        .after_tls
        .iter()
        .any(|c| c == "AUTH PLAIN LOGIN"));

    let rec = &run.diagnosis.recommended;
    let inc = &rec.incoming[0];
    assert_eq!(
        (
            inc.host.as_str(),
            inc.port,
            words::client_security(inc.client_security),
            inc.confirmed
        ),
        ("imap.ok.test", imaps.port, "SSL/TLS", true)
    );
    assert_eq!(inc.protocol, Protocol::Imap);
    assert_eq!(words::username(&inc.username), "accounts@ok.test");
    let out = &rec.outgoing[0];
    assert_eq!(
        (
            out.host.as_str(),
            out.port,
            words::client_security(out.client_security)
        ),
        ("smtp.ok.test", smtps.port, "SSL/TLS")
    );
    assert!(rec.incoming.iter().all(|r| r.verdict != Verdict::Fails));
    assert_eq!(run.exit_code, exits::OK, "{:#?}", run.diagnosis.findings);

    // Polite and harmless: every session said goodbye, none tried to log in.
    let cmds = w.commands();
    assert!(cmds.iter().any(|c| c.ends_with("LOGOUT")));
    assert!(cmds.iter().any(|c| c.ends_with("QUIT")));
    assert!(
        !cmds.iter().any(|c| {
            let u = c.trim_start_matches("TLS ").to_ascii_uppercase();
            u.contains(" LOGIN ")
                || u.starts_with("AUTH")
                || u.starts_with("USER")
                || u.starts_with("PASS")
        }),
        "{cmds:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_starttls_is_a_warning_for_every_protocol() {
    let mut w = World::new();
    let mut services = Vec::new();
    for protocol in [Protocol::Imap, Protocol::Pop3, Protocol::Smtp] {
        services.push(
            w.serve(
                &[10],
                Security::StartTls,
                Spec::new(protocol, TlsMode::None),
            )
            .await,
        );
    }
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    for s in services {
        let p = probe(&run, "imap.ok.test", s);
        assert_eq!(p.starttls, Some(StartTlsState::NotOffered), "{s}");
        assert!(p.tls.is_none());
        assert_eq!(verdict(&run, "imap.ok.test", s), Verdict::Warnings);
    }
    let f = finding(&run, Code::NoStarttls).expect("no_starttls finding");
    assert!(message(f).contains("in clear"));
    assert!(finding(&run, Code::NoWorkingIncoming).is_some());
    assert_eq!(run.exit_code, exits::PROBLEMS);
}

/// No STARTTLS and no login without it is not a leak: no password can be used there at all.
#[tokio::test(flavor = "multi_thread")]
async fn no_starttls_and_no_login_in_clear_is_not_called_a_leak() {
    let mut w = World::new();
    let mut services = Vec::new();
    for protocol in [Protocol::Imap, Protocol::Pop3, Protocol::Smtp] {
        let spec = Spec::new(protocol, TlsMode::None).behaving(Behaviour::NoLoginInClear);
        services.push(w.serve(&[10], Security::StartTls, spec).await);
    }
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    for s in services {
        let p = probe(&run, "imap.ok.test", s);
        assert_eq!(p.starttls, Some(StartTlsState::NotOffered), "{s}");
        assert_eq!(verdict(&run, "imap.ok.test", s), Verdict::Warnings);
    }
    assert!(finding(&run, Code::NoStarttls).is_none());
    let f = finding(&run, Code::NoStarttlsNoLogin).expect("no_starttls_no_login");
    assert!(!message(f).contains("would travel"), "{}", message(f));
    assert!(message(f).contains("no login is offered"), "{}", message(f));
}

#[tokio::test(flavor = "multi_thread")]
async fn certificate_for_another_name_suggests_that_name_and_confirms_it() {
    let mut w = World::new();
    // The classic shared web host: mail.customer presents the server's own certificate.
    let leaf = w.ca.leaf(&["server12.hoster.test"]);
    let imaps = w
        .serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let n = w.net.prefix();
    let zones = [
        zone(
            "customer.test",
            &format!("@ IN MX 10 mail.customer.test.\nmail IN A {n}.10\n"),
        ),
        zone("hoster.test", &format!("server12 IN A {n}.10\n")),
    ];
    let run = w.run("info@customer.test", &zones).await;
    let p = probe(&run, "mail.customer.test", imaps);
    let tls = p.tls.as_ref().unwrap();
    assert_eq!(tls.verdict, Some(CertVerdict::NameMismatch));
    assert_eq!(tls.name_matches, Some(false));
    assert_eq!(
        tls.certificate.as_ref().unwrap().names,
        vec!["server12.hoster.test"]
    );
    assert_eq!(
        verdict(&run, "mail.customer.test", imaps),
        Verdict::Warnings
    );
    let f = finding(&run, Code::CertificateNameMismatch).unwrap();
    assert!(
        message(f).contains("server12.hoster.test"),
        "{}",
        message(f)
    );
    // The second round tried the certificate's own name, which works.
    assert_eq!(verdict(&run, "server12.hoster.test", imaps), Verdict::Works);
    assert!(finding(&run, Code::CertificateValidForOtherHost).is_some());
    let best = &run.diagnosis.recommended.incoming[0];
    assert_eq!(
        (best.host.as_str(), best.confirmed),
        ("server12.hoster.test", true)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_self_signed_and_unknown_ca_certificates_are_judged() {
    let mut w = World::new();
    let expired = w.ca.expired_leaf(&["imap.ok.test"]);
    let soon = w.ca.leaf_with_validity(&["imap.ok.test"], -10, 5);
    let other_ca = TestCa::named("some other CA").leaf(&["imap.ok.test"]);
    let cases = [
        (
            w.serve_tls(&[10], Protocol::Imap, Security::Tls, &expired)
                .await,
            CertVerdict::Expired,
            Code::CertificateExpired,
        ),
        (
            w.serve(
                &[10],
                Security::Tls,
                Spec::new(
                    Protocol::Imap,
                    TlsMode::Implicit(self_signed_leaf(&["imap.ok.test"])),
                ),
            )
            .await,
            CertVerdict::UnknownIssuer,
            Code::CertificateUntrusted,
        ),
        (
            w.serve_tls(&[10], Protocol::Pop3, Security::Tls, &other_ca)
                .await,
            CertVerdict::UnknownIssuer,
            Code::CertificateUntrusted,
        ),
        (
            w.serve_tls(&[10], Protocol::Smtp, Security::StartTls, &soon)
                .await,
            CertVerdict::Trusted,
            Code::CertificateExpiresSoon,
        ),
    ];
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    for (service, cert_verdict, code) in cases.clone() {
        let p = probe(&run, "imap.ok.test", service);
        let tls = p.tls.as_ref().unwrap();
        assert_eq!(tls.verdict.as_ref(), Some(&cert_verdict), "{service}");
        let j = &run
            .judged
            .iter()
            .find(|j| std::ptr::eq(&j.probe, p))
            .unwrap()
            .judgement;
        assert_eq!(j.verdict, Verdict::Warnings, "{service}");
        assert!(j.warnings.contains(&code), "{service}: {:?}", j.warnings);
        // The certificate is on record even though verification failed.
        assert!(tls.certificate.is_some());
        // The protocol behind the bad certificate was still confirmed.
        assert!(p.banner.is_some());
    }
    assert!(message(finding(&run, Code::CertificateExpired).unwrap()).contains("expired"));
    let expired_cert = probe(&run, "imap.ok.test", cases[0].0)
        .tls
        .as_ref()
        .unwrap()
        .certificate
        .as_ref()
        .unwrap();
    assert!(expired_cert.days_left < 0);
    assert!(
        probe(&run, "imap.ok.test", cases[1].0)
            .tls
            .as_ref()
            .unwrap()
            .certificate
            .as_ref()
            .unwrap()
            .self_signed
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tcp_outcomes_refused_and_timed_out() {
    let mut w = World::new();
    let refused = w.dead_service(Protocol::Imap, Security::Tls);
    let hole = BlackHole::start(SocketAddr::new(w.ip(10), 0)).await;
    let filtered = Service::new(hole.addr.port(), Protocol::Smtp, Security::StartTls);
    w.services.push(filtered);
    let started = Instant::now();
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    let p = probe(&run, "imap.ok.test", refused);
    assert_eq!(p.tcp, TcpOutcome::Refused);
    assert_eq!(p.failure.as_ref().unwrap().phase, Phase::Connect);
    let p = probe(&run, "imap.ok.test", filtered);
    assert_eq!(p.tcp, TcpOutcome::TimedOut);
    assert_eq!(p.failure.as_ref().unwrap().kind, FailureKind::TimedOut);
    // Names sharing the address took the outcome instead of connecting again.
    let shared = probe(&run, "smtp.ok.test", filtered);
    assert_eq!(shared.shared_with.as_deref(), Some("imap.ok.test"));
    assert!(started.elapsed() < TIMEOUT * 2, "{:?}", started.elapsed());
    assert_eq!(run.exit_code, exits::NOTHING_WORKS);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_protocols_are_named() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test"]);
    // A plaintext IMAP server where implicit TLS is expected.
    let plain_on_tls = w
        .serve(
            &[10],
            Security::Tls,
            Spec::new(Protocol::Imap, TlsMode::None),
        )
        .await;
    // An HTTP answer on an IMAP port.
    let http = w
        .serve(
            &[10],
            Security::StartTls,
            Spec::new(Protocol::Imap, TlsMode::None)
                .behaving(Behaviour::Raw(b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec())),
        )
        .await;
    // An SMTP server on a port probed as POP3.
    let smtp_as_pop = w
        .serve(
            &[10],
            Security::StartTls,
            Spec::new(Protocol::Smtp, TlsMode::None),
        )
        .await;
    let smtp_as_pop = Service::new(smtp_as_pop.port, Protocol::Pop3, Security::StartTls);
    w.services.pop();
    w.services.push(smtp_as_pop);
    // A TLS server where a plaintext greeting is expected: silence until the timeout.
    let tls_on_plain = w
        .serve(
            &[10],
            Security::StartTls,
            Spec::new(Protocol::Imap, TlsMode::Implicit(leaf)),
        )
        .await;
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;

    let p = probe(&run, "imap.ok.test", plain_on_tls);
    let f = p.failure.as_ref().unwrap();
    assert_eq!(f.phase, Phase::TlsHandshake);
    assert!(
        matches!(
            f.kind,
            FailureKind::ProtocolMismatch {
                heard: Heard::Imap,
                ..
            }
        ),
        "{f:?}"
    );
    assert!(finding(&run, Code::PlaintextOnTlsPort).is_some());

    let p = probe(&run, "imap.ok.test", http);
    assert_eq!(p.heard, Some(Heard::Http));
    assert!(matches!(
        p.failure.as_ref().unwrap().kind,
        FailureKind::ProtocolMismatch {
            heard: Heard::Http,
            ..
        }
    ));
    let p = probe(&run, "imap.ok.test", smtp_as_pop);
    assert_eq!(p.heard, Some(Heard::Smtp));
    assert!(finding(&run, Code::WrongProtocol).is_some());

    // It stays silent; a TLS handshake on a second connection shows it speaks implicit TLS.
    let p = probe(&run, "imap.ok.test", tls_on_plain);
    let f = p.failure.as_ref().unwrap();
    assert_eq!(f.phase, Phase::Greeting);
    assert!(
        matches!(&f.kind, FailureKind::TlsAnswered { version: Some(v) } if v == "TLSv1.3"),
        "{f:?}"
    );
    assert_eq!(p.heard, Some(Heard::Tls));
    assert!(p.tls.as_ref().unwrap().certificate.is_some());
    let finding = finding(&run, Code::TlsOnPlainPort).expect("tls_on_plain_port");
    assert!(words::hint(finding).unwrap().contains("SSL/TLS"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_port_silent_on_every_host_is_inferred_as_blocked_locally() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test", "mx.ok.test"]);
    w.serve_tls(&[10, 11], Protocol::Imap, Security::Tls, &leaf)
        .await;
    // The same port drops on both hosts, as an ISP's port-25 block would.
    let hole = BlackHole::start(SocketAddr::new(w.ip(10), 0)).await;
    let _hole2 = BlackHole::start(SocketAddr::new(w.ip(11), hole.addr.port())).await;
    let blocked = Service::new(hole.addr.port(), Protocol::Smtp, Security::StartTls);
    w.services.push(blocked);
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    let f = finding(&run, Code::PortBlockedLocally).expect("port blocked finding");
    assert!(message(f).contains(&blocked.port.to_string()));
    assert!(finding(&run, Code::HostUnreachable).is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_host_silent_on_every_port_is_reported() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test"]);
    let imaps = w
        .serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let _hole = BlackHole::start(SocketAddr::new(w.ip(11), imaps.port)).await;
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    let f = finding(&run, Code::HostUnreachable).expect("host unreachable");
    assert!(message(f).contains("mx.ok.test"), "{}", message(f));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_run_takes_about_one_timeout_with_silent_servers_among_the_hosts() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test"]);
    let imaps = w
        .serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    // mx.ok.test accepts and then says nothing; every name of ok.test on .10 works.
    w.servers.extend(
        start_on(
            &[w.ip(11)],
            Spec::new(Protocol::Imap, TlsMode::None).behaving(Behaviour::Silent),
        )
        .await,
    );
    let silent = w.servers.last().unwrap().addr.port();
    w.services
        .push(Service::new(silent, Protocol::Imap, Security::StartTls));
    let _hole = BlackHole::start(SocketAddr::new(w.ip(11), imaps.port)).await;
    let timeout = Duration::from_secs(1);
    let started = Instant::now();
    let run = w
        .run_with("ok.test", &[ok_zone(&w.net)], |o| o.timeout = timeout)
        .await;
    let elapsed = started.elapsed();
    assert!(elapsed < timeout * 2, "took {elapsed:?}");
    assert!(run.judged.len() >= 8);
    let p = probe(
        &run,
        "mx.ok.test",
        Service::new(silent, Protocol::Imap, Security::StartTls),
    );
    assert_eq!(p.failure.as_ref().unwrap().phase, Phase::Greeting);
    assert!(p.timings.total_ms <= 1500, "{}", p.timings.total_ms);
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_ipv6_next_to_working_ipv4_is_a_finding() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("skipped: this machine has no IPv6 loopback");
        return;
    }
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test"]);
    let imaps = w
        .serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let n = w.net.prefix();
    // ::1 has nothing on this port (the port is only bound on the test's IPv4 address).
    let z = zone(
        "v6.test",
        &format!("@ IN MX 10 imap.v6.test.\nimap IN A {n}.10\nimap IN AAAA ::1\n"),
    );
    let run = w.run("v6.test", &[z]).await;
    let f = finding(&run, Code::Ipv6Broken).expect("ipv6 finding");
    assert!(message(f).contains("::1"));
    assert_eq!(run.diagnosis.recommended.incoming[0].host, "imap.v6.test");
    let _ = imaps;
}

#[tokio::test(flavor = "multi_thread")]
async fn starttls_refusal_and_plaintext_injection_are_reported() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test"]);
    let refused = w
        .serve(
            &[10],
            Security::StartTls,
            Spec::new(Protocol::Smtp, TlsMode::StartTls(leaf.clone()))
                .behaving(Behaviour::RejectStartTls),
        )
        .await;
    let injected = w
        .serve(
            &[10],
            Security::StartTls,
            Spec::new(Protocol::Imap, TlsMode::StartTls(leaf.clone()))
                .behaving(Behaviour::InjectAfterStartTls),
        )
        .await;
    let injected_pop = w
        .serve(
            &[10],
            Security::StartTls,
            Spec::new(Protocol::Pop3, TlsMode::StartTls(leaf))
                .behaving(Behaviour::InjectAfterStartTls),
        )
        .await;
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    let p = probe(&run, "imap.ok.test", refused);
    assert_eq!(p.failure.as_ref().unwrap().phase, Phase::StartTls);
    assert!(matches!(
        p.failure.as_ref().unwrap().kind,
        FailureKind::Rejected { .. }
    ));
    assert!(finding(&run, Code::StarttlsFailed).is_some());
    for s in [injected, injected_pop] {
        let p = probe(&run, "imap.ok.test", s);
        assert!(
            matches!(
                p.failure.as_ref().unwrap().kind,
                FailureKind::StartTlsInjection { .. }
            ),
            "{s}: {:?}",
            p.failure
        );
        assert!(p.capabilities.after_tls.is_empty());
    }
    assert!(finding(&run, Code::StarttlsInjection).is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn probing_follows_srv_records_to_their_ports() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["mail.srvonly.test"]);
    let imaps = w
        .serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    w.services.clear();
    let n = w.net.prefix();
    let z = zone(
        "srvonly.test",
        &format!("@ IN MX 10 mx.srvonly.test.\nmx IN A {n}.11\nmail IN A {n}.10\n_imaps._tcp IN SRV 0 1 {} mail.srvonly.test.\n", imaps.port),
    );
    let run = w
        .run_with("srvonly.test", &[z], |o| o.services = vec![])
        .await;
    assert_eq!(verdict(&run, "mail.srvonly.test", imaps), Verdict::Works);
    let best = &run.diagnosis.recommended.incoming[0];
    assert_eq!(
        (best.host.as_str(), best.port),
        ("mail.srvonly.test", imaps.port)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ipv6_that_this_machine_cannot_route_is_not_blamed_on_the_server() {
    use mailprobe::judge::{diagnose, Evidence};
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test"]);
    let imaps = w
        .serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    // The same names with an IPv6 address this machine has no route to (ENETUNREACH).
    let v6: std::net::IpAddr = "2001:db8::25".parse().unwrap();
    let mut probes: Vec<_> = run.probes().cloned().collect();
    let mut candidates = run.candidates.clone();
    for p in run.probes().filter(|p| p.service == imaps) {
        let mut q = mailprobe::probe::ProbeResult::new(&p.host, v6, p.service);
        q.tcp = TcpOutcome::Unreachable(Unreachable::Network);
        q.failure = Some(mailprobe::probe::Failure::new(
            Phase::Connect,
            FailureKind::Unreachable(Unreachable::Network),
        ));
        probes.push(q);
    }
    for c in &mut candidates {
        if let Ok(v) = c.addresses.ipv6.as_mut() {
            v.push(v6);
        }
    }
    let (_, d) = diagnose(&Evidence {
        target: &run.target,
        discovery: &run.discovery,
        identification: &run.identification,
        candidates: &candidates,
        probes: &probes,
        services: &w.services,
        caps: &[],
        username: None,
        authority: None,
        delivery: None,
        published: None,
        sending: None,
        probed: true,
    });
    let codes: Vec<Code> = d.findings.iter().map(|f| f.code).collect();
    assert!(codes.contains(&Code::NoLocalIpv6), "{codes:?}");
    assert!(!codes.contains(&Code::Ipv6Broken), "{codes:?}");
    assert!(!codes.contains(&Code::HostUnreachable), "{codes:?}");
    assert!(d.recommended.incoming[0].confirmed);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_address_never_gets_more_than_a_few_connections_at_once() {
    let mut w = World::new();
    let names: Vec<String> = (0..14).map(|i| format!("h{i}.ok.test")).collect();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let leaf = w.ca.leaf(&name_refs);
    // A server that holds each connection a while, so that connections overlap.
    let spec = Spec::new(Protocol::Pop3, TlsMode::Implicit(leaf)).behaving(
        Behaviour::SlowGreeting(std::time::Duration::from_millis(100)),
    );
    let s = w.serve(&[10], Security::Tls, spec).await;
    let n = w.net.prefix();
    let mut body = String::from("@ IN MX 10 h0.ok.test.\n");
    for name in &names {
        body.push_str(&format!(
            "{} IN A {n}.10\n",
            name.trim_end_matches(".ok.test")
        ));
    }
    let run = w
        .run_with("ok.test", &[zone("ok.test", &body)], |o| {
            o.extra_hosts = names.clone();
        })
        .await;
    let probes: Vec<_> = run.probes().filter(|p| p.service == s).collect();
    assert!(probes.len() >= 14);
    assert!(probes.iter().all(|p| p.failure.is_none()), "{probes:#?}");
    let peak = w.servers[0]
        .peak_connections
        .load(std::sync::atomic::Ordering::SeqCst);
    // Fourteen names on one address: never more than eight connections at once.
    assert!((2..=8).contains(&peak), "peak {peak}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_incomplete_chain_is_named_as_such() {
    let mut w = World::new();
    let complete = w.ca.leaf_via_intermediate(&["imap.ok.test"], true);
    let incomplete = w.ca.leaf_via_intermediate(&["imap.ok.test"], false);
    let good = w
        .serve_tls(&[10], Protocol::Imap, Security::Tls, &complete)
        .await;
    let bad = w
        .serve_tls(&[10], Protocol::Pop3, Security::Tls, &incomplete)
        .await;
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    assert_eq!(verdict(&run, "imap.ok.test", good), Verdict::Works);
    let p = probe(&run, "imap.ok.test", bad);
    assert_eq!(
        p.tls.as_ref().unwrap().verdict,
        Some(CertVerdict::UnknownIssuer)
    );
    let f = finding(&run, Code::CertificateUntrusted).expect("untrusted finding");
    assert!(message(f).contains("incomplete chain"), "{}", message(f));
}

/// An expired intermediate under a valid leaf: WebPKI says "expired"; the report names the
/// intermediate and its date, never the leaf's own (future) end as an expiry "days ago".
#[tokio::test(flavor = "multi_thread")]
async fn an_expired_intermediate_is_named_not_the_leaf() {
    let mut w = World::new();
    let leaf =
        w.ca.leaf_via_intermediate_valid(&["imap.ok.test"], true, (-800, -30));
    let port = w
        .serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    let p = probe(&run, "imap.ok.test", port);
    let tls = p.tls.as_ref().unwrap();
    assert_eq!(tls.verdict, Some(CertVerdict::Expired));
    let cert = tls.certificate.as_ref().unwrap();
    assert!(cert.days_left > 300, "the leaf itself is valid");
    assert_eq!(cert.intermediates.len(), 1);
    assert!(cert.intermediates[0].days_left < 0);
    assert!(finding(&run, Code::CertificateExpired).is_none());
    let f = finding(&run, Code::CertificateChainExpired).expect("chain expired");
    let said = message(f);
    assert!(
        said.contains("mailprobe test intermediate") && said.contains("days ago"),
        "{said}"
    );
    assert_ne!(verdict(&run, "imap.ok.test", port), Verdict::Works);
}

/// RFC 7633: a must-staple certificate served without a stapled OCSP response is named (with
/// the client that refuses it); the same kind of certificate with a stapled response is not.
#[tokio::test(flavor = "multi_thread")]
async fn a_must_staple_certificate_without_a_stapled_response_is_named() {
    let mut w = World::new();
    let names = ["imap.ok.test", "mail.ok.test", "smtp.ok.test", "ok.test"];
    let bare = w.ca.must_staple_leaf(&names);
    let imap = w
        .serve_tls(&[10], Protocol::Imap, Security::Tls, &bare)
        .await;
    let stapled = w.ca.must_staple_leaf(&names).stapling(b"an OCSP response");
    let pop = w
        .serve_tls(&[10], Protocol::Pop3, Security::Tls, &stapled)
        .await;
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    let cert = |s| {
        probe(&run, "imap.ok.test", s)
            .tls
            .as_ref()
            .and_then(|t| t.certificate.clone())
            .unwrap()
    };
    let (bare, stapled) = (cert(imap), cert(pop));
    assert!(bare.must_staple && !bare.ocsp_stapled, "{bare:?}");
    assert!(stapled.must_staple && stapled.ocsp_stapled, "{stapled:?}");
    let said = support::scenario::messages(&run, Code::CertificateMustStapleUnmet);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].contains(&imap.port.to_string()) && said[0].contains("Thunderbird refuses"),
        "{said:?}"
    );
    assert!(!said[0].contains(&pop.port.to_string()), "{said:?}");
    assert_eq!(verdict(&run, "imap.ok.test", imap), Verdict::Warnings);
    assert_eq!(verdict(&run, "imap.ok.test", pop), Verdict::Works);
}
