//! The error of a SOAP call, and its classification by whether the server acted on the
//! request.
//!
//! No variant carries the session token or the password: texts taken from the response
//! (Fault reasons, `result` texts, body excerpts) have every `session` and `password`
//! element masked and every secret that the request carried replaced with `***`.

use std::time::Duration;

use crate::envelope::{EnvelopeError, Fault};
use crate::xml::{DecodeError, EncodeError};

/// Maximum length in bytes of the response excerpt kept in an error.
pub const BODY_EXCERPT_BYTES: usize = 512;

/// The effect of a failed call on the server, as far as its error shows it.
///
/// Billing code uses this to decide between retrying, reporting a failure and marking a
/// call "in doubt" for a person to check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The request did not reach the server, so the server did nothing and the call can be
    /// sent again.
    NotSent,
    /// The server received the request and reported that it failed (a SOAP Fault, a
    /// `result` other than `OK`, or an HTTP status that rejects the request).
    Failed,
    /// The request may have been processed, but its response was lost, cut off or
    /// unreadable. Sending it again may perform the operation twice.
    Unknown,
}

/// The error of a call made with [`Client::call`](crate::Client::call).
///
/// Every variant names the operation. [`Error::outcome`] classifies the error by whether
/// the server acted on the request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be written as XML, so nothing was sent.
    #[error("{operation}: failed to encode the request: {source}")]
    Encode {
        /// Operation name.
        operation: &'static str,
        /// The encoding failure, naming the field.
        #[source]
        source: EncodeError,
    },

    /// The endpoint or a header value is invalid, so nothing was sent.
    #[error("{operation}: invalid request: {reason}")]
    InvalidRequest {
        /// Operation name.
        operation: &'static str,
        /// Description of the invalid value.
        reason: String,
    },

    /// No connection to the server could be made (connection refused, DNS failure, TLS
    /// handshake failure, connect timeout), also after the configured retries. The request
    /// provably did not reach the server.
    #[error(
        "{operation}: the request was not sent to {endpoint} after {attempts} attempts: {source}"
    )]
    NotSent {
        /// Operation name.
        operation: &'static str,
        /// The endpoint, without user information or query.
        endpoint: String,
        /// Number of connection attempts made.
        attempts: u32,
        /// The last connection error.
        #[source]
        source: reqwest::Error,
    },

    /// No complete response arrived within the request timeout. The request may have been
    /// processed, so the outcome is unknown.
    #[error(
        "{operation}: no response from {endpoint} within {timeout:?}; \
         the request may have been processed, so its outcome is unknown"
    )]
    Timeout {
        /// Operation name.
        operation: &'static str,
        /// The endpoint, without user information or query.
        endpoint: String,
        /// The request timeout that expired.
        timeout: Duration,
    },

    /// The connection failed after the request was sent (for example it was reset or
    /// closed before the response was complete). The request may have been processed, so
    /// the outcome is unknown and the call is not sent again.
    #[error(
        "{operation}: the connection to {endpoint} failed after the request was sent; \
         the request may have been processed, so its outcome is unknown: {source}"
    )]
    OutcomeUnknown {
        /// Operation name.
        operation: &'static str,
        /// The endpoint, without user information or query.
        endpoint: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },

    /// The server responded with an HTTP status other than 2xx and a body that is not a
    /// SOAP Fault.
    #[error("{operation}: the server returned HTTP status {status}; the body starts with: {body_excerpt:?}")]
    HttpStatus {
        /// Operation name.
        operation: &'static str,
        /// The HTTP status code.
        status: u16,
        /// The start of the body (at most [`BODY_EXCERPT_BYTES`], secrets masked).
        body_excerpt: String,
    },

    /// The server returned a SOAP Fault, with any HTTP status (usually 500).
    #[error("{operation}: the server returned a SOAP Fault (HTTP status {status}): {fault}")]
    Fault {
        /// Operation name.
        operation: &'static str,
        /// The HTTP status code of the response.
        status: u16,
        /// The Fault, with secrets masked.
        fault: Box<Fault>,
    },

    /// The Atollon response element's `result` is not `OK`.
    #[error("{operation}: Atollon returned result {result:?} instead of \"OK\"")]
    NotOk {
        /// Operation name.
        operation: &'static str,
        /// The text of `result`, with secrets masked.
        result: String,
    },

    /// A successful response has a `Content-Type` that is not XML.
    #[error(
        "{operation}: the response has content type {}, expected {expected}; \
         the body starts with: {body_excerpt:?}",
        content_type.as_deref().unwrap_or("(none)")
    )]
    UnexpectedContentType {
        /// Operation name.
        operation: &'static str,
        /// The `Content-Type` header, if any.
        content_type: Option<String>,
        /// The content type the binding uses.
        expected: &'static str,
        /// The start of the body (at most [`BODY_EXCERPT_BYTES`], secrets masked).
        body_excerpt: String,
    },

    /// A successful response is not a SOAP envelope: empty, not XML (an HTML error page),
    /// cut off, with a DTD, or an XML document of another kind.
    #[error("{operation}: the response is not a SOAP envelope: {source}; the body starts with: {body_excerpt:?}")]
    InvalidEnvelope {
        /// Operation name.
        operation: &'static str,
        /// The HTTP status code of the response.
        status: u16,
        /// The problem with the body.
        #[source]
        source: EnvelopeError,
        /// The start of the body (at most [`BODY_EXCERPT_BYTES`], secrets masked).
        body_excerpt: String,
    },

    /// The response is larger than the configured limit. Reading stopped at the limit.
    #[error("{operation}: the response exceeds the limit of {limit} bytes")]
    ResponseTooLarge {
        /// Operation name.
        operation: &'static str,
        /// The configured limit in bytes.
        limit: usize,
    },

    /// The response envelope does not match the operation's response type.
    #[error("{operation}: failed to decode the response: {source}")]
    Decode {
        /// Operation name.
        operation: &'static str,
        /// The element path and what was expected there.
        #[source]
        source: DecodeError,
    },
}

impl Error {
    /// Returns the name of the operation that failed.
    pub fn operation(&self) -> &'static str {
        match self {
            Error::Encode { operation, .. }
            | Error::InvalidRequest { operation, .. }
            | Error::NotSent { operation, .. }
            | Error::Timeout { operation, .. }
            | Error::OutcomeUnknown { operation, .. }
            | Error::HttpStatus { operation, .. }
            | Error::Fault { operation, .. }
            | Error::NotOk { operation, .. }
            | Error::UnexpectedContentType { operation, .. }
            | Error::InvalidEnvelope { operation, .. }
            | Error::ResponseTooLarge { operation, .. }
            | Error::Decode { operation, .. } => operation,
        }
    }

    /// Classifies the error by the state it leaves the server in.
    ///
    /// An HTTP status is [`Outcome::Failed`] when it rejects the request before processing
    /// (4xx, and 501 and 505), and [`Outcome::Unknown`] for other 5xx statuses, because a
    /// 500 error page or a gateway error (502, 504) can follow partial or complete
    /// processing. Responses that cannot be read, including a `Decode` error, are
    /// [`Outcome::Unknown`]: the server answered, but what it did is not known.
    pub fn outcome(&self) -> Outcome {
        match self {
            Error::Encode { .. } | Error::InvalidRequest { .. } | Error::NotSent { .. } => {
                Outcome::NotSent
            }
            Error::Fault { .. } | Error::NotOk { .. } => Outcome::Failed,
            Error::HttpStatus { status, .. } => match status {
                400..=499 | 501 | 505 => Outcome::Failed,
                _ => Outcome::Unknown,
            },
            Error::Timeout { .. }
            | Error::OutcomeUnknown { .. }
            | Error::UnexpectedContentType { .. }
            | Error::InvalidEnvelope { .. }
            | Error::ResponseTooLarge { .. }
            | Error::Decode { .. } => Outcome::Unknown,
        }
    }

    /// Returns whether the request may have been processed although no usable response
    /// arrived (shorthand for `outcome() == Outcome::Unknown`).
    pub fn is_outcome_unknown(&self) -> bool {
        self.outcome() == Outcome::Unknown
    }

    /// Returns the SOAP Fault, if the server returned one.
    pub fn fault(&self) -> Option<&Fault> {
        match self {
            Error::Fault { fault, .. } => Some(fault),
            _ => None,
        }
    }
}

/// The error of [`ClientBuilder::build`](crate::ClientBuilder::build).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The endpoint is not an absolute `http` or `https` URL.
    #[error("invalid endpoint {endpoint:?}: {reason}")]
    InvalidEndpoint {
        /// The endpoint as given, with any user information replaced by `***`.
        endpoint: String,
        /// The reason it is invalid.
        reason: String,
    },
    /// A setting is out of range.
    #[error("invalid {setting}: {reason}")]
    InvalidSetting {
        /// The builder method that took the value.
        setting: &'static str,
        /// The accepted range.
        reason: &'static str,
    },
    /// The HTTP client could not be built (for example no TLS backend could be set up).
    #[error("failed to build the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
}
