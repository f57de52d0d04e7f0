//! How much each provider finding weighs.

use super::*;
use crate::judge::findings::ProviderFact;

pub fn severity(fact: &ProviderFact) -> Severity {
    use Severity::*;
    match fact {
        ProviderFact::ProviderNotes { .. }
        | ProviderFact::ProviderSettingsUnverified { .. }
        | ProviderFact::ProviderSettingConfirmed { .. } => Info,
        ProviderFact::ProviderSettingUnconfirmed {
            why: Unconfirmed::NotProbed | Unconfirmed::Skipped(_),
            ..
        } => Info,
        ProviderFact::NoClientMailbox { .. } | ProviderFact::ProviderSettingUnconfirmed { .. } => {
            Warning
        }
    }
}
