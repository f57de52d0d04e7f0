//! Optional login check (`--login`): one authentication per chosen setting, only over a TLS
//! connection whose certificate is trusted for the name unless the user explicitly allows less.
//!
//! The password lives in [`Secret`], which has no `Display`, prints as `<redacted>` in `Debug`,
//! is never serialised and is wiped from memory when dropped.

use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use zeroize::Zeroizing;

use super::conn::Conn;
use super::oauth::{self, OAuthError, OAuthMechanism, Target};
use super::redact::{imap_quote, Redactor};
use super::tls::{CertVerdict, TlsInfo};
use super::{imap, pop3, smtp, Failure, FailureKind, ServerReply, MAX_REPLY_LINES};
use crate::service::Protocol;

/// A password or an OAuth 2.0 bearer token. Never printed, never serialised.
#[derive(Clone)]
pub struct Secret {
    value: Zeroizing<String>,
    bearer: bool,
}

impl Secret {
    /// A password.
    pub fn new(value: String) -> Self {
        Self {
            value: Zeroizing::new(value),
            bearer: false,
        }
    }

    /// A bearer token (`--oauth-token-file`): sent with OAUTHBEARER or XOAUTH2 only.
    pub fn bearer(value: String) -> Self {
        Self {
            value: Zeroizing::new(value),
            bearer: true,
        }
    }

    fn expose(&self) -> &str {
        &self.value
    }

    /// The token, for reading its claims locally before the login (never sent elsewhere).
    pub fn token(&self) -> Option<&str> {
        self.bearer.then_some(self.value.as_str())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Who to log in as, and how careful to be.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub username: String,
    pub password: Secret,
    /// Allows sending the password over plaintext or to an untrusted certificate.
    pub allow_insecure: bool,
}

/// What happened to a login attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    Accepted {
        mechanism: String,
    },
    Rejected {
        mechanism: String,
        reply: ServerReply,
        /// The error a server explains a refused bearer token with (RFC 7628 §3.2.2).
        oauth: Option<OAuthError>,
    },
    /// The login was accepted, but the first read-only command after it was refused: the
    /// account cannot use its mailbox (or send as itself) through this server.
    NotUsable {
        mechanism: String,
        /// The command tried: `EXAMINE INBOX`, `STAT` or `MAIL FROM`.
        command: &'static str,
        /// The server's answer; `None` when it closed the connection or said nothing in time.
        reply: Option<ServerReply>,
    },
    /// Not tried, and why.
    NotAttempted(LoginRefusal),
    /// The connection failed before or during authentication.
    Failed(Failure),
}

/// Why credentials were not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginRefusal {
    /// The connection is not encrypted: the password is never sent in clear.
    NotEncrypted,
    /// The certificate is not trusted for this name (the verifier's verdict).
    UntrustedCertificate(CertVerdict),
    /// IMAP LOGINDISABLED and no SASL PLAIN.
    LoginDisabled,
    /// The server offers no authentication on this port.
    NoAuthOffered,
    /// None of the offered mechanisms is one mailprobe speaks.
    NoSupportedMechanism(Vec<String>),
    /// A bearer token was given, and the server offers neither OAUTHBEARER nor XOAUTH2.
    NoOAuthMechanism(Vec<String>),
    /// The username or password holds CR, LF or NUL: sent, it would become extra commands.
    UnsafeCredentials,
    /// No working setting to log in to.
    NoWorkingSetting,
}

/// Why credentials may not be sent on this connection, if they may not.
pub fn refusal(tls: Option<&TlsInfo>, creds: &Credentials) -> Option<LoginRefusal> {
    if !creds.are_safe() {
        return Some(LoginRefusal::UnsafeCredentials);
    }
    if creds.allow_insecure {
        return None;
    }
    let Some(tls) = tls.filter(|t| t.version.is_some()) else {
        return Some(LoginRefusal::NotEncrypted);
    };
    let verdict = match (&tls.verdict, tls.name_matches) {
        (Some(CertVerdict::Trusted), Some(false)) => CertVerdict::NameMismatch,
        (Some(v), _) => v.clone(),
        (None, _) => CertVerdict::Other("no certificate".into()),
    };
    (verdict != CertVerdict::Trusted).then_some(LoginRefusal::UntrustedCertificate(verdict))
}

impl Credentials {
    /// What scrubs the secret from a connection's replies once it has been sent.
    pub fn redactor(&self) -> std::sync::Arc<Redactor> {
        std::sync::Arc::new(Redactor::new(self.password.expose()))
    }

    /// False when the username or password holds a byte that ends or splits a protocol line.
    pub fn are_safe(&self) -> bool {
        let unsafe_char = |c: char| matches!(c, '\r' | '\n' | '\0');
        !self.username.contains(unsafe_char) && !self.password.expose().contains(unsafe_char)
    }
}

/// SASL PLAIN (RFC 4616): authzid NUL authcid NUL password, base64.
fn sasl_plain(c: &Credentials) -> Zeroizing<String> {
    let raw = Zeroizing::new(format!("\0{}\0{}", c.username, c.password.expose()));
    Zeroizing::new(BASE64.encode(raw.as_bytes()))
}

/// Authenticates on an open connection, choosing the mechanism from the capabilities.
/// Everything the server says after the credentials went out, until the connection closes, is
/// scrubbed of them by the connection before it is kept (replies, samples, transcript): a
/// server that quotes them back must not get them into the report.
pub async fn authenticate(
    protocol: Protocol,
    conn: &mut Conn,
    caps: &[String],
    creds: &Credentials,
    target: Target<'_>,
) -> Result<LoginOutcome, FailureKind> {
    // From here until the connection closes, nothing the server says may carry the secret.
    conn.guard(creds.redactor());
    let outcome = if creds.password.token().is_some() {
        bearer_login(protocol, conn, caps, creds, target).await
    } else {
        match protocol {
            Protocol::Imap => imap_login(conn, caps, creds).await,
            Protocol::Pop3 => pop3_login(conn, caps, creds).await,
            Protocol::Smtp => smtp_login(conn, caps, creds).await,
        }
    }?;
    let LoginOutcome::Accepted { mechanism } = outcome else {
        return Ok(outcome);
    };
    // "Accepted" is not "usable": one read-only command proves the account can use the
    // mailbox (Microsoft 365 accepts a login and then answers "User is authenticated but not
    // connected" when the licence or mailbox is missing).
    Ok(match usable(protocol, conn, &creds.username).await {
        Usable::Yes => LoginOutcome::Accepted { mechanism },
        Usable::No { command, reply } => LoginOutcome::NotUsable {
            mechanism,
            command,
            reply,
        },
    })
}

enum Usable {
    Yes,
    No {
        command: &'static str,
        reply: Option<ServerReply>,
    },
}

/// IMAP `EXAMINE INBOX` (read-only), POP3 `STAT`, SMTP `MAIL FROM:<user>` then `RSET` (never
/// RCPT or DATA: nothing is sent). A username that is not an address skips the SMTP check.
async fn usable(protocol: Protocol, conn: &mut Conn, username: &str) -> Usable {
    let no = |command, reply| Usable::No { command, reply };
    match protocol {
        Protocol::Imap => {
            let command = "EXAMINE INBOX";
            if conn.write_line("l2 EXAMINE INBOX").await.is_err() {
                return no(command, None);
            }
            for _ in 0..MAX_REPLY_LINES {
                let Ok(line) = conn.read_line().await else {
                    return no(command, None);
                };
                if let Some(status) = imap::tagged_status(&line, "l2") {
                    return if status.eq_ignore_ascii_case(b"OK") {
                        Usable::Yes
                    } else {
                        no(command, Some(ServerReply::from_wire(&line)))
                    };
                }
            }
            no(command, None)
        }
        Protocol::Pop3 => {
            let command = "STAT";
            if conn.write_line("STAT").await.is_err() {
                return no(command, None);
            }
            match conn.read_line().await {
                Ok(line) if pop3::is_ok(&line) => Usable::Yes,
                Ok(line) => no(command, Some(ServerReply::from_wire(&line))),
                Err(_) => no(command, None),
            }
        }
        Protocol::Smtp => {
            let command = "MAIL FROM";
            let address = username.contains('@')
                && username
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && !matches!(b, b'<' | b'>'));
            if !address {
                return Usable::Yes;
            }
            if conn
                .write_line(&format!("MAIL FROM:<{username}>"))
                .await
                .is_err()
            {
                return no(command, None);
            }
            let reply = smtp::read_reply(conn).await;
            // Whatever it said, the transaction is reset: nothing is ever sent.
            if conn.write_line("RSET").await.is_ok() {
                let _ = smtp::read_reply(conn).await;
            }
            match reply {
                Ok(r) if (200..300).contains(&r.code) => Usable::Yes,
                Ok(r) => no(command, Some(r.server_reply())),
                Err(_) => no(command, None),
            }
        }
    }
}

async fn imap_login(
    conn: &mut Conn,
    caps: &[String],
    creds: &Credentials,
) -> Result<LoginOutcome, FailureKind> {
    let tag = "l1";
    let plain = imap::auth_mechanisms(caps).iter().any(|m| m == "PLAIN");
    let mechanism = if plain {
        let name = "AUTHENTICATE PLAIN";
        if let Some(refused) = imap_authenticate(conn, caps, tag, name, &sasl_plain(creds)).await? {
            return Ok(refused);
        }
        name
    } else if imap::login_disabled(caps) {
        return Ok(LoginOutcome::NotAttempted(LoginRefusal::LoginDisabled));
    } else {
        let line = Zeroizing::new(format!(
            "{tag} LOGIN {} {}",
            imap_quote(&creds.username).as_str(),
            imap_quote(creds.password.expose()).as_str()
        ));
        conn.write_secret(&line).await?;
        "LOGIN"
    };
    for _ in 0..MAX_REPLY_LINES {
        let line = conn.read_line().await?;
        if let Some(status) = imap::tagged_status(&line, tag) {
            return Ok(if status.eq_ignore_ascii_case(b"OK") {
                accepted(mechanism)
            } else {
                rejected(mechanism, &line)
            });
        }
    }
    Err(FailureKind::TooManyLines)
}

/// `tag AUTHENTICATE <mechanism>` with its initial response: on the same line where the server
/// offers SASL-IR (RFC 4959), else after its go-ahead. `Some` when it refused to go ahead.
async fn imap_authenticate(
    conn: &mut Conn,
    caps: &[String],
    tag: &str,
    name: &str,
    response: &str,
) -> Result<Option<LoginOutcome>, FailureKind> {
    if caps.iter().any(|c| c.eq_ignore_ascii_case("SASL-IR")) {
        conn.write_secret(&format!("{tag} {name} {response}"))
            .await?;
    } else {
        conn.write_line(&format!("{tag} {name}")).await?;
        let go = conn.read_line().await?;
        if !go.starts_with(b"+") {
            return Ok(Some(rejected(name, &go)));
        }
        conn.write_secret(response).await?;
    }
    Ok(None)
}

async fn pop3_login(
    conn: &mut Conn,
    caps: &[String],
    creds: &Credentials,
) -> Result<LoginOutcome, FailureKind> {
    if pop3::auth_mechanisms(caps).iter().any(|m| m == "PLAIN") {
        conn.write_secret(&format!("AUTH PLAIN {}", sasl_plain(creds).as_str()))
            .await?;
        let reply = conn.read_line().await?;
        return Ok(if pop3::is_ok(&reply) {
            accepted("AUTH PLAIN")
        } else {
            rejected("AUTH PLAIN", &reply)
        });
    }
    conn.write_line(&format!("USER {}", creds.username)).await?;
    let reply = conn.read_line().await?;
    if !pop3::is_ok(&reply) {
        return Ok(rejected("USER/PASS", &reply));
    }
    conn.write_secret(&format!("PASS {}", creds.password.expose()))
        .await?;
    let reply = conn.read_line().await?;
    Ok(if pop3::is_ok(&reply) {
        accepted("USER/PASS")
    } else {
        rejected("USER/PASS", &reply)
    })
}

async fn smtp_login(
    conn: &mut Conn,
    caps: &[String],
    creds: &Credentials,
) -> Result<LoginOutcome, FailureKind> {
    let mechanisms = smtp::auth_mechanisms(caps);
    if mechanisms.iter().any(|m| m == "PLAIN") {
        conn.write_secret(&format!("AUTH PLAIN {}", sasl_plain(creds).as_str()))
            .await?;
        let reply = smtp::read_reply(conn).await?;
        return Ok(smtp_outcome("AUTH PLAIN", &reply));
    }
    if mechanisms.iter().any(|m| m == "LOGIN") {
        conn.write_line("AUTH LOGIN").await?;
        for secret in [
            Zeroizing::new(BASE64.encode(creds.username.as_bytes())),
            Zeroizing::new(BASE64.encode(creds.password.expose().as_bytes())),
        ] {
            let reply = smtp::read_reply(conn).await?;
            if reply.code != 334 {
                return Ok(smtp_outcome("AUTH LOGIN", &reply));
            }
            conn.write_secret(secret.as_str()).await?;
        }
        let reply = smtp::read_reply(conn).await?;
        return Ok(smtp_outcome("AUTH LOGIN", &reply));
    }
    Ok(LoginOutcome::NotAttempted(if mechanisms.is_empty() {
        LoginRefusal::NoAuthOffered
    } else {
        LoginRefusal::NoSupportedMechanism(mechanisms)
    }))
}

fn smtp_outcome(mechanism: &str, reply: &smtp::Reply) -> LoginOutcome {
    if reply.code == 235 {
        accepted(mechanism)
    } else {
        LoginOutcome::Rejected {
            mechanism: mechanism.into(),
            reply: reply.server_reply(),
            oauth: None,
        }
    }
}

/// A bearer token, with the mechanism the server offers: the initial response at once (SASL-IR
/// on IMAP where offered), and a server's error challenge answered so that it ends the
/// exchange with its final "no" (whose words are then kept with the decoded error).
async fn bearer_login(
    protocol: Protocol,
    conn: &mut Conn,
    caps: &[String],
    creds: &Credentials,
    target: Target<'_>,
) -> Result<LoginOutcome, FailureKind> {
    let offered = super::dialect::auth_mechanisms(protocol, caps);
    let Some(m) = oauth::choose(&offered) else {
        return Ok(LoginOutcome::NotAttempted(LoginRefusal::NoOAuthMechanism(
            offered,
        )));
    };
    let response = oauth::initial_response(m, &creds.username, creds.password.expose(), target);
    let name = format!(
        "{} {}",
        if protocol == Protocol::Imap {
            "AUTHENTICATE"
        } else {
            "AUTH"
        },
        m.name()
    );
    match protocol {
        Protocol::Imap => imap_bearer(conn, caps, m, &response, &name).await,
        Protocol::Pop3 => pop3_bearer(conn, m, &response, &name).await,
        Protocol::Smtp => smtp_bearer(conn, m, &response, &name).await,
    }
}

async fn imap_bearer(
    conn: &mut Conn,
    caps: &[String],
    m: OAuthMechanism,
    response: &str,
    name: &str,
) -> Result<LoginOutcome, FailureKind> {
    let tag = "l1";
    if let Some(refused) = imap_authenticate(conn, caps, tag, name, response).await? {
        return Ok(refused);
    }
    let mut error = None;
    for _ in 0..MAX_REPLY_LINES {
        let line = conn.read_line().await?;
        if let Some(challenge) = line.strip_prefix(b"+") {
            // The error challenge: read it, then let the server say its final "no".
            error = oauth::parse_error(challenge);
            conn.write_line(m.abort_response()).await?;
            continue;
        }
        if let Some(status) = imap::tagged_status(&line, tag) {
            return Ok(if status.eq_ignore_ascii_case(b"OK") {
                accepted(name)
            } else {
                with_oauth(rejected(name, &line), error)
            });
        }
    }
    Err(FailureKind::TooManyLines)
}

async fn pop3_bearer(
    conn: &mut Conn,
    m: OAuthMechanism,
    response: &str,
    name: &str,
) -> Result<LoginOutcome, FailureKind> {
    conn.write_secret(&format!("{name} {response}")).await?;
    let mut reply = conn.read_line().await?;
    let mut error = None;
    // A continuation ("+ " and the error JSON), never "+OK": the server's error challenge.
    let challenge = (!pop3::is_ok(&reply))
        .then(|| reply.strip_prefix(b"+").map(<[u8]>::to_vec))
        .flatten();
    if let Some(challenge) = challenge {
        error = oauth::parse_error(&challenge);
        conn.write_line(m.abort_response()).await?;
        reply = conn.read_line().await?;
    }
    Ok(if pop3::is_ok(&reply) {
        accepted(name)
    } else {
        with_oauth(rejected(name, &reply), error)
    })
}

async fn smtp_bearer(
    conn: &mut Conn,
    m: OAuthMechanism,
    response: &str,
    name: &str,
) -> Result<LoginOutcome, FailureKind> {
    conn.write_secret(&format!("{name} {response}")).await?;
    let mut reply = smtp::read_reply(conn).await?;
    let mut error = None;
    if reply.code == 334 {
        error = reply
            .lines
            .first()
            .and_then(|l| oauth::parse_error(l.as_bytes()));
        conn.write_line(m.abort_response()).await?;
        reply = smtp::read_reply(conn).await?;
    }
    Ok(with_oauth(smtp_outcome(name, &reply), error))
}

/// The server's decoded error, kept with a refusal.
fn with_oauth(outcome: LoginOutcome, error: Option<OAuthError>) -> LoginOutcome {
    match outcome {
        LoginOutcome::Rejected {
            mechanism, reply, ..
        } => LoginOutcome::Rejected {
            mechanism,
            reply,
            oauth: error,
        },
        other => other,
    }
}

fn accepted(mechanism: &str) -> LoginOutcome {
    LoginOutcome::Accepted {
        mechanism: mechanism.into(),
    }
}

fn rejected(mechanism: &str, reply: &[u8]) -> LoginOutcome {
    LoginOutcome::Rejected {
        mechanism: mechanism.into(),
        reply: ServerReply::from_wire(reply),
        oauth: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("hunter2".into());
        assert_eq!(format!("{s:?}"), "<redacted>");
        let c = Credentials {
            username: "u@example.com".into(),
            password: s,
            allow_insecure: false,
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn sasl_plain_and_quoting() {
        let c = Credentials {
            username: "u".into(),
            password: Secret::new("p".into()),
            allow_insecure: false,
        };
        assert_eq!(sasl_plain(&c).as_str(), "AHUAcA==");
        assert_eq!(imap_quote("a\"b\\c").as_str(), "\"a\\\"b\\\\c\"");
    }

    fn creds(password: &str, allow_insecure: bool) -> Credentials {
        Credentials {
            username: "u@example.com".into(),
            password: Secret::new(password.into()),
            allow_insecure,
        }
    }

    fn tls(verdict: CertVerdict, name_matches: bool) -> TlsInfo {
        let mut t = TlsInfo::new("imap.example.com");
        t.version = Some("TLSv1.3".into());
        t.verdict = Some(verdict);
        t.name_matches = Some(name_matches);
        t
    }

    #[test]
    fn refuses_insecure_connections_unless_allowed() {
        let ok = creds("p", false);
        assert_eq!(refusal(Some(&tls(CertVerdict::Trusted, true)), &ok), None);
        assert_eq!(refusal(None, &ok), Some(LoginRefusal::NotEncrypted));
        assert_eq!(
            refusal(Some(&tls(CertVerdict::Expired, true)), &ok),
            Some(LoginRefusal::UntrustedCertificate(CertVerdict::Expired))
        );
        // Our own name check counts even where WebPKI said "trusted".
        assert_eq!(
            refusal(Some(&tls(CertVerdict::Trusted, false)), &ok),
            Some(LoginRefusal::UntrustedCertificate(
                CertVerdict::NameMismatch
            ))
        );
        assert_eq!(refusal(None, &creds("p", true)), None);
    }

    #[test]
    fn credentials_that_would_split_a_protocol_line_are_never_sent() {
        for bad in ["a\r\nA1 DELETE INBOX", "a\nb", "a\0b"] {
            assert_eq!(
                refusal(None, &creds(bad, true)),
                Some(LoginRefusal::UnsafeCredentials),
                "{bad:?}"
            );
        }
    }
}
