//! In-process IMAP, POP3 and SMTP servers over real sockets, with implicit TLS, STARTTLS or
//! none, and hostile behaviours for the robustness tests.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailprobe::service::Protocol;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio_rustls::TlsAcceptor;

use super::pki::Leaf;

#[derive(Clone)]
pub enum TlsMode {
    /// TLS from the first byte.
    Implicit(Leaf),
    /// Plaintext greeting; STARTTLS/STLS offered and working.
    StartTls(Leaf),
    /// Plaintext only; STARTTLS not offered.
    None,
}

#[derive(Clone, Debug)]
pub enum Behaviour {
    Normal,
    /// Accepts, then never sends a byte.
    Silent,
    /// Sends these bytes instead of a greeting, then closes.
    Raw(Vec<u8>),
    /// Sends these bytes one at a time, `interval` apart.
    Drip(Vec<u8>, Duration),
    /// A line that never ends.
    EndlessLine,
    /// Capability listings that never end.
    EndlessCapabilities,
    /// Plaintext bytes right behind the STARTTLS go-ahead.
    InjectAfterStartTls,
    /// Refuses STARTTLS although it offers it.
    RejectStartTls,
    /// Garbage instead of a TLS handshake after the STARTTLS go-ahead.
    GarbageAfterStartTls,
    /// TLS port: reads the ClientHello and closes.
    CloseMidHandshake,
    /// TLS port: reads the ClientHello and never answers.
    StallHandshake,
    /// TLS port: answers the ClientHello with a TLS 1.2 ServerHello, then an `internal_error`
    /// alert (the server failing in its own handshake, as OpenSMTPD does with a key it cannot
    /// use).
    FailAfterServerHello,
    /// TLS port: a TLS 1.2 server whose certificate is this DER (e.g. an RSA-1024 key) and
    /// whose ServerKeyExchange signature is made of zeros: the client's check of it fails.
    SignWith(Vec<u8>),
    /// Sends this greeting (e.g. a 554), then behaves normally.
    Greeting(String),
    /// Waits this long before the greeting, then behaves normally.
    SlowGreeting(Duration),
    /// Plaintext 30 ms after the STARTTLS go-ahead (too late for a buffer check).
    InjectLateAfterStartTls,
    /// A failed login is answered with the very line the client sent (credentials included).
    EchoCredentials,
    /// The goodbye (LOGOUT, QUIT) quotes this username and password back in several encodings.
    EchoOnClose(String, String),
    /// TLS port: stalls the handshake when the client asks for this name (SNI), serves others.
    StallHandshakeFor(String),
    /// TLS port: asks for a client certificate and refuses the connection without one.
    RequireClientCert(Vec<u8>),
    /// IMAP: greets with PREAUTH (already logged in) and still offers STARTTLS.
    Preauth,
    /// SMTP: answers EHLO with this many extension lines.
    LongEhlo(usize),
    /// SMTP: sends the greeting's first line (`220-`) at once and its last line after this
    /// pause, like Postfix postscreen.
    Teaser(Duration),
    /// Offers these OAuth mechanisms (OAUTHBEARER, XOAUTH2) and takes the account's password
    /// as the one valid bearer token; a wrong token gets the RFC 7628 error challenge first.
    OAuth(Vec<&'static str>),
    /// Lists these capabilities too (SMTP EHLO, POP3 CAPA).
    ExtraCapabilities(Vec<String>),
    /// Offers no login at all before TLS (IMAP LOGINDISABLED, no POP3 USER/SASL, no SMTP AUTH).
    NoLoginInClear,
    /// Refuses every login, right or wrong, with this text (after the IMAP tag).
    RefuseLogin(String),
    /// Accepts a right login, then answers the first mailbox command (EXAMINE, STAT, MAIL
    /// FROM) with this text (after the IMAP tag).
    UnusableAfterLogin(String),
}

#[derive(Clone)]
pub struct Spec {
    pub protocol: Protocol,
    pub tls: TlsMode,
    pub behaviour: Behaviour,
    /// The host name the server announces.
    pub name: String,
    /// The one account that may log in: (username, password).
    pub account: Option<(String, String)>,
}

impl Spec {
    pub fn new(protocol: Protocol, tls: TlsMode) -> Self {
        Self {
            protocol,
            tls,
            behaviour: Behaviour::Normal,
            name: "mail.test".into(),
            account: None,
        }
    }

    pub fn with_account(mut self, user: &str, password: &str) -> Self {
        self.account = Some((user.into(), password.into()));
        self
    }

    pub fn behaving(mut self, b: Behaviour) -> Self {
        self.behaviour = b;
        self
    }
}

/// A running server; stops when dropped. `log` holds every command line it received.
pub struct MailServer {
    pub addr: SocketAddr,
    pub log: Arc<Mutex<Vec<String>>>,
    /// The most connections that were open at once.
    pub peak_connections: Arc<AtomicUsize>,
    /// Every connection accepted.
    pub connections: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for MailServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl MailServer {
    pub async fn start(addr: SocketAddr, spec: Spec) -> Self {
        let listener = TcpListener::bind(addr)
            .await
            .unwrap_or_else(|e| panic!("bind {addr}: {e}"));
        let addr = listener.local_addr().expect("addr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let spec = Arc::new(spec);
        let task_log = log.clone();
        let peak = Arc::new(AtomicUsize::new(0));
        let open = Arc::new(AtomicUsize::new(0));
        let task_peak = peak.clone();
        let connections = Arc::new(AtomicUsize::new(0));
        let accepted = connections.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accepted.fetch_add(1, Ordering::SeqCst);
                let spec = spec.clone();
                let log = task_log.clone();
                let (open, peak) = (open.clone(), task_peak.clone());
                tokio::spawn(async move {
                    let now = open.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    let _ = serve(stream, &spec, &log).await;
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Self {
            addr,
            log,
            peak_connections: peak,
            connections,
            task,
        }
    }

    /// Command lines received before TLS (on plaintext connections or before STARTTLS).
    pub fn plaintext_commands(&self) -> Vec<String> {
        self.commands()
            .into_iter()
            .filter(|c| !c.starts_with("TLS "))
            .collect()
    }

    /// Every command line received; those received over TLS start with "TLS ".
    pub fn commands(&self) -> Vec<String> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

/// A listener whose accept queue is full: further connection attempts get no answer at all,
/// like a firewall that drops packets. Keep it alive for the test's duration.
pub struct BlackHole {
    pub addr: SocketAddr,
    _listener: TcpListener,
    _filler: Vec<TcpStream>,
}

impl BlackHole {
    pub async fn start(addr: SocketAddr) -> Self {
        let socket = TcpSocket::new_v4().expect("socket");
        socket.bind(addr).expect("bind");
        let listener = socket.listen(0).expect("listen");
        let addr = listener.local_addr().expect("addr");
        // Fill the queue: with backlog 0 the kernel keeps one, then drops every SYN.
        let mut filler = Vec::new();
        for _ in 0..2 {
            if let Ok(Ok(s)) =
                tokio::time::timeout(Duration::from_millis(300), TcpStream::connect(addr)).await
            {
                filler.push(s);
            }
        }
        Self {
            addr,
            _listener: listener,
            _filler: filler,
        }
    }
}

async fn serve(stream: TcpStream, spec: &Spec, log: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut stream = stream;
    match &spec.behaviour {
        Behaviour::Silent => {
            tokio::time::sleep(Duration::from_secs(120)).await;
            return Ok(());
        }
        Behaviour::Raw(bytes) => {
            stream.write_all(bytes).await?;
            tokio::time::sleep(Duration::from_millis(200)).await;
            return Ok(());
        }
        Behaviour::Drip(bytes, interval) => {
            for b in bytes {
                stream.write_all(&[*b]).await?;
                tokio::time::sleep(*interval).await;
            }
            tokio::time::sleep(Duration::from_secs(120)).await;
            return Ok(());
        }
        Behaviour::EndlessLine => {
            let chunk = vec![b'a'; 16 * 1024];
            loop {
                stream.write_all(&chunk).await?;
            }
        }
        Behaviour::StallHandshakeFor(stalled) => {
            let TlsMode::Implicit(leaf) = &spec.tls else {
                return Ok(());
            };
            let acceptor =
                tokio_rustls::LazyConfigAcceptor::new(rustls::server::Acceptor::default(), stream);
            let start = acceptor.await?;
            if start.client_hello().server_name() == Some(stalled.as_str()) {
                tokio::time::sleep(Duration::from_secs(120)).await;
                return Ok(());
            }
            let tls = start.into_stream(leaf.server_config()).await?;
            let mut reader = BufReader::new(tls);
            dialog(&mut reader, spec, log, true, true).await?;
            return Ok(());
        }
        Behaviour::RequireClientCert(ca_der) => {
            let TlsMode::Implicit(leaf) = &spec.tls else {
                return Ok(());
            };
            let config = leaf.server_config_requiring_client_cert(ca_der);
            // The handshake fails without a client certificate: that is the point.
            let _ = TlsAcceptor::from(config).accept(stream).await;
            return Ok(());
        }
        Behaviour::FailAfterServerHello => {
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf).await?;
            // ServerHello: TLS 1.2, a random without the downgrade sentinel, no session id,
            // ECDHE-RSA-AES128-GCM-SHA256, no compression, no extensions.
            let mut body = vec![0x03, 0x03];
            body.extend([7u8; 32]);
            body.extend([0x00, 0xc0, 0x2f, 0x00]);
            let mut record = vec![22, 3, 3, 0, body.len() as u8 + 4, 2, 0, 0, body.len() as u8];
            record.extend(body);
            // alert(fatal, internal_error)
            record.extend([21, 3, 3, 0, 2, 2, 80]);
            stream.write_all(&record).await?;
            tokio::time::sleep(Duration::from_millis(200)).await;
            return Ok(());
        }
        Behaviour::SignWith(cert) => {
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf).await?;
            let handshake = |kind: u8, body: &[u8]| {
                let n = body.len();
                let mut m = vec![kind, (n >> 16) as u8, (n >> 8) as u8, n as u8];
                m.extend_from_slice(body);
                m
            };
            let mut hello = vec![0x03, 0x03];
            hello.extend([7u8; 32]);
            hello.extend([0x00, 0xc0, 0x2f, 0x00]);
            let n = cert.len();
            let mut list = vec![(n >> 16) as u8, (n >> 8) as u8, n as u8];
            list.extend_from_slice(cert);
            let n = list.len();
            let mut certificate = vec![(n >> 16) as u8, (n >> 8) as u8, n as u8];
            certificate.extend(list);
            // ECDHE over x25519, then rsa_pkcs1_sha256 and a 128-byte signature of zeros.
            let mut kx = vec![3, 0x00, 0x1d, 32];
            kx.extend([9u8; 32]);
            kx.extend([0x04, 0x01, 0x00, 0x80]);
            kx.extend([0u8; 128]);
            let mut messages = handshake(2, &hello);
            messages.extend(handshake(11, &certificate));
            messages.extend(handshake(12, &kx));
            messages.extend(handshake(14, &[]));
            let n = messages.len();
            let mut record = vec![22, 3, 3, (n >> 8) as u8, n as u8];
            record.extend(messages);
            stream.write_all(&record).await?;
            tokio::time::sleep(Duration::from_millis(200)).await;
            return Ok(());
        }
        Behaviour::CloseMidHandshake | Behaviour::StallHandshake => {
            let mut buf = [0u8; 512];
            let _ = stream.read(&mut buf).await?;
            if matches!(spec.behaviour, Behaviour::StallHandshake) {
                tokio::time::sleep(Duration::from_secs(120)).await;
            }
            return Ok(());
        }
        _ => {}
    }
    match &spec.tls {
        TlsMode::Implicit(leaf) => {
            let tls = TlsAcceptor::from(leaf.server_config())
                .accept(stream)
                .await?;
            let mut reader = BufReader::new(tls);
            dialog(&mut reader, spec, log, true, true).await?;
        }
        TlsMode::StartTls(leaf) => {
            let mut reader = BufReader::new(stream);
            if dialog(&mut reader, spec, log, false, true).await? == Next::Upgrade {
                let stream = reader.into_inner();
                let tls = TlsAcceptor::from(leaf.server_config())
                    .accept(stream)
                    .await?;
                let mut reader = BufReader::new(tls);
                dialog(&mut reader, spec, log, true, false).await?;
            }
        }
        TlsMode::None => {
            let mut reader = BufReader::new(stream);
            dialog(&mut reader, spec, log, false, true).await?;
        }
    }
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
enum Next {
    Upgrade,
    Done,
}

async fn dialog<S: AsyncRead + AsyncWrite + Unpin>(
    reader: &mut BufReader<S>,
    spec: &Spec,
    log: &Mutex<Vec<String>>,
    secure: bool,
    greet: bool,
) -> std::io::Result<Next> {
    let offer_starttls = !secure && matches!(spec.tls, TlsMode::StartTls(_));
    if let (true, Behaviour::SlowGreeting(wait)) = (greet, &spec.behaviour) {
        tokio::time::sleep(*wait).await;
    }
    if let (true, Behaviour::Teaser(pause)) = (greet, &spec.behaviour) {
        let teaser = format!("220-{} ESMTP teaser\r\n", spec.name);
        reader.get_mut().write_all(teaser.as_bytes()).await?;
        reader.get_mut().flush().await?;
        tokio::time::sleep(*pause).await;
        reader.get_mut().write_all(b"220 ready now\r\n").await?;
    } else if greet {
        let greeting = match (&spec.behaviour, spec.protocol) {
            (Behaviour::Greeting(g), _) => format!("{g}\r\n"),
            (Behaviour::Preauth, _) => {
                "* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] logged in as root\r\n".to_string()
            }
            (_, Protocol::Imap) => format!(
                "* OK [CAPABILITY IMAP4rev1{}] {} ready\r\n",
                if offer_starttls {
                    " STARTTLS LOGINDISABLED"
                } else {
                    ""
                },
                spec.name
            ),
            (_, Protocol::Pop3) => format!("+OK {} POP3 ready\r\n", spec.name),
            (_, Protocol::Smtp) => format!(
                "220-{} ESMTP test\r\n220 second greeting line\r\n",
                spec.name
            ),
        };
        reader.get_mut().write_all(greeting.as_bytes()).await?;
    }
    let mut line = Vec::new();
    let mut pending: Option<String> = None;
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).await?;
        if n == 0 {
            return Ok(Next::Done);
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_string();
        if let Ok(mut l) = log.lock() {
            l.push(if secure {
                format!("TLS {text}")
            } else {
                text.clone()
            });
        }
        if let Some(last) = pending.take() {
            // The client's answer to an error challenge: the final "no".
            reader.get_mut().write_all(last.as_bytes()).await?;
            continue;
        }
        let reply = respond(spec, &text, offer_starttls, secure);
        match reply {
            Reply::Challenge(challenge, last) => {
                reader.get_mut().write_all(challenge.as_bytes()).await?;
                pending = Some(last);
            }
            Reply::Send(s) => reader.get_mut().write_all(s.as_bytes()).await?,
            Reply::Endless(first, repeated) => {
                reader.get_mut().write_all(first.as_bytes()).await?;
                loop {
                    reader.get_mut().write_all(repeated.as_bytes()).await?;
                }
            }
            Reply::Upgrade(s) => {
                match spec.behaviour {
                    Behaviour::InjectAfterStartTls => {
                        let injected = format!("{s}{}", injected_line(spec.protocol));
                        reader.get_mut().write_all(injected.as_bytes()).await?;
                    }
                    Behaviour::InjectLateAfterStartTls => {
                        reader.get_mut().write_all(s.as_bytes()).await?;
                        tokio::time::sleep(Duration::from_millis(30)).await;
                        let injected = injected_line(spec.protocol);
                        reader.get_mut().write_all(injected.as_bytes()).await?;
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        return Ok(Next::Done);
                    }
                    Behaviour::GarbageAfterStartTls => {
                        reader.get_mut().write_all(s.as_bytes()).await?;
                        reader
                            .get_mut()
                            .write_all(b"\x00\x01garbage, not TLS\r\n")
                            .await?;
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        return Ok(Next::Done);
                    }
                    _ => reader.get_mut().write_all(s.as_bytes()).await?,
                }
                return Ok(Next::Upgrade);
            }
            Reply::Close(s) => {
                reader.get_mut().write_all(s.as_bytes()).await?;
                return Ok(Next::Done);
            }
        }
    }
}

enum Reply {
    Send(String),
    /// An error challenge, and the final reply once the client has answered it.
    Challenge(String, String),
    /// A first line, then one line repeated forever.
    Endless(String, String),
    Upgrade(String),
    Close(String),
}

fn injected_line(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Imap => "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n",
        Protocol::Pop3 => "+OK injected\r\n",
        Protocol::Smtp => "250 injected\r\n",
    }
}

/// The OAuth mechanisms offered, if any.
fn oauth(spec: &Spec) -> &[&'static str] {
    match &spec.behaviour {
        Behaviour::OAuth(m) => m,
        _ => &[],
    }
}

/// An OAUTHBEARER or XOAUTH2 initial response: whether it carries the account's token for the
/// account's user.
fn bearer_ok(spec: &Spec, mechanism: &str, b64: &str) -> bool {
    use base64::Engine;
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else {
        return false;
    };
    let text = String::from_utf8_lossy(&raw);
    let fields: Vec<&str> = text.split('\x01').collect();
    let user = match mechanism {
        "OAUTHBEARER" => fields
            .first()
            .and_then(|gs2| gs2.strip_prefix("n,a="))
            .and_then(|rest| rest.strip_suffix(','))
            .map(|u| u.replace("=2C", ",").replace("=3D", "=")),
        _ => fields
            .first()
            .and_then(|f| f.strip_prefix("user="))
            .map(str::to_string),
    };
    let token = fields.iter().find_map(|f| f.strip_prefix("auth=Bearer "));
    match (user, token) {
        (Some(u), Some(t)) => account_ok(spec, &u, t),
        _ => false,
    }
}

/// The base64 JSON of a refused token, as Google sends it.
fn oauth_challenge() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(
        r#"{"status":"invalid_token","scope":"https://mail.google.com/","schemes":"Bearer"}"#,
    )
}

/// A bearer login on any protocol: accepted, or the error challenge and then the final "no".
fn bearer_reply(spec: &Spec, words: (&str, &str), ok: &str, no: &str, go: &str) -> Reply {
    let (mechanism, response) = words;
    if bearer_ok(spec, &mechanism.to_ascii_uppercase(), response) {
        Reply::Send(ok.to_string())
    } else {
        Reply::Challenge(format!("{go}{}\r\n", oauth_challenge()), no.to_string())
    }
}

/// The mechanism and initial response of `AUTH X ir` / `tag AUTHENTICATE X ir`.
fn sasl_words(command: &str) -> (&str, &str) {
    let mut words = command.split(' ').skip(1);
    (words.next().unwrap_or(""), words.next().unwrap_or(""))
}

/// Checks a SASL PLAIN response or a user/password pair against the account.
fn account_ok(spec: &Spec, user: &str, password: &str) -> bool {
    spec.account
        .as_ref()
        .is_some_and(|(u, p)| u == user && p == password)
}

fn plain_ok(spec: &Spec, b64: &str) -> bool {
    use base64::Engine;
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else {
        return false;
    };
    let parts: Vec<&[u8]> = raw.split(|b| *b == 0).collect();
    parts.len() == 3
        && account_ok(
            spec,
            &String::from_utf8_lossy(parts[1]),
            &String::from_utf8_lossy(parts[2]),
        )
}

fn imap_auth_reply(spec: &Spec, tag: &str, ok: bool, line: &str) -> Reply {
    Reply::Send(if let Some(refusal) = refusal(spec) {
        format!("{tag} {refusal}\r\n")
    } else if ok {
        format!("{tag} OK logged in\r\n")
    } else if matches!(spec.behaviour, Behaviour::EchoCredentials) {
        format!("{tag} NO [AUTHENTICATIONFAILED] you sent: {line}\r\n")
    } else {
        format!("{tag} NO [AUTHENTICATIONFAILED] failed\r\n")
    })
}

/// The scripted refusal of every login, if any.
fn refusal(spec: &Spec) -> Option<&str> {
    match &spec.behaviour {
        Behaviour::RefuseLogin(text) => Some(text),
        _ => None,
    }
}

/// The scripted answer to the first command after a login, if any.
fn unusable(spec: &Spec) -> Option<&str> {
    match &spec.behaviour {
        Behaviour::UnusableAfterLogin(text) => Some(text),
        _ => None,
    }
}

/// What an echoing server says as the connection closes: the account's password in the
/// encodings a client could have sent it in, shifted inside other text.
fn echoed_after_login(spec: &Spec) -> String {
    use base64::Engine;
    let Behaviour::EchoOnClose(user, password) = &spec.behaviour else {
        return String::new();
    };
    let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
    format!(
        " you were {password} ({}) ({}) ({})",
        b64(format!("x{password}")),
        b64(format!("{user}:{password}")),
        b64(format!("\0{user}\0{password}"))
    )
}

fn unquote(s: &str) -> String {
    s.trim_matches('"')
        .replace("\\\"", "\"")
        .replace("\\\\", "\\")
}

fn respond(spec: &Spec, line: &str, offer_starttls: bool, secure: bool) -> Reply {
    let endless = matches!(spec.behaviour, Behaviour::EndlessCapabilities);
    let reject = matches!(spec.behaviour, Behaviour::RejectStartTls);
    let no_login = !secure && matches!(spec.behaviour, Behaviour::NoLoginInClear);
    let extra: &[String] = match &spec.behaviour {
        Behaviour::ExtraCapabilities(c) => c,
        _ => &[],
    };
    match spec.protocol {
        Protocol::Imap => {
            let (tag, cmd) = line.split_once(' ').unwrap_or((line, ""));
            match cmd.to_ascii_uppercase().as_str() {
                "CAPABILITY" if endless => {
                    Reply::Endless(String::new(), "* CAPABILITY IMAP4rev1 X-FILLER\r\n".into())
                }
                "CAPABILITY" => Reply::Send(format!(
                    "* CAPABILITY IMAP4rev1 SASL-IR {}\r\n{tag} OK done\r\n",
                    if offer_starttls {
                        "STARTTLS LOGINDISABLED"
                    } else if !oauth(spec).is_empty() {
                        "AUTH=PLAIN AUTH=OAUTHBEARER AUTH=XOAUTH2"
                    } else if no_login {
                        "LOGINDISABLED"
                    } else {
                        "AUTH=PLAIN AUTH=LOGIN"
                    }
                )),
                "STARTTLS" if reject => Reply::Send(format!("{tag} NO TLS unavailable\r\n")),
                "STARTTLS" if offer_starttls => {
                    Reply::Upgrade(format!("{tag} OK Begin TLS negotiation now\r\n"))
                }
                "LOGOUT" => Reply::Close(format!(
                    "* BYE logging out{}\r\n{tag} OK done\r\n",
                    echoed_after_login(spec)
                )),
                c if c.starts_with("EXAMINE ") || c.starts_with("SELECT ") => {
                    Reply::Send(match unusable(spec) {
                        Some(text) => format!("{tag} {text}\r\n"),
                        None => format!("* 0 EXISTS\r\n{tag} OK [READ-ONLY] done\r\n"),
                    })
                }
                c if c.starts_with("AUTHENTICATE OAUTHBEARER ")
                    || c.starts_with("AUTHENTICATE XOAUTH2 ") =>
                {
                    bearer_reply(
                        spec,
                        sasl_words(cmd),
                        &format!("{tag} OK AUTHENTICATE completed\r\n"),
                        &format!(
                            "{tag} NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)\r\n"
                        ),
                        "+ ",
                    )
                }
                c if c.starts_with("AUTHENTICATE PLAIN ") => {
                    let ok = plain_ok(spec, &cmd["AUTHENTICATE PLAIN ".len()..]);
                    imap_auth_reply(spec, tag, ok, line)
                }
                c if c.starts_with("LOGIN ") => {
                    let args: Vec<&str> = cmd["LOGIN ".len()..].splitn(2, ' ').collect();
                    let ok =
                        args.len() == 2 && account_ok(spec, &unquote(args[0]), &unquote(args[1]));
                    imap_auth_reply(spec, tag, ok, line)
                }
                _ => Reply::Send(format!("{tag} BAD unknown command\r\n")),
            }
        }
        Protocol::Pop3 => match line.to_ascii_uppercase().as_str() {
            "CAPA" if endless => Reply::Endless("+OK\r\n".into(), "X-FILLER\r\n".into()),
            "CAPA" => Reply::Send(format!(
                "+OK capability list follows\r\nTOP\r\n{}{}{}.\r\n",
                extra.iter().map(|c| format!("{c}\r\n")).collect::<String>(),
                match (no_login, oauth(spec).is_empty()) {
                    (true, _) => String::new(),
                    (false, true) => "USER\r\nSASL PLAIN\r\n".to_string(),
                    (false, false) => format!("USER\r\nSASL PLAIN {}\r\n", oauth(spec).join(" ")),
                },
                if offer_starttls { "STLS\r\n" } else { "" }
            )),
            "STLS" if reject => Reply::Send("-ERR not now\r\n".into()),
            "STLS" if offer_starttls => Reply::Upgrade("+OK Begin TLS negotiation\r\n".into()),
            "QUIT" => Reply::Close("+OK bye\r\n".into()),
            "STAT" => Reply::Send(unusable(spec).unwrap_or("+OK 0 0").to_string() + "\r\n"),
            c if c.starts_with("AUTH OAUTHBEARER ") || c.starts_with("AUTH XOAUTH2 ") => {
                bearer_reply(
                    spec,
                    sasl_words(line),
                    "+OK logged in\r\n",
                    "-ERR [AUTH] Invalid credentials\r\n",
                    "+ ",
                )
            }
            c if c.starts_with("AUTH PLAIN ") => {
                Reply::Send(if let Some(refusal) = refusal(spec) {
                    format!("{refusal}\r\n")
                } else if plain_ok(spec, &line["AUTH PLAIN ".len()..]) {
                    "+OK logged in\r\n".into()
                } else {
                    "-ERR [AUTH] failed\r\n".into()
                })
            }
            _ => Reply::Send("-ERR unknown command\r\n".into()),
        },
        Protocol::Smtp => {
            let upper = line.to_ascii_uppercase();
            if upper.starts_with("EHLO ") {
                if endless {
                    return Reply::Endless(String::new(), "250-X-FILLER\r\n".into());
                }
                if let Behaviour::LongEhlo(n) = spec.behaviour {
                    let lines: String = (0..n).map(|i| format!("250-X-EXT{i}\r\n")).collect();
                    return Reply::Send(format!("{lines}250 STARTTLS\r\n"));
                }
                let _ = secure;
                Reply::Send(format!(
                    "250-{} hello\r\n{}{}{}",
                    spec.name,
                    extra
                        .iter()
                        .map(|c| format!("250-{c}\r\n"))
                        .collect::<String>(),
                    if offer_starttls {
                        "250-STARTTLS\r\n"
                    } else {
                        ""
                    },
                    if no_login {
                        "250 PIPELINING\r\n".to_string()
                    } else if !oauth(spec).is_empty() {
                        format!(
                            "250-PIPELINING\r\n250 AUTH PLAIN LOGIN {}\r\n",
                            oauth(spec).join(" ")
                        )
                    } else {
                        "250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n".to_string()
                    }
                ))
            } else if upper == "STARTTLS" && reject {
                Reply::Send("454 TLS not available\r\n".into())
            } else if upper == "STARTTLS" && offer_starttls {
                Reply::Upgrade("220 Ready to start TLS\r\n".into())
            } else if upper == "QUIT" {
                Reply::Close(format!("221 bye{}\r\n", echoed_after_login(spec)))
            } else if upper.starts_with("AUTH OAUTHBEARER ") || upper.starts_with("AUTH XOAUTH2 ") {
                bearer_reply(
                    spec,
                    sasl_words(line),
                    "235 2.7.0 Accepted\r\n",
                    "535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 https://support.google.com/mail/?p=BadCredentials\r\n",
                    "334 ",
                )
            } else if upper.starts_with("MAIL FROM:") {
                Reply::Send(unusable(spec).unwrap_or("250 2.1.0 ok").to_string() + "\r\n")
            } else if upper == "RSET" {
                Reply::Send("250 2.0.0 ok\r\n".into())
            } else if upper.starts_with("AUTH PLAIN ") {
                Reply::Send(if let Some(refusal) = refusal(spec) {
                    format!("{refusal}\r\n")
                } else if plain_ok(spec, &line["AUTH PLAIN ".len()..]) {
                    "235 2.7.0 Authentication successful\r\n".into()
                } else if matches!(spec.behaviour, Behaviour::EchoCredentials) {
                    format!("535 5.7.8 rejected: {line}\r\n")
                } else {
                    "535 5.7.8 Authentication failed\r\n".into()
                })
            } else {
                Reply::Send("502 command not implemented\r\n".into())
            }
        }
    }
}

/// Starts `spec` on every address in `addrs` at one shared port (the first server picks it).
pub async fn start_on(addrs: &[std::net::IpAddr], spec: Spec) -> Vec<MailServer> {
    let mut servers: Vec<MailServer> = Vec::new();
    for ip in addrs {
        let port = servers.first().map(|s| s.addr.port()).unwrap_or(0);
        servers.push(MailServer::start(SocketAddr::new(*ip, port), spec.clone()).await);
    }
    servers
}
