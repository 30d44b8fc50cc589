//! The SOAP client that generated operation stubs call.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::HeaderValue;
use tokio::sync::Semaphore;
use tracing::Instrument;

use crate::envelope::{
    self, element_text, Envelope, EnvelopeError, SoapVersion, WriteXml, DEFAULT_MAX_BODY_BYTES,
};
use crate::error::{BuildError, Error, Outcome, BODY_EXCERPT_BYTES};
use crate::log::{self, Redactor, DEFAULT_LOG_ENVELOPE_BYTES};
use crate::transport::{
    HttpRequest, HttpResponse, Transport, TransportConfig, TransportError, DEFAULT_CONNECT_RETRIES,
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_POOL_IDLE_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_RETRY_BACKOFF,
};
use crate::xml::{DecodeError, Name, ReadContext};

/// Default maximum number of requests one [`Client`] has in flight at once. Atollon's
/// fair-use rule allows an integration at most 2 parallel requests per session.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 2;

/// Static description of one operation, emitted by the generator as a `const`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {
    /// Operation name, such as `CreateProject`. Errors and log spans carry it.
    pub name: &'static str,
    /// The binding's `soapAction`, possibly empty.
    pub soap_action: &'static str,
    /// SOAP version of the binding.
    pub version: SoapVersion,
    /// Body element of the request (the document/literal wrapper or the rpc element).
    pub request: Name,
    /// Body element expected in the response.
    pub response: Name,
    /// The port's `soap:address`, used unless the client has an endpoint of its own.
    pub default_endpoint: &'static str,
}

/// A parsed endpoint URL, with the forms used in logs and errors.
#[derive(Clone, Debug)]
struct Endpoint {
    url: reqwest::Url,
    /// `host` or `host:port`, for the call span.
    host: String,
    /// `scheme://host[:port]/path`, without user information or query, for errors.
    display: String,
}

impl Endpoint {
    fn parse(text: &str) -> Result<Self, String> {
        let url = reqwest::Url::parse(text).map_err(|error| error.to_string())?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "the scheme is {:?}, expected http or https",
                url.scheme()
            ));
        }
        let Some(host_name) = url.host_str() else {
            return Err("the URL has no host".to_owned());
        };
        let host = match url.port() {
            Some(port) => format!("{host_name}:{port}"),
            None => host_name.to_owned(),
        };
        let display = format!("{}://{}{}", url.scheme(), host, url.path());
        Ok(Endpoint { url, host, display })
    }
}

/// Replaces the user information of a URL (`user:password@`) with `***`, for messages
/// about an endpoint that did not parse.
fn hide_user_info(endpoint: &str) -> String {
    let Some((scheme, rest)) = endpoint.split_once("://") else {
        return endpoint.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://***{}", &rest[at..]),
        None => endpoint.to_owned(),
    }
}

/// Builds a [`Client`]. Every setting has a default, so `ClientBuilder::new().build()`
/// gives a working client that sends each operation to its WSDL address.
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    endpoint: Option<String>,
    connect_timeout: Duration,
    request_timeout: Duration,
    pool_idle_timeout: Duration,
    connect_retries: u32,
    retry_backoff: Duration,
    max_in_flight: usize,
    max_response_bytes: usize,
    check_result: bool,
    read_context: ReadContext,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientBuilder {
    /// Creates a builder with the default settings.
    pub fn new() -> Self {
        ClientBuilder {
            endpoint: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            pool_idle_timeout: DEFAULT_POOL_IDLE_TIMEOUT,
            connect_retries: DEFAULT_CONNECT_RETRIES,
            retry_backoff: DEFAULT_RETRY_BACKOFF,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            max_response_bytes: DEFAULT_MAX_BODY_BYTES,
            check_result: true,
            read_context: ReadContext::default(),
        }
    }

    /// Sets the URL every operation is posted to, such as `https://acme.example/soap`,
    /// in place of each operation's WSDL address.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// Sets the time allowed to connect, TLS handshake included (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the time allowed for one HTTP exchange, from sending the request to the last
    /// byte of the response (default 60 s). Time spent waiting for an in-flight slot does
    /// not count.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets how long an idle connection is kept for reuse (default 4 s). Keep it below
    /// the server's keep-alive timeout, so that no request is sent on a connection the
    /// server is closing.
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// Sets how many times a failed connection attempt is repeated (default 2). Only
    /// failures that prove the request was not sent are retried.
    pub fn connect_retries(mut self, retries: u32) -> Self {
        self.connect_retries = retries;
        self
    }

    /// Sets the wait before the first retry (default 200 ms). Each later retry waits twice
    /// as long as the one before it.
    pub fn retry_backoff(mut self, backoff: Duration) -> Self {
        self.retry_backoff = backoff;
        self
    }

    /// Sets the maximum number of requests in flight at once (default 2). Further calls
    /// wait for a free slot, in the order they were made.
    pub fn max_in_flight(mut self, requests: usize) -> Self {
        self.max_in_flight = requests;
        self
    }

    /// Sets the maximum response body size in bytes (default 32 MiB). A larger response
    /// is cut off while it is read and fails with [`Error::ResponseTooLarge`].
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Sets whether a response whose `result` is not `OK` fails with [`Error::NotOk`]
    /// (default `true`).
    pub fn check_result(mut self, check: bool) -> Self {
        self.check_result = check;
        self
    }

    /// Sets the namespace aliases used to read responses (default
    /// [`ReadContext::default`], which reads Atollon's former namespace as the current
    /// one).
    pub fn read_context(mut self, context: ReadContext) -> Self {
        self.read_context = context;
        self
    }

    /// Validates the settings and builds the client with its connection pool.
    pub fn build(self) -> Result<Client, BuildError> {
        let endpoint = match &self.endpoint {
            Some(text) => {
                Some(
                    Endpoint::parse(text).map_err(|reason| BuildError::InvalidEndpoint {
                        endpoint: hide_user_info(text),
                        reason,
                    })?,
                )
            }
            None => None,
        };
        if self.connect_timeout.is_zero() {
            return Err(BuildError::InvalidSetting {
                setting: "connect_timeout",
                reason: "must be greater than zero",
            });
        }
        if self.request_timeout.is_zero() {
            return Err(BuildError::InvalidSetting {
                setting: "timeout",
                reason: "must be greater than zero",
            });
        }
        if self.max_in_flight == 0 || self.max_in_flight > Semaphore::MAX_PERMITS {
            return Err(BuildError::InvalidSetting {
                setting: "max_in_flight",
                reason: "must be at least 1 and at most tokio's Semaphore::MAX_PERMITS",
            });
        }
        if self.max_response_bytes == 0 {
            return Err(BuildError::InvalidSetting {
                setting: "max_response_size",
                reason: "must be at least 1 byte",
            });
        }
        let transport = Transport::new(TransportConfig {
            connect_timeout: self.connect_timeout,
            request_timeout: self.request_timeout,
            pool_idle_timeout: self.pool_idle_timeout,
            connect_retries: self.connect_retries,
            retry_backoff: self.retry_backoff,
            max_response_bytes: self.max_response_bytes,
        })
        .map_err(BuildError::Http)?;
        Ok(Client {
            inner: Arc::new(ClientInner {
                transport,
                endpoint,
                in_flight: Semaphore::new(self.max_in_flight),
                max_in_flight: self.max_in_flight,
                check_result: self.check_result,
                read_context: self.read_context,
            }),
        })
    }
}

/// A SOAP client: one connection pool, an in-flight limit and the settings of
/// [`ClientBuilder`].
///
/// Cloning is cheap and clones share the pool and the in-flight limit, so one client per
/// Atollon session keeps that session within the fair-use rule.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    transport: Transport,
    endpoint: Option<Endpoint>,
    in_flight: Semaphore,
    max_in_flight: usize,
    check_result: bool,
    read_context: ReadContext,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field(
                "endpoint",
                &inner.endpoint.as_ref().map(|endpoint| &endpoint.display),
            )
            .field("max_in_flight", &inner.max_in_flight)
            .field("check_result", &inner.check_result)
            .field("transport", &inner.transport.config())
            .finish()
    }
}

impl Client {
    /// Creates a [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// Builds a client with the default settings.
    pub fn new() -> Result<Client, BuildError> {
        ClientBuilder::new().build()
    }

    /// Returns the maximum number of requests this client has in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.inner.max_in_flight
    }

    /// Sends one operation and reads its response.
    ///
    /// `write_header` writes the children of `soapenv:Header` and `write_body` the
    /// children of `soapenv:Body` (the request element). The call waits for a free
    /// in-flight slot, posts the envelope, and then checks in order: a SOAP Fault (with any
    /// HTTP status), the HTTP status, the content type, the envelope, and Atollon's
    /// `result` (when the check is on). `read_body` then receives the `Body` element.
    ///
    /// Only failures to connect are retried, because any later failure may follow
    /// processing on the server; see [`Error::outcome`].
    pub async fn call<R>(
        &self,
        operation: &'static Operation,
        write_header: Option<&WriteXml<'_>>,
        write_body: &WriteXml<'_>,
        read_body: fn(roxmltree::Node<'_, '_>, &ReadContext) -> Result<R, DecodeError>,
    ) -> Result<R, Error> {
        let endpoint = match &self.inner.endpoint {
            Some(endpoint) => endpoint.clone(),
            None => Endpoint::parse(operation.default_endpoint).map_err(|reason| {
                Error::InvalidRequest {
                    operation: operation.name,
                    reason: format!(
                        "the endpoint {:?} is invalid: {reason}",
                        hide_user_info(operation.default_endpoint)
                    ),
                }
            })?,
        };
        let span = tracing::debug_span!(
            "soap_call",
            operation = operation.name,
            host = %endpoint.host,
            status = tracing::field::Empty,
            outcome = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = self
            .exchange(operation, &endpoint, write_header, write_body, read_body)
            .instrument(span.clone())
            .await;

        let duration_ms = started.elapsed().as_millis() as u64;
        span.record("duration_ms", duration_ms);
        match &result {
            Ok(_) => {
                span.record("outcome", "ok");
                tracing::debug!(parent: &span, duration_ms, outcome = "ok", "SOAP call succeeded");
            }
            Err(error) => {
                let outcome = outcome_name(error.outcome());
                span.record("outcome", outcome);
                tracing::debug!(parent: &span, duration_ms, outcome, error = %error, "SOAP call failed");
            }
        }
        result
    }

    async fn exchange<R>(
        &self,
        operation: &'static Operation,
        endpoint: &Endpoint,
        write_header: Option<&WriteXml<'_>>,
        write_body: &WriteXml<'_>,
        read_body: fn(roxmltree::Node<'_, '_>, &ReadContext) -> Result<R, DecodeError>,
    ) -> Result<R, Error> {
        let request_envelope = envelope::write_envelope(
            operation.version,
            operation.request.namespace,
            write_header,
            write_body,
        )
        .map_err(|source| Error::Encode {
            operation: operation.name,
            source,
        })?;
        let redactor = Redactor::from_xml(&request_envelope);
        trace_envelope("request", request_envelope.as_bytes(), &redactor);
        let request = build_request(operation, endpoint, &request_envelope)?;

        let response = {
            // Nothing closes this private semaphore, so `acquire` cannot fail.
            let _permit = self
                .inner
                .in_flight
                .acquire()
                .await
                .expect("the in-flight semaphore is never closed");
            self.inner.transport.post(&request).await
        };
        let response =
            response.map_err(|error| self.transport_error(operation, endpoint, error))?;
        tracing::Span::current().record("status", response.status);
        trace_envelope("response", &response.body, &redactor);

        self.read_response(operation, &response, &redactor, read_body)
    }

    fn transport_error(
        &self,
        operation: &'static Operation,
        endpoint: &Endpoint,
        error: TransportError,
    ) -> Error {
        let operation = operation.name;
        let endpoint = endpoint.display.clone();
        match error {
            TransportError::NotSent { attempts, source } => Error::NotSent {
                operation,
                endpoint,
                attempts,
                source,
            },
            TransportError::Timeout => Error::Timeout {
                operation,
                endpoint,
                timeout: self.inner.transport.config().request_timeout,
            },
            TransportError::Lost { source } => Error::OutcomeUnknown {
                operation,
                endpoint,
                source,
            },
            TransportError::TooLarge { limit } => Error::ResponseTooLarge { operation, limit },
        }
    }

    fn read_response<R>(
        &self,
        operation: &'static Operation,
        response: &HttpResponse,
        redactor: &Redactor,
        read_body: fn(roxmltree::Node<'_, '_>, &ReadContext) -> Result<R, DecodeError>,
    ) -> Result<R, Error> {
        let status = response.status;
        let success = (200..300).contains(&status);
        let xml_content_type = is_xml_content_type(response.content_type.as_deref());
        let excerpt = || redactor.redact(&log::body_excerpt(&response.body, BODY_EXCERPT_BYTES));
        // A response with an error status or a content type other than XML is reported as
        // such, unless it carries a SOAP Fault.
        let rejected = || {
            if !success {
                Some(Error::HttpStatus {
                    operation: operation.name,
                    status,
                    body_excerpt: excerpt(),
                })
            } else if !xml_content_type {
                Some(Error::UnexpectedContentType {
                    operation: operation.name,
                    content_type: response.content_type.clone(),
                    expected: operation.version.media_type(),
                    body_excerpt: excerpt(),
                })
            } else {
                None
            }
        };
        let unreadable = |source: EnvelopeError| {
            rejected().unwrap_or_else(|| Error::InvalidEnvelope {
                operation: operation.name,
                status,
                source,
                body_excerpt: excerpt(),
            })
        };

        let limit = self.inner.transport.config().max_response_bytes;
        let document = envelope::parse_document(&response.body, limit).map_err(unreadable)?;
        let envelope = Envelope::from_document(&document).map_err(unreadable)?;
        if let Some(fault) = envelope.fault() {
            return Err(Error::Fault {
                operation: operation.name,
                status,
                fault: Box::new(redact_fault(fault, redactor)),
            });
        }
        if let Some(error) = rejected() {
            return Err(error);
        }
        if envelope.first_body_element().is_none() {
            return Err(unreadable(EnvelopeError::EmptyBody {
                version: envelope.version,
            }));
        }
        if self.inner.check_result {
            self.check_result(operation, envelope.body, redactor)?;
        }
        read_body(envelope.body, &self.inner.read_context).map_err(|source| Error::Decode {
            operation: operation.name,
            source,
        })
    }

    /// Fails with [`Error::NotOk`] when the response element's `result` child is not `OK`.
    /// A missing response element or `result` is left for `read_body` to report.
    fn check_result(
        &self,
        operation: &'static Operation,
        body: roxmltree::Node<'_, '_>,
        redactor: &Redactor,
    ) -> Result<(), Error> {
        let context = &self.inner.read_context;
        let Some(response) = body
            .children()
            .find(|node| context.name_matches(*node, operation.response))
        else {
            return Ok(());
        };
        let result = response.children().find(|node| {
            node.is_element()
                && node.tag_name().name() == "result"
                && (node.tag_name().namespace().is_none()
                    || node.tag_name().namespace() == response.tag_name().namespace())
        });
        let Some(result) = result else {
            return Ok(());
        };
        let text = element_text(result);
        if text == "OK" {
            return Ok(());
        }
        Err(Error::NotOk {
            operation: operation.name,
            result: redactor.redact(&text),
        })
    }
}

/// Builds the HTTP request: the headers of the binding's SOAP version and the envelope.
fn build_request<'a>(
    operation: &'static Operation,
    endpoint: &'a Endpoint,
    envelope: &str,
) -> Result<HttpRequest<'a>, Error> {
    let invalid_action = || Error::InvalidRequest {
        operation: operation.name,
        reason: format!(
            "the SOAP action {:?} contains characters an HTTP header cannot carry",
            operation.soap_action
        ),
    };
    let content_type = HeaderValue::try_from(
        operation
            .version
            .request_content_type(operation.soap_action),
    )
    .map_err(|_| invalid_action())?;
    let soap_action = match operation.version.soap_action_header(operation.soap_action) {
        Some(value) => Some(HeaderValue::try_from(value).map_err(|_| invalid_action())?),
        None => None,
    };
    Ok(HttpRequest {
        url: &endpoint.url,
        content_type,
        soap_action,
        body: Bytes::copy_from_slice(envelope.as_bytes()),
    })
}

/// Accepts the XML media types a SOAP server may respond with, whatever the binding's
/// version: servers differ, and the envelope namespace decides the version anyway.
fn is_xml_content_type(content_type: Option<&str>) -> bool {
    let Some(content_type) = content_type else {
        return false;
    };
    let media_type = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        media_type.as_str(),
        "text/xml" | "application/xml" | "application/soap+xml"
    ) || media_type.ends_with("+xml")
}

fn redact_fault(fault: envelope::Fault, redactor: &Redactor) -> envelope::Fault {
    envelope::Fault {
        code: redactor.redact(&fault.code),
        subcodes: fault
            .subcodes
            .iter()
            .map(|code| redactor.redact(code))
            .collect(),
        reason: redactor.redact(&fault.reason),
        actor: fault.actor.as_deref().map(|actor| redactor.redact(actor)),
        node: fault.node.as_deref().map(|node| redactor.redact(node)),
        detail: fault
            .detail
            .as_deref()
            .map(|detail| redactor.redact(detail)),
        ..fault
    }
}

/// Logs an envelope at TRACE level, cut to 8 KiB and with secrets masked.
fn trace_envelope(direction: &'static str, body: &[u8], redactor: &Redactor) {
    if !tracing::enabled!(tracing::Level::TRACE) {
        return;
    }
    let text = log::envelope_for_log(body, DEFAULT_LOG_ENVELOPE_BYTES);
    tracing::trace!(direction, bytes = body.len(), envelope = %redactor.redact(&text), "SOAP envelope");
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::NotSent => "not_sent",
        Outcome::Failed => "failed",
        Outcome::Unknown => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_forms() {
        let Ok(endpoint) = Endpoint::parse("https://user:pw@acme.example:8443/soap?x=1") else {
            panic!("endpoint does not parse");
        };
        assert_eq!(endpoint.host, "acme.example:8443");
        assert_eq!(endpoint.display, "https://acme.example:8443/soap");
    }

    #[test]
    fn endpoint_rejects_other_schemes() {
        let error = Endpoint::parse("ftp://acme.example/soap").err();
        assert_eq!(
            error.as_deref(),
            Some("the scheme is \"ftp\", expected http or https")
        );
        assert!(Endpoint::parse("not a url").is_err());
    }

    #[test]
    fn user_info_hidden() {
        assert_eq!(hide_user_info("https://u:p@h/x@y"), "https://***@h/x@y");
        assert_eq!(hide_user_info("https://h/x"), "https://h/x");
        assert_eq!(hide_user_info("h@x"), "h@x");
    }

    #[test]
    fn xml_content_types() {
        assert!(is_xml_content_type(Some("text/xml; charset=utf-8")));
        assert!(is_xml_content_type(Some(
            "Application/SOAP+XML;charset=UTF-8;action=\"x\""
        )));
        assert!(is_xml_content_type(Some("application/xml")));
        assert!(!is_xml_content_type(Some("text/html; charset=utf-8")));
        assert!(!is_xml_content_type(None));
    }

    #[test]
    fn builder_rejects_zero_in_flight() {
        let error = ClientBuilder::new().max_in_flight(0).build().err();
        assert!(matches!(
            error,
            Some(BuildError::InvalidSetting {
                setting: "max_in_flight",
                ..
            })
        ));
    }

    #[test]
    fn builder_rejects_bad_endpoint() {
        let error = ClientBuilder::new()
            .endpoint("ftp://u:secret@h/soap")
            .build()
            .err();
        let Some(BuildError::InvalidEndpoint { endpoint, .. }) = error else {
            panic!("expected InvalidEndpoint, got {error:?}");
        };
        assert_eq!(endpoint, "ftp://***@h/soap");
    }
}
