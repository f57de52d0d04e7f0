//! One TLS handshake that always records what the server presented and what WebPKI thought
//! of it, whether or not the handshake completes.

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ResolvesClientCert, WebPkiServerVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::time::{timeout_at, Instant};
use tokio_rustls::TlsConnector;

use super::cert::parse_certificate;
use super::names::certificate_covers;
use super::{CertVerdict, TlsInfo, Trust};
use crate::probe::conn::{BoxStream, Recording};
use crate::probe::{FailureKind, Heard, TlsFailure};

/// What the verifier saw: the chain, the verdict, the clock it judged by, and whether an OCSP
/// response was stapled.
type Seen = (Vec<CertificateDer<'static>>, CertVerdict, UnixTime, bool);

/// Records what the server presented and what WebPKI thought of it; also notes a request for
/// a client certificate (and never answers one).
#[derive(Debug)]
pub struct Recorder {
    inner: Arc<WebPkiServerVerifier>,
    seen: Mutex<Option<Seen>>,
    asked_for_client_cert: Mutex<bool>,
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
            *seen = Some((chain, verdict, now, !ocsp_response.is_empty()));
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

impl ResolvesClientCert for Recorder {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        if let Ok(mut asked) = self.asked_for_client_cert.lock() {
            *asked = true;
        }
        None
    }

    fn has_certs(&self) -> bool {
        false
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
        asked_for_client_cert: Mutex::new(false),
    });
    let mut info = TlsInfo::new(sni);
    let config = match trust.client_config(recorder.clone()) {
        Ok(c) => c,
        Err(e) => {
            let failure = TlsFailure::Other(crate::text::escape_controls(&e.to_string()));
            return Err((FailureKind::TlsHandshake(failure), info));
        }
    };
    let Ok(server_name) = ServerName::try_from(sni.to_string()) else {
        return Err((
            FailureKind::TlsHandshake(TlsFailure::InvalidServerName),
            info,
        ));
    };
    // Enough for the server's first record: a plaintext greeting's line, or its ServerHello.
    let (recording, first_bytes) = Recording::new(stream, 512);
    let connector = TlsConnector::from(Arc::new(config));
    let result = timeout_at(deadline, connector.connect(server_name, recording)).await;
    record_certificate(&recorder, sni, &mut info);
    match result {
        Err(_) => Err((FailureKind::TimedOut, info)),
        Ok(Err(e)) => {
            let seen = first_bytes.lock().map(|b| b.clone()).unwrap_or_default();
            Err((handshake_failure(&e, &seen, &info), info))
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
    info.client_certificate_requested = recorder
        .asked_for_client_cert
        .lock()
        .is_ok_and(|asked| *asked);
    let seen = recorder.seen.lock().ok().and_then(|mut s| s.take());
    if let Some((chain, verdict, now, stapled)) = seen {
        info.chain = chain
            .iter()
            .take(super::MAX_CHAIN)
            .filter(|c| c.as_ref().len() <= super::MAX_CHAIN_CERT_BYTES)
            .map(|c| c.as_ref().to_vec())
            .collect();
        if let Some(leaf) = chain.first() {
            let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
            let mut cert = parse_certificate(leaf.as_ref(), chain.len(), now);
            if let Some(c) = cert.as_mut() {
                // Clients match subjectAltNames only: a name only in the CN does not count.
                info.name_matches = Some(!c.names_from_cn && certificate_covers(&c.names, sni));
                // Judged on every name; kept are the first few, so that a certificate with
                // thousands of names does not multiply through the report.
                c.names_total = c.names.len();
                c.names.truncate(super::MAX_CERT_NAMES);
                let rest = &chain[1..chain.len().min(super::MAX_CHAIN)];
                c.intermediates = super::cert::parse_intermediates(rest, now);
                c.ocsp_stapled = stapled;
            }
            info.certificate = cert;
        }
        info.verdict = Some(verdict);
    }
}

/// Explains a failed handshake: a plaintext greeting on a TLS port is the common case.
fn handshake_failure(e: &std::io::Error, first_bytes: &[u8], info: &TlsInfo) -> FailureKind {
    let heard = crate::probe::sniff::classify_greeting(first_bytes);
    if !first_bytes.is_empty() && heard != Heard::Tls {
        return FailureKind::ProtocolMismatch {
            heard,
            sample: crate::text::truncate(&crate::text::from_wire(first_line(first_bytes)), 120),
        };
    }
    if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        // The verifier accepts every chain (and records its verdict): a certificate error
        // can only come from checking the handshake's signature with the leaf's key.
        if let (
            rustls::Error::InvalidCertificate(rustls::CertificateError::BadSignature),
            Some(c),
        ) = (inner, &info.certificate)
        {
            return FailureKind::TlsHandshake(TlsFailure::SignatureRejected {
                key: c.key,
                bits: c.key_bits,
            });
        }
        return FailureKind::TlsHandshake(super::failure::after_server_messages(
            inner,
            info.client_certificate_requested,
            first_bytes,
            info.verdict.is_some(),
        ));
    }
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof if info.client_certificate_requested => {
            FailureKind::TlsHandshake(TlsFailure::ClientCertificateRequired)
        }
        std::io::ErrorKind::UnexpectedEof => {
            FailureKind::TlsHandshake(TlsFailure::ClosedDuringHandshake)
        }
        _ => crate::probe::conn::io_failure(e),
    }
}

fn first_line(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(bytes.len());
    &bytes[..end]
}

/// The recorded name of a negotiated version (`TlsInfo::version`).
pub(super) fn version_name(code: u16) -> String {
    match code {
        0x0304 => "TLSv1.3".into(),
        0x0303 => "TLSv1.2".into(),
        0x0302 => "TLSv1.1".into(),
        0x0301 => "TLSv1.0".into(),
        other => format!("0x{other:04x}"),
    }
}
