//! Data flows one way: discovery, probing and provider knowledge never import the judgement or
//! the rendering; the judgement never imports rendering. A `use` that breaks this fails here.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Files under `layer` (a folder or one file) that mention any of `forbidden`.
fn offenders(layer: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let path = root.join(layer);
    let mut files = Vec::new();
    if path.is_dir() {
        sources(&path, &mut files);
    } else {
        files.push(path);
    }
    assert!(!files.is_empty(), "{layer}");
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for f in forbidden {
            if text.contains(f) {
                out.push(format!("{} uses {f}", file.display()));
            }
        }
    }
    out
}

const ABOVE_EVIDENCE: &[&str] = &[
    "crate::judge",
    "crate::render",
    "crate::report",
    "crate::cli",
];

#[test]
fn evidence_stages_import_nothing_from_judgement_or_rendering() {
    let mut bad = Vec::new();
    for layer in [
        "probe",
        "net",
        "discover",
        "delivery",
        "published",
        "provider",
        "plan.rs",
        "input.rs",
    ] {
        bad.extend(offenders(layer, ABOVE_EVIDENCE));
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn the_judgement_writes_no_words_and_renders_nothing() {
    let bad = offenders(
        "judge",
        &["crate::render", "crate::report", "crate::cli", "format!("],
    );
    assert!(bad.is_empty(), "{bad:#?}");
}

/// Every socket to a server is opened in one of these files, each of which holds the gate's
/// permits (or, for the user's own resolver, talks to nothing else). Anywhere else, a new way
/// to open a connection would bypass the address rule, the caps and the rate.
#[test]
fn sockets_are_opened_only_behind_the_gate() {
    const OPENERS: &[&str] = &[
        "TcpStream::connect",
        "TcpSocket::new",
        "UdpSocket::bind",
        "UdpClientStream::builder",
        "TcpClientStream::",
        "Client::builder",
        "ClientBuilder::new",
        "reqwest::get(",
    ];
    // probe/tcp.rs: the probes' connect, called only by sessions the engine admitted (it holds
    // the Limiter's permits and applied the address rule); net/http.rs: pinned to the address
    // the gate admitted; net/authority.rs: the zone's servers (admitted by the gate in
    // discover/authority.rs) and the user's own resolver.
    const ALLOWED: &[&str] = &[
        "probe/tcp.rs",
        "net/http.rs",
        "net/authority.rs",
        "net/gate.rs",
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut bad = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .to_string();
        if ALLOWED.contains(&relative.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for opener in OPENERS {
            if text.contains(opener) {
                bad.push(format!("{relative} uses {opener}"));
            }
        }
    }
    assert!(bad.is_empty(), "sockets opened outside the gate: {bad:#?}");
    // And the allowed files that reach servers do take the gate.
    let http = std::fs::read_to_string(root.join("net/http.rs")).unwrap();
    assert!(
        http.contains(".enter(address, deadline)"),
        "net/http.rs must pass the gate"
    );
    let authority = std::fs::read_to_string(root.join("discover/authority.rs")).unwrap();
    assert!(
        authority.contains(".enter(address, deadline)"),
        "name servers must pass the gate"
    );
}
