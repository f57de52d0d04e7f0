//! What senders will do: the domain's MTA-STS policy and DANE records held against what its MX
//! hosts actually present on port 25, TLS-RPT, and SPF/DMARC for the recommended outgoing
//! server.

use crate::judge::findings::DeliveryFact;
use std::net::IpAddr;

use super::findings::{
    CertProblem, DnssecBasis, Fact, Finding, MtaStsMode, PolicyFetch, SpfSender,
};
use super::recommend::Recommended;
use crate::delivery::dane::{check_record, Dane, HostTlsa, Match, TlsaLookup};
use crate::delivery::mta_sts::{covers, MtaSts, PolicyState, TxtState};
use crate::delivery::sender::{Dmarc, SpfRecord, SpfResult};
use crate::delivery::spf_tree::{PermissiveAll, SpfTree};
use crate::delivery::tls_rpt::TlsRpt;
use crate::delivery::Delivery;
use crate::net::dnssec::Validated;
use crate::net::http::FetchError;
use crate::probe::tls::CertVerdict;
use crate::probe::{ProbeResult, StartTlsState};
use crate::provider::Identification;
use crate::service::{Protocol, Security};

/// What the inbound SMTP port of one MX address showed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Inbound<'a> {
    NotReached,
    NoStarttls,
    Tls {
        name_ok: bool,
        verdict: Option<&'a CertVerdict>,
        chain: &'a [Vec<u8>],
    },
}

/// A server-to-server SMTP probe (port 25, or a custom SMTP STARTTLS port in tests): never
/// the submission ports.
fn inbound_smtp(p: &ProbeResult) -> bool {
    p.service.protocol == Protocol::Smtp
        && p.service.security != Security::Tls
        && !matches!(p.service.port, 465 | 587)
}

/// Each probed address of `host` on its inbound SMTP port.
fn inbound<'a>(probes: &'a [ProbeResult], host: &str) -> Vec<(IpAddr, Inbound<'a>)> {
    probes
        .iter()
        .filter(|p| p.host == host && inbound_smtp(p))
        .map(|p| {
            let state = match (&p.starttls, &p.tls) {
                (Some(StartTlsState::Upgraded), Some(tls)) => Inbound::Tls {
                    name_ok: tls.name_matches == Some(true),
                    verdict: tls.verdict.as_ref(),
                    chain: &tls.chain,
                },
                (Some(StartTlsState::NotOffered | StartTlsState::Failed), _) => Inbound::NoStarttls,
                _ => Inbound::NotReached,
            };
            (p.address, state)
        })
        .collect()
}

pub fn findings(
    delivery: &Delivery,
    domain: &str,
    mx_hosts: &[String],
    probes: &[ProbeResult],
    recommended: &Recommended,
    identification: &Identification,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut secured = false;
    if let Some(sts) = &delivery.mta_sts {
        let (f, used) = mta_sts(sts, domain, mx_hosts, probes);
        out.extend(f);
        secured |= used;
    }
    if let Some(dane) = &delivery.dane {
        let public = crate::net::address::is_public_domain(domain);
        for host in &dane.hosts {
            let (f, used) = dane_host(host, dane, public, probes);
            out.extend(f);
            secured |= used;
        }
    }
    out.extend(tls_rpt(&delivery.tls_rpt, domain, secured));
    out.extend(sender(delivery, domain, recommended, identification));
    if let (Some(tree), SpfRecord::Present { .. }) = (&delivery.spf_tree, &delivery.spf) {
        out.extend(spf_structure(tree, domain));
    }
    out
}

/// What is wrong with the SPF record itself, whichever server sends: each a permerror, an
/// open door or a weak end, said whether or not an outgoing server was confirmed.
fn spf_structure(tree: &SpfTree, domain: &str) -> Vec<Finding> {
    let domain = domain.to_string();
    let mut out = Vec::new();
    if tree.too_many_lookups() {
        out.push(Fact::Delivery(DeliveryFact::SpfTooManyLookups {
            domain: domain.clone(),
            lookups: tree.lookups,
        }));
    }
    if tree.too_many_void_lookups() {
        out.push(Fact::Delivery(DeliveryFact::SpfTooManyVoidLookups {
            domain: domain.clone(),
            names: tree.void_lookups.clone(),
        }));
    }
    if !tree.missing.is_empty() {
        out.push(Fact::Delivery(DeliveryFact::SpfIncludeWithoutSpf {
            domain: domain.clone(),
            targets: tree.missing.clone(),
        }));
    }
    match tree.permissive_all {
        Some(PermissiveAll::Pass) => out.push(Fact::Delivery(DeliveryFact::SpfAllPass {
            domain: domain.clone(),
        })),
        Some(PermissiveAll::Neutral) => out.push(Fact::Delivery(DeliveryFact::SpfAllNeutral {
            domain: domain.clone(),
        })),
        None => {}
    }
    if tree.uses_ptr {
        out.push(Fact::Delivery(DeliveryFact::SpfPtr {
            domain: domain.clone(),
        }));
    }
    if !tree.unreadable.is_empty() || tree.truncated {
        out.push(Fact::Delivery(DeliveryFact::SpfTreeIncomplete {
            domain,
            unreadable: tree.unreadable.clone(),
            truncated: tree.truncated,
        }));
    }
    out.into_iter().map(Finding::new).collect()
}

/// MTA-STS findings, and whether the domain uses MTA-STS at all.
fn mta_sts(
    sts: &MtaSts,
    domain: &str,
    mx_hosts: &[String],
    probes: &[ProbeResult],
) -> (Vec<Finding>, bool) {
    let mut out = Vec::new();
    let announced = match &sts.txt {
        TxtState::Present { .. } => true,
        TxtState::Missing | TxtState::LookupFailed(_) => false,
        TxtState::Several => {
            out.push(Finding::new(Fact::Delivery(
                DeliveryFact::MtaStsRecordInvalid {
                    domain: domain.to_string(),
                    record: None,
                },
            )));
            false
        }
        TxtState::Invalid { record } => {
            out.push(Finding::new(Fact::Delivery(
                DeliveryFact::MtaStsRecordInvalid {
                    domain: domain.to_string(),
                    record: Some(record.clone()),
                },
            )));
            false
        }
    };
    let url = sts.policy_url.clone();
    let policy = match &sts.policy {
        PolicyState::Fetched(p) => p,
        PolicyState::Invalid { problems } => {
            if announced {
                out.push(Finding::new(Fact::Delivery(
                    DeliveryFact::MtaStsPolicyInvalid {
                        url,
                        problems: problems.clone(),
                    },
                )));
            }
            return (out, announced);
        }
        PolicyState::BadResponse { status, .. } => {
            if announced {
                out.push(Finding::new(Fact::Delivery(
                    DeliveryFact::MtaStsPolicyUnavailable {
                        url,
                        why: PolicyFetch::Status(*status),
                    },
                )));
            }
            return (out, announced);
        }
        // No policy host at all and no record: the domain does not use MTA-STS.
        PolicyState::Unavailable(FetchError::NoAddress) if !announced => return (out, false),
        PolicyState::Unavailable(e) => {
            if announced {
                out.push(Finding::new(Fact::Delivery(
                    DeliveryFact::MtaStsPolicyUnavailable {
                        url,
                        why: PolicyFetch::Failed(e.clone()),
                    },
                )));
            }
            return (out, announced);
        }
    };
    if !announced {
        out.push(Finding::new(Fact::Delivery(
            DeliveryFact::MtaStsRecordMissing {
                domain: domain.to_string(),
            },
        )));
        return (out, false);
    }
    let mode = policy.mode;
    if mode == MtaStsMode::None {
        return (out, false);
    }
    let before = out.len();
    let mut reached = 0;
    for host in mx_hosts {
        if !policy.mx.iter().any(|p| covers(p, host)) {
            out.push(
                Finding::new(Fact::Delivery(DeliveryFact::MtaStsMxNotCovered {
                    host: host.clone(),
                    mode,
                    patterns: policy.mx.clone(),
                }))
                .at(host, Some(25)),
            );
            continue;
        }
        for (address, state) in inbound(probes, host) {
            let fact = match state {
                Inbound::NotReached => continue,
                Inbound::NoStarttls => Fact::Delivery(DeliveryFact::MtaStsNoStarttls {
                    host: host.clone(),
                    address,
                    mode,
                }),
                Inbound::Tls {
                    verdict, name_ok, ..
                } => {
                    reached += 1;
                    match (verdict, name_ok) {
                        (Some(CertVerdict::Trusted), true) => continue,
                        (Some(CertVerdict::Trusted | CertVerdict::NameMismatch), _) | (None, _) => {
                            Fact::Delivery(DeliveryFact::MtaStsCertificateInvalid {
                                host: host.clone(),
                                address,
                                mode,
                                problem: CertProblem::NotValidForName,
                            })
                        }
                        (Some(v), _) => Fact::Delivery(DeliveryFact::MtaStsCertificateInvalid {
                            host: host.clone(),
                            address,
                            mode,
                            problem: CertProblem::Untrusted(v.clone()),
                        }),
                    }
                }
            };
            out.push(Finding::new(fact).at(host, Some(25)));
        }
    }
    if out.len() == before {
        out.push(Finding::new(if reached == 0 {
            Fact::Delivery(DeliveryFact::MtaStsNotChecked { mode })
        } else {
            Fact::Delivery(DeliveryFact::MtaStsInOrder {
                mode,
                hosts: mx_hosts.len(),
            })
        }));
    }
    (out, true)
}

/// A DNSSEC status and whose word it rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Secure(DnssecBasis),
    Insecure(DnssecBasis),
    Bogus(DnssecBasis),
}

/// mailprobe's own validation decides; the resolver's AD bit counts only where it cannot (a
/// private tree whose keys it was not given). Its "bogus" wins over an AD bit wherever it holds
/// the keys: a public name (the root's keys) or a name under `--trust-anchor`. A failed
/// validation of a private name it holds no keys for, without AD, is an unsigned zone to
/// mailprobe, not an attack.
fn dnssec(own: Option<Validated>, ad: bool, dane: &Dane, name: &str, public: bool) -> Status {
    let own_basis = DnssecBasis::Own {
        extra_anchors: dane.own_anchors,
    };
    let resolver = DnssecBasis::Resolver(dane.resolver);
    let keys_held = public || dane.anchored(name);
    match own {
        Some(Validated::Secure) => Status::Secure(own_basis),
        Some(Validated::Bogus) if keys_held => Status::Bogus(own_basis),
        _ if ad => Status::Secure(resolver),
        Some(Validated::Insecure | Validated::Bogus) => Status::Insecure(own_basis),
        _ => Status::Insecure(resolver),
    }
}

/// DANE findings for one MX host, and whether it publishes TLSA records at all.
fn dane_host(
    t: &HostTlsa,
    dane: &Dane,
    public: bool,
    probes: &[ProbeResult],
) -> (Vec<Finding>, bool) {
    let host = t.host.clone();
    let own = t.own.as_ref();
    let (records, ad) = match &t.lookup {
        TlsaLookup::Records { records, secure } => (records.clone(), *secure),
        _ => (own.map(|(_, r)| r.clone()).unwrap_or_default(), false),
    };
    if records.is_empty() {
        if t.lookup == TlsaLookup::ServFail {
            let f = Finding::new(Fact::Delivery(DeliveryFact::DaneLookupFailed {
                host: host.clone(),
                basis: DnssecBasis::Resolver(dane.resolver),
            }));
            return (vec![f.at(&host, Some(25))], true);
        }
        return (Vec::new(), false);
    }
    let tlsa = dnssec(own.map(|(v, _)| *v), ad, dane, &host, public);
    let mx = dnssec(
        dane.mx_own,
        dane.mx_secure == Some(true),
        dane,
        &dane.domain,
        public,
    );
    let basis = match (tlsa, mx) {
        (Status::Bogus(basis), _) | (_, Status::Bogus(basis)) => {
            let f = Finding::new(Fact::Delivery(DeliveryFact::DaneLookupFailed {
                host: host.clone(),
                basis,
            }));
            return (vec![f.at(&host, Some(25))], true);
        }
        // RFC 7672 section 2.2: TLSA of an MX host counts only when the MX set is secure too.
        (Status::Insecure(basis), _) | (Status::Secure(basis), Status::Insecure(_)) => {
            let f = Finding::new(Fact::Delivery(DeliveryFact::DaneZoneInsecure {
                host: host.clone(),
                basis,
                mx_secure: matches!(mx, Status::Secure(_)),
            }));
            return (vec![f.at(&host, Some(25))], false);
        }
        (Status::Secure(basis), Status::Secure(_)) => basis,
    };
    let records = &records;
    let mut out = Vec::new();
    let mut matched = 0;
    for (address, state) in inbound(probes, &host) {
        match state {
            Inbound::NotReached => {}
            Inbound::NoStarttls => {
                out.push(Finding::new(Fact::Delivery(DeliveryFact::DaneNoStarttls {
                    host: host.clone(),
                    address,
                })))
            }
            Inbound::Tls { chain, .. } => {
                if records
                    .iter()
                    .any(|r| check_record(r, chain) == Match::Matches)
                {
                    matched += 1;
                } else {
                    out.push(Finding::new(Fact::Delivery(
                        DeliveryFact::DaneTlsaMismatch {
                            host: host.clone(),
                            address,
                            records: records.len(),
                        },
                    )));
                }
            }
        }
    }
    if out.is_empty() {
        out.push(Finding::new(if matched > 0 {
            Fact::Delivery(DeliveryFact::DaneInOrder {
                host: host.clone(),
                basis,
            })
        } else {
            Fact::Delivery(DeliveryFact::DaneNotVerified { host: host.clone() })
        }));
    }
    let out = out.into_iter().map(|f| f.at(&host, Some(25))).collect();
    (out, true)
}

fn tls_rpt(t: &TlsRpt, domain: &str, secured: bool) -> Vec<Finding> {
    let domain = domain.to_string();
    match t {
        TlsRpt::Missing if secured => {
            vec![Finding::new(Fact::Delivery(DeliveryFact::TlsRptMissing {
                domain,
            }))]
        }
        TlsRpt::Several => vec![Finding::new(Fact::Delivery(DeliveryFact::TlsRptInvalid {
            domain,
            record: None,
        }))],
        TlsRpt::Invalid { record } => {
            vec![Finding::new(Fact::Delivery(DeliveryFact::TlsRptInvalid {
                domain,
                record: Some(record.clone()),
            }))]
        }
        _ => Vec::new(),
    }
}

/// SPF for the recommended outgoing server (or the provider's include), and DMARC.
fn sender(
    d: &Delivery,
    domain: &str,
    recommended: &Recommended,
    identification: &Identification,
) -> Vec<Finding> {
    let domain_s = domain.to_string();
    let mut out = Vec::new();
    match &d.dmarc {
        Dmarc::Present {
            policy,
            subdomains,
            reports,
        } => out.push(Finding::new(Fact::Delivery(DeliveryFact::DmarcPolicy {
            domain: domain_s.clone(),
            policy: *policy,
            subdomains: *subdomains,
            reports: *reports,
        }))),
        Dmarc::Missing => out.push(Finding::new(Fact::Delivery(DeliveryFact::DmarcMissing {
            domain: domain_s.clone(),
        }))),
        Dmarc::Invalid { record } => {
            out.push(Finding::new(Fact::Delivery(DeliveryFact::DmarcInvalid {
                domain: domain_s.clone(),
                record: Some(record.clone()),
            })))
        }
        Dmarc::Several => out.push(Finding::new(Fact::Delivery(DeliveryFact::DmarcInvalid {
            domain: domain_s.clone(),
            record: None,
        }))),
        Dmarc::LookupFailed(_) => {}
    }
    let dmarc = dmarc_policy(d);
    let includes = match &d.spf {
        SpfRecord::Present { includes, .. } => includes,
        SpfRecord::Missing => {
            out.push(Finding::new(Fact::Delivery(DeliveryFact::SpfMissing {
                domain: domain_s,
            })));
            return out;
        }
        SpfRecord::Several => {
            out.push(Finding::new(Fact::Delivery(DeliveryFact::SpfInvalid {
                domain: domain_s,
                record: None,
            })));
            return out;
        }
        SpfRecord::Invalid { record } => {
            out.push(Finding::new(Fact::Delivery(DeliveryFact::SpfInvalid {
                domain: domain_s,
                record: Some(record.clone()),
            })));
            return out;
        }
        SpfRecord::LookupFailed(_) => return out,
    };
    let provider = identification
        .provider
        .as_ref()
        .filter(|p| p.is_known() && !p.spf_includes.is_empty());
    if let Some(p) = provider {
        let include = p.spf_includes[0].to_string();
        let found = p
            .spf_includes
            .iter()
            .any(|i| includes.iter().any(|x| x.eq_ignore_ascii_case(i)));
        let sender = SpfSender::Provider {
            name: p.name.clone(),
            include,
        };
        out.push(Finding::new(if found {
            Fact::Delivery(DeliveryFact::SpfAuthorizesServer {
                domain: domain_s,
                sender,
            })
        } else {
            Fact::Delivery(DeliveryFact::SpfNotAuthorizingServer {
                domain: domain_s,
                sender,
                dmarc,
            })
        }));
        return out;
    }
    // The recommended outgoing server: every address of it that SPF was evaluated for.
    let Some(best) = recommended.outgoing.first() else {
        return out;
    };
    let checks: Vec<_> = d
        .spf_checks
        .iter()
        .filter(|c| c.host == best.host)
        .collect();
    let failing = checks.iter().find(|c| c.result != SpfResult::Pass);
    if let Some(c) = failing.or(checks.first()) {
        let finding = Finding::new(server_spf_fact(domain, c, dmarc));
        // A failure belongs to the setting that is refused; a pass is said of the domain.
        out.push(match failing {
            Some(_) => finding.at(&c.host, Some(best.port)),
            None => finding,
        });
    }
    out
}

/// The policy DMARC applies to mail that fails, when a valid record says one.
pub(super) fn dmarc_policy(d: &Delivery) -> Option<crate::delivery::sender::DmarcPolicy> {
    match &d.dmarc {
        Dmarc::Present { policy, .. } => Some(*policy),
        _ => None,
    }
}

/// SPF's verdict on one sending address it was evaluated for.
pub(super) fn server_spf_fact(
    domain: &str,
    c: &crate::delivery::sender::SpfCheck,
    dmarc: Option<crate::delivery::sender::DmarcPolicy>,
) -> Fact {
    let sender = SpfSender::Server {
        host: c.host.clone(),
        address: c.address,
        result: c.result,
    };
    let domain = domain.to_string();
    match c.result {
        SpfResult::Pass => Fact::Delivery(DeliveryFact::SpfAuthorizesServer { domain, sender }),
        _ => Fact::Delivery(DeliveryFact::SpfNotAuthorizingServer {
            domain,
            sender,
            dmarc,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dane(anchored: &[&str]) -> Dane {
        Dane {
            resolver: "127.0.0.53:53".parse().unwrap(),
            mx_secure: Some(true),
            mx_own: None,
            own_anchors: anchored.len(),
            anchored_zones: anchored.iter().map(|z| z.to_string()).collect(),
            domain: "dane.internal".into(),
            hosts: Vec::new(),
        }
    }

    #[test]
    fn our_bogus_wins_over_the_resolvers_ad_bit_where_we_hold_the_keys() {
        let bogus = Some(Validated::Bogus);
        // Under an anchored zone: bogus, whatever the resolver says.
        let d = dane(&["dane.internal"]);
        assert!(matches!(
            dnssec(bogus, true, &d, "_25._tcp.mx.dane.internal", false),
            Status::Bogus(_)
        ));
        // A public name: the root's keys are ours.
        assert!(matches!(
            dnssec(bogus, true, &dane(&[]), "mx.example.com", true),
            Status::Bogus(_)
        ));
        // A private name we hold no keys for: only the resolver can tell.
        assert!(matches!(
            dnssec(bogus, true, &d, "mx.other.internal", false),
            Status::Secure(DnssecBasis::Resolver(_))
        ));
        assert!(matches!(
            dnssec(bogus, false, &d, "mx.other.internal", false),
            Status::Insecure(_)
        ));
    }
}
