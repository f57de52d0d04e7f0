//! The binary: parse → run → render → exit status. Everything else lives in the library.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Parser;
use mailprobe::cli::{Cli, ColorChoice, Format, Output, Request};
use mailprobe::probe::login::{Credentials, Secret};
use mailprobe::probe::{ProbeObserver, ProbeResult};
use mailprobe::{exits, render};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version are not errors.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::from(exits::OK);
        }
        Err(e) => {
            usage_error(&clap_message(&e));
            return usage_exit();
        }
    };
    let (target, mut options, output, login) = match cli.into_request() {
        Ok(Request::Run(parsed)) => *parsed,
        Ok(Request::Fleet(request)) => return fleet(&request),
        Ok(Request::Completions(shell)) => {
            mailprobe::cli::completions(shell, &mut io::stdout());
            return ExitCode::from(exits::OK);
        }
        Ok(Request::JsonSchema) => {
            let _ = io::stdout().write_all(mailprobe::report::json_schema().as_bytes());
            return ExitCode::from(exits::OK);
        }
        Ok(Request::Man) => {
            // A closed pipe (`mailprobe --man | head`) is fine.
            let _ = mailprobe::cli::man_page(&mut io::stdout());
            return ExitCode::from(exits::OK);
        }
        Err(message) => {
            usage_error(&message);
            return usage_exit();
        }
    };
    if let Some(request) = login {
        match read_secret(&request) {
            Ok(password) => {
                options.login = Some(Credentials {
                    username: request.username,
                    password,
                    allow_insecure: request.allow_insecure,
                })
            }
            Err(message) => {
                usage_error(&message);
                return usage_exit();
            }
        }
    }
    decide_colour(&output);
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let progress = Progress::new(io::stderr().is_terminal());
    let run = match runtime.block_on(mailprobe::run(&target, &options, &progress)) {
        Ok(run) => run,
        Err(e) => {
            progress.clear();
            usage_error(&e.to_string());
            return usage_exit();
        }
    };
    progress.clear();
    let mut stdout = io::stdout().lock();
    let mut exit = run.exit_code;
    if let Some(path) = &output.prometheus {
        let m = mailprobe::report::monitoring::Monitoring::new(&run, output.limits);
        let text = render::prometheus::render(&render::prometheus::samples(&m));
        if let Err(e) = mailprobe::files::write(path, text.as_bytes()) {
            let path = mailprobe::text::escape_controls(&path.display().to_string());
            eprintln!("mailprobe: cannot write {path}: {e}");
            exit = exits::NOTHING_WORKS;
        }
    }
    if let Some((kind, file)) = &output.export {
        let bytes = match render::export::export(&run, *kind) {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("mailprobe: {}", render::export::export_error(&e));
                return ExitCode::from(exits::NOTHING_WORKS);
            }
        };
        match file {
            Some(path) => {
                if let Err(e) = mailprobe::files::write(path, &bytes) {
                    let path = mailprobe::text::escape_controls(&path.display().to_string());
                    eprintln!("mailprobe: cannot write {path}: {e}");
                    exit = exits::NOTHING_WORKS;
                }
            }
            // The file is the output: nothing else goes to stdout.
            None => {
                return match stdout.write_all(&bytes).and_then(|()| stdout.flush()) {
                    Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                        eprintln!("mailprobe: cannot write the export: {e}");
                        ExitCode::from(exits::NOTHING_WORKS)
                    }
                    _ => ExitCode::from(run.exit_code),
                };
            }
        }
    }
    let written = match output.format {
        Format::Human => {
            let layout = render::human::Layout {
                width: terminal_width(),
                verbose: output.verbose,
            };
            render::human::render_with(&run, layout, &mut stdout)
        }
        Format::Json => render::json::render(&run, &mut stdout),
        Format::Card => render::card::render_with(&run, terminal_width(), &mut stdout),
        Format::Quiet => render::card::quiet_with(&run, terminal_width(), &mut stdout),
        Format::Nagios => {
            let m = mailprobe::report::monitoring::Monitoring::new(&run, output.limits);
            exit = mailprobe::judge::policy::alert_exit(m.alert);
            render::nagios::render(&m, &mut stdout)
        }
    }
    .and_then(|()| stdout.flush());
    match written {
        // A closed pipe (`mailprobe … | head`) is the reader's choice, not an error.
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            eprintln!("mailprobe: cannot write the report: {e}");
            ExitCode::from(exits::NOTHING_WORKS)
        }
        _ => ExitCode::from(exit),
    }
}

/// Many domains: reports streamed as they finish, Ctrl-C ends the run cleanly (status 130).
fn fleet(request: &mailprobe::fleet::FleetRequest) -> ExitCode {
    colored::control::set_override(colour_wanted(request.color) && !request.jsonl);
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let mut stdout = io::stdout();
    let mut stderr = io::stderr();
    let sinks = mailprobe::render::fleet_output::Sinks {
        out: &mut stdout,
        err: &mut stderr,
        progress: io::stderr().is_terminal(),
        width: terminal_width(),
    };
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            // No signal handling here: never interrupt.
            std::future::pending::<()>().await;
        }
    };
    let code = runtime.block_on(mailprobe::render::fleet_output::run(
        request, sinks, interrupt,
    ));
    ExitCode::from(code)
}

/// The terminal's width when stdout is one, else `COLUMNS` when set, else 80 (pipes, files,
/// e-mail).
fn terminal_width() -> usize {
    let width = io::stdout()
        .is_terminal()
        .then(|| terminal_size::terminal_size_of(io::stdout()))
        .flatten()
        .map(|(w, _)| usize::from(w.0))
        .or_else(|| std::env::var("COLUMNS").ok()?.trim().parse().ok());
    width.unwrap_or(80).clamp(40, 400)
}

/// The exit status of a usage error: 2, or, for a monitoring system (`--nagios` among the
/// arguments), UNKNOWN (3) with the plugin's status line, so the check shows why it failed.
fn usage_exit() -> ExitCode {
    if std::env::args_os().any(|a| a == "--nagios") {
        println!("MAILPROBE UNKNOWN - bad usage (see stderr)");
        return ExitCode::from(3);
    }
    ExitCode::from(exits::USAGE)
}

/// One line on stderr, with anything the user typed escaped.
fn usage_error(message: &str) {
    eprintln!("mailprobe: {}", mailprobe::text::escape_controls(message));
}

/// clap's error as one line: its first paragraph without the "error: " prefix, and where to look.
fn clap_message(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let first: Vec<&str> = text
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    format!(
        "{} (see mailprobe --help)",
        first.join(" ").trim_start_matches("error: ")
    )
}

const UNSAFE_PASSWORD: &str = "--login: the password contains a line break or NUL, which would be sent as extra protocol commands: it is refused and nothing is sent";

/// The secret for --login: a bearer token (--oauth-token-file, MAILPROBE_OAUTH_TOKEN), or the
/// password.
fn read_secret(request: &mailprobe::cli::LoginRequest) -> Result<Secret, String> {
    if let Some(path) = &request.token_file {
        return mailprobe::input::bearer_token_file(path).map(Secret::bearer);
    }
    if let Ok(token) = std::env::var("MAILPROBE_OAUTH_TOKEN") {
        if !token.trim().is_empty() {
            return mailprobe::input::bearer_token(&token).map(Secret::bearer);
        }
    }
    read_password(&request.username)
}

/// The password for --login: MAILPROBE_PASSWORD, or asked for on the terminal without echo.
fn read_password(username: &str) -> Result<Secret, String> {
    if let Ok(p) = std::env::var("MAILPROBE_PASSWORD") {
        if p.contains(['\r', '\n', '\0']) {
            return Err(UNSAFE_PASSWORD.into());
        }
        if !p.is_empty() {
            return Ok(Secret::new(p));
        }
    }
    let prompt = format!(
        "Password for {}: ",
        mailprobe::text::escape_controls(username)
    );
    match rpassword::prompt_password(prompt) {
        Ok(p) if p.contains(['\r', '\n', '\0']) => Err(UNSAFE_PASSWORD.into()),
        Ok(p) if !p.is_empty() => Ok(Secret::new(p)),
        Ok(_) => Err("--login: empty password".into()),
        Err(e) => Err(format!(
            "--login: cannot read a password ({e}); set MAILPROBE_PASSWORD or run on a terminal"
        )),
    }
}

/// The runtime both kinds of run use; failing to start it is reported once, here.
fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("mailprobe: cannot start: {e}");
            ExitCode::from(exits::NOTHING_WORKS)
        })
}

/// Colour is decided once: --color (`forced`), then NO_COLOR, then CLICOLOR_FORCE, then whether
/// stdout is a terminal.
fn colour_wanted(forced: Option<bool>) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    forced.unwrap_or_else(|| {
        !set("NO_COLOR") && (set("CLICOLOR_FORCE") || io::stdout().is_terminal())
    })
}

fn decide_colour(output: &Output) {
    let forced = match output.color {
        ColorChoice::Always => Some(true),
        ColorChoice::Never => Some(false),
        ColorChoice::Auto => None,
    };
    colored::control::set_override(colour_wanted(forced) && output.format != Format::Json);
}

/// A one-line counter on stderr, only when stderr is a terminal.
struct Progress {
    enabled: bool,
    total: AtomicUsize,
    done: AtomicUsize,
}

impl Progress {
    fn new(enabled: bool) -> Self {
        Self {
            enabled,
            total: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
        }
    }

    fn clear(&self) {
        if self.enabled {
            eprint!("\r\x1b[2K");
        }
    }
}

impl ProbeObserver for Progress {
    fn planned(&self, total: usize) {
        self.total.fetch_add(total, Ordering::Relaxed);
    }

    fn finished(&self, _result: &ProbeResult) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.enabled {
            let total = self.total.load(Ordering::Relaxed);
            eprint!("\rprobing… {done}/{total}");
        }
    }
}
