//! DANE for SMTP (RFC 7672): the `_25._tcp.<mx>` TLSA records, whether the resolver vouched for
//! them (its AD bit: mailprobe does not validate DNSSEC itself, and says so), and whether a
//! record matches a presented certificate chain.

use std::net::SocketAddr;
use std::time::Duration;

use crate::net::authority::{ask_resolver, Ask, AskError, Data, Rcode, Tlsa};
use crate::net::dnssec::{Validated, Validator};

/// Most MX hosts whose TLSA records are looked up.
pub const MAX_HOSTS: usize = 8;

/// One MX host's TLSA records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostTlsa {
    pub host: String,
    /// As the resolver answered (records and its AD bit).
    pub lookup: TlsaLookup,
    /// What mailprobe's own validation says (None when it did not run), with the records it
    /// saw.
    pub own: Option<(Validated, Vec<Tlsa>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsaLookup {
    /// `secure`: the resolver set the AD bit (it validated the answer with DNSSEC).
    Records {
        records: Vec<Tlsa>,
        secure: bool,
    },
    /// No TLSA records (NXDOMAIN or no data).
    None {
        secure: bool,
    },
    /// SERVFAIL: with a validating resolver, often a DNSSEC failure (bogus).
    ServFail,
    Failed(AskError),
}

/// Whether the domain's MX set itself is DNSSEC-secure, and each MX host's TLSA records, all
/// asked at once of the first resolver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dane {
    /// The resolver whose AD bit is relied on.
    pub resolver: SocketAddr,
    /// None when the MX question failed.
    pub mx_secure: Option<bool>,
    /// mailprobe's own validation of the MX set.
    pub mx_own: Option<Validated>,
    /// Keys from `--trust-anchor` the validation used besides the root's.
    pub own_anchors: usize,
    /// The zones `--trust-anchor` anchors (where mailprobe's own verdict is authoritative).
    pub anchored_zones: Vec<String>,
    /// The domain whose MX set was asked.
    pub domain: String,
    pub hosts: Vec<HostTlsa>,
}

pub async fn check(
    resolver: SocketAddr,
    validator: Option<&Validator>,
    domain: &str,
    mx_hosts: &[String],
    timeout: Duration,
) -> Dane {
    let hosts = mx_hosts.iter().take(MAX_HOSTS);
    let tlsa = hosts.map(|h| async move {
        let name = format!("_25._tcp.{h}");
        let own = async {
            match validator {
                Some(v) => Some(Box::pin(v.tlsa(&name, timeout)).await),
                None => None,
            }
        };
        let (asked, own) = tokio::join!(ask_resolver(resolver, &name, Ask::Tlsa, timeout), own);
        let lookup = match asked {
            Err(e) => TlsaLookup::Failed(e),
            Ok(r) if r.rcode == Rcode::ServFail => TlsaLookup::ServFail,
            Ok(r) => {
                let records: Vec<Tlsa> = r
                    .answers
                    .iter()
                    .filter_map(|rr| match &rr.data {
                        Data::Tlsa(t) => Some(t.clone()),
                        _ => None,
                    })
                    .take(16)
                    .collect();
                if records.is_empty() {
                    TlsaLookup::None {
                        secure: r.authentic_data,
                    }
                } else {
                    TlsaLookup::Records {
                        records,
                        secure: r.authentic_data,
                    }
                }
            }
        };
        HostTlsa {
            host: h.clone(),
            lookup,
            own: own.map(|(records, v)| (v, records)),
        }
    });
    let mx_own = async {
        match validator {
            Some(v) => Some(Box::pin(v.mx(domain, timeout)).await),
            None => None,
        }
    };
    let (mx, mx_own, hosts) = tokio::join!(
        ask_resolver(resolver, domain, Ask::Mx, timeout),
        mx_own,
        futures::future::join_all(tlsa)
    );
    Dane {
        resolver,
        mx_secure: mx
            .ok()
            .filter(|r| r.rcode == Rcode::NoError)
            .map(|r| r.authentic_data),
        mx_own,
        own_anchors: validator.map_or(0, |v| v.extra_anchors),
        anchored_zones: validator
            .map(|v| v.anchored_zones.clone())
            .unwrap_or_default(),
        domain: domain.to_string(),
        hosts,
    }
}

impl Dane {
    /// Whether `name` lies in a zone `--trust-anchor` anchors.
    pub fn anchored(&self, name: &str) -> bool {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        self.anchored_zones
            .iter()
            .any(|z| z.is_empty() || name == *z || name.ends_with(&format!(".{z}")))
    }
}

/// How a TLSA record relates to a presented chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    Matches,
    NoMatch,
    /// Usages 0 and 1 (PKIX) are unusable for SMTP (RFC 7672 section 3.1.3), and unknown
    /// selectors or matching types are unusable everywhere.
    Unusable,
}

/// Checks one record against a chain (DER, leaf first): usage 3 (DANE-EE) against the leaf,
/// usage 2 (DANE-TA) against the certificates above it.
pub fn check_record(t: &Tlsa, chain: &[Vec<u8>]) -> Match {
    let candidates: &[Vec<u8>] = match t.usage {
        3 => chain.get(..1).unwrap_or_default(),
        2 => chain.get(1..).unwrap_or_default(),
        _ => return Match::Unusable,
    };
    if t.selector > 1 || t.matching > 2 {
        return Match::Unusable;
    }
    let hit = candidates.iter().any(|der| {
        let Some(selected) = select(der, t.selector) else {
            return false;
        };
        digest(&selected, t.matching).is_some_and(|d| d == t.data)
    });
    if hit {
        Match::Matches
    } else {
        Match::NoMatch
    }
}

/// Selector 0: the whole certificate; 1: its SubjectPublicKeyInfo.
fn select(der: &[u8], selector: u8) -> Option<Vec<u8>> {
    match selector {
        0 => Some(der.to_vec()),
        1 => {
            let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
            Some(cert.tbs_certificate.subject_pki.raw.to_vec())
        }
        _ => None,
    }
}

/// Matching type 0: exact; 1: SHA-256; 2: SHA-512.
fn digest(data: &[u8], matching: u8) -> Option<Vec<u8>> {
    use ring::digest::{digest, SHA256, SHA512};
    match matching {
        0 => Some(data.to_vec()),
        1 => Some(digest(&SHA256, data).as_ref().to_vec()),
        2 => Some(digest(&SHA512, data).as_ref().to_vec()),
        _ => None,
    }
}
