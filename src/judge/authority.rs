//! What the zone's own name servers said, compared with each other and with the resolver:
//! propagation still pending, servers that lag or disagree, lame or silent servers, a
//! delegation that differs between parent and child, all servers in one network.

use crate::judge::findings::AuthorityFact;
use std::net::IpAddr;

use super::findings::{Fact, Finding, Lagging, ProbedFromSource};
use super::verdict::{Judgement, Verdict};
use crate::discover::authority::{Authority, NotAsked, ServerOutcome, ZoneView};
use crate::discover::Discovery;
use crate::net::dns::HostAddresses;
use crate::plan::ResolvedCandidate;
use crate::probe::ProbeResult;
use crate::service::Protocol;

/// The probes and their judgements: whether a new MX host already answers SMTP.
#[derive(Clone, Copy)]
pub struct Probed<'a> {
    pub probes: &'a [ProbeResult],
    pub judgements: &'a [Judgement],
    /// The names resolved for probing, with the resolver's addresses.
    pub candidates: &'a [ResolvedCandidate],
}

impl Probed<'_> {
    /// Some(true) when SMTP works on any of `hosts`, None when none was probed for SMTP.
    fn smtp_works_on_any(&self, hosts: &[&str]) -> Option<bool> {
        self.works_on_any(hosts, Some(Protocol::Smtp))
    }

    /// Some(true) when a probe of `protocol` (any, when `None`) works on any of `hosts`; None
    /// when none was made.
    fn works_on_any(&self, hosts: &[&str], protocol: Option<Protocol>) -> Option<bool> {
        let mut seen = None;
        for (p, j) in self.probes.iter().zip(self.judgements) {
            if protocol.is_none_or(|x| x == p.service.protocol) && hosts.contains(&p.host.as_str())
            {
                let works = j.verdict != Verdict::Fails;
                seen = Some(seen.unwrap_or(false) || works);
            }
        }
        seen
    }
}

pub fn findings(
    authority: &Result<Authority, NotAsked>,
    discovery: &Discovery,
    probed: Probed<'_>,
) -> Vec<Finding> {
    let Ok(a) = authority else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let answered: Vec<(&str, IpAddr, &ZoneView)> = a
        .answered()
        .map(|(s, view)| (s.name.as_str(), s.address, view))
        .collect();
    let silent = a
        .servers
        .iter()
        .filter(|s| matches!(s.outcome, ServerOutcome::Timeout | ServerOutcome::Failed(_)));
    if answered.is_empty() && silent.clone().count() == a.servers.len() && !a.servers.is_empty() {
        // None answered at all: most likely this network, not every server of the zone.
        out.push(Finding::new(Fact::Authority(
            AuthorityFact::AuthoritativeUnreachable {
                zone: a.zone.clone(),
                servers: a.servers.len(),
            },
        )));
        return out;
    }
    for name in &a.no_address {
        out.push(
            Finding::new(Fact::Authority(AuthorityFact::NameserverNoAddress {
                name: name.clone(),
                zone: a.zone.clone(),
            }))
            .at(name, None),
        );
    }
    for s in silent {
        out.push(
            Finding::new(Fact::Authority(AuthorityFact::NameserverUnreachable {
                name: s.name.clone(),
                address: s.address,
            }))
            .at(&s.name, None),
        );
    }
    for s in &a.servers {
        if let ServerOutcome::NotAsked(class) = s.outcome {
            out.push(
                Finding::new(Fact::Authority(AuthorityFact::NameserverSpecialAddress {
                    name: s.name.clone(),
                    address: s.address,
                    class,
                }))
                .at(&s.name, None),
            );
        }
    }
    for s in &a.servers {
        let refused = match s.outcome {
            ServerOutcome::Refused => true,
            ServerOutcome::Lame => false,
            _ => continue,
        };
        out.push(
            Finding::new(Fact::Authority(AuthorityFact::NameserverLame {
                name: s.name.clone(),
                address: s.address,
                zone: a.zone.clone(),
                refused,
            }))
            .at(&s.name, None),
        );
    }
    out.extend(consistency(a, &answered, probed));
    out.extend(propagation(a, &answered, discovery, probed));
    out.extend(address_propagation(a, &answered, discovery, probed));
    out.extend(delegation(a));
    out.extend(one_network(a));
    out
}

fn consistency(
    a: &Authority,
    answered: &[(&str, IpAddr, &ZoneView)],
    probed: Probed<'_>,
) -> Vec<Finding> {
    let Some(best) = a.newest() else {
        return Vec::new();
    };
    let newest_mx = best.mx.exchanges();
    let lagging: Vec<Lagging> = answered
        .iter()
        .filter(|(_, _, v)| v.serial != best.serial || v.mx.set() != best.mx.set())
        .map(|(n, addr, v)| {
            let old: Vec<String> =
                v.mx.exchanges()
                    .into_iter()
                    .filter(|e| !newest_mx.contains(e))
                    .collect();
            let old: Vec<&str> = old.iter().map(String::as_str).collect();
            Lagging {
                name: n.to_string(),
                address: *addr,
                serial: v.serial,
                mx: v.mx.set(),
                old_mx_answers: probed.smtp_works_on_any(&old),
                no_address_for: missing_hosts(best, v),
            }
        })
        .collect();
    if lagging.is_empty() {
        return Vec::new();
    }
    let denied: Vec<&String> = lagging.iter().flat_map(|l| &l.no_address_for).collect();
    let resolver_missing = probed
        .candidates
        .iter()
        .filter(|c| !c.from_source.is_empty() && denied.contains(&&c.candidate.name))
        .map(|c| ProbedFromSource {
            name: c.candidate.name.clone(),
            addresses: c.from_source.clone(),
            works: probed.works_on_any(&[c.candidate.name.as_str()], None),
        })
        .collect();
    vec![Finding::new(Fact::Authority(
        AuthorityFact::AuthoritativeInconsistent {
            zone: a.zone.clone(),
            newest_serial: best.serial,
            newest_mx: best.mx.set().unwrap_or_default(),
            lagging,
            resolver_missing,
        },
    ))]
}

/// Hosts the newest servers give addresses for and `lagging` gives none for.
fn missing_hosts(newest: &ZoneView, lagging: &ZoneView) -> Vec<String> {
    newest
        .hosts
        .iter()
        .filter(|h| !h.addresses.is_empty())
        .filter(|h| {
            lagging
                .hosts
                .iter()
                .any(|l| l.name == h.name && l.addresses.is_empty())
        })
        .map(|h| h.name.clone())
        .collect()
}

fn propagation(
    a: &Authority,
    answered: &[(&str, IpAddr, &ZoneView)],
    discovery: &Discovery,
    probed: Probed<'_>,
) -> Vec<Finding> {
    let Some(best) = a.newest() else {
        return Vec::new();
    };
    let Some(source) = best.mx.set() else {
        return Vec::new();
    };
    let mut resolver: Vec<(u16, String)> = discovery
        .mx
        .iter()
        .filter(|m| !m.is_null())
        .map(|m| (m.preference, m.exchange.clone()))
        .collect();
    resolver.sort();
    // An answer some authoritative server still gives is not a cache waiting to expire: a
    // lagging server (authoritative_inconsistent) is what keeps it alive.
    let still_served = answered
        .iter()
        .any(|(_, _, v)| v.mx.set().as_ref() == Some(&resolver));
    if still_served || discovery.mx_error.is_some() && source.is_empty() {
        return Vec::new();
    }
    let remaining = discovery.mx.iter().map(|m| m.ttl).min().unwrap_or(0);
    let new_hosts: Vec<&str> = source
        .iter()
        .map(|(_, e)| e.as_str())
        .filter(|e| !resolver.iter().any(|(_, r)| r == e))
        .collect();
    let new_mx_works = probed.smtp_works_on_any(&new_hosts);
    vec![Finding::new(Fact::Authority(
        AuthorityFact::PropagationPending {
            resolver_mx: resolver,
            source_mx: source,
            refresh_in: remaining,
            refresh_at: a.asked_at + i64::from(remaining),
            source_ttl: best.mx.ttl(),
            new_mx_works,
        },
    ))]
}

/// Host names whose addresses the resolver holds differently from the newest servers, where no
/// server still serves the resolver's copy (then a lagging server is the cause, not a cache).
fn address_propagation(
    a: &Authority,
    answered: &[(&str, IpAddr, &ZoneView)],
    discovery: &Discovery,
    probed: Probed<'_>,
) -> Vec<Finding> {
    let Some(best) = a.newest() else {
        return Vec::new();
    };
    let resolver = |name: &str| -> Option<&HostAddresses> {
        discovery
            .mx
            .iter()
            .filter(|m| m.exchange == name)
            .find_map(|m| m.addresses.as_ref())
            .or_else(|| {
                probed
                    .candidates
                    .iter()
                    .find(|c| c.candidate.name == name)
                    .map(|c| &c.addresses)
            })
    };
    let mut out = Vec::new();
    for host in best.hosts.iter().filter(|h| !h.addresses.is_empty()) {
        let Some(held) = resolver(&host.name) else {
            continue;
        };
        let mut resolver_set = held.all();
        resolver_set.sort();
        // An empty answer counts only when it is a real "no such name / no address", not a
        // lookup that failed.
        if resolver_set.is_empty() && !held.is_negative() || resolver_set == host.addresses {
            continue;
        }
        let still_served = answered.iter().any(|(_, _, v)| {
            v.hosts
                .iter()
                .any(|h| h.name == host.name && h.addresses == resolver_set)
        });
        if still_served {
            continue;
        }
        out.push(
            Finding::new(Fact::Authority(AuthorityFact::AddressPropagationPending {
                name: host.name.clone(),
                resolver: resolver_set,
                source: host.addresses.clone(),
                refresh_in: held.ttl,
                refresh_at: held.ttl.map(|t| a.asked_at + i64::from(t)),
                source_ttl: host.ttl,
            }))
            .at(&host.name, None),
        );
    }
    out
}

fn delegation(a: &Authority) -> Vec<Finding> {
    let Some(parent) = &a.parent else {
        return Vec::new();
    };
    if a.child_ns.is_empty() {
        // The zone's own NS set is unknown: nothing to compare.
        return Vec::new();
    }
    let mut p = parent.ns.clone();
    let mut c = a.child_ns.clone();
    p.sort();
    c.sort();
    if p == c {
        return Vec::new();
    }
    vec![Finding::new(Fact::Authority(
        AuthorityFact::DelegationMismatch {
            zone: a.zone.clone(),
            parent: p,
            child: c,
        },
    ))]
}

/// Every IPv4 name server address in one /24: one outage or one route takes them all.
fn one_network(a: &Authority) -> Vec<Finding> {
    let mut names: Vec<&str> = a.servers.iter().map(|s| s.name.as_str()).collect();
    names.sort();
    names.dedup();
    let nets: Vec<[u8; 3]> = a
        .servers
        .iter()
        .filter_map(|s| match s.address {
            IpAddr::V4(v4) => {
                let o = v4.octets();
                Some([o[0], o[1], o[2]])
            }
            IpAddr::V6(_) => None,
        })
        .collect();
    let all_v4 = nets.len() == a.servers.len();
    if names.len() < 2 || !all_v4 || nets.windows(2).any(|w| w[0] != w[1]) {
        return Vec::new();
    }
    let [x, y, z] = nets[0];
    vec![Finding::new(Fact::Authority(
        AuthorityFact::NameserversOneNetwork {
            zone: a.zone.clone(),
            network: std::net::Ipv4Addr::new(x, y, z, 0),
        },
    ))]
}
