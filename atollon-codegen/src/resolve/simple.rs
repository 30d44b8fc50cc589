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
                // A value listed twice would give two variants with one spelling.
                let mut distinct = BTreeSet::new();
                let enumeration: Vec<_> = enumeration
                    .iter()
                    .filter(|(value, _)| distinct.insert(value.clone()))
                    .cloned()
                    .collect();
                if enumeration.is_empty() {
                    TypeKind::Alias { target: base_ref }
                } else {
                    TypeKind::Enum {
                        base: self.primitive_of(base_ref),
                        values: enumeration,
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

    /// Reports simple types defined in terms of themselves (a restriction, list or union
    /// that reaches its own type), which would become Rust types of infinite size.
    pub(super) fn check_simple_cycles(&mut self) {
        let targets = |kind: &TypeKind| -> Vec<TypeId> {
            let refs: Vec<TypeRef> = match kind {
                TypeKind::Alias { target } => vec![*target],
                TypeKind::List(item) => vec![*item],
                TypeKind::Union(members) => members.clone(),
                TypeKind::Enum { base, .. } => vec![*base],
                _ => Vec::new(),
            };
            refs.into_iter()
                .filter_map(|r| match r {
                    TypeRef::Type(id) => Some(id),
                    TypeRef::Builtin(_) => None,
                })
                .collect()
        };
        let mut reported = BTreeSet::new();
        for start in 0..self.types.len() {
            // Follow every path from `start`; one that comes back to it is a cycle.
            let mut stack = targets(&self.types[start].kind);
            let mut seen = BTreeSet::new();
            while let Some(id) = stack.pop() {
                if id.0 == start {
                    if reported.insert(start) {
                        let ty = &self.types[start];
                        let (loc, qname) = (ty.loc, ty.qname.clone());
                        self.error(
                            loc,
                            format!("simple type `{qname}` is defined in terms of itself"),
                        );
                    }
                    break;
                }
                if seen.insert(id) {
                    stack.extend(targets(&self.types[id.0].kind));
                }
            }
        }
    }
}
