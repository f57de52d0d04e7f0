//! A small HTTP/1.1 server for tests, over TLS (test PKI) or plain: every request is recorded
//! and answered by a handler, one request per connection.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

use super::pki::Leaf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub host: String,
    pub body: String,
}

type Handler = Arc<dyn Fn(&Request) -> Vec<u8> + Send + Sync>;

pub struct Web {
    pub port: u16,
    pub requests: Arc<Mutex<Vec<Request>>>,
    /// The most connections it ever had open at once.
    pub most_open: Arc<std::sync::atomic::AtomicUsize>,
}

impl Web {
    /// Serves on `addr` (port 0 picks one), over TLS with `leaf` when given.
    pub async fn start(
        addr: SocketAddr,
        leaf: Option<&Leaf>,
        handler: impl Fn(&Request) -> Vec<u8> + Send + Sync + 'static,
    ) -> Self {
        Self::start_slow(addr, leaf, std::time::Duration::ZERO, handler).await
    }

    /// The same, holding each connection `delay` before it reads the request.
    pub async fn start_slow(
        addr: SocketAddr,
        leaf: Option<&Leaf>,
        delay: std::time::Duration,
        handler: impl Fn(&Request) -> Vec<u8> + Send + Sync + 'static,
    ) -> Self {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let open = Arc::new(AtomicUsize::new(0));
        let most_open = Arc::new(AtomicUsize::new(0));
        let most = most_open.clone();
        let listener = TcpListener::bind(addr).await.expect("bind web server");
        let port = listener.local_addr().unwrap().port();
        let acceptor = leaf.map(|l| tokio_rustls::TlsAcceptor::from(l.server_config()));
        let handler: Handler = Arc::new(handler);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, handler, log) = (acceptor.clone(), handler.clone(), log.clone());
                let now = open.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                let open = open.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    match acceptor {
                        Some(a) => {
                            if let Ok(tls) = a.accept(tcp).await {
                                serve(tls, &handler, &log, &open).await;
                            } else {
                                open.fetch_sub(1, Ordering::SeqCst);
                            }
                        }
                        None => serve(tcp, &handler, &log, &open).await,
                    }
                });
            }
        });
        Self {
            port,
            requests,
            most_open,
        }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

/// Serves one request; `open` counts the connection until its answer is sent (or it ends
/// without one), so a client that waits for answers is never seen twice at once.
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    s: S,
    handler: &Handler,
    log: &Arc<Mutex<Vec<Request>>>,
    open: &std::sync::atomic::AtomicUsize,
) {
    let mut counted = Some(open);
    serve_one(s, handler, log, &mut counted).await;
    if let Some(open) = counted {
        open.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

async fn serve_one<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    handler: &Handler,
    log: &Arc<Mutex<Vec<Request>>>,
    counted: &mut Option<&std::sync::atomic::AtomicUsize>,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if buf.len() > 65536 {
            return;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_string();
    let path = first.next().unwrap_or_default().to_string();
    let mut host = String::new();
    let mut length = 0usize;
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "host" => host = v.trim().to_string(),
                "content-length" => length = v.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
    }
    while buf.len() < head_end + length.min(65536) {
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let body = String::from_utf8_lossy(&buf[head_end..]).to_string();
    let request = Request {
        method,
        path,
        host,
        body,
    };
    log.lock().unwrap().push(request.clone());
    let response = handler(&request);
    if let Some(open) = counted.take() {
        open.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
    let _ = s.write_all(&response).await;
    let _ = s.shutdown().await;
}

/// A raw HTTP response.
pub fn response(status: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

pub fn not_found() -> Vec<u8> {
    response("404 Not Found", "text/plain", "not here")
}

pub fn redirect(status: &str, location: &str) -> Vec<u8> {
    format!("HTTP/1.1 {status}\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .into_bytes()
}
