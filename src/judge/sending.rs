//! What receivers make of the servers that send: reverse DNS present and forward-confirmed,
//! and a greeting name that resolves to the server. A lookup that failed is "cannot tell",
//! never "missing"; the PTR is never required to name the user's domain.

use super::findings::{Fact, Finding};
use crate::probe::relay::{Attempt, RelayOutcome, Step};
use crate::sending::blocklists::{Answer, Blocklists};
use crate::sending::{Ptr, Relay, Sending};

pub fn findings(sending: &Sending) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in &sending.reverse {
        let at = |fact: Fact| Finding::new(fact).at(&r.host, None);
        let host = r.host.clone();
        out.push(at(match &r.ptr {
            Ptr::Missing => Fact::PtrMissing {
                host,
                address: r.address,
            },
            Ptr::LookupFailed(error) => Fact::PtrUnknown {
                host,
                address: r.address,
                error: error.clone(),
            },
            Ptr::Names {
                names,
                confirmed: None,
            } => Fact::PtrNotConfirmed {
                host,
                address: r.address,
                names: names.clone(),
            },
            Ptr::Names {
                confirmed: Some(name),
                ..
            } => Fact::PtrInOrder {
                host,
                address: r.address,
                name: name.clone(),
            },
        }));
        if let (Some(name), Some(false)) = (&r.greeting_name, r.greeting_confirmed) {
            out.push(at(Fact::GreetingNameNotConfirmed {
                host: r.host.clone(),
                address: r.address,
                name: name.clone(),
                seen: r.seen,
            }));
        }
    }
    if let Some(b) = &sending.blocklists {
        out.extend(blocklist_findings(b));
    }
    match &sending.relay {
        Some(tests) if tests.is_empty() => out.push(Finding::new(Fact::RelayNotTested)),
        Some(tests) => out.extend(tests.iter().map(relay_finding)),
        None => {}
    }
    out
}

/// A recipient accepted is a relay; every command refused is a refusal; anything else is an
/// incomplete test, never "refused".
pub fn relay_finding(r: &Relay) -> Finding {
    let (host, address) = (r.host.clone(), r.address);
    let fact = match &r.outcome {
        Err(failure) => Fact::RelayTestIncomplete {
            host,
            address,
            failure: Some(failure.clone()),
        },
        Ok(outcome) => match outcome.relayed() {
            Some(Attempt {
                sender,
                rcpt: Some(Step::Accepted(reply)),
                ..
            }) => Fact::OpenRelay {
                host,
                address,
                sender: sender.clone(),
                reply: reply.clone(),
            },
            _ => match first_refusal(outcome) {
                Some(reply) if outcome.attempts.len() == 2 => Fact::RelayRefused {
                    host,
                    address,
                    reply,
                },
                _ => Fact::RelayTestIncomplete {
                    host,
                    address,
                    failure: None,
                },
            },
        },
    };
    Finding::new(fact).at(&r.host, Some(25))
}

/// The refusal of the outside sender's attempt (its RCPT, or its MAIL when that was refused),
/// when every attempt was answered.
fn first_refusal(outcome: &RelayOutcome) -> Option<crate::probe::ServerReply> {
    let mut first = None;
    for a in &outcome.attempts {
        let refused = match (&a.mail, &a.rcpt) {
            (Step::Refused(r), None) | (Step::Accepted(_), Some(Step::Refused(r))) => r,
            _ => return None,
        };
        first.get_or_insert_with(|| refused.clone());
    }
    first
}

/// SPF for the server that delivered the `--headers` message: the verdict receivers reached
/// for it, whatever server mailprobe recommends.
pub fn received_spf(
    delivery: &crate::delivery::Delivery,
    sending: &Sending,
    domain: &str,
) -> Vec<Finding> {
    let Some(received) = &sending.received else {
        return Vec::new();
    };
    let dmarc = super::delivery::dmarc_policy(delivery);
    delivery
        .spf_checks
        .iter()
        .find(|c| c.address == received.address)
        .map(|c| Finding::new(super::delivery::server_spf_fact(domain, c, dmarc)))
        .into_iter()
        .collect()
}

/// A listing per address and list; per address, the lists that said "not listed"; per list,
/// the addresses it could not answer for, with why.
fn blocklist_findings(b: &Blocklists) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut addresses: Vec<(&str, std::net::IpAddr)> = Vec::new();
    for l in &b.lookups {
        if !addresses.iter().any(|(_, a)| *a == l.address) {
            addresses.push((&l.host, l.address));
        }
        if let Answer::Listed { codes, reason } = &l.answer {
            let list = crate::sending::blocklists::known(&l.zone);
            out.push(
                Finding::new(Fact::Blocklisted {
                    host: l.host.clone(),
                    address: l.address,
                    zone: l.zone.clone(),
                    list,
                    codes: codes.clone(),
                    reason: reason.clone(),
                })
                .at(&l.host, None),
            );
        }
    }
    for (host, address) in addresses {
        let mine = || b.lookups.iter().filter(move |l| l.address == address);
        let listed = mine().any(|l| matches!(l.answer, Answer::Listed { .. }));
        let zones: Vec<String> = mine()
            .filter(|l| l.answer == Answer::NotListed)
            .map(|l| l.zone.clone())
            .collect();
        if !listed && !zones.is_empty() {
            out.push(
                Finding::new(Fact::BlocklistsClear {
                    host: host.to_string(),
                    address,
                    zones,
                })
                .at(host, None),
            );
        }
    }
    for list in &b.lists {
        let mut unknown: Vec<(
            crate::sending::blocklists::CannotTell,
            Vec<std::net::IpAddr>,
        )> = Vec::new();
        for l in b.lookups.iter().filter(|l| l.zone == list.zone) {
            let Answer::CannotTell(why) = &l.answer else {
                continue;
            };
            match unknown.iter_mut().find(|(w, _)| w == why) {
                Some((_, addresses)) => addresses.push(l.address),
                None => unknown.push((why.clone(), vec![l.address])),
            }
        }
        out.extend(unknown.into_iter().map(|(why, addresses)| {
            Finding::new(Fact::BlocklistCannotTell {
                zone: list.zone.clone(),
                why,
                addresses,
            })
        }));
    }
    out
}
