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
            let shown = crate::text::escape_controls(&path.display().to_string());
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .map_err(|e| TrustError::CaFile {
                    path: shown.clone(),
                    reason: crate::text::escape_controls(&e.to_string()),
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
