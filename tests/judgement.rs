//! One judgement, told the same way everywhere: the card carries the reasons, port 25 is never a
//! client's setting, the login name used is the one shown, conclusions come only from probed
//! ports, an expired certificate is "expired" in every place, and a provider's own host with a
//! foreign certificate is called interception, never recommended.

mod support;

use mailprobe::judge::findings::{Code, Severity};
use mailprobe::judge::{diagnose, policy, Evidence};
use mailprobe::probe::login::{Credentials, LoginOutcome, LoginRefusal, Secret};
use mailprobe::probe::{CertVerdict, Failure, FailureKind, Phase, ProbeResult, TcpOutcome};
use mailprobe::service::{Protocol, Security, Service, STANDARD_SERVICES};
use mailprobe::words;
use mailprobe::{exits, Run};
use support::dns::zone;
use support::mail::{Spec, TlsMode};
use support::scenario::{finding, message, ok_zone, World};

fn card(run: &Run) -> String {
    colored::control::set_override(false);
    let mut out = Vec::new();
    // Wide enough that no line wraps: the tests read sentences.
    mailprobe::render::card::render_with(run, 400, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The same run judged again over other probes (as if those had been seen), for cases that
/// need ports a test cannot bind (25, 993, …).
fn rejudge(run: &Run, probes: Vec<ProbeResult>, services: &[Service]) -> Run {
    let (judgements, diagnosis) = diagnose(&Evidence {
        target: &run.target,
        discovery: &run.discovery,
        identification: &run.identification,
        candidates: &run.candidates,
        probes: &probes,
        services,
        caps: &[],
        username: None,
        authority: None,
        delivery: None,
        published: None,
        sending: None,
        probed: true,
    });
    let mut out = run.clone();
    out.status = policy::status(&run.discovery, &run.identification, &diagnosis, true, None);
    out.exit_code = policy::exit_code(out.status);
    out.judged = mailprobe::judge::Judged::pair(probes, judgements);
    out.diagnosis = diagnosis;
    out
}

/// A probe that connected and worked (no TLS: judged on what the test sets).
fn answered(host: &str, address: &str, service: Service) -> ProbeResult {
    let mut p = ProbeResult::new(host, address.parse().unwrap(), service);
    p.tcp = TcpOutcome::Connected;
    p
}

fn refused(host: &str, address: &str, service: Service) -> ProbeResult {
    let mut p = ProbeResult::new(host, address.parse().unwrap(), service);
    p.tcp = TcpOutcome::Refused;
    p.failure = Some(Failure::new(Phase::Connect, FailureKind::Refused));
    p
}

#[tokio::test(flavor = "multi_thread")]
async fn the_card_says_why_a_setting_is_not_clean() {
    let mut w = World::new();
    let expired =
        w.ca.expired_leaf(&["imap.ok.test", "mail.ok.test", "smtp.ok.test"]);
    w.serve_tls(&[10], Protocol::Imap, Security::Tls, &expired)
        .await;
    // A STARTTLS port whose server offers no STARTTLS.
    w.serve(
        &[10],
        Security::StartTls,
        Spec::new(Protocol::Smtp, TlsMode::None),
    )
    .await;
    let run = w.run("alice@ok.test", &[ok_zone(&w.net)]).await;
    let card = card(&run);
    assert!(card.contains("certificate expired on"), "{card}");
    assert!(card.contains("clients refuse it"), "{card}");
    assert!(
        card.contains("no STARTTLS: the password would travel in clear"),
        "{card}"
    );
    assert!(
        card.contains("no encryption") && !card.contains("None"),
        "{card}"
    );
    assert!(!card.contains("✔ confirmed"), "{card}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_card_of_a_domain_that_does_not_exist_says_so() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test"]);
    w.serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let run = w.run("bob@missing.ok.test", &[ok_zone(&w.net)]).await;
    let card = card(&run);
    assert!(
        card.contains("missing.ok.test does not exist in DNS (NXDOMAIN)"),
        "{card}"
    );
    assert!(!card.contains("none works"), "{card}");
    assert!(!card.contains("✔"), "{card}");

    // A DNS server that refuses to answer: the card says that, not "does not exist".
    let run = w.run("bob@elsewhere.test", &[ok_zone(&w.net)]).await;
    let refused = self::card(&run);
    assert!(
        refused.contains("MX lookup for elsewhere.test failed"),
        "{refused}"
    );
    assert!(refused.contains("REFUSED"), "{refused}");
}

#[tokio::test(flavor = "multi_thread")]
async fn port_25_is_never_the_clients_outgoing_setting() {
    let w = World::new();
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    let mx = w.ip(11).to_string();
    let smtp25 = STANDARD_SERVICES
        .iter()
        .find(|s| s.port == 25)
        .copied()
        .unwrap();
    let smtp587 = STANDARD_SERVICES
        .iter()
        .find(|s| s.port == 587)
        .copied()
        .unwrap();
    let probes = vec![
        answered("mx.ok.test", &mx, smtp25),
        refused("mx.ok.test", &mx, smtp587),
    ];
    let run = rejudge(&run, probes, &[smtp25, smtp587]);
    assert!(run.diagnosis.recommended.outgoing.is_empty());
    assert_eq!(run.diagnosis.recommended.server_to_server.len(), 1);
    assert!(finding(&run, Code::NoWorkingOutgoing).is_some());
    assert!(finding(&run, Code::OnlyPort25Works).is_some());
    let card = card(&run);
    assert!(!card.contains("mx.ok.test"), "{card}");
    assert!(card.contains("only port 25 answers"), "{card}");
    // The login check uses the same chosen settings: none for outgoing.
    assert_eq!(policy::chosen(&run.diagnosis.recommended)[1], None);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_card_shows_the_login_name_that_was_used() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test", "smtp.ok.test"]);
    w.serve(
        &[10],
        Security::Tls,
        Spec::new(Protocol::Imap, TlsMode::Implicit(leaf)).with_account("bob", "pw"),
    )
    .await;
    let creds = Credentials {
        username: "bob".into(),
        password: Secret::new("pw".into()),
        allow_insecure: false,
    };
    let run = w
        .run_with("alice@ok.test", &[ok_zone(&w.net)], |o| {
            o.login = Some(creds)
        })
        .await;
    let card = card(&run);
    assert!(card.contains("Username  bob\n"), "{card}");
    assert!(!card.contains("Username  alice@ok.test"), "{card}");
    assert!(matches!(
        run.login.as_ref().unwrap()[0].outcome,
        LoginOutcome::Accepted { .. }
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn no_conclusion_is_drawn_about_ports_that_were_not_probed() {
    let mut w = World::new();
    let a = w.dead_service(Protocol::Imap, Security::Tls);
    let b = w.dead_service(Protocol::Smtp, Security::StartTls);
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    assert!(run.probes().all(|p| p.service == a || p.service == b));
    assert!(finding(&run, Code::HostNotServingMail).is_none());
    assert!(finding(&run, Code::PortRefused).is_some());
    let f = finding(&run, Code::PortsNotProbed).expect("ports_not_probed");
    assert!(message(f).contains("993"), "{}", message(f));

    // Every standard port asked and refused: now the host may be called not a mail server.
    let mx = w.ip(11).to_string();
    let probes: Vec<ProbeResult> = STANDARD_SERVICES
        .iter()
        .map(|s| refused("mx.ok.test", &mx, *s))
        .collect();
    let run = rejudge(&run, probes, &STANDARD_SERVICES);
    assert!(finding(&run, Code::HostNotServingMail).is_some());
    assert!(finding(&run, Code::PortsNotProbed).is_none());

    // The domain's web host and the guessed names on it refuse every mail port too: nobody said
    // they serve mail, so that is no finding.
    let web = w.ip(10).to_string();
    let probes: Vec<ProbeResult> = STANDARD_SERVICES
        .iter()
        .map(|s| refused("ok.test", &web, *s))
        .collect();
    let run = rejudge(&run, probes, &STANDARD_SERVICES);
    assert!(
        finding(&run, Code::HostNotServingMail).is_none(),
        "{:#?}",
        run.diagnosis.findings
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_certificate_is_called_expired_everywhere() {
    let mut w = World::new();
    let expired =
        w.ca.expired_leaf(&["imap.ok.test", "smtp.ok.test", "mail.ok.test"]);
    w.serve(
        &[10],
        Security::Tls,
        Spec::new(Protocol::Imap, TlsMode::Implicit(expired)).with_account("alice@ok.test", "pw"),
    )
    .await;
    let creds = Credentials {
        username: "alice@ok.test".into(),
        password: Secret::new("pw".into()),
        allow_insecure: false,
    };
    let run = w
        .run_with("alice@ok.test", &[ok_zone(&w.net)], |o| {
            o.login = Some(creds)
        })
        .await;
    let f = finding(&run, Code::CertificateExpired).expect("finding");
    assert_eq!(f.severity, Severity::Error);
    assert!(message(f).contains("expired on"), "{}", message(f));
    let card = card(&run);
    assert!(card.contains("certificate expired on"), "{card}");
    // Not "works with warnings" next to "clients refuse it": one statement.
    assert!(
        card.contains("✘ answers, but clients refuse its certificate"),
        "{card}"
    );
    assert!(!card.contains("works with warnings"), "{card}");
    let login = &run.login.as_ref().unwrap()[0].outcome;
    assert_eq!(
        login,
        &LoginOutcome::NotAttempted(LoginRefusal::UntrustedCertificate(CertVerdict::Expired))
    );
    let service = run.judged[0].probe.service;
    assert!(words::login_outcome(service, login).contains("certificate expired"));
    assert_ne!(run.exit_code, exits::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_providers_own_host_with_a_foreign_certificate_is_interception() {
    let mut w = World::new();
    let foreign = w.ca.leaf(&["intercept.evil.test"]);
    let imaps = w
        .serve_tls(&[10], Protocol::Imap, Security::Tls, &foreign)
        .await;
    let n = w.net.prefix();
    let zones = [
        zone("corp.test", "@ IN MX 10 aspmx.l.google.com.\n"),
        zone("google.com", &format!("aspmx.l IN A {n}.11\n")),
        zone("gmail.com", &format!("imap IN A {n}.10\n")),
        zone("evil.test", &format!("intercept IN A {n}.10\n")),
    ];
    let run = w
        .run_with("alice@corp.test", &zones, |o| {
            o.extra_hosts = vec!["imap.gmail.com".into()];
        })
        .await;
    assert_eq!(run.identification.provider.as_ref().unwrap().id, "google");
    let f = finding(&run, Code::TlsInterceptionSuspected).expect("interception finding");
    assert_eq!(f.severity, Severity::Error);
    let text = message(f);
    assert!(text.contains("intercept.evil.test"), "{text}");
    assert!(text.contains("mailprobe test CA"), "{text}");
    assert!(finding(&run, Code::CertificateValidForOtherHost).is_none());
    // Never recommended, never suggested, and the foreign name is not probed as an alternative.
    let rec = &run.diagnosis.recommended;
    assert!(rec.incoming.iter().all(|r| r.host != "imap.gmail.com"));
    assert!(run.probes().all(|p| p.host != "intercept.evil.test"));
    assert!(run
        .probes()
        .any(|p| p.host == "imap.gmail.com" && p.service == imaps));
    assert_ne!(run.exit_code, exits::OK);
    // The card travels alone: it carries the warning and what to do, not "see the report".
    let card = card(&run);
    assert!(card.contains("intercept.evil.test"), "{card}");
    assert!(card.contains("→"), "{card}");
}

/// One cause, one finding: an intercepting network shows the same foreign certificate on every
/// provider host and port; that is one error naming them all, not one per host and port.
#[tokio::test(flavor = "multi_thread")]
async fn interception_on_several_hosts_and_ports_is_one_finding() {
    let mut w = World::new();
    let foreign = w.ca.leaf(&["intercept.evil.test"]);
    w.serve_tls(&[10], Protocol::Imap, Security::Tls, &foreign)
        .await;
    w.serve_tls(&[11], Protocol::Smtp, Security::Tls, &foreign)
        .await;
    let n = w.net.prefix();
    let zones = [
        zone("corp.test", "@ IN MX 10 aspmx.l.google.com.\n"),
        zone("google.com", &format!("aspmx.l IN A {n}.12\n")),
        zone(
            "gmail.com",
            &format!("imap IN A {n}.10\nsmtp IN A {n}.11\n"),
        ),
    ];
    let run = w
        .run_with("alice@corp.test", &zones, |o| {
            o.extra_hosts = vec!["imap.gmail.com".into(), "smtp.gmail.com".into()];
        })
        .await;
    let all: Vec<_> = run
        .diagnosis
        .findings
        .iter()
        .filter(|f| f.code == Code::TlsInterceptionSuspected)
        .collect();
    assert_eq!(all.len(), 1, "{:#?}", run.diagnosis.findings);
    let text = message(all[0]);
    assert!(
        text.contains("imap.gmail.com") && text.contains("smtp.gmail.com"),
        "{text}"
    );
}

/// A domain that receives no mail (null MX) gets no settings, no export and no publishing
/// advice, whatever answers on the names mailprobe tried; and exits 3, as nothing applies.
#[tokio::test(flavor = "multi_thread")]
async fn a_null_mx_domain_gets_no_settings_whatever_answers() {
    let w = World::with_imaps(&["mail.nullmx.test"]).await;
    let n = w.net.prefix();
    let run = w
        .run_with(
            "accounts@nullmx.test",
            &[zone(
                "nullmx.test",
                &format!("@ IN MX 0 .\nmail IN A {n}.10\n"),
            )],
            |o| o.extra_hosts = vec!["mail.nullmx.test".into()],
        )
        .await;
    assert!(run.probes().any(|p| p.host == "mail.nullmx.test"));
    assert!(run.diagnosis.recommended.incoming.is_empty());
    assert!(run.diagnosis.recommended.outgoing.is_empty());
    assert!(finding(&run, Code::NullMx).is_some());
    assert!(finding(&run, Code::NoWorkingIncoming).is_none());
    assert!(finding(&run, Code::PublishedNone).is_none());
    let card = card(&run);
    assert!(!card.contains("confirmed"), "{card}");
    assert_eq!(run.exit_code, exits::NOTHING_WORKS);
    assert!(mailprobe::render::export::export(
        &run,
        mailprobe::render::export::ExportKind::Autoconfig
    )
    .is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn running_out_of_descriptors_is_named_as_local_not_blamed_on_servers() {
    let w = World::new();
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    let mx = w.ip(11).to_string();
    let probes: Vec<ProbeResult> = STANDARD_SERVICES
        .iter()
        .map(|s| {
            let mut p = ProbeResult::new("mx.ok.test", mx.parse().unwrap(), *s);
            // What tcp::classify makes of EMFILE.
            p.tcp = mailprobe::probe::tcp::classify(&std::io::Error::from_raw_os_error(24));
            p.failure = Some(Failure::new(
                Phase::Connect,
                FailureKind::Local(mailprobe::probe::LocalError::TooManyOpenFiles),
            ));
            p
        })
        .collect();
    // The same host answers on its second address: the first was never tried, not failing.
    let mut probes = probes;
    let second = w.ip(12).to_string();
    probes.extend(
        STANDARD_SERVICES
            .iter()
            .map(|s| answered("mx.ok.test", &second, *s)),
    );
    let run = rejudge(&run, probes, &STANDARD_SERVICES);
    assert!(finding(&run, Code::AddressFailing).is_none());
    let f = finding(&run, Code::LocalResourceExhausted).expect("local_resource_exhausted");
    assert!(message(f).contains("file descriptors"), "{}", message(f));
    for code in [
        Code::HostUnreachable,
        Code::HostNotServingMail,
        Code::PortRefused,
    ] {
        assert!(finding(&run, code).is_none(), "{code:?}");
    }
}

/// A setting clients are told whose probes the run's limits left out is "not probed", with the
/// limit named: never "broken", never a failure (before, a fleet of addresses sharing a domain
/// reported a healthy server as `published_setting_broken … not probed`).
#[tokio::test(flavor = "multi_thread")]
async fn a_published_setting_left_out_by_a_limit_is_not_called_broken() {
    use mailprobe::probe::Skip;
    use mailprobe::published::{Method, Outcome, Published, Setting, Source, Transport};
    let w = World::new();
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    let smtp = Service::new(465, Protocol::Smtp, Security::Tls);
    let mut skipped = ProbeResult::new("smtp.ok.test", w.ip(10), smtp);
    skipped.tcp = TcpOutcome::NotAttempted;
    skipped.failure = Some(Failure::new(
        Phase::Connect,
        FailureKind::Skipped(Skip::AddressBusy),
    ));
    let published = Published {
        address: "a@ok.test".into(),
        sources: vec![Source {
            method: Method::Autoconfig,
            url: "https://autoconfig.ok.test/mail/config-v1.1.xml".into(),
            final_url: None,
            transport: Transport::Https,
            outcome: Outcome::Settings(vec![Setting {
                protocol: Protocol::Smtp,
                host: "smtp.ok.test".into(),
                port: 465,
                security: Security::Tls,
                username: None,
            }]),
        }],
        microsoft_cname: None,
    };
    let probes = vec![skipped];
    let (_, diagnosis) = diagnose(&Evidence {
        target: &run.target,
        discovery: &run.discovery,
        identification: &run.identification,
        candidates: &run.candidates,
        probes: &probes,
        services: &[smtp],
        caps: &[],
        username: None,
        authority: None,
        delivery: None,
        published: Some(&published),
        sending: None,
        probed: true,
    });
    let codes: Vec<Code> = diagnosis.findings.iter().map(|f| f.code).collect();
    assert!(!codes.contains(&Code::PublishedSettingBroken), "{codes:?}");
    assert!(!codes.contains(&Code::AddressFailing), "{codes:?}");
    assert!(!codes.contains(&Code::NoWorkingOutgoing), "{codes:?}");
    let f = diagnosis
        .findings
        .iter()
        .find(|f| f.code == Code::PublishedSettingUnconfirmed)
        .expect("unconfirmed");
    let text = message(f);
    assert!(
        text.contains("not probed: other names on this address used up the time"),
        "{text}"
    );
}
