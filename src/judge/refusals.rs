//! Refusals decoded: what a server's "no" to a login or to the first command after it means,
//! who can fix it and how. A data table, one row per known reply with the public source it was
//! taken from; the most specific matching row wins (provider and text beat a bare code), so an
//! ambiguous code resolves only with the provider or the words that make it unambiguous.

use crate::probe::login::LoginOutcome;
use crate::probe::oauth::OAuthError;
use crate::probe::ServerReply;
use crate::service::Protocol;

/// Where in the session the reply came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// The greeting (SMTP `554`/`421`, IMAP `* BYE`, POP3 `-ERR`).
    Greeting,
    /// The answer to STARTTLS/STLS.
    StartTls,
    /// The answer to a login, or to the first command after an accepted one.
    Login,
}

/// What the refusal means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cause {
    /// Wrong username or password (or the account does not exist).
    BadCredentials,
    /// The provider wants an app password (2-step verification is on).
    AppPasswordRequired,
    /// Microsoft 365: SMTP AUTH is turned off for the tenant or the mailbox.
    SmtpAuthDisabledForTenant,
    /// Microsoft 365: basic (password) authentication is off; only OAuth works.
    BasicAuthDisabled,
    /// Too many failed logins: the provider locked logins for a while.
    TooManyFailures,
    /// The server takes passwords only over TLS.
    EncryptionRequired,
    /// The server's authentication backend (or the mailbox store) is unavailable.
    BackendUnavailable,
    /// Another session holds the mailbox (POP3 `[IN-USE]`).
    MailboxInUse,
    /// Too many connections from this user and address.
    TooManyConnections,
    /// Logged in, but the account has no usable mailbox (licence, mailbox or scope missing).
    MailboxNotProvisioned,
    /// The mechanism used is too weak for this server's policy.
    MechanismTooWeak,
    /// Logged in again sooner than the server's minimum delay (POP3 `[LOGIN-DELAY]`).
    LoginTooSoon,
    /// The address this run came from is on a blocklist the server uses.
    ClientBlocklisted,
    /// The server's policy refuses this client (no SMTP service for it).
    ClientRefused,
    /// The server offers STARTTLS but cannot start TLS (its certificate or key).
    ServerTlsBroken,
    /// A bearer token refused as such: expired, revoked, for another service or user.
    TokenRejected,
    /// A bearer token without the scope the protocol needs.
    TokenScopeInsufficient,
    /// A temporary refusal with no more said.
    Temporary,
}

/// Who can fix it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fixer {
    /// The mailbox's user.
    User,
    /// The organisation's mail administrator (a Microsoft 365 or Google Workspace admin).
    TenantAdmin,
    /// Whoever runs the mail server.
    ServerAdmin,
    /// Whoever runs the network this run came from (the ISP, the office firewall).
    ClientNetwork,
    /// Nobody: wait and retry.
    Time,
}

/// One known reply.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub stage: Stage,
    pub protocol: Option<Protocol>,
    /// The identified provider's table id, when the reply is that provider's own.
    pub provider: Option<&'static str>,
    /// The SMTP basic status code.
    pub code: Option<u16>,
    /// The enhanced status code (RFC 3463), e.g. `5.7.139`.
    pub enhanced: Option<&'static str>,
    /// An IMAP (RFC 5530) or POP3 (RFC 2449, RFC 3206) response code, without brackets.
    pub response_code: Option<&'static str>,
    /// Words the reply contains (case does not matter).
    pub text: Option<&'static str>,
    pub cause: Cause,
    pub fixer: Fixer,
    /// Where the reply and its meaning are documented.
    pub source: &'static str,
}

const ANY: Rule = Rule {
    stage: Stage::Login,
    protocol: None,
    provider: None,
    code: None,
    enhanced: None,
    response_code: None,
    text: None,
    cause: Cause::Temporary,
    fixer: Fixer::Time,
    source: "",
};

/// The table. Order does not matter: the most specific match wins.
pub static RULES: &[Rule] = &[
    Rule {
        protocol: Some(Protocol::Smtp),
        enhanced: Some("5.7.139"),
        text: Some("SmtpClientAuthentication is disabled"),
        cause: Cause::SmtpAuthDisabledForTenant,
        fixer: Fixer::TenantAdmin,
        source: "https://learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Smtp),
        enhanced: Some("5.7.139"),
        text: Some("basic authentication is disabled"),
        cause: Cause::BasicAuthDisabled,
        fixer: Fixer::TenantAdmin,
        source: "https://learn.microsoft.com/exchange/troubleshoot/send-emails/smtp-submission-improvements",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Smtp),
        code: Some(534),
        enhanced: Some("5.7.9"),
        text: Some("Application-specific password required"),
        cause: Cause::AppPasswordRequired,
        fixer: Fixer::User,
        source: "https://support.google.com/mail/?p=InvalidSecondFactor",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Imap),
        response_code: Some("ALERT"),
        text: Some("Application-specific password required"),
        cause: Cause::AppPasswordRequired,
        fixer: Fixer::User,
        source: "https://support.google.com/mail/answer/185833",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Smtp),
        code: Some(535),
        enhanced: Some("5.7.8"),
        text: Some("Username and Password not accepted"),
        cause: Cause::BadCredentials,
        fixer: Fixer::User,
        source: "https://support.google.com/mail/?p=BadCredentials",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Smtp),
        code: Some(535),
        text: Some("AUTH005"),
        cause: Cause::TooManyFailures,
        fixer: Fixer::User,
        source: "https://help.yahoo.com/kb/SLN3792.html (Yahoo and AOL: too many bad attempts; use an app password)",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Imap),
        text: Some("User is authenticated but not connected"),
        cause: Cause::MailboxNotProvisioned,
        fixer: Fixer::TenantAdmin,
        source: "https://learn.microsoft.com/exchange/troubleshoot/configure-mailboxes/imap-pop-authentication-errors",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Imap),
        response_code: Some("AUTHENTICATIONFAILED"),
        cause: Cause::BadCredentials,
        fixer: Fixer::User,
        source: "RFC 5530 §3",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Imap),
        response_code: Some("AUTHORIZATIONFAILED"),
        cause: Cause::BadCredentials,
        fixer: Fixer::User,
        source: "RFC 5530 §3",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Imap),
        response_code: Some("PRIVACYREQUIRED"),
        cause: Cause::EncryptionRequired,
        fixer: Fixer::User,
        source: "RFC 5530 §3",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Imap),
        response_code: Some("UNAVAILABLE"),
        cause: Cause::BackendUnavailable,
        fixer: Fixer::ServerAdmin,
        source: "RFC 5530 §3",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Imap),
        response_code: Some("UNAVAILABLE"),
        text: Some("Maximum number of connections"),
        cause: Cause::TooManyConnections,
        fixer: Fixer::User,
        source: "Dovecot mail_max_userip_connections (https://doc.dovecot.org/settings/core/#core_setting-mail_max_userip_connections)",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Imap),
        response_code: Some("LIMIT"),
        cause: Cause::TooManyConnections,
        fixer: Fixer::User,
        source: "RFC 5530 §3",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Pop3),
        response_code: Some("AUTH"),
        cause: Cause::BadCredentials,
        fixer: Fixer::User,
        source: "RFC 3206 §5",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Pop3),
        response_code: Some("AUTH"),
        text: Some("Plaintext authentication disallowed"),
        cause: Cause::EncryptionRequired,
        fixer: Fixer::User,
        source: "Dovecot disable_plaintext_auth / auth_allow_cleartext",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Pop3),
        response_code: Some("SYS/TEMP"),
        cause: Cause::BackendUnavailable,
        fixer: Fixer::ServerAdmin,
        source: "RFC 3206 §4",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Pop3),
        response_code: Some("SYS/PERM"),
        cause: Cause::BackendUnavailable,
        fixer: Fixer::ServerAdmin,
        source: "RFC 3206 §4",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Pop3),
        response_code: Some("LOGIN-DELAY"),
        cause: Cause::LoginTooSoon,
        fixer: Fixer::Time,
        source: "RFC 2449 §8.1.1",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Pop3),
        response_code: Some("IN-USE"),
        cause: Cause::MailboxInUse,
        fixer: Fixer::User,
        source: "RFC 2449 §8.1.2",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Smtp),
        code: Some(530),
        enhanced: Some("5.7.0"),
        text: Some("STARTTLS"),
        cause: Cause::EncryptionRequired,
        fixer: Fixer::User,
        source: "Postfix smtpd_tls_auth_only (https://www.postfix.org/postconf.5.html#smtpd_tls_auth_only)",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Smtp),
        code: Some(538),
        cause: Cause::EncryptionRequired,
        fixer: Fixer::User,
        source: "RFC 4954 §6 (538 5.7.11 encryption required)",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Smtp),
        enhanced: Some("5.7.8"),
        cause: Cause::BadCredentials,
        fixer: Fixer::User,
        source: "RFC 4954 §6; IANA SMTP enhanced status codes (X.7.8)",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Smtp),
        enhanced: Some("5.7.9"),
        cause: Cause::MechanismTooWeak,
        fixer: Fixer::ServerAdmin,
        source: "RFC 4954 §6; IANA SMTP enhanced status codes (X.7.9)",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Smtp),
        code: Some(454),
        cause: Cause::BackendUnavailable,
        fixer: Fixer::ServerAdmin,
        source: "RFC 4954 §6 (454 4.7.0 temporary authentication failure)",
        ..ANY
    },
    Rule {
        stage: Stage::Greeting,
        protocol: Some(Protocol::Smtp),
        code: Some(554),
        cause: Cause::ClientRefused,
        fixer: Fixer::ServerAdmin,
        source: "RFC 5321 §3.1 (554 instead of 220: no SMTP service for this client)",
        ..ANY
    },
    Rule {
        stage: Stage::Greeting,
        protocol: Some(Protocol::Smtp),
        code: Some(554),
        text: Some("blocked using"),
        cause: Cause::ClientBlocklisted,
        fixer: Fixer::ClientNetwork,
        source: "Postfix reject_rbl_client (https://www.postfix.org/postconf.5.html#reject_rbl_client); Microsoft 365 'Client host blocked using Spamhaus' (https://learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/fix-error-code-550-5-7-1-in-exchange-online)",
        ..ANY
    },
    Rule {
        stage: Stage::Greeting,
        protocol: Some(Protocol::Smtp),
        code: Some(550),
        text: Some("Spamhaus"),
        cause: Cause::ClientBlocklisted,
        fixer: Fixer::ClientNetwork,
        source: "https://www.spamhaus.org/faqs/smtp-connection-faqs/",
        ..ANY
    },
    Rule {
        stage: Stage::Greeting,
        protocol: Some(Protocol::Smtp),
        code: Some(421),
        cause: Cause::Temporary,
        fixer: Fixer::Time,
        source: "RFC 5321 §3.8 (421: service not available, closing)",
        ..ANY
    },
    Rule {
        stage: Stage::Greeting,
        protocol: Some(Protocol::Smtp),
        code: Some(421),
        text: Some("too many connections"),
        cause: Cause::TooManyConnections,
        fixer: Fixer::Time,
        source: "Postfix smtpd_client_connection_count_limit / anvil (https://www.postfix.org/postconf.5.html#smtpd_client_connection_count_limit)",
        ..ANY
    },
    Rule {
        stage: Stage::Greeting,
        protocol: Some(Protocol::Imap),
        text: Some("Maximum number of connections"),
        cause: Cause::TooManyConnections,
        fixer: Fixer::User,
        source: "Dovecot mail_max_userip_connections (https://doc.dovecot.org/settings/core/#core_setting-mail_max_userip_connections)",
        ..ANY
    },
    Rule {
        stage: Stage::StartTls,
        protocol: Some(Protocol::Smtp),
        code: Some(454),
        cause: Cause::ServerTlsBroken,
        fixer: Fixer::ServerAdmin,
        source: "RFC 3207 §4 (454 TLS not available due to temporary reason); Postfix answers it when its certificate or key cannot be read",
        ..ANY
    },
    Rule {
        stage: Stage::StartTls,
        protocol: Some(Protocol::Imap),
        cause: Cause::ServerTlsBroken,
        fixer: Fixer::ServerAdmin,
        source: "RFC 9051 §6.2.1 (a NO or BAD to STARTTLS after offering it)",
        ..ANY
    },
    Rule {
        stage: Stage::StartTls,
        protocol: Some(Protocol::Pop3),
        cause: Cause::ServerTlsBroken,
        fixer: Fixer::ServerAdmin,
        source: "RFC 2595 §4 (an -ERR to STLS after offering it)",
        ..ANY
    },
    Rule {
        protocol: Some(Protocol::Smtp),
        provider: Some("microsoft365"),
        code: Some(535),
        enhanced: Some("5.7.3"),
        cause: Cause::BadCredentials,
        fixer: Fixer::User,
        source: "https://learn.microsoft.com/exchange/troubleshoot/send-emails/smtp-submission-improvements (535 5.7.3: wrong password, or security defaults or MFA block basic auth)",
        ..ANY
    },
];

/// What a reply means, as far as the table knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decoded {
    pub cause: Cause,
    pub fixer: Fixer,
    pub source: &'static str,
}

/// The decoded refusal of a login outcome: the reply of a rejected login, or of the first
/// command after an accepted one that proved unusable.
pub fn decode_outcome(
    protocol: Protocol,
    provider: Option<&str>,
    outcome: &LoginOutcome,
) -> Option<Decoded> {
    match outcome {
        // A server's own error for a refused token says more than its final "no".
        LoginOutcome::Rejected { oauth: Some(e), .. } if decode_oauth(e).is_some() => {
            decode_oauth(e)
        }
        LoginOutcome::Rejected { reply, .. } => decode(Stage::Login, protocol, provider, reply),
        LoginOutcome::NotUsable {
            reply: Some(reply), ..
        } => decode(Stage::Login, protocol, provider, reply),
        _ => None,
    }
}

/// What a server's OAuth error (RFC 7628 §3.2.2) means: its `status` is an OAuth error code
/// (RFC 6750 §3.1) or an HTTP status.
pub fn decode_oauth(e: &OAuthError) -> Option<Decoded> {
    let status = e.status.as_deref()?.to_ascii_lowercase();
    let (cause, fixer) = match status.as_str() {
        "invalid_token" | "401" => (Cause::TokenRejected, Fixer::User),
        "insufficient_scope" | "403" => (Cause::TokenScopeInsufficient, Fixer::TenantAdmin),
        _ => return None,
    };
    Some(Decoded {
        cause,
        fixer,
        source: "RFC 7628 §3.2.2 and RFC 6750 §3.1 (the server's error for a refused token)",
    })
}

/// The most specific row that matches every one of its conditions, if any.
pub fn decode(
    stage: Stage,
    protocol: Protocol,
    provider: Option<&str>,
    reply: &ServerReply,
) -> Option<Decoded> {
    matching_rule(stage, protocol, provider, reply).map(|r| Decoded {
        cause: r.cause,
        fixer: r.fixer,
        source: r.source,
    })
}

/// The row `decode` takes its meaning from.
pub fn matching_rule(
    stage: Stage,
    protocol: Protocol,
    provider: Option<&str>,
    reply: &ServerReply,
) -> Option<&'static Rule> {
    let fields = Fields::of(reply);
    RULES
        .iter()
        .filter(|r| r.stage == stage && matches(r, protocol, provider, &fields))
        .max_by_key(|r| specificity(r))
}

/// The parts of a reply the table matches on.
struct Fields {
    code: Option<u16>,
    enhanced: Option<String>,
    response_code: Option<String>,
    text: String,
}

impl Fields {
    fn of(reply: &ServerReply) -> Self {
        let text = reply.line.to_ascii_lowercase();
        Self {
            code: reply.code,
            enhanced: enhanced_code(&reply.line),
            response_code: response_code(&reply.line),
            text,
        }
    }
}

fn matches(r: &Rule, protocol: Protocol, provider: Option<&str>, f: &Fields) -> bool {
    r.protocol.is_none_or(|p| p == protocol)
        && r.provider.is_none_or(|p| provider == Some(p))
        && r.code.is_none_or(|c| f.code == Some(c))
        && r.enhanced.is_none_or(|e| f.enhanced.as_deref() == Some(e))
        && r.response_code
            .is_none_or(|c| f.response_code.as_deref() == Some(c))
        && r.text
            .is_none_or(|t| f.text.contains(&t.to_ascii_lowercase()))
}

fn specificity(r: &Rule) -> usize {
    [
        r.provider.is_some(),
        r.code.is_some(),
        r.enhanced.is_some(),
        r.response_code.is_some(),
        // Words are the strongest evidence: they tell apart what one code means twice.
        r.text.is_some(),
        r.text.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count()
}

/// The enhanced status code of an SMTP reply (`535 5.7.8 …`, `534-5.7.9 …`).
fn enhanced_code(line: &str) -> Option<String> {
    let rest = line.get(4..)?;
    let word = rest.split_whitespace().next()?;
    let parts: Vec<&str> = word.split('.').collect();
    let valid = parts.len() == 3
        && matches!(parts[0], "2" | "4" | "5")
        && parts[1..]
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()));
    valid.then(|| word.to_string())
}

/// The bracketed response code of an IMAP or POP3 reply (`a1 NO [AUTHENTICATIONFAILED] …`,
/// `-ERR [IN-USE] …`), upper case, without its arguments.
fn response_code(line: &str) -> Option<String> {
    let start = line.find('[')?;
    let inner = &line[start + 1..];
    let end = inner.find(']')?;
    let code = inner[..end].split_whitespace().next()?;
    (code.len() <= 32).then(|| code.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Replies as the servers send them (from the sources in the table), with what they mean.
    /// Every row of the table must be reached by one of them.
    type Sample = (Protocol, Option<&'static str>, &'static str, Option<Cause>);

    /// Replies at the greeting and to STARTTLS, with what they mean.
    const AT_GREETING: &[Sample] = &[
        (Protocol::Smtp, None, "554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org", Some(Cause::ClientBlocklisted)),
        (Protocol::Smtp, None, "550 5.7.1 Service unavailable, Client host [192.0.2.9] listed by Spamhaus", Some(Cause::ClientBlocklisted)),
        (Protocol::Smtp, None, "554 mail.example.com ESMTP not accepting messages", Some(Cause::ClientRefused)),
        (Protocol::Smtp, None, "421 4.7.0 mail.example.com Error: too many connections from 192.0.2.9", Some(Cause::TooManyConnections)),
        (Protocol::Smtp, None, "421 4.3.2 System not accepting network messages", Some(Cause::Temporary)),
        (Protocol::Imap, None, "* BYE Maximum number of connections from user+IP exceeded (mail_max_userip_connections=10)", Some(Cause::TooManyConnections)),
        (Protocol::Imap, None, "* BYE go away", None),
    ];
    const AT_STARTTLS: &[Sample] = &[
        (
            Protocol::Smtp,
            None,
            "454 4.7.0 TLS not available due to local problem",
            Some(Cause::ServerTlsBroken),
        ),
        (
            Protocol::Imap,
            None,
            "c1 NO TLS unavailable",
            Some(Cause::ServerTlsBroken),
        ),
        (
            Protocol::Pop3,
            None,
            "-ERR TLS support isn't enabled",
            Some(Cause::ServerTlsBroken),
        ),
    ];

    fn samples() -> impl Iterator<Item = (Stage, &'static Sample)> {
        let at = |stage, list: &'static [Sample]| list.iter().map(move |s| (stage, s));
        at(Stage::Login, SAMPLES)
            .chain(at(Stage::Greeting, AT_GREETING))
            .chain(at(Stage::StartTls, AT_STARTTLS))
    }

    const SAMPLES: &[Sample] = &[
        (Protocol::Smtp, Some("microsoft365"), "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [SN4PR0201CA0045.namprd02.prod.outlook.com]", Some(Cause::SmtpAuthDisabledForTenant)),
        (Protocol::Smtp, None, "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [AM0PR02CA0001.eurprd02.prod.outlook.com]", Some(Cause::BasicAuthDisabled)),
        (Protocol::Smtp, Some("google"), "534-5.7.9 Application-specific password required. Learn more at 534 5.7.9 https://support.google.com/mail/?p=InvalidSecondFactor", Some(Cause::AppPasswordRequired)),
        (Protocol::Imap, Some("google"), "a1 NO [ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)", Some(Cause::AppPasswordRequired)),
        (Protocol::Smtp, Some("google"), "535-5.7.8 Username and Password not accepted. For more information, go to 535 5.7.8 https://support.google.com/mail/?p=BadCredentials", Some(Cause::BadCredentials)),
        (Protocol::Smtp, Some("yahoo"), "535 5.7.0 (#AUTH005) Too many bad auth attempts.", Some(Cause::TooManyFailures)),
        (Protocol::Imap, Some("microsoft365"), "l2 BAD User is authenticated but not connected.", Some(Cause::MailboxNotProvisioned)),
        (Protocol::Imap, None, "a1 NO [AUTHENTICATIONFAILED] Authentication failed.", Some(Cause::BadCredentials)),
        (Protocol::Imap, None, "a1 NO [AUTHORIZATIONFAILED] Authorization failed.", Some(Cause::BadCredentials)),
        (Protocol::Imap, None, "a1 NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.", Some(Cause::EncryptionRequired)),
        (Protocol::Imap, None, "a1 NO [UNAVAILABLE] Temporary authentication failure. [mail:2026-12-03 08:00:00]", Some(Cause::BackendUnavailable)),
        (Protocol::Imap, None, "a1 NO [UNAVAILABLE] Maximum number of connections from user+IP exceeded (mail_max_userip_connections=10)", Some(Cause::TooManyConnections)),
        (Protocol::Imap, None, "a1 NO [LIMIT] Too many sessions.", Some(Cause::TooManyConnections)),
        (Protocol::Pop3, None, "-ERR [AUTH] Authentication failed.", Some(Cause::BadCredentials)),
        (Protocol::Pop3, None, "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.", Some(Cause::EncryptionRequired)),
        (Protocol::Pop3, None, "-ERR [SYS/TEMP] Temporary authentication failure.", Some(Cause::BackendUnavailable)),
        (Protocol::Pop3, None, "-ERR [SYS/PERM] Mailbox store is corrupt.", Some(Cause::BackendUnavailable)),
        (Protocol::Pop3, None, "-ERR [IN-USE] Mailbox is locked by another POP3 session.", Some(Cause::MailboxInUse)),
        (Protocol::Pop3, None, "-ERR [LOGIN-DELAY] Attempt to log in within the minimum login delay interval", Some(Cause::LoginTooSoon)),
        (Protocol::Smtp, None, "530 5.7.0 Must issue a STARTTLS command first", Some(Cause::EncryptionRequired)),
        (Protocol::Smtp, None, "538 5.7.11 Encryption required for requested authentication mechanism", Some(Cause::EncryptionRequired)),
        (Protocol::Smtp, None, "535 5.7.8 Error: authentication failed: authentication failure", Some(Cause::BadCredentials)),
        (Protocol::Smtp, None, "534 5.7.9 Authentication mechanism is too weak", Some(Cause::MechanismTooWeak)),
        (Protocol::Smtp, None, "454 4.7.0 Temporary authentication failure", Some(Cause::BackendUnavailable)),
        (Protocol::Smtp, Some("microsoft365"), "535 5.7.3 Authentication unsuccessful [BN0PR04CA0001.namprd04.prod.outlook.com]", Some(Cause::BadCredentials)),
        // Without the provider, 5.7.3 says nothing certain; an unexplained "no" is never guessed.
        (Protocol::Smtp, None, "535 5.7.3 Authentication unsuccessful", None),
        (Protocol::Imap, Some("microsoft365"), "a1 NO AUTHENTICATE failed.", None),
        // A code of another protocol means nothing here.
        (Protocol::Imap, None, "-ERR [IN-USE] locked", None),
        (Protocol::Smtp, None, "a1 NO [AUTHENTICATIONFAILED] failed", None),
        // Words alone from the wrong command's reply do not make an enhanced code.
        (Protocol::Smtp, None, "535 Error 5.7.139 later", None),
    ];

    fn reply(line: &str) -> ServerReply {
        ServerReply::from_wire(line.as_bytes())
    }

    #[test]
    fn every_sample_decodes_to_its_meaning() {
        for (stage, (protocol, provider, line, cause)) in samples() {
            let got = decode(stage, *protocol, *provider, &reply(line)).map(|d| d.cause);
            assert_eq!(got, *cause, "{stage:?} {protocol:?} {provider:?} {line}");
        }
        // A login's words at the greeting mean nothing there, and the other way round.
        let login_words = reply("a1 NO [AUTHENTICATIONFAILED] failed");
        assert_eq!(
            decode(Stage::Greeting, Protocol::Imap, None, &login_words),
            None
        );
        let greeting_words = reply("554 5.7.1 Client host blocked using zen.spamhaus.org");
        assert_eq!(
            decode(Stage::Login, Protocol::Smtp, None, &greeting_words),
            None
        );
    }

    #[test]
    fn every_row_is_reached_and_none_ties() {
        for (i, rule) in RULES.iter().enumerate() {
            assert!(!rule.source.is_empty(), "row {i} has no source");
            assert!(rule.protocol.is_some(), "row {i} names no protocol");
            let reached = samples().any(|(stage, (p, prov, line, _))| {
                matching_rule(stage, *p, *prov, &reply(line)).is_some_and(|r| std::ptr::eq(r, rule))
            });
            assert!(
                reached,
                "row {i} ({:?}) is reached by no sample",
                rule.cause
            );
        }
        // The winner is never a coin toss between two rows of the same weight.
        for (stage, (p, prov, line, _)) in samples() {
            let fields = Fields::of(&reply(line));
            let mut weights: Vec<usize> = RULES
                .iter()
                .filter(|r| r.stage == stage && matches(r, *p, *prov, &fields))
                .map(specificity)
                .collect();
            weights.sort_unstable();
            let top = weights.pop();
            assert!(
                top.is_none() || weights.last() != top.as_ref(),
                "tie on {line}"
            );
        }
    }
}
