//! The fleet's human output: a summary table (one domain per line), the changes since the
//! compared run, and what was refused or not run.

use std::io::{self, Write};

use crate::fleet::compare::{Change, Setting};
use crate::fleet::input::BadLine;
use crate::fleet::Row;
use crate::judge::findings::Severity;
use crate::judge::Recommendation;
use crate::text::{escape_controls, truncate};
use crate::words;

/// The row's verdict with its mark, as the card and `-q` say it.
pub fn status(row: &Row) -> String {
    format!(
        "{} {}",
        words::status_mark(row.status),
        words::status(row.status)
    )
}

pub fn setting(r: Option<&Recommendation>) -> String {
    match r {
        Some(r) => format!(
            "{}:{} {}{}",
            r.host,
            r.port,
            words::client_security(r.client_security),
            if r.confirmed { "" } else { " (!)" }
        ),
        None => "—".into(),
    }
}

/// The provider, short: the table has no room for the self-hosted explanation.
pub fn provider(row: &Row) -> String {
    match &row.provider {
        Some((id, _)) if id == "self_hosted" => "self-hosted".into(),
        Some((_, name)) => truncate(name, 28),
        None => String::new(),
    }
}

pub fn most_important(row: &Row) -> String {
    match row.most_important {
        Some((severity, code)) => format!(
            "{} {}",
            match severity {
                Severity::Error => "✘",
                Severity::Warning => "!",
                Severity::Info => "i",
            },
            crate::report::names::code(code)
        ),
        None => String::new(),
    }
}

/// The table, columns sized to their content and the whole fitted to `width`: the widest
/// columns give way first, their cells shortened with "…", so a line never wraps.
pub fn table(rows: &[Row], width: usize, out: &mut dyn Write) -> io::Result<()> {
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                status(r),
                r.domain.clone(),
                setting(r.incoming.as_ref()),
                setting(r.outgoing.as_ref()),
                provider(r),
                most_important(r),
            ]
        })
        .map(|c| c.map(|s| escape_controls(&s)))
        .collect();
    let header = [
        "STATUS", "DOMAIN", "INCOMING", "OUTGOING", "PROVIDER", "FINDING",
    ];
    let mut widths = header.map(|h| h.chars().count());
    for c in &cells {
        for (w, s) in widths.iter_mut().zip(c) {
            *w = (*w).max(s.chars().count());
        }
    }
    fit_columns(&mut widths, width);
    let line = |c: &[String]| {
        c.iter()
            .zip(widths)
            .map(|(s, w)| format!("{:<w$}", truncate(s, w)))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    writeln!(out, "{}", line(&header.map(str::to_string)))?;
    for c in &cells {
        writeln!(out, "{}", line(c))?;
    }
    Ok(())
}

/// Narrows the widest column, one character at a time, until the columns and their two-space
/// gaps fit `width`. The status and the domain are never shortened, no column goes below 8
/// characters: a very narrow terminal wraps instead.
fn fit_columns(widths: &mut [usize], width: usize) {
    let total = |w: &[usize]| w.iter().sum::<usize>() + 2 * w.len().saturating_sub(1);
    while total(widths) > width {
        let shrinkable = widths.iter_mut().skip(2).filter(|w| **w > 8);
        let Some(widest) = shrinkable.max_by_key(|w| **w) else {
            break;
        };
        *widest -= 1;
    }
}

fn setting_text(s: &Setting) -> String {
    format!("{}:{} ({})", s.host, s.port, s.security)
}

/// One change in words.
pub fn change(c: &Change) -> String {
    let direction = |incoming: bool| if incoming { "incoming" } else { "outgoing" };
    match c {
        Change::StoppedWorking { incoming, was } => format!(
            "the {} setting {} worked and no longer does",
            direction(*incoming),
            setting_text(was)
        ),
        Change::SettingMoved { incoming, was, now } => format!(
            "the {} setting moved from {} to {}",
            direction(*incoming),
            setting_text(was),
            setting_text(now)
        ),
        Change::MxChanged { was, now } => {
            format!("MX changed from {} to {}", was.join(", "), now.join(", "))
        }
        Change::ProviderChanged { was, now } => format!(
            "provider changed from {} to {}",
            was.as_deref().unwrap_or("none"),
            now.as_deref().unwrap_or("none")
        ),
        Change::CertificateExpiring { host, days_left } if *days_left < 0 => {
            format!("the certificate of {host} expired {} days ago", -days_left)
        }
        Change::CertificateExpiring { host, days_left } => {
            format!("the certificate of {host} expires in {days_left} days")
        }
        Change::CertificateStillExpiring { host, days_left } if *days_left < 0 => {
            format!("the certificate of {host} is still expired ({} days ago)", -days_left)
        }
        Change::CertificateStillExpiring { host, days_left } => {
            format!("the certificate of {host} still expires in {days_left} days")
        }
        Change::NewError { code } => format!("new error: {code}"),
        Change::MtaStsPolicyChangedSameId { id } => format!(
            "the MTA-STS policy changed but its id ({id}) did not: senders keep the old policy until it expires; change the id in the _mta-sts record"
        ),
        Change::MtaStsIdChangedSamePolicy { was, now } => {
            format!("the MTA-STS id changed ({was} → {now}) with the same policy: harmless")
        }
        Change::NowWorking { incoming, now } => format!(
            "the {} setting {} works now",
            direction(*incoming),
            setting_text(now)
        ),
        Change::ErrorGone { code } => format!("error gone: {code}"),
    }
}

/// The changes per domain, regressions first.
pub fn changes(per_domain: &[(String, Vec<Change>)], out: &mut dyn Write) -> io::Result<()> {
    let changed: Vec<&(String, Vec<Change>)> =
        per_domain.iter().filter(|(_, c)| !c.is_empty()).collect();
    if changed.is_empty() {
        return writeln!(out, "\nSince the compared run: no changes");
    }
    writeln!(out, "\nSince the compared run")?;
    for (domain, list) in changed {
        writeln!(out, "  {}", escape_controls(domain))?;
        let (worse, better): (Vec<&Change>, Vec<&Change>) =
            list.iter().partition(|c| c.is_regression());
        for c in worse {
            writeln!(out, "    ✘ {}", escape_controls(&change(c)))?;
        }
        for c in better {
            writeln!(out, "    ✔ {}", escape_controls(&change(c)))?;
        }
    }
    Ok(())
}

/// Refused input lines, one per line: `line 5: 'text': why`.
pub fn bad_line(b: &BadLine) -> String {
    match b.line {
        Some(n) => format!("line {n}: '{}': {}", b.text, b.error),
        None => format!("'{}': {}", b.text, b.error),
    }
}

/// How many domains got each verdict, in the order of the model ("3 works, 1 nothing works").
pub fn status_counts(rows: &[Row]) -> String {
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    let mut statuses: Vec<crate::judge::Status> = rows.iter().map(|r| r.status).collect();
    statuses.sort_by_key(|s| crate::judge::policy::exit_code(*s));
    for s in statuses {
        let word = words::status(s);
        match counts.iter_mut().find(|(w, _)| *w == word) {
            Some((_, n)) => *n += 1,
            None => counts.push((word, 1)),
        }
    }
    counts
        .iter()
        .map(|(w, n)| format!("{n} {w}"))
        .collect::<Vec<_>>()
        .join(", ")
}
