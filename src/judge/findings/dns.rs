//! What the domain's DNS says through the resolver: MX, SRV, addresses.
//! Each fact's code is here; its severity is in `judge::policy::dns` and its words in
//! `words::dns`: a fact without both does not compile.

use super::*;

codes! { Dns => DnsCode {

    DnsFailure = "dns_failure",

    Nxdomain = "nxdomain",

    NullMx = "null_mx",

    NullMxWithOtherRecords = "null_mx_with_other_records",

    NoMailRecords = "no_mail_records",

    ImplicitMx = "implicit_mx",

    MxIsIpAddress = "mx_is_ip_address",

    MxIsCname = "mx_is_cname",

    MxUnresolvable = "mx_unresolvable",

    MxPrivateAddress = "mx_private_address",

    MxMixedProviders = "mx_mixed_providers",

    MxTruncated = "mx_truncated",

    MxGateway = "mx_gateway",

    DnsPartialFailure = "dns_partial_failure",

    SrvNotOffered = "srv_not_offered",

    SrvDnsError = "srv_dns_error",

    SrvTruncated = "srv_truncated",

    SrvTargetUnresolvable = "srv_target_unresolvable",

    HostUnresolvable = "host_unresolvable",

    /// *New*: one of several DNS servers does not answer (or refuses connections).
    ResolverUnreachable = "resolver_unreachable",

    MxSharedPreference = "mx_shared_preference",
} }

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsFact {
    // DNS
    NullMx {
        domain: String,
    },
    ImplicitMx {
        domain: String,
    },
    Nxdomain {
        domain: String,
    },
    NoMailRecords {
        domain: String,
    },
    DnsFailure {
        domain: String,
        error: Option<LookupError>,
    },
    NullMxWithOtherRecords,
    MxTruncated {
        total: usize,
        kept: usize,
    },
    DnsPartialFailure {
        name: String,
        /// "A" or "AAAA".
        record_type: &'static str,
        error: LookupError,
        /// True when the name is an MX host (else the domain itself).
        is_mx: bool,
    },
    MxIsIpAddress {
        name: String,
    },
    MxIsCname {
        name: String,
        chain: Vec<String>,
    },
    MxUnresolvable {
        name: String,
        error: LookupError,
        /// True when no MX host resolves at all.
        all: bool,
    },
    MxPrivateAddress {
        name: String,
        addresses: Vec<IpAddr>,
    },
    MxMixedProviders {
        operators: Vec<String>,
    },
    MxGateway {
        provider: String,
    },
    /// Several providers share the most preferred MX preference.
    MxSharedPreference {
        providers: Vec<String>,
    },
    SrvNotOffered {
        service: String,
    },
    SrvDnsError {
        service: String,
        error: LookupError,
    },
    SrvTruncated {
        service: String,
    },
    /// A name the domain or the user pointed at does not resolve.
    Unresolvable {
        name: String,
        error: LookupError,
        /// True for an SRV target.
        srv_target: bool,
    },
    /// A DNS server asked did not answer while others did.
    ResolverUnreachable {
        server: std::net::SocketAddr,
        /// Refused at once (nothing listens there), rather than silent.
        refused: bool,
        waited_ms: u64,
    },
}

impl DnsFact {
    pub fn code(&self) -> Code {
        match self {
            Self::NullMx { .. } => Code::NullMx,
            Self::ImplicitMx { .. } => Code::ImplicitMx,
            Self::Nxdomain { .. } => Code::Nxdomain,
            Self::NoMailRecords { .. } => Code::NoMailRecords,
            Self::DnsFailure { .. } => Code::DnsFailure,
            Self::NullMxWithOtherRecords => Code::NullMxWithOtherRecords,
            Self::MxTruncated { .. } => Code::MxTruncated,
            Self::DnsPartialFailure { .. } => Code::DnsPartialFailure,
            Self::MxIsIpAddress { .. } => Code::MxIsIpAddress,
            Self::MxIsCname { .. } => Code::MxIsCname,
            Self::MxUnresolvable { .. } => Code::MxUnresolvable,
            Self::MxPrivateAddress { .. } => Code::MxPrivateAddress,
            Self::MxMixedProviders { .. } => Code::MxMixedProviders,
            Self::MxGateway { .. } => Code::MxGateway,
            Self::MxSharedPreference { .. } => Code::MxSharedPreference,
            Self::SrvNotOffered { .. } => Code::SrvNotOffered,
            Self::SrvDnsError { .. } => Code::SrvDnsError,
            Self::SrvTruncated { .. } => Code::SrvTruncated,
            Self::Unresolvable {
                srv_target: true, ..
            } => Code::SrvTargetUnresolvable,
            Self::Unresolvable { .. } => Code::HostUnresolvable,
            Self::ResolverUnreachable { .. } => Code::ResolverUnreachable,
        }
    }
}

impl From<DnsFact> for Fact {
    fn from(f: DnsFact) -> Self {
        Fact::Dns(f)
    }
}
