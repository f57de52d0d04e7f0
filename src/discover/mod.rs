//! DNS discovery for one mail domain: MX (with every exchange's addresses), the domain's own
//! addresses (implicit MX) and the RFC 6186 SRV records, all queried concurrently.

pub mod authority;

use std::net::IpAddr;

use crate::input::MailDomain;
use crate::net::dns::{Dns, HostAddresses, LookupError, MxAnswer, SrvAnswer};
use crate::service::{Protocol, Security};
use futures::future::join_all;

/// Most MX records kept; a larger set is cut and reported.
pub const MAX_MX_RECORDS: usize = 16;
/// Most SRV records kept per service name.
pub const MAX_SRV_RECORDS: usize = 8;

/// The outcome of the MX lookup, as the JSON `mx_status` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MxStatus {
    /// MX records point at one or more exchanges.
    Ok,
    /// RFC 7505: the domain says it accepts no mail.
    NullMx,
    /// No MX, but the domain has addresses: mail goes to the domain itself (RFC 5321 5.1).
    Implicit,
    /// The domain does not exist.
    Nxdomain,
    /// The domain exists but has neither MX nor addresses.
    NoRecords,
    /// DNS failed (SERVFAIL, refused, timeout): nothing can be said about the mail.
    DnsError,
}

/// One MX exchange with its addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxHost {
    pub preference: u16,
    /// Exchange name without the trailing dot; empty for a null MX.
    pub exchange: String,
    pub ttl: u32,
    pub addresses: Option<HostAddresses>,
}

impl MxHost {
    /// A null MX (`MX 0 .`, RFC 7505): the domain accepts no mail.
    pub fn is_null(&self) -> bool {
        self.exchange.is_empty()
    }

    pub fn address_list(&self) -> Vec<IpAddr> {
        self.addresses
            .as_ref()
            .map(HostAddresses::all)
            .unwrap_or_default()
    }
}

/// The RFC 6186 services, in the order mail clients should prefer them.
pub const SRV_SERVICES: [(&str, Protocol, Security); 6] = [
    ("_imaps._tcp", Protocol::Imap, Security::Tls),
    ("_imap._tcp", Protocol::Imap, Security::StartTls),
    ("_pop3s._tcp", Protocol::Pop3, Security::Tls),
    ("_pop3._tcp", Protocol::Pop3, Security::StartTls),
    ("_submissions._tcp", Protocol::Smtp, Security::Tls),
    ("_submission._tcp", Protocol::Smtp, Security::StartTls),
];

/// One SRV record with the service it announces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrvRecord {
    pub service: String,
    pub protocol: Protocol,
    pub security: Security,
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
    pub target: String,
    pub ttl: u32,
    /// False for a target of ".": the domain says the service is not offered.
    pub offered: bool,
}

/// Everything DNS said about the domain.
#[derive(Debug, Clone)]
pub struct Discovery {
    pub mx_status: MxStatus,
    /// Sorted by preference, lowest (most preferred) first.
    pub mx: Vec<MxHost>,
    /// Set when the MX query itself failed or was negative.
    pub mx_error: Option<LookupError>,
    /// How many MX records the answer held before the cap.
    pub mx_total: usize,
    pub domain_addresses: HostAddresses,
    pub srv: Vec<SrvRecord>,
    /// SRV queries that failed for a reason other than "no such record".
    pub srv_errors: Vec<(String, LookupError)>,
    /// SRV services whose record set was cut to [`MAX_SRV_RECORDS`].
    pub srv_truncated: Vec<String>,
}

/// Runs every discovery query for `domain`.
pub async fn discover(dns: &Dns, domain: &MailDomain) -> Discovery {
    let name = domain.ascii.as_str();
    let srv_names: Vec<String> = SRV_SERVICES
        .iter()
        .map(|(svc, _, _)| format!("{svc}.{name}"))
        .collect();
    let (mx, domain_addresses, srv_results) = tokio::join!(
        dns.mx(name),
        dns.addresses(name),
        join_all(srv_names.iter().map(|n| dns.srv(n)))
    );

    let (mx, mx_error, mx_total) = match mx {
        Ok(mut answers) => {
            sort_mx(&mut answers);
            let total = answers.len();
            answers.truncate(MAX_MX_RECORDS);
            (resolve_exchanges(dns, answers).await, None, total)
        }
        Err(e) => (Vec::new(), Some(e), 0),
    };
    let mx_status = mx_status(&mx, mx_error.as_ref(), &domain_addresses);

    let mut srv = Vec::new();
    let mut srv_errors = Vec::new();
    let mut srv_truncated = Vec::new();
    for ((svc, protocol, security), result) in SRV_SERVICES.iter().zip(srv_results) {
        match result {
            Ok(mut answers) => {
                answers.sort_by_key(|a| (a.priority, std::cmp::Reverse(a.weight)));
                if answers.len() > MAX_SRV_RECORDS {
                    srv_truncated.push(svc.to_string());
                    answers.truncate(MAX_SRV_RECORDS);
                }
                srv.extend(
                    answers
                        .into_iter()
                        .map(|a| srv_record(svc, *protocol, *security, a)),
                );
            }
            Err(e) if e.is_negative_answer() => {}
            Err(e) => srv_errors.push((svc.to_string(), e)),
        }
    }

    Discovery {
        mx_status,
        mx,
        mx_error,
        mx_total,
        domain_addresses,
        srv,
        srv_errors,
        srv_truncated,
    }
}

/// RFC 5321 5.1: lowest preference first; ties keep a stable, readable order.
fn sort_mx(answers: &mut [MxAnswer]) {
    answers.sort_by(|a, b| {
        a.preference
            .cmp(&b.preference)
            .then_with(|| a.exchange.cmp(&b.exchange))
    });
}

async fn resolve_exchanges(dns: &Dns, answers: Vec<MxAnswer>) -> Vec<MxHost> {
    let lookups = answers.iter().map(|a| async move {
        if a.is_null() {
            None
        } else {
            Some(dns.addresses(&a.exchange).await)
        }
    });
    let resolved = join_all(lookups).await;
    answers
        .into_iter()
        .zip(resolved)
        .map(|(a, addresses)| MxHost {
            preference: a.preference,
            exchange: a.exchange,
            ttl: a.ttl,
            addresses,
        })
        .collect()
}

fn mx_status(mx: &[MxHost], error: Option<&LookupError>, domain: &HostAddresses) -> MxStatus {
    match error {
        None if !mx.is_empty() && mx.iter().all(MxHost::is_null) => MxStatus::NullMx,
        None if !mx.is_empty() => MxStatus::Ok,
        Some(LookupError::NxDomain) => MxStatus::Nxdomain,
        Some(e) if !e.is_negative_answer() => MxStatus::DnsError,
        // No MX records: the domain's own addresses decide (RFC 5321 5.1).
        _ => match domain.failure() {
            None => MxStatus::Implicit,
            Some(LookupError::NxDomain) => MxStatus::Nxdomain,
            Some(LookupError::NoRecords) => MxStatus::NoRecords,
            Some(_) => MxStatus::DnsError,
        },
    }
}

fn srv_record(service: &str, protocol: Protocol, security: Security, a: SrvAnswer) -> SrvRecord {
    SrvRecord {
        service: service.to_string(),
        protocol,
        security,
        priority: a.priority,
        weight: a.weight,
        port: a.port,
        offered: !a.target.is_empty(),
        // RFC 6186: a target of "." says the service is not offered; keep it visible as such.
        target: if a.target.is_empty() {
            ".".to_string()
        } else {
            a.target
        },
        ttl: a.ttl,
    }
}
