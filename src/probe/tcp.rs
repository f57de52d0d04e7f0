//! TCP connect with a deadline, and the classification of what went wrong.

use std::io;
use std::net::SocketAddr;

use tokio::net::TcpStream;
use tokio::time::{timeout_at, Instant};

use super::TcpOutcome;

/// What ENETUNREACH is reported as: this machine has no route to that network at all (for
/// IPv6, usually: no IPv6 connectivity here), which says nothing about the server.
pub const NETWORK_UNREACHABLE: &str = "network is unreachable";

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
    const EMFILE: i32 = 24;
    match (e.kind(), e.raw_os_error()) {
        (io::ErrorKind::ConnectionRefused, _) => TcpOutcome::Refused,
        (io::ErrorKind::ConnectionReset, _) => TcpOutcome::Reset,
        (io::ErrorKind::TimedOut, _) => TcpOutcome::TimedOut,
        (_, Some(EHOSTUNREACH)) => TcpOutcome::Unreachable("no route to host".into()),
        (_, Some(ENETUNREACH)) => TcpOutcome::Unreachable(NETWORK_UNREACHABLE.into()),
        (io::ErrorKind::HostUnreachable, _) => TcpOutcome::Unreachable("no route to host".into()),
        (io::ErrorKind::NetworkUnreachable, _) => {
            TcpOutcome::Unreachable(NETWORK_UNREACHABLE.into())
        }
        (_, Some(EMFILE)) => {
            TcpOutcome::Failed("too many open files: lower --concurrency or raise ulimit -n".into())
        }
        _ => TcpOutcome::Failed(crate::text::escape_controls(&e.to_string())),
    }
}
