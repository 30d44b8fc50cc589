//! Simple types: restrictions, enumerations, lists and unions.

use super::*;

impl<'a, 'd> Resolver<'a, 'd> {
    pub(super) fn simple_kind(
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

    pub(super) fn anonymous_simple(
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
    pub(super) fn primitive_of(&mut self, mut ty: TypeRef) -> TypeRef {
        let mut guard = 0;
        while let TypeRef::Type(id) = ty {
            guard += 1;
            if guard > 64 {
                break;
            }
            // Converting on demand keeps the result independent of definition order.
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
}
