//! The words of the dns findings: a message for every fact and, where there is something to
//! do, a hint. Both matches are exhaustive, so a new fact does not compile without its words.

use super::*;
use crate::judge::findings::DnsFact;

pub fn message(fact: &DnsFact) -> String {
    match fact {
        DnsFact::ResolverUnreachable { server, refused: true, .. } => format!(
            "the DNS server {server} refuses connections (nothing listens there): the answers came from the other servers"
        ),
        DnsFact::ResolverUnreachable { server, waited_ms, .. } => format!(
            "the DNS server {server} did not answer in {}: the answers came from the other servers, and lookups may wait for it first",
            seconds(*waited_ms)
        ),
        DnsFact::NullMx { domain } => format!("{domain} publishes a null MX (RFC 7505): it accepts no mail"),
        DnsFact::ImplicitMx { domain } => format!("{domain} has no MX record; senders deliver to the domain's own address (implicit MX, RFC 5321 5.1)"),
        DnsFact::Nxdomain { domain } => format!("{domain} does not exist in DNS (NXDOMAIN)"),
        DnsFact::NoMailRecords { domain } => format!("{domain} exists but has no MX and no address records: it cannot receive mail"),
        DnsFact::DnsFailure { domain, error } => format!(
            "the MX lookup for {domain} failed: {}",
            error.as_ref().map(lookup_error).unwrap_or_else(|| "DNS failed".into())
        ),
        DnsFact::NullMxWithOtherRecords => "a null MX (\".\") stands next to other MX records; RFC 7505 allows it only alone".into(),
        DnsFact::MxTruncated { total, kept } => format!("the domain publishes {total} MX records; only the first {kept} were examined"),
        DnsFact::DnsPartialFailure { name, record_type, error, is_mx } => {
            if *is_mx {
                format!("the {record_type} lookup for MX {name} failed: {}", lookup_error(error))
            } else {
                format!("the {record_type} lookup for {name} failed ({}) while the other family answered", lookup_error(error))
            }
        }
        DnsFact::MxIsIpAddress { name } => format!("MX {name} is an IP address; an MX must name a host"),
        DnsFact::MxIsCname { name, chain } => format!("MX {name} is a CNAME (to {}); RFC 2181 10.3 forbids it and some senders refuse it", chain.join(" → ")),
        DnsFact::MxUnresolvable { name, error, .. } => format!("MX {name} does not resolve: {}", lookup_error(error)),
        DnsFact::MxPrivateAddress { name, addresses } => format!("MX {name} resolves to private or loopback addresses ({})", list(addresses)),
        DnsFact::MxMixedProviders { operators } => format!("the MX records point at more than one operator: {}", operators.join(", ")),
        DnsFact::MxGateway { provider } => format!("{provider} filters this domain's mail; the mailboxes are elsewhere"),
        DnsFact::MxSharedPreference { providers } => format!("the most preferred MX records belong to more than one provider: {}", providers.join(", ")),
        DnsFact::SrvNotOffered { service } => format!("{service} says the service is not offered (target \".\")"),
        DnsFact::SrvDnsError { service, error } => format!("the SRV lookup for {service} failed: {}", lookup_error(error)),
        DnsFact::SrvTruncated { service } => format!("{service} has too many SRV records; only the first few were examined"),
        DnsFact::Unresolvable { name, error, .. } => format!("{name} does not resolve: {}", lookup_error(error)),
    }
}

pub fn hint(fact: &DnsFact) -> Option<String> {
    let text = match fact {
        DnsFact::ResolverUnreachable { .. } => return Some(
            "Remove it from --dns (or /etc/resolv.conf), or find out why it does not answer."
                .into(),
        ),
        DnsFact::NullMx { .. } => "If this domain should receive mail, replace the \".\" MX record with the mail provider's MX records.",
        DnsFact::ImplicitMx { .. } => "Publish an MX record naming the mail server explicitly.",
        DnsFact::Nxdomain { .. } => "Check the spelling of the address, and that the domain is registered and delegated.",
        DnsFact::NoMailRecords { .. } => "Add the mail provider's MX records.",
        DnsFact::DnsFailure { .. } => "This says nothing about the domain's mail: the DNS server is broken or unreachable. Try another with --dns.",
        DnsFact::NullMxWithOtherRecords => "Remove the \".\" MX record.",
        DnsFact::MxIsIpAddress { .. } => "Publish an A record for a host name and point the MX at that name.",
        DnsFact::MxIsCname { .. } => "Point the MX record at the canonical name directly.",
        DnsFact::MxUnresolvable { .. } => "Fix or remove this MX record; senders cannot deliver to it.",
        DnsFact::MxPrivateAddress { .. } => "A public domain's MX must resolve to public addresses; this looks like an internal record leaked into public DNS.",
        DnsFact::MxMixedProviders { .. } => "Mail is split between them. Keep only the current provider's MX records and delete the others.",
        DnsFact::MxGateway { .. } => "Ask the client which service hosts the mailboxes, or try its hosts with --host.",
        DnsFact::MxSharedPreference { .. } => "Senders pick among them at random: make sure each one delivers to the same mailboxes.",
        DnsFact::MxTruncated { .. } | DnsFact::DnsPartialFailure { .. } | DnsFact::SrvNotOffered { .. } | DnsFact::SrvDnsError { .. } | DnsFact::SrvTruncated { .. } | DnsFact::Unresolvable { .. } => return None,
    };
    Some(text.to_string())
}
