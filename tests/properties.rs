//! Property tests: the parsers of everything a server or a user sends never panic, and what
//! they keep is always safe to print.

use std::time::Duration;

use mailprobe::input::parse_target;
use mailprobe::probe::conn::Conn;
use mailprobe::probe::script::{Chunking, ScriptedStream};
use mailprobe::probe::{imap, pop3, smtp, sniff, FailureKind, MAX_LINE};
use mailprobe::text::from_wire;
use proptest::prelude::*;

fn safe(s: &str) -> bool {
    !s.chars().any(|c| c.is_control())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn from_wire_output_is_always_printable(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        prop_assert!(safe(&from_wire(&bytes)));
    }

    #[test]
    fn greeting_parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = sniff::classify_greeting(&bytes);
        if let Some(caps) = imap::greeting_capabilities(&bytes) {
            prop_assert!(caps.iter().all(|c| safe(c)));
        }
        if let Some(caps) = imap::capability_line(&bytes) {
            prop_assert!(caps.iter().all(|c| safe(c)));
        }
        let _ = imap::tagged_status(&bytes, "c1");
        let _ = imap::greeting_status(&bytes);
        let _ = pop3::greeting_status(&bytes);
        if let Some(line) = smtp::parse_reply_line(&bytes) {
            prop_assert!((0..1000).contains(&line.code));
        }
    }

    #[test]
    fn capability_helpers_never_panic(caps in proptest::collection::vec(".{0,40}", 0..20)) {
        let _ = imap::offers_starttls(&caps);
        let _ = imap::auth_mechanisms(&caps);
        let _ = pop3::auth_mechanisms(&caps);
        let _ = smtp::auth_mechanisms(&caps);
    }

    #[test]
    fn smtp_reply_lines_round_trip(code in 100u16..600, last in any::<bool>(), text in "[ -~]{0,60}") {
        let line = format!("{code}{}{text}", if last { ' ' } else { '-' });
        let parsed = smtp::parse_reply_line(line.as_bytes()).unwrap();
        prop_assert_eq!(parsed.code, code);
        prop_assert_eq!(parsed.last, last);
        prop_assert_eq!(parsed.text, text.as_bytes());
    }

    #[test]
    fn input_parser_never_panics(text in "\\PC{0,80}") {
        if let Ok(t) = parse_target(&text) {
            prop_assert!(t.domain.ascii.is_ascii());
            prop_assert!(t.domain.ascii.len() <= 253);
            prop_assert!(t.domain.ascii.split('.').all(|l| !l.is_empty() && l.len() <= 63));
        }
    }

}

proptest! {
    // Each case builds a runtime: fewer cases keep the suite quick.
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn lines_are_read_the_same_whatever_the_chunking(
        lines in proptest::collection::vec("[ -~]{0,100}", 1..8),
        chunk in 1usize..17,
    ) {
        let mut data = Vec::new();
        for l in &lines {
            data.extend_from_slice(l.as_bytes());
            data.extend_from_slice(b"\r\n");
        }
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let read = rt.block_on(async {
            let (stream, _) = ScriptedStream::new(data, Chunking::Fixed(chunk));
            let mut conn = Conn::new(Box::new(stream), tokio::time::Instant::now() + Duration::from_secs(5));
            let mut out = Vec::new();
            for _ in 0..lines.len() {
                out.push(String::from_utf8(conn.read_line().await.unwrap()).unwrap());
            }
            (out, conn.read_line().await)
        });
        prop_assert_eq!(read.0, lines);
        prop_assert_eq!(read.1, Err(FailureKind::Closed));
    }

    #[test]
    fn no_line_read_is_longer_than_the_limit(
        bytes in proptest::collection::vec(any::<u8>(), 0..20_000),
        chunk in 1usize..5000,
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let (stream, _) = ScriptedStream::new(bytes, Chunking::Fixed(chunk));
            let mut conn = Conn::new(Box::new(stream), tokio::time::Instant::now() + Duration::from_secs(5));
            while let Ok(line) = conn.read_line().await {
                assert!(line.len() <= MAX_LINE + 1);
            }
        });
    }
}

/// Every code point of the dangerous categories, by an independent table (a second crate):
/// none may come out of the escaper raw.
#[test]
fn the_escaper_covers_every_control_format_and_separator_code_point() {
    use unicode_general_category::{get_general_category, GeneralCategory as G};
    let mut checked = 0;
    for c in (0..=0x10ffffu32).filter_map(char::from_u32) {
        let dangerous = matches!(
            get_general_category(c),
            G::Control | G::Format | G::LineSeparator | G::ParagraphSeparator
        );
        if !dangerous {
            continue;
        }
        checked += 1;
        let out = mailprobe::text::escape_controls(&format!("a{c}b"));
        assert!(!out.contains(c), "U+{:04X} passed raw: {out:?}", c as u32);
        assert!(out.is_ascii(), "U+{:04X}: {out:?}", c as u32);
    }
    // Cc alone has 65 code points; Cf well over 150.
    assert!(checked > 200, "{checked}");
}

mod client_config {
    use mailprobe::judge::{ClientSecurity, Recommendation, Username, Verdict};
    use mailprobe::plan::Source;
    use mailprobe::published::{autoconfig, autodiscover};
    use mailprobe::service::{Protocol, Security};
    use proptest::prelude::*;

    fn recommendation(
        protocol: Protocol,
        host: String,
        port: u16,
        tls: bool,
        user: String,
    ) -> Recommendation {
        Recommendation {
            protocol,
            host,
            port,
            security: if tls {
                Security::Tls
            } else {
                Security::StartTls
            },
            client_security: if tls {
                ClientSecurity::SslTls
            } else {
                ClientSecurity::StartTls
            },
            username: Username::Given(user),
            confirmed: true,
            verdict: Verdict::Works,
            warnings: Vec::new(),
            source: Source::Srv,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn readers_never_panic_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = autoconfig::parse(&bytes, "example.com");
            let _ = autodiscover::parse(&bytes, "example.com");
        }

        #[test]
        fn readers_never_panic_on_xml_like_text(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("<clientConfig>".to_string()), Just("</clientConfig>".to_string()),
                    Just("<emailProvider>".to_string()), Just("</emailProvider>".to_string()),
                    Just("<incomingServer type=\"imap\">".to_string()), Just("</incomingServer>".to_string()),
                    Just("<Autodiscover><Response><Account>".to_string()), Just("<Protocol>".to_string()),
                    Just("<hostname>".to_string()), Just("</hostname>".to_string()),
                    Just("&amp;".to_string()), Just("&#0;".to_string()), Just("&x;".to_string()),
                    Just("<![CDATA[".to_string()), Just("]]>".to_string()), "[ -~]{0,12}",
                ],
                0..40,
            )
        ) {
            let doc = parts.concat();
            let _ = autoconfig::parse(doc.as_bytes(), "example.com");
            let _ = autodiscover::parse(doc.as_bytes(), "example.com");
        }

        /// What mailprobe exports, mailprobe reads back to the same settings, whatever the
        /// login name holds (markup characters included).
        #[test]
        fn exported_autoconfig_reads_back(
            imap_host in "[a-z]{1,10}(\\.[a-z]{1,10}){1,3}",
            smtp_host in "[a-z]{1,10}(\\.[a-z]{1,10}){1,3}",
            imap_port in 1u16..,
            smtp_port in 1u16..,
            imap_tls in any::<bool>(),
            smtp_tls in any::<bool>(),
            user in "[!-~]{1,30}",
        ) {
            let imap = recommendation(Protocol::Imap, imap_host, imap_port, imap_tls, user.clone());
            let smtp = recommendation(Protocol::Smtp, smtp_host, smtp_port, smtp_tls, user.clone());
            let file = mailprobe::render::autoconfig::write("example.com", "Example <&> \"mail\"", &[&imap, &smtp]);
            let read = autoconfig::parse(&file, "example.com").expect("its own file");
            prop_assert_eq!(read.len(), 2);
            for (r, w) in read.iter().zip([&imap, &smtp]) {
                prop_assert_eq!(r.protocol, w.protocol);
                prop_assert_eq!(&r.host, &w.host);
                prop_assert_eq!(r.port, w.port);
                prop_assert_eq!(r.security, w.security);
                prop_assert_eq!(r.username.as_deref(), Some(user.as_str()));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Passwords drawn from all of Unicode, quoted back by a server in the encodings a client
    /// sends them in, never survive redaction in any form that output could show.
    #[test]
    fn redaction_catches_any_password_in_any_encoding(
        password in "[^\r\n\0]{8,24}",
        prefix in "[ -~]{0,5}",
        which in 0usize..5,
    ) {
        use base64::Engine;
        use mailprobe::probe::redact::Redactor;
        use mailprobe::text::escape_controls;
        let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
        let echoed = match which {
            0 => password.clone(),
            1 => b64(format!("{prefix}{password}")),
            2 => b64(format!("alice:{password}")),
            3 => b64(format!("\0alice\0{password}")),
            _ => escape_controls(&password),
        };
        let line = format!("535 5.7.8 you sent {echoed} and that was wrong");
        let kept = from_wire(&Redactor::new(&password).redact(line.as_bytes()));
        prop_assert!(!kept.contains(&escape_controls(&password)), "{kept}");
        prop_assert!(!kept.contains(&echoed), "{kept}");
        prop_assert!(kept.contains("<redacted>"), "{kept}");
    }
}
