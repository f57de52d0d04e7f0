//! One run: the options, the stages in order, and everything it found.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::delivery::Delivery;
use crate::discover::authority::{Authority, NotAsked};
use crate::discover::Discovery;
use crate::input::Target;
use crate::judge::{Diagnosis, Evidence, Verdict};
use crate::net::dns::HostAddresses;
use crate::net::dns::{Dns, DnsSettings};
use crate::net::http::Http;
use crate::plan::{CapHit, PlanOptions, ResolvedCandidate};
use crate::probe::login::{Credentials, LoginOutcome};
use crate::probe::tls::TrustSource;
use crate::probe::{Limiter, ProbeObserver, ProbeResult, ProbeSettings, Trust};
use crate::provider::Identification;
use crate::service::Service;
use crate::{
    delivery, discover, judge, net, plan, probe, provider, published, sending, service, text, token,
};

/// A validated request.
#[derive(Debug, Clone)]
pub struct Options {
    /// Empty: the system's resolver configuration.
    pub dns_servers: Vec<SocketAddr>,
    pub timeout: Duration,
    /// The whole run's limit: probes not started by then are skipped and the report says so.
    pub max_time: Duration,
    /// False for DNS discovery only.
    pub probe: bool,
    pub services: Vec<Service>,
    pub extra_hosts: Vec<String>,
    pub ca_file: Option<PathBuf>,
    pub concurrency: usize,
    /// Credentials for the optional login check (`--login`).
    pub login: Option<Credentials>,
    /// Which certificate authorities to trust (`--trust`).
    pub trust: TrustSource,
    /// Only this address family (`-4`, `-6`).
    pub family: Option<plan::Family>,
    /// Keep each probe's conversation (`-v`).
    pub transcripts: bool,
    /// Where TLS 1.0 and 1.1 are tried (`--legacy-tls`).
    pub legacy_tls: probe::LegacyScope,
    /// Ask the zone's own name servers too (off with `--no-authoritative`).
    pub authoritative: bool,
    /// The port name servers are asked on (53; tests run theirs on others).
    pub authority_port: u16,
    /// Check what senders check: MTA-STS, TLS-RPT, DANE, SPF, DMARC (off with `--no-delivery`).
    pub delivery: bool,
    /// The port policies are fetched from over HTTPS (443; tests serve theirs elsewhere).
    pub https_port: u16,
    /// DNSKEYs to trust besides the root's (`--trust-anchor`), for private and test zones.
    pub trust_anchor: Option<PathBuf>,
    /// Fetch what mail clients are told: autoconfig, Autodiscover (off with `--no-published`).
    pub published: bool,
    /// The port plain-HTTP configuration is fetched from (80; tests serve theirs elsewhere).
    pub http_port: u16,
    /// Mozilla's ISPDB, asked the way Thunderbird asks it (`--ispdb-url`; `None` with
    /// `--no-ispdb`): the domain and its MX domain are sent to it.
    pub ispdb_url: Option<String>,
    /// DNS blocklist zones asked about the sending addresses (`--blocklists`, `--blocklist`);
    /// empty: none asked.
    pub blocklists: Vec<String>,
    /// Ask port 25 whether it relays for outside domains (`--relay-test`; never DATA).
    pub relay_test: bool,
    /// The server that delivered a saved message (`--headers`), checked like the others.
    pub headers: Option<sending::headers::Delivered>,
}

/// The default of `--max-time`.
pub const DEFAULT_MAX_TIME: Duration = Duration::from_secs(60);

impl Options {
    /// The defaults: system DNS, 5 s, all standard ports.
    pub fn new() -> Self {
        Self {
            dns_servers: Vec::new(),
            timeout: Duration::from_secs(5),
            max_time: DEFAULT_MAX_TIME,
            probe: true,
            services: service::STANDARD_SERVICES.to_vec(),
            extra_hosts: Vec::new(),
            ca_file: None,
            concurrency: 64,
            login: None,
            trust: TrustSource::default(),
            family: None,
            transcripts: false,
            legacy_tls: probe::LegacyScope::Clients,
            authoritative: true,
            authority_port: 53,
            delivery: true,
            https_port: 443,
            trust_anchor: None,
            published: true,
            http_port: 80,
            ispdb_url: Some(published::thunderbird::ISPDB_URL.to_string()),
            blocklists: Vec::new(),
            relay_test: false,
            headers: None,
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Self::new()
    }
}

/// Everything one run found and concluded.
#[derive(Debug, Clone)]
pub struct Run {
    pub target: Target,
    pub discovery: Discovery,
    pub identification: Identification,
    pub candidates: Vec<ResolvedCandidate>,
    /// Every probe with its judgement.
    pub judged: Vec<judge::Judged>,
    pub probed: bool,
    /// Caps the plan met (addresses per name, the probe budget).
    pub caps: Vec<CapHit>,
    pub diagnosis: Diagnosis,
    /// Login checks, when `--login` asked for them: best incoming, then best outgoing.
    pub login: Option<Vec<LoginCheck>>,
    /// The login name of `--login`/`--user`, when given.
    pub login_user: Option<String>,
    /// The DNS servers asked (`--dns`, or the system's).
    pub resolvers: Vec<SocketAddr>,
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    /// The same instant in Unix seconds (for monitoring systems).
    pub started_unix: i64,
    /// What the trust store was built from (when probing).
    pub trust: Option<probe::tls::TrustSummary>,
    /// What the zone's own name servers answered, or why they were not asked.
    pub authority: Result<Authority, NotAsked>,
    /// What senders check before delivering here, or why it was not checked.
    pub delivery: Result<Delivery, delivery::NotChecked>,
    /// What mail clients are told (autoconfig, Autodiscover, SRV).
    pub published: Result<published::Published, published::NotChecked>,
    /// What receivers see of the servers that send (reverse DNS), with the delivery checks.
    pub sending: Option<sending::Sending>,
    /// The one verdict every output shows.
    pub status: judge::Status,
    /// Its exit status.
    pub exit_code: u8,
    pub elapsed_ms: u64,
}

impl Run {
    /// Every probe made (each with its judgement in [`Run::judged`]).
    pub fn probes(&self) -> impl Iterator<Item = &ProbeResult> {
        self.judged.iter().map(|j| &j.probe)
    }
}

/// One login attempt on a recommended setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginCheck {
    pub protocol: service::Protocol,
    pub host: String,
    pub address: std::net::IpAddr,
    pub port: u16,
    pub security: service::Security,
    pub outcome: LoginOutcome,
    /// The login's conversation, when kept (`-v`), credentials redacted.
    pub transcript: Option<probe::transcript::Transcript>,
}

/// Problems that stop a run before it starts.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Dns(#[from] net::dns::DnsSetupError),
    #[error(transparent)]
    Trust(#[from] probe::tls::TrustError),
    #[error("--trust-anchor {path}: {reason}")]
    TrustAnchor { path: String, reason: String },
}

/// What probing needs, built once per run.
struct Probing<'a> {
    target: &'a Target,
    options: &'a Options,
    /// Keys from `--trust-anchor`, for mailprobe's own DNSSEC validation.
    anchors: Option<net::dnssec::Anchors>,
    dns: &'a Dns,
    trust: Trust,
    /// The run's limiter (shared in a fleet) and the domain's address rule: every connection of
    /// every stage passes it.
    gate: net::gate::Gate,
    /// The run's one probe budget, shared by every round.
    budget: plan::Budget,
    /// Caps met by later rounds (published settings, the zone's new MX hosts).
    later_caps: std::sync::Mutex<Vec<CapHit>>,
    /// Probes shared with the other domains of a fleet run.
    cache: Option<&'a probe::cache::ProbeCache>,
    settings: ProbeSettings,
    observer: &'a dyn ProbeObserver,
}

/// What runs share: the resolver (and so its cache), the trust store, the connection caps and
/// rate limit, and, in a fleet, the probes already done. A single run builds its own.
#[derive(Clone)]
pub struct Shared {
    dns: Dns,
    trust: Option<Trust>,
    limiter: std::sync::Arc<Limiter>,
    cache: Option<std::sync::Arc<probe::cache::ProbeCache>>,
}

impl Shared {
    /// For one run of `options`.
    pub fn new(options: &Options) -> Result<Self, SetupError> {
        Self::build(options, None, false)
    }

    /// For many runs of options like these: connections to one address paced at `rate` per
    /// second, and probes of names outside each domain shared.
    pub fn for_fleet(options: &Options, rate: Option<f64>) -> Result<Self, SetupError> {
        Self::build(options, rate, true)
    }

    fn build(options: &Options, rate: Option<f64>, fleet: bool) -> Result<Self, SetupError> {
        let trust = options
            .probe
            .then(|| Trust::with_source(options.trust, options.ca_file.as_deref()))
            .transpose()?;
        let dns = Dns::new(&DnsSettings {
            servers: options.dns_servers.clone(),
            timeout: options.timeout,
        })?;
        Ok(Self {
            dns,
            trust,
            limiter: std::sync::Arc::new(Limiter::with_rate(options.concurrency, rate)),
            cache: fleet.then(|| std::sync::Arc::new(probe::cache::ProbeCache::new())),
        })
    }
}

/// Runs the whole pipeline for one target.
pub async fn run(
    target: &Target,
    options: &Options,
    observer: &dyn ProbeObserver,
) -> Result<Run, SetupError> {
    let shared = Shared::new(options)?;
    Box::pin(run_with(target, options, observer, &shared)).await
}

/// Runs the whole pipeline with what other runs share (a fleet's resolver, caps and probes).
pub async fn run_with(
    target: &Target,
    options: &Options,
    observer: &dyn ProbeObserver,
    shared: &Shared,
) -> Result<Run, SetupError> {
    let started = Instant::now();
    let started_at = now_rfc3339();
    let started_unix = time::OffsetDateTime::now_utc().unix_timestamp();
    let run_deadline = tokio::time::Instant::now() + options.max_time;
    let trust = shared.trust.clone();
    let trust_summary = trust.as_ref().map(|t| t.summary.clone());
    let dns = shared.dns.clone();
    let gate = net::gate::Gate::new(
        shared.limiter.clone(),
        net::address::is_public_domain(&target.domain.ascii),
    );
    // Names that do not depend on the MX answer are resolved while discovery runs.
    let early = plan::early_names(target, &options.extra_hosts);
    let mut probed_names = early.clone();
    probed_names.push(target.domain.ascii.clone());
    let authority = async {
        if !options.authoritative {
            return Err(NotAsked::Disabled);
        }
        let settings = discover::authority::AuthoritySettings {
            gate: &gate,
            timeout: options.timeout,
            port: options.authority_port,
        };
        discover::authority::ask_the_source(&dns, &target.domain.ascii, &probed_names, settings)
            .await
    };
    let anchors = options
        .trust_anchor
        .as_deref()
        .map(|path| {
            net::dnssec::read_anchors(path).map_err(|reason| SetupError::TrustAnchor {
                path: text::escape_controls(&path.display().to_string()),
                reason,
            })
        })
        .transpose()?;
    let probing = trust.map(|trust| Probing {
        target,
        options,
        anchors,
        dns: &dns,
        trust,
        gate: gate.clone(),
        budget: plan::Budget::new(plan::MAX_PROBES),
        later_caps: std::sync::Mutex::new(Vec::new()),
        cache: shared.cache.as_deref(),
        settings: ProbeSettings {
            timeout: options.timeout,
            run_deadline: Some(run_deadline),
            transcripts: options.transcripts,
            legacy_tls: options.legacy_tls,
        },
        observer,
    });
    // The zone's own servers are asked while everything else runs: a slow one costs no time.
    let main = async {
        let (discovery, early) = tokio::join!(
            discover::discover(&dns, &target.domain),
            plan::resolve_names(&dns, early)
        );
        let identification = provider::identify(&target.domain, &discovery);
        let probed = async {
            match &probing {
                Some(p) => p.everything(&discovery, &identification, &early).await,
                None => (Vec::new(), Vec::new(), Vec::new()),
            }
        };
        let delivery = async {
            match &probing {
                Some(p) => p.delivery(&discovery).await,
                None => Err(delivery::NotChecked::NoProbe),
            }
        };
        let published = async {
            match &probing {
                Some(p) => p.published(&discovery, &identification, &early).await,
                None => (Err(published::NotChecked::NoProbe), Vec::new(), Vec::new()),
            }
        };
        let (probed, delivery, published) = tokio::join!(probed, delivery, published);
        (
            discovery,
            identification,
            early,
            probed,
            delivery,
            published,
        )
    };
    // Each DNS server asked once on its own, alongside: a refused port is seen at once, and a
    // silent server among several is named instead of silently costing time.
    let reach_wait = options.timeout.min(Duration::from_secs(1));
    let reach = dns.check_reach(reach_wait);
    let ((discovery, identification, early, probed, mut delivery, published), authority, reach) =
        // Boxed: the stages' futures are large, and a caller's stack holds only a pointer.
        tokio::join!(Box::pin(main), Box::pin(authority), reach);
    let (mut candidates, mut probes, mut caps) = probed;
    let (mut published, more_candidates, more_probes) = published;
    candidates.extend(more_candidates);
    probes.extend(more_probes);
    if let Ok(p) = &mut published {
        p.sources
            .extend(published::from_srv(&target.domain.ascii, &discovery.srv));
    }
    // What only the zone's own servers know is probed too: the new MX host of a change still
    // propagating, the old one a lagging server still names, and hosts the resolver holds as
    // "no such name".
    if let (Some(p), Ok(a)) = (&probing, &authority) {
        let (more, found) = p
            .probe_what_only_the_source_knows(a, &discovery, &mut candidates, &early)
            .await;
        candidates.extend(more);
        probes.extend(found);
    }
    if let Some(p) = &probing {
        caps.extend(p.later_caps.lock().map(|c| c.clone()).unwrap_or_default());
    }
    let mut sending = None;
    if let Ok(d) = &mut delivery {
        let mut senders = delivery::submission_addresses(&probes);
        let mut smtp = sending::smtp_addresses(&probes, &identification);
        if let Some(tree) = &d.spf_tree {
            sending::add_spf_listed(&mut smtp, &tree.listed, &identification);
        }
        // The server that delivered a saved message is what receivers met: SPF, reverse DNS
        // and blocklists judge it like the others.
        if let Some(delivered) = &options.headers {
            let shown = sending::add_delivering(&mut smtp, delivered);
            senders.insert(0, (shown, delivered.address));
        }
        let relay = async {
            match (&probing, options.relay_test) {
                (Some(p), true) => {
                    let mx: Vec<String> = discovery.mx.iter().map(|m| m.exchange.clone()).collect();
                    let targets = sending::relay_targets(&probes, &mx, &senders, &identification);
                    Some(p.relay_tests(&targets, &target.domain.ascii).await)
                }
                _ => None,
            }
        };
        let (_, mut reverse, relay) = tokio::join!(
            delivery::check_senders(&dns, &target.domain.ascii, d, &senders),
            sending::check(
                &dns,
                &smtp,
                &options.blocklists,
                net::address::is_public_domain(&target.domain.ascii)
            ),
            relay
        );
        reverse.relay = relay;
        reverse.received = options.headers.clone();
        sending = Some(reverse);
    }
    let username = options.login.as_ref().map(|c| c.username.as_str());
    let (judgements, mut diagnosis) = judge::diagnose(&Evidence {
        target,
        discovery: &discovery,
        identification: &identification,
        candidates: &candidates,
        probes: &probes,
        services: &options.services,
        caps: &caps,
        username,
        authority: Some(&authority),
        delivery: delivery.as_ref().ok(),
        published: published.as_ref().ok(),
        sending: sending.as_ref(),
        probed: options.probe,
    });
    let mut judged = judge::Judged::pair(probes, judgements);
    let login = match (&options.login, &probing) {
        (Some(creds), Some(p)) => Some(p.check_logins(&diagnosis, &judged, creds).await),
        _ => None,
    };
    if let Some(creds) = &options.login {
        scrub_transcripts(judged.iter_mut().map(|j| &mut j.probe), creds);
    }
    if let Some(checks) = &login {
        diagnosis.findings.extend(judge::login_findings(
            checks.iter().map(|c| {
                let service = service::Service::new(c.port, c.protocol, c.security);
                (service, c.host.as_str(), &c.outcome)
            }),
            identification.provider.as_ref().map(|p| p.id.as_str()),
        ));
        // A bearer token's own claims, read here (never sent anywhere for it).
        if let Some(token) = options.login.as_ref().and_then(|c| c.password.token()) {
            let protocols: Vec<service::Protocol> = checks.iter().map(|c| c.protocol).collect();
            let username = options.login.as_ref().map_or("", |c| c.username.as_str());
            diagnosis.findings.extend(judge::token::findings(
                &token::read(token),
                username,
                &protocols,
                started_unix,
            ));
        }
        diagnosis.findings.sort_by_key(|f| f.severity);
    }
    diagnosis
        .findings
        .extend(judge::domain::resolver_findings(&reach, reach_wait));
    diagnosis.findings.sort_by_key(|f| f.severity);
    let accepted: Option<Vec<bool>> = login.as_ref().map(|checks| {
        checks
            .iter()
            .map(|c| matches!(c.outcome, LoginOutcome::Accepted { .. }))
            .collect()
    });
    let status = judge::policy::status(
        &discovery,
        &identification,
        &diagnosis,
        options.probe,
        accepted.as_deref(),
    );
    Ok(Run {
        target: target.clone(),
        discovery,
        identification,
        candidates,
        judged,
        probed: options.probe,
        caps,
        diagnosis,
        login,
        login_user: username.map(str::to_string),
        resolvers: dns.servers().to_vec(),
        authority,
        delivery,
        published,
        sending,
        started_at,
        started_unix,
        trust: trust_summary,
        status,
        exit_code: judge::policy::exit_code(status),
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}

/// Any server of the run may have heard the secret (a shared server, a second look): no
/// conversation kept for `-v` may quote it back.
fn scrub_transcripts<'a>(
    probes: impl Iterator<Item = &'a mut ProbeResult>,
    creds: &probe::login::Credentials,
) {
    let redactor = creds.redactor();
    for transcript in probes.filter_map(|p| p.transcript.as_mut()) {
        for line in &mut transcript.lines {
            line.text = redactor.redact_text(&line.text);
        }
    }
}

/// The current time as RFC 3339 (UTC, whole seconds).
pub(crate) fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc().replace_nanosecond(0);
    now.ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Extra time for a login check, since servers slow down failed logins on purpose.
pub const LOGIN_ALLOWANCE: Duration = Duration::from_secs(10);

impl Probing<'_> {
    async fn everything(
        &self,
        discovery: &Discovery,
        identification: &Identification,
        early: &[HostAddresses],
    ) -> (Vec<ResolvedCandidate>, Vec<ProbeResult>, Vec<CapHit>) {
        let plan_options = PlanOptions {
            services: self.options.services.clone(),
            extra_hosts: self.options.extra_hosts.clone(),
        };
        let target = self.target;
        let names = plan::candidates(target, discovery, identification, &plan_options);
        let mut candidates = plan::resolve(self.dns, discovery, early, names).await;
        let first = plan::tasks(
            &candidates,
            &self.budget,
            plan::LATER_ROUNDS_RESERVE,
            self.options.family,
        );
        let mut caps = first.caps;
        let mut probes = self.round(&first.tasks).await;

        // Second round: names the certificates are valid for, when they did not cover ours.
        let alternatives = plan::certificate_candidates(&probes, &candidates, identification);
        if !alternatives.is_empty() {
            let resolved = plan::resolve(self.dns, discovery, early, alternatives).await;
            let second = plan::tasks(&resolved, &self.budget, 0, self.options.family);
            caps.extend(second.caps);
            probes.extend(self.round(&second.tasks).await);
            candidates.extend(resolved);
        }
        (candidates, probes, caps)
    }

    /// Probes the MX hosts the zone's own servers serve that the resolver's answer lacks.
    /// Delivery security, while the probes run (HTTPS with the run's trust and resolver).
    async fn delivery(&self, discovery: &Discovery) -> Result<Delivery, delivery::NotChecked> {
        if !self.options.delivery {
            return Err(delivery::NotChecked::Disabled);
        }
        let mx_hosts: Vec<String> = discovery
            .mx
            .iter()
            .filter(|m| !m.is_null())
            .map(|m| m.exchange.clone())
            .collect();
        if mx_hosts.is_empty() {
            return Err(delivery::NotChecked::NoMx);
        }
        let http = self.http();
        let domain = &self.target.domain.ascii;
        let given = self.anchors.as_ref();
        let extra = match (given, self.dns.servers().first()) {
            (Some(a), Some(resolver)) => {
                Some(net::dnssec::expand(a, *resolver, self.options.timeout).await)
            }
            _ => None,
        };
        let validator = net::dnssec::Validator::new(
            self.dns.servers(),
            extra,
            given.map_or(0, |a| a.count),
            given.map(net::dnssec::Anchors::zones).unwrap_or_default(),
            self.options.timeout,
        )
        .ok();
        let settings = delivery::Settings {
            timeout: self.options.timeout,
            validator: validator.as_ref(),
            https_port: self.options.https_port,
        };
        // Boxed: hickory's validating lookups make a deep future, kept off the stack.
        Ok(Box::pin(delivery::gather(
            self.dns,
            http.as_ref(),
            domain,
            &mx_hosts,
            settings,
        ))
        .await)
    }

    /// The run's HTTPS client: its resolver, its trust.
    fn http(&self) -> Option<Http> {
        self.trust
            .verifying_config()
            .ok()
            .and_then(|tls| Http::new(self.dns, tls, self.options.timeout, self.gate.clone()).ok())
    }

    /// What clients are told, fetched while the probes run; the published settings the plan
    /// does not cover are probed as soon as they are known.
    async fn published(
        &self,
        discovery: &Discovery,
        identification: &Identification,
        early: &[HostAddresses],
    ) -> (
        Result<published::Published, published::NotChecked>,
        Vec<ResolvedCandidate>,
        Vec<ProbeResult>,
    ) {
        if !self.options.published {
            return (Err(published::NotChecked::Disabled), Vec::new(), Vec::new());
        }
        let Some(http) = self.http() else {
            return (Err(published::NotChecked::NoHttps), Vec::new(), Vec::new());
        };
        let target = self.target;
        let settings = published::Settings {
            timeout: self.options.timeout,
            https_port: self.options.https_port,
            http_port: self.options.http_port,
            microsoft: identification
                .provider
                .as_ref()
                .is_some_and(|p| p.id == "microsoft365"),
        };
        let allowed = published::Allowed {
            provider_domains: identification
                .provider
                .iter()
                .flat_map(|p| {
                    p.published()
                        .map(|s| s.host.clone())
                        .chain(p.matched_mx.clone())
                })
                .filter_map(|h| psl::domain_str(&h.to_ascii_lowercase()).map(str::to_string))
                .collect(),
        };
        let best_mx = discovery
            .mx
            .iter()
            .filter(|m| !m.is_null())
            .min_by_key(|m| m.preference)
            .map(|m| m.exchange.as_str());
        let lookups = published::thunderbird::Lookups::new(
            self.options.ispdb_url.clone(),
            &target.domain.ascii,
            best_mx,
        );
        let found = Box::pin(published::gather(
            self.dns,
            &http,
            &target.domain.ascii,
            target.address.as_deref(),
            settings,
            &allowed,
            &lookups,
        ))
        .await;
        let mut announced: Vec<published::Setting> = Vec::new();
        for (_, s) in found.settings() {
            if !announced.contains(s) {
                announced.push(s.clone());
            }
        }
        if announced.len() > plan::MAX_PUBLISHED_SETTINGS {
            self.later_caps(vec![CapHit::PublishedSettings {
                total: announced.len(),
                kept: plan::MAX_PUBLISHED_SETTINGS,
            }]);
        }
        let plan_options = PlanOptions {
            services: self.options.services.clone(),
            extra_hosts: self.options.extra_hosts.clone(),
        };
        let planned = plan::candidates(target, discovery, identification, &plan_options);
        let names = plan::published_candidates(&planned, &announced);
        if names.is_empty() {
            return (Ok(found), Vec::new(), Vec::new());
        }
        let resolved = plan::resolve(self.dns, discovery, early, names).await;
        let tasks = plan::tasks(&resolved, &self.budget, 0, self.options.family);
        let probes = self.round(&tasks.tasks).await;
        self.later_caps(tasks.caps);
        (Ok(found), resolved, probes)
    }

    async fn probe_what_only_the_source_knows(
        &self,
        authority: &Authority,
        discovery: &Discovery,
        known: &mut [ResolvedCandidate],
        early: &[HostAddresses],
    ) -> (Vec<ResolvedCandidate>, Vec<ProbeResult>) {
        let names = plan::source_mx_candidates(authority, discovery, known, &self.options.services);
        let mut more = plan::resolve(self.dns, discovery, early, names).await;
        plan::addresses_from_source(authority, &mut more);
        let given = plan::addresses_from_source(authority, known);
        let round: Vec<ResolvedCandidate> = known
            .iter()
            .filter(|c| given.contains(&c.candidate.name))
            .chain(&more)
            .cloned()
            .collect();
        if round.is_empty() {
            return (more, Vec::new());
        }
        let tasks = plan::tasks(&round, &self.budget, 0, self.options.family);
        let probes = self.round(&tasks.tasks).await;
        self.later_caps(tasks.caps);
        (more, probes)
    }

    /// Caps met by the rounds that run beside or after the plan, kept for the findings.
    fn later_caps(&self, caps: Vec<CapHit>) {
        if let Ok(mut kept) = self.later_caps.lock() {
            kept.extend(caps);
        }
    }

    async fn round(&self, tasks: &[plan::ProbeTask]) -> Vec<ProbeResult> {
        let Some(cache) = self.cache else {
            return probe::run_probes(
                tasks,
                &self.trust,
                &self.gate,
                &self.settings,
                self.observer,
            )
            .await;
        };
        let claim = cache.claim(tasks, &self.target.domain.ascii);
        let mine = probe::run_probes(
            &claim.tasks,
            &self.trust,
            &self.gate,
            &self.settings,
            self.observer,
        )
        .await;
        claim.finish(mine).await
    }

    /// The open-relay test on each target's port 25, all at once under the run's caps.
    async fn relay_tests(&self, targets: &[(String, IpAddr)], domain: &str) -> Vec<sending::Relay> {
        let request = probe::relay::RelayRequest {
            local_sender: format!("postmaster@{domain}"),
        };
        let each = targets.iter().map(|(host, address)| {
            let request = &request;
            async move {
                let task = plan::ProbeTask {
                    address: *address,
                    service: Service::new(25, service::Protocol::Smtp, service::Security::Plain),
                    names: vec![host.clone()],
                };
                let result = probe::engine::errand(
                    &task,
                    &self.trust,
                    &self.gate,
                    self.options.timeout,
                    probe::engine::Errand::Relay(request),
                    self.options.transcripts,
                )
                .await;
                sending::Relay {
                    host: host.clone(),
                    address: *address,
                    outcome: match (result.relay, result.failure) {
                        (Some(outcome), _) => Ok(outcome),
                        (None, Some(failure)) => Err(failure),
                        (None, None) => Err(probe::Failure::new(
                            probe::Phase::Greeting,
                            probe::FailureKind::Closed,
                        )),
                    },
                }
            }
        });
        futures::future::join_all(each).await
    }

    /// One login on each chosen setting (incoming and outgoing): never more, so that a wrong
    /// password cannot get the user's address banned. It goes to an address where that setting
    /// worked, a cleanly working one first: never to an untrusted address when a trusted one
    /// exists.
    async fn check_logins(
        &self,
        diagnosis: &Diagnosis,
        judged: &[judge::Judged],
        creds: &Credentials,
    ) -> Vec<LoginCheck> {
        let chosen = judge::policy::chosen(&diagnosis.recommended);
        let attempts = chosen.into_iter().flatten().filter_map(|r| {
            let (probe, _) = judged
                .iter()
                .map(judge::Judged::parts)
                .filter(|(p, j)| {
                    p.host == r.host && p.port == r.port && j.verdict != Verdict::Fails
                })
                .min_by_key(|(_, j)| j.verdict)?;
            let (host, address, service) = (probe.host.clone(), probe.address, probe.service);
            Some(async move {
                // Servers delay their answer to a failed login (Dovecot by 2 s, others longer):
                // the login gets its own allowance on top of the probe timeout.
                let timeout = self.options.timeout + LOGIN_ALLOWANCE;
                let task = plan::ProbeTask {
                    address,
                    service,
                    names: vec![host.clone()],
                };
                let result = probe::engine::errand(
                    &task,
                    &self.trust,
                    &self.gate,
                    timeout,
                    probe::engine::Errand::Login(creds),
                    self.options.transcripts,
                )
                .await;
                LoginCheck {
                    protocol: service.protocol,
                    host,
                    address,
                    port: service.port,
                    security: service.security,
                    outcome: result.login.unwrap_or(LoginOutcome::NotAttempted(
                        probe::login::LoginRefusal::NoWorkingSetting,
                    )),
                    transcript: result.transcript,
                }
            })
        });
        futures::future::join_all(attempts).await
    }
}
