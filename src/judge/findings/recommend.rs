//! What the recommendation concluded: which settings work, and the login.
//! Each fact's code is here; its severity is in `judge::policy::recommend` and its words in
//! `words::recommend`: a fact without both does not compile.

use super::*;

codes! { Recommend => RecommendCode {

    NoWorkingIncoming = "no_working_incoming",

    NoWorkingOutgoing = "no_working_outgoing",

    LoginNotAccepted = "login_not_accepted",

    OnlyPort25Works = "only_port25_works",
} }

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecommendFact {
    // The recommendation
    NoWorkingIncoming {
        best: Option<SettingRef>,
    },
    NoWorkingOutgoing {
        best: Option<SettingRef>,
    },
    /// `--login` was not accepted on a chosen setting (rejected, not attempted, or failed).
    LoginNotAccepted {
        service: Service,
        host: String,
        outcome: crate::probe::login::LoginOutcome,
        /// What the refusal means, when the reply is a known one.
        decoded: Option<crate::judge::refusals::Decoded>,
    },
    OnlyPort25Works,
}

impl RecommendFact {
    pub fn code(&self) -> Code {
        match self {
            Self::NoWorkingIncoming { .. } => Code::NoWorkingIncoming,
            Self::NoWorkingOutgoing { .. } => Code::NoWorkingOutgoing,
            Self::LoginNotAccepted { .. } => Code::LoginNotAccepted,
            Self::OnlyPort25Works => Code::OnlyPort25Works,
        }
    }
}

impl From<RecommendFact> for Fact {
    fn from(f: RecommendFact) -> Self {
        Fact::Recommend(f)
    }
}
