//! What the probes say about hosts and about this machine's network, beyond single settings:
//! ports blocked on our side, hosts that are down or filtered, no IPv6 here, local exhaustion.
//! Conclusions are drawn only from what was probed.

use crate::judge::findings::{DnsFact, ProbeFact};
use std::collections::BTreeMap;
use std::net::IpAddr;

use super::findings::{Fact, Finding, HostLabel};
use super::{policy, Evidence};
use crate::plan::{CapHit, Source};
use crate::probe::{FailureKind, LocalError, ProbeResult, Skip, TcpOutcome, Unreachable};

pub fn findings(ev: &Evidence<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let unprobed = policy::unprobed_standard_ports(ev.services);
    if !unprobed.is_empty() && !ev.probes.is_empty() {
        out.push(Finding::new(Fact::Probe(ProbeFact::PortsNotProbed {
            ports: unprobed,
        })));
    }
    let local_v6_missing = unroutable_ipv6(ev.probes);
    if !local_v6_missing.is_empty() {
        out.push(Finding::new(Fact::Probe(ProbeFact::NoLocalIpv6 {
            addresses: local_v6_missing.len(),
        })));
    }
    for cap in ev.caps {
        out.push(Finding::new(match cap {
            CapHit::Addresses { name, total, kept } => Fact::Probe(ProbeFact::AddressesTruncated {
                name: name.clone(),
                total: *total,
                kept: *kept,
            }),
            CapHit::ProbeBudget { planned, kept } => Fact::Probe(ProbeFact::ProbeBudgetExhausted {
                planned: *planned,
                kept: *kept,
            }),
            CapHit::PublishedSettings { total, kept } => {
                Fact::Probe(ProbeFact::PublishedSettingsTruncated {
                    total: *total,
                    kept: *kept,
                })
            }
            CapHit::FamilyLeftNothing { ipv6, left_out } => {
                Fact::Probe(ProbeFact::FamilyLeftNothing {
                    ipv6: *ipv6,
                    left_out: *left_out,
                })
            }
        }));
    }
    let late = ev
        .probes
        .iter()
        .filter(
            |p| matches!(&p.failure, Some(f) if f.kind == FailureKind::Skipped(Skip::RunDeadline)),
        )
        .count();
    if late > 0 {
        out.push(Finding::new(Fact::Probe(ProbeFact::RunDeadlineReached {
            skipped: late,
        })));
    }
    let exhausted = ev
        .probes
        .iter()
        .filter(|p| p.tcp == TcpOutcome::Failed(LocalError::TooManyOpenFiles))
        .count();
    if exhausted > 0 {
        out.push(Finding::new(Fact::Probe(
            ProbeFact::LocalResourceExhausted { probes: exhausted },
        )));
    }
    // Addresses we could not even try say nothing about their hosts.
    let own: Vec<&ProbeResult> = ev
        .probes
        .iter()
        .filter(|p| p.shared_with.is_none() && !local_v6_missing.contains(&p.address))
        .filter(|p| !matches!(p.tcp, TcpOutcome::Failed(_) | TcpOutcome::NotAttempted))
        .filter(|p| !matches!(&p.failure, Some(f) if matches!(f.kind, FailureKind::Skipped(_))))
        .collect();
    let blocked = blocked_ports(ev, &own);
    for (port, addresses) in &blocked {
        out.push(Finding::new(Fact::Probe(ProbeFact::PortBlockedLocally {
            port: *port,
            addresses: *addresses,
        })));
    }
    host_findings(ev, &own, &blocked, &mut out);
    unresolvable_candidates(ev, &mut out);
    out
}

/// A connection or a refusal: either way the host is up and packets reach it.
fn answered(tcp: &TcpOutcome) -> bool {
    matches!(
        tcp,
        TcpOutcome::Connected | TcpOutcome::Refused | TcpOutcome::Reset
    )
}

/// Ports that timed out at connect on every address (at least two) known to be up (see
/// `known_up`), while connections elsewhere work: the drop is most likely on our side of the
/// network, not at each of those servers.
fn blocked_ports(ev: &Evidence<'_>, own: &[&ProbeResult]) -> BTreeMap<u16, usize> {
    let mut by_port: BTreeMap<u16, Vec<&ProbeResult>> = BTreeMap::new();
    for p in own {
        by_port.entry(p.port).or_default().push(p);
    }
    let mut out = BTreeMap::new();
    for (port, probes) in by_port {
        if !probes.iter().all(|p| p.tcp == TcpOutcome::TimedOut) {
            continue;
        }
        let mut addresses: Vec<IpAddr> = probes.iter().map(|p| p.address).collect();
        addresses.sort();
        addresses.dedup();
        // Evidence that the host is up and serves this port: it answered on another port, or
        // it is an MX host and the port is 25, which every MX host exists to accept.
        let known_up = |a: &IpAddr| {
            own.iter()
                .any(|p| p.address == *a && p.port != port && answered(&p.tcp))
                || (port == 25 && is_mx_address(ev, *a))
        };
        let somewhere_else_works = own.iter().any(|p| p.port != port && p.tcp.connected());
        if addresses.len() >= 2 && somewhere_else_works && addresses.iter().all(known_up) {
            out.insert(port, addresses.len());
        }
    }
    out
}

fn is_mx_address(ev: &Evidence<'_>, address: IpAddr) -> bool {
    ev.candidates
        .iter()
        .any(|c| c.candidate.sources.contains(&Source::Mx) && c.addresses.all().contains(&address))
}

/// Whether every name at this address was only guessed by mailprobe, none stated by the domain,
/// its provider or the user.
fn only_guessed(ev: &Evidence<'_>, address: IpAddr) -> bool {
    ev.candidates
        .iter()
        .filter(|c| c.addresses.all().contains(&address))
        .flat_map(|c| &c.candidate.sources)
        .all(|s| policy::guessed(*s))
}

fn label(ev: &Evidence<'_>, address: IpAddr) -> HostLabel {
    HostLabel {
        names: ev
            .candidates
            .iter()
            .filter(|c| c.addresses.all().contains(&address))
            .map(|c| c.candidate.name.clone())
            .collect(),
        address,
    }
}

/// Per address: silent on every port, unreachable, or refusing every port.
fn host_findings(
    ev: &Evidence<'_>,
    own: &[&ProbeResult],
    blocked: &BTreeMap<u16, usize>,
    out: &mut Vec<Finding>,
) {
    let mut by_address: BTreeMap<IpAddr, Vec<&ProbeResult>> = BTreeMap::new();
    for p in own {
        by_address.entry(p.address).or_default().push(p);
    }
    let every_port_asked = policy::all_standard_ports_probed(ev.services);
    for (address, probes) in by_address {
        let host = label(ev, address);
        let at = probes[0].host.clone();
        let unreachable = probes.iter().map(|p| match p.tcp {
            TcpOutcome::Unreachable(u) => Some(u),
            _ => None,
        });
        let unreachable: Option<Vec<Unreachable>> = unreachable.collect();
        let fact = if probes.iter().all(|p| p.tcp == TcpOutcome::TimedOut) {
            Some(Fact::Probe(ProbeFact::HostSilent { host }))
        } else if let Some(why) = unreachable.and_then(|u| u.first().copied()) {
            Some(Fact::Probe(ProbeFact::HostUnreachable { host, why }))
        } else if every_port_asked && probes.iter().all(|p| p.tcp == TcpOutcome::Refused) {
            // A name mailprobe only guessed (the domain's web host, `imap.`…) that is no mail
            // server is no news: nobody said it was one.
            (!only_guessed(ev, address))
                .then_some(Fact::Probe(ProbeFact::HostNotServingMail { host }))
        } else if probes.iter().any(|p| answered(&p.tcp)) {
            let refused = ports_where(&probes, |p| p.tcp == TcpOutcome::Refused);
            if !refused.is_empty() {
                let fact = Fact::Probe(ProbeFact::PortRefused {
                    host: host.clone(),
                    ports: refused,
                });
                out.push(Finding::new(fact).at(&at, None));
            }
            let filtered = ports_where(&probes, |p| {
                p.tcp == TcpOutcome::TimedOut && !blocked.contains_key(&p.port)
            });
            (!filtered.is_empty()).then_some(Fact::Probe(ProbeFact::PortFiltered {
                host,
                ports: filtered,
            }))
        } else {
            None
        };
        if let Some(fact) = fact {
            out.push(Finding::new(fact).at(&at, None));
        }
    }
}

pub fn ports_where(probes: &[&ProbeResult], keep: impl Fn(&ProbeResult) -> bool) -> Vec<u16> {
    let mut ports: Vec<u16> = probes.iter().filter(|p| keep(p)).map(|p| p.port).collect();
    ports.sort();
    ports.dedup();
    ports
}

/// Names the domain itself pointed at (SRV, provider, --host) that do not resolve.
fn unresolvable_candidates(ev: &Evidence<'_>, out: &mut Vec<Finding>) {
    for rc in ev.candidates {
        let Some(error) = rc.addresses.failure() else {
            continue;
        };
        let c = &rc.candidate;
        let srv_target = match c.best_source() {
            Source::Srv => true,
            Source::User | Source::Provider | Source::CertificateName => false,
            // Said in the comparison of what clients are told.
            Source::Published => continue,
            _ => continue,
        };
        let fact = Fact::Dns(DnsFact::Unresolvable {
            name: c.name.clone(),
            error,
            srv_target,
        });
        out.push(Finding::new(fact).at(&c.name, None));
    }
}

/// IPv6 addresses whose every probe failed because this machine has no route to IPv6.
pub fn unroutable_ipv6(probes: &[ProbeResult]) -> Vec<IpAddr> {
    let mut by_address: BTreeMap<IpAddr, bool> = BTreeMap::new();
    for p in probes.iter().filter(|p| p.address.is_ipv6()) {
        let unroutable = p.tcp == TcpOutcome::Unreachable(Unreachable::Network);
        *by_address.entry(p.address).or_insert(true) &= unroutable;
    }
    by_address
        .into_iter()
        .filter(|(_, all)| *all)
        .map(|(a, _)| a)
        .collect()
}
