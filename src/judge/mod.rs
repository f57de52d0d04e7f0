//! Judgement: verdicts per probe and per setting, findings, the recommended settings and the
//! exit status. Pure functions over the evidence gathered before; nothing here does I/O or
//! writes a sentence. What is decided lives in [`policy`].

pub mod authority;
pub mod delivery;
pub mod domain;
pub mod findings;
pub mod greeting;
mod inference;
pub mod limits;
pub mod policy;
mod problems;
pub mod published;
pub mod recommend;
pub mod refusals;
pub mod sending;
pub mod software;
pub mod status;
pub mod token;
pub mod verdict;

use std::net::IpAddr;

use crate::discover::Discovery;
use crate::input::Target;
use crate::plan::{ResolvedCandidate, Source};
use crate::probe::{Failure, ProbeResult};
use crate::provider::Identification;
use crate::service::Service;
use findings::{Code, Finding};

pub use recommend::{ClientSecurity, ProviderCheck, Recommendation, Recommended, Username};
pub use status::{Alert, ExpiryLimits, NoMailbox, Status};
pub use verdict::{judge, Judged, Judgement, Verdict};

/// One host name on one service, over all its addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingStatus {
    pub host: String,
    pub service: Service,
    pub verdict: Verdict,
    /// Warnings of the best address.
    pub warnings: Vec<Code>,
    pub working_addresses: Vec<IpAddr>,
    pub failing_addresses: Vec<IpAddr>,
    pub source: Source,
    /// The failure of the first failing address, when none works.
    pub cause: Option<Failure>,
}

/// Each `--login` check that was not accepted is a finding: the answer to the question the user
/// asked, never only a line under the settings.
pub fn login_findings<'a>(
    checks: impl IntoIterator<Item = (Service, &'a str, &'a crate::probe::login::LoginOutcome)>,
    provider: Option<&str>,
) -> Vec<Finding> {
    checks
        .into_iter()
        .filter(|(_, _, o)| !matches!(o, crate::probe::login::LoginOutcome::Accepted { .. }))
        .map(|(service, host, outcome)| {
            Finding::new(findings::Fact::Recommend(
                findings::RecommendFact::LoginNotAccepted {
                    service,
                    host: host.to_string(),
                    outcome: outcome.clone(),
                    decoded: refusals::decode_outcome(service.protocol, provider, outcome),
                },
            ))
            .at(host, Some(service.port))
        })
        .collect()
}

impl SettingStatus {
    /// Whether any of its probes was made (answered or failed) rather than left out by a limit
    /// of the run (budget, deadline, a busy address, this machine). An address that cannot be
    /// a server at all counts as probed: that setting is broken, whatever the limits.
    pub fn was_probed(&self) -> bool {
        use crate::probe::{FailureKind, Skip};
        let left_out = matches!(
            self.cause.as_ref().map(|c| &c.kind),
            Some(FailureKind::Local(_))
        ) || matches!(self.skip(), Some(s) if !matches!(s, Skip::Address(_)));
        !self.working_addresses.is_empty() || !self.failing_addresses.is_empty() || !left_out
    }

    /// The run's limit that left its probes out, when one did.
    pub fn skip(&self) -> Option<crate::probe::Skip> {
        match &self.cause {
            Some(Failure {
                kind: crate::probe::FailureKind::Skipped(why),
                ..
            }) => Some(*why),
            _ => None,
        }
    }
}

/// Everything the judgement concluded.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    pub settings: Vec<SettingStatus>,
    pub recommended: Recommended,
    pub provider_checks: Vec<ProviderCheck>,
    /// Each setting clients are told, and what the probes said of it.
    pub published_checks: Vec<published::PublishedCheck>,
    pub findings: Vec<Finding>,
}

impl Diagnosis {
    /// What the refusal of the login to `host:port` over `protocol` means, when the finding
    /// about it decoded one: the one answer the card and the JSON both show.
    pub fn login_refusal(
        &self,
        protocol: crate::service::Protocol,
        host: &str,
        port: u16,
    ) -> Option<refusals::Decoded> {
        self.findings.iter().find_map(|f| match &f.fact {
            findings::Fact::Recommend(findings::RecommendFact::LoginNotAccepted {
                service,
                host: h,
                decoded,
                ..
            }) if h == host && service.port == port && service.protocol == protocol => *decoded,
            _ => None,
        })
    }
}

/// What the judgement works from.
pub struct Evidence<'a> {
    pub target: &'a Target,
    pub discovery: &'a Discovery,
    pub identification: &'a Identification,
    pub candidates: &'a [ResolvedCandidate],
    pub probes: &'a [ProbeResult],
    /// The services that were asked for (`--ports`, `--service`).
    pub services: &'a [Service],
    /// Caps the plan met.
    pub caps: &'a [crate::plan::CapHit],
    /// The login name given with `--user`, if any.
    pub username: Option<&'a str>,
    /// What the zone's own name servers answered.
    pub authority: Option<
        &'a Result<crate::discover::authority::Authority, crate::discover::authority::NotAsked>,
    >,
    /// What senders check (MTA-STS, DANE, SPF, DMARC), when it was gathered.
    pub delivery: Option<&'a crate::delivery::Delivery>,
    /// What mail clients are told, when it was fetched.
    pub published: Option<&'a crate::published::Published>,
    /// Reverse DNS of the servers that send, when it was looked up.
    pub sending: Option<&'a crate::sending::Sending>,
    /// False with `--no-probe`: only DNS findings are made.
    pub probed: bool,
}

/// The judgement of each probe (in the probes' order, for [`Judged::pair`]) and the diagnosis.
pub fn diagnose(ev: &Evidence<'_>) -> (Vec<Judgement>, Diagnosis) {
    let mut findings = domain::findings(ev.target, ev.discovery, ev.identification);
    let judgements: Vec<Judgement> = ev
        .probes
        .iter()
        .map(|p| judge(p, context(ev, &p.host)))
        .collect();
    if let Some(a) = ev.authority {
        let probed = authority::Probed {
            probes: ev.probes,
            judgements: &judgements,
            candidates: ev.candidates,
        };
        findings.extend(authority::findings(a, ev.discovery, probed));
    }
    let settings = settings(ev, &judgements);
    let mut published_checks = Vec::new();
    let (recommended, provider_checks) = if ev.probed {
        findings.extend(inference::findings(ev));
        findings.extend(problems::findings(ev, &judgements, &settings));
        let username = Username::for_target(ev.target, ev.username);
        // A domain that receives no mail (null MX) has no settings to recommend, whatever
        // answers on the names mailprobe tried.
        let receives_mail = policy::receives_mail(ev.discovery);
        let recommended = if receives_mail {
            let login = |s: &SettingStatus| {
                username.in_form(recommend::provider_form(
                    ev.identification,
                    &s.host,
                    &s.service,
                ))
            };
            recommend::recommend(&login, &settings)
        } else {
            recommend::Recommended::default()
        };
        let checks = recommend::provider_checks(ev.identification, &settings);
        if receives_mail {
            findings.extend(recommend::findings(&recommended, &checks, &settings));
            findings.extend(limits::findings(&recommended, ev.probes));
        }
        if let Some(d) = ev.delivery {
            let mx_hosts: Vec<String> = ev
                .discovery
                .mx
                .iter()
                .filter(|m| !m.is_null())
                .map(|m| m.exchange.clone())
                .collect();
            findings.extend(delivery::findings(
                d,
                &ev.target.domain.ascii,
                &mx_hosts,
                ev.probes,
                &recommended,
                ev.identification,
            ));
        }
        if let Some(s) = ev.sending {
            findings.extend(sending::findings(s));
            if let Some(d) = ev.delivery {
                findings.extend(sending::received_spf(d, s, &ev.target.domain.ascii));
            }
        }
        if let Some(p) = ev.published.filter(|_| receives_mail) {
            published_checks = published::checks(p, &settings, ev.candidates);
            findings.extend(published::findings(
                p,
                &published_checks,
                &settings,
                &recommended,
                ev.identification
                    .provider
                    .as_ref()
                    .is_some_and(|p| p.kind == crate::provider::ProviderKind::Mailbox),
            ));
        }
        (recommended, checks)
    } else {
        (Recommended::default(), Vec::new())
    };
    findings.sort_by_key(|f| f.severity);
    let diagnosis = Diagnosis {
        settings,
        recommended,
        provider_checks,
        published_checks,
        findings,
    };
    (judgements, diagnosis)
}

fn context(ev: &Evidence<'_>, host: &str) -> verdict::Context {
    verdict::Context {
        provider_host: ev.identification.is_providers_own_host(host),
    }
}

/// Aggregates probes per (host, service): the best address decides, failing ones are kept.
fn settings(ev: &Evidence<'_>, judgements: &[Judgement]) -> Vec<SettingStatus> {
    let mut out: Vec<SettingStatus> = Vec::new();
    for (p, j) in ev.probes.iter().zip(judgements) {
        let source = ev
            .candidates
            .iter()
            .find(|c| c.candidate.name == p.host)
            .map(|c| c.candidate.source_for(&p.service))
            .unwrap_or(Source::CertificateName);
        let i = match out
            .iter()
            .position(|s| s.host == p.host && s.service == p.service)
        {
            Some(i) => i,
            None => {
                out.push(SettingStatus {
                    host: p.host.clone(),
                    service: p.service,
                    verdict: Verdict::Fails,
                    warnings: Vec::new(),
                    working_addresses: Vec::new(),
                    failing_addresses: Vec::new(),
                    source,
                    cause: None,
                });
                out.len() - 1
            }
        };
        let s = &mut out[i];
        // A probe this machine could not make (no descriptor, skipped) says nothing about the
        // address: it is neither failing nor working.
        if !p.was_made() {
            if s.cause.is_none() {
                s.cause = j.cause.clone();
            }
        } else if j.verdict == Verdict::Fails {
            s.failing_addresses.push(p.address);
            if s.cause.is_none() {
                s.cause = j.cause.clone();
            }
        } else {
            s.working_addresses.push(p.address);
        }
        let better = j.verdict < s.verdict
            || (j.verdict == s.verdict && j.warnings.len() < s.warnings.len());
        if better {
            s.verdict = j.verdict;
            s.warnings = j.warnings.clone();
        }
    }
    for s in &mut out {
        if s.verdict != Verdict::Fails {
            s.cause = None;
        }
    }
    out
}
