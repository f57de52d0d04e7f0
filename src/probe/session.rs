//! One probe from connect to goodbye: TCP, implicit TLS or STARTTLS, greeting, capabilities.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::time::Instant;

use super::conn::{BoxStream, Conn};
use super::dialect;
use super::login::{self, Credentials, LoginOutcome};
use super::sniff::{classify_greeting, expected};
use super::tls::{self, TlsInfo, Trust};
use super::transcript::{Event, Recorder};
use super::{
    imap, tcp, Failure, FailureKind, Heard, Phase, ProbeResult, StartTlsState, TcpOutcome,
    MAX_CAPABILITIES,
};
use crate::net::gate::Limiter;
use crate::service::{Protocol, Security, Service};
use crate::text::{from_wire, truncate};

/// Longest banner kept for the report.
const MAX_BANNER_CHARS: usize = 200;
/// How long a plaintext port may stay silent before a second connection tries TLS on it
/// (at most two fifths of the probe's time).
const SECOND_LOOK_AFTER: Duration = Duration::from_secs(2);

/// How long an SMTP greeting in progress (a `220-` teaser, then a pause) is waited for on port
/// 25, from the start of the probe: Postfix postscreen holds the rest for
/// `postscreen_greet_wait` (6 s by default, more than the default timeout), and a client that
/// hangs up before it never passes, so every later run would stay at first contact.
pub const SLOW_GREETING_LIMIT: Duration = Duration::from_secs(15);

/// Until when a greeting in progress may be read: port 25 only, never past the run's end.
pub fn greeting_grace(service: Service, run_limit: Option<Instant>) -> Option<Instant> {
    let until = Instant::now() + SLOW_GREETING_LIMIT;
    service
        .is_relay()
        .then(|| run_limit.map_or(until, |l| l.min(until)))
}

/// How long a server may take before mailprobe starts a second connection to find out more
/// (at most two fifths of the time left).
pub fn patience(time_left: Duration) -> Duration {
    (time_left * 2 / 5).min(SECOND_LOOK_AFTER)
}

/// When a probe must be done: its own timeout, or earlier when the run's time runs out.
#[derive(Debug, Clone, Copy)]
pub struct Deadline(pub Instant);

impl Deadline {
    pub fn after(timeout: Duration, not_after: Option<Instant>) -> Self {
        let own = Instant::now() + timeout;
        Self(not_after.map_or(own, |limit| own.min(limit)))
    }
}

/// What a probe may do besides looking: log in, open a second connection under the run's
/// limits, tell when it is connected, keep its conversation.
#[derive(Default)]
pub struct Extras<'a> {
    /// Authenticate once, over trusted TLS only unless the credentials allow less.
    pub login: Option<&'a Credentials>,
    /// Where a second connection (the implicit-TLS look) takes its permits.
    pub limiter: Option<&'a Limiter>,
    /// Told as soon as the TCP connection stands (so that work for other names on the same
    /// address can start while this one goes on).
    pub connected: Option<tokio::sync::oneshot::Sender<()>>,
    /// Keep the conversation (`-v`).
    pub transcript: bool,
    /// Until when an SMTP greeting in progress may be read (see [`greeting_grace`]).
    pub greeting_grace: Option<Instant>,
    /// The open-relay test, after EHLO (SMTP only).
    pub relay: Option<&'a super::relay::RelayRequest>,
}

/// Probes `host` at `address` for `service` by `deadline`, whatever the server does.
pub async fn probe(
    host: &str,
    address: IpAddr,
    service: Service,
    trust: &Trust,
    deadline: Deadline,
    extras: Extras<'_>,
) -> ProbeResult {
    let started = Instant::now();
    let deadline = deadline.0;
    let mut result = ProbeResult::new(host, address, service);
    // A second, outer deadline: nothing below may outlive the probe's timeout by much.
    let hard = deadline.max(extras.greeting_grace.unwrap_or(deadline)) + Duration::from_millis(250);
    let recorder = extras.transcript.then(Recorder::default);
    let session = run(&mut result, trust, deadline, extras, recorder.clone());
    if tokio::time::timeout_at(hard, session).await.is_err() && result.failure.is_none() {
        result.failure = Some(Failure::new(Phase::Greeting, FailureKind::TimedOut));
    }
    result.timings.total_ms = millis(started.elapsed());
    result.transcript = recorder.map(|r| r.take());
    result
}

/// A handshake's outcome: the certificate seen, or the failure with what was seen before it.
pub type Handshake = Result<TlsInfo, Box<(Failure, TlsInfo)>>;

/// A TCP connection and a TLS handshake for `host`, nothing more: the certificate judged for
/// this name where the rest of the session is known from another name's probe. The stream is
/// handed back so the caller decides when to close it.
pub async fn handshake_alone(
    host: &str,
    address: IpAddr,
    service: Service,
    trust: &Trust,
    deadline: Deadline,
) -> (Handshake, Option<BoxStream>) {
    let hard = deadline.0 + Duration::from_millis(250);
    let attempt = async {
        let stream = match tcp::connect(SocketAddr::new(address, service.port), deadline.0).await {
            Ok(s) => s,
            Err(outcome) => {
                let failure = Failure::new(Phase::Connect, connect_failure(&outcome));
                return (Err(Box::new((failure, TlsInfo::new(host)))), None);
            }
        };
        match tls::handshake(Box::new(stream), host, trust, deadline.0).await {
            Ok((stream, info)) => (Ok(info), Some(stream)),
            Err((kind, info)) => (
                Err(Box::new((Failure::new(Phase::TlsHandshake, kind), info))),
                None,
            ),
        }
    };
    match tokio::time::timeout_at(hard, attempt).await {
        Ok(outcome) => outcome,
        Err(_) => (
            Err(Box::new((
                Failure::new(Phase::TlsHandshake, FailureKind::TimedOut),
                TlsInfo::new(host),
            ))),
            None,
        ),
    }
}

async fn run(
    result: &mut ProbeResult,
    trust: &Trust,
    deadline: Instant,
    extras: Extras<'_>,
    transcript: Option<Recorder>,
) {
    let Extras {
        login,
        limiter,
        connected,
        greeting_grace,
        relay,
        ..
    } = extras;
    let service = result.service;
    let connect_start = Instant::now();
    let stream = match tcp::connect(SocketAddr::new(result.address, service.port), deadline).await {
        Ok(s) => s,
        Err(outcome) => {
            let failure = Failure::new(Phase::Connect, connect_failure(&outcome));
            if let Some(t) = &transcript {
                t.event(
                    format!(
                        "connecting to {}",
                        SocketAddr::new(result.address, service.port)
                    ),
                    Event::ConnectFailed(failure.clone()),
                );
            }
            result.failure = Some(failure);
            result.tcp = outcome;
            return;
        }
    };
    if let Some(tell) = connected {
        let _ = tell.send(());
    }
    result.tcp = TcpOutcome::Connected;
    result.timings.connect_ms = Some(millis(connect_start.elapsed()));
    if let Some(t) = &transcript {
        t.note(format!(
            "connected to {}",
            SocketAddr::new(result.address, service.port)
        ));
    }
    // Never on port 25: Postfix postscreen takes early bytes from a client as a spammer's
    // pregreeting and may block this address for a day.
    let second_look = (!service.is_relay()).then(|| SecondLook {
        address: SocketAddr::new(result.address, service.port),
        limiter,
    });
    let session = Session {
        trust,
        deadline,
        client_name: ehlo_name(&stream),
        login,
        second_look,
        transcript,
        greeting_grace,
        relay,
    };
    converse(result, Box::new(stream), &session).await;
    if login.is_some() && result.login.is_none() {
        let failure = result
            .failure
            .clone()
            .unwrap_or(Failure::new(Phase::Login, FailureKind::Closed));
        result.login = Some(LoginOutcome::Failed(failure));
    }
}

/// Where and under which limits a second connection may look for implicit TLS.
pub struct SecondLook<'a> {
    pub address: SocketAddr,
    pub limiter: Option<&'a Limiter>,
}

/// What a session needs besides its stream.
pub struct Session<'a> {
    pub trust: &'a Trust,
    pub deadline: Instant,
    /// The EHLO argument.
    pub client_name: String,
    /// Credentials for the optional login check.
    pub login: Option<&'a Credentials>,
    /// Where to open a second connection to test for implicit TLS when a plaintext port stays
    /// silent; `None` for scripted streams.
    pub second_look: Option<SecondLook<'a>>,
    /// Where the conversation is recorded, when it is.
    pub transcript: Option<Recorder>,
    /// Until when an SMTP greeting in progress may be read; `None`: the deadline.
    pub greeting_grace: Option<Instant>,
    /// The open-relay test, after EHLO (SMTP only; never DATA).
    pub relay: Option<&'a super::relay::RelayRequest>,
}

/// Everything after the TCP connect, over any stream: TLS or STARTTLS, greeting, capabilities,
/// goodbye. Generic so that tests and fuzzers can play the server with scripted bytes.
pub async fn converse(result: &mut ProbeResult, stream: BoxStream, session: &Session<'_>) {
    let service = result.service;
    let clock = Clock(Instant::now());
    let outcome = match service.security {
        Security::Tls => implicit_tls(result, stream, session, clock).await,
        Security::StartTls | Security::Plain => {
            plaintext_first(result, stream, session, clock).await
        }
    };
    if let Err(failure) = outcome {
        result.failure = Some(failure);
    }
    let caps = if result.capabilities.after_tls.is_empty() {
        &result.capabilities.before_tls
    } else {
        &result.capabilities.after_tls
    };
    result.auth_mechanisms = dialect::auth_mechanisms(service.protocol, caps);
    result.login_disabled = service.protocol == Protocol::Imap && imap::login_disabled(caps);
}

/// When the connection stood: the greeting's timings are counted from it.
#[derive(Clone, Copy)]
struct Clock(Instant);

impl Clock {
    fn ms(self) -> Option<u64> {
        Some(millis(self.0.elapsed()))
    }
}

async fn implicit_tls(
    result: &mut ProbeResult,
    stream: BoxStream,
    session: &Session<'_>,
    clock: Clock,
) -> Result<(), Failure> {
    let mut conn = upgrade(result, stream, session, 0, session.deadline).await?;
    let greeting_caps = greeting(result, &mut conn, session, clock).await?;
    secured_session(result, &mut conn, "c1", greeting_caps, session).await
}

/// Over TLS: asks for the capabilities again, logs in if asked, says goodbye.
async fn secured_session(
    result: &mut ProbeResult,
    conn: &mut Conn,
    tag: &str,
    greeting_caps: Option<Vec<String>>,
    session: &Session<'_>,
) -> Result<(), Failure> {
    let protocol = result.service.protocol;
    let started = Instant::now();
    let caps = dialect::capabilities(protocol, conn, tag, &session.client_name, greeting_caps)
        .await
        .map_err(|k| Failure::new(Phase::Capabilities, k))?;
    result.timings.capabilities_ms = Some(millis(started.elapsed()));
    set_capabilities(
        &mut result.capabilities.after_tls,
        caps,
        &mut result.capabilities.truncated,
    );
    finish(result, conn, session).await;
    Ok(())
}

/// Logs in when asked (and allowed), then says goodbye.
async fn finish(result: &mut ProbeResult, conn: &mut Conn, session: &Session<'_>) {
    if let Some(creds) = session.login {
        // What the server says after the credentials went out (goodbye included) is scrubbed
        // by the connection itself: see `login::authenticate`.
        result.login = Some(try_login(result, conn, creds).await);
    }
    if let (Some(request), Protocol::Smtp) = (session.relay, result.service.protocol) {
        result.relay = Some(super::relay::test(conn, request).await);
    }
    dialect::leave(result.service.protocol, conn).await;
}

async fn try_login(result: &ProbeResult, conn: &mut Conn, creds: &Credentials) -> LoginOutcome {
    let tls = result.tls.as_ref().filter(|t| t.version.is_some());
    if let Some(refusal) = login::refusal(tls, creds) {
        return LoginOutcome::NotAttempted(refusal);
    }
    let caps = if tls.is_some() {
        &result.capabilities.after_tls
    } else {
        &result.capabilities.before_tls
    };
    let target = super::oauth::Target {
        host: &result.host,
        port: result.service.port,
    };
    match login::authenticate(result.service.protocol, conn, caps, creds, target).await {
        Ok(outcome) => outcome,
        Err(kind) => LoginOutcome::Failed(Failure::new(Phase::Login, kind)),
    }
}

async fn plaintext_first(
    result: &mut ProbeResult,
    stream: BoxStream,
    session: &Session<'_>,
    clock: Clock,
) -> Result<(), Failure> {
    let protocol = result.service.protocol;
    let mut conn = Conn::new(stream, session.deadline).recording(session.transcript.clone());
    let greeting_caps = match &session.second_look {
        Some(look) => greeting_or_implicit_tls(result, &mut conn, session, look, clock).await?,
        None => greeting(result, &mut conn, session, clock).await?,
    };
    let started = Instant::now();
    let caps = dialect::capabilities(
        protocol,
        &mut conn,
        "c1",
        &session.client_name,
        greeting_caps,
    )
    .await
    .map_err(|k| Failure::new(Phase::Capabilities, k))?;
    result.timings.capabilities_ms = Some(millis(started.elapsed()));
    let offered = dialect::offers_starttls(protocol, &caps);
    set_capabilities(
        &mut result.capabilities.before_tls,
        caps,
        &mut result.capabilities.truncated,
    );
    if result.service.security == Security::Plain {
        result.starttls = Some(StartTlsState::NotTried);
        finish(result, &mut conn, session).await;
        return Ok(());
    }
    if !offered {
        result.starttls = Some(StartTlsState::NotOffered);
        finish(result, &mut conn, session).await;
        return Ok(());
    }
    result.starttls = Some(StartTlsState::Failed);
    dialect::start_tls(protocol, &mut conn)
        .await
        .map_err(|k| Failure::new(Phase::StartTls, k))?;
    nothing_after_go_ahead(&conn)?;
    let read_total = conn.read_total();
    // A greeting in progress may have moved the connection's deadline: the TLS keeps it.
    let deadline = conn.deadline();
    let mut conn = upgrade(result, conn.into_stream(), session, read_total, deadline)
        .await
        .map_err(late_injection)?;
    result.starttls = Some(StartTlsState::Upgraded);
    secured_session(result, &mut conn, "c2", None, session).await
}

/// TLS handshake with the probe's host name as SNI; the info is kept even when it fails.
async fn upgrade(
    result: &mut ProbeResult,
    stream: BoxStream,
    session: &Session<'_>,
    read_total: usize,
    deadline: Instant,
) -> Result<Conn, Failure> {
    let trust = session.trust;
    let started = Instant::now();
    let sni = result.host.clone();
    match tls::handshake(stream, &sni, trust, deadline).await {
        Ok((stream, info)) => {
            result.timings.tls_ms = Some(millis(started.elapsed()));
            if let Some(t) = &session.transcript {
                t.event(tls_summary(&info), Event::Certificate(info.verdict.clone()));
            }
            result.tls = Some(info);
            Ok(Conn::with_budget(stream, deadline, read_total)
                .recording(session.transcript.clone()))
        }
        Err((kind, info)) => {
            if let Some(t) = &session.transcript {
                t.event(
                    tls_summary(&info),
                    Event::HandshakeFailed(Failure::new(Phase::TlsHandshake, kind.clone())),
                );
            }
            result.tls = Some(info);
            if let FailureKind::ProtocolMismatch { heard, .. } = &kind {
                result.heard = Some(*heard);
            }
            Err(Failure::new(Phase::TlsHandshake, kind))
        }
    }
}

/// Waits for the greeting; when none has come after a while, also tries a TLS handshake on a
/// second connection. If that succeeds the port speaks implicit TLS, not plaintext: the most
/// common mix-up of client settings, now said for certain instead of guessed.
async fn greeting_or_implicit_tls(
    result: &mut ProbeResult,
    conn: &mut Conn,
    session: &Session<'_>,
    second: &SecondLook<'_>,
    clock: Clock,
) -> Result<Option<Vec<String>>, Failure> {
    let started = Instant::now();
    let patience = patience(session.deadline.saturating_duration_since(started));
    let host = result.host.clone();
    let look = async {
        tokio::time::sleep(patience).await;
        // The second connection counts against the same caps as the first.
        let _permits = match second.limiter {
            Some(limiter) => Some(limiter.acquire(second.address.ip()).await?),
            None => None,
        };
        let stream = tcp::connect(second.address, session.deadline).await.ok()?;
        tls::handshake(Box::new(stream), &host, session.trust, session.deadline)
            .await
            .ok()
            .map(|(_, info)| info)
    };
    tokio::pin!(look);
    let mut looked = false;
    let first = loop {
        tokio::select! {
            line = conn.read_line() => break line,
            found = &mut look, if !looked => {
                looked = true;
                if let Some(info) = found {
                    let version = info.version.clone();
                    result.tls = Some(info);
                    result.heard = Some(Heard::Tls);
                    return Err(Failure::new(Phase::Greeting, FailureKind::TlsAnswered { version }));
                }
            }
        }
    }
    .map_err(|k| Failure::new(Phase::Greeting, k))?;
    judge_greeting(result, conn, first, session, clock).await
}

/// Reads and judges the greeting; returns capabilities announced in it (IMAP).
async fn greeting(
    result: &mut ProbeResult,
    conn: &mut Conn,
    session: &Session<'_>,
    clock: Clock,
) -> Result<Option<Vec<String>>, Failure> {
    let first = conn
        .read_line()
        .await
        .map_err(|k| Failure::new(Phase::Greeting, k))?;
    judge_greeting(result, conn, first, session, clock).await
}

async fn judge_greeting(
    result: &mut ProbeResult,
    conn: &mut Conn,
    first: Vec<u8>,
    session: &Session<'_>,
    clock: Clock,
) -> Result<Option<Vec<String>>, Failure> {
    let protocol = result.service.protocol;
    result.timings.greeting_first_ms = clock.ms();
    result.banner = Some(truncate(&from_wire(&first), MAX_BANNER_CHARS));
    let heard = classify_greeting(&first);
    result.heard = Some(heard);
    if heard != expected(protocol) {
        return Err(Failure::new(
            Phase::Greeting,
            FailureKind::ProtocolMismatch {
                heard,
                sample: truncate(&from_wire(&first), 120),
            },
        ));
    }
    dialect::greeting_status(protocol, conn, &first, session.greeting_grace)
        .await
        .map_err(|k| Failure::new(Phase::Greeting, k))?;
    result.timings.greeting_ms = clock.ms();
    // Logged in before any TLS: STARTTLS is forbidden now, and anything sent travels in clear.
    if protocol == Protocol::Imap && result.tls.is_none() && imap::is_preauth(&first) {
        return Err(Failure::new(Phase::Greeting, FailureKind::PreAuthenticated));
    }
    Ok(dialect::greeting_capabilities(protocol, &first))
}

/// Plaintext where the TLS handshake after a STARTTLS go-ahead expected the server's hello: it
/// came after the go-ahead, so it is injected, late enough to miss the buffer check.
fn late_injection(f: Failure) -> Failure {
    match f.kind {
        FailureKind::ProtocolMismatch { heard, sample } if heard != Heard::Tls => Failure::new(
            Phase::StartTls,
            FailureKind::StartTlsInjection {
                bytes: sample.len(),
            },
        ),
        kind => Failure::new(f.phase, kind),
    }
}

/// One line on a TLS handshake for the transcript (data only: the words of the verdicts are the
/// report's).
fn tls_summary(info: &TlsInfo) -> String {
    let cert = info.certificate.as_ref();
    format!(
        "TLS handshake with SNI {}: {} {}; certificate for [{}] issued by {}",
        info.sni,
        info.version.as_deref().unwrap_or("not completed"),
        info.cipher.as_deref().unwrap_or(""),
        cert.map(|c| c.names.join(", ")).unwrap_or_default(),
        cert.map(|c| c.issuer.as_str()).unwrap_or("-"),
    )
}

fn set_capabilities(slot: &mut Vec<String>, mut caps: Vec<String>, truncated: &mut bool) {
    if caps.len() > MAX_CAPABILITIES {
        caps.truncate(MAX_CAPABILITIES);
        *truncated = true;
    }
    *slot = caps.into_iter().map(|c| truncate(&c, 200)).collect();
}

fn connect_failure(outcome: &TcpOutcome) -> FailureKind {
    match outcome {
        TcpOutcome::Refused => FailureKind::Refused,
        TcpOutcome::TimedOut => FailureKind::TimedOut,
        TcpOutcome::Unreachable(u) => FailureKind::Unreachable(*u),
        TcpOutcome::Reset => FailureKind::Reset,
        TcpOutcome::Failed(e) => FailureKind::Local(e.clone()),
        // Not reached: a connected or untried socket is no connect failure.
        TcpOutcome::Connected | TcpOutcome::NotAttempted => FailureKind::TimedOut,
    }
}

/// RFC 5321 4.1.1.1: a client without a DNS name greets with its address literal.
fn ehlo_name(stream: &tokio::net::TcpStream) -> String {
    match stream.local_addr().map(|a| a.ip()) {
        Ok(IpAddr::V4(ip)) => format!("[{ip}]"),
        Ok(IpAddr::V6(ip)) => format!("[IPv6:{ip}]"),
        Err(_) => "[127.0.0.1]".to_string(),
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A fresh connection to `address` for `service`, taken to the point where a TLS ClientHello
/// goes (at once for implicit TLS, after the greeting, capabilities and STARTTLS otherwise),
/// then a hello offering only `version`. Nothing else is sent: no login, no goodbye.
pub async fn legacy_hello(
    host: &str,
    address: IpAddr,
    service: Service,
    version: tls::legacy::LegacyVersion,
    deadline: Instant,
) -> Result<tls::legacy::LegacyAnswer, Failure> {
    let stream = tcp::connect(SocketAddr::new(address, service.port), deadline)
        .await
        .map_err(|o| Failure::new(Phase::Connect, connect_failure(&o)))?;
    let client_name = ehlo_name(&stream);
    let stream: BoxStream = Box::new(stream);
    let stream = match service.security {
        Security::Tls => stream,
        _ => to_starttls(service.protocol, stream, &client_name, deadline).await?,
    };
    Ok(tls::legacy::ask(stream, version, host, deadline).await)
}

/// Greeting, capabilities and STARTTLS, for a hello that follows; the stream handed back.
async fn to_starttls(
    protocol: Protocol,
    stream: BoxStream,
    client_name: &str,
    deadline: Instant,
) -> Result<BoxStream, Failure> {
    let mut conn = Conn::new(stream, deadline);
    let first = conn
        .read_line()
        .await
        .map_err(|k| Failure::new(Phase::Greeting, k))?;
    dialect::greeting_status(protocol, &mut conn, &first, None)
        .await
        .map_err(|k| Failure::new(Phase::Greeting, k))?;
    let from_greeting = dialect::greeting_capabilities(protocol, &first);
    // Asked only where STARTTLS worked a moment ago: the listing is read, not judged.
    dialect::capabilities(protocol, &mut conn, "c1", client_name, from_greeting)
        .await
        .map_err(|k| Failure::new(Phase::Capabilities, k))?;
    dialect::start_tls(protocol, &mut conn)
        .await
        .map_err(|k| Failure::new(Phase::StartTls, k))?;
    nothing_after_go_ahead(&conn)?;
    Ok(conn.into_stream())
}

/// Bytes already waiting were sent in plaintext after the "go ahead": never treat them as part
/// of the TLS session (STARTTLS command injection, CVE-2011-0411 and relatives).
fn nothing_after_go_ahead(conn: &Conn) -> Result<(), Failure> {
    match conn.buffered() {
        0 => Ok(()),
        bytes => Err(Failure::new(
            Phase::StartTls,
            FailureKind::StartTlsInjection { bytes },
        )),
    }
}
