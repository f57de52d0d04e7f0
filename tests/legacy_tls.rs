//! TLS 1.0 and 1.1 (RFC 8996): the hello mailprobe writes, byte for byte, on a scripted stream;
//! the answers it reads (ServerHello, alert, nothing, garbage); and a whole run against
//! in-process rustls servers, which refuse both versions, implicit TLS and after STARTTLS.
//! That Debian's Postfix accepts them is checked against the real server in tests/world.rs.

mod support;

use std::time::Duration;

use mailprobe::judge::findings::Code;
use mailprobe::probe::script::{Chunking, ScriptedStream};
use mailprobe::probe::tls::legacy::{ask, LegacyAnswer, LegacyVersion};
use mailprobe::probe::LegacyScope;
use mailprobe::service::{Protocol, Security};
use support::scenario::{finding, ok_zone, World};

/// A ServerHello record for `version` choosing `cipher`.
fn server_hello(version: [u8; 2], cipher: [u8; 2]) -> Vec<u8> {
    let mut body = version.to_vec();
    body.extend([7u8; 32]);
    body.push(0);
    body.extend(cipher);
    body.push(0);
    let mut handshake = vec![2, 0, 0, body.len() as u8];
    handshake.extend(body);
    let mut record = vec![22, version[0], version[1], 0, handshake.len() as u8];
    record.extend(handshake);
    record
}

/// The extensions every hello carries: server_name (mail.example.test), supported_groups,
/// ec_point_formats.
fn every_hello_s_extensions() -> Vec<u8> {
    let mut out = vec![0x00, 0x00, 0x00, 0x16, 0x00, 0x14, 0x00, 0x00, 0x11]; // server_name, 17 bytes:
    out.extend(b"mail.example.test");
    out.extend([
        0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, // groups
        0x00, 0x0b, 0x00, 0x02, 0x01, 0x00, // point formats
    ]);
    out
}

async fn answer_to(version: LegacyVersion, server: Vec<u8>) -> (LegacyAnswer, Vec<u8>) {
    let (stream, written) = ScriptedStream::new(server, Chunking::Uneven);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    let answer = ask(Box::new(stream), version, "mail.example.test", deadline).await;
    let bytes = written.lock().unwrap().clone();
    (answer, bytes)
}

#[tokio::test]
async fn the_hello_offers_only_the_legacy_version_with_the_server_name() {
    let (answer, sent) = answer_to(LegacyVersion::Tls10, server_hello([3, 1], [0xc0, 0x14])).await;
    assert_eq!(answer, LegacyAnswer::Accepted { cipher: 0xc014 });
    let mut expected: Vec<u8> = vec![
        0x16, 0x03, 0x01, 0x00, 0x6d, // handshake record, TLS 1.0 layer, 109 bytes
        0x01, 0x00, 0x00, 0x69, // ClientHello, 105 bytes
        0x03, 0x01, // client_version TLS 1.0: the only version offered
    ];
    expected.extend(&sent[11..43]); // the random
    expected.extend([
        0x00, // no session id
        0x00, 0x14, // ten suites, never TLS_FALLBACK_SCSV
        0xc0, 0x14, 0xc0, 0x13, 0xc0, 0x0a, 0xc0, 0x09, 0x00, 0x39, 0x00, 0x33, 0x00, 0x35, 0x00,
        0x2f, 0x00, 0x0a, 0x00, 0xff, //
        0x01, 0x00, // null compression
        0x00, 0x2c, // 44 bytes of extensions
    ]);
    expected.extend(every_hello_s_extensions());
    assert_eq!(sent, expected);
    // TLS 1.1 differs in the client_version alone (and the random).
    let (_, sent11) = answer_to(LegacyVersion::Tls11, Vec::new()).await;
    assert_eq!(&sent11[9..11], &[0x03, 0x02]);
    assert_eq!(&sent11[43..], &expected[43..]);
}

/// The TLS 1.2 hello (asked when a server chose TLS 1.3) leads with the suites a current server
/// keeps, then the legacy ones, and adds signature_algorithms and extended_master_secret, which
/// the older hellos must not carry.
#[tokio::test]
async fn the_tls12_hello_offers_current_suites_and_signature_algorithms() {
    let (answer, sent) = answer_to(LegacyVersion::Tls12, server_hello([3, 3], [0xc0, 0x2f])).await;
    assert_eq!(answer, LegacyAnswer::Accepted { cipher: 0xc02f });
    assert_eq!(&sent[..3], &[0x16, 0x03, 0x01]);
    assert_eq!(&sent[9..11], &[0x03, 0x03], "client_version TLS 1.2");
    let mut expected = vec![
        0x00, // no session id
        0x00, 0x24, // eighteen suites
        0xc0, 0x2b, 0xc0, 0x2f, 0xc0, 0x2c, 0xc0, 0x30, 0xcc, 0xa9, 0xcc, 0xa8, 0x00, 0x9e, 0x00,
        0x9f, // ECDHE and DHE with AES-GCM and ChaCha20-Poly1305
        0xc0, 0x14, 0xc0, 0x13, 0xc0, 0x0a, 0xc0, 0x09, 0x00, 0x39, 0x00, 0x33, 0x00, 0x35, 0x00,
        0x2f, 0x00, 0x0a, 0x00, 0xff, // the legacy ones
        0x01, 0x00, // null compression
        0x00, 0x4a, // 74 bytes of extensions
    ];
    expected.extend(every_hello_s_extensions());
    expected.extend([
        0x00, 0x0d, 0x00, 0x16, 0x00, 0x14, // signature_algorithms, ten schemes:
        0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03, 0x08, 0x05, 0x05, 0x01, 0x08, 0x06, 0x06,
        0x01, 0x08, 0x07, 0x02, 0x01, //
        0x00, 0x17, 0x00, 0x00, // extended_master_secret
    ]);
    assert_eq!(&sent[43..], &expected[..]);
    let length = usize::from(u16::from_be_bytes([sent[3], sent[4]]));
    assert_eq!(
        length + 5,
        sent.len(),
        "the record's length covers the hello"
    );
}

#[tokio::test]
async fn alerts_closed_connections_other_versions_and_garbage_are_no_acceptance() {
    let alert = vec![21, 3, 1, 0, 2, 2, 70];
    assert_eq!(
        answer_to(LegacyVersion::Tls10, alert).await.0,
        LegacyAnswer::Alert { description: 70 }
    );
    assert_eq!(
        answer_to(LegacyVersion::Tls10, Vec::new()).await.0,
        LegacyAnswer::Closed
    );
    // A server that ignores the offer and answers TLS 1.2 does not accept TLS 1.0.
    assert_eq!(
        answer_to(LegacyVersion::Tls10, server_hello([3, 3], [0xc0, 0x2f]))
            .await
            .0,
        LegacyAnswer::OtherVersion { version: 0x0303 }
    );
    assert_eq!(
        answer_to(LegacyVersion::Tls11, b"* OK IMAP ready\r\n".to_vec())
            .await
            .0,
        LegacyAnswer::NotTls
    );
    // A record announcing 64 KiB is read no further than TLS allows, without a panic.
    let mut huge = vec![22, 3, 1, 0xff, 0xff];
    huge.extend(vec![0u8; 70_000]);
    let (a, _) = answer_to(LegacyVersion::Tls10, huge).await;
    assert_ne!(a, LegacyAnswer::Accepted { cipher: 0 });
}

#[tokio::test(flavor = "multi_thread")]
async fn rustls_servers_refuse_both_versions_on_implicit_tls_and_after_starttls() {
    let mut w = World::new();
    let leaf = w.ca.leaf(&["imap.ok.test", "smtp.ok.test", "mail.ok.test"]);
    let imaps = w
        .serve_tls(&[10], Protocol::Imap, Security::Tls, &leaf)
        .await;
    let submission = w
        .serve_tls(&[10], Protocol::Smtp, Security::StartTls, &leaf)
        .await;
    let run = w.run("a@ok.test", &[ok_zone(&w.net)]).await;
    for service in [imaps, submission] {
        let p = run
            .probes()
            .find(|p| p.service == service && p.tls.is_some())
            .unwrap_or_else(|| panic!("no TLS probe of {service}"));
        let versions: Vec<LegacyVersion> = p.legacy_tls.iter().map(|c| c.version).collect();
        // rustls chose TLS 1.3, so TLS 1.2 alone is asked too: it accepts that.
        assert_eq!(
            versions,
            [
                LegacyVersion::Tls10,
                LegacyVersion::Tls11,
                LegacyVersion::Tls12
            ],
            "{service}"
        );
        assert!(
            matches!(p.legacy_tls[2].answer, Ok(LegacyAnswer::Accepted { .. })),
            "{service}: {:?}",
            p.legacy_tls[2].answer
        );
        for c in &p.legacy_tls[..2] {
            // rustls answers a TLS 1.0/1.1-only hello with an alert (handshake_failure).
            assert!(
                matches!(
                    c.answer,
                    Ok(LegacyAnswer::Alert {
                        description: 40 | 70
                    })
                ),
                "{service}: {:?}",
                c.answer
            );
        }
    }
    assert!(finding(&run, Code::TlsLegacyAccepted).is_none());
    assert!(finding(&run, Code::Tls13Only).is_none());
    let json = serde_json::to_value(mailprobe::report::Report::new(&run)).unwrap();
    let legacy = json["probes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["tls"]["legacy"])
        .find(|l| l.is_array())
        .expect("a probe with legacy answers");
    assert_eq!(legacy[0]["version"], "tls1.0", "{legacy}");
    assert_eq!(legacy[0]["accepted"], false);
    assert!(
        ["protocol_version", "handshake_failure"].contains(&legacy[0]["alert"].as_str().unwrap()),
        "{legacy}"
    );

    // --legacy-tls off: not asked at all.
    let off = w
        .run_with("a@ok.test", &[ok_zone(&w.net)], |o| {
            o.legacy_tls = LegacyScope::Off
        })
        .await;
    assert!(off.probes().all(|p| p.legacy_tls.is_empty()));
}

/// A server speaking TLS 1.3 alone: the TLS 1.2 hello is refused, and the finding says that a
/// device stopping at TLS 1.2 cannot use the setting, while the setting still works.
#[tokio::test(flavor = "multi_thread")]
async fn a_tls13_only_server_is_named_for_devices_stopping_at_tls12() {
    let mut w = World::new();
    let names = ["imap.ok.test", "smtp.ok.test", "mail.ok.test"];
    let modern = w.ca.leaf(&names).tls13_only();
    let imaps = w
        .serve_tls(&[10], Protocol::Imap, Security::Tls, &modern)
        .await;
    let run = w.run("a@ok.test", &[ok_zone(&w.net)]).await;
    let p = run
        .probes()
        .find(|p| p.service == imaps && p.tls.is_some())
        .expect("the IMAPS probe");
    let tls12 = p
        .legacy_tls
        .iter()
        .find(|c| c.version == LegacyVersion::Tls12)
        .expect("TLS 1.2 asked of a TLS 1.3 server");
    assert!(
        matches!(tls12.answer, Ok(LegacyAnswer::Alert { .. })),
        "{:?}",
        tls12.answer
    );
    let f = finding(&run, Code::Tls13Only).expect("tls13_only");
    let words = support::scenario::message(f);
    assert!(words.contains("stops at TLS 1.2"), "{words}");
    assert_eq!(f.severity, mailprobe::judge::findings::Severity::Info);
    let judged = run
        .judged
        .iter()
        .find(|j| j.probe.service == imaps && j.probe.tls.is_some())
        .unwrap();
    assert_eq!(
        judged.judgement.verdict,
        mailprobe::judge::verdict::Verdict::Works
    );
    // The report's Servers section says what the port speaks.
    let report = support::human_report(&run);
    let servers = report
        .split("\nServers\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no Servers section:\n{report}"));
    assert!(
        servers.contains(&format!("speaks    TLS 1.3 only on {}", imaps.port)),
        "{servers}"
    );
}
