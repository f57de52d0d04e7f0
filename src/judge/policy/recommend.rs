//! How much each recommend finding weighs.

use super::*;
use crate::judge::findings::RecommendFact;

pub fn severity(fact: &RecommendFact) -> Severity {
    use Severity::*;
    match fact {
        RecommendFact::NoWorkingIncoming { .. } | RecommendFact::NoWorkingOutgoing { .. } => Error,
        // The credentials were refused, or the account cannot use what it logged into: the
        // one thing the user asked to know.
        RecommendFact::LoginNotAccepted {
            outcome:
                crate::probe::login::LoginOutcome::Rejected { .. }
                | crate::probe::login::LoginOutcome::NotUsable { .. },
            ..
        } => Error,
        RecommendFact::LoginNotAccepted { .. } => Warning,
        RecommendFact::OnlyPort25Works => Warning,
    }
}
