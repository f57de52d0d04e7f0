//! The words of the report's "Servers" section: which software answers, and which TLS
//! versions each port speaks and still accepts.

use crate::judge::software::Confidence;
use crate::probe::tls::legacy::LegacyVersion;
use crate::service::Protocol;

/// "Exim for SMTP (its greeting and capability list agree)".
pub fn software(name: &str, confidence: Confidence, protocols: &[Protocol]) -> String {
    let names: Vec<&str> = protocols.iter().map(|p| p.name()).collect();
    let why = match confidence {
        Confidence::High => "its greeting and capability list agree",
        Confidence::Medium => "by its capability list; the greeting does not say so",
        Confidence::Low => "only its greeting says so, which anyone can set",
    };
    format!("{name} for {} ({why})", names.join(", "))
}

/// What one port speaks: "TLS 1.3, still accepting TLS 1.0 and TLS 1.1", "TLS 1.3 only",
/// "TLS 1.3 and TLS 1.2".
pub fn tls_profile(chosen: &str, accepted: &[LegacyVersion], tls12_refused: bool) -> String {
    let chosen = chosen.replace("TLSv", "TLS ");
    let deprecated: Vec<LegacyVersion> = accepted
        .iter()
        .copied()
        .filter(|v| v.is_deprecated())
        .collect();
    let mut text = chosen;
    if tls12_refused {
        text.push_str(" only");
    } else if accepted.contains(&LegacyVersion::Tls12) {
        text.push_str(" and TLS 1.2");
    }
    if !deprecated.is_empty() {
        text.push_str(&format!(
            ", still accepting {}",
            super::legacy_versions(&deprecated, "and")
        ));
    }
    text
}

/// "(mail.example.com, imap.example.com and 3 names more)": the names probed at one address.
pub fn names(hosts: &[&str]) -> String {
    const SHOWN: usize = 3;
    let more = match hosts.len().saturating_sub(SHOWN) {
        0 => String::new(),
        n => format!(" and {}", super::count(n, "name more", "names more")),
    };
    let shown: Vec<&str> = hosts.iter().take(SHOWN).copied().collect();
    format!("({}{more})", shown.join(", "))
}

/// "on 465, 587".
pub fn on_ports(ports: &[u16]) -> String {
    format!("on {}", super::list(ports))
}

/// "RSA 2048-bit key, signed with sha256WithRSAEncryption".
pub fn key_and_signature(cert: &crate::probe::CertInfo) -> String {
    format!(
        "{} {}-bit key, signed with {}",
        super::key_kind(cert.key),
        cert.key_bits,
        cert.signature
    )
}
