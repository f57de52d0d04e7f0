//! What receivers make of the servers that send: reverse DNS present and forward-confirmed,
//! and a greeting name that resolves to the server. A lookup that failed is "cannot tell",
//! never "missing"; the PTR is never required to name the user's domain.

use super::findings::{Fact, Finding};
use crate::judge::findings::SendingFact;
use crate::probe::relay::{Attempt, RelayOutcome, Step};
use crate::sending::blocklists::{Answer, Blocklists};
use crate::sending::{Ptr, Relay, Sending};

pub fn findings(sending: &Sending) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in &sending.reverse {
        let at = |fact: Fact| Finding::new(fact).at(&r.host, None);
        let host = r.host.clone();
        out.push(at(match &r.ptr {
            Ptr::Missing => Fact::Sending(SendingFact::PtrMissing {
                host,
                address: r.address,
            }),
            Ptr::LookupFailed(error) => Fact::Sending(SendingFact::PtrUnknown {
                host,
                address: r.address,
                error: error.clone(),
            }),
            Ptr::Names {
                names,
                confirmed: None,
            } => Fact::Sending(SendingFact::PtrNotConfirmed {
                host,
                address: r.address,
                names: names.clone(),
            }),
            Ptr::Names {
                confirmed: Some(name),
                ..
            } => Fact::Sending(SendingFact::PtrInOrder {
                host,
                address: r.address,
                name: name.clone(),
            }),
        }));
        if let (Some(name), Some(false)) = (&r.greeting_name, r.greeting_confirmed) {
            out.push(at(Fact::Sending(SendingFact::GreetingNameNotConfirmed {
                host: r.host.clone(),
                address: r.address,
                name: name.clone(),
                seen: r.seen,
            })));
        }
    }
    if let Some(b) = &sending.blocklists {
        out.extend(blocklist_findings(b));
    }
    match &sending.relay {
        Some(tests) if tests.is_empty() => {
            out.push(Finding::new(Fact::Sending(SendingFact::RelayNotTested)))
        }
        Some(tests) => out.extend(tests.iter().map(relay_finding)),
        None => {}
    }
    out
}

/// A recipient accepted is a relay; every command refused is a refusal; anything else is an
/// incomplete test, never "refused".
/// What a relay test showed, one verdict for the finding, the line and the JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayVerdict {
    /// `RCPT TO` an outside domain was accepted after `MAIL FROM` `sender`.
    Relays {
        sender: String,
        reply: crate::probe::ServerReply,
    },
    /// Both attempts were refused; `reply` is the first refusal.
    Refuses { reply: crate::probe::ServerReply },
    /// The session failed (`failure`) or a command got no reply.
    Incomplete {
        failure: Option<crate::probe::Failure>,
    },
}

pub fn relay_verdict(r: &Relay) -> RelayVerdict {
    match &r.outcome {
        Err(failure) => RelayVerdict::Incomplete {
            failure: Some(failure.clone()),
        },
        Ok(outcome) => match outcome.relayed() {
            Some(Attempt {
                sender,
                rcpt: Some(Step::Accepted(reply)),
                ..
            }) => RelayVerdict::Relays {
                sender: sender.clone(),
                reply: reply.clone(),
            },
            _ => match first_refusal(outcome) {
                Some(reply) if outcome.attempts.len() == 2 => RelayVerdict::Refuses { reply },
                _ => RelayVerdict::Incomplete { failure: None },
            },
        },
    }
}

pub fn relay_finding(r: &Relay) -> Finding {
    let (host, address) = (r.host.clone(), r.address);
    let fact = match relay_verdict(r) {
        RelayVerdict::Relays { sender, reply } => SendingFact::OpenRelay {
            host,
            address,
            sender,
            reply,
        },
        RelayVerdict::Refuses { reply } => SendingFact::RelayRefused {
            host,
            address,
            reply,
        },
        RelayVerdict::Incomplete { failure } => SendingFact::RelayTestIncomplete {
            host,
            address,
            failure,
        },
    };
    Finding::new(Fact::Sending(fact)).at(&r.host, Some(25))
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
                Finding::new(Fact::Sending(SendingFact::Blocklisted {
                    host: l.host.clone(),
                    address: l.address,
                    zone: l.zone.clone(),
                    list,
                    codes: codes.clone(),
                    reason: reason.clone(),
                }))
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
                Finding::new(Fact::Sending(SendingFact::BlocklistsClear {
                    host: host.to_string(),
                    address,
                    zones,
                }))
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
            Finding::new(Fact::Sending(SendingFact::BlocklistCannotTell {
                zone: list.zone.clone(),
                why,
                addresses,
            }))
        }));
    }
    out
}
