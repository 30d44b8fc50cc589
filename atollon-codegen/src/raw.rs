//! Stage 1: XML documents to a raw WSDL/XSD model that mirrors them.
//!
//! Every QName in an attribute value (`type="tns:Item"`) is resolved against the
//! namespace declarations in scope at that element, so later stages never see prefixes.

use roxmltree::Node;

use crate::diag::{Diagnostics, Loc};

pub const XS: &str = "http://www.w3.org/2001/XMLSchema";
pub const WSDL: &str = "http://schemas.xmlsoap.org/wsdl/";
pub const SOAP11: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
pub const SOAP12: &str = "http://schemas.xmlsoap.org/wsdl/soap12/";

/// A resolved qualified name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QName {
    pub namespace: Option<String>,
    pub local: String,
}

impl QName {
    pub fn new(namespace: Option<&str>, local: &str) -> Self {
        QName {
            namespace: namespace.map(str::to_owned),
            local: local.to_owned(),
        }
    }
}

impl std::fmt::Display for QName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{{{ns}}}{}", self.local),
            None => f.write_str(&self.local),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaxOccurs {
    Bounded(u32),
    Unbounded,
}

#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub target_namespace: Option<String>,
    pub element_form_qualified: bool,
    pub attribute_form_qualified: bool,
    pub imports: Vec<SchemaRef>,
    pub includes: Vec<SchemaRef>,
    pub elements: Vec<Element>,
    pub complex_types: Vec<ComplexType>,
    pub simple_types: Vec<SimpleType>,
    pub groups: Vec<Group>,
    pub attribute_groups: Vec<AttributeGroup>,
    pub attributes: Vec<Attribute>,
}

#[derive(Clone, Debug)]
pub struct SchemaRef {
    pub namespace: Option<String>,
    pub location: Option<String>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct Element {
    pub name: Option<String>,
    pub reference: Option<QName>,
    pub type_name: Option<QName>,
    pub inline: Option<Box<InlineType>>,
    pub nillable: bool,
    /// `Some(true)` for `form="qualified"`.
    pub form: Option<bool>,
    pub substitution_group: Option<QName>,
    pub is_abstract: bool,
    pub doc: Option<String>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub enum InlineType {
    Complex(ComplexType),
    Simple(SimpleType),
}

#[derive(Clone, Debug)]
pub struct ComplexType {
    pub name: Option<String>,
    pub content: Content,
    pub doc: Option<String>,
    pub loc: Loc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Derivation {
    Extension,
    Restriction,
}

#[derive(Clone, Debug)]
pub enum Content {
    /// A particle directly in the complex type (or none: an empty or attribute-only type).
    Particles {
        particle: Option<Particle>,
        attributes: Vec<AttributeUse>,
        any_attribute: bool,
    },
    Simple {
        derivation: Derivation,
        base: Option<QName>,
        attributes: Vec<AttributeUse>,
        any_attribute: bool,
        loc: Loc,
    },
    Complex {
        derivation: Derivation,
        base: QName,
        particle: Option<Particle>,
        attributes: Vec<AttributeUse>,
        any_attribute: bool,
        loc: Loc,
    },
}

#[derive(Clone, Debug)]
pub struct Particle {
    pub term: Term,
    pub min: u32,
    pub max: MaxOccurs,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub enum Term {
    Element(Box<Element>),
    Sequence(Vec<Particle>),
    Choice(Vec<Particle>),
    All(Vec<Particle>),
    GroupRef(QName),
    Any,
}

#[derive(Clone, Debug)]
pub enum AttributeUse {
    Attribute(Attribute),
    GroupRef(QName, Loc),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    Optional,
    Required,
    Prohibited,
}

#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: Option<String>,
    pub reference: Option<QName>,
    pub type_name: Option<QName>,
    pub inline: Option<Box<SimpleType>>,
    pub use_: Use,
    pub default: Option<String>,
    pub fixed: Option<String>,
    pub form: Option<bool>,
    pub doc: Option<String>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct SimpleType {
    pub name: Option<String>,
    pub content: SimpleContent,
    pub doc: Option<String>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub enum SimpleContent {
    Restriction {
        base: Option<QName>,
        inline: Option<Box<SimpleType>>,
        enumeration: Vec<(String, Option<String>)>,
    },
    List {
        item: Option<QName>,
        inline: Option<Box<SimpleType>>,
    },
    Union {
        members: Vec<QName>,
        inline: Vec<SimpleType>,
    },
}

#[derive(Clone, Debug)]
pub struct Group {
    pub name: String,
    pub particle: Option<Particle>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct AttributeGroup {
    pub name: String,
    pub attributes: Vec<AttributeUse>,
    pub any_attribute: bool,
}

// ---------------------------------------------------------------------------------------
// WSDL

#[derive(Clone, Debug, Default)]
pub struct Definitions {
    pub target_namespace: Option<String>,
    pub imports: Vec<SchemaRef>,
    pub schemas: Vec<Schema>,
    pub messages: Vec<Message>,
    pub port_types: Vec<PortType>,
    pub bindings: Vec<Binding>,
    pub services: Vec<Service>,
    pub doc: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Message {
    pub name: String,
    pub parts: Vec<Part>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct Part {
    pub name: String,
    pub element: Option<QName>,
    pub type_name: Option<QName>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct PortType {
    pub name: String,
    pub operations: Vec<PortTypeOperation>,
    pub doc: Option<String>,
}

#[derive(Clone, Debug)]
pub struct PortTypeOperation {
    pub name: String,
    pub input: Option<(QName, Loc)>,
    pub output: Option<(QName, Loc)>,
    pub faults: Vec<(String, QName, Loc)>,
    pub doc: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SoapVersion {
    Soap11,
    Soap12,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Document,
    Rpc,
}

#[derive(Clone, Debug)]
pub struct Binding {
    pub name: String,
    pub port_type: QName,
    /// `None` for a binding that is not SOAP (HTTP or MIME), which the generator skips.
    pub version: Option<SoapVersion>,
    pub style: Style,
    pub operations: Vec<BindingOperation>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct BindingOperation {
    pub name: String,
    pub soap_action: Option<String>,
    pub style: Option<Style>,
    pub input: BindingIo,
    pub output: BindingIo,
    pub loc: Loc,
}

#[derive(Clone, Debug, Default)]
pub struct BindingIo {
    pub encoded: bool,
    /// Position of `soap:body`.
    pub body_loc: Loc,
    pub namespace: Option<String>,
    pub parts: Option<Vec<String>>,
    pub headers: Vec<Header>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct Header {
    pub message: QName,
    pub part: String,
    pub encoded: bool,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct Service {
    pub name: String,
    pub ports: Vec<Port>,
    pub doc: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Port {
    pub name: String,
    pub binding: QName,
    pub address: Option<String>,
    pub loc: Loc,
}

// ---------------------------------------------------------------------------------------
// Parsing

/// The byte offset at which each line of a document starts, to turn a node's offset into
/// a line and column by binary search. roxmltree's `Document::text_pos_at` rescans the
/// text from its start on every call, which made parsing quadratic in the file size.
pub struct LineIndex<'t> {
    text: &'t str,
    line_starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, line_starts }
    }

    /// 1-based line and column of byte offset `pos`, the column counted in characters,
    /// as `roxmltree::Document::text_pos_at` counts them.
    fn position(&self, pos: usize) -> (u32, u32) {
        let pos = pos.min(self.text.len());
        // The first entry is 0, so at least one line start is at or before `pos`.
        let line = self.line_starts.partition_point(|&start| start <= pos);
        let start = self.line_starts[line - 1];
        let column = self.text.get(start..pos).map_or(0, |s| s.chars().count()) + 1;
        (line as u32, column as u32)
    }
}

pub struct Parser<'d> {
    pub file: usize,
    pub lines: &'d LineIndex<'d>,
    pub diagnostics: &'d mut Diagnostics,
}

impl<'d> Parser<'d> {
    fn loc(&self, node: Node) -> Loc {
        let (line, column) = self.lines.position(node.range().start);
        Loc {
            file: self.file,
            line,
            column,
        }
    }

    fn error(&mut self, node: Node, message: impl Into<String>) {
        let loc = self.loc(node);
        self.diagnostics.error(loc, message);
    }

    /// Resolves the QName in attribute `attr` of `node`, reporting an undeclared prefix.
    fn qname_attr(&mut self, node: Node, attr: &str) -> Option<QName> {
        let value = node.attribute(attr)?;
        self.resolve_qname(node, attr, value)
    }

    fn resolve_qname(&mut self, node: Node, attr: &str, value: &str) -> Option<QName> {
        let value = value.trim();
        let (prefix, local) = match value.split_once(':') {
            Some((prefix, local)) => (Some(prefix), local),
            None => (None, value),
        };
        let namespace = match prefix {
            // The `xml` prefix is bound by definition and never declared.
            Some("xml") => Some("http://www.w3.org/XML/1998/namespace".to_owned()),
            Some(prefix) => match node.lookup_namespace_uri(Some(prefix)) {
                Some(ns) => Some(ns.to_owned()),
                None => {
                    self.error(
                        node,
                        format!("undeclared namespace prefix `{prefix}` in {attr}=\"{value}\""),
                    );
                    return None;
                }
            },
            None => node.lookup_namespace_uri(None).map(str::to_owned),
        };
        Some(QName {
            namespace,
            local: local.to_owned(),
        })
    }

    fn occurs(&mut self, node: Node) -> (u32, MaxOccurs) {
        let min = match node.attribute("minOccurs") {
            None => 1,
            Some(v) => v.trim().parse().unwrap_or_else(|_| {
                self.error(
                    node,
                    format!("invalid minOccurs=\"{v}\": expected a non-negative integer"),
                );
                1
            }),
        };
        let max = match node.attribute("maxOccurs").map(str::trim) {
            None => MaxOccurs::Bounded(1),
            Some("unbounded") => MaxOccurs::Unbounded,
            Some(v) => match v.parse() {
                Ok(n) => MaxOccurs::Bounded(n),
                Err(_) => {
                    self.error(
                        node,
                        format!("invalid maxOccurs=\"{v}\": expected an integer or `unbounded`"),
                    );
                    MaxOccurs::Bounded(1)
                }
            },
        };
        (min, max)
    }
}

fn is(node: Node, ns: &str, local: &str) -> bool {
    node.is_element() && node.tag_name().namespace() == Some(ns) && node.tag_name().name() == local
}

fn is_xs(node: Node, local: &str) -> bool {
    is(node, XS, local)
}

fn elements<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(|n| n.is_element())
}

fn flag(node: Node, attr: &str) -> bool {
    matches!(
        node.attribute(attr).map(str::trim),
        Some("true") | Some("1")
    )
}

fn form(node: Node) -> Option<bool> {
    node.attribute("form").map(|f| f.trim() == "qualified")
}

/// Text of `xs:annotation/xs:documentation` (or `wsdl:documentation`) children, joined.
fn documentation(node: Node) -> Option<String> {
    let mut parts = Vec::new();
    for child in elements(node) {
        if is_xs(child, "annotation") {
            for doc in elements(child).filter(|n| is_xs(*n, "documentation")) {
                parts.push(all_text(doc));
            }
        } else if is(child, WSDL, "documentation") {
            parts.push(all_text(child));
        }
    }
    let joined = parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    (!joined.is_empty()).then_some(joined)
}

fn all_text(node: Node) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

impl<'d> Parser<'d> {
    pub fn schema(&mut self, node: Node) -> Schema {
        let mut schema = Schema {
            target_namespace: node.attribute("targetNamespace").map(str::to_owned),
            element_form_qualified: node.attribute("elementFormDefault") == Some("qualified"),
            attribute_form_qualified: node.attribute("attributeFormDefault") == Some("qualified"),
            ..Schema::default()
        };
        for child in elements(node) {
            if child.tag_name().namespace() != Some(XS) {
                continue;
            }
            match child.tag_name().name() {
                "import" => schema.imports.push(SchemaRef {
                    namespace: child.attribute("namespace").map(str::to_owned),
                    location: child.attribute("schemaLocation").map(str::to_owned),
                    loc: self.loc(child),
                }),
                "include" | "redefine" => schema.includes.push(SchemaRef {
                    namespace: None,
                    location: child.attribute("schemaLocation").map(str::to_owned),
                    loc: self.loc(child),
                }),
                "element" => schema.elements.push(self.element(child)),
                "complexType" => schema.complex_types.push(self.complex_type(child)),
                "simpleType" => schema.simple_types.push(self.simple_type(child)),
                "group" => {
                    let particle = elements(child)
                        .find(|n| is_xs(*n, "sequence") || is_xs(*n, "choice") || is_xs(*n, "all"))
                        .and_then(|n| self.particle(n));
                    schema.groups.push(Group {
                        name: child.attribute("name").unwrap_or_default().to_owned(),
                        particle,
                        loc: self.loc(child),
                    });
                }
                "attributeGroup" => {
                    let (attributes, any_attribute) = self.attribute_uses(child);
                    schema.attribute_groups.push(AttributeGroup {
                        name: child.attribute("name").unwrap_or_default().to_owned(),
                        attributes,
                        any_attribute,
                    });
                }
                "attribute" => schema.attributes.push(self.attribute(child)),
                "annotation" | "notation" => {}
                other => self.error(
                    child,
                    format!("unsupported XML Schema construct `xs:{other}`"),
                ),
            }
        }
        schema
    }

    fn element(&mut self, node: Node) -> Element {
        let inline = elements(node).find_map(|child| {
            if is_xs(child, "complexType") {
                Some(Box::new(InlineType::Complex(self.complex_type(child))))
            } else if is_xs(child, "simpleType") {
                Some(Box::new(InlineType::Simple(self.simple_type(child))))
            } else {
                None
            }
        });
        Element {
            name: node.attribute("name").map(str::to_owned),
            reference: self.qname_attr(node, "ref"),
            type_name: self.qname_attr(node, "type"),
            inline,
            nillable: flag(node, "nillable"),
            form: form(node),
            substitution_group: self.qname_attr(node, "substitutionGroup"),
            is_abstract: flag(node, "abstract"),
            doc: documentation(node),
            loc: self.loc(node),
        }
    }

    fn complex_type(&mut self, node: Node) -> ComplexType {
        let mut content = None;
        for child in elements(node) {
            if is_xs(child, "simpleContent") || is_xs(child, "complexContent") {
                let simple = is_xs(child, "simpleContent");
                let Some(derivation_node) =
                    elements(child).find(|n| is_xs(*n, "extension") || is_xs(*n, "restriction"))
                else {
                    self.error(
                        child,
                        "content model without xs:extension or xs:restriction",
                    );
                    continue;
                };
                let derivation = if is_xs(derivation_node, "extension") {
                    Derivation::Extension
                } else {
                    Derivation::Restriction
                };
                let base = self.qname_attr(derivation_node, "base");
                let (attributes, any_attribute) = self.attribute_uses(derivation_node);
                let loc = self.loc(derivation_node);
                content = Some(if simple {
                    Content::Simple {
                        derivation,
                        base,
                        attributes,
                        any_attribute,
                        loc,
                    }
                } else {
                    let particle = self.first_particle(derivation_node);
                    match base {
                        Some(base) => Content::Complex {
                            derivation,
                            base,
                            particle,
                            attributes,
                            any_attribute,
                            loc,
                        },
                        None => {
                            self.error(
                                derivation_node,
                                "xs:complexContent derivation without a base",
                            );
                            Content::Particles {
                                particle,
                                attributes,
                                any_attribute,
                            }
                        }
                    }
                });
            }
        }
        let content = content.unwrap_or_else(|| {
            let particle = self.first_particle(node);
            let (attributes, any_attribute) = self.attribute_uses(node);
            Content::Particles {
                particle,
                attributes,
                any_attribute,
            }
        });
        ComplexType {
            name: node.attribute("name").map(str::to_owned),
            content,
            doc: documentation(node),
            loc: self.loc(node),
        }
    }

    fn first_particle(&mut self, node: Node) -> Option<Particle> {
        let child = elements(node).find(|n| {
            is_xs(*n, "sequence") || is_xs(*n, "choice") || is_xs(*n, "all") || is_xs(*n, "group")
        })?;
        self.particle(child)
    }

    fn particle(&mut self, node: Node) -> Option<Particle> {
        let (min, max) = self.occurs(node);
        let loc = self.loc(node);
        let term = match node.tag_name().name() {
            "element" => Term::Element(Box::new(self.element(node))),
            "sequence" | "choice" | "all" => {
                let children = elements(node)
                    .filter(|n| {
                        n.tag_name().namespace() == Some(XS) && n.tag_name().name() != "annotation"
                    })
                    .filter_map(|n| self.particle(n))
                    .collect();
                match node.tag_name().name() {
                    "sequence" => Term::Sequence(children),
                    "choice" => Term::Choice(children),
                    _ => Term::All(children),
                }
            }
            "group" => Term::GroupRef(self.qname_attr(node, "ref")?),
            "any" => Term::Any,
            other => {
                self.error(node, format!("unsupported particle `xs:{other}`"));
                return None;
            }
        };
        Some(Particle {
            term,
            min,
            max,
            loc,
        })
    }

    fn attribute_uses(&mut self, node: Node) -> (Vec<AttributeUse>, bool) {
        let mut uses = Vec::new();
        let mut any = false;
        for child in elements(node) {
            if is_xs(child, "attribute") {
                uses.push(AttributeUse::Attribute(self.attribute(child)));
            } else if is_xs(child, "attributeGroup") {
                if let Some(q) = self.qname_attr(child, "ref") {
                    uses.push(AttributeUse::GroupRef(q, self.loc(child)));
                }
            } else if is_xs(child, "anyAttribute") {
                any = true;
            }
        }
        (uses, any)
    }

    fn attribute(&mut self, node: Node) -> Attribute {
        let use_ = match node.attribute("use") {
            Some("required") => Use::Required,
            Some("prohibited") => Use::Prohibited,
            _ => Use::Optional,
        };
        let inline = elements(node)
            .find(|n| is_xs(*n, "simpleType"))
            .map(|n| Box::new(self.simple_type(n)));
        Attribute {
            name: node.attribute("name").map(str::to_owned),
            reference: self.qname_attr(node, "ref"),
            type_name: self.qname_attr(node, "type"),
            inline,
            use_,
            default: node.attribute("default").map(str::to_owned),
            fixed: node.attribute("fixed").map(str::to_owned),
            form: form(node),
            doc: documentation(node),
            loc: self.loc(node),
        }
    }

    fn simple_type(&mut self, node: Node) -> SimpleType {
        let mut content = SimpleContent::Restriction {
            base: None,
            inline: None,
            enumeration: Vec::new(),
        };
        for child in elements(node) {
            if is_xs(child, "restriction") {
                let inline = elements(child)
                    .find(|n| is_xs(*n, "simpleType"))
                    .map(|n| Box::new(self.simple_type(n)));
                let enumeration = elements(child)
                    .filter(|n| is_xs(*n, "enumeration"))
                    .map(|n| {
                        (
                            n.attribute("value").unwrap_or_default().to_owned(),
                            documentation(n),
                        )
                    })
                    .collect();
                content = SimpleContent::Restriction {
                    base: self.qname_attr(child, "base"),
                    inline,
                    enumeration,
                };
            } else if is_xs(child, "list") {
                let inline = elements(child)
                    .find(|n| is_xs(*n, "simpleType"))
                    .map(|n| Box::new(self.simple_type(n)));
                content = SimpleContent::List {
                    item: self.qname_attr(child, "itemType"),
                    inline,
                };
            } else if is_xs(child, "union") {
                let members = child
                    .attribute("memberTypes")
                    .unwrap_or_default()
                    .split_ascii_whitespace()
                    .filter_map(|m| self.resolve_qname(child, "memberTypes", m))
                    .collect();
                let inline = elements(child)
                    .filter(|n| is_xs(*n, "simpleType"))
                    .map(|n| self.simple_type(n))
                    .collect();
                content = SimpleContent::Union { members, inline };
            }
        }
        SimpleType {
            name: node.attribute("name").map(str::to_owned),
            content,
            doc: documentation(node),
            loc: self.loc(node),
        }
    }

    pub fn definitions(&mut self, node: Node) -> Definitions {
        let mut defs = Definitions {
            target_namespace: node.attribute("targetNamespace").map(str::to_owned),
            doc: documentation(node),
            ..Definitions::default()
        };
        for child in elements(node) {
            if child.tag_name().namespace() != Some(WSDL) {
                continue;
            }
            match child.tag_name().name() {
                "import" => defs.imports.push(SchemaRef {
                    namespace: child.attribute("namespace").map(str::to_owned),
                    location: child.attribute("location").map(str::to_owned),
                    loc: self.loc(child),
                }),
                "types" => {
                    for schema in elements(child).filter(|n| is_xs(*n, "schema")) {
                        defs.schemas.push(self.schema(schema));
                    }
                }
                "message" => defs.messages.push(self.message(child)),
                "portType" => defs.port_types.push(self.port_type(child)),
                "binding" => {
                    if let Some(binding) = self.binding(child) {
                        defs.bindings.push(binding);
                    }
                }
                "service" => defs.services.push(self.service(child)),
                _ => {}
            }
        }
        defs
    }

    fn message(&mut self, node: Node) -> Message {
        let parts = elements(node)
            .filter(|n| is(*n, WSDL, "part"))
            .map(|n| Part {
                name: n.attribute("name").unwrap_or_default().to_owned(),
                element: self.qname_attr(n, "element"),
                type_name: self.qname_attr(n, "type"),
                loc: self.loc(n),
            })
            .collect();
        Message {
            name: node.attribute("name").unwrap_or_default().to_owned(),
            parts,
            loc: self.loc(node),
        }
    }

    fn port_type(&mut self, node: Node) -> PortType {
        let mut operations = Vec::new();
        for op in elements(node).filter(|n| is(*n, WSDL, "operation")) {
            let mut input = None;
            let mut output = None;
            let mut faults = Vec::new();
            for io in elements(op) {
                if is(io, WSDL, "input") {
                    input = self.qname_attr(io, "message").map(|q| (q, self.loc(io)));
                } else if is(io, WSDL, "output") {
                    output = self.qname_attr(io, "message").map(|q| (q, self.loc(io)));
                } else if is(io, WSDL, "fault") {
                    if let Some(message) = self.qname_attr(io, "message") {
                        let name = io.attribute("name").unwrap_or(&message.local).to_owned();
                        faults.push((name, message, self.loc(io)));
                    }
                }
            }
            operations.push(PortTypeOperation {
                name: op.attribute("name").unwrap_or_default().to_owned(),
                input,
                output,
                faults,
                doc: documentation(op),
            });
        }
        PortType {
            name: node.attribute("name").unwrap_or_default().to_owned(),
            operations,
            doc: documentation(node),
        }
    }

    fn binding(&mut self, node: Node) -> Option<Binding> {
        let port_type = self.qname_attr(node, "type")?;
        let soap = elements(node).find(|n| is(*n, SOAP11, "binding") || is(*n, SOAP12, "binding"));
        let version = soap.map(|n| {
            if n.tag_name().namespace() == Some(SOAP12) {
                SoapVersion::Soap12
            } else {
                SoapVersion::Soap11
            }
        });
        let style = match soap.and_then(|n| n.attribute("style")) {
            Some("rpc") => Style::Rpc,
            _ => Style::Document,
        };
        let mut operations = Vec::new();
        for op in elements(node).filter(|n| is(*n, WSDL, "operation")) {
            let soap_op =
                elements(op).find(|n| is(*n, SOAP11, "operation") || is(*n, SOAP12, "operation"));
            let mut input = BindingIo::default();
            let mut output = BindingIo::default();
            for io in elements(op) {
                if is(io, WSDL, "input") {
                    input = self.binding_io(io);
                } else if is(io, WSDL, "output") {
                    output = self.binding_io(io);
                }
            }
            operations.push(BindingOperation {
                name: op.attribute("name").unwrap_or_default().to_owned(),
                soap_action: soap_op
                    .and_then(|n| n.attribute("soapAction"))
                    .map(str::to_owned),
                style: soap_op.and_then(|n| n.attribute("style")).map(|s| {
                    if s == "rpc" {
                        Style::Rpc
                    } else {
                        Style::Document
                    }
                }),
                input,
                output,
                loc: self.loc(op),
            });
        }
        Some(Binding {
            name: node.attribute("name").unwrap_or_default().to_owned(),
            port_type,
            version,
            style,
            operations,
            loc: self.loc(node),
        })
    }

    fn binding_io(&mut self, node: Node) -> BindingIo {
        let mut io = BindingIo {
            loc: self.loc(node),
            ..BindingIo::default()
        };
        for child in elements(node) {
            let soap = child.tag_name().namespace() == Some(SOAP11)
                || child.tag_name().namespace() == Some(SOAP12);
            if !soap {
                continue;
            }
            let encoded = child.attribute("use") == Some("encoded");
            match child.tag_name().name() {
                "body" => {
                    io.encoded = encoded;
                    io.body_loc = self.loc(child);
                    io.namespace = child.attribute("namespace").map(str::to_owned);
                    io.parts = child
                        .attribute("parts")
                        .map(|p| p.split_ascii_whitespace().map(str::to_owned).collect());
                }
                "header" => {
                    if let Some(message) = self.qname_attr(child, "message") {
                        io.headers.push(Header {
                            message,
                            part: child.attribute("part").unwrap_or_default().to_owned(),
                            encoded,
                            loc: self.loc(child),
                        });
                    }
                }
                _ => {}
            }
        }
        io
    }

    fn service(&mut self, node: Node) -> Service {
        let mut ports = Vec::new();
        for port in elements(node).filter(|n| is(*n, WSDL, "port")) {
            let Some(binding) = self.qname_attr(port, "binding") else {
                continue;
            };
            let address = elements(port)
                .find(|n| n.tag_name().name() == "address")
                .and_then(|n| n.attribute("location"))
                .map(str::to_owned);
            ports.push(Port {
                name: port.attribute("name").unwrap_or_default().to_owned(),
                binding,
                address,
                loc: self.loc(port),
            });
        }
        Service {
            name: node.attribute("name").unwrap_or_default().to_owned(),
            ports,
            doc: documentation(node),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn line_index_positions() {
        // Line 3 starts at byte 11, and `é` takes two bytes but one column.
        let text = "<a>\n  <b/>\n\u{e9}<c/></a>";
        let lines = LineIndex::new(text);
        assert_eq!(lines.position(0), (1, 1));
        assert_eq!(lines.position(6), (2, 3));
        assert_eq!(lines.position(11), (3, 1));
        assert_eq!(lines.position(13), (3, 2));
        assert_eq!(lines.position(text.len() + 5), (3, 10));
    }

    #[test]
    fn line_index_matches_roxmltree() {
        let text = "<a>\n  <b/>\r\n\u{e9}\u{e9}<c x='1'/>\n\n<d/></a>";
        let document = roxmltree::Document::parse(text).unwrap();
        let lines = LineIndex::new(text);
        for node in document.descendants() {
            let expected = document.text_pos_at(node.range().start);
            assert_eq!(
                lines.position(node.range().start),
                (expected.row, expected.col),
                "offset {}",
                node.range().start
            );
        }
    }
}
