//! The settings to hand to the client: best incoming (IMAP over POP3, TLS over STARTTLS) and
//! best outgoing (465 or 587; 25 is for servers), and the provider's published settings checked
//! against the probes.

use serde::Serialize;

use super::{SettingStatus, Verdict};
use crate::input::Target;
use crate::judge::findings::{Code, Finding};
use crate::plan::Source;
use crate::provider::{Identification, PublishedSetting};
use crate::service::{Protocol, Security, Service};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    pub protocol: Protocol,
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// The words for the client's settings dialog: `SSL/TLS`, `STARTTLS`, `None`.
    pub security_label: &'static str,
    pub username: String,
    /// True when a probe confirmed it works with a trusted certificate.
    pub confirmed: bool,
    pub verdict: Verdict,
    pub warnings: Vec<Code>,
    pub source: Source,
}

impl Recommendation {
    /// Port 25: for servers, offered to a client only when nothing else works.
    pub fn is_relay(&self) -> bool {
        Service::new(self.port, self.protocol, self.security).is_relay()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Recommended {
    /// Working incoming settings, best first.
    pub incoming: Vec<Recommendation>,
    /// Working outgoing settings, best first.
    pub outgoing: Vec<Recommendation>,
}

impl Recommended {
    /// The best outgoing setting a mail client should use (never port 25).
    pub fn best_client_outgoing(&self) -> Option<&Recommendation> {
        self.outgoing.iter().find(|r| !r.is_relay())
    }
}

/// A published provider setting and what the probes said of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderCheck {
    #[serde(flatten)]
    pub setting: PublishedSetting,
    pub confirmed: bool,
    pub verdict: Option<Verdict>,
    pub reason: Option<String>,
}

pub fn recommend(target: &Target, settings: &[SettingStatus]) -> Recommended {
    let username = target
        .address
        .clone()
        .unwrap_or_else(|| format!("the full email address (name@{})", target.domain.ascii));
    let mut usable: Vec<&SettingStatus> = settings
        .iter()
        .filter(|s| s.verdict != Verdict::Fails)
        .collect();
    usable.sort_by_key(|s| rank(s));
    let make = |s: &&SettingStatus| Recommendation {
        protocol: s.service.protocol,
        host: s.host.clone(),
        port: s.service.port,
        security: s.service.security,
        // A STARTTLS port whose server offers no STARTTLS works only unencrypted.
        security_label: if s.service.security == Security::StartTls
            && s.warnings.contains(&Code::NoStarttls)
        {
            Security::Plain.client_label()
        } else {
            s.service.security.client_label()
        },
        username: username.clone(),
        confirmed: s.verdict == Verdict::Works,
        verdict: s.verdict,
        warnings: s.warnings.clone(),
        source: s.source,
    };
    Recommended {
        incoming: usable
            .iter()
            .filter(|s| s.service.protocol.is_incoming())
            .map(make)
            .collect(),
        outgoing: usable
            .iter()
            .filter(|s| s.service.protocol == Protocol::Smtp)
            .map(make)
            .collect(),
    }
}

/// Lower is better: confirmed first, then protocol, security, where the name came from.
fn rank(s: &SettingStatus) -> impl Ord {
    let security = match s.service.security {
        Security::Tls => 0,
        Security::StartTls => 1,
        Security::Plain => 2,
    };
    let warnings = s.warnings.len();
    (
        s.verdict,
        s.service.is_relay(),
        s.service.protocol,
        security,
        warnings,
        s.source,
        !named_for(&s.host, s.service.protocol),
        !is_standard(&s.service),
        s.host.clone(),
    )
}

/// `imap.` for IMAP, `pop.` for POP3, `smtp.` for SMTP: the name people expect to see.
fn named_for(host: &str, protocol: Protocol) -> bool {
    let prefixes: &[&str] = match protocol {
        Protocol::Imap => &["imap.", "imaps."],
        Protocol::Pop3 => &["pop.", "pop3.", "pops."],
        Protocol::Smtp => &["smtp.", "submission.", "smtps."],
    };
    prefixes.iter().any(|p| host.starts_with(p))
}

fn is_standard(service: &Service) -> bool {
    crate::service::standard_service(service.port) == Some(*service)
}

pub fn provider_checks(id: &Identification, settings: &[SettingStatus]) -> Vec<ProviderCheck> {
    let Some(p) = &id.provider else {
        return Vec::new();
    };
    p.published()
        .map(|ps| {
            let status = settings.iter().find(|s| {
                s.host == ps.host && s.service.port == ps.port && s.service.protocol == ps.protocol
            });
            ProviderCheck {
                setting: ps.clone(),
                confirmed: status.is_some_and(|s| s.verdict == Verdict::Works),
                verdict: status.map(|s| s.verdict),
                reason: status.and_then(|s| s.reason.clone()),
            }
        })
        .collect()
}

pub fn findings(
    rec: &Recommended,
    checks: &[ProviderCheck],
    settings: &[SettingStatus],
) -> Vec<Finding> {
    let mut out = Vec::new();
    let tried = |incoming: bool| {
        settings
            .iter()
            .any(|s| s.service.protocol.is_incoming() == incoming)
    };
    if tried(true) && !rec.incoming.first().is_some_and(|r| r.confirmed) {
        out.push(no_working(
            Code::NoWorkingIncoming,
            "incoming (IMAP/POP3)",
            rec.incoming.first(),
        ));
    }
    let client_outgoing = rec.best_client_outgoing();
    if tried(false) && !client_outgoing.is_some_and(|r| r.confirmed) {
        out.push(no_working(
            Code::NoWorkingOutgoing,
            "outgoing (SMTP submission)",
            client_outgoing,
        ));
        if client_outgoing.is_none() && rec.outgoing.iter().any(Recommendation::is_relay) {
            out.push(
                Finding::warning(Code::OnlyPort25Works, "only port 25 accepts SMTP: it is meant for server-to-server delivery, and many networks block it for clients")
                    .hint("Enable submission on 587 (STARTTLS) or 465 (SSL/TLS) on the server."),
            );
        }
    }
    for c in checks {
        let s = &c.setting;
        let what = format!(
            "{} {}:{} {}",
            s.protocol.name(),
            s.host,
            s.port,
            s.security.client_label()
        );
        if c.confirmed {
            out.push(Finding::info(
                Code::ProviderSettingConfirmed,
                format!("the provider's published setting {what} works from here"),
            ));
        } else {
            let why = c
                .reason
                .clone()
                .or_else(|| {
                    c.verdict
                        .map(|_| "it answers, but with warnings".to_string())
                })
                .unwrap_or_else(|| "it was not probed (no address)".to_string());
            out.push(
                Finding::warning(
                    Code::ProviderSettingUnconfirmed,
                    format!(
                        "the provider's published setting {what} could not be confirmed: {why}"
                    ),
                )
                .at(&s.host, Some(s.port)),
            );
        }
    }
    out
}

fn no_working(code: Code, what: &str, best: Option<&Recommendation>) -> Finding {
    match best {
        Some(r) => Finding::error(
            code,
            format!("no {what} setting works cleanly; the best one, {}:{} ({}), works only with warnings", r.host, r.port, r.security_label),
        ),
        None => Finding::error(code, format!("no {what} setting works from here"))
            .hint("See the matrix above for why each one failed."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::parse_target;
    use crate::provider::{ProviderKind, ProviderMatch};

    fn setting(
        host: &str,
        port: u16,
        protocol: Protocol,
        security: Security,
        verdict: Verdict,
        source: Source,
    ) -> SettingStatus {
        SettingStatus {
            host: host.into(),
            service: Service::new(port, protocol, security),
            verdict,
            warnings: if verdict == Verdict::Warnings {
                vec![Code::NoStarttls]
            } else {
                vec![]
            },
            working_addresses: vec![],
            failing_addresses: vec![],
            source,
            reason: (verdict == Verdict::Fails).then(|| "connection refused".to_string()),
        }
    }

    #[test]
    fn imap_over_pop3_tls_over_starttls_and_submission_over_25() {
        use Protocol::*;
        use Security::*;
        let target = parse_target("a@example.com").unwrap();
        let settings = vec![
            setting(
                "mail.example.com",
                25,
                Smtp,
                StartTls,
                Verdict::Works,
                Source::MailName,
            ),
            setting(
                "mail.example.com",
                110,
                Pop3,
                StartTls,
                Verdict::Works,
                Source::MailName,
            ),
            setting(
                "mail.example.com",
                995,
                Pop3,
                Tls,
                Verdict::Works,
                Source::MailName,
            ),
            setting(
                "mail.example.com",
                143,
                Imap,
                StartTls,
                Verdict::Works,
                Source::MailName,
            ),
            setting(
                "mail.example.com",
                993,
                Imap,
                Tls,
                Verdict::Warnings,
                Source::MailName,
            ),
            setting(
                "imap.example.com",
                993,
                Imap,
                Tls,
                Verdict::Fails,
                Source::ProtocolName,
            ),
            setting(
                "mail.example.com",
                587,
                Smtp,
                StartTls,
                Verdict::Works,
                Source::MailName,
            ),
            setting(
                "smtp.example.com",
                465,
                Smtp,
                Tls,
                Verdict::Works,
                Source::ProtocolName,
            ),
            setting(
                "mail.example.com",
                465,
                Smtp,
                Tls,
                Verdict::Works,
                Source::MailName,
            ),
        ];
        let rec = recommend(&target, &settings);
        let inc: Vec<(u16, &str)> = rec
            .incoming
            .iter()
            .map(|r| (r.port, r.host.as_str()))
            .collect();
        // A confirmed STARTTLS setting beats an implicit-TLS one with warnings; failures are out.
        assert_eq!(
            inc,
            vec![
                (143, "mail.example.com"),
                (995, "mail.example.com"),
                (110, "mail.example.com"),
                (993, "mail.example.com")
            ]
        );
        let out: Vec<(u16, &str)> = rec
            .outgoing
            .iter()
            .map(|r| (r.port, r.host.as_str()))
            .collect();
        assert_eq!(
            out,
            vec![
                (465, "smtp.example.com"),
                (465, "mail.example.com"),
                (587, "mail.example.com"),
                (25, "mail.example.com")
            ]
        );
        assert!(rec.incoming.iter().all(|r| r.username == "a@example.com"));
        assert_eq!(rec.incoming[3].security_label, "SSL/TLS");
        let f = findings(&rec, &[], &settings);
        assert!(f
            .iter()
            .all(|f| f.code != Code::NoWorkingIncoming && f.code != Code::NoWorkingOutgoing));
    }

    #[test]
    fn only_port_25_is_not_a_client_setting() {
        let target = parse_target("example.com").unwrap();
        let settings = vec![
            setting(
                "mx.example.com",
                25,
                Protocol::Smtp,
                Security::StartTls,
                Verdict::Works,
                Source::Mx,
            ),
            setting(
                "mx.example.com",
                587,
                Protocol::Smtp,
                Security::StartTls,
                Verdict::Fails,
                Source::Mx,
            ),
        ];
        let rec = recommend(&target, &settings);
        let codes: Vec<Code> = findings(&rec, &[], &settings)
            .iter()
            .map(|f| f.code)
            .collect();
        assert!(codes.contains(&Code::NoWorkingOutgoing));
        assert!(codes.contains(&Code::OnlyPort25Works));
        assert!(rec.outgoing[0].username.contains("@example.com"));
    }

    #[test]
    fn provider_settings_are_marked_confirmed_or_not() {
        let provider = ProviderMatch {
            id: "fastmail".into(),
            name: "Fastmail".into(),
            kind: ProviderKind::Mailbox,
            matched_mx: None,
            incoming: vec![PublishedSetting {
                protocol: Protocol::Imap,
                host: "imap.fastmail.com".into(),
                port: 993,
                security: Security::Tls,
            }],
            outgoing: vec![PublishedSetting {
                protocol: Protocol::Smtp,
                host: "smtp.fastmail.com".into(),
                port: 465,
                security: Security::Tls,
            }],
            username: "full_address",
            webmail: None,
            notes: vec![],
        };
        let id = Identification {
            provider: Some(provider),
            owners: vec![],
        };
        let settings = vec![
            setting(
                "imap.fastmail.com",
                993,
                Protocol::Imap,
                Security::Tls,
                Verdict::Works,
                Source::Provider,
            ),
            setting(
                "smtp.fastmail.com",
                465,
                Protocol::Smtp,
                Security::Tls,
                Verdict::Fails,
                Source::Provider,
            ),
        ];
        let checks = provider_checks(&id, &settings);
        assert!(checks[0].confirmed);
        assert!(!checks[1].confirmed);
        assert_eq!(checks[1].reason.as_deref(), Some("connection refused"));
        let f = findings(&Recommended::default(), &checks, &settings);
        assert!(f.iter().any(|f| f.code == Code::ProviderSettingConfirmed));
        assert!(f
            .iter()
            .any(|f| f.code == Code::ProviderSettingUnconfirmed && f.message.contains("refused")));
    }
}
