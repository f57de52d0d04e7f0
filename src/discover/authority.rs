//! DNS from the source: the zone a domain lives in, its name servers as the parent delegates
//! them and as the zone publishes them, and what each of those servers answers itself
//! (recursion not desired, every address on its own, all at once). Evidence only: the
//! comparison with the resolver's answer is the judgement's.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use futures::future::join_all;

use crate::net::authority::{ask, Ask, AskError, Data, Rcode, Response};
use crate::net::dns::{Dns, LookupError};
use crate::net::gate::{Closed, Gate, Permits};

/// Most name server names asked, and addresses per name and family.
pub const MAX_NAME_SERVERS: usize = 8;
const MAX_ADDRESSES_PER_FAMILY: usize = 2;
/// Most in-zone host names (MX hosts first, then the probed names) whose addresses are asked
/// of every server.
const MAX_HOSTS: usize = 8;

/// How to reach the authoritative servers.
#[derive(Debug, Clone, Copy)]
pub struct AuthoritySettings<'a> {
    /// Every name server address passes it: special-purpose ones are never asked.
    pub gate: &'a Gate,
    pub timeout: Duration,
    /// The port name servers listen on (53; tests run theirs elsewhere).
    pub port: u16,
}

/// Everything asked of the zone's own servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    /// The zone apex the domain belongs to.
    pub zone: String,
    /// The NS set as the parent zone delegates it, when a parent server answered.
    pub parent: Option<Delegation>,
    /// The NS set as the resolver returns it (the zone's own NS records).
    pub child_ns: Vec<String>,
    /// Every name server address asked, and what it said.
    pub servers: Vec<ServerAnswers>,
    /// Name servers with no address at all (no glue, no A/AAAA): nobody can ask them.
    pub no_address: Vec<String>,
    /// When the servers were asked (Unix seconds).
    pub asked_at: i64,
}

impl Authority {
    /// Every server that answered for the zone, with what it serves.
    pub fn answered(&self) -> impl Iterator<Item = (&ServerAnswers, &ZoneView)> {
        self.servers.iter().filter_map(|s| match &s.outcome {
            ServerOutcome::Answered(view) => Some((s, view)),
            _ => None,
        })
    }

    /// The zone as the servers with the newest serial serve it.
    pub fn newest(&self) -> Option<&ZoneView> {
        self.answered().map(|(_, v)| v).max_by_key(|v| v.serial)
    }

    /// The addresses the zone's own servers give for `name`: the newest servers' when they
    /// have any, else any other server's (the old MX host only a lagging server still names).
    pub fn addresses_of(&self, name: &str) -> Vec<IpAddr> {
        let of = |v: &ZoneView| -> Vec<IpAddr> {
            v.hosts
                .iter()
                .find(|h| h.name == name)
                .map(|h| h.addresses.clone())
                .unwrap_or_default()
        };
        let newest = self.newest().map(of).unwrap_or_default();
        if !newest.is_empty() {
            return newest;
        }
        self.answered()
            .map(|(_, v)| of(v))
            .find(|a| !a.is_empty())
            .unwrap_or_default()
    }
}

/// Addresses a parent gave with a delegation, by name server name.
pub type Glue = Vec<(String, IpAddr)>;

/// The delegation as a parent server gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    pub parent_zone: String,
    pub ns: Vec<String>,
    /// Addresses the parent gave with the delegation (glue), by name.
    pub glue: Glue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerAnswers {
    pub name: String,
    pub address: IpAddr,
    pub outcome: ServerOutcome,
}

/// What one name server address answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerOutcome {
    /// An authoritative answer for the zone.
    Answered(ZoneView),
    /// It refused to answer for the zone.
    Refused,
    /// It answered, but not with authority for the zone: a lame delegation.
    Lame,
    /// No answer within the timeout.
    Timeout,
    /// Any other failure, in the library's words.
    Failed(String),
    /// Not asked: its address is special-purpose (the run's gate refused it).
    NotAsked(crate::net::address::AddressClass),
}

/// The zone as one authoritative server serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneView {
    pub serial: Option<u32>,
    pub mx: MxView,
    /// Addresses of the in-zone MX hosts and probed names, as this server serves them.
    pub hosts: Vec<HostView>,
}

/// One host name's addresses as one authoritative server serves them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostView {
    pub name: String,
    /// Sorted; empty when the server has none (or did not answer).
    pub addresses: Vec<IpAddr>,
    /// The smallest TTL of those records.
    pub ttl: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MxView {
    /// (preference, exchange, TTL); sorted.
    Records(Vec<(u16, String, u32)>),
    /// The name exists but has no MX.
    NoRecords,
    NxDomain,
    /// The server did not say (error or no answer to this question).
    Unknown,
}

impl MxView {
    /// The set of (preference, exchange) pairs, for comparisons.
    pub fn set(&self) -> Option<Vec<(u16, String)>> {
        match self {
            Self::Records(r) => Some(r.iter().map(|(p, e, _)| (*p, e.clone())).collect()),
            Self::NoRecords | Self::NxDomain => Some(Vec::new()),
            Self::Unknown => None,
        }
    }

    pub fn ttl(&self) -> Option<u32> {
        match self {
            Self::Records(r) => r.iter().map(|(_, _, t)| *t).min(),
            _ => None,
        }
    }

    /// The exchanges named, most preferred first.
    pub fn exchanges(&self) -> Vec<String> {
        match self {
            Self::Records(r) => r.iter().map(|(_, e, _)| e.clone()).collect(),
            _ => Vec::new(),
        }
    }
}

/// Why the authoritative servers were not asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAsked {
    /// `--no-authoritative`.
    Disabled,
    /// The resolver did not say which zone the domain is in.
    NoZone(LookupError),
    /// The zone's NS set could not be found.
    NoNameServers(LookupError),
}

/// Finds the zone and its servers and asks each of them directly: the SOA, the domain's MX
/// and the addresses of the in-zone MX hosts and of `names` (the names mailprobe probes).
pub async fn ask_the_source(
    dns: &Dns,
    domain: &str,
    probed: &[String],
    settings: AuthoritySettings<'_>,
) -> Result<Authority, NotAsked> {
    let zone = dns.zone_of(domain).await.map_err(NotAsked::NoZone)?;
    let (child, parent) = tokio::join!(dns.ns(&zone), delegation(dns, &zone, settings));
    // A resolver that cannot get the zone's own NS set (lame servers confuse some) still
    // leaves the parent's delegation to ask.
    let child_ns: Vec<String> = match child {
        Ok(ns) => {
            let mut names: Vec<String> = ns.into_iter().map(|(n, _)| n).collect();
            names.sort();
            names.dedup();
            names
        }
        Err(e) if parent.is_none() => return Err(NotAsked::NoNameServers(e)),
        Err(_) => Vec::new(),
    };
    let mut names: Vec<String> = child_ns.clone();
    for n in parent.iter().flat_map(|p| &p.ns) {
        if !names.contains(n) {
            names.push(n.clone());
        }
    }
    names.truncate(MAX_NAME_SERVERS);
    let glue: Vec<(String, IpAddr)> = parent.iter().flat_map(|p| p.glue.clone()).collect();
    let addresses = join_all(names.iter().map(|n| addresses_of(dns, n, &glue))).await;
    let no_address: Vec<String> = names
        .iter()
        .zip(&addresses)
        .filter(|(_, a)| a.is_empty())
        .map(|(n, _)| n.clone())
        .collect();
    let targets: Vec<(String, IpAddr)> = names
        .iter()
        .zip(addresses)
        .flat_map(|(n, addrs)| addrs.into_iter().map(move |a| (n.clone(), a)))
        .collect();
    let asked_at = unix_now();
    let mut servers = ask_servers(&targets, &zone, domain, probed, settings).await;
    servers.sort_by(|a, b| (&a.name, a.address).cmp(&(&b.name, b.address)));
    Ok(Authority {
        zone,
        parent,
        child_ns,
        servers,
        no_address,
        asked_at,
    })
}

/// The parent's delegation of `zone`, from the first parent server that answers.
async fn delegation(dns: &Dns, zone: &str, settings: AuthoritySettings<'_>) -> Option<Delegation> {
    let parent_name = zone.split_once('.').map(|(_, p)| p)?;
    let parent_zone = dns.zone_of(parent_name).await.ok()?;
    let parent_ns = dns.ns(&parent_zone).await.ok()?;
    // A few parent servers, all asked at once: one silent server costs no more than one timeout.
    let names = parent_ns.iter().take(4).map(|(ns, _)| dns.addresses(ns));
    let servers: Vec<SocketAddr> = join_all(names)
        .await
        .into_iter()
        .flat_map(|a| a.all().into_iter().take(1))
        .filter(|a| settings.gate.admits(*a).is_ok())
        .map(|a| SocketAddr::new(a, settings.port))
        .collect();
    let answers = join_all(
        servers
            .iter()
            .map(|s| ask(*s, zone, Ask::Ns, settings.timeout)),
    )
    .await;
    answers
        .into_iter()
        .flatten()
        .find_map(|r| referral(&r, zone))
        .map(|(ns, glue)| Delegation {
            parent_zone,
            ns,
            glue,
        })
}

/// The NS names and glue a parent server gives for `zone`, if it gave any.
fn referral(r: &Response, zone: &str) -> Option<(Vec<String>, Glue)> {
    if r.rcode != Rcode::NoError {
        return None;
    }
    let mut ns: Vec<String> = r
        .answers
        .iter()
        .chain(&r.authority)
        .filter(|rr| rr.owner == zone)
        .filter_map(|rr| match &rr.data {
            Data::Ns(n) => Some(n.clone()),
            _ => None,
        })
        .collect();
    if ns.is_empty() {
        return None;
    }
    ns.sort();
    ns.dedup();
    let glue = r
        .additional
        .iter()
        .filter(|rr| ns.contains(&rr.owner))
        .filter_map(|rr| match rr.data {
            Data::Address(a) => Some((rr.owner.clone(), a)),
            _ => None,
        })
        .collect();
    Some((ns, glue))
}

/// A name server's addresses: the parent's glue, else the resolver's, a few per family.
async fn addresses_of(dns: &Dns, name: &str, glue: &[(String, IpAddr)]) -> Vec<IpAddr> {
    let glued: Vec<IpAddr> = glue
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, a)| *a)
        .collect();
    let all = if glued.is_empty() {
        dns.addresses(name).await.all()
    } else {
        glued
    };
    let mut kept: Vec<IpAddr> = Vec::new();
    for v4 in [true, false] {
        kept.extend(
            all.iter()
                .filter(|a| a.is_ipv4() == v4)
                .take(MAX_ADDRESSES_PER_FAMILY),
        );
    }
    kept
}

/// Every server in two rounds, all at once in each: the SOA and the domain's MX first; then
/// the addresses of every in-zone MX host *any* server names, and of the probed names. A
/// lagging server is so asked for the new host as well: its "no such name" is what a resolver
/// may have cached.
async fn ask_servers(
    targets: &[(String, IpAddr)],
    zone: &str,
    domain: &str,
    names: &[String],
    settings: AuthoritySettings<'_>,
) -> Vec<ServerAnswers> {
    let first = join_all(
        targets
            .iter()
            .map(|(name, address)| ask_zone(name, *address, zone, domain, settings)),
    )
    .await;
    let exchanges: Vec<String> = first
        .iter()
        .filter_map(|(s, _)| match &s.outcome {
            ServerOutcome::Answered(view) => Some(view),
            _ => None,
        })
        .flat_map(|view| view.mx.exchanges())
        .collect();
    let hosts = in_zone_hosts(&exchanges, names, zone);
    join_all(first.into_iter().map(|(mut server, permits)| {
        let hosts = &hosts;
        async move {
            if let ServerOutcome::Answered(view) = &mut server.outcome {
                let address = SocketAddr::new(server.address, settings.port);
                view.hosts =
                    join_all(hosts.iter().map(|h| host_addresses(address, h, settings))).await;
            }
            drop(permits);
            server
        }
    }))
    .await
}

/// One server's SOA and MX for the zone, with the gate's permits for its address kept for the
/// second round.
async fn ask_zone(
    name: &str,
    address: IpAddr,
    zone: &str,
    domain: &str,
    settings: AuthoritySettings<'_>,
) -> (ServerAnswers, Option<Permits>) {
    let server = SocketAddr::new(address, settings.port);
    let deadline = tokio::time::Instant::now() + settings.timeout;
    let answers = |outcome| ServerAnswers {
        name: name.to_string(),
        address,
        outcome,
    };
    // One conversation with one server holds one of its address's permits.
    let permits = match settings.gate.enter(address, deadline).await {
        Ok(p) => p,
        Err(closed) => {
            let outcome = match closed {
                Closed::Address(class) => ServerOutcome::NotAsked(class),
                Closed::NoSlot => ServerOutcome::Timeout,
            };
            return (answers(outcome), None);
        }
    };
    let (soa, mx) = tokio::join!(
        ask(server, zone, Ask::Soa, settings.timeout),
        ask(server, domain, Ask::Mx, settings.timeout)
    );
    let outcome = match soa {
        Err(AskError::Timeout) => ServerOutcome::Timeout,
        Err(AskError::Failed(text)) => ServerOutcome::Failed(text),
        Ok(r) if r.rcode == Rcode::Refused => ServerOutcome::Refused,
        Ok(r) if !r.authoritative || r.rcode != Rcode::NoError => ServerOutcome::Lame,
        Ok(r) => ServerOutcome::Answered(ZoneView {
            serial: serial(zone, &r),
            mx: mx_view(domain, mx.ok().as_ref()),
            hosts: Vec::new(),
        }),
    };
    (answers(outcome), Some(permits))
}

fn serial(zone: &str, r: &Response) -> Option<u32> {
    r.answers.iter().find_map(|rr| match rr.data {
        Data::Soa { serial, .. } if rr.owner == zone => Some(serial),
        _ => None,
    })
}

fn mx_view(domain: &str, r: Option<&Response>) -> MxView {
    let Some(r) = r.filter(|r| r.authoritative) else {
        return MxView::Unknown;
    };
    match r.rcode {
        Rcode::NxDomain => return MxView::NxDomain,
        Rcode::NoError => {}
        _ => return MxView::Unknown,
    }
    let mut records: Vec<(u16, String, u32)> = r
        .answers
        .iter()
        .filter(|rr| rr.owner == domain)
        .filter_map(|rr| match &rr.data {
            Data::Mx {
                preference,
                exchange,
            } => Some((*preference, exchange.clone(), rr.ttl)),
            _ => None,
        })
        .collect();
    records.sort();
    // The zone's own answer is capped like the resolver's: a hostile zone's thousands of MX
    // records must not turn into thousands of lookups and probes.
    records.truncate(crate::discover::MAX_MX_RECORDS);
    if records.is_empty() {
        MxView::NoRecords
    } else {
        MxView::Records(records)
    }
}

/// MX hosts and probed names inside the zone (the only ones its servers answer for), MX
/// hosts first.
fn in_zone_hosts(exchanges: &[String], names: &[String], zone: &str) -> Vec<String> {
    let mut hosts: Vec<String> = Vec::new();
    for name in exchanges.iter().chain(names) {
        let inside = name == zone || name.ends_with(&format!(".{zone}"));
        if inside && !hosts.contains(name) {
            hosts.push(name.clone());
        }
    }
    hosts.truncate(MAX_HOSTS);
    hosts
}

async fn host_addresses(
    server: SocketAddr,
    host: &str,
    settings: AuthoritySettings<'_>,
) -> HostView {
    let (a, aaaa) = tokio::join!(
        ask(server, host, Ask::A, settings.timeout),
        ask(server, host, Ask::Aaaa, settings.timeout)
    );
    let records: Vec<(IpAddr, u32)> = [a, aaaa]
        .into_iter()
        .flatten()
        .filter(|r| r.authoritative)
        .flat_map(|r| r.answers)
        .filter(|rr| rr.owner == host)
        .filter_map(|rr| match rr.data {
            Data::Address(a) => Some((crate::net::address::canonical(a), rr.ttl)),
            _ => None,
        })
        .collect();
    let mut addresses: Vec<IpAddr> = records.iter().map(|(a, _)| *a).collect();
    addresses.sort();
    addresses.dedup();
    HostView {
        name: host.to_string(),
        addresses,
        ttl: records.iter().map(|(_, t)| *t).min(),
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
