//! IMAP (RFC 9051 / 3501): greeting, CAPABILITY, STARTTLS, LOGOUT.

use super::conn::Conn;
use super::{FailureKind, ServerReply, MAX_REPLY_LINES};
use crate::text::from_wire;

/// Most lines read while waiting for one tagged reply.
/// Capabilities carried in a greeting's `[CAPABILITY ...]` response code, if any.
pub fn greeting_capabilities(line: &[u8]) -> Option<Vec<String>> {
    let text = String::from_utf8_lossy(line);
    let upper = text.to_ascii_uppercase();
    let start = upper.find("[CAPABILITY ")? + "[CAPABILITY ".len();
    let end = start + upper[start..].find(']')?;
    Some(words(&text[start..end]))
}

/// The capabilities in an untagged `* CAPABILITY ...` line.
pub fn capability_line(line: &[u8]) -> Option<Vec<String>> {
    let text = String::from_utf8_lossy(line);
    let rest = strip_prefix_ci(&text, "* CAPABILITY")?;
    Some(words(rest))
}

/// `OK`, `NO` or `BAD` for a line tagged `tag`.
pub fn tagged_status<'a>(line: &'a [u8], tag: &str) -> Option<&'a [u8]> {
    let rest = line.strip_prefix(tag.as_bytes())?.strip_prefix(b" ")?;
    let end = rest.iter().position(|b| *b == b' ').unwrap_or(rest.len());
    Some(&rest[..end])
}

pub fn offers_starttls(caps: &[String]) -> bool {
    caps.iter().any(|c| c.eq_ignore_ascii_case("STARTTLS"))
}

pub fn login_disabled(caps: &[String]) -> bool {
    caps.iter().any(|c| c.eq_ignore_ascii_case("LOGINDISABLED"))
}

pub fn auth_mechanisms(caps: &[String]) -> Vec<String> {
    caps.iter()
        .filter_map(|c| strip_prefix_ci(c, "AUTH=").map(str::to_ascii_uppercase))
        .collect()
}

/// A `* PREAUTH` greeting: the connection is already authenticated.
pub fn is_preauth(first: &[u8]) -> bool {
    first.to_ascii_uppercase().starts_with(b"* PREAUTH")
}

/// Reads the greeting; a `* BYE` greeting means the server turned us away.
pub fn greeting_status(first: &[u8]) -> Result<(), FailureKind> {
    let upper = first.to_ascii_uppercase();
    if upper.starts_with(b"* OK") || upper.starts_with(b"* PREAUTH") {
        Ok(())
    } else {
        Err(FailureKind::Rejected(ServerReply::from_wire(first)))
    }
}

/// Sends `CAPABILITY` and collects the untagged answer.
pub async fn capabilities(conn: &mut Conn, tag: &str) -> Result<Vec<String>, FailureKind> {
    conn.write_line(&format!("{tag} CAPABILITY")).await?;
    let mut caps = Vec::new();
    for _ in 0..MAX_REPLY_LINES {
        let line = conn.read_line().await?;
        if let Some(list) = capability_line(&line) {
            caps.extend(list);
        } else if let Some(status) = tagged_status(&line, tag) {
            return if status.eq_ignore_ascii_case(b"OK") {
                Ok(caps)
            } else {
                Err(FailureKind::Rejected(ServerReply::from_wire(&line)))
            };
        }
    }
    Err(FailureKind::TooManyLines)
}

/// Sends `STARTTLS` and waits for the tagged OK.
pub async fn start_tls(conn: &mut Conn, tag: &str) -> Result<(), FailureKind> {
    conn.write_line(&format!("{tag} STARTTLS")).await?;
    for _ in 0..MAX_REPLY_LINES {
        let line = conn.read_line().await?;
        if let Some(status) = tagged_status(&line, tag) {
            return if status.eq_ignore_ascii_case(b"OK") {
                Ok(())
            } else {
                Err(FailureKind::Rejected(ServerReply::from_wire(&line)))
            };
        }
    }
    Err(FailureKind::TooManyLines)
}

pub async fn logout(conn: &mut Conn, tag: &str) -> Result<(), FailureKind> {
    conn.write_line(&format!("{tag} LOGOUT")).await?;
    for _ in 0..4 {
        let line = conn.read_line().await?;
        if tagged_status(&line, tag).is_some() {
            break;
        }
    }
    Ok(())
}

fn words(text: &str) -> Vec<String> {
    text.split_ascii_whitespace().map(from_wire_str).collect()
}

fn from_wire_str(s: &str) -> String {
    from_wire(s.as_bytes())
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_capabilities_in_greeting_and_listing() {
        let g =
            b"* OK [CAPABILITY IMAP4rev1 SASL-IR STARTTLS LOGINDISABLED AUTH=PLAIN] Dovecot ready.";
        let caps = greeting_capabilities(g).unwrap();
        assert!(offers_starttls(&caps));
        assert!(login_disabled(&caps));
        assert_eq!(auth_mechanisms(&caps), vec!["PLAIN"]);
        let caps = capability_line(b"* capability IMAP4rev1 auth=xoauth2 AUTH=PLAIN").unwrap();
        assert_eq!(auth_mechanisms(&caps), vec!["XOAUTH2", "PLAIN"]);
        assert_eq!(greeting_capabilities(b"* OK ready"), None);
        assert_eq!(capability_line(b"* OK no"), None);
    }

    #[test]
    fn reads_tagged_status() {
        assert_eq!(tagged_status(b"c1 OK done", "c1"), Some(&b"OK"[..]));
        assert_eq!(tagged_status(b"c1 NO", "c1"), Some(&b"NO"[..]));
        assert_eq!(tagged_status(b"c10 OK", "c1"), None);
        assert_eq!(tagged_status(b"* OK", "c1"), None);
    }
}
