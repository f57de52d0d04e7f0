//! One bounded HTTPS fetcher for the run: reqwest on rustls (ring), names resolved through the
//! run's own resolver (so split DNS and `--dns` hold here too), the run's trust (the same
//! verifier as the probes), no redirects followed, a size cap and a hard deadline.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::net::dns::Dns;
use crate::text::clean_name;

/// Largest body read (MTA-STS policies are a few hundred bytes; RFC 8461 suggests 64 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A fetched resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub status: u16,
    /// The media type without parameters, lower case.
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// Why nothing usable came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The name has no address.
    NoAddress,
    Timeout,
    /// The certificate was refused: the verifier's words (escaped).
    Certificate(String),
    /// TCP or TLS failed otherwise (escaped).
    Connect(String),
    /// A 3xx answer: redirects are never followed.
    Redirect {
        status: u16,
        location: Option<String>,
    },
    /// More than [`MAX_BODY_BYTES`].
    TooLarge,
    Other(String),
}

/// The fetcher: cheap to clone.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    timeout: Duration,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Http")
    }
}

struct Resolver(Dns);

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let dns = self.0.clone();
        Box::pin(async move {
            let found = dns.addresses(name.as_str()).await.all();
            if found.is_empty() {
                return Err(Box::new(NoAddress) as Box<dyn std::error::Error + Send + Sync>);
            }
            let addrs: reqwest::dns::Addrs =
                Box::new(found.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

#[derive(Debug)]
struct NoAddress;

impl std::fmt::Display for NoAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no address")
    }
}

impl std::error::Error for NoAddress {}

impl Http {
    /// `tls` carries the run's trust; ALPN is set here (reqwest adds none to a preconfigured
    /// config).
    pub fn new(
        dns: &Dns,
        mut tls: rustls::ClientConfig,
        timeout: Duration,
    ) -> Result<Self, String> {
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .dns_resolver(Arc::new(Resolver(dns.clone())))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("mailprobe/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| clean_name(&e.to_string()))?;
        Ok(Self { client, timeout })
    }

    /// GETs `url` within the timeout, reading at most [`MAX_BODY_BYTES`].
    pub async fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        tokio::time::timeout_at(deadline, self.fetch(url))
            .await
            .map_err(|_| FetchError::Timeout)?
    }

    /// POSTs `body` (of `content_type`) to `url`, under the same bounds as [`Http::get`].
    pub async fn post(
        &self,
        url: &str,
        content_type: &'static str,
        body: Vec<u8>,
    ) -> Result<Fetched, FetchError> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        let request = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        tokio::time::timeout_at(deadline, Self::send(request))
            .await
            .map_err(|_| FetchError::Timeout)?
    }

    async fn fetch(&self, url: &str) -> Result<Fetched, FetchError> {
        Self::send(self.client.get(url)).await
    }

    async fn send(request: reqwest::RequestBuilder) -> Result<Fetched, FetchError> {
        let mut response = request.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        if response.status().is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(|l| crate::text::truncate(&clean_name(l), 200));
            return Err(FetchError::Redirect { status, location });
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BODY_BYTES as u64)
        {
            return Err(FetchError::TooLarge);
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let media = v.split(';').next().unwrap_or_default();
                clean_name(media.trim()).to_ascii_lowercase()
            });
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            status,
            content_type,
            body,
        })
    }
}

/// A reqwest error as data: the rustls error inside it, when there is one, says whether the
/// certificate was the problem.
fn classify(e: reqwest::Error) -> FetchError {
    if e.is_timeout() {
        return FetchError::Timeout;
    }
    if let Some(tls) = find_rustls(&e) {
        return match tls {
            rustls::Error::InvalidCertificate(c) => {
                FetchError::Certificate(clean_name(&format!("{c:?}")))
            }
            other => FetchError::Connect(clean_name(&other.to_string())),
        };
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(s) = source {
        if s.downcast_ref::<NoAddress>().is_some() {
            return FetchError::NoAddress;
        }
        source = s.source();
    }
    if e.is_connect() {
        return FetchError::Connect(clean_name(&deepest(&e)));
    }
    FetchError::Other(clean_name(&deepest(&e)))
}

/// Walks the error chain, looking inside io::Errors too (their `source()` skips the inner one).
fn find_rustls<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if let Some(inner) = io.get_ref() {
                if let Some(found) = find_rustls(inner) {
                    return Some(found);
                }
            }
        }
        current = err.source();
    }
    None
}

fn deepest(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e.to_string();
    let mut current = e.source();
    while let Some(err) = current {
        last = err.to_string();
        current = err.source();
    }
    last
}
