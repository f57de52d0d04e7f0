//! The settings card: what to type into the mail client, marked confirmed or not.

use std::io::{self, Write};

use colored::Colorize;

use crate::judge::Recommendation;
use crate::probe::login::LoginOutcome;
use crate::text::escape_controls as safe;
use crate::Run;

/// The card alone (`--card`), for handing to a client.
pub fn render(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "Mail settings for {}", safe(&run.target.input))?;
    settings(run, out)
}

pub fn settings(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let rec = &run.diagnosis.recommended;
    writeln!(out, "\n{}", "Settings".bold().underline())?;
    line(out, "Incoming", rec.incoming.first())?;
    // Port 25 is server-to-server: offer it to a client only when nothing else works.
    let outgoing = rec.best_client_outgoing().or(rec.outgoing.first());
    line(out, "Outgoing", outgoing)?;
    let username = rec
        .incoming
        .first()
        .or(outgoing)
        .map(|r| r.username.clone())
        .or_else(|| run.target.address.clone());
    if let Some(u) = username {
        writeln!(out, "  Username  {}", safe(&u))?;
    }
    writeln!(
        out,
        "  Password  the mailbox password (never shown by mailprobe)"
    )?;
    login_lines(run, out)?;
    if outgoing.is_some() {
        writeln!(out, "  SMTP auth required: same username and password")?;
    }
    if let Some(p) = &run.identification.provider {
        if let Some(w) = &p.webmail {
            writeln!(out, "  Webmail   {w}")?;
        }
        if !run.diagnosis.provider_checks.is_empty() {
            writeln!(out, "  {} publishes:", safe(&p.name))?;
            for c in &run.diagnosis.provider_checks {
                let s = &c.setting;
                let mark = if c.confirmed {
                    "✔ confirmed".green()
                } else {
                    "✘ not confirmed".red()
                };
                writeln!(
                    out,
                    "    {:<5} {}:{} {:<8} {mark}",
                    s.protocol.name(),
                    safe(&s.host),
                    s.port,
                    s.security.client_label()
                )?;
            }
        }
    }
    // Other confirmed ways in, one per protocol, port and security: not every name for each.
    let chosen = [rec.incoming.first(), outgoing];
    let mut alternatives: Vec<&Recommendation> = Vec::new();
    for r in rec
        .incoming
        .iter()
        .chain(&rec.outgoing)
        .filter(|r| r.confirmed)
    {
        let same = |a: &Recommendation| {
            (a.protocol, a.port, a.security) == (r.protocol, r.port, r.security)
        };
        if chosen.iter().flatten().any(|c| same(c)) || alternatives.iter().any(|a| same(a)) {
            continue;
        }
        alternatives.push(r);
    }
    if !alternatives.is_empty() {
        writeln!(out, "  Also confirmed:")?;
        for r in alternatives {
            writeln!(
                out,
                "    {:<5} {}:{} {}",
                r.protocol.name(),
                safe(&r.host),
                r.port,
                r.security_label
            )?;
        }
    }
    Ok(())
}

fn login_lines(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let Some(checks) = &run.login else {
        return Ok(());
    };
    if checks.is_empty() {
        writeln!(
            out,
            "  Login     {}",
            "not checked: no working setting".red()
        )?;
    }
    for c in checks {
        let what = format!("{} {}:{}", c.protocol.name(), safe(&c.host), c.port);
        let verdict = match &c.outcome {
            LoginOutcome::Accepted { mechanism } => format!("✔ accepted ({mechanism})").green(),
            LoginOutcome::Rejected { mechanism, reply } => {
                format!("✘ rejected ({mechanism}): {}", safe(reply)).red()
            }
            LoginOutcome::NotAttempted { reason } => {
                format!("not attempted: {}", safe(reason)).yellow()
            }
            LoginOutcome::Failed { reason } => format!("✘ failed: {}", safe(reason)).red(),
        };
        writeln!(out, "  Login     {what}  {verdict}")?;
    }
    Ok(())
}

fn line(out: &mut dyn Write, label: &str, r: Option<&Recommendation>) -> io::Result<()> {
    match r {
        Some(r) => {
            let mark = if r.confirmed {
                "✔ confirmed".green()
            } else {
                "! works with warnings".yellow()
            };
            writeln!(
                out,
                "  {label}  {:<5} {}  port {}  {:<8}  {mark}",
                r.protocol.name(),
                safe(&r.host).bold(),
                r.port,
                r.security_label
            )
        }
        None => writeln!(out, "  {label}  {}", "none works from here".red()),
    }
}
