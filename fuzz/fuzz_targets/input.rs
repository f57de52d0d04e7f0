//! What a user types: addresses, domains, service specs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailprobe::service::Service;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(t) = mailprobe::input::parse_target(text) {
        assert!(t.domain.ascii.is_ascii() && t.domain.ascii.len() <= 253);
    }
    let _ = text.parse::<Service>();
});
