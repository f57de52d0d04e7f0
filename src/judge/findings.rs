//! Findings: what the judgement concluded, as data. Each [`Fact`] carries what it is about;
//! its [`Code`] is stable (the README lists them), its severity comes from [`super::policy`],
//! and its words from `render::words`. Nothing here writes a sentence.

use std::net::IpAddr;

use crate::net::dns::LookupError;
use crate::probe::{Failure, Unreachable};
use crate::provider::PublishedSetting;
use crate::published::{Method, Outcome, Setting as Announced};
use crate::service::Service;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// Stable identifiers (the README lists them). New codes may be added; none is ever renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    // DNS discovery
    DnsFailure,
    Nxdomain,
    NullMx,
    NullMxWithOtherRecords,
    NoMailRecords,
    ImplicitMx,
    MxIsIpAddress,
    MxIsCname,
    MxUnresolvable,
    MxPrivateAddress,
    MxMixedProviders,
    MxTruncated,
    MxGateway,
    DnsPartialFailure,
    SrvNotOffered,
    SrvDnsError,
    SrvTruncated,
    SrvTargetUnresolvable,
    HostUnresolvable,
    // Probing
    PortBlockedLocally,
    PortFiltered,
    HostUnreachable,
    HostNotServingMail,
    PortRefused,
    PortsNotProbed,
    CertificateNameMismatch,
    CertificateValidForOtherHost,
    CertificateExpired,
    /// *New*: the leaf is valid, but an intermediate the server sends has expired.
    CertificateChainExpired,
    CertificateExpiresSoon,
    CertificateNotYetValid,
    CertificateUntrusted,
    TlsInterceptionSuspected,
    NoStarttls,
    StarttlsFailed,
    StarttlsInjection,
    PlaintextOnly,
    TlsHandshakeFailed,
    WrongProtocol,
    PlaintextOnTlsPort,
    TlsOnPlainPort,
    NoGreeting,
    GreetingRejected,
    /// *New*: an SMTP greeting began (`220-`) and its rest never came.
    GreetingUnfinished,
    /// *New*: the greeting came, but slowly; the likely cause is named.
    GreetingSlow,
    /// *New*: no STARTTLS and no login without it: no password login is possible at all.
    NoStarttlsNoLogin,
    /// *New*: an RSA key under 2048 bits or an EC key under 224.
    CertificateWeakKey,
    /// *New*: a certificate signed with MD5 or SHA-1.
    CertificateWeakSignature,
    /// *New*: the endpoint still accepts TLS 1.0 or 1.1 (RFC 8996).
    TlsLegacyAccepted,
    /// *New*: one of several DNS servers does not answer (or refuses connections).
    ResolverUnreachable,
    /// *New*: a bearer token's claims, read before it is used.
    TokenExpired,
    TokenAudienceWrong,
    TokenScopeMissing,
    TokenUserMismatch,
    TokenOpaque,
    /// *New*: limits the chosen settings advertise before login.
    MessageSizeLimit,
    Smtputf8Missing,
    AuthBeforeTls,
    VrfyEnabled,
    AppendLimit,
    Pop3Expire,
    Pop3LoginDelay,
    ImapPreauth,
    ServerSentTooMuch,
    CapabilitiesTruncated,
    LocalResourceExhausted,
    AddressesTruncated,
    PublishedSettingsTruncated,
    ProbeBudgetExhausted,
    RunDeadlineReached,
    CertificateNamesTruncated,
    AddressInconsistent,
    Ipv6Broken,
    NoLocalIpv6,
    FamilyLeftNothing,
    AddressFailing,
    LoginDisabled,
    NoWorkingIncoming,
    NoWorkingOutgoing,
    LoginNotAccepted,
    OnlyPort25Works,
    ProviderSettingConfirmed,
    ProviderSettingUnconfirmed,
    ProviderNotes,
    MxForwardingOnly,
    ProviderNoImap,
    ProviderSettingsUnverified,
    MxSharedPreference,
    // The zone's own name servers
    PropagationPending,
    AuthoritativeInconsistent,
    AuthoritativeUnreachable,
    NameserverLame,
    NameserverUnreachable,
    SpecialAddressNotContacted,
    DelegationMismatch,
    NameserversOneNetwork,
    // What senders check (delivery security)
    MtaStsMxNotCovered,
    MtaStsCertificateInvalid,
    MtaStsNoStarttls,
    MtaStsPolicyInvalid,
    MtaStsPolicyUnavailable,
    MtaStsRecordMissing,
    MtaStsRecordInvalid,
    MtaStsInOrder,
    MtaStsNotChecked,
    TlsRptMissing,
    TlsRptInvalid,
    DaneTlsaMismatch,
    DaneNoStarttls,
    DaneZoneInsecure,
    DaneLookupFailed,
    DaneInOrder,
    DaneNotVerified,
    SpfMissing,
    SpfInvalid,
    SpfNotAuthorizingServer,
    SpfAuthorizesServer,
    SpfTooManyLookups,
    SpfTooManyVoidLookups,
    SpfIncludeWithoutSpf,
    SpfAllPass,
    SpfAllNeutral,
    SpfPtr,
    SpfTreeIncomplete,
    PtrMissing,
    PtrNotConfirmed,
    PtrUnknown,
    PtrInOrder,
    GreetingNameNotConfirmed,
    /// *New*: a sending address is on a DNS blocklist (`--blocklists`).
    Blocklisted,
    /// *New*: a sending address is on none of the lists that could be asked.
    BlocklistsClear,
    /// *New*: a list gave no usable answer (refused resolver, rate limit, broken list).
    BlocklistCannotTell,
    /// *New*: port 25 accepted a recipient at an outside domain from here (`--relay-test`).
    OpenRelay,
    /// *New*: port 25 refused to relay from here.
    RelayRefused,
    /// *New*: the relay test could not be completed.
    RelayTestIncomplete,
    /// *New*: no SMTP server answered on port 25, so nothing was relay-tested.
    RelayNotTested,
    DmarcMissing,
    DmarcInvalid,
    DmarcPolicy,
    // What mail clients are told
    PublishedSettingConfirmed,
    PublishedSettingBroken,
    PublishedSettingUnconfirmed,
    PublishedSettingInsecure,
    PublishedHostUnresolved,
    PublishedSourcesDisagree,
    PublishedConfigInsecureTransport,
    PublishedConfigInvalid,
    PublishedWorkingUnlisted,
    PublishedNone,
    PublishedUnreadable,
    AutodiscoverCnameMissing,
    AutodiscoverCnameElsewhere,
    ThunderbirdSetupWorks,
    ThunderbirdSetupBroken,
    ThunderbirdSetupUnconfirmed,
    ThunderbirdGuesses,
}

/// A finding: a fact with its stable code and severity, and where it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub code: Code,
    pub fact: Fact,
    pub host: Option<String>,
    pub port: Option<u16>,
}

impl Finding {
    /// A finding with the code the fact implies and the severity policy gives it.
    pub fn new(fact: Fact) -> Self {
        Self {
            severity: super::policy::severity(&fact),
            code: fact.code(),
            fact,
            host: None,
            port: None,
        }
    }

    pub fn at(mut self, host: &str, port: Option<u16>) -> Self {
        self.host = Some(host.to_string());
        self.port = port;
        self
    }
}

/// The host names that share one address, for findings about that address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostLabel {
    pub names: Vec<String>,
    pub address: IpAddr,
}

/// The MTA-STS mode a policy sets (what a failure means for senders).
pub use crate::delivery::mta_sts::Mode as MtaStsMode;

/// Why a certificate fails a sender's check (MTA-STS: trusted and valid for the MX name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertProblem {
    NotValidForName,
    Untrusted(crate::probe::tls::CertVerdict),
}

/// Why an MTA-STS policy could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyFetch {
    Failed(crate::net::http::FetchError),
    Status(u16),
}

/// Whose word a DNSSEC status rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnssecBasis {
    /// mailprobe's own validation (the root keys, plus this many from `--trust-anchor`).
    Own { extra_anchors: usize },
    /// The AD bit of this resolver: mailprobe's own validation could not decide.
    Resolver(std::net::SocketAddr),
}

/// Whose sending SPF was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpfSender {
    /// A server mailprobe probed (the recommended outgoing one), by one of its addresses.
    Server {
        host: String,
        address: IpAddr,
        result: crate::delivery::sender::SpfResult,
    },
    /// A recognised provider, by the include its help pages publish.
    Provider { name: String, include: String },
}

/// A name server that serves something else than the newest of its zone's servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lagging {
    pub name: String,
    pub address: IpAddr,
    pub serial: Option<u32>,
    /// Its MX set (preference, exchange); `None` when it did not say.
    pub mx: Option<Vec<(u16, String)>>,
    /// Whether the MX hosts only it still names answer SMTP from here (`None`: it names none
    /// the newest servers do not, or none was probed).
    pub old_mx_answers: Option<bool>,
    /// In-zone hosts the newest servers give addresses for and it has none for.
    pub no_address_for: Vec<String>,
}

/// A host the resolver holds as "no such name" or "no address" while the zone's newest
/// servers give it addresses: probed at those.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbedFromSource {
    pub name: String,
    pub addresses: Vec<IpAddr>,
    /// Whether any probe of it works (`None`: none was made).
    pub works: Option<bool>,
}

/// A setting named in a finding: enough to say "host:port (SSL/TLS)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingRef {
    pub host: String,
    pub port: u16,
    pub security: super::ClientSecurity,
}

/// Why a provider's published setting could not be confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unconfirmed {
    /// Every address failed; the first failure.
    Failed { service: Service, failure: Failure },
    /// It answers, but not cleanly.
    Warnings(Vec<Code>),
    /// It was not probed (no address, or its port was not selected).
    NotProbed,
    /// Its probes were never made: this limit of the run left them out. Not a failure.
    Skipped(crate::probe::Skip),
}

/// A problem of one setting (host and service), grouped over the hosts and ports that share it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SettingProblem {
    CertificateNameMismatch {
        names: Vec<String>,
        /// The certificate names hosts only in its subject CN, which clients ignore.
        cn_only: bool,
    },
    CertificateExpired {
        not_after: String,
        days_ago: i64,
    },
    /// An intermediate the server sends has expired (the leaf itself is still valid).
    CertificateChainExpired {
        subject: String,
        not_after: String,
        days_ago: i64,
    },
    CertificateExpiresSoon {
        not_after: String,
        days_left: i64,
    },
    CertificateNotYetValid {
        not_before: String,
    },
    CertificateUntrusted {
        issuer: String,
        subject: String,
        self_signed: bool,
        /// The server sent the leaf alone and its issuer is unknown: an incomplete chain is the
        /// likely cause.
        leaf_only: bool,
        /// A signature in the chain did not verify: the leaf's own algorithm, when it is one
        /// clients refuse (SHA-1, MD5), else `None`.
        bad_signature: Option<Option<&'static str>>,
    },
    /// A recognised provider's own host presented a certificate for other names.
    TlsInterceptionSuspected {
        issuer: String,
        names: Vec<String>,
    },
    CertificateWeakKey {
        key: crate::probe::tls::KeyKind,
        bits: u32,
    },
    CertificateWeakSignature {
        algorithm: &'static str,
    },
    /// Hellos offering only these versions were answered with a ServerHello for them.
    TlsLegacyAccepted {
        versions: Vec<crate::probe::tls::legacy::LegacyVersion>,
    },
    NoStarttls,
    /// No STARTTLS, and no login offered without it.
    NoStarttlsNoLogin,
    PlaintextOnly,
    LoginDisabled,
    CapabilitiesTruncated,
    /// The greeting took long; why, as far as the timings tell.
    GreetingSlow {
        cause: SlowGreeting,
        /// From the connection to the greeting's first and last line.
        first_ms: u64,
        last_ms: u64,
    },
    /// The probe failed; `code` says which kind of failure finding it is.
    Failed {
        code: Code,
        service: Service,
        failure: Failure,
        /// What the server's refusal (of the greeting or of STARTTLS) means, when known.
        decoded: Option<super::refusals::Decoded>,
    },
}

/// What a slow greeting's timings point to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SlowGreeting {
    /// A `220-` teaser at once, the rest after a pause: an anti-spam gate watching whether the
    /// client talks too early (Postfix postscreen's greet wait).
    TeaserPause,
    /// The delay is close to a whole resolver or ident timeout (5, 10, 15, 30 s): the server
    /// looked up this client's address (reverse DNS, ident) and the lookup timed out.
    LookupTimeout { seconds: u64 },
    /// Only SMTP is slow: other protocols on the same address greeted at once (a deliberate
    /// greet delay: Sendmail greet_pause, Postfix `sleep`, Exim's connect ACL delay).
    SmtpOnly,
    /// Slow with no pattern: a busy server, a tarpit, or a proxy.
    Unexplained,
}

/// What a finding says, with its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
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
    /// Several providers share the most preferred MX preference.
    MxSharedPreference {
        providers: Vec<String>,
    },
    /// The resolver still holds addresses (or a "no such name") for a host that the zone's
    /// servers no longer serve.
    AddressPropagationPending {
        name: String,
        /// Empty: the resolver says the name has no address.
        resolver: Vec<IpAddr>,
        source: Vec<IpAddr>,
        /// Seconds until the resolver's copy expires, when known (a negative answer's is not).
        refresh_in: Option<u32>,
        refresh_at: Option<i64>,
        source_ttl: Option<u32>,
    },
    /// The resolver still holds an MX set the zone's servers no longer serve.
    PropagationPending {
        resolver_mx: Vec<(u16, String)>,
        source_mx: Vec<(u16, String)>,
        /// Seconds until the resolver's copy expires.
        refresh_in: u32,
        /// When that is (Unix seconds).
        refresh_at: i64,
        /// The TTL the zone gives the MX set: how long other resolvers may keep the old one.
        source_ttl: Option<u32>,
        /// Whether a host only the new MX set names already answers SMTP from here
        /// (None: not probed for SMTP).
        new_mx_works: Option<bool>,
    },
    /// Name servers of one zone serve different serials or MX sets.
    AuthoritativeInconsistent {
        zone: String,
        newest_serial: Option<u32>,
        newest_mx: Vec<(u16, String)>,
        /// The servers that differ from the newest.
        lagging: Vec<Lagging>,
        /// Hosts this resolver holds a lagging server's negative answer for.
        resolver_missing: Vec<ProbedFromSource>,
    },
    /// None of the zone's name servers answered from here.
    AuthoritativeUnreachable {
        zone: String,
        servers: usize,
    },
    NameserverLame {
        name: String,
        address: IpAddr,
        zone: String,
        /// It refused, rather than answering without authority.
        refused: bool,
    },
    NameserverUnreachable {
        name: String,
        address: IpAddr,
    },
    /// A name server of a public domain has a special-purpose address: never asked.
    NameserverSpecialAddress {
        name: String,
        address: IpAddr,
        class: crate::net::address::AddressClass,
    },
    /// A listed name server has no address at all (no glue, no A/AAAA).
    NameserverNoAddress {
        name: String,
        zone: String,
    },
    DelegationMismatch {
        zone: String,
        parent: Vec<String>,
        child: Vec<String>,
    },
    NameserversOneNetwork {
        zone: String,
        /// The /24 they all share (its first address).
        network: std::net::Ipv4Addr,
    },
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
    /// A sending address without a PTR record.
    PtrMissing {
        host: String,
        address: std::net::IpAddr,
    },
    /// PTR names, none of which resolves back to the address.
    PtrNotConfirmed {
        host: String,
        address: std::net::IpAddr,
        names: Vec<String>,
    },
    /// The PTR lookup failed: nothing can be said.
    PtrUnknown {
        host: String,
        address: std::net::IpAddr,
        error: crate::net::dns::LookupError,
    },
    /// A PTR whose name resolves back to the address.
    PtrInOrder {
        host: String,
        address: std::net::IpAddr,
        name: String,
    },
    /// The name in the server's greeting does not resolve to the server's address.
    GreetingNameNotConfirmed {
        host: String,
        address: std::net::IpAddr,
        name: String,
        /// Where the name was seen: its greeting, or the HELO a receiver recorded.
        seen: crate::sending::Seen,
    },
    /// A sending address a blocklist lists, with the list's codes and its own reason.
    Blocklisted {
        host: String,
        address: std::net::IpAddr,
        zone: String,
        list: Option<&'static crate::sending::blocklists::KnownList>,
        codes: Vec<(std::net::Ipv4Addr, crate::sending::blocklists::Meaning)>,
        reason: Option<String>,
    },
    /// A sending address on none of the lists that gave usable answers.
    BlocklistsClear {
        host: String,
        address: std::net::IpAddr,
        zones: Vec<String>,
    },
    /// A list whose answers cannot be trusted from here, and the addresses left unknown.
    BlocklistCannotTell {
        zone: String,
        why: crate::sending::blocklists::CannotTell,
        addresses: Vec<std::net::IpAddr>,
    },
    /// Port 25 accepted `RCPT TO` an outside domain after `MAIL FROM` `sender` (no DATA sent).
    OpenRelay {
        host: String,
        address: std::net::IpAddr,
        sender: String,
        reply: crate::probe::ServerReply,
    },
    /// Port 25 refused to relay; `reply` is its refusal.
    RelayRefused {
        host: String,
        address: std::net::IpAddr,
        reply: crate::probe::ServerReply,
    },
    /// The relay test ended early: the session failed (`failure`) or a command got no reply.
    RelayTestIncomplete {
        host: String,
        address: std::net::IpAddr,
        failure: Option<crate::probe::Failure>,
    },
    RelayNotTested,
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
    // Probing
    /// `-4`/`-6` left out every address the plan had: nothing was probed.
    FamilyLeftNothing {
        ipv6: bool,
        left_out: usize,
    },
    NoLocalIpv6 {
        addresses: usize,
    },
    PortBlockedLocally {
        port: u16,
        addresses: usize,
    },
    HostSilent {
        host: HostLabel,
    },
    HostUnreachable {
        host: HostLabel,
        why: Unreachable,
    },
    HostNotServingMail {
        host: HostLabel,
    },
    PortRefused {
        host: HostLabel,
        ports: Vec<u16>,
    },
    PortFiltered {
        host: HostLabel,
        ports: Vec<u16>,
    },
    /// Standard ports left out with `--ports`: nothing is concluded about them.
    PortsNotProbed {
        ports: Vec<u16>,
    },
    /// This machine ran out of a resource (file descriptors): the failures are local.
    LocalResourceExhausted {
        probes: usize,
    },
    /// More settings were published than are probed.
    PublishedSettingsTruncated {
        total: usize,
        kept: usize,
    },
    AddressesTruncated {
        name: String,
        total: usize,
        kept: usize,
    },
    ProbeBudgetExhausted {
        planned: usize,
        kept: usize,
    },
    RunDeadlineReached {
        skipped: usize,
    },
    CertificateNamesTruncated {
        subject: String,
        total: usize,
        kept: usize,
    },
    /// Some addresses of a working setting answer with problems the best one does not have.
    AddressInconsistent {
        host: String,
        port: u16,
        addresses: Vec<IpAddr>,
        warnings: Vec<Code>,
    },
    Setting {
        hosts: Vec<String>,
        ports: Vec<u16>,
        problem: SettingProblem,
    },
    Ipv6Broken {
        host: String,
        port: u16,
        addresses: Vec<IpAddr>,
    },
    AddressFailing {
        host: String,
        port: u16,
        addresses: Vec<IpAddr>,
    },
    CertificateValidForOtherHost {
        name: String,
        ports: Vec<u16>,
        /// The hosts whose certificate named it.
        presented_by: Vec<String>,
    },
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
        decoded: Option<super::refusals::Decoded>,
    },
    OnlyPort25Works,
    /// A DNS server asked did not answer while others did.
    ResolverUnreachable {
        server: std::net::SocketAddr,
        /// Refused at once (nothing listens there), rather than silent.
        refused: bool,
        waited_ms: u64,
    },
    /// What a bearer token's own claims say, read before it is used.
    Token {
        problem: super::token::TokenProblem,
    },
    /// A limit a chosen setting advertises before login.
    AdvertisedLimit {
        host: String,
        port: u16,
        limit: super::limits::Limit,
    },
    ProviderSettingConfirmed {
        setting: PublishedSetting,
    },
    ProviderSettingUnconfirmed {
        setting: PublishedSetting,
        why: Unconfirmed,
    },
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
    PublishedConfigInsecureTransport {
        method: Method,
        url: String,
    },
    PublishedConfigInvalid {
        method: Method,
        url: String,
        error: crate::published::xml::XmlError,
    },
    /// A recommended, confirmed setting no source publishes.
    PublishedWorkingUnlisted {
        incoming: bool,
        setting: SettingRef,
    },
    /// No autoconfig or Autodiscover source announces anything; `thunderbird_finds`: Mozilla's
    /// ISPDB or the MX's autoconfig still gives Thunderbird settings.
    PublishedNone {
        thunderbird_finds: bool,
    },
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
        chosen: Vec<(crate::published::Setting, super::published::CheckResult)>,
    },
    /// No source gives Thunderbird settings: its wizard guesses host names.
    ThunderbirdGuesses,
}

impl Fact {
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
            Self::ProviderNotes { .. } => Code::ProviderNotes,
            Self::NoClientMailbox {
                forwarding: true, ..
            } => Code::MxForwardingOnly,
            Self::NoClientMailbox { .. } => Code::ProviderNoImap,
            Self::ProviderSettingsUnverified { .. } => Code::ProviderSettingsUnverified,
            Self::MxSharedPreference { .. } => Code::MxSharedPreference,
            Self::PropagationPending { .. } | Self::AddressPropagationPending { .. } => {
                Code::PropagationPending
            }
            Self::AuthoritativeInconsistent { .. } => Code::AuthoritativeInconsistent,
            Self::AuthoritativeUnreachable { .. } => Code::AuthoritativeUnreachable,
            Self::NameserverLame { .. } => Code::NameserverLame,
            Self::NameserverUnreachable { .. } | Self::NameserverNoAddress { .. } => {
                Code::NameserverUnreachable
            }
            Self::NameserverSpecialAddress { .. } => Code::SpecialAddressNotContacted,
            Self::DelegationMismatch { .. } => Code::DelegationMismatch,
            Self::NameserversOneNetwork { .. } => Code::NameserversOneNetwork,
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
            Self::PtrMissing { .. } => Code::PtrMissing,
            Self::PtrNotConfirmed { .. } => Code::PtrNotConfirmed,
            Self::PtrUnknown { .. } => Code::PtrUnknown,
            Self::PtrInOrder { .. } => Code::PtrInOrder,
            Self::GreetingNameNotConfirmed { .. } => Code::GreetingNameNotConfirmed,
            Self::Blocklisted { .. } => Code::Blocklisted,
            Self::BlocklistsClear { .. } => Code::BlocklistsClear,
            Self::BlocklistCannotTell { .. } => Code::BlocklistCannotTell,
            Self::OpenRelay { .. } => Code::OpenRelay,
            Self::RelayRefused { .. } => Code::RelayRefused,
            Self::RelayTestIncomplete { .. } => Code::RelayTestIncomplete,
            Self::RelayNotTested => Code::RelayNotTested,
            Self::DmarcMissing { .. } => Code::DmarcMissing,
            Self::DmarcInvalid { .. } => Code::DmarcInvalid,
            Self::DmarcPolicy { .. } => Code::DmarcPolicy,
            Self::SrvNotOffered { .. } => Code::SrvNotOffered,
            Self::SrvDnsError { .. } => Code::SrvDnsError,
            Self::SrvTruncated { .. } => Code::SrvTruncated,
            Self::Unresolvable {
                srv_target: true, ..
            } => Code::SrvTargetUnresolvable,
            Self::Unresolvable { .. } => Code::HostUnresolvable,
            Self::NoLocalIpv6 { .. } => Code::NoLocalIpv6,
            Self::FamilyLeftNothing { .. } => Code::FamilyLeftNothing,
            Self::PortBlockedLocally { .. } => Code::PortBlockedLocally,
            Self::HostSilent { .. } | Self::HostUnreachable { .. } => Code::HostUnreachable,
            Self::HostNotServingMail { .. } => Code::HostNotServingMail,
            Self::PortRefused { .. } => Code::PortRefused,
            Self::PortFiltered { .. } => Code::PortFiltered,
            Self::PortsNotProbed { .. } => Code::PortsNotProbed,
            Self::LocalResourceExhausted { .. } => Code::LocalResourceExhausted,
            Self::AddressesTruncated { .. } => Code::AddressesTruncated,
            Self::PublishedSettingsTruncated { .. } => Code::PublishedSettingsTruncated,
            Self::ProbeBudgetExhausted { .. } => Code::ProbeBudgetExhausted,
            Self::RunDeadlineReached { .. } => Code::RunDeadlineReached,
            Self::CertificateNamesTruncated { .. } => Code::CertificateNamesTruncated,
            Self::AddressInconsistent { .. } => Code::AddressInconsistent,
            Self::Setting { problem, .. } => problem.code(),
            Self::Ipv6Broken { .. } => Code::Ipv6Broken,
            Self::AddressFailing { .. } => Code::AddressFailing,
            Self::CertificateValidForOtherHost { .. } => Code::CertificateValidForOtherHost,
            Self::NoWorkingIncoming { .. } => Code::NoWorkingIncoming,
            Self::NoWorkingOutgoing { .. } => Code::NoWorkingOutgoing,
            Self::LoginNotAccepted { .. } => Code::LoginNotAccepted,
            Self::OnlyPort25Works => Code::OnlyPort25Works,
            Self::ResolverUnreachable { .. } => Code::ResolverUnreachable,
            Self::Token { problem } => match problem {
                super::token::TokenProblem::Expired { .. } => Code::TokenExpired,
                super::token::TokenProblem::AudienceWrong { .. } => Code::TokenAudienceWrong,
                super::token::TokenProblem::ScopeMissing { .. } => Code::TokenScopeMissing,
                super::token::TokenProblem::UserMismatch { .. } => Code::TokenUserMismatch,
                super::token::TokenProblem::Opaque => Code::TokenOpaque,
            },
            Self::AdvertisedLimit { limit, .. } => match limit {
                super::limits::Limit::MessageSize { .. } => Code::MessageSizeLimit,
                super::limits::Limit::NoSmtpUtf8 => Code::Smtputf8Missing,
                super::limits::Limit::AuthBeforeTls => Code::AuthBeforeTls,
                super::limits::Limit::VrfyEnabled => Code::VrfyEnabled,
                super::limits::Limit::AppendLimit { .. } => Code::AppendLimit,
                super::limits::Limit::Pop3Expire { .. } => Code::Pop3Expire,
                super::limits::Limit::Pop3LoginDelay { .. } => Code::Pop3LoginDelay,
            },
            Self::ProviderSettingConfirmed { .. } => Code::ProviderSettingConfirmed,
            Self::ProviderSettingUnconfirmed { .. } => Code::ProviderSettingUnconfirmed,
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
                use super::published::CheckResult;
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

impl SettingProblem {
    pub fn code(&self) -> Code {
        match self {
            Self::CertificateNameMismatch { .. } => Code::CertificateNameMismatch,
            Self::CertificateExpired { .. } => Code::CertificateExpired,
            Self::CertificateChainExpired { .. } => Code::CertificateChainExpired,
            Self::CertificateExpiresSoon { .. } => Code::CertificateExpiresSoon,
            Self::CertificateNotYetValid { .. } => Code::CertificateNotYetValid,
            Self::CertificateUntrusted { .. } => Code::CertificateUntrusted,
            Self::TlsInterceptionSuspected { .. } => Code::TlsInterceptionSuspected,
            Self::NoStarttls => Code::NoStarttls,
            Self::CertificateWeakKey { .. } => Code::CertificateWeakKey,
            Self::CertificateWeakSignature { .. } => Code::CertificateWeakSignature,
            Self::TlsLegacyAccepted { .. } => Code::TlsLegacyAccepted,
            Self::NoStarttlsNoLogin => Code::NoStarttlsNoLogin,
            Self::GreetingSlow { .. } => Code::GreetingSlow,
            Self::PlaintextOnly => Code::PlaintextOnly,
            Self::LoginDisabled => Code::LoginDisabled,
            Self::CapabilitiesTruncated => Code::CapabilitiesTruncated,
            Self::Failed { code, .. } => *code,
        }
    }
}
