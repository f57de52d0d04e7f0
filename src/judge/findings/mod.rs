//! Findings: what the judgement concluded, as data. Each [`Fact`] carries what it is about;
//! its [`Code`] is stable (the README lists them), its severity comes from [`super::policy`],
//! and its words from `render::words`. Nothing here writes a sentence.

/// A stage's codes: the enum, its stable names (listed once, here), `ALL`, and a constant
/// `Code::X` for each, so callers name a code without its stage.
macro_rules! codes {
    ($group:ident => $name:ident { $( $(#[$meta:meta])* $code:ident = $text:literal, )* }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $( $(#[$meta])* $code, )* }

        impl $name {
            pub const ALL: &'static [$name] = &[ $( $name::$code, )* ];

            pub fn name(self) -> &'static str {
                match self { $( $name::$code => $text, )* }
            }
        }

        #[allow(non_upper_case_globals)]
        impl Code {
            $( pub const $code: Code = Code::$group($name::$code); )*
        }
    };
}

mod authority;
mod delivery;
mod dns;
mod probe;
mod provider;
mod published;
mod recommend;
mod sending;
pub use authority::{AuthorityCode, AuthorityFact};
pub use delivery::{DeliveryCode, DeliveryFact};
pub use dns::{DnsCode, DnsFact};
pub use probe::{FailedAs, ProbeCode, ProbeFact, SettingProblem, SlowGreeting};
pub use provider::{ProviderCode, ProviderFact};
pub use published::{PublishedCode, PublishedFact};
pub use recommend::{RecommendCode, RecommendFact};
pub use sending::{SendingCode, SendingFact};

use std::net::IpAddr;

use crate::net::dns::LookupError;
use crate::probe::{Failure, Unreachable};
use crate::provider::PublishedSetting;
use crate::published::{Method, Outcome, Setting as Announced};
use crate::service::Service;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// Stable identifiers (the README lists them). New codes may be added; none is ever renamed.
/// Each stage declares its own with `codes!`; `Code::X` names any of them.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    Dns(DnsCode),
    Provider(ProviderCode),
    Authority(AuthorityCode),
    Probe(ProbeCode),
    Recommend(RecommendCode),
    Published(PublishedCode),
    Delivery(DeliveryCode),
    Sending(SendingCode),
}

impl Code {
    /// Every code, stage by stage.
    pub fn all() -> impl Iterator<Item = Code> {
        std::iter::empty()
            .chain(DnsCode::ALL.iter().map(|c| Code::Dns(*c)))
            .chain(ProviderCode::ALL.iter().map(|c| Code::Provider(*c)))
            .chain(AuthorityCode::ALL.iter().map(|c| Code::Authority(*c)))
            .chain(ProbeCode::ALL.iter().map(|c| Code::Probe(*c)))
            .chain(RecommendCode::ALL.iter().map(|c| Code::Recommend(*c)))
            .chain(PublishedCode::ALL.iter().map(|c| Code::Published(*c)))
            .chain(DeliveryCode::ALL.iter().map(|c| Code::Delivery(*c)))
            .chain(SendingCode::ALL.iter().map(|c| Code::Sending(*c)))
    }

    /// The stable name (JSON, README, `--nagios`), spelt once beside the code.
    pub fn name(self) -> &'static str {
        match self {
            Code::Dns(c) => c.name(),
            Code::Provider(c) => c.name(),
            Code::Authority(c) => c.name(),
            Code::Probe(c) => c.name(),
            Code::Recommend(c) => c.name(),
            Code::Published(c) => c.name(),
            Code::Delivery(c) => c.name(),
            Code::Sending(c) => c.name(),
        }
    }
}

/// `TokenExpired`, not `Probe(TokenExpired)`: the name callers write.
impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Code::Dns(c) => c.fmt(f),
            Code::Provider(c) => c.fmt(f),
            Code::Authority(c) => c.fmt(f),
            Code::Probe(c) => c.fmt(f),
            Code::Recommend(c) => c.fmt(f),
            Code::Published(c) => c.fmt(f),
            Code::Delivery(c) => c.fmt(f),
            Code::Sending(c) => c.fmt(f),
        }
    }
}

/// A finding: a fact with its stable code and severity, and where it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub code: Code,
    pub fact: Fact,
    pub host: Option<String>,
    pub port: Option<u16>,
}

impl Finding {
    /// A finding with the code the fact implies and the severity policy gives it.
    pub fn new(fact: Fact) -> Self {
        Self {
            severity: super::policy::severity(&fact),
            code: fact.code(),
            fact,
            host: None,
            port: None,
        }
    }

    pub fn at(mut self, host: &str, port: Option<u16>) -> Self {
        self.host = Some(host.to_string());
        self.port = port;
        self
    }
}

/// The host names that share one address, for findings about that address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostLabel {
    pub names: Vec<String>,
    pub address: IpAddr,
}

/// The MTA-STS mode a policy sets (what a failure means for senders).
pub use crate::delivery::mta_sts::Mode as MtaStsMode;

/// Why a certificate fails a sender's check (MTA-STS: trusted and valid for the MX name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertProblem {
    NotValidForName,
    Untrusted(crate::probe::tls::CertVerdict),
}

/// Why an MTA-STS policy could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyFetch {
    Failed(crate::net::http::FetchError),
    Status(u16),
}

/// Whose word a DNSSEC status rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnssecBasis {
    /// mailprobe's own validation (the root keys, plus this many from `--trust-anchor`).
    Own { extra_anchors: usize },
    /// The AD bit of this resolver: mailprobe's own validation could not decide.
    Resolver(std::net::SocketAddr),
}

/// Whose sending SPF was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpfSender {
    /// A server mailprobe probed (the recommended outgoing one), by one of its addresses.
    Server {
        host: String,
        address: IpAddr,
        result: crate::delivery::sender::SpfResult,
    },
    /// A recognised provider, by the include its help pages publish.
    Provider { name: String, include: String },
}

/// A name server that serves something else than the newest of its zone's servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lagging {
    pub name: String,
    pub address: IpAddr,
    pub serial: Option<u32>,
    /// Its MX set (preference, exchange); `None` when it did not say.
    pub mx: Option<Vec<(u16, String)>>,
    /// Whether the MX hosts only it still names answer SMTP from here (`None`: it names none
    /// the newest servers do not, or none was probed).
    pub old_mx_answers: Option<bool>,
    /// In-zone hosts the newest servers give addresses for and it has none for.
    pub no_address_for: Vec<String>,
}

/// A host the resolver holds as "no such name" or "no address" while the zone's newest
/// servers give it addresses: probed at those.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbedFromSource {
    pub name: String,
    pub addresses: Vec<IpAddr>,
    /// Whether any probe of it works (`None`: none was made).
    pub works: Option<bool>,
}

/// A setting named in a finding: enough to say "host:port (SSL/TLS)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingRef {
    pub host: String,
    pub port: u16,
    pub security: super::ClientSecurity,
}

/// Why a provider's published setting could not be confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unconfirmed {
    /// Every address failed; the first failure.
    Failed { service: Service, failure: Failure },
    /// It answers, but not cleanly.
    Warnings(Vec<Code>),
    /// It was not probed (no address, or its port was not selected).
    NotProbed,
    /// Its probes were never made: this limit of the run left them out. Not a failure.
    Skipped(crate::probe::Skip),
}

/// What a finding says, with its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    Dns(DnsFact),
    Provider(ProviderFact),
    Authority(AuthorityFact),
    Probe(ProbeFact),
    Recommend(RecommendFact),
    Published(PublishedFact),
    Delivery(DeliveryFact),
    Sending(SendingFact),
}

impl Fact {
    pub fn code(&self) -> Code {
        match self {
            Fact::Dns(f) => f.code(),
            Fact::Provider(f) => f.code(),
            Fact::Authority(f) => f.code(),
            Fact::Probe(f) => f.code(),
            Fact::Recommend(f) => f.code(),
            Fact::Published(f) => f.code(),
            Fact::Delivery(f) => f.code(),
            Fact::Sending(f) => f.code(),
        }
    }
}
