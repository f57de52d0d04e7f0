//! How much each published finding weighs.

use super::*;
use crate::judge::findings::PublishedFact;

pub fn severity(fact: &PublishedFact) -> Severity {
    use Severity::*;
    match fact {
        PublishedFact::PublishedSettingBroken { .. }
        | PublishedFact::PublishedHostUnresolved { .. } => Error,
        PublishedFact::PublishedSettingUnconfirmed { .. }
        | PublishedFact::PublishedSettingInsecure { .. }
        | PublishedFact::PublishedSourcesDisagree { .. }
        | PublishedFact::PublishedConfigInsecureTransport { .. }
        | PublishedFact::PublishedConfigInvalid { .. }
        | PublishedFact::AutodiscoverCname { .. } => Warning,
        PublishedFact::PublishedSettingConfirmed { .. }
        | PublishedFact::PublishedWorkingUnlisted { .. }
        | PublishedFact::PublishedNone { .. }
        | PublishedFact::PublishedUnreadable { .. }
        | PublishedFact::ThunderbirdGuesses => Info,
        // Thunderbird sets up a failing account: each broken setting is its own error already.
        PublishedFact::ThunderbirdSetup { .. } if fact.code() == Code::ThunderbirdSetupBroken => {
            Warning
        }
        PublishedFact::ThunderbirdSetup { .. } => Info,
    }
}
