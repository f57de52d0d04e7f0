//! Policy: the one place that decides. What a client may be given, what counts as working,
//! how settings rank, the thresholds, how severe each finding is, and the exit status. The rest
//! of the judgement gathers facts; the renderers only put them into words.

mod authority;
mod delivery;
mod dns;
mod probe;
mod provider;
mod published;
mod recommend;
mod sending;

use super::findings::{Code, Fact, MtaStsMode, SettingProblem, Severity, Unconfirmed};
use super::{
    Alert, ExpiryLimits, NoMailbox, Recommendation, Recommended, SettingStatus, Status, Verdict,
};
use crate::delivery::sender::DmarcPolicy;
use crate::discover::{Discovery, MxStatus};
use crate::exits;
use crate::net::dns::LookupError;
use crate::plan::Source;
use crate::provider::ProviderKind;
use crate::service::{Protocol, Security, Service, STANDARD_SERVICES};

/// Whether a published-configuration source shows that nothing is published there: a 404 or
/// 410, no such record, no such name. A time-out, a refused certificate, a refused address, a
/// failed lookup or a server error shows nothing either way; a 401 is an Autodiscover that wants
/// a login, so something is there.
pub fn shows_absence(outcome: &crate::published::Outcome) -> bool {
    use crate::net::http::FetchError;
    use crate::published::Outcome;
    match outcome {
        Outcome::Status(status) => matches!(status, 404 | 410),
        Outcome::NoRecord | Outcome::Unavailable(FetchError::NoAddress) => true,
        _ => false,
    }
}

/// Certificates expiring sooner than this many days are reported.
pub const EXPIRY_WARNING_DAYS: i64 = 14;

/// `--compare`'s default (`--expiry-warn`): a week before the finding, so that a monitored
/// fleet hears of a certificate before any single run warns about it.
pub const EXPIRY_REGRESSION_DAYS: i64 = EXPIRY_WARNING_DAYS + 7;

/// Which changes since a compared run are worse (exit status 4); the rest are improvements
/// or harmless.
pub fn is_regression(change: &crate::fleet::compare::Change) -> bool {
    use crate::fleet::compare::Change;
    match change {
        Change::StoppedWorking { .. }
        | Change::MxChanged { .. }
        | Change::ProviderChanged { .. }
        | Change::CertificateExpiring { .. }
        | Change::NewError { .. }
        | Change::MtaStsPolicyChangedSameId { .. } => true,
        Change::SettingMoved { .. }
        | Change::CertificateStillExpiring { .. }
        | Change::MtaStsIdChangedSamePolicy { .. }
        | Change::NowWorking { .. }
        | Change::ErrorGone { .. } => false,
    }
}

/// Port 25 is for server-to-server delivery: never a mail client's outgoing setting.
pub fn client_may_use(service: &Service) -> bool {
    !service.is_relay()
}

/// Names mailprobe tried on its own guess, which nobody said serve mail.
pub fn guessed(source: Source) -> bool {
    matches!(
        source,
        Source::ProtocolName | Source::MailName | Source::CertificateName | Source::Domain
    )
}

/// Problems whose cause lies in the network between here and the servers, not in one host: told
/// once for every host and port they showed on.
pub fn one_cause_for_all_hosts(problem: &SettingProblem) -> bool {
    matches!(problem, SettingProblem::TlsInterceptionSuspected { .. })
}

/// Warnings that make a setting unfit to hand to anyone: using it would send the password to
/// whoever holds that certificate.
pub fn disqualifies(code: Code) -> bool {
    code == Code::TlsInterceptionSuspected
}

/// What the warnings of a probe that answered make of it. A cut capability list is noted but
/// does not make a setting less usable.
/// A key too small for today's clients and scanners: RSA under 2048 bits (rustls and Chrome
/// refuse them), an elliptic-curve key under 224 bits.
pub fn weak_key(key: crate::probe::tls::KeyKind, bits: u32) -> bool {
    use crate::probe::tls::KeyKind;
    match key {
        KeyKind::Rsa => bits > 0 && bits < 2048,
        KeyKind::Ecdsa => bits > 0 && bits < 224,
        _ => false,
    }
}

/// A signature resting on a broken hash (MD5, SHA-1): clients refuse such certificates.
pub fn weak_signature(hash: crate::probe::tls::SignatureHash) -> bool {
    use crate::probe::tls::SignatureHash;
    matches!(hash, SignatureHash::Md5 | SignatureHash::Sha1)
}

/// The limits a mailbox's user runs into, which the card carries; the others (VRFY, SMTPUTF8,
/// logins before TLS) are for whoever runs the server.
pub fn limit_on_card(limit: super::limits::Limit) -> bool {
    use super::limits::Limit;
    matches!(
        limit,
        Limit::MessageSize { .. } | Limit::Pop3Expire { days: 0 } | Limit::Pop3LoginDelay { .. }
    )
}

/// The largest attachment that fits in a message of `bytes`: base64 turns 3 bytes into 4 and
/// adds a line break every 76 characters (about 1.37 in all), and headers take a little more.
pub fn attachment_fits(bytes: u64) -> u64 {
    bytes.saturating_sub(8_192) * 100 / 137
}

/// A greeting slower than this (from the connection) is a finding.
pub const SLOW_GREETING_MS: u64 = 2_000;
/// A greeting line within this of the connection came at once.
pub const PROMPT_GREETING_MS: u64 = 1_000;
/// Common timeouts of a resolver or an ident query: a delay this long is a lookup giving up.
pub const LOOKUP_TIMEOUTS_S: [u64; 4] = [5, 10, 15, 30];
/// How close to a lookup timeout a delay must be to count as one.
pub const LOOKUP_TOLERANCE_MS: u64 = 400;

/// Noted, but no reason to use a setting less: a cut capability list, old TLS versions still
/// accepted beside the current ones (a hardening matter for whoever runs the server), and TLS
/// 1.3 alone (a matter for old devices only).
pub fn verdict(warnings: &[Code]) -> Verdict {
    let harmless = |c: &Code| {
        matches!(
            *c,
            Code::CapabilitiesTruncated | Code::TlsLegacyAccepted | Code::Tls13Only
        )
    };
    if warnings.iter().all(harmless) {
        Verdict::Works
    } else {
        Verdict::Warnings
    }
}

/// A setting is confirmed when it works cleanly: trusted certificate for the name, encrypted.
pub fn confirmed(verdict: Verdict) -> bool {
    verdict == Verdict::Works
}

/// Lower is better: confirmed first, then protocol (IMAP before POP3), security (implicit TLS,
/// then STARTTLS, then none), fewer warnings, where the name came from, a name made for the
/// protocol (`imap.` …), the standard port, and the name for a stable order.
pub fn rank(s: &SettingStatus) -> impl Ord {
    let security = match s.service.security {
        Security::Tls => 0,
        Security::StartTls => 1,
        Security::Plain => 2,
    };
    (
        s.verdict,
        s.service.protocol,
        security,
        s.warnings.len(),
        s.source,
        !named_for(&s.host, s.service.protocol),
        !is_standard(&s.service),
        s.host.clone(),
    )
}

/// `imap.` for IMAP, `pop.` for POP3, `smtp.` for SMTP: the name people expect to see.
pub fn named_for(host: &str, protocol: Protocol) -> bool {
    let prefixes: &[&str] = match protocol {
        Protocol::Imap => &["imap.", "imaps."],
        Protocol::Pop3 => &["pop.", "pop3.", "pops."],
        Protocol::Smtp => &["smtp.", "submission.", "smtps."],
    };
    prefixes.iter().any(|p| host.starts_with(p))
}

fn is_standard(service: &Service) -> bool {
    crate::service::standard_service(service.port) == Some(*service)
}

/// A host may be called "not serving mail" only if every standard port was asked.
pub fn all_standard_ports_probed(services: &[Service]) -> bool {
    STANDARD_SERVICES.iter().all(|s| services.contains(s))
}

/// Standard ports the user left out: nothing is concluded about them.
pub fn unprobed_standard_ports(services: &[Service]) -> Vec<u16> {
    STANDARD_SERVICES
        .iter()
        .filter(|s| !services.contains(s))
        .map(|s| s.port)
        .collect()
}

/// How serious each fact is.
pub fn severity(fact: &Fact) -> Severity {
    match fact {
        Fact::Dns(f) => dns::severity(f),
        Fact::Provider(f) => provider::severity(f),
        Fact::Authority(f) => authority::severity(f),
        Fact::Probe(f) => probe::severity(f),
        Fact::Recommend(f) => recommend::severity(f),
        Fact::Published(f) => published::severity(f),
        Fact::Delivery(f) => delivery::severity(f),
        Fact::Sending(f) => sending::severity(f),
    }
}

/// The settings handed to the client: the first of each list, where there is one.
pub fn chosen(rec: &Recommended) -> [Option<&Recommendation>; 2] {
    [rec.incoming.first(), rec.outgoing.first()]
}

/// What `--export` hands over: the best confirmed setting of each protocol (IMAP, POP3, then
/// SMTP submission). Nothing unconfirmed is ever exported.
pub fn exportable(rec: &Recommended) -> Vec<&Recommendation> {
    let mut out: Vec<&Recommendation> = Vec::new();
    for r in rec.incoming.iter().chain(&rec.outgoing) {
        if r.confirmed && !out.iter().any(|o| o.protocol == r.protocol) {
            out.push(r);
        }
    }
    out
}

/// Whether mail clients refuse this setting's certificate outright (expired, not yet valid,
/// untrusted, for another name): it answers, but a client set up with it cannot connect
/// without overriding a security warning.
pub fn clients_refuse(r: &Recommendation) -> bool {
    r.warnings.iter().any(|c| {
        matches!(
            *c,
            Code::CertificateExpired
                | Code::CertificateChainExpired
                | Code::CertificateNotYetValid
                | Code::CertificateUntrusted
                | Code::CertificateNameMismatch
                | Code::CertificateWeakKey
                | Code::CertificateWeakSignature
        )
    })
}

/// The one finding a card or a one-line summary must carry: the first error, else the first
/// warning (findings are kept in severity order); information never outranks the settings. A
/// warning counts only when it is about the domain as a whole or about a host of the chosen
/// settings: the card is not the place for a web host's certificate no client uses.
pub fn most_important(diagnosis: &super::Diagnosis) -> Option<&super::findings::Finding> {
    let chosen: Vec<&str> = chosen(&diagnosis.recommended)
        .into_iter()
        .flatten()
        .map(|r| r.host.as_str())
        .collect();
    let about_settings =
        |f: &&super::findings::Finding| f.host.as_deref().is_none_or(|h| chosen.contains(&h));
    let errors = diagnosis
        .findings
        .iter()
        .find(|f| f.severity == Severity::Error);
    errors.or_else(|| {
        diagnosis
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .find(about_settings)
    })
}

/// Whether the domain receives mail at all: a domain with no DNS name (NXDOMAIN) or with a
/// null MX (RFC 7505) has no mailbox to configure, no settings to recommend and nothing to
/// publish for clients.
pub fn receives_mail(discovery: &Discovery) -> bool {
    !matches!(discovery.mx_status, MxStatus::NullMx | MxStatus::Nxdomain)
}

/// The one verdict on a run (see [`super::Status`]). `logins` is `Some` when `--login` asked
/// for checks: all of them must have been accepted.
pub fn status(
    discovery: &Discovery,
    identification: &crate::provider::Identification,
    diagnosis: &super::Diagnosis,
    probed: bool,
    logins: Option<&[bool]>,
) -> Status {
    match discovery.mx_status {
        MxStatus::DnsError => return Status::DnsFailed,
        MxStatus::Nxdomain => return Status::NotApplicable(NoMailbox::NoSuchDomain),
        MxStatus::NullMx => return Status::NotApplicable(NoMailbox::NullMx),
        _ => {}
    }
    if !probed {
        return Status::Discovered;
    }
    if !client_setting_answers(diagnosis) {
        // A forwarding or app-only provider has no mailbox for clients: nothing to fail.
        return match identification.provider.as_ref().map(|p| &p.kind) {
            Some(ProviderKind::Forwarding) => Status::NotApplicable(NoMailbox::ForwardingOnly),
            Some(ProviderKind::NoImap) => Status::NotApplicable(NoMailbox::AppOnly),
            _ => Status::NothingWorks,
        };
    }
    let chosen = chosen(&diagnosis.recommended);
    let rejected_login = logins.is_some_and(|l| l.iter().any(|ok| !ok));
    if rejected_login || chosen.iter().flatten().any(|r| clients_refuse(r)) {
        return Status::Refused;
    }
    let errors = diagnosis
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error);
    let both_confirmed = chosen.iter().all(|r| r.is_some_and(|r| r.confirmed));
    let logins_checked = logins.is_none_or(|l| !l.is_empty());
    if both_confirmed && !errors && logins_checked {
        Status::Works
    } else {
        Status::WorksWithWarnings
    }
}

/// Whether anything a mail client could use answers: port 25 answering is a server's, not a
/// client's (unless client ports were not probed at all: `--ports 25` asks about delivery only).
fn client_setting_answers(diagnosis: &super::Diagnosis) -> bool {
    let answers = |client: bool| {
        diagnosis
            .settings
            .iter()
            .any(|s| s.verdict != Verdict::Fails && client_may_use(&s.service) == client)
    };
    let client_probed = diagnosis
        .settings
        .iter()
        .any(|s| client_may_use(&s.service) && s.was_probed());
    answers(true) || (!client_probed && answers(false))
}

/// What a monitoring system is told of a verdict. A domain that cannot be told apart from a dead
/// resolver is UNKNOWN (the check failed, not the service); one that does not exist, or that
/// nothing works for, is CRITICAL; a deliberate "no mail here" (null MX, forwarding) is OK.
pub fn alert(status: Status, mx_error: Option<&LookupError>) -> Alert {
    match status {
        Status::Works | Status::Discovered => Alert::Ok,
        Status::NotApplicable(NoMailbox::NoSuchDomain) => Alert::Critical,
        Status::NotApplicable(_) => Alert::Ok,
        Status::WorksWithWarnings => Alert::Warning,
        Status::Refused | Status::NothingWorks => Alert::Critical,
        Status::DnsFailed
            if matches!(
                mx_error,
                Some(LookupError::NoServer | LookupError::ServerRefused)
            ) =>
        {
            Alert::Unknown
        }
        Status::DnsFailed => Alert::Critical,
    }
}

/// The alert a certificate's remaining days raise.
pub fn expiry_alert(days_left: i64, limits: ExpiryLimits) -> Alert {
    if days_left <= limits.critical_days {
        Alert::Critical
    } else if days_left <= limits.warning_days {
        Alert::Warning
    } else {
        Alert::Ok
    }
}

/// The default `--warning-days` and `--critical-days`.
pub const DEFAULT_EXPIRY_LIMITS: ExpiryLimits = ExpiryLimits {
    warning_days: 21,
    critical_days: 7,
};

/// The monitoring-plugins exit status of an alert.
pub fn alert_exit(alert: Alert) -> u8 {
    match alert {
        Alert::Ok => 0,
        Alert::Warning => 1,
        Alert::Critical => 2,
        Alert::Unknown => 3,
    }
}

/// The exit status of a verdict (see [`crate::exits`]).
pub fn exit_code(status: Status) -> u8 {
    match status {
        Status::Discovered | Status::Works => exits::OK,
        Status::WorksWithWarnings | Status::Refused => exits::PROBLEMS,
        Status::NothingWorks | Status::DnsFailed | Status::NotApplicable(_) => exits::NOTHING_WORKS,
    }
}

/// The exit status of a fleet run: the worst of its domains (0, then 1, then 3 when none
/// works at all), 1 when input lines were refused, 4 when `--compare` found regressions.
pub fn fleet_exit(domain_codes: &[u8], refused_lines: usize, regressions: bool) -> u8 {
    if regressions {
        return exits::REGRESSIONS;
    }
    let all_failed =
        !domain_codes.is_empty() && domain_codes.iter().all(|c| *c == exits::NOTHING_WORKS);
    if all_failed {
        exits::NOTHING_WORKS
    } else if refused_lines > 0 || domain_codes.iter().any(|c| *c != exits::OK) {
        exits::PROBLEMS
    } else {
        exits::OK
    }
}

/// Why the card has no setting to give for one direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Absence {
    /// The domain's DNS says there is no mail here (NXDOMAIN, null MX, no records).
    NoMailDomain(MxStatus),
    /// The DNS lookup itself failed: nothing is known.
    DnsFailed,
    /// `--no-probe`, or no port of this direction was selected.
    NotProbed,
    /// Only port 25 answers: fine for servers, never a client's setting.
    OnlyServerToServer,
    /// The MX is a forwarding service (`forwarding`) or an app-only provider: no mailbox here.
    NoClientMailbox { provider: String, forwarding: bool },
    /// Everything that was tried failed.
    NothingWorks,
}

/// Why there is no setting for incoming (`incoming`) or outgoing mail, if there is none.
pub fn absence(
    discovery: &Discovery,
    identification: &crate::provider::Identification,
    diagnosis: &super::Diagnosis,
    probed: bool,
    incoming: bool,
) -> Option<Absence> {
    let rec = &diagnosis.recommended;
    let list = if incoming {
        &rec.incoming
    } else {
        &rec.outgoing
    };
    if !list.is_empty() {
        return None;
    }
    if let Some(p) = identification
        .provider
        .as_ref()
        .filter(|p| p.has_no_client_mailbox())
    {
        return Some(Absence::NoClientMailbox {
            provider: p.name.clone(),
            forwarding: p.kind == crate::provider::ProviderKind::Forwarding,
        });
    }
    let tried = diagnosis
        .settings
        .iter()
        .any(|s| s.service.protocol.is_incoming() == incoming);
    Some(match discovery.mx_status {
        MxStatus::DnsError => Absence::DnsFailed,
        status @ (MxStatus::Nxdomain | MxStatus::NullMx) => Absence::NoMailDomain(status),
        status @ MxStatus::NoRecords if !tried => Absence::NoMailDomain(status),
        _ if !probed || !tried => Absence::NotProbed,
        _ if !incoming && !rec.server_to_server.is_empty() => Absence::OnlyServerToServer,
        _ => Absence::NothingWorks,
    })
}
