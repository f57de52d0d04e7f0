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
