//! How much each authority finding weighs.

use super::*;
use crate::judge::findings::AuthorityFact;

pub fn severity(fact: &AuthorityFact) -> Severity {
    use Severity::*;
    match fact {
        AuthorityFact::AuthoritativeInconsistent { .. } | AuthorityFact::NameserverLame { .. } => {
            Error
        }
        AuthorityFact::PropagationPending { .. }
        | AuthorityFact::AddressPropagationPending { .. }
        | AuthorityFact::AuthoritativeUnreachable { .. }
        | AuthorityFact::NameserverUnreachable { .. }
        | AuthorityFact::NameserverNoAddress { .. }
        | AuthorityFact::NameserverSpecialAddress { .. }
        | AuthorityFact::DelegationMismatch { .. }
        | AuthorityFact::NameserversOneNetwork { .. } => Warning,
    }
}
