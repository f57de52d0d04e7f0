//! How much each dns finding weighs.

use super::*;
use crate::judge::findings::DnsFact;

pub fn severity(fact: &DnsFact) -> Severity {
    use Severity::*;
    match fact {
        DnsFact::NullMx { .. }
        | DnsFact::Nxdomain { .. }
        | DnsFact::NoMailRecords { .. }
        | DnsFact::DnsFailure { .. }
        | DnsFact::NullMxWithOtherRecords
        | DnsFact::MxIsIpAddress { .. }
        | DnsFact::MxPrivateAddress { .. } => Error,
        DnsFact::MxUnresolvable { all, .. } => {
            if *all {
                Error
            } else {
                Warning
            }
        }
        DnsFact::MxGateway { .. }
        | DnsFact::MxSharedPreference { .. }
        | DnsFact::SrvNotOffered { .. } => Info,
        DnsFact::ImplicitMx { .. }
        | DnsFact::MxTruncated { .. }
        | DnsFact::DnsPartialFailure { .. }
        | DnsFact::MxIsCname { .. }
        | DnsFact::MxMixedProviders { .. }
        | DnsFact::SrvDnsError { .. }
        | DnsFact::SrvTruncated { .. }
        | DnsFact::Unresolvable { .. } => Warning,
        // The answers came from the others; lookups may have been slower for it.
        DnsFact::ResolverUnreachable { .. } => Warning,
    }
}
