//! Shared test fixtures: a minimal HTTP/1.1 server on 127.0.0.1 that can also misbehave
//! (stall, close the connection, cut the body short, send without end), and hand-written
//! Atollon operations with their body writers and readers.
//!
//! The server reads one request per connection and responds with `Connection: close`, so
//! every request opens a new connection and the server can count requests in flight.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atollon_client::xml::{
    Children, DecodeError, EncodeError, Name, ReadContext, Secret, XmlWriter,
};
use atollon_client::{Operation, SoapVersion};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Atollon's operation namespace.
pub const ATOLLON: &str = "http://atollon.com/enterprise/wsdl";

/// A session token in the format of Atollon's examples (44 upper-case hex digits).
pub const TOKEN: &str = "6A941A9BC9EBEFAF585A4B936AA958755B1C85E2BD04";

/// Maximum size of a request head the server reads.
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
    /// Returns the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// The server's action for one request.
pub enum Reply {
    /// A complete response with `Content-Length`.
    Respond {
        status: u16,
        content_type: Option<&'static str>,
        body: Vec<u8>,
    },
    /// Waits, then carries out the inner reply.
    Delay(Duration, Box<Reply>),
    /// Closes the connection without a response.
    Close,
    /// Declares `declared` bytes of body, sends only `body`, then closes.
    Truncated { declared: usize, body: Vec<u8> },
    /// Sends a body without `Content-Length` (ended by closing the connection) of up to
    /// `total` bytes, stopping early when the client stops reading.
    Stream { total: usize },
}

impl Reply {
    /// A 200 response with `text/xml; charset=utf-8`.
    pub fn xml(body: &str) -> Reply {
        Reply::with_status(200, body)
    }

    /// A response with `text/xml; charset=utf-8`.
    pub fn with_status(status: u16, body: &str) -> Reply {
        Reply::Respond {
            status,
            content_type: Some("text/xml; charset=utf-8"),
            body: body.as_bytes().to_vec(),
        }
    }
}

type Handler = dyn Fn(&Recorded) -> Reply + Send + Sync;

struct Shared {
    handler: Box<Handler>,
    requests: Mutex<Vec<Recorded>>,
    connections: AtomicUsize,
    active: AtomicUsize,
    max_active: AtomicUsize,
    streamed_bytes: AtomicUsize,
}

/// A test server on 127.0.0.1 with a random port; stops when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// Starts a server that answers every request with `handler`.
    pub async fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> TestServer {
        let listener = match TcpListener::bind("127.0.0.1:0").await {
            Ok(listener) => listener,
            Err(error) => panic!("cannot bind a test server on 127.0.0.1: {error}"),
        };
        let addr = match listener.local_addr() {
            Ok(addr) => addr,
            Err(error) => panic!("test server has no local address: {error}"),
        };
        let shared = Arc::new(Shared {
            handler: Box::new(handler),
            requests: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
            active: AtomicUsize::new(0),
            max_active: AtomicUsize::new(0),
            streamed_bytes: AtomicUsize::new(0),
        });
        let accept_shared = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accept_shared.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, Arc::clone(&accept_shared)));
            }
        });
        TestServer { addr, shared, task }
    }

    /// Returns `http://127.0.0.1:PORT/soap`.
    pub fn url(&self) -> String {
        format!("http://{}/soap", self.addr)
    }

    /// Returns the requests received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        match self.shared.requests.lock() {
            Ok(requests) => requests.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Returns the number of TCP connections accepted, HTTP or not.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Returns the largest number of requests the server was handling at once.
    pub fn max_concurrency(&self) -> usize {
        self.shared.max_active.load(Ordering::SeqCst)
    }

    /// Returns the number of body bytes written by [`Reply::Stream`] replies.
    pub fn streamed_bytes(&self) -> usize {
        self.shared.streamed_bytes.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut stream: TcpStream, shared: Arc<Shared>) {
    let Some(request) = read_request(&mut stream).await else {
        // Not HTTP (such as a TLS ClientHello): answer with bytes that are no TLS record.
        let _ = stream
            .write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
            .await;
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
/// written, so that the count never includes a request the client already finished.
async fn carry_out(stream: &mut TcpStream, reply: Reply, shared: &Shared) {
    let mut reply = reply;
    while let Reply::Delay(wait, inner) = reply {
        tokio::time::sleep(wait).await;
        reply = *inner;
    }
    shared.active.fetch_sub(1, Ordering::SeqCst);
    match reply {
        Reply::Delay(..) => {}
        Reply::Respond {
            status,
            content_type,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
                reason(status),
                body.len()
            );
            if let Some(content_type) = content_type {
                head.push_str(&format!("Content-Type: {content_type}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&body).await;
        }
        Reply::Close => {}
        Reply::Truncated { declared, body } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n\
                 Content-Length: {declared}\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&body).await;
        }
        Reply::Stream { total } => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nConnection: close\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b' '; 64 * 1024];
            let mut written = 0;
            while written < total {
                let size = chunk.len().min(total - written);
                if stream.write_all(&chunk[..size]).await.is_err() {
                    break;
                }
                written += size;
                shared.streamed_bytes.fetch_add(size, Ordering::SeqCst);
            }
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Reads one request head and its `Content-Length` body; `None` when the bytes are not
/// HTTP or the connection closes early.
async fn read_request(stream: &mut TcpStream) -> Option<Recorded> {
    let mut buffer = Vec::new();
    let head_end = loop {
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            break end;
        }
        if buffer.len() > MAX_HEAD_BYTES || (!buffer.is_empty() && !buffer[0].is_ascii_uppercase())
        {
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

/// Returns a loopback URL on which nothing listens: the port of a listener that was
/// bound and closed again.
pub async fn refused_url() -> String {
    let listener = match TcpListener::bind("127.0.0.1:0").await {
        Ok(listener) => listener,
        Err(error) => panic!("cannot bind 127.0.0.1: {error}"),
    };
    let addr = match listener.local_addr() {
        Ok(addr) => addr,
        Err(error) => panic!("listener has no local address: {error}"),
    };
    drop(listener);
    format!("http://{addr}/soap")
}

// ---- A hand-written operation: CheckWorkflowQueue(server, session) -> result, time ----

/// Never contacted: every test sets the endpoint on the client.
const UNUSED_ENDPOINT: &str = "http://127.0.0.1:9/soap";

pub static CHECK_WORKFLOW_QUEUE: Operation = Operation {
    name: "CheckWorkflowQueue",
    soap_action: "",
    version: SoapVersion::Soap11,
    request: Name::new(Some(ATOLLON), "CheckWorkflowQueue"),
    response: Name::new(Some(ATOLLON), "CheckWorkflowQueueResponse"),
    default_endpoint: UNUSED_ENDPOINT,
};

/// The same operation bound to SOAP 1.2 with an action.
pub static CHECK_WORKFLOW_QUEUE_12: Operation = Operation {
    name: "CheckWorkflowQueue",
    soap_action: "http://atollon.com/enterprise/wsdl/CheckWorkflowQueue",
    version: SoapVersion::Soap12,
    request: Name::new(Some(ATOLLON), "CheckWorkflowQueue"),
    response: Name::new(Some(ATOLLON), "CheckWorkflowQueueResponse"),
    default_endpoint: UNUSED_ENDPOINT,
};

/// Writes `<wsdl:CheckWorkflowQueue><server>acme</server><session>TOKEN</session>`.
pub fn write_check(writer: &mut XmlWriter) -> Result<(), EncodeError> {
    write_check_with(writer, "acme", TOKEN)
}

pub fn write_check_with(
    writer: &mut XmlWriter,
    server: &str,
    session: &str,
) -> Result<(), EncodeError> {
    writer.start(CHECK_WORKFLOW_QUEUE.request)?;
    writer.element(Name::new(None, "server"), &server.to_owned())?;
    writer.element(Name::new(None, "session"), &Secret::new(session))?;
    writer.end()
}

/// The response of CheckWorkflowQueue.
#[derive(Debug, PartialEq)]
pub struct CheckResponse {
    pub result: String,
    pub time: rust_decimal::Decimal,
}

/// Reads `CheckWorkflowQueueResponse` from the `Body` element.
pub fn read_check(
    body: roxmltree::Node<'_, '_>,
    context: &ReadContext,
) -> Result<CheckResponse, DecodeError> {
    let mut body_children = Children::new(body, context);
    let Some(response) = body_children.take(CHECK_WORKFLOW_QUEUE.response) else {
        return Err(body_children.missing(CHECK_WORKFLOW_QUEUE.response));
    };
    let mut fields = Children::new(response, context);
    Ok(CheckResponse {
        result: fields.required(Name::new(None, "result"))?,
        time: fields.required(Name::new(None, "time"))?,
    })
}

/// A SOAP 1.1 response envelope as Atollon writes it, around `content`.
pub fn soap11_response(content: &str) -> String {
    format!(
        r#"<ns0:Envelope xmlns:ns0="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="http://atollon.com/enterprise/wsdl"><ns0:Body>{content}</ns0:Body></ns0:Envelope>"#
    )
}

/// A CheckWorkflowQueue response with `result` and `time`.
pub fn check_response(result: &str, time: &str) -> String {
    soap11_response(&format!(
        "<ns1:CheckWorkflowQueueResponse><result>{result}</result><time>{time}</time></ns1:CheckWorkflowQueueResponse>"
    ))
}
