//! A TLS failure named from what rustls reported.

use crate::probe::TlsFailure;

/// A rustls error as a typed failure. A server that asked for a client certificate and then
/// ended the handshake did so because none came, whatever alert it chose to send.
pub fn tls_failure(e: &rustls::Error, client_cert_requested: bool) -> TlsFailure {
    use rustls::AlertDescription as A;
    match e {
        rustls::Error::AlertReceived(A::CertificateRequired) => {
            TlsFailure::ClientCertificateRequired
        }
        rustls::Error::AlertReceived(_) if client_cert_requested => {
            TlsFailure::ClientCertificateRequired
        }
        rustls::Error::AlertReceived(A::ProtocolVersion) => TlsFailure::OldVersionsOnly,
        rustls::Error::AlertReceived(A::HandshakeFailure) => TlsFailure::NoCommonParameters,
        rustls::Error::AlertReceived(other) => TlsFailure::Alert(format!("{other:?}")),
        other => TlsFailure::Other(crate::text::escape_controls(&other.to_string())),
    }
}
