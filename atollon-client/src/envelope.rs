//! SOAP 1.1 and 1.2 envelopes: writing requests, parsing responses and reading Faults.
//!
//! Requests are written the way Atollon's published examples are: the envelope uses the
//! prefix `soapenv`, the operation namespace is declared with the prefix `wsdl` on the root,
//! and an empty `soapenv:Header` precedes the `soapenv:Body`. Responses are parsed with
//! roxmltree with DTDs rejected, so no entity is ever expanded.

use std::fmt;

use crate::xml::{EncodeError, Name, XmlWriter};

/// Namespace of the SOAP 1.1 envelope.
pub const SOAP11_NAMESPACE: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// Namespace of the SOAP 1.2 envelope.
pub const SOAP12_NAMESPACE: &str = "http://www.w3.org/2003/05/soap-envelope";

/// Namespace bound to the reserved `xml` prefix (used by `xml:lang` on SOAP 1.2 Fault texts).
const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// Default maximum size of a SOAP message body in bytes (32 MiB), for responses read by the
/// client and for requests read by [`ServerRequest`](crate::server::ServerRequest).
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// A closure that writes XML content (a SOAP header or body) into an [`XmlWriter`].
///
/// Generated code passes closures such as `&|w| w.element(NAME, &request)`. The lifetime
/// lets the closure borrow local values such as the request.
pub type WriteXml<'a> = dyn Fn(&mut XmlWriter) -> Result<(), EncodeError> + Sync + 'a;

/// The SOAP version of a binding, which fixes the envelope namespace and the HTTP headers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SoapVersion {
    /// SOAP 1.1: `text/xml` with a separate `SOAPAction` header. Atollon uses this version.
    #[default]
    Soap11,
    /// SOAP 1.2: `application/soap+xml` with the action as a media-type parameter.
    Soap12,
}

impl SoapVersion {
    /// Returns the envelope namespace of this version.
    pub const fn namespace(self) -> &'static str {
        match self {
            SoapVersion::Soap11 => SOAP11_NAMESPACE,
            SoapVersion::Soap12 => SOAP12_NAMESPACE,
        }
    }

    /// Returns the version whose envelope namespace is `namespace`, if any.
    pub fn from_namespace(namespace: &str) -> Option<Self> {
        match namespace {
            SOAP11_NAMESPACE => Some(SoapVersion::Soap11),
            SOAP12_NAMESPACE => Some(SoapVersion::Soap12),
            _ => None,
        }
    }

    /// Returns the media type of messages of this version, without parameters.
    pub const fn media_type(self) -> &'static str {
        match self {
            SoapVersion::Soap11 => "text/xml",
            SoapVersion::Soap12 => "application/soap+xml",
        }
    }

    /// Returns the `Content-Type` of a response, or of a request that carries no action.
    pub const fn content_type(self) -> &'static str {
        match self {
            SoapVersion::Soap11 => "text/xml; charset=utf-8",
            SoapVersion::Soap12 => "application/soap+xml; charset=utf-8",
        }
    }

    /// Builds the `Content-Type` of a request for `soap_action`.
    ///
    /// SOAP 1.1 carries the action in the `SOAPAction` header instead, so its content type
    /// is always `text/xml; charset=utf-8`. SOAP 1.2 adds `; action="..."` unless the action
    /// is empty.
    pub fn request_content_type(self, soap_action: &str) -> String {
        match self {
            SoapVersion::Soap12 if !soap_action.is_empty() => {
                format!("{}; action={}", self.content_type(), quote(soap_action))
            }
            _ => self.content_type().to_owned(),
        }
    }

    /// Builds the value of the `SOAPAction` header for `soap_action`: the action as a quoted
    /// string (`""` when empty) for SOAP 1.1, and `None` for SOAP 1.2, which has no such
    /// header.
    pub fn soap_action_header(self, soap_action: &str) -> Option<String> {
        match self {
            SoapVersion::Soap11 => Some(quote(soap_action)),
            SoapVersion::Soap12 => None,
        }
    }

    fn name(self, local: &'static str) -> Name {
        Name::new(Some(self.namespace()), local)
    }
}

impl fmt::Display for SoapVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SoapVersion::Soap11 => f.write_str("SOAP 1.1"),
            SoapVersion::Soap12 => f.write_str("SOAP 1.2"),
        }
    }
}

/// Writes `value` as an HTTP quoted-string: in double quotes, with `"` and `\` escaped.
fn quote(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

/// Writes a request envelope the way Atollon's published requests look.
///
/// The envelope element uses the prefix `soapenv`. `operation_namespace` (the namespace of
/// the request's body element) is declared with the prefix `wsdl` on the root, so the body
/// element is written as `wsdl:Operation` with unqualified children. An empty
/// `soapenv:Header` is written when `header` is `None`, as in the published requests.
pub fn write_envelope(
    version: SoapVersion,
    operation_namespace: Option<&'static str>,
    header: Option<&WriteXml<'_>>,
    body: &WriteXml<'_>,
) -> Result<String, EncodeError> {
    let mut writer = XmlWriter::with_capacity(2048);
    writer.declare_namespace("soapenv", version.namespace());
    if let Some(namespace) = operation_namespace {
        writer.declare_namespace("wsdl", namespace);
    }
    writer.start(version.name("Envelope"))?;
    writer.start(version.name("Header"))?;
    if let Some(header) = header {
        header(&mut writer)?;
    }
    writer.end()?;
    writer.start(version.name("Body"))?;
    body(&mut writer)?;
    writer.end()?;
    writer.end()?;
    Ok(writer.into_string())
}

/// Writes a response envelope the way Atollon's published responses look: envelope prefix
/// `ns0`, the operation namespace declared as `ns1` on the root, and no `Header`.
pub fn write_response_envelope(
    version: SoapVersion,
    operation_namespace: Option<&'static str>,
    body: &WriteXml<'_>,
) -> Result<String, EncodeError> {
    let mut writer = XmlWriter::with_capacity(2048);
    writer.declare_namespace("ns0", version.namespace());
    if let Some(namespace) = operation_namespace {
        writer.declare_namespace("ns1", namespace);
    }
    writer.start(version.name("Envelope"))?;
    writer.start(version.name("Body"))?;
    body(&mut writer)?;
    writer.end()?;
    writer.end()?;
    Ok(writer.into_string())
}

/// The reason a message body could not be read as a SOAP envelope.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// The body has no content at all (or only whitespace).
    #[error("the body is empty")]
    Empty,
    /// The body is larger than the configured limit.
    #[error("the body of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Size of the body in bytes.
        size: usize,
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The body is not UTF-8, the only encoding the parser reads.
    #[error("the body is not valid UTF-8 (invalid byte at offset {offset})")]
    NotUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// The document contains a document type declaration.
    #[error("the document contains a DTD, which is rejected so that no entity is expanded")]
    DtdRejected,
    /// Elements are nested deeper than [`MAX_DEPTH`](crate::xml::MAX_DEPTH).
    #[error("elements are nested more than {limit} levels deep (at byte {offset}), which is rejected so that parsing cannot overflow the stack")]
    TooDeep {
        /// Byte offset of the first element past the limit.
        offset: usize,
        /// The limit.
        limit: usize,
    },
    /// The body is not well-formed XML (for example an HTML page, or a cut-off document).
    #[error("the body is not well-formed XML: {0}")]
    Xml(#[source] roxmltree::Error),
    /// The root element is not a SOAP 1.1 or 1.2 `Envelope`.
    #[error("the root element is {found}, not a SOAP 1.1 or SOAP 1.2 Envelope")]
    NotEnvelope {
        /// The root element, as `{namespace}local` or `local`.
        found: String,
    },
    /// The envelope has no `Body` child.
    #[error("the {version} Envelope has no Body element")]
    MissingBody {
        /// Version of the envelope.
        version: SoapVersion,
    },
    /// The `Body` contains no element.
    #[error("the {version} Body contains no element")]
    EmptyBody {
        /// Version of the envelope.
        version: SoapVersion,
    },
}

/// Parses `body` as an XML document: UTF-8, at most `max_bytes` long, DTDs rejected.
pub fn parse_document(
    body: &[u8],
    max_bytes: usize,
) -> Result<roxmltree::Document<'_>, EnvelopeError> {
    if body.len() > max_bytes {
        return Err(EnvelopeError::TooLarge {
            size: body.len(),
            limit: max_bytes,
        });
    }
    let text = std::str::from_utf8(body).map_err(|error| EnvelopeError::NotUtf8 {
        offset: error.valid_up_to(),
    })?;
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err(EnvelopeError::Empty);
    }
    crate::xml::check_depth(text, crate::xml::MAX_DEPTH).map_err(|offset| {
        EnvelopeError::TooDeep {
            offset,
            limit: crate::xml::MAX_DEPTH,
        }
    })?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(text, options).map_err(|error| match error {
        roxmltree::Error::DtdDetected => EnvelopeError::DtdRejected,
        other => EnvelopeError::Xml(other),
    })
}

/// The parts of a parsed SOAP envelope.
#[derive(Clone, Copy, Debug)]
pub struct Envelope<'a, 'input> {
    /// Version given by the envelope's namespace.
    pub version: SoapVersion,
    /// The `Envelope` element.
    pub root: roxmltree::Node<'a, 'input>,
    /// The `Header` element, if present.
    pub header: Option<roxmltree::Node<'a, 'input>>,
    /// The `Body` element.
    pub body: roxmltree::Node<'a, 'input>,
}

impl<'a, 'input> Envelope<'a, 'input> {
    /// Locates the envelope, header and body in `document`.
    pub fn from_document(document: &'a roxmltree::Document<'input>) -> Result<Self, EnvelopeError> {
        let root = document.root_element();
        let version = root
            .tag_name()
            .namespace()
            .and_then(SoapVersion::from_namespace)
            .filter(|_| root.tag_name().name() == "Envelope")
            .ok_or_else(|| EnvelopeError::NotEnvelope {
                found: describe_element(root),
            })?;
        let namespace = version.namespace();
        let child = |local: &str| {
            root.children().find(|node| {
                node.is_element()
                    && node.tag_name().name() == local
                    && node.tag_name().namespace() == Some(namespace)
            })
        };
        let body = child("Body").ok_or(EnvelopeError::MissingBody { version })?;
        Ok(Envelope {
            version,
            root,
            header: child("Header"),
            body,
        })
    }

    /// Returns the first element child of `Body`, normally the operation's wrapper element
    /// or a `Fault`.
    pub fn first_body_element(&self) -> Option<roxmltree::Node<'a, 'input>> {
        self.body.children().find(roxmltree::Node::is_element)
    }

    /// Reads the `Fault` in `Body`, if the first element of `Body` is one.
    pub fn fault(&self) -> Option<Fault> {
        let element = self.first_body_element()?;
        let is_fault = element.tag_name().name() == "Fault"
            && element.tag_name().namespace() == Some(self.version.namespace());
        if !is_fault {
            return None;
        }
        Some(match self.version {
            SoapVersion::Soap11 => Fault::from_soap11(element),
            SoapVersion::Soap12 => Fault::from_soap12(element),
        })
    }
}

/// Describes an element as `{namespace}local`, or `local` when it has no namespace.
fn describe_element(node: roxmltree::Node<'_, '_>) -> String {
    match node.tag_name().namespace() {
        Some(namespace) => format!("{{{namespace}}}{}", node.tag_name().name()),
        None => node.tag_name().name().to_owned(),
    }
}

/// A standard SOAP fault code. SOAP 1.1 calls the last two `Client` and `Server`, SOAP 1.2
/// calls them `Sender` and `Receiver`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaultCode {
    /// The envelope namespace was not the one the receiver expected.
    VersionMismatch,
    /// A header block marked `mustUnderstand` was not understood.
    MustUnderstand,
    /// The message was wrong (SOAP 1.1 `Client`, SOAP 1.2 `Sender`): sending it again
    /// unchanged fails again.
    Client,
    /// The receiver failed to process a valid message (SOAP 1.1 `Server`, SOAP 1.2
    /// `Receiver`).
    Server,
}

impl FaultCode {
    /// Returns the local name of the code in `version`.
    pub const fn local_name(self, version: SoapVersion) -> &'static str {
        match (self, version) {
            (FaultCode::VersionMismatch, _) => "VersionMismatch",
            (FaultCode::MustUnderstand, _) => "MustUnderstand",
            (FaultCode::Client, SoapVersion::Soap11) => "Client",
            (FaultCode::Client, SoapVersion::Soap12) => "Sender",
            (FaultCode::Server, SoapVersion::Soap11) => "Server",
            (FaultCode::Server, SoapVersion::Soap12) => "Receiver",
        }
    }

    /// Maps a local name of the envelope namespace to a code. SOAP 1.1 also allows dotted
    /// refinements such as `Client.Authentication`, which map to their first part.
    fn from_local_name(local: &str, version: SoapVersion) -> Option<Self> {
        let base = match version {
            SoapVersion::Soap11 => local.split('.').next().unwrap_or(local),
            SoapVersion::Soap12 => local,
        };
        match (base, version) {
            ("VersionMismatch", _) => Some(FaultCode::VersionMismatch),
            ("MustUnderstand", _) => Some(FaultCode::MustUnderstand),
            ("Client", SoapVersion::Soap11) | ("Sender", SoapVersion::Soap12) => {
                Some(FaultCode::Client)
            }
            ("Server", SoapVersion::Soap11) | ("Receiver", SoapVersion::Soap12) => {
                Some(FaultCode::Server)
            }
            _ => None,
        }
    }
}

/// A SOAP Fault read from a response.
///
/// Missing parts are read as empty strings or `None` rather than rejected, so that a
/// sloppy Fault is still reported as a Fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// Version of the envelope that carried the Fault.
    pub version: SoapVersion,
    /// The fault code as written, a QName such as `soapenv:Server` (SOAP 1.1 `faultcode`,
    /// SOAP 1.2 `Code/Value`).
    pub code: String,
    /// The standard code that `code` resolves to, if its prefix is bound to the envelope
    /// namespace and its local name is a standard one.
    pub kind: Option<FaultCode>,
    /// SOAP 1.2 `Subcode/Value` QNames as written, outermost first (empty for SOAP 1.1).
    pub subcodes: Vec<String>,
    /// The human-readable reason (SOAP 1.1 `faultstring`, SOAP 1.2 `Reason/Text`, the
    /// English one where several languages are given).
    pub reason: String,
    /// The URI of the node that raised the fault (SOAP 1.1 `faultactor`, SOAP 1.2 `Role`).
    pub actor: Option<String>,
    /// SOAP 1.2 `Node`: the URI of the node that generated the fault.
    pub node: Option<String>,
    /// The content of `detail` (SOAP 1.1) or `Detail` (SOAP 1.2) as raw XML.
    ///
    /// NOTE: the XML is cut from the response as written, so a prefix declared on an
    /// ancestor (such as the envelope) is not declared inside it.
    pub detail: Option<String>,
}

impl Fault {
    fn from_soap11(fault: roxmltree::Node<'_, '_>) -> Self {
        // SOAP 1.1 puts the Fault's children in no namespace; some servers qualify them,
        // so they are matched by local name only.
        let child = |local: &str| {
            fault
                .children()
                .find(|node| node.is_element() && node.tag_name().name() == local)
        };
        let code_element = child("faultcode");
        let code = code_element.map(element_text).unwrap_or_default();
        Fault {
            version: SoapVersion::Soap11,
            kind: code_element.and_then(|node| resolve_code(node, &code, SoapVersion::Soap11)),
            code,
            subcodes: Vec::new(),
            reason: child("faultstring").map(element_text).unwrap_or_default(),
            actor: child("faultactor").map(element_text),
            node: None,
            detail: child("detail").and_then(inner_xml),
        }
    }

    fn from_soap12(fault: roxmltree::Node<'_, '_>) -> Self {
        let version = SoapVersion::Soap12;
        let code_element = soap12_child(fault, "Code");
        let value_element = code_element.and_then(|code| soap12_child(code, "Value"));
        let code = value_element.map(element_text).unwrap_or_default();

        let mut subcodes = Vec::new();
        let mut parent = code_element;
        while let Some(subcode) = parent.and_then(|node| soap12_child(node, "Subcode")) {
            if let Some(value) = soap12_child(subcode, "Value") {
                subcodes.push(element_text(value));
            }
            parent = Some(subcode);
        }

        Fault {
            version,
            kind: value_element.and_then(|node| resolve_code(node, &code, version)),
            code,
            subcodes,
            reason: soap12_child(fault, "Reason")
                .map(soap12_reason)
                .unwrap_or_default(),
            actor: soap12_child(fault, "Role").map(element_text),
            node: soap12_child(fault, "Node").map(element_text),
            detail: soap12_child(fault, "Detail").and_then(inner_xml),
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        for subcode in &self.subcodes {
            write!(f, " / {subcode}")?;
        }
        write!(f, ": {}", self.reason)?;
        if let Some(actor) = &self.actor {
            write!(f, " (actor {actor})")?;
        }
        Ok(())
    }
}

fn soap12_child<'a, 'input>(
    parent: roxmltree::Node<'a, 'input>,
    local: &str,
) -> Option<roxmltree::Node<'a, 'input>> {
    parent.children().find(|node| {
        node.is_element()
            && node.tag_name().name() == local
            && node.tag_name().namespace() == Some(SOAP12_NAMESPACE)
    })
}

/// Picks the English `Text` of a SOAP 1.2 `Reason`, or the first one.
fn soap12_reason(reason: roxmltree::Node<'_, '_>) -> String {
    let texts: Vec<_> = reason
        .children()
        .filter(|node| {
            node.is_element()
                && node.tag_name().name() == "Text"
                && node.tag_name().namespace() == Some(SOAP12_NAMESPACE)
        })
        .collect();
    let english = texts.iter().find(|text| {
        text.attribute((XML_NAMESPACE, "lang"))
            .is_some_and(|lang| lang.eq_ignore_ascii_case("en") || lang.starts_with("en-"))
    });
    english
        .or(texts.first())
        .map(|text| element_text(*text))
        .unwrap_or_default()
}

/// Resolves the QName `code`, written in `node`, to a standard fault code.
fn resolve_code(
    node: roxmltree::Node<'_, '_>,
    code: &str,
    version: SoapVersion,
) -> Option<FaultCode> {
    let (prefix, local) = match code.split_once(':') {
        Some((prefix, local)) => (Some(prefix), local),
        None => (None, code),
    };
    let namespace = node.lookup_namespace_uri(prefix)?;
    if namespace != version.namespace() {
        return None;
    }
    FaultCode::from_local_name(local, version)
}

/// Returns the text of `node` and its descendants, trimmed.
pub(crate) fn element_text(node: roxmltree::Node<'_, '_>) -> String {
    let text: String = node
        .descendants()
        .filter(roxmltree::Node::is_text)
        .filter_map(|text| text.text())
        .collect();
    text.trim().to_owned()
}

/// Returns the content of `node` as written in the document, or `None` when it is empty.
fn inner_xml(node: roxmltree::Node<'_, '_>) -> Option<String> {
    let first = node.first_child()?;
    let last = node.last_child()?;
    let input = node.document().input_text();
    let content = input.get(first.range().start..last.range().end)?.trim();
    if content.is_empty() {
        None
    } else {
        Some(content.to_owned())
    }
}

#[cfg(test)]
mod depth_tests {
    use super::*;

    #[test]
    fn deep_document_rejected_before_parsing() {
        let body = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
        let error = parse_document(body.as_bytes(), DEFAULT_MAX_BODY_BYTES).unwrap_err();
        assert!(
            matches!(
                error,
                EnvelopeError::TooDeep {
                    offset: 768,
                    limit: 256
                }
            ),
            "{error}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> roxmltree::Document<'_> {
        match parse_document(text.as_bytes(), DEFAULT_MAX_BODY_BYTES) {
            Ok(document) => document,
            Err(error) => panic!("test document does not parse: {error}"),
        }
    }

    #[test]
    fn soap11_headers() {
        let version = SoapVersion::Soap11;
        assert_eq!(
            version.request_content_type("urn:x"),
            "text/xml; charset=utf-8"
        );
        assert_eq!(
            version.soap_action_header("urn:x").as_deref(),
            Some("\"urn:x\"")
        );
        assert_eq!(version.soap_action_header("").as_deref(), Some("\"\""));
    }

    #[test]
    fn soap12_headers() {
        let version = SoapVersion::Soap12;
        assert_eq!(
            version.request_content_type("urn:x"),
            "application/soap+xml; charset=utf-8; action=\"urn:x\""
        );
        assert_eq!(
            version.request_content_type(""),
            "application/soap+xml; charset=utf-8"
        );
        assert_eq!(version.soap_action_header("urn:x"), None);
    }

    #[test]
    fn action_quoting_escapes() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
    }

    #[test]
    fn document_limits() {
        let too_large = parse_document(b"<a/>", 3);
        assert!(matches!(
            too_large,
            Err(EnvelopeError::TooLarge { size: 4, limit: 3 })
        ));
        assert!(matches!(
            parse_document(b"  \n", 100),
            Err(EnvelopeError::Empty)
        ));
        assert!(matches!(
            parse_document(b"<a>\xff</a>", 100),
            Err(EnvelopeError::NotUtf8 { offset: 3 })
        ));
        let dtd = b"<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>";
        assert!(matches!(
            parse_document(dtd, 1000),
            Err(EnvelopeError::DtdRejected)
        ));
    }

    #[test]
    fn envelope_rejects_html() {
        let document = parse("<html><body>Bad gateway</body></html>");
        let error = Envelope::from_document(&document).err();
        assert!(matches!(error, Some(EnvelopeError::NotEnvelope { ref found }) if found == "html"));
    }

    #[test]
    fn envelope_without_body() {
        let document = parse(r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"/>"#);
        let error = Envelope::from_document(&document).err();
        assert!(matches!(
            error,
            Some(EnvelopeError::MissingBody {
                version: SoapVersion::Soap12
            })
        ));
    }

    #[test]
    fn soap11_fault_parts() {
        let document = parse(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
                 <s:Body><s:Fault>
                   <faultcode>s:Client.Authentication</faultcode>
                   <faultstring>Session expired</faultstring>
                   <faultactor>urn:gate</faultactor>
                   <detail><code xmlns="urn:e">17</code></detail>
                 </s:Fault></s:Body></s:Envelope>"#,
        );
        let envelope = Envelope::from_document(&document).ok();
        let fault = envelope.and_then(|envelope| envelope.fault());
        let Some(fault) = fault else {
            panic!("no Fault found");
        };
        assert_eq!(fault.version, SoapVersion::Soap11);
        assert_eq!(fault.code, "s:Client.Authentication");
        assert_eq!(fault.kind, Some(FaultCode::Client));
        assert_eq!(fault.reason, "Session expired");
        assert_eq!(fault.actor.as_deref(), Some("urn:gate"));
        assert_eq!(
            fault.detail.as_deref(),
            Some(r#"<code xmlns="urn:e">17</code>"#)
        );
    }

    #[test]
    fn soap12_fault_parts() {
        let document = parse(
            r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:a="urn:app">
                 <env:Body><env:Fault>
                   <env:Code><env:Value>env:Sender</env:Value>
                     <env:Subcode><env:Value>a:BadId</env:Value>
                       <env:Subcode><env:Value>a:Negative</env:Value></env:Subcode>
                     </env:Subcode>
                   </env:Code>
                   <env:Reason>
                     <env:Text xml:lang="cs">Chybné id</env:Text>
                     <env:Text xml:lang="en">Invalid id</env:Text>
                   </env:Reason>
                   <env:Node>urn:node</env:Node>
                   <env:Role>urn:role</env:Role>
                   <env:Detail><a:id>-1</a:id></env:Detail>
                 </env:Fault></env:Body></env:Envelope>"#,
        );
        let envelope = Envelope::from_document(&document).ok();
        let Some(fault) = envelope.and_then(|envelope| envelope.fault()) else {
            panic!("no Fault found");
        };
        assert_eq!(fault.version, SoapVersion::Soap12);
        assert_eq!(fault.code, "env:Sender");
        assert_eq!(fault.kind, Some(FaultCode::Client));
        assert_eq!(
            fault.subcodes,
            vec!["a:BadId".to_owned(), "a:Negative".to_owned()]
        );
        assert_eq!(fault.reason, "Invalid id");
        assert_eq!(fault.node.as_deref(), Some("urn:node"));
        assert_eq!(fault.actor.as_deref(), Some("urn:role"));
        assert_eq!(fault.detail.as_deref(), Some("<a:id>-1</a:id>"));
    }

    #[test]
    fn fault_code_unbound_prefix() {
        let document = parse(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:x="urn:x">
                 <s:Body><s:Fault><faultcode>x:Server</faultcode><faultstring/></s:Fault></s:Body>
               </s:Envelope>"#,
        );
        let envelope = Envelope::from_document(&document).ok();
        let Some(fault) = envelope.and_then(|envelope| envelope.fault()) else {
            panic!("no Fault found");
        };
        assert_eq!(fault.code, "x:Server");
        assert_eq!(fault.kind, None);
        assert_eq!(fault.reason, "");
        assert_eq!(fault.detail, None);
    }

    #[test]
    fn body_element_not_fault() {
        let document = parse(
            r#"<ns0:Envelope xmlns:ns0="http://schemas.xmlsoap.org/soap/envelope/"
                 xmlns:ns1="http://atollon.com/enterprise/wsdl">
                 <ns0:Body><ns1:CheckWorkflowQueueResponse><result>OK</result>
                 </ns1:CheckWorkflowQueueResponse></ns0:Body></ns0:Envelope>"#,
        );
        let Ok(envelope) = Envelope::from_document(&document) else {
            panic!("envelope not recognised");
        };
        assert!(envelope.fault().is_none());
        assert!(envelope.header.is_none());
        let first = envelope
            .first_body_element()
            .map(|node| node.tag_name().name());
        assert_eq!(first, Some("CheckWorkflowQueueResponse"));
    }
}
