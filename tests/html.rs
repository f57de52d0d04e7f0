//! The HTML report in a real browser (Debian's chromium, headless): the expected text is in
//! the DOM, the page's own script runs (its hash is in the Content Security Policy), and markup
//! a server sent (here in a certificate issuer's name) is shown as text, with no script run.
//! Chromium is installed by tests/browser/ensure-chromium.sh when missing (root); elsewhere the
//! test says it skipped, and under CI=true a missing browser is a failure.

mod support;

use std::path::Path;
use std::process::Command;

use mailprobe::render;
use mailprobe::service::{Protocol, Security};
use support::dns::{zone, TestDns};
use support::pki::TestCa;
use support::scenario::World;

const HOSTILE: &str = "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\"><script>document.body.setAttribute('data-pwned','script')</script>";

fn chromium() -> Result<(), String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/ensure-chromium.sh");
    let out = Command::new(script).output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).to_string())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_report_renders_in_a_browser_and_server_markup_stays_text() {
    if let Err(why) = chromium() {
        assert!(std::env::var("CI").is_err(), "chromium: {why}");
        eprintln!("SKIPPED the browser test: {why}");
        return;
    }
    let mut w = World::new();
    w.ca = TestCa::named(HOSTILE);
    let leaf = w.ca.leaf(&["mx.hoster.test"]);
    w.serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    w.serve_tls(&[10], Protocol::Smtp, Security::Tls, &leaf)
        .await;
    let p = w.net.prefix();
    let mut zones = vec![zone("hoster.test", &format!("mx IN A {p}.10\n"))];
    for d in ["alpha.test", "beta.test"] {
        zones.push(zone(d, "@ IN MX 10 mx.hoster.test.\n"));
    }
    let dns = TestDns::start(&zones).await;
    let ca = w.ca.pem_file();
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let domains = ["alpha.test".to_string(), "beta.test".to_string()];
    let mut req = w.fleet_request(dns.addr, ca.path(), &domains, support::scenario::TIMEOUT, 2);
    req.jsonl = false;
    req.html = Some(page.clone());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    render::fleet_output::run(
        &req,
        render::fleet_output::Sinks {
            out: &mut out,
            err: &mut err,
            progress: false,
            width: 100,
        },
        std::future::pending(),
    )
    .await;
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("issued by CN=&lt;img src=x"),
        "the issuer is in the page"
    );

    let profile = dir.path().join("chromium-profile");
    let dumped = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--virtual-time-budget=2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&dumped.stdout);
    assert!(dom.contains("<title>mailprobe: 2 domains</title>"), "{dom}");
    assert!(
        dom.contains("alpha.test") && dom.contains("beta.test"),
        "{dom}"
    );
    // Each domain's report keeps its lines (not one line of literal "\n").
    let pre = dom
        .split("<pre>")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .expect("a report block");
    assert!(pre.lines().count() >= 10, "{pre}");
    assert!(!pre.contains("\\n"), "{pre}");
    // And it renders: a screenshot of the page with the first report open is not blank.
    let shot = dir.path().join("page.png");
    let opened = dir.path().join("opened.html");
    std::fs::write(
        &opened,
        html.replacen("<details id=\"d0\">", "<details id=\"d0\" open>", 1),
    )
    .unwrap();
    let status = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--window-size=1200,1600")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", opened.display()))
        .output()
        .expect("run chromium");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(size > 20_000, "screenshot of {size} bytes");
    if let Ok(keep) = std::env::var("MAILPROBE_KEEP_SCREENSHOT") {
        let _ = std::fs::copy(&shot, keep);
    }
    // The page's own script ran: its hash is allowed.
    assert!(dom.contains("data-sortable=\"yes\""), "{dom}");
    // The server's markup is text: shown, never run.
    assert!(!dom.contains("data-pwned=\""), "{dom}");
    assert!(
        dom.contains("&lt;script&gt;document.body.setAttribute"),
        "{}",
        dom.lines()
            .filter(|l| l.contains("issued"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
