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
    /// The settings worth watching: the best of each service that works (the card's), and every
    /// setting someone stated (MX, SRV, published, the provider's, `--host`), working or not.
    pub settings: Vec<SettingMetric>,
    /// How many services (protocol, port, security) answer for incoming and outgoing mail.
    pub working: [usize; 2],
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
        let probed: Vec<&SettingStatus> = run
            .diagnosis
            .settings
            .iter()
            .filter(|s| s.was_probed())
            .collect();
        let all: Vec<SettingMetric> = probed.iter().map(|s| setting(run, s)).collect();
        let working = [Direction::Incoming, Direction::Outgoing].map(|d| services_up(&all, d));
        let watched = watched(run);
        let settings: Vec<SettingMetric> = probed
            .iter()
            .zip(all)
            .filter(|(s, _)| {
                !policy::guessed(s.source) || watched.contains(&(s.host.as_str(), s.service.port))
            })
            .map(|(_, m)| m)
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
            working,
            findings: counts(&run.diagnosis.findings),
            all_findings: &run.diagnosis.findings,
            elapsed_seconds: run.elapsed_ms as f64 / 1000.0,
            started_unix: run.started_unix,
            exit_code: run.exit_code,
        }
    }

    /// How many services of a direction answer.
    pub fn working(&self, direction: Direction) -> usize {
        match direction {
            Direction::Incoming => self.working[0],
            Direction::Outgoing => self.working[1],
            Direction::Server => 0,
        }
    }
}

/// The distinct services (protocol, port, security) of a direction that answer on some name.
fn services_up(all: &[SettingMetric], direction: Direction) -> usize {
    let mut services: Vec<(Protocol, u16, Security)> = all
        .iter()
        .filter(|s| s.direction == direction && s.up)
        .map(|s| (s.protocol, s.port, s.security))
        .collect();
    services.sort_by_key(|(p, port, s)| (p.name(), *port, *s as u8));
    services.dedup();
    services.len()
}

/// The best working setting of each service, as the card gives them: (host, port).
fn watched(run: &Run) -> Vec<(&str, u16)> {
    let rec = &run.diagnosis.recommended;
    let mut out: Vec<(&str, u16)> = Vec::new();
    let mut services = Vec::new();
    for r in rec
        .incoming
        .iter()
        .chain(&rec.outgoing)
        .chain(&rec.server_to_server)
    {
        let service = (r.protocol, r.port, r.security);
        if !services.contains(&service) {
            services.push(service);
            out.push((r.host.as_str(), r.port));
        }
    }
    out
}

fn setting(run: &Run, s: &SettingStatus) -> SettingMetric {
    let best = run
        .judged
        .iter()
        .map(crate::judge::Judged::parts)
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
