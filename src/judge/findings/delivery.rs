//! What senders check before delivering: MTA-STS, TLS-RPT, DANE, SPF, DMARC.
//! Each fact's code is here; its severity is in `judge::policy::delivery` and its words in
//! `words::delivery`: a fact without both does not compile.

use super::*;

codes! { Delivery => DeliveryCode {

    MtaStsMxNotCovered = "mta_sts_mx_not_covered",

    MtaStsCertificateInvalid = "mta_sts_certificate_invalid",

    MtaStsNoStarttls = "mta_sts_no_starttls",

    MtaStsPolicyInvalid = "mta_sts_policy_invalid",

    MtaStsPolicyUnavailable = "mta_sts_policy_unavailable",

    MtaStsRecordMissing = "mta_sts_record_missing",

    MtaStsRecordInvalid = "mta_sts_record_invalid",

    MtaStsInOrder = "mta_sts_in_order",

    MtaStsNotChecked = "mta_sts_not_checked",

    TlsRptMissing = "tls_rpt_missing",

    TlsRptInvalid = "tls_rpt_invalid",

    DaneTlsaMismatch = "dane_tlsa_mismatch",

    DaneNoStarttls = "dane_no_starttls",

    DaneZoneInsecure = "dane_zone_insecure",

    DaneLookupFailed = "dane_lookup_failed",

    DaneInOrder = "dane_in_order",

    DaneNotVerified = "dane_not_verified",

    SpfMissing = "spf_missing",

    SpfInvalid = "spf_invalid",

    SpfNotAuthorizingServer = "spf_not_authorizing_server",

    SpfAuthorizesServer = "spf_authorizes_server",

    SpfTooManyLookups = "spf_too_many_lookups",

    SpfTooManyVoidLookups = "spf_too_many_void_lookups",

    SpfIncludeWithoutSpf = "spf_include_without_spf",

    SpfAllPass = "spf_all_pass",

    SpfAllNeutral = "spf_all_neutral",

    SpfPtr = "spf_ptr",

    SpfTreeIncomplete = "spf_tree_incomplete",

    DmarcMissing = "dmarc_missing",

    DmarcInvalid = "dmarc_invalid",

    DmarcPolicy = "dmarc_policy",
} }

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryFact {
    /// An MX the MTA-STS policy does not list.
    MtaStsMxNotCovered {
        host: String,
        mode: MtaStsMode,
        patterns: Vec<String>,
    },
    /// A covered MX whose port-25 certificate senders will not accept under MTA-STS.
    MtaStsCertificateInvalid {
        host: String,
        address: IpAddr,
        mode: MtaStsMode,
        problem: CertProblem,
    },
    /// A covered MX that offers no STARTTLS (or whose upgrade fails) on port 25.
    MtaStsNoStarttls {
        host: String,
        address: IpAddr,
        mode: MtaStsMode,
    },
    MtaStsPolicyInvalid {
        url: String,
        problems: Vec<crate::delivery::mta_sts::PolicyProblem>,
    },
    /// The `_mta-sts` record exists, but the policy cannot be fetched.
    MtaStsPolicyUnavailable {
        url: String,
        why: PolicyFetch,
    },
    /// A policy is served, but no `_mta-sts` record tells senders to fetch it.
    MtaStsRecordMissing {
        domain: String,
    },
    /// Several `v=STSv1` records, or one that does not parse.
    MtaStsRecordInvalid {
        domain: String,
        record: Option<String>,
    },
    /// Every MX covered, offering STARTTLS with a certificate valid for its name.
    MtaStsInOrder {
        mode: MtaStsMode,
        hosts: usize,
    },
    /// A policy applies, but no MX could be reached on port 25 from here.
    MtaStsNotChecked {
        mode: MtaStsMode,
    },
    /// MTA-STS or DANE is used, but senders are not told where to report failures.
    TlsRptMissing {
        domain: String,
    },
    TlsRptInvalid {
        domain: String,
        record: Option<String>,
    },
    /// DNSSEC-secure TLSA records, none of which matches the certificate HOST presents.
    DaneTlsaMismatch {
        host: String,
        address: IpAddr,
        records: usize,
    },
    /// DNSSEC-secure TLSA records, but no STARTTLS on port 25.
    DaneNoStarttls {
        host: String,
        address: IpAddr,
    },
    /// TLSA records the resolver did not vouch for: senders ignore them.
    DaneZoneInsecure {
        host: String,
        basis: DnssecBasis,
        /// The MX set itself was secure.
        mx_secure: bool,
    },
    /// The TLSA lookup failed (SERVFAIL: with DNSSEC, often a bogus signature).
    DaneLookupFailed {
        host: String,
        basis: DnssecBasis,
    },
    DaneInOrder {
        host: String,
        basis: DnssecBasis,
    },
    /// Secure TLSA records, but port 25 was not reached from here.
    DaneNotVerified {
        host: String,
    },
    SpfMissing {
        domain: String,
    },
    SpfInvalid {
        domain: String,
        record: Option<String>,
    },
    /// The outgoing server (or the provider's sending domain) is not authorised by SPF.
    SpfNotAuthorizingServer {
        domain: String,
        sender: SpfSender,
        dmarc: Option<crate::delivery::sender::DmarcPolicy>,
    },
    SpfAuthorizesServer {
        domain: String,
        sender: SpfSender,
    },
    /// More DNS-querying terms than RFC 7208 allows (10): a permerror for every sender.
    SpfTooManyLookups {
        domain: String,
        lookups: usize,
    },
    /// More than 2 lookups that give nothing: a permerror for every sender.
    SpfTooManyVoidLookups {
        domain: String,
        names: Vec<String>,
    },
    /// An `include` or `redirect` of a name without an SPF record: a permerror for every sender.
    SpfIncludeWithoutSpf {
        domain: String,
        targets: Vec<String>,
    },
    /// `+all`: every address in the world passes SPF as the domain.
    SpfAllPass {
        domain: String,
    },
    /// `?all`: SPF says nothing about senders it does not list.
    SpfAllNeutral {
        domain: String,
    },
    /// The `ptr` mechanism (RFC 7208 5.5: SHOULD NOT be used; slow, and some receivers skip it).
    SpfPtr {
        domain: String,
    },
    /// Part of the SPF tree could not be read (or was too large to follow): its counts are
    /// lower bounds.
    SpfTreeIncomplete {
        domain: String,
        unreadable: Vec<String>,
        truncated: bool,
    },
    DmarcMissing {
        domain: String,
    },
    /// `record: None`: more than one DMARC record, so none applies (RFC 7489 6.6.3).
    DmarcInvalid {
        domain: String,
        record: Option<String>,
    },
    DmarcPolicy {
        domain: String,
        policy: crate::delivery::sender::DmarcPolicy,
        subdomains: Option<crate::delivery::sender::DmarcPolicy>,
        reports: bool,
    },
}

impl DeliveryFact {
    pub fn code(&self) -> Code {
        match self {
            Self::MtaStsMxNotCovered { .. } => Code::MtaStsMxNotCovered,
            Self::MtaStsCertificateInvalid { .. } => Code::MtaStsCertificateInvalid,
            Self::MtaStsNoStarttls { .. } => Code::MtaStsNoStarttls,
            Self::MtaStsPolicyInvalid { .. } => Code::MtaStsPolicyInvalid,
            Self::MtaStsPolicyUnavailable { .. } => Code::MtaStsPolicyUnavailable,
            Self::MtaStsRecordMissing { .. } => Code::MtaStsRecordMissing,
            Self::MtaStsRecordInvalid { .. } => Code::MtaStsRecordInvalid,
            Self::MtaStsInOrder { .. } => Code::MtaStsInOrder,
            Self::MtaStsNotChecked { .. } => Code::MtaStsNotChecked,
            Self::TlsRptMissing { .. } => Code::TlsRptMissing,
            Self::TlsRptInvalid { .. } => Code::TlsRptInvalid,
            Self::DaneTlsaMismatch { .. } => Code::DaneTlsaMismatch,
            Self::DaneNoStarttls { .. } => Code::DaneNoStarttls,
            Self::DaneZoneInsecure { .. } => Code::DaneZoneInsecure,
            Self::DaneLookupFailed { .. } => Code::DaneLookupFailed,
            Self::DaneInOrder { .. } => Code::DaneInOrder,
            Self::DaneNotVerified { .. } => Code::DaneNotVerified,
            Self::SpfMissing { .. } => Code::SpfMissing,
            Self::SpfInvalid { .. } => Code::SpfInvalid,
            Self::SpfNotAuthorizingServer { .. } => Code::SpfNotAuthorizingServer,
            Self::SpfAuthorizesServer { .. } => Code::SpfAuthorizesServer,
            Self::SpfTooManyLookups { .. } => Code::SpfTooManyLookups,
            Self::SpfTooManyVoidLookups { .. } => Code::SpfTooManyVoidLookups,
            Self::SpfIncludeWithoutSpf { .. } => Code::SpfIncludeWithoutSpf,
            Self::SpfAllPass { .. } => Code::SpfAllPass,
            Self::SpfAllNeutral { .. } => Code::SpfAllNeutral,
            Self::SpfPtr { .. } => Code::SpfPtr,
            Self::SpfTreeIncomplete { .. } => Code::SpfTreeIncomplete,
            Self::DmarcMissing { .. } => Code::DmarcMissing,
            Self::DmarcInvalid { .. } => Code::DmarcInvalid,
            Self::DmarcPolicy { .. } => Code::DmarcPolicy,
        }
    }
}

impl From<DeliveryFact> for Fact {
    fn from(f: DeliveryFact) -> Self {
        Fact::Delivery(f)
    }
}
