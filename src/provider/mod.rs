//! Names the mail provider from the MX hosts, using the table in [`crate::provider::table`].

use crate::discover::{Discovery, MxStatus};
use crate::input::MailDomain;
pub mod table;

use crate::service::{Protocol, Security};
use table::{Kind, Provider, Username};

/// Who operates one MX host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Known {
        provider: &'static Provider,
        captures: Vec<String>,
    },
    /// The exchange is the domain itself or a name inside it.
    SelfHosted,
    /// Not in the table; `group` is the exchange's parent domain, to tell providers apart.
    Unknown { group: String },
}

impl Owner {
    fn group(&self) -> String {
        match self {
            Self::Known { provider, .. } => provider.id.to_string(),
            Self::SelfHosted => "self".to_string(),
            Self::Unknown { group } => group.clone(),
        }
    }
}

/// A published client setting with its host filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedSetting {
    pub protocol: Protocol,
    pub host: String,
    pub port: u16,
    pub security: Security,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    Mailbox,
    Gateway,
    Webhost,
}

/// What the report says about the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderMatch {
    pub id: String,
    pub name: String,
    pub kind: ProviderKind,
    /// The MX host the identification rests on.
    pub matched_mx: Option<String>,
    pub incoming: Vec<PublishedSetting>,
    pub outgoing: Vec<PublishedSetting>,
    /// `full_address` or `account_name`.
    pub username: &'static str,
    pub webmail: Option<String>,
    pub notes: Vec<String>,
}

impl ProviderMatch {
    pub fn is_known(&self) -> bool {
        !matches!(self.id.as_str(), "self_hosted" | "unknown")
    }

    pub fn published(&self) -> impl Iterator<Item = &PublishedSetting> {
        self.incoming.iter().chain(&self.outgoing)
    }
}

/// The identification for a domain.
#[derive(Debug, Clone, Default)]
pub struct Identification {
    pub provider: Option<ProviderMatch>,
    /// Owner of each MX host, in MX order (null MX entries skipped).
    pub owners: Vec<(String, Owner)>,
}

impl Identification {
    /// A recognised mailbox provider's published host, or an MX host of a recognised provider
    /// that is not a web host. A certificate for other names there means interception or a
    /// hijacked name, never the shared-hosting case.
    pub fn is_providers_own_host(&self, host: &str) -> bool {
        let published = self.provider.as_ref().is_some_and(|p| {
            p.kind == ProviderKind::Mailbox && p.published().any(|s| s.host == host)
        });
        let provider_mx = self.owners.iter().any(|(mx, owner)| {
            mx == host
                && matches!(owner, Owner::Known { provider, .. } if provider.kind != Kind::Webhost)
        });
        published || provider_mx
    }

    /// Distinct operators among the MX hosts, in MX order; more than one splits the mail.
    pub fn operator_names(&self) -> Vec<String> {
        let mut groups: Vec<String> = Vec::new();
        let mut names = Vec::new();
        for (host, owner) in &self.owners {
            let group = owner.group();
            if !groups.contains(&group) {
                groups.push(group);
                names.push(match owner {
                    Owner::Known { provider, .. } => provider.name.to_string(),
                    Owner::SelfHosted => format!("the domain itself ({host})"),
                    Owner::Unknown { group } => group.clone(),
                });
            }
        }
        names
    }
}

pub fn identify(domain: &MailDomain, discovery: &Discovery) -> Identification {
    let owners: Vec<(String, Owner)> = discovery
        .mx
        .iter()
        .filter(|m| !m.exchange.is_empty())
        .map(|m| (m.exchange.clone(), owner_of(&m.exchange, &domain.ascii)))
        .collect();
    let provider = match discovery.mx_status {
        MxStatus::Ok => owners
            .first()
            .map(|(host, owner)| describe(owner, host, &domain.ascii)),
        MxStatus::Implicit => Some(self_hosted(None)),
        _ => None,
    };
    Identification { provider, owners }
}

pub fn owner_of(exchange: &str, domain: &str) -> Owner {
    let exchange = exchange.trim_end_matches('.').to_ascii_lowercase();
    if let Some((provider, captures)) = table::lookup(&exchange) {
        return Owner::Known { provider, captures };
    }
    if exchange == domain || exchange.ends_with(&format!(".{domain}")) {
        return Owner::SelfHosted;
    }
    Owner::Unknown {
        group: parent_domain(&exchange),
    }
}

fn describe(owner: &Owner, host: &str, domain: &str) -> ProviderMatch {
    match owner {
        Owner::Known { provider, captures } => {
            let expand = |list: &[table::Setting]| {
                list.iter()
                    .map(|s| PublishedSetting {
                        protocol: s.protocol,
                        host: table::expand_host(s.host, captures, domain),
                        port: s.port,
                        security: s.security,
                    })
                    .collect()
            };
            ProviderMatch {
                id: provider.id.to_string(),
                name: provider.name.to_string(),
                kind: match provider.kind {
                    Kind::Mailbox => ProviderKind::Mailbox,
                    Kind::Gateway => ProviderKind::Gateway,
                    Kind::Webhost => ProviderKind::Webhost,
                },
                matched_mx: Some(host.to_string()),
                incoming: expand(provider.incoming),
                outgoing: expand(provider.outgoing),
                username: match provider.username {
                    Username::FullAddress => "full_address",
                    Username::AccountName => "account_name",
                },
                webmail: provider.webmail.map(str::to_string),
                notes: provider.notes.iter().map(|n| n.to_string()).collect(),
            }
        }
        Owner::SelfHosted => self_hosted(Some(host)),
        Owner::Unknown { .. } => ProviderMatch {
            id: "unknown".to_string(),
            name: format!("Unrecognised mail host ({host})"),
            kind: ProviderKind::Webhost,
            matched_mx: Some(host.to_string()),
            incoming: Vec::new(),
            outgoing: Vec::new(),
            username: "full_address",
            webmail: None,
            notes: vec!["Not a provider mailprobe knows: a web host or a self-run server. The probes below show which settings work.".to_string()],
        },
    }
}

fn self_hosted(host: Option<&str>) -> ProviderMatch {
    ProviderMatch {
        id: "self_hosted".to_string(),
        name: "Self-hosted or web host (mail handled under the domain's own names)".to_string(),
        kind: ProviderKind::Webhost,
        matched_mx: host.map(str::to_string),
        incoming: Vec::new(),
        outgoing: Vec::new(),
        username: "full_address",
        webmail: None,
        notes: vec!["Settings must be found by probing: usually mail.<domain> or the hosting server's own name.".to_string()],
    }
}

/// `mx1.mail.hoster.net` → `hoster.net`; keeps three labels under two-letter country
/// second levels such as `co.uk`, so different customers of one registry are not merged.
fn parent_domain(host: &str) -> String {
    let labels: Vec<&str> = host.split('.').collect();
    let n = labels.len();
    if n <= 2 {
        return host.to_string();
    }
    let keep = if labels[n - 1].len() == 2 && labels[n - 2].len() <= 3 {
        3
    } else {
        2
    };
    labels[n.saturating_sub(keep)..].join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_are_classified() {
        assert!(matches!(
            owner_of("alt1.aspmx.l.google.com", "example.com"),
            Owner::Known { provider, .. } if provider.id == "google"
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
}
