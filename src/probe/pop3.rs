//! POP3 (RFC 1939, 2449, 2595): greeting, CAPA, STLS, QUIT.

use super::conn::Conn;
use super::{FailureKind, ServerReply};
use crate::text::from_wire;

/// Most lines of a CAPA listing read.
const MAX_CAPA_LINES: usize = 200;

pub fn is_ok(line: &[u8]) -> bool {
    line.starts_with(b"+OK")
}

pub fn greeting_status(first: &[u8]) -> Result<(), FailureKind> {
    if is_ok(first) {
        Ok(())
    } else {
        Err(FailureKind::Rejected(ServerReply::from_wire(first)))
    }
}

pub fn offers_starttls(caps: &[String]) -> bool {
    caps.iter().any(|c| c.eq_ignore_ascii_case("STLS"))
}

/// Mechanisms from the `SASL` capability; `USER` counts as plaintext login.
pub fn auth_mechanisms(caps: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for cap in caps {
        let mut words = cap.split_ascii_whitespace();
        match words.next() {
            Some(w) if w.eq_ignore_ascii_case("SASL") => {
                out.extend(words.map(str::to_ascii_uppercase));
            }
            Some(w) if w.eq_ignore_ascii_case("USER") => out.push("USER".to_string()),
            _ => {}
        }
    }
    out
}

/// Sends `CAPA`; a server without it (`-ERR`) has an empty list, which is an answer too.
pub async fn capabilities(conn: &mut Conn) -> Result<Vec<String>, FailureKind> {
    conn.write_line("CAPA").await?;
    let first = conn.read_line().await?;
    // RFC 2449: a server without CAPA answers -ERR, which is an answer; anything else is not.
    if first.starts_with(b"-ERR") {
        return Ok(Vec::new());
    }
    if !is_ok(&first) {
        return Err(FailureKind::Rejected(ServerReply::from_wire(&first)));
    }
    let mut caps = Vec::new();
    for _ in 0..MAX_CAPA_LINES {
        let line = conn.read_line().await?;
        if line == b"." {
            return Ok(caps);
        }
        // RFC 1939 byte-stuffing: a leading dot is doubled.
        let line = line.strip_prefix(b".").unwrap_or(&line);
        caps.push(from_wire(line));
    }
    Err(FailureKind::TooManyLines)
}

pub async fn start_tls(conn: &mut Conn) -> Result<(), FailureKind> {
    conn.write_line("STLS").await?;
    let reply = conn.read_line().await?;
    if is_ok(&reply) {
        Ok(())
    } else {
        Err(FailureKind::Rejected(ServerReply::from_wire(&reply)))
    }
}

pub async fn quit(conn: &mut Conn) -> Result<(), FailureKind> {
    conn.write_line("QUIT").await?;
    conn.read_line().await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_capa_entries() {
        let caps = vec![
            "TOP".to_string(),
            "USER".into(),
            "SASL PLAIN LOGIN".into(),
            "STLS".into(),
        ];
        assert!(offers_starttls(&caps));
        assert_eq!(auth_mechanisms(&caps), vec!["USER", "PLAIN", "LOGIN"]);
        assert!(greeting_status(b"+OK Dovecot ready.").is_ok());
        assert!(greeting_status(b"-ERR go away").is_err());
    }
}
