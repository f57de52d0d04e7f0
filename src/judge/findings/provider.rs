//! What the provider table knows about the domain's mail host.
//! Each fact's code is here; its severity is in `judge::policy::provider` and its words in
//! `words::provider`: a fact without both does not compile.

use super::*;

codes! { Provider => ProviderCode {

    ProviderSettingConfirmed = "provider_setting_confirmed",

    ProviderSettingUnconfirmed = "provider_setting_unconfirmed",

    ProviderNotes = "provider_notes",

    MxForwardingOnly = "mx_forwarding_only",

    ProviderNoImap = "provider_no_imap",

    ProviderSettingsUnverified = "provider_settings_unverified",
} }

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderFact {
    ProviderNotes {
        notes: Vec<crate::provider::table::Note>,
    },
    /// The MX is a forwarding service or inbound API (`forwarding`), or a provider without
    /// IMAP/POP3: there is no mailbox a mail client could log in to.
    NoClientMailbox {
        provider: String,
        forwarding: bool,
    },
    /// The provider's published settings are not verified against a public source.
    ProviderSettingsUnverified {
        provider: String,
    },
    ProviderSettingConfirmed {
        setting: PublishedSetting,
    },
    ProviderSettingUnconfirmed {
        setting: PublishedSetting,
        why: Unconfirmed,
    },
}

impl ProviderFact {
    pub fn code(&self) -> Code {
        match self {
            Self::ProviderNotes { .. } => Code::ProviderNotes,
            Self::NoClientMailbox {
                forwarding: true, ..
            } => Code::MxForwardingOnly,
            Self::NoClientMailbox { .. } => Code::ProviderNoImap,
            Self::ProviderSettingsUnverified { .. } => Code::ProviderSettingsUnverified,
            Self::ProviderSettingConfirmed { .. } => Code::ProviderSettingConfirmed,
            Self::ProviderSettingUnconfirmed { .. } => Code::ProviderSettingUnconfirmed,
        }
    }
}

impl From<ProviderFact> for Fact {
    fn from(f: ProviderFact) -> Self {
        Fact::Provider(f)
    }
}
