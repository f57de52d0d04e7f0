//! The conversation of one probe, for `-v`: what was sent, what came back, what TLS did.
//! Bounded (lines and characters), escaped like all server text, and never holding a secret:
//! a line that carries credentials is recorded as `<redacted>`.

use std::sync::{Arc, Mutex};

/// Most lines kept per probe; the rest are counted.
pub const MAX_TRANSCRIPT_LINES: usize = 80;
/// Most characters kept per line.
const MAX_LINE_CHARS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Sent,
    Received,
    /// mailprobe's own note (a TLS handshake, a connection).
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub direction: Direction,
    pub text: String,
    /// What a note is about, as data: its words are the report's.
    pub event: Option<Event>,
}

/// What mailprobe's own notes record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The connection attempt failed (refused, timed out, unreachable, a local error).
    ConnectFailed(super::Failure),
    /// A TLS handshake's certificate verdict (`None`: no certificate was judged).
    Certificate(Option<super::tls::CertVerdict>),
    /// The handshake failed.
    HandshakeFailed(super::Failure),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    pub lines: Vec<Line>,
    /// Lines past [`MAX_TRANSCRIPT_LINES`], not kept.
    pub dropped: usize,
}

/// A transcript shared by the connections of one probe (plaintext, then TLS).
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<Mutex<Transcript>>);

impl Recorder {
    pub fn record(&self, direction: Direction, raw: &[u8]) {
        let text = crate::text::truncate(&crate::text::from_wire(raw), MAX_LINE_CHARS);
        self.push(direction, text);
    }

    pub fn note(&self, text: String) {
        self.push(
            Direction::Note,
            crate::text::truncate(&text, MAX_LINE_CHARS),
        );
    }

    /// A note about `event`, with `text` for its data (addresses, names).
    pub fn event(&self, text: String, event: Event) {
        self.push_line(Line {
            direction: Direction::Note,
            text: crate::text::truncate(&text, MAX_LINE_CHARS),
            event: Some(event),
        });
    }

    fn push(&self, direction: Direction, text: String) {
        self.push_line(Line {
            direction,
            text,
            event: None,
        });
    }

    fn push_line(&self, line: Line) {
        if let Ok(mut t) = self.0.lock() {
            if t.lines.len() < MAX_TRANSCRIPT_LINES {
                t.lines.push(line);
            } else {
                t.dropped += 1;
            }
        }
    }

    pub fn take(&self) -> Transcript {
        self.0
            .lock()
            .map(|mut t| std::mem::take(&mut *t))
            .unwrap_or_default()
    }
}
