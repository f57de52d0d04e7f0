//! The leaf certificate as data: names, issuer, validity judged against a clock passed in.

use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use super::CertInfo;
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
    })
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
