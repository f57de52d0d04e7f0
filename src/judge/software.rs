//! Which server software answers, from what it showed before any login: its greeting and its
//! capability list. A greeting is text an administrator can change, so on its own it is weak
//! evidence; a capability list is the software's own and hard to change by accident. The name
//! is given with the evidence and a confidence, never from one word alone with certainty.

use crate::probe::ProbeResult;
use crate::service::Protocol;

/// How sure the identification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// Only the greeting says so (an administrator can set it to anything).
    Low,
    /// Only the capability list matches the software's own.
    Medium,
    /// The greeting and the capability list agree.
    High,
}

/// What pointed to the software.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// The greeting names it.
    Greeting(&'static str),
    /// The capability list has its characteristic entries.
    Capabilities(&'static [&'static str]),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Software {
    pub name: &'static str,
    pub confidence: Confidence,
    pub evidence: Vec<Evidence>,
}

/// One program's marks on one protocol.
struct Marks {
    name: &'static str,
    protocol: Protocol,
    /// Words its default greeting holds (case-insensitive), any of them.
    greeting: &'static [&'static str],
    /// Capabilities that together are characteristic of it (all of them, case-insensitive,
    /// compared by their first word), and ones it never lists.
    capabilities: &'static [&'static str],
    never: &'static [&'static str],
}

/// The table: default greetings and capability lists as the programs ship them.
static MARKS: &[Marks] = &[
    // smtpd_banner = $myhostname ESMTP $mail_name; ETRN and VRFY on, HELP and DELIVERBY never.
    Marks {
        name: "Postfix",
        protocol: Protocol::Smtp,
        greeting: &["ESMTP Postfix"],
        capabilities: &["ETRN", "ENHANCEDSTATUSCODES", "DSN"],
        never: &["HELP", "DELIVERBY", "XEXCH50", "X-EXPS"],
    },
    // Sendmail alone lists DELIVERBY (RFC 2852).
    Marks {
        name: "Sendmail",
        protocol: Protocol::Smtp,
        greeting: &["ESMTP Sendmail"],
        capabilities: &["DELIVERBY", "ETRN"],
        never: &[],
    },
    // Exim lists PIPELINING and HELP and never an enhanced-status-code extension (it has none);
    // 4.96 as Debian ships it: SIZE 8BITMIME PIPELINING PIPECONNECT CHUNKING STARTTLS SMTPUTF8
    // HELP (PRDR only when enabled). Sendmail, which lists both too, is told by DELIVERBY.
    Marks {
        name: "Exim",
        protocol: Protocol::Smtp,
        greeting: &["ESMTP Exim"],
        capabilities: &["PIPELINING", "HELP"],
        never: &["ETRN", "DELIVERBY", "ENHANCEDSTATUSCODES"],
    },
    Marks {
        name: "OpenSMTPD",
        protocol: Protocol::Smtp,
        greeting: &["ESMTP OpenSMTPD"],
        capabilities: &["DSN", "ENHANCEDSTATUSCODES", "HELP"],
        never: &["ETRN", "PRDR", "DELIVERBY", "PIPELINING"],
    },
    // Exchange (and Microsoft 365's front end) list their own X- extensions.
    Marks {
        name: "Microsoft Exchange",
        protocol: Protocol::Smtp,
        greeting: &["Microsoft ESMTP MAIL Service"],
        capabilities: &["X-ANONYMOUSTLS"],
        never: &[],
    },
    Marks {
        name: "Microsoft Exchange",
        protocol: Protocol::Smtp,
        greeting: &["Microsoft ESMTP MAIL Service"],
        capabilities: &["XRDST"],
        never: &[],
    },
    // login_greeting = Dovecot ready.; the pre-login list of Dovecot 2.x.
    Marks {
        name: "Dovecot",
        protocol: Protocol::Imap,
        greeting: &["Dovecot"],
        capabilities: &[
            "SASL-IR",
            "LOGIN-REFERRALS",
            "ID",
            "ENABLE",
            "IDLE",
            "LITERAL+",
        ],
        never: &[],
    },
    Marks {
        name: "Dovecot",
        protocol: Protocol::Pop3,
        greeting: &["Dovecot"],
        capabilities: &["RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "UIDL"],
        never: &[],
    },
    Marks {
        name: "Courier",
        protocol: Protocol::Imap,
        greeting: &["Courier-IMAP"],
        capabilities: &[],
        never: &[],
    },
    Marks {
        name: "Cyrus IMAP",
        protocol: Protocol::Imap,
        greeting: &["Cyrus IMAP"],
        capabilities: &[],
        never: &[],
    },
    Marks {
        name: "Microsoft Exchange",
        protocol: Protocol::Imap,
        greeting: &["Microsoft Exchange IMAP4"],
        capabilities: &[],
        never: &[],
    },
];

/// The software behind a probe, when anything points to one.
pub fn identify(p: &ProbeResult) -> Option<Software> {
    let banner = p.banner.as_deref().unwrap_or("").to_ascii_lowercase();
    let caps: Vec<String> = p
        .capabilities
        .before_tls
        .iter()
        .chain(&p.capabilities.after_tls)
        .filter_map(|c| c.split_whitespace().next())
        .map(str::to_ascii_uppercase)
        .collect();
    let by_greeting = MARKS.iter().find(|m| {
        m.protocol == p.service.protocol
            && m.greeting
                .iter()
                .any(|g| banner.contains(&g.to_ascii_lowercase()))
    });
    let by_capabilities = MARKS.iter().find(|m| {
        m.protocol == p.service.protocol
            && !m.capabilities.is_empty()
            && m.capabilities.iter().all(|c| caps.iter().any(|x| x == c))
            && !m.never.iter().any(|c| caps.iter().any(|x| x == c))
    });
    let greeting = |m: &Marks| Evidence::Greeting(m.greeting[0]);
    let listed = |m: &Marks| Evidence::Capabilities(m.capabilities);
    match (by_greeting, by_capabilities) {
        (Some(g), Some(c)) if g.name == c.name => Some(Software {
            name: g.name,
            confidence: Confidence::High,
            evidence: vec![greeting(g), listed(c)],
        }),
        // The list is the software's own; a greeting that says otherwise was set by hand.
        (_, Some(c)) => Some(Software {
            name: c.name,
            confidence: Confidence::Medium,
            evidence: vec![listed(c)],
        }),
        (Some(g), None) => Some(Software {
            name: g.name,
            confidence: Confidence::Low,
            evidence: vec![greeting(g)],
        }),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::{Security, Service};

    fn probe(protocol: Protocol, banner: &str, caps: &[&str]) -> ProbeResult {
        let mut p = ProbeResult::new(
            "mail.example",
            "192.0.2.1".parse().unwrap(),
            Service::new(25, protocol, Security::StartTls),
        );
        p.banner = Some(banner.into());
        p.capabilities.before_tls = caps.iter().map(|c| c.to_string()).collect();
        p
    }

    const POSTFIX: &[&str] = &[
        "PIPELINING",
        "SIZE 10240000",
        "VRFY",
        "ETRN",
        "STARTTLS",
        "ENHANCEDSTATUSCODES",
        "8BITMIME",
        "DSN",
        "SMTPUTF8",
        "CHUNKING",
    ];

    #[test]
    fn greeting_and_capabilities_agreeing_is_certain() {
        let s = identify(&probe(
            Protocol::Smtp,
            "220 mx.example ESMTP Postfix (Debian/GNU)",
            POSTFIX,
        ))
        .unwrap();
        assert_eq!((s.name, s.confidence), ("Postfix", Confidence::High));
        let s = identify(&probe(
            Protocol::Imap,
            "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.",
            &["IMAP4rev1", "SASL-IR", "LOGIN-REFERRALS", "ID", "ENABLE", "IDLE", "LITERAL+", "STARTTLS"],
        ))
        .unwrap();
        assert_eq!((s.name, s.confidence), ("Dovecot", Confidence::High));
    }

    #[test]
    fn a_greeting_alone_is_weak_and_a_look_alike_is_not_believed() {
        let s = identify(&probe(
            Protocol::Smtp,
            "220 mx.example ESMTP Postfix",
            &["PIPELINING"],
        ))
        .unwrap();
        assert_eq!((s.name, s.confidence), ("Postfix", Confidence::Low));
        // An Exchange server whose banner an admin changed to look like Postfix.
        let exchange = [
            "SIZE 37748736",
            "PIPELINING",
            "DSN",
            "ENHANCEDSTATUSCODES",
            "STARTTLS",
            "X-ANONYMOUSTLS",
            "AUTH NTLM",
            "X-EXPS GSSAPI NTLM",
            "8BITMIME",
            "BINARYMIME",
            "CHUNKING",
            "XRDST",
        ];
        let s = identify(&probe(
            Protocol::Smtp,
            "220 mail.example ESMTP Postfix",
            &exchange,
        ))
        .unwrap();
        assert_eq!(
            (s.name, s.confidence),
            ("Microsoft Exchange", Confidence::Medium)
        );
        // Nothing to go on.
        assert_eq!(
            identify(&probe(
                Protocol::Smtp,
                "220 mail.example ESMTP ready",
                &["PIPELINING"]
            )),
            None
        );
    }

    #[test]
    fn each_smtp_server_has_its_own_list() {
        let cases: [(&[&str], &str); 4] = [
            (
                &[
                    "SIZE 52428800",
                    "8BITMIME",
                    "PIPELINING",
                    "CHUNKING",
                    "PRDR",
                    "HELP",
                ],
                "Exim",
            ),
            // Debian 12's Exim 4.96 as it answers (no PRDR unless enabled).
            (
                &[
                    "SIZE 52428800",
                    "8BITMIME",
                    "PIPELINING",
                    "PIPECONNECT",
                    "CHUNKING",
                    "STARTTLS",
                    "SMTPUTF8",
                    "HELP",
                ],
                "Exim",
            ),
            (
                &[
                    "ENHANCEDSTATUSCODES",
                    "PIPELINING",
                    "8BITMIME",
                    "SIZE",
                    "DSN",
                    "ETRN",
                    "DELIVERBY",
                    "HELP",
                ],
                "Sendmail",
            ),
            (
                &[
                    "8BITMIME",
                    "ENHANCEDSTATUSCODES",
                    "SIZE 36700160",
                    "DSN",
                    "HELP",
                ],
                "OpenSMTPD",
            ),
        ];
        for (caps, name) in cases {
            let s = identify(&probe(Protocol::Smtp, "220 mail.example ESMTP", caps)).unwrap();
            assert_eq!(
                (s.name, s.confidence),
                (name, Confidence::Medium),
                "{caps:?}"
            );
        }
    }
}
