//! The JSON names of the engine's enums, spelt out: renaming a variant in the engine cannot
//! change the contract, and a new variant does not compile until it has a name here.

use crate::discover::MxStatus;
use crate::judge::findings::{Code, Severity};
use crate::judge::refusals::{Cause, Fixer};
use crate::judge::{NoMailbox, Status, Verdict};
use crate::net::dns::LookupError;
use crate::plan::Source;
use crate::probe::{CertVerdict, Heard, Phase, StartTlsState, TlsFailure};
use crate::provider::ProviderKind;
use crate::service::{Protocol, Security};

pub fn code(c: Code) -> &'static str {
    c.name()
}

pub fn seen(s: crate::sending::Seen) -> &'static str {
    use crate::sending::Seen;
    match s {
        Seen::Probe => "probe",
        Seen::Spf => "spf",
        Seen::Received => "received",
    }
}

pub fn usable(u: &crate::sending::blocklists::Usable) -> &'static str {
    use crate::sending::blocklists::Usable;
    match u {
        Usable::Yes => "usable",
        Usable::NotAsked => "not_asked",
        Usable::No(why) => cannot_tell(why),
    }
}

pub fn cannot_tell(why: &crate::sending::blocklists::CannotTell) -> &'static str {
    use crate::sending::blocklists::CannotTell;
    match why {
        CannotTell::ResolverRefused(_) => "resolver_refused",
        CannotTell::RateLimited(_) => "rate_limited",
        CannotTell::ErrorCode(_) => "error_code",
        CannotTell::TestPointNotListed => "test_point_not_listed",
        CannotTell::ListsEverything => "lists_everything",
        CannotTell::OddAnswer(_) => "odd_answer",
        CannotTell::NoIpv6 => "no_ipv6",
        CannotTell::LookupFailed(_) => "lookup_failed",
    }
}

pub fn blocklist_meaning(m: crate::sending::blocklists::Meaning) -> &'static str {
    use crate::sending::blocklists::Meaning;
    match m {
        Meaning::Spam => "spam",
        Meaning::LowReputation => "low_reputation",
        Meaning::Exploited => "exploited",
        Meaning::Hijacked => "hijacked",
        Meaning::PolicyIsp => "policy_isp",
        Meaning::PolicyList => "policy_list",
        Meaning::Listed => "listed",
    }
}

pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

pub fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Works => "works",
        Verdict::Warnings => "warnings",
        Verdict::Fails => "fails",
    }
}

pub fn published_method(m: crate::published::Method) -> &'static str {
    use crate::published::Method as M;
    match m {
        M::Autoconfig => "autoconfig",
        M::AutoconfigWellKnown => "autoconfig_well_known",
        M::Autodiscover => "autodiscover",
        M::AutodiscoverRoot => "autodiscover_domain",
        M::AutodiscoverRedirect => "autodiscover_redirect",
        M::AutodiscoverSrv => "autodiscover_srv",
        M::Srv => "srv",
        M::Ispdb => "ispdb",
        M::AutoconfigMx => "autoconfig_mx",
        M::IspdbMx => "ispdb_mx",
    }
}

pub fn protocol(p: Protocol) -> &'static str {
    match p {
        Protocol::Imap => "imap",
        Protocol::Pop3 => "pop3",
        Protocol::Smtp => "smtp",
    }
}

pub fn security(s: Security) -> &'static str {
    match s {
        Security::Tls => "tls",
        Security::StartTls => "starttls",
        Security::Plain => "plain",
    }
}

/// What the client is set to: `tls`, `starttls`, or `none` when the port offers no encryption.
pub fn client_security(s: crate::judge::ClientSecurity) -> &'static str {
    use crate::judge::ClientSecurity as C;
    match s {
        C::SslTls => "tls",
        C::StartTls => "starttls",
        C::None => "none",
    }
}

pub fn source(s: Source) -> &'static str {
    match s {
        Source::User => "user",
        Source::Srv => "srv",
        Source::Published => "published",
        Source::Provider => "provider",
        Source::ProtocolName => "protocol_name",
        Source::MailName => "mail_name",
        Source::CertificateName => "certificate_name",
        Source::Domain => "domain",
        Source::Mx => "mx",
    }
}

/// The run's verdict (`status`), and for `not_applicable` why (`status_reason`).
pub fn status(s: Status) -> &'static str {
    match s {
        Status::Discovered => "discovered",
        Status::Works => "works",
        Status::WorksWithWarnings => "works_with_warnings",
        Status::Refused => "refused",
        Status::NothingWorks => "nothing_works",
        Status::DnsFailed => "dns_failed",
        Status::NotApplicable(_) => "not_applicable",
    }
}

pub fn key_kind(k: crate::probe::tls::KeyKind) -> &'static str {
    use crate::probe::tls::KeyKind;
    match k {
        KeyKind::Rsa => "rsa",
        KeyKind::Ecdsa => "ecdsa",
        KeyKind::Ed25519 => "ed25519",
        KeyKind::Ed448 => "ed448",
        KeyKind::Other => "other",
    }
}

pub fn confidence(c: crate::judge::software::Confidence) -> &'static str {
    use crate::judge::software::Confidence;
    match c {
        Confidence::High => "high",
        Confidence::Medium => "medium",
        Confidence::Low => "low",
    }
}

pub fn refusal_cause(c: Cause) -> &'static str {
    match c {
        Cause::BadCredentials => "bad_credentials",
        Cause::AppPasswordRequired => "app_password_required",
        Cause::SmtpAuthDisabledForTenant => "smtp_auth_disabled_for_tenant",
        Cause::BasicAuthDisabled => "basic_auth_disabled",
        Cause::TooManyFailures => "too_many_failures",
        Cause::EncryptionRequired => "encryption_required",
        Cause::BackendUnavailable => "backend_unavailable",
        Cause::MailboxInUse => "mailbox_in_use",
        Cause::TooManyConnections => "too_many_connections",
        Cause::MailboxNotProvisioned => "mailbox_not_provisioned",
        Cause::MechanismTooWeak => "mechanism_too_weak",
        Cause::LoginTooSoon => "login_too_soon",
        Cause::ClientBlocklisted => "client_blocklisted",
        Cause::ClientRefused => "client_refused",
        Cause::ServerTlsBroken => "server_tls_broken",
        Cause::TokenRejected => "token_rejected",
        Cause::TokenScopeInsufficient => "token_scope_insufficient",
        Cause::Temporary => "temporary",
    }
}

pub fn refusal_fixer(f: Fixer) -> &'static str {
    match f {
        Fixer::User => "user",
        Fixer::TenantAdmin => "tenant_admin",
        Fixer::ServerAdmin => "server_admin",
        Fixer::Time => "time",
        Fixer::ClientNetwork => "client_network",
    }
}

pub fn status_reason(s: Status) -> Option<&'static str> {
    match s {
        Status::NotApplicable(NoMailbox::NoSuchDomain) => Some("no_such_domain"),
        Status::NotApplicable(NoMailbox::NullMx) => Some("null_mx"),
        Status::NotApplicable(NoMailbox::ForwardingOnly) => Some("forwarding_only"),
        Status::NotApplicable(NoMailbox::AppOnly) => Some("app_only"),
        _ => None,
    }
}

pub fn mx_status(s: MxStatus) -> &'static str {
    match s {
        MxStatus::Ok => "ok",
        MxStatus::NullMx => "null_mx",
        MxStatus::Implicit => "implicit",
        MxStatus::Nxdomain => "nxdomain",
        MxStatus::NoRecords => "no_records",
        MxStatus::DnsError => "dns_error",
    }
}

pub fn lookup_error(e: &LookupError) -> &'static str {
    match e {
        LookupError::NxDomain => "nx_domain",
        LookupError::NoRecords => "no_records",
        LookupError::ServFail => "serv_fail",
        LookupError::Refused => "refused",
        LookupError::Timeout => "timeout",
        LookupError::NoServer => "no_server",
        LookupError::ServerRefused => "server_refused",
        LookupError::Other(_) => "other",
    }
}

pub fn username_form(u: crate::provider::Username) -> &'static str {
    match u {
        crate::provider::Username::FullAddress => "full_address",
        crate::provider::Username::LocalPart => "local_part",
        crate::provider::Username::AccountName => "account_name",
    }
}

pub fn provider_kind(k: ProviderKind) -> &'static str {
    match k {
        ProviderKind::Mailbox => "mailbox",
        ProviderKind::Gateway => "gateway",
        ProviderKind::Forwarding => "forwarding",
        ProviderKind::NoImap => "no_imap",
        ProviderKind::Webhost => "webhost",
    }
}

pub fn heard(h: Heard) -> &'static str {
    match h {
        Heard::Imap => "imap",
        Heard::Pop3 => "pop3",
        Heard::Smtp => "smtp",
        Heard::Tls => "tls",
        Heard::Http => "http",
        Heard::Ssh => "ssh",
        Heard::Ftp => "ftp",
        Heard::Unknown => "unknown",
    }
}

pub fn phase(p: Phase) -> &'static str {
    match p {
        Phase::Connect => "connect",
        Phase::TlsHandshake => "tls_handshake",
        Phase::Greeting => "greeting",
        Phase::Capabilities => "capabilities",
        Phase::StartTls => "start_tls",
        Phase::Login => "login",
        Phase::Logout => "logout",
    }
}

pub fn starttls(s: StartTlsState) -> &'static str {
    match s {
        StartTlsState::NotOffered => "not_offered",
        StartTlsState::Upgraded => "upgraded",
        StartTlsState::Failed => "failed",
        StartTlsState::NotTried => "not_tried",
    }
}

pub fn cert_verdict(v: &CertVerdict) -> &'static str {
    match v {
        CertVerdict::Trusted => "trusted",
        CertVerdict::NameMismatch => "name_mismatch",
        CertVerdict::Expired => "expired",
        CertVerdict::NotYetValid => "not_yet_valid",
        CertVerdict::UnknownIssuer => "unknown_issuer",
        CertVerdict::Revoked => "revoked",
        CertVerdict::BadSignature => "bad_signature",
        CertVerdict::WrongPurpose => "wrong_purpose",
        CertVerdict::Other(_) => "other",
    }
}

pub fn tls_failure(t: &TlsFailure) -> &'static str {
    match t {
        TlsFailure::OldVersionsOnly => "old_versions_only",
        TlsFailure::NoCommonParameters => "no_common_parameters",
        TlsFailure::ClientCertificateRequired => "client_certificate_required",
        TlsFailure::ClosedDuringHandshake => "closed_during_handshake",
        TlsFailure::InvalidServerName => "invalid_server_name",
        TlsFailure::Alert(_) => "alert",
        TlsFailure::ServerFailed { .. } => "server_failed",
        TlsFailure::SignatureRejected { .. } => "signature_rejected",
        TlsFailure::Other(_) => "other",
    }
}

pub fn legacy_version(v: crate::probe::tls::legacy::LegacyVersion) -> &'static str {
    use crate::probe::tls::legacy::LegacyVersion as V;
    match v {
        V::Tls10 => "tls1.0",
        V::Tls11 => "tls1.1",
        V::Tls12 => "tls1.2",
    }
}

pub fn legacy_answer(a: &crate::probe::tls::legacy::LegacyAnswer) -> &'static str {
    use crate::probe::tls::legacy::LegacyAnswer as A;
    match a {
        A::Accepted { .. } => "accepted",
        A::Alert { .. } => "alert",
        A::OtherVersion { .. } => "other_version",
        A::Closed => "closed",
        A::NotTls => "not_tls",
        A::TimedOut => "timed_out",
    }
}
