//! The HTTP side: accepting connections, routing, reading bodies within the size limit,
//! and applying the fair-use rule and injected faults around the generated dispatchers.

use std::convert::Infallible;
use std::future::pending;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use atollon_client::envelope::{parse_document, Envelope, SoapVersion};
use atollon_client::xml::{ATOLLON_NAMESPACE, ITERITY_NAMESPACE};
use atollon_client::{md5_hex, ServerFault, ServerRequest, ServerResponse};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW, CONTENT_LENGTH, CONTENT_TYPE, HOST};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;

use crate::{features, invoice, item, main, project, web};

use super::faults::FaultMode;
use super::operations;
use super::service::{Handler, Shared};
use super::wsdl;

/// Time a client has to send the request headers, so an idle or stalled connection cannot
/// hold a task forever.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Time a client has to send the request body once the headers are in.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Time open connections get to finish their requests when the sandbox stops.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

type HttpResponse = Response<Full<Bytes>>;

/// Accepts connections until `shutdown` turns true, then lets open connections finish
/// for up to [`SHUTDOWN_GRACE`].
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let local_addr = listener.local_addr().ok();
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let shared = Arc::clone(&shared);
                    let shutdown = shutdown.clone();
                    connections.spawn(serve_connection(stream, peer, local_addr, shared, shutdown));
                }
                Err(error) => {
                    // Accept fails for reasons such as running out of file descriptors;
                    // a short pause keeps the loop from spinning until that clears.
                    tracing::warn!(error = %error, "failed to accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    let drain = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, drain).await.is_err() {
        tracing::warn!(
            open = connections.len(),
            "connections still open after the shutdown grace period; closing them"
        );
        connections.abort_all();
    }
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    local_addr: Option<SocketAddr>,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    // Set by a request whose injected fault closes the connection without a response.
    let close_now = Arc::new(Notify::new());
    let service = {
        let close_now = Arc::clone(&close_now);
        hyper::service::service_fn(move |request| {
            let shared = Arc::clone(&shared);
            let close_now = Arc::clone(&close_now);
            async move {
                match route(&shared, local_addr, request).await {
                    Routed::Respond(response) => Ok::<_, Infallible>(response),
                    Routed::CloseConnection => {
                        close_now.notify_one();
                        pending().await
                    }
                }
            }
        })
    };
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let mut shutting_down = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(peer = %peer, error = %error, "connection ended with an error");
                }
                break;
            }
            _ = close_now.notified() => {
                // Dropping the connection closes the socket before any response byte.
                break;
            }
            _ = shutdown.changed(), if !shutting_down => {
                shutting_down = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

enum Routed {
    Respond(HttpResponse),
    CloseConnection,
}

async fn route(
    shared: &Shared,
    local_addr: Option<SocketAddr>,
    request: Request<Incoming>,
) -> Routed {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    match (&method, path.as_str()) {
        (&Method::POST, "/soap") => handle_soap(shared, request).await,
        (_, "/soap") => {
            let mut response = text_response(
                StatusCode::METHOD_NOT_ALLOWED,
                "the SOAP endpoint takes POST requests\n",
            );
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("POST"));
            Routed::Respond(response)
        }
        (&Method::GET, "/sandbox/state") => Routed::Respond(state_response(shared)),
        (&Method::GET, _) if path.ends_with(".wsdl") => {
            let soap_url = own_soap_url(&request, local_addr);
            Routed::Respond(wsdl_response(&path[1..], &soap_url))
        }
        _ => Routed::Respond(not_found(&method, &path)),
    }
}

fn state_response(shared: &Shared) -> HttpResponse {
    match serde_json::to_vec_pretty(&shared.snapshot()) {
        Ok(json) => bytes_response(StatusCode::OK, "application/json", json),
        Err(error) => {
            tracing::error!(error = %error, "failed to encode the state as JSON");
            text_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("failed to encode the state as JSON: {error}\n"),
            )
        }
    }
}

fn wsdl_response(name: &str, soap_url: &str) -> HttpResponse {
    match wsdl::served_file(name, soap_url) {
        Some(Ok(text)) => bytes_response(StatusCode::OK, "text/xml; charset=utf-8", text),
        Some(Err(error)) => {
            tracing::error!(error = %error, "failed to rewrite a contract file");
            text_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("failed to serve {name}: {error}\n"),
            )
        }
        None => not_found(&Method::GET, &format!("/{name}")),
    }
}

fn not_found(method: &Method, path: &str) -> HttpResponse {
    let files: Vec<String> = wsdl::file_names().map(|name| format!("/{name}")).collect();
    text_response(
        StatusCode::NOT_FOUND,
        format!(
            "{method} {path} is not served here. The sandbox serves POST /soap, GET /sandbox/state \
             and GET {}\n",
            files.join(", ")
        ),
    )
}

/// Returns the SOAP URL to write into served WSDL files: the `Host` the client used, so
/// the URL works through port forwarding too, or the listening address when the header
/// is missing or not a plain host and port.
fn own_soap_url(request: &Request<Incoming>, local_addr: Option<SocketAddr>) -> String {
    let host = request
        .headers()
        .get(HOST)
        .and_then(|value| value.to_str().ok())
        .filter(|host| is_plain_authority(host));
    match (host, local_addr) {
        (Some(host), _) => format!("http://{host}/soap"),
        (None, Some(address)) => format!("http://{address}/soap"),
        (None, None) => "http://127.0.0.1/soap".to_owned(),
    }
}

fn is_plain_authority(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host.bytes().all(|byte| {
            byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b':' | b'[' | b']')
        })
}

/// The parts of a request that the sandbox reads before dispatching it, for logs, the
/// fair-use rule and fault injection.
#[derive(Default)]
struct Peek {
    /// Namespace and local name of the first `Body` element.
    operation: Option<(Option<String>, String)>,
    /// Text of that element's `session` child.
    session_token: Option<String>,
}

impl Peek {
    fn read(body: &[u8], limit: usize) -> Peek {
        let Ok(document) = parse_document(body, limit) else {
            return Peek::default();
        };
        let Ok(envelope) = Envelope::from_document(&document) else {
            return Peek::default();
        };
        let Some(element) = envelope.first_body_element() else {
            return Peek::default();
        };
        let name = element.tag_name();
        let session_token = element
            .children()
            .find(|child| child.is_element() && child.tag_name().name() == "session")
            .map(|session| {
                session
                    .descendants()
                    .filter(roxmltree::Node::is_text)
                    .filter_map(|text| text.text())
                    .collect::<String>()
                    .trim()
                    .to_owned()
            })
            .filter(|token| !token.is_empty());
        Peek {
            operation: Some((name.namespace().map(str::to_owned), name.name().to_owned())),
            session_token,
        }
    }

    /// Returns the operation's local name when it is one of the contract's, in Atollon's
    /// namespace or its former one.
    fn operation_name(&self) -> Option<&str> {
        let (namespace, local) = self.operation.as_ref()?;
        let atollon = matches!(
            namespace.as_deref(),
            Some(ATOLLON_NAMESPACE | ITERITY_NAMESPACE)
        );
        (atollon && operations::is_operation(local)).then_some(local.as_str())
    }

    fn describe_operation(&self) -> String {
        match &self.operation {
            Some((Some(namespace), local)) => format!("{{{namespace}}}{local}"),
            Some((None, local)) => local.clone(),
            None => "(none)".to_owned(),
        }
    }

    /// Replaces the session token in `text` with `***`.
    fn redact(&self, text: &str) -> String {
        match &self.session_token {
            Some(token) => text.replace(token.as_str(), "***"),
            None => text.to_owned(),
        }
    }
}

async fn handle_soap(shared: &Shared, request: Request<Incoming>) -> Routed {
    let started = Instant::now();
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header(CONTENT_TYPE.as_str());
    let soap_action = header("SOAPAction");
    let declared_length =
        header(CONTENT_LENGTH.as_str()).and_then(|length| length.parse::<u64>().ok());
    // The SOAP version that the content type names, for faults sent before the body is read.
    let version = ServerRequest::new(Bytes::new(), None, content_type.clone()).version();

    let limit = shared.max_body_bytes;
    if declared_length.is_some_and(|length| length > limit as u64) {
        return reject_body(
            version,
            StatusCode::PAYLOAD_TOO_LARGE,
            too_large_message(limit),
        );
    }
    let read = tokio::time::timeout(
        BODY_READ_TIMEOUT,
        Limited::new(request.into_body(), limit).collect(),
    );
    let body = match read.await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(error)) if error.downcast_ref::<LengthLimitError>().is_some() => {
            return reject_body(
                version,
                StatusCode::PAYLOAD_TOO_LARGE,
                too_large_message(limit),
            );
        }
        Ok(Err(error)) => {
            return reject_body(
                version,
                StatusCode::BAD_REQUEST,
                format!("failed to read the request body: {error}"),
            );
        }
        Err(_) => {
            return reject_body(
                version,
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request body did not arrive within {} s",
                    BODY_READ_TIMEOUT.as_secs()
                ),
            );
        }
    };

    let peek = Peek::read(&body, limit);
    let soap_request =
        ServerRequest::new(body, soap_action, content_type).with_max_body_size(limit);
    let token_md5 = peek
        .session_token
        .as_deref()
        .map(|token| md5_hex(token).expose().to_owned());
    let session = token_md5
        .as_deref()
        .and_then(|digest| shared.session_number(digest));
    // The plain name for the contract's operations, the qualified one for anything else.
    let operation = peek
        .operation_name()
        .map_or_else(|| peek.describe_operation(), str::to_owned);

    let _slot = match token_md5 {
        Some(key) => match shared.fair_use.enter(key) {
            Some(slot) => Some(slot),
            None => {
                let limit = shared.fair_use.limit();
                tracing::warn!(
                    operation = %operation,
                    session,
                    limit,
                    "request rejected by the fair-use rule"
                );
                let fault = ServerFault::server(format!(
                    "fair-use limit exceeded: this session already has {limit} requests in \
                     progress, and Atollon allows at most {limit} in parallel per session"
                ));
                return Routed::Respond(soap_response(soap_request.fault(fault)));
            }
        },
        None => None,
    };

    let injected = peek
        .operation_name()
        .and_then(|name| shared.faults.take(name));
    let mut handler = Handler {
        shared,
        injected_result: None,
    };
    match &injected {
        Some(FaultMode::SoapFault { http_status }) => {
            tracing::info!(operation = %operation, session, http_status, "responding with an injected SOAP Fault");
            let mut response =
                soap_request.fault(ServerFault::server(format!("{operation}: injected fault")));
            response.status = *http_status;
            return Routed::Respond(soap_response(response));
        }
        Some(FaultMode::NotOk { result }) => handler.injected_result = Some(result.clone()),
        Some(FaultMode::Delay(_) | FaultMode::DropConnection) | None => {}
    }

    let response = dispatch(&handler, &soap_request, &peek).await;
    log_response(&response, &peek, &operation, session, started);

    match injected {
        Some(FaultMode::Delay(delay)) => {
            tracing::info!(operation = %operation, session, delay_ms = delay.as_millis() as u64, "delaying the response (injected)");
            tokio::time::sleep(delay).await;
        }
        Some(FaultMode::DropConnection) => {
            tracing::info!(operation = %operation, session, "closing the connection without a response (injected)");
            return Routed::CloseConnection;
        }
        _ => {}
    }
    Routed::Respond(soap_response(response))
}

/// Calls the dispatcher of each port in turn; a body that names no operation of any port
/// gets a `Client` Fault.
async fn dispatch(handler: &Handler<'_>, request: &ServerRequest, peek: &Peek) -> ServerResponse {
    if let Some(response) = main::dispatch_main(handler, request).await {
        return response;
    }
    if let Some(response) = project::dispatch_project(handler, request).await {
        return response;
    }
    if let Some(response) = item::dispatch_item(handler, request).await {
        return response;
    }
    if let Some(response) = invoice::dispatch_invoice(handler, request).await {
        return response;
    }
    if let Some(response) = features::dispatch_features(handler, request).await {
        return response;
    }
    if let Some(response) = web::dispatch_web(handler, request).await {
        return response;
    }
    request.fault(ServerFault::client(format!(
        "unknown operation {}: the sandbox implements {} in namespace {}",
        peek.describe_operation(),
        operations::names(),
        ATOLLON_NAMESPACE,
    )))
}

fn log_response(
    response: &ServerResponse,
    peek: &Peek,
    operation: &str,
    session: Option<u64>,
    started: Instant,
) {
    let duration_ms = started.elapsed().as_millis() as u64;
    let status = response.status;
    if status == 200 {
        // Successful requests are routine, and the invoice command runs the sandbox in
        // its own process, so they log at debug level; failures stay at warn.
        tracing::debug!(
            operation,
            session,
            status,
            duration_ms,
            "SOAP request handled"
        );
        return;
    }
    let reason = fault_reason(&response.body).map(|reason| peek.redact(&reason));
    tracing::warn!(
        operation,
        session,
        status,
        duration_ms,
        fault = reason.as_deref().unwrap_or("(unreadable)"),
        "SOAP request answered with a Fault"
    );
}

/// Reads the reason of a Fault this sandbox wrote.
fn fault_reason(body: &str) -> Option<String> {
    let document = roxmltree::Document::parse(body).ok()?;
    let reason = document.descendants().find(|node| {
        node.is_element() && matches!(node.tag_name().name(), "faultstring" | "Text")
    })?;
    reason.text().map(str::to_owned)
}

fn too_large_message(limit: usize) -> String {
    format!("the request body exceeds the limit of {limit} bytes")
}

fn reject_body(version: SoapVersion, status: StatusCode, message: String) -> Routed {
    tracing::warn!(status = status.as_u16(), error = %message, "SOAP request rejected before parsing");
    let mut response = ServerFault::client(message).to_response(version);
    response.status = status.as_u16();
    Routed::Respond(soap_response(response))
}

fn soap_response(response: ServerResponse) -> HttpResponse {
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    bytes_response(status, response.content_type, response.body)
}

fn text_response(status: StatusCode, text: impl Into<Bytes>) -> HttpResponse {
    bytes_response(status, "text/plain; charset=utf-8", text)
}

fn bytes_response(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> HttpResponse {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peek_reads_operation_and_session() {
        let body = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><w:CreateContact xmlns:w="http://atollon.com/enterprise/wsdl"><server>acme</server><session> ABC </session></w:CreateContact></s:Body></s:Envelope>"#;
        let peek = Peek::read(body, 1024);
        assert_eq!(peek.operation_name(), Some("CreateContact"));
        assert_eq!(peek.session_token.as_deref(), Some("ABC"));
        assert_eq!(
            peek.describe_operation(),
            "{http://atollon.com/enterprise/wsdl}CreateContact"
        );
        assert_eq!(peek.redact("token ABC here"), "token *** here");
    }

    #[test]
    fn peek_ignores_other_namespaces() {
        let body = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><CreateContact/></s:Body></s:Envelope>"#;
        let peek = Peek::read(body, 1024);
        assert_eq!(peek.operation_name(), None);
        assert_eq!(peek.describe_operation(), "CreateContact");
    }

    #[test]
    fn peek_of_garbage_is_empty() {
        let peek = Peek::read(b"not xml", 1024);
        assert!(peek.operation.is_none());
        assert!(peek.session_token.is_none());
    }

    #[test]
    fn plain_authorities() {
        assert!(is_plain_authority("127.0.0.1:8080"));
        assert!(is_plain_authority("[::1]:8080"));
        assert!(!is_plain_authority("evil\"/><x"));
        assert!(!is_plain_authority(""));
    }
}
