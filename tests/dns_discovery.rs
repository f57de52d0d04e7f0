//! DNS discovery and provider identification against a real DNS server on loopback.

mod support;

use std::time::Duration;

use mailprobe::discover::MxStatus;
use mailprobe::judge::findings::Code;
use mailprobe::net::dns::LookupError;
use mailprobe::provider::ProviderKind;
use mailprobe::{exits, Run};
use support::dns::{Fault, FaultyDns, TestDns};
use support::net::TestNet;

const ALL_ZONES: &[&str] = &[
    "records",
    "nullmx",
    "implicit",
    "empty",
    "cname",
    "mixed",
    "gws",
    "m365",
    "gateway",
    "selfhost",
    "unknown",
    "workmail",
    "mxip",
    "unresolved",
    "leaky",
    "srv",
];

async fn discover(target: &str) -> (Run, TestNet) {
    let net = TestNet::new();
    let dns = TestDns::with_fixtures(ALL_ZONES, &net).await;
    let mut o = support::options(target, dns.addr, &[], Duration::from_secs(2));
    o.probe = false;
    (support::run(&o).await, net)
}

fn has(run: &Run, code: Code) -> bool {
    run.diagnosis.findings.iter().any(|f| f.code == code)
}

#[tokio::test(flavor = "multi_thread")]
async fn mx_records_are_sorted_by_preference_and_resolved() {
    let (run, net) = discover("accounts@records.test").await;
    let d = &run.discovery;
    assert_eq!(d.mx_status, MxStatus::Ok);
    let prefs: Vec<u16> = d.mx.iter().map(|m| m.preference).collect();
    assert_eq!(prefs, vec![10, 20, 30]);
    assert_eq!(d.mx[0].exchange, "mx1.records.test");
    assert_eq!(d.mx[0].ttl, 3600);
    let addrs: Vec<String> = d.mx[0]
        .address_list()
        .iter()
        .map(|a| a.to_string())
        .collect();
    assert_eq!(
        addrs,
        vec![format!("{}.21", net.prefix()), "::1".to_string()]
    );
    assert_eq!(run.exit_code, exits::OK);
    let p = run.identification.provider.as_ref().expect("provider");
    assert_eq!(p.id, "self_hosted");
}

#[tokio::test(flavor = "multi_thread")]
async fn null_mx_is_told_apart() {
    let (run, _) = discover("nullmx.test").await;
    assert_eq!(run.discovery.mx_status, MxStatus::NullMx);
    assert!(has(&run, Code::NullMx));
    assert!(run.identification.provider.is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn implicit_mx_uses_the_domain_address() {
    let (run, net) = discover("implicit.test").await;
    assert_eq!(run.discovery.mx_status, MxStatus::Implicit);
    assert_eq!(
        run.discovery.domain_addresses.all()[0].to_string(),
        format!("{}.31", net.prefix())
    );
    assert!(has(&run, Code::ImplicitMx));
}

#[tokio::test(flavor = "multi_thread")]
async fn nxdomain_is_not_a_dns_failure() {
    let (run, _) = discover("nobody@nosuch.records.test").await;
    assert_eq!(run.discovery.mx_status, MxStatus::Nxdomain);
    assert_eq!(run.discovery.mx_error, Some(LookupError::NxDomain));
    assert!(has(&run, Code::Nxdomain));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_with_no_records_is_told_apart() {
    let (run, _) = discover("empty.test").await;
    assert_eq!(run.discovery.mx_status, MxStatus::NoRecords);
    assert!(has(&run, Code::NoMailRecords));
}

async fn broken_dns(fault: Fault) -> Run {
    let dns = FaultyDns::start(None, move |_, _| fault.clone()).await;
    let mut o = support::options(
        "user@anything.test",
        dns.addr,
        &[],
        Duration::from_millis(800),
    );
    o.probe = false;
    support::run(&o).await
}

#[tokio::test(flavor = "multi_thread")]
async fn servfail_is_a_dns_error_not_no_mail() {
    let run = broken_dns(Fault::ServFail).await;
    assert_eq!(run.discovery.mx_status, MxStatus::DnsError);
    assert_eq!(run.discovery.mx_error, Some(LookupError::ServFail));
    assert!(has(&run, Code::DnsFailure));
    assert!(!has(&run, Code::NoMailRecords));
    assert_eq!(run.exit_code, exits::NOTHING_WORKS);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_dns_server_is_a_timeout_within_the_deadline() {
    let started = std::time::Instant::now();
    let run = broken_dns(Fault::Silent).await;
    assert_eq!(run.discovery.mx_status, MxStatus::DnsError);
    assert_eq!(run.discovery.mx_error, Some(LookupError::Timeout));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_dns_server_is_a_dns_error() {
    // A UDP port nobody listens on: the query gets no answer.
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = socket.local_addr().unwrap();
    drop(socket);
    let mut o = support::options("user@anything.test", addr, &[], Duration::from_millis(800));
    o.probe = false;
    let run = support::run(&o).await;
    assert_eq!(run.discovery.mx_status, MxStatus::DnsError);
    assert_eq!(run.exit_code, exits::NOTHING_WORKS);
}

#[tokio::test(flavor = "multi_thread")]
async fn cname_exchange_is_flagged_and_still_resolved() {
    let (run, net) = discover("cname.test").await;
    assert!(has(&run, Code::MxIsCname));
    let mx = &run.discovery.mx[0];
    assert_eq!(
        mx.address_list()[0].to_string(),
        format!("{}.33", net.prefix())
    );
    assert_eq!(
        mx.addresses.as_ref().unwrap().cname_chain,
        vec!["real.cname.test"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn mixed_providers_are_flagged() {
    let (run, _) = discover("mixed.test").await;
    assert!(has(&run, Code::MxMixedProviders));
    assert_eq!(run.identification.provider.as_ref().unwrap().id, "google");
}

#[tokio::test(flavor = "multi_thread")]
async fn provider_classes_are_identified() {
    let cases = [
        ("gws.test", "google", ProviderKind::Mailbox),
        ("m365.test", "microsoft365", ProviderKind::Mailbox),
        ("gateway.test", "proofpoint", ProviderKind::Gateway),
        ("selfhost.test", "self_hosted", ProviderKind::Webhost),
        ("unknown.test", "unknown", ProviderKind::Webhost),
        ("workmail.test", "amazon_workmail", ProviderKind::Mailbox),
    ];
    for (domain, id, kind) in cases {
        let (run, _) = discover(domain).await;
        let p = run.identification.provider.as_ref().expect(domain);
        assert_eq!((p.id.as_str(), p.kind), (id, kind), "{domain}");
        // Two MX hosts of one gateway are one operator, not a mix.
        assert!(!has(&run, Code::MxMixedProviders), "{domain}");
    }
    let (run, _) = discover("workmail.test").await;
    let p = run.identification.provider.unwrap();
    assert_eq!(p.incoming[0].host, "imap.mail.eu-west-1.awsapps.com");
    let (run, _) = discover("m365.test").await;
    assert_eq!(
        run.identification.provider.unwrap().webmail.as_deref(),
        Some("https://outlook.office.com")
    );
    let (run, _) = discover("gateway.test").await;
    assert!(has(&run, Code::MxGateway));
}

#[tokio::test(flavor = "multi_thread")]
async fn mx_hygiene_findings() {
    let (run, _) = discover("mxip.test").await;
    assert!(has(&run, Code::MxIsIpAddress));
    let (run, _) = discover("unresolved.test").await;
    let f = run
        .diagnosis
        .findings
        .iter()
        .find(|f| f.code == Code::MxUnresolvable)
        .expect("unresolvable finding");
    assert_eq!(f.host.as_deref(), Some("gone.unresolved.test"));
    let (run, _) = discover("leaky.com").await;
    assert!(has(&run, Code::MxPrivateAddress));
    // Special-use test domains may point at loopback without complaint.
    let (run, _) = discover("records.test").await;
    assert!(!has(&run, Code::MxPrivateAddress));
}

#[tokio::test(flavor = "multi_thread")]
async fn srv_records_are_discovered() {
    let (run, _) = discover("srv.test").await;
    let srv = &run.discovery.srv;
    let imaps = srv
        .iter()
        .find(|s| s.service == "_imaps._tcp")
        .expect("imaps");
    assert_eq!(
        (imaps.port, imaps.target.as_str(), imaps.offered),
        (993, "mail.srv.test", true)
    );
    let pop3 = srv
        .iter()
        .find(|s| s.service == "_pop3._tcp")
        .expect("pop3");
    assert!(!pop3.offered);
    assert!(has(&run, Code::SrvNotOffered));
    assert_eq!(
        srv.iter()
            .filter(|s| s.service.starts_with("_submission"))
            .count(),
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_record_type_timing_out_is_reported() {
    let net = TestNet::new();
    let upstream = TestDns::with_fixtures(&["records"], &net).await;
    let dns = FaultyDns::start(Some(upstream.addr), |name, rtype| {
        if rtype == hickory_proto::rr::RecordType::AAAA && name.to_ascii().starts_with("mx1") {
            Fault::Silent
        } else {
            Fault::Forward
        }
    })
    .await;
    let mut o = support::options("records.test", dns.addr, &[], Duration::from_millis(800));
    o.probe = false;
    let run = support::run(&o).await;
    let mx1 = &run.discovery.mx[0];
    let addrs = mx1.addresses.as_ref().unwrap();
    assert_eq!(addrs.ipv6, Err(LookupError::Timeout));
    assert!(addrs.ipv4.is_ok());
    assert!(has(&run, Code::DnsPartialFailure));
}

/// A list of domains must not overwhelm the user's own resolver: a dnsmasq-like resolver that
/// refuses beyond 60 queries in flight never has to refuse one, and every answer is the real
/// one (before, 300 lookups at once were refused and read as "does not resolve").
#[tokio::test(flavor = "multi_thread")]
async fn queries_in_flight_stay_within_what_a_small_resolver_takes() {
    use std::sync::atomic::Ordering;
    let upstream = TestDns::start(&[support::dns::zone(
        "cap.test",
        "@ IN MX 10 mx.cap.test.\nmx IN A 127.0.0.1\n",
    )])
    .await;
    let capped =
        support::dns::CappedDns::start(upstream.addr, 60, Duration::from_millis(100)).await;
    let dns = mailprobe::net::dns::Dns::new(&mailprobe::net::dns::DnsSettings {
        servers: vec![capped.addr],
        timeout: Duration::from_secs(5),
    })
    .unwrap();
    let names: Vec<String> = (0..300).map(|i| format!("d{i}.cap.test")).collect();
    let answers = futures::future::join_all(names.iter().map(|n| dns.mx(n))).await;
    for a in &answers {
        assert_eq!(a.as_ref().err(), Some(&LookupError::NxDomain), "{a:?}");
    }
    assert_eq!(capped.refused.load(Ordering::SeqCst), 0);
    let most = capped.most_in_flight.load(Ordering::SeqCst);
    assert!(
        most <= mailprobe::net::dns::MAX_QUERIES_IN_FLIGHT,
        "{most} in flight"
    );
    // Identical questions asked at once are asked once.
    let before = capped.queries.load(Ordering::SeqCst);
    let same = futures::future::join_all((0..50).map(|_| dns.mx("cap.test"))).await;
    assert!(same
        .iter()
        .all(|a| a.as_ref().is_ok_and(|mx| mx.len() == 1)));
    assert!(capped.queries.load(Ordering::SeqCst) - before <= 2);
}

/// A DNS server whose port is closed is named as such (not "timeout"); a silent one among
/// several is named, and the others' answers are used.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_or_silent_dns_server_is_named() {
    // A port nothing listens on: bound, then released.
    let closed = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut o = support::options("ok.test", closed, &[], Duration::from_secs(1));
    o.probe = false;
    let started = std::time::Instant::now();
    let run = support::run(&o).await;
    assert_eq!(run.discovery.mx_error, Some(LookupError::ServerRefused));
    // Seen at once: no stage waits for the resolver library to give up on a closed port.
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    let f = support::scenario::finding(&run, Code::DnsFailure).unwrap();
    assert!(support::scenario::message(f).contains("connection refused"));

    // A server that takes queries and never answers, next to one that works.
    let silent = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let net = TestNet::new();
    let dns = TestDns::start(&[support::scenario::ok_zone(&net)]).await;
    let mut o = support::options("ok.test", dns.addr, &[], Duration::from_secs(1));
    o.dns_servers = vec![silent.local_addr().unwrap(), dns.addr];
    o.probe = false;
    let run = support::run(&o).await;
    assert_eq!(
        run.discovery.mx_status,
        MxStatus::Ok,
        "{:?}",
        run.discovery.mx_error
    );
    let f =
        support::scenario::finding(&run, Code::ResolverUnreachable).expect("resolver_unreachable");
    let text = support::scenario::message(f);
    assert!(
        text.contains(&silent.local_addr().unwrap().to_string()) && text.contains("did not answer"),
        "{text}"
    );
    // All answering: no such finding.
    let mut o = support::options("ok.test", dns.addr, &[], Duration::from_secs(1));
    o.probe = false;
    assert!(
        support::scenario::finding(&support::run(&o).await, Code::ResolverUnreachable).is_none()
    );
}
