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
            if secret.chars().count() >= 8 {
                let kept = Redactor::new(secret).redact(format!("{reply}{secret}{reply}").as_bytes());
                assert!(!kept.windows(secret.len()).any(|w| w == secret.as_bytes()));
            }
        }
    }
    let _ = compare::parse_line(data);
});
