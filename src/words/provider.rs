//! The words of the provider findings: a message for every fact and, where there is something to
//! do, a hint. Both matches are exhaustive, so a new fact does not compile without its words.

use super::*;
use crate::judge::findings::ProviderFact;

pub fn message(fact: &ProviderFact) -> String {
    match fact {
        ProviderFact::ProviderNotes { notes } => notes
            .iter()
            .map(|n| provider_note(*n))
            .collect::<Vec<_>>()
            .join(" "),
        ProviderFact::NoClientMailbox { provider, forwarding: true } => format!("{provider} forwards this domain's mail (or hands it to an application): there is no mailbox behind the MX to log in to"),
        ProviderFact::NoClientMailbox { provider, .. } => format!("{provider} offers no IMAP or POP3 to mail clients: its own app (or bridge) is the way in"),
        ProviderFact::ProviderSettingsUnverified { provider } => format!("the settings shown for {provider} are its published ones as known to mailprobe, not checked against a public source"),
        ProviderFact::ProviderSettingConfirmed { setting } => format!("the provider's published setting {} works from here", published_setting(setting)),
        ProviderFact::ProviderSettingUnconfirmed { setting, why } => format!(
            "the provider's published setting {} could not be confirmed: {}",
            published_setting(setting),
            unconfirmed(why)
        ),
    }
}

pub fn hint(fact: &ProviderFact) -> Option<String> {
    let text = match fact {
        ProviderFact::NoClientMailbox { forwarding: true, .. } => "Log in wherever the mail is forwarded to (check the forwarding rules), or try that host with --host.",
        ProviderFact::NoClientMailbox { .. } => "Use the provider's own app or bridge; mailprobe does not guess hosts for it.",
        ProviderFact::ProviderNotes { .. } | ProviderFact::ProviderSettingsUnverified { .. } | ProviderFact::ProviderSettingConfirmed { .. } | ProviderFact::ProviderSettingUnconfirmed { .. } => return None,
    };
    Some(text.to_string())
}
