//! DNS for tests: hickory-server as an authoritative server for fixture zones, and a faulty
//! responder in front of it that answers SERVFAIL or stays silent for chosen record types.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{LowerName, Name, RecordType};
use hickory_proto::serialize::txt::Parser;
use hickory_server::net::runtime::TokioRuntimeProvider;
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};
use hickory_server::Server;
use tokio::net::{TcpListener, UdpSocket};

use super::net::TestNet;

/// An authoritative server on 127.0.0.1 (UDP and TCP, same port). Stops when dropped.
pub struct TestDns {
    pub addr: SocketAddr,
    _server: Server<Catalog>,
}

/// Reads `fixtures/zones/NAME.zone`, replacing `${NET}` with the test's address prefix.
pub fn zone_fixture(name: &str, net: &TestNet) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/zones")
        .join(format!("{name}.zone"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
        .replace("${NET}", &net.prefix())
}

impl TestDns {
    /// Serves the given zone texts (each with `$ORIGIN` and an SOA) on 127.0.0.1, any port.
    pub async fn start(zones: &[String]) -> Self {
        Self::serve(zones, bind_pair().await).await
    }

    /// Serves the zones at `addr` (port 0: any free port), UDP and TCP.
    pub async fn start_at(addr: SocketAddr, zones: &[String]) -> Self {
        let udp = UdpSocket::bind(addr).await.expect("bind udp");
        let addr = udp.local_addr().expect("addr");
        let tcp = TcpListener::bind(addr).await.expect("bind tcp");
        Self::serve(zones, (udp, tcp, addr)).await
    }

    async fn serve(zones: &[String], sockets: (UdpSocket, TcpListener, SocketAddr)) -> Self {
        let mut catalog = Catalog::new();
        for text in zones {
            let (origin, records) = Parser::new(text.as_str(), None, None)
                .parse()
                .expect("zone parses");
            let handler = InMemoryZoneHandler::<TokioRuntimeProvider>::new(
                origin.clone(),
                records,
                ZoneType::Primary,
                AxfrPolicy::Deny,
            )
            .expect("zone loads");
            catalog.upsert(LowerName::new(&origin), vec![Arc::new(handler)]);
        }
        let (udp, tcp, addr) = sockets;
        let mut server = Server::new(catalog);
        server.register_socket(udp);
        server.register_listener(tcp, Duration::from_secs(5), 4096);
        Self {
            addr,
            _server: server,
        }
    }

    /// Serves the named fixture zones.
    pub async fn with_fixtures(names: &[&str], net: &TestNet) -> Self {
        let zones: Vec<String> = names.iter().map(|n| zone_fixture(n, net)).collect();
        Self::start(&zones).await
    }
}

/// A UDP socket and a TCP listener on the same free port (DNS needs both). The UDP port the
/// kernel picks may be taken for TCP by a parallel test: try again with another.
async fn bind_pair() -> (UdpSocket, TcpListener, SocketAddr) {
    for _ in 0..50 {
        let udp = UdpSocket::bind("127.0.0.1:0").await.expect("bind udp");
        let addr = udp.local_addr().expect("addr");
        if let Ok(tcp) = TcpListener::bind(addr).await {
            return (udp, tcp, addr);
        }
    }
    panic!("no free port for both UDP and TCP on 127.0.0.1");
}

/// What the faulty responder does with a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with these records (NOERROR), whatever they hold.
    Answer(Vec<hickory_proto::rr::Record>),
    /// Answer SERVFAIL.
    ServFail,
    /// Never answer.
    Silent,
    /// Pass it to the upstream server.
    Forward,
    /// Pass it to the upstream server after this delay.
    Slow(Duration),
}

/// A UDP responder that decides per query type; stops when dropped.
pub struct FaultyDns {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultyDns {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultyDns {
    /// `rule(name, type)` picks the fault; `upstream` answers forwarded queries.
    pub async fn start(
        upstream: Option<SocketAddr>,
        rule: impl Fn(&Name, RecordType) -> Fault + Send + 'static,
    ) -> Self {
        let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await.expect("bind"));
        let addr = socket.local_addr().expect("addr");
        let task = tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            while let Some((query, msg, peer)) = next_query(&socket, &mut buf).await {
                let Some(q) = msg.queries.first() else {
                    continue;
                };
                match rule(q.name(), q.query_type()) {
                    Fault::Silent => {}
                    Fault::Answer(records) => {
                        let mut reply = Message::error_msg(
                            msg.metadata.id,
                            msg.metadata.op_code,
                            ResponseCode::NoError,
                        );
                        reply.add_query(q.clone());
                        reply.metadata.authoritative = true;
                        reply.metadata.recursion_desired = msg.metadata.recursion_desired;
                        reply.answers = records;
                        if let Ok(bytes) = reply.to_vec() {
                            let _ = socket.send_to(&bytes, peer).await;
                        }
                    }
                    Fault::ServFail => {
                        if let Some(bytes) = error_reply(&msg, ResponseCode::ServFail) {
                            let _ = socket.send_to(&bytes, peer).await;
                        }
                    }
                    Fault::Forward | Fault::Slow(_) => {
                        let Some(up) = upstream else { continue };
                        let socket = socket.clone();
                        let delay = match rule(q.name(), q.query_type()) {
                            Fault::Slow(d) => d,
                            _ => Duration::ZERO,
                        };
                        tokio::spawn(async move {
                            tokio::time::sleep(delay).await;
                            if let Some(answer) = forward(&query, up).await {
                                let _ = socket.send_to(&answer, peer).await;
                            }
                        });
                    }
                }
            }
        });
        Self { addr, task }
    }
}

/// The next well-formed query on `socket` (malformed datagrams skipped); `None` once it fails.
async fn next_query(socket: &UdpSocket, buf: &mut [u8]) -> Option<(Vec<u8>, Message, SocketAddr)> {
    loop {
        let (n, peer) = socket.recv_from(buf).await.ok()?;
        let query = buf[..n].to_vec();
        if let Ok(msg) = Message::from_vec(&query) {
            return Some((query, msg, peer));
        }
    }
}

/// An answer with this response code to `msg`, its question echoed.
fn error_reply(msg: &Message, code: ResponseCode) -> Option<Vec<u8>> {
    let mut reply = Message::error_msg(msg.metadata.id, msg.metadata.op_code, code);
    if let Some(q) = msg.queries.first() {
        reply.add_query(q.clone());
    }
    reply.to_vec().ok()
}

async fn forward(query: &[u8], upstream: SocketAddr) -> Option<Vec<u8>> {
    let s = UdpSocket::bind("127.0.0.1:0").await.ok()?;
    s.send_to(query, upstream).await.ok()?;
    let mut buf = vec![0u8; 65535];
    let (n, _) = tokio::time::timeout(Duration::from_secs(3), s.recv_from(&mut buf))
        .await
        .ok()?
        .ok()?;
    buf.truncate(n);
    Some(buf)
}

/// A zone text for `origin` with SOA and NS added in front of `body`.
pub fn zone(origin: &str, body: &str) -> String {
    format!(
        "$ORIGIN {origin}.\n$TTL 300\n@ 3600 IN SOA ns.{origin}. hostmaster.{origin}. 1 3600 600 86400 60\n@ IN NS ns.{origin}.\nns IN A 127.0.0.1\n{body}\n"
    )
}

/// A resolver that holds every query `delay` and, like dnsmasq, refuses any query beyond
/// `limit` in flight; it counts the most it ever had in flight and how many it refused.
pub struct CappedDns {
    pub addr: SocketAddr,
    pub most_in_flight: Arc<std::sync::atomic::AtomicUsize>,
    pub refused: Arc<std::sync::atomic::AtomicUsize>,
    /// Every query received.
    pub queries: Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for CappedDns {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl CappedDns {
    pub async fn start(upstream: SocketAddr, limit: usize, delay: Duration) -> Self {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await.expect("bind"));
        let addr = socket.local_addr().expect("addr");
        let most_in_flight = Arc::new(AtomicUsize::new(0));
        let refused = Arc::new(AtomicUsize::new(0));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let queries = Arc::new(AtomicUsize::new(0));
        let (most, refusals, received) = (most_in_flight.clone(), refused.clone(), queries.clone());
        let task = tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            while let Some((query, msg, peer)) = next_query(&socket, &mut buf).await {
                received.fetch_add(1, Ordering::SeqCst);
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                if now > limit {
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    refusals.fetch_add(1, Ordering::SeqCst);
                    if let Some(bytes) = error_reply(&msg, ResponseCode::Refused) {
                        let _ = socket.send_to(&bytes, peer).await;
                    }
                    continue;
                }
                let (socket, in_flight) = (socket.clone(), in_flight.clone());
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let answer = forward(&query, upstream).await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    if let Some(answer) = answer {
                        let _ = socket.send_to(&answer, peer).await;
                    }
                });
            }
        });
        Self {
            addr,
            most_in_flight,
            refused,
            queries,
            task,
        }
    }
}
