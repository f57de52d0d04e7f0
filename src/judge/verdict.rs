//! The verdict on one probe, and the words that explain a failure.

use serde::Serialize;

use crate::judge::findings::Code;
use crate::probe::tls::EXPIRY_WARNING_DAYS;
use crate::probe::{CertVerdict, Failure, FailureKind, Heard, Phase, ProbeResult, StartTlsState};
use crate::service::Security;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Secured with a trusted certificate valid for the name, speaking the right protocol.
    Works,
    /// Answers correctly, but something is wrong (certificate, no TLS, …).
    Warnings,
    Fails,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Judgement {
    pub verdict: Verdict,
    pub warnings: Vec<Code>,
    /// Why it failed, in words.
    pub reason: Option<String>,
}

pub fn judge(p: &ProbeResult) -> Judgement {
    if let Some(f) = &p.failure {
        return Judgement {
            verdict: Verdict::Fails,
            warnings: Vec::new(),
            reason: Some(describe_failure(p, f)),
        };
    }
    let mut warnings = certificate_problems(p);
    match p.starttls {
        Some(StartTlsState::NotOffered) => warnings.push(Code::NoStarttls),
        Some(StartTlsState::NotTried) => warnings.push(Code::PlaintextOnly),
        _ => {}
    }
    if p.login_disabled && p.tls.is_some() {
        warnings.push(Code::LoginDisabled);
    }
    if p.capabilities.truncated {
        warnings.push(Code::CapabilitiesTruncated);
    }
    Judgement {
        verdict: if warnings.is_empty() {
            Verdict::Works
        } else {
            Verdict::Warnings
        },
        warnings,
        reason: None,
    }
}

/// Certificate problems of a probe that completed its handshake.
pub fn certificate_problems(p: &ProbeResult) -> Vec<Code> {
    let mut out = Vec::new();
    let Some(tls) = &p.tls else { return out };
    let days_left = tls.certificate.as_ref().map(|c| c.days_left);
    match &tls.verdict {
        Some(CertVerdict::NameMismatch) => out.push(Code::CertificateNameMismatch),
        Some(CertVerdict::Expired) => out.push(Code::CertificateExpired),
        Some(CertVerdict::NotYetValid) => out.push(Code::CertificateNotYetValid),
        Some(CertVerdict::UnknownIssuer) | Some(CertVerdict::Other { .. }) => {
            out.push(Code::CertificateUntrusted)
        }
        Some(CertVerdict::Trusted) | None => {}
    }
    // WebPKI reports only the first problem it meets; our own checks add the others.
    if tls.name_matches == Some(false) && !out.contains(&Code::CertificateNameMismatch) {
        out.push(Code::CertificateNameMismatch);
    }
    if days_left.is_some_and(|d| d < 0) && !out.contains(&Code::CertificateExpired) {
        out.push(Code::CertificateExpired);
    }
    if days_left.is_some_and(|d| (0..EXPIRY_WARNING_DAYS).contains(&d)) {
        out.push(Code::CertificateExpiresSoon);
    }
    out
}

/// One sentence on why a probe failed, naming the phase.
pub fn describe_failure(p: &ProbeResult, f: &Failure) -> String {
    let protocol = p.service.protocol.name();
    match (&f.kind, f.phase) {
        (FailureKind::TimedOut, Phase::Connect) => {
            "no answer to the connection attempt (timed out): a firewall drops it, or the host is down".into()
        }
        (FailureKind::Refused, _) => "connection refused: no service listens on this port".into(),
        (FailureKind::Unreachable { detail }, _) => format!("unreachable: {detail}"),
        (FailureKind::Reset, Phase::Connect) => "connection reset while connecting".into(),
        (FailureKind::TimedOut, Phase::Greeting) if p.service.security != Security::Tls => format!(
            "connected, but no {protocol} greeting before the timeout (does this port expect implicit TLS?)"
        ),
        (FailureKind::TimedOut, Phase::TlsHandshake) => {
            "connected, but the TLS handshake stalled until the timeout".into()
        }
        (FailureKind::TimedOut, phase) => format!("timed out during {}", phase_name(phase)),
        (FailureKind::ProtocolMismatch { heard, sample }, Phase::TlsHandshake) => {
            if *heard == Heard::Unknown {
                format!("expected a TLS handshake, got plaintext: \"{sample}\"")
            } else {
                format!(
                    "expected a TLS handshake, but the port answered in plaintext with {} (\"{sample}\"): it is not an implicit-TLS port",
                    heard.describe()
                )
            }
        }
        (FailureKind::ProtocolMismatch { heard: Heard::Tls, .. }, Phase::Greeting) => format!(
            "no {protocol} greeting, but a TLS handshake on this port succeeded: it speaks implicit TLS, not plaintext/STARTTLS"
        ),
        (FailureKind::ProtocolMismatch { heard, sample }, _) => format!(
            "expected {protocol}, but the port speaks {} (\"{sample}\")",
            heard.describe()
        ),
        (FailureKind::TlsHandshake { detail }, _) => format!("TLS handshake failed: {detail}"),
        (FailureKind::Rejected { reply }, Phase::Greeting) => {
            format!("the server turned the connection away: \"{reply}\"")
        }
        (FailureKind::Rejected { reply }, Phase::StartTls) => {
            format!("STARTTLS was offered but refused: \"{reply}\"")
        }
        (FailureKind::Rejected { reply }, phase) => {
            format!("the server answered {} with an error: \"{reply}\"", phase_name(phase))
        }
        (FailureKind::StartTlsInjection { bytes }, _) => format!(
            "{bytes} bytes of plaintext arrived after the STARTTLS go-ahead: a sign of command injection by the server or a middlebox, so the upgrade was abandoned"
        ),
        (FailureKind::Closed, phase) => {
            format!("the server closed the connection during {}", phase_name(phase))
        }
        (FailureKind::Reset, phase) => {
            format!("the connection was reset during {}", phase_name(phase))
        }
        (FailureKind::LineTooLong, phase) => format!(
            "the server sent a line longer than {} bytes during {}",
            crate::probe::MAX_LINE,
            phase_name(phase)
        ),
        (FailureKind::TooMuchData, phase) => format!(
            "the server sent more than {} KiB during {}",
            crate::probe::MAX_PROBE_BYTES / 1024,
            phase_name(phase)
        ),
        (FailureKind::Io { detail }, phase) => format!("{detail} during {}", phase_name(phase)),
    }
}

pub fn phase_name(phase: Phase) -> &'static str {
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
