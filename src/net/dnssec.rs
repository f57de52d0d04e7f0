//! mailprobe's own DNSSEC validation (hickory's validator on ring): the IANA root keys built
//! in, plus the keys of `--trust-anchor FILE` for private and test zones. It asks the run's
//! resolvers with the DNSSEC OK bit and checks every signature itself, so it does not depend on
//! whether those resolvers validate.

use std::net::SocketAddr;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use hickory_resolver::config::ResolverConfig;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::dnssec::{Proof, TrustAnchors};
use hickory_resolver::proto::rr::{Name, RData, RecordType};
use hickory_resolver::TokioResolver;

use crate::net::authority::Tlsa;
use crate::text::clean_name;

/// What the validator concluded about an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validated {
    /// A chain of signatures from a trust anchor.
    Secure,
    /// Provably unsigned (no chain of trust reaches it).
    Insecure,
    /// Signatures that should be there are missing or wrong.
    Bogus,
    /// Could not tell (a lookup failed on the way).
    Indeterminate,
}

/// A validating resolver over the run's DNS servers.
#[derive(Clone)]
pub struct Validator {
    resolver: TokioResolver,
    /// Keys read from `--trust-anchor` (besides the built-in root keys).
    pub extra_anchors: usize,
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Validator")
    }
}

/// Reads a trust-anchor file: DNSKEY records in zone-file form (`name IN DNSKEY 257 3 13 …`),
/// as `ldns-keygen` and `dig DNSKEY` print them. Bounded like the CA file.
pub fn read_anchors(path: &Path) -> Result<(TrustAnchors, usize), String> {
    let bytes = crate::input::read_bounded(path)?;
    let text = String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
    // Comments after the record (ldns writes `;{id = …}`) are not part of it.
    let records: String = text
        .lines()
        .map(|l| l.split(';').next().unwrap_or_default().trim_end())
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    let count = records.lines().count();
    if count == 0 {
        return Err("no DNSKEY records in it".into());
    }
    let parsed = TrustAnchors::from_str(&records)
        .map_err(|e| format!("not DNSKEY records ({})", clean_name(&e.to_string())))?;
    Ok((parsed, count))
}

impl Validator {
    pub fn new(
        servers: &[SocketAddr],
        extra: Option<TrustAnchors>,
        extra_anchors: usize,
        timeout: Duration,
    ) -> Result<Self, String> {
        let builtin = TrustAnchors::default();
        let mut anchors = extra.unwrap_or_else(TrustAnchors::empty);
        for i in 0..builtin.len() {
            if let Some(key) = builtin.get(i) {
                anchors.insert(key);
            }
        }
        let config = ResolverConfig::from_name_servers(
            servers.iter().map(super::dns::name_server).collect(),
        );
        let mut builder =
            TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
                .with_trust_anchor(Arc::new(anchors));
        let opts = builder.options_mut();
        opts.timeout = timeout;
        opts.attempts = 0;
        opts.ndots = 0;
        opts.use_hosts_file = hickory_resolver::config::ResolveHosts::Never;
        let resolver = builder.build().map_err(|e| clean_name(&e.to_string()))?;
        Ok(Self {
            resolver,
            extra_anchors,
        })
    }

    /// The TLSA records of `name` and what validation says of them; an empty list with the
    /// proof of their absence when there are none.
    pub async fn tlsa(&self, name: &str, deadline: Duration) -> (Vec<Tlsa>, Validated) {
        let Ok(fqdn) = Name::from_ascii(format!("{}.", name.trim_end_matches('.'))) else {
            return (Vec::new(), Validated::Indeterminate);
        };
        let lookup = tokio::time::timeout(deadline, self.resolver.lookup(fqdn, RecordType::TLSA));
        match lookup.await {
            Err(_) => (Vec::new(), Validated::Indeterminate),
            Ok(Ok(found)) => {
                let records: Vec<_> = found
                    .answers()
                    .iter()
                    .filter(|r| r.record_type() == RecordType::TLSA)
                    .collect();
                let proof = records
                    .iter()
                    .map(|r| convert(r.proof))
                    .min_by_key(|v| rank(*v))
                    .unwrap_or(Validated::Indeterminate);
                let tlsa = records
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::TLSA(t) => Some(Tlsa {
                            usage: u8::from(t.cert_usage),
                            selector: u8::from(t.selector),
                            matching: u8::from(t.matching),
                            data: t.cert_data.clone(),
                        }),
                        _ => None,
                    })
                    .take(16)
                    .collect();
                (tlsa, proof)
            }
            Ok(Err(NetError::Dns(DnsError::DnssecBogus))) => (Vec::new(), Validated::Bogus),
            Ok(Err(NetError::Dns(DnsError::NoRecordsFound(nr)))) => (
                Vec::new(),
                nr.soa
                    .map_or(Validated::Indeterminate, |s| convert(s.proof)),
            ),
            Ok(Err(_)) => (Vec::new(), Validated::Indeterminate),
        }
    }

    /// What validation says of the domain's MX set.
    pub async fn mx(&self, domain: &str, deadline: Duration) -> Validated {
        let Ok(fqdn) = Name::from_ascii(format!("{}.", domain.trim_end_matches('.'))) else {
            return Validated::Indeterminate;
        };
        let lookup = tokio::time::timeout(deadline, self.resolver.lookup(fqdn, RecordType::MX));
        match lookup.await {
            Ok(Ok(found)) => found
                .answers()
                .iter()
                .filter(|r| r.record_type() == RecordType::MX)
                .map(|r| convert(r.proof))
                .min_by_key(|v| rank(*v))
                .unwrap_or(Validated::Indeterminate),
            Ok(Err(NetError::Dns(DnsError::DnssecBogus))) => Validated::Bogus,
            _ => Validated::Indeterminate,
        }
    }
}

/// The weakest proof of an RRset decides.
fn rank(v: Validated) -> u8 {
    match v {
        Validated::Bogus => 0,
        Validated::Indeterminate => 1,
        Validated::Insecure => 2,
        Validated::Secure => 3,
    }
}

fn convert(p: Proof) -> Validated {
    match p {
        Proof::Secure => Validated::Secure,
        Proof::Insecure => Validated::Insecure,
        Proof::Bogus => Validated::Bogus,
        _ => Validated::Indeterminate,
    }
}
