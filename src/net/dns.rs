//! DNS queries. The only file that imports hickory: its error API changes with every minor
//! version, so everything it returns is turned into our own types here.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::{BoxFuture, FutureExt, Shared};
use tokio::sync::Semaphore;

use crate::text::clean_name;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use hickory_resolver::TokioResolver;

/// Why a query gave no answer. NXDOMAIN and "no records" are answers; the rest are failures of
/// DNS itself and must never be read as "this domain has no mail".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// The name does not exist (NXDOMAIN).
    NxDomain,
    /// The name exists but has no record of this type (NODATA).
    NoRecords,
    ServFail,
    Refused,
    Timeout,
    /// No DNS server could be reached at all (no network, or none configured that answers).
    NoServer,
    /// Nothing listens for DNS where the servers are (connection refused on every one).
    ServerRefused,
    /// Any other failure, with what the resolver said.
    Other(String),
}

impl LookupError {
    /// True for answers that say "nothing here" rather than "DNS is broken".
    pub fn is_negative_answer(&self) -> bool {
        matches!(self, Self::NxDomain | Self::NoRecords)
    }
}

/// `4.3.2.1.in-addr.arpa` for 1.2.3.4; nibbles reversed under `ip6.arpa` for IPv6.
pub fn reverse_name(address: std::net::IpAddr) -> String {
    match address {
        std::net::IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            format!("{d}.{c}.{b}.{a}.in-addr.arpa")
        }
        std::net::IpAddr::V6(v6) => {
            let mut labels: Vec<String> = Vec::with_capacity(33);
            for byte in v6.octets().iter().rev() {
                labels.push(format!("{:x}", byte & 0x0f));
                labels.push(format!("{:x}", byte >> 4));
            }
            labels.push("ip6.arpa".into());
            labels.join(".")
        }
    }
}

/// Whether a DNS server answers at all, found with one query of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Answers,
    /// Connection refused: nothing listens on that address and port.
    Refused,
    /// No answer in the time given.
    Silent,
}

/// Where queries go and how long each may take.
#[derive(Debug, Clone)]
pub struct DnsSettings {
    /// Nameservers to use; empty means the system configuration.
    pub servers: Vec<SocketAddr>,
    pub timeout: Duration,
}

/// One MX record as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxAnswer {
    pub preference: u16,
    /// Exchange without the trailing dot; empty for the null MX target ".".
    pub exchange: String,
    pub ttl: u32,
}

impl MxAnswer {
    pub fn is_null(&self) -> bool {
        self.exchange.is_empty()
    }
}

/// One SRV record as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrvAnswer {
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
    /// Target without the trailing dot; empty for "." (service not offered).
    pub target: String,
    pub ttl: u32,
}

/// The addresses of one host name, each family kept apart so that a failure of one record
/// type is visible next to a success of the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostAddresses {
    pub name: String,
    pub ipv4: Result<Vec<IpAddr>, LookupError>,
    pub ipv6: Result<Vec<IpAddr>, LookupError>,
    /// CNAME targets met on the way, first hop first.
    pub cname_chain: Vec<String>,
    /// The smallest TTL of the address records: when the resolver's copy expires.
    pub ttl: Option<u32>,
}

impl HostAddresses {
    /// No address, and that is the answer ("no such name" or "no address records"), not a
    /// lookup that failed.
    pub fn is_negative(&self) -> bool {
        self.all().is_empty()
            && [&self.ipv4, &self.ipv6].iter().all(|r| {
                matches!(
                    r,
                    Ok(_) | Err(LookupError::NxDomain | LookupError::NoRecords)
                )
            })
    }

    pub fn all(&self) -> Vec<IpAddr> {
        let mut out = Vec::new();
        for addrs in [&self.ipv4, &self.ipv6].into_iter().flatten() {
            for a in addrs {
                // A mapped AAAA duplicates an A record: one host, one address.
                if !out.contains(a) {
                    out.push(*a);
                }
            }
        }
        out
    }

    /// The failure to report when the name has no address at all.
    pub fn failure(&self) -> Option<LookupError> {
        if !self.all().is_empty() {
            return None;
        }
        let errors = [&self.ipv4, &self.ipv6].map(|r| r.as_ref().err().cloned());
        // A real DNS failure says more than a negative answer for the other family.
        errors
            .iter()
            .flatten()
            .find(|e| !e.is_negative_answer())
            .or_else(|| {
                errors
                    .iter()
                    .flatten()
                    .find(|e| **e == LookupError::NxDomain)
            })
            .cloned()
            .or(Some(LookupError::NoRecords))
    }

    /// A family whose query failed (not merely empty) while the other gave addresses.
    pub fn family_failures(&self) -> Vec<(&'static str, LookupError)> {
        let mut out = Vec::new();
        for (family, result) in [("A", &self.ipv4), ("AAAA", &self.ipv6)] {
            if let Err(e) = result {
                if !e.is_negative_answer() {
                    out.push((family, e.clone()));
                }
            }
        }
        out
    }
}

/// Most queries in flight to the user's resolvers at once (across a fleet too). Home and
/// office resolvers refuse or drop beyond a limit of their own (dnsmasq: 150 by default); a
/// refused or dropped query would read as "this domain's record is missing".
pub const MAX_QUERIES_IN_FLIGHT: usize = 48;
/// The floor the in-flight limit adapts down to when the resolver refuses or drops queries.
const MIN_QUERIES_IN_FLIGHT: usize = 8;
/// The longest name DNS can carry, without the final dot (RFC 1035 3.1: 255 octets on the wire).
const MAX_NAME_OCTETS: usize = 253;

type Answer = Result<Vec<(u32, RData)>, LookupError>;
/// A query in flight that others asking the same may join.
type InFlight = Shared<BoxFuture<'static, Answer>>;

/// A resolver with our settings and our error types.
#[derive(Clone)]
pub struct Dns {
    resolver: TokioResolver,
    timeout: Duration,
    servers: Vec<SocketAddr>,
    discipline: Arc<Discipline>,
}

/// How queries are spent: a bounded number in flight, adapting down when the resolver shows
/// overload, and identical questions asked once while one is in flight.
struct Discipline {
    in_flight: Semaphore,
    limit: AtomicUsize,
    pending: Mutex<HashMap<(String, RecordType), InFlight>>,
    /// Set once every server refused the connection: each query then ends at once, instead of
    /// waiting for the resolver library's own give-up.
    all_refused: tokio::sync::watch::Sender<bool>,
}

impl Discipline {
    fn new() -> Self {
        Self {
            in_flight: Semaphore::new(MAX_QUERIES_IN_FLIGHT),
            limit: AtomicUsize::new(MAX_QUERIES_IN_FLIGHT),
            pending: Mutex::new(HashMap::new()),
            all_refused: tokio::sync::watch::Sender::new(false),
        }
    }

    /// The resolver refused or dropped a query: one slot fewer from now on, to the floor.
    fn back_off(&self) {
        let lowered = self
            .limit
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n > MIN_QUERIES_IN_FLIGHT).then_some(n - 1)
            })
            .is_ok();
        if lowered {
            self.in_flight.forget_permits(1);
        }
    }
}

/// Building the resolver failed (e.g. an unreadable /etc/resolv.conf).
#[derive(Debug, thiserror::Error)]
#[error("cannot set up DNS: {0}")]
pub struct DnsSetupError(String);

impl Dns {
    pub fn new(settings: &DnsSettings) -> Result<Self, DnsSetupError> {
        let provider = TokioRuntimeProvider::default();
        let mut servers = settings.servers.clone();
        let mut builder = if settings.servers.is_empty() {
            let (config, options) = hickory_resolver::system_conf::read_system_conf().map_err(|e| {
                DnsSetupError(format!(
                    "cannot read the system's resolver configuration (/etc/resolv.conf): {}; name a server with --dns",
                    clean_name(&e.to_string())
                ))
            })?;
            servers = config
                .name_servers()
                .iter()
                .map(|ns| {
                    let port = ns.connections.first().map_or(53, |c| c.port);
                    SocketAddr::new(ns.ip, port)
                })
                .collect();
            if servers.is_empty() {
                return Err(DnsSetupError(
                    "the system's resolver configuration names no DNS server; name one with --dns"
                        .into(),
                ));
            }
            let mut b = TokioResolver::builder_with_config(config, provider);
            *b.options_mut() = options;
            b
        } else {
            let servers = settings.servers.iter().map(name_server).collect();
            let mut b = TokioResolver::builder_with_config(
                ResolverConfig::from_name_servers(servers),
                provider,
            );
            // The user named the servers to ask: /etc/hosts must not answer instead.
            b.options_mut().use_hosts_file = ResolveHosts::Never;
            b
        };
        tune(builder.options_mut(), settings.timeout);
        let resolver = builder.build().map_err(|e| DnsSetupError(e.to_string()))?;
        Ok(Self {
            resolver,
            timeout: settings.timeout,
            servers,
            discipline: Arc::new(Discipline::new()),
        })
    }

    /// The DNS servers asked: `--dns`, or the system's.
    pub fn servers(&self) -> &[SocketAddr] {
        &self.servers
    }

    /// Asks every server once whether it answers at all (a refusal is seen at once); when all
    /// refuse, every query of this run, in flight or to come, ends as `ServerRefused`.
    pub async fn check_reach(&self, wait: Duration) -> Vec<(SocketAddr, Reach)> {
        let reach = futures::future::join_all(
            self.servers
                .iter()
                .map(|s| async move { (*s, super::authority::reach(*s, wait).await) }),
        )
        .await;
        if !reach.is_empty() && reach.iter().all(|(_, r)| *r == Reach::Refused) {
            self.discipline.all_refused.send_replace(true);
        }
        reach
    }

    /// The resolver itself, for libraries that resolve on their own (SPF evaluation).
    pub fn resolver(&self) -> &TokioResolver {
        &self.resolver
    }

    /// The TXT records of a name, each one's strings joined, with the resolver's deadline.
    pub async fn txt(&self, name: &str) -> Result<Vec<Vec<u8>>, LookupError> {
        let records = self.query(name, RecordType::TXT).await?;
        Ok(records
            .into_iter()
            .filter_map(|(_, data)| match data {
                RData::TXT(t) => Some(t.txt_data.iter().flat_map(|s| s.iter().copied()).collect()),
                _ => None,
            })
            .collect())
    }

    /// The IPv4 addresses (A records) of a name, nothing else: DNS blocklists answer in A.
    pub async fn ipv4(&self, name: &str) -> Result<Vec<std::net::Ipv4Addr>, LookupError> {
        let records = self.query(name, RecordType::A).await?;
        Ok(records
            .into_iter()
            .filter_map(|(_, data)| match data {
                RData::A(a) => Some(a.0),
                _ => None,
            })
            .collect())
    }

    pub async fn mx(&self, domain: &str) -> Result<Vec<MxAnswer>, LookupError> {
        let records = self.query(domain, RecordType::MX).await?;
        Ok(records
            .into_iter()
            .filter_map(|(ttl, data)| match data {
                RData::MX(mx) => Some(MxAnswer {
                    preference: mx.preference,
                    exchange: name_text(&mx.exchange),
                    ttl,
                }),
                _ => None,
            })
            .collect())
    }

    /// The PTR names of an address (its `in-addr.arpa` / `ip6.arpa` name), asked of the
    /// first resolver directly, as `dig -x` does: the resolver library answers loopback
    /// addresses itself (RFC 6761), which would hide what the resolver holds.
    pub async fn ptr(&self, address: std::net::IpAddr) -> Result<Vec<String>, LookupError> {
        use super::authority::{ask_resolver, Ask, AskError, Data, Rcode};
        let server = *self.servers.first().ok_or(LookupError::NoServer)?;
        let response = ask_resolver(server, &reverse_name(address), Ask::Ptr, self.timeout)
            .await
            .map_err(|e| match e {
                AskError::Timeout => LookupError::Timeout,
                AskError::Failed(why) => LookupError::Other(why),
            })?;
        match response.rcode {
            Rcode::NoError => {}
            Rcode::NxDomain => return Err(LookupError::NxDomain),
            Rcode::ServFail => return Err(LookupError::ServFail),
            Rcode::Refused => return Err(LookupError::Refused),
            Rcode::Other(code) => return Err(LookupError::Other(format!("rcode {code}"))),
        }
        let names: Vec<String> = response
            .answers
            .into_iter()
            .filter_map(|rr| match rr.data {
                Data::Ptr(name) => Some(name),
                _ => None,
            })
            .collect();
        if names.is_empty() {
            Err(LookupError::NoRecords)
        } else {
            Ok(names)
        }
    }

    pub async fn srv(&self, name: &str) -> Result<Vec<SrvAnswer>, LookupError> {
        let records = self.query(name, RecordType::SRV).await?;
        Ok(records
            .into_iter()
            .filter_map(|(ttl, data)| match data {
                RData::SRV(srv) => Some(SrvAnswer {
                    priority: srv.priority,
                    weight: srv.weight,
                    port: srv.port,
                    target: name_text(&srv.target),
                    ttl,
                }),
                _ => None,
            })
            .collect())
    }

    /// The zone `name` belongs to (its apex), from the SOA the resolver finds: in the answer
    /// when `name` is the apex, in the authority section of a negative answer otherwise.
    /// Only an SOA owned by the name or one of its ancestors is its zone: a server's SOA of
    /// some other zone would blame that zone's servers.
    pub async fn zone_of(&self, name: &str) -> Result<String, LookupError> {
        let fqdn = fqdn(name)?;
        let deadline = self.timeout + Duration::from_millis(250);
        let _slot = self.discipline.in_flight.acquire().await;
        let lookup = tokio::time::timeout(
            deadline,
            self.resolver.lookup(fqdn.clone(), RecordType::SOA),
        )
        .await
        .map_err(|_| LookupError::Timeout)?;
        let owner = match lookup {
            Ok(found) => found
                .answers()
                .iter()
                .find(|r| r.record_type() == RecordType::SOA)
                .map(|r| r.name.clone())
                .ok_or(LookupError::NoRecords)?,
            Err(NetError::Dns(DnsError::NoRecordsFound(nr))) if nr.soa.is_some() => nr
                .soa
                .map(|s| s.name.clone())
                .ok_or(LookupError::NoRecords)?,
            Err(e) => return Err(classify(e)),
        };
        if owner.zone_of(&fqdn) {
            Ok(name_text(&owner))
        } else {
            Err(LookupError::NoRecords)
        }
    }

    /// The CNAME target of a name, when it is an alias.
    pub async fn cname(&self, name: &str) -> Result<String, LookupError> {
        let records = self.query(name, RecordType::CNAME).await?;
        records
            .into_iter()
            .find_map(|(_, data)| match data {
                RData::CNAME(c) => Some(name_text(&c.0)),
                _ => None,
            })
            .ok_or(LookupError::NoRecords)
    }

    /// The NS names of a zone, with their TTL.
    pub async fn ns(&self, zone: &str) -> Result<Vec<(String, u32)>, LookupError> {
        let records = self.query(zone, RecordType::NS).await?;
        Ok(records
            .into_iter()
            .filter_map(|(ttl, data)| match data {
                RData::NS(ns) => Some((name_text(&ns.0), ttl)),
                _ => None,
            })
            .collect())
    }

    /// A and AAAA for a host, queried in parallel, with any CNAME hops.
    pub async fn addresses(&self, name: &str) -> HostAddresses {
        let (v4, v6) = tokio::join!(
            self.query(name, RecordType::A),
            self.query(name, RecordType::AAAA)
        );
        let mut cname_chain = Vec::new();
        let mut ttl: Option<u32> = None;
        let mut collect = |result: Result<Vec<(u32, RData)>, LookupError>| {
            result.map(|records| {
                let mut addrs = Vec::new();
                for (record_ttl, data) in records {
                    if matches!(data, RData::A(_) | RData::AAAA(_)) {
                        ttl = Some(ttl.map_or(record_ttl, |t: u32| t.min(record_ttl)));
                    }
                    match data {
                        RData::A(a) => addrs.push(IpAddr::V4(a.0)),
                        // An IPv4-mapped AAAA is the IPv4 host it names, not another one.
                        RData::AAAA(a) => addrs.push(super::address::canonical(IpAddr::V6(a.0))),
                        RData::CNAME(c) => {
                            let target = name_text(&c.0);
                            if !cname_chain.contains(&target) {
                                cname_chain.push(target);
                            }
                        }
                        _ => {}
                    }
                }
                addrs.sort();
                addrs.dedup();
                addrs
            })
        };
        let ipv4 = collect(v4);
        let ipv6 = collect(v6);
        HostAddresses {
            name: name.to_string(),
            ipv4,
            ipv6,
            cname_chain,
            ttl,
        }
    }

    /// One query under the run's discipline: a name DNS cannot carry (a record name derived
    /// from a long domain) has no records rather than a failure; an identical query already in
    /// flight is joined, not repeated.
    async fn query(&self, name: &str, record_type: RecordType) -> Answer {
        let name = name.trim_end_matches('.');
        if name.len() > MAX_NAME_OCTETS {
            return Err(LookupError::NoRecords);
        }
        let key = (name.to_ascii_lowercase(), record_type);
        let shared = {
            let Ok(mut pending) = self.discipline.pending.lock() else {
                return self.clone().ask(key.0, record_type).await;
            };
            pending
                .entry(key.clone())
                .or_insert_with(|| {
                    self.clone()
                        .ask(key.0.clone(), record_type)
                        .boxed()
                        .shared()
                })
                .clone()
        };
        let answer = shared.await;
        if let Ok(mut pending) = self.discipline.pending.lock() {
            pending.remove(&key);
        }
        answer
    }

    /// Asks once more, after a pause, when the resolver refused: an overloaded resolver
    /// refuses what it would answer a moment later. Each refusal lowers the in-flight limit.
    async fn ask(self, name: String, record_type: RecordType) -> Answer {
        let first = self.ask_once(&name, record_type).await;
        if !matches!(first, Err(LookupError::Refused)) {
            return first;
        }
        self.discipline.back_off();
        tokio::time::sleep(Duration::from_millis(150)).await;
        self.ask_once(&name, record_type).await
    }

    /// One query with a hard deadline on top of the resolver's own, returning (ttl, data) pairs.
    async fn ask_once(&self, name: &str, record_type: RecordType) -> Answer {
        let fqdn = fqdn(name)?;
        let deadline = self.timeout + Duration::from_millis(250);
        let mut refused = self.discipline.all_refused.subscribe();
        let lookup = async {
            let _slot = self.discipline.in_flight.acquire().await;
            tokio::time::timeout(deadline, self.resolver.lookup(fqdn.clone(), record_type)).await
        };
        let lookup = tokio::select! {
            found = lookup => found,
            _ = refused.wait_for(|r| *r) => return Err(LookupError::ServerRefused),
        };
        let lookup = match lookup {
            Err(_) | Ok(Err(NetError::Timeout)) => {
                self.discipline.back_off();
                return Err(LookupError::Timeout);
            }
            Ok(found) => found.map_err(classify)?,
        };
        let records = owned_by(&fqdn, lookup.answers());
        // An answer made only of CNAMEs (a chain that ends nowhere) holds no records of the type.
        if !records.iter().any(|(_, d)| d.record_type() == record_type) {
            return Err(LookupError::NoRecords);
        }
        Ok(records)
    }
}

fn fqdn(name: &str) -> Result<Name, LookupError> {
    Name::from_ascii(format!("{}.", name.trim_end_matches('.')))
        .map_err(|e| LookupError::Other(clean_name(&format!("bad name: {e}"))))
}

/// A name server asked over UDP and TCP on its own port (tests run theirs off port 53).
pub(crate) fn name_server(addr: &SocketAddr) -> NameServerConfig {
    let mut udp = ConnectionConfig::udp();
    udp.port = addr.port();
    let mut tcp = ConnectionConfig::tcp();
    tcp.port = addr.port();
    let mut config = NameServerConfig::udp_and_tcp(addr.ip());
    config.connections = vec![udp, tcp];
    config
}

fn tune(opts: &mut ResolverOpts, timeout: Duration) {
    opts.timeout = timeout;
    // One try: SERVFAIL and timeouts are retried by default and could take three timeouts.
    opts.attempts = 0;
    // Names are queried fully qualified; search domains must not turn a failure into a hit.
    opts.ndots = 0;
    opts.preserve_intermediates = true;
    // A SERVFAIL must stay a SERVFAIL, not turn into a TCP connection error.
    opts.try_tcp_on_error = false;
    // Answers are cached for the run (within their TTL); a fleet of many domains must not
    // grow memory with its size: 2,048 answers is ample for the names shared between domains.
    opts.cache_size = 2_048;
}

/// Maps hickory's error to ours. NXDOMAIN and NODATA share a variant: the response code tells.
fn classify(err: NetError) -> LookupError {
    match err {
        NetError::Dns(DnsError::NoRecordsFound(no)) => match no.response_code {
            ResponseCode::NXDomain => LookupError::NxDomain,
            ResponseCode::NoError => LookupError::NoRecords,
            ResponseCode::ServFail => LookupError::ServFail,
            ResponseCode::Refused => LookupError::Refused,
            other => LookupError::Other(format!("response code {other}")),
        },
        NetError::Dns(DnsError::ResponseCode(code)) => match code {
            ResponseCode::ServFail => LookupError::ServFail,
            ResponseCode::Refused => LookupError::Refused,
            ResponseCode::NXDomain => LookupError::NxDomain,
            other => LookupError::Other(format!("response code {other}")),
        },
        NetError::Timeout => LookupError::Timeout,
        NetError::NoConnections => LookupError::NoServer,
        other => LookupError::Other(clean_name(&other.to_string())),
    }
}

/// The answer records that belong to `name`: its own, and those of the CNAME chain that starts
/// at it. A record for any other owner (a hostile or broken server's extra) is dropped.
fn owned_by(name: &Name, answers: &[Record]) -> Vec<(u32, RData)> {
    let mut owners = vec![name.to_lowercase()];
    // Follow the chain in as many rounds as it has links, whatever order the records come in.
    for _ in 0..answers.len() {
        let next = answers.iter().find_map(|r| match &r.data {
            RData::CNAME(c) if owners.contains(&r.name.to_lowercase()) => {
                Some(c.0.to_lowercase()).filter(|t| !owners.contains(t))
            }
            _ => None,
        });
        match next {
            Some(target) => owners.push(target),
            None => break,
        }
    }
    answers
        .iter()
        .filter(|r| owners.contains(&r.name.to_lowercase()))
        .map(|r| (r.ttl, r.data.clone()))
        .collect()
}

/// A name in presentation form without the trailing dot; "." becomes "".
fn name_text(name: &Name) -> String {
    if name.is_root() {
        return String::new();
    }
    clean_name(name.to_ascii().trim_end_matches('.')).to_ascii_lowercase()
}
