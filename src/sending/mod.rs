//! Will receivers accept what this domain's servers send? Reverse DNS of every SMTP address
//! that answered: its PTR, whether that name resolves back to the address (forward-confirmed
//! reverse DNS, RFC 1912 2.1), and whether the name the server greets with does. Evidence only;
//! a recognised provider's shared servers are not judged, and the PTR is never required to
//! name the user's domain (a known wrong check).

pub mod blocklists;
pub mod headers;

use std::net::IpAddr;

use crate::net::dns::{Dns, LookupError};
use crate::probe::ProbeResult;
use crate::provider::{Identification, Owner};
use crate::service::Protocol;

/// Most addresses looked up.
pub const MAX_ADDRESSES: usize = 16;
/// Most PTR names of one address followed forward.
const MAX_NAMES: usize = 4;

/// Where a sending address was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// An SMTP server that answered a probe; its name is the one in its greeting.
    Probe,
    /// An address the domain's own SPF record lists.
    Spf,
    /// The server that delivered a message (`--headers`); its name is the HELO it gave.
    Received,
}

/// A sending address to look up: how it is shown, and the name it gives itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub host: String,
    pub address: IpAddr,
    pub name: Option<String>,
    pub seen: Seen,
}

/// What receivers see of one sending address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reverse {
    /// The name it was probed under (or `SPF ip4:…`, `Received from …`).
    pub host: String,
    pub address: IpAddr,
    pub seen: Seen,
    /// The name it gives itself: its SMTP greeting's (`220 NAME …`), or the HELO the
    /// receiver recorded.
    pub greeting_name: Option<String>,
    pub ptr: Ptr,
    /// Whether the greeting name resolves to this address (`None`: no name, or not asked).
    pub greeting_confirmed: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ptr {
    /// No PTR record (NXDOMAIN or no data).
    Missing,
    /// The lookup failed (SERVFAIL, a time-out): nothing can be said.
    LookupFailed(LookupError),
    /// PTR names; `confirmed` is the first that resolves back to the address.
    Names {
        names: Vec<String>,
        confirmed: Option<String>,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sending {
    pub reverse: Vec<Reverse>,
    /// Asked only with `--blocklists` / `--blocklist ZONE`.
    pub blocklists: Option<blocklists::Blocklists>,
    /// Made only with `--relay-test`: port 25 of each SMTP address that answered there.
    pub relay: Option<Vec<Relay>>,
    /// The hop that delivered the saved message of `--headers`.
    pub received: Option<headers::Delivered>,
}

/// The open-relay test of one address: its answers, or why the session ended before them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relay {
    pub host: String,
    pub address: IpAddr,
    pub outcome: Result<crate::probe::relay::RelayOutcome, crate::probe::Failure>,
}

/// Most addresses relay-tested.
pub const MAX_RELAY_TESTS: usize = 4;

/// Where the relay test goes: port 25 of the domain's MX hosts and of the outgoing servers'
/// addresses (`senders`), where it answered, once per address; a recognised provider's
/// servers left out.
pub fn relay_targets(
    probes: &[ProbeResult],
    mx: &[String],
    senders: &[(String, IpAddr)],
    identification: &Identification,
) -> Vec<(String, IpAddr)> {
    let answered = || {
        probes.iter().filter(|p| {
            p.service.protocol == Protocol::Smtp
                && p.port == 25
                && p.tcp.connected()
                && !is_providers(&p.host, identification)
        })
    };
    // The MX hosts under their own names first; then the outgoing servers' addresses.
    let is_mx = |p: &&ProbeResult| mx.iter().any(|m| m.eq_ignore_ascii_case(&p.host));
    let is_sender = |p: &&ProbeResult| senders.iter().any(|(_, a)| *a == p.address);
    let mut out: Vec<(String, IpAddr)> = Vec::new();
    for p in answered().filter(is_mx).chain(answered().filter(is_sender)) {
        if !out.iter().any(|(_, a)| *a == p.address) && out.len() < MAX_RELAY_TESTS {
            out.push((p.host.clone(), p.address));
        }
    }
    out
}

/// The SMTP addresses that answered, once each, with the name they were probed under; a
/// recognised provider's hosts are left out (their pools are the provider's business).
pub fn smtp_addresses(probes: &[ProbeResult], identification: &Identification) -> Vec<Sender> {
    let mut out: Vec<Sender> = Vec::new();
    for p in probes {
        let smtp = p.service.protocol == Protocol::Smtp && p.tcp.connected();
        if !smtp
            || is_providers(&p.host, identification)
            || out.iter().any(|s| s.address == p.address)
        {
            continue;
        }
        out.push(Sender {
            host: p.host.clone(),
            address: p.address,
            name: p.banner.as_deref().and_then(greeting_name),
            seen: Seen::Probe,
        });
        if out.len() == MAX_ADDRESSES {
            break;
        }
    }
    out
}

/// The addresses the domain's SPF record lists itself (`ip4:`, `ip6:`, its `a` and `mx`
/// hosts' addresses) that no SMTP probe already covered; a recognised provider's hosts are
/// left out like above.
pub fn add_spf_listed(
    out: &mut Vec<Sender>,
    listed: &[(String, IpAddr)],
    identification: &Identification,
) {
    for (term, address) in listed {
        if is_providers(term, identification)
            || out.iter().any(|s| s.address == *address)
            || out.len() >= MAX_ADDRESSES
        {
            continue;
        }
        out.push(Sender {
            host: term.clone(),
            address: *address,
            name: None,
            seen: Seen::Spf,
        });
    }
}

/// The server that delivered a saved message comes first: it is the one receivers met. Returns
/// the name it is shown under.
pub fn add_delivering(out: &mut Vec<Sender>, delivered: &headers::Delivered) -> String {
    let shown = delivered
        .helo
        .clone()
        .unwrap_or_else(|| delivered.address.to_string());
    let host = format!("Received from {shown}");
    out.retain(|s| s.address != delivered.address);
    out.insert(
        0,
        Sender {
            host: host.clone(),
            address: delivered.address,
            name: delivered.helo.clone(),
            seen: Seen::Received,
        },
    );
    out.truncate(MAX_ADDRESSES);
    host
}

/// A recognised provider's host (its published hosts, or a name its MX patterns match): its
/// shared pools are the provider's business, not judged here.
fn is_providers(host: &str, identification: &Identification) -> bool {
    identification.is_providers_own_host(host)
        || matches!(crate::provider::owner_of(host, ""), Owner::Known(_))
}

/// `220 mail.example.com ESMTP …` → `mail.example.com`, when it looks like a host name.
pub fn greeting_name(banner: &str) -> Option<String> {
    let rest = banner.get(4..)?;
    let name = rest.split_whitespace().next()?.trim_end_matches('.');
    crate::input::parse_domain(name)
        .ok()
        .filter(|d| d.ascii.contains('.'))
        .map(|d| d.ascii)
}

/// Looks every address up at once, on the blocklists too when `zones` names any. Addresses
/// the run may not contact (a public domain's private or loopback addresses) are on no public
/// list, so they are not asked about there.
pub async fn check(
    dns: &Dns,
    senders: &[Sender],
    zones: &[String],
    public_domain: bool,
) -> Sending {
    let each = senders.iter().map(|s| reverse(dns, s));
    let listed: Vec<(String, IpAddr)> = senders
        .iter()
        .filter(|s| crate::net::address::not_probeable(s.address, public_domain).is_none())
        .map(|s| (s.host.clone(), s.address))
        .collect();
    let lists = async {
        match zones.is_empty() {
            true => None,
            false => Some(blocklists::check(dns, zones, &listed).await),
        }
    };
    let (reverse, blocklists) = tokio::join!(futures::future::join_all(each), lists);
    Sending {
        reverse,
        blocklists,
        relay: None,
        received: None,
    }
}

async fn reverse(dns: &Dns, sender: &Sender) -> Reverse {
    let (address, greeting_name) = (sender.address, sender.name.clone());
    let resolves_here = |name: String| async move {
        let found = dns.addresses(&name).await;
        found.all().contains(&address)
    };
    let ptr = match dns.ptr(address).await {
        Ok(names) if !names.is_empty() => {
            let names: Vec<String> = names.into_iter().take(MAX_NAMES).collect();
            let back = futures::future::join_all(names.iter().cloned().map(resolves_here)).await;
            let confirmed = names
                .iter()
                .zip(back)
                .find(|(_, ok)| *ok)
                .map(|(n, _)| n.clone());
            Ptr::Names { names, confirmed }
        }
        Ok(_) | Err(LookupError::NxDomain | LookupError::NoRecords) => Ptr::Missing,
        Err(e) => Ptr::LookupFailed(e),
    };
    let greeting_confirmed = match (&greeting_name, &ptr) {
        (None, _) => None,
        (
            Some(n),
            Ptr::Names {
                confirmed: Some(c), ..
            },
        ) if n == c => Some(true),
        (Some(n), _) => Some(resolves_here(n.clone()).await),
    };
    Reverse {
        host: sender.host.clone(),
        address,
        seen: sender.seen,
        greeting_name,
        ptr,
        greeting_confirmed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greeting_names_are_read_from_the_banner() {
        assert_eq!(
            greeting_name("220 mail.example.com ESMTP Postfix (Debian/GNU)"),
            Some("mail.example.com".into())
        );
        assert_eq!(
            greeting_name("220-mx.example.net."),
            Some("mx.example.net".into())
        );
        assert_eq!(greeting_name("220 ESMTP ready"), None);
        assert_eq!(greeting_name("220 localhost ESMTP"), None);
        assert_eq!(greeting_name("2"), None);
    }
}
