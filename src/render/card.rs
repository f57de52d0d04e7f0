//! The settings card: what to type into the mail client. It goes to the client on its own, so it
//! carries the reasons with it: each setting's warnings under it, the login name actually used,
//! and, where there is no setting, why.

use std::io::{self, Write};

use colored::Colorize;

use crate::judge::policy::{self, Absence};
use crate::judge::{Recommendation, Username};
use crate::probe::CertInfo;
use crate::text::escape_controls as safe;
use crate::words;
use crate::Run;

/// `-q` at 80 columns.
pub fn quiet(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    quiet_with(run, 80, out)
}

/// `-q` with its lines wrapped to `width`.
pub fn quiet_with(run: &Run, width: usize, out: &mut dyn Write) -> io::Result<()> {
    let mut text = Vec::new();
    quiet_lines(run, &mut text)?;
    super::human::write_fitted(&text, width, out)
}

/// The card at 80 columns.
pub fn render(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    render_with(run, 80, out)
}

/// The card with its lines wrapped to `width`.
pub fn render_with(run: &Run, width: usize, out: &mut dyn Write) -> io::Result<()> {
    let mut text = Vec::new();
    card(run, &mut text)?;
    super::human::write_fitted(&text, width, out)
}

/// `-q`: the incoming and outgoing setting, one line each, and the verdict with, when the run
/// is not clean, the one finding that says why (a non-zero exit status never comes without a
/// reason).
fn quiet_lines(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let rec = &run.diagnosis.recommended;
    let [incoming, outgoing] = policy::chosen(rec);
    line(run, out, "Incoming", incoming, true)?;
    line(run, out, "Outgoing", outgoing, false)?;
    // A verdict other than "works" never comes without the finding that says why.
    let why = policy::most_important(&run.diagnosis)
        .filter(|_| run.status != crate::judge::Status::Works)
        .map(|f| format!(": {}", words::message(f)))
        .unwrap_or_default();
    writeln!(out, "  Status    {}{}", status(run), safe(&why))
}

/// The run's verdict with its mark, coloured.
fn status(run: &Run) -> colored::ColoredString {
    let text = format!(
        "{} {}",
        words::status_mark(run.status),
        words::status(run.status)
    );
    match policy::exit_code(run.status) {
        crate::exits::OK => text.green(),
        crate::exits::PROBLEMS => text.yellow(),
        _ => text.red(),
    }
}

/// The card alone (`--card`), for handing to a client.
fn card(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "Mail settings for {}", safe(&run.target.input))?;
    writeln!(out, "  Status    {}", status(run))?;
    settings(run, out)?;
    most_important(run, out)
}

pub fn settings(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let rec = &run.diagnosis.recommended;
    let [incoming, outgoing] = policy::chosen(rec);
    writeln!(out, "\n{}", "Settings".bold().underline())?;
    line(run, out, "Incoming", incoming, true)?;
    line(run, out, "Outgoing", outgoing, false)?;
    let username = incoming
        .or(outgoing)
        .map(|r| r.username.clone())
        .unwrap_or_else(|| Username::for_target(&run.target, login_name(run)));
    writeln!(out, "  Username  {}", safe(&words::username(&username)))?;
    writeln!(
        out,
        "  Password  the mailbox password (never shown by mailprobe)"
    )?;
    login_lines(run, out)?;
    limit_lines(run, out)?;
    match outgoing.map(|o| &o.username) {
        Some(smtp) if *smtp != username => writeln!(
            out,
            "  SMTP auth required: username {}, same password",
            safe(&words::username(smtp))
        )?,
        Some(_) => writeln!(out, "  SMTP auth required: same username and password")?,
        None => {}
    }
    provider_lines(run, out)?;
    alternatives(rec, [incoming, outgoing], out)
}

/// The card goes to the client alone: the one finding that matters most travels with it, with
/// what to do (an intercepted network's "do not enter a password here", an expired certificate).
fn most_important(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let Some(f) = policy::most_important(&run.diagnosis) else {
        return Ok(());
    };
    let mark = match f.severity {
        crate::judge::findings::Severity::Error => "✘".red(),
        _ => "!".yellow(),
    };
    writeln!(out, "  {mark} {}", safe(&words::message(f)))?;
    if let Some(hint) = words::hint_for(f, &run.target.domain.ascii) {
        writeln!(out, "    → {}", safe(&hint))?;
    }
    Ok(())
}

/// The advertised limits a mailbox's user runs into (largest message, mail deleted after
/// download, polling interval).
fn limit_lines(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    for f in &run.diagnosis.findings {
        if let crate::judge::findings::Fact::Probe(
            crate::judge::findings::ProbeFact::AdvertisedLimit { host, port, limit },
        ) = &f.fact
        {
            if policy::limit_on_card(*limit) {
                let text = format!("{host}:{port} {}", words::advertised_limit(*limit));
                writeln!(out, "  Limit     {}", safe(&text))?;
            }
        }
    }
    Ok(())
}

fn login_name(run: &Run) -> Option<&str> {
    run.login_user.as_deref()
}

fn provider_lines(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let Some(p) = &run.identification.provider else {
        return Ok(());
    };
    if let Some(w) = &p.webmail {
        writeln!(out, "  Webmail   {}", safe(w))?;
    }
    if run.diagnosis.provider_checks.is_empty() {
        return Ok(());
    }
    // Settings not checked against a public source are said to be so.
    let unverified = if p.source.is_none() {
        " (published settings, not verified)"
    } else {
        ""
    };
    writeln!(out, "  {} publishes{unverified}:", safe(&p.name))?;
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
            words::security(s.security)
        )?;
    }
    Ok(())
}

/// Other confirmed ways in, one per protocol, port and security: not every name for each.
fn alternatives(
    rec: &crate::judge::Recommended,
    chosen: [Option<&Recommendation>; 2],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut shown: Vec<&Recommendation> = Vec::new();
    for r in rec
        .incoming
        .iter()
        .chain(&rec.outgoing)
        .filter(|r| r.confirmed)
    {
        let same = |a: &Recommendation| {
            (a.protocol, a.port, a.security) == (r.protocol, r.port, r.security)
        };
        if chosen.iter().flatten().any(|c| same(c)) || shown.iter().any(|a| same(a)) {
            continue;
        }
        shown.push(r);
    }
    if shown.is_empty() {
        return Ok(());
    }
    writeln!(out, "  Also confirmed:")?;
    for r in shown {
        writeln!(
            out,
            "    {:<5} {}:{} {}",
            r.protocol.name(),
            safe(&r.host),
            r.port,
            words::client_security(r.client_security)
        )?;
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
        let service = crate::service::Service::new(c.port, c.protocol, c.security);
        let text = safe(&words::login_outcome(service, &c.outcome));
        let verdict = match &c.outcome {
            crate::probe::login::LoginOutcome::Accepted { .. } => format!("✔ {text}").green(),
            crate::probe::login::LoginOutcome::NotAttempted(_) => text.yellow(),
            _ => format!("✘ {text}").red(),
        };
        writeln!(out, "  Login     {what}  {verdict}")?;
        if let Some(d) = run.diagnosis.login_refusal(c.protocol, &c.host, c.port) {
            writeln!(out, "            {}", words::refusal_cause(d.cause))?;
            writeln!(out, "            {}", words::refusal_fix(d.cause, d.fixer))?;
        }
    }
    Ok(())
}

fn line(
    run: &Run,
    out: &mut dyn Write,
    label: &str,
    r: Option<&Recommendation>,
    incoming: bool,
) -> io::Result<()> {
    let Some(r) = r else {
        let why = policy::absence(
            &run.discovery,
            &run.identification,
            &run.diagnosis,
            run.probed,
            incoming,
        )
        .unwrap_or(Absence::NothingWorks);
        let dns_error = run.discovery.mx_error.as_ref();
        let text = words::absence(&why, &run.target.domain.ascii, dns_error, &run.resolvers);
        return writeln!(out, "  {label}  {}", safe(&text).red());
    };
    let mark = if r.confirmed {
        "✔ confirmed".green()
    } else if policy::clients_refuse(r) {
        "✘ answers, but clients refuse its certificate".red()
    } else {
        "! works with warnings".yellow()
    };
    writeln!(
        out,
        "  {label}  {:<5} {}  port {}  {:<13}  {mark}",
        r.protocol.name(),
        safe(&r.host).bold(),
        r.port,
        words::client_security(r.client_security)
    )?;
    let cert = certificate_of(run, r);
    for code in &r.warnings {
        writeln!(
            out,
            "            {} {}",
            "!".yellow(),
            safe(&words::warning(*code, cert))
        )?;
    }
    Ok(())
}

/// The certificate the recommended setting presented (at its best address).
fn certificate_of<'a>(run: &'a Run, r: &Recommendation) -> Option<&'a CertInfo> {
    run.judged
        .iter()
        .map(crate::judge::Judged::parts)
        .filter(|(p, j)| p.host == r.host && p.port == r.port && j.verdict == r.verdict)
        .find_map(|(p, _)| p.tls.as_ref().and_then(|t| t.certificate.as_ref()))
}
