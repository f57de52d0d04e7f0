//! One bounded HTTPS fetcher for the run: reqwest on rustls (ring), names resolved through the
//! run's own resolver (so split DNS and `--dns` hold here too), the run's trust (the same
//! verifier as the probes), no redirects followed, a size cap and a hard deadline.
//!
//! Every request passes the run's [`Gate`] first: the host's addresses are resolved here, the
//! special-purpose ones refused (a public domain's policy is never fetched from this machine or
//! a cloud metadata address), and the request is pinned to the one address whose permits it
//! holds, on a connection that is not pooled, so the caps count it while it is open.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::net::dns::Dns;
use crate::net::gate::{Closed, Gate};
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
    /// Not fetched: the host's only addresses are special-purpose ones.
    Refused {
        address: std::net::IpAddr,
        class: crate::net::address::AddressClass,
    },
    /// Not fetched: the run's connection caps left no slot in time.
    NoSlot,
    Other(String),
}

/// The fetcher: cheap to clone.
#[derive(Clone)]
pub struct Http {
    tls: Arc<rustls::ClientConfig>,
    dns: Dns,
    gate: Gate,
    timeout: Duration,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Http")
    }
}

/// The one address a request may connect to, whatever name it asks for.
struct Pinned(SocketAddr);

impl reqwest::dns::Resolve for Pinned {
    fn resolve(&self, _name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let addr = self.0;
        Box::pin(async move {
            let addrs: reqwest::dns::Addrs = Box::new(std::iter::once(addr));
            Ok(addrs)
        })
    }
}

impl Http {
    /// `tls` carries the run's trust; ALPN is set here (reqwest adds none to a preconfigured
    /// config).
    pub fn new(
        dns: &Dns,
        mut tls: rustls::ClientConfig,
        timeout: Duration,
        gate: Gate,
    ) -> Result<Self, String> {
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            tls: Arc::new(tls),
            dns: dns.clone(),
            gate,
            timeout,
        })
    }

    /// GETs `url` within the timeout, reading at most [`MAX_BODY_BYTES`].
    pub async fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        self.request(url, |c| c.get(url)).await
    }

    /// POSTs `body` (of `content_type`) to `url`, under the same bounds as [`Http::get`].
    pub async fn post(
        &self,
        url: &str,
        content_type: &'static str,
        body: Vec<u8>,
    ) -> Result<Fetched, FetchError> {
        self.request(url, move |c| {
            c.post(url)
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(body)
        })
        .await
    }

    /// Resolves, passes the gate, then sends on a client pinned to the admitted address; the
    /// permits are held until the body is read and the connection dropped.
    async fn request(
        &self,
        url: &str,
        build: impl FnOnce(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Fetched, FetchError> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        let parsed = reqwest::Url::parse(url).map_err(|e| FetchError::Other(e.to_string()))?;
        let port = parsed
            .port_or_known_default()
            .ok_or_else(|| FetchError::Other("no port".into()))?;
        let work = async {
            let address = self.admitted(&parsed).await?;
            let _permits =
                self.gate
                    .enter(address, deadline)
                    .await
                    .map_err(|closed| match closed {
                        Closed::Address(class) => FetchError::Refused { address, class },
                        Closed::NoSlot => FetchError::NoSlot,
                    })?;
            let client = self.client(SocketAddr::new(address, port))?;
            Self::send(build(&client)).await
        };
        // Boxed: reqwest's request future is large, and callers nest several fetches.
        tokio::time::timeout_at(deadline, Box::pin(work))
            .await
            .map_err(|_| FetchError::Timeout)?
    }

    /// The first address of the URL's host the gate admits.
    async fn admitted(&self, url: &reqwest::Url) -> Result<std::net::IpAddr, FetchError> {
        let host = url.host_str().unwrap_or_default();
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        let found = match literal.parse::<std::net::IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => self.dns.addresses(host).await.all(),
        };
        let mut refused = None;
        for ip in found {
            match self.gate.admits(ip) {
                Ok(()) => return Ok(ip),
                Err(class) => {
                    refused.get_or_insert(FetchError::Refused { address: ip, class });
                }
            }
        }
        Err(refused.unwrap_or(FetchError::NoAddress))
    }

    /// A client for one request: no pool (the connection closes with it), no redirects, no
    /// proxy, every name resolving to the admitted address.
    fn client(&self, address: SocketAddr) -> Result<reqwest::Client, FetchError> {
        reqwest::Client::builder()
            .tls_backend_preconfigured((*self.tls).clone())
            .dns_resolver(Arc::new(Pinned(address)))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .pool_max_idle_per_host(0)
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .user_agent(concat!("mailprobe/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FetchError::Other(clean_name(&e.to_string())))
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
                FetchError::Certificate(clean_name(&c.to_string()))
            }
            other => FetchError::Connect(clean_name(&other.to_string())),
        };
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
