//! Stage 2: the raw documents of one module to the [`ir::Module`], resolving every QName.
//!
//! All top-level definitions get a [`TypeId`] before any body is converted, so forward
//! and circular references resolve; bodies are then converted in document order.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{Diagnostics, Loc};
use crate::ir::{
    AttributeField, Body, Builtin, Fault, Field, FieldKind, Module, NameClass, Occurs, Operation,
    Port, StructDef, Type, TypeId, TypeKind, TypeRef, XmlName,
};
use crate::load::Loaded;
use crate::raw::{
    self, Attribute, AttributeUse, ComplexType, Content, Definitions, Derivation, Element,
    InlineType, MaxOccurs, Particle, QName, SimpleContent, SimpleType, Style, Term, Use, XS,
};

mod complex;
mod operations;
mod particles;
mod simple;

const SOAP_ENCODING: &str = "http://schemas.xmlsoap.org/soap/encoding/";

/// Maps an XML Schema built-in type name to its Rust mapping.
pub fn builtin(local: &str) -> Option<Builtin> {
    use Builtin::*;
    Some(match local {
        "string" | "normalizedString" | "token" | "language" | "Name" | "NCName" | "NMTOKEN"
        | "ID" | "IDREF" | "ENTITY" | "anyURI" | "QName" | "NOTATION" | "duration" | "gYear"
        | "gYearMonth" | "gMonth" | "gMonthDay" | "gDay" | "anySimpleType" => String,
        "NMTOKENS" | "IDREFS" | "ENTITIES" => StringList,
        "boolean" => Boolean,
        "decimal" => Decimal,
        "integer" | "nonNegativeInteger" | "positiveInteger" | "negativeInteger"
        | "nonPositiveInteger" => Integer,
        "long" => I64,
        "int" => I32,
        "short" => I16,
        "byte" => I8,
        "unsignedLong" => U64,
        "unsignedInt" => U32,
        "unsignedShort" => U16,
        "unsignedByte" => U8,
        "float" => F32,
        "double" => F64,
        "dateTime" => DateTime,
        "date" => Date,
        "time" => Time,
        "base64Binary" => Base64Binary,
        "hexBinary" => HexBinary,
        "anyType" => AnyType,
        _ => return None,
    })
}

#[derive(Clone, Copy)]
struct SchemaCtx<'a> {
    target: Option<&'a str>,
    qualified_elements: bool,
    qualified_attributes: bool,
}

impl<'a> SchemaCtx<'a> {
    pub(super) fn qname(&self, local: &str) -> QName {
        QName::new(self.target, local)
    }
}

#[derive(Default)]
struct Symbols<'a> {
    complex: BTreeMap<QName, (&'a ComplexType, SchemaCtx<'a>)>,
    simple: BTreeMap<QName, (&'a SimpleType, SchemaCtx<'a>)>,
    elements: BTreeMap<QName, (&'a Element, SchemaCtx<'a>)>,
    groups: BTreeMap<QName, (&'a raw::Group, SchemaCtx<'a>)>,
    attribute_groups: BTreeMap<QName, (&'a raw::AttributeGroup, SchemaCtx<'a>)>,
    attributes: BTreeMap<QName, (&'a Attribute, SchemaCtx<'a>)>,
    /// Head element to its substitution group members, in document order.
    substitutes: BTreeMap<QName, Vec<QName>>,
    messages: BTreeMap<QName, &'a raw::Message>,
    port_types: BTreeMap<QName, &'a raw::PortType>,
    bindings: BTreeMap<QName, (&'a raw::Binding, &'a Definitions)>,
}

struct Resolver<'a, 'd> {
    sym: Symbols<'a>,
    types: Vec<Type>,
    named_complex: BTreeMap<QName, TypeId>,
    named_simple: BTreeMap<QName, TypeId>,
    element_anonymous: BTreeMap<QName, TypeId>,
    substitution_choices: BTreeMap<QName, TypeId>,
    converting: BTreeSet<TypeId>,
    /// Set when an attribute group met while converting a type has `xs:anyAttribute`.
    group_any_attribute: bool,
    /// Groups and attribute groups being expanded, to report the ones that contain
    /// themselves instead of recursing forever.
    expanding_groups: BTreeSet<QName>,
    expanding_attribute_groups: BTreeSet<QName>,
    diagnostics: &'d mut Diagnostics,
}

/// Builds the IR of one module from everything loaded for its entry file.
pub fn resolve(loaded: &Loaded, diagnostics: &mut Diagnostics) -> Module {
    let mut sym = Symbols::default();
    for schema in &loaded.schemas {
        let ctx = SchemaCtx {
            target: schema.target_namespace.as_deref(),
            qualified_elements: schema.element_form_qualified,
            qualified_attributes: schema.attribute_form_qualified,
        };
        for ct in &schema.complex_types {
            if let Some(name) = &ct.name {
                sym.complex.entry(ctx.qname(name)).or_insert((ct, ctx));
            }
        }
        for st in &schema.simple_types {
            if let Some(name) = &st.name {
                sym.simple.entry(ctx.qname(name)).or_insert((st, ctx));
            }
        }
        for el in &schema.elements {
            if let Some(name) = &el.name {
                let qname = ctx.qname(name);
                if !sym.elements.contains_key(&qname) {
                    if let Some(head) = &el.substitution_group {
                        sym.substitutes
                            .entry(head.clone())
                            .or_default()
                            .push(qname.clone());
                    }
                    sym.elements.insert(qname, (el, ctx));
                }
            }
        }
        for g in &schema.groups {
            sym.groups.entry(ctx.qname(&g.name)).or_insert((g, ctx));
        }
        for g in &schema.attribute_groups {
            sym.attribute_groups
                .entry(ctx.qname(&g.name))
                .or_insert((g, ctx));
        }
        for a in &schema.attributes {
            if let Some(name) = &a.name {
                let qname = if ctx.target.is_some() {
                    ctx.qname(name)
                } else {
                    QName::new(None, name)
                };
                sym.attributes.entry(qname).or_insert((a, ctx));
            }
        }
    }
    for defs in &loaded.definitions {
        let target = defs.target_namespace.as_deref();
        for m in &defs.messages {
            sym.messages.entry(QName::new(target, &m.name)).or_insert(m);
        }
        for p in &defs.port_types {
            sym.port_types
                .entry(QName::new(target, &p.name))
                .or_insert(p);
        }
        for b in &defs.bindings {
            sym.bindings
                .entry(QName::new(target, &b.name))
                .or_insert((b, defs));
        }
    }

    let mut resolver = Resolver {
        sym,
        types: Vec::new(),
        named_complex: BTreeMap::new(),
        named_simple: BTreeMap::new(),
        element_anonymous: BTreeMap::new(),
        substitution_choices: BTreeMap::new(),
        converting: BTreeSet::new(),
        group_any_attribute: false,
        expanding_groups: BTreeSet::new(),
        expanding_attribute_groups: BTreeSet::new(),
        diagnostics,
    };
    resolver.register_all();
    resolver.convert_all();
    resolver.check_simple_cycles();
    resolver.check_messages(loaded);
    let ports = resolver.ports(loaded);
    Module {
        types: resolver.types,
        ports,
        doc: loaded.definitions.first().and_then(|d| d.doc.clone()),
    }
}

pub(super) fn occurs(min: u32, max: MaxOccurs) -> Occurs {
    match (min, max) {
        (1, MaxOccurs::Bounded(1)) => Occurs::One,
        (0, MaxOccurs::Bounded(1)) => Occurs::Optional,
        // maxOccurs="0" removes the particle; callers skip it before this point.
        (_, MaxOccurs::Bounded(0)) => Occurs::Optional,
        (min, MaxOccurs::Bounded(max)) => Occurs::Many {
            min,
            max: Some(max),
        },
        (min, MaxOccurs::Unbounded) => Occurs::Many { min, max: None },
    }
}

/// Combines the occurrence of a group with that of a particle inside it.
pub(super) fn combine(outer: Occurs, inner: Occurs) -> Occurs {
    match (outer, inner) {
        (Occurs::One, inner) => inner,
        (Occurs::Optional, Occurs::One) | (Occurs::Optional, Occurs::Optional) => Occurs::Optional,
        (Occurs::Optional, Occurs::Many { max, .. }) => Occurs::Many { min: 0, max },
        (Occurs::Many { min, max }, Occurs::One) => Occurs::Many { min, max },
        (Occurs::Many { max, .. }, _) => Occurs::Many {
            min: 0,
            max: max.and(None),
        },
    }
}

impl<'a, 'd> Resolver<'a, 'd> {
    pub(super) fn push(
        &mut self,
        qname: QName,
        hint: String,
        class: NameClass,
        doc: Option<String>,
        loc: Loc,
    ) -> TypeId {
        self.types.push(Type {
            qname,
            hint,
            class,
            doc,
            kind: TypeKind::Pending,
            loc,
        });
        TypeId(self.types.len() - 1)
    }

    pub(super) fn error(&mut self, loc: Loc, message: impl Into<String>) {
        self.diagnostics.error(loc, message);
    }

    pub(super) fn register_all(&mut self) {
        let complex: Vec<_> = self
            .sym
            .complex
            .iter()
            .map(|(q, (ct, _))| (q.clone(), ct.doc.clone(), ct.loc))
            .collect();
        for (qname, doc, loc) in complex {
            let id = self.push(
                qname.clone(),
                qname.local.clone(),
                NameClass::NamedType,
                doc,
                loc,
            );
            self.named_complex.insert(qname, id);
        }
        let simple: Vec<_> = self
            .sym
            .simple
            .iter()
            .map(|(q, (st, _))| (q.clone(), st.doc.clone(), st.loc))
            .collect();
        for (qname, doc, loc) in simple {
            let id = self.push(
                qname.clone(),
                qname.local.clone(),
                NameClass::NamedType,
                doc,
                loc,
            );
            self.named_simple.insert(qname, id);
        }
        let elements: Vec<_> = self
            .sym
            .elements
            .iter()
            .filter(|(_, (el, _))| el.inline.is_some())
            .map(|(q, (el, _))| (q.clone(), el.doc.clone(), el.loc))
            .collect();
        for (qname, doc, loc) in elements {
            let id = self.push(
                qname.clone(),
                qname.local.clone(),
                NameClass::GlobalElement,
                doc,
                loc,
            );
            self.element_anonymous.insert(qname, id);
        }
    }

    pub(super) fn convert_all(&mut self) {
        let complex: Vec<_> = self
            .named_complex
            .iter()
            .map(|(q, id)| (q.clone(), *id))
            .collect();
        for (qname, id) in complex {
            self.ensure_complex(&qname, id);
        }
        let simple: Vec<_> = self
            .named_simple
            .iter()
            .map(|(q, id)| (q.clone(), *id))
            .collect();
        for (qname, id) in simple {
            if matches!(self.types[id.0].kind, TypeKind::Pending) {
                let (st, ctx) = self.sym.simple[&qname];
                let kind = self.simple_kind(st, ctx, &qname.local, &qname);
                self.types[id.0].kind = kind;
            }
        }
        let elements: Vec<_> = self
            .element_anonymous
            .iter()
            .map(|(q, id)| (q.clone(), *id))
            .collect();
        for (qname, id) in elements {
            let (el, ctx) = self.sym.elements[&qname];
            if let Some(inline) = &el.inline {
                let kind = self.inline_kind(inline, ctx, &qname.local, &qname);
                self.types[id.0].kind = kind;
            }
        }
    }

    /// Converts the named complex type `qname` if it has not been, and returns its body.
    pub(super) fn ensure_complex(&mut self, qname: &QName, id: TypeId) -> Option<StructDef> {
        match &self.types[id.0].kind {
            TypeKind::Struct(def) => return Some(def.clone()),
            TypeKind::Pending => {}
            _ => return None,
        }
        if !self.converting.insert(id) {
            let loc = self.types[id.0].loc;
            self.error(loc, format!("type `{qname}` derives from itself"));
            return None;
        }
        let (ct, ctx) = self.sym.complex[qname];
        let def = self.complex_def(ct, ctx, &qname.local, qname);
        self.converting.remove(&id);
        self.types[id.0].kind = TypeKind::Struct(def.clone());
        Some(def)
    }

    pub(super) fn inline_kind(
        &mut self,
        inline: &'a InlineType,
        ctx: SchemaCtx<'a>,
        hint: &str,
        origin: &QName,
    ) -> TypeKind {
        match inline {
            InlineType::Complex(ct) => TypeKind::Struct(self.complex_def(ct, ctx, hint, origin)),
            InlineType::Simple(st) => self.simple_kind(st, ctx, hint, origin),
        }
    }

    // -----------------------------------------------------------------------------------
    // Type references

    pub(super) fn type_ref(&mut self, qname: &QName, loc: Loc) -> Option<TypeRef> {
        if qname.namespace.as_deref() == Some(XS) {
            if let Some(b) = builtin(&qname.local) {
                return Some(TypeRef::Builtin(b));
            }
        }
        if let Some(id) = self
            .named_complex
            .get(qname)
            .or_else(|| self.named_simple.get(qname))
        {
            return Some(TypeRef::Type(*id));
        }
        // SOAP encoding re-declares the built-ins (`soapenc:string`) with extra attributes
        // that literal messages never carry.
        if qname.namespace.as_deref() == Some(SOAP_ENCODING) {
            if let Some(b) = builtin(&qname.local) {
                return Some(TypeRef::Builtin(b));
            }
        }
        self.error(loc, format!("undefined type `{qname}`"));
        None
    }

    /// The type of the global element `qname`.
    pub(super) fn element_type(&mut self, qname: &QName, loc: Loc) -> Option<TypeRef> {
        // An element without a type takes its substitution group head's, so the chain of
        // heads is followed until one has a type; a circular chain is an error.
        let mut current = qname.clone();
        let mut current_loc = loc;
        let mut visited = BTreeSet::new();
        loop {
            let Some((el, _)) = self.sym.elements.get(&current).copied() else {
                self.error(current_loc, format!("undefined element `{current}`"));
                return None;
            };
            if let Some(id) = self.element_anonymous.get(&current) {
                return Some(TypeRef::Type(*id));
            }
            if let Some(type_name) = &el.type_name {
                return self.type_ref(type_name, el.loc);
            }
            let Some(head) = el.substitution_group.clone() else {
                return Some(TypeRef::Builtin(Builtin::AnyType));
            };
            visited.insert(current.clone());
            if visited.contains(&head) {
                self.error(el.loc, format!("the substitution group of element `{current}` is circular through `{head}`"));
                return None;
            }
            current = head;
            current_loc = el.loc;
        }
    }

    /// Marks group `qname` as being expanded, or reports that it refers to itself.
    pub(super) fn enter_group(&mut self, qname: &QName, loc: Loc) -> bool {
        if self.expanding_groups.insert(qname.clone()) {
            return true;
        }
        self.error(
            loc,
            format!("group `{qname}` refers to itself, directly or through other groups"),
        );
        false
    }
}
