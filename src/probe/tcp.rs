//! TCP connect with a deadline, and the classification of what went wrong.

use std::io;
use std::net::SocketAddr;

use tokio::net::TcpStream;
use tokio::time::{timeout_at, Instant};

use super::{LocalError, TcpOutcome, Unreachable};

/// Connects, or says why not. A timeout means no answer at all: packets dropped on the way.
pub async fn connect(addr: SocketAddr, deadline: Instant) -> Result<TcpStream, TcpOutcome> {
    match timeout_at(deadline, TcpStream::connect(addr)).await {
        Err(_) => Err(TcpOutcome::TimedOut),
        Ok(Err(e)) => Err(classify(&e)),
        Ok(Ok(stream)) => {
            // Probes write small commands and wait for replies: no need to batch them.
            let _ = stream.set_nodelay(true);
            Ok(stream)
        }
    }
}

/// Maps a connect error to an outcome.
pub fn classify(e: &io::Error) -> TcpOutcome {
    const ENETUNREACH: i32 = 101;
    const EHOSTUNREACH: i32 = 113;
    match (e.kind(), e.raw_os_error()) {
        (io::ErrorKind::ConnectionRefused, _) => TcpOutcome::Refused,
        (io::ErrorKind::ConnectionReset, _) => TcpOutcome::Reset,
        (io::ErrorKind::TimedOut, _) => TcpOutcome::TimedOut,
        (_, Some(EHOSTUNREACH)) | (io::ErrorKind::HostUnreachable, _) => {
            TcpOutcome::Unreachable(Unreachable::Host)
        }
        (_, Some(ENETUNREACH)) | (io::ErrorKind::NetworkUnreachable, _) => {
            TcpOutcome::Unreachable(Unreachable::Network)
        }
        _ => TcpOutcome::Failed(local_error(e)),
    }
}

/// An error of this machine's own, named where it has a name.
pub fn local_error(e: &io::Error) -> LocalError {
    const ENFILE: i32 = 23;
    const EMFILE: i32 = 24;
    match e.raw_os_error() {
        Some(EMFILE | ENFILE) => LocalError::TooManyOpenFiles,
        _ => LocalError::Other(crate::text::escape_controls(&e.to_string())),
    }
}
