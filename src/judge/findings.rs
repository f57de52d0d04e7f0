//! Findings: problems and facts with stable codes, the vocabulary of the report and the JSON.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// Stable identifiers (the README lists them). New codes may be added; none is ever renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
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
    CertificateNameMismatch,
    CertificateValidForOtherHost,
    CertificateExpired,
    CertificateExpiresSoon,
    CertificateNotYetValid,
    CertificateUntrusted,
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
    ServerSentTooMuch,
    CapabilitiesTruncated,
    Ipv6Broken,
    NoLocalIpv6,
    AddressFailing,
    LoginDisabled,
    NoWorkingIncoming,
    NoWorkingOutgoing,
    OnlyPort25Works,
    ProviderSettingConfirmed,
    ProviderSettingUnconfirmed,
    ProviderNotes,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    /// What to do about it, when there is something to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

impl Finding {
    pub fn new(severity: Severity, code: Code, message: impl Into<String>) -> Self {
        Self {
            severity,
            code,
            message: message.into(),
            hint: None,
            host: None,
            port: None,
        }
    }

    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    pub fn info(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Info, code, message)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn at(mut self, host: &str, port: Option<u16>) -> Self {
        self.host = Some(host.to_string());
        self.port = port;
        self
    }
}
