//! What mail clients are told: Mozilla autoconfig (Thunderbird, K-9), Microsoft Autodiscover
//! (Outlook) and RFC 6186 SRV records, fetched the way clients fetch them. Evidence only,
//! gathered while the probes run; the comparison with what answers is the judgement's.

pub mod autoconfig;
pub mod autodiscover;
pub mod thunderbird;
pub mod xml;

use std::time::Duration;

use crate::net::dns::Dns;
use crate::net::http::{FetchError, Http};
use crate::service::{Protocol, Security};

/// One server setting a configuration source announces.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Setting {
    pub protocol: Protocol,
    pub host: String,
    pub port: u16,
    /// `Plain` when the source says no encryption at all.
    pub security: Security,
    /// The login name template, as published (`%EMAILADDRESS%` …).
    pub username: Option<String>,
}

impl Setting {
    /// The service a probe checks it on: a published plaintext port is probed with STARTTLS,
    /// which tells whether encryption was available all along.
    pub fn probe_service(&self) -> crate::service::Service {
        let security = match self.security {
            Security::Plain => Security::StartTls,
            s => s,
        };
        crate::service::Service::new(self.port, self.protocol, security)
    }
}

/// A published host name with `%EMAILDOMAIN%` filled in, when it is a valid name.
fn host(text: &str, domain: &str) -> Option<String> {
    crate::input::parse_domain(&text.replace("%EMAILDOMAIN%", domain))
        .ok()
        .map(|d| d.ascii)
}

/// Adds a setting read from a document: each once, at most [`MAX_SETTINGS`].
fn keep(out: &mut Vec<Setting>, s: Setting) {
    if !out.contains(&s) && out.len() < MAX_SETTINGS {
        out.push(s);
    }
}

/// Which mechanism a source belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    /// `autoconfig.<domain>/mail/config-v1.1.xml`.
    Autoconfig,
    /// `<domain>/.well-known/autoconfig/mail/config-v1.1.xml`.
    AutoconfigWellKnown,
    /// POST to `autodiscover.<domain>/autodiscover/autodiscover.xml`.
    Autodiscover,
    /// POST to `<domain>/autodiscover/autodiscover.xml`.
    AutodiscoverRoot,
    /// GET `http://autodiscover.<domain>/…`, whose redirect names the real endpoint.
    AutodiscoverRedirect,
    /// The `_autodiscover._tcp.<domain>` SRV record's target.
    AutodiscoverSrv,
    /// RFC 6186 SRV records (`_imaps._tcp`, `_submission._tcp` …), read during discovery.
    Srv,
    /// Mozilla's ISPDB entry for the domain, as Thunderbird asks it.
    Ispdb,
    /// `autoconfig.<MX domain>` over HTTPS: Thunderbird's MX-based lookup.
    AutoconfigMx,
    /// The ISPDB entry for the MX domain: Thunderbird's MX-based lookup.
    IspdbMx,
}

impl Method {
    pub fn is_autoconfig(self) -> bool {
        matches!(self, Self::Autoconfig | Self::AutoconfigWellKnown)
    }

    /// A lookup outside what the domain itself publishes (Mozilla's database, the MX's
    /// provider): its absence or failure says nothing about the domain.
    pub fn is_client_database(self) -> bool {
        matches!(self, Self::Ispdb | Self::AutoconfigMx | Self::IspdbMx)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Https,
    /// Plain HTTP: anyone on the path can rewrite what comes back.
    Http,
    /// DNS records (RFC 6186).
    Dns,
}

/// Why a redirect, an SRV target or a redirect address was not followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Only HTTPS endpoints are followed.
    NotHttps,
    /// The name is a public suffix or a parent of the domain: the "autodiscover.<tld>" leak.
    OutsideDomain(String),
    /// The name is neither under the domain nor the recognised provider's: a stranger.
    Stranger(String),
    /// Not a usable URL or host name.
    BadTarget,
    /// More than [`MAX_HOPS`] redirects.
    TooManyHops,
}

/// What one source gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A configuration, with the settings it announces (possibly none the client could use).
    Settings(Vec<Setting>),
    /// The server answered with a status that carries no configuration (404, 401, 500 …).
    Status(u16),
    /// An Autodiscover `<Error>` response.
    ServerError { code: Option<String> },
    /// A body that is not a configuration of this kind.
    Invalid(Invalid),
    /// Nothing came back: no address, TLS, timeout, size.
    Unavailable(FetchError),
    /// A redirect that was not followed.
    Refused { target: String, why: Refusal },
    /// No record (the SRV method).
    NoRecord,
    /// The SRV lookup failed.
    LookupFailed(crate::net::dns::LookupError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    Xml(xml::XmlError),
    /// Well-formed, but another document (an HTML page, another root element).
    NotAConfig {
        root: String,
    },
}

/// One place a client looks, and what it found there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub method: Method,
    /// The first URL asked (or the SRV record's name).
    pub url: String,
    /// The URL that gave the outcome, when redirects were followed.
    pub final_url: Option<String>,
    pub transport: Transport,
    pub outcome: Outcome,
}

impl Source {
    pub fn settings(&self) -> &[Setting] {
        match &self.outcome {
            Outcome::Settings(s) => s,
            _ => &[],
        }
    }

    /// The first incoming (or outgoing) setting it announces: what a client sets up from it.
    pub fn first(&self, incoming: bool) -> Option<&Setting> {
        self.settings()
            .iter()
            .find(|s| s.protocol.is_incoming() == incoming)
    }
}

/// The `autodiscover.<domain>` CNAME a Microsoft 365 domain needs for Outlook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MicrosoftCname {
    /// Points at `autodiscover.outlook.com`.
    InOrder,
    Missing,
    /// A CNAME to another name.
    Elsewhere(String),
    /// Addresses of its own, no CNAME.
    NotAlias,
}

/// Everything clients are told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The address put into the requests (the user's, or `postmaster@<domain>`).
    pub address: String,
    pub sources: Vec<Source>,
    /// Only for domains whose MX is Microsoft 365.
    pub microsoft_cname: Option<MicrosoftCname>,
}

impl Published {
    /// Every setting announced, by any source.
    pub fn settings(&self) -> impl Iterator<Item = (&Source, &Setting)> {
        self.sources
            .iter()
            .flat_map(|s| s.settings().iter().map(move |x| (s, x)))
    }
}

/// The RFC 6186 records as one more source, so they join the same comparison. Records of "."
/// (service not offered) announce nothing.
pub fn from_srv(domain: &str, records: &[crate::discover::SrvRecord]) -> Option<Source> {
    let mut offered: Vec<&crate::discover::SrvRecord> =
        records.iter().filter(|r| r.offered).collect();
    if offered.is_empty() {
        return None;
    }
    offered.sort_by_key(|r| (r.priority, std::cmp::Reverse(r.weight)));
    let mut settings: Vec<Setting> = Vec::new();
    for r in offered {
        let Ok(host) = crate::input::parse_domain(&r.target) else {
            continue;
        };
        let s = Setting {
            protocol: r.protocol,
            host: host.ascii,
            port: r.port,
            security: r.security,
            username: None,
        };
        if !settings.contains(&s) {
            settings.push(s);
        }
    }
    Some(Source {
        method: Method::Srv,
        url: domain.to_string(),
        final_url: None,
        transport: Transport::Dns,
        outcome: Outcome::Settings(settings),
    })
}

/// Why nothing was fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotChecked {
    /// `--no-published`.
    Disabled,
    /// `--no-probe`: nothing to compare with.
    NoProbe,
    /// No HTTPS client could be set up with the run's trust.
    NoHttps,
}

/// Most settings read from one source (real ones announce two to six).
pub const MAX_SETTINGS: usize = 64;

/// Most redirects (HTTP or Autodiscover's own) followed from one starting point.
pub const MAX_HOPS: usize = 3;

/// Where the stage fetches from: 443 and 80, other ports in tests.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub timeout: Duration,
    pub https_port: u16,
    pub http_port: u16,
    /// The MX is Microsoft 365's: the Autodiscover CNAME is checked.
    pub microsoft: bool,
}

/// Where answers may send a client besides the user's domain: the identified provider's own
/// registrable domains (its documented hosts and MX).
#[derive(Debug, Clone, Default)]
pub struct Allowed {
    pub provider_domains: Vec<String>,
}

/// Fetches every source at once. A chain of redirects is bounded by [`MAX_HOPS`] and the whole
/// stage by one and a half timeouts: a slow web server costs about one timeout, like a slow
/// mail server.
pub async fn gather(
    dns: &Dns,
    http: &Http,
    domain: &str,
    address: Option<&str>,
    settings: Settings,
    allowed: &Allowed,
    lookups: &thunderbird::Lookups,
) -> Published {
    let address = address
        .map(str::to_string)
        .unwrap_or_else(|| format!("postmaster@{domain}"));
    let deadline = tokio::time::Instant::now() + settings.timeout * 3 / 2;
    let ask = Ask {
        dns,
        http,
        domain,
        address: &address,
        settings,
        allowed,
    };
    let autoconfig = futures::future::join_all(
        autoconfig::urls(domain, &address, settings.https_port, settings.http_port)
            .into_iter()
            .map(|(method, transport, url)| {
                let ask = &ask;
                bounded(deadline, method, transport, url.clone(), async move {
                    autoconfig::fetch(ask, &url).await
                })
            }),
    );
    let databases = futures::future::join_all(
        thunderbird::urls(lookups, domain, &address, settings.https_port)
            .into_iter()
            .map(|(method, transport, url)| {
                let ask = &ask;
                bounded(deadline, method, transport, url.clone(), async move {
                    autoconfig::fetch(ask, &url).await
                })
            }),
    );
    let autodiscover = futures::future::join_all(
        autodiscover::starts(domain, settings.https_port, settings.http_port)
            .into_iter()
            .map(|(method, transport, url)| {
                let ask = &ask;
                bounded(deadline, method, transport, url.clone(), async move {
                    autodiscover::follow(ask, method, &url).await
                })
            }),
    );
    let srv = bounded(
        deadline,
        Method::AutodiscoverSrv,
        Transport::Https,
        format!("_autodiscover._tcp.{domain}"),
        autodiscover::by_srv(&ask),
    );
    let cname = async {
        if settings.microsoft {
            Some(autodiscover::microsoft_cname(dns, domain).await)
        } else {
            None
        }
    };
    let (autoconfig, databases, autodiscover, srv, microsoft_cname) =
        tokio::join!(autoconfig, databases, autodiscover, srv, cname);
    let mut sources = autoconfig;
    sources.extend(databases);
    sources.extend(autodiscover);
    sources.push(srv);
    Published {
        address,
        sources,
        microsoft_cname,
    }
}

/// What a fetch needs to follow redirects on its own.
pub struct Ask<'a> {
    pub dns: &'a Dns,
    pub http: &'a Http,
    pub domain: &'a str,
    pub address: &'a str,
    pub settings: Settings,
    pub allowed: &'a Allowed,
}

/// The result of one source's chain: its outcome and the URL that gave it.
pub type Reached = (Outcome, Option<String>);

async fn bounded(
    deadline: tokio::time::Instant,
    method: Method,
    transport: Transport,
    url: String,
    work: impl std::future::Future<Output = Reached>,
) -> Source {
    let (outcome, final_url) = tokio::time::timeout_at(deadline, work)
        .await
        .unwrap_or((Outcome::Unavailable(FetchError::Timeout), None));
    Source {
        method,
        url,
        final_url,
        transport,
        outcome,
    }
}

/// A name a client may be sent to: a valid host name that is neither a public suffix nor a
/// parent of the user's domain (`autodiscover.com` must never be asked for `example.com`).
pub fn allowed_host(host: &str, domain: &str) -> Result<String, Refusal> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let parsed = crate::input::parse_domain(&host).map_err(|_| Refusal::BadTarget)?;
    let host = parsed.ascii;
    let is_suffix = psl::suffix_str(&host).is_some_and(|s| s == host) || !host.contains('.');
    let is_parent = domain.ends_with(&format!(".{host}"));
    // autodiscover.<the domain's public suffix>: the classic leak of Outlook's old back-off.
    let is_leak = psl::suffix_str(domain).is_some_and(|s| host == format!("autodiscover.{s}"));
    if is_suffix || is_parent || is_leak {
        return Err(Refusal::OutsideDomain(host));
    }
    Ok(host)
}

/// A URL's host, when it is `https://HOST[:PORT]/…`.
pub fn https_host(url: &str) -> Result<String, Refusal> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("HTTPS://"))
        .ok_or(Refusal::NotHttps)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') || authority.starts_with('[') {
        return Err(Refusal::BadTarget);
    }
    let host = authority.split(':').next().unwrap_or_default();
    if host.is_empty() {
        return Err(Refusal::BadTarget);
    }
    Ok(host.to_string())
}

/// A `Location` made absolute: a path is taken relative to the current URL's origin.
pub fn resolve_location(current: &str, location: &str) -> String {
    if !location.starts_with('/') || location.starts_with("//") {
        return location.to_string();
    }
    let scheme_end = current.find("://").map_or(0, |i| i + 3);
    let origin_end = current[scheme_end..]
        .find('/')
        .map_or(current.len(), |i| scheme_end + i);
    format!("{}{location}", &current[..origin_end])
}

/// Where an answer (a redirect, `redirectUrl`, `redirectAddr`) may send the next request: an
/// HTTPS URL whose host is the user's domain, under it, or the provider's own. Anything else
/// is reported, never asked: a server must not be able to point mailprobe, or a client's
/// password, at a stranger.
pub fn follow_target(url: &str, domain: &str, allowed: &Allowed) -> Result<String, Refusal> {
    let host = allowed_host(&https_host(url)?, domain)?;
    if within(&host, domain, allowed) {
        Ok(host)
    } else {
        Err(Refusal::Stranger(host))
    }
}

/// The domain itself, a name under it, or under one of the provider's registrable domains.
pub fn within(host: &str, domain: &str, allowed: &Allowed) -> bool {
    let under = |d: &str| host == d || host.ends_with(&format!(".{d}"));
    under(domain) || allowed.provider_domains.iter().any(|d| under(d))
}

/// `https://HOST[:port]PATH`, the port only when it is not 443 (tests).
pub fn https_url(host: &str, port: u16, path: &str) -> String {
    if port == 443 {
        format!("https://{host}{path}")
    } else {
        format!("https://{host}:{port}{path}")
    }
}

pub fn http_url(host: &str, port: u16, path: &str) -> String {
    if port == 80 {
        format!("http://{host}{path}")
    } else {
        format!("http://{host}:{port}{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_leaves_the_domain_for_a_suffix_or_parent() {
        assert_eq!(
            allowed_host("autodiscover.example.com", "example.com"),
            Ok("autodiscover.example.com".into())
        );
        assert!(allowed_host("com", "example.com").is_err());
        assert!(allowed_host("co.uk", "example.co.uk").is_err());
        assert!(allowed_host("example.com", "mail.example.com").is_err());
        assert!(allowed_host("github.io", "me.github.io").is_err());
        assert_eq!(
            allowed_host("autodiscover.hoster.net.", "example.com"),
            Ok("autodiscover.hoster.net".into())
        );
        assert_eq!(
            allowed_host("bad name", "example.com"),
            Err(Refusal::BadTarget)
        );
    }

    #[test]
    fn relative_locations_keep_the_origin() {
        assert_eq!(
            resolve_location("https://a.example:8443/x/y?z", "/new"),
            "https://a.example:8443/new"
        );
        assert_eq!(
            resolve_location("https://a.example/x", "https://b.example/"),
            "https://b.example/"
        );
    }

    #[test]
    fn answers_may_only_send_requests_under_the_domain_or_to_the_provider() {
        let provider = Allowed {
            provider_domains: vec!["outlook.com".into()],
        };
        let ok = |u: &str| follow_target(u, "example.com", &provider);
        assert_eq!(
            ok("https://autodiscover.example.com/x"),
            Ok("autodiscover.example.com".into())
        );
        assert_eq!(
            ok("https://autodiscover-s.outlook.com/x"),
            Ok("autodiscover-s.outlook.com".into())
        );
        assert!(ok("https://autodiscover.com/x").is_err());
        assert!(ok("https://evil.example/x").is_err());
        assert!(ok("https://example.com.evil.example/x").is_err());
        assert_eq!(
            ok("http://autodiscover.example.com/x"),
            Err(Refusal::NotHttps)
        );
    }

    #[test]
    fn reads_https_hosts_only() {
        assert_eq!(https_host("https://a.example/x"), Ok("a.example".into()));
        assert_eq!(https_host("https://a.example:8443"), Ok("a.example".into()));
        assert_eq!(https_host("http://a.example/"), Err(Refusal::NotHttps));
        assert_eq!(https_host("https://u@a.example/"), Err(Refusal::BadTarget));
    }
}
