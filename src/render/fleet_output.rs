//! Running a fleet and writing what it found: each report streamed as JSONL (or its details)
//! the moment its domain is done, then the summary table, the changes since the compared run
//! and the HTML page. An interruption keeps everything already written and says what was not
//! run.

use std::collections::HashMap;
use std::future::Future;
use std::io::Write;

use crate::fleet::compare::{self, Change, Snapshot};
use crate::fleet::{FleetRequest, Row};
use crate::judge::policy;
use crate::probe::engine::Silent;
use crate::render::{self, fleet as words};
use crate::report::Report;
use crate::Run;

/// Where the fleet writes: reports and the table to `out`, notes and errors to `err`.
pub struct Sinks<'a> {
    pub out: &'a mut (dyn Write + Send),
    pub err: &'a mut (dyn Write + Send),
    /// A progress bar on stderr (only when it is a terminal).
    pub progress: bool,
    /// Width of the human report with `--details`.
    pub width: usize,
}

/// What was gathered while domains finished: small, whatever the fleet's size (the HTML page
/// keeps each domain's report text, which is why it is asked for explicitly).
#[derive(Default)]
struct Gathered {
    rows: Vec<Row>,
    changes: Vec<(String, Vec<Change>)>,
    html: Vec<render::html::Domain>,
    /// `--prometheus`: every finished domain's samples.
    metrics: Vec<render::prometheus::Sample>,
}

/// How the fleet ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    AllDone,
    /// Ctrl-C.
    Interrupted,
    /// `--fleet-max-time`.
    TimeUp,
}

/// Runs the fleet and writes it out; returns the exit status. `interrupt` ends the run early
/// (Ctrl-C): the status is then 130.
pub async fn run(req: &FleetRequest, sinks: Sinks<'_>, interrupt: impl Future<Output = ()>) -> u8 {
    let Sinks {
        out,
        err,
        progress,
        width,
    } = sinks;
    for b in &req.bad {
        let _ = writeln!(err, "mailprobe: skipped {}", words::bad_line(b));
    }
    if req.fleet.targets.is_empty() {
        let _ = writeln!(err, "mailprobe: no domain to probe");
        return if req.bad.is_empty() && req.other_shards > 0 {
            crate::exits::OK
        } else {
            crate::exits::USAGE
        };
    }
    let old = match &req.compare {
        Some(path) => match compare::read_old(path) {
            Ok(map) => Some(map),
            Err(e) => {
                let _ = writeln!(
                    err,
                    "mailprobe: --compare {}: {}",
                    crate::text::escape_controls(&path.display().to_string()),
                    crate::words::old_run_error(&e)
                );
                return crate::exits::USAGE;
            }
        },
        None => None,
    };
    let started_at = crate::run::now_rfc3339();
    let bar = progress.then(|| progress_bar(req.fleet.targets.len()));
    let mut gathered = Gathered::default();
    let time_up = async {
        match req.deadline {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    let ended = {
        let done = |run: Run| {
            finished(req, &run, old.as_ref(), &mut gathered, out, width);
            if let Some(b) = &bar {
                b.inc(1);
            }
        };
        tokio::select! {
            result = crate::fleet::run(&req.fleet, &Silent, done) => {
                if let Err(e) = result {
                    let _ = writeln!(err, "mailprobe: {}", crate::text::escape_controls(&e.to_string()));
                    return crate::exits::USAGE;
                }
                Ended::AllDone
            }
            () = interrupt => Ended::Interrupted,
            () = time_up => Ended::TimeUp,
        }
    };
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    // Input order, whatever order the domains finished in.
    let position: HashMap<&str, usize> = req
        .fleet
        .targets
        .iter()
        .enumerate()
        .map(|(i, t)| (t.domain.ascii.as_str(), i))
        .collect();
    let order = |d: &str| position.get(d).copied().unwrap_or(usize::MAX);
    gathered.rows.sort_by_key(|r| order(&r.domain));
    gathered.changes.sort_by_key(|(d, _)| order(d));
    gathered.html.sort_by_key(|d| order(&d.row.domain));
    let codes: Vec<u8> = gathered.rows.iter().map(|r| r.exit_code).collect();
    let regressions = gathered
        .changes
        .iter()
        .any(|(_, c)| c.iter().any(Change::is_regression));
    let code = match ended {
        Ended::Interrupted => crate::exits::INTERRUPTED,
        // Domains left unchecked are never "all is well".
        Ended::TimeUp => {
            policy::fleet_exit(&codes, req.bad.len(), regressions).max(crate::exits::PROBLEMS)
        }
        Ended::AllDone => policy::fleet_exit(&codes, req.bad.len(), regressions),
    };
    if let Some(path) = &req.prometheus {
        let text = render::prometheus::render(&gathered.metrics);
        if let Err(e) = crate::files::write(path, text.as_bytes()) {
            let _ = writeln!(
                err,
                "mailprobe: cannot write {}: {e}",
                crate::text::escape_controls(&path.display().to_string())
            );
        }
    }
    if let Some(path) = &req.html {
        let page = render::html::page(&gathered.html, &started_at);
        if let Err(e) = crate::files::write(path, page.as_bytes()) {
            let _ = writeln!(
                err,
                "mailprobe: cannot write {}: {e}",
                crate::text::escape_controls(&path.display().to_string())
            );
        }
    }
    if ended != Ended::AllDone {
        let done: Vec<&str> = gathered.rows.iter().map(|r| r.domain.as_str()).collect();
        let missing: Vec<&str> = req
            .fleet
            .targets
            .iter()
            .map(|t| t.domain.ascii.as_str())
            .filter(|d| !done.contains(d))
            .collect();
        let message = format!(
            "mailprobe: {}: {} of {} domains done; not finished: {}",
            if ended == Ended::TimeUp {
                "--fleet-max-time reached"
            } else {
                "interrupted"
            },
            done.len(),
            req.fleet.targets.len(),
            list(&missing)
        );
        // Beside the table on the same stream: fitted to the same width.
        let _ = render::human::write_fitted(message.as_bytes(), width, &mut *err);
    }
    let table_sink: &mut (dyn Write + Send) = if req.jsonl { &mut *err } else { &mut *out };
    let _ = summary(req, &gathered, code, width, table_sink);
    code
}

/// Everything done when one domain finishes; output is flushed so a crash loses nothing.
fn finished(
    req: &FleetRequest,
    run: &Run,
    old: Option<&HashMap<String, Snapshot>>,
    gathered: &mut Gathered,
    out: &mut (dyn Write + Send),
    width: usize,
) {
    let report = Report::new(run);
    if req.jsonl {
        let _ = render::json::write_line(&mut *out, &report);
        let _ = out.flush();
    }
    // The human report, rendered once when the details or the HTML page need it.
    let details = req.details && !req.jsonl;
    let human = (details || req.html.is_some()).then(|| {
        let mut text = Vec::new();
        let layout = render::human::Layout { width, verbose: 0 };
        let _ = render::human::render_with(run, layout, &mut text);
        String::from_utf8_lossy(&text).to_string()
    });
    if let Some(text) = human.as_deref().filter(|_| details) {
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }
    let domain = run.target.domain.ascii.clone();
    let changes = old.map(|old| {
        let new = snapshot_of(&report);
        old.get(&domain)
            .map(|o| compare::compare(o, &new, req.expiry_warn))
            .unwrap_or_default()
    });
    if req.prometheus.is_some() {
        let m = crate::report::monitoring::Monitoring::new(run, req.limits);
        gathered.metrics.extend(render::prometheus::samples(&m));
    }
    let row = Row::of(run);
    if let Some(text) = human.filter(|_| req.html.is_some()) {
        gathered.html.push(render::html::Domain {
            row: row.clone(),
            report: render::html::strip_colour(&text),
            changes: changes.clone(),
        });
    }
    if let Some(c) = changes {
        gathered.changes.push((domain, c));
    }
    gathered.rows.push(row);
}

fn summary(
    req: &FleetRequest,
    g: &Gathered,
    code: u8,
    width: usize,
    out: &mut (dyn Write + Send),
) -> std::io::Result<()> {
    // One domain's whole report was printed already: a table of one line adds nothing.
    let single = req.details && g.rows.len() == 1 && req.fleet.targets.len() == 1;
    if single {
        if req.compare.is_some() {
            words::changes(&g.changes, out)?;
        }
        if g.rows[0].exit_code != code {
            writeln!(out, "\nexit status {code}")?;
        }
        return out.flush();
    }
    if !req.details {
        writeln!(out)?;
    }
    words::table(&g.rows, width, out)?;
    writeln!(
        out,
        "\n{} {}: {}{}{}",
        g.rows.len(),
        if g.rows.len() == 1 {
            "domain"
        } else {
            "domains"
        },
        words::status_counts(&g.rows),
        if req.bad.is_empty() {
            String::new()
        } else {
            match req.bad.len() {
                1 => "; 1 input line skipped".to_string(),
                n => format!("; {n} input lines skipped"),
            }
        },
        if req.other_shards == 0 {
            String::new()
        } else {
            match req.other_shards {
                1 => "; 1 domain left to other shards".to_string(),
                n => format!("; {n} domains left to other shards"),
            }
        }
    )?;
    if req.compare.is_some() {
        words::changes(&g.changes, out)?;
    }
    writeln!(out, "\nexit status {code}")?;
    out.flush()
}

fn list(names: &[&str]) -> String {
    let shown: Vec<&str> = names.iter().take(20).copied().collect();
    let more = names.len().saturating_sub(shown.len());
    let mut text = shown.join(", ");
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    crate::text::escape_controls(&text)
}

fn progress_bar(total: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} [{bar:30}] {pos}/{len} domains  {per_sec}  ETA {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// The snapshot of a run just made: its report read through the same view as an old file's.
fn snapshot_of(report: &Report) -> Snapshot {
    serde_json::to_value(report)
        .ok()
        .and_then(|v| serde_json::from_value::<compare::view::Report>(v).ok())
        .map(compare::snapshot)
        .unwrap_or_default()
}
