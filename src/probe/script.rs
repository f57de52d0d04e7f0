//! A scripted server for tests and fuzzing: the server's bytes are fixed in advance and handed
//! out in pieces of a chosen size (to exercise partial reads); everything the client writes is
//! kept, so a test can assert the exact bytes sent. The property tests, the client tests and
//! the fuzz target all play the server with this one type.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How the scripted bytes are cut into reads.
#[derive(Debug, Clone, Copy)]
pub enum Chunking {
    /// Always this many bytes (at least one).
    Fixed(usize),
    /// Uneven pieces that vary with the position: 1, 14, 27, … bytes.
    Uneven,
}

pub struct ScriptedStream {
    data: Vec<u8>,
    pos: usize,
    chunking: Chunking,
    written: Arc<Mutex<Vec<u8>>>,
}

impl ScriptedStream {
    /// The stream, and a handle on what the client wrote to it.
    pub fn new(data: impl Into<Vec<u8>>, chunking: Chunking) -> (Self, Arc<Mutex<Vec<u8>>>) {
        let written = Arc::new(Mutex::new(Vec::new()));
        let stream = Self {
            data: data.into(),
            pos: 0,
            chunking,
            written: written.clone(),
        };
        (stream, written)
    }

    fn step(&self) -> usize {
        match self.chunking {
            Chunking::Fixed(n) => n.max(1),
            Chunking::Uneven => 1 + (self.pos % 7) * 13,
        }
    }
}

impl AsyncRead for ScriptedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let end = (self.pos + self.step()).min(self.data.len());
        let n = (end - self.pos).min(buf.remaining());
        let start = self.pos;
        buf.put_slice(&self.data[start..start + n]);
        self.pos += n;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for ScriptedStream {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Ok(mut w) = self.written.lock() {
            w.extend_from_slice(buf);
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
