//! HTTP transport over reqwest with rustls: one connection pool, timeouts, retries of
//! connection failures only, and a response size limit enforced while the body streams in.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderValue, CONTENT_TYPE};

/// Default time allowed to open a TCP connection and complete the TLS handshake.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Default time allowed for one HTTP exchange, from sending the request to the last byte of
/// the response.
///
/// NOTE: this is a guess at what covers Atollon's slower calls (such as creating invoices),
/// not a documented server limit.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Default number of extra connection attempts after a failure to connect.
pub const DEFAULT_CONNECT_RETRIES: u32 = 2;

/// Default wait before the first retry. Each later retry waits twice as long as the one
/// before it.
pub const DEFAULT_RETRY_BACKOFF: Duration = Duration::from_millis(200);

/// Default time an idle pooled connection is kept for reuse.
///
/// A request written on a connection that the server closes at the same moment is lost
/// after sending, so its outcome is unknown. Dropping idle connections before common
/// server keep-alive timeouts expire (Apache httpd 2.4 closes them after 5 s by default)
/// avoids that race.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(4);

/// Settings of a [`Transport`].
#[derive(Clone, Debug)]
pub(crate) struct TransportConfig {
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) pool_idle_timeout: Duration,
    pub(crate) connect_retries: u32,
    pub(crate) retry_backoff: Duration,
    pub(crate) max_response_bytes: usize,
}

/// One HTTP POST of a SOAP envelope.
pub(crate) struct HttpRequest<'a> {
    pub(crate) url: &'a reqwest::Url,
    pub(crate) content_type: HeaderValue,
    pub(crate) soap_action: Option<HeaderValue>,
    pub(crate) body: Bytes,
}

/// A response whose body was read completely and within the size limit.
#[derive(Debug)]
pub(crate) struct HttpResponse {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Vec<u8>,
}

/// The failure of an exchange, split by whether the request reached the server.
#[derive(Debug)]
pub(crate) enum TransportError {
    /// No connection could be made, in `attempts` tries.
    NotSent {
        attempts: u32,
        source: reqwest::Error,
    },
    /// The request timeout expired after the connection was made.
    Timeout,
    /// The connection failed after the request was (or may have been) sent.
    Lost { source: reqwest::Error },
    /// The response body exceeds `limit` bytes.
    TooLarge { limit: usize },
}

/// An HTTP client with one connection pool, shared by all clones of a
/// [`Client`](crate::Client).
#[derive(Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    config: TransportConfig,
}

impl Transport {
    /// Builds the reqwest client. Redirects are not followed, because following a 301 or
    /// 302 turns the POST into a GET, and a 307 would send the session to another URL.
    pub(crate) fn new(config: TransportConfig) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .pool_idle_timeout(config.pool_idle_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("atollon-client/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Transport { http, config })
    }

    pub(crate) fn config(&self) -> &TransportConfig {
        &self.config
    }

    /// Posts `request`, retrying only while no connection could be made, and reads the
    /// whole response body within the size limit.
    pub(crate) async fn post(
        &self,
        request: &HttpRequest<'_>,
    ) -> Result<HttpResponse, TransportError> {
        let mut attempts = 0;
        let response = loop {
            attempts += 1;
            let mut builder = self
                .http
                .post(request.url.clone())
                .header(CONTENT_TYPE, request.content_type.clone())
                .body(request.body.clone());
            if let Some(action) = &request.soap_action {
                builder = builder.header("SOAPAction", action.clone());
            }
            match builder.send().await {
                Ok(response) => break response,
                // `is_connect` covers failures before the request was written: refused
                // connections, DNS errors, TLS handshake errors and connect timeouts.
                Err(error) if error.is_connect() => {
                    let error = error.without_url();
                    if attempts > self.config.connect_retries {
                        return Err(TransportError::NotSent {
                            attempts,
                            source: error,
                        });
                    }
                    let wait = self.backoff(attempts);
                    tracing::warn!(
                        attempt = attempts,
                        retry_in_ms = wait.as_millis() as u64,
                        error = %error,
                        "connection failed; retrying, because the request was not sent"
                    );
                    tokio::time::sleep(wait).await;
                }
                Err(error) if error.is_timeout() => return Err(TransportError::Timeout),
                Err(error) => {
                    return Err(TransportError::Lost {
                        source: error.without_url(),
                    })
                }
            }
        };
        self.read_response(response).await
    }

    /// Wait before retry number `attempt` (1 for the first retry).
    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32 << attempt.saturating_sub(1).min(10);
        self.config.retry_backoff.saturating_mul(factor)
    }

    /// Reads the body chunk by chunk, stopping as soon as it exceeds the limit, so that an
    /// oversized response is never held in memory whole.
    async fn read_response(
        &self,
        mut response: reqwest::Response,
    ) -> Result<HttpResponse, TransportError> {
        let limit = self.config.max_response_bytes;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let declared = response.content_length();
        if declared.is_some_and(|length| length > limit as u64) {
            return Err(TransportError::TooLarge { limit });
        }

        let initial = declared.map_or(16 * 1024, |length| length as usize);
        let mut body = Vec::with_capacity(initial.min(limit));
        loop {
            let chunk = match response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(error) if error.is_timeout() => return Err(TransportError::Timeout),
                Err(error) => {
                    return Err(TransportError::Lost {
                        source: error.without_url(),
                    })
                }
            };
            if body.len() + chunk.len() > limit {
                return Err(TransportError::TooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse {
            status,
            content_type,
            body,
        })
    }
}
