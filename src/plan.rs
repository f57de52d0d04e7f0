//! The probe plan: which host names to try, on which services, at which addresses.

use std::collections::BTreeMap;
use std::net::IpAddr;

use futures::future::join_all;
use serde::Serialize;

use crate::discovery::Discovery;
use crate::dns::{Dns, HostAddresses};
use crate::input::Target;
use crate::provider::ProviderMatch;
use crate::service::Service;

/// Why a name is a candidate. Order matters: earlier sources make a better recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Given with `--host`.
    User,
    /// An RFC 6186 SRV target: the domain's own statement of where the service is.
    Srv,
    /// The identified provider's published host.
    Provider,
    /// `imap.`, `pop.` or `smtp.` of the domain.
    ProtocolName,
    /// `mail.` of the domain.
    MailName,
    /// A name a certificate was valid for, tried because the planned name did not match it.
    CertificateName,
    /// The domain itself.
    Domain,
    /// An MX exchange.
    Mx,
}

/// A host name to probe, why, and on which services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    pub sources: Vec<Source>,
    pub services: Vec<Service>,
}

impl Candidate {
    pub fn best_source(&self) -> Source {
        self.sources.iter().copied().min().unwrap_or(Source::Mx)
    }
}

/// A candidate with its addresses.
#[derive(Debug, Clone)]
pub struct ResolvedCandidate {
    pub candidate: Candidate,
    pub addresses: HostAddresses,
}

/// One address and service, with every name that resolves there: the TCP outcome is shared,
/// the TLS handshake (SNI, certificate) is per name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeTask {
    pub address: IpAddr,
    pub service: Service,
    pub names: Vec<String>,
}

/// What the user chose to probe.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Services probed on every general candidate.
    pub services: Vec<Service>,
    pub extra_hosts: Vec<String>,
}

/// Collects candidate names with their sources and services, merging duplicates.
pub fn candidates(
    target: &Target,
    discovery: &Discovery,
    provider: Option<&ProviderMatch>,
    options: &PlanOptions,
) -> Vec<Candidate> {
    let mut list: Vec<Candidate> = Vec::new();
    let general = &options.services;
    for host in &options.extra_hosts {
        add(&mut list, host, Source::User, general);
    }
    for srv in discovery.srv.iter().filter(|s| s.offered) {
        let mut services = general.clone();
        services.push(Service::new(srv.port, srv.protocol, srv.security));
        add(&mut list, &srv.target, Source::Srv, &services);
    }
    if let Some(p) = provider {
        for s in p.published() {
            add(
                &mut list,
                &s.host,
                Source::Provider,
                &[Service::new(s.port, s.protocol, s.security)],
            );
        }
    }
    let d = &target.domain;
    for label in ["imap", "pop", "smtp"] {
        add(
            &mut list,
            &d.with_prefix(label),
            Source::ProtocolName,
            general,
        );
    }
    add(&mut list, &d.with_prefix("mail"), Source::MailName, general);
    add(&mut list, &d.ascii, Source::Domain, general);
    for mx in discovery.mx.iter().filter(|m| !m.exchange.is_empty()) {
        add(&mut list, &mx.exchange, Source::Mx, general);
    }
    list
}

fn add(list: &mut Vec<Candidate>, name: &str, source: Source, services: &[Service]) {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name.is_empty() {
        return;
    }
    let entry = match list.iter_mut().position(|c| c.name == name) {
        Some(i) => &mut list[i],
        None => {
            list.push(Candidate {
                name,
                sources: Vec::new(),
                services: Vec::new(),
            });
            let last = list.len() - 1;
            &mut list[last]
        }
    };
    if !entry.sources.contains(&source) {
        entry.sources.push(source);
    }
    for s in services {
        if !entry.services.contains(s) {
            entry.services.push(*s);
        }
    }
}

/// Resolves every candidate; names DNS discovery already resolved are not asked again.
pub async fn resolve(
    dns: &Dns,
    discovery: &Discovery,
    candidates: Vec<Candidate>,
) -> Vec<ResolvedCandidate> {
    let known: BTreeMap<&str, &HostAddresses> = discovery
        .mx
        .iter()
        .filter_map(|m| m.addresses.as_ref().map(|a| (m.exchange.as_str(), a)))
        .chain(std::iter::once((
            discovery.domain_addresses.name.as_str(),
            &discovery.domain_addresses,
        )))
        .collect();
    let lookups = candidates.iter().map(|c| {
        let cached = known.get(c.name.as_str()).map(|a| (*a).clone());
        async move {
            match cached {
                Some(a) => a,
                None => resolve_name(dns, &c.name).await,
            }
        }
    });
    let addresses = join_all(lookups).await;
    candidates
        .into_iter()
        .zip(addresses)
        .map(|(candidate, addresses)| ResolvedCandidate {
            candidate,
            addresses,
        })
        .collect()
}

/// A name that is an IP address literal (e.g. Proton's Bridge on 127.0.0.1) needs no DNS.
async fn resolve_name(dns: &Dns, name: &str) -> HostAddresses {
    match name.parse::<IpAddr>() {
        Ok(ip) => HostAddresses {
            name: name.to_string(),
            ipv4: Ok(if ip.is_ipv4() { vec![ip] } else { vec![] }),
            ipv6: Ok(if ip.is_ipv6() { vec![ip] } else { vec![] }),
            cname_chain: Vec::new(),
        },
        Err(_) => dns.addresses(name).await,
    }
}

/// Groups (name, address, service) triples by address and service, in candidate order.
pub fn tasks(resolved: &[ResolvedCandidate]) -> Vec<ProbeTask> {
    let mut tasks: Vec<ProbeTask> = Vec::new();
    for rc in resolved {
        for address in rc.addresses.all() {
            for service in &rc.candidate.services {
                match tasks
                    .iter_mut()
                    .find(|t| t.address == address && t.service == *service)
                {
                    Some(t) => t.names.push(rc.candidate.name.clone()),
                    None => tasks.push(ProbeTask {
                        address,
                        service: *service,
                        names: vec![rc.candidate.name.clone()],
                    }),
                }
            }
        }
    }
    tasks
}

/// Most names taken from certificates for a second round.
const MAX_CERTIFICATE_CANDIDATES: usize = 4;

/// For each probe whose certificate did not cover the name, the first name the certificate does
/// cover (not a wildcard), to be probed on the same service: the shared web host case.
pub fn certificate_candidates(
    probes: &[crate::probe::ProbeResult],
    existing: &[ResolvedCandidate],
) -> Vec<Candidate> {
    let mut list: Vec<Candidate> = Vec::new();
    for p in probes {
        let Some(tls) = &p.tls else { continue };
        if tls.name_matches != Some(false) {
            continue;
        }
        let Some(cert) = &tls.certificate else {
            continue;
        };
        let alternative = cert.names.iter().find(|n| {
            !n.starts_with("*.")
                && n.parse::<IpAddr>().is_err()
                && n.contains('.')
                && crate::input::parse_domain(n).is_ok()
        });
        let Some(name) = alternative else { continue };
        if existing.iter().any(|c| &c.candidate.name == name) {
            continue;
        }
        if list.len() >= MAX_CERTIFICATE_CANDIDATES && !list.iter().any(|c| &c.name == name) {
            continue;
        }
        add(&mut list, name, Source::CertificateName, &[p.service]);
    }
    list
}
