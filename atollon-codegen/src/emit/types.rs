//! Emitters for types: structs, particle groups, choices, enumerations and aliases.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc_attrs, ident, name_tokens, Emitter};
use crate::ir::{
    AttributeField, Builtin, Field, FieldKind, Occurs, StructDef, TypeId, TypeKind, TypeRef,
};

impl<'a> Emitter<'a> {
    pub fn type_item(&self, id: TypeId) -> TokenStream {
        let ty = &self.module.ir.types[id.0];
        let generated_doc = match (&ty.doc, &ty.kind) {
            (None, TypeKind::Choice(_)) => Some(format!(
                "One of {}, inside `{}`.",
                self.listed_names(&self.first_names(id, &mut BTreeSet::new())),
                ty.qname
            )),
            (None, TypeKind::Particles(def)) => {
                let names: Vec<_> = def.fields.iter().map(|f| f.name.clone()).collect();
                Some(format!(
                    "The elements {} as one group, inside `{}`.",
                    self.listed_names(&names),
                    ty.qname
                ))
            }
            _ => None,
        };
        let docs = match generated_doc {
            Some(text) => super::generated_doc_attrs(&text),
            None => doc_attrs(ty.doc.as_deref(), &ty.qname.to_string()),
        };
        match &ty.kind {
            TypeKind::Struct(def) => self.struct_item(id, def, docs, true),
            TypeKind::Particles(def) => self.struct_item(id, def, docs, false),
            TypeKind::Choice(variants) => self.choice_item(id, variants, docs),
            TypeKind::Enum { base, values } => self.enum_item(id, *base, values, docs),
            TypeKind::Alias { target } => {
                let name = self.type_ident(id);
                let target = self.type_ref(*target);
                quote! {
                    #docs
                    pub type #name = #target;
                }
            }
            TypeKind::Union(members) => self.union_item(id, members, docs),
            TypeKind::List(item) => {
                let name = self.type_ident(id);
                let item = self.type_ref(*item);
                quote! {
                    #docs
                    pub type #name = __rt::List<#item>;
                }
            }
            TypeKind::Pending => quote!(),
        }
    }

    fn derives(&self, id: TypeId) -> TokenStream {
        if self.module.no_default.contains(&id) {
            quote!(#[derive(Clone, Debug, PartialEq)])
        } else {
            quote!(#[derive(Clone, Debug, Default, PartialEq)])
        }
    }

    fn struct_item(
        &self,
        id: TypeId,
        def: &StructDef,
        docs: TokenStream,
        element: bool,
    ) -> TokenStream {
        let name = self.type_ident(id);
        let derives = self.derives(id);
        let field_names = &self.module.field_names[id.0];
        let attribute_names = &self.module.attribute_names[id.0];

        let mut members = Vec::new();
        for (i, attribute) in def.attributes.iter().enumerate() {
            if attribute.fixed.is_some() {
                continue;
            }
            let field = ident(&attribute_names[i]);
            let ty = self.type_ref(attribute.ty);
            let ty = if attribute.required {
                ty
            } else {
                quote!(::core::option::Option<#ty>)
            };
            let mut doc = attribute.doc.clone().unwrap_or_default();
            if let Some(default) = &attribute.default {
                doc.push_str(&format!(
                    "\n\nWhen absent, the schema's default `{default}` applies."
                ));
            }
            let docs = doc_attrs(
                Some(doc.as_str()).filter(|d| !d.trim().is_empty()),
                &format!("@{}", attribute.name.local),
            );
            members.push(quote!(#docs pub #field: #ty,));
        }
        if let (Some(text), Some(value)) = (def.text, &self.module.text_name[id.0]) {
            let field = ident(value);
            let ty = self.type_ref(text);
            members.push(quote!(#[doc = " Text content of the element."] pub #field: #ty,));
        }
        for (i, field) in def.fields.iter().enumerate() {
            let member = ident(&field_names[i]);
            let ty = self.field_type(id, i, field);
            let generated_doc = match (&field.doc, &field.kind) {
                (None, FieldKind::Particles(inner)) => match &self.module.ir.types[inner.0].kind {
                    TypeKind::Choice(_) => Some(format!(
                        "One of {}.",
                        self.listed_names(&self.first_names(*inner, &mut BTreeSet::new()))
                    )),
                    _ => Some(format!(
                        "The group of elements starting with {}.",
                        self.listed_names(&self.first_names(*inner, &mut BTreeSet::new()))
                    )),
                },
                _ => None,
            };
            let docs = match generated_doc {
                Some(text) => super::generated_doc_attrs(&text),
                None => doc_attrs(field.doc.as_deref(), &field.name.local),
            };
            members.push(quote!(#docs pub #member: #ty,));
        }
        if let Some(any) = &self.module.any_attribute_name[id.0] {
            let field = ident(any);
            members.push(quote!(#[doc = " Attributes the schema does not declare (`xs:anyAttribute`)."] pub #field: ::std::vec::Vec<__rt::AnyAttribute>,));
        }

        let write_fields = self.write_fields(id, def);
        let read_fields = self.read_fields(id, def);
        let serde = if element {
            let mut declared_names = Vec::new();
            self.declared_names(id, &mut BTreeSet::new(), &mut declared_names);
            declared_names.sort();
            declared_names.dedup();
            let declared = declared_names.iter().map(name_tokens);
            let write_attributes = self.write_attributes(id, def);
            let read_attributes = self.read_attributes(id, def);
            let (write_text, read_text) = match &self.module.text_name[id.0] {
                Some(value) => {
                    let field = ident(value);
                    (
                        quote!(w.simple_text(&self.#field)?;),
                        quote!(#field: __rt::read_simple(node, ctx)?,),
                    )
                }
                None => (quote!(), quote!()),
            };
            quote! {
                impl __rt::WriteElement for #name {
                    fn write_element(&self, w: &mut __rt::XmlWriter, name: __rt::Name) -> ::core::result::Result<(), __rt::EncodeError> {
                        w.start(name)?;
                        #write_attributes
                        #write_text
                        #write_fields
                        w.end()
                    }
                }
                impl __rt::ReadElement for #name {
                    fn read_element(node: __rt::Node<'_, '_>, ctx: &__rt::ReadContext) -> ::core::result::Result<Self, __rt::DecodeError> {
                        const DECLARED: &[__rt::Name] = &[#(#declared),*];
                        #[allow(unused_mut, unused_variables)]
                        let mut children = __rt::Children::with_declared(node, ctx, DECLARED);
                        ::core::result::Result::Ok(Self {
                            #read_attributes
                            #read_text
                            #read_fields
                        })
                    }
                }
            }
        } else {
            let first = self.first_names(id, &mut BTreeSet::new());
            let first = first.iter().map(name_tokens);
            quote! {
                impl __rt::WriteParticles for #name {
                    fn write_particles(&self, w: &mut __rt::XmlWriter) -> ::core::result::Result<(), __rt::EncodeError> {
                        #write_fields
                        ::core::result::Result::Ok(())
                    }
                }
                impl __rt::ReadParticles for #name {
                    const FIRST: &'static [__rt::Name] = &[#(#first),*];
                    fn read_particles(children: &mut __rt::Children<'_, '_, '_>) -> ::core::result::Result<Self, __rt::DecodeError> {
                        ::core::result::Result::Ok(Self {
                            #read_fields
                        })
                    }
                }
            }
        };
        quote! {
            #docs
            #derives
            pub struct #name {
                #(#members)*
            }
            #serde
        }
    }

    /// Element names as `a`, `b`, for generated documentation.
    fn listed_names(&self, names: &[crate::ir::XmlName]) -> String {
        names
            .iter()
            .map(|n| format!("`{}`", n.local))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn write_attributes(&self, id: TypeId, def: &StructDef) -> TokenStream {
        let names = &self.module.attribute_names[id.0];
        let mut out = Vec::new();
        for (i, attribute) in def.attributes.iter().enumerate() {
            let xml = name_tokens(&attribute.name);
            if let Some(fixed) = &attribute.fixed {
                out.push(quote!(w.attribute(#xml, #fixed)?;));
                continue;
            }
            let field = ident(&names[i]);
            out.push(if attribute.required {
                quote!(w.attribute_value(#xml, &self.#field)?;)
            } else {
                quote!(w.attribute_opt(#xml, &self.#field)?;)
            });
        }
        if let Some(any) = &self.module.any_attribute_name[id.0] {
            let field = ident(any);
            out.push(quote!(for attribute in &self.#field { attribute.write(w)?; }));
        }
        quote!(#(#out)*)
    }

    fn read_attributes(&self, id: TypeId, def: &StructDef) -> TokenStream {
        let names = &self.module.attribute_names[id.0];
        let mut out = Vec::new();
        for (i, attribute) in def.attributes.iter().enumerate() {
            if attribute.fixed.is_some() {
                continue;
            }
            let field = ident(&names[i]);
            let xml = name_tokens(&attribute.name);
            out.push(if attribute.required {
                quote!(#field: __rt::required_attribute(node, #xml)?,)
            } else {
                quote!(#field: __rt::read_attribute(node, #xml)?,)
            });
        }
        if let Some(any) = &self.module.any_attribute_name[id.0] {
            let field = ident(any);
            let known: Vec<TokenStream> = def
                .attributes
                .iter()
                .map(|a: &AttributeField| name_tokens(&a.name))
                .collect();
            out.push(quote!(#field: __rt::AnyAttribute::collect(node, &[#(#known),*]),));
        }
        quote!(#(#out)*)
    }

    fn write_fields(&self, id: TypeId, def: &StructDef) -> TokenStream {
        let names = &self.module.field_names[id.0];
        let statements = def.fields.iter().enumerate().map(|(i, field)| {
            let member = ident(&names[i]);
            self.write_field(field, quote!(self.#member))
        });
        quote!(#(#statements)*)
    }

    /// Statement writing one field whose value is the place expression `value`.
    fn write_field(&self, field: &Field, value: TokenStream) -> TokenStream {
        let xml = name_tokens(&field.name);
        match (&field.kind, field.occurs) {
            (FieldKind::Any, _) => quote!(for element in &#value { element.write(w)?; }),
            (FieldKind::Element(_), Occurs::One) => quote!(w.element(#xml, &#value)?;),
            (FieldKind::Element(_), Occurs::Optional) => quote!(w.element_opt(#xml, &#value)?;),
            (FieldKind::Element(_), Occurs::Many { .. }) => quote!(w.element_vec(#xml, &#value)?;),
            (FieldKind::Particles(_), Occurs::One) => {
                quote!(__rt::WriteParticles::write_particles(&#value, w)?;)
            }
            (FieldKind::Particles(_), Occurs::Optional) => quote! {
                if let ::core::option::Option::Some(group) = &#value {
                    __rt::WriteParticles::write_particles(group, w)?;
                }
            },
            (FieldKind::Particles(_), Occurs::Many { .. }) => quote! {
                for group in &#value {
                    __rt::WriteParticles::write_particles(group, w)?;
                }
            },
        }
    }

    fn read_fields(&self, id: TypeId, def: &StructDef) -> TokenStream {
        let names = &self.module.field_names[id.0];
        let mut declared = Vec::new();
        self.declared_names(id, &mut BTreeSet::new(), &mut declared);
        let inits = def.fields.iter().enumerate().map(|(i, field)| {
            let member = ident(&names[i]);
            let value = self.read_field(field, &declared);
            quote!(#member: #value,)
        });
        quote!(#(#inits)*)
    }

    /// Expression reading one field from the cursor `children`.
    fn read_field(&self, field: &Field, declared: &[crate::ir::XmlName]) -> TokenStream {
        let xml = name_tokens(&field.name);
        // Members of xs:all may come in any order, so each is looked up from the start.
        let cursor = if field.in_all {
            quote!(__rt::Children::new(children.parent(), children.context()))
        } else {
            quote!(children)
        };
        match (&field.kind, field.occurs) {
            (FieldKind::Any, _) => {
                let known = declared.iter().map(name_tokens);
                quote!(children.wildcard(&[#(#known),*]))
            }
            (FieldKind::Element(_), Occurs::One) => quote!(#cursor.required(#xml)?),
            (FieldKind::Element(_), Occurs::Optional) => quote!(#cursor.optional(#xml)?),
            (FieldKind::Element(_), Occurs::Many { min: 0, .. }) => quote!(#cursor.repeated(#xml)?),
            (FieldKind::Element(_), Occurs::Many { min, .. }) => {
                let min = min as usize;
                quote!(#cursor.repeated_min(#xml, #min)?)
            }
            (FieldKind::Particles(_), Occurs::One) => quote!(children.required_group()?),
            (FieldKind::Particles(_), Occurs::Optional) => quote!(children.optional_group()?),
            (FieldKind::Particles(_), Occurs::Many { .. }) => quote!(children.repeated_group()?),
        }
    }

    fn choice_item(&self, id: TypeId, variants: &[Field], docs: TokenStream) -> TokenStream {
        let name = self.type_ident(id);
        let variant_names = &self.module.field_names[id.0];
        let mut members = Vec::new();
        let mut writes = Vec::new();
        let mut reads = Vec::new();
        let mut any_variant = None;
        for (i, variant) in variants.iter().enumerate() {
            let vname = ident(&variant_names[i]);
            let ty = self.field_type(id, i, variant);
            let vdocs = doc_attrs(variant.doc.as_deref(), &variant.name.local);
            members.push(quote!(#vdocs #vname(#ty),));
            let write = self.write_field(variant, quote!(*value));
            writes.push(quote!(Self::#vname(value) => { #write }));
            if matches!(variant.kind, FieldKind::Any) {
                any_variant = Some(vname);
                continue;
            }
            let firsts = self.field_first_names(variant, &mut BTreeSet::new());
            let firsts = firsts.iter().map(name_tokens);
            let read = self.read_field(variant, &[]);
            reads.push(quote! {
                if [#(#firsts),*].iter().any(|name| ctx.name_matches(node, *name)) {
                    return ::core::result::Result::Ok(Self::#vname(#read));
                }
            });
        }
        let first = self.first_names(id, &mut BTreeSet::new());
        let first_tokens = first.iter().map(name_tokens);
        let expected = first
            .iter()
            .map(|n| format!("`{}`", n.local))
            .collect::<Vec<_>>()
            .join(", ");
        let fallback = match &any_variant {
            Some(vname) => quote! {
                // The wildcard alternative takes whatever elements remain.
                let elements = children.wildcard(&[]);
                while children.take_next().is_some() {}
                ::core::result::Result::Ok(Self::#vname(elements))
            },
            None => quote! {
                ::core::result::Result::Err(__rt::DecodeError::NoAlternative {
                    path: __rt::element_path(children.parent()),
                    expected: ::std::string::String::from(#expected),
                })
            },
        };
        let default = match variants.first() {
            Some(_) if !self.module.no_default.contains(&id) => {
                let vname = ident(&variant_names[0]);
                quote! {
                    impl ::core::default::Default for #name {
                        fn default() -> Self {
                            Self::#vname(::core::default::Default::default())
                        }
                    }
                }
            }
            _ => quote!(),
        };
        quote! {
            #docs
            #[derive(Clone, Debug, PartialEq)]
            pub enum #name {
                #(#members)*
            }
            #default
            impl __rt::WriteParticles for #name {
                fn write_particles(&self, w: &mut __rt::XmlWriter) -> ::core::result::Result<(), __rt::EncodeError> {
                    match self {
                        #(#writes)*
                    }
                    ::core::result::Result::Ok(())
                }
            }
            impl __rt::ReadParticles for #name {
                const FIRST: &'static [__rt::Name] = &[#(#first_tokens),*];
                fn read_particles(children: &mut __rt::Children<'_, '_, '_>) -> ::core::result::Result<Self, __rt::DecodeError> {
                    let ctx = children.context();
                    if let ::core::option::Option::Some(node) = children.find_any(Self::FIRST) {
                        #(#reads)*
                    }
                    #fallback
                }
            }
        }
    }

    fn union_item(&self, id: TypeId, members: &[TypeRef], docs: TokenStream) -> TokenStream {
        let name = self.type_ident(id);
        let variants: Vec<_> = self.module.field_names[id.0]
            .iter()
            .map(|v| ident(v))
            .collect();
        let types: Vec<_> = members.iter().map(|m| self.type_ref(*m)).collect();
        let expected = format!(
            "a value of one of the member types {}",
            self.module.field_names[id.0].join(", ")
        );
        let first = &variants[0];
        let variant_docs: Vec<String> = members
            .iter()
            .map(|member| {
                let shown = match member {
                    TypeRef::Builtin(b) => crate::api::builtin_name(*b).to_owned(),
                    TypeRef::Type(t) => self.module.type_names[t.0].clone(),
                };
                format!(" A value of the member type `{shown}`.")
            })
            .collect();
        quote! {
            #docs
            #[doc = ""]
            #[doc = " A union: reading tries the member types in schema order and keeps the first that accepts the text."]
            #[derive(Clone, Debug, PartialEq)]
            pub enum #name {
                #(#[doc = #variant_docs] #variants(#types),)*
            }
            impl ::core::default::Default for #name {
                fn default() -> Self {
                    Self::#first(::core::default::Default::default())
                }
            }
            impl __rt::SimpleValue for #name {
                fn write_text(&self, out: &mut ::std::string::String) {
                    match self {
                        #(Self::#variants(value) => __rt::SimpleValue::write_text(value, out),)*
                    }
                }
                fn parse_text(text: &str) -> ::core::result::Result<Self, ::std::string::String> {
                    #(
                        if let ::core::result::Result::Ok(value) = <#types as __rt::SimpleValue>::parse_text(text) {
                            return ::core::result::Result::Ok(Self::#variants(value));
                        }
                    )*
                    ::core::result::Result::Err(::std::string::String::from(#expected))
                }
            }
            impl __rt::WriteElement for #name {
                fn write_element(&self, w: &mut __rt::XmlWriter, name: __rt::Name) -> ::core::result::Result<(), __rt::EncodeError> {
                    w.simple_element(name, self)
                }
            }
            impl __rt::ReadElement for #name {
                fn read_element(node: __rt::Node<'_, '_>, ctx: &__rt::ReadContext) -> ::core::result::Result<Self, __rt::DecodeError> {
                    __rt::read_simple(node, ctx)
                }
            }
        }
    }

    fn enum_item(
        &self,
        id: TypeId,
        base: TypeRef,
        values: &[(String, Option<String>)],
        docs: TokenStream,
    ) -> TokenStream {
        let name = self.type_ident(id);
        let variant_names: Vec<_> = self.module.field_names[id.0]
            .iter()
            .map(|v| ident(v))
            .collect();
        let members =
            values
                .iter()
                .zip(&variant_names)
                .enumerate()
                .map(|(i, ((value, doc), vname))| {
                    let vdocs = doc_attrs(doc.as_deref(), &format!("{value:?}"));
                    let default = if i == 0 { quote!(#[default]) } else { quote!() };
                    quote!(#vdocs #default #vname,)
                });
        let as_str = values
            .iter()
            .zip(&variant_names)
            .map(|((value, _), vname)| quote!(Self::#vname => #value,));
        let expected = format!(
            "one of {}",
            values
                .iter()
                .map(|(v, _)| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let integer_base = matches!(
            base,
            TypeRef::Builtin(
                Builtin::I8
                    | Builtin::I16
                    | Builtin::I32
                    | Builtin::I64
                    | Builtin::U8
                    | Builtin::U16
                    | Builtin::U32
                    | Builtin::U64
                    | Builtin::Integer
            )
        );
        let numbers: Option<Vec<i64>> = values
            .iter()
            .map(|(v, _)| v.trim().parse::<i64>().ok())
            .collect();
        // Integer enumerations compare values, so `01` reads as `1`.
        let parse = match (integer_base, numbers) {
            (true, Some(numbers)) => {
                // `1` and `01` are one value: the first variant listed reads it.
                let mut seen = std::collections::BTreeSet::new();
                let arms = numbers
                    .iter()
                    .zip(&variant_names)
                    .filter(|(n, _)| seen.insert(**n))
                    .map(|(n, vname)| quote!(::core::result::Result::Ok(#n) => ::core::result::Result::Ok(Self::#vname),));
                quote! {
                    match text.trim().parse::<i64>() {
                        #(#arms)*
                        _ => ::core::result::Result::Err(::std::string::String::from(#expected)),
                    }
                }
            }
            _ => {
                let arms = values.iter().zip(&variant_names).map(|((value, _), vname)| quote!(#value => ::core::result::Result::Ok(Self::#vname),));
                let trimmed_arms = values.iter().zip(&variant_names).map(|((value, _), vname)| quote!(#value => ::core::result::Result::Ok(Self::#vname),));
                quote! {
                    match text {
                        #(#arms)*
                        _ => match text.trim() {
                            #(#trimmed_arms)*
                            _ => ::core::result::Result::Err(::std::string::String::from(#expected)),
                        },
                    }
                }
            }
        };
        quote! {
            #docs
            #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub enum #name {
                #(#members)*
            }
            impl #name {
                /// The value as the schema spells it.
                pub const fn as_str(&self) -> &'static str {
                    match self {
                        #(#as_str)*
                    }
                }
            }
            impl ::core::fmt::Display for #name {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.write_str(self.as_str())
                }
            }
            impl __rt::SimpleValue for #name {
                fn write_text(&self, out: &mut ::std::string::String) {
                    out.push_str(self.as_str());
                }
                fn parse_text(text: &str) -> ::core::result::Result<Self, ::std::string::String> {
                    #parse
                }
            }
            impl __rt::WriteElement for #name {
                fn write_element(&self, w: &mut __rt::XmlWriter, name: __rt::Name) -> ::core::result::Result<(), __rt::EncodeError> {
                    w.simple_element(name, self)
                }
            }
            impl __rt::ReadElement for #name {
                fn read_element(node: __rt::Node<'_, '_>, ctx: &__rt::ReadContext) -> ::core::result::Result<Self, __rt::DecodeError> {
                    __rt::read_simple(node, ctx)
                }
            }
        }
    }
}
