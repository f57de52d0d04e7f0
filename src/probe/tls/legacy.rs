//! Does the server still accept TLS 1.0 or 1.1 (deprecated by RFC 8996)? A ClientHello that
//! offers only that version, and the server's first record read back: a ServerHello naming the
//! version means yes, an alert or a closed connection means no. No handshake is completed, so
//! no legacy cryptography is needed here: the hello is a fixed layout written below (asserted
//! byte for byte in the tests), the answer is parsed by `tls-parser` (rusticata, the family of
//! the x509-parser already used).

use tls_parser::{parse_tls_plaintext, TlsMessage, TlsMessageHandshake, TlsRecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::{timeout_at, Instant};

use crate::probe::conn::BoxStream;

/// A protocol version asked alone: the two RFC 8996 deprecated, and TLS 1.2 when the server
/// chose TLS 1.3 (can a client that stops at 1.2 still connect?).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LegacyVersion {
    Tls10,
    Tls11,
    Tls12,
}

impl LegacyVersion {
    /// The deprecated versions, asked of every TLS endpoint in scope.
    pub const ALL: [LegacyVersion; 2] = [LegacyVersion::Tls10, LegacyVersion::Tls11];

    /// The version's number on the wire.
    pub fn wire(self) -> u16 {
        match self {
            Self::Tls10 => 0x0301,
            Self::Tls11 => 0x0302,
            Self::Tls12 => 0x0303,
        }
    }

    /// Deprecated by RFC 8996: accepting it is a hardening finding.
    pub fn is_deprecated(self) -> bool {
        self != Self::Tls12
    }
}

/// What the server answered to a hello offering only one legacy version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegacyAnswer {
    /// A ServerHello for that version: the server would go on with it.
    Accepted { cipher: u16 },
    /// An alert (its description code, e.g. 70 protocol_version, 40 handshake_failure).
    Alert { description: u8 },
    /// A ServerHello for another version than the only one offered (a broken server).
    OtherVersion { version: u16 },
    /// The connection closed (or reset) before any answer.
    Closed,
    /// Something that is not a TLS record.
    NotTls,
    /// No answer by the deadline.
    TimedOut,
}

/// Legacy cipher suites a TLS 1.0-era client offers: ECDHE and plain RSA with AES-CBC, DHE,
/// 3DES. Never TLS_FALLBACK_SCSV, which would ask the server to refuse.
const SUITES: [u16; 10] = [
    0xc014, 0xc013, 0xc00a, 0xc009, 0x0039, 0x0033, 0x0035, 0x002f, 0x000a, 0x00ff,
];

/// What a TLS 1.2 client offers first: ECDHE with AES-GCM and ChaCha20-Poly1305 (the suites a
/// server limited to current ones keeps), then DHE-GCM; the legacy suites follow.
const TLS12_SUITES: [u16; 8] = [
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0x009e, 0x009f,
];

/// signature_algorithms for the TLS 1.2 hello (RFC 5246 7.4.1.4.1; never sent with an older
/// version, as that section requires): ECDSA, RSA-PSS, RSA PKCS#1 and Ed25519 with SHA-2.
const SIGNATURE_SCHEMES: [u16; 10] = [
    0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0807, 0x0201,
];

/// Most bytes read for the answer: one record of the largest size TLS allows.
const MAX_ANSWER: usize = 5 + 16_384 + 2_048;

/// The ClientHello offering only `version`, with `random` and the server name (none for an
/// address literal).
pub fn client_hello(version: LegacyVersion, server_name: &str, random: [u8; 32]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(version.wire().to_be_bytes());
    body.extend(random);
    body.push(0); // no session id
    let suites: Vec<u16> = match version {
        LegacyVersion::Tls12 => TLS12_SUITES.iter().chain(&SUITES).copied().collect(),
        _ => SUITES.to_vec(),
    };
    body.extend(u16_list(&suites));
    body.extend([1, 0]); // compression: null only
    let extensions = extensions(version, server_name);
    body.extend(u16_len(extensions.len()));
    body.extend(extensions);
    let mut handshake = vec![1]; // client_hello
    handshake.extend(&(body.len() as u32).to_be_bytes()[1..]);
    handshake.extend(body);
    // The record layer says TLS 1.0, as clients of that era (and scanners) do.
    let mut record = vec![22, 3, 1];
    record.extend(u16_len(handshake.len()));
    record.extend(handshake);
    record
}

fn extensions(version: LegacyVersion, server_name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let is_literal = server_name.parse::<std::net::IpAddr>().is_ok();
    if !server_name.is_empty() && !is_literal && server_name.len() < 256 {
        let name = server_name.as_bytes();
        let mut list = vec![0]; // host_name
        list.extend(u16_len(name.len()));
        list.extend(name);
        let mut data = u16_len(list.len()).to_vec();
        data.extend(list);
        extension(&mut out, 0x0000, &data);
    }
    // supported_groups: x25519, secp256r1, secp384r1.
    extension(&mut out, 0x000a, &[0, 6, 0, 0x1d, 0, 0x17, 0, 0x18]);
    // ec_point_formats: uncompressed.
    extension(&mut out, 0x000b, &[1, 0]);
    if version == LegacyVersion::Tls12 {
        extension(&mut out, 0x000d, &u16_list(&SIGNATURE_SCHEMES));
        // extended_master_secret (RFC 7627), which some servers insist on.
        extension(&mut out, 0x0017, &[]);
    }
    out
}

fn extension(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    out.extend(kind.to_be_bytes());
    out.extend(u16_len(data.len()));
    out.extend(data);
}

/// Two-byte values after their two-byte length in bytes, as cipher suites and signature schemes
/// are sent.
fn u16_list(values: &[u16]) -> Vec<u8> {
    let mut out = u16_len(values.len() * 2).to_vec();
    for v in values {
        out.extend(v.to_be_bytes());
    }
    out
}

fn u16_len(n: usize) -> [u8; 2] {
    u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes()
}

/// Sends the hello on `stream` (a fresh TCP connection, or one right after STARTTLS) and reads
/// the server's first record by `deadline`.
pub async fn ask(
    mut stream: BoxStream,
    version: LegacyVersion,
    server_name: &str,
    deadline: Instant,
) -> LegacyAnswer {
    let hello = client_hello(version, server_name, random());
    let exchange = async {
        stream.write_all(&hello).await?;
        stream.flush().await?;
        read_record(&mut stream).await
    };
    match timeout_at(deadline, exchange).await {
        Err(_) => LegacyAnswer::TimedOut,
        Ok(Err(_)) => LegacyAnswer::Closed,
        Ok(Ok(record)) if record.is_empty() => LegacyAnswer::Closed,
        Ok(Ok(record)) => answer(version, &record),
    }
}

/// One TLS record: the 5-byte header and as much of the body as it announces (bounded).
async fn read_record(stream: &mut BoxStream) -> std::io::Result<Vec<u8>> {
    let mut record = vec![0u8; 5];
    let mut got = 0;
    while got < 5 {
        let n = stream.read(&mut record[got..]).await?;
        if n == 0 {
            record.truncate(got);
            return Ok(record);
        }
        got += n;
    }
    let length = usize::from(u16::from_be_bytes([record[3], record[4]]));
    let total = (5 + length).min(MAX_ANSWER);
    record.resize(total, 0);
    while got < total {
        let n = stream.read(&mut record[got..]).await?;
        if n == 0 {
            break;
        }
        got += n;
    }
    record.truncate(got);
    Ok(record)
}

/// Reads the server's answer from its first record.
pub fn answer(version: LegacyVersion, record: &[u8]) -> LegacyAnswer {
    let looks_tls =
        record.len() >= 5 && matches!(record[0], 21 | 22) && record[1] == 3 && record[2] <= 4;
    if !looks_tls {
        return LegacyAnswer::NotTls;
    }
    let Ok((_, plaintext)) = parse_tls_plaintext(record) else {
        // A record cut short still says what it is: an alert's two bytes come first.
        return match (record[0], record.get(6)) {
            (21, Some(description)) => LegacyAnswer::Alert {
                description: *description,
            },
            _ => LegacyAnswer::NotTls,
        };
    };
    for message in plaintext.msg {
        match message {
            TlsMessage::Alert(alert) => {
                return LegacyAnswer::Alert {
                    description: alert.code.0,
                }
            }
            TlsMessage::Handshake(TlsMessageHandshake::ServerHello(hello)) => {
                return if hello.version.0 == version.wire() {
                    LegacyAnswer::Accepted {
                        cipher: hello.cipher.0,
                    }
                } else {
                    LegacyAnswer::OtherVersion {
                        version: hello.version.0,
                    }
                };
            }
            _ => {}
        }
    }
    if plaintext.hdr.record_type == TlsRecordType::Alert {
        return LegacyAnswer::Closed;
    }
    LegacyAnswer::NotTls
}

/// The IANA name of a cipher suite, when the registry knows it.
pub fn cipher_name(id: u16) -> Option<&'static str> {
    tls_parser::TlsCipherSuite::from_id(id).map(|c| c.name)
}

/// The hello's random: never used for keys (no handshake is completed), only unique.
fn random() -> [u8; 32] {
    use std::hash::{BuildHasher, Hasher};
    let mut out = [0u8; 32];
    for chunk in out.chunks_mut(8) {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        chunk.copy_from_slice(&h.finish().to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alert_a_server_hello_and_garbage_are_told_apart() {
        let alert = [21, 3, 1, 0, 2, 2, 70];
        assert_eq!(
            answer(LegacyVersion::Tls10, &alert),
            LegacyAnswer::Alert { description: 70 }
        );
        // A minimal ServerHello for TLS 1.1 with cipher 0xc014.
        let mut body = vec![3, 2];
        body.extend([0u8; 32]);
        body.extend([0, 0xc0, 0x14, 0]);
        let mut hs = vec![2, 0, 0, body.len() as u8];
        hs.extend(&body);
        let mut record = vec![22, 3, 2, 0, hs.len() as u8];
        record.extend(&hs);
        assert_eq!(
            answer(LegacyVersion::Tls11, &record),
            LegacyAnswer::Accepted { cipher: 0xc014 }
        );
        assert_eq!(
            answer(LegacyVersion::Tls10, &record),
            LegacyAnswer::OtherVersion { version: 0x0302 }
        );
        assert_eq!(
            answer(LegacyVersion::Tls10, b"-ERR no"),
            LegacyAnswer::NotTls
        );
    }
}
