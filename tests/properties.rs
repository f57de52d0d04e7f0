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
