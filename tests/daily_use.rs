//! The habits IT people bring from curl, dig and nmap: transcripts (-v), completions and a man
//! page that agree with the README, -4/-6, the resolver named, the trust source chosen, colour
//! forced with CLICOLOR_FORCE.

mod support;

use std::process::{Command, Output};

use mailprobe::probe::login::{Credentials, Secret};
use mailprobe::probe::transcript::Direction;
use mailprobe::service::{Protocol, Security};
use serde_json::Value;
use support::dns::TestDns;
use support::mail::{Behaviour, Spec, TlsMode};
use support::scenario::{ok_zone, World};

fn mailprobe(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailprobe"));
    cmd.args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run mailprobe")
}

/// The flags in the manual's tables (README.md and every page of `docs/`).
fn readme_flags() -> Vec<String> {
    let readme = support::manual::manual();
    let mut flags = Vec::new();
    for row in readme.lines().filter(|l| l.starts_with("| `")) {
        let cell = row.split(" | ").next().unwrap_or("");
        for part in cell.split('`').filter(|p| p.starts_with("--")) {
            let flag = part.split([' ', '\\']).next().unwrap().to_string();
            if !flags.contains(&flag) {
                flags.push(flag);
            }
        }
    }
    flags
}

#[test]
fn completions_and_man_page_know_every_flag_of_the_readme() {
    let flags = readme_flags();
    assert!(flags.len() > 15, "{flags:?}");
    let man = mailprobe(&["--man"], &[]);
    assert_eq!(man.status.code(), Some(0));
    let man = String::from_utf8_lossy(&man.stdout).replace("\\-", "-");
    assert!(man.contains(".TH"), "not a man page");
    let bash = mailprobe(&["--completions", "bash"], &[]);
    assert_eq!(bash.status.code(), Some(0));
    let bash = String::from_utf8_lossy(&bash.stdout).to_string();
    let help = String::from_utf8_lossy(&mailprobe(&["--help"], &[]).stdout).to_string();
    for flag in flags
        .iter()
        .filter(|f| !matches!(f.as_str(), "--help" | "--version"))
    {
        assert!(man.contains(flag.as_str()), "man page lacks {flag}");
        assert!(bash.contains(flag.as_str()), "completions lack {flag}");
        assert!(help.contains(flag.as_str()), "--help lacks {flag}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_shows_the_conversation_of_failed_probes_with_secrets_redacted() {
    const PASSWORD: &str = "transcript-Secret-1";
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test", "smtp.ok.test", "mail.ok.test"]);
    let spec = Spec::new(Protocol::Smtp, TlsMode::StartTls(leaf.clone()))
        .with_account("a@ok.test", "other")
        .behaving(Behaviour::EchoCredentials);
    w.serve(&[10], Security::StartTls, spec).await;
    w.serve(
        &[10],
        Security::StartTls,
        Spec::new(Protocol::Imap, TlsMode::None).behaving(Behaviour::RejectStartTls),
    )
    .await;
    let creds = Credentials {
        username: "a@ok.test".into(),
        password: Secret::new(PASSWORD.into()),
        allow_insecure: false,
    };
    let run = w
        .run_with("a@ok.test", &[ok_zone(&w.net)], |o| {
            o.transcripts = true;
            o.login = Some(creds);
        })
        .await;
    let report = support::human_report(&run);
    assert!(report.contains("Transcripts"), "{report}");
    assert!(report.contains("C: EHLO"), "{report}");
    assert!(report.contains("C: STARTTLS"), "{report}");
    assert!(report.contains("TLS handshake with SNI"), "{report}");
    assert!(!report.contains(PASSWORD), "{report}");
    // The login's own transcript has the AUTH line redacted and the echoed reply scrubbed.
    let checks = run.login.as_ref().unwrap();
    let smtp = checks
        .iter()
        .find(|c| c.protocol == Protocol::Smtp)
        .expect("SMTP login");
    let login = smtp.transcript.as_ref().expect("login transcript");
    assert!(
        login.lines.iter().any(|l| l.text.contains("<redacted")),
        "{login:?}"
    );
    assert!(report.contains("Login SMTP"), "{report}");
    let all = run
        .probes()
        .filter_map(|p| p.transcript.as_ref())
        .chain(std::iter::once(login));
    use base64::Engine;
    let plain =
        base64::engine::general_purpose::STANDARD.encode(format!("\0a@ok.test\0{PASSWORD}"));
    for t in all {
        for line in &t.lines {
            assert!(!line.text.contains(PASSWORD), "{line:?}");
            assert!(!line.text.contains(&plain), "{line:?}");
            if line.direction == Direction::Sent {
                assert!(!line.text.starts_with("AUTH PLAIN A"), "{line:?}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_report_names_the_resolver_and_the_trust_source() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test"]);
    let s = w
        .serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let dns = TestDns::start(&[ok_zone(&w.net)]).await;
    let server = dns.addr.to_string();
    let ca = w.ca.pem_file();
    let ca_path = ca.path().display().to_string();
    let service = format!("{}/imap/tls", s.port);
    let args = vec![
        "ok.test".to_string(),
        "--dns".into(),
        server.clone(),
        "-j".into(),
        "-p".into(),
        "none".into(),
        "-s".into(),
        service,
        "--trust".into(),
        "system".into(),
    ];
    // The system store, pointed at the test CA with SSL_CERT_FILE: trusted without --ca-file.
    let out = tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        mailprobe(&refs, &[("SSL_CERT_FILE", &ca_path)])
    })
    .await
    .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["resolvers"][0], server);
    assert_eq!(v["trust"]["source"], "system");
    assert_eq!(v["trust"]["builtin_certificates"], 0);
    assert!(v["trust"]["system_certificates"].as_u64().unwrap() >= 1);
    assert_eq!(v["mailprobe_version"], env!("CARGO_PKG_VERSION"));
    assert!(v["started_at"].as_str().unwrap().ends_with('Z'));
    let imap = v["probes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["host"] == "imap.ok.test")
        .unwrap();
    assert_eq!(imap["verdict"], "works", "{imap}");
}

#[tokio::test(flavor = "multi_thread")]
async fn ipv4_only_leaves_ipv6_addresses_alone() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test"]);
    w.serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let n = w.net.prefix();
    let body = format!("@ IN MX 10 imap.ok.test.\nimap IN A {n}.10\nimap IN AAAA ::1\n");
    let zone = support::dns::zone("ok.test", &body);
    let v4 = w
        .run_with("ok.test", std::slice::from_ref(&zone), |o| {
            o.family = Some(mailprobe::plan::Family::V4)
        })
        .await;
    assert!(!v4.judged.is_empty());
    assert!(v4.probes().all(|p| p.address.is_ipv4()));
    let v6 = w
        .run_with("ok.test", &[zone], |o| {
            o.family = Some(mailprobe::plan::Family::V6)
        })
        .await;
    assert!(v6.probes().all(|p| p.address.is_ipv6()));
}

#[tokio::test(flavor = "multi_thread")]
async fn clicolor_force_colours_a_pipe_and_no_color_wins() {
    let net = support::net::TestNet::new();
    let dns = TestDns::with_fixtures(&["records"], &net).await;
    let server = dns.addr.to_string();
    let (forced, both) = tokio::task::spawn_blocking(move || {
        let args = ["records.test", "--dns", server.as_str(), "--no-probe"];
        (
            mailprobe(&args, &[("CLICOLOR_FORCE", "1")]),
            mailprobe(&args, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]),
        )
    })
    .await
    .unwrap();
    assert!(String::from_utf8_lossy(&forced.stdout).contains('\u{1b}'));
    assert!(!String::from_utf8_lossy(&both.stdout).contains('\u{1b}'));
}

/// `-v` tells every probe outcome in words, a refused connection and a TLS verdict included,
/// and no output of any kind carries Rust's debug formatting.
#[tokio::test(flavor = "multi_thread")]
async fn verbose_words_every_outcome_and_no_output_shows_debug_text() {
    let mut w = World::new();
    let expired =
        w.ca.leaf_with_validity(&["imap.ok.test", "smtp.ok.test"], -400, -10);
    w.serve_tls(&[10], Protocol::Imap, Security::Tls, &expired)
        .await;
    w.dead_service(Protocol::Smtp, Security::Tls);
    let run = w
        .run_with("a@ok.test", &[ok_zone(&w.net)], |o| o.transcripts = true)
        .await;
    let report = support::human_report(&run);
    assert!(
        report.contains("connecting to") && report.contains("refused"),
        "{report}"
    );
    assert!(report.contains("verdict: certificate expired"), "{report}");
    let mut json = Vec::new();
    mailprobe::render::json::render(&run, &mut json).unwrap();
    let mut card = Vec::new();
    mailprobe::render::card::render(&run, &mut card).unwrap();
    let mut quiet = Vec::new();
    mailprobe::render::card::quiet(&run, &mut quiet).unwrap();
    for text in [
        report,
        String::from_utf8(json).unwrap(),
        String::from_utf8(card).unwrap(),
        String::from_utf8(quiet).unwrap(),
    ] {
        for debug in ["Some(", "None)", "Err(", "Ok(", "verifier:"] {
            assert!(!text.contains(debug), "{debug} in:\n{text}");
        }
    }
}

/// `-6` on a domain that has only IPv4 addresses says why nothing was probed.
#[tokio::test(flavor = "multi_thread")]
async fn a_family_that_leaves_nothing_says_so() {
    let w = World::with_imaps(&["imap.ok.test"]).await;
    let run = w
        .run_with("ok.test", &[ok_zone(&w.net)], |o| {
            o.family = Some(mailprobe::plan::Family::V6)
        })
        .await;
    assert!(run.judged.is_empty());
    let f = support::scenario::finding(&run, mailprobe::judge::findings::Code::FamilyLeftNothing)
        .expect("said");
    assert!(
        support::scenario::message(f).contains("-6 left out all"),
        "{}",
        support::scenario::message(f)
    );
}
