//! The real binary: exit statuses, error messages, and the JSON contract.

mod support;

use std::process::{Command, Output};

use serde_json::Value;
use support::dns::TestDns;
use support::net::TestNet;

fn mailprobe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mailprobe"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run mailprobe")
}

#[test]
fn bad_input_exits_2_with_one_line_naming_the_problem() {
    let long_label = format!("user@{}.com", "a".repeat(64));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec![""], "empty"),
        (vec!["user@"], "no domain"),
        (vec!["@example.com"], "before the '@'"),
        (vec!["a@b@good.test"], "more than one '@'"),
        (vec!["us er@example.com"], "white space"),
        (vec!["user@[192.0.2.1]"], "IP address"),
        (vec!["192.0.2.1"], "IP address"),
        (vec![long_label.as_str()], "63"),
        (vec!["example.com>"], "cannot contain"),
        (vec!["user@exa\u{1b}[31mmple.com"], "control character"),
        (vec!["example.com", "--timeout", "0"], "--timeout"),
        (vec!["example.com", "--dns", "nameserver"], "--dns"),
        (
            vec!["example.com", "--ports", "8080"],
            "not a standard mail port",
        ),
        (
            vec!["example.com", "--relay-test", "--ports", "587"],
            "needs port 25 probed",
        ),
        (vec!["example.com", "--headers", "/"], "not a regular file"),
        (
            vec!["example.com", "--blocklists", "--no-delivery"],
            "--no-delivery",
        ),
        (
            vec!["example.com", "--service", "25/http/tls"],
            "unknown protocol",
        ),
        (
            vec![
                "example.com",
                "--ca-file",
                "/nonexistent/ca.pem",
                "--dns",
                "127.0.0.1:9",
            ],
            "CA file",
        ),
        (vec!["example.com", "--bogus-flag"], "--bogus-flag"),
        (vec![], "ADDRESS"),
        // Control characters in any flag's value are shown escaped, never raw.
        (
            vec!["example.com", "--ports", "99\u{1b}[2J\u{7}"],
            "--ports",
        ),
        (
            vec!["example.com", "--dns", "1.2.3.4\n\u{1b}]0;x\u{7}"],
            "--dns",
        ),
        (
            vec!["example.com", "--service", "2525/smtp/\u{1b}[31mx"],
            "--service",
        ),
        (
            vec!["example.com", "--ca-file", "/nonexistent/\u{1b}[31m\n.pem"],
            "CA file",
        ),
        (vec!["example.com", "--color", "\u{1b}[31m"], "--color"),
        (vec!["example.com", "--timeout", "0\u{2028}"], "--timeout"),
        // Inputs that never end are refused, not read.
        (
            vec!["example.com", "--ca-file", "/dev/zero"],
            "not a regular file",
        ),
        (
            vec!["example.com", "--ca-file", "/etc/hostname"],
            "no PEM certificate",
        ),
        // An output that is a folder is the user's mistake, found before any work.
        (
            vec!["example.com", "--export", "autoconfig", "-o", "/tmp"],
            "is a folder",
        ),
        (vec!["a.test", "b.test", "--html", "/tmp/"], "is a folder"),
        (
            vec!["example.com", "--export", "autoconfig", "--json"],
            "--json would not be shown",
        ),
        (vec!["example.com", "-q", "-v"], "use one of them"),
        (
            vec![
                "example.com",
                "--warning-days",
                "10",
                "--critical-days",
                "30",
            ],
            "at most --warning-days",
        ),
        (
            vec!["a.test", "b.test", "--fleet-max-time", "-1"],
            "--fleet-max-time",
        ),
        (
            vec![
                "example.com",
                "--export",
                "autoconfig",
                "-o",
                "/nonexistent/x.xml",
            ],
            "does not exist",
        ),
    ];
    for (args, needle) in cases {
        let out = mailprobe(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        // Nothing the user typed reaches the terminal raw.
        assert!(
            !stderr
                .trim_end_matches('\n')
                .chars()
                .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{61c}')),
            "{args:?}: {stderr:?}"
        );
    }
}

/// A monitoring system is told a usage error as UNKNOWN (3) with a plugin status line, so the
/// check shows why it failed; the message stays on stderr.
#[test]
fn a_nagios_usage_error_is_unknown() {
    for args in [
        vec!["example.com", "--nagios", "--timeout", "0"],
        vec!["example.com", "--nagios", "--bogus-flag"],
        vec!["a.test", "b.test", "--nagios"],
    ] {
        let out = mailprobe(&args);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.starts_with("MAILPROBE UNKNOWN - "), "{stdout}");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn help_and_version_exit_0() {
    assert_eq!(mailprobe(&["--help"]).status.code(), Some(0));
    assert_eq!(mailprobe(&["--version"]).status.code(), Some(0));
}

/// Every exit status, in `--help`, the man page and the README alike.
#[test]
fn every_exit_status_is_documented_where_users_look() {
    // Line breaks where the terminal width put them do not matter.
    let flat = |out: Vec<u8>| {
        String::from_utf8(out)
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let help = flat(mailprobe(&["--help"]).stdout);
    let man = flat(mailprobe(&["--man"]).stdout);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for status in [
        mailprobe::exits::OK,
        mailprobe::exits::PROBLEMS,
        mailprobe::exits::USAGE,
        mailprobe::exits::NOTHING_WORKS,
        mailprobe::exits::REGRESSIONS,
        mailprobe::exits::INTERRUPTED,
    ] {
        let phrase = format!("{status} ");
        assert!(help.contains(&phrase), "--help lacks exit status {status}");
        assert!(
            man.contains(&phrase),
            "the man page lacks exit status {status}"
        );
        assert!(
            readme.contains(&format!("| {status} |")),
            "README lacks exit status {status}"
        );
    }
    assert!(help.contains("130 interrupted") && man.contains("130 interrupted"));
}

#[tokio::test(flavor = "multi_thread")]
async fn json_follows_the_contract() {
    let net = TestNet::new();
    let dns = TestDns::with_fixtures(&["records", "srv", "gws"], &net).await;
    let server = dns.addr.to_string();
    let out = tokio::task::spawn_blocking(move || {
        mailprobe(&[
            "accounts@records.test",
            "--dns",
            &server,
            "--json",
            "--no-probe",
        ])
    })
    .await
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    support::schema::assert_valid(&v);
    assert_eq!(v["domain"], "records.test");
    assert_eq!(v["input"], "accounts@records.test");
    assert_eq!(v["mx_status"], "ok");
    let mx = v["mx"].as_array().unwrap();
    assert_eq!(mx.len(), 3);
    assert_eq!(mx[0]["preference"], 10);
    assert_eq!(mx[0]["exchange"], "mx1.records.test");
    assert_eq!(mx[0]["ttl"], 3600);
    assert_eq!(mx[0]["addresses"][0], format!("{}.21", net.prefix()));
    assert_eq!(v["provider"]["id"], "self_hosted");
    assert_eq!(v["provider"]["kind"], "webhost");
    assert!(v["srv"].is_array());
    for f in v["findings"].as_array().unwrap() {
        assert!(["error", "warning", "info"].contains(&f["severity"].as_str().unwrap()));
        assert!(f["code"]
            .as_str()
            .unwrap()
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_'));
        assert!(f["message"].is_string());
    }

    let server = dns.addr.to_string();
    let out = tokio::task::spawn_blocking(move || {
        mailprobe(&["gws.test", "--dns", &server, "--json", "--no-probe"])
    })
    .await
    .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    support::schema::assert_valid(&v);
    assert_eq!(v["provider"]["id"], "google");
    assert_eq!(v["provider"]["name"], "Google Workspace");
    assert_eq!(v["provider"]["kind"], "mailbox");
    assert_eq!(v["provider"]["webmail"], "https://mail.google.com");
}

#[tokio::test(flavor = "multi_thread")]
async fn human_report_has_no_colour_when_piped() {
    let net = TestNet::new();
    let dns = TestDns::with_fixtures(&["records"], &net).await;
    let server = dns.addr.to_string();
    let out = tokio::task::spawn_blocking(move || {
        mailprobe(&["records.test", "--dns", &server, "--no-probe"])
    })
    .await
    .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("mx1.records.test"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text:?}");
    let server = dns.addr.to_string();
    let out = tokio::task::spawn_blocking(move || {
        mailprobe(&[
            "records.test",
            "--dns",
            &server,
            "--no-probe",
            "--color",
            "always",
        ])
    })
    .await
    .unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains('\u{1b}'));
}
