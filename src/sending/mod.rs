//! Will receivers accept what this domain's servers send? Reverse DNS of every SMTP address
//! that answered: its PTR, whether that name resolves back to the address (forward-confirmed
//! reverse DNS, RFC 1912 2.1), and whether the name the server greets with does. Evidence only;
//! a recognised provider's shared servers are not judged, and the PTR is never required to
//! name the user's domain (a known wrong check).

use std::net::IpAddr;

use crate::net::dns::{Dns, LookupError};
use crate::probe::ProbeResult;
use crate::provider::{Identification, Owner};
use crate::service::Protocol;

/// Most addresses looked up.
pub const MAX_ADDRESSES: usize = 16;
/// Most PTR names of one address followed forward.
const MAX_NAMES: usize = 4;

/// What receivers see of one sending address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reverse {
    /// The name it was probed under.
    pub host: String,
    pub address: IpAddr,
    /// The name in its SMTP greeting (`220 NAME …`), when it gave one.
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
}

/// The SMTP addresses that answered, once each, with the name they were probed under; a
/// recognised provider's hosts are left out (their pools are the provider's business).
pub fn smtp_addresses(
    probes: &[ProbeResult],
    identification: &Identification,
) -> Vec<(String, IpAddr, Option<String>)> {
    let mut out: Vec<(String, IpAddr, Option<String>)> = Vec::new();
    for p in probes {
        let smtp = p.service.protocol == Protocol::Smtp && p.tcp.connected();
        if !smtp
            || is_providers(&p.host, identification)
            || out.iter().any(|(_, a, _)| *a == p.address)
        {
            continue;
        }
        let name = p.banner.as_deref().and_then(greeting_name);
        out.push((p.host.clone(), p.address, name));
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
    out: &mut Vec<(String, IpAddr, Option<String>)>,
    listed: &[(String, IpAddr)],
    identification: &Identification,
) {
    for (term, address) in listed {
        if is_providers(term, identification)
            || out.iter().any(|(_, a, _)| a == address)
            || out.len() >= MAX_ADDRESSES
        {
            continue;
        }
        out.push((term.clone(), *address, None));
    }
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

/// Looks every address up at once.
pub async fn check(dns: &Dns, addresses: &[(String, IpAddr, Option<String>)]) -> Sending {
    let each = addresses
        .iter()
        .map(|(host, address, name)| reverse(dns, host, *address, name.clone()));
    Sending {
        reverse: futures::future::join_all(each).await,
    }
}

async fn reverse(dns: &Dns, host: &str, address: IpAddr, greeting_name: Option<String>) -> Reverse {
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
        host: host.to_string(),
        address,
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
