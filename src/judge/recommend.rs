//! The settings to hand to the client: best incoming (IMAP over POP3, TLS over STARTTLS) and
//! best outgoing (465 or 587; port 25 is for servers), and the provider's published settings
//! checked against the probes. The order and what qualifies come from [`super::policy`].

use super::findings::{Code, Fact, Finding, SettingRef, Unconfirmed};
use super::{policy, SettingStatus, Verdict};
use crate::input::Target;
use crate::judge::findings::{ProviderFact, RecommendFact};
use crate::plan::Source;
use crate::provider::{Identification, PublishedSetting};
use crate::service::{Protocol, Security};

/// The security setting as a mail client's dialog names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientSecurity {
    /// Implicit TLS ("SSL/TLS").
    SslTls,
    StartTls,
    /// No encryption.
    None,
}

/// Which login name the client should use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Username {
    /// The name given with `--user`.
    Given(String),
    /// The address the user asked about.
    Address(String),
    /// A bare domain was given: the mailbox's full address at that domain.
    FullAddressAt(String),
    /// The provider logs in with the part before the `@` (WEB.DE, iCloud's IMAP): this one.
    LocalPart(String),
    /// The same, for a bare domain: the part before `@<domain>`.
    LocalPartAt(String),
    /// The provider logs in with its own account's name (a custom domain on iCloud+), not
    /// this address.
    ProviderAccount,
}

impl Username {
    pub fn for_target(target: &Target, given: Option<&str>) -> Self {
        match (given, &target.address) {
            (Some(name), _) => Self::Given(name.to_string()),
            (None, Some(address)) => Self::Address(address.clone()),
            (None, None) => Self::FullAddressAt(target.domain.ascii.clone()),
        }
    }

    /// The login name in the form the provider documents for a setting; a name given with
    /// `--user` is kept as given.
    pub fn in_form(&self, form: crate::provider::Username) -> Self {
        use crate::provider::Username as Form;
        match (self, form) {
            (Self::Given(_), _) | (_, Form::FullAddress) => self.clone(),
            (_, Form::AccountName) => Self::ProviderAccount,
            (Self::Address(a), Form::LocalPart) => Self::LocalPart(
                a.rsplit_once('@')
                    .map_or(a.as_str(), |(l, _)| l)
                    .to_string(),
            ),
            (Self::FullAddressAt(d), Form::LocalPart) => Self::LocalPartAt(d.clone()),
            (_, Form::LocalPart) => self.clone(),
        }
    }
}

/// The provider's documented login form for a setting it publishes; the full address for any
/// other host.
pub fn provider_form(
    identification: &Identification,
    host: &str,
    service: &crate::service::Service,
) -> crate::provider::Username {
    identification
        .provider
        .iter()
        .flat_map(|p| p.published())
        .find(|s| s.host == host && s.port == service.port && s.protocol == service.protocol)
        .map_or(crate::provider::Username::FullAddress, |s| s.username)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recommendation {
    pub protocol: Protocol,
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// What to pick in the client's security menu.
    pub client_security: ClientSecurity,
    pub username: Username,
    /// True when a probe confirmed it works with a trusted certificate.
    pub confirmed: bool,
    pub verdict: Verdict,
    pub warnings: Vec<Code>,
    pub source: Source,
}

impl Recommendation {
    pub fn as_ref(&self) -> SettingRef {
        SettingRef {
            host: self.host.clone(),
            port: self.port,
            security: self.client_security,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recommended {
    /// Working incoming settings, best first.
    pub incoming: Vec<Recommendation>,
    /// Working outgoing settings a mail client may use, best first (never port 25).
    pub outgoing: Vec<Recommendation>,
    /// SMTP settings that work for server-to-server delivery only (port 25).
    pub server_to_server: Vec<Recommendation>,
}

/// A published provider setting and what the probes said of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderCheck {
    pub setting: PublishedSetting,
    pub confirmed: bool,
    pub verdict: Option<Verdict>,
    pub why: Option<Unconfirmed>,
}

/// The usable settings, best first; `username` gives the login name for each.
pub fn recommend(
    username: &dyn Fn(&SettingStatus) -> Username,
    settings: &[SettingStatus],
) -> Recommended {
    let mut usable: Vec<&SettingStatus> = settings
        .iter()
        .filter(|s| s.verdict != Verdict::Fails)
        .filter(|s| !s.warnings.iter().any(|c| policy::disqualifies(*c)))
        .collect();
    usable.sort_by_key(|s| policy::rank(s));
    let make = |s: &&SettingStatus| Recommendation {
        protocol: s.service.protocol,
        host: s.host.clone(),
        port: s.service.port,
        security: s.service.security,
        client_security: client_security(s),
        username: username(s),
        confirmed: policy::confirmed(s.verdict),
        verdict: s.verdict,
        warnings: s.warnings.clone(),
        source: s.source,
    };
    let smtp = |client: bool| {
        usable
            .iter()
            .filter(|s| s.service.protocol == Protocol::Smtp)
            .filter(|s| policy::client_may_use(&s.service) == client)
            .map(make)
            .collect()
    };
    Recommended {
        incoming: usable
            .iter()
            .filter(|s| s.service.protocol.is_incoming())
            .map(make)
            .collect(),
        outgoing: smtp(true),
        server_to_server: smtp(false),
    }
}

/// A STARTTLS port whose server offers no STARTTLS works only unencrypted.
fn client_security(s: &SettingStatus) -> ClientSecurity {
    match s.service.security {
        Security::Tls => ClientSecurity::SslTls,
        Security::StartTls
            if s.warnings.contains(&Code::NoStarttls)
                || s.warnings.contains(&Code::NoStarttlsNoLogin) =>
        {
            ClientSecurity::None
        }
        Security::StartTls => ClientSecurity::StartTls,
        Security::Plain => ClientSecurity::None,
    }
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
            let confirmed = status.is_some_and(|s| policy::confirmed(s.verdict));
            let why = match status {
                _ if confirmed => None,
                None => Some(Unconfirmed::NotProbed),
                Some(s) if !s.was_probed() => Some(
                    s.skip()
                        .map_or(Unconfirmed::NotProbed, Unconfirmed::Skipped),
                ),
                Some(s) => Some(match &s.cause {
                    Some(failure) => Unconfirmed::Failed {
                        service: s.service,
                        failure: failure.clone(),
                    },
                    None => Unconfirmed::Warnings(s.warnings.clone()),
                }),
            };
            ProviderCheck {
                setting: ps.clone(),
                confirmed,
                verdict: status.map(|s| s.verdict),
                why,
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
    // "Nothing works" needs a probe of a client setting that was made: settings the run's
    // limits left out are said by those limits' findings, never as a failure, and port 25
    // alone (`--ports 25`, delivery only) says nothing about submission.
    let tried = |incoming: bool| {
        settings.iter().any(|s| {
            s.service.protocol.is_incoming() == incoming && !s.service.is_relay() && s.was_probed()
        })
    };
    let [incoming, outgoing] = policy::chosen(rec);
    if tried(true) && !incoming.is_some_and(|r| r.confirmed) {
        out.push(Finding::new(Fact::Recommend(
            RecommendFact::NoWorkingIncoming {
                best: incoming.map(Recommendation::as_ref),
            },
        )));
    }
    if tried(false) && !outgoing.is_some_and(|r| r.confirmed) {
        out.push(Finding::new(Fact::Recommend(
            RecommendFact::NoWorkingOutgoing {
                best: outgoing.map(Recommendation::as_ref),
            },
        )));
        if outgoing.is_none() && !rec.server_to_server.is_empty() {
            out.push(Finding::new(Fact::Recommend(
                RecommendFact::OnlyPort25Works,
            )));
        }
    }
    for c in checks {
        let setting = c.setting.clone();
        let host = setting.host.clone();
        let port = setting.port;
        out.push(match &c.why {
            None => Finding::new(Fact::Provider(ProviderFact::ProviderSettingConfirmed {
                setting,
            })),
            Some(why) => Finding::new(Fact::Provider(ProviderFact::ProviderSettingUnconfirmed {
                setting,
                why: why.clone(),
            }))
            .at(&host, Some(port)),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::parse_target;
    use crate::provider::{ProviderKind, ProviderMatch};
    use crate::service::Service;

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
            cause: (verdict == Verdict::Fails).then(|| {
                crate::probe::Failure::new(
                    crate::probe::Phase::Connect,
                    crate::probe::FailureKind::Refused,
                )
            }),
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
        let rec = recommend(&|_| Username::for_target(&target, None), &settings);
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
            ]
        );
        // Port 25 works, but only for servers: it is kept apart, never offered to a client.
        assert_eq!(rec.server_to_server.len(), 1);
        assert_eq!(rec.server_to_server[0].port, 25);
        assert!(rec
            .incoming
            .iter()
            .all(|r| r.username == Username::Address("a@example.com".into())));
        assert_eq!(rec.incoming[3].client_security, ClientSecurity::SslTls);
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
        let rec = recommend(&|_| Username::for_target(&target, None), &settings);
        let codes: Vec<Code> = findings(&rec, &[], &settings)
            .iter()
            .map(|f| f.code)
            .collect();
        assert!(codes.contains(&Code::NoWorkingOutgoing));
        assert!(codes.contains(&Code::OnlyPort25Works));
        assert!(rec.outgoing.is_empty());
        assert_eq!(
            rec.server_to_server[0].username,
            Username::FullAddressAt("example.com".into())
        );
    }

    #[test]
    fn port_25_alone_says_nothing_about_submission() {
        let target = parse_target("example.com").unwrap();
        let settings = vec![setting(
            "mx.example.com",
            25,
            Protocol::Smtp,
            Security::StartTls,
            Verdict::Works,
            Source::Mx,
        )];
        let rec = recommend(&|_| Username::for_target(&target, None), &settings);
        let codes: Vec<Code> = findings(&rec, &[], &settings)
            .iter()
            .map(|f| f.code)
            .collect();
        assert!(!codes.contains(&Code::NoWorkingOutgoing), "{codes:?}");
        assert!(!codes.contains(&Code::OnlyPort25Works), "{codes:?}");
    }

    #[test]
    fn the_login_name_takes_the_providers_form() {
        use crate::provider::Username as Form;
        let address = Username::Address("anna.b@web.de".into());
        assert_eq!(
            address.in_form(Form::LocalPart),
            Username::LocalPart("anna.b".into())
        );
        assert_eq!(address.in_form(Form::FullAddress), address);
        assert_eq!(
            address.in_form(Form::AccountName),
            Username::ProviderAccount
        );
        let bare = Username::FullAddressAt("web.de".into());
        assert_eq!(
            bare.in_form(Form::LocalPart),
            Username::LocalPartAt("web.de".into())
        );
        // A name given with --user is what the user logs in with.
        let given = Username::Given("anna".into());
        assert_eq!(given.in_form(Form::AccountName), given);
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
                username: crate::provider::Username::FullAddress,
            }],
            outgoing: vec![PublishedSetting {
                protocol: Protocol::Smtp,
                host: "smtp.fastmail.com".into(),
                port: 465,
                security: Security::Tls,
                username: crate::provider::Username::FullAddress,
            }],
            username: crate::provider::Username::FullAddress,
            webmail: None,
            notes: vec![],
            variant: None,
            source: None,
            spf_includes: vec![],
        };
        let id = Identification {
            provider: Some(provider),
            others: vec![],
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
        assert!(matches!(
            &checks[1].why,
            Some(Unconfirmed::Failed { failure, .. })
                if failure.kind == crate::probe::FailureKind::Refused
        ));
        let f = findings(&Recommended::default(), &checks, &settings);
        assert!(f.iter().any(|f| f.code == Code::ProviderSettingConfirmed));
        assert!(f.iter().any(|f| f.code == Code::ProviderSettingUnconfirmed));
    }
}
