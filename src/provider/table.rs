//! The provider table: who runs an MX host, and what that provider publishes as client settings.
//!
//! Pure data. A provider has variants (a region, a brand), each chosen by the MX host names it
//! serves: an MX pattern matches a host equal to it or ending in `.pattern`, whole labels only,
//! and `*` stands for exactly one label. A pattern that starts with `*.` is anchored: the host
//! has exactly its labels (`*.your-server.de` is `www123.your-server.de`, never a customer's
//! own `static.1.2.3.4.clients.your-server.de`). The longest matching pattern wins over the whole table,
//! so table order never decides. `{domain}` in a host is the mail domain. Each variant names the
//! public source its settings were checked against; `Source::Unverified` ones are reported as
//! "published settings (not verified)". Table checked on 2026-11-23.

use crate::service::{Protocol, Security};

/// The date the table's facts were last checked against their sources.
pub const CHECKED_ON: &str = "2026-11-23";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Hosts the mailboxes: its settings are the ones to give the client.
    Mailbox,
    /// Filters mail in front of the real mailbox host, which the MX does not reveal.
    Gateway,
    /// Forwards mail elsewhere, or hands it to an application (an API): there is no mailbox.
    Forwarding,
    /// Hosts mailboxes, but offers no IMAP/POP3/SMTP to ordinary clients: its app or a bridge.
    NoImap,
    /// A web or hosting company whose mail is usually reached under the customer's own names.
    Webhost,
}

/// How the login name is formed (Thunderbird's `%EMAILADDRESS%`, `%EMAILLOCALPART%`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Username {
    FullAddress,
    /// The part before the `@`.
    LocalPart,
    /// The provider's own account name (e.g. the Apple Account's address), not the address
    /// the mail is for.
    AccountName,
}

/// Where a variant's settings were checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A file of Thunderbird's ISPDB (thunderbird/autoconfig, `ispdb/<file>`); the test suite
    /// holds a copy and checks the variant against it.
    Ispdb(&'static str),
    /// A file of Delta Chat's provider database (`_providers/<file>`), checked the same way.
    DeltaChat(&'static str),
    /// The provider's own help page (its URL).
    Page(&'static str),
    /// Known to us but not checked against a public source here.
    Unverified,
}

impl Source {
    /// Where to look, as a reader would cite it; `None` when unverified.
    pub fn citation(self) -> Option<String> {
        match self {
            Self::Ispdb(file) => Some(format!("thunderbird/autoconfig ispdb/{file}")),
            Self::DeltaChat(file) => Some(format!("deltachat/provider-db _providers/{file}")),
            Self::Page(url) => Some(url.to_string()),
            Self::Unverified => None,
        }
    }
}

/// What the user must know before typing a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// Third-party clients need an app password (or OAuth).
    AppPassword,
    /// Password login is gone: only OAuth ("modern authentication") works.
    OAuthOnly,
    /// IMAP/POP3 must first be switched on in the webmail settings.
    ImapOffByDefault,
    /// IMAP must be allowed by the organisation's administrator.
    ImapAdminSetting,
    /// Microsoft 365: basic authentication for IMAP/POP ended in 2022; SMTP AUTH with basic
    /// authentication is off for new tenants and off by default for existing ones from the end
    /// of December 2026 (admins can re-enable it); the final removal date is to be announced
    /// in the second half of 2027.
    MicrosoftBasicAuth,
    /// IMAP/POP3 are a paid feature.
    PremiumOnly,
    /// The service ends on this date.
    EndOfLife(&'static str),
    /// The service is being retired into another one.
    RetiringInto(&'static str),
    /// Only through the provider's bridge on the user's own computer.
    BridgeOnly,
    /// Mail is forwarded or handed to an application: there is no mailbox to log in to.
    NoMailbox,
    /// The MX is a filter; the mailboxes are elsewhere.
    MailboxesElsewhere,
    /// Shared hosting: the server's certificate may only cover the server's own name.
    SharedHostCertificate,
    /// Not in the table, or the domain's own server: the settings are found by probing.
    FoundByProbing,
    /// Proton: business plans may send through smtp.protonmail.ch:587 with an SMTP token.
    ProtonSmtpToken,
    /// The same MX also serves this other service, which has no mailbox.
    MxAlsoServes(&'static str),
    /// The service shut down (when): its MX no longer filters or delivers.
    Defunct(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    pub protocol: Protocol,
    pub host: &'static str,
    pub port: u16,
    pub security: Security,
    pub username: Username,
}

/// One variant of a provider: the MX names that select it, and its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variant {
    pub mx: &'static [&'static str],
    /// What sets this variant apart (a region, a brand), if it is one of several.
    pub label: Option<&'static str>,
    /// Only for these mail domains (brands sharing one MX, e.g. mail.com on GMX's); empty: any.
    pub domains: &'static [&'static str],
    pub incoming: &'static [Setting],
    pub outgoing: &'static [Setting],
    pub webmail: Option<&'static str>,
    pub source: Source,
    /// Why the settings differ from the cited ISPDB or Delta Chat file, with the newer source;
    /// the cross-check test fails on a difference without one, and on one without a difference.
    pub differs: Option<&'static str>,
    /// This variant's own SPF includes (a region's); empty: the provider's.
    pub spf_includes: &'static [&'static str],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provider {
    pub id: &'static str,
    pub name: &'static str,
    pub kind: Kind,
    pub variants: &'static [Variant],
    pub notes: &'static [Note],
    /// The domains a domain's SPF record must include for this provider's servers to send.
    pub spf_includes: &'static [&'static str],
}

const fn s(protocol: Protocol, host: &'static str, port: u16, security: Security) -> Setting {
    Setting {
        protocol,
        host,
        port,
        security,
        username: Username::FullAddress,
    }
}

/// A setting whose login is not the full address.
const fn login(setting: Setting, username: Username) -> Setting {
    Setting {
        username,
        ..setting
    }
}

impl Variant {
    /// Its settings differ from the cited database file, for this reason.
    const fn differs_because(self, reason: &'static str) -> Self {
        Self {
            differs: Some(reason),
            ..self
        }
    }

    /// Its own SPF includes (a region's).
    const fn with_spf(self, includes: &'static [&'static str]) -> Self {
        Self {
            spf_includes: includes,
            ..self
        }
    }

    /// Only for these mail domains.
    const fn for_domains(self, domains: &'static [&'static str]) -> Self {
        Self { domains, ..self }
    }

    const fn labelled(self, label: &'static str) -> Self {
        Self {
            label: Some(label),
            ..self
        }
    }
}

use Protocol::{Imap, Pop3, Smtp};
use Security::{StartTls, Tls};
use Username::{AccountName, LocalPart};

const NONE: &[Setting] = &[];

/// A variant with the usual parts.
const fn v(
    mx: &'static [&'static str],
    incoming: &'static [Setting],
    outgoing: &'static [Setting],
    webmail: Option<&'static str>,
    source: Source,
) -> Variant {
    Variant {
        mx,
        label: None,
        domains: &[],
        incoming,
        outgoing,
        webmail,
        source,
        differs: None,
        spf_includes: &[],
    }
}

/// A provider with one IMAP (993), optionally one POP3 (995), and one SMTP (465) host.
macro_rules! simple {
    (@with $id:expr, $name:expr, [$($mx:expr),+], $incoming:expr, $smtp:expr, $source:expr) => {
        Provider {
            id: $id,
            name: $name,
            kind: Kind::Mailbox,
            variants: &[Variant {
                mx: &[$($mx),+],
                label: None,
                domains: &[],
                incoming: $incoming,
                outgoing: &[s(Smtp, $smtp, 465, Tls)],
                webmail: None,
                source: $source,
                differs: None,
                spf_includes: &[],
            }],
            notes: &[],
            spf_includes: &[],
        }
    };
    ($id:expr, $name:expr, [$($mx:expr),+], $imap:expr, pop $pop:expr, $smtp:expr, $source:expr) => {
        simple!(@with $id, $name, [$($mx),+],
            &[s(Imap, $imap, 993, Tls), s(Pop3, $pop, 995, Tls)], $smtp, $source)
    };
    ($id:expr, $name:expr, [$($mx:expr),+], $imap:expr, $smtp:expr, $source:expr) => {
        simple!(@with $id, $name, [$($mx),+], &[s(Imap, $imap, 993, Tls)], $smtp, $source)
    };
}

/// An Amazon WorkMail region: one of the three WorkMail runs in, named in full.
macro_rules! workmail {
    ($region:literal) => {
        Variant {
            mx: &[concat!("inbound-smtp.", $region, ".amazonaws.com")],
            label: Some($region),
            domains: &[],
            incoming: &[s(
                Imap,
                concat!("imap.mail.", $region, ".awsapps.com"),
                993,
                Tls,
            )],
            outgoing: &[s(
                Smtp,
                concat!("smtp.mail.", $region, ".awsapps.com"),
                465,
                Tls,
            )],
            webmail: None,
            source: Unverified,
            differs: None,
            spf_includes: &[],
        }
    };
}

/// A Zoho data centre: its MX domain, the "pro" hosts organisation accounts use (the ISPDB file
/// is for personal @zoho addresses, which use imap./smtp.), and its own SPF include.
macro_rules! zoho {
    ($label:literal, $domain:literal, $file:literal) => {
        regional!(
            $label,
            [$domain],
            concat!("imappro.", $domain),
            concat!("poppro.", $domain),
            concat!("smtppro.", $domain),
            Ispdb($file)
        )
        .differs_because(
            "organisation (custom-domain) accounts use imappro./poppro./smtppro. \
             (Zoho's help page 'IMAP Access', zoho.com/mail/help/imap-access.html); the \
             ISPDB file is for personal addresses, which use imap./pop./smtp.",
        )
        .with_spf(&[$domain])
    };
}

/// A NetEase consumer domain on the shared MX: its own imap./smtp. hosts, per its ISPDB file.
macro_rules! netease {
    ($domain:literal) => {
        v(
            &["mxmail.netease.com"],
            &[s(Imap, concat!("imap.", $domain), 993, Tls)],
            &[s(Smtp, concat!("smtp.", $domain), 465, Tls)],
            Some(concat!("https://mail.", $domain)),
            Ispdb(concat!($domain, ".xml")),
        )
        .labelled($domain)
        .for_domains(&[$domain])
    };
}

/// A regional variant with IMAP 993, POP3 995, SMTP 465 and 587.
macro_rules! regional {
    ($label:expr, [$($mx:expr),+], $imap:expr, $pop:expr, $smtp:expr, $source:expr) => {
        Variant {
            mx: &[$($mx),+],
            label: Some($label),
            domains: &[],
            incoming: &[s(Imap, $imap, 993, Tls), s(Pop3, $pop, 995, Tls)],
            outgoing: &[s(Smtp, $smtp, 465, Tls), s(Smtp, $smtp, 587, StartTls)],
            webmail: None,
            source: $source,
            differs: None,
            spf_includes: &[],
        }
    };
}

macro_rules! bare {
    ($id:expr, $name:expr, $kind:expr, [$($mx:expr),+ $(,)?], $source:expr) => {
        Provider {
            id: $id,
            name: $name,
            kind: $kind,
            variants: &[Variant {
                mx: &[$($mx),+],
                label: None,
                domains: &[],
                incoming: NONE,
                outgoing: NONE,
                webmail: None,
                source: $source,
                differs: None,
                spf_includes: &[],
            }],
            notes: match $kind {
                Kind::Gateway => &[Note::MailboxesElsewhere],
                Kind::Forwarding => &[Note::NoMailbox],
                _ => &[],
            },
            spf_includes: &[],
        }
    };
}

use Source::{DeltaChat, Ispdb, Page, Unverified};

const GMAIL_IN: &[Setting] = &[
    s(Imap, "imap.gmail.com", 993, Tls),
    s(Pop3, "pop.gmail.com", 995, Tls),
];
const GMAIL_OUT: &[Setting] = &[
    s(Smtp, "smtp.gmail.com", 465, Tls),
    s(Smtp, "smtp.gmail.com", 587, StartTls),
];
const GMAIL_587: &str = "smtp.gmail.com:587 STARTTLS is Google's other documented submission port \
    (support.google.com/mail/answer/7126229); the ISPDB lists only 465";

pub static PROVIDERS: &[Provider] = &[
    Provider {
        id: "google",
        name: "Google Workspace",
        kind: Kind::Mailbox,
        // smtp.goog: Google's DNSSEC-signed MX names (mx1.smtp.goog …).
        variants: &[v(
            &["google.com", "googlemail.com", "smtp.goog"],
            GMAIL_IN,
            GMAIL_OUT,
            Some("https://mail.google.com"),
            Ispdb("googlemail.com.xml"),
        )
        .differs_because(GMAIL_587)],
        notes: &[Note::AppPassword, Note::ImapAdminSetting],
        spf_includes: &["_spf.google.com"],
    },
    Provider {
        id: "gmail",
        name: "Gmail",
        kind: Kind::Mailbox,
        // The consumer addresses on the same MX; IMAP is always on since January 2025.
        variants: &[v(
            &["google.com", "googlemail.com", "smtp.goog"],
            GMAIL_IN,
            GMAIL_OUT,
            Some("https://mail.google.com"),
            Ispdb("googlemail.com.xml"),
        )
        .differs_because(GMAIL_587)
        .for_domains(&["gmail.com", "googlemail.com"])],
        notes: &[Note::AppPassword],
        spf_includes: &["_spf.google.com"],
    },
    Provider {
        id: "microsoft365",
        name: "Microsoft 365",
        kind: Kind::Mailbox,
        variants: &[
            v(
                &["mail.protection.outlook.com", "mx.microsoft"],
                &[
                    s(Imap, "outlook.office365.com", 993, Tls),
                    s(Pop3, "outlook.office365.com", 995, Tls),
                ],
                &[s(Smtp, "smtp.office365.com", 587, StartTls)],
                Some("https://outlook.office.com"),
                Ispdb("office365.com.xml"),
            ),
            v(
                &["mail.protection.office365.us"],
                &[s(Imap, "outlook.office365.us", 993, Tls)],
                &[s(Smtp, "smtp.office365.us", 587, StartTls)],
                Some("https://outlook.office365.us"),
                Unverified,
            )
            .labelled("GCC High")
            .with_spf(&["spf.protection.office365.us"]),
            v(
                &["mail.protection.partner.outlook.cn"],
                &[
                    s(Imap, "partner.outlook.cn", 993, Tls),
                    s(Pop3, "partner.outlook.cn", 995, Tls),
                ],
                &[s(Smtp, "smtp.partner.outlook.cn", 587, StartTls)],
                Some("https://partner.outlook.cn"),
                Unverified,
            )
            .labelled("operated by 21Vianet (China)")
            .with_spf(&["spf.protection.partner.outlook.cn"]),
        ],
        notes: &[Note::MicrosoftBasicAuth],
        spf_includes: &["spf.protection.outlook.com"],
    },
    Provider {
        id: "outlook_com",
        name: "Outlook.com (Microsoft consumer)",
        kind: Kind::Mailbox,
        variants: &[v(
            &["olc.protection.outlook.com"],
            &[
                s(Imap, "outlook.office365.com", 993, Tls),
                s(Pop3, "outlook.office365.com", 995, Tls),
            ],
            &[s(Smtp, "smtp-mail.outlook.com", 587, StartTls)],
            Some("https://outlook.live.com"),
            Ispdb("hotmail.com.xml"),
        )],
        notes: &[Note::OAuthOnly],
        spf_includes: &["spf.protection.outlook.com"],
    },
    Provider {
        id: "zoho",
        name: "Zoho Mail",
        kind: Kind::Mailbox,
        // Organisation (custom-domain) accounts use the "pro" hosts; each data centre has its
        // own hosts and its own SPF include.
        variants: &[
            zoho!("United States", "zoho.com", "zoho.com.xml"),
            zoho!("Europe", "zoho.eu", "zoho.eu.xml"),
            zoho!("India", "zoho.in", "zoho.in.xml"),
            zoho!("Australia", "zoho.com.au", "zoho.com.au.xml"),
            zoho!("Japan", "zoho.jp", "zoho.jp.xml"),
            zoho!("Canada", "zohocloud.ca", "zohocloud.ca.xml"),
        ],
        // Zoho Mail's free plan has no IMAP/POP access.
        notes: &[Note::AppPassword, Note::ImapOffByDefault, Note::PremiumOnly],
        spf_includes: &["zoho.com"],
    },
    Provider {
        id: "fastmail",
        name: "Fastmail",
        kind: Kind::Mailbox,
        variants: &[v(
            &["messagingengine.com", "fastmail.com"],
            &[
                s(Imap, "imap.fastmail.com", 993, Tls),
                s(Pop3, "pop.fastmail.com", 995, Tls),
            ],
            &[
                s(Smtp, "smtp.fastmail.com", 465, Tls),
                s(Smtp, "smtp.fastmail.com", 587, StartTls),
            ],
            Some("https://app.fastmail.com"),
            Ispdb("messagingengine.com.xml"),
        )
        .differs_because(
            "smtp.fastmail.com:587 STARTTLS is on Fastmail's 'Server names and ports' page \
             (fastmail.help/hc/en-us/articles/1500000278342); the ISPDB lists only 465",
        )],
        notes: &[Note::AppPassword],
        spf_includes: &["spf.messagingengine.com"],
    },
    Provider {
        id: "icloud",
        name: "iCloud Mail",
        kind: Kind::Mailbox,
        // Apple's own addresses log in to IMAP with the part before the @ and to SMTP with the
        // full address; a custom domain's users log in with their iCloud account's address.
        variants: &[
            v(
                &["mail.icloud.com"],
                &[login(s(Imap, "imap.mail.me.com", 993, Tls), LocalPart)],
                &[s(Smtp, "smtp.mail.me.com", 587, StartTls)],
                Some("https://www.icloud.com/mail"),
                Ispdb("me.com.xml"),
            )
            .for_domains(&["icloud.com", "me.com", "mac.com"]),
            v(
                &["mail.icloud.com"],
                &[login(s(Imap, "imap.mail.me.com", 993, Tls), AccountName)],
                &[login(
                    s(Smtp, "smtp.mail.me.com", 587, StartTls),
                    AccountName,
                )],
                Some("https://www.icloud.com/mail"),
                DeltaChat("icloud.md"),
            )
            .labelled("custom domain (iCloud+)")
            .differs_because(
                "custom-domain users log in with their iCloud account's address, not the \
                 custom address (the notes of the same Delta Chat file; Apple's 'iCloud Mail \
                 server settings', support.apple.com/102525)",
            ),
        ],
        notes: &[Note::AppPassword],
        spf_includes: &["icloud.com"],
    },
    Provider {
        id: "yahoo",
        name: "Yahoo Mail",
        kind: Kind::Mailbox,
        variants: &[v(
            &["yahoodns.net"],
            &[
                s(Imap, "imap.mail.yahoo.com", 993, Tls),
                s(Pop3, "pop.mail.yahoo.com", 995, Tls),
            ],
            &[
                s(Smtp, "smtp.mail.yahoo.com", 465, Tls),
                s(Smtp, "smtp.mail.yahoo.com", 587, StartTls),
            ],
            Some("https://mail.yahoo.com"),
            Ispdb("yahoo.com.xml"),
        )
        .differs_because(
            "smtp.mail.yahoo.com:587 STARTTLS is on Yahoo's 'IMAP server settings' help page \
             (help.yahoo.com/kb/SLN4075.html); the ISPDB lists only 465",
        )],
        notes: &[Note::AppPassword],
        spf_includes: &["_spf.mail.yahoo.com"],
    },
    Provider {
        id: "aol",
        name: "AOL Mail",
        kind: Kind::Mailbox,
        variants: &[v(
            // AOL's MX (mx-aol.mail.gm0.yahoodns.net) is inside Yahoo's: the longer match wins.
            &["mail.gm0.yahoodns.net"],
            &[
                s(Imap, "imap.aol.com", 993, Tls),
                s(Pop3, "pop.aol.com", 995, Tls),
            ],
            &[s(Smtp, "smtp.aol.com", 465, Tls)],
            Some("https://mail.aol.com"),
            Ispdb("aol.com.xml"),
        )],
        notes: &[Note::AppPassword],
        spf_includes: &[],
    },
    Provider {
        id: "proton",
        name: "Proton Mail",
        kind: Kind::NoImap,
        variants: &[v(
            &["protonmail.ch", "proton.me"],
            NONE,
            NONE,
            Some("https://mail.proton.me"),
            Page("https://proton.me/support/smtp-submission"),
        )],
        notes: &[Note::BridgeOnly, Note::ProtonSmtpToken],
        spf_includes: &["_spf.protonmail.ch"],
    },
    Provider {
        id: "tuta",
        name: "Tuta (Tutanota)",
        kind: Kind::NoImap,
        variants: &[v(
            &["tutanota.de"],
            NONE,
            NONE,
            Some("https://app.tuta.com"),
            Unverified,
        )],
        notes: &[],
        spf_includes: &["spf.tutanota.de"],
    },
    Provider {
        id: "hey",
        name: "HEY",
        kind: Kind::NoImap,
        variants: &[v(
            &["hey.com"],
            NONE,
            NONE,
            Some("https://app.hey.com"),
            DeltaChat("hey.com.md"),
        )],
        notes: &[],
        spf_includes: &[],
    },
    Provider {
        id: "godaddy",
        name: "GoDaddy Workspace Email",
        kind: Kind::Mailbox,
        // Anchored: GoDaddy's mail MX are mx1/mx2/smtp.secureserver.net, while its cPanel
        // servers are p3plcpnl0123.prod.phx3.secureserver.net (a customer's own server).
        variants: &[v(
            &["*.secureserver.net"],
            &[
                s(Imap, "imap.secureserver.net", 993, Tls),
                s(Pop3, "pop.secureserver.net", 995, Tls),
            ],
            &[
                s(Smtp, "smtpout.secureserver.net", 465, Tls),
                s(Smtp, "smtpout.secureserver.net", 587, StartTls),
            ],
            Some("https://email.godaddy.com"),
            Ispdb("wildwestdomains.com.xml"),
        )
        .differs_because(
            "smtpout.secureserver.net:587 STARTTLS is on GoDaddy's 'Server and port settings' \
             help page (godaddy.com/help/4714); the ISPDB lists only 465",
        )],
        notes: &[Note::RetiringInto("Microsoft 365")],
        spf_includes: &["secureserver.net"],
    },
    Provider {
        id: "ionos",
        name: "IONOS",
        kind: Kind::Mailbox,
        // Unverified: the ISPDB has no ionos.* file (its 1und1.de.xml is 1&1's consumer mail on
        // imap.1und1.de, another service), and Delta Chat has none either.
        variants: &[
            regional!(
                "Germany",
                ["ionos.de", "kundenserver.de", "schlund.de"],
                "imap.ionos.de",
                "pop.ionos.de",
                "smtp.ionos.de",
                Unverified
            ),
            regional!(
                "United Kingdom",
                ["ionos.co.uk", "1and1.co.uk", "oneandone.co.uk"],
                "imap.ionos.co.uk",
                "pop.ionos.co.uk",
                "smtp.ionos.co.uk",
                Unverified
            ),
            regional!(
                "United States",
                ["ionos.com", "1and1.com", "perfora.net"],
                "imap.ionos.com",
                "pop.ionos.com",
                "smtp.ionos.com",
                Unverified
            ),
            regional!(
                "Spain",
                ["ionos.es", "1and1.es", "clienteservidor.es"],
                "imap.ionos.es",
                "pop.ionos.es",
                "smtp.ionos.es",
                Unverified
            ),
            regional!(
                "France",
                ["ionos.fr", "1and1.fr"],
                "imap.ionos.fr",
                "pop.ionos.fr",
                "smtp.ionos.fr",
                Unverified
            ),
            regional!(
                "Italy",
                ["ionos.it"],
                "imap.ionos.it",
                "pop.ionos.it",
                "smtp.ionos.it",
                Unverified
            ),
            regional!(
                "Mexico",
                ["ionos.mx"],
                "imap.ionos.mx",
                "pop.ionos.mx",
                "smtp.ionos.mx",
                Unverified
            ),
        ],
        notes: &[],
        spf_includes: &["_spf.perfora.net", "_spf.kundenserver.de"],
    },
    Provider {
        id: "ovh",
        name: "OVHcloud",
        kind: Kind::Mailbox,
        variants: &[
            // mx1-4.ovh.net: the legacy MX of older OVH mail plans.
            v(
                &[
                    "mail.ovh.net",
                    "mx1.ovh.net",
                    "mx2.ovh.net",
                    "mx3.ovh.net",
                    "mx4.ovh.net",
                ],
                &[
                    s(Imap, "ssl0.ovh.net", 993, Tls),
                    s(Pop3, "ssl0.ovh.net", 995, Tls),
                ],
                &[
                    s(Smtp, "ssl0.ovh.net", 465, Tls),
                    s(Smtp, "ssl0.ovh.net", 587, StartTls),
                ],
                Some("https://www.ovhcloud.com/en/mail/"),
                Ispdb("ovh.net.xml"),
            )
            .labelled("Europe")
            .differs_because(
                "ssl0.ovh.net:587 STARTTLS is in OVHcloud's guide 'MX Plan - Configure an \
                 email address' (help.ovhcloud.com); the ISPDB lists only 465",
            ),
            v(
                &["mail.ovh.ca"],
                &[
                    s(Imap, "ssl0.ovh.ca", 993, Tls),
                    s(Pop3, "ssl0.ovh.ca", 995, Tls),
                ],
                &[
                    s(Smtp, "ssl0.ovh.ca", 465, Tls),
                    s(Smtp, "ssl0.ovh.ca", 587, StartTls),
                ],
                Some("https://www.ovhcloud.com/en-ca/mail/"),
                Unverified,
            )
            .labelled("America and Asia-Pacific"),
        ],
        notes: &[],
        spf_includes: &["mx.ovh.com"],
    },
    Provider {
        id: "namecheap",
        name: "Namecheap Private Email",
        kind: Kind::Mailbox,
        variants: &[v(
            &["privateemail.com"],
            &[
                s(Imap, "mail.privateemail.com", 993, Tls),
                s(Pop3, "mail.privateemail.com", 995, Tls),
            ],
            &[
                s(Smtp, "mail.privateemail.com", 465, Tls),
                s(Smtp, "mail.privateemail.com", 587, StartTls),
            ],
            Some("https://privateemail.com"),
            Unverified,
        )],
        notes: &[],
        spf_includes: &["spf.privateemail.com"],
    },
    Provider {
        id: "rackspace",
        name: "Rackspace Email",
        kind: Kind::Mailbox,
        variants: &[v(
            &["emailsrvr.com"],
            &[
                s(Imap, "secure.emailsrvr.com", 993, Tls),
                s(Pop3, "secure.emailsrvr.com", 995, Tls),
            ],
            &[
                s(Smtp, "secure.emailsrvr.com", 465, Tls),
                s(Smtp, "secure.emailsrvr.com", 587, StartTls),
            ],
            Some("https://apps.rackspace.com"),
            Ispdb("emailsrvr.com.xml"),
        )
        .differs_because(
            "POP3 on 995 and SMTP on 587 are on Rackspace's 'Email server settings' page \
             (docs.rackspace.com/docs/email-server-settings); the ISPDB lists IMAP and 465 only",
        )],
        notes: &[],
        spf_includes: &["emailsrvr.com"],
    },
    Provider {
        id: "amazon_workmail",
        name: "Amazon WorkMail",
        kind: Kind::Mailbox,
        // WorkMail exists in three regions only; other inbound-smtp regions are SES receiving.
        variants: &[
            workmail!("us-east-1"),
            workmail!("us-west-2"),
            workmail!("eu-west-1"),
        ],
        // The same inbound-smtp MX also serves Amazon SES receiving (no mailbox).
        notes: &[
            Note::EndOfLife("2027-03-31"),
            Note::MxAlsoServes("Amazon SES receiving"),
        ],
        spf_includes: &["amazonses.com"],
    },
    Provider {
        id: "yandex",
        name: "Yandex 360",
        kind: Kind::Mailbox,
        variants: &[v(
            &["yandex.net", "yandex.ru"],
            &[
                s(Imap, "imap.yandex.com", 993, Tls),
                s(Pop3, "pop.yandex.com", 995, Tls),
            ],
            &[s(Smtp, "smtp.yandex.com", 465, Tls)],
            Some("https://mail.yandex.com"),
            Ispdb("yandex.ru.xml"),
        )],
        notes: &[Note::AppPassword, Note::ImapOffByDefault],
        spf_includes: &["_spf.yandex.net"],
    },
    Provider {
        id: "mailru",
        name: "Mail.ru",
        kind: Kind::Mailbox,
        variants: &[v(
            &["mail.ru"],
            &[
                s(Imap, "imap.mail.ru", 993, Tls),
                s(Pop3, "pop.mail.ru", 995, Tls),
            ],
            &[s(Smtp, "smtp.mail.ru", 465, Tls)],
            Some("https://e.mail.ru"),
            Ispdb("mail.ru.xml"),
        )],
        notes: &[Note::AppPassword],
        spf_includes: &["_spf.mail.ru"],
    },
    Provider {
        id: "gmx",
        name: "GMX",
        kind: Kind::Mailbox,
        variants: &[
            v(
                &["gmx.net"],
                &[
                    s(Imap, "imap.gmx.net", 993, Tls),
                    s(Pop3, "pop.gmx.net", 995, Tls),
                ],
                &[
                    s(Smtp, "mail.gmx.net", 465, Tls),
                    s(Smtp, "mail.gmx.net", 587, StartTls),
                ],
                Some("https://www.gmx.net"),
                Ispdb("gmx.net.xml"),
            )
            .labelled("gmx.net (Germany, Austria, Switzerland)"),
            v(
                &["gmx.com"],
                &[
                    s(Imap, "imap.gmx.com", 993, Tls),
                    s(Pop3, "pop.gmx.com", 995, Tls),
                ],
                &[
                    s(Smtp, "mail.gmx.com", 465, Tls),
                    s(Smtp, "mail.gmx.com", 587, StartTls),
                ],
                Some("https://www.gmx.com"),
                Ispdb("gmx.com.xml"),
            )
            .labelled("gmx.com"),
        ],
        notes: &[Note::ImapOffByDefault],
        spf_includes: &["gmx.net"],
    },
    Provider {
        id: "mail_com",
        name: "mail.com",
        kind: Kind::Mailbox,
        // mail.com's own MX are mx00/mx01.mail.com; its brand domains have also been served by
        // GMX's (mx00.gmx.com): the mail domain tells them apart.
        variants: &[Variant {
            mx: &["mail.com", "gmx.com"],
            label: None,
            domains: &[
                "mail.com",
                "mail.org",
                "email.com",
                "post.com",
                "usa.com",
                "accountant.com",
                "consultant.com",
                "dr.com",
                "engineer.com",
                "cheerful.com",
                "techie.com",
                "linuxmail.org",
                "europe.com",
                "london.com",
                "uymail.com",
                "myself.com",
                "iname.com",
                "writeme.com",
                "workmail.com",
            ],
            incoming: &[
                s(Imap, "imap.mail.com", 993, Tls),
                s(Pop3, "pop.mail.com", 995, Tls),
            ],
            outgoing: &[
                s(Smtp, "smtp.mail.com", 465, Tls),
                s(Smtp, "smtp.mail.com", 587, StartTls),
            ],
            webmail: Some("https://www.mail.com"),
            source: Ispdb("mail.com.xml"),
            differs: None,
            spf_includes: &[],
        }],
        notes: &[Note::PremiumOnly, Note::ImapOffByDefault],
        spf_includes: &[],
    },
    Provider {
        id: "webde",
        name: "WEB.DE",
        kind: Kind::Mailbox,
        variants: &[v(
            &["web.de"],
            &[
                login(s(Imap, "imap.web.de", 993, Tls), LocalPart),
                login(s(Pop3, "pop3.web.de", 995, Tls), LocalPart),
            ],
            &[
                login(s(Smtp, "smtp.web.de", 465, Tls), LocalPart),
                login(s(Smtp, "smtp.web.de", 587, StartTls), LocalPart),
            ],
            Some("https://web.de"),
            Ispdb("web.de.xml"),
        )],
        notes: &[Note::ImapOffByDefault],
        spf_includes: &["web.de"],
    },
    simple!(
        "titan",
        "Titan",
        ["titan.email"],
        "imap.titan.email",
        "smtp.titan.email",
        Unverified
    ),
    simple!(
        "gandi",
        "Gandi Mail",
        ["gandi.net"],
        "mail.gandi.net",
        pop "mail.gandi.net",
        "mail.gandi.net",
        Ispdb("gandi.net.xml")
    ),
    simple!(
        "migadu",
        "Migadu",
        ["migadu.com"],
        "imap.migadu.com",
        "smtp.migadu.com",
        DeltaChat("migadu.md")
    ),
    simple!(
        "mailbox_org",
        "mailbox.org",
        ["mailbox.org"],
        "imap.mailbox.org",
        "smtp.mailbox.org",
        DeltaChat("mailbox.org.md")
    ),
    simple!(
        "strato",
        "STRATO",
        ["rzone.de"],
        "imap.strato.de",
        pop "pop3.strato.de",
        "smtp.strato.de",
        Ispdb("strato.de.xml")
    ),
    simple!(
        "hetzner",
        "Hetzner",
        // Anchored: www123.your-server.de is Hetzner's mail, while
        // static.1.2.3.4.clients.your-server.de is a customer's own server.
        ["*.your-server.de"],
        "mail.your-server.de",
        "mail.your-server.de",
        Ispdb("hetzner.de.xml")
    ),
    simple!(
        "one_com",
        "one.com",
        ["one.com"],
        "imap.one.com",
        "send.one.com",
        Ispdb("one.com.xml")
    ),
    simple!(
        "infomaniak",
        "Infomaniak",
        ["infomaniak.ch"],
        "mail.infomaniak.com",
        "mail.infomaniak.com",
        DeltaChat("infomaniak.com.md")
    ),
    simple!(
        "purelymail",
        "Purelymail",
        ["purelymail.com"],
        "imap.purelymail.com",
        "smtp.purelymail.com",
        DeltaChat("purelymail.com.md")
    ),
    simple!(
        "pobox",
        "Pobox",
        ["pobox.com"],
        "mail.pobox.com",
        pop "mail.pobox.com",
        "smtp.pobox.com",
        Ispdb("pobox.com.xml")
    ),
    Provider {
        id: "hostinger",
        name: "Hostinger",
        kind: Kind::Webhost,
        variants: &[v(
            &["hostinger.com"],
            &[
                s(Imap, "imap.hostinger.com", 993, Tls),
                s(Pop3, "pop.hostinger.com", 995, Tls),
            ],
            &[s(Smtp, "smtp.hostinger.com", 465, Tls)],
            Some("https://mail.hostinger.com"),
            Unverified,
        )],
        notes: &[],
        spf_includes: &["_spf.mail.hostinger.com"],
    },
    Provider {
        id: "dreamhost",
        name: "DreamHost",
        kind: Kind::Webhost,
        variants: &[v(
            &["dreamhost.com"],
            &[
                s(Imap, "imap.dreamhost.com", 993, Tls),
                s(Pop3, "pop.dreamhost.com", 995, Tls),
            ],
            &[
                s(Smtp, "smtp.dreamhost.com", 465, Tls),
                s(Smtp, "smtp.dreamhost.com", 587, StartTls),
            ],
            Some("https://webmail.dreamhost.com"),
            Unverified,
        )],
        notes: &[],
        spf_includes: &["netblocks.dreamhost.com"],
    },
    Provider {
        id: "bluehost",
        name: "Bluehost",
        kind: Kind::Webhost,
        variants: &[v(
            &["bluehost.com"],
            &[s(Imap, "mail.{domain}", 993, Tls)],
            &[s(Smtp, "mail.{domain}", 465, Tls)],
            None,
            Unverified,
        )],
        notes: &[Note::SharedHostCertificate],
        spf_includes: &["bluehost.com"],
    },
    Provider {
        id: "siteground",
        name: "SiteGround",
        kind: Kind::Webhost,
        // The web host's own spam filter in front of its mailboxes, not a third-party gateway.
        variants: &[v(
            &["mailspamprotection.com"],
            &[s(Imap, "mail.{domain}", 993, Tls)],
            &[s(Smtp, "mail.{domain}", 465, Tls)],
            None,
            Unverified,
        )],
        notes: &[Note::SharedHostCertificate],
        spf_includes: &["_spf.mailspamprotection.com"],
    },
    Provider {
        id: "forward_email",
        name: "Forward Email",
        kind: Kind::Mailbox,
        // One MX for free forwarding and for the paid plans' mailboxes.
        variants: &[v(
            &["forwardemail.net"],
            &[
                s(Imap, "imap.forwardemail.net", 993, Tls),
                s(Pop3, "pop3.forwardemail.net", 995, Tls),
            ],
            &[
                s(Smtp, "smtp.forwardemail.net", 465, Tls),
                s(Smtp, "smtp.forwardemail.net", 587, StartTls),
            ],
            Some("https://forwardemail.net/my-account"),
            Page("https://forwardemail.net/en/faq"),
        )],
        notes: &[
            Note::PremiumOnly,
            Note::MxAlsoServes("Forward Email's free forwarding"),
        ],
        spf_includes: &["spf.forwardemail.net"],
    },
    Provider {
        id: "posteo",
        name: "Posteo",
        kind: Kind::Mailbox,
        variants: &[v(
            &["*.posteo.de"],
            &[
                s(Imap, "posteo.de", 993, Tls),
                s(Pop3, "posteo.de", 995, Tls),
            ],
            &[
                s(Smtp, "posteo.de", 465, Tls),
                s(Smtp, "posteo.de", 587, StartTls),
            ],
            Some("https://posteo.de"),
            Ispdb("posteo.de.xml"),
        )],
        notes: &[],
        spf_includes: &["posteo.de"],
    },
    Provider {
        id: "t_online",
        name: "Telekom Mail (T-Online)",
        kind: Kind::Mailbox,
        // Anchored: Telekom's customer lines are named under t-ipconnect.de and t-dialin.net,
        // but nothing below mxNN.t-online.de is its mail.
        variants: &[v(
            &["*.t-online.de"],
            &[
                s(Imap, "secureimap.t-online.de", 993, Tls),
                s(Pop3, "securepop.t-online.de", 995, Tls),
            ],
            &[
                s(Smtp, "securesmtp.t-online.de", 465, Tls),
                s(Smtp, "securesmtp.t-online.de", 587, StartTls),
            ],
            Some("https://email.t-online.de"),
            Ispdb("t-online.de.xml"),
        )],
        // Mail clients need the separate "E-Mail-Passwort", not the Telekom login password.
        notes: &[Note::AppPassword],
        spf_includes: &[],
    },
    simple!(
        "freenet",
        "freenet Mail",
        ["mx.freenet.de"],
        "mx.freenet.de",
        "mx.freenet.de",
        DeltaChat("freenet.de.md")
    ),
    Provider {
        id: "comcast",
        name: "Xfinity (Comcast)",
        kind: Kind::Mailbox,
        // Anchored: mx1a1.comcast.net is the mail, c-73-1-2-3.hsd1.fl.comcast.net a customer.
        variants: &[v(
            &["*.comcast.net"],
            &[
                s(Imap, "imap.comcast.net", 993, Tls),
                s(Pop3, "mail.comcast.net", 995, Tls),
            ],
            &[
                s(Smtp, "smtp.comcast.net", 465, Tls),
                s(Smtp, "smtp.comcast.net", 587, StartTls),
            ],
            Some("https://connect.xfinity.com"),
            Ispdb("comcast.net.xml"),
        )],
        notes: &[Note::ImapOffByDefault],
        spf_includes: &[],
    },
    Provider {
        id: "orange",
        name: "Orange (France)",
        kind: Kind::Mailbox,
        variants: &[v(
            &["smtp-in.orange.fr"],
            &[
                s(Imap, "imap.orange.fr", 993, Tls),
                s(Pop3, "pop.orange.fr", 995, Tls),
            ],
            &[s(Smtp, "smtp.orange.fr", 465, Tls)],
            Some("https://messagerie.orange.fr"),
            Ispdb("orange.fr.xml"),
        )],
        notes: &[],
        spf_includes: &[],
    },
    simple!(
        "seznam",
        "Seznam Email",
        ["*.seznam.cz"],
        "imap.seznam.cz",
        pop "pop3.seznam.cz",
        "smtp.seznam.cz",
        Ispdb("seznam.cz.xml")
    ),
    Provider {
        id: "italiaonline",
        name: "Libero Mail / Virgilio (Italiaonline)",
        kind: Kind::Mailbox,
        variants: &[
            v(
                &["smtp-in.libero.it"],
                &[
                    s(Imap, "imapmail.libero.it", 993, Tls),
                    s(Pop3, "popmail.libero.it", 995, Tls),
                ],
                &[s(Smtp, "smtp.libero.it", 465, Tls)],
                Some("https://mail.libero.it"),
                Ispdb("libero.it.xml"),
            )
            .labelled("Libero"),
            // Only for virgilio.it itself: any MX under its own name is Italiaonline's.
            v(
                &["virgilio.it"],
                &[
                    s(Imap, "in.virgilio.it", 993, Tls),
                    s(Pop3, "in.virgilio.it", 995, Tls),
                ],
                &[s(Smtp, "out.virgilio.it", 465, Tls)],
                Some("https://mail.virgilio.it"),
                Ispdb("virgilio.it.xml"),
            )
            .labelled("Virgilio")
            .for_domains(&["virgilio.it"]),
        ],
        notes: &[],
        spf_includes: &[],
    },
    simple!(
        "rambler",
        "Rambler Mail",
        ["mx.rambler.ru"],
        "imap.rambler.ru",
        pop "pop.rambler.ru",
        "smtp.rambler.ru",
        Ispdb("rambler.ru.xml")
    ),
    Provider {
        id: "qq",
        name: "QQ Mail / Tencent Exmail",
        kind: Kind::Mailbox,
        variants: &[
            v(
                &["mx1.qq.com", "mx2.qq.com", "mx3.qq.com"],
                &[s(Imap, "imap.qq.com", 993, Tls)],
                &[s(Smtp, "smtp.qq.com", 465, Tls)],
                Some("https://mail.qq.com"),
                Ispdb("qq.com.xml"),
            )
            .labelled("QQ Mail"),
            v(
                &["mxbiz1.qq.com", "mxbiz2.qq.com"],
                &[s(Imap, "imap.exmail.qq.com", 993, Tls)],
                &[s(Smtp, "smtp.exmail.qq.com", 465, Tls)],
                Some("https://exmail.qq.com"),
                Unverified,
            )
            .labelled("Tencent Exmail (business)"),
        ],
        // Clients log in with an authorisation code made in the webmail, not the QQ password.
        notes: &[Note::AppPassword, Note::ImapOffByDefault],
        spf_includes: &["spf.mail.qq.com"],
    },
    Provider {
        id: "netease",
        name: "NetEase Mail",
        kind: Kind::Mailbox,
        // 163.com, 126.com and yeah.net share mxmail.netease.com; the domain tells them apart.
        variants: &[
            netease!("163.com"),
            netease!("126.com"),
            netease!("yeah.net"),
            v(
                &[
                    "qiye163mx01.mxmail.netease.com",
                    "qiye163mx02.mxmail.netease.com",
                ],
                &[s(Imap, "imaphz.qiye.163.com", 993, Tls)],
                &[s(Smtp, "smtphz.qiye.163.com", 465, Tls)],
                Some("https://qiye.163.com"),
                Unverified,
            )
            .labelled("NetEase Qiye (business)"),
        ],
        // Clients log in with an authorisation code made in the webmail, not the password.
        notes: &[Note::AppPassword, Note::ImapOffByDefault],
        spf_includes: &["spf.163.com"],
    },
    Provider {
        id: "alibaba",
        name: "Alibaba Mail (Aliyun enterprise)",
        kind: Kind::Mailbox,
        variants: &[v(
            &["mxhichina.com"],
            &[
                s(Imap, "imap.qiye.aliyun.com", 993, Tls),
                s(Pop3, "pop.qiye.aliyun.com", 995, Tls),
            ],
            &[s(Smtp, "smtp.qiye.aliyun.com", 465, Tls)],
            Some("https://qiye.aliyun.com"),
            Unverified,
        )],
        notes: &[],
        spf_includes: &["spf.mxhichina.com"],
    },
    Provider {
        id: "naver",
        name: "Naver Mail / Naver Works",
        kind: Kind::Mailbox,
        variants: &[
            v(
                &["mx1.naver.com", "mx2.naver.com", "mx3.naver.com"],
                &[
                    s(Imap, "imap.naver.com", 993, Tls),
                    s(Pop3, "pop.naver.com", 995, Tls),
                ],
                &[s(Smtp, "smtp.naver.com", 465, Tls)],
                Some("https://mail.naver.com"),
                Ispdb("naver.com.xml"),
            )
            .labelled("Naver Mail"),
            v(
                &["worksmobile.com"],
                &[s(Imap, "imap.worksmobile.com", 993, Tls)],
                &[s(Smtp, "smtp.worksmobile.com", 465, Tls)],
                Some("https://mail.worksmobile.com"),
                Unverified,
            )
            .labelled("Naver Works (business)"),
        ],
        notes: &[Note::AppPassword, Note::ImapOffByDefault],
        spf_includes: &[],
    },
    // Kakao Mail's own kakao.com addresses are left out: neither database has them, and
    // their MX names could not be checked here.
    simple!(
        "daum",
        "Daum Mail (Kakao)",
        ["hanmail.net"],
        "imap.daum.net",
        "smtp.daum.net",
        Ispdb("daum.net.xml")
    ),
    // Forwarding services and inbound APIs: there is no mailbox behind their MX.
    bare!(
        "cloudflare_routing",
        "Cloudflare Email Routing",
        Kind::Forwarding,
        ["mx.cloudflare.net"],
        Unverified
    ),
    bare!(
        "namecheap_forwarding",
        "Namecheap Email Forwarding",
        Kind::Forwarding,
        ["registrar-servers.com"],
        Unverified
    ),
    bare!(
        "improvmx",
        "ImprovMX",
        Kind::Forwarding,
        ["improvmx.com"],
        Unverified
    ),
    bare!(
        "porkbun_forwarding",
        "Porkbun Email Forwarding",
        Kind::Forwarding,
        ["fwd1.porkbun.com", "fwd2.porkbun.com"],
        Unverified
    ),
    bare!(
        "mailgun",
        "Mailgun (inbound routes)",
        Kind::Forwarding,
        ["mailgun.org"],
        Unverified
    ),
    bare!(
        "sendgrid",
        "SendGrid Inbound Parse",
        Kind::Forwarding,
        ["mx.sendgrid.net"],
        Unverified
    ),
    bare!(
        "postmark",
        "Postmark inbound",
        Kind::Forwarding,
        ["inbound.postmarkapp.com"],
        Unverified
    ),
    bare!(
        "amazon_ses",
        "Amazon SES receiving",
        Kind::Forwarding,
        ["inbound-smtp.*.amazonaws.com"],
        Unverified
    ),
    // Filtering gateways: the mailboxes are elsewhere.
    bare!(
        "proofpoint",
        "Proofpoint",
        Kind::Gateway,
        ["pphosted.com", "ppe-hosted.com", "proofpoint.com"],
        Unverified
    ),
    bare!(
        "mimecast",
        "Mimecast",
        Kind::Gateway,
        ["mimecast.com", "mimecast.co.za", "mimecast-offshore.com"],
        Unverified
    ),
    bare!(
        "barracuda",
        "Barracuda Email Security",
        Kind::Gateway,
        ["barracudanetworks.com", "cudamail.com"],
        Unverified
    ),
    bare!(
        "cisco",
        "Cisco Secure Email",
        Kind::Gateway,
        ["iphmx.com"],
        Unverified
    ),
    bare!(
        "sophos",
        "Sophos Email",
        Kind::Gateway,
        ["sophos.com"],
        Unverified
    ),
    bare!(
        "trendmicro",
        "Trend Micro Email Security",
        Kind::Gateway,
        ["trendmicro.com", "trendmicro.eu", "trendmicro.co.jp"],
        Unverified
    ),
    bare!(
        "broadcom",
        "Symantec Email Security.cloud",
        Kind::Gateway,
        ["messagelabs.com", "inboundmx.com"],
        Unverified
    ),
    bare!(
        "forcepoint",
        "Forcepoint Email Security",
        Kind::Gateway,
        ["mailcontrol.com"],
        Unverified
    ),
    bare!(
        "hornetsecurity",
        "Hornetsecurity",
        Kind::Gateway,
        ["hornetsecurity.com"],
        Unverified
    ),
    bare!(
        "spamexperts",
        "SpamExperts / N-able Mail Assure",
        Kind::Gateway,
        [
            "spamexperts.com",
            "antispamcloud.com",
            "spamexperts.eu",
            "spamexperts.net",
            "mtaroutes.com"
        ],
        Unverified
    ),
    bare!(
        "mailroute",
        "MailRoute",
        Kind::Gateway,
        ["mailroute.net"],
        Unverified
    ),
    bare!(
        "fortimail",
        "FortiMail Cloud",
        Kind::Gateway,
        ["fortimailcloud.com"],
        Unverified
    ),
    bare!(
        "appriver",
        "AppRiver / Zix",
        Kind::Gateway,
        ["arsmtp.com"],
        Unverified
    ),
    bare!(
        "trellix",
        "Trellix Email Security",
        Kind::Gateway,
        ["fireeyecloud.com"],
        Unverified
    ),
    bare!(
        "mcafee",
        "McAfee MX Logic",
        Kind::Gateway,
        ["mxlogic.net"],
        Unverified
    ),
    bare!(
        "libraesva",
        "Libraesva",
        Kind::Gateway,
        ["esvacloud.com"],
        Unverified
    ),
    Provider {
        id: "cyren",
        name: "Cyren Email Security",
        kind: Kind::Gateway,
        variants: &[v(
            &["cyren.cloud", "ctmail.com", "expurgate.net"],
            NONE,
            NONE,
            None,
            Unverified,
        )],
        notes: &[Note::MailboxesElsewhere, Note::Defunct("February 2023")],
        spf_includes: &[],
    },
    bare!(
        "cloudflare_email_security",
        "Cloudflare Email Security (Area 1)",
        Kind::Gateway,
        ["mxrecord.io", "mxrecord.mx"],
        Unverified
    ),
];

/// What the table says about one MX host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub provider: &'static Provider,
    pub variant: &'static Variant,
    /// The pattern that matched.
    pub pattern: &'static str,
}

/// How well a pattern matched: more labels first, then fewer wildcards, then a variant made
/// for the mail domain over one for any domain.
fn specificity(pattern: &str, for_domain: bool) -> (usize, usize, bool) {
    let labels = pattern.split('.').count();
    let exact = pattern.split('.').filter(|l| *l != "*").count();
    (labels, exact, for_domain)
}

/// The best table entry for an MX host of `domain`: the longest matching pattern over the
/// whole table, whatever the table's order.
pub fn lookup(host: &str, domain: &str) -> Option<Match> {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let mut best: Option<(Match, (usize, usize, bool))> = None;
    for provider in PROVIDERS {
        for variant in provider.variants {
            let for_domain = !variant.domains.is_empty();
            if for_domain && !variant.domains.contains(&domain.as_str()) {
                continue;
            }
            for pattern in variant.mx {
                if !matches(pattern, host) {
                    continue;
                }
                let rank = specificity(pattern, for_domain);
                if best.as_ref().is_none_or(|(_, r)| rank > *r) {
                    let found = Match {
                        provider,
                        variant,
                        pattern,
                    };
                    best = Some((found, rank));
                }
            }
        }
    }
    best.map(|(m, _)| m)
}

/// Whether `host` is `pattern` or ends in `.pattern`, comparing whole labels (`*` is any one
/// label): `evilgoogle.com` and `google.com.attacker.test` never match `google.com`.
pub fn matches(pattern: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host_labels: Vec<&str> = host.split('.').collect();
    let pattern_labels: Vec<&str> = pattern.split('.').collect();
    let anchored = pattern.starts_with("*.");
    if host_labels.len() < pattern_labels.len()
        || anchored && host_labels.len() != pattern_labels.len()
    {
        return false;
    }
    let tail = &host_labels[host_labels.len() - pattern_labels.len()..];
    pattern_labels
        .iter()
        .zip(tail)
        .all(|(p, h)| *p == "*" && !h.is_empty() || p == h)
}

/// Fills `{domain}` in a published host name.
pub fn expand_host(template: &str, domain: &str) -> String {
    template.replace("{domain}", domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A host each pattern must match, and look-alikes it must not.
    fn example(pattern: &str) -> String {
        match pattern.strip_prefix("*.") {
            Some(rest) => format!("mx1.{rest}"),
            None => format!("mx1.{}", pattern.replace('*', "eu-central-1")),
        }
    }

    #[test]
    fn every_pattern_matches_its_hosts_and_no_look_alike() {
        for p in PROVIDERS {
            for v in p.variants {
                for pattern in v.mx {
                    assert_eq!(*pattern, pattern.to_ascii_lowercase(), "{pattern}");
                    assert!(
                        !pattern.starts_with('.') && !pattern.ends_with('.'),
                        "{pattern}"
                    );
                    let host = example(pattern);
                    assert!(matches(pattern, &host), "{pattern} vs {host}");
                    assert!(matches(pattern, &host.to_ascii_uppercase()), "{pattern}");
                    let concrete = pattern.replace('*', "x");
                    let rest = pattern.strip_prefix("*.").unwrap_or(pattern);
                    for look_alike in [
                        format!("x.evil{rest}"),
                        format!("{concrete}.attacker.test"),
                        format!("mx.{concrete}-evil.test"),
                        // An anchored pattern: a deeper name is a customer's own.
                        format!("a.b.{concrete}"),
                    ] {
                        if look_alike.starts_with("a.b.") && !pattern.starts_with("*.") {
                            continue;
                        }
                        assert!(
                            !matches(pattern, &look_alike),
                            "{pattern} matched {look_alike}"
                        );
                    }
                    // The host is recognised as this provider (unless a brand needs its domain).
                    if v.domains.is_empty() {
                        let m = lookup(&host, "customer.example").expect(pattern);
                        assert_eq!(m.provider.id, p.id, "{host}");
                    }
                }
            }
        }
    }

    #[test]
    fn every_mailbox_variant_says_where_it_was_checked_or_that_it_was_not() {
        for p in PROVIDERS {
            assert!(!p.variants.is_empty(), "{}", p.id);
            for v in p.variants {
                match v.source {
                    Source::Ispdb(file) => assert!(file.ends_with(".xml"), "{}", p.id),
                    Source::DeltaChat(file) => assert!(file.ends_with(".md"), "{}", p.id),
                    Source::Page(url) => assert!(url.starts_with("https://"), "{}", p.id),
                    Source::Unverified => {}
                }
                let has_settings = !v.incoming.is_empty();
                match p.kind {
                    Kind::Mailbox => assert!(has_settings, "{}", p.id),
                    Kind::Gateway | Kind::Forwarding | Kind::NoImap => {
                        assert!(!has_settings, "{}", p.id)
                    }
                    Kind::Webhost => {}
                }
            }
        }
    }

    #[test]
    fn the_longest_match_wins_whatever_the_order() {
        let id = |host: &str, domain: &str| lookup(host, domain).map(|m| m.provider.id);
        assert_eq!(id("mx-aol.mail.gm0.yahoodns.net", "aol.com"), Some("aol"));
        assert_eq!(id("mta5.am0.yahoodns.net", "yahoo.com"), Some("yahoo"));
        assert_eq!(id("mx00.gmx.com", "mail.com"), Some("mail_com"));
        assert_eq!(id("mx00.gmx.com", "gmx.com"), Some("gmx"));
        assert_eq!(
            id("eur.olc.protection.outlook.com", "outlook.de"),
            Some("outlook_com")
        );
        assert_eq!(
            id("contoso-com.mail.protection.outlook.com", "contoso.com"),
            Some("microsoft365")
        );
        assert_eq!(
            id("inbound-smtp.eu-west-1.amazonaws.com", "x.com"),
            Some("amazon_workmail")
        );
        assert_eq!(
            id("inbound-smtp.ap-south-1.amazonaws.com", "x.com"),
            Some("amazon_ses")
        );
        // A customer's own server at a hosting company is not the hosting company's mail.
        assert_eq!(id("vps-1234abcd.vps.ovh.net", "x.com"), None);
        for customer in [
            "static.1.2.3.4.clients.your-server.de",
            "p3plcpnl0123.prod.phx3.secureserver.net",
            "c-73-1-2-3.hsd1.fl.comcast.net",
            "ip-1-2-3-4.mail.t-online.de",
        ] {
            assert_eq!(id(customer, "x.com"), None, "{customer}");
        }
        assert_eq!(id("www123.your-server.de", "x.com"), Some("hetzner"));
        assert_eq!(id("mx1.secureserver.net", "x.com"), Some("godaddy"));
        assert_eq!(id("mx1a1.comcast.net", "comcast.net"), Some("comcast"));
        assert_eq!(id("mx1.ovh.net", "x.com"), Some("ovh"));
        assert_eq!(id("mx1.smtp.goog", "x.com"), Some("google"));
        assert_eq!(id("gmail-smtp-in.l.google.com", "gmail.com"), Some("gmail"));
        assert_eq!(id("mx.eu1.mtaroutes.com", "x.com"), Some("spamexperts"));
        assert_eq!(id("evilgoogle.com", "x.com"), None);
        assert_eq!(id("aspmx.l.google.com.attacker.test", "x.com"), None);
    }

    #[test]
    fn regional_variants_give_their_own_hosts() {
        let imap = |host: &str| lookup(host, "x.com").unwrap().variant.incoming[0].host;
        assert_eq!(imap("mx.zoho.eu"), "imappro.zoho.eu");
        assert_eq!(imap("mx.zohocloud.ca"), "imappro.zohocloud.ca");
        assert_eq!(imap("mx00.kundenserver.de"), "imap.ionos.de");
        assert_eq!(imap("mx00.1and1.co.uk"), "imap.ionos.co.uk");
        assert_eq!(imap("mx01.perfora.net"), "imap.ionos.com");
        assert_eq!(imap("mx1.mail.ovh.ca"), "ssl0.ovh.ca");
        assert_eq!(imap("mx00.gmx.net"), "imap.gmx.net");
        assert_eq!(
            imap("inbound-smtp.us-west-2.amazonaws.com"),
            "imap.mail.us-west-2.awsapps.com"
        );
    }
}
