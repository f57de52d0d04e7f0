//! Runs the probe plan concurrently under limits that hold for every connection mailprobe opens
//! (probes, second looks, logins): a global cap and a per-address cap, shared through one
//! [`Limiter`]. Names on one address share what cannot differ between them, so no address is
//! hammered and a slow host costs about one timeout, not one per name.

use std::time::Duration;

use futures::future::join_all;
use tokio::time::Instant;

use super::session::{self, Deadline};
use super::tls::legacy::LegacyVersion;
use super::ProbeTask;
use super::{Failure, FailureKind, LegacyCheck, Phase, ProbeResult, Skip, TcpOutcome, Trust};
pub use crate::net::gate::{Gate, Limiter, Permits, PER_ADDRESS_CONNECTIONS};
use crate::service::Security;

#[derive(Debug, Clone)]
pub struct ProbeSettings {
    pub timeout: Duration,
    /// When the whole run must end (`--max-time`); probes not started by then are skipped.
    pub run_deadline: Option<Instant>,
    /// Keep each probe's conversation (`-v`).
    pub transcripts: bool,
    /// Which endpoints are also asked whether they still accept TLS 1.0 and 1.1.
    pub legacy_tls: LegacyScope,
}

/// Where the legacy-version hellos go (`--legacy-tls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LegacyScope {
    Off,
    /// Every TLS endpoint but port 25 (servers' delivery, where any TLS beats none).
    #[default]
    Clients,
    All,
}

/// Told about progress, so the caller can show it; probing itself never prints.
pub trait ProbeObserver: Send + Sync {
    fn planned(&self, _total: usize) {}
    fn finished(&self, _result: &ProbeResult) {}
}

/// An observer that ignores everything.
pub struct Silent;
impl ProbeObserver for Silent {}

/// Runs every task; results come back in task order, names in each task's order.
pub async fn run_probes(
    tasks: &[ProbeTask],
    trust: &Trust,
    gate: &Gate,
    settings: &ProbeSettings,
    observer: &dyn ProbeObserver,
) -> Vec<ProbeResult> {
    observer.planned(tasks.iter().map(|t| t.names.len()).sum());
    let ctx = Ctx {
        trust,
        gate,
        limiter: gate.limiter(),
        settings,
        observer,
    };
    let runs = tasks.iter().map(|task| run_task(task, &ctx));
    join_all(runs).await.into_iter().flatten().collect()
}

/// What a session made after the probes adds: a login, or the relay test.
pub enum Errand<'a> {
    Login(&'a super::login::Credentials),
    Relay(&'a super::relay::RelayRequest),
}

/// One session for a login check or the relay test, under the same limits as the probes (its
/// address, a probed one, already passed the gate's address rule).
pub async fn errand(
    task: &ProbeTask,
    trust: &Trust,
    gate: &Gate,
    timeout: Duration,
    errand: Errand<'_>,
    transcript: bool,
) -> ProbeResult {
    let _permits = gate.limiter().acquire(task.address).await;
    let deadline = Deadline::after(timeout, None);
    let (login, relay) = match errand {
        Errand::Login(creds) => (Some(creds), None),
        Errand::Relay(request) => (None, Some(request)),
    };
    let extras = session::Extras {
        login,
        relay,
        limiter: Some(gate.limiter()),
        connected: None,
        transcript,
        greeting_grace: session::greeting_grace(task.service, None),
    };
    let host = task.names.first().map(String::as_str).unwrap_or_default();
    session::probe(host, task.address, task.service, trust, deadline, extras).await
}

/// A connection kept open, with its permits, until dropped.
pub struct Held(
    #[allow(dead_code)] Permits,
    #[allow(dead_code)] Option<super::conn::BoxStream>,
);

struct Ctx<'a> {
    trust: &'a Trust,
    /// The run's gate: its address rule, and its caps (`limiter`, kept at hand).
    gate: &'a Gate,
    limiter: &'a Limiter,
    settings: &'a ProbeSettings,
    observer: &'a dyn ProbeObserver,
}

impl Ctx<'_> {
    /// One TLS handshake for `name` under the limits, if a slot frees before `deadline`; the
    /// connection is held open (and counted) until the caller drops it.
    async fn handshake(&self, name: &str, task: &ProbeTask, deadline: Deadline) -> EarlyHandshake {
        let permits = tokio::time::timeout_at(deadline.0, self.limiter.acquire(task.address))
            .await
            .ok()
            .flatten()?;
        // A slot that freed only as time ran out leaves nothing to learn.
        if deadline.0.saturating_duration_since(Instant::now()) < Duration::from_millis(100) {
            return None;
        }
        let (outcome, stream) =
            session::handshake_alone(name, task.address, task.service, self.trust, deadline).await;
        Some((outcome, Held(permits, stream)))
    }

    /// One probe of `name` under the limits, ending by `not_after` when given; `connected` is
    /// told when its TCP connection stands.
    async fn probe(
        &self,
        name: &str,
        task: &ProbeTask,
        not_after: Option<Instant>,
        connected: Option<tokio::sync::oneshot::Sender<()>>,
    ) -> ProbeResult {
        let _permits = self.limiter.acquire(task.address).await;
        let limit = [not_after, self.settings.run_deadline]
            .into_iter()
            .flatten()
            .min();
        if limit.is_some_and(|l| l <= Instant::now()) {
            let why = if not_after.is_some() {
                Skip::AddressBusy
            } else {
                Skip::RunDeadline
            };
            return skipped(name, task, why);
        }
        let deadline = Deadline::after(self.settings.timeout, limit);
        let extras = session::Extras {
            login: None,
            limiter: Some(self.limiter),
            connected,
            transcript: self.settings.transcripts,
            greeting_grace: session::greeting_grace(task.service, limit),
            relay: None,
        };
        let mut result = session::probe(
            name,
            task.address,
            task.service,
            self.trust,
            deadline,
            extras,
        )
        .await;
        // Cut short by the run's limit, not by the server: say so, do not blame the server.
        let cut = self
            .settings
            .run_deadline
            .is_some_and(|d| d <= deadline.0 && Instant::now() >= d);
        if let Some(f) = result.failure.as_mut().filter(|f| cut && f.timed_out()) {
            f.kind = FailureKind::Skipped(Skip::RunDeadline);
        }
        result
    }
}

/// What the other names of an address learn from the first name's probe.
enum Sharing {
    /// Nothing name-dependent happened yet (no connection, or a plaintext greeting that never
    /// came): every name gets the same outcome.
    All,
    /// Only the TLS handshake differs between names (SNI, certificate): each name's own
    /// handshake, done while the first probe went on, decides its TLS; the rest is shared.
    Handshakes,
    /// Each name is probed on its own.
    Separately,
}

fn sharing(first: &ProbeResult) -> Sharing {
    if !first.tcp.connected() {
        return Sharing::All;
    }
    let handshake_done = first.tls.as_ref().is_some_and(|t| t.version.is_some());
    match (first.service.security, &first.failure) {
        (Security::Tls, _) if handshake_done => Sharing::Handshakes,
        (Security::Tls, _) => Sharing::Separately,
        // The greeting comes before any TLS: no name was sent yet.
        (_, Some(f)) if f.phase == Phase::Greeting => Sharing::All,
        _ => Sharing::Separately,
    }
}

/// A handshake done for one name while the first probe went on; its connection and permits
/// are held until the group is done, so the server never sees more than the cap at once.
type EarlyHandshake = Option<(session::Handshake, Held)>;

async fn run_task(task: &ProbeTask, ctx: &Ctx<'_>) -> Vec<ProbeResult> {
    let Some((first_name, others)) = task.names.split_first() else {
        return Vec::new();
    };
    if let Err(class) = ctx.gate.admits(task.address) {
        let all = task.names.iter();
        return all
            .map(|n| skipped(n, task, Skip::Address(class)))
            .inspect(|r| ctx.observer.finished(r))
            .collect();
    }
    let (first, early) = first_and_early_handshakes(first_name, others, task, ctx).await;
    ctx.observer.finished(&first);
    // The early connections were held while the first probe ran; what follows may open new
    // ones, so they are let go now.
    let handshakes: Vec<Option<session::Handshake>> = early
        .into_iter()
        .map(|e| e.map(|(outcome, _held)| outcome))
        .collect();
    // The others get one more timeout at most, whatever the queue at this address.
    let not_after = Instant::now() + ctx.settings.timeout;
    let first = &first;
    let each = others.iter().enumerate().map(|(i, name)| {
        let handshake = handshakes.get(i).and_then(Option::as_ref);
        async move {
            match (sharing(first), handshake) {
                (Sharing::All, _) => shared_copy(first, name),
                // This name's own handshake failed: that is its outcome, no second try.
                (_, Some(Err(failed))) => with_own_handshake(first, name, Err(failed.clone())),
                (Sharing::Handshakes, Some(Ok(tls))) => {
                    with_own_handshake(first, name, Ok(tls.clone()))
                }
                // No handshake of its own in time, and the first name's session failed: the
                // same failure, told as shared.
                (Sharing::Handshakes, None) if first.failure.is_some() => shared_copy(first, name),
                _ => ctx.probe(name, task, Some(not_after), None).await,
            }
        }
    });
    let (rest, legacy) = tokio::join!(join_all(each), legacy_checks(first, task, ctx));
    for r in &rest {
        ctx.observer.finished(r);
    }
    let mut all: Vec<ProbeResult> = std::iter::once(first.clone()).chain(rest).collect();
    for r in &mut all {
        r.legacy_tls = legacy.clone();
    }
    all
}

/// Whether the endpoint spoke TLS (or refused the handshake in words: an old server) and is in
/// scope, and answered within half the timeout: the hellos then get the other half, so a slow
/// or stalling server never makes the run wait more than about one timeout.
fn wants_legacy(first: &ProbeResult, settings: &ProbeSettings) -> bool {
    let in_scope = match settings.legacy_tls {
        LegacyScope::Off => false,
        LegacyScope::Clients => !first.service.is_relay(),
        LegacyScope::All => true,
    };
    let answered = match &first.failure {
        None => true,
        Some(f) => f.phase == Phase::TlsHandshake && matches!(f.kind, FailureKind::TlsHandshake(_)),
    };
    let prompt = Duration::from_millis(first.timings.total_ms) < settings.timeout / 2;
    in_scope && answered && prompt && first.tcp.connected() && first.tls.is_some()
}

/// The endpoint's answers to a hello offering only TLS 1.0, one offering only TLS 1.1 (and one
/// only TLS 1.2, see [`versions_to_ask`]), each on a connection of its own under the same caps,
/// all at once.
async fn legacy_checks(first: &ProbeResult, task: &ProbeTask, ctx: &Ctx<'_>) -> Vec<LegacyCheck> {
    if !wants_legacy(first, ctx.settings) {
        return Vec::new();
    }
    let deadline = Deadline::after(ctx.settings.timeout / 2, ctx.settings.run_deadline).0;
    let check = |version| async move {
        let answer = match ctx.gate.enter(task.address, deadline).await {
            Ok(_permits) => {
                session::legacy_hello(&first.host, task.address, task.service, version, deadline)
                    .await
            }
            Err(_) => Err(Failure::new(
                Phase::Connect,
                FailureKind::Skipped(Skip::AddressBusy),
            )),
        };
        LegacyCheck { version, answer }
    };
    join_all(versions_to_ask(first).into_iter().map(check)).await
}

/// The deprecated versions always; TLS 1.2 too when the server chose TLS 1.3, since only then
/// is it unknown whether a client stopping at 1.2 gets in.
fn versions_to_ask(first: &ProbeResult) -> Vec<LegacyVersion> {
    let chose_13 = first.tls.as_ref().is_some_and(|t| t.chose_tls13());
    let mut versions = LegacyVersion::ALL.to_vec();
    if chose_13 {
        versions.push(LegacyVersion::Tls12);
    }
    versions
}

/// The first name's probe; on an implicit-TLS port whose first probe is slow, the other names'
/// handshakes too, ending with it, so that a slow greeting or a stall is waited for once.
async fn first_and_early_handshakes(
    first_name: &str,
    others: &[String],
    task: &ProbeTask,
    ctx: &Ctx<'_>,
) -> (ProbeResult, Vec<EarlyHandshake>) {
    let (tell, connected) = tokio::sync::oneshot::channel();
    let deadline = Deadline::after(ctx.settings.timeout, ctx.settings.run_deadline);
    let begun = std::sync::atomic::AtomicBool::new(false);
    let early = async {
        let tls_port = task.service.security == Security::Tls;
        if !tls_port || others.is_empty() || connected.await.is_err() {
            return Vec::new();
        }
        // A quick server is done before this: then every name gets a whole session of its own.
        tokio::time::sleep(session::patience(ctx.settings.timeout)).await;
        begun.store(true, std::sync::atomic::Ordering::SeqCst);
        join_all(
            others
                .iter()
                .map(|name| ctx.handshake(name, task, deadline)),
        )
        .await
    };
    tokio::pin!(early);
    let first = ctx.probe(first_name, task, None, Some(tell));
    tokio::pin!(first);
    tokio::select! {
        biased;
        first = &mut first => {
            // Handshakes under way end by the same deadline; those not begun are dropped.
            let begun = begun.load(std::sync::atomic::Ordering::SeqCst);
            let handshakes = if begun { early.await } else { Vec::new() };
            (first, handshakes)
        }
        handshakes = &mut early => (first.await, handshakes),
    }
}

/// The first name's session, with this name's own TLS handshake: where the handshake failed
/// for this name, that failure is its outcome.
fn with_own_handshake(
    first: &ProbeResult,
    name: &str,
    handshake: session::Handshake,
) -> ProbeResult {
    let mut result = shared_copy(first, name);
    match handshake {
        Ok(tls) => result.tls = Some(tls),
        Err(failed) => {
            let (failure, tls) = *failed;
            let own = ProbeResult::new(name, first.address, first.service);
            result = ProbeResult {
                tcp: if failure.phase == Phase::Connect {
                    own.tcp
                } else {
                    TcpOutcome::Connected
                },
                tls: Some(tls),
                failure: Some(failure),
                ..own
            };
        }
    }
    result
}

/// The first name's outcome told for another name, without a certificate verdict of its own.
fn shared_copy(first: &ProbeResult, name: &str) -> ProbeResult {
    let mut copy = first.clone();
    copy.host = name.to_string();
    copy.shared_with = Some(first.host.clone());
    if let Some(tls) = copy.tls.as_mut() {
        // The certificate was judged for another name: do not claim it for this one.
        tls.sni = name.to_string();
        tls.verdict = None;
        tls.name_matches = None;
    }
    copy
}

fn skipped(name: &str, task: &ProbeTask, why: Skip) -> ProbeResult {
    let mut r = ProbeResult::new(name, task.address, task.service);
    r.tcp = TcpOutcome::NotAttempted;
    r.failure = Some(Failure::new(Phase::Connect, FailureKind::Skipped(why)));
    r
}
