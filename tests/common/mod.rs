//! Shared fixtures of the generated-client tests: an HTTP/1.1 server on 127.0.0.1 that
//! replies with canned envelopes (or misbehaves on purpose), the published example
//! envelopes, and a comparison of XML documents by content.
//!
//! The server reads one request per connection and replies with `Connection: close`, so
//! every call opens its own connection and the server can count the requests it is
//! handling at once.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atollon_client::{Client, ClientBuilder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Namespace of Atollon's operation elements.
pub const ATOLLON: &str = "http://atollon.com/enterprise/wsdl";

/// Namespace of SOAP 1.1 envelopes.
pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// A session token in the form of the published examples: 44 upper-case hex digits.
pub const TOKEN: &str = "6A941A9BC9EBEFAF585A4B936AA958755B1C85E2BD04";

/// Maximum size of a request head that the server reads before giving up.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// A request as the server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    /// Returns the first header called `name` (compared ASCII case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Returns the local name of the element inside the SOAP `Body`, such as
    /// `CreateContact`, or `None` when the body is no SOAP envelope.
    pub fn operation(&self) -> Option<String> {
        let document = roxmltree::Document::parse(&self.body).ok()?;
        let body = document
            .root_element()
            .children()
            .find(|node| node.is_element() && node.tag_name().name() == "Body")?;
        let payload = body.children().find(|node| node.is_element())?;
        Some(payload.tag_name().name().to_owned())
    }
}

/// Action of the server for one request.
pub enum Reply {
    /// A complete response with `Content-Length`.
    Respond {
        status: u16,
        content_type: Option<&'static str>,
        body: Vec<u8>,
    },
    /// Waits for the given time, then carries out the inner reply.
    Delay(Duration, Box<Reply>),
    /// Waits until `peers` requests (this one included) are being handled at once, or at
    /// most `max_wait`, then carries out the inner reply. Once the server has handled
    /// `peers` requests at once, or one wait has expired, later requests no longer wait.
    /// The wait makes concurrent requests overlap without depending on how fast the
    /// client sends them.
    AwaitPeers {
        peers: usize,
        max_wait: Duration,
        then: Box<Reply>,
    },
    /// Declares a body of `declared` bytes with status 200 and `text/xml`, sends only
    /// `body`, then closes the connection.
    Truncated { declared: usize, body: Vec<u8> },
}

impl Reply {
    /// Builds a 200 response with `text/xml; charset=utf-8`.
    pub fn xml(body: &str) -> Reply {
        Reply::with(200, Some("text/xml; charset=utf-8"), body)
    }

    /// Builds a response with the given status, content type and body.
    pub fn with(status: u16, content_type: Option<&'static str>, body: &str) -> Reply {
        Reply::Respond {
            status,
            content_type,
            body: body.as_bytes().to_vec(),
        }
    }
}

type Handler = dyn Fn(&Recorded) -> Reply + Send + Sync;

struct Shared {
    handler: Box<Handler>,
    requests: Mutex<Vec<Recorded>>,
    active: AtomicUsize,
    max_active: AtomicUsize,
    /// Set when a [`Reply::AwaitPeers`] wait expired, so that later requests skip theirs.
    peer_wait_expired: AtomicBool,
}

/// A test server on 127.0.0.1 with a port chosen by the system. It stops accepting
/// connections when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// Starts a server that replies to every request with `handler`.
    pub async fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> TestServer {
        let listener = match TcpListener::bind("127.0.0.1:0").await {
            Ok(listener) => listener,
            Err(error) => panic!("cannot bind a test server on 127.0.0.1: {error}"),
        };
        let addr = match listener.local_addr() {
            Ok(addr) => addr,
            Err(error) => panic!("the test server has no local address: {error}"),
        };
        let shared = Arc::new(Shared {
            handler: Box::new(handler),
            requests: Mutex::new(Vec::new()),
            active: AtomicUsize::new(0),
            max_active: AtomicUsize::new(0),
            peer_wait_expired: AtomicBool::new(false),
        });
        let accept_shared = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&accept_shared)));
            }
        });
        TestServer { addr, shared, task }
    }

    /// Starts a server that replies to every request with the same 200 `text/xml` body.
    pub async fn replying(body: String) -> TestServer {
        TestServer::start(move |_| Reply::xml(&body)).await
    }

    /// Returns `http://127.0.0.1:PORT/soap`.
    pub fn url(&self) -> String {
        format!("http://{}/soap", self.addr)
    }

    /// Returns the requests received so far, in order of arrival.
    pub fn requests(&self) -> Vec<Recorded> {
        match self.shared.requests.lock() {
            Ok(requests) => requests.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Returns the largest number of requests the server was handling at once.
    pub fn max_concurrency(&self) -> usize {
        self.shared.max_active.load(Ordering::SeqCst)
    }

    /// Builds a client for this server with the default settings.
    pub fn client(&self) -> Client {
        self.client_with(Client::builder())
    }

    /// Builds a client for this server from `builder`, with the endpoint set.
    pub fn client_with(&self, builder: ClientBuilder) -> Client {
        match builder.endpoint(self.url()).build() {
            Ok(client) => client,
            Err(error) => panic!("the client does not build: {error}"),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut stream: TcpStream, shared: Arc<Shared>) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let active = shared.active.fetch_add(1, Ordering::SeqCst) + 1;
    shared.max_active.fetch_max(active, Ordering::SeqCst);
    match shared.requests.lock() {
        Ok(mut requests) => requests.push(request.clone()),
        Err(poisoned) => poisoned.into_inner().push(request.clone()),
    }
    let reply = (shared.handler)(&request);
    carry_out(&mut stream, reply, &shared).await;
    let _ = stream.shutdown().await;
}

/// Carries out `reply`. The request stops counting as active before the response is
/// written, so the count never includes a request that the client has already finished.
async fn carry_out(stream: &mut TcpStream, reply: Reply, shared: &Shared) {
    let mut reply = reply;
    loop {
        match reply {
            Reply::Delay(wait, inner) => {
                tokio::time::sleep(wait).await;
                reply = *inner;
            }
            Reply::AwaitPeers {
                peers,
                max_wait,
                then,
            } => {
                let deadline = tokio::time::Instant::now() + max_wait;
                while shared.max_active.load(Ordering::SeqCst) < peers
                    && !shared.peer_wait_expired.load(Ordering::SeqCst)
                {
                    if tokio::time::Instant::now() >= deadline {
                        shared.peer_wait_expired.store(true, Ordering::SeqCst);
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                reply = *then;
            }
            _ => break,
        }
    }
    shared.active.fetch_sub(1, Ordering::SeqCst);
    match reply {
        Reply::Respond {
            status,
            content_type,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
                reason_phrase(status),
                body.len()
            );
            if let Some(content_type) = content_type {
                head.push_str(&format!("Content-Type: {content_type}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&body).await;
        }
        Reply::Truncated { declared, body } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n\
                 Content-Length: {declared}\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&body).await;
        }
        Reply::Delay(..) | Reply::AwaitPeers { .. } => {}
    }
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        _ => "Status",
    }
}

/// Reads one request head and its `Content-Length` body. Returns `None` when the bytes
/// are not HTTP or the connection closes early.
async fn read_request(stream: &mut TcpStream) -> Option<Recorded> {
    let mut buffer = Vec::new();
    let head_end = loop {
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            break end;
        }
        if buffer.len() > MAX_HEAD_BYTES {
            return None;
        }
        let mut chunk = [0u8; 4096];
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };

    let head = String::from_utf8(buffer[..head_end].to_vec()).ok()?;
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let path = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);

    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let mut chunk = [0u8; 4096];
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..read]);
    }
    Some(Recorded {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

// ---- Envelopes ----

/// Directory of Atollon's published example envelopes.
pub fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/examples")
}

/// Reads the published example envelope `file_name`.
pub fn example(file_name: &str) -> String {
    let path = examples_dir().join(file_name);
    match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) => panic!("failed to read {}: {error}", path.display()),
    }
}

/// Returns the file name of the published `kind` (`request` or `response`) envelope of
/// `operation`, such as `CreateContact.response.inferred.xml`.
pub fn example_file(operation: &str, kind: &str) -> String {
    let published = format!("{operation}.{kind}.xml");
    let inferred = format!("{operation}.{kind}.inferred.xml");
    if examples_dir().join(&published).exists() {
        published
    } else if examples_dir().join(&inferred).exists() {
        inferred
    } else {
        panic!(
            "no {kind} example for {operation} in {}",
            examples_dir().display()
        )
    }
}

/// Wraps `content` in a SOAP 1.1 envelope, with the prefixes Atollon writes in responses.
pub fn soap11_envelope(content: &str) -> String {
    format!(
        r#"<ns0:Envelope xmlns:ns0="{SOAP11}" xmlns:ns1="{ATOLLON}"><ns0:Body>{content}</ns0:Body></ns0:Envelope>"#
    )
}

/// Builds an envelope with the response element `{operation}Response`, containing
/// `result`, `time` and then `rest`.
pub fn response_envelope(operation: &str, result: &str, rest: &str) -> String {
    soap11_envelope(&format!(
        "<ns1:{operation}Response><result>{result}</result><time>0.01</time>{rest}</ns1:{operation}Response>"
    ))
}

/// Builds a SOAP 1.1 Fault envelope with `faultcode` in the envelope namespace.
pub fn fault_envelope(code: &str, reason: &str, detail: &str) -> String {
    soap11_envelope(&format!(
        "<ns0:Fault><faultcode>ns0:{code}</faultcode><faultstring>{reason}</faultstring>\
         <detail>{detail}</detail></ns0:Fault>"
    ))
}

// ---- Comparing XML by content ----

/// Renders a document as one line per element and per text node, indented by depth.
///
/// Elements show `{namespace}local` and their attributes sorted by name, so two documents
/// render alike when they differ only in prefixes, namespace declarations, attribute
/// order or whitespace-only text. Text that is not only whitespace is kept exactly.
pub fn canonical_lines(xml: &str) -> Result<Vec<String>, roxmltree::Error> {
    let document = roxmltree::Document::parse(xml)?;
    let mut lines = Vec::new();
    render(document.root_element(), 0, &mut lines);
    Ok(lines)
}

fn render(node: roxmltree::Node<'_, '_>, depth: usize, lines: &mut Vec<String>) {
    let indent = "  ".repeat(depth);
    let tag = node.tag_name();
    let mut line = match tag.namespace() {
        Some(namespace) => format!("{indent}{{{namespace}}}{}", tag.name()),
        None => format!("{indent}{}", tag.name()),
    };
    let mut attributes: Vec<String> = node
        .attributes()
        .map(|attribute| match attribute.namespace() {
            Some(namespace) => format!(
                "{{{namespace}}}{}={:?}",
                attribute.name(),
                attribute.value()
            ),
            None => format!("{}={:?}", attribute.name(), attribute.value()),
        })
        .collect();
    attributes.sort();
    for attribute in attributes {
        line.push(' ');
        line.push_str(&attribute);
    }
    lines.push(line);
    for child in node.children() {
        if child.is_element() {
            render(child, depth + 1, lines);
        } else if let Some(text) = child.text().filter(|_| child.is_text()) {
            if !text.trim().is_empty() {
                lines.push(format!("{indent}  text {text:?}"));
            }
        }
    }
}

/// Panics with the first differing line when `actual` does not have the content of
/// `expected`, as [`canonical_lines`] renders it.
pub fn assert_same_xml(label: &str, expected: &str, actual: &str) {
    let expected_lines = match canonical_lines(expected) {
        Ok(lines) => lines,
        Err(error) => panic!("{label}: the expected document is not well-formed: {error}"),
    };
    let actual_lines = match canonical_lines(actual) {
        Ok(lines) => lines,
        Err(error) => panic!("{label}: the actual document is not well-formed: {error}\n{actual}"),
    };
    if expected_lines == actual_lines {
        return;
    }
    let differing = expected_lines
        .iter()
        .zip(&actual_lines)
        .position(|(expected, actual)| expected != actual)
        .unwrap_or(expected_lines.len().min(actual_lines.len()));
    let line_at = |lines: &[String]| lines.get(differing).cloned().unwrap_or("(end)".into());
    panic!(
        "{label}: the documents differ at line {}:\n  expected: {}\n  actual:   {}\n\
         expected document:\n{}\nactual document:\n{}",
        differing + 1,
        line_at(&expected_lines),
        line_at(&actual_lines),
        expected_lines.join("\n"),
        actual_lines.join("\n"),
    );
}
