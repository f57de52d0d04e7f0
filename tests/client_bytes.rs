//! What the client writes, byte for byte, against a scripted server: the EHLO line with the
//! address literal, the IMAP tags, the STARTTLS/STLS commands, and nothing after a go-ahead
//! that the TLS handshake did not follow. Reads come in uneven pieces.

use std::time::Duration;

use mailprobe::probe::relay::{RelayRequest, Step};
use mailprobe::probe::script::{Chunking, ScriptedStream};
use mailprobe::probe::session::{converse, Session};
use mailprobe::probe::{Phase, ProbeResult, StartTlsState, Trust};
use mailprobe::service::{Protocol, Security, Service};

/// A session with a 2 s deadline and the EHLO address literal [192.0.2.2].
fn session<'a>(trust: &'a Trust, relay: Option<&'a RelayRequest>) -> Session<'a> {
    Session {
        trust,
        deadline: tokio::time::Instant::now() + Duration::from_secs(2),
        client_name: "[192.0.2.2]".into(),
        login: None,
        second_look: None,
        transcript: None,
        greeting_grace: None,
        relay,
    }
}

/// What the client wrote: its text commands, then whether a TLS ClientHello followed them.
async fn written_by_client(
    protocol: Protocol,
    security: Security,
    server: &str,
) -> (String, bool, ProbeResult) {
    let trust = Trust::new(None).unwrap();
    let mut result = ProbeResult::new(
        "mail.example.test",
        "192.0.2.1".parse().unwrap(),
        Service::new(1, protocol, security),
    );
    let (stream, written) = ScriptedStream::new(server.as_bytes(), Chunking::Uneven);
    let session = session(&trust, None);
    converse(&mut result, Box::new(stream), &session).await;
    let bytes = written.lock().unwrap().clone();
    let tls_at = bytes.iter().position(|b| *b == 0x16).unwrap_or(bytes.len());
    let hello = bytes[tls_at..].starts_with(&[0x16, 0x03]);
    (
        String::from_utf8(bytes[..tls_at].to_vec()).unwrap(),
        hello,
        result,
    )
}

#[tokio::test]
async fn smtp_sends_ehlo_with_its_address_literal_then_starttls() {
    let (sent, hello, r) = written_by_client(
        Protocol::Smtp,
        Security::StartTls,
        "220-mx.example.test ESMTP\r\n220 ready\r\n250-mx.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n220 2.0.0 go ahead\r\n",
    )
    .await;
    assert_eq!(sent, "EHLO [192.0.2.2]\r\nSTARTTLS\r\n");
    assert!(hello, "a ClientHello follows the go-ahead");
    assert_eq!(r.starttls, Some(StartTlsState::Failed));
    // The scripted server has no TLS: the handshake is what failed, after the go-ahead.
    assert_eq!(r.failure.unwrap().phase, Phase::TlsHandshake);
}

#[tokio::test]
async fn imap_asks_capability_then_starttls_with_its_own_tags() {
    let (sent, hello, r) = written_by_client(
        Protocol::Imap,
        Security::StartTls,
        "* OK ready\r\n* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\nc1 OK done\r\ns1 OK begin TLS\r\n",
    )
    .await;
    assert_eq!(sent, "c1 CAPABILITY\r\ns1 STARTTLS\r\n");
    assert!(hello);
    assert_eq!(
        r.capabilities.before_tls,
        vec!["IMAP4rev1", "STARTTLS", "LOGINDISABLED"]
    );
}

#[tokio::test]
async fn pop3_asks_capa_then_stls() {
    let (sent, hello, _) = written_by_client(
        Protocol::Pop3,
        Security::StartTls,
        "+OK ready\r\n+OK capabilities\r\nUSER\r\nSTLS\r\n.\r\n+OK begin TLS\r\n",
    )
    .await;
    assert_eq!(sent, "CAPA\r\nSTLS\r\n");
    assert!(hello);
}

#[tokio::test]
async fn without_starttls_on_offer_the_client_says_goodbye_and_nothing_else() {
    let (sent, hello, r) = written_by_client(
        Protocol::Smtp,
        Security::StartTls,
        "220 ready\r\n250-mx.example.test\r\n250 AUTH PLAIN\r\n221 bye\r\n",
    )
    .await;
    assert_eq!(sent, "EHLO [192.0.2.2]\r\nQUIT\r\n");
    assert!(!hello);
    assert_eq!(r.starttls, Some(StartTlsState::NotOffered));
}

/// The relay test's exact commands: two MAIL FROM / RCPT TO pairs to a reserved domain, each
/// reset, then QUIT — never DATA, whether the server refuses or accepts.
async fn relay_session(server: &str) -> (String, ProbeResult) {
    let trust = Trust::new(None).unwrap();
    let mut result = ProbeResult::new(
        "mx.example.test",
        "192.0.2.1".parse().unwrap(),
        Service::new(25, Protocol::Smtp, Security::Plain),
    );
    let request = RelayRequest {
        local_sender: "postmaster@example.test".into(),
    };
    let (stream, written) = ScriptedStream::new(server.as_bytes(), Chunking::Uneven);
    let session = session(&trust, Some(&request));
    converse(&mut result, Box::new(stream), &session).await;
    let bytes = written.lock().unwrap().clone();
    (String::from_utf8(bytes).unwrap(), result)
}

const RELAY_COMMANDS: &str = "EHLO [192.0.2.2]\r\nMAIL FROM:<mailprobe@example.org>\r\nRCPT TO:<relay-test@example.net>\r\nRSET\r\nMAIL FROM:<postmaster@example.test>\r\nRCPT TO:<relay-test@example.net>\r\nRSET\r\nQUIT\r\n";

#[tokio::test]
async fn the_relay_test_never_sends_data() {
    let refusing = "220 mx ESMTP\r\n250-mx\r\n250 8BITMIME\r\n250 2.1.0 Ok\r\n554 5.7.1 <relay-test@example.net>: Relay access denied\r\n250 2.0.0 Ok\r\n250 2.1.0 Ok\r\n454 4.7.1 <relay-test@example.net>: Relay access denied\r\n250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n";
    let (sent, r) = relay_session(refusing).await;
    assert_eq!(sent, RELAY_COMMANDS);
    let outcome = r.relay.expect("relay outcome");
    assert!(outcome.relayed().is_none());
    assert_eq!(outcome.attempts.len(), 2);
    assert!(matches!(
        &outcome.attempts[0].rcpt,
        Some(Step::Refused(reply)) if reply.code == Some(554)
    ));

    let accepting = "220 mx ESMTP\r\n250 mx\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n";
    let (sent, r) = relay_session(accepting).await;
    assert_eq!(sent, RELAY_COMMANDS);
    assert!(!sent.contains("DATA"));
    let outcome = r.relay.expect("relay outcome");
    assert_eq!(
        outcome.relayed().map(|a| a.sender.as_str()),
        Some("mailprobe@example.org")
    );

    // A refused MAIL FROM: no RCPT for it.
    let mail_refused = "220 mx ESMTP\r\n250 mx\r\n553 5.7.1 sender refused\r\n250 2.0.0 Ok\r\n553 5.7.1 sender refused\r\n250 2.0.0 Ok\r\n221 Bye\r\n";
    let (sent, r) = relay_session(mail_refused).await;
    assert_eq!(
        sent,
        "EHLO [192.0.2.2]\r\nMAIL FROM:<mailprobe@example.org>\r\nRSET\r\nMAIL FROM:<postmaster@example.test>\r\nRSET\r\nQUIT\r\n"
    );
    assert!(r.relay.unwrap().attempts.iter().all(|a| a.rcpt.is_none()));
}
