//! The verdict on one probe: works, works with warnings (and which), or fails (and why).

use crate::judge::findings::Code;
use crate::judge::policy::{self, EXPIRY_WARNING_DAYS};
use crate::probe::{CertVerdict, Failure, ProbeResult, StartTlsState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Secured with a trusted certificate valid for the name, speaking the right protocol.
    Works,
    /// Answers correctly, but something is wrong (certificate, no TLS, …).
    Warnings,
    Fails,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub verdict: Verdict,
    pub warnings: Vec<Code>,
    /// Why it failed.
    pub cause: Option<Failure>,
}

/// A probe with its judgement: carried together, so no output pairs them by position.
#[derive(Debug, Clone)]
pub struct Judged {
    pub probe: crate::probe::ProbeResult,
    pub judgement: Judgement,
}

impl Judged {
    /// Joins each probe with the judgement made of it (one per probe, in order: the only place
    /// that relies on it).
    pub fn pair(probes: Vec<crate::probe::ProbeResult>, judgements: Vec<Judgement>) -> Vec<Judged> {
        assert_eq!(probes.len(), judgements.len(), "one judgement per probe");
        probes
            .into_iter()
            .zip(judgements)
            .map(|(probe, judgement)| Judged { probe, judgement })
            .collect()
    }

    pub fn parts(&self) -> (&crate::probe::ProbeResult, &Judgement) {
        (&self.probe, &self.judgement)
    }
}

/// What the judgement of a probe needs to know beyond the probe itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context {
    /// The host is a recognised provider's own (published or MX): a certificate for other
    /// names there means interception or hijack, not a shared web host.
    pub provider_host: bool,
}

pub fn judge(p: &ProbeResult, ctx: Context) -> Judgement {
    if let Some(f) = &p.failure {
        return Judgement {
            verdict: Verdict::Fails,
            warnings: Vec::new(),
            cause: Some(f.clone()),
        };
    }
    let mut warnings = certificate_problems(p);
    if ctx.provider_host && warnings.contains(&Code::CertificateNameMismatch) {
        warnings.retain(|c| *c != Code::CertificateNameMismatch);
        warnings.insert(0, Code::TlsInterceptionSuspected);
    }
    match p.starttls {
        Some(StartTlsState::NotOffered) if no_login_in_clear(p) => {
            warnings.push(Code::NoStarttlsNoLogin)
        }
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
    if !legacy_accepted(p).is_empty() {
        warnings.push(Code::TlsLegacyAccepted);
    }
    if tls12_refused(p) {
        warnings.push(Code::Tls13Only);
    }
    Judgement {
        verdict: policy::verdict(&warnings),
        warnings,
        cause: None,
    }
}

/// The server offers no way to log in without TLS (IMAP LOGINDISABLED, no POP3 USER/SASL, no
/// SMTP AUTH): without STARTTLS no password can travel in clear, and none can be used at all.
fn no_login_in_clear(p: &ProbeResult) -> bool {
    use crate::service::Protocol;
    let listed = !p.capabilities.before_tls.is_empty();
    match p.service.protocol {
        Protocol::Imap => p.login_disabled,
        Protocol::Pop3 | Protocol::Smtp => listed && p.auth_mechanisms.is_empty(),
    }
}

/// The deprecated versions (TLS 1.0, 1.1) the endpoint answered with a ServerHello for.
pub fn legacy_accepted(p: &ProbeResult) -> Vec<crate::probe::tls::legacy::LegacyVersion> {
    let mut versions = alone_accepted(p);
    versions.retain(|v| v.is_deprecated());
    versions
}

/// Every version the endpoint answered with a ServerHello for when it was offered alone
/// (TLS 1.0, 1.1, and 1.2 where it was asked).
pub fn alone_accepted(p: &ProbeResult) -> Vec<crate::probe::tls::legacy::LegacyVersion> {
    use crate::probe::tls::legacy::LegacyAnswer;
    p.legacy_tls
        .iter()
        .filter(|c| matches!(c.answer, Ok(LegacyAnswer::Accepted { .. })))
        .map(|c| c.version)
        .collect()
}

/// The server chose TLS 1.3 and answered a hello offering only TLS 1.2 with a refusal (an
/// alert or a closed connection): a client that stops at 1.2 cannot connect. A hello that
/// timed out or never reached the server proves nothing.
pub fn tls12_refused(p: &ProbeResult) -> bool {
    use crate::probe::tls::legacy::{LegacyAnswer, LegacyVersion};
    p.legacy_tls.iter().any(|c| {
        c.version == LegacyVersion::Tls12
            && matches!(
                c.answer,
                Ok(LegacyAnswer::Alert { .. } | LegacyAnswer::Closed)
            )
    })
}

/// The leaf was signed (by another certificate, not itself) with a broken hash.
fn leaf_signature_weak(tls: &crate::probe::tls::TlsInfo) -> bool {
    tls.certificate
        .as_ref()
        .is_some_and(|c| !c.self_signed && policy::weak_signature(c.signature_hash))
}

/// An intermediate the server sent has expired.
fn chain_expired(tls: &crate::probe::tls::TlsInfo) -> bool {
    tls.certificate
        .as_ref()
        .is_some_and(|c| c.intermediates.iter().any(|i| i.days_left < 0))
}

/// Certificate problems of a probe that completed its handshake.
pub fn certificate_problems(p: &ProbeResult) -> Vec<Code> {
    let mut out = Vec::new();
    let Some(tls) = &p.tls else { return out };
    let days_left = tls.certificate.as_ref().map(|c| c.days_left);
    match &tls.verdict {
        Some(CertVerdict::NameMismatch) => out.push(Code::CertificateNameMismatch),
        // WebPKI says "expired" for any certificate of the chain: the leaf's own dates tell
        // whether it was an intermediate.
        Some(CertVerdict::Expired) if days_left.is_some_and(|d| d >= 0) && chain_expired(tls) => {
            out.push(Code::CertificateChainExpired)
        }
        Some(CertVerdict::Expired) => out.push(Code::CertificateExpired),
        Some(CertVerdict::NotYetValid) => out.push(Code::CertificateNotYetValid),
        // A trusted CA's SHA-1 (or MD5) signature on the leaf fails verification for that
        // reason alone: certificate_weak_signature (below) says so, once. Calling the
        // certificate "untrusted" or its issuer unknown beside it would mislead.
        Some(CertVerdict::BadSignature) if leaf_signature_weak(tls) => {}
        Some(
            CertVerdict::UnknownIssuer
            | CertVerdict::Revoked
            | CertVerdict::BadSignature
            | CertVerdict::WrongPurpose
            | CertVerdict::Other(_),
        ) => out.push(Code::CertificateUntrusted),
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
    if let Some(c) = &tls.certificate {
        if policy::weak_key(c.key, c.key_bits) {
            out.push(Code::CertificateWeakKey);
        }
        // A self-signed certificate's own signature proves nothing either way.
        if leaf_signature_weak(tls) {
            out.push(Code::CertificateWeakSignature);
        }
        // RFC 7633: the certificate itself says a handshake without a stapled response is an
        // attack; clients that honour it (Thunderbird, Firefox) refuse.
        if c.must_staple && !c.ocsp_stapled {
            out.push(Code::CertificateMustStapleUnmet);
        }
    }
    out
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::probe::tls::{parse_certificate, TlsInfo};
    use crate::service::{Protocol, Security, Service};

    /// A probe whose handshake presented the RSA-1024, SHA-1 fixture, as if a CA had signed it
    /// (also the other judgement modules' fixture).
    pub(in crate::judge) fn weak_probe(ca_signed: bool) -> ProbeResult {
        let der = include_bytes!("../../tests/fixtures/rsa1024-sha1.der");
        let mut cert = parse_certificate(der, 2, 1_800_000_000).unwrap();
        cert.self_signed = !ca_signed;
        let mut tls = TlsInfo::new("weak.example");
        tls.version = Some("TLSv1.3".into());
        tls.verdict = Some(CertVerdict::Trusted);
        tls.name_matches = Some(true);
        tls.certificate = Some(cert);
        let mut p = ProbeResult::new(
            "weak.example",
            "192.0.2.1".parse().unwrap(),
            Service::new(993, Protocol::Imap, Security::Tls),
        );
        p.tls = Some(tls);
        p
    }

    #[test]
    fn a_small_key_and_a_broken_hash_are_problems_of_their_own() {
        let codes = certificate_problems(&weak_probe(true));
        assert!(codes.contains(&Code::CertificateWeakKey), "{codes:?}");
        assert!(codes.contains(&Code::CertificateWeakSignature), "{codes:?}");
        assert_eq!(
            judge(&weak_probe(true), Context::default()).verdict,
            Verdict::Warnings
        );
        // Failing verification for that hash is the weak signature, not an untrusted issuer.
        let mut refused = weak_probe(true);
        refused.tls.as_mut().unwrap().verdict = Some(CertVerdict::BadSignature);
        let codes = certificate_problems(&refused);
        assert!(codes.contains(&Code::CertificateWeakSignature), "{codes:?}");
        assert!(!codes.contains(&Code::CertificateUntrusted), "{codes:?}");
        // A self-signed certificate's own SHA-1 signature says nothing.
        let codes = certificate_problems(&weak_probe(false));
        assert!(
            !codes.contains(&Code::CertificateWeakSignature),
            "{codes:?}"
        );
    }
}
