//! Slow greetings understood: a `220-` teaser and a pause is a greeting in progress (waited for
//! on port 25, said plainly elsewhere), never "timed out"; a slow greeting's likely cause is
//! named from the timings; the timings per phase are in the report.

mod support;

use mailprobe::judge::findings::ProbeFact;
use std::time::Duration;

use mailprobe::judge::findings::{Code, Fact, SettingProblem, SlowGreeting};
use mailprobe::probe::session::{converse, Session};
use mailprobe::probe::{FailureKind, Phase, ProbeResult, Trust};
use mailprobe::service::{Protocol, Security, Service};
use mailprobe::Run;
use support::mail::{Behaviour, Spec, TlsMode};
use support::scenario::{ok_zone, World};
use tokio::io::AsyncWriteExt;

fn slow_greeting(run: &Run) -> Option<SlowGreeting> {
    run.diagnosis.findings.iter().find_map(|f| match &f.fact {
        Fact::Probe(ProbeFact::Setting {
            problem: SettingProblem::GreetingSlow { cause, .. },
            ..
        }) => Some(*cause),
        _ => None,
    })
}

async fn smtp_world(smtp: Behaviour, with_imap: bool) -> World {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["smtp.ok.test", "imap.ok.test", "mail.ok.test"]);
    if with_imap {
        w.serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
            .await;
    }
    w.serve(
        &[10],
        Security::StartTls,
        Spec::new(Protocol::Smtp, TlsMode::StartTls(leaf)).behaving(smtp),
    )
    .await;
    w
}

async fn probe_world(w: &World, timeout: Duration) -> Run {
    w.run_with("ok.test", &[ok_zone(&w.net)], |o| o.timeout = timeout)
        .await
}

fn smtp_probes(run: &Run) -> Vec<&ProbeResult> {
    run.probes()
        .filter(|p| p.service.protocol == Protocol::Smtp && p.shared_with.is_none())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_teaser_then_a_pause_is_a_slow_greeting_with_its_cause() {
    let w = smtp_world(Behaviour::Teaser(Duration::from_millis(2300)), false).await;
    let run = probe_world(&w, Duration::from_secs(5)).await;
    let p = smtp_probes(&run)[0];
    assert!(p.failure.is_none(), "{:?}", p.failure);
    let (first, last) = (
        p.timings.greeting_first_ms.unwrap(),
        p.timings.greeting_ms.unwrap(),
    );
    assert!(first < 1000 && last >= 2300, "{first} {last}");
    assert_eq!(slow_greeting(&run), Some(SlowGreeting::TeaserPause));
    let f = support::scenario::finding(&run, Code::GreetingSlow).unwrap();
    let text = support::scenario::message(f);
    assert!(text.contains("postscreen"), "{text}");
    let json = serde_json::to_value(mailprobe::report::Report::new(&run)).unwrap();
    let timings = &json["probes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["protocol"]
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case("smtp"))
        })
        .unwrap()["timings"];
    assert!(
        timings["greeting_ms"].as_u64().unwrap() >= 2300,
        "{timings}"
    );
    assert!(timings["capabilities_ms"].is_u64(), "{timings}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_teaser_whose_rest_never_comes_is_not_a_timeout() {
    let w = smtp_world(Behaviour::Teaser(Duration::from_secs(4)), false).await;
    let run = probe_world(&w, Duration::from_millis(1500)).await;
    let p = smtp_probes(&run)[0];
    let failure = p.failure.as_ref().expect("failure");
    assert_eq!(failure.kind, FailureKind::GreetingUnfinished);
    assert!(support::scenario::finding(&run, Code::GreetingUnfinished).is_some());
    assert!(support::scenario::finding(&run, Code::NoGreeting).is_none());
    let json = serde_json::to_string(&mailprobe::report::Report::new(&run)).unwrap();
    assert!(json.contains("\"greeting_unfinished\""), "{json}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_delay_on_smtp_alone_is_named_so() {
    let w = smtp_world(Behaviour::SlowGreeting(Duration::from_millis(2300)), true).await;
    let run = probe_world(&w, Duration::from_secs(5)).await;
    assert_eq!(slow_greeting(&run), Some(SlowGreeting::SmtpOnly));
    // Alone on its address, the same delay has no pattern to name.
    let w = smtp_world(Behaviour::SlowGreeting(Duration::from_millis(2300)), false).await;
    let run = probe_world(&w, Duration::from_secs(5)).await;
    assert_eq!(slow_greeting(&run), Some(SlowGreeting::Unexplained));
    // A prompt greeting is no finding.
    let w = smtp_world(Behaviour::Normal, true).await;
    let run = probe_world(&w, Duration::from_secs(5)).await;
    assert_eq!(slow_greeting(&run), None);
}

/// A server on port 25 that sends a teaser, pauses, then the greeting's last line; it answers
/// nothing after that.
async fn postscreen_like(grace: Option<Duration>, pause: Duration) -> ProbeResult {
    let trust = Trust::new(None).unwrap();
    let service = Service::new(25, Protocol::Smtp, Security::StartTls);
    let mut result = ProbeResult::new("mx.ok.test", "192.0.2.1".parse().unwrap(), service);
    let (client, mut server) = tokio::io::duplex(4096);
    let script = tokio::spawn(async move {
        server.write_all(b"220-mx.ok.test ESMTP\r\n").await.unwrap();
        tokio::time::sleep(pause).await;
        let _ = server.write_all(b"220 mx.ok.test ESMTP ready\r\n").await;
        tokio::time::sleep(Duration::from_secs(10)).await;
        drop(server);
    });
    let now = tokio::time::Instant::now();
    let session = Session {
        trust: &trust,
        deadline: now + Duration::from_millis(500),
        client_name: "[192.0.2.2]".into(),
        login: None,
        second_look: None,
        transcript: None,
        greeting_grace: grace.map(|g| now + g),
        relay: None,
    };
    converse(&mut result, Box::new(client), &session).await;
    script.abort();
    result
}

#[tokio::test(flavor = "multi_thread")]
async fn on_port_25_a_greeting_in_progress_is_waited_for() {
    let pause = Duration::from_millis(1500);
    let waited = postscreen_like(Some(Duration::from_secs(3)), pause).await;
    assert!(waited.timings.greeting_ms.unwrap() >= 1500, "{waited:?}");
    let failure = waited.failure.expect("nothing answers the EHLO");
    assert_ne!(failure.phase, Phase::Greeting, "{failure:?}");
    // Without the longer wait, the same server is a greeting in progress, said so.
    let cut = postscreen_like(None, pause).await;
    assert_eq!(
        cut.failure.map(|f| f.kind),
        Some(FailureKind::GreetingUnfinished)
    );
    assert_eq!(cut.timings.greeting_ms, None);
}
