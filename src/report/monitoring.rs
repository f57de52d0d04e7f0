//! What monitoring systems are given (`--nagios`, `--prometheus`): a view of a run built from
//! the engine's types, typed to the end; `render::nagios` and `render::prometheus` only write it.

use crate::judge::findings::{Code, Finding, Severity};
use crate::judge::policy;
use crate::judge::{Alert, ExpiryLimits, SettingStatus, Status, Verdict};
use crate::probe::CertInfo;
use crate::service::{Protocol, Security};
use crate::Run;

/// Which way mail goes through a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Incoming,
    Outgoing,
    /// Port 25: server-to-server delivery.
    Server,
}

/// One probed setting (a host name on one service, over all its addresses).
#[derive(Debug, Clone, PartialEq)]
pub struct SettingMetric {
    pub direction: Direction,
    pub protocol: Protocol,
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// It answers (with or without warnings).
    pub up: bool,
    /// The whole probe of its best address (connect, TLS, dialogue), in seconds.
    pub seconds: Option<f64>,
    /// Its certificate: whole days left (negative once expired) and the end in Unix seconds.
    pub certificate: Option<(i64, i64)>,
}

/// Why the alert is what it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason<'a> {
    /// The verdict, with the finding that says why (none when it works).
    Verdict(Option<&'a Finding>),
    /// A certificate of a setting that answers expires within the limits.
    Expiry {
        host: String,
        port: u16,
        days_left: i64,
    },
}

/// The run, for monitoring.
#[derive(Debug, Clone)]
pub struct Monitoring<'a> {
    pub domain: &'a str,
    pub status: Status,
    pub alert: Alert,
    pub reason: Reason<'a>,
    pub limits: ExpiryLimits,
    pub settings: Vec<SettingMetric>,
    /// How many findings of each severity and code.
    pub findings: Vec<(Severity, Code, usize)>,
    /// Every finding, most severe first (the long output).
    pub all_findings: &'a [Finding],
    pub elapsed_seconds: f64,
    pub started_unix: i64,
    pub exit_code: u8,
}

impl<'a> Monitoring<'a> {
    pub fn new(run: &'a Run, limits: ExpiryLimits) -> Self {
        let settings: Vec<SettingMetric> = run
            .diagnosis
            .settings
            .iter()
            .filter(|s| s.was_probed())
            .map(|s| setting(run, s))
            .collect();
        let verdict = policy::alert(run.status, run.discovery.mx_error.as_ref());
        let expiring = settings
            .iter()
            .filter(|s| s.up)
            .filter_map(|s| s.certificate.map(|(days, _)| (s, days)))
            .min_by_key(|(_, days)| *days);
        let expiry = expiring.map(|(s, days)| (policy::expiry_alert(days, limits), s, days));
        let (alert, reason) = match expiry {
            // A certificate about to expire outranks a verdict that is less grave (never an
            // UNKNOWN: that says the check itself failed).
            Some((a, s, days)) if a > verdict && verdict != Alert::Unknown => (
                a,
                Reason::Expiry {
                    host: s.host.clone(),
                    port: s.port,
                    days_left: days,
                },
            ),
            _ => (
                verdict,
                Reason::Verdict(policy::most_important(&run.diagnosis)),
            ),
        };
        Self {
            domain: &run.target.domain.ascii,
            status: run.status,
            alert,
            reason,
            limits,
            settings,
            findings: counts(&run.diagnosis.findings),
            all_findings: &run.diagnosis.findings,
            elapsed_seconds: run.elapsed_ms as f64 / 1000.0,
            started_unix: run.started_unix,
            exit_code: run.exit_code,
        }
    }

    /// How many settings of a direction answer.
    pub fn working(&self, direction: Direction) -> usize {
        self.settings
            .iter()
            .filter(|s| s.direction == direction && s.up)
            .count()
    }
}

fn setting(run: &Run, s: &SettingStatus) -> SettingMetric {
    let best = run
        .probes
        .iter()
        .zip(&run.diagnosis.judgements)
        .filter(|(p, _)| p.host == s.host && p.service == s.service && p.was_made())
        .min_by_key(|(_, j)| j.verdict)
        .map(|(p, _)| p);
    let certificate: Option<&CertInfo> = best
        .and_then(|p| p.tls.as_ref())
        .and_then(|t| t.certificate.as_ref());
    SettingMetric {
        direction: if !policy::client_may_use(&s.service) {
            Direction::Server
        } else if s.service.protocol.is_incoming() {
            Direction::Incoming
        } else {
            Direction::Outgoing
        },
        protocol: s.service.protocol,
        host: s.host.clone(),
        port: s.service.port,
        security: s.service.security,
        up: s.verdict != Verdict::Fails,
        seconds: best.map(|p| p.timings.total_ms as f64 / 1000.0),
        certificate: certificate.map(|c| (c.days_left, c.not_after_unix)),
    }
}

fn counts(findings: &[Finding]) -> Vec<(Severity, Code, usize)> {
    let mut out: Vec<(Severity, Code, usize)> = Vec::new();
    for f in findings {
        match out
            .iter_mut()
            .find(|(s, c, _)| (*s, *c) == (f.severity, f.code))
        {
            Some((_, _, n)) => *n += 1,
            None => out.push((f.severity, f.code, 1)),
        }
    }
    out
}
