//! The settings to hand to the client: best incoming (IMAP over POP3, TLS over STARTTLS) and
//! best outgoing (465 or 587; 25 is for servers), and the provider's published settings checked
//! against the probes.

use serde::Serialize;

use super::{SettingStatus, Verdict};
use crate::findings::{Code, Finding};
use crate::input::Target;
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

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Recommended {
    /// Working incoming settings, best first.
    pub incoming: Vec<Recommendation>,
    /// Working outgoing settings, best first.
    pub outgoing: Vec<Recommendation>,
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
        security_label: if s.warnings.contains(&Code::NoStarttls) {
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
        is_relay(&s.service),
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

fn is_relay(service: &Service) -> bool {
    service.is_relay()
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
    let client_outgoing: Vec<&Recommendation> =
        rec.outgoing.iter().filter(|r| r.port != 25).collect();
    if tried(false) && !client_outgoing.first().is_some_and(|r| r.confirmed) {
        out.push(no_working(
            Code::NoWorkingOutgoing,
            "outgoing (SMTP submission)",
            client_outgoing.first().copied(),
        ));
        if client_outgoing.is_empty() && rec.outgoing.iter().any(|r| r.port == 25) {
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
