//! Command-line arguments: the only file that imports clap. Raw arguments become validated
//! [`Options`] here, in one place.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

use crate::input::{parse_target, Target};
use crate::plan::Family;
use crate::probe::tls::TrustSource;
use crate::service::{standard_service, Service, STANDARD_SERVICES};
use crate::Options;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `--export`: a file a mail client imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportChoice {
    /// Mozilla autoconfig (config-v1.1.xml), to publish for Thunderbird and K-9.
    Autoconfig,
    /// Apple configuration profile (unsigned, no password) for iPhone, iPad and Mac.
    Mobileconfig,
}

/// `--legacy-tls`: where to ask whether TLS 1.0 and 1.1 are still accepted (and TLS 1.2, when
/// the server chose 1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LegacyTlsChoice {
    /// Every TLS port a mail client uses (not port 25).
    Clients,
    /// Port 25 as well.
    All,
    /// Not at all (two or three connections fewer per TLS port).
    Off,
}

/// `--trust`: which certificate authorities to trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrustChoice {
    /// The Mozilla roots built into mailprobe.
    Builtin,
    /// The system's trust store (honours SSL_CERT_FILE and SSL_CERT_DIR).
    System,
    /// Both (the default).
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Card,
    /// `-q`: the two settings and the exit status only.
    Quiet,
    /// `--nagios`: the monitoring-plugins status line, long output and performance data.
    Nagios,
}

/// Where does this domain's mail live, and which IMAP/POP3/SMTP settings work from here?
#[derive(Debug, Parser)]
#[command(
    name = "mailprobe",
    version,
    about,
    long_about = None,
    after_help = "Exit status: 0 incoming and outgoing settings confirmed (no error found); \
                  1 partial: something works but not both directions cleanly, errors found, or a login \
                  not accepted; 2 bad usage or input; 3 nothing works for a mail client (port 25 alone \
                  does not count), the domain receives no mail (NXDOMAIN, null MX), or DNS failed; \
                  4 --compare found something worse than before; 130 interrupted (what finished is kept). \
                  A fleet exits with its worst domain's status.\n\
                  Examples:\n  mailprobe accounts@example.com\n  mailprobe example.com --json\n  \
                  mailprobe accounts@example.com --card -p 993,465,587\n  \
                  mailprobe accounts@example.com -v        (conversations of failed probes)"
)]
pub struct Cli {
    /// An email address (accounts@example.com) or a bare domain (example.com); several make a
    /// fleet run.
    #[arg(value_name = "ADDRESS", required_unless_present_any = ["completions", "man", "json_schema", "from"])]
    pub targets: Vec<String>,

    /// Read addresses or domains from this file, one per line (# comments; - for stdin).
    #[arg(long, value_name = "FILE")]
    pub from: Option<String>,

    /// Stream one JSON report per domain, one per line, as each is done.
    #[arg(long, conflicts_with_all = ["json", "card", "quiet"])]
    pub jsonl: bool,

    /// In a fleet run: print each domain's full report as well as the summary table.
    #[arg(long)]
    pub details: bool,

    /// Only the domains of shard K of N (1-based; a stable hash of the domain).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,

    /// Domains probed at once in a fleet run.
    #[arg(long, value_name = "N", default_value_t = crate::fleet::DEFAULT_PARALLEL)]
    pub parallel: usize,

    /// In a fleet run: new connections per second to one address (after a burst of 8); 0 for
    /// no limit.
    #[arg(long, value_name = "N", default_value_t = crate::fleet::DEFAULT_RATE)]
    pub rate: f64,

    /// Compare with an earlier --jsonl run: regressions, improvements (exit status 4 on
    /// regressions).
    #[arg(long, value_name = "OLD.jsonl")]
    pub compare: Option<PathBuf>,

    /// With --compare: certificates expiring within this many days are regressions.
    #[arg(long, value_name = "DAYS", default_value_t = crate::judge::policy::EXPIRY_REGRESSION_DAYS)]
    pub expiry_warn: i64,

    /// Write a self-contained HTML report (one file, no external assets) here.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// Ask only this nameserver (IP or IP:PORT, e.g. 127.0.0.1:5353); repeatable.
    #[arg(long, value_name = "IP[:PORT]")]
    pub dns: Vec<String>,

    /// Seconds allowed for each DNS query and each probe (connect, TLS and every read).
    #[arg(
        short = 't',
        long,
        value_name = "SECS",
        default_value = "5",
        allow_negative_numbers = true
    )]
    pub timeout: f64,

    /// Limit for the whole run in seconds: probes not started by then are skipped and the
    /// report says so.
    #[arg(
        short = 'm',
        long,
        value_name = "SECS",
        default_value = "60",
        allow_negative_numbers = true
    )]
    pub max_time: f64,

    /// Print the report as JSON.
    #[arg(short = 'j', long, conflicts_with_all = ["card", "quiet"])]
    pub json: bool,

    /// Print only the settings card, for handing to a client.
    #[arg(short = 'c', long, conflicts_with = "quiet")]
    pub card: bool,

    /// Print only the incoming and outgoing setting (the exit status tells the rest).
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Monitoring-plugins output (Nagios, Icinga, Checkmk): one status line with performance
    /// data, then the findings; exit status 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
    #[arg(long, conflicts_with_all = ["json", "card", "quiet"])]
    pub nagios: bool,

    /// With --nagios: a certificate expiring within this many days is a WARNING.
    #[arg(long, value_name = "DAYS", default_value_t = crate::judge::policy::DEFAULT_EXPIRY_LIMITS.warning_days)]
    pub warning_days: i64,

    /// With --nagios: a certificate expiring within this many days is CRITICAL.
    #[arg(long, value_name = "DAYS", default_value_t = crate::judge::policy::DEFAULT_EXPIRY_LIMITS.critical_days)]
    pub critical_days: i64,

    /// Write Prometheus metrics to FILE (atomically, for node_exporter's textfile collector);
    /// one file for a single run or a whole fleet.
    #[arg(long, value_name = "FILE")]
    pub prometheus: Option<PathBuf>,

    /// A fleet run ends after this many seconds whatever is left: domains not finished are
    /// named, what finished is written (exit status at least 1).
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub fleet_max_time: Option<f64>,

    /// Show the conversation of each failed probe (-vv: of every probe); passwords and AUTH
    /// data are always replaced by <redacted>.
    #[arg(short = 'v', long, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Colour the report: auto (when stdout is a terminal, NO_COLOR unset; CLICOLOR_FORCE
    /// forces it), always, never.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: ColorChoice,

    /// DNS discovery and provider only: no connections to mail servers.
    #[arg(long)]
    pub no_probe: bool,

    /// Do not ask the domain's own name servers (for networks that block outbound DNS).
    #[arg(long)]
    pub no_authoritative: bool,

    /// Ask each TLS port whether it still accepts TLS 1.0 and 1.1 (RFC 8996 deprecated them),
    /// and TLS 1.2 where the server chose 1.3: clients (every port but 25), all, off.
    #[arg(long, value_enum, default_value = "clients", value_name = "WHERE")]
    pub legacy_tls: LegacyTlsChoice,

    /// Do not check delivery security (MTA-STS, TLS-RPT, DANE, SPF, DMARC).
    #[arg(long)]
    pub no_delivery: bool,

    /// Ask DNS blocklists whether the sending addresses are listed: Spamhaus ZEN, SpamCop
    /// and PSBL (each first asked its RFC 5782 test addresses; see the README for their terms).
    #[arg(long)]
    pub blocklists: bool,

    /// Ask this DNS blocklist zone too (repeatable); without --blocklists, only the zones
    /// given here are asked.
    #[arg(long, value_name = "ZONE")]
    pub blocklist: Vec<String>,

    /// A saved message received from this domain (.eml, or its headers): the server that
    /// delivered it, read from its Received chain, gets the same reverse DNS, SPF and
    /// blocklist checks.
    #[arg(long, value_name = "FILE")]
    pub headers: Option<PathBuf>,

    /// Ask port 25 of the domain's SMTP servers whether they relay mail from here to an outside
    /// domain (MAIL FROM, RCPT TO, RSET; never DATA: nothing is sent).
    #[arg(long)]
    pub relay_test: bool,

    /// Do not fetch what mail clients are told (autoconfig, Autodiscover, Thunderbird's ISPDB).
    #[arg(long)]
    pub no_published: bool,

    /// Do not ask Mozilla's ISPDB (which then learns the domain and its MX domain).
    #[arg(long, conflicts_with = "ispdb_url")]
    pub no_ispdb: bool,

    /// Ask this ISPDB instead of Thunderbird's (an HTTPS base URL; a mirror, or tests).
    #[arg(long, value_name = "URL", default_value = crate::published::thunderbird::ISPDB_URL)]
    pub ispdb_url: String,

    /// Write the confirmed settings as a file a client imports (to stdout, or --output).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub export: Option<ExportChoice>,

    /// Write the --export file here (whole or not at all) and print the report as usual.
    #[arg(short = 'o', long, value_name = "FILE", requires = "export")]
    pub output: Option<PathBuf>,

    /// DNSKEY records (zone-file lines) to trust for DNSSEC besides the root's keys: for
    /// private and test zones.
    #[arg(long, value_name = "FILE")]
    pub trust_anchor: Option<PathBuf>,

    /// Standard ports to probe: a comma-separated subset of 993,143,995,110,465,587,25, or "none".
    #[arg(short = 'p', long, value_name = "LIST")]
    pub ports: Option<String>,

    /// Also probe PORT/PROTOCOL/SECURITY, e.g. 2525/smtp/starttls (protocol imap, pop3, smtp;
    /// security tls, starttls, plain); repeatable.
    #[arg(short = 's', long = "service", value_name = "PORT/PROTO/SEC")]
    pub services: Vec<String>,

    /// Also probe this host name on every selected service; repeatable.
    #[arg(long = "host", value_name = "NAME")]
    pub hosts: Vec<String>,

    /// Probe IPv4 addresses only.
    #[arg(short = '4', conflicts_with = "ipv6_only")]
    pub ipv4_only: bool,

    /// Probe IPv6 addresses only.
    #[arg(short = '6')]
    pub ipv6_only: bool,

    /// Which certificate authorities to trust.
    #[arg(long, value_enum, default_value = "both", value_name = "WHICH")]
    pub trust: TrustChoice,

    /// Trust the CA certificates in this PEM file as well (an internal CA).
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,

    /// Most connections open at once.
    #[arg(long, value_name = "N", default_value = "64")]
    pub concurrency: usize,

    /// Also log in once on the best incoming and outgoing setting. The password comes from
    /// MAILPROBE_PASSWORD or is asked for on the terminal; it is sent only over TLS with a
    /// trusted certificate, and never printed.
    #[arg(long)]
    pub login: bool,

    /// Login name for --login (default: the address given).
    #[arg(long, value_name = "NAME", requires = "login")]
    pub user: Option<String>,

    /// With --login: also send the password over plaintext or to an untrusted certificate.
    #[arg(long, requires = "login")]
    pub allow_insecure_login: bool,

    /// With --login: log in with this OAuth 2.0 access token (OAUTHBEARER or XOAUTH2) instead
    /// of a password. The token can also come from MAILPROBE_OAUTH_TOKEN; never give it as an
    /// argument, which other users can read.
    #[arg(long, value_name = "FILE", requires = "login")]
    pub oauth_token_file: Option<PathBuf>,

    /// Print a completion script for this shell and exit.
    #[arg(long, value_name = "SHELL", exclusive = true)]
    pub completions: Option<clap_complete::Shell>,

    /// Print the manual page (roff) and exit: `mailprobe --man > mailprobe.1`.
    #[arg(long, exclusive = true)]
    pub man: bool,

    /// Print the JSON Schema of --json (and of each --jsonl line) and exit.
    #[arg(long, exclusive = true)]
    pub json_schema: bool,
}

/// What `--login` needs before it can run: the password is read by the caller.
#[derive(Debug, Clone)]
pub struct LoginRequest {
    pub username: String,
    pub allow_insecure: bool,
    /// `--oauth-token-file`: the token is read by the caller, like the password.
    pub token_file: Option<PathBuf>,
}

/// How to present the run.
#[derive(Debug, Clone)]
pub struct Output {
    pub format: Format,
    /// `--export`, and the `--output` file (stdout when `None`).
    pub export: Option<(crate::render::export::ExportKind, Option<PathBuf>)>,
    pub color: ColorChoice,
    /// `-v` count: 1 shows failed probes' conversations, 2 every probe's.
    pub verbose: u8,
    /// `--prometheus FILE`.
    pub prometheus: Option<PathBuf>,
    /// `--warning-days`, `--critical-days`.
    pub limits: crate::judge::ExpiryLimits,
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Request {
    Run(Box<(Target, Options, Output, Option<LoginRequest>)>),
    Fleet(Box<crate::fleet::FleetRequest>),
    Completions(clap_complete::Shell),
    Man,
    JsonSchema,
}

impl Cli {
    /// Sorts the command line into a run, or one of the helper outputs.
    pub fn into_request(self) -> Result<Request, String> {
        if let Some(shell) = self.completions {
            return Ok(Request::Completions(shell));
        }
        if self.json_schema {
            return Ok(Request::JsonSchema);
        }
        if self.man {
            return Ok(Request::Man);
        }
        let fleet = self.targets.len() > 1
            || self.from.is_some()
            || self.jsonl
            || self.details
            || self.shard.is_some()
            || self.compare.is_some()
            || self.html.is_some();
        self.expiry_limits()?;
        for (path, flag) in [
            (&self.output, "--output"),
            (&self.html, "--html"),
            (&self.prometheus, "--prometheus"),
        ] {
            if let Some(path) = path {
                check_output_path(path, flag)?;
            }
        }
        // A flag that would be silently ignored is refused, with what to do instead.
        // (A fleet run refuses --export itself.)
        if !fleet && self.export.is_some() && self.output.is_none() {
            for (set, flag) in [
                (self.json, "--json"),
                (self.card, "--card"),
                (self.quiet, "-q"),
            ] {
                if set {
                    return Err(format!("--export without --output writes the file to standard output, so {flag} would not be shown: add --output FILE"));
                }
            }
        }
        if self.quiet && self.verbose > 0 {
            return Err("-v shows conversations in the full report; -q prints only the settings: use one of them".into());
        }
        if fleet {
            return self.into_fleet().map(|r| Request::Fleet(Box::new(r)));
        }
        self.into_options().map(|r| Request::Run(Box::new(r)))
    }

    /// A fleet run: every input line checked on its own, the shard taken.
    fn into_fleet(mut self) -> Result<crate::fleet::FleetRequest, String> {
        for (set, flag) in [
            (self.json, "--json (use --jsonl)"),
            (self.card, "--card"),
            (self.quiet, "-q"),
            (self.login, "--login"),
            (self.export.is_some(), "--export"),
            (self.verbose > 0, "-v"),
            (self.nagios, "--nagios"),
        ] {
            if set {
                return Err(format!("{flag} works with one domain, not in a fleet run (--from, --jsonl, --html, --compare, --shard or several domains)"));
            }
        }
        if self.parallel == 0 || self.parallel > 256 {
            return Err("--parallel must be between 1 and 256".into());
        }
        if !(self.rate.is_finite() && (0.0..=10_000.0).contains(&self.rate)) {
            return Err("--rate must be between 0 (no limit) and 10000".into());
        }
        if !(0..=3650).contains(&self.expiry_warn) {
            return Err("--expiry-warn must be between 0 and 3650 days".into());
        }
        let shard: Option<crate::fleet::shard::Shard> =
            self.shard.as_deref().map(str::parse).transpose()?;
        let list = match &self.from {
            Some(path) => Some(
                crate::fleet::input::read_list(
                    path,
                    Duration::from_secs_f64(self.max_time.clamp(0.001, 3600.0)),
                )
                .map_err(|e| format!("--from {}: {e}", crate::text::escape_controls(path)))?,
            ),
            None => None,
        };
        let mut inputs = crate::fleet::input::collect(&self.targets, list.as_deref());
        let before = inputs.targets.len();
        if let Some(s) = shard {
            inputs.targets.retain(|t| s.holds(&t.domain.ascii));
        }
        let other_shards = before - inputs.targets.len();
        // One domain (with --html or --compare) still gets its whole report.
        let single = self.targets.len() == 1 && self.from.is_none();
        let fleet_deadline = match self.fleet_max_time {
            Some(s) if s.is_finite() && s > 0.0 && s <= 7.0 * 86_400.0 => {
                Some(Duration::from_secs_f64(s))
            }
            Some(_) => {
                return Err(
                    "--fleet-max-time must be more than 0 and at most 604800 seconds (a week)"
                        .into(),
                )
            }
            None => None,
        };
        let (prometheus, limits) = (self.prometheus.take(), self.expiry_limits()?);
        let (jsonl, details, html, compare, expiry_warn, color) = (
            self.jsonl,
            self.details || single,
            self.html.take(),
            self.compare.take(),
            self.expiry_warn,
            self.color,
        );
        let rate = (self.rate > 0.0).then_some(self.rate);
        let parallel = self.parallel;
        let targets = std::mem::take(&mut inputs.targets);
        let (base, _, _) = self.into_settings(None)?;
        Ok(crate::fleet::FleetRequest {
            fleet: crate::fleet::FleetOptions {
                base,
                targets,
                parallel,
                rate,
            },
            bad: inputs.bad,
            duplicates: inputs.duplicates,
            other_shards,
            jsonl,
            details,
            html,
            compare,
            expiry_warn,
            prometheus,
            limits,
            deadline: fleet_deadline,
            color: match color {
                ColorChoice::Always => Some(true),
                ColorChoice::Never => Some(false),
                ColorChoice::Auto => None,
            },
        })
    }
}

/// Writes the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    use clap::CommandFactory;
    clap_complete::generate(shell, &mut Cli::command(), "mailprobe", out);
}

/// Writes the manual page (roff).
pub fn man_page(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use clap::CommandFactory;
    clap_mangen::Man::new(Cli::command()).render(out)
}

impl Cli {
    /// Validates everything; the error is one line for the user, and means exit status 2.
    pub fn into_options(self) -> Result<(Target, Options, Output, Option<LoginRequest>), String> {
        let text = self.targets.first().cloned().unwrap_or_default();
        let target = parse_target(&text).map_err(|e| {
            format!(
                "invalid address '{}': {e}",
                crate::text::escape_controls(&text)
            )
        })?;
        let (options, output, login) = self.into_settings(target.address.clone())?;
        Ok((target, options, output, login))
    }

    /// Everything but the target (a fleet's template: each domain brings its own);
    /// `address` is the target's user@domain, the login name unless `--user` gives one.
    fn into_settings(
        self,
        address: Option<String>,
    ) -> Result<(Options, Output, Option<LoginRequest>), String> {
        if !(self.timeout.is_finite() && self.timeout > 0.0 && self.timeout <= 300.0) {
            return Err(format!(
                "--timeout must be more than 0 and at most 300 seconds, not {}",
                self.timeout
            ));
        }
        if !(self.max_time.is_finite() && self.max_time > 0.0 && self.max_time <= 3600.0) {
            return Err(format!(
                "--max-time must be more than 0 and at most 3600 seconds, not {}",
                self.max_time
            ));
        }
        if self.concurrency == 0 || self.concurrency > 1024 {
            return Err("--concurrency must be between 1 and 1024".into());
        }
        let dns = self
            .dns
            .iter()
            .map(|s| parse_nameserver(s))
            .collect::<Result<Vec<_>, _>>()?;
        let mut services = match &self.ports {
            None => STANDARD_SERVICES.to_vec(),
            Some(list) => parse_ports(list)?,
        };
        for spec in &self.services {
            let s: Service = spec.parse().map_err(|e| format!("--service: {e}"))?;
            if !services.contains(&s) {
                services.push(s);
            }
        }
        if services.is_empty() && !self.no_probe {
            return Err(
                "nothing to probe: --ports none needs at least one --service (or use --no-probe)"
                    .into(),
            );
        }
        let hosts = self
            .hosts
            .iter()
            .map(|h| parse_host(h))
            .collect::<Result<Vec<_>, _>>()?;
        if !self.ispdb_url.starts_with("https://") || self.ispdb_url.chars().any(char::is_control) {
            return Err("--ispdb-url: an https:// URL is needed".into());
        }
        let blocklists = self.blocklist_zones()?;
        let headers = self.delivering_hop()?;
        if self.relay_test && (self.no_delivery || self.no_probe) {
            return Err("--relay-test needs the probes and the sending checks (drop --no-probe and --no-delivery)".into());
        }
        // A port not probed is never "did not answer": the test is refused, not reported empty.
        if self.relay_test && !services.iter().any(Service::is_relay) {
            return Err("--relay-test needs port 25 probed (add 25 to --ports)".into());
        }
        let login = if self.login {
            let username = self
                .user
                .clone()
                .or(address)
                .ok_or("--login needs an address (user@domain) or --user NAME")?;
            if username.is_empty()
                || username
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace())
            {
                return Err("--user: the login name may not be empty or contain spaces or control characters".into());
            }
            if self.no_probe {
                return Err("--login cannot be combined with --no-probe".into());
            }
            Some(LoginRequest {
                username,
                allow_insecure: self.allow_insecure_login,
                token_file: self.oauth_token_file.clone(),
            })
        } else {
            None
        };
        if self.export.is_some() && self.no_probe {
            return Err(
                "--export needs probes: it exports only confirmed settings (drop --no-probe)"
                    .into(),
            );
        }
        let limits = self.expiry_limits()?;
        let format = if self.json {
            Format::Json
        } else if self.card {
            Format::Card
        } else if self.quiet {
            Format::Quiet
        } else if self.nagios {
            Format::Nagios
        } else {
            Format::Human
        };
        Ok((
            Options {
                dns_servers: dns,
                timeout: Duration::from_secs_f64(self.timeout),
                max_time: Duration::from_secs_f64(self.max_time),
                probe: !self.no_probe,
                services,
                extra_hosts: hosts,
                ca_file: self.ca_file,
                concurrency: self.concurrency,
                login: None,
                trust: match self.trust {
                    TrustChoice::Builtin => TrustSource::Builtin,
                    TrustChoice::System => TrustSource::System,
                    TrustChoice::Both => TrustSource::Both,
                },
                family: match (self.ipv4_only, self.ipv6_only) {
                    (true, _) => Some(Family::V4),
                    (_, true) => Some(Family::V6),
                    _ => None,
                },
                transcripts: self.verbose > 0,
                legacy_tls: match self.legacy_tls {
                    LegacyTlsChoice::Clients => crate::probe::LegacyScope::Clients,
                    LegacyTlsChoice::All => crate::probe::LegacyScope::All,
                    LegacyTlsChoice::Off => crate::probe::LegacyScope::Off,
                },
                authoritative: !self.no_authoritative,
                delivery: !self.no_delivery,
                https_port: 443,
                published: !self.no_published,
                http_port: 80,
                ispdb_url: (!self.no_ispdb).then(|| self.ispdb_url.clone()),
                blocklists,
                relay_test: self.relay_test,
                headers,
                trust_anchor: self.trust_anchor,
                authority_port: 53,
            },
            Output {
                format,
                export: self.export.map(|e| {
                    let kind = match e {
                        ExportChoice::Autoconfig => crate::render::export::ExportKind::Autoconfig,
                        ExportChoice::Mobileconfig => {
                            crate::render::export::ExportKind::Mobileconfig
                        }
                    };
                    (kind, self.output.clone())
                }),
                color: self.color,
                verbose: self.verbose,
                limits,
                prometheus: self.prometheus.clone(),
            },
            login,
        ))
    }
}

impl Cli {
    /// `--warning-days` and `--critical-days`, checked.
    /// The hop that delivered the `--headers` message: read and parsed before the run.
    fn delivering_hop(&self) -> Result<Option<crate::sending::headers::Delivered>, String> {
        use crate::sending::headers::{read, HeadersError};
        let Some(path) = &self.headers else {
            return Ok(None);
        };
        if self.no_delivery {
            return Err("--headers needs the sending checks that --no-delivery turns off".into());
        }
        read(path).map(Some).map_err(|e| match e {
            HeadersError::Unreadable(why) => format!("--headers: {why}"),
            HeadersError::NotAMessage => "--headers: not a mail message (no header lines)".into(),
            HeadersError::NoReceived => "--headers: the message has no Received header (save it with its full headers: \"Show original\" or \"View source\")".into(),
            HeadersError::NoAddress(n) => format!("--headers: none of its {n} Received headers names the address of the server that delivered it"),
        })
    }

    /// The blocklist zones to ask: the defaults with `--blocklists`, then each `--blocklist`.
    fn blocklist_zones(&self) -> Result<Vec<String>, String> {
        use crate::sending::blocklists;
        let mut zones = match self.blocklists {
            true => blocklists::default_zones(),
            false => Vec::new(),
        };
        for zone in &self.blocklist {
            let parsed = crate::input::parse_domain(zone.trim_end_matches('.'))
                .map_err(|e| format!("--blocklist: {e}"))?;
            if !zones.contains(&parsed.ascii) {
                zones.push(parsed.ascii);
            }
        }
        if zones.len() > blocklists::MAX_LISTS {
            return Err(format!(
                "--blocklist: at most {} lists are asked",
                blocklists::MAX_LISTS
            ));
        }
        if !zones.is_empty() && self.no_delivery {
            return Err(
                "--blocklists needs the sending checks that --no-delivery turns off".into(),
            );
        }
        Ok(zones)
    }

    fn expiry_limits(&self) -> Result<crate::judge::ExpiryLimits, String> {
        let (w, c) = (self.warning_days, self.critical_days);
        if !(0..=3650).contains(&w) || !(0..=3650).contains(&c) || c > w {
            return Err(format!("--critical-days ({c}) must be at most --warning-days ({w}), both between 0 and 3650"));
        }
        Ok(crate::judge::ExpiryLimits {
            warning_days: w,
            critical_days: c,
        })
    }
}

/// An output file that cannot be written is a usage error, found before the run.
fn check_output_path(path: &std::path::Path, flag: &str) -> Result<(), String> {
    let shown = crate::text::escape_controls(&path.display().to_string());
    match crate::files::check(path) {
        Ok(()) => Ok(()),
        Err(crate::files::Unusable::Directory) => {
            Err(format!("{flag} {shown}: is a folder, not a file"))
        }
        Err(crate::files::Unusable::NoFolder) => Err(format!(
            "{flag} {shown}: the folder it would go in does not exist"
        )),
    }
}

/// `IP`, `IP:PORT`, `[IPv6]:PORT`; port 53 when none is given.
pub fn parse_nameserver(text: &str) -> Result<SocketAddr, String> {
    if let Ok(sa) = text.parse::<SocketAddr>() {
        return Ok(sa);
    }
    text.parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, 53))
        .map_err(|_| format!("--dns: '{text}' is not an IP address or IP:PORT"))
}

fn parse_ports(list: &str) -> Result<Vec<Service>, String> {
    if list.trim().eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let port: u16 = item
            .parse()
            .map_err(|_| format!("--ports: '{item}' is not a port number"))?;
        let s = standard_service(port).ok_or_else(|| {
            format!("--ports: {port} is not a standard mail port (993,143,995,110,465,587,25); use --service {port}/PROTOCOL/SECURITY")
        })?;
        if !out.contains(&s) {
            out.push(s);
        }
    }
    if out.is_empty() {
        return Err("--ports: empty list (use \"none\" to probe only --service entries)".into());
    }
    Ok(out)
}

fn parse_host(text: &str) -> Result<String, String> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(ip.to_string());
    }
    crate::input::parse_domain(text)
        .map(|d| d.ascii)
        .map_err(|e| format!("--host '{}': {e}", crate::text::escape_controls(text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<(Target, Options, Output, Option<LoginRequest>), String> {
        let mut full = vec!["mailprobe"];
        full.extend_from_slice(args);
        Cli::try_parse_from(full)
            .map_err(|e| e.to_string())?
            .into_options()
    }

    #[test]
    fn accepts_a_full_command_line() {
        let (_, o, out, _) = parse(&[
            "user@example.com",
            "--dns",
            "127.0.0.1:5353",
            "--dns",
            "::1",
            "--timeout",
            "2.5",
            "--ports",
            "993,587",
            "--service",
            "2525/smtp/starttls",
            "--host",
            "mx.example.net",
            "--json",
        ])
        .unwrap();
        assert_eq!(o.dns_servers.len(), 2);
        assert_eq!(o.dns_servers[1].port(), 53);
        assert_eq!(o.timeout, Duration::from_millis(2500));
        assert_eq!(o.services.len(), 3);
        assert_eq!(o.extra_hosts, vec!["mx.example.net"]);
        assert_eq!(out.format, Format::Json);
    }

    #[test]
    fn rejects_bad_arguments_naming_the_flag() {
        let cases: &[(&[&str], &str)] = &[
            (&["user@"], "invalid address"),
            (&["example.com", "--dns", "not-an-ip"], "--dns"),
            (&["example.com", "--timeout", "0"], "--timeout"),
            (&["example.com", "--timeout", "-1"], "--timeout"),
            (&["example.com", "--timeout", "NaN"], "--timeout"),
            (&["example.com", "--ports", "8080"], "--ports"),
            (&["example.com", "--ports", "x"], "--ports"),
            (&["example.com", "--ports", "none"], "--ports none"),
            (&["example.com", "--service", "25/http/tls"], "--service"),
            (&["example.com", "--host", "bad host"], "--host"),
            (&["example.com", "--concurrency", "0"], "--concurrency"),
            (&["example.com", "--json", "--card"], "--card"),
            (&["example.com", "--color", "sometimes"], "--color"),
            (&["example.com", "--login"], "--login"),
            (&["user@example.com", "--user", "x"], "--login"),
            (&["user@example.com", "--login", "--no-probe"], "--no-probe"),
            (&["user@example.com", "--login", "--user", "a b"], "--user"),
        ];
        for (args, flag) in cases {
            let err = parse(args).expect_err(&format!("{args:?}"));
            assert!(err.contains(flag), "{args:?}: {err}");
        }
    }

    #[test]
    fn service_entries_alone_are_enough_to_probe() {
        let (_, o, _, _) = parse(&[
            "example.com",
            "--ports",
            "none",
            "--service",
            "2525/smtp/starttls",
            "--service",
            "10993/imap/tls",
        ])
        .unwrap();
        assert_eq!(
            o.services,
            vec![
                Service::new(
                    2525,
                    crate::service::Protocol::Smtp,
                    crate::service::Security::StartTls
                ),
                Service::new(
                    10993,
                    crate::service::Protocol::Imap,
                    crate::service::Security::Tls
                ),
            ]
        );
    }
}
