//! `--prometheus FILE`: the Prometheus text exposition format, for node_exporter's textfile
//! collector. Labels hold only names, numbers and the fixed vocabularies of the JSON (codes,
//! statuses), never free text; values are escaped as the format says.

use std::fmt::Write as _;

use crate::judge::policy;
use crate::report::monitoring::{Direction, Monitoring};
use crate::report::names;

/// The metric families, in the order they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    Status,
    Success,
    Alert,
    ExitCode,
    LastRun,
    Duration,
    SettingUp,
    SettingDuration,
    CertificateExpiry,
    Findings,
}

impl Family {
    const ALL: [Family; 10] = [
        Family::Status,
        Family::Success,
        Family::Alert,
        Family::ExitCode,
        Family::LastRun,
        Family::Duration,
        Family::SettingUp,
        Family::SettingDuration,
        Family::CertificateExpiry,
        Family::Findings,
    ];

    fn name(self) -> &'static str {
        match self {
            Family::Status => "mailprobe_status",
            Family::Success => "mailprobe_success",
            Family::Alert => "mailprobe_alert",
            Family::ExitCode => "mailprobe_exit_code",
            Family::LastRun => "mailprobe_last_run_timestamp_seconds",
            Family::Duration => "mailprobe_probe_duration_seconds",
            Family::SettingUp => "mailprobe_setting_up",
            Family::SettingDuration => "mailprobe_setting_duration_seconds",
            Family::CertificateExpiry => "mailprobe_certificate_expiry_timestamp_seconds",
            Family::Findings => "mailprobe_findings",
        }
    }

    fn help(self) -> &'static str {
        match self {
            Family::Status => "The run's verdict: 1 for the status label that applies (works, works_with_warnings, refused, nothing_works, dns_failed, not_applicable, discovered).",
            Family::Success => "1 when the verdict is works (exit status 0), else 0.",
            Family::Alert => "The monitoring-plugins state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
            Family::ExitCode => "mailprobe's exit status for this domain.",
            Family::LastRun => "When the run started, in Unix seconds.",
            Family::Duration => "How long the run for this domain took.",
            Family::SettingUp => "1 when the setting answers (with or without warnings), 0 when it fails.",
            Family::SettingDuration => "How long the probe of the setting's best address took (connect, TLS, dialogue).",
            Family::CertificateExpiry => "When the certificate of a setting that answers expires, in Unix seconds.",
            Family::Findings => "How many findings of this severity and code the run made.",
        }
    }
}

/// One sample: a family, its labels and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub family: Family,
    pub labels: Vec<(&'static str, String)>,
    pub value: f64,
}

/// The samples of one run.
pub fn samples(m: &Monitoring<'_>) -> Vec<Sample> {
    let domain = || ("domain", m.domain.to_string());
    let one = |family, value: f64| Sample {
        family,
        labels: vec![domain()],
        value,
    };
    let mut out = vec![
        Sample {
            family: Family::Status,
            labels: vec![domain(), ("status", names::status(m.status).to_string())],
            value: 1.0,
        },
        one(
            Family::Success,
            f64::from(u8::from(m.exit_code == crate::exits::OK)),
        ),
        one(Family::Alert, f64::from(policy::alert_exit(m.alert))),
        one(Family::ExitCode, f64::from(m.exit_code)),
        one(Family::LastRun, m.started_unix as f64),
        one(Family::Duration, m.elapsed_seconds),
    ];
    for s in &m.settings {
        let labels = vec![
            domain(),
            ("direction", direction(s.direction).to_string()),
            ("protocol", names::protocol(s.protocol).to_string()),
            ("host", s.host.clone()),
            ("port", s.port.to_string()),
            ("security", names::security(s.security).to_string()),
        ];
        if let Some(seconds) = s.seconds.filter(|_| s.up) {
            out.push(Sample {
                family: Family::SettingDuration,
                labels: labels.clone(),
                value: seconds,
            });
        }
        out.push(Sample {
            family: Family::SettingUp,
            labels,
            value: f64::from(u8::from(s.up)),
        });
        if let Some((_, not_after)) = s.certificate.filter(|_| s.up) {
            out.push(Sample {
                family: Family::CertificateExpiry,
                labels: vec![
                    domain(),
                    ("host", s.host.clone()),
                    ("port", s.port.to_string()),
                ],
                value: not_after as f64,
            });
        }
    }
    for (severity, code, n) in &m.findings {
        out.push(Sample {
            family: Family::Findings,
            labels: vec![
                domain(),
                ("severity", names::severity(*severity).to_string()),
                ("code", names::code(*code).to_string()),
            ],
            value: *n as f64,
        });
    }
    out
}

/// The exposition text of many runs' samples: each family once, with its HELP and TYPE, and
/// a series that repeats (two names on one address and port) written once.
pub fn render(samples: &[Sample]) -> String {
    let mut text = String::new();
    for family in Family::ALL {
        let mut written: Vec<&Vec<(&'static str, String)>> = Vec::new();
        let of_family = samples.iter().filter(|s| s.family == family);
        for (i, s) in of_family.enumerate() {
            if i == 0 {
                let _ = writeln!(text, "# HELP {} {}", family.name(), family.help());
                let _ = writeln!(text, "# TYPE {} gauge", family.name());
            }
            if written.contains(&&s.labels) {
                continue;
            }
            written.push(&s.labels);
            let labels: Vec<String> = s
                .labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
                .collect();
            let _ = writeln!(
                text,
                "{}{{{}}} {}",
                family.name(),
                labels.join(","),
                number(s.value)
            );
        }
    }
    text
}

fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Incoming => "incoming",
        Direction::Outgoing => "outgoing",
        Direction::Server => "server",
    }
}

/// A label value as the exposition format escapes it: backslash, double quote and line feed.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Whole numbers without a fraction; others with what they need.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
