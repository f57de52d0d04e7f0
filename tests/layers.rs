//! Data flows one way: discovery, probing and provider knowledge never import the judgement or
//! the rendering; the judgement never imports rendering or words; words sit below the views
//! (report imports words, render imports report, never the reverse); the fleet's engine prints
//! nothing; probing takes no plan; and no two files of the probe stage import each other, even
//! through others. A `use` that breaks this fails here.

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
    "crate::words",
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
        &[
            "crate::render",
            "crate::report",
            "crate::words",
            "crate::cli",
            "format!(",
        ],
    );
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn words_sit_below_the_views() {
    let mut bad = offenders("words", &["crate::render", "crate::report", "crate::cli"]);
    bad.extend(offenders("report", &["crate::render", "crate::cli"]));
    assert!(bad.is_empty(), "{bad:#?}");
}

/// The fleet's engine (running, input, shards, comparison) hands runs to `render`; it never
/// formats them itself.
#[test]
fn the_fleet_engine_prints_nothing() {
    let bad = offenders(
        "fleet",
        &[
            "crate::render",
            "crate::report",
            "crate::words",
            "crate::cli",
        ],
    );
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn probing_takes_tasks_not_the_plan() {
    let bad = offenders("probe", &["crate::plan"]);
    assert!(bad.is_empty(), "{bad:#?}");
}

/// The probe stage's files, as `tls/handshake`, with the files each one names (through
/// `super::`, `super::super::` or `crate::probe::`).
fn probe_imports() -> std::collections::BTreeMap<String, Vec<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/probe");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let name_of = |f: &Path| {
        let rel = f.strip_prefix(&root).unwrap().with_extension("");
        let name = rel.to_string_lossy().replace('\\', "/");
        name.strip_suffix("/mod").unwrap_or(&name).to_string()
    };
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|f| (name_of(f), std::fs::read_to_string(f).unwrap()))
        .filter(|(n, _)| n != "mod")
        .collect();
    let names: std::collections::BTreeSet<&str> = texts.iter().map(|(n, _)| n.as_str()).collect();
    let mut graph = std::collections::BTreeMap::new();
    for (name, text) in &texts {
        let own: Vec<&str> = name.split('/').collect();
        let mut uses = std::collections::BTreeSet::new();
        for (start, _) in text
            .match_indices("crate::probe::")
            .chain(text.match_indices("super::"))
        {
            let before = text[..start].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            // Climb one level per `super::`, then read the path's first two segments.
            let mut path: Vec<&str> = if text[start..].starts_with("crate::probe::") {
                Vec::new()
            } else {
                own[..own.len() - 1].to_vec()
            };
            let mut rest = &text[start..];
            rest = rest.strip_prefix("crate::probe::").unwrap_or(rest);
            while let Some(r) = rest.strip_prefix("super::") {
                if rest.as_ptr() != text[start..].as_ptr() {
                    path.pop();
                }
                rest = r;
            }
            let segment = |s: &str| -> String {
                s.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect()
            };
            let first = segment(rest);
            let second = rest
                .strip_prefix(first.as_str())
                .and_then(|r| r.strip_prefix("::"))
                .map(segment)
                .unwrap_or_default();
            let mut one = path.clone();
            one.push(&first);
            let one = one.join("/");
            let two = format!("{one}/{second}");
            if names.contains(two.as_str()) {
                uses.insert(two);
            } else if names.contains(one.as_str()) {
                uses.insert(one);
            }
        }
        uses.remove(name);
        graph.insert(name.clone(), uses.into_iter().collect());
    }
    graph
}

/// A cycle through `from`, if any, as the files on it.
fn cycle_from(
    graph: &std::collections::BTreeMap<String, Vec<String>>,
    from: &str,
) -> Option<Vec<String>> {
    let mut stack = vec![(from.to_string(), vec![from.to_string()])];
    let mut seen = std::collections::BTreeSet::new();
    while let Some((node, path)) = stack.pop() {
        for next in graph.get(&node).into_iter().flatten() {
            if next == from {
                let mut cycle = path.clone();
                cycle.push(from.to_string());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

#[test]
fn no_circles_inside_the_probe_stage() {
    let graph = probe_imports();
    assert!(graph.len() > 15, "{graph:?}");
    // The reader sees the edges it must (so a broken reader cannot pass by seeing none).
    assert!(graph["session"].contains(&"conn".to_string()), "{graph:?}");
    assert!(
        graph["tls/handshake"].contains(&"conn".to_string()),
        "{graph:?}"
    );
    let cycles: Vec<Vec<String>> = graph.keys().filter_map(|n| cycle_from(&graph, n)).collect();
    assert!(
        cycles.is_empty(),
        "files of probe/ that import each other: {cycles:?}"
    );
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
