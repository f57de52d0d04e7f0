//! Why a login still fails: a server's refusal decoded into its cause and who fixes it, a
//! login that is accepted but cannot use the mailbox caught by one read-only command, and the
//! limits a server advertises before login.

mod support;

use mailprobe::judge::findings::{Code, Severity};
use mailprobe::judge::Status;
use mailprobe::probe::login::{Credentials, LoginOutcome, Secret};
use mailprobe::service::{Protocol, Security};
use mailprobe::{exits, Run};
use support::mail::{Behaviour, Spec, TlsMode};
use support::scenario::{ok_zone, World};

const USER: &str = "alice@ok.test";
const PASSWORD: &str = "correct horse battery staple";

fn creds() -> Credentials {
    Credentials {
        username: USER.into(),
        password: Secret::new(PASSWORD.into()),
        allow_insecure: false,
    }
}

/// IMAP on 993 and SMTP on 587, each behaving as told.
async fn world(imap: Behaviour, smtp: Behaviour) -> World {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test", "smtp.ok.test", "mail.ok.test"]);
    let spec = |protocol, tls, b| {
        Spec::new(protocol, tls)
            .with_account(USER, PASSWORD)
            .behaving(b)
    };
    w.serve(
        &[10],
        Security::Tls,
        spec(Protocol::Imap, TlsMode::Implicit(leaf.clone()), imap),
    )
    .await;
    w.serve(
        &[10],
        Security::StartTls,
        spec(Protocol::Smtp, TlsMode::StartTls(leaf), smtp),
    )
    .await;
    w
}

async fn login(w: &World) -> Run {
    w.run_with(USER, &[ok_zone(&w.net)], |o| o.login = Some(creds()))
        .await
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::to_value(mailprobe::report::Report::new(run)).unwrap()
}

fn card(run: &Run) -> String {
    let mut out = Vec::new();
    mailprobe::render::card::render(run, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn login_finding(run: &Run) -> String {
    let f = support::scenario::finding(run, Code::LoginNotAccepted).expect("login_not_accepted");
    assert_eq!(f.severity, Severity::Error);
    format!(
        "{} | {}",
        support::scenario::message(f),
        mailprobe::words::hint(f).unwrap_or_default()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tenant_that_turned_smtp_auth_off_is_named_with_its_fix() {
    let w = world(
        Behaviour::Normal,
        Behaviour::RefuseLogin(
            "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.".into(),
        ),
    )
    .await;
    let run = login(&w).await;
    let checks = run.login.as_ref().unwrap();
    assert!(
        matches!(checks[0].outcome, LoginOutcome::Accepted { .. }),
        "{checks:?}"
    );
    assert!(
        matches!(checks[1].outcome, LoginOutcome::Rejected { .. }),
        "{checks:?}"
    );
    let text = login_finding(&run);
    assert!(text.contains("SMTP AUTH is turned off"), "{text}");
    assert!(
        text.contains("administrator") && text.contains("Set-CASMailbox"),
        "{text}"
    );
    assert!(text.contains("learn.microsoft.com"), "{text}");
    // The card stands alone: the cause and the fix are on it.
    let card = card(&run);
    assert!(card.contains("SMTP AUTH is turned off"), "{card}");
    assert!(card.contains("administrator can fix it"), "{card}");
    let j = json(&run);
    assert_eq!(j["login"][1]["cause"], "smtp_auth_disabled_for_tenant");
    assert_eq!(j["login"][1]["fix_by"], "tenant_admin");
    assert!(j["login"][0].get("cause").is_none(), "{}", j["login"][0]);
    assert_eq!(run.status, Status::Refused);
    assert_eq!(run.exit_code, exits::PROBLEMS);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_refusal_is_quoted_and_never_guessed() {
    let w = world(
        Behaviour::RefuseLogin("NO LOGIN failed.".into()),
        Behaviour::Normal,
    )
    .await;
    let run = login(&w).await;
    let text = login_finding(&run);
    assert!(text.contains("NO LOGIN failed."), "{text}");
    assert!(!text.contains("this means"), "{text}");
    assert!(json(&run)["login"][0].get("cause").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn accepted_but_not_connected_is_not_a_working_login() {
    let w = world(
        Behaviour::UnusableAfterLogin("BAD User is authenticated but not connected.".into()),
        Behaviour::Normal,
    )
    .await;
    let run = login(&w).await;
    let checks = run.login.as_ref().unwrap();
    match &checks[0].outcome {
        LoginOutcome::NotUsable { command, reply, .. } => {
            assert_eq!(*command, "EXAMINE INBOX");
            assert!(reply.as_ref().unwrap().line.contains("not connected"));
        }
        other => panic!("{other:?}"),
    }
    let text = login_finding(&run);
    assert!(
        text.contains("not usable") && text.contains("no usable mailbox"),
        "{text}"
    );
    let j = json(&run);
    assert_eq!(j["login"][0]["outcome"], "not_usable");
    assert_eq!(j["login"][0]["cause"], "mailbox_not_provisioned");
    assert_eq!(run.status, Status::Refused);
    assert!(card(&run).contains("✘ accepted"), "{}", card(&run));
    // The check is read-only: EXAMINE, never SELECT.
    let commands = w.commands();
    assert!(
        commands.iter().any(|c| c.ends_with("EXAMINE INBOX")),
        "{commands:?}"
    );
    assert!(
        !commands.iter().any(|c| c.contains("SELECT")),
        "{commands:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sending_is_checked_with_mail_from_and_nothing_is_ever_sent() {
    let w = world(Behaviour::Normal, Behaviour::Normal).await;
    let run = login(&w).await;
    for c in run.login.as_ref().unwrap() {
        assert!(matches!(c.outcome, LoginOutcome::Accepted { .. }), "{c:?}");
    }
    let commands = w.commands();
    let mail = commands
        .iter()
        .position(|c| c == &format!("TLS MAIL FROM:<{USER}>"))
        .unwrap_or_else(|| panic!("{commands:?}"));
    assert_eq!(commands.get(mail + 1).map(String::as_str), Some("TLS RSET"));
    for never in ["RCPT", "DATA", "BDAT"] {
        assert!(!commands.iter().any(|c| c.contains(never)), "{commands:?}");
    }

    // A server that will not let the account send as itself makes the login not usable.
    let w = world(
        Behaviour::Normal,
        Behaviour::UnusableAfterLogin(
            "550 5.7.60 SMTP; Client does not have permissions to send as this sender".into(),
        ),
    )
    .await;
    let run = login(&w).await;
    let checks = run.login.as_ref().unwrap();
    assert!(
        matches!(
            checks[1].outcome,
            LoginOutcome::NotUsable {
                command: "MAIL FROM",
                ..
            }
        ),
        "{checks:?}"
    );
    assert_eq!(run.status, Status::Refused);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pop3_mailbox_held_by_another_session_is_said_so() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["pop.ok.test", "mail.ok.test", "smtp.ok.test"]);
    w.serve(
        &[10],
        Security::Tls,
        Spec::new(Protocol::Pop3, TlsMode::Implicit(leaf))
            .with_account(USER, PASSWORD)
            .behaving(Behaviour::RefuseLogin(
                "-ERR [IN-USE] Mailbox is locked by another POP3 session".into(),
            )),
    )
    .await;
    let run = login(&w).await;
    let checks = run.login.as_ref().unwrap();
    assert_eq!(checks[0].protocol, Protocol::Pop3, "{checks:?}");
    let text = login_finding(&run);
    assert!(text.contains("another session holds the mailbox"), "{text}");
    assert_eq!(json(&run)["login"][0]["cause"], "mailbox_in_use");
    assert_eq!(json(&run)["login"][0]["fix_by"], "user");

    // A right login is checked with STAT.
    let mut w = World::new();
    let leaf = w.ca.leaf(&["pop.ok.test", "mail.ok.test"]);
    w.serve(
        &[10],
        Security::Tls,
        Spec::new(Protocol::Pop3, TlsMode::Implicit(leaf)).with_account(USER, PASSWORD),
    )
    .await;
    let run = login(&w).await;
    assert!(matches!(
        run.login.as_ref().unwrap()[0].outcome,
        LoginOutcome::Accepted { .. }
    ));
    assert!(
        w.commands().iter().any(|c| c == "TLS STAT"),
        "{:?}",
        w.commands()
    );
}

/// The limits a server advertises before login, in the words of what they mean to a user.
#[tokio::test(flavor = "multi_thread")]
async fn advertised_limits_are_read_and_the_card_carries_those_users_hit() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["pop.ok.test", "mail.ok.test", "smtp.ok.test"]);
    let caps = |c: &[&str]| Behaviour::ExtraCapabilities(c.iter().map(|s| s.to_string()).collect());
    w.serve(
        &[10],
        Security::Tls,
        Spec::new(Protocol::Pop3, TlsMode::Implicit(leaf.clone()))
            .behaving(caps(&["EXPIRE 0", "LOGIN-DELAY 900"])),
    )
    .await;
    w.serve(
        &[10],
        Security::Tls,
        Spec::new(Protocol::Smtp, TlsMode::Implicit(leaf))
            .behaving(caps(&["SIZE 10240000", "VRFY"])),
    )
    .await;
    let run = w.run("ok.test", &[ok_zone(&w.net)]).await;
    let text = |code| support::scenario::finding(&run, code).map(support::scenario::message);
    let size = text(Code::MessageSizeLimit).expect("message_size_limit");
    assert!(
        size.contains("10.2 MB") && size.contains("about 7.5 MB"),
        "{size}"
    );
    assert!(text(Code::VrfyEnabled).is_some());
    assert!(text(Code::Smtputf8Missing).is_some());
    let expire = support::scenario::finding(&run, Code::Pop3Expire).unwrap();
    assert_eq!(expire.severity, Severity::Warning);
    assert!(support::scenario::message(expire).contains("second device"));
    assert!(text(Code::Pop3LoginDelay).unwrap().contains("900 s"));
    // Implicit TLS: nothing is offered before TLS.
    assert!(text(Code::AuthBeforeTls).is_none());
    let card = card(&run);
    assert!(card.contains("Limit") && card.contains("10.2 MB"), "{card}");
    assert!(
        card.contains("EXPIRE 0") && !card.contains("VRFY"),
        "{card}"
    );
    let json = json(&run);
    let codes: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    for code in [
        "message_size_limit",
        "pop3_expire",
        "pop3_login_delay",
        "vrfy_enabled",
    ] {
        assert!(codes.contains(&code), "{codes:?}");
    }
}

/// A STARTTLS port listing AUTH before the upgrade would take a password in clear.
#[tokio::test(flavor = "multi_thread")]
async fn a_login_offered_before_starttls_is_said() {
    let w = world(Behaviour::Normal, Behaviour::Normal).await;
    let run = w.run(USER, &[ok_zone(&w.net)]).await;
    let f = support::scenario::finding(&run, Code::AuthBeforeTls).expect("auth_before_tls");
    assert!(support::scenario::message(f).contains("before STARTTLS"));
    assert_eq!(f.port, Some(run.diagnosis.recommended.outgoing[0].port));
}

/// The same table reads a refused greeting and a refused STARTTLS.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_greeting_and_a_refused_starttls_are_decoded() {
    let w = world(
        Behaviour::Normal,
        Behaviour::Greeting(
            "554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org"
                .into(),
        ),
    )
    .await;
    let run = w.run(USER, &[ok_zone(&w.net)]).await;
    let f = support::scenario::finding(&run, Code::GreetingRejected).expect("greeting_rejected");
    let text = support::scenario::message(f);
    assert!(
        text.contains("blocked using") && text.contains("blocklist"),
        "{text}"
    );
    let hint = mailprobe::words::hint(f).unwrap();
    assert!(hint.contains("another network"), "{hint}");

    let w = world(Behaviour::Normal, Behaviour::RejectStartTls).await;
    let run = w.run(USER, &[ok_zone(&w.net)]).await;
    let f = support::scenario::finding(&run, Code::StarttlsFailed).expect("starttls_failed");
    let text = support::scenario::message(f);
    assert!(text.contains("cannot start TLS"), "{text}");
}
