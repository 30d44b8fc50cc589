use std::borrow::Cow;

use super::{EncodeError, Name, SimpleValue, WriteElement};

/// An element whose start tag has been written, with what is needed to close it.
struct OpenElement {
    /// Index into `XmlWriter::prefixes`, or `None` for an unqualified element.
    prefix: Option<usize>,
    local: Cow<'static, str>,
    /// Number of namespace bindings that this element added to the scope.
    bindings: usize,
    has_content: bool,
}

/// Writes XML into a `String`, binding namespace prefixes as elements need them.
///
/// Unqualified names are written without a prefix, which is correct because the writer
/// never declares a default namespace. A qualified name reuses the nearest prefix bound
/// to its namespace, or binds a new one (`ns0`, `ns1`, ...) on the element that needs it.
pub struct XmlWriter {
    out: String,
    /// Prefix spellings; `OpenElement::prefix` and `scope` point into it.
    prefixes: Vec<Cow<'static, str>>,
    /// Bindings in scope, innermost last: (namespace, index into `prefixes`).
    scope: Vec<(Cow<'static, str>, usize)>,
    stack: Vec<OpenElement>,
    /// Bindings requested with `declare_namespace`, written on the next start tag.
    pending: Vec<(&'static str, &'static str)>,
    /// True while the last start tag is still open (`<a x="1"` without its `>`).
    tag_open: bool,
    generated_prefixes: usize,
    /// Reused buffer for the lexical form of simple values, so that writing one does not
    /// allocate.
    text_buffer: String,
}

impl Default for XmlWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl XmlWriter {
    /// Creates an empty writer.
    pub fn new() -> Self {
        Self::with_capacity(1024)
    }

    /// Creates an empty writer whose buffer starts with `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            out: String::with_capacity(capacity),
            prefixes: Vec::new(),
            scope: Vec::new(),
            // Room for the nesting of a SOAP request (Envelope, Body, operation, a few
            // levels of content) without growing.
            stack: Vec::with_capacity(8),
            pending: Vec::new(),
            tag_open: false,
            generated_prefixes: 0,
            text_buffer: String::new(),
        }
    }

    /// Binds `prefix` to `namespace` on the next element started, so that the envelope
    /// root can declare the prefixes a reader expects (`soapenv`, `wsdl`).
    pub fn declare_namespace(&mut self, prefix: &'static str, namespace: &'static str) {
        self.pending.push((prefix, namespace));
    }

    /// Writes the start tag of `name`; attributes may follow until content starts.
    pub fn start(&mut self, name: Name) -> Result<(), EncodeError> {
        self.start_dynamic(name.namespace.map(Cow::Borrowed), Cow::Borrowed(name.local))
    }

    /// Writes the start tag of an element whose name is only known at run time, such as
    /// one kept by [`AnyElement`](super::AnyElement).
    pub fn start_dynamic(
        &mut self,
        namespace: Option<Cow<'static, str>>,
        local: Cow<'static, str>,
    ) -> Result<(), EncodeError> {
        self.begin_content();
        let mut bindings = 0;
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            for (prefix, ns) in &pending {
                self.push_binding(Cow::Borrowed(ns), Cow::Borrowed(prefix));
                bindings += 1;
            }
        }
        let prefix = match namespace {
            None => None,
            Some(ns) => match self.lookup(&ns) {
                Some(index) => Some(index),
                None => {
                    let prefix = self.next_prefix();
                    let index = self.push_binding(ns, prefix);
                    bindings += 1;
                    Some(index)
                }
            },
        };
        self.out.push('<');
        if let Some(index) = prefix {
            self.out.push_str(&self.prefixes[index]);
            self.out.push(':');
        }
        self.out.push_str(&local);
        // Declare the bindings this element introduced, in the order they were added.
        let first_new = self.scope.len() - bindings;
        for i in first_new..self.scope.len() {
            let (ns, index) = &self.scope[i];
            self.out.push_str(" xmlns:");
            self.out.push_str(&self.prefixes[*index]);
            self.out.push_str("=\"");
            escape_into(&mut self.out, ns, true);
            self.out.push('"');
        }
        self.stack.push(OpenElement {
            prefix,
            local,
            bindings,
            has_content: false,
        });
        self.tag_open = true;
        Ok(())
    }

    /// Writes an attribute on the element just started.
    pub fn attribute(&mut self, name: Name, value: &str) -> Result<(), EncodeError> {
        self.attribute_dynamic(name.namespace.map(Cow::Borrowed), name.local, value)
    }

    /// Writes an attribute whose name is only known at run time.
    pub fn attribute_dynamic(
        &mut self,
        namespace: Option<Cow<'static, str>>,
        local: &str,
        value: &str,
    ) -> Result<(), EncodeError> {
        if !self.tag_open {
            return Err(EncodeError::AttributeAfterContent {
                path: self.path(),
                attribute: local.to_owned(),
            });
        }
        if let Some(invalid) = first_invalid_char(value) {
            return Err(EncodeError::InvalidCharacter {
                path: format!("{}/@{local}", self.path()),
                character: invalid,
            });
        }
        let prefix = match namespace {
            None => None,
            Some(ns) => match self.lookup(&ns) {
                Some(index) => Some(index),
                None => {
                    let prefix = self.next_prefix();
                    let index = self.push_binding(ns.clone(), prefix);
                    if let Some(open) = self.stack.last_mut() {
                        open.bindings += 1;
                    }
                    self.out.push_str(" xmlns:");
                    self.out.push_str(&self.prefixes[index]);
                    self.out.push_str("=\"");
                    escape_into(&mut self.out, &ns, true);
                    self.out.push('"');
                    Some(index)
                }
            },
        };
        self.out.push(' ');
        if let Some(index) = prefix {
            self.out.push_str(&self.prefixes[index]);
            self.out.push(':');
        }
        self.out.push_str(local);
        self.out.push_str("=\"");
        escape_into(&mut self.out, value, true);
        self.out.push('"');
        Ok(())
    }

    /// Writes escaped character data into the current element.
    pub fn text(&mut self, text: &str) -> Result<(), EncodeError> {
        if let Some(invalid) = first_invalid_char(text) {
            return Err(EncodeError::InvalidCharacter {
                path: self.path(),
                character: invalid,
            });
        }
        self.begin_content();
        escape_into(&mut self.out, text, false);
        Ok(())
    }

    /// Appends already serialised XML as it is. The caller guarantees that it is
    /// well-formed and that every prefix it uses is bound inside it.
    pub fn raw(&mut self, xml: &str) {
        self.begin_content();
        self.out.push_str(xml);
    }

    /// Closes the innermost open element, as `<a/>` when it got no content.
    pub fn end(&mut self) -> Result<(), EncodeError> {
        let open = self.stack.pop().ok_or(EncodeError::Unbalanced)?;
        if self.tag_open && !open.has_content {
            self.out.push_str("/>");
            self.tag_open = false;
        } else {
            self.out.push_str("</");
            if let Some(index) = open.prefix {
                self.out.push_str(&self.prefixes[index]);
                self.out.push(':');
            }
            self.out.push_str(&open.local);
            self.out.push('>');
        }
        let keep = self.scope.len() - open.bindings;
        self.scope.truncate(keep);
        Ok(())
    }

    /// Writes `value` as the element `name`.
    pub fn element<T: WriteElement + ?Sized>(
        &mut self,
        name: Name,
        value: &T,
    ) -> Result<(), EncodeError> {
        value.write_element(self, name)
    }

    /// Writes `value` as the element `name` when it is present, and nothing otherwise.
    pub fn element_opt<T: WriteElement>(
        &mut self,
        name: Name,
        value: &Option<T>,
    ) -> Result<(), EncodeError> {
        match value {
            Some(value) => value.write_element(self, name),
            None => Ok(()),
        }
    }

    /// Writes one element `name` per value.
    pub fn element_vec<T: WriteElement>(
        &mut self,
        name: Name,
        values: &[T],
    ) -> Result<(), EncodeError> {
        values.iter().try_for_each(|v| v.write_element(self, name))
    }

    /// Writes a simple value as the text content of the current element.
    pub fn simple_text<T: SimpleValue>(&mut self, value: &T) -> Result<(), EncodeError> {
        let mut text = std::mem::take(&mut self.text_buffer);
        text.clear();
        value.write_text(&mut text);
        let result = self.text(&text);
        self.text_buffer = text;
        result
    }

    /// Writes a simple value as an element with only text content.
    pub fn simple_element<T: SimpleValue>(
        &mut self,
        name: Name,
        value: &T,
    ) -> Result<(), EncodeError> {
        self.start(name)?;
        self.simple_text(value)?;
        self.end()
    }

    /// Writes a simple value as an attribute.
    pub fn attribute_value<T: SimpleValue>(
        &mut self,
        name: Name,
        value: &T,
    ) -> Result<(), EncodeError> {
        let mut text = std::mem::take(&mut self.text_buffer);
        text.clear();
        value.write_text(&mut text);
        let result = self.attribute(name, &text);
        self.text_buffer = text;
        result
    }

    /// Writes an optional attribute when it is present.
    pub fn attribute_opt<T: SimpleValue>(
        &mut self,
        name: Name,
        value: &Option<T>,
    ) -> Result<(), EncodeError> {
        match value {
            Some(value) => self.attribute_value(name, value),
            None => Ok(()),
        }
    }

    /// Path of the open elements, such as `Envelope/Body/CreateContact`, for errors.
    pub fn path(&self) -> String {
        let mut path = String::new();
        for (i, open) in self.stack.iter().enumerate() {
            if i > 0 {
                path.push('/');
            }
            path.push_str(&open.local);
        }
        path
    }

    /// The XML written so far.
    pub fn as_str(&self) -> &str {
        &self.out
    }

    /// Consumes the writer and returns the XML.
    pub fn into_string(self) -> String {
        self.out
    }

    fn begin_content(&mut self) {
        if self.tag_open {
            self.out.push('>');
            self.tag_open = false;
        }
        if let Some(open) = self.stack.last_mut() {
            open.has_content = true;
        }
    }

    fn lookup(&self, namespace: &str) -> Option<usize> {
        self.scope
            .iter()
            .rev()
            .find(|(ns, _)| ns == namespace)
            .map(|(_, index)| *index)
            // A prefix rebound further in shadows the outer binding of the same spelling.
            .filter(|index| {
                let spelling = &self.prefixes[*index];
                let innermost = self
                    .scope
                    .iter()
                    .rev()
                    .find(|(_, i)| &self.prefixes[*i] == spelling)
                    .map(|(ns, _)| ns.as_ref());
                innermost == Some(namespace)
            })
    }

    fn push_binding(&mut self, namespace: Cow<'static, str>, prefix: Cow<'static, str>) -> usize {
        let index = match self.prefixes.iter().position(|p| *p == prefix) {
            Some(index) => index,
            None => {
                self.prefixes.push(prefix);
                self.prefixes.len() - 1
            }
        };
        self.scope.push((namespace, index));
        index
    }

    fn next_prefix(&mut self) -> Cow<'static, str> {
        loop {
            let candidate = format!("ns{}", self.generated_prefixes);
            self.generated_prefixes += 1;
            let in_scope = self
                .scope
                .iter()
                .any(|(_, index)| self.prefixes[*index] == candidate);
            if !in_scope {
                return Cow::Owned(candidate);
            }
        }
    }
}

/// Returns the first character that XML 1.0's `Char` production excludes.
fn first_invalid_char(text: &str) -> Option<char> {
    // Every excluded character is a byte below 0x20 or, for U+FFFE and U+FFFF, a UTF-8
    // sequence that starts with 0xEF. Text with neither byte, the usual case, needs no
    // decoding.
    let suspect = text
        .bytes()
        .fold(false, |found, byte| found | (byte < 0x20) | (byte == 0xEF));
    if !suspect {
        return None;
    }
    text.chars().find(|&c| {
        let code = c as u32;
        (code < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || code == 0xFFFE || code == 0xFFFF
    })
}

/// Escapes `text` for element content, or for a double-quoted attribute value, where
/// tabs and line breaks are written as references so that attribute-value normalisation
/// does not turn them into spaces.
fn escape_into(out: &mut String, text: &str, attribute: bool) {
    let needs_escape = |byte: u8| match byte {
        b'&' | b'<' | b'>' | b'\r' => true,
        b'"' | b'\t' | b'\n' => attribute,
        _ => false,
    };
    // Most values need no escaping: find the first byte that does in one tight loop.
    let Some(first) = text.bytes().position(needs_escape) else {
        out.push_str(text);
        return;
    };
    let mut last = 0;
    for (i, byte) in text.bytes().enumerate().skip(first) {
        let replacement = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'\r' => "&#13;",
            b'"' if attribute => "&quot;",
            b'\t' if attribute => "&#9;",
            b'\n' if attribute => "&#10;",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(replacement);
        last = i + 1;
    }
    out.push_str(&text[last..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = "urn:a";

    #[test]
    fn qualified_root_unqualified_children() {
        let mut w = XmlWriter::new();
        w.declare_namespace("wsdl", NS);
        w.start(Name::new(Some(NS), "Op")).unwrap();
        w.start(Name::unqualified("server")).unwrap();
        w.text("acme").unwrap();
        w.end().unwrap();
        w.start(Name::unqualified("empty")).unwrap();
        w.end().unwrap();
        w.end().unwrap();
        assert_eq!(
            w.as_str(),
            r#"<wsdl:Op xmlns:wsdl="urn:a"><server>acme</server><empty/></wsdl:Op>"#
        );
    }

    #[test]
    fn new_namespace_gets_generated_prefix() {
        let mut w = XmlWriter::new();
        w.start(Name::new(Some(NS), "a")).unwrap();
        w.start(Name::new(Some("urn:b"), "b")).unwrap();
        w.end().unwrap();
        w.start(Name::new(Some("urn:b"), "c")).unwrap();
        w.end().unwrap();
        w.end().unwrap();
        assert_eq!(
            w.as_str(),
            r#"<ns0:a xmlns:ns0="urn:a"><ns1:b xmlns:ns1="urn:b"/><ns2:c xmlns:ns2="urn:b"/></ns0:a>"#
        );
    }

    #[test]
    fn escapes_text_and_attributes() {
        let mut w = XmlWriter::new();
        w.start(Name::unqualified("a")).unwrap();
        w.attribute(Name::unqualified("x"), "\"<&>\t\n").unwrap();
        w.text("a<b & c>d\r").unwrap();
        w.end().unwrap();
        assert_eq!(
            w.as_str(),
            "<a x=\"&quot;&lt;&amp;&gt;&#9;&#10;\">a&lt;b &amp; c&gt;d&#13;</a>"
        );
    }

    #[test]
    fn control_character_names_path() {
        let mut w = XmlWriter::new();
        w.start(Name::unqualified("PERSON")).unwrap();
        w.start(Name::unqualified("name1")).unwrap();
        let err = w.text("Pe\u{1}tra").unwrap_err();
        assert_eq!(
            err,
            EncodeError::InvalidCharacter {
                path: "PERSON/name1".into(),
                character: '\u{1}'
            }
        );
    }

    #[test]
    fn attribute_after_content_rejected() {
        let mut w = XmlWriter::new();
        w.start(Name::unqualified("a")).unwrap();
        w.text("x").unwrap();
        assert!(matches!(
            w.attribute(Name::unqualified("y"), "1"),
            Err(EncodeError::AttributeAfterContent { .. })
        ));
    }

    #[test]
    fn qualified_attribute_binds_prefix() {
        let mut w = XmlWriter::new();
        w.start(Name::unqualified("a")).unwrap();
        w.attribute(Name::new(Some(crate::xml::XSI_NAMESPACE), "nil"), "true")
            .unwrap();
        w.end().unwrap();
        assert_eq!(
            w.as_str(),
            r#"<a xmlns:ns0="http://www.w3.org/2001/XMLSchema-instance" ns0:nil="true"/>"#
        );
    }
}
