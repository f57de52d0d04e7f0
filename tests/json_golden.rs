//! The JSON contract, guarded by a golden file: a real probed run (in-process DNS and mail
//! servers with real TLS, a login check) rendered with `--json`, volatile values normalised.
//! Keys may be added (regenerate with `MAILPROBE_BLESS=1 cargo test --test json_golden`), but a
//! key that disappears or changes meaning fails here.

mod support;

use std::collections::BTreeMap;

use mailprobe::probe::login::{Credentials, Secret};
use mailprobe::service::{Protocol, Security};
use serde_json::Value;
use support::mail::{Spec, TlsMode};
use support::scenario::{ok_zone, World};

const USER: &str = "alice@ok.test";
const PASSWORD: &str = "golden password";
const GOLDEN: &str = "tests/golden/run.json";

/// Keys whose values change from run to run (times, dates, days counted from today).
const VOLATILE: &[&str] = &[
    "elapsed_ms",
    "connect_ms",
    "tls_ms",
    "greeting_first_ms",
    "greeting_ms",
    "capabilities_ms",
    "total_ms",
    "not_before",
    "not_after",
    "days_left",
    "sha256_fingerprint",
    "validity_days",
    "started_at",
    "mailprobe_version",
    "resolvers",
    "builtin_certificates",
    "system_certificates",
];

#[tokio::test(flavor = "multi_thread")]
async fn the_json_of_a_real_run_matches_the_golden_file() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test", "smtp.ok.test", "mail.ok.test"]);
    let expired = w.ca.expired_leaf(&["mx.ok.test"]);
    let mut names: BTreeMap<u16, &str> = BTreeMap::new();
    let imaps = w
        .serve(
            &[10],
            Security::Tls,
            Spec::new(Protocol::Imap, TlsMode::Implicit(leaf.clone())).with_account(USER, PASSWORD),
        )
        .await;
    let submission = w
        .serve(
            &[10],
            Security::StartTls,
            Spec::new(Protocol::Smtp, TlsMode::StartTls(leaf.clone())).with_account(USER, PASSWORD),
        )
        .await;
    let pop3 = w
        .serve(
            &[10],
            Security::StartTls,
            Spec::new(Protocol::Pop3, TlsMode::None),
        )
        .await;
    let smtps = w
        .serve_tls(&[11], Protocol::Smtp, Security::Tls, &expired)
        .await;
    let refused = w.dead_service(Protocol::Imap, Security::StartTls);
    for (s, name) in [
        (imaps, "PORT_IMAPS"),
        (submission, "PORT_SUBMISSION"),
        (pop3, "PORT_POP3"),
        (smtps, "PORT_SMTPS"),
        (refused, "PORT_REFUSED"),
    ] {
        names.insert(s.port, name);
    }
    let creds = Credentials {
        username: USER.into(),
        password: Secret::new(PASSWORD.into()),
        allow_insecure: false,
    };
    let run = w
        .run_with(USER, &[ok_zone(&w.net)], |o| o.login = Some(creds))
        .await;
    let mut out = Vec::new();
    mailprobe::render::json::render(&run, &mut out).unwrap();
    // The run matched its schema (every run of the suite is checked); the schema is closed: a
    // key no view type declares fails.
    let mut extra: Value = serde_json::from_slice(&out).unwrap();
    extra["recommended"]["incoming"][0]["surprise"] = Value::from(1);
    let caught = std::panic::catch_unwind(|| support::schema::assert_valid(&extra));
    assert!(caught.is_err(), "an undeclared key passed the schema");
    let text = normalise(&String::from_utf8(out).unwrap(), &w.net.prefix(), &names);
    if std::env::var_os("MAILPROBE_BLESS").is_some() {
        std::fs::write(GOLDEN, &text).unwrap();
    }
    let golden = std::fs::read_to_string(GOLDEN).expect("golden file (MAILPROBE_BLESS=1 makes it)");
    assert_missing_keys(&golden, &text);
    let first_difference = golden
        .lines()
        .zip(text.lines())
        .enumerate()
        .find(|(_, (g, t))| g != t);
    assert!(
        first_difference.is_none() && golden.lines().count() == text.lines().count(),
        "the JSON differs from {GOLDEN} (line, golden, now): {first_difference:?}"
    );
}

/// Volatile values replaced, the test's own addresses and ports named.
fn normalise(json: &str, prefix: &str, ports: &BTreeMap<u16, &str>) -> String {
    let mut value: Value = serde_json::from_str(json).unwrap();
    blank_volatile(&mut value, ports);
    let mut text = serde_json::to_string_pretty(&value).unwrap();
    text = text.replace(prefix, "NET");
    for (port, name) in ports {
        let re = regex::Regex::new(&format!(r"\b{port}\b")).unwrap();
        text = re.replace_all(&text, *name).into_owned();
    }
    // Port lists are sorted by number, and the numbers are random: sort the names instead.
    let lists = regex::Regex::new(r"PORT_[A-Z0-9]+(, PORT_[A-Z0-9]+)+").unwrap();
    text = lists
        .replace_all(&text, |c: &regex::Captures| {
            let mut names: Vec<&str> = c[0].split(", ").collect();
            names.sort();
            names.join(", ")
        })
        .into_owned();
    let date = regex::Regex::new(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?").unwrap();
    text = date.replace_all(&text, "DATE").into_owned();
    let days = regex::Regex::new(r"\d+ days").unwrap();
    days.replace_all(&text, "N days").into_owned() + "\n"
}

/// Volatile values become "~"; the test's random port numbers become strings naming them.
fn blank_volatile(v: &mut Value, ports: &BTreeMap<u16, &str>) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if VOLATILE.contains(&k.as_str()) && !val.is_null() {
                    *val = Value::String("~".into());
                } else {
                    blank_volatile(val, ports);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| blank_volatile(i, ports)),
        Value::Number(n) => {
            let named = n.as_u64().and_then(|p| ports.get(&u16::try_from(p).ok()?));
            if let Some(name) = named {
                *v = Value::String((*name).to_string());
            }
        }
        _ => {}
    }
}

/// Every key path of the golden file must still exist (a clearer failure than a text diff).
fn assert_missing_keys(golden: &str, now: &str) {
    let (g, n): (Value, Value) = (
        serde_json::from_str(golden).unwrap(),
        serde_json::from_str(now).unwrap(),
    );
    let mut gk = Vec::new();
    let mut nk = Vec::new();
    key_paths(&g, String::new(), &mut gk);
    key_paths(&n, String::new(), &mut nk);
    let missing: Vec<&String> = gk.iter().filter(|k| !nk.contains(k)).collect();
    assert!(missing.is_empty(), "keys removed or renamed: {missing:?}");
}

fn key_paths(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, val) in map {
                let path = format!("{at}.{k}");
                if !out.contains(&path) {
                    out.push(path.clone());
                }
                key_paths(val, path, out);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|i| key_paths(i, format!("{at}[]"), out)),
        _ => {}
    }
}

const SCHEMA: &str = "schema/report.schema.json";

/// The schema file users download is the one the view types generate (`--json-schema`), and
/// the golden run matches it.
#[test]
fn the_schema_file_is_the_generated_schema_and_the_golden_run_matches_it() {
    let generated = mailprobe::report::json_schema();
    if std::env::var_os("MAILPROBE_BLESS").is_some() {
        std::fs::write(SCHEMA, &generated).unwrap();
    }
    let file = std::fs::read_to_string(SCHEMA).expect("schema file (MAILPROBE_BLESS=1 makes it)");
    assert!(
        file == generated,
        "{SCHEMA} is not what the view types generate: run MAILPROBE_BLESS=1 cargo test --test json_golden"
    );
}
