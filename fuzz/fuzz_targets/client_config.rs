//! The autoconfig and Autodiscover readers on arbitrary bytes: no panic, bounded output, and
//! every host they return is a valid name (never raw text from the document).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailprobe::published::autodiscover::{self, Response};
use mailprobe::published::{autoconfig, MAX_SETTINGS};

fuzz_target!(|data: &[u8]| {
    if let Ok(settings) = autoconfig::parse(data, "example.com") {
        assert!(settings.len() <= MAX_SETTINGS);
        for s in &settings {
            assert!(mailprobe::input::parse_domain(&s.host).is_ok());
            assert!(s.port != 0);
        }
    }
    match autodiscover::parse(data, "example.com") {
        Ok(Response::Settings(settings)) => {
            assert!(settings.len() <= MAX_SETTINGS);
            assert!(settings.iter().all(|s| !s.host.chars().any(char::is_control)));
        }
        Ok(Response::RedirectAddr(t) | Response::RedirectUrl(t)) => {
            assert!(!t.chars().any(char::is_control));
        }
        _ => {}
    }
});
