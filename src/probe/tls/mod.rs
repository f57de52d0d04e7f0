//! TLS: the trust store ([`trust`]), handshakes that always record what the server presented
//! ([`handshake`]), certificate parsing ([`cert`]) and RFC 6125 name matching ([`names`]).
//!
//! A probe's verifier wraps rustls' WebPKI verifier: it keeps the chain and the verdict, then
//! lets the handshake go on, so that a probe can still read the greeting behind a bad certificate
//! and say both "this port speaks IMAP" and "its certificate is for another name". Nothing
//! secret is ever sent by a probe, so continuing is safe; signatures are still checked by the
//! real verifier. The login check refuses to send credentials over such a connection.

pub mod cert;
pub mod failure;
pub mod handshake;
pub mod legacy;
pub mod names;
pub mod trust;

pub use cert::parse_certificate;
pub use handshake::handshake;
pub use names::certificate_covers;
pub use trust::{Trust, TrustError, TrustSource, TrustSummary};

/// Most names kept per certificate (all of them are used for the name check).
pub const MAX_CERT_NAMES: usize = 50;

/// The certificate verdict as the WebPKI verifier gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertVerdict {
    Trusted,
    NameMismatch,
    Expired,
    NotYetValid,
    /// Issued by a CA we do not trust (or self-signed).
    UnknownIssuer,
    Revoked,
    /// A signature in the chain does not verify.
    BadSignature,
    /// The certificate is not meant for TLS servers.
    WrongPurpose,
    /// Anything else the verifier reported, in its words (escaped).
    Other(String),
}

impl CertVerdict {
    fn from_error(e: &rustls::Error) -> Self {
        use rustls::CertificateError as C;
        match e {
            rustls::Error::InvalidCertificate(c) => match c {
                C::NotValidForName | C::NotValidForNameContext { .. } => Self::NameMismatch,
                C::Expired | C::ExpiredContext { .. } => Self::Expired,
                C::NotValidYet | C::NotValidYetContext { .. } => Self::NotYetValid,
                C::UnknownIssuer => Self::UnknownIssuer,
                C::Revoked => Self::Revoked,
                C::BadSignature | C::UnsupportedSignatureAlgorithmContext { .. } => {
                    Self::BadSignature
                }
                C::InvalidPurpose | C::InvalidPurposeContext { .. } => Self::WrongPurpose,
                other => Self::Other(crate::text::escape_controls(&other.to_string())),
            },
            other => Self::Other(crate::text::escape_controls(&other.to_string())),
        }
    }
}

/// What the leaf certificate says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    /// DNS names (and IP addresses) the certificate is valid for.
    pub names: Vec<String>,
    /// True when the names come from the subject's CN because the certificate has no SANs.
    pub names_from_cn: bool,
    /// How many names the certificate holds; at most [`MAX_CERT_NAMES`] are kept in `names`.
    pub names_total: usize,
    pub not_before: String,
    pub not_after: String,
    /// The end of validity in Unix seconds (for monitoring systems).
    pub not_after_unix: i64,
    /// Whole days until expiry at the time of the handshake; negative once expired.
    pub days_left: i64,
    pub self_signed: bool,
    /// Certificates the server sent (leaf included).
    pub chain_length: usize,
    /// The public key: its kind and size in bits (0 when unknown).
    pub key: KeyKind,
    pub key_bits: u32,
    /// How the issuer signed it, e.g. `sha256WithRSAEncryption`; the hash it rests on.
    pub signature: &'static str,
    pub signature_hash: SignatureHash,
    /// From `not_before` to `not_after`, in whole days.
    pub validity_days: i64,
    /// The SHA-256 fingerprint of the DER, lower-case hex.
    pub sha256: String,
    /// The other certificates the server sent, in its order, each with its own dates: an
    /// expired intermediate fails the chain while the leaf is still valid.
    pub intermediates: Vec<ChainCert>,
    /// The certificate demands a stapled OCSP response (the TLS Feature extension with
    /// status_request, RFC 7633 "must-staple").
    pub must_staple: bool,
    /// The server stapled an OCSP response to the handshake (rustls always asks for one).
    pub ocsp_stapled: bool,
}

/// A certificate the server sent after its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCert {
    pub subject: String,
    pub issuer: String,
    pub not_before: String,
    pub not_after: String,
    /// Whole days until it expires at the time of the handshake; negative once expired.
    pub days_left: i64,
}

/// The kind of a certificate's public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyKind {
    Rsa,
    Ecdsa,
    Ed25519,
    Ed448,
    Other,
}

/// The hash a certificate's signature rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SignatureHash {
    Md5,
    Sha1,
    Sha2,
    /// EdDSA signs the whole message; no separate hash.
    None,
    Unknown,
}

/// The TLS side of a probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsInfo {
    /// The name sent as SNI and checked against the certificate.
    pub sni: String,
    pub version: Option<String>,
    pub cipher: Option<String>,
    pub certificate: Option<CertInfo>,
    pub verdict: Option<CertVerdict>,
    /// Our own reading of the name check, independent of which error WebPKI met first.
    pub name_matches: Option<bool>,
    /// The server asked for a client certificate (none is ever sent).
    pub client_certificate_requested: bool,
    /// The chain as presented (DER, leaf first; at most [`MAX_CHAIN`] certificates): what DANE
    /// TLSA records are matched against.
    pub chain: Vec<Vec<u8>>,
}

/// Most certificates of a presented chain kept, and the largest one kept.
pub const MAX_CHAIN: usize = 8;
pub const MAX_CHAIN_CERT_BYTES: usize = 64 * 1024;

impl TlsInfo {
    pub fn new(sni: &str) -> Self {
        Self {
            sni: sni.to_string(),
            version: None,
            cipher: None,
            certificate: None,
            verdict: None,
            name_matches: None,
            client_certificate_requested: false,
            chain: Vec::new(),
        }
    }

    pub fn trusted(&self) -> bool {
        self.verdict == Some(CertVerdict::Trusted)
    }

    /// The handshake settled on TLS 1.3.
    pub fn chose_tls13(&self) -> bool {
        self.version.as_deref() == Some(handshake::version_name(0x0304).as_str())
    }
}

/// The name of a TLS alert in IANA's TLS Alerts registry (RFC 8446, RFC 5246 and their
/// extensions); `None` for a code outside it (the number is given instead).
pub fn alert_name(code: u8) -> Option<&'static str> {
    Some(match code {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        21 => "decryption_failed",
        22 => "record_overflow",
        30 => "decompression_failure",
        40 => "handshake_failure",
        41 => "no_certificate",
        42 => "bad_certificate",
        43 => "unsupported_certificate",
        44 => "certificate_revoked",
        45 => "certificate_expired",
        46 => "certificate_unknown",
        47 => "illegal_parameter",
        48 => "unknown_ca",
        49 => "access_denied",
        50 => "decode_error",
        51 => "decrypt_error",
        60 => "export_restriction",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        100 => "no_renegotiation",
        109 => "missing_extension",
        110 => "unsupported_extension",
        111 => "certificate_unobtainable",
        112 => "unrecognized_name",
        113 => "bad_certificate_status_response",
        114 => "bad_certificate_hash_value",
        115 => "unknown_psk_identity",
        116 => "certificate_required",
        120 => "no_application_protocol",
        _ => return None,
    })
}
