//! Particles: sequences, choices, groups and elements inside complex types.

use super::*;

impl<'a, 'd> Resolver<'a, 'd> {
    pub(super) fn particle_fields(
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
                if !self.enter_group(qname, p.loc) {
                    return;
                }
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
                self.expanding_groups.remove(qname);
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
    pub(super) fn choice_variant(
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
                if !self.enter_group(qname, p.loc) {
                    return;
                }
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
                self.expanding_groups.remove(qname);
            }
        }
    }

    pub(super) fn element_field(
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
    pub(super) fn substitution_choice(&mut self, head: &QName) -> TypeId {
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
}

pub(super) fn particles_field(name: &str, id: TypeId, occurs: Occurs) -> Field {
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
pub(super) fn group_name(children: &[Particle]) -> Option<String> {
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
pub(super) fn choice_name(children: &[Particle]) -> String {
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
