//! A line-oriented connection with a hard deadline and bounded reads, generic over the stream
//! so TCP, TLS and test streams run the same code.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, ReadBuf};
use tokio::time::{timeout_at, Instant};

use super::redact::Redactor;
use super::transcript::{Direction, Recorder};
use super::{FailureKind, MAX_LINE, MAX_PROBE_BYTES};

/// Anything a probe can talk over.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

pub type BoxStream = Box<dyn Stream>;

/// Reads and writes lines until `deadline`, with at most [`MAX_PROBE_BYTES`] read in all.
pub struct Conn {
    reader: BufReader<BoxStream>,
    deadline: Instant,
    read_total: usize,
    /// The part of a line read so far: kept here, not in the future, so that a `read_line`
    /// cancelled by `select!` loses nothing.
    pending: Vec<u8>,
    /// Where the conversation is recorded, when it is (`-v`).
    transcript: Option<Recorder>,
    /// Set once credentials went out: scrubs every line read afterwards, on its raw bytes.
    redactor: Option<Arc<Redactor>>,
}

impl Conn {
    pub fn new(stream: BoxStream, deadline: Instant) -> Self {
        Self::with_budget(stream, deadline, 0)
    }

    /// Continues a probe on a new stream (after STARTTLS), keeping the byte count.
    pub fn with_budget(stream: BoxStream, deadline: Instant, read_total: usize) -> Self {
        Self {
            reader: BufReader::with_capacity(8192, stream),
            deadline,
            read_total,
            pending: Vec::new(),
            transcript: None,
            redactor: None,
        }
    }

    /// Records every line sent and received from now on.
    pub fn recording(mut self, transcript: Option<Recorder>) -> Self {
        self.transcript = transcript;
        self
    }

    /// Scrubs the secret from every line read from now until the connection closes.
    pub fn guard(&mut self, redactor: Arc<Redactor>) {
        self.redactor = Some(redactor);
    }

    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Waits longer than the probe's own deadline, never less: for a greeting in progress.
    pub fn extend_deadline(&mut self, until: Instant) {
        self.deadline = self.deadline.max(until);
    }

    pub fn read_total(&self) -> usize {
        self.read_total
    }

    /// Bytes the server sent that have not been read yet (must be none before a TLS upgrade).
    pub fn buffered(&self) -> usize {
        self.reader.buffer().len()
    }

    pub fn into_stream(self) -> BoxStream {
        self.reader.into_inner()
    }

    /// Reads one line (without CR LF). Never buffers more than [`MAX_LINE`] plus one read.
    /// Cancel-safe: a partial line stays in the connection for the next call.
    pub async fn read_line(&mut self) -> Result<Vec<u8>, FailureKind> {
        loop {
            let available = match timeout_at(self.deadline, self.reader.fill_buf()).await {
                Err(_) => return Err(FailureKind::TimedOut),
                Ok(Err(e)) => return Err(io_failure(&e)),
                Ok(Ok(buf)) => buf,
            };
            if available.is_empty() {
                return Err(FailureKind::Closed);
            }
            let (take, done) = match available.iter().position(|b| *b == b'\n') {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            let room = (MAX_LINE + 2).saturating_sub(self.pending.len());
            self.pending.extend_from_slice(&available[..take.min(room)]);
            self.reader.consume(take);
            self.read_total += take;
            if self.read_total > MAX_PROBE_BYTES {
                return Err(FailureKind::TooMuchData);
            }
            let len = self.pending.len();
            if len > MAX_LINE + 1 || (!done && len > MAX_LINE) {
                self.pending.clear();
                return Err(FailureKind::LineTooLong);
            }
            if done {
                let mut line = std::mem::take(&mut self.pending);
                while matches!(line.last(), Some(b'\n' | b'\r')) {
                    line.pop();
                }
                if let Some(r) = &self.redactor {
                    line = r.redact(&line);
                }
                if let Some(t) = &self.transcript {
                    t.record(Direction::Received, &line);
                }
                return Ok(line);
            }
        }
    }

    pub async fn write_line(&mut self, line: &str) -> Result<(), FailureKind> {
        if let Some(t) = &self.transcript {
            t.record(Direction::Sent, line.as_bytes());
        }
        self.write_raw(format!("{line}\r\n").as_bytes()).await
    }

    /// Writes a line that holds a secret; the copy made for sending is wiped afterwards, and
    /// the transcript shows `<redacted>` in its place.
    pub async fn write_secret(&mut self, line: &str) -> Result<(), FailureKind> {
        if let Some(t) = &self.transcript {
            t.record(Direction::Sent, b"<redacted: credentials>");
        }
        let data = zeroize::Zeroizing::new(format!("{line}\r\n"));
        self.write_raw(data.as_bytes()).await
    }

    async fn write_raw(&mut self, data: &[u8]) -> Result<(), FailureKind> {
        let stream = self.reader.get_mut();
        let write = async {
            stream.write_all(data).await?;
            stream.flush().await
        };
        match timeout_at(self.deadline, write).await {
            Err(_) => Err(FailureKind::TimedOut),
            Ok(Err(e)) => Err(io_failure(&e)),
            Ok(Ok(())) => Ok(()),
        }
    }
}

/// Maps an I/O error met after connecting.
pub fn io_failure(e: &io::Error) -> FailureKind {
    // A TLS alert after the handshake (TLS 1.3 servers refuse a missing client certificate
    // only once the client has finished) is a TLS failure, not an I/O error.
    if let Some(tls) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        return FailureKind::TlsHandshake(super::tls::failure::tls_failure(tls, false));
    }
    match e.kind() {
        io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe => FailureKind::Reset,
        io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionAborted => FailureKind::Closed,
        io::ErrorKind::TimedOut => FailureKind::TimedOut,
        _ => match super::tcp::local_error(e) {
            super::LocalError::Other(text) => FailureKind::Io(text),
            named => FailureKind::Local(named),
        },
    }
}

/// Keeps a copy of the first bytes read through it, so that when a TLS handshake fails we
/// can say what the server spoke instead.
pub struct Recording<S> {
    inner: S,
    seen: Arc<Mutex<Vec<u8>>>,
    limit: usize,
}

impl<S> Recording<S> {
    pub fn new(inner: S, limit: usize) -> (Self, Arc<Mutex<Vec<u8>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        (
            Self {
                inner,
                seen: seen.clone(),
                limit,
            },
            seen,
        )
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Recording<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = result {
            let new = &buf.filled()[before..];
            let limit = self.limit;
            if let Ok(mut seen) = self.seen.lock() {
                let room = limit.saturating_sub(seen.len());
                seen.extend_from_slice(&new[..new.len().min(room)]);
            }
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Recording<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::io::AsyncWriteExt;

    fn conn_over(data: Vec<u8>) -> Conn {
        let (client, mut server) = tokio::io::duplex(1 << 20);
        tokio::spawn(async move {
            let _ = server.write_all(&data).await;
            // Keep the server side open so reads end by data, not EOF.
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
        Conn::new(
            Box::new(client),
            Instant::now() + Duration::from_millis(500),
        )
    }

    #[tokio::test]
    async fn reads_lines_without_line_endings() {
        let mut c = conn_over(b"* OK ready\r\nsecond\n".to_vec());
        assert_eq!(c.read_line().await.unwrap(), b"* OK ready");
        assert_eq!(c.read_line().await.unwrap(), b"second");
        assert_eq!(c.read_line().await, Err(FailureKind::TimedOut));
    }

    #[tokio::test]
    async fn a_cancelled_read_keeps_its_partial_line() {
        let (client, mut server) = tokio::io::duplex(1024);
        tokio::spawn(async move {
            let _ = server.write_all(b"* OK hel").await;
            tokio::time::sleep(Duration::from_millis(100)).await;
            let _ = server.write_all(b"lo\r\n").await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
        let mut c = Conn::new(Box::new(client), Instant::now() + Duration::from_secs(2));
        tokio::select! {
            _ = c.read_line() => panic!("the line is not complete yet"),
            _ = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
        assert_eq!(c.read_line().await.unwrap(), b"* OK hello");
    }

    #[tokio::test]
    async fn a_long_line_is_cut_off_not_buffered() {
        let mut c = conn_over(vec![b'a'; 1 << 20]);
        assert_eq!(c.read_line().await, Err(FailureKind::LineTooLong));
        assert!(c.read_total() < MAX_LINE + 9000);
    }

    #[tokio::test]
    async fn the_byte_budget_ends_an_endless_listing() {
        let mut data = Vec::new();
        for _ in 0..20_000 {
            data.extend_from_slice(b"250-CAPABILITY\r\n");
        }
        let mut c = conn_over(data);
        let mut result = Ok(Vec::new());
        for _ in 0..20_000 {
            result = c.read_line().await;
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result, Err(FailureKind::TooMuchData));
    }
}
