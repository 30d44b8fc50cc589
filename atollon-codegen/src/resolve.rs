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
    fn qname(&self, local: &str) -> QName {
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
        diagnostics,
    };
    resolver.register_all();
    resolver.convert_all();
    resolver.check_messages(loaded);
    let ports = resolver.ports(loaded);
    Module {
        types: resolver.types,
        ports,
        doc: loaded.definitions.first().and_then(|d| d.doc.clone()),
    }
}

fn occurs(min: u32, max: MaxOccurs) -> Occurs {
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
fn combine(outer: Occurs, inner: Occurs) -> Occurs {
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
    fn push(
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

    fn error(&mut self, loc: Loc, message: impl Into<String>) {
        self.diagnostics.error(loc, message);
    }

    fn register_all(&mut self) {
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

    fn convert_all(&mut self) {
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
    fn ensure_complex(&mut self, qname: &QName, id: TypeId) -> Option<StructDef> {
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

    fn inline_kind(
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

    fn type_ref(&mut self, qname: &QName, loc: Loc) -> Option<TypeRef> {
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
    fn element_type(&mut self, qname: &QName, loc: Loc) -> Option<TypeRef> {
        let Some((el, _)) = self.sym.elements.get(qname).copied() else {
            self.error(loc, format!("undefined element `{qname}`"));
            return None;
        };
        if let Some(id) = self.element_anonymous.get(qname) {
            return Some(TypeRef::Type(*id));
        }
        if let Some(type_name) = &el.type_name {
            return self.type_ref(type_name, el.loc);
        }
        if let Some(head) = &el.substitution_group {
            if head != qname {
                return self.element_type(head, el.loc);
            }
        }
        Some(TypeRef::Builtin(Builtin::AnyType))
    }

    // -----------------------------------------------------------------------------------
    // Complex types

    fn complex_def(
        &mut self,
        ct: &'a ComplexType,
        ctx: SchemaCtx<'a>,
        hint: &str,
        origin: &QName,
    ) -> StructDef {
        let outer_any = std::mem::take(&mut self.group_any_attribute);
        let mut def = self.complex_def_inner(ct, ctx, hint, origin);
        def.any_attribute |= std::mem::replace(&mut self.group_any_attribute, outer_any);
        def
    }

    fn complex_def_inner(
        &mut self,
        ct: &'a ComplexType,
        ctx: SchemaCtx<'a>,
        hint: &str,
        origin: &QName,
    ) -> StructDef {
        let mut def = StructDef::default();
        // NOTE: character data in mixed content (`mixed="true"`) is not kept; only the
        // elements are read.
        match &ct.content {
            Content::Particles {
                particle,
                attributes,
                any_attribute,
            } => {
                if let Some(p) = particle {
                    self.particle_fields(p, ctx, hint, origin, false, &mut def.fields);
                }
                self.attribute_fields(attributes, ctx, hint, origin, &mut def.attributes);
                def.any_attribute = *any_attribute;
            }
            Content::Simple {
                derivation,
                base,
                attributes,
                any_attribute,
                loc,
            } => {
                if let Some(base) = base {
                    match self.named_complex.get(base).copied() {
                        Some(base_id) => {
                            if let Some(base_def) = self.ensure_complex(base, base_id) {
                                def.text = base_def.text;
                                def.attributes = base_def.attributes;
                                def.any_attribute = base_def.any_attribute;
                            }
                        }
                        None => def.text = self.type_ref(base, *loc),
                    }
                }
                let mut own = Vec::new();
                self.attribute_fields(attributes, ctx, hint, origin, &mut own);
                merge_attributes(&mut def.attributes, own, *derivation, attributes);
                def.any_attribute |= *any_attribute;
                if def.text.is_none() {
                    def.text = Some(TypeRef::Builtin(Builtin::String));
                }
            }
            Content::Complex {
                derivation,
                base,
                particle,
                attributes,
                any_attribute,
                loc,
            } => {
                let is_any_type = base.namespace.as_deref() == Some(XS) && base.local == "anyType";
                if !is_any_type {
                    match self.named_complex.get(base).copied() {
                        Some(base_id) => {
                            if let Some(base_def) = self.ensure_complex(base, base_id) {
                                if *derivation == Derivation::Extension {
                                    def.fields = base_def.fields;
                                }
                                def.attributes = base_def.attributes;
                                def.any_attribute = base_def.any_attribute;
                                def.text = base_def.text;
                            }
                        }
                        None => {
                            self.error(
                                *loc,
                                format!("undefined complex type `{base}` used as a base"),
                            );
                        }
                    }
                }
                if let Some(p) = particle {
                    self.particle_fields(p, ctx, hint, origin, false, &mut def.fields);
                }
                let mut own = Vec::new();
                self.attribute_fields(attributes, ctx, hint, origin, &mut own);
                merge_attributes(&mut def.attributes, own, *derivation, attributes);
                def.any_attribute |= *any_attribute;
            }
        }
        def
    }

    fn attribute_fields(
        &mut self,
        uses: &'a [AttributeUse],
        ctx: SchemaCtx<'a>,
        hint: &str,
        origin: &QName,
        out: &mut Vec<AttributeField>,
    ) {
        for use_ in uses {
            match use_ {
                AttributeUse::Attribute(attribute) => {
                    if attribute.use_ == Use::Prohibited {
                        continue;
                    }
                    if let Some(field) = self.attribute_field(attribute, ctx, hint, origin) {
                        out.push(field);
                    }
                }
                AttributeUse::GroupRef(qname, loc) => {
                    match self.sym.attribute_groups.get(qname).copied() {
                        Some((group, group_ctx)) => {
                            if group.any_attribute {
                                self.group_any_attribute = true;
                            }
                            self.attribute_fields(&group.attributes, group_ctx, hint, origin, out);
                        }
                        None => self.error(*loc, format!("undefined attribute group `{qname}`")),
                    }
                }
            }
        }
    }

    fn attribute_field(
        &mut self,
        a: &'a Attribute,
        ctx: SchemaCtx<'a>,
        hint: &str,
        origin: &QName,
    ) -> Option<AttributeField> {
        if let Some(reference) = &a.reference {
            let Some((global, global_ctx)) = self.sym.attributes.get(reference).copied() else {
                self.error(a.loc, format!("undefined attribute `{reference}`"));
                return None;
            };
            let ty = self.attribute_type(global, global_ctx, hint, origin)?;
            return Some(AttributeField {
                name: XmlName {
                    namespace: reference.namespace.clone(),
                    local: reference.local.clone(),
                },
                ty,
                required: a.use_ == Use::Required,
                default: a.default.clone().or_else(|| global.default.clone()),
                fixed: a.fixed.clone().or_else(|| global.fixed.clone()),
                doc: a.doc.clone().or_else(|| global.doc.clone()),
            });
        }
        let local = a.name.clone().unwrap_or_default();
        let qualified = a.form.unwrap_or(ctx.qualified_attributes);
        let ty = self.attribute_type(a, ctx, &format!("{hint}_{local}"), origin)?;
        Some(AttributeField {
            name: XmlName {
                namespace: if qualified {
                    ctx.target.map(str::to_owned)
                } else {
                    None
                },
                local,
            },
            ty,
            required: a.use_ == Use::Required,
            default: a.default.clone(),
            fixed: a.fixed.clone(),
            doc: a.doc.clone(),
        })
    }

    fn attribute_type(
        &mut self,
        a: &'a Attribute,
        ctx: SchemaCtx<'a>,
        hint: &str,
        origin: &QName,
    ) -> Option<TypeRef> {
        if let Some(t) = &a.type_name {
            return self.type_ref(t, a.loc);
        }
        if let Some(st) = &a.inline {
            let id = self.push(
                origin.clone(),
                hint.to_owned(),
                NameClass::Anonymous,
                st.doc.clone().or_else(|| a.doc.clone()),
                st.loc,
            );
            let kind = self.simple_kind(st, ctx, hint, origin);
            self.types[id.0].kind = kind;
            return Some(TypeRef::Type(id));
        }
        Some(TypeRef::Builtin(Builtin::String))
    }

    // -----------------------------------------------------------------------------------
    // Particles

    fn particle_fields(
        &mut self,
        p: &'a Particle,
        ctx: SchemaCtx<'a>,
        hint: &str,
        origin: &QName,
        in_all: bool,
        out: &mut Vec<Field>,
    ) {
        if p.max == MaxOccurs::Bounded(0) {
            return;
        }
        let occ = occurs(p.min, p.max);
        match &p.term {
            Term::Element(el) => {
                if let Some(mut field) = self.element_field(el, ctx, hint, origin, occ) {
                    field.in_all = in_all;
                    out.push(field);
                }
            }
            Term::Sequence(children) | Term::All(children) => {
                let all = matches!(p.term, Term::All(_));
                if occ == Occurs::One || (all && occ == Occurs::Optional) {
                    let start = out.len();
                    for child in children {
                        self.particle_fields(child, ctx, hint, origin, all || in_all, out);
                    }
                    if occ == Occurs::Optional {
                        for f in &mut out[start..] {
                            f.occurs = combine(Occurs::Optional, f.occurs);
                        }
                    }
                } else {
                    let name = group_name(children).unwrap_or_else(|| "sequence".to_owned());
                    let group_hint = format!("{hint}_{name}_group");
                    let id = self.push(
                        origin.clone(),
                        group_hint.clone(),
                        NameClass::Anonymous,
                        None,
                        p.loc,
                    );
                    let mut def = StructDef::default();
                    for child in children {
                        self.particle_fields(
                            child,
                            ctx,
                            &group_hint,
                            origin,
                            false,
                            &mut def.fields,
                        );
                    }
                    self.types[id.0].kind = TypeKind::Particles(def);
                    out.push(particles_field(&name, id, occ));
                }
            }
            Term::Choice(children) => {
                let name = choice_name(children);
                let choice_hint = format!("{hint}_{name}");
                let id = self.push(
                    origin.clone(),
                    choice_hint.clone(),
                    NameClass::Anonymous,
                    None,
                    p.loc,
                );
                let mut variants = Vec::new();
                for child in children {
                    self.choice_variant(child, ctx, &choice_hint, origin, &mut variants);
                }
                self.types[id.0].kind = TypeKind::Choice(variants);
                out.push(particles_field(&name, id, occ));
            }
            Term::GroupRef(qname) => {
                let Some((group, group_ctx)) = self.sym.groups.get(qname).copied() else {
                    self.error(p.loc, format!("undefined group `{qname}`"));
                    return;
                };
                let Some(inner) = &group.particle else { return };
                if occ == Occurs::One {
                    self.particle_fields(inner, group_ctx, hint, origin, in_all, out);
                } else {
                    let id = self.push(
                        qname.clone(),
                        qname.local.clone(),
                        NameClass::NamedGroup,
                        None,
                        group.loc,
                    );
                    let mut def = StructDef::default();
                    self.particle_fields(
                        inner,
                        group_ctx,
                        &qname.local,
                        qname,
                        false,
                        &mut def.fields,
                    );
                    self.types[id.0].kind = TypeKind::Particles(def);
                    out.push(particles_field(&qname.local, id, occ));
                }
            }
            Term::Any => out.push(Field {
                name: XmlName {
                    namespace: None,
                    local: "any".to_owned(),
                },
                kind: FieldKind::Any,
                occurs: occ,
                nillable: false,
                in_all,
                doc: None,
            }),
        }
    }

    /// One alternative of a choice: an element, or a nested group as its own type.
    fn choice_variant(
        &mut self,
        p: &'a Particle,
        ctx: SchemaCtx<'a>,
        hint: &str,
        origin: &QName,
        out: &mut Vec<Field>,
    ) {
        if p.max == MaxOccurs::Bounded(0) {
            return;
        }
        match &p.term {
            Term::Element(_) | Term::Any | Term::Choice(_) => {
                self.particle_fields(p, ctx, hint, origin, false, out)
            }
            Term::Sequence(children) | Term::All(children) => {
                let name = group_name(children).unwrap_or_else(|| "sequence".to_owned());
                let group_hint = format!("{hint}_{name}_group");
                let id = self.push(
                    origin.clone(),
                    group_hint.clone(),
                    NameClass::Anonymous,
                    None,
                    p.loc,
                );
                let mut def = StructDef::default();
                for child in children {
                    self.particle_fields(child, ctx, &group_hint, origin, false, &mut def.fields);
                }
                self.types[id.0].kind = TypeKind::Particles(def);
                out.push(particles_field(&name, id, occurs(p.min, p.max)));
            }
            // A group is one alternative holding its whole content, except a group that
            // is itself a choice, whose alternatives join this choice.
            Term::GroupRef(qname) => {
                let Some((group, group_ctx)) = self.sym.groups.get(qname).copied() else {
                    self.error(p.loc, format!("undefined group `{qname}`"));
                    return;
                };
                let Some(inner) = &group.particle else { return };
                let single = occurs(p.min, p.max) == Occurs::One;
                match &inner.term {
                    Term::Choice(alternatives) if single => {
                        for alternative in alternatives {
                            self.choice_variant(alternative, group_ctx, hint, origin, out);
                        }
                    }
                    Term::Sequence(_) | Term::All(_) | Term::Choice(_) => {
                        let group_hint = format!("{hint}_{}", qname.local);
                        let id = self.push(
                            qname.clone(),
                            group_hint.clone(),
                            NameClass::Anonymous,
                            None,
                            group.loc,
                        );
                        let mut def = StructDef::default();
                        self.particle_fields(
                            inner,
                            group_ctx,
                            &group_hint,
                            qname,
                            false,
                            &mut def.fields,
                        );
                        self.types[id.0].kind = TypeKind::Particles(def);
                        out.push(particles_field(&qname.local, id, occurs(p.min, p.max)));
                    }
                    _ => self.particle_fields(inner, group_ctx, hint, origin, false, out),
                }
            }
        }
    }

    fn element_field(
        &mut self,
        el: &'a Element,
        ctx: SchemaCtx<'a>,
        hint: &str,
        origin: &QName,
        occ: Occurs,
    ) -> Option<Field> {
        if let Some(reference) = &el.reference {
            let (global, _) = match self.sym.elements.get(reference).copied() {
                Some(found) => found,
                None => {
                    self.error(el.loc, format!("undefined element `{reference}`"));
                    return None;
                }
            };
            let doc = el.doc.clone().or_else(|| global.doc.clone());
            if self.sym.substitutes.contains_key(reference) {
                let id = self.substitution_choice(reference);
                return Some(Field {
                    name: XmlName {
                        namespace: reference.namespace.clone(),
                        local: reference.local.clone(),
                    },
                    kind: FieldKind::Particles(id),
                    occurs: occ,
                    nillable: false,
                    in_all: false,
                    doc,
                });
            }
            let ty = self.element_type(reference, el.loc)?;
            return Some(Field {
                name: XmlName {
                    namespace: reference.namespace.clone(),
                    local: reference.local.clone(),
                },
                kind: FieldKind::Element(ty),
                occurs: occ,
                nillable: global.nillable,
                in_all: false,
                doc,
            });
        }
        let local = el.name.clone().unwrap_or_default();
        let qualified = el.form.unwrap_or(ctx.qualified_elements);
        let ty = if let Some(type_name) = &el.type_name {
            self.type_ref(type_name, el.loc)?
        } else if let Some(inline) = &el.inline {
            let child_hint = format!("{hint}_{local}");
            let id = self.push(
                origin.clone(),
                child_hint.clone(),
                NameClass::Anonymous,
                el.doc.clone(),
                el.loc,
            );
            let kind = self.inline_kind(inline, ctx, &child_hint, origin);
            self.types[id.0].kind = kind;
            TypeRef::Type(id)
        } else {
            TypeRef::Builtin(Builtin::AnyType)
        };
        Some(Field {
            name: XmlName {
                namespace: if qualified {
                    ctx.target.map(str::to_owned)
                } else {
                    None
                },
                local,
            },
            kind: FieldKind::Element(ty),
            occurs: occ,
            nillable: el.nillable,
            in_all: false,
            doc: el.doc.clone(),
        })
    }

    /// A choice among a substitution group's head (unless abstract) and its members.
    fn substitution_choice(&mut self, head: &QName) -> TypeId {
        if let Some(id) = self.substitution_choices.get(head) {
            return *id;
        }
        let (head_el, _) = self.sym.elements[head];
        let id = self.push(
            head.clone(),
            format!("{}_substitution", head.local),
            NameClass::Synthetic,
            head_el.doc.clone(),
            head_el.loc,
        );
        self.substitution_choices.insert(head.clone(), id);
        let mut members = Vec::new();
        if !head_el.is_abstract {
            members.push(head.clone());
        }
        let mut queue = self.sym.substitutes.get(head).cloned().unwrap_or_default();
        // Members of members belong to the head's group too.
        let mut seen: BTreeSet<QName> = BTreeSet::new();
        while let Some(member) = queue.first().cloned() {
            queue.remove(0);
            if !seen.insert(member.clone()) {
                continue;
            }
            let (el, _) = self.sym.elements[&member];
            if !el.is_abstract {
                members.push(member.clone());
            }
            if let Some(more) = self.sym.substitutes.get(&member) {
                queue.extend(more.iter().cloned());
            }
        }
        let mut variants = Vec::new();
        for member in members {
            let loc = self.sym.elements[&member].0.loc;
            let doc = self.sym.elements[&member].0.doc.clone();
            if let Some(ty) = self.element_type(&member, loc) {
                variants.push(Field {
                    name: XmlName {
                        namespace: member.namespace.clone(),
                        local: member.local.clone(),
                    },
                    kind: FieldKind::Element(ty),
                    occurs: Occurs::One,
                    nillable: false,
                    in_all: false,
                    doc,
                });
            }
        }
        self.types[id.0].kind = TypeKind::Choice(variants);
        id
    }

    // -----------------------------------------------------------------------------------
    // Simple types

    fn simple_kind(
        &mut self,
        st: &'a SimpleType,
        ctx: SchemaCtx<'a>,
        hint: &str,
        origin: &QName,
    ) -> TypeKind {
        match &st.content {
            SimpleContent::Restriction {
                base,
                inline,
                enumeration,
            } => {
                let base_ref = match (base, inline) {
                    (Some(base), _) => self.type_ref(base, st.loc),
                    (None, Some(inline)) => {
                        Some(self.anonymous_simple(inline, ctx, &format!("{hint}_base"), origin))
                    }
                    (None, None) => Some(TypeRef::Builtin(Builtin::String)),
                }
                .unwrap_or(TypeRef::Builtin(Builtin::String));
                if enumeration.is_empty() {
                    TypeKind::Alias { target: base_ref }
                } else {
                    TypeKind::Enum {
                        base: self.primitive_of(base_ref),
                        values: enumeration.clone(),
                    }
                }
            }
            SimpleContent::List { item, inline } => {
                let item_ref = match (item, inline) {
                    (Some(item), _) => self.type_ref(item, st.loc),
                    (None, Some(inline)) => {
                        Some(self.anonymous_simple(inline, ctx, &format!("{hint}_item"), origin))
                    }
                    (None, None) => Some(TypeRef::Builtin(Builtin::String)),
                }
                .unwrap_or(TypeRef::Builtin(Builtin::String));
                TypeKind::List(item_ref)
            }
            SimpleContent::Union { members, inline } => {
                let mut refs: Vec<TypeRef> = members
                    .iter()
                    .filter_map(|member| self.type_ref(member, st.loc))
                    .collect();
                for (i, inline) in inline.iter().enumerate() {
                    refs.push(self.anonymous_simple(
                        inline,
                        ctx,
                        &format!("{hint}_member{}", i + 1),
                        origin,
                    ));
                }
                if refs.is_empty() {
                    TypeKind::Alias {
                        target: TypeRef::Builtin(Builtin::String),
                    }
                } else {
                    TypeKind::Union(refs)
                }
            }
        }
    }

    fn anonymous_simple(
        &mut self,
        st: &'a SimpleType,
        ctx: SchemaCtx<'a>,
        hint: &str,
        origin: &QName,
    ) -> TypeRef {
        let id = self.push(
            origin.clone(),
            hint.to_owned(),
            NameClass::Anonymous,
            st.doc.clone(),
            st.loc,
        );
        let kind = self.simple_kind(st, ctx, hint, origin);
        self.types[id.0].kind = kind;
        TypeRef::Type(id)
    }

    /// The built-in at the bottom of a chain of restrictions, for an enumeration's base.
    fn primitive_of(&mut self, mut ty: TypeRef) -> TypeRef {
        let mut guard = 0;
        while let TypeRef::Type(id) = ty {
            guard += 1;
            if guard > 64 {
                break;
            }
            // Converting on demand keeps the answer independent of definition order.
            if matches!(self.types[id.0].kind, TypeKind::Pending) {
                let qname = self.types[id.0].qname.clone();
                if let Some((st, ctx)) = self.sym.simple.get(&qname).copied() {
                    let kind = self.simple_kind(st, ctx, &qname.local, &qname);
                    self.types[id.0].kind = kind;
                }
            }
            match &self.types[id.0].kind {
                TypeKind::Alias { target, .. } => ty = *target,
                TypeKind::Enum { base, .. } => ty = *base,
                _ => break,
            }
        }
        ty
    }

    // -----------------------------------------------------------------------------------
    // Operations

    /// Reports undefined references in message parts, also of messages no operation uses.
    fn check_messages(&mut self, loaded: &'a Loaded) {
        for defs in &loaded.definitions {
            for message in &defs.messages {
                for part in &message.parts {
                    if let Some(element) = &part.element {
                        if !self.sym.elements.contains_key(element) {
                            self.error(part.loc, format!("undefined element `{element}`"));
                        }
                    } else if let Some(type_name) = &part.type_name {
                        if self.type_ref_quiet(type_name).is_none() {
                            self.error(part.loc, format!("undefined type `{type_name}`"));
                        }
                    }
                }
            }
        }
    }

    fn type_ref_quiet(&self, qname: &QName) -> Option<TypeRef> {
        let builtin_ns = matches!(qname.namespace.as_deref(), Some(XS) | Some(SOAP_ENCODING));
        if builtin_ns {
            if let Some(b) = builtin(&qname.local) {
                return Some(TypeRef::Builtin(b));
            }
        }
        self.named_complex
            .get(qname)
            .or_else(|| self.named_simple.get(qname))
            .map(|id| TypeRef::Type(*id))
    }

    fn ports(&mut self, loaded: &'a Loaded) -> Vec<Port> {
        let mut ports = Vec::new();
        let mut synthesized: BTreeMap<(QName, String), Operation> = BTreeMap::new();
        for defs in &loaded.definitions {
            for service in &defs.services {
                for port in &service.ports {
                    let Some((binding, binding_defs)) =
                        self.sym.bindings.get(&port.binding).copied()
                    else {
                        self.error(port.loc, format!("undefined binding `{}`", port.binding));
                        continue;
                    };
                    let Some(version) = binding.version else {
                        continue;
                    };
                    let Some(port_type) = self.sym.port_types.get(&binding.port_type).copied()
                    else {
                        self.error(
                            binding.loc,
                            format!("undefined port type `{}`", binding.port_type),
                        );
                        continue;
                    };
                    let binding_qname =
                        QName::new(binding_defs.target_namespace.as_deref(), &binding.name);
                    let mut operations = Vec::new();
                    for bop in &binding.operations {
                        let key = (binding_qname.clone(), bop.name.clone());
                        if let Some(op) = synthesized.get(&key) {
                            operations.push(op.clone());
                            continue;
                        }
                        let Some(pop) = port_type.operations.iter().find(|o| o.name == bop.name)
                        else {
                            self.error(
                                bop.loc,
                                format!(
                                    "operation `{}` is not in port type `{}`",
                                    bop.name, binding.port_type
                                ),
                            );
                            continue;
                        };
                        if let Some(op) = self.operation(binding, binding_defs, bop, pop) {
                            synthesized.insert(key, op.clone());
                            operations.push(op);
                        }
                    }
                    ports.push(Port {
                        name: port.name.clone(),
                        service: service.name.clone(),
                        address: port.address.clone(),
                        version,
                        doc: port_type.doc.clone().or_else(|| service.doc.clone()),
                        operations,
                    });
                }
            }
        }
        ports
    }

    fn operation(
        &mut self,
        binding: &'a raw::Binding,
        defs: &'a Definitions,
        bop: &'a raw::BindingOperation,
        pop: &'a raw::PortTypeOperation,
    ) -> Option<Operation> {
        if bop.input.encoded || bop.output.encoded {
            for (io, direction) in [(&bop.input, "input"), (&bop.output, "output")] {
                if io.encoded {
                    self.error(
                        io.body_loc,
                        format!(
                            "the {direction} of operation `{}` uses SOAP encoding (use=\"encoded\"), which is not supported; only literal bindings are",
                            bop.name
                        ),
                    );
                }
            }
            return None;
        }
        let style = bop.style.unwrap_or(binding.style);
        let namespace = |io: &raw::BindingIo| {
            io.namespace
                .clone()
                .or_else(|| defs.target_namespace.clone())
        };
        // Both directions are resolved before giving up, so that all their errors show.
        let input = match &pop.input {
            Some((message, loc)) => self.body(
                message,
                &bop.input,
                style,
                namespace(&bop.input),
                &bop.name,
                *loc,
            ),
            None => Some(Body::Empty),
        };
        let output = match &pop.output {
            Some((message, loc)) => self.body(
                message,
                &bop.output,
                style,
                namespace(&bop.output),
                &format!("{}Response", bop.name),
                *loc,
            ),
            None => Some(Body::Empty),
        };
        let (input, output) = (input?, output?);
        let headers = self.headers(&bop.input, &bop.name);
        let mut faults = Vec::new();
        for (name, message, loc) in &pop.faults {
            let Some(msg) = self.sym.messages.get(message).copied() else {
                self.error(*loc, format!("undefined message `{message}`"));
                continue;
            };
            let Some(part) = msg.parts.first() else {
                continue;
            };
            let Some(element) = &part.element else {
                continue;
            };
            if let Some(ty) = self.element_type(element, part.loc) {
                faults.push(Fault {
                    name: name.clone(),
                    element: XmlName {
                        namespace: element.namespace.clone(),
                        local: element.local.clone(),
                    },
                    ty,
                });
            }
        }
        Some(Operation {
            name: bop.name.clone(),
            doc: pop.doc.clone(),
            soap_action: bop.soap_action.clone().unwrap_or_default(),
            input,
            output,
            headers,
            faults,
        })
    }

    fn body(
        &mut self,
        message: &QName,
        io: &raw::BindingIo,
        style: Style,
        namespace: Option<String>,
        wrapper: &str,
        loc: Loc,
    ) -> Option<Body> {
        let Some(msg) = self.sym.messages.get(message).copied() else {
            self.error(loc, format!("undefined message `{message}`"));
            return None;
        };
        let header_parts: BTreeSet<&str> = io
            .headers
            .iter()
            .filter(|h| &h.message == message)
            .map(|h| h.part.as_str())
            .collect();
        let parts: Vec<&raw::Part> = msg
            .parts
            .iter()
            .filter(|p| match &io.parts {
                Some(listed) => listed.iter().any(|l| l == &p.name),
                None => !header_parts.contains(p.name.as_str()),
            })
            .collect();
        let origin = message.clone();
        match style {
            Style::Rpc => {
                let id = self.push(
                    QName::new(namespace.as_deref(), wrapper),
                    wrapper.to_owned(),
                    NameClass::Synthetic,
                    None,
                    msg.loc,
                );
                let mut def = StructDef::default();
                for part in parts {
                    if let Some(field) = self.part_field(part) {
                        def.fields.push(field);
                    }
                }
                self.types[id.0].kind = TypeKind::Struct(def);
                Some(Body::Element {
                    name: XmlName {
                        namespace,
                        local: wrapper.to_owned(),
                    },
                    ty: TypeRef::Type(id),
                })
            }
            Style::Document => match parts.as_slice() {
                [] => Some(Body::Empty),
                [part] if part.element.is_some() => {
                    let element = part.element.as_ref()?;
                    let ty = self.element_type(element, part.loc)?;
                    Some(Body::Element {
                        name: XmlName {
                            namespace: element.namespace.clone(),
                            local: element.local.clone(),
                        },
                        ty,
                    })
                }
                many => {
                    let id = self.push(
                        origin.clone(),
                        format!("{wrapper}_parts"),
                        NameClass::Synthetic,
                        None,
                        msg.loc,
                    );
                    let mut def = StructDef::default();
                    for part in many {
                        if let Some(field) = self.part_field(part) {
                            def.fields.push(field);
                        }
                    }
                    self.types[id.0].kind = TypeKind::Particles(def);
                    Some(Body::Particles(id))
                }
            },
        }
    }

    /// A message part as an element: its global element, or for `type=` parts an
    /// unqualified element named after the part.
    fn part_field(&mut self, part: &raw::Part) -> Option<Field> {
        let (name, ty) = match (&part.element, &part.type_name) {
            (Some(element), _) => (
                XmlName {
                    namespace: element.namespace.clone(),
                    local: element.local.clone(),
                },
                self.element_type(element, part.loc)?,
            ),
            (None, Some(type_name)) => (
                XmlName {
                    namespace: None,
                    local: part.name.clone(),
                },
                self.type_ref(type_name, part.loc)?,
            ),
            (None, None) => {
                self.error(
                    part.loc,
                    format!("message part `{}` has neither element nor type", part.name),
                );
                return None;
            }
        };
        Some(Field {
            name,
            kind: FieldKind::Element(ty),
            occurs: Occurs::One,
            nillable: false,
            in_all: false,
            doc: None,
        })
    }

    fn headers(&mut self, io: &raw::BindingIo, operation: &str) -> Option<TypeId> {
        if io.headers.is_empty() {
            return None;
        }
        let mut def = StructDef::default();
        for header in &io.headers {
            if header.encoded {
                self.error(
                    header.loc,
                    "SOAP headers with use=\"encoded\" are not supported",
                );
                continue;
            }
            let Some(msg) = self.sym.messages.get(&header.message).copied() else {
                self.error(
                    header.loc,
                    format!("undefined message `{}`", header.message),
                );
                continue;
            };
            let Some(part) = msg.parts.iter().find(|p| p.name == header.part) else {
                self.error(
                    header.loc,
                    format!("message `{}` has no part `{}`", header.message, header.part),
                );
                continue;
            };
            if let Some(field) = self.part_field(part) {
                def.fields.push(field);
            }
        }
        let id = self.push(
            QName::new(None, &format!("{operation}Headers")),
            format!("{operation}_headers"),
            NameClass::Synthetic,
            None,
            io.loc,
        );
        self.types[id.0].kind = TypeKind::Particles(def);
        Some(id)
    }
}

/// Applies a derivation's own attributes to those inherited from the base: an extension
/// adds them, a restriction replaces same-named ones and removes prohibited ones.
fn merge_attributes(
    inherited: &mut Vec<AttributeField>,
    own: Vec<AttributeField>,
    derivation: Derivation,
    uses: &[AttributeUse],
) {
    if derivation == Derivation::Restriction {
        for use_ in uses {
            if let AttributeUse::Attribute(a) = use_ {
                if a.use_ == Use::Prohibited {
                    let local = a
                        .name
                        .clone()
                        .or_else(|| a.reference.as_ref().map(|r| r.local.clone()));
                    inherited.retain(|f| Some(&f.name.local) != local.as_ref());
                }
            }
        }
    }
    for field in own {
        if let Some(existing) = inherited.iter_mut().find(|f| f.name == field.name) {
            *existing = field;
        } else {
            inherited.push(field);
        }
    }
}

fn particles_field(name: &str, id: TypeId, occurs: Occurs) -> Field {
    Field {
        name: XmlName {
            namespace: None,
            local: name.to_owned(),
        },
        kind: FieldKind::Particles(id),
        occurs,
        nillable: false,
        in_all: false,
        doc: None,
    }
}

/// Name for a nested group: its first element's name.
fn group_name(children: &[Particle]) -> Option<String> {
    children.iter().find_map(|c| match &c.term {
        Term::Element(el) => el
            .name
            .clone()
            .or_else(|| el.reference.as_ref().map(|r| r.local.clone())),
        Term::GroupRef(q) => Some(q.local.clone()),
        _ => None,
    })
}

/// Name for a choice field: its alternatives joined by `_or_`, or `choice` when there
/// are more than three.
fn choice_name(children: &[Particle]) -> String {
    let names: Vec<String> = children
        .iter()
        .map(|c| match &c.term {
            Term::Element(el) => el
                .name
                .clone()
                .or_else(|| el.reference.as_ref().map(|r| r.local.clone()))
                .unwrap_or_default(),
            Term::Sequence(inner) | Term::All(inner) => group_name(inner).unwrap_or_default(),
            Term::GroupRef(q) => q.local.clone(),
            _ => String::new(),
        })
        .collect();
    if names.is_empty() || names.len() > 3 || names.iter().any(String::is_empty) {
        return "choice".to_owned();
    }
    names.join("_or_")
}
