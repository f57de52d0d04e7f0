//! What Thunderbird (and clients built on its account wizard) looks up beyond the domain's own
//! autoconfig: Mozilla's ISPDB for the domain, then the MX-based lookups — for the most
//! preferred MX host's domain one label above its registrable domain (which tells Microsoft
//! 365's `mail.protection.outlook.com` from Outlook.com's) and for the registrable domain
//! itself, `autoconfig.<that domain>` over HTTPS and the ISPDB, in that order. Thunderbird skips
//! the MX lookups when the MX is under the mail domain itself.

use super::{Method, Source, Transport};

/// Mozilla's ISPDB, as Thunderbird asks it (`mailnews.auto_config_url`).
pub const ISPDB_URL: &str = "https://autoconfig.thunderbird.net/v1.1/";

/// Where the lookups go: the ISPDB's base URL (none: not asked) and the MX domains.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lookups {
    /// `https://…/v1.1/`; the domain is appended. `None`: the ISPDB is not asked.
    pub ispdb: Option<String>,
    /// The MX-based lookup domains, most specific first.
    pub mx_domains: Vec<String>,
}

impl Lookups {
    /// The lookups for `domain` whose most preferred MX host is `mx`.
    pub fn new(ispdb: Option<String>, domain: &str, mx: Option<&str>) -> Self {
        Self {
            ispdb,
            mx_domains: mx.map(|m| mx_domains(domain, m)).unwrap_or_default(),
        }
    }
}

/// The domains Thunderbird's MX lookup asks for: the MX host's registrable domain with one
/// more label, then the registrable domain; none when that is the mail domain itself.
pub fn mx_domains(domain: &str, mx: &str) -> Vec<String> {
    let host = mx.trim_end_matches('.').to_ascii_lowercase();
    let Some(base) = psl::domain_str(&host).map(str::to_string) else {
        return Vec::new();
    };
    if base == domain {
        return Vec::new();
    }
    let mut out = Vec::new();
    let labels: Vec<&str> = host.split('.').collect();
    let base_labels = base.split('.').count();
    if labels.len() > base_labels {
        out.push(labels[labels.len() - base_labels - 1..].join("."));
    }
    out.push(base);
    out
}

/// The URLs, in Thunderbird's order after the domain's own autoconfig.
pub fn urls(
    lookups: &Lookups,
    domain: &str,
    address: &str,
    https_port: u16,
) -> Vec<(Method, Transport, String)> {
    let mut out = Vec::new();
    if let Some(base) = &lookups.ispdb {
        out.push((Method::Ispdb, Transport::Https, ispdb_url(base, domain)));
    }
    for mx_domain in &lookups.mx_domains {
        let autoconfig = super::autoconfig::urls(mx_domain, address, https_port, 0)
            .into_iter()
            .find(|(m, t, _)| *m == Method::Autoconfig && *t == Transport::Https);
        if let Some((_, transport, url)) = autoconfig {
            out.push((Method::AutoconfigMx, transport, url));
        }
        if let Some(base) = &lookups.ispdb {
            out.push((
                Method::IspdbMx,
                Transport::Https,
                ispdb_url(base, mx_domain),
            ));
        }
    }
    out
}

fn ispdb_url(base: &str, domain: &str) -> String {
    if base.ends_with('/') {
        format!("{base}{domain}")
    } else {
        format!("{base}/{domain}")
    }
}

/// The place Thunderbird's wizard takes its settings from: the first, in its order, that gave
/// settings. `None`: it falls back to guessing host names.
pub fn choice(sources: &[Source]) -> Option<&Source> {
    let order = |s: &&Source| match s.method {
        Method::Autoconfig | Method::AutoconfigWellKnown => {
            Some((0, s.transport != Transport::Https))
        }
        Method::Ispdb => Some((1, false)),
        Method::AutoconfigMx | Method::IspdbMx => Some((2, false)),
        Method::Autodiscover | Method::AutodiscoverRoot | Method::AutodiscoverRedirect => {
            Some((3, false))
        }
        Method::AutodiscoverSrv | Method::Srv => None,
    };
    let mut used: Vec<(usize, &Source)> = sources
        .iter()
        .enumerate()
        .filter(|(_, s)| order(s).is_some() && !s.settings().is_empty())
        .collect();
    // Stable: within a rank, the order the sources were asked in (HTTPS before HTTP,
    // autoconfig before .well-known, the MX's own domain before its registrable one).
    used.sort_by_key(|(i, s)| (order(s), *i));
    used.first().map(|(_, s)| *s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mx_domains_are_thunderbirds() {
        assert_eq!(
            mx_domains("contoso.com", "contoso-com.mail.protection.outlook.com"),
            vec!["protection.outlook.com", "outlook.com"]
        );
        assert_eq!(
            mx_domains("example.com", "aspmx.l.google.com."),
            vec!["l.google.com", "google.com"]
        );
        assert_eq!(
            mx_domains("example.co.uk", "mx.hoster.co.uk"),
            vec!["mx.hoster.co.uk", "hoster.co.uk"]
        );
        assert_eq!(mx_domains("example.com", "hoster.net"), vec!["hoster.net"]);
        // The MX under the domain itself: Thunderbird skips the lookup.
        assert!(mx_domains("example.com", "mail.example.com").is_empty());
    }

    #[test]
    fn urls_follow_thunderbirds_order() {
        let lookups = Lookups {
            ispdb: Some("https://ispdb.test/v1.1/".into()),
            mx_domains: vec!["l.hoster.test".into(), "hoster.test".into()],
        };
        let urls: Vec<(Method, String)> = urls(&lookups, "example.com", "a@example.com", 443)
            .into_iter()
            .map(|(m, _, u)| (m, u))
            .collect();
        assert_eq!(
            urls[0],
            (Method::Ispdb, "https://ispdb.test/v1.1/example.com".into())
        );
        assert_eq!(urls[1].0, Method::AutoconfigMx);
        assert!(urls[1]
            .1
            .starts_with("https://autoconfig.l.hoster.test/mail/config-v1.1.xml?emailaddress="));
        assert_eq!(
            urls[2],
            (
                Method::IspdbMx,
                "https://ispdb.test/v1.1/l.hoster.test".into()
            )
        );
        assert_eq!(
            urls[4],
            (
                Method::IspdbMx,
                "https://ispdb.test/v1.1/hoster.test".into()
            )
        );
        let no_ispdb = Lookups {
            ispdb: None,
            ..lookups
        };
        assert!(urls_of(&no_ispdb)
            .iter()
            .all(|m| *m == Method::AutoconfigMx));
    }

    fn urls_of(l: &Lookups) -> Vec<Method> {
        urls(l, "example.com", "a@example.com", 443)
            .into_iter()
            .map(|(m, _, _)| m)
            .collect()
    }
}
