//! A TLS failure named from what rustls reported and from what the server sent before it.

use tls_parser::{parse_tls_extensions, parse_tls_plaintext, TlsExtension, TlsMessage};
use tls_parser::{TlsMessageHandshake, TlsRecordType};

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
        rustls::Error::AlertReceived(other) => TlsFailure::Alert(u8::from(*other)),
        other => TlsFailure::Other(crate::text::escape_controls(&other.to_string())),
    }
}

/// The failure of a handshake, named from what arrived before it: an alert after the server's
/// own ServerHello is the server failing (OpenSMTPD's `internal_error` after a TLS 1.3
/// ServerHello and certificate), never a version or cipher the client lacks.
pub fn after_server_messages(
    e: &rustls::Error,
    client_cert_requested: bool,
    first_bytes: &[u8],
    certificate_seen: bool,
) -> TlsFailure {
    match (e, server_hello_version(first_bytes)) {
        (rustls::Error::AlertReceived(alert), Some(version)) if !client_cert_requested => {
            TlsFailure::ServerFailed {
                alert: u8::from(*alert),
                version,
                certificate: certificate_seen,
            }
        }
        _ => tls_failure(e, client_cert_requested),
    }
}

/// The version the server's ServerHello chose, when its first record is one (TLS 1.3 names
/// itself in the supported_versions extension; the record may be cut short by the recording).
pub fn server_hello_version(first: &[u8]) -> Option<u16> {
    let is_hello = first.len() >= 6
        && first[0] == u8::from(TlsRecordType::Handshake)
        && first[1] == 3
        && first[5] == 2;
    if !is_hello {
        return None;
    }
    let Ok((_, plaintext)) = parse_tls_plaintext(first) else {
        // Cut short: the legacy version field still says at least TLS 1.2 or older.
        return first.get(9..11).map(|v| u16::from_be_bytes([v[0], v[1]]));
    };
    plaintext.msg.iter().find_map(|m| match m {
        TlsMessage::Handshake(TlsMessageHandshake::ServerHello(hello)) => {
            let chosen = hello
                .ext
                .and_then(|ext| parse_tls_extensions(ext).ok())
                .and_then(|(_, exts)| {
                    exts.iter().find_map(|x| match x {
                        TlsExtension::SupportedVersions(v) => v.first().map(|v| v.0),
                        _ => None,
                    })
                });
            Some(chosen.unwrap_or(hello.version.0))
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A TLS 1.2 ServerHello (cipher 0xc02f, no extensions) as one record.
    fn hello_12() -> Vec<u8> {
        let mut body = vec![0x03, 0x03];
        body.extend([7u8; 32]);
        body.push(0); // session id
        body.extend([0xc0, 0x2f, 0x00]);
        let mut hs = vec![2, 0, 0, body.len() as u8];
        hs.extend(body);
        let mut rec = vec![22, 3, 3, 0, hs.len() as u8];
        rec.extend(hs);
        rec
    }

    /// A TLS 1.3 ServerHello: legacy version 1.2, supported_versions 0x0304.
    fn hello_13() -> Vec<u8> {
        let mut body = vec![0x03, 0x03];
        body.extend([9u8; 32]);
        body.push(0);
        body.extend([0x13, 0x01, 0x00]);
        let ext = [0x00, 0x2b, 0x00, 0x02, 0x03, 0x04];
        body.extend([0, ext.len() as u8]);
        body.extend(ext);
        let mut hs = vec![2, 0, 0, body.len() as u8];
        hs.extend(body);
        let mut rec = vec![22, 3, 3, 0, hs.len() as u8];
        rec.extend(hs);
        rec
    }

    #[test]
    fn the_version_a_server_hello_chose_is_read() {
        assert_eq!(server_hello_version(&hello_12()), Some(0x0303));
        assert_eq!(server_hello_version(&hello_13()), Some(0x0304));
        // Cut short by the recording's limit: the legacy field still tells.
        assert_eq!(server_hello_version(&hello_13()[..20]), Some(0x0303));
        assert_eq!(server_hello_version(&[21, 3, 3, 0, 2, 2, 80]), None);
        assert_eq!(server_hello_version(b"220 smtp ready\r\n"), None);
        assert_eq!(server_hello_version(&[]), None);
    }

    #[test]
    fn an_alert_after_the_server_hello_is_the_server_failing() {
        let alert = rustls::Error::AlertReceived(rustls::AlertDescription::InternalError);
        assert_eq!(
            after_server_messages(&alert, false, &hello_13(), true),
            TlsFailure::ServerFailed {
                alert: 80,
                version: 0x0304,
                certificate: true,
            }
        );
        // Before any ServerHello it is the server refusing this client, as before.
        let refused = rustls::Error::AlertReceived(rustls::AlertDescription::HandshakeFailure);
        assert_eq!(
            after_server_messages(&refused, false, &[], false),
            TlsFailure::NoCommonParameters
        );
        // A server that asked for a client certificate refuses for want of one.
        assert_eq!(
            after_server_messages(&alert, true, &hello_12(), false),
            TlsFailure::ClientCertificateRequired
        );
    }
}
