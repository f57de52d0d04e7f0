//! The leaf certificate as data: names, issuer, validity judged against a clock passed in.

use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use super::{CertInfo, ChainCert, KeyKind, SignatureHash};
use crate::text::escape_controls;

/// Parses the leaf certificate; `None` when it is not valid DER. `now` (Unix seconds) is the
/// clock its validity is judged by: the handshake's, or a test's.
pub fn parse_certificate(der: &[u8], chain_length: usize, now: i64) -> Option<CertInfo> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(d) => names.push(escape_controls(&d.to_ascii_lowercase())),
                GeneralName::IPAddress(bytes) => {
                    if let Some(ip) = ip_from_bytes(bytes) {
                        names.push(ip.to_string());
                    }
                }
                _ => {}
            }
        }
    }
    let names_from_cn = names.is_empty();
    if names_from_cn {
        // Legacy certificates name the host only in the subject's CN.
        names.extend(
            cert.subject()
                .iter_common_name()
                .filter_map(|cn| cn.as_str().ok())
                .map(|s| escape_controls(&s.to_ascii_lowercase())),
        );
    }
    let not_after = cert.validity().not_after.timestamp();
    let subject = escape_controls(&cert.subject().to_string());
    let issuer = escape_controls(&cert.issuer().to_string());
    Some(CertInfo {
        self_signed: subject == issuer,
        subject,
        issuer,
        names_total: names.len(),
        names,
        names_from_cn,
        not_before: format_time(cert.validity().not_before.timestamp()),
        not_after: format_time(not_after),
        not_after_unix: not_after,
        days_left: (not_after - now).div_euclid(86_400),
        chain_length,
        key: key_kind(&cert.public_key().algorithm.algorithm.to_id_string()),
        key_bits: cert
            .public_key()
            .parsed()
            .map(|k| u32::try_from(k.key_size()).unwrap_or(0))
            .unwrap_or(0),
        signature: signature(&cert.signature_algorithm.algorithm.to_id_string()).0,
        signature_hash: signature(&cert.signature_algorithm.algorithm.to_id_string()).1,
        validity_days: (not_after - cert.validity().not_before.timestamp()).div_euclid(86_400),
        sha256: ring::digest::digest(&ring::digest::SHA256, der)
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        intermediates: Vec::new(),
        must_staple: must_staple(&cert),
        ocsp_stapled: false,
    })
}

/// RFC 7633: a TLS Feature extension (1.3.6.1.5.5.7.1.24) whose SEQUENCE OF INTEGER holds
/// status_request (5).
fn must_staple(cert: &x509_parser::certificate::X509Certificate<'_>) -> bool {
    use x509_parser::asn1_rs::FromDer;
    cert.extensions()
        .iter()
        .filter(|e| e.oid.to_id_string() == "1.3.6.1.5.5.7.1.24")
        .any(|e| <Vec<u32>>::from_der(e.value).is_ok_and(|(_, features)| features.contains(&5)))
}

/// The certificates after the leaf, each with its own dates judged by `now`; one that is not
/// valid DER is left out.
pub fn parse_intermediates<C: AsRef<[u8]>>(rest: &[C], now: i64) -> Vec<ChainCert> {
    rest.iter()
        .filter_map(|der| {
            let (_, cert) = X509Certificate::from_der(der.as_ref()).ok()?;
            let (from, until) = (
                cert.validity().not_before.timestamp(),
                cert.validity().not_after.timestamp(),
            );
            Some(ChainCert {
                subject: escape_controls(&cert.subject().to_string()),
                issuer: escape_controls(&cert.issuer().to_string()),
                not_before: format_time(from),
                not_after: format_time(until),
                days_left: (until - now).div_euclid(86_400),
            })
        })
        .collect()
}

/// The key's kind from its algorithm OID (RFC 3279, RFC 8410).
fn key_kind(oid: &str) -> KeyKind {
    match oid {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => KeyKind::Rsa,
        "1.2.840.10045.2.1" => KeyKind::Ecdsa,
        "1.3.101.112" => KeyKind::Ed25519,
        "1.3.101.113" => KeyKind::Ed448,
        _ => KeyKind::Other,
    }
}

/// The signature algorithm's name and hash from its OID (RFC 3279, 4055, 5758, 8410).
fn signature(oid: &str) -> (&'static str, SignatureHash) {
    use SignatureHash::{Md5, None, Sha1, Sha2, Unknown};
    match oid {
        "1.2.840.113549.1.1.4" => ("md5WithRSAEncryption", Md5),
        "1.2.840.113549.1.1.5" => ("sha1WithRSAEncryption", Sha1),
        "1.2.840.113549.1.1.11" => ("sha256WithRSAEncryption", Sha2),
        "1.2.840.113549.1.1.12" => ("sha384WithRSAEncryption", Sha2),
        "1.2.840.113549.1.1.13" => ("sha512WithRSAEncryption", Sha2),
        "1.2.840.113549.1.1.10" => ("RSASSA-PSS", Sha2),
        "1.2.840.10045.4.1" => ("ecdsa-with-SHA1", Sha1),
        "1.2.840.10045.4.3.2" => ("ecdsa-with-SHA256", Sha2),
        "1.2.840.10045.4.3.3" => ("ecdsa-with-SHA384", Sha2),
        "1.2.840.10045.4.3.4" => ("ecdsa-with-SHA512", Sha2),
        "1.3.101.112" => ("Ed25519", None),
        "1.3.101.113" => ("Ed448", None),
        _ => ("unknown", Unknown),
    }
}

fn ip_from_bytes(bytes: &[u8]) -> Option<std::net::IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(std::net::IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(std::net::IpAddr::from),
        _ => None,
    }
}

fn format_time(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ts.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Made with `openssl req -x509 -newkey rsa:1024 -sha1` and with an EC P-256 key and SHA-256.
    const WEAK: &[u8] = include_bytes!("../../../tests/fixtures/rsa1024-sha1.der");
    const EC: &[u8] = include_bytes!("../../../tests/fixtures/ecdsa-p256-sha256.der");

    #[test]
    fn key_signature_validity_and_fingerprint_are_read() {
        let weak = parse_certificate(WEAK, 1, 1_800_000_000).unwrap();
        assert_eq!((weak.key, weak.key_bits), (KeyKind::Rsa, 1024));
        assert_eq!(weak.signature, "sha1WithRSAEncryption");
        assert_eq!(weak.signature_hash, SignatureHash::Sha1);
        assert_eq!(weak.validity_days, 3650);
        let ec = parse_certificate(EC, 1, 1_800_000_000).unwrap();
        assert_eq!((ec.key, ec.key_bits), (KeyKind::Ecdsa, 256));
        assert_eq!(ec.signature, "ecdsa-with-SHA256");
        assert_eq!(ec.validity_days, 90);
        // As `openssl x509 -fingerprint -sha256` prints it.
        assert_eq!(
            ec.sha256,
            "8cc64166234e5261da24314cd5d9d0d84d14f1337896328052048278 48e038d4".replace(' ', "")
        );
    }
}
