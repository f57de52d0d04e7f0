//! Problems of settings: certificates, STARTTLS, protocol mix-ups and failures, one finding per
//! problem with every host and port that has exactly that problem; addresses that fail while
//! others work; names a certificate pointed to that work instead.

use crate::judge::findings::ProbeFact;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use super::findings::{Code, Fact, FailedAs, Finding, SettingProblem};
use super::inference::unroutable_ipv6;
use super::refusals::{self, Stage};
use super::{Evidence, Judgement, SettingStatus, Verdict};
use crate::plan::Source;
use crate::probe::{CertVerdict, FailureKind, Heard, Phase, ProbeResult, TlsFailure};
use crate::service::Security;

pub fn findings(
    ev: &Evidence<'_>,
    judgements: &[Judgement],
    settings: &[SettingStatus],
) -> Vec<Finding> {
    let mut out = Vec::new();
    per_setting_findings(ev, judgements, settings, &mut out);
    address_family_findings(settings, &unroutable_ipv6(ev.probes), &mut out);
    inconsistent_addresses(ev, judgements, settings, &mut out);
    shared_host_suggestions(ev, settings, &mut out);
    truncated_certificates(ev, &mut out);
    out
}

/// Addresses of a working setting that answer with warnings its best address does not have
/// (a self-signed certificate on one of two servers, say).
fn inconsistent_addresses(
    ev: &Evidence<'_>,
    judgements: &[Judgement],
    settings: &[SettingStatus],
    out: &mut Vec<Finding>,
) {
    for s in settings.iter().filter(|s| s.verdict != Verdict::Fails) {
        let mut addresses = Vec::new();
        let mut extra: Vec<Code> = Vec::new();
        for (p, j) in ev.probes.iter().zip(judgements) {
            if p.host != s.host || p.service != s.service || j.verdict == Verdict::Fails {
                continue;
            }
            let more: Vec<Code> = j
                .warnings
                .iter()
                .filter(|c| !s.warnings.contains(c))
                .copied()
                .collect();
            if !more.is_empty() && !addresses.contains(&p.address) {
                addresses.push(p.address);
                for c in more {
                    if !extra.contains(&c) {
                        extra.push(c);
                    }
                }
            }
        }
        if !addresses.is_empty() {
            let fact = Fact::Probe(ProbeFact::AddressInconsistent {
                host: s.host.clone(),
                port: s.service.port,
                addresses,
                warnings: extra,
            });
            out.push(Finding::new(fact).at(&s.host, Some(s.service.port)));
        }
    }
}

/// Certificates with more names than the report keeps, once each.
fn truncated_certificates(ev: &Evidence<'_>, out: &mut Vec<Finding>) {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for p in ev.probes.iter().filter(|p| p.shared_with.is_none()) {
        let Some(c) = p.tls.as_ref().and_then(|t| t.certificate.as_ref()) else {
            continue;
        };
        if c.names_total > c.names.len() && seen.insert(c.subject.clone()) {
            out.push(Finding::new(Fact::Probe(
                ProbeFact::CertificateNamesTruncated {
                    subject: c.subject.clone(),
                    total: c.names_total,
                    kept: c.names.len(),
                },
            )));
        }
    }
}

/// One finding per problem: the problem's own data is the key, so hosts and ports are grouped
/// only where the words for them are the same.
fn per_setting_findings(
    ev: &Evidence<'_>,
    judgements: &[Judgement],
    settings: &[SettingStatus],
    out: &mut Vec<Finding>,
) {
    let mut by_host: BTreeMap<(SettingProblem, String), BTreeSet<u16>> = BTreeMap::new();
    let provider = ev.identification.provider.as_ref().map(|p| p.id.as_str());
    for (p, j) in ev.probes.iter().zip(judgements) {
        // Warnings are each name's own (a copy shared from another name carries no
        // certificate verdict); a failure copied from another name is told under that name.
        let mut problems: Vec<SettingProblem> = j
            .warnings
            .iter()
            .filter_map(|c| warning_problem(*c, p))
            .collect();
        // Only settings where no address works are worth a failure finding per port.
        let setting_fails = settings
            .iter()
            .any(|s| s.host == p.host && s.service == p.service && s.verdict == Verdict::Fails);
        if j.verdict == Verdict::Fails && setting_fails && p.shared_with.is_none() {
            problems.extend(failure_problem(p, provider));
        }
        if p.shared_with.is_none() {
            problems.extend(super::greeting::slow_greeting(p, ev.probes));
        }
        for problem in problems {
            by_host
                .entry((problem, p.host.clone()))
                .or_default()
                .insert(p.port);
        }
    }
    // Hosts with the same problem on the same ports share one finding; a cause that lies in the
    // network, not in a host, is one finding whatever the ports.
    type Merged = BTreeMap<(SettingProblem, Vec<u16>), (Vec<String>, BTreeSet<u16>)>;
    let mut merged: Merged = BTreeMap::new();
    for ((problem, host), ports) in by_host {
        let key: Vec<u16> = if super::policy::one_cause_for_all_hosts(&problem) {
            Vec::new()
        } else {
            ports.iter().copied().collect()
        };
        let (hosts, all_ports) = merged.entry((problem, key)).or_default();
        hosts.push(host);
        all_ports.extend(ports);
    }
    for ((problem, _), (hosts, ports)) in merged {
        let ports: Vec<u16> = ports.into_iter().collect();
        let port = (ports.len() == 1).then(|| ports[0]);
        let first = hosts[0].clone();
        let fact = Fact::Probe(ProbeFact::Setting {
            hosts,
            ports,
            problem,
        });
        out.push(Finding::new(fact).at(&first, port));
    }
}

/// The data behind a warning code of one probe.
fn warning_problem(code: Code, p: &ProbeResult) -> Option<SettingProblem> {
    let cert = p.tls.as_ref().and_then(|t| t.certificate.as_ref());
    let verdict = p.tls.as_ref().and_then(|t| t.verdict.as_ref());
    Some(match code {
        Code::CertificateNameMismatch => SettingProblem::CertificateNameMismatch {
            names: cert.map(|c| c.names.clone()).unwrap_or_default(),
            cn_only: cert.is_some_and(|c| c.names_from_cn),
        },
        Code::TlsInterceptionSuspected => SettingProblem::TlsInterceptionSuspected {
            issuer: cert.map(|c| c.issuer.clone()).unwrap_or_default(),
            names: cert.map(|c| c.names.clone()).unwrap_or_default(),
        },
        Code::CertificateExpired => {
            let c = cert?;
            SettingProblem::CertificateExpired {
                not_after: c.not_after.clone(),
                days_ago: -c.days_left,
            }
        }
        Code::CertificateChainExpired => {
            let expired = cert?.intermediates.iter().find(|i| i.days_left < 0)?;
            SettingProblem::CertificateChainExpired {
                subject: expired.subject.clone(),
                not_after: expired.not_after.clone(),
                days_ago: -expired.days_left,
            }
        }
        Code::CertificateExpiresSoon => {
            let c = cert?;
            SettingProblem::CertificateExpiresSoon {
                not_after: c.not_after.clone(),
                days_left: c.days_left,
            }
        }
        Code::CertificateNotYetValid => SettingProblem::CertificateNotYetValid {
            not_before: cert?.not_before.clone(),
        },
        Code::CertificateUntrusted => {
            let c = cert?;
            SettingProblem::CertificateUntrusted {
                issuer: c.issuer.clone(),
                subject: c.subject.clone(),
                self_signed: c.self_signed,
                // Only an unknown issuer points at a missing intermediate: a signature that
                // does not verify (SHA-1 from a trusted CA) is another matter.
                leaf_only: c.chain_length == 1 && verdict == Some(&CertVerdict::UnknownIssuer),
                bad_signature: verdict == Some(&CertVerdict::BadSignature),
            }
        }
        Code::NoStarttls => SettingProblem::NoStarttls,
        Code::CertificateWeakKey => {
            let c = cert?;
            SettingProblem::CertificateWeakKey {
                key: c.key,
                bits: c.key_bits,
            }
        }
        Code::CertificateWeakSignature => SettingProblem::CertificateWeakSignature {
            algorithm: cert?.signature,
        },
        Code::CertificateMustStapleUnmet => SettingProblem::CertificateMustStapleUnmet,
        Code::TlsLegacyAccepted => SettingProblem::TlsLegacyAccepted {
            versions: super::verdict::legacy_accepted(p),
        },
        Code::Tls13Only => SettingProblem::Tls13Only,
        Code::NoStarttlsNoLogin => SettingProblem::NoStarttlsNoLogin,
        Code::PlaintextOnly => SettingProblem::PlaintextOnly,
        Code::LoginDisabled => SettingProblem::LoginDisabled,
        Code::CapabilitiesTruncated => SettingProblem::CapabilitiesTruncated,
        _ => return None,
    })
}

/// The failure finding a failed probe makes, if its failure is one worth a finding (refusals
/// and timeouts are told per host instead).
fn failure_problem(p: &ProbeResult, provider: Option<&str>) -> Option<SettingProblem> {
    let f = p.failure.as_ref()?;
    // A key clients refuse to verify with fails the handshake: that is the problem to name.
    if let FailureKind::TlsHandshake(TlsFailure::SignatureRejected { key, bits }) = &f.kind {
        if crate::judge::policy::weak_key(*key, *bits) {
            return Some(SettingProblem::CertificateWeakKey {
                key: *key,
                bits: *bits,
            });
        }
    }
    let code = match (&f.kind, f.phase) {
        (FailureKind::ProtocolMismatch { heard, .. }, Phase::TlsHandshake)
            if *heard != Heard::Unknown =>
        {
            FailedAs::PlaintextOnTlsPort
        }
        (FailureKind::TlsAnswered { .. }, _) => FailedAs::TlsOnPlainPort,
        (FailureKind::ProtocolMismatch { .. }, _) => FailedAs::WrongProtocol,
        (FailureKind::TlsHandshake(_), _) => FailedAs::TlsHandshakeFailed,
        (FailureKind::TimedOut, Phase::TlsHandshake) => FailedAs::TlsHandshakeFailed,
        (FailureKind::TimedOut, Phase::Greeting) if p.service.security != Security::Tls => {
            FailedAs::NoGreeting
        }
        (FailureKind::StartTlsInjection { .. }, _) => FailedAs::StarttlsInjection,
        (_, Phase::StartTls) => FailedAs::StarttlsFailed,
        (FailureKind::Rejected(_), Phase::Greeting) => FailedAs::GreetingRejected,
        (FailureKind::GreetingUnfinished, _) => FailedAs::GreetingUnfinished,
        (FailureKind::LineTooLong | FailureKind::TooMuchData | FailureKind::TooManyLines, _) => {
            FailedAs::ServerSentTooMuch
        }
        (FailureKind::PreAuthenticated, _) => FailedAs::ImapPreauth,
        _ => return None,
    };
    let stage = match f.phase {
        Phase::Greeting => Some(Stage::Greeting),
        Phase::StartTls => Some(Stage::StartTls),
        _ => None,
    };
    let decoded = match (&f.kind, stage) {
        (FailureKind::Rejected(reply), Some(stage)) => {
            refusals::decode(stage, p.service.protocol, provider, reply)
        }
        _ => None,
    };
    Some(SettingProblem::Failed {
        code,
        service: p.service,
        failure: f.clone(),
        decoded,
    })
}

/// A name working on one address but not another: clients may hang or fail.
fn address_family_findings(settings: &[SettingStatus], untried: &[IpAddr], out: &mut Vec<Finding>) {
    for s in settings.iter().filter(|s| s.verdict != Verdict::Fails) {
        let failing: Vec<IpAddr> = s
            .failing_addresses
            .iter()
            .filter(|a| !untried.contains(a))
            .copied()
            .collect();
        if failing.is_empty() {
            continue;
        }
        let v4_works = s.working_addresses.iter().any(IpAddr::is_ipv4);
        let (host, port) = (s.host.clone(), s.service.port);
        let fact = if v4_works && failing.iter().all(IpAddr::is_ipv6) {
            Fact::Probe(ProbeFact::Ipv6Broken {
                host,
                port,
                addresses: failing,
            })
        } else {
            Fact::Probe(ProbeFact::AddressFailing {
                host,
                port,
                addresses: failing,
            })
        };
        out.push(Finding::new(fact).at(&s.host, Some(port)));
    }
}

/// Names a certificate was valid for that were tried and worked: the shared-host case.
/// One finding per such name, with every port where it worked.
fn shared_host_suggestions(ev: &Evidence<'_>, settings: &[SettingStatus], out: &mut Vec<Finding>) {
    let mut by_host: BTreeMap<&str, BTreeSet<u16>> = BTreeMap::new();
    for s in settings
        .iter()
        .filter(|s| s.source == Source::CertificateName && s.verdict == Verdict::Works)
    {
        by_host.entry(&s.host).or_default().insert(s.service.port);
    }
    for (name, ports) in by_host {
        let ports: Vec<u16> = ports.into_iter().collect();
        let presented_by: BTreeSet<String> = ev
            .probes
            .iter()
            .filter(|p| p.host != name)
            .filter(|p| {
                p.tls
                    .as_ref()
                    .and_then(|t| t.certificate.as_ref())
                    .is_some_and(|c| c.names.iter().any(|n| n == name))
            })
            .map(|p| p.host.clone())
            .collect();
        let port = (ports.len() == 1).then(|| ports[0]);
        let fact = Fact::Probe(ProbeFact::CertificateValidForOtherHost {
            name: name.to_string(),
            ports,
            presented_by: presented_by.into_iter().collect(),
        });
        out.push(Finding::new(fact).at(name, port));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The weak fixture sent alone (no intermediate), with this verdict.
    fn untrusted(verdict: CertVerdict) -> (bool, bool) {
        let mut p = crate::judge::verdict::tests::weak_probe(true);
        let tls = p.tls.as_mut().unwrap();
        tls.verdict = Some(verdict);
        tls.certificate.as_mut().unwrap().chain_length = 1;
        match warning_problem(Code::CertificateUntrusted, &p) {
            Some(SettingProblem::CertificateUntrusted {
                leaf_only,
                bad_signature,
                ..
            }) => (leaf_only, bad_signature),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_sha1_leaf_from_a_known_ca_is_not_called_an_incomplete_chain() {
        assert_eq!(untrusted(CertVerdict::BadSignature), (false, true));
        // The leaf alone from an unknown issuer is the incomplete chain.
        assert_eq!(untrusted(CertVerdict::UnknownIssuer), (true, false));
    }
}
