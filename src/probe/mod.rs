//! Active probing: TCP, TLS and one dialect per mail protocol. Every outcome is data; nothing
//! here prints.

pub mod cache;
pub mod conn;
pub mod dialect;
pub mod engine;
pub mod imap;
pub mod login;
pub mod oauth;
pub mod pop3;
pub mod redact;
pub mod relay;
pub mod script;
pub mod session;
pub mod smtp;
pub mod sniff;
pub mod tcp;
pub mod tls;
pub mod transcript;

use std::net::IpAddr;

use crate::net::address::AddressClass;
use crate::service::Service;

pub use engine::{run_probes, LegacyScope, Limiter, ProbeObserver, ProbeSettings};
pub use tls::{CertInfo, CertVerdict, TlsInfo, Trust};

/// Longest line kept from a server; longer lines end the probe with [`FailureKind::LineTooLong`].
pub const MAX_LINE: usize = 4096;
/// Most bytes read from one server in one probe.
pub const MAX_PROBE_BYTES: usize = 64 * 1024;
/// Most lines read for one reply (a multi-line greeting, a capability listing): far more than
/// any real server sends, few enough to end a listing that never ends.
pub const MAX_REPLY_LINES: usize = 1000;
/// Most capability entries kept from one listing.
pub const MAX_CAPABILITIES: usize = 64;

/// The TCP connection attempt.
/// One address and service, with every name that resolves there: the TCP outcome is shared,
/// the TLS handshake (SNI, certificate) is per name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeTask {
    pub address: IpAddr,
    pub service: Service,
    pub names: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TcpOutcome {
    Connected,
    /// RST: nothing listens there (or a firewall rejects with RST).
    Refused,
    /// No answer at all: a firewall drops the packets, or the host is down.
    TimedOut,
    /// An ICMP error, or no route from this machine.
    Unreachable(Unreachable),
    Reset,
    /// This machine could not even try (e.g. out of file descriptors).
    Failed(LocalError),
    /// No connection was attempted (yet).
    NotAttempted,
}

impl TcpOutcome {
    pub fn connected(&self) -> bool {
        matches!(self, Self::Connected)
    }
}

/// Which ICMP "unreachable" (or local routing failure) a connection met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unreachable {
    /// ENETUNREACH: this machine has no route to that network at all (for IPv6 usually: no
    /// IPv6 here). It says nothing about the server.
    Network,
    /// EHOSTUNREACH: a router or firewall says the host cannot be reached.
    Host,
}

/// A failure on this machine, not at the server.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum LocalError {
    /// EMFILE/ENFILE: out of file descriptors.
    TooManyOpenFiles,
    /// Anything else the system reported, in its words (escaped).
    Other(String),
}

/// Where in a probe something went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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

/// A reply line a server sent, kept as data: the status code where the protocol has one
/// (SMTP), and the line as received, made safe to print.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ServerReply {
    pub code: Option<u16>,
    pub line: String,
}

impl ServerReply {
    /// A reply line from the wire: escaped, cut to a sane length, SMTP code read when present.
    pub fn from_wire(bytes: &[u8]) -> Self {
        Self {
            code: smtp::parse_reply_line(bytes).map(|l| l.code),
            line: crate::text::truncate(&crate::text::from_wire(bytes), 200),
        }
    }
}

/// Why an address was not probed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Skip {
    /// The address cannot be a mail server elsewhere (or, under a public domain, is this
    /// machine): see [`crate::net::address::not_probeable`].
    Address(AddressClass),
    /// The run's probe budget was spent.
    ProbeBudget,
    /// The run's overall deadline (`--max-time`) passed first.
    RunDeadline,
    /// Other names on this address used the time it was given.
    AddressBusy,
}

/// Why a TLS handshake failed, when it was not the certificate (those are recorded and judged).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TlsFailure {
    /// The server only speaks TLS versions older than 1.2 (protocol_version alert).
    OldVersionsOnly,
    /// No cipher suite, group or version in common (handshake_failure alert).
    NoCommonParameters,
    /// The server asked for a client certificate and refused the connection without one.
    ClientCertificateRequired,
    /// The server closed the connection in the middle of the handshake.
    ClosedDuringHandshake,
    /// The host name cannot be sent as SNI.
    InvalidServerName,
    /// Another alert from the server, by its code (see [`tls::alert_name`]).
    Alert(u8),
    /// The server's handshake signature did not verify with the key of the certificate it
    /// sent (`key` and `bits` from that certificate): a key clients refuse to verify with (RSA
    /// under 2048 bits), or a key that does not match the certificate.
    SignatureRejected { key: tls::KeyKind, bits: u32 },
    /// The server answered with its ServerHello (and perhaps its certificate), then ended the
    /// handshake with an alert of its own: a fault on its side, not an outdated client.
    ServerFailed {
        /// The alert's code (see [`tls::alert_name`]).
        alert: u8,
        /// The version its ServerHello chose (`0x0304` for TLS 1.3).
        version: u16,
        /// Its certificate arrived (and was checked) before the alert.
        certificate: bool,
    },
    /// Anything else rustls reported, in its words (escaped).
    Other(String),
}

/// Why a probe stopped short.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum FailureKind {
    Refused,
    TimedOut,
    Unreachable(Unreachable),
    Reset,
    /// The server closed the connection.
    Closed,
    /// The TLS handshake failed for a reason other than the certificate.
    TlsHandshake(TlsFailure),
    /// The port speaks something else than it should.
    ProtocolMismatch {
        heard: Heard,
        sample: String,
    },
    /// A plaintext port stayed silent, and a TLS handshake on a second connection succeeded:
    /// the port speaks implicit TLS.
    TlsAnswered {
        version: Option<String>,
    },
    /// The server answered with an error (e.g. a 554 greeting or a refused STARTTLS).
    Rejected(ServerReply),
    /// The first line of an SMTP greeting came (a `220-` teaser) and the rest did not, even
    /// after the longer wait a greeting in progress is given.
    GreetingUnfinished,
    /// Plaintext bytes arrived after the "go ahead" for STARTTLS: classic command injection.
    StartTlsInjection {
        bytes: usize,
    },
    /// A line longer than [`MAX_LINE`].
    LineTooLong,
    /// More than [`MAX_PROBE_BYTES`] from one server.
    TooMuchData,
    /// More than [`MAX_REPLY_LINES`] lines in one reply.
    TooManyLines,
    /// An IMAP server greeted with PREAUTH on an unencrypted connection: it logs anyone in
    /// without credentials, and STARTTLS is no longer allowed (RFC 9051 6.2.1).
    PreAuthenticated,
    /// A failure on this machine (e.g. out of file descriptors).
    Local(LocalError),
    /// Not probed at all, and why.
    Skipped(Skip),
    /// Another I/O error, in the system's words (escaped).
    Io(String),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Failure {
    pub phase: Phase,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// Before any TLS (plaintext ports only).
    pub before_tls: Vec<String>,
    /// Over TLS (implicit, or after STARTTLS).
    pub after_tls: Vec<String>,
    /// True when a listing was longer than [`MAX_CAPABILITIES`] and was cut.
    pub truncated: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timings {
    pub connect_ms: Option<u64>,
    pub tls_ms: Option<u64>,
    /// From the connection to the greeting's first line.
    pub greeting_first_ms: Option<u64>,
    /// From the connection to the greeting's last line.
    pub greeting_ms: Option<u64>,
    /// The capability listing (EHLO, CAPABILITY, CAPA) after the greeting.
    pub capabilities_ms: Option<u64>,
    pub total_ms: u64,
}

/// Everything one probe of one (host, address, service) learnt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeResult {
    pub host: String,
    pub address: IpAddr,
    pub port: u16,
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
    pub login: Option<login::LoginOutcome>,
    /// The conversation, when it was kept (`-v`).
    pub transcript: Option<transcript::Transcript>,
    /// What the endpoint answered to hellos offering only TLS 1.0, only TLS 1.1 (empty when
    /// not asked: no TLS here, port 25, `--legacy-tls off`).
    pub legacy_tls: Vec<LegacyCheck>,
    /// The open-relay test's answers, when one was made (`--relay-test`).
    pub relay: Option<relay::RelayOutcome>,
}

/// One legacy-version hello and its answer, or why it never reached the server's TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyCheck {
    pub version: tls::legacy::LegacyVersion,
    pub answer: Result<tls::legacy::LegacyAnswer, Failure>,
}

impl ProbeResult {
    /// False when the probe was never made: skipped (address rule, budget, deadline, a busy
    /// address) or stopped by this machine before a packet left (no descriptor, local error).
    pub fn was_made(&self) -> bool {
        let skipped = matches!(&self.failure, Some(f) if matches!(f.kind, FailureKind::Skipped(_)));
        !skipped && !matches!(self.tcp, TcpOutcome::Failed(_) | TcpOutcome::NotAttempted)
    }

    pub fn new(host: &str, address: IpAddr, service: Service) -> Self {
        Self {
            host: host.to_string(),
            address,
            port: service.port,
            service,
            tcp: TcpOutcome::NotAttempted,
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
            transcript: None,
            legacy_tls: Vec::new(),
            relay: None,
        }
    }
}
