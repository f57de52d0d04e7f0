//! mailprobe: where does a domain's mail live, and which IMAP/POP3/SMTP settings work from here?
//!
//! The pipeline, one module per stage: [`input`] → [`discover`] (DNS, via [`net::dns`]) →
//! [`provider`] (with its [`provider::table`]) → [`plan`] → [`probe`] → [`judge`] →
//! [`render`]. Data flows forward: probing never prints, rendering never decides.

pub mod cli;
pub mod discover;
pub mod exits;
pub mod input;
pub mod judge;
pub mod net;
pub mod plan;
pub mod probe;
pub mod provider;
pub mod render;
pub mod report;
pub mod service;
pub mod text;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use discover::Discovery;
use input::Target;
use judge::{Diagnosis, Evidence, Verdict};
use net::dns::{Dns, DnsSettings};
use plan::{PlanOptions, ResolvedCandidate};
use probe::login::{Credentials, LoginOutcome};
use probe::{ProbeObserver, ProbeResult, ProbeSettings, Trust};
use provider::Identification;
use service::Service;

/// A validated request.
#[derive(Debug, Clone)]
pub struct Options {
    pub target: Target,
    /// Empty: the system's resolver configuration.
    pub dns_servers: Vec<SocketAddr>,
    pub timeout: Duration,
    /// False for DNS discovery only.
    pub probe: bool,
    pub services: Vec<Service>,
    pub extra_hosts: Vec<String>,
    pub ca_file: Option<PathBuf>,
    pub concurrency: usize,
    /// Credentials for the optional login check (`--login`).
    pub login: Option<Credentials>,
}

impl Options {
    /// Defaults for a target: system DNS, 5 s, all standard ports.
    pub fn new(target: Target) -> Self {
        Self {
            target,
            dns_servers: Vec::new(),
            timeout: Duration::from_secs(5),
            probe: true,
            services: service::STANDARD_SERVICES.to_vec(),
            extra_hosts: Vec::new(),
            ca_file: None,
            concurrency: 64,
            login: None,
        }
    }
}

/// Everything one run found and concluded.
#[derive(Debug, Clone)]
pub struct Run {
    pub target: Target,
    pub discovery: Discovery,
    pub identification: Identification,
    pub candidates: Vec<ResolvedCandidate>,
    pub probes: Vec<ProbeResult>,
    pub probed: bool,
    pub diagnosis: Diagnosis,
    /// Login checks, when `--login` asked for them: best incoming, then best outgoing.
    pub login: Option<Vec<LoginCheck>>,
    /// The login name of `--login`/`--user`, when given.
    pub login_user: Option<String>,
    pub exit_code: u8,
    pub elapsed_ms: u64,
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
}

/// Problems that stop a run before it starts.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Dns(#[from] net::dns::DnsSetupError),
    #[error(transparent)]
    Trust(#[from] probe::tls::TrustError),
}

/// Runs the whole pipeline.
pub async fn run(options: &Options, observer: &dyn ProbeObserver) -> Result<Run, SetupError> {
    let started = Instant::now();
    let trust = if options.probe {
        Some(Trust::new(options.ca_file.as_deref())?)
    } else {
        None
    };
    let dns = Dns::new(&DnsSettings {
        servers: options.dns_servers.clone(),
        timeout: options.timeout,
    })?;
    let target = &options.target;
    let discovery = discover::discover(&dns, &target.domain).await;
    let identification = provider::identify(&target.domain, &discovery);

    let (candidates, probes) = match &trust {
        Some(trust) => {
            probe_everything(options, &dns, &discovery, &identification, trust, observer).await
        }
        None => (Vec::new(), Vec::new()),
    };
    let username = options.login.as_ref().map(|c| c.username.as_str());
    let diagnosis = judge::diagnose(&Evidence {
        target,
        discovery: &discovery,
        identification: &identification,
        candidates: &candidates,
        probes: &probes,
        services: &options.services,
        username,
        probed: options.probe,
    });
    let login = match (&options.login, &trust) {
        (Some(creds), Some(trust)) => {
            Some(check_logins(&diagnosis, &probes, trust, options, creds).await)
        }
        _ => None,
    };
    let accepted: Option<Vec<bool>> = login.as_ref().map(|checks| {
        checks
            .iter()
            .map(|c| matches!(c.outcome, LoginOutcome::Accepted { .. }))
            .collect()
    });
    let exit_code =
        judge::policy::exit_status(&discovery, &diagnosis, options.probe, accepted.as_deref());
    Ok(Run {
        target: target.clone(),
        discovery,
        identification,
        candidates,
        probes,
        probed: options.probe,
        diagnosis,
        login,
        login_user: username.map(str::to_string),
        exit_code,
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}

async fn probe_everything(
    options: &Options,
    dns: &Dns,
    discovery: &Discovery,
    identification: &Identification,
    trust: &Trust,
    observer: &dyn ProbeObserver,
) -> (Vec<ResolvedCandidate>, Vec<ProbeResult>) {
    let plan_options = PlanOptions {
        services: options.services.clone(),
        extra_hosts: options.extra_hosts.clone(),
    };
    let settings = ProbeSettings {
        timeout: options.timeout,
        concurrency: options.concurrency,
    };
    let names = plan::candidates(&options.target, discovery, identification, &plan_options);
    let mut candidates = plan::resolve(dns, discovery, names).await;
    let tasks = plan::tasks(&candidates);
    let mut probes = probe::run_probes(&tasks, trust, &settings, observer).await;

    // Second round: names the certificates are valid for, when they did not cover ours.
    let alternatives = plan::certificate_candidates(&probes, &candidates, identification);
    if !alternatives.is_empty() {
        let resolved = plan::resolve(dns, discovery, alternatives).await;
        let tasks = plan::tasks(&resolved);
        probes.extend(probe::run_probes(&tasks, trust, &settings, observer).await);
        candidates.extend(resolved);
    }
    (candidates, probes)
}

/// Extra time for a login check, since servers slow down failed logins on purpose.
pub const LOGIN_ALLOWANCE: Duration = Duration::from_secs(10);

/// One login on each chosen setting (incoming and outgoing): never more, so that a wrong
/// password cannot get the user's address banned. It goes to an address where that setting
/// worked, a cleanly working one first: never to an untrusted address when a trusted one exists.
async fn check_logins(
    diagnosis: &Diagnosis,
    probes: &[ProbeResult],
    trust: &Trust,
    options: &Options,
    creds: &Credentials,
) -> Vec<LoginCheck> {
    let chosen = judge::policy::chosen(&diagnosis.recommended);
    let attempts = chosen.into_iter().flatten().filter_map(|r| {
        let (probe, _) = probes
            .iter()
            .zip(&diagnosis.judgements)
            .filter(|(p, j)| p.host == r.host && p.port == r.port && j.verdict != Verdict::Fails)
            .min_by_key(|(_, j)| j.verdict)?;
        let (host, address, service) = (probe.host.clone(), probe.address, probe.service);
        Some(async move {
            // Servers delay their answer to a failed login (Dovecot by 2 s, others longer):
            // the login gets its own allowance on top of the probe timeout.
            let timeout = options.timeout + LOGIN_ALLOWANCE;
            let result =
                probe::session::probe(&host, address, service, trust, timeout, Some(creds)).await;
            LoginCheck {
                protocol: service.protocol,
                host,
                address,
                port: service.port,
                security: service.security,
                outcome: result.login.unwrap_or(LoginOutcome::NotAttempted(
                    probe::login::LoginRefusal::NoWorkingSetting,
                )),
            }
        })
    });
    futures::future::join_all(attempts).await
}
