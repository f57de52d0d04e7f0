//! The readers added with the newer stages, on arbitrary bytes: MTA-STS policies, XML in any
//! declared encoding, fleet lists, trust-anchor files and old `--compare` lines never panic, and
//! what they keep stays bounded; the redactor never lets a secret through.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailprobe::delivery::mta_sts;
use mailprobe::fleet::{compare, input};
use mailprobe::probe::redact::Redactor;
use mailprobe::published::xml;

fuzz_target!(|data: &[u8]| {
    let _ = mta_sts::parse_policy(data);
    let _ = xml::parse(data);
    let list = input::collect(&[], Some(data));
    let mut domains: Vec<&str> = list.targets.iter().map(|t| t.domain.ascii.as_str()).collect();
    let before = domains.len();
    domains.sort();
    domains.dedup();
    assert_eq!(before, domains.len(), "each domain once");
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = mailprobe::net::dnssec::parse_anchors(text);
        // The first line is a secret, the rest a server's reply quoting it.
        if let Some((secret, reply)) = text.split_once('\n') {
            // (Secrets with NUL are never sent; NUL stands for the marker below.)
            if secret.chars().count() >= 8 && !secret.contains('\0') {
                let kept = Redactor::new(secret).redact(format!("{reply}{secret}{reply}").as_bytes());
                // The marker's own characters may happen to spell the secret with the text
                // around it: count only what came from the server.
                let kept = String::from_utf8_lossy(&kept).replace("<redacted>", "\0");
                assert!(!kept.contains(secret));
            }
        }
    }
    let _ = compare::parse_line(data);
});
