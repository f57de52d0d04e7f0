//! Plays the server with arbitrary bytes: a whole probe session (IMAP, POP3 or SMTP, with
//! STARTTLS when offered) must end without panicking, with printable text only.
#![no_main]

use std::io;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use mailprobe::probe::session::{converse, Session};
use mailprobe::probe::{ProbeResult, Trust};
use mailprobe::service::{Protocol, Security, Service};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

struct Script {
    data: Vec<u8>,
    pos: usize,
}

impl AsyncRead for Script {
    fn poll_read(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        // Hand out small, uneven pieces to exercise partial reads.
        let step = 1 + (self.pos % 7) * 13;
        let end = (self.pos + step).min(self.data.len());
        let n = (end - self.pos).min(buf.remaining());
        let start = self.pos;
        buf.put_slice(&self.data[start..start + n]);
        self.pos += n;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Script {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

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
        let stream = Script { data: rest.to_vec(), pos: 0 };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        let session = Session {
            trust: trust(),
            deadline,
            client_name: "[192.0.2.2]".into(),
            login: None,
            second_look: None,
        };
        converse(&mut result, Box::new(stream), &session).await;
        for text in result.banner.iter().chain(&result.capabilities.before_tls).chain(&result.capabilities.after_tls) {
            assert!(!text.chars().any(char::is_control), "{text:?}");
        }
    });
});
