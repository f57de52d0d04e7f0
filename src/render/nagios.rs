//! `--nagios`: the monitoring-plugins output (Nagios, Icinga, Checkmk, Naemon): one status line
//! with performance data, then the long output, one finding a line. The exit status is the
//! plugin's (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), from `judge::policy::alert`.

use std::io::{self, Write};

use crate::judge::findings::Severity;
use crate::judge::Alert;
use crate::report::monitoring::{Direction, Monitoring, Reason};
use crate::text::escape_controls;
use crate::words;

pub fn render(m: &Monitoring<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "MAILPROBE {} - {} | {}",
        state(m.alert),
        plain(&summary(m)),
        perfdata(m).join(" ")
    )?;
    for f in m.all_findings {
        let mark = match f.severity {
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
            Severity::Info => "INFO",
        };
        writeln!(
            out,
            "{mark} {}: {}",
            crate::report::names::code(f.code),
            plain(&words::message(f))
        )?;
    }
    Ok(())
}

fn state(a: Alert) -> &'static str {
    match a {
        Alert::Ok => "OK",
        Alert::Warning => "WARNING",
        Alert::Critical => "CRITICAL",
        Alert::Unknown => "UNKNOWN",
    }
}

/// The status line's text: the verdict and the one reason for it.
fn summary(m: &Monitoring<'_>) -> String {
    let verdict = words::status(m.status);
    match &m.reason {
        Reason::Verdict(Some(f)) => format!("{}: {verdict}: {}", m.domain, words::message(f)),
        Reason::Verdict(None) => format!(
            "{}: {verdict} ({} incoming and {} outgoing settings answer)",
            m.domain,
            m.working(Direction::Incoming),
            m.working(Direction::Outgoing)
        ),
        Reason::Expiry {
            host,
            port,
            days_left,
        } if *days_left < 0 => format!(
            "{}: the certificate of {host}:{port} expired {} days ago",
            m.domain, -days_left
        ),
        Reason::Expiry {
            host,
            port,
            days_left,
        } => format!(
            "{}: the certificate of {host}:{port} expires in {days_left} days",
            m.domain
        ),
    }
}

/// Performance data per the monitoring-plugins guidelines: `'label'=value[UOM];warn;crit;min;max`.
fn perfdata(m: &Monitoring<'_>) -> Vec<String> {
    let mut out = vec![
        format!("'incoming_working'={};;;0", m.working(Direction::Incoming)),
        format!("'outgoing_working'={};;;0", m.working(Direction::Outgoing)),
        format!("'run_time'={:.3}s;;;0", m.elapsed_seconds),
    ];
    for s in &m.settings {
        let at = format!("{} {}:{}", s.protocol.name().to_lowercase(), s.host, s.port);
        if let Some(seconds) = s.seconds.filter(|_| s.up) {
            out.push(format!("'{} time'={seconds:.3}s;;;0", label(&at)));
        }
        if let Some((days, _)) = s.certificate.filter(|_| s.up) {
            // A range "N:" alerts below N: the limits alert at N days or fewer.
            out.push(format!(
                "'{} certificate_days'={days};{}:;{}:",
                label(&at),
                m.limits.warning_days + 1,
                m.limits.critical_days + 1
            ));
        }
    }
    out
}

/// A label holds no quote, equals sign or pipe (they end the label or the performance data):
/// anything but letters, digits and `.:_- ` becomes `_`.
fn label(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".:_- ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Text for the plugin output: control characters escaped, and no `|`, which would start the
/// performance data.
fn plain(text: &str) -> String {
    escape_controls(text).replace('|', "/")
}
