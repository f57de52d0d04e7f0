//! What probing the servers showed: reachability, TLS, certificates, greetings, limits, tokens.
//! Each fact's code is here; its severity is in `judge::policy::probe` and its words in
//! `words::probe`: a fact without both does not compile.

use super::*;

codes! { Probe => ProbeCode {

    PortBlockedLocally = "port_blocked_locally",

    PortFiltered = "port_filtered",

    HostUnreachable = "host_unreachable",

    HostNotServingMail = "host_not_serving_mail",

    PortRefused = "port_refused",

    PortsNotProbed = "ports_not_probed",

    CertificateNameMismatch = "certificate_name_mismatch",

    CertificateValidForOtherHost = "certificate_valid_for_other_host",

    CertificateExpired = "certificate_expired",

    /// *New*: the leaf is valid, but an intermediate the server sends has expired.
    CertificateChainExpired = "certificate_chain_expired",

    CertificateExpiresSoon = "certificate_expires_soon",

    CertificateNotYetValid = "certificate_not_yet_valid",

    CertificateUntrusted = "certificate_untrusted",

    TlsInterceptionSuspected = "tls_interception_suspected",

    NoStarttls = "no_starttls",

    StarttlsFailed = "starttls_failed",

    StarttlsInjection = "starttls_injection",

    PlaintextOnly = "plaintext_only",

    TlsHandshakeFailed = "tls_handshake_failed",

    WrongProtocol = "wrong_protocol",

    PlaintextOnTlsPort = "plaintext_on_tls_port",

    TlsOnPlainPort = "tls_on_plain_port",

    NoGreeting = "no_greeting",

    GreetingRejected = "greeting_rejected",

    /// *New*: an SMTP greeting began (`220-`) and its rest never came.
    GreetingUnfinished = "greeting_unfinished",

    /// *New*: the greeting came, but slowly; the likely cause is named.
    GreetingSlow = "greeting_slow",

    /// *New*: no STARTTLS and no login without it: no password login is possible at all.
    NoStarttlsNoLogin = "no_starttls_no_login",

    /// *New*: an RSA key under 2048 bits or an EC key under 224.
    CertificateWeakKey = "certificate_weak_key",

    /// *New*: a certificate signed with MD5 or SHA-1.
    CertificateWeakSignature = "certificate_weak_signature",
    /// *New*: a must-staple certificate, and no OCSP response stapled to the handshake.
    CertificateMustStapleUnmet = "certificate_must_staple_unmet",

    /// *New*: the endpoint still accepts TLS 1.0 or 1.1 (RFC 8996).
    TlsLegacyAccepted = "tls_legacy_accepted",
    /// *New*: the server chose TLS 1.3 and refused a hello offering only TLS 1.2.
    Tls13Only = "tls13_only",

    /// *New*: a bearer token's claims, read before it is used.
    TokenExpired = "token_expired",

    TokenAudienceWrong = "token_audience_wrong",

    TokenScopeMissing = "token_scope_missing",

    TokenUserMismatch = "token_user_mismatch",

    TokenOpaque = "token_opaque",

    /// *New*: limits the chosen settings advertise before login.
    MessageSizeLimit = "message_size_limit",

    Smtputf8Missing = "smtputf8_missing",

    AuthBeforeTls = "auth_before_tls",

    VrfyEnabled = "vrfy_enabled",

    AppendLimit = "append_limit",

    Pop3Expire = "pop3_expire",

    Pop3LoginDelay = "pop3_login_delay",

    ImapPreauth = "imap_preauth",

    ServerSentTooMuch = "server_sent_too_much",

    CapabilitiesTruncated = "capabilities_truncated",

    LocalResourceExhausted = "local_resource_exhausted",

    AddressesTruncated = "addresses_truncated",

    PublishedSettingsTruncated = "published_settings_truncated",

    ProbeBudgetExhausted = "probe_budget_exhausted",

    RunDeadlineReached = "run_deadline_reached",

    CertificateNamesTruncated = "certificate_names_truncated",

    AddressInconsistent = "address_inconsistent",

    Ipv6Broken = "ipv6_broken",

    NoLocalIpv6 = "no_local_ipv6",

    FamilyLeftNothing = "family_left_nothing",

    AddressFailing = "address_failing",

    LoginDisabled = "login_disabled",
} }

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeFact {
    // Probing
    /// `-4`/`-6` left out every address the plan had: nothing was probed.
    FamilyLeftNothing {
        ipv6: bool,
        left_out: usize,
    },
    NoLocalIpv6 {
        addresses: usize,
    },
    PortBlockedLocally {
        port: u16,
        addresses: usize,
    },
    HostSilent {
        host: HostLabel,
    },
    HostUnreachable {
        host: HostLabel,
        why: Unreachable,
    },
    HostNotServingMail {
        host: HostLabel,
    },
    PortRefused {
        host: HostLabel,
        ports: Vec<u16>,
    },
    PortFiltered {
        host: HostLabel,
        ports: Vec<u16>,
    },
    /// Standard ports left out with `--ports`: nothing is concluded about them.
    PortsNotProbed {
        ports: Vec<u16>,
    },
    /// This machine ran out of a resource (file descriptors): the failures are local.
    LocalResourceExhausted {
        probes: usize,
    },
    /// More settings were published than are probed.
    PublishedSettingsTruncated {
        total: usize,
        kept: usize,
    },
    AddressesTruncated {
        name: String,
        total: usize,
        kept: usize,
    },
    ProbeBudgetExhausted {
        planned: usize,
        kept: usize,
    },
    RunDeadlineReached {
        skipped: usize,
    },
    CertificateNamesTruncated {
        subject: String,
        total: usize,
        kept: usize,
    },
    /// Some addresses of a working setting answer with problems the best one does not have.
    AddressInconsistent {
        host: String,
        port: u16,
        addresses: Vec<IpAddr>,
        warnings: Vec<Code>,
    },
    Setting {
        hosts: Vec<String>,
        ports: Vec<u16>,
        problem: SettingProblem,
    },
    Ipv6Broken {
        host: String,
        port: u16,
        addresses: Vec<IpAddr>,
    },
    AddressFailing {
        host: String,
        port: u16,
        addresses: Vec<IpAddr>,
    },
    CertificateValidForOtherHost {
        name: String,
        ports: Vec<u16>,
        /// The hosts whose certificate named it.
        presented_by: Vec<String>,
    },
    /// What a bearer token's own claims say, read before it is used.
    Token {
        problem: crate::judge::token::TokenProblem,
    },
    /// A limit a chosen setting advertises before login.
    AdvertisedLimit {
        host: String,
        port: u16,
        limit: crate::judge::limits::Limit,
    },
}

impl ProbeFact {
    pub fn code(&self) -> Code {
        match self {
            Self::NoLocalIpv6 { .. } => Code::NoLocalIpv6,
            Self::FamilyLeftNothing { .. } => Code::FamilyLeftNothing,
            Self::PortBlockedLocally { .. } => Code::PortBlockedLocally,
            Self::HostSilent { .. } | Self::HostUnreachable { .. } => Code::HostUnreachable,
            Self::HostNotServingMail { .. } => Code::HostNotServingMail,
            Self::PortRefused { .. } => Code::PortRefused,
            Self::PortFiltered { .. } => Code::PortFiltered,
            Self::PortsNotProbed { .. } => Code::PortsNotProbed,
            Self::LocalResourceExhausted { .. } => Code::LocalResourceExhausted,
            Self::AddressesTruncated { .. } => Code::AddressesTruncated,
            Self::PublishedSettingsTruncated { .. } => Code::PublishedSettingsTruncated,
            Self::ProbeBudgetExhausted { .. } => Code::ProbeBudgetExhausted,
            Self::RunDeadlineReached { .. } => Code::RunDeadlineReached,
            Self::CertificateNamesTruncated { .. } => Code::CertificateNamesTruncated,
            Self::AddressInconsistent { .. } => Code::AddressInconsistent,
            Self::Setting { problem, .. } => problem.code(),
            Self::Ipv6Broken { .. } => Code::Ipv6Broken,
            Self::AddressFailing { .. } => Code::AddressFailing,
            Self::CertificateValidForOtherHost { .. } => Code::CertificateValidForOtherHost,
            Self::Token { problem } => match problem {
                crate::judge::token::TokenProblem::Expired { .. } => Code::TokenExpired,
                crate::judge::token::TokenProblem::AudienceWrong { .. } => Code::TokenAudienceWrong,
                crate::judge::token::TokenProblem::ScopeMissing { .. } => Code::TokenScopeMissing,
                crate::judge::token::TokenProblem::UserMismatch { .. } => Code::TokenUserMismatch,
                crate::judge::token::TokenProblem::Opaque => Code::TokenOpaque,
            },
            Self::AdvertisedLimit { limit, .. } => match limit {
                crate::judge::limits::Limit::MessageSize { .. } => Code::MessageSizeLimit,
                crate::judge::limits::Limit::NoSmtpUtf8 => Code::Smtputf8Missing,
                crate::judge::limits::Limit::AuthBeforeTls => Code::AuthBeforeTls,
                crate::judge::limits::Limit::VrfyEnabled => Code::VrfyEnabled,
                crate::judge::limits::Limit::AppendLimit { .. } => Code::AppendLimit,
                crate::judge::limits::Limit::Pop3Expire { .. } => Code::Pop3Expire,
                crate::judge::limits::Limit::Pop3LoginDelay { .. } => Code::Pop3LoginDelay,
            },
        }
    }
}

impl From<ProbeFact> for Fact {
    fn from(f: ProbeFact) -> Self {
        Fact::Probe(f)
    }
}

/// A problem of one setting (host and service), grouped over the hosts and ports that share it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SettingProblem {
    CertificateNameMismatch {
        names: Vec<String>,
        /// The certificate names hosts only in its subject CN, which clients ignore.
        cn_only: bool,
    },
    CertificateExpired {
        not_after: String,
        days_ago: i64,
    },
    /// An intermediate the server sends has expired (the leaf itself is still valid).
    CertificateChainExpired {
        subject: String,
        not_after: String,
        days_ago: i64,
    },
    CertificateExpiresSoon {
        not_after: String,
        days_left: i64,
    },
    CertificateNotYetValid {
        not_before: String,
    },
    CertificateUntrusted {
        issuer: String,
        subject: String,
        self_signed: bool,
        /// The server sent the leaf alone and its issuer is unknown: an incomplete chain is the
        /// likely cause.
        leaf_only: bool,
        /// A signature in the chain does not verify (and the leaf's own hash is not to blame:
        /// that one is `CertificateWeakSignature`).
        bad_signature: bool,
    },
    /// A recognised provider's own host presented a certificate for other names.
    TlsInterceptionSuspected {
        issuer: String,
        names: Vec<String>,
    },
    CertificateWeakKey {
        key: crate::probe::tls::KeyKind,
        bits: u32,
    },
    CertificateWeakSignature {
        algorithm: &'static str,
    },
    /// The certificate demands a stapled OCSP response (must-staple) and none came.
    CertificateMustStapleUnmet,
    /// Hellos offering only these versions were answered with a ServerHello for them.
    TlsLegacyAccepted {
        versions: Vec<crate::probe::tls::legacy::LegacyVersion>,
    },
    /// TLS 1.3 chosen, a hello offering only TLS 1.2 refused.
    Tls13Only,
    NoStarttls,
    /// No STARTTLS, and no login offered without it.
    NoStarttlsNoLogin,
    PlaintextOnly,
    LoginDisabled,
    CapabilitiesTruncated,
    /// The greeting took long; why, as far as the timings tell.
    GreetingSlow {
        cause: SlowGreeting,
        /// From the connection to the greeting's first and last line.
        first_ms: u64,
        last_ms: u64,
    },
    /// The probe failed; `code` says which kind of failure finding it is.
    Failed {
        code: FailedAs,
        service: Service,
        failure: Failure,
        /// What the server's refusal (of the greeting or of STARTTLS) means, when known.
        decoded: Option<crate::judge::refusals::Decoded>,
    },
}

impl SettingProblem {
    pub fn code(&self) -> Code {
        match self {
            Self::CertificateNameMismatch { .. } => Code::CertificateNameMismatch,
            Self::CertificateExpired { .. } => Code::CertificateExpired,
            Self::CertificateChainExpired { .. } => Code::CertificateChainExpired,
            Self::CertificateExpiresSoon { .. } => Code::CertificateExpiresSoon,
            Self::CertificateNotYetValid { .. } => Code::CertificateNotYetValid,
            Self::CertificateUntrusted { .. } => Code::CertificateUntrusted,
            Self::TlsInterceptionSuspected { .. } => Code::TlsInterceptionSuspected,
            Self::NoStarttls => Code::NoStarttls,
            Self::CertificateWeakKey { .. } => Code::CertificateWeakKey,
            Self::CertificateWeakSignature { .. } => Code::CertificateWeakSignature,
            Self::CertificateMustStapleUnmet => Code::CertificateMustStapleUnmet,
            Self::TlsLegacyAccepted { .. } => Code::TlsLegacyAccepted,
            Self::Tls13Only => Code::Tls13Only,
            Self::NoStarttlsNoLogin => Code::NoStarttlsNoLogin,
            Self::GreetingSlow { .. } => Code::GreetingSlow,
            Self::PlaintextOnly => Code::PlaintextOnly,
            Self::LoginDisabled => Code::LoginDisabled,
            Self::CapabilitiesTruncated => Code::CapabilitiesTruncated,
            Self::Failed { code, .. } => code.code(),
        }
    }
}

/// What a slow greeting's timings point to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SlowGreeting {
    /// A `220-` teaser at once, the rest after a pause: an anti-spam gate watching whether the
    /// client talks too early (Postfix postscreen's greet wait).
    TeaserPause,
    /// The delay is close to a whole resolver or ident timeout (5, 10, 15, 30 s): the server
    /// looked up this client's address (reverse DNS, ident) and the lookup timed out.
    LookupTimeout { seconds: u64 },
    /// Only SMTP is slow: other protocols on the same address greeted at once (a deliberate
    /// greet delay: Sendmail greet_pause, Postfix `sleep`, Exim's connect ACL delay).
    SmtpOnly,
    /// Slow with no pattern: a busy server, a tarpit, or a proxy.
    Unexplained,
}

/// Which failure finding a failed probe makes (in the order of their codes, which the
/// grouping of problems sorts by).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FailedAs {
    StarttlsFailed,
    StarttlsInjection,
    TlsHandshakeFailed,
    WrongProtocol,
    PlaintextOnTlsPort,
    TlsOnPlainPort,
    NoGreeting,
    GreetingRejected,
    GreetingUnfinished,
    ImapPreauth,
    ServerSentTooMuch,
}

impl FailedAs {
    pub fn code(self) -> Code {
        match self {
            Self::StarttlsFailed => Code::StarttlsFailed,
            Self::StarttlsInjection => Code::StarttlsInjection,
            Self::TlsHandshakeFailed => Code::TlsHandshakeFailed,
            Self::WrongProtocol => Code::WrongProtocol,
            Self::PlaintextOnTlsPort => Code::PlaintextOnTlsPort,
            Self::TlsOnPlainPort => Code::TlsOnPlainPort,
            Self::NoGreeting => Code::NoGreeting,
            Self::GreetingRejected => Code::GreetingRejected,
            Self::GreetingUnfinished => Code::GreetingUnfinished,
            Self::ImapPreauth => Code::ImapPreauth,
            Self::ServerSentTooMuch => Code::ServerSentTooMuch,
        }
    }
}
