//! The opt-in open-relay test (`--relay-test`): after EHLO on port 25, would the server take
//! mail from here for a domain that is not its own? `MAIL FROM` (an outside sender, then a
//! forged sender of the user's own domain), `RCPT TO` an address at a reserved domain
//! (RFC 2606), `RSET` after each; never `DATA`, so nothing is ever sent.

use super::conn::Conn;
use super::smtp;
use super::{FailureKind, ServerReply};

/// The recipient: a reserved domain no server delivers to.
pub const RECIPIENT: &str = "relay-test@example.net";
/// The outside sender: another reserved domain.
pub const OUTSIDE_SENDER: &str = "mailprobe@example.org";

/// Who the test claims to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayRequest {
    /// A sender of the user's own domain (`postmaster@<domain>`): servers that trust their own
    /// domain's senders relay for a forger too.
    pub local_sender: String,
}

/// How the server answered one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// 2xx.
    Accepted(ServerReply),
    /// 4xx or 5xx.
    Refused(ServerReply),
    /// No reply (closed, timed out, not SMTP).
    NoReply(FailureKind),
}

impl Step {
    pub fn accepted(&self) -> bool {
        matches!(self, Step::Accepted(_))
    }
}

/// One `MAIL FROM` / `RCPT TO` pair; `rcpt` is `None` when `MAIL FROM` was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub sender: String,
    pub mail: Step,
    pub rcpt: Option<Step>,
}

/// Both attempts, in order (the outside sender first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayOutcome {
    pub attempts: Vec<Attempt>,
}

impl RelayOutcome {
    /// The attempt whose recipient was accepted, if any.
    pub fn relayed(&self) -> Option<&Attempt> {
        self.attempts
            .iter()
            .find(|a| a.rcpt.as_ref().is_some_and(Step::accepted))
    }
}

async fn command(conn: &mut Conn, line: &str) -> Step {
    if let Err(kind) = conn.write_line(line).await {
        return Step::NoReply(kind);
    }
    match smtp::read_reply(conn).await {
        Ok(r) if (200..300).contains(&r.code) => Step::Accepted(r.server_reply()),
        Ok(r) => Step::Refused(r.server_reply()),
        Err(kind) => Step::NoReply(kind),
    }
}

async fn attempt(conn: &mut Conn, sender: &str) -> Attempt {
    let mail = command(conn, &format!("MAIL FROM:<{sender}>")).await;
    let rcpt = match &mail {
        Step::Accepted(_) => Some(command(conn, &format!("RCPT TO:<{RECIPIENT}>")).await),
        _ => None,
    };
    Attempt {
        sender: sender.to_string(),
        mail,
        rcpt,
    }
}

/// Both attempts on a session past EHLO; stops at the first that gets no reply. The caller
/// says goodbye.
pub async fn test(conn: &mut Conn, request: &RelayRequest) -> RelayOutcome {
    let mut attempts = Vec::new();
    for sender in [OUTSIDE_SENDER, request.local_sender.as_str()] {
        let a = attempt(conn, sender).await;
        let silent = matches!(a.mail, Step::NoReply(_)) || matches!(a.rcpt, Some(Step::NoReply(_)));
        attempts.push(a);
        // Whatever it said, the transaction is reset: DATA is never sent.
        if silent || matches!(command(conn, "RSET").await, Step::NoReply(_)) {
            break;
        }
    }
    RelayOutcome { attempts }
}
