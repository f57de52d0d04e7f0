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
use hickory_resolver::proto::dnssec::rdata::{DNSSECRData, DNSKEY, DS};
use hickory_resolver::proto::dnssec::{Proof, TrustAnchors, Verifier};
use hickory_resolver::proto::rr::{DNSClass, LowerName, Name, RData, Record, RecordType};
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
    /// The zones those keys anchor: under them, mailprobe's own verdict is authoritative.
    pub anchored_zones: Vec<String>,
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Validator")
    }
}

/// What `--trust-anchor` gave: DNSKEY records (a zone's KSK alone is enough, as Unbound's
/// `trust-anchor-file` takes it) and DS records, each for its zone.
#[derive(Clone)]
pub struct Anchors {
    /// The DNSKEYs as given.
    keys: TrustAnchors,
    /// The zones anchored (by a DNSKEY or a DS), lower case, each once.
    zones: Vec<Name>,
    /// The DS records, with their zones.
    digests: Vec<(Name, DS)>,
    /// Records read (DNSKEY and DS).
    pub count: usize,
}

impl Anchors {
    /// The zones an anchor was given for (without the final dot).
    pub fn zones(&self) -> Vec<String> {
        self.zones
            .iter()
            .map(|z| z.to_ascii().trim_end_matches('.').to_string())
            .collect()
    }
}

/// Reads a trust-anchor file: DNSKEY or DS records in zone-file form (`name IN DNSKEY 257 3 13
/// …`, `name IN DS 2371 13 2 …`), as `ldns-keygen`, `ldns-key2ds` and `dig` print them. Bounded
/// like the CA file.
pub fn read_anchors(path: &Path) -> Result<Anchors, String> {
    let bytes = crate::input::read_bounded(path)?;
    let text = String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
    parse_anchors(&text)
}

/// The records of a trust-anchor file's text (see [`read_anchors`]).
pub fn parse_anchors(text: &str) -> Result<Anchors, String> {
    let mut dnskeys = String::new();
    let mut zones = Vec::new();
    let mut digests = Vec::new();
    for (number, line) in text.lines().enumerate() {
        // Comments after the record (ldns writes `;{id = …}`) are not part of it.
        let line = line.split(';').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let tokens: Vec<&str> = line.split_whitespace().collect();
        let kind = |t: &&str| t.eq_ignore_ascii_case("DS") || t.eq_ignore_ascii_case("DNSKEY");
        if !tokens.iter().any(kind) {
            return Err(format!(
                "line {} is not a DNSKEY or DS record: '{}'",
                number + 1,
                crate::text::truncate(&clean_name(line), 60)
            ));
        }
        let zone = tokens
            .first()
            .and_then(|t| Name::from_ascii(t).ok())
            .map(|n| n.to_lowercase())
            .ok_or_else(|| format!("not a DNS record: {}", clean_name(line)))?;
        match tokens.iter().position(|t| t.eq_ignore_ascii_case("DS")) {
            Some(at) => {
                let rdata = RData::try_from_str(RecordType::DS, &tokens[at + 1..].join(" "))
                    .map_err(|e| format!("not a DS record ({})", clean_name(&e.to_string())))?;
                let RData::DNSSEC(DNSSECRData::DS(ds)) = rdata else {
                    return Err("not a DS record".into());
                };
                zones.push(zone.clone());
                digests.push((zone, ds));
            }
            None => {
                dnskeys.push_str(line);
                dnskeys.push('\n');
                zones.push(zone);
            }
        }
    }
    let count = zones.len();
    zones.sort();
    zones.dedup();
    if count == 0 {
        return Err("no DNSKEY or DS records in it".into());
    }
    let keys = if dnskeys.is_empty() {
        TrustAnchors::empty()
    } else {
        // The parser's own words quote Rust debug text: say what is wrong instead.
        TrustAnchors::from_str(&dnskeys)
            .map_err(|_| "a DNSKEY record in it cannot be read (owner, class, flags, protocol, algorithm, key)".to_string())?
    };
    Ok(Anchors {
        keys,
        zones,
        digests,
        count,
    })
}

/// The keys given, and for each zone anchored by a KSK or a DS alone, its whole DNSKEY set
/// once a signature by an anchored key over that set checks out (what Unbound does with a
/// `trust-anchor-file`). A set that does not check out adds nothing: validation then finds the
/// zone bogus, which it is. ([`Validator::new`] adds the root's keys.)
pub async fn expand(anchors: &Anchors, resolver: SocketAddr, timeout: Duration) -> TrustAnchors {
    let mut out = anchors.keys.clone();
    let sets = anchors.zones.iter().map(|zone| async move {
        let records = crate::net::authority::key_set(resolver, &zone.to_ascii(), timeout).await;
        (
            zone,
            records.ok().and_then(|r| verified_keys(anchors, zone, &r)),
        )
    });
    for (zone, keys) in futures::future::join_all(sets).await {
        for key in keys.into_iter().flatten() {
            out.insert_with_name(key.public_key(), LowerName::from(zone));
        }
    }
    out
}

/// The zone's DNSKEYs, if a current signature over the set was made by a key that is anchored
/// (given as a DNSKEY, or matching a given DS).
fn verified_keys(anchors: &Anchors, zone: &Name, records: &[Record]) -> Option<Vec<DNSKEY>> {
    let key_records: Vec<&Record> = records
        .iter()
        .filter(|r| r.name.to_lowercase() == *zone && r.record_type() == RecordType::DNSKEY)
        .collect();
    let keys: Vec<DNSKEY> = key_records
        .iter()
        .filter_map(|r| match &r.data {
            RData::DNSSEC(DNSSECRData::DNSKEY(k)) => Some(k.clone()),
            _ => None,
        })
        .collect();
    let lower = LowerName::from(zone);
    let anchored = |k: &DNSKEY| {
        anchors.keys.contains_with_name(k.public_key(), &lower)
            || anchors
                .digests
                .iter()
                .any(|(z, ds)| z == zone && ds.covers(zone, k).unwrap_or(false))
    };
    let now = u32::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    )
    .unwrap_or(u32::MAX);
    let signed = records.iter().filter_map(|r| match &r.data {
        RData::DNSSEC(DNSSECRData::RRSIG(sig))
            if sig.input().type_covered == RecordType::DNSKEY =>
        {
            Some(sig)
        }
        _ => None,
    });
    for sig in signed {
        let input = sig.input();
        let current = input.sig_inception.get() <= now && now <= input.sig_expiration.get();
        let by = keys.iter().filter(|k| {
            anchored(k)
                && k.algorithm() == input.algorithm
                && k.calculate_key_tag().ok() == Some(input.key_tag)
        });
        for key in by {
            let verified = key
                .verify_rrsig(zone, DNSClass::IN, sig, key_records.iter().copied())
                .is_ok();
            if current && verified {
                return Some(keys);
            }
        }
    }
    None
}

impl Validator {
    pub fn new(
        servers: &[SocketAddr],
        extra: Option<TrustAnchors>,
        extra_anchors: usize,
        anchored_zones: Vec<String>,
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
            anchored_zones,
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
