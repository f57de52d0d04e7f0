//! The human report: DNS, the host × port matrix, the settings card, then the problems.
//! Colour is decided once by the caller (colored's global override); nothing here decides.

use std::collections::HashMap;
use std::io::{self, Write};
use std::net::IpAddr;

use colored::{ColoredString, Colorize};

use super::card;
use crate::discover::MxStatus;
use crate::judge::findings::{Finding, Severity};
use crate::judge::{Judgement, Verdict};
use crate::probe::{CertInfo, Phase, ProbeResult, TcpOutcome};
use crate::report::names;
use crate::service::Service;
use crate::text::escape_controls as safe;
use crate::words;
use crate::Run;

/// How the report is laid out: the terminal's width (80 when not a terminal), and how many
/// transcripts to show (`-v`: failed probes', `-vv`: every probe's).
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub width: usize,
    pub verbose: u8,
}

impl Default for Layout {
    fn default() -> Self {
        Self {
            width: 80,
            verbose: 0,
        }
    }
}

/// The report at 80 columns, without transcripts.
pub fn render(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    render_with(run, Layout::default(), out)
}

/// The report laid out for `layout`: every line longer than the width is wrapped, its
/// continuation indented under it, so the terminal never splits a word.
pub fn render_with(run: &Run, layout: Layout, out: &mut dyn Write) -> io::Result<()> {
    let mut text = Vec::new();
    write_report(run, layout, &mut text)?;
    write_fitted(&text, layout.width, out)
}

/// Text written line by line, each line wrapped to `width`.
pub(crate) fn write_fitted(text: &[u8], width: usize, out: &mut dyn Write) -> io::Result<()> {
    for line in String::from_utf8_lossy(text).lines() {
        writeln!(out, "{}", fit(line, width))?;
    }
    Ok(())
}

/// `line` wrapped to `width` columns (colour codes take no room); continuation lines are
/// indented four more than the line itself.
fn fit(line: &str, width: usize) -> String {
    if textwrap::core::display_width(line) <= width {
        return line.to_string();
    }
    let indent = line.len() - line.trim_start().len();
    let more = " ".repeat((indent + 4).min(width / 2));
    let options = textwrap::Options::new(width.max(20))
        .subsequent_indent(&more)
        .break_words(true)
        // Host names carry hyphens: never break a line inside one.
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    textwrap::fill(line, options)
}

fn write_report(run: &Run, layout: Layout, out: &mut dyn Write) -> io::Result<()> {
    header(run, out)?;
    dns(run, out)?;
    dns_source(run, layout.verbose, out)?;
    if run.probed && !run.candidates.is_empty() {
        matrix(run, layout.width, out)?;
        certificates(run, out)?;
        super::servers::servers(run, out)?;
        card::settings(run, out)?;
    }
    published(run, out)?;
    delivery(run, out)?;
    sending(run, out)?;
    problems(&run.diagnosis.findings, &run.target.domain.ascii, out)?;
    if layout.verbose > 0 {
        transcripts(run, layout.verbose, out)?;
    }
    footer(run, out)
}

/// What mail clients are told, each announced setting marked with what the probes found.
fn published(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let Ok(p) = &run.published else {
        return Ok(());
    };
    writeln!(out, "\n{}", "What clients are told".bold().underline())?;
    for line in crate::words::published::lines(p, &run.diagnosis.published_checks) {
        if line.url.is_none() && !line.text.contains('\n') {
            writeln!(out, "  {}: {}", line.label, safe(&line.text))?;
            continue;
        }
        match &line.url {
            Some(url) => writeln!(out, "  {}  {}", line.label, safe(url))?,
            None => writeln!(out, "  {}", line.label)?,
        }
        for item in line.text.lines() {
            writeln!(out, "      {}", safe(item))?;
        }
    }
    Ok(())
}

/// What senders check before delivering here (the verdicts are in the findings).
fn delivery(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let Ok(d) = &run.delivery else {
        return Ok(());
    };
    writeln!(out, "\n{}", "Delivery to this domain".bold().underline())?;
    for (label, text) in words::delivery_lines(d) {
        writeln!(out, "  {label:<9} {}", safe(&text))?;
    }
    Ok(())
}

/// What receivers see of the servers that send: one line per address.
fn sending(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let Some(s) = run
        .sending
        .as_ref()
        .filter(|s| !s.reverse.is_empty() || s.relay.is_some())
    else {
        return Ok(());
    };
    writeln!(out, "\n{}", "Sending from this domain".bold().underline())?;
    if let Some(d) = &s.received {
        writeln!(out, "  {}", safe(&words::received_line(d)))?;
    }
    for r in &s.reverse {
        let line = format!("{} ({})  {}", r.host, r.address, words::reverse_line(r));
        writeln!(out, "  {}", safe(&line))?;
        if let Some(b) = &s.blocklists {
            for line in words::blocklist_lines(b, r.address) {
                writeln!(out, "      {}", safe(&line))?;
            }
        }
    }
    for r in s.relay.iter().flatten() {
        let line = format!(
            "relay test {} ({}) port 25: {}",
            r.host,
            r.address,
            words::relay_line(r)
        );
        writeln!(out, "  {}", safe(&line))?;
    }
    if s.received.is_none() {
        writeln!(out, "  {}", words::OUTSIDE_VIEW_ONLY.dimmed())?;
    }
    Ok(())
}

/// What the zone's own name servers answered, server by server.
/// A zone the resolver serves itself (split DNS, a lab) has no SOA to follow: expected there, so
/// said only with `-v`.
fn dns_source(run: &Run, verbose: u8, out: &mut dyn Write) -> io::Result<()> {
    use crate::discover::authority::{NotAsked, ServerOutcome};
    let a = match &run.authority {
        Ok(a) => a,
        Err(NotAsked::Disabled) => return Ok(()),
        Err(NotAsked::NoZone(_)) if verbose == 0 => return Ok(()),
        Err(why) => {
            writeln!(out, "\n{}", "DNS source".bold().underline())?;
            return writeln!(out, "  {}", words::not_asked(why).dimmed());
        }
    };
    writeln!(out, "\n{}", "DNS source".bold().underline())?;
    writeln!(out, "  zone      {}", safe(&a.zone))?;
    if let Some(p) = &a.parent {
        writeln!(
            out,
            "  delegated {} (by {})",
            safe(&p.ns.join(", ")),
            safe(&p.parent_zone)
        )?;
    }
    if !a.child_ns.is_empty() {
        writeln!(out, "  published {}", safe(&a.child_ns.join(", ")))?;
    }
    for name in &a.no_address {
        writeln!(
            out,
            "  {}  {}",
            safe(name),
            "no address: cannot be asked".red()
        )?;
    }
    for s in &a.servers {
        let what = match &s.outcome {
            ServerOutcome::Answered(v) => {
                let serial = v
                    .serial
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "?".into());
                let mx = match v.mx.set() {
                    Some(m) if m.is_empty() => "no MX".to_string(),
                    Some(m) => format!(
                        "MX {}",
                        m.iter()
                            .map(|(p, e)| format!("{p} {e}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    None => "MX unknown".to_string(),
                };
                format!("serial {serial}  {}", safe(&mx)).normal()
            }
            ServerOutcome::Refused => "refused (lame)".red(),
            ServerOutcome::Lame => "not authoritative (lame)".red(),
            ServerOutcome::Timeout => "no answer (timeout)".red(),
            ServerOutcome::Failed(t) => format!("failed: {}", safe(t)).red(),
            ServerOutcome::NotAsked(class) => {
                format!("not asked: {}", words::address_class(*class)).yellow()
            }
        };
        writeln!(out, "  {}  {}  {what}", safe(&s.name), s.address)?;
    }
    Ok(())
}

/// The conversations kept with `-v`: failed probes' (or every probe's with `-vv`).
fn transcripts(run: &Run, verbose: u8, out: &mut dyn Write) -> io::Result<()> {
    let shown = run
        .judged
        .iter()
        .map(crate::judge::Judged::parts)
        .filter(|(p, j)| p.shared_with.is_none() && (verbose > 1 || j.verdict != Verdict::Works))
        .filter_map(|(p, _)| p.transcript.as_ref().map(|t| (p, t)))
        .filter(|(_, t)| !t.lines.is_empty());
    let probes = shown.map(|(p, t)| {
        let title = format!(
            "{} {}:{} [{}]",
            p.service.protocol.name(),
            safe(&p.host),
            p.port,
            p.address
        );
        (title, p.service, t)
    });
    let logins = run.login.iter().flatten().filter_map(|c| {
        let title = format!(
            "Login {} {}:{} [{}]",
            c.protocol.name(),
            safe(&c.host),
            c.port,
            c.address
        );
        let service = crate::service::Service::new(c.port, c.protocol, c.security);
        c.transcript.as_ref().map(|t| (title, service, t))
    });
    let mut first = true;
    for (title, service, t) in probes.chain(logins).filter(|(_, _, t)| !t.lines.is_empty()) {
        if first {
            writeln!(out, "\n{}", "Transcripts".bold().underline())?;
            first = false;
        }
        writeln!(out, "  {title}")?;
        for line in &t.lines {
            let mark = match line.direction {
                crate::probe::transcript::Direction::Sent => "C:".cyan(),
                crate::probe::transcript::Direction::Received => "S:".normal(),
                crate::probe::transcript::Direction::Note => "**".dimmed(),
            };
            match &line.event {
                Some(event) => writeln!(
                    out,
                    "    {mark} {}: {}",
                    safe(&line.text),
                    words::transcript_event(service, event)
                )?,
                None => writeln!(out, "    {mark} {}", safe(&line.text))?,
            }
        }
        if t.dropped > 0 {
            writeln!(
                out,
                "    … {} more",
                words::count(t.dropped, "line", "lines")
            )?;
        }
    }
    Ok(())
}

fn header(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let t = &run.target;
    writeln!(out, "{} {}", "mailprobe".bold(), safe(&t.input).bold())?;
    if t.domain.is_idn() {
        writeln!(
            out,
            "  domain    {} ({})",
            safe(&t.domain.unicode),
            t.domain.ascii
        )?;
    }
    Ok(())
}

fn dns(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let d = &run.discovery;
    writeln!(out, "\n{}", "DNS".bold().underline())?;
    let status = match d.mx_status {
        MxStatus::Ok => format!("{} MX record(s)", d.mx.len()).green(),
        MxStatus::NullMx => "null MX: the domain accepts no mail".red(),
        MxStatus::Implicit => "no MX; mail goes to the domain's own address (implicit MX)".yellow(),
        MxStatus::Nxdomain => "the domain does not exist (NXDOMAIN)".red(),
        MxStatus::NoRecords => "no MX and no address records".red(),
        MxStatus::DnsError => format!(
            "DNS failed: {}",
            d.mx_error
                .as_ref()
                .map(words::lookup_error)
                .unwrap_or_default()
        )
        .red(),
    };
    writeln!(out, "  status    {status}")?;
    writeln!(out, "  resolver  {}", words::list(&run.resolvers).dimmed())?;
    for (i, mx) in d.mx.iter().enumerate() {
        let label = if i == 0 {
            "  MX        "
        } else {
            "            "
        };
        if mx.is_null() {
            writeln!(out, "{label}{:>5}  .  (null MX)", mx.preference)?;
            continue;
        }
        let addrs = mx.address_list();
        let where_ = if addrs.is_empty() {
            let why = mx
                .addresses
                .as_ref()
                .and_then(|a| a.failure())
                .map(|e| words::lookup_error(&e))
                .unwrap_or_default();
            format!("does not resolve: {}", safe(&why)).red()
        } else {
            join(&addrs).normal()
        };
        let cname = mx
            .addresses
            .as_ref()
            .filter(|a| !a.cname_chain.is_empty())
            .map(|a| format!("  (CNAME → {})", safe(&a.cname_chain.join(" → "))))
            .unwrap_or_default();
        writeln!(
            out,
            "{label}{:>5}  {}  {where_}{cname}  ttl {}",
            mx.preference,
            safe(&mx.exchange),
            mx.ttl
        )?;
    }
    let own = d.domain_addresses.all();
    if !own.is_empty() {
        writeln!(out, "  address   {}", join(&own))?;
    }
    if let Some(p) = &run.identification.provider {
        let kind = match p.kind {
            crate::provider::ProviderKind::Mailbox => "mailbox provider",
            crate::provider::ProviderKind::Gateway => "filtering gateway",
            crate::provider::ProviderKind::Forwarding => "forwarding only, no mailbox",
            crate::provider::ProviderKind::NoImap => "mailbox provider without IMAP",
            crate::provider::ProviderKind::Webhost => "web host / self-hosted",
        };
        if p.is_known() {
            let variant = p
                .variant
                .as_deref()
                .map(|v| format!(", {}", safe(v)))
                .unwrap_or_default();
            writeln!(
                out,
                "  provider  {} ({kind}{variant})",
                safe(&p.name).bold()
            )?;
        } else {
            writeln!(out, "  provider  {}", safe(&p.name))?;
        }
        if let Some(w) = &p.webmail {
            writeln!(out, "  webmail   {}", safe(w))?;
        }
    }
    let others: Vec<String> = run
        .identification
        .others
        .iter()
        .map(|p| safe(&p.name))
        .collect();
    if !others.is_empty() {
        writeln!(
            out,
            "  and       {} (same MX preference)",
            others.join(", ")
        )?;
    }
    for (i, s) in d.srv.iter().enumerate() {
        let label = if i == 0 {
            "  SRV       "
        } else {
            "            "
        };
        if s.offered {
            writeln!(
                out,
                "{label}{:<18} {} {} {} {}",
                s.service,
                s.priority,
                s.weight,
                s.port,
                safe(&s.target)
            )?;
        } else {
            writeln!(out, "{label}{:<18} . (not offered)", s.service)?;
        }
    }
    Ok(())
}

fn matrix(run: &Run, width: usize, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "\n{}  ({}, {:.1} s)",
        "Probes".bold().underline(),
        words::count(run.judged.len(), "probe", "probes"),
        run.elapsed_ms as f64 / 1000.0
    )?;
    let services = columns(run);
    let rows = rows(run);
    // The matrix fits the width: long names are shortened here (the lines below give them whole).
    let room = width.saturating_sub(2 + services.len() * 6).max(16);
    let name_width = rows
        .iter()
        .map(|(n, a)| n.len() + a.to_string().len() + 2)
        .chain(run.candidates.iter().map(|c| c.candidate.name.len()))
        .max()
        .unwrap_or(10)
        .min(room);
    if !services.is_empty() {
        write!(out, "  {:name_width$}", "")?;
        for s in &services {
            write!(out, " {:>5}", s.port)?;
        }
        writeln!(out)?;
        write!(out, "  {:name_width$}", "")?;
        for s in &services {
            write!(out, " {:>5}", short_label(s).dimmed())?;
        }
        writeln!(out)?;
    }
    // One look-up per cell: the report's cost grows with what it shows, not with its square.
    let cells: HashMap<(&str, IpAddr, Service), &crate::judge::Judged> = run
        .judged
        .iter()
        .map(|j| ((j.probe.host.as_str(), j.probe.address, j.probe.service), j))
        .collect();
    for (name, address) in &rows {
        let label = crate::text::truncate(&safe(&format!("{name}  {address}")), name_width);
        write!(out, "  {label:name_width$}")?;
        for s in &services {
            let cell = cells
                .get(&(name.as_str(), *address, *s))
                .map(|j| symbol(&j.probe, &j.judgement))
                .unwrap_or_else(|| "·".dimmed());
            write!(out, " {:>5}", cell)?;
        }
        writeln!(out)?;
    }
    for c in &run.candidates {
        if let Some(e) = c.addresses.failure() {
            writeln!(
                out,
                "  {:name_width$} {}",
                safe(&c.candidate.name),
                format!(
                    "does not resolve ({})",
                    safe(&words::lookup_error_short(&e))
                )
                .dimmed()
            )?;
        }
    }
    if !services.is_empty() {
        writeln!(
            out,
            "  {}",
            "✔ works  ! works with warnings  ✘ fails  ⏱ timed out  ⊘ refused  ↯ unreachable  · not probed".dimmed()
        )?;
    }
    failures(run, out)
}

/// One line per failed probe that connected: the reason behind the symbol.
fn failures(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let mut lines = Vec::new();
    for (p, j) in run.judged.iter().map(crate::judge::Judged::parts) {
        // Connect failures show in the matrix; what connected, or was not tried, needs words.
        let said = p.tcp.connected() || p.tcp == crate::probe::TcpOutcome::NotAttempted;
        if p.shared_with.is_some() || !said {
            continue;
        }
        // Warnings are told, grouped, under Findings; failures get their reason here.
        let text = match j.verdict {
            Verdict::Fails => j
                .cause
                .as_ref()
                .map(|f| words::failure(p.service, f))
                .unwrap_or_default(),
            Verdict::Warnings | Verdict::Works => continue,
        };
        lines.push(format!(
            "  {} {}:{} [{}] {}",
            symbol(p, j),
            safe(&p.host),
            p.port,
            p.address,
            safe(&text)
        ));
    }
    if !lines.is_empty() {
        writeln!(out)?;
        for l in lines {
            writeln!(out, "{l}")?;
        }
    }
    Ok(())
}

/// The services in the plan, standard ones first in the usual order.
fn columns(run: &Run) -> Vec<Service> {
    let mut services: Vec<Service> = Vec::new();
    for p in run.probes() {
        if !services.contains(&p.service) {
            services.push(p.service);
        }
    }
    let order = |s: &Service| {
        crate::service::STANDARD_SERVICES
            .iter()
            .position(|x| x == s)
            .unwrap_or(usize::MAX)
    };
    services.sort_by_key(|s| (order(s), s.port));
    services
}

/// Five characters or fewer: `imaps`, `imap`, `pop3s`, `pop3`, `smtps`, `smtp`.
fn short_label(s: &Service) -> String {
    let base = s.protocol.name().to_lowercase();
    match s.security {
        crate::service::Security::Tls => format!("{base}s"),
        _ => base,
    }
}

fn rows(run: &Run) -> Vec<(String, IpAddr)> {
    let mut seen = std::collections::HashSet::new();
    run.probes()
        .map(|p| (p.host.clone(), p.address))
        .filter(|row| seen.insert(row.clone()))
        .collect()
}

fn symbol(p: &ProbeResult, j: &Judgement) -> ColoredString {
    match j.verdict {
        Verdict::Works => "✔".green(),
        Verdict::Warnings => "!".yellow(),
        // Left out (an address that cannot be a server, a limit of the run): not a failure.
        Verdict::Fails if !p.was_made() => "·".dimmed(),
        Verdict::Fails => match (&p.tcp, p.failure.as_ref().map(|f| f.phase)) {
            (TcpOutcome::TimedOut, _) => "⏱".red(),
            (TcpOutcome::Refused, _) => "⊘".dimmed(),
            (TcpOutcome::Unreachable(_), _) => "↯".red(),
            (_, Some(Phase::Connect)) => "✘".red(),
            _ => "✘".red(),
        },
    }
}

/// A host name and the ports where it presented a certificate.
type HostPorts<'a> = (&'a str, Vec<u16>);

/// Each distinct certificate once: who it names, who issued it, until when, where it was seen.
fn certificates(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let mut seen: Vec<(&CertInfo, Vec<HostPorts>)> = Vec::new();
    let mut index: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for p in run.probes().filter(|p| p.shared_with.is_none()) {
        let Some(cert) = p.tls.as_ref().and_then(|t| t.certificate.as_ref()) else {
            continue;
        };
        let key = (
            cert.subject.as_str(),
            cert.issuer.as_str(),
            cert.not_after.as_str(),
        );
        let i = *index.entry(key).or_insert_with(|| {
            seen.push((cert, Vec::new()));
            seen.len() - 1
        });
        super::group_port(&mut seen[i].1, p.host.as_str(), p.port);
    }
    if seen.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{}", "Certificates".bold().underline())?;
    for (cert, hosts) in seen {
        let until = cert.not_after.split('T').next().unwrap_or(&cert.not_after);
        let left = match cert.days_left {
            d if d < 0 => format!("expired {} days ago", -d).red(),
            d if d < crate::judge::policy::EXPIRY_WARNING_DAYS => format!("{d} days left").yellow(),
            d => format!("{d} days left").normal(),
        };
        let issuer = if cert.self_signed {
            "self-signed".to_string()
        } else {
            format!("issued by {}", cert.issuer)
        };
        writeln!(
            out,
            "  {}  {}  until {until} ({left})",
            safe(&cert.names.join(", ")),
            safe(&issuer).dimmed()
        )?;
        for i in cert.intermediates.iter().filter(|i| i.days_left < 0) {
            let line = format!(
                "sent with {}, which expired on {}",
                i.subject,
                words::date(&i.not_after)
            );
            writeln!(out, "      {}", safe(&line).red())?;
        }
        let shown: Vec<String> = hosts
            .iter()
            .take(4)
            .map(|(h, ports)| format!("{} ({})", safe(h), words::list(ports)))
            .collect();
        let more = match hosts.len().saturating_sub(4) {
            0 => String::new(),
            n => format!(" and {} more", words::count(n, "host", "hosts")),
        };
        writeln!(
            out,
            "      {}",
            format!(
                "{}; presented by {}{more}",
                words::servers::key_and_signature(cert),
                shown.join(", ")
            )
            .dimmed()
        )?;
    }
    Ok(())
}

fn problems(findings: &[Finding], domain: &str, out: &mut dyn Write) -> io::Result<()> {
    if findings.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{}", "Findings".bold().underline())?;
    for f in findings {
        let (mark, label) = match f.severity {
            Severity::Error => ("✘".red(), "error".red()),
            Severity::Warning => ("!".yellow(), "warning".yellow()),
            Severity::Info => ("i".blue(), "info".blue()),
        };
        writeln!(
            out,
            "  {mark} {label} {} {}",
            names::code(f.code).dimmed(),
            safe(&words::message(f))
        )?;
        if let Some(h) = words::hint_for(f, domain) {
            writeln!(out, "      → {}", safe(&h))?;
        }
    }
    Ok(())
}

fn footer(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "\n{}",
        format!(
            "{} · exit status {}",
            words::status(run.status),
            run.exit_code
        )
        .dimmed()
    )
}

fn join(addrs: &[std::net::IpAddr]) -> String {
    addrs
        .iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
