//! Questions to one given DNS server, recursion not desired: how mailprobe asks a zone's own
//! name servers what they serve, bypassing every cache. Built on hickory's client side (no DNS
//! wire code of our own); a truncated UDP answer is asked again over TCP.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::tcp::TcpClientStream;
use hickory_resolver::net::udp::UdpClientStream;
use hickory_resolver::net::xfer::{DnsHandle, FirstAnswer};
use hickory_resolver::proto::op::{DnsRequestOptions, DnsResponse, Query, ResponseCode};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};

use crate::text::clean_name;

/// The record types mailprobe asks name servers for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ask {
    Soa,
    Ns,
    Mx,
    A,
    Aaaa,
    Txt,
    Tlsa,
    Ptr,
}

impl Ask {
    fn record_type(self) -> RecordType {
        match self {
            Self::Soa => RecordType::SOA,
            Self::Ns => RecordType::NS,
            Self::Mx => RecordType::MX,
            Self::A => RecordType::A,
            Self::Aaaa => RecordType::AAAA,
            Self::Txt => RecordType::TXT,
            Self::Tlsa => RecordType::TLSA,
            Self::Ptr => RecordType::PTR,
        }
    }
}

/// One record of an answer, in the forms mailprobe uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Data {
    Address(IpAddr),
    Mx {
        preference: u16,
        exchange: String,
    },
    Ns(String),
    Soa {
        serial: u32,
        primary: String,
    },
    Cname(String),
    /// The character-strings of one TXT record, joined (RFC 7208 section 3.3).
    Txt(Vec<u8>),
    Tlsa(Tlsa),
    Ptr(String),
    Other,
}

/// A TLSA record (RFC 6698): usage, selector, matching type and the association data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tlsa {
    pub usage: u8,
    pub selector: u8,
    pub matching: u8,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rr {
    /// The owner name, lower case, without the trailing dot.
    pub owner: String,
    pub ttl: u32,
    pub data: Data,
}

/// The response code, as far as mailprobe tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rcode {
    NoError,
    NxDomain,
    Refused,
    ServFail,
    Other(u16),
}

/// What one server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub rcode: Rcode,
    /// The AA bit: the server answered from its own zone.
    pub authoritative: bool,
    /// The AD bit: a validating resolver vouches for the answer (DNSSEC secure).
    pub authentic_data: bool,
    pub answers: Vec<Rr>,
    pub authority: Vec<Rr>,
    pub additional: Vec<Rr>,
}

/// Why a server gave no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AskError {
    Timeout,
    /// Any other failure, in the library's words (escaped).
    Failed(String),
}

/// Asks `server` about `name`, recursion not desired, within `timeout` (UDP, then TCP when the
/// answer was truncated).
pub async fn ask(
    server: SocketAddr,
    name: &str,
    what: Ask,
    timeout: Duration,
) -> Result<Response, AskError> {
    let mut options = DnsRequestOptions::default();
    options.recursion_desired = false;
    exchange(server, name, what, options, timeout).await
}

/// Asks a recursive resolver, with the DNSSEC OK bit set: its AD bit then says whether it
/// validated the answer (the only DNSSEC evidence mailprobe has without validating itself).
pub async fn ask_resolver(
    server: SocketAddr,
    name: &str,
    what: Ask,
    timeout: Duration,
) -> Result<Response, AskError> {
    let mut options = DnsRequestOptions::default();
    options.recursion_desired = true;
    options.use_edns = true;
    options.edns_set_dnssec_ok = true;
    exchange(server, name, what, options, timeout).await
}

/// A zone's DNSKEY set with its signatures, as the resolver hands it out (DNSSEC OK set), for
/// mailprobe's own check of a trust anchor given as a KSK or a DS record.
pub async fn key_set(
    server: SocketAddr,
    zone: &str,
    timeout: Duration,
) -> Result<Vec<Record>, AskError> {
    let mut options = DnsRequestOptions::default();
    options.recursion_desired = true;
    options.use_edns = true;
    options.edns_set_dnssec_ok = true;
    let response = exchange_raw(server, zone, RecordType::DNSKEY, options, timeout).await?;
    Ok(response.answers.clone())
}

async fn exchange(
    server: SocketAddr,
    name: &str,
    what: Ask,
    options: DnsRequestOptions,
    timeout: Duration,
) -> Result<Response, AskError> {
    let response = exchange_raw(server, name, what.record_type(), options, timeout).await?;
    Ok(convert(&response))
}

async fn exchange_raw(
    server: SocketAddr,
    name: &str,
    record_type: RecordType,
    options: DnsRequestOptions,
    timeout: Duration,
) -> Result<DnsResponse, AskError> {
    let fqdn = Name::from_ascii(format!("{}.", name.trim_end_matches('.')))
        .map_err(|e| AskError::Failed(clean_name(&e.to_string())))?;
    let query = Query::query(fqdn, record_type);
    let deadline = tokio::time::Instant::now() + timeout;
    let attempt = async {
        let provider = TokioRuntimeProvider::default();
        let udp = UdpClientStream::builder(server, provider.clone())
            .with_timeout(Some(timeout))
            .with_max_retries(0)
            .exchange();
        let response = udp
            .lookup(query.clone(), options)
            .first_answer()
            .await
            .map_err(net_error)?;
        if !response.metadata.truncation {
            return Ok(response);
        }
        let tcp = TcpClientStream::exchange(server, None, timeout, None, provider)
            .await
            .map_err(net_error)?;
        tcp.lookup(query, options)
            .first_answer()
            .await
            .map_err(net_error)
    };
    tokio::time::timeout_at(deadline, attempt)
        .await
        .map_err(|_| AskError::Timeout)?
}

fn net_error(e: hickory_resolver::net::NetError) -> AskError {
    match e {
        hickory_resolver::net::NetError::Timeout => AskError::Timeout,
        other => AskError::Failed(clean_name(&other.to_string())),
    }
}

fn convert(r: &DnsResponse) -> Response {
    let list = |records: &[Record]| records.iter().map(rr).collect();
    Response {
        rcode: match r.metadata.response_code {
            ResponseCode::NoError => Rcode::NoError,
            ResponseCode::NXDomain => Rcode::NxDomain,
            ResponseCode::Refused => Rcode::Refused,
            ResponseCode::ServFail => Rcode::ServFail,
            other => Rcode::Other(u16::from(other)),
        },
        authoritative: r.metadata.authoritative,
        authentic_data: r.metadata.authentic_data,
        answers: list(&r.answers),
        authority: list(&r.authorities),
        additional: list(&r.additionals),
    }
}

fn name(n: &Name) -> String {
    clean_name(n.to_ascii().trim_end_matches('.')).to_ascii_lowercase()
}

fn rr(record: &Record) -> Rr {
    let data = match &record.data {
        RData::A(a) => Data::Address(IpAddr::V4(a.0)),
        RData::AAAA(a) => Data::Address(super::address::canonical(IpAddr::V6(a.0))),
        RData::MX(mx) => Data::Mx {
            preference: mx.preference,
            exchange: name(&mx.exchange),
        },
        RData::NS(ns) => Data::Ns(name(&ns.0)),
        RData::SOA(soa) => Data::Soa {
            serial: soa.serial,
            primary: name(&soa.mname),
        },
        RData::CNAME(c) => Data::Cname(name(&c.0)),
        RData::PTR(p) => Data::Ptr(name(&p.0)),
        RData::TXT(t) => Data::Txt(t.txt_data.iter().flat_map(|s| s.iter().copied()).collect()),
        RData::TLSA(t) => Data::Tlsa(Tlsa {
            usage: u8::from(t.cert_usage),
            selector: u8::from(t.selector),
            matching: u8::from(t.matching),
            data: t.cert_data.clone(),
        }),
        _ => Data::Other,
    };
    Rr {
        owner: name(&record.name),
        ttl: record.ttl,
        data,
    }
}

/// Whether the user's own resolver answers at all: the root's NS set asked over a connected
/// UDP socket, so that a refusal (ICMP port unreachable) is seen at once instead of waiting
/// for a timeout.
pub async fn reach(server: SocketAddr, wait: Duration) -> super::dns::Reach {
    use super::dns::Reach;
    use hickory_resolver::proto::op::Message;
    let local: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0".parse().unwrap_or(server)
    } else {
        "[::]:0".parse().unwrap_or(server)
    };
    let Ok(socket) = tokio::net::UdpSocket::bind(local).await else {
        return Reach::Silent;
    };
    if socket.connect(server).await.is_err() {
        return Reach::Refused;
    }
    let mut query = Message::query();
    query.metadata.id = std::process::id() as u16 ^ 0x5a5a;
    query.metadata.recursion_desired = true;
    query.add_query(Query::query(Name::root(), RecordType::NS));
    let Ok(bytes) = query.to_vec() else {
        return Reach::Silent;
    };
    let exchange = async {
        socket.send(&bytes).await?;
        let mut buf = [0u8; 512];
        socket.recv(&mut buf).await
    };
    match tokio::time::timeout(wait, exchange).await {
        Ok(Ok(_)) => Reach::Answers,
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => Reach::Refused,
        _ => Reach::Silent,
    }
}
