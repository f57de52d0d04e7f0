//! The one verdict on a run. The card's status line, `-q`'s, the fleet row's word, the JSON's
//! `status` and the exit status are all views of this value; [`super::policy::status`] decides
//! it and [`super::policy::exit_code`] maps it, so they cannot disagree.

/// What a run concluded about the domain, for a mail client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// `--no-probe`: the domain was looked up, nothing was tried.
    Discovered,
    /// Incoming and outgoing settings confirmed, no errors, every `--login` accepted.
    Works,
    /// A client can be set up, but not cleanly: an error, an unconfirmed setting, a missing
    /// direction.
    WorksWithWarnings,
    /// The servers answer, but what a client would use is refused: its certificate (expired,
    /// untrusted, for another name) or the `--login`.
    Refused,
    /// Nothing a mail client could use answers from here.
    NothingWorks,
    /// The MX lookup failed: nothing is known about the domain.
    DnsFailed,
    /// There is no mailbox here to set up a client for.
    NotApplicable(NoMailbox),
}

/// Why there is nothing for a mail client to configure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoMailbox {
    /// The domain does not exist (NXDOMAIN).
    NoSuchDomain,
    /// A null MX (RFC 7505): the domain accepts no mail.
    NullMx,
    /// The MX is a forwarding service: mail goes on to a mailbox elsewhere.
    ForwardingOnly,
    /// The provider offers no IMAP/POP3/SMTP to clients (an app or bridge only).
    AppOnly,
}

/// What a monitoring system is told: the monitoring-plugins states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Alert {
    Ok,
    Warning,
    Critical,
    /// The check itself could not be made (no DNS server answered, a local error).
    Unknown,
}

/// When a certificate's coming expiry raises an alert (`--warning-days`, `--critical-days`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiryLimits {
    pub warning_days: i64,
    pub critical_days: i64,
}
