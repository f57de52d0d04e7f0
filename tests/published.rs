//! What mail clients are told, against in-process web servers (HTTPS with the test PKI, and
//! plain HTTP) and mail servers: stale autoconfig, Autodiscover POX with redirects, the
//! redirect cap and the parent-domain rule, hostile XML, configuration over plain HTTP, the
//! Microsoft 365 CNAME, and the export round trip.

mod support;

use std::net::SocketAddr;

use mailprobe::judge::findings::{Code, Severity};
use mailprobe::published::{autoconfig, Method, MicrosoftCname, Outcome, Refusal, MAX_HOPS};
use mailprobe::render::export::{export, ExportError, ExportKind};
use mailprobe::service::{Protocol, Security, Service};
use mailprobe::Run;
use support::dns::zone;
use support::scenario::{finding, message, messages, World};
use support::web::{not_found, redirect, response, Request, Web};

/// ok.test: mail at .10, the MX at .11, web (the domain, autoconfig., autodiscover.) at .30.
fn site_zone(w: &World, extra: &str) -> String {
    let n = w.net.prefix();
    zone(
        "ok.test",
        &format!(
            "@ IN MX 10 mx.ok.test.\n@ IN A {n}.30\nimap IN A {n}.10\nsmtp IN A {n}.10\nmail IN A {n}.10\nmx IN A {n}.11\nautoconfig IN A {n}.30\nautodiscover IN A {n}.30\n{extra}"
        ),
    )
}

/// A Mozilla autoconfig file naming these servers (kind, host, port, socketType).
fn config(servers: &[(&str, &str, u16, &str)]) -> String {
    let mut body = String::from(
        "<?xml version=\"1.0\"?>\n<clientConfig version=\"1.1\"><emailProvider id=\"ok.test\"><domain>ok.test</domain>",
    );
    for (kind, host, port, socket) in servers {
        let element = if *kind == "smtp" {
            "outgoingServer"
        } else {
            "incomingServer"
        };
        body.push_str(&format!(
            "<{element} type=\"{kind}\"><hostname>{host}</hostname><port>{port}</port><socketType>{socket}</socketType><username>%EMAILADDRESS%</username></{element}>"
        ));
    }
    body.push_str("</emailProvider></clientConfig>\n");
    body
}

fn xml(body: &str) -> Vec<u8> {
    response("200 OK", "text/xml", body)
}

/// An Autodiscover POX answer with these protocols (type, server, port, encryption).
fn pox(protocols: &[(&str, &str, u16, &str)]) -> String {
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\"><Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\"><Account><AccountType>email</AccountType><Action>settings</Action>",
    );
    for (kind, server, port, encryption) in protocols {
        body.push_str(&format!(
            "<Protocol><Type>{kind}</Type><Server>{server}</Server><Port>{port}</Port><Encryption>{encryption}</Encryption></Protocol>"
        ));
    }
    body.push_str("</Account></Response></Autodiscover>");
    body
}

fn pox_redirect(action: &str, element: &str, target: &str) -> String {
    format!("<Autodiscover><Response><Account><Action>{action}</Action><{element}>{target}</{element}></Account></Response></Autodiscover>")
}

struct Site {
    w: World,
    imaps: Service,
    submissions: Service,
    closed_imap: Service,
    closed_smtp: Service,
}

/// Working implicit-TLS IMAP and SMTP at .10, and two ports where nothing listens.
async fn site() -> Site {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test", "smtp.ok.test", "mail.ok.test"]);
    let imaps = w
        .serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let submissions = w
        .serve_tls(&[10], Protocol::Smtp, Security::Tls, &leaf)
        .await;
    let closed_imap = w.dead_service(Protocol::Imap, Security::StartTls);
    let closed_smtp = w.dead_service(Protocol::Smtp, Security::StartTls);
    Site {
        w,
        imaps,
        submissions,
        closed_imap,
        closed_smtp,
    }
}

/// The HTTPS server (names of the domain's web) and the plain-HTTP one, both at .30.
async fn web(
    w: &World,
    https: impl Fn(&Request) -> Vec<u8> + Send + Sync + 'static,
    http: impl Fn(&Request) -> Vec<u8> + Send + Sync + 'static,
) -> (Web, Web) {
    let leaf =
        w.ca.leaf(&["ok.test", "autoconfig.ok.test", "autodiscover.ok.test"]);
    let addr = SocketAddr::new(w.ip(30), 0);
    (
        Web::start(addr, Some(&leaf), https).await,
        Web::start(addr, None, http).await,
    )
}

async fn run(w: &World, zone_extra: &str, https: &Web, http: &Web) -> Run {
    let zone = site_zone(w, zone_extra);
    w.run_with("a@ok.test", &[zone], |o| {
        o.published = true;
        o.https_port = https.port;
        o.http_port = http.port;
    })
    .await
}

fn json(r: &Run) -> serde_json::Value {
    let mut out = Vec::new();
    mailprobe::render::json::render(r, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn source(r: &Run, method: Method) -> &mailprobe::published::Source {
    r.published
        .as_ref()
        .expect("published fetched")
        .sources
        .iter()
        .find(|s| s.method == method && s.transport == mailprobe::published::Transport::Https)
        .expect("source")
}

fn all_messages(r: &Run) -> Vec<String> {
    r.diagnosis.findings.iter().map(message).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_autoconfig_is_broken_and_says_what_works_instead() {
    let s = site().await;
    let stale = config(&[
        ("imap", "imap.%EMAILDOMAIN%", s.closed_imap.port, "STARTTLS"),
        ("smtp", "smtp.ok.test", s.closed_smtp.port, "STARTTLS"),
    ]);
    let (https, http) = web(
        &s.w,
        move |r| {
            if r.host.starts_with("autoconfig.") && r.path.starts_with("/mail/config-v1.1.xml") {
                xml(&stale)
            } else {
                not_found()
            }
        },
        |_| not_found(),
    )
    .await;
    let r = run(&s.w, "", &https, &http).await;
    let broken: Vec<_> = r
        .diagnosis
        .findings
        .iter()
        .filter(|f| f.code == Code::PublishedSettingBroken)
        .collect();
    assert_eq!(broken.len(), 2, "{:#?}", all_messages(&r));
    assert!(broken.iter().all(|f| f.severity == Severity::Error));
    let imap = message(broken.iter().find(|f| message(f).contains("IMAP")).unwrap());
    assert!(
        imap.contains(&format!("imap.ok.test:{}", s.closed_imap.port)),
        "{imap}"
    );
    assert!(imap.contains("connection refused"), "{imap}");
    assert!(
        imap.contains(&format!(
            "imap.ok.test:{} (SSL/TLS) works instead",
            s.imaps.port
        )),
        "{imap}"
    );
    // What works is not what clients are told.
    assert!(finding(&r, Code::PublishedWorkingUnlisted).is_some());
    // Clients are asked with the address, escaped.
    let asked = https.requests();
    assert!(
        asked
            .iter()
            .any(|q| q.path == "/mail/config-v1.1.xml?emailaddress=a%40ok.test"),
        "{asked:?}"
    );
    let v = json(&r);
    let first = &v["published"]["sources"][0];
    assert_eq!(first["method"], "autoconfig");
    assert_eq!(first["transport"], "https");
    assert_eq!(first["settings"][0]["check"], "failed");
    assert_eq!(first["settings"][0]["port"], s.closed_imap.port);
    let report = support::human_report(&r);
    assert!(report.contains("What clients are told"), "{report}");
    assert!(
        report.contains(&format!(
            "✘ IMAP imap.ok.test:{} STARTTLS",
            s.closed_imap.port
        )),
        "{report}"
    );
    assert_eq!(r.exit_code, mailprobe::exits::PROBLEMS);
}

#[tokio::test(flavor = "multi_thread")]
async fn autodiscover_redirects_are_followed_and_sources_that_disagree_are_named() {
    let s = site().await;
    let stale = config(&[("imap", "imap.ok.test", s.closed_imap.port, "STARTTLS")]);
    let settings = pox(&[
        ("IMAP", "imap.ok.test", s.imaps.port, "SSL"),
        ("SMTP", "smtp.ok.test", s.submissions.port, "SSL"),
    ]);
    let (https, http) = web(
        &s.w,
        move |r| match (
            r.method.as_str(),
            r.host.split(':').next().unwrap(),
            r.path.as_str(),
        ) {
            ("GET", "autoconfig.ok.test", p) if p.starts_with("/mail/") => xml(&stale),
            ("POST", "autodiscover.ok.test", "/autodiscover/autodiscover.xml") => {
                xml(&pox_redirect(
                    "redirectUrl",
                    "RedirectUrl",
                    &format!("https://{}/ad2", r.host),
                ))
            }
            ("POST", "autodiscover.ok.test", "/ad2") => xml(&settings),
            _ => not_found(),
        },
        |_| not_found(),
    )
    .await;
    let r = run(&s.w, "", &https, &http).await;
    let ad = source(&r, Method::Autodiscover);
    assert!(
        matches!(&ad.outcome, Outcome::Settings(x) if x.len() == 2),
        "{ad:?}"
    );
    assert!(ad.final_url.as_deref().unwrap().ends_with("/ad2"));
    let posted: Vec<Request> = https
        .requests()
        .into_iter()
        .filter(|q| q.method == "POST" && q.host.starts_with("autodiscover."))
        .collect();
    assert_eq!(posted.len(), 2);
    assert!(posted[0]
        .body
        .contains("<EMailAddress>a@ok.test</EMailAddress>"));
    let disagree = message(finding(&r, Code::PublishedSourcesDisagree).expect("disagree"));
    assert!(
        disagree.contains("autoconfig says IMAP imap.ok.test"),
        "{disagree}"
    );
    assert!(
        disagree.contains("Autodiscover says IMAP imap.ok.test"),
        "{disagree}"
    );
    let confirmed = messages(&r, Code::PublishedSettingConfirmed);
    assert_eq!(confirmed.len(), 2, "{confirmed:?}");
    // One setting per line, each marked; nothing escaped that the report wrote itself.
    let report = support::human_report(&r);
    assert!(
        report.contains(&format!(
            "      ✔ IMAP imap.ok.test:{} SSL/TLS\n",
            s.imaps.port
        )),
        "{report}"
    );
    assert!(!report.contains("\\n"), "{report}");
    assert!(report.lines().all(|l| l.chars().count() <= 80), "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn redirect_loops_stop_at_the_cap_and_parents_or_suffixes_are_never_asked() {
    let s = site().await;
    let (https, http) = web(
        &s.w,
        |r| match (r.host.split(':').next().unwrap(), r.path.as_str()) {
            // A loop, relative Location and all.
            ("autodiscover.ok.test", _) => redirect("302 Found", "/autodiscover/autodiscover.xml"),
            // Sends the client to the parent zone: the "autodiscover.<tld>" leak.
            ("ok.test", "/autodiscover/autodiscover.xml") => xml(&pox_redirect(
                "redirectUrl",
                "RedirectUrl",
                "https://autodiscover.test/autodiscover/autodiscover.xml",
            )),
            _ => not_found(),
        },
        |r| {
            if r.path == "/autodiscover/autodiscover.xml" {
                redirect(
                    "302 Found",
                    "https://autodiscover.com/autodiscover/autodiscover.xml",
                )
            } else {
                not_found()
            }
        },
    )
    .await;
    let r = run(&s.w, "", &https, &http).await;
    let looping = source(&r, Method::Autodiscover);
    assert!(
        matches!(
            &looping.outcome,
            Outcome::Refused {
                why: Refusal::TooManyHops,
                ..
            }
        ),
        "{looping:?}"
    );
    let asked = https
        .requests()
        .iter()
        .filter(|q| q.host.starts_with("autodiscover.ok.test"))
        .count();
    assert_eq!(asked, MAX_HOPS + 1);
    let parent = source(&r, Method::AutodiscoverRoot);
    assert!(
        matches!(&parent.outcome, Outcome::Refused { why: Refusal::OutsideDomain(h), .. } if h == "autodiscover.test"),
        "{parent:?}"
    );
    let by_redirect = r
        .published
        .as_ref()
        .unwrap()
        .sources
        .iter()
        .find(|x| x.method == Method::AutodiscoverRedirect)
        .unwrap();
    assert!(
        matches!(&by_redirect.outcome, Outcome::Refused { why: Refusal::Stranger(h), .. } if h == "autodiscover.com"),
        "{by_redirect:?}"
    );
    // Nothing usable came back, but refused redirects are not "nothing published": the
    // finding says which sources could not be read and why.
    assert!(finding(&r, Code::PublishedNone).is_none());
    let f = finding(&r, Code::PublishedUnreadable).expect("unknown, said so");
    assert!(message(f).contains("autodiscover.com"), "{}", message(f));
    let v = json(&r);
    let refused = v["published"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["method"] == "autodiscover_domain")
        .unwrap()
        .clone();
    assert_eq!(refused["outcome"], "refused");
    assert!(refused["error"]
        .as_str()
        .unwrap()
        .contains("public suffix, a parent of the domain"));
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_xml_is_refused_with_a_reason() {
    let s = site().await;
    let bomb = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]><clientConfig>&b;</clientConfig>";
    let deep = format!("<Autodiscover>{}</Autodiscover>", "<a>".repeat(5000));
    let huge = "x".repeat(70 * 1024);
    let (https, http) = web(
        &s.w,
        move |r| match (r.host.split(':').next().unwrap(), r.path.as_str()) {
            ("autoconfig.ok.test", _) => xml(bomb),
            ("ok.test", p) if p.starts_with("/.well-known/") => xml(&huge),
            ("autodiscover.ok.test", _) => xml(&deep),
            _ => not_found(),
        },
        |_| not_found(),
    )
    .await;
    let started = std::time::Instant::now();
    let r = run(&s.w, "", &https, &http).await;
    assert!(started.elapsed() < support::scenario::TIMEOUT * 3);
    let invalid = messages(&r, Code::PublishedConfigInvalid);
    assert!(invalid.iter().any(|m| m.contains("DOCTYPE")), "{invalid:?}");
    assert!(
        invalid.iter().any(|m| m.contains("nested deeper")),
        "{invalid:?}"
    );
    let well_known = source(&r, Method::AutoconfigWellKnown);
    assert_eq!(
        well_known.outcome,
        Outcome::Unavailable(mailprobe::net::http::FetchError::TooLarge)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn configuration_over_plain_http_and_plaintext_settings_are_insecure() {
    let mut s = site().await;
    let leaf = s.w.ca.leaf(&["imap.ok.test"]);
    let starttls =
        s.w.serve_tls(&[10], Protocol::Imap, Security::StartTls, &leaf)
            .await;
    let plain = config(&[
        ("imap", "imap.ok.test", starttls.port, "plain"),
        ("smtp", "gone.ok.test", 587, "STARTTLS"),
    ]);
    let (https, http) = web(
        &s.w,
        |_| not_found(),
        move |r| {
            if r.host.starts_with("autoconfig.") {
                xml(&plain)
            } else {
                not_found()
            }
        },
    )
    .await;
    let r = run(&s.w, "", &https, &http).await;
    let transport = finding(&r, Code::PublishedConfigInsecureTransport).expect("transport");
    assert_eq!(transport.severity, Severity::Warning);
    assert!(message(transport).contains("only over plain HTTP"));
    let insecure = message(finding(&r, Code::PublishedSettingInsecure).expect("insecure"));
    assert!(insecure.contains("without encryption"), "{insecure}");
    assert!(insecure.contains("works instead"), "{insecure}");
    assert!(finding(&r, Code::PublishedSettingConfirmed).is_none());
    let gone = finding(&r, Code::PublishedHostUnresolved).expect("unresolved");
    assert_eq!(gone.severity, Severity::Error);
    assert!(message(gone).contains("gone.ok.test does not resolve"));
}

#[tokio::test(flavor = "multi_thread")]
async fn microsoft_365_domains_need_the_autodiscover_cname() {
    let w = World::new();
    let m365 = "@ IN MX 0 ok-test.mail.protection.outlook.com.\n";
    for (extra, expected) in [
        ("", MicrosoftCname::Missing),
        (
            "autodiscover IN CNAME autodiscover.outlook.com.\n",
            MicrosoftCname::InOrder,
        ),
        (
            "autodiscover IN CNAME mail.oldhost.example.\n",
            MicrosoftCname::Elsewhere("mail.oldhost.example".into()),
        ),
    ] {
        let zone = zone("ok.test", &format!("{m365}{extra}"));
        let r = w
            .run_with("a@ok.test", &[zone], |o| {
                o.published = true;
                o.services = vec![Service::new(1, Protocol::Smtp, Security::StartTls)];
            })
            .await;
        let got = r.published.as_ref().unwrap().microsoft_cname.clone();
        assert_eq!(got, Some(expected.clone()));
        let missing = finding(&r, Code::AutodiscoverCnameMissing).is_some();
        let elsewhere = finding(&r, Code::AutodiscoverCnameElsewhere).is_some();
        assert_eq!(missing, expected == MicrosoftCname::Missing);
        assert_eq!(elsewhere, matches!(expected, MicrosoftCname::Elsewhere(_)));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_exported_autoconfig_served_back_is_confirmed() {
    let s = site().await;
    let (https, http) = web(&s.w, |_| not_found(), |_| not_found()).await;
    let first = run(&s.w, "", &https, &http).await;
    let file = export(&first, ExportKind::Autoconfig).expect("confirmed settings export");
    let read = autoconfig::parse(&file, "ok.test").expect("mailprobe reads its own file");
    let hosts: Vec<(Protocol, String, u16, Security)> = read
        .iter()
        .map(|x| (x.protocol, x.host.clone(), x.port, x.security))
        .collect();
    let [incoming, outgoing] = mailprobe::judge::policy::chosen(&first.diagnosis.recommended);
    let (incoming, outgoing) = (incoming.unwrap(), outgoing.unwrap());
    assert!(hosts.contains(&(
        Protocol::Imap,
        incoming.host.clone(),
        incoming.port,
        incoming.security
    )));
    assert!(hosts.contains(&(
        Protocol::Smtp,
        outgoing.host.clone(),
        outgoing.port,
        outgoing.security
    )));
    assert!(read
        .iter()
        .all(|x| x.username.as_deref() == Some("%EMAILADDRESS%")));

    let served = String::from_utf8(file).unwrap();
    let (https, http) = web(
        &s.w,
        move |r| {
            if r.host.starts_with("autoconfig.") {
                xml(&served)
            } else {
                not_found()
            }
        },
        |_| not_found(),
    )
    .await;
    let second = run(&s.w, "", &https, &http).await;
    let confirmed = second
        .diagnosis
        .findings
        .iter()
        .filter(|f| f.code == Code::PublishedSettingConfirmed)
        .count();
    assert_eq!(confirmed, read.len(), "{:#?}", all_messages(&second));
    for code in [
        Code::PublishedSettingBroken,
        Code::PublishedWorkingUnlisted,
        Code::PublishedNone,
    ] {
        assert!(
            finding(&second, code).is_none(),
            "{code:?}: {:#?}",
            all_messages(&second)
        );
    }

    // The profile for Apple devices carries the same settings and no password.
    let profile = export(&first, ExportKind::Mobileconfig).expect("profile");
    let value = plist::Value::from_reader(std::io::Cursor::new(&profile)).expect("a property list");
    let account = value.as_dictionary().unwrap()["PayloadContent"]
        .as_array()
        .unwrap()[0]
        .as_dictionary()
        .unwrap()
        .clone();
    assert_eq!(
        account["IncomingMailServerHostName"].as_string(),
        Some(incoming.host.as_str())
    );
    assert_eq!(
        account["OutgoingMailServerPortNumber"].as_unsigned_integer(),
        Some(u64::from(outgoing.port))
    );
    assert_eq!(account["EmailAddress"].as_string(), Some("a@ok.test"));
    for key in ["IncomingPassword", "OutgoingPassword"] {
        assert!(!account.contains_key(key), "{key} in the profile");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_confirmed_exports_nothing() {
    let mut w = World::new();
    w.dead_service(Protocol::Imap, Security::Tls);
    let n = w.net.prefix();
    let zone = zone(
        "ok.test",
        &format!("@ IN MX 10 mx.ok.test.\nmx IN A {n}.11\n"),
    );
    let r = w.run("a@ok.test", &[zone]).await;
    assert_eq!(
        export(&r, ExportKind::Autoconfig),
        Err(ExportError::NothingConfirmed)
    );
    assert_eq!(
        export(&r, ExportKind::Mobileconfig),
        Err(ExportError::NothingConfirmed)
    );
}

/// A source that could not be read says how it failed; "nothing is published" is said only
/// when every place clients look answered that nothing is there.
#[tokio::test(flavor = "multi_thread")]
async fn sources_that_cannot_be_read_are_never_nothing_published() {
    let site = site().await;
    // A web server that accepts and then says nothing: every fetch times out.
    let silent = support::mail::BlackHole::start(SocketAddr::new(site.w.ip(30), 0)).await;
    let zone = site_zone(&site.w, "");
    let r = site
        .w
        .run_with("a@ok.test", &[zone], |o| {
            o.published = true;
            o.https_port = silent.addr.port();
            o.http_port = silent.addr.port();
            o.timeout = std::time::Duration::from_millis(600);
        })
        .await;
    assert!(
        finding(&r, Code::PublishedNone).is_none(),
        "{:#?}",
        r.diagnosis.findings
    );
    let f = finding(&r, Code::PublishedUnreadable).expect("said unknown");
    assert!(message(f).contains("no answer in time"), "{}", message(f));
}

/// Clients told more settings than are probed: the cap is a finding, not a silent cut.
#[tokio::test(flavor = "multi_thread")]
async fn more_published_settings_than_probed_is_said() {
    let site = site().await;
    let ports: Vec<u16> = (0..20).map(|i| 20000 + i).collect();
    let servers: Vec<(&str, &str, u16, &str)> = ports
        .iter()
        .map(|p| ("imap", "imap.ok.test", *p, "SSL"))
        .collect();
    let body = config(&servers);
    let (https, http) = web(&site.w, move |_| xml(&body), |_| not_found()).await;
    let r = run(&site.w, "", &https, &http).await;
    let f = finding(&r, Code::PublishedSettingsTruncated).expect("said");
    assert!(
        message(f).contains("20 different settings"),
        "{}",
        message(f)
    );
}

/// Thunderbird's order (issue 27): the domain's autoconfig, then the ISPDB for the domain, then
/// the MX-based lookups. Here the domain publishes nothing and the ISPDB's entry names a port
/// that is closed: Thunderbird would set up a broken account, which the report says.
#[tokio::test(flavor = "multi_thread")]
async fn an_ispdb_entry_that_disagrees_with_the_probes_is_what_thunderbird_sets_up() {
    let s = site().await;
    let entry = config(&[
        ("imap", "imap.ok.test", s.closed_imap.port, "STARTTLS"),
        ("smtp", "smtp.ok.test", s.submissions.port, "SSL"),
    ]);
    let leaf = s.w.ca.leaf(&[
        "ok.test",
        "autoconfig.ok.test",
        "autodiscover.ok.test",
        "ispdb.test",
    ]);
    let https = Web::start(SocketAddr::new(s.w.ip(30), 0), Some(&leaf), move |r| {
        if r.host.starts_with("ispdb.test") && r.path == "/v1.1/ok.test" {
            xml(&entry)
        } else {
            not_found()
        }
    })
    .await;
    let http = Web::start(SocketAddr::new(s.w.ip(30), 0), None, |_| not_found()).await;
    let n = s.w.net.prefix();
    let ispdb = format!("https://ispdb.test:{}/v1.1/", https.port);
    let zones = [
        site_zone(&s.w, ""),
        zone("ispdb.test", &format!("@ IN A {n}.30\n")),
    ];
    let r =
        s.w.run_with("a@ok.test", &zones, |o| {
            o.published = true;
            o.https_port = https.port;
            o.http_port = http.port;
            o.ispdb_url = Some(ispdb.clone());
        })
        .await;
    let tb = finding(&r, Code::ThunderbirdSetupBroken)
        .unwrap_or_else(|| panic!("{:#?}", all_messages(&r)));
    assert_eq!(tb.severity, Severity::Warning);
    let m = message(tb);
    assert!(m.contains("Thunderbird's ISPDB"), "{m}");
    assert!(
        m.contains(&format!("imap.ok.test:{}", s.closed_imap.port)),
        "{m}"
    );
    assert!(m.contains("fails"), "{m}");
    assert!(
        m.contains(&format!("smtp.ok.test:{}", s.submissions.port))
            && m.contains("works from here"),
        "{m}"
    );
    // The ISPDB's broken setting is named like any published one.
    let broken = finding(&r, Code::PublishedSettingBroken).expect("broken");
    assert!(
        message(broken).contains("Thunderbird's ISPDB"),
        "{}",
        message(broken)
    );
    // Asked the way Thunderbird asks: the domain appended to the base URL.
    assert!(https.requests().iter().any(|q| q.path == "/v1.1/ok.test"));
    // The MX is under the domain: no MX-based lookups, as in Thunderbird.
    let published = r.published.as_ref().unwrap();
    assert!(published
        .sources
        .iter()
        .all(|x| x.method != Method::IspdbMx));
    let v = json(&r);
    assert!(v["published"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["method"] == "ispdb" && x["settings"][0]["check"] == "failed"));
    // The domain's own silence is still "nothing published", whatever the ISPDB says.
    assert!(
        finding(&r, Code::PublishedNone).is_some(),
        "{:#?}",
        all_messages(&r)
    );

    // --no-ispdb: the ISPDB is never asked.
    let to_ispdb = || {
        https
            .requests()
            .iter()
            .filter(|q| q.host.starts_with("ispdb.test"))
            .count()
    };
    let before = to_ispdb();
    let r =
        s.w.run_with("a@ok.test", &zones, |o| {
            o.published = true;
            o.https_port = https.port;
            o.http_port = http.port;
            o.ispdb_url = None;
        })
        .await;
    assert_eq!(to_ispdb(), before);
    assert!(finding(&r, Code::ThunderbirdSetupBroken).is_none());
}

/// The MX-based lookups: the MX's domain one label above its registrable domain, then the
/// registrable domain, each at autoconfig.<it> and in the ISPDB; and the domain's own
/// autoconfig, when there is one, wins over all of them.
#[tokio::test(flavor = "multi_thread")]
async fn thunderbirds_mx_lookups_and_its_order() {
    let s = site().await;
    let hoster = config(&[
        ("imap", "imap.ok.test", s.imaps.port, "SSL"),
        ("smtp", "smtp.ok.test", s.submissions.port, "SSL"),
    ]);
    let own = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let own_in_handler = own.clone();
    let stale = config(&[("imap", "imap.ok.test", s.closed_imap.port, "STARTTLS")]);
    let leaf = s.w.ca.leaf(&[
        "ok.test",
        "autoconfig.ok.test",
        "ispdb.test",
        "autoconfig.mail.hoster.test",
        "autoconfig.hoster.test",
    ]);
    let https = Web::start(SocketAddr::new(s.w.ip(30), 0), Some(&leaf), move |r| {
        let own = own_in_handler.load(std::sync::atomic::Ordering::SeqCst);
        if r.host.starts_with("autoconfig.hoster.test") {
            xml(&hoster)
        } else if own && r.host.starts_with("autoconfig.ok.test") {
            xml(&stale)
        } else {
            not_found()
        }
    })
    .await;
    let http = Web::start(SocketAddr::new(s.w.ip(30), 0), None, |_| not_found()).await;
    let n = s.w.net.prefix();
    let zones = [
        zone(
            "ok.test",
            &format!("@ IN MX 10 in1.mail.hoster.test.\n@ IN A {n}.30\nimap IN A {n}.10\nsmtp IN A {n}.10\nautoconfig IN A {n}.30\n"),
        ),
        zone(
            "hoster.test",
            &format!("in1.mail IN A {n}.11\nautoconfig.mail IN A {n}.30\nautoconfig IN A {n}.30\n"),
        ),
        zone("ispdb.test", &format!("@ IN A {n}.30\n")),
    ];
    let ispdb = format!("https://ispdb.test:{}/v1.1/", https.port);
    let go = || {
        s.w.run_with("a@ok.test", &zones, |o| {
            o.published = true;
            o.https_port = https.port;
            o.http_port = http.port;
            o.ispdb_url = Some(ispdb.clone());
        })
    };
    let r = go().await;
    let tb = finding(&r, Code::ThunderbirdSetupWorks)
        .unwrap_or_else(|| panic!("{:#?}", all_messages(&r)));
    assert!(
        message(tb).contains("autoconfig of the MX's domain"),
        "{}",
        message(tb)
    );
    assert!(
        message(tb).contains("https://autoconfig.hoster.test"),
        "{}",
        message(tb)
    );
    let asked: Vec<String> = https
        .requests()
        .iter()
        .map(|q| format!("{}{}", q.host, q.path))
        .collect();
    for wanted in [
        "/v1.1/ok.test",
        "/v1.1/mail.hoster.test",
        "/v1.1/hoster.test",
    ] {
        assert!(
            asked.iter().any(|a| a.ends_with(wanted)),
            "{wanted}: {asked:?}"
        );
    }
    assert!(
        asked
            .iter()
            .any(|a| a.starts_with("autoconfig.mail.hoster.test")),
        "{asked:?}"
    );

    // The domain's own autoconfig comes first, even when it is stale.
    own.store(true, std::sync::atomic::Ordering::SeqCst);
    let r = go().await;
    let tb = finding(&r, Code::ThunderbirdSetupBroken)
        .unwrap_or_else(|| panic!("{:#?}", all_messages(&r)));
    assert!(
        message(tb).starts_with("Thunderbird sets up IMAP"),
        "{}",
        message(tb)
    );
    assert!(message(tb).contains("from autoconfig ("), "{}", message(tb));
}
