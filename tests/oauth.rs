//! `--login` with an OAuth 2.0 bearer token: OAUTHBEARER (RFC 7628) or XOAUTH2 on IMAP, POP3
//! and SMTP, the server's error challenge answered and decoded, the token's own claims read
//! before it is used, and the token treated exactly like a password: never printed or stored.

mod support;

use std::process::Command;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use mailprobe::judge::findings::{Code, Severity};
use mailprobe::probe::login::{Credentials, LoginOutcome, LoginRefusal, Secret};
use mailprobe::service::{Protocol, Security};
use mailprobe::Run;
use support::mail::{Behaviour, Spec, TlsMode};
use support::scenario::{ok_zone, World};

const USER: &str = "alice@ok.test";
const TOKEN: &str = "ya29.a0-opaque-token-Secret~42";

fn bearer(token: &str) -> Credentials {
    Credentials {
        username: USER.into(),
        password: Secret::bearer(token.into()),
        allow_insecure: false,
    }
}

/// IMAP on 993 and SMTP on 465, both offering `mechanisms`, or POP3 on 995 instead of IMAP.
async fn world(mechanisms: &[&'static str], incoming: Protocol) -> World {
    let mut w = World::new();
    let leaf = w.ca.leaf(&[
        "imap.ok.test",
        "pop.ok.test",
        "smtp.ok.test",
        "mail.ok.test",
    ]);
    for protocol in [incoming, Protocol::Smtp] {
        let spec = Spec::new(protocol, TlsMode::Implicit(leaf.clone()))
            .with_account(USER, TOKEN)
            .behaving(Behaviour::OAuth(mechanisms.to_vec()));
        w.serve(&[10], Security::Tls, spec).await;
    }
    w
}

async fn login(w: &World, token: &str) -> Run {
    w.run_with(USER, &[ok_zone(&w.net)], |o| o.login = Some(bearer(token)))
        .await
}

/// The decoded initial response of the first command starting with `prefix`.
fn initial_response(w: &World, prefix: &str) -> String {
    let commands = w.commands();
    let line = commands
        .iter()
        .find_map(|c| c.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no {prefix}: {commands:?}"));
    String::from_utf8(STANDARD.decode(line.trim()).unwrap()).unwrap()
}

fn everything_shown(run: &Run) -> String {
    let json = serde_json::to_string(&mailprobe::report::Report::new(run)).unwrap();
    let mut card = Vec::new();
    mailprobe::render::card::render(run, &mut card).unwrap();
    let transcripts: String = run
        .probes()
        .filter_map(|p| p.transcript.as_ref())
        .map(|t| format!("{t:?}"))
        .collect();
    format!("{json}{}{transcripts}", String::from_utf8_lossy(&card))
}

fn assert_no_token(text: &str, token: &str) {
    assert!(!text.contains(token), "the token appears in: {text}");
    for form in [
        STANDARD.encode(format!("user={USER}\x01auth=Bearer {token}\x01\x01")),
        STANDARD.encode(token),
    ] {
        assert!(!text.contains(&form), "an encoded token appears in: {text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_valid_token_logs_in_with_oauthbearer_on_imap_and_smtp() {
    let w = world(&["OAUTHBEARER", "XOAUTH2"], Protocol::Imap).await;
    let run = login(&w, TOKEN).await;
    let checks = run.login.as_ref().unwrap();
    assert_eq!(checks.len(), 2, "{checks:?}");
    for c in checks {
        assert!(
            matches!(&c.outcome, LoginOutcome::Accepted { mechanism } if mechanism.ends_with("OAUTHBEARER")),
            "{c:?}"
        );
    }
    // RFC 7628: GS2 header with the user, host and port of the connection, ^A separators.
    let imap = initial_response(&w, "TLS l1 AUTHENTICATE OAUTHBEARER ");
    let port = checks[0].port;
    assert_eq!(
        imap,
        format!(
            "n,a={USER},\x01host={}\x01port={port}\x01auth=Bearer {TOKEN}\x01\x01",
            checks[0].host
        )
    );
    assert!(initial_response(&w, "TLS AUTH OAUTHBEARER ")
        .ends_with(&format!("auth=Bearer {TOKEN}\x01\x01")));
    // Google's tokens are opaque: said, as information.
    let f = support::scenario::finding(&run, Code::TokenOpaque).expect("token_opaque");
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(run.exit_code, mailprobe::exits::OK);
    assert_no_token(&everything_shown(&run), TOKEN);
}

#[tokio::test(flavor = "multi_thread")]
async fn pop3_takes_xoauth2_and_a_refused_token_is_decoded() {
    let w = world(&["XOAUTH2"], Protocol::Pop3).await;
    let run = login(&w, TOKEN).await;
    let checks = run.login.as_ref().unwrap();
    assert_eq!(checks[0].protocol, Protocol::Pop3);
    assert!(
        matches!(&checks[0].outcome, LoginOutcome::Accepted { mechanism } if mechanism == "AUTH XOAUTH2"),
        "{checks:?} {:?}",
        w.commands()
    );
    assert_eq!(
        initial_response(&w, "TLS AUTH XOAUTH2 "),
        format!("user={USER}\x01auth=Bearer {TOKEN}\x01\x01")
    );

    // A wrong token: the error challenge is read, answered with an empty line (XOAUTH2), and
    // the server's final "no" comes; the error is decoded.
    let w = world(&["XOAUTH2"], Protocol::Pop3).await;
    let wrong = "ya29.expired-or-revoked";
    let run = login(&w, wrong).await;
    let checks = run.login.as_ref().unwrap();
    match &checks[0].outcome {
        LoginOutcome::Rejected {
            oauth: Some(e),
            reply,
            ..
        } => {
            assert_eq!(e.status.as_deref(), Some("invalid_token"));
            assert!(reply.line.contains("-ERR"), "{reply:?}");
        }
        other => panic!("{other:?}"),
    }
    let commands = w.commands();
    let at = commands
        .iter()
        .position(|c| c.starts_with("TLS AUTH XOAUTH2 "))
        .unwrap();
    assert_eq!(commands[at + 1], "TLS ", "{commands:?}");
    let json = serde_json::to_value(mailprobe::report::Report::new(&run)).unwrap();
    assert_eq!(json["login"][0]["oauth_error"]["status"], "invalid_token");
    assert_eq!(json["login"][0]["cause"], "token_rejected");
    let f = support::scenario::finding(&run, Code::LoginNotAccepted).unwrap();
    let text = support::scenario::message(f);
    assert!(text.contains("refuses the token"), "{text}");
    assert_eq!(run.status, mailprobe::judge::Status::Refused);
    assert_no_token(&everything_shown(&run), wrong);
}

#[tokio::test(flavor = "multi_thread")]
async fn oauthbearer_answers_the_error_challenge_with_ctrl_a() {
    let w = world(&["OAUTHBEARER"], Protocol::Imap).await;
    let run = login(&w, "not-the-token").await;
    let commands = w.commands();
    let at = commands
        .iter()
        .position(|c| c.starts_with("TLS l1 AUTHENTICATE OAUTHBEARER "))
        .unwrap();
    // %x01, base64: the server ends the exchange instead of waiting.
    assert_eq!(commands[at + 1], "TLS AQ==", "{commands:?}");
    assert!(matches!(
        run.login.as_ref().unwrap()[0].outcome,
        LoginOutcome::Rejected { .. }
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_without_oauth_is_said_so_and_gets_nothing() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test", "smtp.ok.test", "mail.ok.test"]);
    w.serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let run = login(&w, TOKEN).await;
    match &run.login.as_ref().unwrap()[0].outcome {
        LoginOutcome::NotAttempted(LoginRefusal::NoOAuthMechanism(offered)) => {
            assert!(offered.contains(&"PLAIN".to_string()), "{offered:?}")
        }
        other => panic!("{other:?}"),
    }
    let f = support::scenario::finding(&run, Code::LoginNotAccepted).unwrap();
    assert!(support::scenario::message(f).contains("neither OAUTHBEARER nor XOAUTH2"));
    assert!(
        !w.commands().iter().any(|c| c.contains("AUTH")),
        "{:?}",
        w.commands()
    );
}

/// A Microsoft-style JWT with these claims (unsigned: mailprobe never checks signatures).
fn jwt(claims: &str) -> String {
    format!(
        "{}.{}.c2ln",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_s_own_claims_are_judged_before_it_is_used() {
    let w = world(&["OAUTHBEARER"], Protocol::Imap).await;
    let iss = "https://sts.windows.net/00000000-0000-0000-0000-000000000000/";
    let cases = [
        (
            format!(
                r#"{{"iss":"{iss}","aud":"https://outlook.office.com","exp":1000,"scp":"IMAP.AccessAsUser.All SMTP.Send","upn":"{USER}"}}"#
            ),
            Code::TokenExpired,
        ),
        (
            format!(
                r#"{{"iss":"{iss}","aud":"https://graph.microsoft.com","exp":99999999999,"scp":"Mail.Read","upn":"{USER}"}}"#
            ),
            Code::TokenAudienceWrong,
        ),
        (
            format!(
                r#"{{"iss":"{iss}","aud":"https://outlook.office.com","exp":99999999999,"scp":"IMAP.AccessAsUser.All","upn":"{USER}"}}"#
            ),
            Code::TokenScopeMissing,
        ),
        (
            format!(
                r#"{{"iss":"{iss}","aud":"https://outlook.office.com","exp":99999999999,"scp":"IMAP.AccessAsUser.All SMTP.Send","upn":"bob@ok.test"}}"#
            ),
            Code::TokenUserMismatch,
        ),
    ];
    for (claims, code) in cases {
        let token = jwt(&claims);
        let run = login(&w, &token).await;
        let token_codes: Vec<Code> = run
            .diagnosis
            .findings
            .iter()
            .map(|f| f.code)
            .filter(|c| format!("{c:?}").starts_with("Token"))
            .collect();
        assert_eq!(token_codes, vec![code], "{claims}");
        let f = support::scenario::finding(&run, code).unwrap();
        assert!(!support::scenario::message(f).is_empty());
        assert_no_token(&everything_shown(&run), &token);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_binary_reads_the_token_from_a_file_or_the_environment_and_never_prints_it() {
    let w = world(&["OAUTHBEARER", "XOAUTH2"], Protocol::Imap).await;
    let dns = support::dns::TestDns::start(&[ok_zone(&w.net)]).await;
    let ca = w.ca.pem_file();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, format!("{TOKEN}\n")).unwrap();
    let mut args = w.cli_args(USER, dns.addr, ca.path());
    args.extend(["--login", "--json", "-v"].map(String::from));
    for from_file in [true, false] {
        let mut a = args.clone();
        if from_file {
            a.push("--oauth-token-file".into());
            a.push(file.display().to_string());
        }
        let out = tokio::task::spawn_blocking(move || {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailprobe"));
            cmd.args(&a).env_remove("MAILPROBE_PASSWORD");
            if from_file {
                cmd.env_remove("MAILPROBE_OAUTH_TOKEN");
            } else {
                cmd.env("MAILPROBE_OAUTH_TOKEN", TOKEN);
            }
            cmd.output().unwrap()
        })
        .await
        .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
        assert!(stdout.contains("OAUTHBEARER"), "{stdout}");
        assert_no_token(&stdout, TOKEN);
        assert_no_token(&stderr, TOKEN);
    }
    // A token with a line break inside is refused before anything is sent.
    std::fs::write(&file, "abc\r\nA1 LOGOUT").unwrap();
    let mut a = args.clone();
    a.extend(["--oauth-token-file".into(), file.display().to_string()]);
    let out = Command::new(env!("CARGO_BIN_EXE_mailprobe"))
        .args(&a)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RFC 6750"));
}
