//! The pure parsers of greetings, capability listings and replies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailprobe::probe::{imap, pop3, smtp, sniff};
use mailprobe::text::from_wire;

fuzz_target!(|data: &[u8]| {
    let _ = sniff::classify_greeting(data);
    let _ = imap::greeting_status(data);
    let _ = pop3::greeting_status(data);
    let _ = imap::tagged_status(data, "c1");
    for caps in [imap::greeting_capabilities(data), imap::capability_line(data)].into_iter().flatten() {
        assert!(caps.iter().all(|c| !c.chars().any(char::is_control)));
        let _ = imap::auth_mechanisms(&caps);
        let _ = pop3::auth_mechanisms(&caps);
        let _ = smtp::auth_mechanisms(&caps);
    }
    if let Some(line) = smtp::parse_reply_line(data) {
        assert!(line.code < 1000);
    }
    assert!(!from_wire(data).chars().any(char::is_control));
});
