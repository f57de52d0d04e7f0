//! Limits a server advertises before any login, read from the capabilities of the settings
//! handed to the client: the largest message, international addresses, mail kept or deleted
//! after download, how often a client may poll, passwords offered before TLS, address probing.

use super::findings::{Fact, Finding};
use super::policy;
use super::recommend::Recommended;
use crate::judge::findings::ProbeFact;
use crate::probe::{dialect, ProbeResult, StartTlsState};
use crate::service::Protocol;

/// One advertised limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Limit {
    /// SMTP `SIZE` (RFC 1870): the largest message accepted, in bytes.
    MessageSize {
        bytes: u64,
        /// The largest attachment that fits, after base64.
        attachment: u64,
    },
    /// SMTP without `SMTPUTF8` (RFC 6531): no address with non-ASCII characters.
    NoSmtpUtf8,
    /// A login mechanism offered before STARTTLS: a client set to "None" would send its
    /// password in clear, and the server would take it.
    AuthBeforeTls,
    /// SMTP `VRFY` advertised: anyone can test which addresses exist.
    VrfyEnabled,
    /// IMAP `APPENDLIMIT` (RFC 7889): the largest message a client may store (sent copies).
    AppendLimit { bytes: u64 },
    /// POP3 `EXPIRE` (RFC 2449): days mail is kept after download; 0 deletes it at once.
    Pop3Expire { days: u64 },
    /// POP3 `LOGIN-DELAY` (RFC 2449): seconds a client must wait between logins.
    Pop3LoginDelay { seconds: u64 },
}

/// The limits of the chosen incoming and outgoing settings, one finding each.
pub fn findings(recommended: &Recommended, probes: &[ProbeResult]) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in policy::chosen(recommended).into_iter().flatten() {
        let Some(p) = probes.iter().find(|p| {
            p.host == r.host
                && p.port == r.port
                && p.service.protocol == r.protocol
                && p.failure.is_none()
        }) else {
            continue;
        };
        for limit in advertised(p) {
            out.push(
                Finding::new(Fact::Probe(ProbeFact::AdvertisedLimit {
                    host: r.host.clone(),
                    port: r.port,
                    limit,
                }))
                .at(&r.host, Some(r.port)),
            );
        }
    }
    out
}

/// What one probe's capabilities say (over TLS where there was TLS).
pub fn advertised(p: &ProbeResult) -> Vec<Limit> {
    let caps = if p.capabilities.after_tls.is_empty() {
        &p.capabilities.before_tls
    } else {
        &p.capabilities.after_tls
    };
    let mut out = Vec::new();
    let number = |name: &str| -> Option<u64> {
        caps.iter().find_map(|c| {
            let mut words = c.split([' ', '=']);
            let key = words.next()?;
            key.eq_ignore_ascii_case(name)
                .then(|| words.next()?.parse::<u64>().ok())
                .flatten()
        })
    };
    let has = |name: &str| caps.iter().any(|c| c.eq_ignore_ascii_case(name));
    match p.service.protocol {
        Protocol::Smtp => {
            if let Some(bytes) = number("SIZE").filter(|b| *b > 0) {
                out.push(Limit::MessageSize {
                    bytes,
                    attachment: policy::attachment_fits(bytes),
                });
            }
            if !caps.is_empty() && !has("SMTPUTF8") {
                out.push(Limit::NoSmtpUtf8);
            }
            if has("VRFY") {
                out.push(Limit::VrfyEnabled);
            }
        }
        Protocol::Imap => {
            if let Some(bytes) = number("APPENDLIMIT").filter(|b| *b > 0) {
                out.push(Limit::AppendLimit { bytes });
            }
        }
        Protocol::Pop3 => {
            if let Some(days) = number("EXPIRE") {
                out.push(Limit::Pop3Expire { days });
            }
            if let Some(seconds) = number("LOGIN-DELAY").filter(|s| *s > 0) {
                out.push(Limit::Pop3LoginDelay { seconds });
            }
        }
    }
    if auth_before_tls(p) {
        out.push(Limit::AuthBeforeTls);
    }
    out
}

/// A STARTTLS port that lists a login mechanism before the upgrade (and, for IMAP, does not
/// disable LOGIN there).
fn auth_before_tls(p: &ProbeResult) -> bool {
    let before = &p.capabilities.before_tls;
    p.starttls == Some(StartTlsState::Upgraded)
        && !dialect::auth_mechanisms(p.service.protocol, before).is_empty()
        && !(p.service.protocol == Protocol::Imap && crate::probe::imap::login_disabled(before))
}
