//! Delivery security against in-process servers: MTA-STS policies served over real HTTPS (test
//! PKI), MX hosts speaking SMTP with STARTTLS, SPF/DMARC/TLS-RPT/TLSA records from the DNS test
//! server, and TLSA matching for every usage, selector and matching type.

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mailprobe::delivery::dane::{check_record, Match};
use mailprobe::judge::findings::{Code, Severity};
use mailprobe::net::authority::Tlsa;
use mailprobe::service::{Protocol, Security, Service};
use mailprobe::Run;
use support::dns::zone;
use support::pki::Leaf;
use support::scenario::{finding, message, messages, World};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// An HTTPS server answering every request with `response` (raw HTTP), after `delay`.
async fn policy_server(addr: SocketAddr, leaf: &Leaf, response: Vec<u8>, delay: Duration) -> u16 {
    let listener = TcpListener::bind(addr).await.expect("bind policy server");
    let port = listener.local_addr().unwrap().port();
    let acceptor = tokio_rustls::TlsAcceptor::from(leaf.server_config());
    let response = Arc::new(response);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let response = response.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = [0u8; 4096];
                let _ = tls.read(&mut buf).await;
                tokio::time::sleep(delay).await;
                let _ = tls.write_all(&response).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

fn http(status: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn policy(mode: &str, mx: &[&str]) -> Vec<u8> {
    let mut body = format!("version: STSv1\r\nmode: {mode}\r\n");
    for m in mx {
        body.push_str(&format!("mx: {m}\r\n"));
    }
    body.push_str("max_age: 86400\r\n");
    http("200 OK", "text/plain; charset=utf-8", &body)
}

/// ok.test: MX mx.ok.test (.11, SMTP with STARTTLS), mta-sts.ok.test (.30), plus `records`.
fn delivery_zone(w: &World, records: &str) -> String {
    let n = w.net.prefix();
    zone(
        "ok.test",
        &format!(
            "@ IN MX 10 mx.ok.test.\nmx IN A {n}.11\nmta-sts IN A {n}.30\nsmtp IN A {n}.10\n{records}"
        ),
    )
}

struct Setup {
    w: World,
    https_port: u16,
    inbound: Service,
}

/// The MX (.11) with a certificate for `mx_names`, and a policy server (.30) answering
/// `response`.
async fn setup(mx_names: &[&str], response: Vec<u8>, delay: Duration) -> Setup {
    let mut w = World::new();
    let mx_leaf = w.ca.leaf(mx_names);
    let inbound = w
        .serve_tls(&[11], Protocol::Smtp, Security::StartTls, &mx_leaf)
        .await;
    let web = w.ca.leaf(&["mta-sts.ok.test"]);
    let https_port = policy_server(SocketAddr::new(w.ip(30), 0), &web, response, delay).await;
    Setup {
        w,
        https_port,
        inbound,
    }
}

async fn run(s: &Setup, records: &str) -> Run {
    let zone = delivery_zone(&s.w, records);
    s.w.run_with("a@ok.test", &[zone], |o| {
        o.delivery = true;
        o.https_port = s.https_port;
    })
    .await
}

const STS: &str = "_mta-sts IN TXT \"v=STSv1; id=20261124T000000;\"\n";
const RPT: &str = "_smtp._tls IN TXT \"v=TLSRPTv1; rua=mailto:tls@ok.test\"\n";

#[tokio::test(flavor = "multi_thread")]
async fn an_enforce_policy_that_leaves_out_the_mx_says_senders_will_refuse() {
    let s = setup(
        &["mx.ok.test"],
        policy("enforce", &["mail.elsewhere.test"]),
        Duration::ZERO,
    )
    .await;
    let r = run(&s, &format!("{STS}{RPT}")).await;
    let f = finding(&r, Code::MtaStsMxNotCovered).expect("mta_sts_mx_not_covered");
    assert_eq!(f.severity, Severity::Error);
    let text = message(f);
    assert!(
        text.contains("senders that enforce MTA-STS will refuse to deliver to mx.ok.test"),
        "{text}"
    );
    assert!(text.contains("mail.elsewhere.test"), "{text}");
    assert!(finding(&r, Code::MtaStsInOrder).is_none());
    // The MX itself was probed on its inbound port all the same.
    assert!(r
        .probes()
        .any(|p| p.host == "mx.ok.test" && p.service == s.inbound));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_consistent_policy_is_in_order() {
    let s = setup(
        &["mx.ok.test"],
        policy("enforce", &["*.ok.test"]),
        Duration::ZERO,
    )
    .await;
    let r = run(&s, &format!("{STS}{RPT}")).await;
    let f = finding(&r, Code::MtaStsInOrder).unwrap_or_else(|| {
        panic!(
            "{:?}",
            r.diagnosis.findings.iter().map(message).collect::<Vec<_>>()
        )
    });
    assert!(message(f).contains("MTA-STS (enforce) is in order: 1 MX host covered"));
    assert!(finding(&r, Code::TlsRptMissing).is_none());
    let mut json = Vec::new();
    mailprobe::render::json::render(&r, &mut json).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let sts = &v["delivery"]["mta_sts"];
    assert_eq!(sts["record"], "present");
    assert_eq!(sts["id"], "20261124T000000");
    assert_eq!(sts["mode"], "enforce");
    assert_eq!(sts["mx"][0], "*.ok.test");
    assert_eq!(
        v["delivery"]["tls_rpt"]["report_to"][0],
        "mailto:tls@ok.test"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_for_another_name_fails_mta_sts_testing_mode_delivers() {
    let s = setup(
        &["server1.hoster.test"],
        policy("testing", &["mx.ok.test"]),
        Duration::ZERO,
    )
    .await;
    let r = run(&s, STS).await;
    let f = finding(&r, Code::MtaStsCertificateInvalid).expect("mta_sts_certificate_invalid");
    assert_eq!(f.severity, Severity::Warning);
    let text = message(f);
    assert!(text.contains("not valid for the MX name"), "{text}");
    assert!(
        text.contains("senders still deliver to mx.ok.test and report"),
        "{text}"
    );
    // MTA-STS is in use: where are failures reported?
    assert!(finding(&r, Code::TlsRptMissing).is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn policies_that_cannot_be_used_are_named_with_the_reason() {
    // A redirect is never followed.
    let redirect =
        b"HTTP/1.1 301 Moved\r\nLocation: https://elsewhere.test/p\r\nContent-Length: 0\r\n\r\n"
            .to_vec();
    let s = setup(&["mx.ok.test"], redirect, Duration::ZERO).await;
    let r = run(&s, STS).await;
    let text = message(finding(&r, Code::MtaStsPolicyUnavailable).expect("redirect"));
    assert!(
        text.contains("redirect to https://elsewhere.test/p"),
        "{text}"
    );

    // More than 64 KiB is not read.
    let big = http("200 OK", "text/plain", &"x".repeat(70_000));
    let s = setup(&["mx.ok.test"], big, Duration::ZERO).await;
    let r = run(&s, STS).await;
    assert!(message(finding(&r, Code::MtaStsPolicyUnavailable).expect("big")).contains("64 KiB"));

    // An invalid policy: every problem named.
    let bad = http("200 OK", "text/plain", "version: STSv1\r\nmode: strict\r\n");
    let s = setup(&["mx.ok.test"], bad, Duration::ZERO).await;
    let r = run(&s, STS).await;
    let text = message(finding(&r, Code::MtaStsPolicyInvalid).expect("invalid"));
    assert!(
        text.contains("mode strict") && text.contains("no max_age"),
        "{text}"
    );

    // A policy without the TXT record: senders never fetch it.
    let s = setup(
        &["mx.ok.test"],
        policy("enforce", &["mx.ok.test"]),
        Duration::ZERO,
    )
    .await;
    let r = run(&s, "").await;
    assert!(finding(&r, Code::MtaStsRecordMissing).is_some());
    assert!(finding(&r, Code::MtaStsMxNotCovered).is_none());

    // A policy server that never answers costs one timeout, not more.
    let s = setup(
        &["mx.ok.test"],
        policy("enforce", &["mx.ok.test"]),
        Duration::from_secs(30),
    )
    .await;
    let started = Instant::now();
    let r = run(&s, STS).await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    let text = message(finding(&r, Code::MtaStsPolicyUnavailable).expect("slow"));
    assert!(text.contains("no answer in time"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn tlsa_records_the_resolver_does_not_vouch_for_are_ignored_by_senders() {
    let s = setup(
        &["mx.ok.test"],
        http("404 Not Found", "text/plain", ""),
        Duration::ZERO,
    )
    .await;
    let r = run(
        &s,
        &format!("_25._tcp.mx IN TLSA 3 1 1 {}\n", "ab".repeat(32)),
    )
    .await;
    let f = finding(&r, Code::DaneZoneInsecure).expect("dane_zone_insecure");
    assert!(message(f).contains("not DNSSEC-secure"), "{}", message(f));
    assert!(finding(&r, Code::DaneTlsaMismatch).is_none());
    // No _mta-sts record and a 404: the domain does not use MTA-STS; nothing is claimed.
    assert!(r
        .diagnosis
        .findings
        .iter()
        .all(|f| !format!("{:?}", f.code).starts_with("MtaSts")));
}

#[tokio::test(flavor = "multi_thread")]
async fn spf_is_evaluated_for_the_recommended_outgoing_server() {
    let mut w = World::new();
    let n = w.net.prefix();
    let leaf = w.ca.leaf(&["smtp.ok.test", "mx.ok.test"]);
    w.serve_tls(&[10], Protocol::Smtp, Security::Tls, &leaf)
        .await;
    let base = format!("@ IN MX 10 mx.ok.test.\nmx IN A {n}.11\nsmtp IN A {n}.10\n");
    let go = |records: String| {
        let zone = zone("ok.test", &format!("{base}{records}"));
        let w = &w;
        async move {
            w.run_with("a@ok.test", &[zone], |o| o.delivery = true)
                .await
        }
    };
    let r = go(format!("@ IN TXT \"v=spf1 ip4:{n}.10 -all\"\n")).await;
    let f = finding(&r, Code::SpfAuthorizesServer).expect("spf pass");
    assert!(
        message(f).contains(&format!("smtp.ok.test ({n}.10)")),
        "{}",
        message(f)
    );
    assert!(finding(&r, Code::DmarcMissing).is_some());

    let r = go(
        "@ IN TXT \"v=spf1 ip4:192.0.2.1 -all\"\n_dmarc IN TXT \"v=DMARC1; p=reject; rua=mailto:d@ok.test\"\n"
            .to_string(),
    )
    .await;
    let f = finding(&r, Code::SpfNotAuthorizingServer).expect("spf fail");
    assert_eq!(f.severity, Severity::Error);
    assert!(message(f).contains("reject"), "{}", message(f));
    assert!(finding(&r, Code::DmarcPolicy).is_some());

    let r = go("@ IN TXT \"v=spf1 ip4:1.2.3.4 -all\"\n@ IN TXT \"v=spf1 -all\"\n".into()).await;
    assert!(finding(&r, Code::SpfInvalid).is_some());
    // Two DMARC records: none applies (RFC 7489 6.6.3), never the stricter one.
    let r = go("_dmarc IN TXT \"v=DMARC1; p=reject\"\n_dmarc IN TXT \"v=DMARC1; p=none\"\n".into())
        .await;
    assert!(finding(&r, Code::DmarcPolicy).is_none());
    let f = finding(&r, Code::DmarcInvalid).expect("two records said");
    assert!(
        message(f).contains("more than one DMARC record"),
        "{}",
        message(f)
    );
    let r = go(String::new()).await;
    assert!(finding(&r, Code::SpfMissing).is_some());
}

/// TLSA records for every usage, selector and matching type against a real chain.
#[test]
fn tlsa_records_match_as_rfc_7672_says() {
    use ring::digest::{digest, SHA256, SHA512};
    let ca = support::pki::TestCa::new();
    let leaf = ca.leaf_via_intermediate(&["mx.ok.test"], true);
    let chain: Vec<Vec<u8>> = leaf.chain.iter().map(|c| c.as_ref().to_vec()).collect();
    assert!(chain.len() >= 2, "leaf and intermediate");
    let spki = |der: &[u8]| {
        let (_, c) = x509_parser::parse_x509_certificate(der).unwrap();
        c.tbs_certificate.subject_pki.raw.to_vec()
    };
    let t = |usage, selector, matching, data: Vec<u8>| Tlsa {
        usage,
        selector,
        matching,
        data,
    };
    let leaf_der = chain[0].clone();
    let ta_der = chain[1].clone();
    let cases = [
        (t(3, 0, 0, leaf_der.clone()), Match::Matches),
        (
            t(3, 1, 1, digest(&SHA256, &spki(&leaf_der)).as_ref().to_vec()),
            Match::Matches,
        ),
        (
            t(3, 0, 2, digest(&SHA512, &leaf_der).as_ref().to_vec()),
            Match::Matches,
        ),
        (t(3, 1, 0, spki(&leaf_der)), Match::Matches),
        (
            t(2, 0, 1, digest(&SHA256, &ta_der).as_ref().to_vec()),
            Match::Matches,
        ),
        (
            t(2, 1, 2, digest(&SHA512, &spki(&ta_der)).as_ref().to_vec()),
            Match::Matches,
        ),
        // DANE-TA never matches the leaf itself, DANE-EE never the issuer.
        (
            t(2, 0, 1, digest(&SHA256, &leaf_der).as_ref().to_vec()),
            Match::NoMatch,
        ),
        (
            t(3, 0, 1, digest(&SHA256, &ta_der).as_ref().to_vec()),
            Match::NoMatch,
        ),
        // A stale record (another key).
        (t(3, 1, 1, vec![0xab; 32]), Match::NoMatch),
        // PKIX usages are unusable for SMTP; unknown selectors and matching types too.
        (t(1, 0, 0, leaf_der.clone()), Match::Unusable),
        (t(0, 0, 0, ta_der.clone()), Match::Unusable),
        (t(3, 2, 0, leaf_der.clone()), Match::Unusable),
        (t(3, 0, 3, leaf_der.clone()), Match::Unusable),
    ];
    for (record, expected) in cases {
        assert_eq!(
            check_record(&record, &chain),
            expected,
            "{} {} {}",
            record.usage,
            record.selector,
            record.matching
        );
    }
    assert_eq!(check_record(&t(3, 0, 0, leaf_der), &[]), Match::NoMatch);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trust_anchor_file_that_is_not_one_stops_the_run_with_the_reason() {
    let w = World::new();
    let zone = delivery_zone(&w, "");
    let dns = support::dns::TestDns::start(&[zone]).await;
    let dir = tempfile::tempdir().unwrap();
    let unbound = dir.path().join("unbound.conf");
    std::fs::write(&unbound, "server:\n  trust-anchor-file: \"/x.key\"\n").unwrap();
    let broken = dir.path().join("broken.key");
    std::fs::write(&broken, "dane.test. IN DNSKEY 257 3 13 !!notbase64\n").unwrap();
    for (path, reason) in [
        ("/dev/zero", "not a regular file"),
        ("/etc/hostname", "line 1 is not a DNSKEY or DS record"),
        (
            unbound.to_str().unwrap(),
            "line 1 is not a DNSKEY or DS record: 'server:'",
        ),
        (
            broken.to_str().unwrap(),
            "a DNSKEY record in it cannot be read",
        ),
    ] {
        let mut o = support::options("ok.test", dns.addr, &[], Duration::from_secs(1));
        o.trust_anchor = Some(path.into());
        let e = mailprobe::run(&o.target, &o, &mailprobe::probe::engine::Silent)
            .await
            .err()
            .unwrap_or_else(|| panic!("{path} accepted"));
        assert!(e.to_string().contains(reason), "{path}: {e}");
    }
}

/// SPF's structure, whatever sends (issue 25): includes followed and lookups counted against
/// RFC 7208's limits, an include of a name without SPF, `+all`, `?all`, `ptr`, void lookups —
/// said even when no outgoing server answers. Nothing in the zone listens here.
#[tokio::test(flavor = "multi_thread")]
async fn spf_structure_is_judged_whatever_sends() {
    let w = World::new();
    let n = w.net.prefix();
    let base = format!("@ IN MX 10 mx.ok.test.\nmx IN A {n}.11\n");
    let go = |records: String| {
        let zone = zone("ok.test", &format!("{base}{records}"));
        let w = &w;
        async move { w.run_with("ok.test", &[zone], |o| o.delivery = true).await }
    };
    let codes =
        |r: &mailprobe::Run| -> Vec<Code> { r.diagnosis.findings.iter().map(|f| f.code).collect() };
    // Eleven lookups: two includes and mx at the top, three a: in one, four a: and an exists:
    // in the other.
    let hosts: String = (1..=6).map(|i| format!("h{i} IN A {n}.20\n")).collect();
    let r = go(format!(
        "@ IN TXT \"v=spf1 include:one.ok.test include:two.ok.test mx -all\"\n\
         one IN TXT \"v=spf1 a:h1.ok.test a:h2.ok.test a:h3.ok.test -all\"\n\
         two IN TXT \"v=spf1 a:h4.ok.test a:h5.ok.test a:h6.ok.test a:h1.ok.test exists:h1.ok.test ?all\"\n{hosts}"
    ))
    .await;
    let f = finding(&r, Code::SpfTooManyLookups)
        .unwrap_or_else(|| panic!("{:?} {:?}", codes(&r), r.delivery));
    assert_eq!(f.severity, Severity::Error);
    assert!(
        message(f).contains("needs 11 DNS lookups"),
        "{}",
        message(f)
    );
    // An include's own ?all is not the domain's end.
    assert!(
        finding(&r, Code::SpfAllNeutral).is_none(),
        "{:?}",
        codes(&r)
    );
    let mut out = Vec::new();
    mailprobe::render::json::render(&r, &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["delivery"]["spf"]["structure"]["lookups"], 11);

    // Ten (without the top's mx) is within the limit.
    let r = go(format!(
        "@ IN TXT \"v=spf1 include:one.ok.test include:two.ok.test -all\"\n\
         one IN TXT \"v=spf1 a:h1.ok.test a:h2.ok.test a:h3.ok.test -all\"\n\
         two IN TXT \"v=spf1 a:h4.ok.test a:h5.ok.test a:h6.ok.test a:h1.ok.test exists:h1.ok.test ~all\"\n{hosts}"
    ))
    .await;
    assert!(
        finding(&r, Code::SpfTooManyLookups).is_none(),
        "{:?}",
        codes(&r)
    );
    assert!(r
        .diagnosis
        .findings
        .iter()
        .all(|f| !format!("{:?}", f.code).starts_with("SpfT")));

    // An include of a name without SPF (a provider left long ago), +all and ptr.
    let r = go("@ IN TXT \"v=spf1 include:gone.ok.test include:web.ok.test ptr +all\"\nweb IN TXT \"google-site-verification=x\"\n".into()).await;
    let f = finding(&r, Code::SpfIncludeWithoutSpf).unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert!(
        message(f).contains("gone.ok.test") && message(f).contains("web.ok.test"),
        "{}",
        message(f)
    );
    assert_eq!(
        finding(&r, Code::SpfAllPass).expect("+all").severity,
        Severity::Error
    );
    assert_eq!(
        finding(&r, Code::SpfPtr).expect("ptr").severity,
        Severity::Warning
    );
    // Only gone.ok.test gave nothing: one void lookup is within the limit of two.
    assert!(finding(&r, Code::SpfTooManyVoidLookups).is_none());

    // Three a: terms naming nothing: more than two void lookups.
    let r = go("@ IN TXT \"v=spf1 a:no1.ok.test a:no2.ok.test a:no3.ok.test ?all\"\n".into()).await;
    let f = finding(&r, Code::SpfTooManyVoidLookups).unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert!(message(f).contains("3 names"), "{}", message(f));
    assert_eq!(
        finding(&r, Code::SpfAllNeutral).expect("?all").severity,
        Severity::Warning
    );

    // A loop: include of itself. The walk ends at its cap and says the counts are lower bounds,
    // never "in order".
    let r = go("@ IN TXT \"v=spf1 include:loop.ok.test -all\"\nloop IN TXT \"v=spf1 include:loop.ok.test -all\"\n".into()).await;
    assert!(
        finding(&r, Code::SpfTreeIncomplete).is_some(),
        "{:?}",
        codes(&r)
    );
    assert!(
        finding(&r, Code::SpfTooManyLookups).is_some(),
        "{:?}",
        codes(&r)
    );
}

/// Reverse DNS of the SMTP servers that answer (issue 25), through the DNS test server: a PTR
/// that resolves back, one that does not, and a lookup the server refuses — "cannot tell",
/// never "missing".
#[tokio::test(flavor = "multi_thread")]
async fn reverse_dns_of_the_sending_servers() {
    let mut w = World::new();
    let n = w.net.prefix();
    let leaf = w.ca.leaf(&["smtp.ok.test", "mx.ok.test"]);
    w.serve_tls(&[10], Protocol::Smtp, Security::Tls, &leaf)
        .await;
    let reverse_zone = reverse_zone_of(&n);
    let ok = zone(
        "ok.test",
        &format!("@ IN MX 10 mx.ok.test.\nmx IN A {n}.11\nsmtp IN A {n}.10\n"),
    );
    let go = |ptr: Option<&str>| {
        let mut zones = vec![ok.clone()];
        if let Some(target) = ptr {
            zones.push(zone(&reverse_zone, &format!("10 IN PTR {target}.\n")));
        }
        let w = &w;
        async move { w.run_with("a@ok.test", &zones, |o| o.delivery = true).await }
    };
    let r = go(Some("smtp.ok.test")).await;
    let f = finding(&r, Code::PtrInOrder).unwrap_or_else(|| panic!("{:#?}", r.diagnosis.findings));
    assert!(
        message(f).contains(&format!("({n}.10) has reverse DNS smtp.ok.test")),
        "{}",
        message(f)
    );
    assert!(finding(&r, Code::PtrMissing).is_none());

    let r = go(Some("generic-10.isp.example")).await;
    let f = finding(&r, Code::PtrNotConfirmed).expect("not confirmed");
    assert!(
        message(f).contains("generic-10.isp.example"),
        "{}",
        message(f)
    );
    // A private address: receivers never meet it, so it is said, not warned about.
    assert_eq!(f.severity, Severity::Info);

    // No reverse zone at all: the test server refuses, which is "cannot tell".
    let r = go(None).await;
    assert!(
        finding(&r, Code::PtrUnknown).is_some(),
        "{:#?}",
        r.diagnosis.findings
    );
    assert!(finding(&r, Code::PtrMissing).is_none());
    let mut out = Vec::new();
    mailprobe::render::json::render(&r, &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["sending"]["reverse"][0]["ptr"], "lookup_failed");
}

/// The addresses the SPF record lists itself are checked too (issue 25): an `ip4:` no SMTP
/// probe reached, with no PTR in a reverse zone that exists.
#[tokio::test(flavor = "multi_thread")]
async fn spf_listed_addresses_get_the_reverse_check() {
    let w = World::new();
    let n = w.net.prefix();
    let reverse_zone = reverse_zone_of(&n);
    let zones = [
        zone(
            "ok.test",
            &format!(
                "@ IN MX 10 mx.ok.test.\nmx IN A {n}.11\nout IN A {n}.51\n@ IN TXT \"v=spf1 ip4:{n}.50 a:out.ok.test ip4:{n}.0/24 -ip4:{n}.52 -all\"\n"
            ),
        ),
        zone(&reverse_zone, "51 IN PTR out.ok.test.\n"),
    ];
    let r = w.run_with("ok.test", &zones, |o| o.delivery = true).await;
    let reverse = &r.sending.as_ref().expect("sending").reverse;
    let hosts: Vec<&str> = reverse.iter().map(|x| x.host.as_str()).collect();
    // The single ip4 and the a: host; never the /24 range or the excluded address.
    assert_eq!(
        hosts,
        vec![format!("SPF ip4:{n}.50").as_str(), "out.ok.test"],
        "{reverse:#?}"
    );
    let missing = finding(&r, Code::PtrMissing).expect("ptr_missing");
    assert!(
        message(missing).contains(&format!("SPF ip4:{n}.50 ({n}.50) has no reverse DNS")),
        "{}",
        message(missing)
    );
    let ok = finding(&r, Code::PtrInOrder).expect("ptr_in_order");
    assert!(message(ok).contains("out.ok.test"), "{}", message(ok));
}

/// DNS blocklists: a list that behaves names a sender with its reason and code meaning; one
/// that lists its never-listed test address is "cannot tell" for every address, never "listed";
/// a list without IPv6 answers is "cannot tell" for an IPv6 sender, never "not listed".
#[tokio::test]
async fn blocklists_are_trusted_only_after_their_test_points() {
    let w = World::new();
    let n = w.net.prefix();
    let rev = reverse_zone_of(&n)
        .trim_end_matches(".in-addr.arpa")
        .to_string();
    let zones = [
        zone(
            "ok.test",
            &format!("@ IN MX 10 mx.ok.test.\nmx IN A {n}.11\n@ IN TXT \"v=spf1 ip4:{n}.10 ip4:{n}.12 ip6:2001:db8::25 -all\"\n"),
        ),
        zone(
            "good.bl.test",
            &format!("2.0.0.127 IN A 127.0.0.2\n10.{rev} IN A 127.0.0.4\n10.{rev} IN TXT \"infected, see https://good.bl.test/10\"\n"),
        ),
        zone("all.bl.test", "* IN A 127.0.0.2\n"),
    ];
    let r = w
        .run_with("ok.test", &zones, |o| {
            o.delivery = true;
            o.blocklists = vec!["good.bl.test".into(), "all.bl.test".into()];
        })
        .await;
    let listed = messages(&r, Code::Blocklisted);
    assert_eq!(listed.len(), 1, "{:#?}", r.diagnosis.findings);
    assert!(
        listed[0].contains(&format!("({n}.10) is listed on good.bl.test")),
        "{}",
        listed[0]
    );
    assert!(listed[0].contains("127.0.0.4"), "{}", listed[0]);
    assert!(
        listed[0].contains("https://good.bl.test/10"),
        "{}",
        listed[0]
    );
    let clear = finding(&r, Code::BlocklistsClear).expect("clear");
    assert!(
        message(clear).contains(&format!("({n}.12)")),
        "{}",
        message(clear)
    );
    let unknown = messages(&r, Code::BlocklistCannotTell);
    assert!(
        unknown
            .iter()
            .any(|m| m.contains("all.bl.test") && m.contains("127.0.0.1")),
        "{unknown:#?}"
    );
    assert!(
        unknown.iter().any(|m| m.contains("2001:db8::25")
            && m.contains("good.bl.test")
            && m.contains("IPv6")),
        "{unknown:#?}"
    );
    assert_eq!(
        finding(&r, Code::BlocklistCannotTell).map(|f| f.severity),
        Some(Severity::Warning)
    );
}

/// The `in-addr.arpa` zone of a world's /24 (`127.217.3` → `3.217.127.in-addr.arpa`).
fn reverse_zone_of(prefix: &str) -> String {
    let mut octets: Vec<&str> = prefix.split('.').collect();
    octets.reverse();
    format!("{}.in-addr.arpa", octets.join("."))
}
