//! What mail clients are told: autoconfig, Autodiscover, Thunderbird's wizard.
//! Each fact's code is here; its severity is in `judge::policy::published` and its words in
//! `words::published`: a fact without both does not compile.

use super::*;

codes! { Published => PublishedCode {

    PublishedSettingConfirmed = "published_setting_confirmed",

    PublishedSettingBroken = "published_setting_broken",

    PublishedSettingUnconfirmed = "published_setting_unconfirmed",

    PublishedSettingInsecure = "published_setting_insecure",

    PublishedHostUnresolved = "published_host_unresolved",

    PublishedSourcesDisagree = "published_sources_disagree",

    PublishedConfigInsecureTransport = "published_config_insecure_transport",

    PublishedConfigInvalid = "published_config_invalid",

    PublishedWorkingUnlisted = "published_working_unlisted",

    PublishedNone = "published_none",

    PublishedUnreadable = "published_unreadable",

    AutodiscoverCnameMissing = "autodiscover_cname_missing",

    AutodiscoverCnameElsewhere = "autodiscover_cname_elsewhere",

    ThunderbirdSetupWorks = "thunderbird_setup_works",

    ThunderbirdSetupBroken = "thunderbird_setup_broken",

    ThunderbirdSetupUnconfirmed = "thunderbird_setup_unconfirmed",

    ThunderbirdGuesses = "thunderbird_guesses",
} }

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishedFact {
    // What mail clients are told
    PublishedSettingConfirmed {
        setting: Announced,
        methods: Vec<Method>,
    },
    /// Every address failed; `instead` is a confirmed setting of the same protocol.
    PublishedSettingBroken {
        setting: Announced,
        methods: Vec<Method>,
        why: Unconfirmed,
        instead: Option<SettingRef>,
    },
    PublishedSettingUnconfirmed {
        setting: Announced,
        methods: Vec<Method>,
        why: Unconfirmed,
    },
    /// Published without encryption.
    PublishedSettingInsecure {
        setting: Announced,
        methods: Vec<Method>,
        instead: Option<SettingRef>,
    },
    PublishedHostUnresolved {
        setting: Announced,
        methods: Vec<Method>,
    },
    /// The first incoming (or outgoing) setting differs between sources.
    PublishedSourcesDisagree {
        incoming: bool,
        choices: Vec<(Vec<Method>, Announced)>,
    },
    /// Configuration only over plain HTTP.
    PublishedConfigInsecureTransport { method: Method, url: String },
    PublishedConfigInvalid {
        method: Method,
        url: String,
        error: crate::published::xml::XmlError,
    },
    /// A recommended, confirmed setting no source publishes.
    PublishedWorkingUnlisted { incoming: bool, setting: SettingRef },
    /// No autoconfig or Autodiscover source announces anything; `thunderbird_finds`: Mozilla's
    /// ISPDB or the MX's autoconfig still gives Thunderbird settings.
    PublishedNone { thunderbird_finds: bool },
    /// Nothing usable was read, and these sources could not be read at all: whether anything
    /// is published is unknown (never "nothing published").
    PublishedUnreadable {
        /// Each source that could not be read: its method, the URL asked, what happened.
        failed: Vec<(crate::published::Method, String, Outcome)>,
    },
    /// Microsoft 365's `autodiscover.<domain>` CNAME is missing or points elsewhere.
    AutodiscoverCname {
        found: crate::published::MicrosoftCname,
    },
    /// Where Thunderbird's wizard takes the settings from (the first source in its order that
    /// gave any), and what the probes said of the first incoming and outgoing one it sets up.
    ThunderbirdSetup {
        method: crate::published::Method,
        url: String,
        chosen: Vec<(
            crate::published::Setting,
            crate::judge::published::CheckResult,
        )>,
    },
    /// No source gives Thunderbird settings: its wizard guesses host names.
    ThunderbirdGuesses,
}

impl PublishedFact {
    pub fn code(&self) -> Code {
        match self {
            Self::PublishedSettingConfirmed { .. } => Code::PublishedSettingConfirmed,
            Self::PublishedSettingBroken { .. } => Code::PublishedSettingBroken,
            Self::PublishedSettingUnconfirmed { .. } => Code::PublishedSettingUnconfirmed,
            Self::PublishedSettingInsecure { .. } => Code::PublishedSettingInsecure,
            Self::PublishedHostUnresolved { .. } => Code::PublishedHostUnresolved,
            Self::PublishedSourcesDisagree { .. } => Code::PublishedSourcesDisagree,
            Self::PublishedConfigInsecureTransport { .. } => Code::PublishedConfigInsecureTransport,
            Self::PublishedConfigInvalid { .. } => Code::PublishedConfigInvalid,
            Self::PublishedWorkingUnlisted { .. } => Code::PublishedWorkingUnlisted,
            Self::PublishedNone { .. } => Code::PublishedNone,
            Self::PublishedUnreadable { .. } => Code::PublishedUnreadable,
            Self::AutodiscoverCname {
                found: crate::published::MicrosoftCname::Missing,
            } => Code::AutodiscoverCnameMissing,
            Self::AutodiscoverCname { .. } => Code::AutodiscoverCnameElsewhere,
            Self::ThunderbirdSetup { chosen, .. } => {
                use crate::judge::published::CheckResult;
                if chosen
                    .iter()
                    .any(|(_, r)| matches!(r, CheckResult::Failed(_) | CheckResult::Unresolved))
                {
                    Code::ThunderbirdSetupBroken
                } else if chosen.iter().all(|(_, r)| *r == CheckResult::Confirmed) {
                    Code::ThunderbirdSetupWorks
                } else {
                    Code::ThunderbirdSetupUnconfirmed
                }
            }
            Self::ThunderbirdGuesses => Code::ThunderbirdGuesses,
        }
    }
}

impl From<PublishedFact> for Fact {
    fn from(f: PublishedFact) -> Self {
        Fact::Published(f)
    }
}
