//! Fleet runs against in-process servers: a shared server probed once per (name, address,
//! service) whatever the number of domains, the per-address cap and rate limit held across
//! domains, reports streamed as JSONL, `--compare` finding regressions, and the HTML page.

mod support;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use mailprobe::fleet::{self, FleetRequest};
use mailprobe::service::{Protocol, Security};
use support::dns::{zone, TestDns};
use support::scenario::World;

/// `n` customer domains whose MX is the hosting company's shared mx.hoster.test (.10).
fn zones(w: &World, n: usize) -> Vec<String> {
    let p = w.net.prefix();
    let mut out = vec![zone("hoster.test", &format!("mx IN A {p}.10\n"))];
    for i in 0..n {
        out.push(zone(
            &format!("client{i}.test"),
            "@ IN MX 10 mx.hoster.test.\n",
        ));
    }
    out
}

fn request(
    w: &World,
    dns: std::net::SocketAddr,
    ca: &std::path::Path,
    n: usize,
    rate: Option<f64>,
) -> FleetRequest {
    let domains: Vec<String> = (0..n).map(|i| format!("client{i}.test")).collect();
    let mut req = w.fleet_request(dns, ca, &domains, support::scenario::TIMEOUT, 8);
    req.fleet.rate = rate;
    req
}

async fn run(req: &FleetRequest) -> (u8, String, String) {
    support::run_fleet(req).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shared_server_is_probed_once_for_every_domain() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["mx.hoster.test"]);
    w.serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    w.serve_tls(&[10], Protocol::Smtp, Security::Tls, &leaf)
        .await;
    let dns = TestDns::start(&zones(&w, 12)).await;
    let ca = w.ca.pem_file();
    let req = request(&w, dns.addr, ca.path(), 12, None);
    let (code, out, err) = run(&req).await;
    assert_eq!(code, mailprobe::exits::OK, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON report per line"))
        .collect();
    assert_eq!(lines.len(), 12);
    lines.iter().for_each(support::schema::assert_valid);
    for v in &lines {
        // Every domain got the shared server's results.
        let works = v["probes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["host"] == "mx.hoster.test" && p["verdict"] == "works")
            .count();
        assert_eq!(works, 2, "{}", v["domain"]);
    }
    // Two services, one name: two probes and three lone-version hellos (TLS 1.0, 1.1, and 1.2
    // since the server chose 1.3) on each, in all (nothing per domain).
    let total: usize = w
        .servers
        .iter()
        .map(|s| s.connections.load(Ordering::SeqCst))
        .sum();
    assert_eq!(total, 2 * 4, "connections to the shared server");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cap_and_rate_hold_across_domains() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["mx.hoster.test"]);
    w.serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let p = w.net.prefix();
    // Each domain's own name on the shared address: nothing to share, 24 connections.
    let mut z = vec![zone("hoster.test", &format!("mx IN A {p}.10\n"))];
    for i in 0..24 {
        z.push(zone(
            &format!("client{i}.test"),
            &format!("@ IN MX 10 mail.client{i}.test.\nmail IN A {p}.10\n"),
        ));
    }
    let dns = TestDns::start(&z).await;
    let ca = w.ca.pem_file();
    let mut req = request(&w, dns.addr, ca.path(), 24, Some(16.0));
    req.fleet.parallel = 24;
    let started = Instant::now();
    let (_, out, _) = run(&req).await;
    let elapsed = started.elapsed();
    assert_eq!(out.lines().count(), 24);
    let server = &w.servers[0];
    let connections = server.connections.load(Ordering::SeqCst);
    let verdicts: Vec<String> = out
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            format!(
                "{} {:?}",
                v["domain"],
                v["probes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| (
                        p["host"].clone(),
                        p["verdict"].clone(),
                        p["failure"].clone()
                    ))
                    .collect::<Vec<_>>()
            )
        })
        .collect();
    // One per domain's own name, and the certificate's name (shared) once; each with up to two
    // legacy hellos (TLS 1.0, 1.1), which get no slot once their timeout passes at this rate.
    assert!(
        (20..=26 * 3).contains(&connections),
        "{connections}: {verdicts:#?}"
    );
    assert!(server.peak_connections.load(Ordering::SeqCst) <= 8);
    // After a burst of 8, 16 per second: the rest cannot arrive faster.
    let floor = Duration::from_secs_f64((connections - 9) as f64 / 16.0);
    assert!(
        elapsed >= floor,
        "{elapsed:?} < {floor:?} for {connections} connections"
    );
}

/// A fleet of two customers of one shared server, whose reports go to `old`.
async fn two_domains(w: &World) -> (TestDns, tempfile::NamedTempFile) {
    let dns = TestDns::start(&zones(w, 2)).await;
    (dns, w.ca.pem_file())
}

#[tokio::test(flavor = "multi_thread")]
async fn compare_finds_a_setting_that_stopped_working_and_an_expiring_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.jsonl");
    {
        let mut w = World::new();
        let leaf = w.ca.leaf(&["mx.hoster.test"]);
        w.serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
            .await;
        w.serve_tls(&[10], Protocol::Smtp, Security::Tls, &leaf)
            .await;
        let (dns, ca) = two_domains(&w).await;
        let (code, out, _) = run(&request(&w, dns.addr, ca.path(), 2, None)).await;
        assert_eq!(code, mailprobe::exits::OK);
        std::fs::write(&old, out).unwrap();
    }
    // A week later: IMAP is gone and the certificate expires in 5 days.
    let mut w = World::new();
    let leaf = w.ca.leaf_with_validity(&["mx.hoster.test"], -80, 5);
    w.serve_tls(&[10], Protocol::Smtp, Security::Tls, &leaf)
        .await;
    w.dead_service(Protocol::Imap, Security::Tls);
    let (dns, ca) = two_domains(&w).await;
    let mut req = request(&w, dns.addr, ca.path(), 2, None);
    req.jsonl = false;
    req.compare = Some(old.clone());
    req.html = Some(dir.path().join("report.html"));
    let (code, out, err) = run(&req).await;
    assert_eq!(code, mailprobe::exits::REGRESSIONS, "{out}{err}");
    assert!(out.contains("Since the compared run"), "{out}");
    assert!(
        out.contains("the incoming setting mx.hoster.test:") && out.contains("no longer does"),
        "{out}"
    );
    assert!(
        out.contains("the certificate of mx.hoster.test expires in 4 days")
            || out.contains("the certificate of mx.hoster.test expires in 5 days"),
        "{out}"
    );
    assert!(
        out.contains("client0.test") && out.contains("client1.test"),
        "{out}"
    );
    let page = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(page.contains("5 worse</td>"), "{page}");

    // Nothing changed between a run and itself.
    let again = dir.path().join("again.jsonl");
    let mut same = request(&w, dns.addr, ca.path(), 2, None);
    let (_, out, _) = run(&same).await;
    std::fs::write(&again, out).unwrap();
    same.jsonl = false;
    same.compare = Some(again.clone());
    // The certificate still expires within the threshold: said as persisting, never as a
    // regression (a weekly job must not exit 4 forever for one unchanged problem).
    let (code, out, _) = run(&same).await;
    assert_eq!(code, mailprobe::exits::PROBLEMS, "{out}");
    assert!(
        out.contains("the certificate of mx.hoster.test still expires in"),
        "{out}"
    );
    same.expiry_warn = 0;
    let (code, out, _) = run(&same).await;
    assert_eq!(code, mailprobe::exits::PROBLEMS, "{out}");
    assert!(out.contains("Since the compared run: no changes"), "{out}");
}

/// `--compare` reads a large old run line by line into a few fields: a 20 MB file is compared
/// without holding it, a FIFO is refused instead of waited on.
#[test]
fn compare_reads_large_old_runs_in_bounded_memory_and_refuses_fifos() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&old).unwrap());
    let filler = "x".repeat(2_000);
    for i in 0..10_000 {
        writeln!(
            f,
            r#"{{"domain":"d{i}.test","mx":[{{"exchange":"mx.d{i}.test","note":"{filler}"}}],"findings":[{{"severity":"error","code":"tls_expired"}}],"probes":[{{"host":"mx.d{i}.test","tls":{{"certificate":{{"days_left":-3}}}}}}]}}"#
        )
        .unwrap();
    }
    drop(f);
    assert!(std::fs::metadata(&old).unwrap().len() > 20_000_000);
    let snapshots = fleet::compare::read_old(&old).unwrap();
    assert_eq!(snapshots.len(), 10_000);
    let s = &snapshots["d7.test"];
    assert_eq!(s.mx, ["mx.d7.test"]);
    assert_eq!(s.certificates, [("mx.d7.test".to_string(), -3)]);
    // The same expired certificate again is not a regression.
    let changes = fleet::compare::compare(s, s, 21);
    assert!(changes.iter().all(|c| !c.is_regression()), "{changes:?}");
    // A FIFO would block the run until someone writes to it.
    let fifo = dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    assert_eq!(
        fleet::compare::read_old(&fifo).err(),
        Some(fleet::compare::OldRunError::NotARegularFile)
    );
}

/// Runs the real binary: Ctrl-C (SIGINT) after the first domain is done keeps its report, says
/// what was not finished, and exits 130.
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_keeps_finished_domains_and_exits_130() {
    use std::io::BufRead;
    let mut w = World::new();
    let leaf = w.ca.leaf(&["mx.hoster.test"]);
    let imaps = w
        .serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    // slow.test's server never answers: its probe waits for the whole timeout.
    let _hole =
        support::mail::BlackHole::start(std::net::SocketAddr::new(w.ip(20), imaps.port)).await;
    let p = w.net.prefix();
    let mut z = zones(&w, 1);
    z.push(zone(
        "slow.test",
        &format!("@ IN MX 10 mx.slow.test.\nmx IN A {p}.20\n"),
    ));
    let dns = TestDns::start(&z).await;
    let ca = w.ca.pem_file();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mailprobe"))
        .args([
            "client0.test",
            "slow.test",
            "--jsonl",
            "-t",
            "20",
            "--no-authoritative",
            "--no-delivery",
            "--no-published",
        ])
        .args([
            "--dns",
            &dns.addr.to_string(),
            "--ca-file",
            ca.path().to_str().unwrap(),
        ])
        .args(["-p", "none", "-s", &format!("{}/imap/tls", imaps.port)])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (first_tx, first_rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut reader = std::io::BufReader::new(stdout);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        first_tx.send(line).unwrap();
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
        rest
    });
    // The fast domain's line first; then the interruption, while slow.test still waits.
    let started = Instant::now();
    let line = first_rx
        .recv_timeout(Duration::from_secs(15))
        .expect("the fast domain's report");
    tokio::time::sleep(Duration::from_millis(300)).await;
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    let rest = reader.join().unwrap();
    assert_eq!(status.code(), Some(130));
    let v: serde_json::Value = serde_json::from_str(&line).expect("a whole JSON line");
    support::schema::assert_valid(&v);
    assert_eq!(v["domain"], "client0.test");
    assert!(rest.trim().is_empty(), "{rest}");
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(
        err.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("interrupted: 1 of 2 domains done; not finished: slow.test"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}
