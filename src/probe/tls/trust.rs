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

/// Which certificate authorities are trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TrustSource {
    /// The Mozilla roots built into mailprobe (webpki-roots).
    Builtin,
    /// The system's trust store (and `SSL_CERT_FILE` / `SSL_CERT_DIR` when set).
    System,
    /// Both: a company CA installed system-wide is trusted, and so is every public one.
    #[default]
    Both,
}

/// What the trust store was built from, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustSummary {
    pub source: TrustSource,
    pub builtin: usize,
    pub system: usize,
    /// Certificates added from `--ca-file`.
    pub ca_file: usize,
    /// Problems reading the system store, in the system's words (escaped).
    pub system_errors: Vec<String>,
}

/// Trust anchors and crypto, built once per run and shared by every probe.
#[derive(Clone)]
pub struct Trust {
    pub(super) provider: Arc<CryptoProvider>,
    pub(super) verifier: Arc<WebPkiServerVerifier>,
    pub summary: TrustSummary,
}

impl fmt::Debug for Trust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Trust")
    }
}

pub use crate::input::{read_bounded, MAX_CA_FILE_BYTES};

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("cannot read CA file {path}: {reason}")]
    CaFile { path: String, reason: String },
    #[error("CA file {0} holds no PEM certificate")]
    NoCertificates(String),
    #[error("cannot build the certificate verifier: {0}")]
    Verifier(String),
    #[error("no trusted certificate authority: the system trust store is empty (use --trust both or --ca-file)")]
    NoRoots,
}

impl Trust {
    /// The built-in roots; see [`Trust::with_source`].
    pub fn new(ca_file: Option<&Path>) -> Result<Self, TrustError> {
        Self::with_source(TrustSource::Builtin, ca_file)
    }

    /// Roots from `source`, plus the PEM certificates in `ca_file` (an internal CA).
    pub fn with_source(source: TrustSource, ca_file: Option<&Path>) -> Result<Self, TrustError> {
        let mut roots = RootCertStore::empty();
        let mut summary = TrustSummary {
            source,
            builtin: 0,
            system: 0,
            ca_file: 0,
            system_errors: Vec::new(),
        };
        if source != TrustSource::System {
            roots
                .roots
                .extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            summary.builtin = roots.roots.len();
        }
        if source != TrustSource::Builtin {
            let found = rustls_native_certs::load_native_certs();
            summary.system_errors = found
                .errors
                .iter()
                .map(|e| crate::text::escape_controls(&e.to_string()))
                .collect();
            let (added, _) = roots.add_parsable_certificates(found.certs);
            summary.system = added;
        }
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
            summary.ca_file = added;
        }
        if roots.is_empty() {
            return Err(TrustError::NoRoots);
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| TrustError::Verifier(e.to_string()))?;
        Ok(Self {
            provider,
            verifier,
            summary,
        })
    }

    /// A plain client config on the same roots (HTTPS fetches): verification is strict, a
    /// refused certificate ends the connection.
    pub fn verifying_config(&self) -> Result<ClientConfig, rustls::Error> {
        Ok(ClientConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()?
            .with_webpki_verifier(self.verifier.clone())
            .with_no_client_auth())
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
