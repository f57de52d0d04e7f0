//! SMTP (RFC 5321, 3207): greeting, EHLO, STARTTLS, QUIT.
//!
//! A 4xx/5xx reply is an observation to report, not an error of the tool.

use tokio::time::Instant;

use super::conn::Conn;
use super::{FailureKind, ServerReply, MAX_REPLY_LINES};
use crate::text::from_wire;

/// One reply line: code, whether it is the last line, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyLine<'a> {
    pub code: u16,
    pub last: bool,
    pub text: &'a [u8],
}

pub fn parse_reply_line(line: &[u8]) -> Option<ReplyLine<'_>> {
    let digits = line.get(..3)?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let code = digits
        .iter()
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
    let (last, text) = match line.get(3) {
        None => (true, &line[3..3]),
        Some(b' ') => (true, &line[4..]),
        Some(b'-') => (false, &line[4..]),
        Some(_) => return None,
    };
    Some(ReplyLine { code, last, text })
}

/// A whole reply: its code and its lines' texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl Reply {
    pub fn server_reply(&self) -> ServerReply {
        ServerReply {
            code: Some(self.code),
            // Every line: providers put the words that explain a refusal on any of them.
            line: crate::text::truncate(&format!("{} {}", self.code, self.lines.join(" ")), 300),
        }
    }

    pub fn first_line(&self) -> String {
        format!(
            "{} {}",
            self.code,
            self.lines.first().map(String::as_str).unwrap_or("")
        )
    }
}

/// Reads one (possibly multi-line) reply.
pub async fn read_reply(conn: &mut Conn) -> Result<Reply, FailureKind> {
    let mut lines = Vec::new();
    for _ in 0..MAX_REPLY_LINES {
        let raw = conn.read_line().await?;
        let Some(line) = parse_reply_line(&raw) else {
            return Err(FailureKind::ProtocolMismatch {
                heard: super::sniff::classify_greeting(&raw),
                sample: crate::text::truncate(&from_wire(&raw), 120),
            });
        };
        lines.push(from_wire(line.text));
        if line.last {
            return Ok(Reply {
                code: line.code,
                lines,
            });
        }
    }
    Err(FailureKind::TooManyLines)
}

/// The rest of a greeting whose first line was already read. A `220-` teaser followed by a
/// pause is a greeting in progress (Postfix postscreen, greet_pause): it is waited for up to
/// `grace`, and when the rest still does not come that is said, not "timed out".
pub async fn finish_greeting(
    conn: &mut Conn,
    first: &[u8],
    grace: Option<Instant>,
) -> Result<(), FailureKind> {
    let Some(line) = parse_reply_line(first) else {
        return Err(FailureKind::Rejected(ServerReply::from_wire(first)));
    };
    let mut last = line.last;
    let code = line.code;
    if let Some(until) = grace.filter(|_| !last && code == 220) {
        conn.extend_deadline(until);
    }
    let mut count = 0;
    while !last {
        if count == MAX_REPLY_LINES {
            // Reading on would take the rest of the greeting as the reply to EHLO.
            return Err(FailureKind::TooManyLines);
        }
        let raw = match conn.read_line().await {
            Err(FailureKind::TimedOut) if code == 220 => {
                return Err(FailureKind::GreetingUnfinished)
            }
            other => other?,
        };
        last = parse_reply_line(&raw).map(|l| l.last).unwrap_or(true);
        count += 1;
    }
    if code == 220 {
        Ok(())
    } else {
        Err(FailureKind::Rejected(ServerReply::from_wire(first)))
    }
}

pub fn offers_starttls(caps: &[String]) -> bool {
    caps.iter().any(|c| c.eq_ignore_ascii_case("STARTTLS"))
}

/// Mechanisms from `AUTH` (and the old `AUTH=` form some servers still send).
pub fn auth_mechanisms(caps: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for cap in caps {
        let upper = cap.to_ascii_uppercase();
        let rest = upper
            .strip_prefix("AUTH ")
            .or_else(|| upper.strip_prefix("AUTH="));
        if let Some(rest) = rest {
            for m in rest.split_ascii_whitespace() {
                if !out.iter().any(|o| o == m) {
                    out.push(m.to_string());
                }
            }
        }
    }
    out
}

/// Sends EHLO; the extension lines (after the first) are the capabilities.
pub async fn ehlo(conn: &mut Conn, client_name: &str) -> Result<Vec<String>, FailureKind> {
    conn.write_line(&format!("EHLO {client_name}")).await?;
    let reply = read_reply(conn).await?;
    if reply.code != 250 {
        return Err(FailureKind::Rejected(reply.server_reply()));
    }
    Ok(reply.lines.into_iter().skip(1).collect())
}

pub async fn start_tls(conn: &mut Conn) -> Result<(), FailureKind> {
    conn.write_line("STARTTLS").await?;
    let reply = read_reply(conn).await?;
    if reply.code == 220 {
        Ok(())
    } else {
        Err(FailureKind::Rejected(reply.server_reply()))
    }
}

pub async fn quit(conn: &mut Conn) -> Result<(), FailureKind> {
    conn.write_line("QUIT").await?;
    read_reply(conn).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_reply_lines() {
        let l = parse_reply_line(b"250-STARTTLS").unwrap();
        assert_eq!((l.code, l.last, l.text), (250, false, &b"STARTTLS"[..]));
        let l = parse_reply_line(b"220 mail.example.com ESMTP").unwrap();
        assert!(l.last);
        assert_eq!(parse_reply_line(b"250").unwrap().code, 250);
        assert_eq!(parse_reply_line(b"HTTP/1.1 400"), None);
        assert_eq!(parse_reply_line(b"25"), None);
        assert_eq!(parse_reply_line(b"250_x"), None);
    }

    #[test]
    fn reads_auth_mechanisms() {
        let caps = vec![
            "PIPELINING".to_string(),
            "AUTH PLAIN LOGIN".into(),
            "AUTH=LOGIN".into(),
        ];
        assert_eq!(auth_mechanisms(&caps), vec!["PLAIN", "LOGIN"]);
        assert!(!offers_starttls(&caps));
    }
}
