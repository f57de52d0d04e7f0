//! The words of the authority findings: a message for every fact and, where there is something to
//! do, a hint. Both matches are exhaustive, so a new fact does not compile without its words.

use super::*;
use crate::judge::findings::AuthorityFact;

pub fn message(fact: &AuthorityFact) -> String {
    match fact {
        AuthorityFact::PropagationPending { resolver_mx, source_mx, refresh_in, refresh_at, source_ttl, new_mx_works } => format!(
            "the resolver still holds MX {}, but the domain's name servers now serve MX {}{}: the resolver refreshes {} (at {}){}",
            mx_list(resolver_mx),
            mx_list(source_mx),
            match new_mx_works {
                Some(true) => " (the new host already answers SMTP from here)",
                Some(false) => " (the new host does not answer SMTP from here yet)",
                None => "",
            },
            duration_from_now(u64::from(*refresh_in)),
            utc_time(*refresh_at),
            source_ttl
                .map(|t| format!("; other resolvers may keep the old answer for up to {}", duration(u64::from(t))))
                .unwrap_or_default()
        ),
        AuthorityFact::AddressPropagationPending { name, resolver, source, refresh_in, refresh_at, source_ttl } => format!(
            "the resolver still {} for {name}, but the domain's name servers now serve {}: {}{}",
            if resolver.is_empty() { "holds no address".to_string() } else { format!("holds {}", ip_list(resolver)) },
            ip_list(source),
            match (refresh_in, refresh_at) {
                (Some(i), Some(at)) => format!("the resolver refreshes {} (at {})", duration_from_now(u64::from(*i)), utc_time(*at)),
                (None, _) | (_, None) => "the resolver forgets its negative answer within the zone's negative-caching time".to_string(),
            },
            source_ttl
                .map(|t| format!("; other resolvers may keep the old answer for up to {}", duration(u64::from(t))))
                .unwrap_or_default()
        ),
        AuthorityFact::AuthoritativeInconsistent { zone, newest_serial, newest_mx, lagging, resolver_missing } => format!(
            "the name servers of {zone} disagree: the newest serve serial {} with MX {}, but {}{}",
            newest_serial.map(|s| s.to_string()).unwrap_or_else(|| "?".into()),
            mx_list(newest_mx),
            lagging.iter().map(lagging_server).collect::<Vec<_>>().join("; "),
            resolver_missing.iter().map(probed_from_source).collect::<String>()
        ),
        AuthorityFact::AuthoritativeUnreachable { zone, servers } => format!(
            "none of the {} of {zone} answered from here: outbound DNS to name servers is probably blocked on this network, so nothing is concluded about them",
            count(*servers, "name server address", "name server addresses")
        ),
        AuthorityFact::NameserverLame { name, address, zone, refused: true } => format!("name server {name} ({address}) refuses to answer for {zone}: a lame delegation"),
        AuthorityFact::NameserverLame { name, address, zone, .. } => format!("name server {name} ({address}) answers without authority for {zone}: a lame delegation"),
        AuthorityFact::NameserverUnreachable { name, address } => format!("name server {name} ({address}) did not answer"),
        AuthorityFact::NameserverSpecialAddress { name, address, class } => format!("name server {name} was not asked: its address {address} is {}", address_class(*class)),
        AuthorityFact::NameserverNoAddress { name, zone } => format!("name server {name} of {zone} has no address (no glue at the parent, no A/AAAA): nobody can ask it"),
        AuthorityFact::DelegationMismatch { zone, parent, child } => format!(
            "the parent zone delegates {zone} to {}, but the zone itself lists {}",
            parent.join(", "),
            child.join(", ")
        ),
        AuthorityFact::NameserversOneNetwork { zone, network } => format!("every name server of {zone} is in {network}/24: one outage or route problem takes them all"),
    }
}

pub fn hint(fact: &AuthorityFact) -> Option<String> {
    let text = match fact {
        AuthorityFact::AddressPropagationPending { .. } => "Nothing to fix if the change was meant: until the old answer expires, mail clients and senders using that resolver still reach the old address.",
        AuthorityFact::PropagationPending { .. } => "Nothing to fix if the change was meant: mail may still go to the old MX until the old answer expires everywhere, so keep the old host accepting mail until then.",
        AuthorityFact::AuthoritativeInconsistent { .. } => "Mail goes to the old or the new host depending on which server a sender asks: fix the zone transfer (NOTIFY, serial) of the lagging servers.",
        AuthorityFact::AuthoritativeUnreachable { .. } => "Test from another network, or run with --no-authoritative.",
        AuthorityFact::NameserverLame { .. } => "Remove the server from the NS records (at the registrar too), or load the zone on it.",
        AuthorityFact::NameserverSpecialAddress { .. } => "No resolver on the internet can reach a name server there: give it a public address in the NS records and glue.",
        AuthorityFact::NameserverUnreachable { .. } | AuthorityFact::NameserverNoAddress { .. } => "Every lookup that tries it waits for the timeout: fix it or remove it from the NS records.",
        AuthorityFact::DelegationMismatch { .. } => "Make the NS records at the registrar (parent) and in the zone the same.",
        AuthorityFact::NameserversOneNetwork { .. } => return None,
    };
    Some(text.to_string())
}
