//! A compact description of the generated API: every port, operation, type and field with
//! its XML name, Rust type and occurrence. Snapshot tests keep its text form, and
//! contract diffs compare two of them.

use std::fmt::Write as _;

use crate::emit::{EmitOptions, Emitter};
use crate::ir::{Body, Builtin, FieldKind, Occurs, TypeId, TypeKind, TypeRef, XmlName};
use crate::rust_model::RustModule;

/// The generated API of all modules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Api {
    /// One entry per generated module, in input order.
    pub modules: Vec<ApiModule>,
}

/// The generated API of one module (one entry WSDL file).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiModule {
    /// Rust module name.
    pub name: String,
    /// Ports, each with its client type and operations.
    pub ports: Vec<ApiPort>,
    /// Types, sorted by Rust name.
    pub types: Vec<ApiType>,
}

/// One port of a service.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiPort {
    /// `wsdl:service` name.
    pub service: String,
    /// `wsdl:port` name.
    pub port: String,
    /// Rust client type name.
    pub client: String,
    /// Operations in binding order.
    pub operations: Vec<ApiOperation>,
}

/// One operation of a port.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiOperation {
    /// Operation name in the WSDL.
    pub name: String,
    /// Rust method name.
    pub method: String,
    /// `soapAction`, possibly empty.
    pub soap_action: String,
    /// Request body element as `{namespace}local`, or empty for no body.
    pub input_element: String,
    /// Rust type of the request, or `()`.
    pub input_type: String,
    /// Response body element as `{namespace}local`, or empty for no body.
    pub output_element: String,
    /// Rust type of the response, or `()`.
    pub output_type: String,
    /// Declared fault names.
    pub faults: Vec<String>,
}

/// What kind of Rust item a type becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ApiTypeKind {
    /// A struct read from and written as one element.
    Struct,
    /// A struct of elements without a wrapper.
    Group,
    /// An enum with one variant per `xs:choice` alternative.
    Choice,
    /// An enum of the values of an enumeration.
    Enumeration,
    /// A type alias.
    Alias,
    /// A list alias.
    List,
}

/// One generated type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiType {
    /// Rust name.
    pub name: String,
    /// QName of the definition it comes from, as `{namespace}local`.
    pub qname: String,
    /// Kind of Rust item.
    pub kind: ApiTypeKind,
    /// Fields, variants, or for an enumeration its values.
    pub fields: Vec<ApiField>,
}

/// Where a field's value is in the XML.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ApiFieldKind {
    /// A child element.
    Element,
    /// An attribute.
    Attribute,
    /// The element's text content.
    Text,
    /// Nested elements without a wrapper (a choice or repeated sequence).
    Group,
    /// An `xs:any` or `xs:anyAttribute` wildcard.
    Wildcard,
    /// One value of an enumeration.
    Value,
}

/// One field of a struct, variant of a choice, or value of an enumeration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiField {
    /// Rust field or variant name.
    pub name: String,
    /// XML name as `{namespace}local` (or the value, for an enumeration).
    pub xml_name: String,
    /// Where the value is in the XML.
    pub kind: ApiFieldKind,
    /// XML Schema type: a built-in such as `xs:long`, or the QName of a schema type.
    pub xsd_type: String,
    /// Rust type of the field, with `Option`, `Vec`, `Box` and `Nillable` as generated.
    pub rust_type: String,
    /// Minimum occurrence.
    pub min: u32,
    /// Maximum occurrence, `None` for unbounded.
    pub max: Option<u32>,
    /// Whether the element may be `xsi:nil`.
    pub nillable: bool,
}

impl Api {
    /// One line per port, operation, type and field, in a stable order, for reviews and
    /// snapshot tests.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for module in &self.modules {
            for port in &module.ports {
                let _ = writeln!(
                    out,
                    "{}::{} (service {}, port {})",
                    module.name, port.client, port.service, port.port
                );
                for op in &port.operations {
                    let _ = writeln!(
                        out,
                        "  fn {}({}) -> {}  [{} -> {}]{}",
                        op.method,
                        op.input_type,
                        op.output_type,
                        op.name,
                        op.output_element,
                        if op.faults.is_empty() {
                            String::new()
                        } else {
                            format!(" faults: {}", op.faults.join(", "))
                        }
                    );
                }
            }
            for ty in &module.types {
                let _ = writeln!(
                    out,
                    "{}::{} {:?} {}",
                    module.name, ty.name, ty.kind, ty.qname
                );
                for field in &ty.fields {
                    let max = field.max.map_or("*".to_owned(), |m| m.to_string());
                    let _ = writeln!(
                        out,
                        "  {}: {}  {:?} {} {} [{}..{}]{}",
                        field.name,
                        field.rust_type,
                        field.kind,
                        field.xml_name,
                        field.xsd_type,
                        field.min,
                        max,
                        if field.nillable { " nillable" } else { "" }
                    );
                }
            }
        }
        out
    }
}

fn xml_name(name: &XmlName) -> String {
    match &name.namespace {
        Some(ns) => format!("{{{ns}}}{}", name.local),
        None => name.local.clone(),
    }
}

fn occurs(occurs: Occurs) -> (u32, Option<u32>) {
    match occurs {
        Occurs::One => (1, Some(1)),
        Occurs::Optional => (0, Some(1)),
        Occurs::Many { min, max } => (min, max),
    }
}

/// The XML Schema name of a built-in mapping; string-like types all show as `xs:string`.
pub(crate) fn builtin_name(builtin: Builtin) -> &'static str {
    match builtin {
        Builtin::String => "xs:string",
        Builtin::Boolean => "xs:boolean",
        Builtin::Decimal => "xs:decimal",
        Builtin::Integer => "xs:integer",
        Builtin::I8 => "xs:byte",
        Builtin::I16 => "xs:short",
        Builtin::I32 => "xs:int",
        Builtin::I64 => "xs:long",
        Builtin::U8 => "xs:unsignedByte",
        Builtin::U16 => "xs:unsignedShort",
        Builtin::U32 => "xs:unsignedInt",
        Builtin::U64 => "xs:unsignedLong",
        Builtin::F32 => "xs:float",
        Builtin::F64 => "xs:double",
        Builtin::DateTime => "xs:dateTime",
        Builtin::Date => "xs:date",
        Builtin::Time => "xs:time",
        Builtin::Base64Binary => "xs:base64Binary",
        Builtin::HexBinary => "xs:hexBinary",
        Builtin::StringList => "xs:NMTOKENS",
        Builtin::AnyType => "xs:anyType",
    }
}

fn tokens_text(tokens: proc_macro2::TokenStream) -> String {
    // Short names read better in a summary; the full paths are in the generated code.
    let mut text: String = tokens
        .to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for prefix in [
        "::core::option::",
        "::std::string::",
        "::std::vec::",
        "::std::boxed::",
        "__rt::",
    ] {
        text = text.replace(prefix, "");
    }
    text.replace(',', ", ")
}

pub(crate) fn module_api(module: &RustModule, name: &str, options: &EmitOptions<'_>) -> ApiModule {
    let emitter = Emitter { module, options };
    let xsd_type = |ty: TypeRef| match ty {
        TypeRef::Builtin(b) => builtin_name(b).to_owned(),
        TypeRef::Type(id) => {
            let t = &module.ir.types[id.0];
            if t.class == crate::ir::NameClass::NamedType {
                t.qname.to_string()
            } else {
                format!("anonymous {}", module.type_names[id.0])
            }
        }
    };
    let mut types = Vec::new();
    for (i, ty) in module.ir.types.iter().enumerate() {
        let id = TypeId(i);
        let type_name = module.type_names[i].clone();
        let (kind, fields) = match &ty.kind {
            TypeKind::Struct(def) | TypeKind::Particles(def) => {
                let mut fields = Vec::new();
                for (a, attribute) in def.attributes.iter().enumerate() {
                    let rust = tokens_text(emitter.type_ref(attribute.ty));
                    fields.push(ApiField {
                        name: module.attribute_names[i][a].clone(),
                        xml_name: format!("@{}", xml_name(&attribute.name)),
                        kind: ApiFieldKind::Attribute,
                        xsd_type: xsd_type(attribute.ty),
                        rust_type: if attribute.required || attribute.fixed.is_some() {
                            rust
                        } else {
                            format!("Option<{rust}>")
                        },
                        min: u32::from(attribute.required),
                        max: Some(1),
                        nillable: false,
                    });
                }
                if let (Some(text), Some(value)) = (def.text, &module.text_name[i]) {
                    fields.push(ApiField {
                        name: value.clone(),
                        xml_name: "text()".to_owned(),
                        kind: ApiFieldKind::Text,
                        xsd_type: xsd_type(text),
                        rust_type: tokens_text(emitter.type_ref(text)),
                        min: 1,
                        max: Some(1),
                        nillable: false,
                    });
                }
                for (f, field) in def.fields.iter().enumerate() {
                    fields.push(api_field(
                        &emitter,
                        id,
                        f,
                        field,
                        &module.field_names[i][f],
                        &xsd_type,
                    ));
                }
                let kind = if matches!(ty.kind, TypeKind::Struct(_)) {
                    ApiTypeKind::Struct
                } else {
                    ApiTypeKind::Group
                };
                (kind, fields)
            }
            TypeKind::Choice(variants) => {
                let fields = variants
                    .iter()
                    .enumerate()
                    .map(|(f, field)| {
                        api_field(&emitter, id, f, field, &module.field_names[i][f], &xsd_type)
                    })
                    .collect();
                (ApiTypeKind::Choice, fields)
            }
            TypeKind::Enum { base, values } => {
                let fields = values
                    .iter()
                    .enumerate()
                    .map(|(v, (value, _))| ApiField {
                        name: module.field_names[i][v].clone(),
                        xml_name: value.clone(),
                        kind: ApiFieldKind::Value,
                        xsd_type: xsd_type(*base),
                        rust_type: String::new(),
                        min: 1,
                        max: Some(1),
                        nillable: false,
                    })
                    .collect();
                (ApiTypeKind::Enumeration, fields)
            }
            TypeKind::Union(members) => {
                let fields = members
                    .iter()
                    .enumerate()
                    .map(|(m, member)| ApiField {
                        name: module.field_names[i][m].clone(),
                        xml_name: String::new(),
                        kind: ApiFieldKind::Text,
                        xsd_type: xsd_type(*member),
                        rust_type: tokens_text(emitter.type_ref(*member)),
                        min: 1,
                        max: Some(1),
                        nillable: false,
                    })
                    .collect();
                (ApiTypeKind::Choice, fields)
            }
            TypeKind::Alias { target, .. } => (
                ApiTypeKind::Alias,
                vec![ApiField {
                    name: String::new(),
                    xml_name: String::new(),
                    kind: ApiFieldKind::Text,
                    xsd_type: xsd_type(*target),
                    rust_type: tokens_text(emitter.type_ref(*target)),
                    min: 1,
                    max: Some(1),
                    nillable: false,
                }],
            ),
            TypeKind::List(item) => (
                ApiTypeKind::List,
                vec![ApiField {
                    name: String::new(),
                    xml_name: String::new(),
                    kind: ApiFieldKind::Text,
                    xsd_type: xsd_type(*item),
                    rust_type: tokens_text(emitter.type_ref(*item)),
                    min: 0,
                    max: None,
                    nillable: false,
                }],
            ),
            TypeKind::Pending => continue,
        };
        types.push(ApiType {
            name: type_name,
            qname: ty.qname.to_string(),
            kind,
            fields,
        });
    }
    types.sort_by(|a, b| a.name.cmp(&b.name));

    let mut ports = Vec::new();
    for (p, port) in module.ir.ports.iter().enumerate() {
        let names = &module.ports[p];
        let body = |body: &Body| match body {
            Body::Empty => (String::new(), "()".to_owned()),
            Body::Element { name, ty } => (xml_name(name), tokens_text(emitter.type_ref(*ty))),
            Body::Particles(id) => (String::new(), module.type_names[id.0].clone()),
        };
        let operations = port
            .operations
            .iter()
            .enumerate()
            .map(|(o, op)| {
                let (input_element, input_type) = body(&op.input);
                let (output_element, output_type) = body(&op.output);
                ApiOperation {
                    name: op.name.clone(),
                    method: names.methods[o].clone(),
                    soap_action: op.soap_action.clone(),
                    input_element,
                    input_type,
                    output_element,
                    output_type,
                    faults: op.faults.iter().map(|f| f.name.clone()).collect(),
                }
            })
            .collect();
        ports.push(ApiPort {
            service: port.service.clone(),
            port: port.name.clone(),
            client: names.client.clone(),
            operations,
        });
    }
    ApiModule {
        name: name.to_owned(),
        ports,
        types,
    }
}

fn api_field(
    emitter: &Emitter<'_>,
    owner: TypeId,
    index: usize,
    field: &crate::ir::Field,
    name: &str,
    xsd_type: &dyn Fn(TypeRef) -> String,
) -> ApiField {
    let (min, max) = occurs(field.occurs);
    let (kind, xsd) = match field.kind {
        FieldKind::Element(ty) => (ApiFieldKind::Element, xsd_type(ty)),
        FieldKind::Particles(id) => (ApiFieldKind::Group, emitter.module.type_names[id.0].clone()),
        FieldKind::Any => (ApiFieldKind::Wildcard, "xs:any".to_owned()),
    };
    ApiField {
        name: name.to_owned(),
        xml_name: xml_name(&field.name),
        kind,
        xsd_type: xsd,
        rust_type: tokens_text(emitter.field_type(owner, index, field)),
        min,
        max,
        nillable: field.nillable,
    }
}
