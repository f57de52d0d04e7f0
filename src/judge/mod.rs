//! Diagnosis: verdicts per probe and per setting, findings, the recommended settings and the
//! exit status. Pure functions over the data gathered before; nothing here does I/O.

pub mod domain;
pub mod findings;
mod probes;
pub mod recommend;
pub mod verdict;

use std::net::IpAddr;

use serde::Serialize;

use crate::discover::{Discovery, MxStatus};
use crate::exits;
use crate::input::Target;
use crate::judge::findings::{Finding, Severity};
use crate::plan::{ResolvedCandidate, Source};
use crate::probe::ProbeResult;
use crate::provider::Identification;
use crate::service::Service;

pub use recommend::{ProviderCheck, Recommendation, Recommended};
pub use verdict::{judge, Judgement, Verdict};

/// One host name on one service, over all its addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingStatus {
    pub host: String,
    pub service: Service,
    pub verdict: Verdict,
    /// Warnings of the best address.
    pub warnings: Vec<crate::judge::findings::Code>,
    pub working_addresses: Vec<IpAddr>,
    pub failing_addresses: Vec<IpAddr>,
    pub source: Source,
    /// The reason of the first failing address, when none works.
    pub reason: Option<String>,
}

/// Everything the diagnosis concluded.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    /// One judgement per probe, in probe order.
    pub judgements: Vec<Judgement>,
    pub settings: Vec<SettingStatus>,
    pub recommended: Recommended,
    pub provider_checks: Vec<ProviderCheck>,
    pub findings: Vec<Finding>,
}

/// What the diagnosis works from.
pub struct Evidence<'a> {
    pub target: &'a Target,
    pub discovery: &'a Discovery,
    pub identification: &'a Identification,
    pub candidates: &'a [ResolvedCandidate],
    pub probes: &'a [ProbeResult],
    /// False with `--no-probe`: only DNS findings are made.
    pub probed: bool,
}

pub fn diagnose(ev: &Evidence<'_>) -> Diagnosis {
    let mut findings = domain::findings(ev.target, ev.discovery, ev.identification);
    let judgements: Vec<Judgement> = ev.probes.iter().map(judge).collect();
    let settings = settings(ev, &judgements);
    let (recommended, provider_checks) = if ev.probed {
        findings.extend(probes::findings(ev, &judgements, &settings));
        let recommended = recommend::recommend(ev.target, &settings);
        let checks = recommend::provider_checks(ev.identification, &settings);
        findings.extend(recommend::findings(&recommended, &checks, &settings));
        (recommended, checks)
    } else {
        (Recommended::default(), Vec::new())
    };
    findings.sort_by_key(|f| f.severity);
    Diagnosis {
        judgements,
        settings,
        recommended,
        provider_checks,
        findings,
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
                    reason: None,
                });
                out.len() - 1
            }
        };
        let s = &mut out[i];
        if j.verdict == Verdict::Fails {
            s.failing_addresses.push(p.address);
            if s.reason.is_none() {
                s.reason = j.reason.clone();
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
            s.reason = None;
        }
    }
    out
}

/// The exit status the run ends with (see [`crate::exits`]).
pub fn exit_status(discovery: &Discovery, diagnosis: &Diagnosis, probed: bool) -> u8 {
    if discovery.mx_status == MxStatus::DnsError {
        return exits::NOTHING_WORKS;
    }
    if !probed {
        return exits::OK;
    }
    let any_usable = diagnosis
        .settings
        .iter()
        .any(|s| s.verdict != Verdict::Fails);
    if !any_usable {
        return exits::NOTHING_WORKS;
    }
    let confirmed = |list: &[Recommendation]| list.first().is_some_and(|r| r.confirmed);
    let errors = diagnosis
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error);
    if confirmed(&diagnosis.recommended.incoming)
        && confirmed(&diagnosis.recommended.outgoing)
        && !errors
    {
        exits::OK
    } else {
        exits::PROBLEMS
    }
}
