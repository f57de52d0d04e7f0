//! The provider table: who runs an MX host, and what that provider publishes as client settings.
//!
//! Pure data. `*` in an MX pattern stands for exactly one label and is captured; `{1}` in a
//! host is replaced by the first capture (Amazon WorkMail's region), `{domain}` by the mail domain.
//! Settings are the providers' own published ones; check them against the probes, which is what
//! mailprobe does.

use crate::service::{Protocol, Security};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Hosts the mailboxes: its settings are the ones to give the client.
    Mailbox,
    /// Filters mail in front of the real mailbox host, which the MX does not reveal.
    Gateway,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    pub protocol: Protocol,
    pub host: &'static str,
    pub port: u16,
    pub security: Security,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provider {
    pub id: &'static str,
    pub name: &'static str,
    pub kind: Kind,
    /// MX host patterns: a pattern matches a host equal to it or ending in `.pattern`.
    pub mx: &'static [&'static str],
    pub incoming: &'static [Setting],
    pub outgoing: &'static [Setting],
    pub username: Username,
    pub webmail: Option<&'static str>,
    pub notes: &'static [&'static str],
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

const fn gateway(id: &'static str, name: &'static str, mx: &'static [&'static str]) -> Provider {
    Provider {
        id,
        name,
        kind: Kind::Gateway,
        mx,
        incoming: &[],
        outgoing: &[],
        username: Username::FullAddress,
        webmail: None,
        notes: &["A filtering gateway: the MX does not reveal where the mailboxes are; ask the client or probe their own hosts."],
    }
}

pub static PROVIDERS: &[Provider] = &[
    Provider {
        id: "google",
        name: "Google Workspace",
        kind: Kind::Mailbox,
        mx: &["google.com", "googlemail.com"],
        incoming: &[s(Imap, "imap.gmail.com", 993, Tls), s(Pop3, "pop.gmail.com", 995, Tls)],
        outgoing: &[s(Smtp, "smtp.gmail.com", 465, Tls), s(Smtp, "smtp.gmail.com", 587, StartTls)],
        username: Username::FullAddress,
        webmail: Some("https://mail.google.com"),
        notes: &["Sign in with OAuth or an app password; IMAP must be allowed by the Workspace admin."],
    },
    Provider {
        id: "microsoft365",
        name: "Microsoft 365",
        kind: Kind::Mailbox,
        mx: &["mail.protection.outlook.com", "mx.microsoft"],
        incoming: &[
            s(Imap, "outlook.office365.com", 993, Tls),
            s(Pop3, "outlook.office365.com", 995, Tls),
        ],
        outgoing: &[s(Smtp, "smtp.office365.com", 587, StartTls)],
        username: Username::FullAddress,
        webmail: Some("https://outlook.office.com"),
        notes: &["Basic authentication is retired: the client must use modern auth (OAuth), and SMTP AUTH is often disabled per tenant or mailbox."],
    },
    Provider {
        id: "zoho",
        name: "Zoho Mail",
        kind: Kind::Mailbox,
        mx: &["zoho.com", "zoho.eu", "zoho.in", "zoho.com.au", "zoho.jp", "zohomail.com"],
        incoming: &[s(Imap, "imappro.zoho.com", 993, Tls), s(Pop3, "poppro.zoho.com", 995, Tls)],
        outgoing: &[s(Smtp, "smtppro.zoho.com", 465, Tls), s(Smtp, "smtppro.zoho.com", 587, StartTls)],
        username: Username::FullAddress,
        webmail: Some("https://mail.zoho.com"),
        notes: &["Accounts in the EU, India or Australia data centres use zoho.eu, zoho.in or zoho.com.au in these host names."],
    },
    Provider {
        id: "fastmail",
        name: "Fastmail",
        kind: Kind::Mailbox,
        mx: &["messagingengine.com", "fastmail.com"],
        incoming: &[s(Imap, "imap.fastmail.com", 993, Tls), s(Pop3, "pop.fastmail.com", 995, Tls)],
        outgoing: &[s(Smtp, "smtp.fastmail.com", 465, Tls), s(Smtp, "smtp.fastmail.com", 587, StartTls)],
        username: Username::FullAddress,
        webmail: Some("https://app.fastmail.com"),
        notes: &["Third-party clients need an app password."],
    },
    Provider {
        id: "icloud",
        name: "iCloud Mail",
        kind: Kind::Mailbox,
        mx: &["mail.icloud.com"],
        incoming: &[s(Imap, "imap.mail.me.com", 993, Tls)],
        outgoing: &[s(Smtp, "smtp.mail.me.com", 587, StartTls)],
        username: Username::AccountName,
        webmail: Some("https://www.icloud.com/mail"),
        notes: &["Log in with the Apple Account's iCloud address and an app-specific password."],
    },
    Provider {
        id: "yahoo",
        name: "Yahoo Mail",
        kind: Kind::Mailbox,
        mx: &["yahoodns.net"],
        incoming: &[s(Imap, "imap.mail.yahoo.com", 993, Tls), s(Pop3, "pop.mail.yahoo.com", 995, Tls)],
        outgoing: &[s(Smtp, "smtp.mail.yahoo.com", 465, Tls), s(Smtp, "smtp.mail.yahoo.com", 587, StartTls)],
        username: Username::FullAddress,
        webmail: Some("https://mail.yahoo.com"),
        notes: &["Third-party clients need an app password."],
    },
    Provider {
        id: "proton",
        name: "Proton Mail",
        kind: Kind::Mailbox,
        mx: &["protonmail.ch", "proton.me"],
        incoming: &[s(Imap, "127.0.0.1", 1143, StartTls)],
        outgoing: &[s(Smtp, "127.0.0.1", 1025, StartTls), s(Smtp, "smtp.protonmail.ch", 587, StartTls)],
        username: Username::FullAddress,
        webmail: Some("https://mail.proton.me"),
        notes: &["IMAP only through Proton Mail Bridge on the user's own computer (127.0.0.1); direct SMTP needs a business plan and an SMTP token."],
    },
    Provider {
        id: "godaddy",
        name: "GoDaddy Workspace Email",
        kind: Kind::Mailbox,
        mx: &["secureserver.net"],
        incoming: &[s(Imap, "imap.secureserver.net", 993, Tls), s(Pop3, "pop.secureserver.net", 995, Tls)],
        outgoing: &[s(Smtp, "smtpout.secureserver.net", 465, Tls), s(Smtp, "smtpout.secureserver.net", 587, StartTls)],
        username: Username::FullAddress,
        webmail: Some("https://email.godaddy.com"),
        notes: &["GoDaddy's Microsoft 365 plans have Microsoft MX records and use Microsoft's settings."],
    },
    Provider {
        id: "ionos",
        name: "IONOS",
        kind: Kind::Mailbox,
        mx: &["ionos.com", "ionos.de", "ionos.co.uk", "ionos.es", "ionos.fr", "1and1.com", "kundenserver.de"],
        incoming: &[s(Imap, "imap.ionos.com", 993, Tls), s(Pop3, "pop.ionos.com", 995, Tls)],
        outgoing: &[s(Smtp, "smtp.ionos.com", 465, Tls), s(Smtp, "smtp.ionos.com", 587, StartTls)],
        username: Username::FullAddress,
        webmail: Some("https://mail.ionos.com"),
        notes: &["Contracts in Germany, the UK, Spain or France use imap.ionos.de, .co.uk, .es or .fr."],
    },
    Provider {
        id: "ovh",
        name: "OVHcloud",
        kind: Kind::Mailbox,
        mx: &["mail.ovh.net", "ovh.net"],
        incoming: &[s(Imap, "ssl0.ovh.net", 993, Tls), s(Pop3, "ssl0.ovh.net", 995, Tls)],
        outgoing: &[s(Smtp, "ssl0.ovh.net", 465, Tls), s(Smtp, "ssl0.ovh.net", 587, StartTls)],
        username: Username::FullAddress,
        webmail: Some("https://www.ovh.com/fr/mail/"),
        notes: &["Exchange and Email Pro plans use other hosts (ex*.mail.ovh.net, pro*.mail.ovh.net)."],
    },
    Provider {
        id: "namecheap",
        name: "Namecheap Private Email",
        kind: Kind::Mailbox,
        mx: &["privateemail.com"],
        incoming: &[s(Imap, "mail.privateemail.com", 993, Tls), s(Pop3, "mail.privateemail.com", 995, Tls)],
        outgoing: &[s(Smtp, "mail.privateemail.com", 465, Tls), s(Smtp, "mail.privateemail.com", 587, StartTls)],
        username: Username::FullAddress,
        webmail: Some("https://privateemail.com"),
        notes: &[],
    },
    Provider {
        id: "rackspace",
        name: "Rackspace Email",
        kind: Kind::Mailbox,
        mx: &["emailsrvr.com"],
        incoming: &[s(Imap, "secure.emailsrvr.com", 993, Tls), s(Pop3, "secure.emailsrvr.com", 995, Tls)],
        outgoing: &[s(Smtp, "secure.emailsrvr.com", 465, Tls), s(Smtp, "secure.emailsrvr.com", 587, StartTls)],
        username: Username::FullAddress,
        webmail: Some("https://apps.rackspace.com"),
        notes: &[],
    },
    Provider {
        id: "amazon_workmail",
        name: "Amazon WorkMail",
        kind: Kind::Mailbox,
        mx: &["inbound-smtp.*.amazonaws.com"],
        incoming: &[s(Imap, "imap.mail.{1}.awsapps.com", 993, Tls)],
        outgoing: &[s(Smtp, "smtp.mail.{1}.awsapps.com", 465, Tls)],
        username: Username::FullAddress,
        webmail: Some("https://<organization>.awsapps.com/mail"),
        notes: &["The same MX serves Amazon SES receiving rules: if no WorkMail organisation exists, mail goes wherever SES routes it."],
    },
    Provider {
        id: "yandex",
        name: "Yandex 360",
        kind: Kind::Mailbox,
        mx: &["yandex.net", "yandex.ru"],
        incoming: &[s(Imap, "imap.yandex.com", 993, Tls), s(Pop3, "pop.yandex.com", 995, Tls)],
        outgoing: &[s(Smtp, "smtp.yandex.com", 465, Tls)],
        username: Username::FullAddress,
        webmail: Some("https://mail.yandex.com"),
        notes: &["Third-party clients need an app password, and IMAP must be enabled in the mail settings."],
    },
    Provider {
        id: "mailru",
        name: "Mail.ru",
        kind: Kind::Mailbox,
        mx: &["mail.ru"],
        incoming: &[s(Imap, "imap.mail.ru", 993, Tls), s(Pop3, "pop.mail.ru", 995, Tls)],
        outgoing: &[s(Smtp, "smtp.mail.ru", 465, Tls)],
        username: Username::FullAddress,
        webmail: Some("https://e.mail.ru"),
        notes: &["Third-party clients need an app password."],
    },
    Provider {
        id: "gmx",
        name: "GMX",
        kind: Kind::Mailbox,
        mx: &["gmx.net", "gmx.com", "gmx.de"],
        incoming: &[s(Imap, "imap.gmx.com", 993, Tls), s(Pop3, "pop.gmx.com", 995, Tls)],
        outgoing: &[s(Smtp, "mail.gmx.com", 587, StartTls), s(Smtp, "mail.gmx.com", 465, Tls)],
        username: Username::FullAddress,
        webmail: Some("https://www.gmx.com"),
        notes: &["IMAP/POP3 access must be switched on in the GMX web settings; gmx.net accounts use imap.gmx.net and mail.gmx.net."],
    },
    Provider {
        id: "hostinger",
        name: "Hostinger",
        kind: Kind::Webhost,
        mx: &["hostinger.com"],
        incoming: &[s(Imap, "imap.hostinger.com", 993, Tls), s(Pop3, "pop.hostinger.com", 995, Tls)],
        outgoing: &[s(Smtp, "smtp.hostinger.com", 465, Tls)],
        username: Username::FullAddress,
        webmail: Some("https://mail.hostinger.com"),
        notes: &[],
    },
    Provider {
        id: "dreamhost",
        name: "DreamHost",
        kind: Kind::Webhost,
        mx: &["dreamhost.com"],
        incoming: &[s(Imap, "imap.dreamhost.com", 993, Tls), s(Pop3, "pop.dreamhost.com", 995, Tls)],
        outgoing: &[s(Smtp, "smtp.dreamhost.com", 465, Tls), s(Smtp, "smtp.dreamhost.com", 587, StartTls)],
        username: Username::FullAddress,
        webmail: Some("https://webmail.dreamhost.com"),
        notes: &[],
    },
    Provider {
        id: "bluehost",
        name: "Bluehost",
        kind: Kind::Webhost,
        mx: &["bluehost.com"],
        incoming: &[s(Imap, "mail.{domain}", 993, Tls)],
        outgoing: &[s(Smtp, "mail.{domain}", 465, Tls)],
        username: Username::FullAddress,
        webmail: None,
        notes: &["Shared hosting: the certificate may only cover the server's own name; mailprobe suggests it when so."],
    },
    gateway("proofpoint", "Proofpoint", &["pphosted.com", "ppe-hosted.com", "proofpoint.com"]),
    gateway("mimecast", "Mimecast", &["mimecast.com", "mimecast.co.za", "mimecast-offshore.com"]),
    gateway("barracuda", "Barracuda Email Security", &["barracudanetworks.com", "cudamail.com"]),
    gateway("cisco", "Cisco Secure Email", &["iphmx.com"]),
    gateway("sophos", "Sophos Email", &["sophos.com"]),
    gateway("trendmicro", "Trend Micro Email Security", &["trendmicro.com", "trendmicro.eu", "trendmicro.co.jp"]),
    gateway("broadcom", "Symantec Email Security.cloud", &["messagelabs.com"]),
    gateway("forcepoint", "Forcepoint Email Security", &["mailcontrol.com"]),
    gateway("hornetsecurity", "Hornetsecurity", &["hornetsecurity.com"]),
    gateway("spamexperts", "SpamExperts / N-able Mail Assure", &["spamexperts.com", "antispamcloud.com", "spamexperts.eu", "spamexperts.net"]),
    gateway("mailroute", "MailRoute", &["mailroute.net"]),
    gateway("fortimail", "FortiMail Cloud", &["fortimailcloud.com"]),
    gateway("siteground", "SiteGround anti-spam", &["mailspamprotection.com"]),
    gateway("cloudflare", "Cloudflare Email Routing", &["mx.cloudflare.net"]),
];

/// Matches `host` against a pattern; returns the captured labels on a match.
pub fn match_pattern(pattern: &str, host: &str) -> Option<Vec<String>> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host_labels: Vec<&str> = host.split('.').collect();
    let pattern_labels: Vec<&str> = pattern.split('.').collect();
    if host_labels.len() < pattern_labels.len() {
        return None;
    }
    // The pattern must match the host's last labels (the host may have more in front).
    let tail = &host_labels[host_labels.len() - pattern_labels.len()..];
    let mut captures = Vec::new();
    for (p, h) in pattern_labels.iter().zip(tail) {
        if *p == "*" {
            captures.push(h.to_string());
        } else if p != h {
            return None;
        }
    }
    Some(captures)
}

/// Fills `{1}`.. and `{domain}` in a published host name.
pub fn expand_host(template: &str, captures: &[String], domain: &str) -> String {
    let mut host = template.replace("{domain}", domain);
    for (i, c) in captures.iter().enumerate() {
        host = host.replace(&format!("{{{}}}", i + 1), c);
    }
    host
}

/// The table entry (and captures) for an MX host, if any.
pub fn lookup(host: &str) -> Option<(&'static Provider, Vec<String>)> {
    PROVIDERS.iter().find_map(|p| {
        p.mx.iter()
            .find_map(|pat| match_pattern(pat, host))
            .map(|caps| (p, caps))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_suffixes_and_capture_labels() {
        assert_eq!(
            match_pattern("google.com", "aspmx.l.google.com"),
            Some(vec![])
        );
        assert_eq!(match_pattern("google.com", "google.com"), Some(vec![]));
        assert_eq!(match_pattern("google.com", "notgoogle.com"), None);
        assert_eq!(
            match_pattern(
                "inbound-smtp.*.amazonaws.com",
                "inbound-smtp.eu-west-1.amazonaws.com."
            ),
            Some(vec!["eu-west-1".to_string()])
        );
        assert_eq!(
            match_pattern("inbound-smtp.*.amazonaws.com", "s3.eu-west-1.amazonaws.com"),
            None
        );
    }

    #[test]
    fn ids_are_unique_and_mailbox_entries_publish_settings() {
        let mut ids: Vec<&str> = PROVIDERS.iter().map(|p| p.id).collect();
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len());
        for p in PROVIDERS.iter().filter(|p| p.kind == Kind::Mailbox) {
            assert!(!p.incoming.is_empty() && !p.outgoing.is_empty(), "{}", p.id);
            assert!(
                p.incoming.iter().all(|s| s.protocol.is_incoming()),
                "{}",
                p.id
            );
            assert!(
                p.outgoing.iter().all(|s| s.protocol == Protocol::Smtp),
                "{}",
                p.id
            );
        }
    }

    #[test]
    fn expands_templates() {
        assert_eq!(
            expand_host("imap.mail.{1}.awsapps.com", &["us-east-1".into()], "x.com"),
            "imap.mail.us-east-1.awsapps.com"
        );
        assert_eq!(expand_host("mail.{domain}", &[], "x.com"), "mail.x.com");
    }
}
