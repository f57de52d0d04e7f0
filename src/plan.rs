//! The probe plan: which host names to try, on which services, at which addresses.

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::discover::Discovery;
use crate::input::Target;
use crate::net::dns::{Dns, HostAddresses};
use crate::provider::{Identification, Owner};
use crate::service::Service;
use futures::future::join_all;

/// Why a name is a candidate. Order matters: earlier sources make a better recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// Given with `--host`.
    User,
    /// An RFC 6186 SRV target: the domain's own statement of where the service is.
    Srv,
    /// A host an autoconfig file or Autodiscover answer gives mail clients.
    Published,
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
    /// Services an SRV record or the provider announced for this very name.
    pub announced: Vec<Service>,
}

impl Candidate {
    pub fn best_source(&self) -> Source {
        self.sources.iter().copied().min().unwrap_or(Source::Mx)
    }

    /// Why this name is worth using for `service`: an SRV record or the provider speaks only
    /// for the services they announce, not for every port of the host.
    pub fn source_for(&self, service: &Service) -> Source {
        let announcing =
            |s: &&Source| matches!(s, Source::Srv | Source::Published | Source::Provider);
        let general = self
            .sources
            .iter()
            .filter(|s| !announcing(s))
            .copied()
            .min();
        if self.announced.contains(service) {
            let announced = self.sources.iter().filter(announcing).copied().min();
            announced
                .into_iter()
                .chain(general)
                .min()
                .unwrap_or(Source::Mx)
        } else {
            general.unwrap_or(Source::Mx)
        }
    }
}

/// A candidate with its addresses.
#[derive(Debug, Clone)]
pub struct ResolvedCandidate {
    pub candidate: Candidate,
    /// What the resolver gave.
    pub addresses: HostAddresses,
    /// Addresses only the zone's own servers give, for a name the resolver holds as "no such
    /// name" or "no address": probed instead, so that a stale negative answer (a lagging
    /// server's, cached) hides no working host.
    pub from_source: Vec<IpAddr>,
}

impl ResolvedCandidate {
    /// The addresses probed: the resolver's, else those from the source.
    pub fn probed(&self) -> HostAddresses {
        if !self.addresses.all().is_empty() || self.from_source.is_empty() {
            return self.addresses.clone();
        }
        let family = |v4: bool| {
            Ok(self
                .from_source
                .iter()
                .copied()
                .filter(|a| a.is_ipv4() == v4)
                .collect())
        };
        HostAddresses {
            ipv4: family(true),
            ipv6: family(false),
            ..self.addresses.clone()
        }
    }
}

/// The probe stage's unit of work; the plan makes them.
pub use crate::probe::ProbeTask;

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
    identification: &Identification,
    options: &PlanOptions,
) -> Vec<Candidate> {
    let provider = identification.provider.as_ref();
    let mut list: Vec<Candidate> = Vec::new();
    let general = &options.services;
    for host in &options.extra_hosts {
        add(&mut list, host, Source::User, general);
    }
    for srv in discovery.srv.iter().filter(|s| s.offered) {
        let announced = Service::new(srv.port, srv.protocol, srv.security);
        add(&mut list, &srv.target, Source::Srv, general);
        announce(&mut list, &srv.target, announced);
    }
    if let Some(p) = provider {
        for s in p.published() {
            announce(
                &mut list,
                &s.host,
                Service::new(s.port, s.protocol, s.security),
            );
            add(&mut list, &s.host, Source::Provider, &[]);
        }
    }
    let d = &target.domain;
    // Behind a forwarding service or an app-only provider there is no mailbox to guess at.
    let guess = !provider.is_some_and(|p| p.has_no_client_mailbox());
    for label in ["imap", "pop", "smtp"].into_iter().filter(|_| guess) {
        add(
            &mut list,
            &d.with_prefix(label),
            Source::ProtocolName,
            general,
        );
    }
    if guess {
        add(&mut list, &d.with_prefix("mail"), Source::MailName, general);
        add(&mut list, &d.ascii, Source::Domain, general);
    }
    for mx in discovery.mx.iter().filter(|m| !m.is_null()) {
        // A known provider's or gateway's MX hosts are inbound relays, never client endpoints:
        // port 25 (which tells whether this network blocks it) is all worth asking them.
        let relay_only = identification
            .owners
            .iter()
            .any(|(host, owner)| host == &mx.exchange && matches!(owner, Owner::Known { .. }));
        if relay_only {
            let relay: Vec<Service> = general.iter().copied().filter(Service::is_relay).collect();
            if !relay.is_empty() {
                add(&mut list, &mx.exchange, Source::Mx, &relay);
            }
        } else {
            add(&mut list, &mx.exchange, Source::Mx, general);
        }
    }
    list
}

/// Adds `service` to the name's services and marks it as announced for that name.
fn announce(list: &mut Vec<Candidate>, name: &str, service: Service) {
    if let Some(c) = entry(list, name) {
        if !c.services.contains(&service) {
            c.services.push(service);
        }
        if !c.announced.contains(&service) {
            c.announced.push(service);
        }
    }
}

fn add(list: &mut Vec<Candidate>, name: &str, source: Source, services: &[Service]) {
    let Some(c) = entry(list, name) else { return };
    if !c.sources.contains(&source) {
        c.sources.push(source);
    }
    for s in services {
        if !c.services.contains(s) {
            c.services.push(*s);
        }
    }
}

/// The candidate for `name`, created if new; `None` for an empty name.
fn entry<'a>(list: &'a mut Vec<Candidate>, name: &str) -> Option<&'a mut Candidate> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name.is_empty() {
        return None;
    }
    let i = match list.iter().position(|c| c.name == name) {
        Some(i) => i,
        None => {
            list.push(Candidate {
                name,
                sources: Vec::new(),
                services: Vec::new(),
                announced: Vec::new(),
            });
            list.len() - 1
        }
    };
    list.get_mut(i)
}

/// The names whose addresses do not depend on any DNS answer (`--host`, `imap.`, `pop.`,
/// `smtp.`, `mail.`): resolved while discovery runs, not after it.
pub fn early_names(target: &Target, extra_hosts: &[String]) -> Vec<String> {
    let d = &target.domain;
    let mut names: Vec<String> = extra_hosts.to_vec();
    names.extend(["imap", "pop", "smtp", "mail"].map(|p| d.with_prefix(p)));
    names.sort();
    names.dedup();
    names
}

/// Resolves names concurrently (an IP literal needs no DNS).
pub async fn resolve_names(dns: &Dns, names: Vec<String>) -> Vec<HostAddresses> {
    join_all(names.iter().map(|n| resolve_name(dns, n))).await
}

/// Resolves every candidate; names DNS discovery or the early lookups already resolved are not
/// asked again.
pub async fn resolve(
    dns: &Dns,
    discovery: &Discovery,
    early: &[HostAddresses],
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
        .chain(early.iter().map(|a| (a.name.as_str(), a)))
        .collect();
    // A server that did not answer for the domain will not answer for its hosts either:
    // do not spend another timeout finding that out.
    let dead = matches!(
        discovery.mx_error,
        Some(crate::net::dns::LookupError::Timeout)
    );
    let lookups = candidates.iter().map(|c| {
        let cached = known.get(c.name.as_str()).map(|a| (*a).clone());
        async move {
            match cached {
                Some(a) => a,
                None if dead && c.name.parse::<IpAddr>().is_err() => HostAddresses {
                    name: c.name.clone(),
                    ipv4: Err(crate::net::dns::LookupError::Timeout),
                    ipv6: Err(crate::net::dns::LookupError::Timeout),
                    cname_chain: Vec::new(),
                    ttl: None,
                },
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
            from_source: Vec::new(),
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
            ttl: None,
        },
        Err(_) => dns.addresses(name).await,
    }
}

/// Most addresses probed per name and address family: round-robin sets rarely hold more, and
/// a hostile zone's hundreds of addresses must not turn into thousands of probes.
pub const MAX_ADDRESSES_PER_FAMILY: usize = 4;
/// Most probes (name × address × service) in one run, both rounds together.
pub const MAX_PROBES: usize = 256;

/// One address family (`-4`, `-6`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    fn admits(self, ip: &IpAddr) -> bool {
        match self {
            Self::V4 => ip.is_ipv4(),
            Self::V6 => ip.is_ipv6(),
        }
    }
}

/// A cap that cut the plan, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CapHit {
    /// A name had more addresses than [`MAX_ADDRESSES_PER_FAMILY`] per family.
    Addresses {
        name: String,
        total: usize,
        kept: usize,
    },
    /// The plan held more probes than the budget left; the least useful names went first.
    ProbeBudget { planned: usize, kept: usize },
    /// More settings were published than [`MAX_PUBLISHED_SETTINGS`].
    PublishedSettings { total: usize, kept: usize },
    /// `-4`/`-6` left out every address of the round: nothing of it was probed.
    FamilyLeftNothing { ipv6: bool, left_out: usize },
}

/// The tasks of one round and the caps they met.
#[derive(Debug, Clone, Default)]
pub struct Tasks {
    pub tasks: Vec<ProbeTask>,
    pub caps: Vec<CapHit>,
    /// Probes in these tasks (names counted per task).
    pub probes: usize,
}

/// The addresses of a name that are probed: the first few of each family.
pub fn probed_addresses(addresses: &HostAddresses) -> (Vec<IpAddr>, usize) {
    let all = addresses.all();
    let mut kept: Vec<IpAddr> = Vec::new();
    for family_is_v4 in [true, false] {
        kept.extend(
            all.iter()
                .filter(|a| a.is_ipv4() == family_is_v4)
                .take(MAX_ADDRESSES_PER_FAMILY),
        );
    }
    (kept, all.len())
}

/// Groups (name, address, service) triples by address and service, in candidate order (best
/// sources first), within a budget of `budget` probes.
/// The run's one probe budget, shared by every round (the plan, published settings, the
/// certificates' names, the zone's new MX hosts), concurrent rounds included: a run never makes
/// more than [`MAX_PROBES`] probes, whatever its rounds found.
#[derive(Debug)]
pub struct Budget(std::sync::atomic::AtomicUsize);

/// What the first round leaves for the rounds that learn more (published settings, names from
/// certificates, the zone's own new MX hosts).
pub const LATER_ROUNDS_RESERVE: usize = 64;

impl Budget {
    pub fn new(probes: usize) -> Self {
        Self(std::sync::atomic::AtomicUsize::new(probes))
    }

    /// Takes one probe if more than `keep` are left.
    fn take_one(&self, keep: usize) -> bool {
        use std::sync::atomic::Ordering;
        self.0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                (left > keep).then(|| left - 1)
            })
            .is_ok()
    }

    pub fn left(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// The probes of `resolved`, spending `budget` (but leaving `keep` of it for later rounds).
pub fn tasks(
    resolved: &[ResolvedCandidate],
    budget: &Budget,
    keep: usize,
    family: Option<Family>,
) -> Tasks {
    let mut out = Tasks::default();
    let mut index: std::collections::HashMap<(IpAddr, Service), usize> =
        std::collections::HashMap::new();
    let mut planned = 0;
    let mut left_out = 0;
    let mut order: Vec<&ResolvedCandidate> = resolved.iter().collect();
    order.sort_by_key(|rc| rc.candidate.best_source());
    for rc in order {
        let (addresses, total) = probed_addresses(&rc.probed());
        if addresses.len() < total {
            out.caps.push(CapHit::Addresses {
                name: rc.candidate.name.clone(),
                total,
                kept: addresses.len(),
            });
        }
        let kept: Vec<IpAddr> = addresses
            .iter()
            .copied()
            .filter(|a| family.is_none_or(|f| f.admits(a)))
            .collect();
        left_out += addresses.len() - kept.len();
        for address in kept {
            for service in &rc.candidate.services {
                planned += 1;
                if !budget.take_one(keep) {
                    continue;
                }
                out.probes += 1;
                let name = rc.candidate.name.clone();
                match index.get(&(address, *service)) {
                    Some(&i) => out.tasks[i].names.push(name),
                    None => {
                        index.insert((address, *service), out.tasks.len());
                        out.tasks.push(ProbeTask {
                            address,
                            service: *service,
                            names: vec![name],
                        });
                    }
                }
            }
        }
    }
    if let (Some(f), true) = (family, planned == 0 && left_out > 0) {
        out.caps.push(CapHit::FamilyLeftNothing {
            ipv6: f == Family::V6,
            left_out,
        });
    }
    if planned > out.probes {
        out.caps.push(CapHit::ProbeBudget {
            planned,
            kept: out.probes,
        });
    }
    out
}

/// MX hosts the zone's own servers name but the resolver does not: the new host of a change
/// still propagating (the newest servers' MX), and the old host a lagging server still hands
/// to the senders that ask it.
pub fn source_mx_candidates(
    authority: &crate::discover::authority::Authority,
    discovery: &Discovery,
    known: &[ResolvedCandidate],
    services: &[Service],
) -> Vec<Candidate> {
    let newest = authority
        .newest()
        .map(|v| v.mx.exchanges())
        .unwrap_or_default();
    let others = authority.answered().flat_map(|(_, v)| v.mx.exchanges());
    let mut list = Vec::new();
    for exchange in newest.into_iter().chain(others) {
        let in_resolver = discovery.mx.iter().any(|m| m.exchange == exchange);
        let known = known.iter().any(|c| c.candidate.name == exchange);
        if !in_resolver && !known && !exchange.is_empty() {
            add(&mut list, &exchange, Source::Mx, services);
        }
    }
    list
}

/// Gives every name the resolver holds as "no such name" or "no address" the addresses the
/// zone's own servers give for it; the names so given, to be probed.
pub fn addresses_from_source(
    authority: &crate::discover::authority::Authority,
    resolved: &mut [ResolvedCandidate],
) -> Vec<String> {
    let mut given = Vec::new();
    for rc in resolved.iter_mut() {
        if !rc.addresses.is_negative() || !rc.from_source.is_empty() {
            continue;
        }
        rc.from_source = authority.addresses_of(&rc.candidate.name);
        if !rc.from_source.is_empty() {
            given.push(rc.candidate.name.clone());
        }
    }
    given
}

/// Most published (autoconfig, Autodiscover) settings probed beyond the plan.
pub const MAX_PUBLISHED_SETTINGS: usize = 16;

/// Published settings the plan does not already cover, each on exactly the service a client
/// would use (a published plaintext port is probed with STARTTLS, to see whether it is offered).
pub fn published_candidates(
    planned: &[Candidate],
    published: &[crate::published::Setting],
) -> Vec<Candidate> {
    let mut list = Vec::new();
    for s in published.iter().take(MAX_PUBLISHED_SETTINGS) {
        let service = s.probe_service();
        let covered = planned.iter().any(|c| {
            c.name == s.host
                && c.services
                    .iter()
                    .any(|x| x.port == service.port && x.protocol == service.protocol)
        });
        if !covered {
            add(&mut list, &s.host, Source::Published, &[]);
            announce(&mut list, &s.host, service);
        }
    }
    list
}

/// Most names taken from certificates for a second round.
const MAX_CERTIFICATE_CANDIDATES: usize = 4;

/// For each probe whose certificate did not cover the name, the first name the certificate does
/// cover (not a wildcard), to be probed on the same service: the shared web host case.
pub fn certificate_candidates(
    probes: &[crate::probe::ProbeResult],
    existing: &[ResolvedCandidate],
    identification: &Identification,
) -> Vec<Candidate> {
    let mut list: Vec<Candidate> = Vec::new();
    // A provider's own host with a foreign certificate is interception, not a hint.
    for p in probes
        .iter()
        .filter(|p| !identification.is_providers_own_host(&p.host))
    {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::{MxHost, MxStatus};
    use crate::input::parse_target;
    use crate::service::STANDARD_SERVICES;

    fn discovery(mx: &[&str]) -> Discovery {
        Discovery {
            mx_status: MxStatus::Ok,
            mx: mx
                .iter()
                .map(|e| MxHost {
                    preference: 10,
                    exchange: e.to_string(),
                    ttl: 300,
                    addresses: None,
                })
                .collect(),
            mx_error: None,
            mx_total: mx.len(),
            domain_addresses: HostAddresses {
                name: "example.com".into(),
                ipv4: Ok(vec![]),
                ipv6: Ok(vec![]),
                cname_chain: vec![],
                ttl: None,
            },
            srv: vec![],
            srv_errors: vec![],
            srv_truncated: vec![],
        }
    }

    #[test]
    fn a_providers_mx_hosts_are_asked_port_25_only_and_its_hosts_their_services() {
        let target = parse_target("a@example.com").unwrap();
        let d = discovery(&["aspmx.l.google.com", "mail.example.com"]);
        let id = crate::provider::identify(&target.domain, &d);
        let options = PlanOptions {
            services: STANDARD_SERVICES.to_vec(),
            extra_hosts: vec!["extra.example.net".into()],
        };
        let list = candidates(&target, &d, &id, &options);
        let find = |n: &str| list.iter().find(|c| c.name == n).unwrap();
        let google_mx = find("aspmx.l.google.com");
        assert_eq!(
            google_mx
                .services
                .iter()
                .map(|s| s.port)
                .collect::<Vec<_>>(),
            vec![25]
        );
        // The domain's own MX host may be the mail server: every service.
        assert_eq!(find("mail.example.com").services.len(), 7);
        let imap = find("imap.gmail.com");
        assert_eq!(imap.sources, vec![Source::Provider]);
        assert_eq!(imap.source_for(&imap.services[0]), Source::Provider);
        assert_eq!(list[0].name, "extra.example.net");
        for name in [
            "imap.example.com",
            "pop.example.com",
            "smtp.example.com",
            "example.com",
        ] {
            assert!(list.iter().any(|c| c.name == name), "{name}");
        }
    }

    fn many(prefix: &str, names: usize) -> Vec<ResolvedCandidate> {
        (0..names)
            .map(|i| ResolvedCandidate {
                candidate: Candidate {
                    name: format!("{prefix}{i}.ok.test"),
                    sources: vec![Source::Mx],
                    services: crate::service::STANDARD_SERVICES.to_vec(),
                    announced: Vec::new(),
                },
                addresses: HostAddresses {
                    name: format!("{prefix}{i}.ok.test"),
                    ipv4: Ok((0..4).map(|a| IpAddr::from([10, i as u8, 0, a])).collect()),
                    ipv6: Ok(Vec::new()),
                    cname_chain: Vec::new(),
                    ttl: None,
                },
                from_source: Vec::new(),
            })
            .collect()
    }

    #[test]
    fn every_round_draws_on_one_budget_and_says_when_it_ran_out() {
        let budget = Budget::new(MAX_PROBES);
        let first = tasks(&many("mx", 16), &budget, LATER_ROUNDS_RESERVE, None);
        assert_eq!(first.probes, MAX_PROBES - LATER_ROUNDS_RESERVE);
        let published = tasks(&many("pub", 4), &budget, 0, None);
        let source = tasks(&many("new", 4), &budget, 0, None);
        assert_eq!(first.probes + published.probes + source.probes, MAX_PROBES);
        assert_eq!(budget.left(), 0);
        for round in [&first, &source] {
            assert!(round
                .caps
                .iter()
                .any(|c| matches!(c, CapHit::ProbeBudget { .. })));
        }
    }
}
