//! Stage 4: the Rust model to tokens, one emitter per kind of item.

mod docs;
mod ops;
mod types;

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{Builtin, FieldKind, Occurs, TypeId, TypeKind, TypeRef, XmlName};
use crate::rust_model::RustModule;

pub(crate) use docs::{doc_attrs, generated_doc_attrs};

/// Settings that shape the emitted code.
pub(crate) struct EmitOptions<'a> {
    /// Local names of string elements that carry secrets and become `Secret`.
    pub secret_fields: &'a [String],
    /// Path of the runtime's re-export module, such as `::atollon_client::__codegen`.
    pub runtime: &'a syn::Path,
}

pub(crate) struct Emitter<'a> {
    pub module: &'a RustModule,
    pub options: &'a EmitOptions<'a>,
}

pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// Emits the items of one module, without the `mod` wrapper.
pub(crate) fn module_items(module: &RustModule, options: &EmitOptions<'_>) -> TokenStream {
    let emitter = Emitter { module, options };
    let runtime = options.runtime;
    let mut order: Vec<TypeId> = (0..module.ir.types.len())
        .map(TypeId)
        .filter(|id| !matches!(module.ir.types[id.0].kind, TypeKind::Pending))
        .collect();
    order.sort_by(|a, b| module.type_names[a.0].cmp(&module.type_names[b.0]));
    let types = order.iter().map(|id| emitter.type_item(*id));
    let ports = (0..module.ir.ports.len()).map(|i| emitter.port_items(i));
    quote! {
        #[allow(unused_imports)]
        use #runtime as __rt;
        #(#types)*
        #(#ports)*
    }
}

impl<'a> Emitter<'a> {
    pub fn type_ident(&self, id: TypeId) -> Ident {
        ident(&self.module.type_names[id.0])
    }

    pub fn type_ref(&self, ty: TypeRef) -> TokenStream {
        match ty {
            TypeRef::Type(id) => {
                let name = self.type_ident(id);
                quote!(#name)
            }
            TypeRef::Builtin(b) => builtin_tokens(b),
        }
    }

    /// The Rust type of a field, with `Box`, `Nillable`, `Option` and `Vec` applied.
    pub fn field_type(&self, owner: TypeId, index: usize, field: &crate::ir::Field) -> TokenStream {
        let mut base = match field.kind {
            FieldKind::Any => return quote!(::std::vec::Vec<__rt::AnyElement>),
            FieldKind::Particles(id) => {
                let name = self.type_ident(id);
                quote!(#name)
            }
            FieldKind::Element(ty) => {
                if self.is_secret(field) {
                    quote!(__rt::Secret)
                } else {
                    self.type_ref(ty)
                }
            }
        };
        if field.nillable {
            base = quote!(__rt::Nillable<#base>);
        }
        if self.module.boxed.contains(&(owner, index)) {
            base = quote!(::std::boxed::Box<#base>);
        }
        match field.occurs {
            Occurs::One => base,
            Occurs::Optional => quote!(::core::option::Option<#base>),
            Occurs::Many { .. } => quote!(::std::vec::Vec<#base>),
        }
    }

    pub fn is_secret(&self, field: &crate::ir::Field) -> bool {
        matches!(
            field.kind,
            FieldKind::Element(TypeRef::Builtin(Builtin::String))
        ) && self
            .options
            .secret_fields
            .iter()
            .any(|s| s == &field.name.local)
    }

    /// Element names that can start the particles of type `id`.
    pub fn first_names(&self, id: TypeId, seen: &mut BTreeSet<TypeId>) -> Vec<XmlName> {
        if !seen.insert(id) {
            return Vec::new();
        }
        let mut names = Vec::new();
        match &self.module.ir.types[id.0].kind {
            TypeKind::Particles(def) | TypeKind::Struct(def) => {
                for field in &def.fields {
                    names.extend(self.field_first_names(field, seen));
                    let required = match field.occurs {
                        Occurs::One => true,
                        Occurs::Optional => false,
                        Occurs::Many { min, .. } => min > 0,
                    };
                    if required && !field.in_all {
                        break;
                    }
                }
            }
            TypeKind::Choice(variants) => {
                for variant in variants {
                    names.extend(self.field_first_names(variant, seen));
                }
            }
            _ => {}
        }
        names
    }

    pub fn field_first_names(
        &self,
        field: &crate::ir::Field,
        seen: &mut BTreeSet<TypeId>,
    ) -> Vec<XmlName> {
        match field.kind {
            FieldKind::Element(_) => vec![field.name.clone()],
            FieldKind::Particles(id) => self.first_names(id, seen),
            FieldKind::Any => Vec::new(),
        }
    }

    /// Every element name declared in the fields of `id`, through nested particles, for
    /// telling wildcard content from declared content.
    pub fn declared_names(&self, id: TypeId, seen: &mut BTreeSet<TypeId>, out: &mut Vec<XmlName>) {
        if !seen.insert(id) {
            return;
        }
        let fields = match &self.module.ir.types[id.0].kind {
            TypeKind::Particles(def) | TypeKind::Struct(def) => &def.fields,
            TypeKind::Choice(variants) => variants,
            _ => return,
        };
        for field in fields {
            match field.kind {
                FieldKind::Element(_) => out.push(field.name.clone()),
                FieldKind::Particles(inner) => self.declared_names(inner, seen, out),
                FieldKind::Any => {}
            }
        }
    }
}

pub(crate) fn name_tokens(name: &XmlName) -> TokenStream {
    let local = &name.local;
    match &name.namespace {
        Some(ns) => quote!(__rt::Name::new(::core::option::Option::Some(#ns), #local)),
        None => quote!(__rt::Name::new(::core::option::Option::None, #local)),
    }
}

fn builtin_tokens(builtin: Builtin) -> TokenStream {
    match builtin {
        Builtin::String => quote!(::std::string::String),
        Builtin::Boolean => quote!(bool),
        Builtin::Decimal => quote!(__rt::Decimal),
        Builtin::Integer => quote!(__rt::Integer),
        Builtin::I8 => quote!(i8),
        Builtin::I16 => quote!(i16),
        Builtin::I32 => quote!(i32),
        Builtin::I64 => quote!(i64),
        Builtin::U8 => quote!(u8),
        Builtin::U16 => quote!(u16),
        Builtin::U32 => quote!(u32),
        Builtin::U64 => quote!(u64),
        Builtin::F32 => quote!(f32),
        Builtin::F64 => quote!(f64),
        Builtin::DateTime => quote!(__rt::DateTime),
        Builtin::Date => quote!(__rt::Date),
        Builtin::Time => quote!(__rt::Time),
        Builtin::Base64Binary => quote!(__rt::Base64Binary),
        Builtin::HexBinary => quote!(__rt::HexBinary),
        Builtin::StringList => quote!(__rt::List<::std::string::String>),
        Builtin::AnyType => quote!(__rt::AnyType),
    }
}
