//! Benchmark: a fleet run over N customer domains (default 1,000; `MAILPROBE_FLEET_N=10000`)
//! against in-process DNS and mail servers on loopback. 64 shared server addresses (IMAP and
//! SMTP over TLS, ECDSA certificates), each domain with its own name there and a shared MX
//! host; 3 % of the domains' MX drops every SYN, 2 % accepts and never speaks. Run with
//! `cargo bench --bench fleet` (`MAILPROBE_FLEET_PARALLEL` sets `--parallel`, default 64).
//!
//! The fleet runs in the real binary (`--from`, `--jsonl`), so its peak RSS is mailprobe's
//! alone, not the test servers'. Prints: wall time, probe results and probes per second,
//! connections the servers accepted and per second, mailprobe's peak RSS, and the most
//! connections one server saw at once (the per-address cap is 8).

#[path = "../tests/support/mod.rs"]
mod support;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Instant;

use mailprobe::service::{Protocol, Security};
use support::dns::{zone, TestDns};
use support::mail::{Behaviour, BlackHole, Spec, TlsMode};
use support::scenario::World;

const SHARED: u8 = 64;

/// GNU time measures the peak RSS: `getrusage(RUSAGE_CHILDREN)` here would count this
/// process's own pages (thousands of zones), which a forked child holds until it execs.
const TIME: &str = "/usr/bin/time";

fn peak_rss_mib(report: &std::path::Path) -> Option<f64> {
    let text = std::fs::read_to_string(report).ok()?;
    let kib: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("maxrss="))?
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let n: usize = std::env::var("MAILPROBE_FLEET_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let parallel: usize = std::env::var("MAILPROBE_FLEET_PARALLEL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let mut w = World::new();
    let names: Vec<String> = (0..SHARED).map(|k| format!("mx{k}.hoster.test")).collect();
    let mut cert_names: Vec<&str> = names.iter().map(String::as_str).collect();
    cert_names.push("*.fleet.test");
    let leaf = w.ca.leaf(&cert_names);
    let hosts: Vec<u8> = (0..SHARED).map(|k| 10 + k).collect();
    let imaps = w
        .serve_tls(&hosts, Protocol::Imap, Security::Tls, &leaf)
        .await;
    let smtps = w
        .serve_tls(&hosts, Protocol::Smtp, Security::Tls, &leaf)
        .await;
    // Filtered (.200) and silent (.201) hosts on the same ports.
    let _holes = [
        BlackHole::start(SocketAddr::new(w.ip(200), imaps.port)).await,
        BlackHole::start(SocketAddr::new(w.ip(200), smtps.port)).await,
    ];
    let mut silent = Vec::new();
    for s in [imaps, smtps] {
        let spec = Spec::new(s.protocol, TlsMode::None).behaving(Behaviour::Silent);
        silent
            .push(support::mail::MailServer::start(SocketAddr::new(w.ip(201), s.port), spec).await);
    }
    let p = w.net.prefix();
    let mut hoster = String::new();
    for k in 0..SHARED {
        hoster.push_str(&format!("mx{k} IN A {p}.{}\n", 10 + k));
    }
    hoster.push_str(&format!("dropped IN A {p}.200\nsilent IN A {p}.201\n"));
    // One small zone per domain: hickory-server's in-memory zones scan their records for
    // negative answers, and one zone of 20,000 records would make the test DNS the bottleneck.
    let mut zones = vec![zone("hoster.test", &hoster)];
    for i in 0..n {
        let k = i % SHARED as usize;
        let mx = match i % 100 {
            0..=2 => "dropped.hoster.test.".to_string(),
            3..=4 => "silent.hoster.test.".to_string(),
            _ => format!("mx{k}.hoster.test."),
        };
        zones.push(zone(
            &format!("d{i}.fleet.test"),
            &format!("@ IN MX 10 {mx}\nmail IN A {p}.{}\n", 10 + k),
        ));
    }
    let dns = TestDns::start(&zones).await;
    let ca = w.ca.pem_file();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("domains.txt");
    let text: String = (0..n).map(|i| format!("d{i}.fleet.test\n")).collect();
    std::fs::write(&list, text).unwrap();
    let started = Instant::now();
    let rss_report = dir.path().join("rss");
    let measured = std::path::Path::new(TIME).exists();
    let mut command = if measured {
        let mut c = tokio::process::Command::new(TIME);
        c.args(["-f", "maxrss=%M", "-o"])
            .arg(&rss_report)
            .arg(env!("CARGO_BIN_EXE_mailprobe"));
        c
    } else {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_mailprobe"))
    };
    let mut child = command
        .arg("--from")
        .arg(&list)
        .args([
            "--jsonl",
            "-t",
            "2",
            "--parallel",
            &parallel.to_string(),
            "-p",
            "none",
        ])
        .args(["--no-authoritative", "--no-delivery", "--no-published"])
        .args(["-s", &format!("{}/imap/tls", imaps.port)])
        .args(["-s", &format!("{}/smtp/tls", smtps.port)])
        .args(["--dns", &dns.addr.to_string()])
        .arg("--ca-file")
        .arg(ca.path())
        // E.g. MAILPROBE_FLEET_ARGS=--no-probe measures the DNS side alone.
        .args(
            std::env::var("MAILPROBE_FLEET_ARGS")
                .unwrap_or_default()
                .split_whitespace(),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run mailprobe");
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    let (mut probes, mut domains) = (0usize, 0usize);
    while let Ok(Some(line)) = lines.next_line().await {
        let v: serde_json::Value = serde_json::from_str(&line).expect("a JSON report");
        probes += v["probes"].as_array().map_or(0, Vec::len);
        domains += 1;
    }
    child.wait().await.unwrap();
    let wall = started.elapsed().as_secs_f64();
    let mut servers = w.servers.iter().chain(&silent);
    let accepted: usize = w
        .servers
        .iter()
        .chain(&silent)
        .map(|s| s.connections.load(Ordering::SeqCst))
        .sum();
    let busiest = servers
        .by_ref()
        .map(|s| s.peak_connections.load(Ordering::SeqCst))
        .max()
        .unwrap_or(0);
    println!(
        "fleet of {domains} domains ({SHARED} shared addresses, --parallel {parallel}, --rate 10)"
    );
    println!("  wall time           {wall:.1} s");
    println!(
        "  probe results       {probes} ({:.0}/s)",
        probes as f64 / wall
    );
    println!(
        "  connections         {accepted} ({:.0}/s)",
        accepted as f64 / wall
    );
    match peak_rss_mib(&rss_report) {
        Some(mib) => println!("  peak RSS            {mib:.1} MiB (mailprobe)"),
        None => println!("  peak RSS            not measured (needs GNU time at {TIME})"),
    }
    println!("  busiest server      {busiest} connections at once (cap 8)");
}
