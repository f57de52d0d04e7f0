//! How much each sending finding weighs.

use super::*;
use crate::judge::findings::SendingFact;

pub fn severity(fact: &SendingFact) -> Severity {
    use Severity::*;
    match fact {
        // Receivers judge only what they see: a private address is never a sender they meet.
        SendingFact::PtrMissing { address, .. } | SendingFact::PtrNotConfirmed { address, .. }
            if crate::net::address::is_global(*address) =>
        {
            Warning
        }
        SendingFact::GreetingNameNotConfirmed { address, .. }
            if crate::net::address::is_global(*address) =>
        {
            Warning
        }
        // Receivers that use the list refuse the mail; "cannot tell" is never "clean".
        SendingFact::Blocklisted { .. } => Error,
        SendingFact::BlocklistCannotTell { .. } => Warning,
        SendingFact::BlocklistsClear { .. } => Info,
        SendingFact::OpenRelay { .. } => Error,
        SendingFact::RelayTestIncomplete { .. } | SendingFact::RelayNotTested => Warning,
        SendingFact::RelayRefused { .. } => Info,
        SendingFact::PtrMissing { .. }
        | SendingFact::PtrNotConfirmed { .. }
        | SendingFact::GreetingNameNotConfirmed { .. }
        | SendingFact::PtrUnknown { .. }
        | SendingFact::PtrInOrder { .. } => Info,
    }
}
