//! `--login`: one authentication per chosen setting, only over trusted TLS unless allowed,
//! and the password never printed, logged or sent in clear.

mod support;

use std::process::Command;

use base64::Engine;
use mailprobe::probe::login::{Credentials, LoginOutcome, Secret};
use mailprobe::service::{Protocol, Security};
use mailprobe::{exits, Run};
use support::mail::{Spec, TlsMode};
use support::scenario::{ok_zone, World};

const USER: &str = "alice@ok.test";
const PASSWORD: &str = "correct horse battery staple";

fn creds(password: &str, allow_insecure: bool) -> Credentials {
    Credentials {
        username: USER.into(),
        password: Secret::new(password.into()),
        allow_insecure,
    }
}

async fn tls_world() -> World {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test", "smtp.ok.test"]);
    w.serve(
        &[10],
        Security::Tls,
        Spec::new(Protocol::Imap, TlsMode::Implicit(leaf.clone())).with_account(USER, PASSWORD),
    )
    .await;
    w.serve(
        &[10],
        Security::StartTls,
        Spec::new(Protocol::Smtp, TlsMode::StartTls(leaf)).with_account(USER, PASSWORD),
    )
    .await;
    w
}

async fn run_login(w: &World, c: Credentials) -> Run {
    w.run_with("alice@ok.test", &[ok_zone(&w.net)], |o| o.login = Some(c))
        .await
}

/// The password in every form a client could send it, to look for in logs and output.
fn password_forms() -> Vec<String> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    vec![
        PASSWORD.to_string(),
        b64(&format!("\0{USER}\0{PASSWORD}")),
        b64(PASSWORD),
    ]
}

fn assert_no_password(text: &str) {
    for form in password_forms() {
        assert!(!text.contains(&form), "the password appears in: {text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn login_succeeds_over_trusted_tls_for_incoming_and_outgoing() {
    let w = tls_world().await;
    let run = run_login(&w, creds(PASSWORD, false)).await;
    let checks = run.login.as_ref().expect("login checks");
    assert_eq!(checks.len(), 2);
    assert_eq!(checks[0].protocol, Protocol::Imap);
    assert_eq!(checks[1].protocol, Protocol::Smtp);
    for c in checks {
        assert!(matches!(c.outcome, LoginOutcome::Accepted { .. }), "{c:?}");
    }
    assert_eq!(run.exit_code, exits::OK);
    // Nothing secret went over plaintext (the SMTP port upgrades with STARTTLS first).
    for s in &w.servers {
        assert_no_password(&s.plaintext_commands().join("\n"));
    }
    // One login per setting, not one per probe.
    let logins: usize = w
        .servers
        .iter()
        .map(|s| s.commands().iter().filter(|c| c.contains("AUTH")).count())
        .sum();
    assert_eq!(logins, 2);
    // The report and the JSON never carry it.
    assert_no_password(&support::human_report(&run));
    assert_no_password(&serde_json::to_string(&mailprobe::report::Report::new(&run)).unwrap());
    assert_no_password(&format!("{:?}", run));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_is_reported_as_rejected() {
    let w = tls_world().await;
    let run = run_login(&w, creds("wrong", false)).await;
    let checks = run.login.as_ref().unwrap();
    match &checks[0].outcome {
        LoginOutcome::Rejected { reply, .. } => {
            assert!(reply.line.contains("AUTHENTICATIONFAILED"), "{reply:?}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(run.exit_code, exits::PROBLEMS);
    // A rejected login is a finding (the fleet's worst finding, the card's and -q's reason).
    let f = support::scenario::finding(&run, mailprobe::judge::findings::Code::LoginNotAccepted)
        .expect("login_not_accepted");
    assert_eq!(f.severity, mailprobe::judge::findings::Severity::Error);
    let text = support::scenario::message(f);
    assert!(
        text.contains("was rejected") && text.contains("AUTHENTICATIONFAILED"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_password_goes_to_an_untrusted_certificate_or_over_plaintext() {
    let mut w = World::new();
    let wrong = w.ca.leaf(&["elsewhere.test"]);
    w.serve(
        &[10],
        Security::Tls,
        Spec::new(Protocol::Imap, TlsMode::Implicit(wrong)).with_account(USER, PASSWORD),
    )
    .await;
    w.serve(
        &[10],
        Security::StartTls,
        Spec::new(Protocol::Smtp, TlsMode::None).with_account(USER, PASSWORD),
    )
    .await;
    let run = run_login(&w, creds(PASSWORD, false)).await;
    let checks = run.login.as_ref().unwrap();
    assert_eq!(checks.len(), 2);
    for c in checks {
        assert!(matches!(c.outcome, LoginOutcome::NotAttempted(_)), "{c:?}");
    }
    let all: Vec<String> = w.servers.iter().flat_map(|s| s.commands()).collect();
    assert!(
        !all.iter()
            .any(|c| c.contains("AUTH") || c.contains("LOGIN ")),
        "{all:?}"
    );
    assert_eq!(run.exit_code, exits::PROBLEMS);

    // Only when the user explicitly allows it.
    let run = run_login(&w, creds(PASSWORD, true)).await;
    for c in run.login.as_ref().unwrap() {
        assert!(matches!(c.outcome, LoginOutcome::Accepted { .. }), "{c:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_binary_takes_the_password_from_the_environment_and_never_prints_it() {
    let w = tls_world().await;
    let dns = support::dns::TestDns::start(&[ok_zone(&w.net)]).await;
    let ca = w.ca.pem_file();
    let mut args = w.cli_args("alice@ok.test", dns.addr, ca.path());
    args.push("--login".into());
    for json in [false, true] {
        let mut a = args.clone();
        if json {
            a.push("--json".into());
        }
        let out = tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_mailprobe"))
                .args(&a)
                .env("MAILPROBE_PASSWORD", PASSWORD)
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
        assert!(stdout.contains("accepted"), "{stdout}");
        assert_no_password(&stdout);
        assert_no_password(&stderr);
    }
}
