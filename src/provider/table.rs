//! The provider table: who runs an MX host, and what that provider publishes as client settings.
//!
//! Pure data. A provider has variants (a region, a brand), each chosen by the MX host names it
//! serves: an MX pattern matches a host equal to it or ending in `.pattern`, whole labels only,
//! and `*` stands for exactly one label. The longest matching pattern wins over the whole table,
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

/// How the login name is formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Username {
    FullAddress,
    /// The provider's own account name (e.g. an Apple ID), not necessarily the address.
    AccountName,
}

/// Where a variant's settings were checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A public source: repository and path, or the provider's help page title.
    Checked(&'static str),
    /// Known to us but not checked against a public source here.
    Unverified,
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
    /// authentication is off by default for existing tenants from the end of December 2026
    /// (admins can re-enable it), final removal announced for the second half of 2027.
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    pub protocol: Protocol,
    pub host: &'static str,
    pub port: u16,
    pub security: Security,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provider {
    pub id: &'static str,
    pub name: &'static str,
    pub kind: Kind,
    pub variants: &'static [Variant],
    pub username: Username,
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
    }
}

use Protocol::{Imap, Pop3, Smtp};
use Security::{StartTls, Tls};

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
    }
}

const fn labelled(label: &'static str, variant: Variant) -> Variant {
    Variant {
        label: Some(label),
        ..variant
    }
}

/// A provider with one IMAP (993) and one SMTP (465) host.
macro_rules! simple {
    ($id:expr, $name:expr, [$($mx:expr),+], $imap:expr, $smtp:expr, $source:expr) => {
        Provider {
            id: $id,
            name: $name,
            kind: Kind::Mailbox,
            variants: &[Variant {
                mx: &[$($mx),+],
                label: None,
                domains: &[],
                incoming: &[s(Imap, $imap, 993, Tls)],
                outgoing: &[s(Smtp, $smtp, 465, Tls)],
                webmail: None,
                source: $source,
            }],
            username: Username::FullAddress,
            notes: &[],
            spf_includes: &[],
        }
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
        }
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
            }],
            username: Username::FullAddress,
            notes: match $kind {
                Kind::Gateway => &[Note::MailboxesElsewhere],
                Kind::Forwarding => &[Note::NoMailbox],
                _ => &[],
            },
            spf_includes: &[],
        }
    };
}

use Source::{Checked, Unverified};

pub static PROVIDERS: &[Provider] = &[
    Provider {
        id: "google",
        name: "Google Workspace",
        kind: Kind::Mailbox,
        variants: &[v(
            &["google.com", "googlemail.com"],
            &[
                s(Imap, "imap.gmail.com", 993, Tls),
                s(Pop3, "pop.gmail.com", 995, Tls),
            ],
            &[
                s(Smtp, "smtp.gmail.com", 465, Tls),
                s(Smtp, "smtp.gmail.com", 587, StartTls),
            ],
            Some("https://mail.google.com"),
            Checked("thunderbird/autoconfig ispdb/googlemail.com.xml"),
        )],
        username: Username::FullAddress,
        notes: &[Note::AppPassword, Note::ImapAdminSetting],
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
                Checked("thunderbird/autoconfig ispdb/office365.com.xml"),
            ),
            labelled(
                "GCC High",
                v(
                    &["mail.protection.office365.us"],
                    &[s(Imap, "outlook.office365.us", 993, Tls)],
                    &[s(Smtp, "smtp.office365.us", 587, StartTls)],
                    Some("https://outlook.office365.us"),
                    Unverified,
                ),
            ),
        ],
        username: Username::FullAddress,
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
            Checked("thunderbird/autoconfig ispdb/hotmail.com.xml"),
        )],
        username: Username::FullAddress,
        notes: &[Note::OAuthOnly],
        spf_includes: &["spf.protection.outlook.com"],
    },
    Provider {
        id: "zoho",
        name: "Zoho Mail",
        kind: Kind::Mailbox,
        variants: &[
            regional!(
                "United States",
                ["zoho.com"],
                "imappro.zoho.com",
                "poppro.zoho.com",
                "smtppro.zoho.com",
                Unverified
            ),
            regional!(
                "Europe",
                ["zoho.eu"],
                "imappro.zoho.eu",
                "poppro.zoho.eu",
                "smtppro.zoho.eu",
                Unverified
            ),
            regional!(
                "India",
                ["zoho.in"],
                "imappro.zoho.in",
                "poppro.zoho.in",
                "smtppro.zoho.in",
                Unverified
            ),
            regional!(
                "Australia",
                ["zoho.com.au"],
                "imappro.zoho.com.au",
                "poppro.zoho.com.au",
                "smtppro.zoho.com.au",
                Unverified
            ),
            regional!(
                "Japan",
                ["zoho.jp"],
                "imappro.zoho.jp",
                "poppro.zoho.jp",
                "smtppro.zoho.jp",
                Unverified
            ),
            regional!(
                "Canada",
                ["zohocloud.ca"],
                "imappro.zohocloud.ca",
                "poppro.zohocloud.ca",
                "smtppro.zohocloud.ca",
                Unverified
            ),
        ],
        username: Username::FullAddress,
        notes: &[Note::AppPassword, Note::ImapOffByDefault],
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
            Checked("thunderbird/autoconfig ispdb/messagingengine.com.xml"),
        )],
        username: Username::FullAddress,
        notes: &[Note::AppPassword],
        spf_includes: &["spf.messagingengine.com"],
    },
    Provider {
        id: "icloud",
        name: "iCloud Mail",
        kind: Kind::Mailbox,
        variants: &[v(
            &["mail.icloud.com"],
            &[s(Imap, "imap.mail.me.com", 993, Tls)],
            &[s(Smtp, "smtp.mail.me.com", 587, StartTls)],
            Some("https://www.icloud.com/mail"),
            Checked("thunderbird/autoconfig ispdb/me.com.xml"),
        )],
        username: Username::AccountName,
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
            Unverified,
        )],
        username: Username::FullAddress,
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
            Checked("thunderbird/autoconfig ispdb/aol.com.xml"),
        )],
        username: Username::FullAddress,
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
            Unverified,
        )],
        username: Username::FullAddress,
        notes: &[Note::BridgeOnly],
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
        username: Username::FullAddress,
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
            Checked("deltachat/provider-db _providers/hey.com.md"),
        )],
        username: Username::FullAddress,
        notes: &[],
        spf_includes: &[],
    },
    Provider {
        id: "godaddy",
        name: "GoDaddy Workspace Email",
        kind: Kind::Mailbox,
        variants: &[v(
            &["secureserver.net"],
            &[
                s(Imap, "imap.secureserver.net", 993, Tls),
                s(Pop3, "pop.secureserver.net", 995, Tls),
            ],
            &[
                s(Smtp, "smtpout.secureserver.net", 465, Tls),
                s(Smtp, "smtpout.secureserver.net", 587, StartTls),
            ],
            Some("https://email.godaddy.com"),
            Unverified,
        )],
        username: Username::FullAddress,
        notes: &[Note::RetiringInto("Microsoft 365")],
        spf_includes: &["secureserver.net"],
    },
    Provider {
        id: "ionos",
        name: "IONOS",
        kind: Kind::Mailbox,
        variants: &[
            regional!(
                "Germany",
                ["ionos.de", "kundenserver.de", "schlund.de"],
                "imap.ionos.de",
                "pop.ionos.de",
                "smtp.ionos.de",
                Checked("thunderbird/autoconfig ispdb/ionos.de")
            ),
            regional!(
                "United Kingdom",
                ["ionos.co.uk", "1and1.co.uk", "oneandone.co.uk"],
                "imap.ionos.co.uk",
                "pop.ionos.co.uk",
                "smtp.ionos.co.uk",
                Checked("thunderbird/autoconfig ispdb/ionos.co.uk")
            ),
            regional!(
                "United States",
                ["ionos.com", "1and1.com", "perfora.net"],
                "imap.ionos.com",
                "pop.ionos.com",
                "smtp.ionos.com",
                Checked("thunderbird/autoconfig ispdb/ionos.com")
            ),
            regional!(
                "Spain",
                ["ionos.es", "1and1.es", "clienteservidor.es"],
                "imap.ionos.es",
                "pop.ionos.es",
                "smtp.ionos.es",
                Checked("thunderbird/autoconfig ispdb/ionos.es")
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
        username: Username::FullAddress,
        notes: &[],
        spf_includes: &["_spf.perfora.net", "_spf.kundenserver.de"],
    },
    Provider {
        id: "ovh",
        name: "OVHcloud",
        kind: Kind::Mailbox,
        variants: &[
            labelled(
                "Europe",
                v(
                    &["mail.ovh.net"],
                    &[
                        s(Imap, "ssl0.ovh.net", 993, Tls),
                        s(Pop3, "ssl0.ovh.net", 995, Tls),
                    ],
                    &[
                        s(Smtp, "ssl0.ovh.net", 465, Tls),
                        s(Smtp, "ssl0.ovh.net", 587, StartTls),
                    ],
                    Some("https://www.ovhcloud.com/en/mail/"),
                    Unverified,
                ),
            ),
            labelled(
                "America and Asia-Pacific",
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
                ),
            ),
        ],
        username: Username::FullAddress,
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
        username: Username::FullAddress,
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
            Unverified,
        )],
        username: Username::FullAddress,
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
        username: Username::FullAddress,
        notes: &[Note::EndOfLife("2027-03-31")],
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
            Unverified,
        )],
        username: Username::FullAddress,
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
            Checked("deltachat/provider-db _providers/mail.ru.md"),
        )],
        username: Username::FullAddress,
        notes: &[Note::AppPassword],
        spf_includes: &["_spf.mail.ru"],
    },
    Provider {
        id: "gmx",
        name: "GMX",
        kind: Kind::Mailbox,
        variants: &[
            labelled(
                "gmx.net (Germany, Austria, Switzerland)",
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
                    Checked("thunderbird/autoconfig ispdb/gmx.net.xml"),
                ),
            ),
            labelled(
                "gmx.com",
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
                    Unverified,
                ),
            ),
        ],
        username: Username::FullAddress,
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
            source: Checked("thunderbird/autoconfig ispdb/mail.com.xml"),
        }],
        username: Username::FullAddress,
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
                s(Imap, "imap.web.de", 993, Tls),
                s(Pop3, "pop3.web.de", 995, Tls),
            ],
            &[s(Smtp, "smtp.web.de", 587, StartTls)],
            Some("https://web.de"),
            Unverified,
        )],
        username: Username::FullAddress,
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
        "mail.gandi.net",
        Unverified
    ),
    simple!(
        "migadu",
        "Migadu",
        ["migadu.com"],
        "imap.migadu.com",
        "smtp.migadu.com",
        Checked("thunderbird/autoconfig ispdb/migadu.com.xml")
    ),
    simple!(
        "mailbox_org",
        "mailbox.org",
        ["mailbox.org"],
        "imap.mailbox.org",
        "smtp.mailbox.org",
        Checked("thunderbird/autoconfig ispdb/mailbox.org.xml")
    ),
    simple!(
        "strato",
        "STRATO",
        ["rzone.de"],
        "imap.strato.de",
        "smtp.strato.de",
        Checked("thunderbird/autoconfig ispdb/strato.de.xml")
    ),
    simple!(
        "hetzner",
        "Hetzner",
        ["your-server.de"],
        "mail.your-server.de",
        "mail.your-server.de",
        Checked("thunderbird/autoconfig ispdb/hetzner.de.xml")
    ),
    simple!(
        "one_com",
        "one.com",
        ["one.com"],
        "imap.one.com",
        "send.one.com",
        Checked("thunderbird/autoconfig ispdb/one.com.xml")
    ),
    simple!(
        "infomaniak",
        "Infomaniak",
        ["infomaniak.ch"],
        "mail.infomaniak.com",
        "mail.infomaniak.com",
        Unverified
    ),
    simple!(
        "purelymail",
        "Purelymail",
        ["purelymail.com"],
        "mailserver.purelymail.com",
        "mailserver.purelymail.com",
        Checked("thunderbird/autoconfig ispdb/purelymail.com.xml")
    ),
    simple!(
        "pobox",
        "Pobox",
        ["pobox.com"],
        "mail.pobox.com",
        "smtp.pobox.com",
        Checked("thunderbird/autoconfig ispdb/pobox.com.xml")
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
        username: Username::FullAddress,
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
        username: Username::FullAddress,
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
        username: Username::FullAddress,
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
        username: Username::FullAddress,
        notes: &[Note::SharedHostCertificate],
        spf_includes: &["_spf.mailspamprotection.com"],
    },
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
        "forward_email",
        "Forward Email",
        Kind::Forwarding,
        ["forwardemail.net"],
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
            "spamexperts.net"
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
    bare!(
        "cyren",
        "Cyren Email Security",
        Kind::Gateway,
        ["cyren.cloud"],
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
    if host_labels.len() < pattern_labels.len() {
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
        format!("mx1.{}", pattern.replace('*', "eu-central-1"))
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
                    for look_alike in [
                        format!("evil{concrete}"),
                        format!("{concrete}.attacker.test"),
                        format!("mx.{concrete}-evil.test"),
                    ] {
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
                if let Source::Checked(where_) = v.source {
                    assert!(where_.len() > 10, "{}", p.id);
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
