//! The trust store: built once per run and shared by every probe.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rustls::client::{ResolvesClientCert, WebPkiServerVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

use super::handshake::Recorder;

/// Trust anchors and crypto, built once per run and shared by every probe.
#[derive(Clone)]
pub struct Trust {
    pub(super) provider: Arc<CryptoProvider>,
    pub(super) verifier: Arc<WebPkiServerVerifier>,
}

impl fmt::Debug for Trust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Trust")
    }
}

/// Largest CA file read: a bundle of every public root is about 250 KiB.
pub const MAX_CA_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads a regular file of at most [`MAX_CA_FILE_BYTES`]: a device, a pipe that never ends or
/// a huge file is refused with a reason, never read without bound.
pub fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let escaped = |e: std::io::Error| crate::text::escape_controls(&e.to_string());
    let meta = std::fs::metadata(path).map_err(escaped)?;
    if !meta.is_file() {
        return Err("not a regular file (a device, pipe or folder)".into());
    }
    if meta.len() > MAX_CA_FILE_BYTES {
        return Err(format!(
            "larger than {} MiB",
            MAX_CA_FILE_BYTES / 1024 / 1024
        ));
    }
    let mut data = Vec::new();
    std::fs::File::open(path)
        .map_err(escaped)?
        .take(MAX_CA_FILE_BYTES + 1)
        .read_to_end(&mut data)
        .map_err(escaped)?;
    if data.len() as u64 > MAX_CA_FILE_BYTES {
        return Err("grew while being read".into());
    }
    Ok(data)
}

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("cannot read CA file {path}: {reason}")]
    CaFile { path: String, reason: String },
    #[error("CA file {0} holds no PEM certificate")]
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
            let shown = crate::text::escape_controls(&path.display().to_string());
            let pem = read_bounded(path).map_err(|reason| TrustError::CaFile {
                path: shown.clone(),
                reason,
            })?;
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
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

    /// A config whose verifier and client-certificate resolver are the probe's recorder.
    pub(super) fn client_config(
        &self,
        recorder: Arc<Recorder>,
    ) -> Result<ClientConfig, rustls::Error> {
        let resolver: Arc<dyn ResolvesClientCert> = recorder.clone();
        Ok(ClientConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(recorder)
            .with_client_cert_resolver(resolver))
    }
}
