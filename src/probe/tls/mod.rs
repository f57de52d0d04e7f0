//! TLS handshakes that always record the certificate and the verifier's verdict.
//!
//! The verifier wraps rustls' WebPKI verifier: it keeps the chain and the verdict, then lets the
//! handshake go on, so that a probe can still read the greeting behind a bad certificate and say
//! both "this port speaks IMAP" and "its certificate is for another name". Nothing secret is
//! ever sent by a probe, so continuing is safe; signatures are still checked by the real verifier.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use serde::Serialize;
use tokio::time::{timeout_at, Instant};
use tokio_rustls::TlsConnector;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use super::conn::{BoxStream, Recording};
use super::{FailureKind, Heard};
use crate::text::escape_controls;

/// Certificates expiring sooner than this are reported.
pub const EXPIRY_WARNING_DAYS: i64 = 14;

/// Trust anchors and crypto, built once per run and shared by every probe.
#[derive(Clone)]
pub struct Trust {
    provider: Arc<CryptoProvider>,
    verifier: Arc<WebPkiServerVerifier>,
}

impl fmt::Debug for Trust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Trust")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("cannot read CA file {path}: {reason}")]
    CaFile { path: String, reason: String },
    #[error("CA file {0} holds no usable certificate")]
    NoCertificates(String),
    #[error("cannot build the certificate verifier: {0}")]
    Verifier(String),
}

impl Trust {
    /// webpki-roots plus, optionally, the PEM certificates in `ca_file` (an internal CA).
    pub fn new(ca_file: Option<&Path>) -> Result<Self, TrustError> {
        let mut roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        if let Some(path) = ca_file {
            let shown = path.display().to_string();
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .map_err(|e| TrustError::CaFile {
                    path: shown.clone(),
                    reason: e.to_string(),
                })?
                .filter_map(Result::ok)
                .collect();
            let (added, _) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(TrustError::NoCertificates(shown));
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| TrustError::Verifier(e.to_string()))?;
        Ok(Self { provider, verifier })
    }

    fn client_config(&self, recorder: Arc<Recorder>) -> Result<ClientConfig, rustls::Error> {
        Ok(ClientConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(recorder)
            .with_no_client_auth())
    }
}

/// The certificate verdict as the WebPKI verifier gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CertVerdict {
    Trusted,
    NameMismatch,
    Expired,
    NotYetValid,
    /// Issued by a CA we do not trust (or self-signed).
    UnknownIssuer,
    Other {
        detail: String,
    },
}

impl CertVerdict {
    fn from_error(e: &rustls::Error) -> Self {
        match e {
            rustls::Error::InvalidCertificate(c) => match c {
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => Self::NameMismatch,
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                    Self::Expired
                }
                CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                    Self::NotYetValid
                }
                CertificateError::UnknownIssuer => Self::UnknownIssuer,
                other => Self::Other {
                    detail: format!("{other:?}"),
                },
            },
            other => Self::Other {
                detail: other.to_string(),
            },
        }
    }
}

/// What the leaf certificate says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    /// DNS names (and IP addresses) the certificate is valid for.
    pub names: Vec<String>,
    pub not_before: String,
    pub not_after: String,
    /// Whole days until expiry; negative once expired.
    pub days_left: i64,
    pub self_signed: bool,
    /// Certificates the server sent (leaf included).
    pub chain_length: usize,
}

/// The TLS side of a probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsInfo {
    /// The name sent as SNI and checked against the certificate.
    pub sni: String,
    pub version: Option<String>,
    pub cipher: Option<String>,
    pub certificate: Option<CertInfo>,
    pub verdict: Option<CertVerdict>,
    /// Our own reading of the name check, independent of which error WebPKI met first.
    pub name_matches: Option<bool>,
}

impl TlsInfo {
    pub fn trusted(&self) -> bool {
        self.verdict == Some(CertVerdict::Trusted)
    }
}

/// Records what the server presented and what WebPKI thought of it.
#[derive(Debug)]
struct Recorder {
    inner: Arc<WebPkiServerVerifier>,
    seen: Mutex<Option<(Vec<CertificateDer<'static>>, CertVerdict)>>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(_) => CertVerdict::Trusted,
            Err(e) => CertVerdict::from_error(&e),
        };
        let chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.clone().into_owned())
            .collect();
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some((chain, verdict));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Runs a TLS handshake over `stream` with `sni` as server name. On failure the info gathered so
/// far (e.g. the certificate) comes back with the reason.
pub async fn handshake(
    stream: BoxStream,
    sni: &str,
    trust: &Trust,
    deadline: Instant,
) -> Result<(BoxStream, TlsInfo), (FailureKind, TlsInfo)> {
    let recorder = Arc::new(Recorder {
        inner: trust.verifier.clone(),
        seen: Mutex::new(None),
    });
    let mut info = TlsInfo {
        sni: sni.to_string(),
        version: None,
        cipher: None,
        certificate: None,
        verdict: None,
        name_matches: None,
    };
    let config = match trust.client_config(recorder.clone()) {
        Ok(c) => c,
        Err(e) => {
            let detail = e.to_string();
            return Err((FailureKind::TlsHandshake { detail }, info));
        }
    };
    let server_name = match ServerName::try_from(sni.to_string()) {
        Ok(n) => n,
        Err(e) => {
            let detail = format!("'{sni}' cannot be used as TLS server name: {e}");
            return Err((FailureKind::TlsHandshake { detail }, info));
        }
    };
    let (recording, first_bytes) = Recording::new(stream, 256);
    let connector = TlsConnector::from(Arc::new(config));
    let result = timeout_at(deadline, connector.connect(server_name, recording)).await;
    record_certificate(&recorder, sni, &mut info);
    match result {
        Err(_) => Err((FailureKind::TimedOut, info)),
        Ok(Err(e)) => {
            let seen = first_bytes.lock().map(|b| b.clone()).unwrap_or_default();
            Err((handshake_failure(&e, &seen), info))
        }
        Ok(Ok(tls)) => {
            let (_, session) = tls.get_ref();
            info.version = session
                .protocol_version()
                .map(|v| version_name(u16::from(v)));
            info.cipher = session
                .negotiated_cipher_suite()
                .map(|c| format!("{:?}", c.suite()));
            Ok((Box::new(tls), info))
        }
    }
}

fn record_certificate(recorder: &Recorder, sni: &str, info: &mut TlsInfo) {
    let seen = recorder.seen.lock().ok().and_then(|mut s| s.take());
    if let Some((chain, verdict)) = seen {
        if let Some(leaf) = chain.first() {
            info.certificate = parse_certificate(leaf.as_ref(), chain.len());
            info.name_matches = info
                .certificate
                .as_ref()
                .map(|c| certificate_covers(&c.names, sni));
        }
        info.verdict = Some(verdict);
    }
}

/// Explains a failed handshake: a plaintext greeting on a TLS port is the common case.
fn handshake_failure(e: &std::io::Error, first_bytes: &[u8]) -> FailureKind {
    let heard = super::session::classify_greeting(first_bytes);
    if !first_bytes.is_empty() && heard != Heard::Tls {
        return FailureKind::ProtocolMismatch {
            heard,
            sample: crate::text::truncate(&crate::text::from_wire(first_line(first_bytes)), 120),
        };
    }
    if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        return FailureKind::TlsHandshake {
            detail: describe_rustls_error(inner),
        };
    }
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => FailureKind::TlsHandshake {
            detail: "the server closed the connection during the handshake".into(),
        },
        _ => super::conn::io_failure(e),
    }
}

fn describe_rustls_error(e: &rustls::Error) -> String {
    match e {
        rustls::Error::AlertReceived(rustls::AlertDescription::ProtocolVersion) => {
            "the server only offers TLS versions older than 1.2".into()
        }
        rustls::Error::AlertReceived(rustls::AlertDescription::HandshakeFailure) => {
            "the server refused the handshake (no common cipher suite or protocol version)".into()
        }
        other => escape_controls(&other.to_string()),
    }
}

fn first_line(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(bytes.len());
    &bytes[..end]
}

fn version_name(code: u16) -> String {
    match code {
        0x0304 => "TLSv1.3".into(),
        0x0303 => "TLSv1.2".into(),
        0x0302 => "TLSv1.1".into(),
        0x0301 => "TLSv1.0".into(),
        other => format!("0x{other:04x}"),
    }
}

/// Parses the leaf certificate; `None` when it is not valid DER.
pub fn parse_certificate(der: &[u8], chain_length: usize) -> Option<CertInfo> {
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
    if names.is_empty() {
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
        names,
        not_before: format_time(cert.validity().not_before.timestamp()),
        not_after: format_time(not_after),
        days_left: (not_after - unix_now()).div_euclid(86_400),
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

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
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

/// RFC 6125 name matching: exact, or a wildcard standing for the whole left-most label.
pub fn certificate_covers(names: &[String], host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    names.iter().any(|n| {
        let n = n.trim_end_matches('.');
        if let Some(rest) = n.strip_prefix("*.") {
            host.split_once('.')
                .is_some_and(|(first, tail)| !first.is_empty() && tail == rest)
        } else {
            n == host
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_one_label_only() {
        let names = vec!["*.hoster.net".to_string(), "mail.example.com".to_string()];
        assert!(certificate_covers(&names, "server12.hoster.net"));
        assert!(certificate_covers(&names, "MAIL.example.com."));
        assert!(!certificate_covers(&names, "a.b.hoster.net"));
        assert!(!certificate_covers(&names, "hoster.net"));
        assert!(!certificate_covers(&names, "example.com"));
    }
}
