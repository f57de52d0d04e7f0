//! The provider table checked against the public databases it cites (issue 27): every variant
//! that names a Thunderbird ISPDB or Delta Chat file must agree with that file on host, port,
//! socket type and login name form, or carry a written reason for differing; a reason with no
//! difference left is stale and fails too. The files are copies under
//! `tests/fixtures/provider-sources/` (MPL 2.0, commits cited in its README).
//!
//! "Agree" means: every setting the table gives is one the source gives, and every protocol the
//! source offers with encryption is in the table. Which of the source's ports the table lists
//! for a protocol is the table's choice (it lists the implicit-TLS ports clients prefer); a
//! source's unencrypted settings are never taken.

use std::collections::BTreeSet;
use std::path::Path;

use mailprobe::provider::table::{Source, Variant, PROVIDERS};
use mailprobe::provider::Username;
use mailprobe::service::{Protocol, Security};

type Row = (Protocol, String, u16, Security, Username);

const DOMAIN: &str = "customer.example";

fn fixture(dir: &str, file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/provider-sources")
        .join(dir)
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn form(template: Option<&str>) -> Username {
    match template.map(|t| t.trim().to_ascii_lowercase()).as_deref() {
        None | Some("%emailaddress%" | "email" | "emailaddress") => Username::FullAddress,
        Some("%emaillocalpart%" | "emaillocalpart") => Username::LocalPart,
        Some(_) => Username::AccountName,
    }
}

fn from_ispdb(file: &str) -> Vec<Row> {
    let body = fixture("ispdb", file);
    mailprobe::published::autoconfig::parse(body.as_bytes(), DOMAIN)
        .unwrap_or_else(|e| panic!("{file}: {e:?}"))
        .into_iter()
        .map(|s| {
            let login = form(s.username.as_deref());
            (s.protocol, s.host, s.port, s.security, login)
        })
        .collect()
}

/// The `server:` list of a Delta Chat provider file's YAML front matter.
fn from_delta_chat(file: &str) -> Vec<Row> {
    let body = fixture("deltachat", file);
    let front = body.split("---").nth(1).unwrap_or_default();
    let mut rows = Vec::new();
    let mut current: Vec<(String, String)> = Vec::new();
    let mut in_servers = false;
    let mut flush = |fields: &mut Vec<(String, String)>| {
        let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        if let (Some(kind), Some(socket), Some(host), Some(port)) = (
            get("type"),
            get("socket"),
            get("hostname"),
            get("port").and_then(|p| p.parse().ok()),
        ) {
            let protocol = match kind.as_str() {
                "imap" => Protocol::Imap,
                "pop3" => Protocol::Pop3,
                _ => Protocol::Smtp,
            };
            let security = match socket.as_str() {
                "SSL" => Security::Tls,
                "STARTTLS" => Security::StartTls,
                _ => Security::Plain,
            };
            let login = form(get("username_pattern").as_deref());
            rows.push((protocol, host, port, security, login));
        }
        fields.clear();
    };
    for line in front.lines() {
        if !line.starts_with(' ') && !line.starts_with('-') {
            flush(&mut current);
            in_servers = line.trim_end() == "server:";
            continue;
        }
        if !in_servers {
            continue;
        }
        let item = line.trim_start();
        let item = match item.strip_prefix("- ") {
            Some(rest) => {
                flush(&mut current);
                rest
            }
            None => item,
        };
        if let Some((k, v)) = item.split_once(':') {
            current.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    flush(&mut current);
    rows
}

fn table_rows(v: &Variant) -> Vec<Row> {
    v.incoming
        .iter()
        .chain(v.outgoing)
        .map(|s| {
            let host = mailprobe::provider::table::expand_host(s.host, DOMAIN);
            (s.protocol, host, s.port, s.security, s.username)
        })
        .collect()
}

/// What sets the table apart from its source; empty when they agree.
fn differences(table: &[Row], source: &[Row]) -> Vec<String> {
    let source: BTreeSet<&Row> = source.iter().filter(|r| r.3 != Security::Plain).collect();
    let mut out: Vec<String> = table
        .iter()
        .filter(|r| !source.contains(r))
        .map(|r| format!("the table's {r:?} is not in the source"))
        .collect();
    let protocols: BTreeSet<Protocol> = source.iter().map(|r| r.0).collect();
    for p in protocols {
        if !table.iter().any(|r| r.0 == p) {
            out.push(format!("the source offers {p:?}, the table does not"));
        }
    }
    out
}

#[test]
fn every_cited_entry_agrees_with_its_source_or_says_why_not() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for p in PROVIDERS {
        for v in p.variants {
            let source = match v.source {
                Source::Ispdb(file) => from_ispdb(file),
                Source::DeltaChat(file) => from_delta_chat(file),
                Source::Page(_) | Source::Unverified => {
                    assert!(v.differs.is_none(), "{}: a reason with nothing cited", p.id);
                    continue;
                }
            };
            checked += 1;
            let which = format!("{} {:?}", p.id, v.label.unwrap_or("-"));
            let found = differences(&table_rows(v), &source);
            match (found.is_empty(), v.differs) {
                (false, None) => failures.push(format!("{which}: {}", found.join("; "))),
                (true, Some(_)) => failures.push(format!("{which}: a reason, but no difference")),
                (false, Some(reason)) => assert!(reason.len() > 30, "{which}: say why"),
                (true, None) => {}
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert!(checked >= 30, "only {checked} entries cite a database");
}

/// The comparison itself can fail: a host, a port, a login form or a missing protocol each
/// count, while a source's other ports of a protocol the table has, and plain ones, do not.
#[test]
fn the_comparison_sees_each_kind_of_difference() {
    let row = |p, h: &str, port, sec, u| (p, h.to_string(), port, sec, u);
    let source = vec![
        row(
            Protocol::Imap,
            "imap.x.test",
            993,
            Security::Tls,
            Username::LocalPart,
        ),
        row(
            Protocol::Imap,
            "imap.x.test",
            143,
            Security::StartTls,
            Username::LocalPart,
        ),
        row(
            Protocol::Imap,
            "imap.x.test",
            143,
            Security::Plain,
            Username::LocalPart,
        ),
        row(
            Protocol::Smtp,
            "smtp.x.test",
            465,
            Security::Tls,
            Username::FullAddress,
        ),
    ];
    let good = vec![source[0].clone(), source[3].clone()];
    assert!(differences(&good, &source).is_empty());
    let mut wrong_login = good.clone();
    wrong_login[0].4 = Username::FullAddress;
    let mut wrong_host = good.clone();
    wrong_host[1].1 = "mail.x.test".into();
    let mut wrong_port = good.clone();
    wrong_port[1].2 = 587;
    for bad in [wrong_login, wrong_host, wrong_port, vec![source[0].clone()]] {
        assert!(!differences(&bad, &source).is_empty(), "{bad:?}");
    }
    let plain = vec![source[2].clone(), source[3].clone()];
    assert!(!differences(&plain, &source).is_empty());
}

#[test]
fn delta_chat_files_are_read() {
    let rows = from_delta_chat("icloud.md");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].4, Username::LocalPart);
    assert_eq!(rows[1].2, 587);
    assert_eq!(rows[1].3, Security::StartTls);
}
