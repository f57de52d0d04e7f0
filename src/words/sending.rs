//! The words of the sending findings: a message for every fact and, where there is something to
//! do, a hint. Both matches are exhaustive, so a new fact does not compile without its words.

use super::*;
use crate::judge::findings::SendingFact;

pub fn message(fact: &SendingFact) -> String {
    match fact {
        SendingFact::PtrMissing { host, address } => format!(
            "{host} ({address}) has no reverse DNS (PTR): receivers such as Gmail refuse or spam-file mail sent from an address without one{}",
            private_note(*address)
        ),
        SendingFact::PtrNotConfirmed { host, address, names } => format!(
            "the reverse DNS of {host} ({address}) names {}, which does not resolve back to {address}: forward-confirmed reverse DNS fails, and receivers that require it refuse the mail{}",
            list(names),
            private_note(*address)
        ),
        SendingFact::PtrUnknown { host, address, error } => format!(
            "whether {host} ({address}) has reverse DNS cannot be told from here: the PTR lookup failed ({})",
            lookup_error_short(error)
        ),
        SendingFact::PtrInOrder { host, address, name } => format!(
            "{host} ({address}) has reverse DNS {name}, which resolves back to it (forward-confirmed){}",
            if address.is_ipv6() { "; Gmail also requires SPF or DKIM for mail over IPv6" } else { "" }
        ),
        SendingFact::GreetingNameNotConfirmed { host, address, name, seen: crate::sending::Seen::Received } => format!(
            "{host} ({address}) said HELO {name} when it delivered the message, and {name} does not resolve to {address}: receivers that check HELO may refuse its mail{}",
            private_note(*address)
        ),
        SendingFact::GreetingNameNotConfirmed { host, address, name, .. } => format!(
            "{host} ({address}) greets as {name}, which does not resolve to {address}: if it sends with that name (its HELO), receivers that check HELO may refuse the mail{}",
            private_note(*address)
        ),
        SendingFact::Blocklisted { host, address, zone, list, codes, reason } => format!(
            "{host} ({address}) is listed on {}: {}{}; receivers that use this list refuse its mail",
            blocklist_name(zone, *list),
            listing_codes(codes),
            reason.as_ref().map(|r| format!(" — the list says \"{r}\"")).unwrap_or_default()
        ),
        SendingFact::BlocklistsClear { host, address, zones } => format!(
            "{host} ({address}) is on none of the lists asked ({})",
            list(zones)
        ),
        SendingFact::BlocklistCannotTell { zone, why, addresses } => format!(
            "whether {} {} listed on {zone} cannot be told from here: {}",
            list(addresses),
            if addresses.len() == 1 { "is" } else { "are" },
            cannot_tell(why)
        ),
        SendingFact::OpenRelay { host, address, sender, reply: r } => format!(
            "{host} ({address}) port 25 accepted a recipient at an outside domain from here (MAIL FROM:<{sender}>, RCPT TO:<{}> answered {}): an open relay that anyone can send spam through, unless this address is trusted (e.g. Postfix mynetworks) or the server accepts and discards; nothing was sent (no DATA)",
            crate::probe::relay::RECIPIENT,
            reply(r)
        ),
        SendingFact::RelayRefused { host, address, reply: r } => format!(
            "{host} ({address}) port 25 refuses to relay from here to an outside domain: {}",
            reply(r)
        ),
        SendingFact::RelayTestIncomplete { host, address, failure: why } => format!(
            "the relay test of {host} ({address}) port 25 could not be completed: {}",
            match why {
                Some(f) => failure(Service::new(25, Protocol::Smtp, Security::Plain), f),
                None => "the server stopped answering the test's commands".into(),
            }
        ),
        SendingFact::RelayNotTested => "no SMTP server answered on port 25 from here, so nothing was relay-tested".into(),
    }
}

pub fn hint(fact: &SendingFact) -> Option<String> {
    let text = match fact {
        SendingFact::PtrMissing { .. } | SendingFact::PtrNotConfirmed { .. } => "Ask whoever owns the address (the hosting company or ISP) for a PTR naming the server, and give that name an A/AAAA record with this address; it need not be in the mail domain.",
        SendingFact::GreetingNameNotConfirmed { .. } => "Set the server's own name (Postfix myhostname) to a name that resolves to its address, ideally its PTR name.",
        SendingFact::Blocklisted { list: Some(l), .. } => return Some(format!("Find and stop what sent the mail (an open relay, a compromised account or machine), then ask for removal at {}.", l.delist)),
        SendingFact::Blocklisted { .. } => "Find and stop what sent the mail (an open relay, a compromised account or machine), then follow the removal steps in the list's reason.",
        SendingFact::BlocklistsClear { .. } => return None,
        SendingFact::OpenRelay { .. } => "Relay only for authenticated users and your own networks (Postfix: smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination) and keep mynetworks to the machines you run; if this address is one of them, test again from outside.",
        SendingFact::RelayRefused { .. } => return None,
        SendingFact::RelayTestIncomplete { .. } => "Run it again; if port 25 is slow or blocked on this network, test from another one.",
        SendingFact::RelayNotTested => "Port 25 is often blocked on home and office networks: run it from a server.",
        SendingFact::BlocklistCannotTell { why, .. } => return Some(cannot_tell_hint(why).to_string()),
        SendingFact::PtrUnknown { .. } => "Run it again from another network or resolver: a failed lookup says nothing about the record.",
        SendingFact::PtrInOrder { .. } => return None,
    };
    Some(text.to_string())
}
