//! The words of the recommend findings: a message for every fact and, where there is something to
//! do, a hint. Both matches are exhaustive, so a new fact does not compile without its words.

use super::*;
use crate::judge::findings::RecommendFact;

pub fn message(fact: &RecommendFact) -> String {
    match fact {
        RecommendFact::LoginNotAccepted { service, host, outcome, decoded } => format!(
            "the login to {} {host}:{} was {}{}",
            service.protocol.name(),
            service.port,
            login_outcome(*service, outcome),
            decoded
                .map(|d| format!("; this means {}", refusal_cause(d.cause)))
                .unwrap_or_default()
        ),
        RecommendFact::NoWorkingIncoming { best } => no_working("incoming (IMAP/POP3)", best.as_ref()),
        RecommendFact::NoWorkingOutgoing { best } => no_working("outgoing (SMTP submission)", best.as_ref()),
        RecommendFact::OnlyPort25Works => "only port 25 accepts SMTP: it is meant for server-to-server delivery, and many networks block it for clients".into(),
    }
}

pub fn hint(fact: &RecommendFact) -> Option<String> {
    let text = match fact {
        RecommendFact::LoginNotAccepted {
        decoded: Some(d), ..
    } => return Some(decoded_hint(d)),
        RecommendFact::NoWorkingIncoming { best: None } | RecommendFact::NoWorkingOutgoing { best: None } => "See the matrix above for why each one failed.",
        RecommendFact::OnlyPort25Works => "Enable submission on 587 (STARTTLS) or 465 (SSL/TLS) on the server.",
        RecommendFact::NoWorkingIncoming { best: Some(_) } | RecommendFact::NoWorkingOutgoing { best: Some(_) } => return None,
        RecommendFact::LoginNotAccepted { .. } => "Check the username and password (or the app password the provider requires) with the mailbox's owner; the server's own reply is quoted.",
    };
    Some(text.to_string())
}
