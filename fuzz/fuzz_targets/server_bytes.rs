//! Plays the server with arbitrary bytes: a whole probe session (IMAP, POP3 or SMTP, with
//! STARTTLS when offered) must end without panicking, with printable text only.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use mailprobe::probe::script::{Chunking, ScriptedStream};
use mailprobe::probe::session::{converse, Session};
use mailprobe::probe::{ProbeResult, Trust};
use mailprobe::service::{Protocol, Security, Service};

fn trust() -> &'static Trust {
    static TRUST: OnceLock<Trust> = OnceLock::new();
    TRUST.get_or_init(|| Trust::new(None).expect("trust"))
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, rest)) = data.split_first() else { return };
    let protocol = [Protocol::Imap, Protocol::Pop3, Protocol::Smtp][usize::from(*selector) % 3];
    let security = [Security::StartTls, Security::Tls, Security::Plain][usize::from(*selector / 3) % 3];
    let service = Service::new(1, protocol, security);
    let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("runtime");
    rt.block_on(async {
        let mut result = ProbeResult::new("fuzz.example", "192.0.2.1".parse().unwrap(), service);
        let (stream, _) = ScriptedStream::new(rest.to_vec(), Chunking::Uneven);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        let session = Session {
            trust: trust(),
            deadline,
            client_name: "[192.0.2.2]".into(),
            login: None,
            second_look: None,
            transcript: None,
            greeting_grace: None,
            relay: None,
        };
        converse(&mut result, Box::new(stream), &session).await;
        for text in result.banner.iter().chain(&result.capabilities.before_tls).chain(&result.capabilities.after_tls) {
            assert!(!text.chars().any(char::is_control), "{text:?}");
        }
    });
});
