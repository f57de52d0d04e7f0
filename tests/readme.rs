//! The README is the manual: it must list every finding code and every flag.

use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect(path)
}

fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[test]
fn every_finding_code_is_documented() {
    let readme = read("README.md");
    let source = read("src/findings.rs");
    let body = source
        .split("pub enum Code {")
        .nth(1)
        .and_then(|s| s.split('}').next())
        .expect("Code enum");
    let codes: Vec<String> = body
        .lines()
        .map(str::trim)
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
        .map(|l| snake_case(l.trim_end_matches(',')))
        .collect();
    assert!(codes.len() > 40);
    for code in codes {
        assert!(
            readme.contains(&format!("`{code}`")),
            "README does not list `{code}`"
        );
    }
}

#[test]
fn every_flag_is_documented() {
    let readme = read("README.md");
    let cli = read("src/cli.rs");
    for line in cli.lines().filter(|l| l.contains("#[arg(long")) {
        let name = line
            .split("long = \"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .map(str::to_string);
        // `#[arg(long)]` takes the field name from the next line; check those via the list below.
        if let Some(name) = name {
            assert!(
                readme.contains(&format!("--{name}")),
                "README misses --{name}"
            );
        }
    }
    for flag in [
        "--dns",
        "--timeout",
        "--json",
        "--card",
        "--color",
        "--no-probe",
        "--ports",
        "--service",
        "--host",
        "--ca-file",
        "--concurrency",
    ] {
        assert!(readme.contains(flag), "README misses {flag}");
    }
}
