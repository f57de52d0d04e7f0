//! Provider knowledge through the real DNS test server: the right provider, variant and kind
//! for real MX names, the most preferred MX set deciding, one operator under several names not
//! called "mixed", and no mailbox guessed behind a forwarding service or an app-only provider.

mod support;

use mailprobe::judge::findings::Code;
use mailprobe::provider::ProviderKind;
use mailprobe::Run;
use support::dns::{zone, TestDns};
use support::scenario::{finding, message};

/// Discovery and identification only (no probes) for `domain` with this MX set.
async fn identify(domain: &str, mx: &[(u16, &str)]) -> Run {
    let body: String = mx
        .iter()
        .map(|(pref, host)| format!("@ IN MX {pref} {host}.\n"))
        .collect();
    let dns = TestDns::start(&[zone(domain, &body)]).await;
    let mut o = support::options(domain, dns.addr, &[], support::scenario::TIMEOUT);
    o.probe = false;
    support::run(&o).await
}

fn provider(run: &Run) -> &mailprobe::provider::ProviderMatch {
    run.identification.provider.as_ref().expect("a provider")
}

fn imap_host(run: &Run) -> &str {
    &provider(run).incoming[0].host
}

#[tokio::test(flavor = "multi_thread")]
async fn brands_and_regions_get_their_own_settings() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "aol.com",
            "mx-aol.mail.gm0.yahoodns.net",
            "aol",
            "imap.aol.com",
        ),
        ("mail.com", "mx00.gmx.com", "mail_com", "imap.mail.com"),
        // mail.com's MX as it is published today (issue 27: was reported self-hosted).
        ("mail.com", "mx00.mail.com", "mail_com", "imap.mail.com"),
        ("email.com", "mx01.mail.com", "mail_com", "imap.mail.com"),
        ("gmx.com", "mx00.gmx.com", "gmx", "imap.gmx.com"),
        ("gmx.net", "mx00.gmx.net", "gmx", "imap.gmx.net"),
        (
            "kunde.example",
            "mx00.kundenserver.de",
            "ionos",
            "imap.ionos.de",
        ),
        (
            "kunde.example",
            "mx00.1and1.co.uk",
            "ionos",
            "imap.ionos.co.uk",
        ),
        (
            "firma.example",
            "mx.zohocloud.ca",
            "zoho",
            "imappro.zohocloud.ca",
        ),
        ("firma.example", "mx.zoho.eu", "zoho", "imappro.zoho.eu"),
        (
            "co.example",
            "inbound-smtp.us-west-2.amazonaws.com",
            "amazon_workmail",
            "imap.mail.us-west-2.awsapps.com",
        ),
        (
            "outlook.de",
            "eur.olc.protection.outlook.com",
            "outlook_com",
            "outlook.office365.com",
        ),
    ];
    for (domain, mx, id, imap) in cases.iter().chain(ADDED_OR_CHANGED) {
        let run = identify(domain, &[(10, mx)]).await;
        assert_eq!(provider(&run).id, *id, "{domain} {mx}");
        assert_eq!(imap_host(&run), *imap, "{domain} {mx}");
    }
    // SMTP too, not only IMAP: gmx.net's outgoing host is mail.gmx.net.
    let run = identify("gmx.net", &[(10, "mx00.gmx.net")]).await;
    assert_eq!(provider(&run).outgoing[0].host, "mail.gmx.net");
}

/// Issue 27's corrections and additions: (domain, MX, provider, IMAP host).
const ADDED_OR_CHANGED: &[(&str, &str, &str, &str)] = &[
    ("firma.example", "mx1.smtp.goog", "google", "imap.gmail.com"),
    (
        "gmail.com",
        "gmail-smtp-in.l.google.com",
        "gmail",
        "imap.gmail.com",
    ),
    ("firma.example", "mx1.ovh.net", "ovh", "ssl0.ovh.net"),
    (
        "firma.example",
        "www123.your-server.de",
        "hetzner",
        "mail.your-server.de",
    ),
    (
        "firma.example",
        "mx1.secureserver.net",
        "godaddy",
        "imap.secureserver.net",
    ),
    (
        "firma.example",
        "mx.purelymail.com",
        "purelymail",
        "imap.purelymail.com",
    ),
    (
        "firma.example",
        "mx1.forwardemail.net",
        "forward_email",
        "imap.forwardemail.net",
    ),
    (
        "firma.example",
        "mx01.mail.icloud.com",
        "icloud",
        "imap.mail.me.com",
    ),
    ("posteo.de", "mx01.posteo.de", "posteo", "posteo.de"),
    (
        "t-online.de",
        "mx00.t-online.de",
        "t_online",
        "secureimap.t-online.de",
    ),
    ("freenet.de", "mx.freenet.de", "freenet", "mx.freenet.de"),
    (
        "comcast.net",
        "mx1a1.comcast.net",
        "comcast",
        "imap.comcast.net",
    ),
    ("orange.fr", "smtp-in.orange.fr", "orange", "imap.orange.fr"),
    ("seznam.cz", "mx1.seznam.cz", "seznam", "imap.seznam.cz"),
    (
        "libero.it",
        "smtp-in.libero.it",
        "italiaonline",
        "imapmail.libero.it",
    ),
    (
        "virgilio.it",
        "mx.virgilio.it",
        "italiaonline",
        "in.virgilio.it",
    ),
    ("rambler.ru", "mx.rambler.ru", "rambler", "imap.rambler.ru"),
    ("qq.com", "mx1.qq.com", "qq", "imap.qq.com"),
    ("firma.example", "mxbiz1.qq.com", "qq", "imap.exmail.qq.com"),
    (
        "163.com",
        "163mx01.mxmail.netease.com",
        "netease",
        "imap.163.com",
    ),
    (
        "126.com",
        "126mx01.mxmail.netease.com",
        "netease",
        "imap.126.com",
    ),
    (
        "firma.example",
        "qiye163mx01.mxmail.netease.com",
        "netease",
        "imaphz.qiye.163.com",
    ),
    (
        "firma.example",
        "mxw.mxhichina.com",
        "alibaba",
        "imap.qiye.aliyun.com",
    ),
    ("naver.com", "mx1.naver.com", "naver", "imap.naver.com"),
    (
        "firma.example",
        "mx1.worksmobile.com",
        "naver",
        "imap.worksmobile.com",
    ),
    ("daum.net", "mx1.hanmail.net", "daum", "imap.daum.net"),
    (
        "firma.example",
        "firma-example.mail.protection.partner.outlook.cn",
        "microsoft365",
        "partner.outlook.cn",
    ),
];

/// Reverse-DNS names of customers' own servers at hosting companies and ISPs are never taken
/// for the company's mail service (issue 27: too broad patterns).
#[tokio::test(flavor = "multi_thread")]
async fn a_customers_own_server_is_not_its_hosters_mail() {
    for mx in [
        "static.1.2.3.4.clients.your-server.de",
        "p3plcpnl0123.prod.phx3.secureserver.net",
        "c-73-1-2-3.hsd1.fl.comcast.net",
    ] {
        let run = identify("firma.example", &[(10, mx)]).await;
        assert_eq!(provider(&run).id, "unknown", "{mx}");
        assert!(provider(&run).incoming.is_empty(), "{mx}");
    }
}

/// The login name's form travels from the table to the card: WEB.DE and iCloud's IMAP use the
/// part before the @, a custom domain on iCloud+ the Apple Account's address.
#[tokio::test(flavor = "multi_thread")]
async fn the_provider_login_form_reaches_the_report() {
    use mailprobe::provider::Username;
    let run = identify("web.de", &[(10, "mx-ha02.web.de")]).await;
    assert!(provider(&run)
        .published()
        .all(|s| s.username == Username::LocalPart));
    let run = identify("icloud.com", &[(10, "mx01.mail.icloud.com")]).await;
    assert_eq!(provider(&run).incoming[0].username, Username::LocalPart);
    assert_eq!(provider(&run).outgoing[0].username, Username::FullAddress);
    let run = identify("firma.example", &[(10, "mx01.mail.icloud.com")]).await;
    assert!(provider(&run)
        .published()
        .all(|s| s.username == Username::AccountName));
    let json = serde_json::to_value(mailprobe::report::Report::new(&run)).unwrap();
    assert_eq!(json["provider"]["incoming"][0]["username"], "account_name");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_amazon_region_without_workmail_is_ses_receiving_not_a_mailbox() {
    let run = identify(
        "co.example",
        &[(10, "inbound-smtp.ap-south-1.amazonaws.com")],
    )
    .await;
    let p = provider(&run);
    assert_eq!(p.id, "amazon_ses");
    assert_eq!(p.kind, ProviderKind::Forwarding);
    assert!(p.incoming.is_empty());
    // The captured region never turns into a host name to probe.
    assert!(!p.published().any(|s| s.host.contains("ap-south-1")));
}

#[tokio::test(flavor = "multi_thread")]
async fn one_operator_under_several_names_is_not_mixed() {
    for (domain, a, b) in [
        ("web.de", "mx-ha02.web.de", "mx-ha03.web.de"),
        ("o2.pl", "mx.o2.pl", "mx2.o2.pl"),
        ("abc.io", "mx1.abcmail.io", "mx2.abcmail.io"),
    ] {
        let run = identify(domain, &[(10, a), (20, b)]).await;
        assert!(finding(&run, Code::MxMixedProviders).is_none(), "{domain}");
    }
    // Two operators still are (seed 001: the half-migrated domain).
    let run = identify(
        "shop.example",
        &[(10, "aspmx.l.google.com"), (20, "mx1.oldhost.example.net")],
    )
    .await;
    assert!(finding(&run, Code::MxMixedProviders).is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_most_preferred_mx_set_names_the_provider_not_the_alphabet() {
    // Equal preference: both named, whatever their alphabetical order.
    let run = identify(
        "shop.example",
        &[
            (10, "aspmx.l.google.com"),
            (10, "contoso.mail.protection.outlook.com"),
        ],
    )
    .await;
    let mut ids: Vec<&str> = std::iter::once(provider(&run).id.as_str())
        .chain(run.identification.others.iter().map(|p| p.id.as_str()))
        .collect();
    ids.sort();
    assert_eq!(ids, vec!["google", "microsoft365"]);
    assert!(finding(&run, Code::MxSharedPreference).is_some());
    // A lower preference wins even when its name sorts last.
    let run = identify(
        "shop.example",
        &[
            (20, "aspmx.l.google.com"),
            (10, "zz.mail.protection.outlook.com"),
        ],
    )
    .await;
    assert_eq!(provider(&run).id, "microsoft365");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_mailbox_is_guessed_behind_a_forwarding_service_or_an_app_only_provider() {
    for (mx, id, code) in [
        (
            "route1.mx.cloudflare.net",
            "cloudflare_routing",
            Code::MxForwardingOnly,
        ),
        (
            "eforward1.registrar-servers.com",
            "namecheap_forwarding",
            Code::MxForwardingOnly,
        ),
        ("mail.tutanota.de", "tuta", Code::ProviderNoImap),
    ] {
        let dns = TestDns::start(&[zone("fwd.example", &format!("@ IN MX 10 {mx}.\n"))]).await;
        let services = mailprobe::service::STANDARD_SERVICES.to_vec();
        let o = support::options(
            "fwd.example",
            dns.addr,
            &services,
            support::scenario::TIMEOUT,
        );
        let run = support::run(&o).await;
        assert_eq!(provider(&run).id, id, "{mx}");
        let f =
            finding(&run, code).unwrap_or_else(|| panic!("{mx}: {:#?}", run.diagnosis.findings));
        assert!(
            message(f).contains("no mailbox") || message(f).contains("no IMAP"),
            "{}",
            message(f)
        );
        // imap.fwd.example, mail.fwd.example and fwd.example are not guessed.
        assert!(
            run.candidates
                .iter()
                .all(|c| !c.candidate.name.ends_with("fwd.example")),
            "{:?}",
            run.candidates
                .iter()
                .map(|c| &c.candidate.name)
                .collect::<Vec<_>>()
        );
        let mut card = Vec::new();
        colored::control::set_override(false);
        mailprobe::render::card::render(&run, &mut card).unwrap();
        let card = String::from_utf8(card).unwrap();
        assert!(card.contains("none:"), "{card}");
        assert!(!card.contains("none works"), "{card}");
    }
}
