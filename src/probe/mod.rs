//! Active probing: TCP, TLS and one dialect per mail protocol. Every outcome is data; nothing
//! here prints.

pub mod conn;
pub mod engine;
pub mod imap;
pub mod login;
pub mod pop3;
pub mod session;
pub mod smtp;
pub mod tcp;
pub mod tls;

use std::net::IpAddr;

use serde::Serialize;

use crate::service::Service;

pub use engine::{run_probes, ProbeObserver, ProbeSettings};
pub use tls::{CertInfo, CertVerdict, TlsInfo, Trust};

/// Longest line kept from a server; longer lines end the probe with [`FailureKind::LineTooLong`].
pub const MAX_LINE: usize = 4096;
/// Most bytes read from one server in one probe.
pub const MAX_PROBE_BYTES: usize = 64 * 1024;
/// Most capability entries kept from one listing.
pub const MAX_CAPABILITIES: usize = 64;

/// The TCP connection attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "detail", rename_all = "snake_case")]
pub enum TcpOutcome {
    Connected,
    /// RST: nothing listens there (or a firewall rejects with RST).
    Refused,
    /// No answer at all: a firewall drops the packets, or the host is down.
    TimedOut,
    /// An ICMP error: no route to the host or network, or a firewall rejecting with ICMP.
    Unreachable(String),
    Reset,
    /// Any other local error (e.g. too many open files), with the system's words.
    Failed(String),
}

impl TcpOutcome {
    pub fn connected(&self) -> bool {
        matches!(self, Self::Connected)
    }
}

/// Where in a probe something went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Connect,
    TlsHandshake,
    Greeting,
    Capabilities,
    StartTls,
    Login,
    Logout,
}

/// What the other side turned out to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Heard {
    Imap,
    Pop3,
    Smtp,
    Tls,
    Http,
    Ssh,
    Ftp,
    Unknown,
}

impl Heard {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Imap => "an IMAP greeting",
            Self::Pop3 => "a POP3 greeting",
            Self::Smtp => "an SMTP greeting",
            Self::Tls => "TLS",
            Self::Http => "HTTP",
            Self::Ssh => "SSH",
            Self::Ftp => "FTP",
            Self::Unknown => "something unrecognised",
        }
    }
}

/// Why a probe stopped short.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FailureKind {
    Refused,
    TimedOut,
    Unreachable {
        detail: String,
    },
    Reset,
    /// The server closed the connection.
    Closed,
    /// The TLS handshake failed for a reason other than the certificate (those are recorded and
    /// judged, not fatal).
    TlsHandshake {
        detail: String,
    },
    /// The port speaks something else than it should.
    ProtocolMismatch {
        heard: Heard,
        sample: String,
    },
    /// The server answered with an error (e.g. a 554 greeting or a refused STARTTLS).
    Rejected {
        reply: String,
    },
    /// Plaintext bytes arrived after the "go ahead" for STARTTLS: classic command injection.
    StartTlsInjection {
        bytes: usize,
    },
    /// A line longer than [`MAX_LINE`].
    LineTooLong,
    /// More than [`MAX_PROBE_BYTES`] from one server.
    TooMuchData,
    /// A local or network error not covered above.
    Io {
        detail: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub phase: Phase,
    #[serde(flatten)]
    pub kind: FailureKind,
}

impl Failure {
    pub fn new(phase: Phase, kind: FailureKind) -> Self {
        Self { phase, kind }
    }

    pub fn timed_out(&self) -> bool {
        self.kind == FailureKind::TimedOut
    }
}

/// What happened to STARTTLS/STLS on a plaintext port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StartTlsState {
    /// The server did not offer it: credentials would travel in clear.
    NotOffered,
    /// Offered and the upgrade succeeded.
    Upgraded,
    /// Offered, but the server refused the command or the upgrade failed.
    Failed,
    /// The user asked for a plaintext probe, so no upgrade was tried.
    NotTried,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Capabilities {
    /// Before any TLS (plaintext ports only).
    pub before_tls: Vec<String>,
    /// Over TLS (implicit, or after STARTTLS).
    pub after_tls: Vec<String>,
    /// True when a listing was longer than [`MAX_CAPABILITIES`] and was cut.
    pub truncated: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Timings {
    pub connect_ms: Option<u64>,
    pub tls_ms: Option<u64>,
    pub total_ms: u64,
}

/// Everything one probe of one (host, address, service) learnt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbeResult {
    pub host: String,
    pub address: IpAddr,
    pub port: u16,
    #[serde(skip)]
    pub service: Service,
    pub tcp: TcpOutcome,
    pub tls: Option<TlsInfo>,
    /// First line of the greeting, made safe to print.
    pub banner: Option<String>,
    pub heard: Option<Heard>,
    pub capabilities: Capabilities,
    pub starttls: Option<StartTlsState>,
    /// SASL mechanisms from the last capability listing (over TLS where there was TLS).
    pub auth_mechanisms: Vec<String>,
    /// IMAP LOGINDISABLED in the last listing.
    pub login_disabled: bool,
    pub failure: Option<Failure>,
    pub timings: Timings,
    /// Set when this probe did not connect itself but took the TCP outcome of an earlier probe
    /// of the same address and port under another name (names sharing an address).
    pub shared_with: Option<String>,
    /// The login check, when one was asked for (`--login`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login: Option<login::LoginOutcome>,
}

impl ProbeResult {
    pub fn new(host: &str, address: IpAddr, service: Service) -> Self {
        Self {
            host: host.to_string(),
            address,
            port: service.port,
            service,
            tcp: TcpOutcome::Failed("not attempted".into()),
            tls: None,
            banner: None,
            heard: None,
            capabilities: Capabilities::default(),
            starttls: None,
            auth_mechanisms: Vec::new(),
            login_disabled: false,
            failure: None,
            timings: Timings::default(),
            shared_with: None,
            login: None,
        }
    }
}
