//! Names the mail provider from the MX hosts, using the table in [`table`]. The provider of the
//! most preferred MX set is named (all of them when that set is shared), and "same operator?"
//! questions use the registrable domain from the Public Suffix List, never a guess.

pub mod oauth;
pub mod table;

use crate::discover::{Discovery, MxStatus};
use crate::input::MailDomain;
use crate::service::{Protocol, Security};
pub use table::Username;
use table::{Kind, Match, Note};

/// Who operates one MX host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Known(Match),
    /// The exchange is the domain itself or a name inside it.
    SelfHosted,
    /// Not in the table; `group` is the exchange's registrable domain, to tell operators apart.
    Unknown {
        group: String,
    },
}

impl Owner {
    /// What "the same operator" means: one provider, or one registrable domain.
    fn group(&self) -> String {
        match self {
            Self::Known(m) => m.provider.id.to_string(),
            Self::SelfHosted => "self".to_string(),
            Self::Unknown { group } => group.clone(),
        }
    }
}

/// A published client setting with its host filled in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PublishedSetting {
    pub protocol: Protocol,
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// How the provider forms the login name for this setting.
    pub username: Username,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    Mailbox,
    Gateway,
    /// Forwarding or an inbound API: no mailbox behind the MX.
    Forwarding,
    /// Mailboxes without IMAP/POP3/SMTP for ordinary clients.
    NoImap,
    Webhost,
}

/// What the report says about the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderMatch {
    pub id: String,
    pub name: String,
    pub kind: ProviderKind,
    /// The region or brand, where the provider has several.
    pub variant: Option<String>,
    /// The MX host the identification rests on.
    pub matched_mx: Option<String>,
    pub incoming: Vec<PublishedSetting>,
    pub outgoing: Vec<PublishedSetting>,
    /// How the login name is formed for the first incoming setting (each setting has its own).
    pub username: Username,
    pub webmail: Option<String>,
    pub notes: Vec<Note>,
    /// Where the settings were checked; `None`: not verified against a public source.
    pub source: Option<String>,
    pub spf_includes: Vec<&'static str>,
}

impl ProviderMatch {
    /// In the table (not the domain's own server or an unknown host).
    pub fn is_known(&self) -> bool {
        !matches!(self.id.as_str(), "self_hosted" | "unknown")
    }

    pub fn published(&self) -> impl Iterator<Item = &PublishedSetting> {
        self.incoming.iter().chain(&self.outgoing)
    }

    /// There is no mailbox a client could log in to behind this MX (forwarding, inbound API),
    /// or none reachable with IMAP/POP3 (the provider's app only).
    pub fn has_no_client_mailbox(&self) -> bool {
        matches!(self.kind, ProviderKind::Forwarding | ProviderKind::NoImap)
    }
}

/// The identification for a domain.
#[derive(Debug, Clone, Default)]
pub struct Identification {
    /// The provider of the most preferred MX set (the first, when the set is shared).
    pub provider: Option<ProviderMatch>,
    /// Every provider of the most preferred MX set, when more than one runs it.
    pub others: Vec<ProviderMatch>,
    /// Owner of each MX host, in MX order (null MX entries skipped).
    pub owners: Vec<(String, Owner)>,
}

impl Identification {
    /// Distinct operators among the MX hosts, in MX order; more than one splits the mail.
    pub fn operator_names(&self) -> Vec<String> {
        let mut groups: Vec<String> = Vec::new();
        let mut names = Vec::new();
        for (host, owner) in &self.owners {
            let group = owner.group();
            if !groups.contains(&group) {
                groups.push(group);
                names.push(match owner {
                    Owner::Known(m) => m.provider.name.to_string(),
                    Owner::SelfHosted => format!("the domain itself ({host})"),
                    Owner::Unknown { group } => group.clone(),
                });
            }
        }
        names
    }

    /// A recognised mailbox provider's published host, or an MX host of a recognised provider
    /// that is not a web host. A certificate for other names there means interception or a
    /// hijacked name, never the shared-hosting case.
    pub fn is_providers_own_host(&self, host: &str) -> bool {
        let published = self.provider.as_ref().is_some_and(|p| {
            p.kind == ProviderKind::Mailbox && p.published().any(|s| s.host == host)
        });
        let provider_mx = self.owners.iter().any(|(mx, owner)| {
            mx == host && matches!(owner, Owner::Known(m) if m.provider.kind != Kind::Webhost)
        });
        published || provider_mx
    }
}

pub fn identify(domain: &MailDomain, discovery: &Discovery) -> Identification {
    let real: Vec<_> = discovery.mx.iter().filter(|m| !m.is_null()).collect();
    let owners: Vec<(String, Owner)> = real
        .iter()
        .map(|m| (m.exchange.clone(), owner_of(&m.exchange, &domain.ascii)))
        .collect();
    let mut matches: Vec<ProviderMatch> = Vec::new();
    match discovery.mx_status {
        MxStatus::Ok => {
            // The most preferred set decides, not the alphabet within it.
            let best = real.iter().map(|m| m.preference).min();
            for (m, (host, owner)) in real.iter().zip(&owners) {
                if Some(m.preference) != best {
                    continue;
                }
                let found = describe(owner, host, &domain.ascii);
                if !matches.iter().any(|p| p.id == found.id) {
                    matches.push(found);
                }
            }
            // A known provider is named before the domain's own or an unknown host.
            matches.sort_by_key(|p| !p.is_known());
        }
        MxStatus::Implicit => matches.push(self_hosted(None)),
        _ => {}
    }
    let mut all = matches.into_iter();
    Identification {
        provider: all.next(),
        others: all.collect(),
        owners,
    }
}

pub fn owner_of(exchange: &str, domain: &str) -> Owner {
    let exchange = exchange.trim_end_matches('.').to_ascii_lowercase();
    if let Some(m) = table::lookup(&exchange, domain) {
        return Owner::Known(m);
    }
    if exchange == domain || exchange.ends_with(&format!(".{domain}")) {
        return Owner::SelfHosted;
    }
    Owner::Unknown {
        group: registrable_domain(&exchange),
    }
}

fn describe(owner: &Owner, host: &str, domain: &str) -> ProviderMatch {
    match owner {
        Owner::Known(m) => {
            let expand = |list: &[table::Setting]| {
                list.iter()
                    .map(|s| PublishedSetting {
                        protocol: s.protocol,
                        host: table::expand_host(s.host, domain),
                        port: s.port,
                        security: s.security,
                        username: s.username,
                    })
                    .collect()
            };
            let (provider, variant) = (m.provider, m.variant);
            ProviderMatch {
                id: provider.id.to_string(),
                name: provider.name.to_string(),
                kind: match provider.kind {
                    Kind::Mailbox => ProviderKind::Mailbox,
                    Kind::Gateway => ProviderKind::Gateway,
                    Kind::Forwarding => ProviderKind::Forwarding,
                    Kind::NoImap => ProviderKind::NoImap,
                    Kind::Webhost => ProviderKind::Webhost,
                },
                variant: variant.label.map(str::to_string),
                matched_mx: Some(host.to_string()),
                incoming: expand(variant.incoming),
                outgoing: expand(variant.outgoing),
                username: variant
                    .incoming
                    .first()
                    .map_or(Username::FullAddress, |s| s.username),
                webmail: variant.webmail.map(str::to_string),
                notes: provider.notes.to_vec(),
                source: variant.source.citation(),
                spf_includes: if variant.spf_includes.is_empty() {
                    provider.spf_includes.to_vec()
                } else {
                    variant.spf_includes.to_vec()
                },
            }
        }
        Owner::SelfHosted => self_hosted(Some(host)),
        Owner::Unknown { .. } => ProviderMatch {
            id: "unknown".to_string(),
            name: format!("Unrecognised mail host ({host})"),
            ..self_hosted(Some(host))
        },
    }
}

fn self_hosted(host: Option<&str>) -> ProviderMatch {
    ProviderMatch {
        id: "self_hosted".to_string(),
        name: "Self-hosted or web host (mail handled under the domain's own names)".to_string(),
        kind: ProviderKind::Webhost,
        variant: None,
        matched_mx: host.map(str::to_string),
        incoming: Vec::new(),
        outgoing: Vec::new(),
        username: Username::FullAddress,
        webmail: None,
        notes: vec![Note::FoundByProbing],
        source: None,
        spf_includes: Vec::new(),
    }
}

/// The registrable domain of a host name from the Public Suffix List (`mx-ha02.web.de` →
/// `web.de`, `mx3.shared.hoster.co.uk` → `hoster.co.uk`); the name itself when it has none.
pub fn registrable_domain(host: &str) -> String {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    psl::domain_str(&host).map(str::to_string).unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_are_classified() {
        assert!(matches!(
            owner_of("alt1.aspmx.l.google.com", "example.com"),
            Owner::Known(m) if m.provider.id == "google"
        ));
        assert_eq!(
            owner_of("mail.example.com", "example.com"),
            Owner::SelfHosted
        );
        assert_eq!(owner_of("example.com", "example.com"), Owner::SelfHosted);
        assert_eq!(
            owner_of("mx3.shared.hoster.co.uk", "example.com"),
            Owner::Unknown {
                group: "hoster.co.uk".into()
            }
        );
        assert_eq!(
            owner_of("notexample.com", "example.com"),
            Owner::Unknown {
                group: "notexample.com".into()
            }
        );
    }

    #[test]
    fn one_operator_under_several_names_is_one_operator() {
        for (a, b) in [
            ("mx-ha02.web.de", "mx-ha03.web.de"),
            ("mx.o2.pl", "mx2.o2.pl"),
            ("mx1.abc.io", "mx2.abc.io"),
            ("a.mx.example.com.au", "b.example.com.au"),
        ] {
            assert_eq!(registrable_domain(a), registrable_domain(b), "{a} {b}");
        }
        assert_ne!(
            registrable_domain("mx.one.co.uk"),
            registrable_domain("mx.two.co.uk")
        );
    }
}
