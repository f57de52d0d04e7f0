//! Every sentence mailprobe prints, in one place: the typed outcomes of probing and the facts of
//! the judgement put into words. The report, the card, the JSON `message`/`hint`/`error` fields
//! and the CLI all take their words from here, so one outcome is always told the same way.
//! Text that came from outside (host names, banners, certificate fields) is passed through as
//! data; the renderers escape it.

mod authority;
mod delivery;
mod dns;
mod probe;
pub use probe::warning;
mod provider;
pub mod published;
mod recommend;
mod sending;
pub mod servers;

use crate::delivery::sender::DmarcPolicy;
use crate::discover::MxStatus;
use crate::judge::findings::{
    CertProblem, Code, DnssecBasis, Fact, Finding, HostLabel, MtaStsMode, PolicyFetch,
    SettingProblem, SettingRef, SlowGreeting, SpfSender, Unconfirmed,
};
use crate::judge::limits::Limit;
use crate::judge::policy::Absence;
use crate::judge::refusals::{Cause, Decoded, Fixer};
use crate::judge::token::TokenProblem;
use crate::judge::{ClientSecurity, NoMailbox, Status, Username};
use crate::net::address::AddressClass;
use crate::net::dns::LookupError;
use crate::probe::login::{LoginOutcome, LoginRefusal};
use crate::probe::{
    CertInfo, CertVerdict, Failure, FailureKind, Heard, LocalError, Phase, ServerReply, Skip,
    TlsFailure, Unreachable, MAX_LINE, MAX_PROBE_BYTES, MAX_REPLY_LINES,
};
use crate::provider::table::Note;
use crate::provider::PublishedSetting;
use crate::service::{Protocol, Security, Service};

// ---- small pieces -----------------------------------------------------------------------

pub fn phase(phase: Phase) -> &'static str {
    match phase {
        Phase::Connect => "connect",
        Phase::TlsHandshake => "the TLS handshake",
        Phase::Greeting => "the greeting",
        Phase::Capabilities => "the capability query",
        Phase::StartTls => "STARTTLS",
        Phase::Login => "the login",
        Phase::Logout => "logout",
    }
}

pub fn heard(heard: Heard) -> &'static str {
    match heard {
        Heard::Imap => "an IMAP greeting",
        Heard::Pop3 => "a POP3 greeting",
        Heard::Smtp => "an SMTP greeting",
        Heard::Tls => "TLS",
        Heard::Http => "HTTP",
        Heard::Ssh => "SSH",
        Heard::Ftp => "FTP",
        Heard::Unknown => "something unrecognised",
    }
}

/// "TLS 1.0 and TLS 1.1".
fn legacy_versions(versions: &[crate::probe::tls::legacy::LegacyVersion], joiner: &str) -> String {
    use crate::probe::tls::legacy::LegacyVersion;
    let names: Vec<&str> = versions
        .iter()
        .map(|v| match v {
            LegacyVersion::Tls10 => "TLS 1.0",
            LegacyVersion::Tls11 => "TLS 1.1",
            LegacyVersion::Tls12 => "TLS 1.2",
        })
        .collect();
    names.join(&format!(" {joiner} "))
}

/// A cipher suite by its IANA name, else its number.
pub fn cipher_suite(id: u16) -> String {
    crate::probe::tls::legacy::cipher_name(id)
        .map(str::to_string)
        .unwrap_or_else(|| format!("0x{id:04x}"))
}

pub fn unreachable(u: Unreachable) -> &'static str {
    match u {
        Unreachable::Network => "network is unreachable",
        Unreachable::Host => "no route to host",
    }
}

pub fn local_error(e: &LocalError) -> String {
    match e {
        LocalError::TooManyOpenFiles => {
            "this machine ran out of file descriptors (too many open files): lower --concurrency or raise ulimit -n".into()
        }
        LocalError::Other(text) => format!("local error: {text}"),
    }
}

pub fn address_class(c: AddressClass) -> &'static str {
    match c {
        AddressClass::Global => "a public address",
        AddressClass::Private => "a private address",
        AddressClass::Loopback => "a loopback address (this machine)",
        AddressClass::LinkLocal => "a link-local address (valid on one network link only)",
        AddressClass::Unspecified => "the unspecified address (it means \"this host\")",
        AddressClass::Multicast => "a multicast address",
        AddressClass::Broadcast => "the broadcast address",
        AddressClass::Documentation => "an address reserved for documentation",
        AddressClass::Reserved => "a reserved address no server is reachable on",
    }
}

pub fn skip(why: &Skip) -> String {
    match why {
        Skip::Address(class) => format!(
            "{} cannot be this domain's mail server",
            address_class(*class)
        ),
        Skip::ProbeBudget => "the run's probe budget was spent on better candidates".into(),
        Skip::RunDeadline => "the run's time limit (--max-time) was reached before it ended".into(),
        Skip::AddressBusy => "other names on this address used up the time it was given".into(),
    }
}

pub fn tls_failure(t: &TlsFailure) -> String {
    match t {
        TlsFailure::OldVersionsOnly => "the server only offers TLS versions older than 1.2".into(),
        TlsFailure::NoCommonParameters => {
            "the server refused the handshake (no common cipher suite or protocol version)".into()
        }
        TlsFailure::ClientCertificateRequired => {
            "the server requires a client certificate, which mail clients do not normally have"
                .into()
        }
        TlsFailure::ClosedDuringHandshake => {
            "the server closed the connection during the handshake".into()
        }
        TlsFailure::InvalidServerName => "the host name cannot be used as a TLS server name".into(),
        TlsFailure::Alert(code) => format!("the server ended the handshake with alert {}", alert(*code)),
        TlsFailure::SignatureRejected { key, bits } => format!(
            "the server's handshake signature did not verify with the {} {bits}-bit key of its certificate",
            key_kind(*key)
        ),
        TlsFailure::ServerFailed {
            alert: code,
            version,
            certificate,
        } => format!(
            "the server chose {}{}, then ended its own handshake with alert {}: a fault on the server's side (e.g. a key or certificate it cannot use), not an outdated client",
            tls_version(*version),
            if *certificate {
                " and sent its certificate"
            } else {
                ""
            },
            alert(*code)
        ),
        TlsFailure::Other(text) => text.clone(),
    }
}

/// An alert by its RFC name (`internal_error`), else its number.
fn alert(code: u8) -> String {
    crate::probe::tls::alert_name(code)
        .map(str::to_string)
        .unwrap_or_else(|| format!("number {code}"))
}

/// `0x0304` as "TLS 1.3".
fn tls_version(wire: u16) -> String {
    match wire {
        0x0300 => "SSL 3.0".into(),
        0x0301..=0x0304 => format!("TLS 1.{}", wire - 0x0301),
        other => format!("version 0x{other:04x}"),
    }
}

pub fn reply(r: &ServerReply) -> String {
    format!("\"{}\"", r.line)
}

/// The words of a DNS failure.
pub fn lookup_error(e: &LookupError) -> String {
    match e {
        LookupError::NxDomain => "the name does not exist (NXDOMAIN)".into(),
        LookupError::NoRecords => "no records of that type".into(),
        LookupError::ServFail => "the DNS server failed (SERVFAIL)".into(),
        LookupError::Refused => "the DNS server refused the query (REFUSED)".into(),
        LookupError::Timeout => "no answer from the DNS server (timeout)".into(),
        LookupError::NoServer => "no DNS server could be reached (is there a network?)".into(),
        LookupError::ServerRefused => {
            "nothing listens for DNS where the DNS server should be (connection refused)".into()
        }
        LookupError::Other(s) => format!("DNS failure: {s}"),
    }
}

/// A few words for tables: `NXDOMAIN`, `no records`, `timeout`, …
/// Said of a sending address receivers never meet (loopback, private, shared).
fn private_note(address: std::net::IpAddr) -> &'static str {
    if crate::net::address::is_global(address) {
        ""
    } else {
        " (a private address: what counts is the public address the mail leaves from)"
    }
}

pub fn lookup_error_short(e: &LookupError) -> String {
    match e {
        LookupError::NxDomain => "NXDOMAIN".into(),
        LookupError::NoRecords => "no records".into(),
        LookupError::ServFail => "SERVFAIL".into(),
        LookupError::Refused => "REFUSED".into(),
        LookupError::Timeout => "DNS timeout".into(),
        LookupError::NoServer => "no DNS server".into(),
        LookupError::ServerRefused => "DNS server refuses connections".into(),
        LookupError::Other(s) => s.clone(),
    }
}

/// The run's verdict, in the words every output uses for it.
pub fn status(s: Status) -> &'static str {
    match s {
        Status::Discovered => "looked up, not probed",
        Status::Works => "works",
        Status::WorksWithWarnings => "works with warnings",
        Status::Refused => "refused",
        Status::NothingWorks => "nothing works",
        Status::DnsFailed => "DNS failed",
        Status::NotApplicable(NoMailbox::NoSuchDomain) => "no such domain",
        Status::NotApplicable(NoMailbox::NullMx) => "accepts no mail",
        Status::NotApplicable(NoMailbox::ForwardingOnly) => "forwarding only",
        Status::NotApplicable(NoMailbox::AppOnly) => "app only",
    }
}

/// The verdict's mark: ✔ works, ! works but not cleanly, ✘ nothing a client can use, – nothing
/// to set up.
pub fn status_mark(s: Status) -> &'static str {
    match s {
        Status::Works => "✔",
        Status::WorksWithWarnings | Status::Discovered => "!",
        Status::Refused | Status::NothingWorks | Status::DnsFailed => "✘",
        Status::NotApplicable(_) => "–",
    }
}

/// What to pick in the mail client's security menu. Clients call the last choice "None";
/// said plainly, it is no encryption at all.
pub fn client_security(s: ClientSecurity) -> &'static str {
    match s {
        ClientSecurity::SslTls => "SSL/TLS",
        ClientSecurity::StartTls => "STARTTLS",
        ClientSecurity::None => "no encryption",
    }
}

/// The security of a service as the client's menu names it.
pub fn security(s: Security) -> &'static str {
    match s {
        Security::Tls => "SSL/TLS",
        Security::StartTls => "STARTTLS",
        Security::Plain => "no encryption",
    }
}

pub fn username(u: &Username) -> String {
    match u {
        Username::Given(name) | Username::Address(name) => name.clone(),
        Username::FullAddressAt(domain) => format!("the full email address (name@{domain})"),
        Username::LocalPart(name) => name.clone(),
        Username::LocalPartAt(domain) => format!("the part of the address before @{domain}"),
        Username::ProviderAccount => "the address of the provider account the mailbox belongs to (for iCloud+: the Apple Account's), not this one".into(),
    }
}

pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn list<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn ports(ports: &[u16]) -> String {
    format!("port {}", list(ports))
}

fn host_label(h: &HostLabel) -> String {
    if h.names.is_empty() {
        h.address.to_string()
    } else {
        format!("{} ({})", h.names.join(", "), h.address)
    }
}

pub fn setting_ref(s: &SettingRef) -> String {
    format!("{}:{} ({})", s.host, s.port, client_security(s.security))
}

fn published_setting(s: &PublishedSetting) -> String {
    endpoint(s.protocol, &s.host, s.port, s.security)
}

/// "IMAP imap.example.com:993 SSL/TLS": a setting as a provider or a client configuration
/// states it.
pub fn endpoint(protocol: Protocol, host: &str, port: u16, sec: Security) -> String {
    format!("{} {host}:{port} {}", protocol.name(), security(sec))
}

fn ip_list(addresses: &[std::net::IpAddr]) -> String {
    addresses
        .iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// "ns2 (addr) serves serial 5 with MX 10 old and has no address for new (its old MX host does
/// not answer SMTP from here: …)".
fn lagging_server(l: &crate::judge::findings::Lagging) -> String {
    let mut text = format!(
        "{} ({}) serves serial {} with MX {}",
        l.name,
        l.address,
        l.serial
            .map(|s| s.to_string())
            .unwrap_or_else(|| "?".into()),
        l.mx.as_ref()
            .map(|m| mx_list(m))
            .unwrap_or_else(|| "unknown".into())
    );
    if !l.no_address_for.is_empty() {
        text.push_str(&format!(
            " and has no address for {}",
            l.no_address_for.join(", ")
        ));
    }
    text.push_str(match l.old_mx_answers {
        Some(true) => " (its old MX host still answers SMTP from here)",
        Some(false) => " (its old MX host does not answer SMTP from here: senders that ask this server cannot deliver)",
        None => "",
    });
    text
}

/// ". This resolver holds that missing answer for new: probed at … (from the newest servers),
/// it works from here".
fn probed_from_source(p: &crate::judge::findings::ProbedFromSource) -> String {
    format!(
        ". This resolver holds that missing answer for {}, so clients using it cannot find the host; probed at {} (the newest servers' address), it {}",
        p.name,
        ip_list(&p.addresses),
        match p.works {
            Some(true) => "works from here",
            Some(false) => "does not work from here either",
            None => "was not probed",
        }
    )
}

fn mx_list(mx: &[(u16, String)]) -> String {
    if mx.is_empty() {
        return "(none)".into();
    }
    mx.iter()
        .map(|(p, e)| format!("{p} {e}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A duration in words: `45 s`, `12 min`, `2 h 13 min`, `3 d 4 h`.
pub fn duration(secs: u64) -> String {
    match secs {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 && s % 3600 < 60 => format!("{} h", s / 3600),
        s if s < 86_400 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        s if s % 86_400 < 3600 => format!("{} d", s / 86_400),
        s => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
    }
}

fn duration_from_now(secs: u64) -> String {
    if secs == 0 {
        "now".into()
    } else {
        format!("in {}", duration(secs))
    }
}

/// Why the zone's own servers were not asked.
pub fn not_asked(why: &crate::discover::authority::NotAsked) -> String {
    use crate::discover::authority::NotAsked;
    match why {
        NotAsked::Disabled => "not asked (--no-authoritative)".into(),
        NotAsked::NoZone(e) => format!(
            "not asked: the resolver gave no zone (SOA) for the domain ({}); a zone the resolver serves itself has no servers to ask",
            lookup_error_short(e)
        ),
        NotAsked::NoNameServers(e) => format!(
            "not asked: neither the resolver nor the parent zone named its name servers ({})",
            lookup_error_short(e)
        ),
    }
}

/// Unix seconds as `2026-11-23 21:40 UTC`.
pub fn utc_time(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
            t.format(&f).ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

/// The date part of an RFC 3339 time.
pub fn date(rfc3339: &str) -> &str {
    rfc3339.split('T').next().unwrap_or(rfc3339)
}

// ---- probe outcomes ---------------------------------------------------------------------

/// One sentence on why a probe of `service` failed, naming the phase.
/// What a transcript note records, in words.
pub fn transcript_event(service: Service, event: &crate::probe::transcript::Event) -> String {
    use crate::probe::transcript::Event;
    match event {
        Event::ConnectFailed(f) | Event::HandshakeFailed(f) => failure(service, f),
        Event::Certificate(Some(v)) => format!("verdict: {}", cert_verdict(v)),
        Event::Certificate(None) => "no certificate was judged".into(),
    }
}

pub fn failure(service: Service, f: &Failure) -> String {
    let protocol = service.protocol.name();
    match (&f.kind, f.phase) {
        (FailureKind::TimedOut, Phase::Connect) => {
            "no answer to the connection attempt (timed out): a firewall drops it, or the host is down".into()
        }
        (FailureKind::Refused, _) => "connection refused: no service listens on this port".into(),
        (FailureKind::Unreachable(u), _) => format!("unreachable: {}", unreachable(*u)),
        (FailureKind::Reset, Phase::Connect) => "connection reset while connecting".into(),
        (FailureKind::TimedOut, Phase::Greeting) if service.security != Security::Tls => format!(
            "connected, but no {protocol} greeting before the timeout (does this port expect implicit TLS?)"
        ),
        (FailureKind::TimedOut, Phase::TlsHandshake) => {
            "connected, but the TLS handshake stalled until the timeout".into()
        }
        (FailureKind::GreetingUnfinished, _) => format!(
            "the greeting began (220-) and its rest did not come in the time mailprobe waits ({} s on port 25, the timeout elsewhere): a greeting pause, not a dead server",
            crate::probe::session::SLOW_GREETING_LIMIT.as_secs()
        ),
        (FailureKind::TimedOut, p) => format!("timed out during {}", phase(p)),
        (FailureKind::ProtocolMismatch { heard: h, sample }, Phase::TlsHandshake) => {
            if *h == Heard::Unknown {
                format!("expected a TLS handshake, got plaintext: \"{sample}\"")
            } else {
                format!(
                    "expected a TLS handshake, but the port answered in plaintext with {} (\"{sample}\"): it is not an implicit-TLS port",
                    heard(*h)
                )
            }
        }
        (FailureKind::TlsAnswered { .. }, _) => format!(
            "no {protocol} greeting, but a TLS handshake on this port succeeded: it speaks implicit TLS, not plaintext/STARTTLS"
        ),
        (FailureKind::ProtocolMismatch { heard: h, sample }, _) => {
            format!("expected {protocol}, but the port speaks {} (\"{sample}\")", heard(*h))
        }
        (FailureKind::TlsHandshake(t), _) => format!("TLS handshake failed: {}", tls_failure(t)),
        (FailureKind::Rejected(r), Phase::Greeting) => {
            format!("the server turned the connection away: {}", reply(r))
        }
        (FailureKind::Rejected(r), Phase::StartTls) => {
            format!("STARTTLS was offered but refused: {}", reply(r))
        }
        (FailureKind::Rejected(r), p) => {
            format!("the server answered {} with an error: {}", phase(p), reply(r))
        }
        (FailureKind::StartTlsInjection { bytes }, _) => format!(
            "{bytes} bytes of plaintext arrived after the STARTTLS go-ahead: a sign of command injection by the server or a middlebox, so the upgrade was abandoned"
        ),
        (FailureKind::Closed, p) => format!("the server closed the connection during {}", phase(p)),
        (FailureKind::Reset, p) => format!("the connection was reset during {}", phase(p)),
        (FailureKind::LineTooLong, p) => format!(
            "the server sent a line longer than {MAX_LINE} bytes during {}",
            phase(p)
        ),
        (FailureKind::TooMuchData, p) => format!(
            "the server sent more than {} KiB during {}",
            MAX_PROBE_BYTES / 1024,
            phase(p)
        ),
        (FailureKind::TooManyLines, p) => format!(
            "the server sent more than {MAX_REPLY_LINES} lines in one reply during {}",
            phase(p)
        ),
        (FailureKind::PreAuthenticated, _) => "the server greeted with PREAUTH on an unencrypted connection: it logs anyone in without a password, and STARTTLS is no longer possible".into(),
        (FailureKind::Local(e), _) => local_error(e),
        (FailureKind::Skipped(why), _) => format!("not probed: {}", skip(why)),
        (FailureKind::Io(text), p) => format!("{text} during {}", phase(p)),
    }
}

/// The short label of a certificate verdict: the same words wherever a certificate is judged.
pub fn cert_verdict(v: &CertVerdict) -> String {
    match v {
        CertVerdict::Trusted => "trusted".into(),
        CertVerdict::NameMismatch => "certificate not valid for this name".into(),
        CertVerdict::Expired => "certificate expired".into(),
        CertVerdict::NotYetValid => "certificate not valid yet".into(),
        CertVerdict::UnknownIssuer => "certificate from an untrusted issuer".into(),
        CertVerdict::Revoked => "certificate revoked".into(),
        CertVerdict::BadSignature => "certificate signature does not verify".into(),
        CertVerdict::WrongPurpose => "certificate not meant for a server".into(),
        CertVerdict::Other(text) => format!("certificate not trusted ({text})"),
    }
}

pub fn login_refusal(r: &LoginRefusal) -> String {
    match r {
        LoginRefusal::NotEncrypted => "the connection is not encrypted; the password is never sent in clear (use --allow-insecure-login to override)".into(),
        LoginRefusal::UntrustedCertificate(v) => format!(
            "{}; the password is not sent (use --allow-insecure-login to override)",
            cert_verdict(v)
        ),
        LoginRefusal::LoginDisabled => "the server advertises LOGINDISABLED and no SASL PLAIN".into(),
        LoginRefusal::NoAuthOffered => "the server offers no AUTH on this port".into(),
        LoginRefusal::NoSupportedMechanism(m) => {
            format!("no supported mechanism (offered: {})", m.join(" "))
        }
        LoginRefusal::NoOAuthMechanism(m) => format!(
            "the server offers neither OAUTHBEARER nor XOAUTH2, so a token cannot be used here (offered: {})",
            if m.is_empty() { "nothing".to_string() } else { m.join(" ") }
        ),
        LoginRefusal::UnsafeCredentials => "the username or password contains a line break or NUL, which would be sent as extra protocol commands: nothing was sent".into(),
        LoginRefusal::NoWorkingSetting => "no working setting to log in to".into(),
    }
}

pub fn login_outcome(service: Service, o: &LoginOutcome) -> String {
    match o {
        LoginOutcome::Accepted { mechanism } => format!("accepted ({mechanism})"),
        LoginOutcome::Rejected {
            mechanism,
            reply: r,
            oauth,
        } => {
            let said = oauth.as_ref().map(oauth_error).unwrap_or_default();
            format!("rejected ({mechanism}): {}{said}", r.line)
        }
        LoginOutcome::NotUsable {
            mechanism,
            command,
            reply,
        } => format!(
            "accepted ({mechanism}), but the mailbox is not usable: {command} was answered {}",
            reply
                .as_ref()
                .map(|r| format!("\"{}\"", r.line))
                .unwrap_or_else(|| "with nothing (the connection closed or timed out)".into())
        ),
        LoginOutcome::NotAttempted(r) => format!("not attempted: {}", login_refusal(r)),
        LoginOutcome::Failed(f) => format!("failed: {}", failure(service, f)),
    }
}

/// What a token's own claims say (the signature is never checked: say so where it matters).
fn token_problem(p: &TokenProblem) -> String {
    match p {
        TokenProblem::Expired { at, seconds_ago } => format!(
            "the token expired at {} ({} ago), by its own claims: the login cannot succeed",
            utc_time(*at),
            duration(seconds_ago.unsigned_abs())
        ),
        TokenProblem::AudienceWrong { audiences, wanted } => format!(
            "the token is for {}, not for the mail service ({wanted}): it was requested for another API",
            if audiences.is_empty() { "no audience".to_string() } else { audiences.join(", ") }
        ),
        TokenProblem::ScopeMissing { protocol, wanted, has } => format!(
            "the token lacks {wanted}, which {} needs at its issuer's mail service (it has: {})",
            protocol.name(),
            if has.is_empty() { "none".to_string() } else { has.join(" ") }
        ),
        TokenProblem::UserMismatch { token_user, username } => format!(
            "the token was issued to {token_user}, not to {username}: the server will refuse it or log in as the other user"
        ),
        TokenProblem::Opaque => "the token is not a JWT (Google's are not): its expiry, audience and scopes cannot be read before it is used; mailprobe never checks a token's signature".into(),
    }
}

fn token_hint(p: &TokenProblem) -> &'static str {
    match p {
        TokenProblem::Expired { .. } => "Get a new access token (they last about an hour), or use the refresh token your tool keeps.",
        TokenProblem::AudienceWrong { .. } => "Request the token for https://outlook.office.com/ (e.g. scope https://outlook.office.com/IMAP.AccessAsUser.All), not for Microsoft Graph.",
        TokenProblem::ScopeMissing { .. } => "Add the scope to the application's API permissions (Office 365 Exchange Online) with admin consent, then get a new token.",
        TokenProblem::UserMismatch { .. } => "Sign in as the mailbox's user when getting the token, or pass that user with --user.",
        TokenProblem::Opaque => "Nothing to do; the server's answer will say whether the token works.",
    }
}

/// The error a server gave for a refused token, as it gave it.
fn oauth_error(e: &crate::probe::oauth::OAuthError) -> String {
    let parts: Vec<String> = [
        e.status.as_ref().map(|s| format!("status {s}")),
        e.scope.as_ref().map(|s| format!("scope {s}")),
        e.schemes.as_ref().map(|s| format!("schemes {s}")),
        e.openid_configuration
            .as_ref()
            .map(|s| format!("tokens from {s}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" (the server's error: {})", parts.join(", "))
    }
}

/// What a decoded refusal means, in plain words.
pub fn refusal_cause(c: Cause) -> &'static str {
    match c {
        Cause::BadCredentials => "the username or password is wrong (or the account does not exist)",
        Cause::AppPasswordRequired => "the provider wants an app password: 2-step verification is on for this account",
        Cause::SmtpAuthDisabledForTenant => "SMTP AUTH is turned off for this Microsoft 365 tenant or mailbox: the password may be right",
        Cause::BasicAuthDisabled => "password (basic) authentication is turned off for this account: only OAuth works",
        Cause::TooManyFailures => "too many failed logins: the provider blocks password logins for a while",
        Cause::EncryptionRequired => "the server takes passwords only over TLS: no password login is possible without it",
        Cause::BackendUnavailable => "the server's authentication backend or mailbox store is unavailable: not a password problem",
        Cause::MailboxInUse => "another session holds the mailbox (POP3 allows one at a time)",
        Cause::TooManyConnections => "too many connections from this user and address",
        Cause::MailboxNotProvisioned => "the account logs in but has no usable mailbox (licence, mailbox or permission missing)",
        Cause::MechanismTooWeak => "the authentication mechanism is too weak for this server's policy",
        Cause::LoginTooSoon => "a login came sooner than the server's minimum delay between logins",
        Cause::ClientBlocklisted => "the address this run came from is on a blocklist the server uses: it says nothing about the server",
        Cause::ClientRefused => "the server's policy refuses this client: it offers no SMTP service to this address",
        Cause::ServerTlsBroken => "the server offers STARTTLS but cannot start TLS: its certificate or key is missing or unreadable",
        Cause::TokenRejected => "the server refuses the token itself: expired, revoked, or issued for another service or user",
        Cause::TokenScopeInsufficient => "the token lacks the scope this protocol needs",
        Cause::Temporary => "a temporary refusal",
    }
}

/// Bytes as a person reads them (decimal units, as mail servers count).
pub fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000_000 => format!("{:.1} GB", b as f64 / 1e9),
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{:.0} kB", b as f64 / 1e3),
        b => format!("{b} bytes"),
    }
}

/// What an advertised limit means for the mailbox's users.
pub fn advertised_limit(limit: Limit) -> String {
    match limit {
        Limit::MessageSize { bytes, attachment } => format!(
            "accepts messages up to {} (SIZE {bytes}): attachments up to about {}, as base64 makes them a third larger",
            size(bytes),
            size(attachment)
        ),
        Limit::NoSmtpUtf8 => "does not offer SMTPUTF8: addresses with non-ASCII characters (e.g. josé@…) cannot be sent through it".into(),
        Limit::AuthBeforeTls => "offers a password login before STARTTLS: a client set to \"None\" would send the password in clear, and the server offers to take it".into(),
        Limit::VrfyEnabled => "answers VRFY: anyone can test which addresses exist".into(),
        Limit::AppendLimit { bytes } => format!("stores messages up to {} (APPENDLIMIT): larger sent mail is not saved to Sent", size(bytes)),
        Limit::Pop3Expire { days: 0 } => "deletes mail from the server once it is downloaded over POP3 (EXPIRE 0): a second device or a phone will not see it".into(),
        Limit::Pop3Expire { days } => format!("keeps mail downloaded over POP3 for {days} days (EXPIRE {days}), then deletes it"),
        Limit::Pop3LoginDelay { seconds } => format!("allows a POP3 login only every {seconds} s (LOGIN-DELAY): set the client to check less often"),
    }
}

fn advertised_limit_hint(limit: Limit) -> Option<&'static str> {
    Some(match limit {
        Limit::MessageSize { .. } => "Larger files need a link (cloud storage) instead of an attachment, or a higher limit (Postfix message_size_limit).",
        Limit::NoSmtpUtf8 => "Only matters for international addresses; Postfix enables it with smtputf8_enable = yes.",
        Limit::AuthBeforeTls => "Set the client to STARTTLS or SSL/TLS; on the server refuse logins before TLS (Postfix smtpd_tls_auth_only = yes, Dovecot disable_plaintext_auth = yes).",
        Limit::VrfyEnabled => "Turn it off unless needed (Postfix disable_vrfy_command = yes).",
        Limit::Pop3Expire { days: 0 } => "Use IMAP on every device, or set the POP3 client to leave messages on the server if the provider allows it.",
        Limit::Pop3LoginDelay { .. } => "Poll no more often than this, or mail checks fail until the delay has passed.",
        Limit::AppendLimit { .. } | Limit::Pop3Expire { .. } => return None,
    })
}

/// A key's kind as people name it.
pub fn key_kind(k: crate::probe::tls::KeyKind) -> &'static str {
    use crate::probe::tls::KeyKind;
    match k {
        KeyKind::Rsa => "RSA",
        KeyKind::Ecdsa => "ECDSA",
        KeyKind::Ed25519 => "Ed25519",
        KeyKind::Ed448 => "Ed448",
        KeyKind::Other => "other",
    }
}

fn seconds(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

/// A slow greeting, with the cause its timings point to.
fn slow_greeting(on: &str, cause: SlowGreeting, first_ms: u64, last_ms: u64) -> String {
    match cause {
        SlowGreeting::TeaserPause => format!(
            "{on} sent the first line of its greeting (220-) at once and the rest after {}: an anti-spam greeting pause (Postfix postscreen)",
            seconds(last_ms)
        ),
        SlowGreeting::LookupTimeout { seconds: s } => format!(
            "{on} greeted after {}, about a {s} s lookup timeout: the server looks up this client's address (reverse DNS or ident) and the lookup times out",
            seconds(first_ms)
        ),
        SlowGreeting::SmtpOnly => format!(
            "{on} greeted after {} while the other protocols on the same address answered at once: a deliberate SMTP greeting delay",
            seconds(first_ms)
        ),
        SlowGreeting::Unexplained => format!(
            "{on} greeted after {}: a busy server, a tarpit or a proxy on the path",
            seconds(first_ms)
        ),
    }
}

fn slow_greeting_hint(cause: SlowGreeting) -> &'static str {
    match cause {
        SlowGreeting::TeaserPause => "Normal on a receiving server (postscreen_greet_wait, 6 s by default): senders wait. Mail clients should submit on 587 or 465, where postscreen does not run.",
        SlowGreeting::LookupTimeout { .. } => "On the server, repair its resolver (/etc/resolv.conf) or turn the lookup off (Postfix smtpd_peername_lookup = no, Exim rfc1413_query_timeout = 0s); a reverse DNS name for this client's address also helps.",
        SlowGreeting::SmtpOnly => "A greeting delay (Sendmail greet_pause, Postfix sleep in smtpd_client_restrictions, an Exim connect ACL delay) belongs on port 25 only, never on the submission ports.",
        SlowGreeting::Unexplained => "Try again later; if it stays slow, check the server's load and any proxy or firewall in front of it.",
    }
}

/// The hint of a decoded refusal: who fixes it and how, and where the reply is documented.
fn decoded_hint(d: &Decoded) -> String {
    format!(
        "{} The reply is documented at {}.",
        refusal_fix(d.cause, d.fixer),
        d.source
    )
}

/// Who fixes a decoded refusal, and how.
pub fn refusal_fix(c: Cause, fixer: Fixer) -> String {
    let who = match fixer {
        Fixer::User => "The mailbox's user can fix it",
        Fixer::TenantAdmin => "The organisation's mail administrator can fix it",
        Fixer::ServerAdmin => "The mail server's administrator can fix it",
        Fixer::Time => "It passes with time",
        Fixer::ClientNetwork => "Whoever runs the network this run came from can fix it",
    };
    let step = match c {
        Cause::BadCredentials => "check the username (often the full address) and the password",
        Cause::AppPasswordRequired => "create an app password in the account's security settings and use it instead of the account password",
        Cause::SmtpAuthDisabledForTenant => "enable SMTP AUTH for the mailbox (Set-CASMailbox -SmtpClientAuthenticationDisabled $false) or the tenant, or send through OAuth or a connector",
        Cause::BasicAuthDisabled => "use a client that signs in with OAuth (modern authentication)",
        Cause::TooManyFailures => "wait, then log in once with the right (app) password",
        Cause::EncryptionRequired => "connect with SSL/TLS or STARTTLS",
        Cause::BackendUnavailable => "check the authentication service and the mailbox store; retry later",
        Cause::MailboxInUse => "close the other client (or phone) that has the mailbox open",
        Cause::TooManyConnections => "close other clients or devices on this account, or raise the per-user limit",
        Cause::MailboxNotProvisioned => "assign a licence with a mailbox and enable IMAP/POP for it",
        Cause::MechanismTooWeak => "allow a stronger mechanism, or use one over TLS",
        Cause::LoginTooSoon => "wait the server's login delay; check no other client polls this mailbox too often",
        Cause::ClientBlocklisted => "test from another network; the network's owner can ask the blocklist for removal (mail clients submitting on 587 or 465 are usually not affected)",
        Cause::ClientRefused => "allow this client's network, or test from a network the server serves",
        Cause::ServerTlsBroken => "install a readable certificate and key (Postfix smtpd_tls_cert_file, Dovecot ssl_cert) and check the server's log",
        Cause::TokenRejected => "get a new token for this user and for the mail service (Microsoft: https://outlook.office.com; Google: https://mail.google.com/)",
        Cause::TokenScopeInsufficient => "add the protocol's scope to the application's registration (Microsoft: IMAP.AccessAsUser.All, POP.AccessAsUser.All, SMTP.Send) and get a new token",
        Cause::Temporary => "retry later",
    };
    format!("{who}: {step}.")
}

/// What a provider note tells the user.
pub fn provider_note(n: Note) -> String {
    match n {
        Note::AppPassword => "Third-party clients need an app password (or OAuth).".into(),
        Note::OAuthOnly => "Password login is switched off: the client must sign in with OAuth (modern authentication).".into(),
        Note::ImapOffByDefault => "IMAP/POP3 access must first be switched on in the webmail settings.".into(),
        Note::ImapAdminSetting => "IMAP must be allowed by the organisation's administrator.".into(),
        Note::MicrosoftBasicAuth => "IMAP and POP need OAuth (basic authentication ended in 2022); SMTP AUTH with a password is off for new tenants and, from the end of December 2026, off by default for existing ones (an admin can re-enable it); Microsoft is to announce the final removal date in the second half of 2027.".into(),
        Note::PremiumOnly => "IMAP/POP3 are a paid (premium) feature.".into(),
        Note::EndOfLife(date) => format!("The service ends on {date}."),
        Note::RetiringInto(successor) => format!("The service is being retired into {successor}."),
        Note::BridgeOnly => "Reading mail with a mail client needs the provider's bridge on the user's own computer (127.0.0.1), a paid-plan feature.".into(),
        Note::ProtonSmtpToken => "Business plans can send through smtp.protonmail.ch port 587 (STARTTLS) with an SMTP token made in the admin settings, no bridge needed.".into(),
        Note::MxAlsoServes(other) => format!("The same MX also serves {other}, which has no mailbox: if the domain uses only that, there is nothing to log in to."),
        Note::Defunct(when) => format!("The service shut down ({when}): its MX no longer filters or delivers mail, so mail sent to this domain may be lost or bounce."),
        Note::NoMailbox => "There is no mailbox here: mail is forwarded or handed to an application.".into(),
        Note::MailboxesElsewhere => "A filtering gateway: the mailboxes are elsewhere.".into(),
        Note::SharedHostCertificate => "Shared hosting: the certificate may only cover the server's own name; mailprobe suggests that name when so.".into(),
        Note::FoundByProbing => "Not a provider mailprobe knows: the settings are found by probing (usually mail.<domain> or the hosting server's own name).".into(),
    }
}

/// Why the card has no setting for one direction.
pub fn absence(
    why: &Absence,
    domain: &str,
    dns_error: Option<&LookupError>,
    resolvers: &[std::net::SocketAddr],
) -> String {
    let asked = format!("(asked {})", list(resolvers));
    match why {
        Absence::NoMailDomain(MxStatus::Nxdomain) => {
            format!("none: {domain} does not exist in DNS (NXDOMAIN) {asked}")
        }
        Absence::NoMailDomain(MxStatus::NullMx) => {
            format!("none: {domain} publishes a null MX, it accepts no mail")
        }
        Absence::NoMailDomain(_) => format!("none: {domain} has no MX and no address records"),
        Absence::DnsFailed => format!(
            "unknown: the MX lookup for {domain} failed ({}) {asked}, so nothing could be tried",
            dns_error.map(lookup_error).unwrap_or_else(|| "DNS failure".into())
        ),
        Absence::NotProbed => "not probed".into(),
        Absence::OnlyServerToServer => "none for mail clients: only port 25 answers, which is for server-to-server delivery (ask for submission on 587 or 465)".into(),
        Absence::NoClientMailbox {
            provider,
            forwarding: true,
        } => format!("none: {provider} only forwards this domain's mail, there is no mailbox here; use the settings of the mailbox it forwards to"),
        Absence::NoClientMailbox { provider, .. } => {
            format!("none: {provider} offers no IMAP/POP3/SMTP to mail clients; use its app or bridge")
        }
        Absence::NothingWorks => {
            "none works from here".into()
        }
    }
}

// ---- findings ---------------------------------------------------------------------------

pub fn message(f: &Finding) -> String {
    fact_message(&f.fact)
}

/// Whose word a DNSSEC status rests on, said every time.
fn dnssec_basis(b: &DnssecBasis) -> String {
    match b {
        DnssecBasis::Own { extra_anchors: 0 } => {
            "mailprobe's own validation from the root keys".into()
        }
        DnssecBasis::Own { extra_anchors } => format!(
            "mailprobe's own validation from the root keys and {}",
            count(
                *extra_anchors,
                "key from --trust-anchor",
                "keys from --trust-anchor"
            )
        ),
        DnssecBasis::Resolver(r) => {
            format!("by the AD bit of resolver {r}; mailprobe's own validation could not decide")
        }
    }
}

fn mta_sts_mode(mode: MtaStsMode) -> &'static str {
    match mode {
        MtaStsMode::Enforce => "enforce",
        MtaStsMode::Testing => "testing",
        MtaStsMode::None => "none",
    }
}

/// What a sender enforcing MTA-STS does about a host that fails the policy.
fn mta_sts_consequence(mode: MtaStsMode, host: &str) -> String {
    match mode {
        MtaStsMode::Enforce => {
            format!("senders that enforce MTA-STS will refuse to deliver to {host}")
        }
        MtaStsMode::Testing => {
            format!("in testing mode senders still deliver to {host} and report the failure")
        }
        MtaStsMode::None => {
            "the policy is switched off (mode none), so senders do not act on it".into()
        }
    }
}

pub fn policy_problem(p: &crate::delivery::mta_sts::PolicyProblem) -> String {
    use crate::delivery::mta_sts::PolicyProblem as P;
    match p {
        P::NoVersion => "no version line".into(),
        P::BadVersion(v) => format!("version {v}, not STSv1"),
        P::NoMode => "no mode".into(),
        P::BadMode(m) => format!("mode {m}, not enforce, testing or none"),
        P::NoMaxAge => "no max_age".into(),
        P::BadMaxAge(v) => format!("max_age {v} is not a number of seconds up to one year"),
        P::NoMx => "no mx line".into(),
        P::BadMxPattern(m) => format!("mx {m} is not a host name or *.name"),
        P::NotUtf8 => "not UTF-8 text".into(),
    }
}

pub fn old_run_error(e: &crate::fleet::compare::OldRunError) -> String {
    use crate::fleet::compare::OldRunError as E;
    match e {
        E::Open(why) => why.clone(),
        E::NotAReport(n) => format!("line {n} is not a mailprobe JSON report"),
        E::LineTooLong(n) => format!(
            "line {n} is longer than {} MiB",
            crate::fleet::compare::MAX_LINE_BYTES / 1024 / 1024
        ),
        E::NotARegularFile => "not a regular file (compare with the file of a finished run)".into(),
    }
}

pub fn fetch_error(e: &crate::net::http::FetchError) -> String {
    use crate::net::http::FetchError as F;
    match e {
        F::NoAddress => "the name has no address".into(),
        F::Timeout => "no answer in time".into(),
        F::Certificate(d) => format!("certificate refused: {d}"),
        F::Connect(d) => format!("connection failed: {d}"),
        F::Redirect { status, location } => format!(
            "HTTP {status} redirect{}, which senders do not follow",
            location
                .as_ref()
                .map(|l| format!(" to {l}"))
                .unwrap_or_default()
        ),
        F::TooLarge => format!(
            "larger than {} KiB",
            crate::net::http::MAX_BODY_BYTES / 1024
        ),
        F::Refused { address, class } => format!(
            "not fetched: its address {address} is {}, which mailprobe does not contact for this domain",
            address_class(*class)
        ),
        F::NoSlot => "not fetched: the run's connection limits left no slot in time".into(),
        F::Other(d) => d.clone(),
    }
}

fn spf_result(r: crate::delivery::sender::SpfResult) -> &'static str {
    use crate::delivery::sender::SpfResult as S;
    match r {
        S::Pass => "pass",
        S::Fail => "fail (-all: receivers may reject)",
        S::SoftFail => "softfail (~all: receivers mark it suspicious)",
        S::Neutral => "neutral (?all: no statement)",
        S::None => "none",
        S::TempError => "temporary error (a DNS lookup failed)",
        S::PermError => "permanent error (a syntax error or more than 10 DNS lookups)",
    }
}

fn dmarc_policy(p: DmarcPolicy) -> &'static str {
    match p {
        DmarcPolicy::None => "none",
        DmarcPolicy::Quarantine => "quarantine",
        DmarcPolicy::Reject => "reject",
    }
}

pub fn hint(f: &Finding) -> Option<String> {
    fact_hint(&f.fact)
}

/// The hint with the run's domain in place of `<domain>`: advice names the real records.
pub fn hint_for(f: &Finding, domain: &str) -> Option<String> {
    hint(f).map(|h| h.replace("<domain>", domain))
}

fn fact_message(fact: &Fact) -> String {
    match fact {
        Fact::Dns(f) => dns::message(f),
        Fact::Provider(f) => provider::message(f),
        Fact::Authority(f) => authority::message(f),
        Fact::Probe(f) => probe::message(f),
        Fact::Recommend(f) => recommend::message(f),
        Fact::Published(f) => published::message(f),
        Fact::Delivery(f) => delivery::message(f),
        Fact::Sending(f) => sending::message(f),
    }
}

pub fn unconfirmed(why: &Unconfirmed) -> String {
    match why {
        Unconfirmed::Failed {
            service,
            failure: f,
        } => failure(*service, f),
        Unconfirmed::Warnings(codes) => format!(
            "it answers, but {}",
            codes
                .iter()
                .map(|c| warning(*c, None))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        Unconfirmed::Skipped(why) => format!("it was not probed: {}", skip(why)),
        Unconfirmed::NotProbed => {
            "it was not probed (no address, or its port was not selected)".into()
        }
    }
}

fn no_working(what: &str, best: Option<&SettingRef>) -> String {
    match best {
        Some(r) => format!(
            "no {what} setting works cleanly; the best one, {}, works only with warnings",
            setting_ref(r)
        ),
        None => format!("no {what} setting works from here"),
    }
}

fn fact_hint(fact: &Fact) -> Option<String> {
    match fact {
        Fact::Dns(f) => dns::hint(f),
        Fact::Provider(f) => provider::hint(f),
        Fact::Authority(f) => authority::hint(f),
        Fact::Probe(f) => probe::hint(f),
        Fact::Recommend(f) => recommend::hint(f),
        Fact::Published(f) => published::hint(f),
        Fact::Delivery(f) => delivery::hint(f),
        Fact::Sending(f) => sending::hint(f),
    }
}

/// The protocol's name as the report shows it.
pub fn protocol(p: Protocol) -> &'static str {
    p.name()
}

/// A list by its name when mailprobe knows it, else by its zone.
fn blocklist_name(zone: &str, known: Option<&crate::sending::blocklists::KnownList>) -> String {
    match known {
        Some(k) => format!("{} ({zone})", k.name),
        None => zone.to_string(),
    }
}

/// "127.0.0.4 (an infected or exploited machine)"; a code without a known meaning alone.
fn listing_codes(codes: &[(std::net::Ipv4Addr, crate::sending::blocklists::Meaning)]) -> String {
    use crate::sending::blocklists::Meaning;
    let each: Vec<String> = codes
        .iter()
        .map(|(code, meaning)| match meaning {
            Meaning::Listed => code.to_string(),
            m => format!("{code} ({})", blocklist_meaning(*m)),
        })
        .collect();
    list(&each)
}

pub fn blocklist_meaning(m: crate::sending::blocklists::Meaning) -> &'static str {
    use crate::sending::blocklists::Meaning;
    match m {
        Meaning::Spam => "a source of spam",
        Meaning::LowReputation => "low reputation or snowshoe spam",
        Meaning::Exploited => "an infected or exploited machine",
        Meaning::Hijacked => "a hijacked or criminal network",
        Meaning::PolicyIsp => "an end-user range its ISP says should not send mail directly",
        Meaning::PolicyList => "an end-user range that should not send mail directly",
        Meaning::Listed => "listed",
    }
}

pub fn cannot_tell(why: &crate::sending::blocklists::CannotTell) -> String {
    use crate::sending::blocklists::CannotTell;
    match why {
        CannotTell::ResolverRefused(code) => format!("the list refuses this resolver (it answers {code}, its code for queries through public or shared resolvers)"),
        CannotTell::RateLimited(code) => format!("the list rate-limits this resolver (it answers {code}, its code for too many queries)"),
        CannotTell::ErrorCode(code) => format!("the list answers its error code {code} instead of a listing"),
        CannotTell::TestPointNotListed => "the list does not list its own test address 127.0.0.2 (RFC 5782): it is gone, or refuses this resolver silently".into(),
        CannotTell::ListsEverything => "the list lists its never-listed test address 127.0.0.1 (RFC 5782): it lists everything, as closed lists do".into(),
        CannotTell::OddAnswer(a) => format!("the answer {a} is not a list's answer (127.0.0.0/8): the resolver or the zone rewrites answers"),
        CannotTell::NoIpv6 => "the list gives no answers for IPv6 addresses".into(),
        CannotTell::LookupFailed(e) => format!("the lookup failed ({})", lookup_error_short(e)),
    }
}

fn cannot_tell_hint(why: &crate::sending::blocklists::CannotTell) -> &'static str {
    use crate::sending::blocklists::CannotTell;
    match why {
        CannotTell::ResolverRefused(_) => "Ask through a resolver of your own (not a public one such as 8.8.8.8) with --dns, or use the list's own lookup page.",
        CannotTell::TestPointNotListed => "Check the zone's spelling and that the list still runs; if it does, ask through a resolver of your own (--dns).",
        CannotTell::RateLimited(_) => "Ask again later or through a resolver of your own, or use the list's own lookup page.",
        CannotTell::ErrorCode(_) | CannotTell::ListsEverything => "Check the zone's spelling, and drop lists that have closed.",
        CannotTell::OddAnswer(_) => "Ask through a resolver that does not rewrite NXDOMAIN answers (--dns).",
        CannotTell::NoIpv6 => "Use a list that covers IPv6 (Spamhaus ZEN does) for IPv6 senders.",
        CannotTell::LookupFailed(_) => "Run it again: a failed lookup says nothing about a listing.",
    }
}

/// One address's blocklist answers: "listed on …", "not listed on …", "cannot tell on …".
pub fn blocklist_lines(
    b: &crate::sending::blocklists::Blocklists,
    address: std::net::IpAddr,
) -> Vec<String> {
    use crate::sending::blocklists::{known, Answer};
    let mine: Vec<_> = b.lookups.iter().filter(|l| l.address == address).collect();
    if mine.is_empty() {
        return Vec::new();
    }
    let mut lines = Vec::new();
    for l in &mine {
        if let Answer::Listed { codes, .. } = &l.answer {
            lines.push(format!(
                "LISTED on {}: {}",
                blocklist_name(&l.zone, known(&l.zone)),
                listing_codes(codes)
            ));
        }
    }
    let clean: Vec<&str> = mine
        .iter()
        .filter(|l| l.answer == Answer::NotListed)
        .map(|l| l.zone.as_str())
        .collect();
    if !clean.is_empty() {
        lines.push(format!("not listed on {}", list(&clean)));
    }
    let unknown: Vec<&str> = mine
        .iter()
        .filter(|l| matches!(l.answer, Answer::CannotTell(_)))
        .map(|l| l.zone.as_str())
        .collect();
    if !unknown.is_empty() {
        lines.push(format!("cannot tell on {}", list(&unknown)));
    }
    lines
}

/// Said under the sending section when no saved message was given.
pub const OUTSIDE_VIEW_ONLY: &str = "These are the servers seen from outside; mail may leave through another (an outbound relay or filter): --headers FILE, with a message received from this domain, checks the one that delivered it.";

/// "the saved message came from 203.0.113.5 (HELO mail.example.com) into mx.google.com".
pub fn received_line(d: &crate::sending::headers::Delivered) -> String {
    format!(
        "the saved message came from {}{}{}{} (Received header {} of {}, from the top)",
        d.address,
        d.helo
            .as_ref()
            .map(|h| format!(" (HELO {h})"))
            .unwrap_or_default(),
        d.reverse_seen
            .as_ref()
            .map(|r| format!(", which the receiver looked up as {r}"))
            .unwrap_or_default(),
        d.by.as_ref()
            .map(|b| format!(" into {b}"))
            .unwrap_or_default(),
        d.position,
        d.received_headers
    )
}

/// "refuses (554 5.7.1 …)", "RELAYS (…)", "incomplete".
pub fn relay_line(r: &crate::sending::Relay) -> String {
    use crate::judge::sending::RelayVerdict;
    // The judgement's verdict, worded short: the line and the finding never disagree.
    match crate::judge::sending::relay_verdict(r) {
        RelayVerdict::Relays { sender, .. } => {
            format!("RELAYS: RCPT TO an outside domain accepted after MAIL FROM:<{sender}>")
        }
        RelayVerdict::Refuses { reply: r } => format!("refuses ({})", reply(&r)),
        RelayVerdict::Incomplete { failure: Some(_) } => "incomplete (the session failed)".into(),
        RelayVerdict::Incomplete { failure: None } => {
            "incomplete (no answer to every command)".into()
        }
    }
}

/// "PTR mail.example.com, forward-confirmed; greets as mail.example.com".
pub fn reverse_line(r: &crate::sending::Reverse) -> String {
    use crate::sending::Ptr;
    let ptr = match &r.ptr {
        Ptr::Missing => "no PTR".to_string(),
        Ptr::LookupFailed(e) => format!("PTR unknown ({})", lookup_error_short(e)),
        Ptr::Names {
            confirmed: Some(name),
            ..
        } => format!("PTR {name}, forward-confirmed"),
        Ptr::Names { names, .. } => format!("PTR {}, does not resolve back", list(names)),
    };
    let said = match r.seen {
        crate::sending::Seen::Received => "said HELO",
        crate::sending::Seen::Probe | crate::sending::Seen::Spf => "greets as",
    };
    match (&r.greeting_name, r.greeting_confirmed) {
        (Some(name), Some(true)) => format!("{ptr}; {said} {name}, which resolves to it"),
        (Some(name), _) => format!("{ptr}; {said} {name}, which does not resolve to it"),
        (None, _) => ptr,
    }
}

/// The "Delivery to this domain" lines: (label, text), one per mechanism.
pub fn delivery_lines(d: &crate::delivery::Delivery) -> Vec<(&'static str, String)> {
    use crate::delivery::dane::TlsaLookup;
    use crate::delivery::mta_sts::{PolicyState, TxtState};
    use crate::delivery::sender::{Dmarc, SpfRecord};
    use crate::delivery::tls_rpt::TlsRpt;
    let mut lines = Vec::new();
    if let Some(s) = &d.mta_sts {
        let record = match &s.txt {
            TxtState::Present { id } => format!("record id {id}"),
            TxtState::Missing => "no _mta-sts record".into(),
            TxtState::Several => "several _mta-sts records".into(),
            TxtState::Invalid { .. } => "invalid _mta-sts record".into(),
            TxtState::LookupFailed(e) => {
                format!("record lookup failed ({})", lookup_error_short(e))
            }
        };
        let policy = match &s.policy {
            PolicyState::Fetched(p) => format!(
                "policy {}, mx {}, max_age {}",
                mta_sts_mode(p.mode),
                if p.mx.is_empty() {
                    "none".into()
                } else {
                    p.mx.join(", ")
                },
                duration(p.max_age)
            ),
            PolicyState::BadResponse { status, .. } => format!("policy: HTTP {status}"),
            PolicyState::Invalid { .. } => "policy invalid".into(),
            PolicyState::Unavailable(crate::net::http::FetchError::NoAddress) => {
                "no policy host".into()
            }
            PolicyState::Unavailable(e) => format!("policy unavailable ({})", fetch_error(e)),
        };
        lines.push(("MTA-STS", format!("{record}; {policy}")));
    }
    lines.push((
        "TLS-RPT",
        match &d.tls_rpt {
            TlsRpt::Present { report_to } => format!("reports to {}", report_to.join(", ")),
            TlsRpt::Missing => "none".into(),
            TlsRpt::Several => "several records (ignored)".into(),
            TlsRpt::Invalid { .. } => "invalid record".into(),
            TlsRpt::LookupFailed(e) => format!("lookup failed ({})", lookup_error_short(e)),
        },
    ));
    if let Some(dane) = &d.dane {
        for h in &dane.hosts {
            let text = match &h.lookup {
                TlsaLookup::Records { records, secure } => format!(
                    "{}: {}; mailprobe's validation: {}; resolver {}: {}",
                    h.host,
                    count(records.len(), "TLSA record", "TLSA records"),
                    match h.own.as_ref().map(|(v, _)| *v) {
                        Some(crate::net::dnssec::Validated::Secure) => "secure",
                        Some(crate::net::dnssec::Validated::Insecure) => "insecure",
                        Some(crate::net::dnssec::Validated::Bogus) => {
                            "no valid chain from the trust anchors"
                        }
                        Some(crate::net::dnssec::Validated::Indeterminate) => "undecided",
                        None => "not run",
                    },
                    dane.resolver,
                    if *secure { "AD (validated)" } else { "no AD" }
                ),
                TlsaLookup::None { .. } => format!("{}: no TLSA records", h.host),
                TlsaLookup::ServFail => format!("{}: TLSA lookup SERVFAIL", h.host),
                TlsaLookup::Failed(_) => format!("{}: TLSA lookup failed", h.host),
            };
            lines.push(("DANE", text));
        }
    }
    lines.push((
        "SPF",
        match &d.spf {
            SpfRecord::Present { record, .. } => record.clone(),
            SpfRecord::Missing => "none".into(),
            SpfRecord::Several => "several records (a permanent error)".into(),
            SpfRecord::Invalid { record } => format!("invalid: {record}"),
            SpfRecord::LookupFailed(e) => format!("lookup failed ({})", lookup_error_short(e)),
        },
    ));
    // One line per address: SPF's answer depends on the address, not the name.
    let mut seen: Vec<std::net::IpAddr> = Vec::new();
    for c in &d.spf_checks {
        if seen.contains(&c.address) {
            continue;
        }
        seen.push(c.address);
        let names: Vec<&str> = d
            .spf_checks
            .iter()
            .filter(|o| o.address == c.address)
            .map(|o| o.host.as_str())
            .collect();
        lines.push((
            "",
            format!(
                "from {} ({}): {}",
                c.address,
                names.join(", "),
                spf_result(c.result)
            ),
        ));
    }
    lines.push((
        "DMARC",
        match &d.dmarc {
            Dmarc::Present {
                policy, subdomains, ..
            } => format!(
                "p={}{}",
                dmarc_policy(*policy),
                subdomains
                    .map(|s| format!(", sp={}", dmarc_policy(s)))
                    .unwrap_or_default()
            ),
            Dmarc::Missing => "none".into(),
            Dmarc::Several => "several records (none applies)".into(),
            Dmarc::Invalid { record } => format!("invalid: {record}"),
            Dmarc::LookupFailed(e) => format!("lookup failed ({})", lookup_error_short(e)),
        },
    ));
    lines
}
