//! Stage 2's output: a language-neutral model of one module, with every reference
//! resolved to a [`TypeId`] or a built-in type.

use crate::diag::Loc;
use crate::raw::{QName, SoapVersion};

/// Index of a type in [`Module::types`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// XML Schema built-in types, by the Rust type they map to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Builtin {
    String,
    Boolean,
    Decimal,
    Integer,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
    DateTime,
    Date,
    Time,
    Base64Binary,
    HexBinary,
    /// `NMTOKENS`, `IDREFS`, `ENTITIES`.
    StringList,
    /// `xs:anyType`: content kept as raw XML.
    AnyType,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    Builtin(Builtin),
    Type(TypeId),
}

/// Where a type's name comes from; also the priority order when two want one name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NameClass {
    /// `xs:complexType` or `xs:simpleType` with a name.
    NamedType,
    /// The anonymous type of a global element.
    GlobalElement,
    /// A named group used with occurrence other than once.
    NamedGroup,
    /// An anonymous type inside another type.
    Anonymous,
    /// A type the generator adds: rpc wrappers, multi-part bodies, headers, choices.
    Synthetic,
}

#[derive(Clone, Debug)]
pub struct Type {
    /// QName of the definition, or of the nearest named definition around it.
    pub qname: QName,
    /// Words the Rust name is built from, such as `CreateContact` + `PERSON`.
    pub hint: String,
    pub class: NameClass,
    pub doc: Option<String>,
    pub kind: TypeKind,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub enum TypeKind {
    /// A complex type: attributes, then element content or simple content.
    Struct(StructDef),
    /// Elements without a wrapper: a repeated nested sequence, a multi-part body.
    Particles(StructDef),
    /// `xs:choice` or a substitution group: exactly one alternative.
    Choice(Vec<Field>),
    /// A simple type restricted to listed values.
    Enum {
        base: TypeRef,
        values: Vec<(String, Option<String>)>,
    },
    /// A simple type without listed values: its base type.
    Alias { target: TypeRef },
    /// `xs:union`: the member types, tried in order when reading.
    Union(Vec<TypeRef>),
    /// `xs:list`.
    List(TypeRef),
    /// Placeholder while a type's body is being converted.
    Pending,
}

#[derive(Clone, Debug, Default)]
pub struct StructDef {
    pub attributes: Vec<AttributeField>,
    pub any_attribute: bool,
    /// The text value of a type with simple content.
    pub text: Option<TypeRef>,
    pub fields: Vec<Field>,
}

/// An XML name as it is written: namespace (None for unqualified) and local name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct XmlName {
    pub namespace: Option<String>,
    pub local: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Occurs {
    One,
    Optional,
    /// `max` is `None` for unbounded.
    Many {
        min: u32,
        max: Option<u32>,
    },
}

#[derive(Clone, Debug)]
pub enum FieldKind {
    Element(TypeRef),
    /// An inline [`TypeKind::Choice`] or [`TypeKind::Particles`] type.
    Particles(TypeId),
    /// `xs:any`.
    Any,
}

#[derive(Clone, Debug)]
pub struct Field {
    /// The element name; for particles and wildcards, the name the Rust field is built from.
    pub name: XmlName,
    pub kind: FieldKind,
    pub occurs: Occurs,
    pub nillable: bool,
    /// Member of an `xs:all`, whose elements may come in any order.
    pub in_all: bool,
    pub doc: Option<String>,
}

#[derive(Clone, Debug)]
pub struct AttributeField {
    pub name: XmlName,
    pub ty: TypeRef,
    pub required: bool,
    pub default: Option<String>,
    pub fixed: Option<String>,
    pub doc: Option<String>,
}

#[derive(Clone, Debug)]
pub enum Body {
    Empty,
    Element { name: XmlName, ty: TypeRef },
    Particles(TypeId),
}

#[derive(Clone, Debug)]
pub struct Fault {
    pub name: String,
    pub element: XmlName,
    pub ty: TypeRef,
}

#[derive(Clone, Debug)]
pub struct Operation {
    pub name: String,
    pub doc: Option<String>,
    pub soap_action: String,
    pub input: Body,
    pub output: Body,
    /// Input headers, as a [`TypeKind::Particles`] type.
    pub headers: Option<TypeId>,
    pub faults: Vec<Fault>,
}

#[derive(Clone, Debug)]
pub struct Port {
    pub name: String,
    pub service: String,
    pub address: Option<String>,
    pub version: SoapVersion,
    pub doc: Option<String>,
    pub operations: Vec<Operation>,
}

#[derive(Clone, Debug, Default)]
pub struct Module {
    pub types: Vec<Type>,
    pub ports: Vec<Port>,
    pub doc: Option<String>,
}
