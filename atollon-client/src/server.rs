//! The server side of a SOAP exchange, used by generated dispatchers and the sandbox server:
//! reading a request envelope, and writing a response or a Fault.
//!
//! This module does no HTTP itself. The HTTP layer passes the body and two headers to
//! [`ServerRequest::new`] and sends back the status, content type and body of the
//! [`ServerResponse`]. It should cap the body at the same limit while reading it.

use std::fmt;

use bytes::Bytes;

use crate::client::Operation;
use crate::envelope::{
    self, Envelope, FaultCode, SoapVersion, WriteXml, DEFAULT_MAX_BODY_BYTES, SOAP11_NAMESPACE,
    SOAP12_NAMESPACE,
};
use crate::xml::{DecodeError, ReadContext};

/// An HTTP request that carries a SOAP envelope.
#[derive(Clone)]
pub struct ServerRequest {
    body: Bytes,
    soap_action: Option<String>,
    content_type: Option<String>,
    version: SoapVersion,
    max_body_bytes: usize,
    read_context: ReadContext,
}

impl fmt::Debug for ServerRequest {
    /// Shows the headers and the body size, because the body carries the session token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerRequest")
            .field("version", &self.version)
            .field("soap_action", &self.soap_action)
            .field("content_type", &self.content_type)
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

impl ServerRequest {
    /// Wraps a request body with its `SOAPAction` and `Content-Type` header values.
    ///
    /// The SOAP version comes from the content type (`application/soap+xml` is SOAP 1.2,
    /// `text/xml` SOAP 1.1). For any other content type it comes from the envelope's
    /// namespace, and SOAP 1.1 is assumed when that cannot be read either. The content
    /// type is not otherwise checked.
    pub fn new(
        body: impl Into<Bytes>,
        soap_action: Option<String>,
        content_type: Option<String>,
    ) -> Self {
        let body = body.into();
        let version = version_from_content_type(content_type.as_deref())
            .or_else(|| sniff_version(&body))
            .unwrap_or_default();
        ServerRequest {
            body,
            soap_action,
            content_type,
            version,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            read_context: ReadContext::default(),
        }
    }

    /// Sets the maximum body size in bytes (default 32 MiB). A larger body gets a
    /// `Client` Fault.
    pub fn with_max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Sets the namespace aliases used to read the body (default
    /// [`ReadContext::default`]).
    pub fn with_read_context(mut self, context: ReadContext) -> Self {
        self.read_context = context;
        self
    }

    /// Returns the SOAP version of the request, which responses and Faults use too.
    pub fn version(&self) -> SoapVersion {
        self.version
    }

    /// Returns the requested action without its quotes: the `SOAPAction` header for
    /// SOAP 1.1, the `action` parameter of the content type for SOAP 1.2. Atollon's
    /// actions may be empty, so dispatchers should rely on the body element instead.
    pub fn soap_action(&self) -> Option<String> {
        match self.version {
            SoapVersion::Soap11 => self.soap_action.as_deref().map(unquote),
            SoapVersion::Soap12 => self
                .content_type
                .as_deref()
                .and_then(|content_type| media_type_parameter(content_type, "action"))
                .or_else(|| self.soap_action.as_deref().map(unquote)),
        }
    }

    /// Returns the `Content-Type` header as given.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// Returns the raw body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Parses the envelope and calls `decode` with the first element child of `Body`.
    ///
    /// Input that is too large, not XML (DTDs included), not an envelope, or whose `Body`
    /// is empty gets a `Client` Fault. An envelope of the other SOAP version than the
    /// content type gets a `VersionMismatch` Fault, and a header block marked
    /// `mustUnderstand` a `MustUnderstand` Fault, because this runtime processes no header
    /// blocks.
    pub fn decode_body<T>(
        &self,
        decode: impl FnOnce(roxmltree::Node<'_, '_>, &ReadContext) -> Result<T, ServerFault>,
    ) -> Result<T, ServerFault> {
        let document =
            envelope::parse_document(&self.body, self.max_body_bytes).map_err(|error| {
                ServerFault::client(format!("the request is not a SOAP envelope: {error}"))
            })?;
        let envelope = Envelope::from_document(&document).map_err(|error| {
            ServerFault::client(format!("the request is not a SOAP envelope: {error}"))
        })?;
        if envelope.version != self.version {
            return Err(ServerFault::new(
                FaultCode::VersionMismatch,
                format!(
                    "the envelope is {} but the content type {:?} requires {}",
                    envelope.version,
                    self.content_type.as_deref().unwrap_or(""),
                    self.version
                ),
            ));
        }
        if let Some(header) = envelope.header {
            check_must_understand(header, envelope.version)?;
        }
        let element = envelope.first_body_element().ok_or_else(|| {
            ServerFault::client(format!("the {} Body contains no element", envelope.version))
        })?;
        decode(element, &self.read_context)
    }

    /// Writes a response envelope (HTTP 200) whose `Body` content `write_body` writes, in
    /// the request's SOAP version. The envelope looks like Atollon's responses: prefixes
    /// `ns0` for the envelope and `ns1` for the operation namespace, and no `Header`.
    /// When the body cannot be encoded, a `Server` Fault is returned instead.
    pub fn respond(
        &self,
        operation: &'static Operation,
        write_body: &WriteXml<'_>,
    ) -> ServerResponse {
        match envelope::write_response_envelope(
            self.version,
            operation.response.namespace,
            write_body,
        ) {
            Ok(body) => ServerResponse {
                status: 200,
                content_type: self.version.content_type(),
                body,
            },
            Err(error) => self.fault(ServerFault::server(format!(
                "{}: failed to encode the response: {error}",
                operation.name
            ))),
        }
    }

    /// Writes `fault` as a Fault envelope of the request's SOAP version.
    ///
    /// The HTTP status is 500, except for a SOAP 1.2 `Sender` fault, which the SOAP 1.2
    /// HTTP binding sends with 400.
    pub fn fault(&self, fault: ServerFault) -> ServerResponse {
        fault.to_response(self.version)
    }
}

/// A Fault that a server returns.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code:?} fault: {message}")]
pub struct ServerFault {
    /// The fault code (`Client` and `Server` are written as `Sender` and `Receiver` in
    /// SOAP 1.2).
    pub code: FaultCode,
    /// The reason, written as `faultstring` (SOAP 1.1) or `Reason/Text` (SOAP 1.2).
    pub message: String,
    /// Raw XML for the `detail` element. The caller guarantees that it is well-formed and
    /// declares every prefix it uses.
    pub detail: Option<String>,
}

impl ServerFault {
    /// Builds a fault with `code` and `message` and no detail.
    pub fn new(code: FaultCode, message: impl Into<String>) -> Self {
        ServerFault {
            code,
            message: message.into(),
            detail: None,
        }
    }

    /// Builds a `Client` fault: the request is wrong and fails again if sent unchanged.
    pub fn client(message: impl Into<String>) -> Self {
        ServerFault::new(FaultCode::Client, message)
    }

    /// Builds a `Server` fault: the request may be valid, but processing it failed.
    pub fn server(message: impl Into<String>) -> Self {
        ServerFault::new(FaultCode::Server, message)
    }

    /// Adds raw XML for the `detail` element.
    pub fn with_detail(mut self, detail_xml: impl Into<String>) -> Self {
        self.detail = Some(detail_xml.into());
        self
    }

    /// Writes this fault as a response in `version`.
    pub fn to_response(&self, version: SoapVersion) -> ServerResponse {
        let code = format!("soapenv:{}", self.code.local_name(version));
        let message = escape_text(&self.message);
        let mut body = format!(
            r#"<soapenv:Envelope xmlns:soapenv="{}"><soapenv:Body><soapenv:Fault>"#,
            version.namespace()
        );
        match version {
            SoapVersion::Soap11 => {
                body.push_str(&format!(
                    "<faultcode>{code}</faultcode><faultstring>{message}</faultstring>"
                ));
                if let Some(detail) = &self.detail {
                    body.push_str(&format!("<detail>{detail}</detail>"));
                }
            }
            SoapVersion::Soap12 => {
                body.push_str(&format!(
                    "<soapenv:Code><soapenv:Value>{code}</soapenv:Value></soapenv:Code>\
                     <soapenv:Reason><soapenv:Text xml:lang=\"en\">{message}</soapenv:Text></soapenv:Reason>"
                ));
                if let Some(detail) = &self.detail {
                    body.push_str(&format!("<soapenv:Detail>{detail}</soapenv:Detail>"));
                }
            }
        }
        body.push_str("</soapenv:Fault></soapenv:Body></soapenv:Envelope>");
        let status = match (version, self.code) {
            (SoapVersion::Soap12, FaultCode::Client) => 400,
            _ => 500,
        };
        ServerResponse {
            status,
            content_type: version.content_type(),
            body,
        }
    }
}

impl From<DecodeError> for ServerFault {
    /// Converts a decode error into a `Client` fault, because a request that does not
    /// match the operation's input type is the client's fault.
    fn from(error: DecodeError) -> Self {
        ServerFault::client(format!("invalid request: {error}"))
    }
}

/// The status, content type and body that the HTTP layer sends back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerResponse {
    /// HTTP status code.
    pub status: u16,
    /// Value of the `Content-Type` header.
    pub content_type: &'static str,
    /// The envelope.
    pub body: String,
}

fn version_from_content_type(content_type: Option<&str>) -> Option<SoapVersion> {
    let media_type = content_type?.split(';').next()?.trim().to_ascii_lowercase();
    match media_type.as_str() {
        "application/soap+xml" => Some(SoapVersion::Soap12),
        "text/xml" => Some(SoapVersion::Soap11),
        _ => None,
    }
}

/// Reads the SOAP version from the envelope's namespace, if the body parses.
fn sniff_version(body: &[u8]) -> Option<SoapVersion> {
    let document = envelope::parse_document(body, DEFAULT_MAX_BODY_BYTES).ok()?;
    let namespace = document.root_element().tag_name().namespace()?;
    SoapVersion::from_namespace(namespace)
}

/// Rejects header blocks that carry `mustUnderstand="1"` (or `true`) in the envelope
/// namespace.
fn check_must_understand(
    header: roxmltree::Node<'_, '_>,
    version: SoapVersion,
) -> Result<(), ServerFault> {
    let namespace = match version {
        SoapVersion::Soap11 => SOAP11_NAMESPACE,
        SoapVersion::Soap12 => SOAP12_NAMESPACE,
    };
    for block in header.children().filter(roxmltree::Node::is_element) {
        let required = block
            .attribute((namespace, "mustUnderstand"))
            .is_some_and(|value| matches!(value.trim(), "1" | "true"));
        if required {
            let name = block.tag_name();
            let block_name = match name.namespace() {
                Some(namespace) => format!("{{{namespace}}}{}", name.name()),
                None => name.name().to_owned(),
            };
            return Err(ServerFault::new(
                FaultCode::MustUnderstand,
                format!(
                    "the header block {block_name} is marked mustUnderstand but is not supported"
                ),
            ));
        }
    }
    Ok(())
}

/// Removes the quotes (and backslash escapes) of an HTTP quoted-string, or trims an
/// unquoted value.
fn unquote(value: &str) -> String {
    let value = value.trim();
    let Some(inner) = value
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    else {
        return value.to_owned();
    };
    let mut unquoted = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(escaped) = chars.next() {
                unquoted.push(escaped);
            }
        } else {
            unquoted.push(c);
        }
    }
    unquoted
}

/// Returns the value of parameter `name` of a media type, unquoted.
fn media_type_parameter(content_type: &str, name: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (key, value) = parameter.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| unquote(value))
    })
}

/// Escapes text for element content, replacing characters that XML 1.0 cannot carry
/// with U+FFFD, so that a Fault can always be written.
fn escape_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '\t' | '\n' | '\r' => escaped.push(c),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => escaped.push('\u{fffd}'),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquote_forms() {
        assert_eq!(unquote(r#""urn:a""#), "urn:a");
        assert_eq!(unquote(r#""""#), "");
        assert_eq!(unquote(r#""a\"b""#), "a\"b");
        assert_eq!(unquote(" urn:b "), "urn:b");
    }

    #[test]
    fn action_parameter() {
        let content_type = r#"application/soap+xml; charset=utf-8; action="urn:x""#;
        assert_eq!(
            media_type_parameter(content_type, "action").as_deref(),
            Some("urn:x")
        );
        assert_eq!(media_type_parameter("text/xml", "action"), None);
    }

    #[test]
    fn escape_replaces_invalid_characters() {
        assert_eq!(
            escape_text("a<b & c>\u{1}\td"),
            "a&lt;b &amp; c&gt;\u{fffd}\td"
        );
    }
}
