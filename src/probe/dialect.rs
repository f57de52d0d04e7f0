//! What differs between IMAP, POP3 and SMTP, behind one set of calls: the session's state
//! machine stays protocol-neutral and asks here for the protocol's own step.

use std::time::Duration;

use tokio::time::Instant;

use super::conn::Conn;
use super::{imap, pop3, smtp, FailureKind};
use crate::service::Protocol;

/// Time kept back from the deadline for a polite LOGOUT/QUIT.
const GOODBYE_TIME: Duration = Duration::from_millis(500);

/// Judges the greeting's first line (and reads the rest of a multi-line SMTP greeting, past
/// the probe's deadline up to `grace` once a `220-` teaser has come).
pub async fn greeting_status(
    protocol: Protocol,
    conn: &mut Conn,
    first: &[u8],
    grace: Option<Instant>,
) -> Result<(), FailureKind> {
    match protocol {
        Protocol::Imap => imap::greeting_status(first),
        Protocol::Pop3 => pop3::greeting_status(first),
        Protocol::Smtp => smtp::finish_greeting(conn, first, grace).await,
    }
}

/// Capabilities announced in the greeting itself (IMAP only).
pub fn greeting_capabilities(protocol: Protocol, first: &[u8]) -> Option<Vec<String>> {
    match protocol {
        Protocol::Imap => imap::greeting_capabilities(first),
        _ => None,
    }
}

pub async fn capabilities(
    protocol: Protocol,
    conn: &mut Conn,
    tag: &str,
    client_name: &str,
    from_greeting: Option<Vec<String>>,
) -> Result<Vec<String>, FailureKind> {
    match protocol {
        // Some servers list only part of their capabilities in the greeting: ask anyway.
        Protocol::Imap => match imap::capabilities(conn, tag).await {
            Ok(caps) => Ok(caps),
            Err(FailureKind::Rejected { .. }) if from_greeting.is_some() => {
                Ok(from_greeting.unwrap_or_default())
            }
            Err(e) => Err(e),
        },
        Protocol::Pop3 => pop3::capabilities(conn).await,
        Protocol::Smtp => smtp::ehlo(conn, client_name).await,
    }
}

pub async fn start_tls(protocol: Protocol, conn: &mut Conn) -> Result<(), FailureKind> {
    match protocol {
        Protocol::Imap => imap::start_tls(conn, "s1").await,
        Protocol::Pop3 => pop3::start_tls(conn).await,
        Protocol::Smtp => smtp::start_tls(conn).await,
    }
}

/// LOGOUT/QUIT, best effort and briefly: the probe already has what it came for.
pub async fn leave(protocol: Protocol, conn: &mut Conn) {
    let until = (Instant::now() + GOODBYE_TIME).min(conn.deadline());
    let goodbye = async {
        match protocol {
            Protocol::Imap => imap::logout(conn, "z1").await,
            Protocol::Pop3 => pop3::quit(conn).await,
            Protocol::Smtp => smtp::quit(conn).await,
        }
    };
    let _ = tokio::time::timeout_at(until, goodbye).await;
}

pub fn offers_starttls(protocol: Protocol, caps: &[String]) -> bool {
    match protocol {
        Protocol::Imap => imap::offers_starttls(caps),
        Protocol::Pop3 => pop3::offers_starttls(caps),
        Protocol::Smtp => smtp::offers_starttls(caps),
    }
}

pub fn auth_mechanisms(protocol: Protocol, caps: &[String]) -> Vec<String> {
    match protocol {
        Protocol::Imap => imap::auth_mechanisms(caps),
        Protocol::Pop3 => pop3::auth_mechanisms(caps),
        Protocol::Smtp => smtp::auth_mechanisms(caps),
    }
}
