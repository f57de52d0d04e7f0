//! How much each probe finding weighs.

use super::*;
use crate::judge::findings::{FailedAs, ProbeFact};

pub fn severity(fact: &ProbeFact) -> Severity {
    use Severity::*;
    match fact {
        ProbeFact::LocalResourceExhausted { .. } => Error,
        ProbeFact::Setting { problem, .. } => setting_severity(problem),
        ProbeFact::NoLocalIpv6 { .. }
        | ProbeFact::FamilyLeftNothing { .. }
        | ProbeFact::PortRefused { .. }
        | ProbeFact::PortsNotProbed { .. }
        | ProbeFact::CertificateValidForOtherHost { .. }
        | ProbeFact::CertificateNamesTruncated { .. }
        | ProbeFact::AddressesTruncated { .. }
        | ProbeFact::PublishedSettingsTruncated { .. } => Info,
        ProbeFact::PortBlockedLocally { .. }
        | ProbeFact::HostSilent { .. }
        | ProbeFact::HostUnreachable { .. }
        | ProbeFact::HostNotServingMail { .. }
        | ProbeFact::PortFiltered { .. }
        | ProbeFact::Ipv6Broken { .. }
        | ProbeFact::AddressFailing { .. }
        | ProbeFact::AddressInconsistent { .. }
        | ProbeFact::ProbeBudgetExhausted { .. }
        | ProbeFact::RunDeadlineReached { .. } => Warning,
        ProbeFact::Token { problem } => match problem {
            // Each makes the login fail, whatever the server: said before it is tried.
            crate::judge::token::TokenProblem::Expired { .. }
            | crate::judge::token::TokenProblem::AudienceWrong { .. }
            | crate::judge::token::TokenProblem::ScopeMissing { .. } => Error,
            crate::judge::token::TokenProblem::UserMismatch { .. } => Warning,
            crate::judge::token::TokenProblem::Opaque => Info,
        },
        ProbeFact::AdvertisedLimit { limit, .. } => match limit {
            // A client set to "None" would hand over its password; a second device on POP3
            // finds its mail gone.
            crate::judge::limits::Limit::AuthBeforeTls
            | crate::judge::limits::Limit::Pop3Expire { days: 0 } => Warning,
            _ => Info,
        },
    }
}

fn setting_severity(problem: &SettingProblem) -> Severity {
    match problem {
        SettingProblem::CertificateExpired { .. }
        | SettingProblem::CertificateChainExpired { .. }
        | SettingProblem::TlsInterceptionSuspected { .. }
        | SettingProblem::Failed {
            code: FailedAs::ImapPreauth | FailedAs::StarttlsInjection,
            ..
        } => Severity::Error,
        SettingProblem::CapabilitiesTruncated => Severity::Info,
        // A choice of the server's, worth knowing before an old device is set up.
        SettingProblem::Tls13Only => Severity::Info,
        // Senders wait minutes for a greeting; a client submitting mail waits less.
        SettingProblem::GreetingSlow { .. } => Severity::Info,
        SettingProblem::CertificateNameMismatch { .. }
        | SettingProblem::CertificateExpiresSoon { .. }
        | SettingProblem::CertificateNotYetValid { .. }
        | SettingProblem::CertificateUntrusted { .. }
        | SettingProblem::CertificateWeakKey { .. }
        | SettingProblem::CertificateWeakSignature { .. }
        // Thunderbird refuses, Outlook and Apple Mail do not look: a warning, not a refusal.
        | SettingProblem::CertificateMustStapleUnmet
        | SettingProblem::TlsLegacyAccepted { .. }
        | SettingProblem::NoStarttls
        | SettingProblem::NoStarttlsNoLogin
        | SettingProblem::PlaintextOnly
        | SettingProblem::LoginDisabled
        | SettingProblem::Failed { .. } => Severity::Warning,
    }
}
