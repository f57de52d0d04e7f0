//! How much each delivery finding weighs.

use super::*;
use crate::judge::findings::DeliveryFact;

pub fn severity(fact: &DeliveryFact) -> Severity {
    use Severity::*;
    match fact {
        DeliveryFact::MtaStsMxNotCovered { mode, .. }
        | DeliveryFact::MtaStsCertificateInvalid { mode, .. }
        | DeliveryFact::MtaStsNoStarttls { mode, .. } => match mode {
            // Enforcing senders refuse to deliver; testing ones deliver and report.
            MtaStsMode::Enforce => Error,
            MtaStsMode::Testing => Warning,
            MtaStsMode::None => Info,
        },
        DeliveryFact::SpfNotAuthorizingServer { dmarc, .. } => match dmarc {
            Some(DmarcPolicy::Reject | DmarcPolicy::Quarantine) => Error,
            _ => Warning,
        },
        DeliveryFact::DaneTlsaMismatch { .. }
        | DeliveryFact::DaneNoStarttls { .. }
        | DeliveryFact::MtaStsPolicyInvalid { .. }
        | DeliveryFact::SpfInvalid { .. }
        | DeliveryFact::SpfTooManyLookups { .. }
        | DeliveryFact::SpfTooManyVoidLookups { .. }
        | DeliveryFact::SpfIncludeWithoutSpf { .. }
        | DeliveryFact::SpfAllPass { .. } => Error,
        DeliveryFact::SpfAllNeutral { .. } | DeliveryFact::SpfPtr { .. } => Warning,
        DeliveryFact::SpfTreeIncomplete { .. } => Info,
        DeliveryFact::MtaStsPolicyUnavailable { .. }
        | DeliveryFact::MtaStsRecordMissing { .. }
        | DeliveryFact::MtaStsRecordInvalid { .. }
        | DeliveryFact::TlsRptInvalid { .. }
        | DeliveryFact::DaneZoneInsecure { .. }
        | DeliveryFact::DaneLookupFailed { .. }
        | DeliveryFact::SpfMissing { .. }
        | DeliveryFact::DmarcMissing { .. }
        | DeliveryFact::DmarcInvalid { .. } => Warning,
        DeliveryFact::MtaStsInOrder { .. }
        | DeliveryFact::MtaStsNotChecked { .. }
        | DeliveryFact::TlsRptMissing { .. }
        | DeliveryFact::DaneInOrder { .. }
        | DeliveryFact::DaneNotVerified { .. }
        | DeliveryFact::SpfAuthorizesServer { .. }
        | DeliveryFact::DmarcPolicy { .. } => Info,
    }
}
