//! Complex types and their attributes.

use super::*;

impl<'a, 'd> Resolver<'a, 'd> {
    pub(super) fn complex_def(
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

    pub(super) fn complex_def_inner(
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

    pub(super) fn attribute_fields(
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
                            if !self.expanding_attribute_groups.insert(qname.clone()) {
                                self.error(*loc, format!("attribute group `{qname}` refers to itself, directly or through other attribute groups"));
                                continue;
                            }
                            if group.any_attribute {
                                self.group_any_attribute = true;
                            }
                            self.attribute_fields(&group.attributes, group_ctx, hint, origin, out);
                            self.expanding_attribute_groups.remove(qname);
                        }
                        None => self.error(*loc, format!("undefined attribute group `{qname}`")),
                    }
                }
            }
        }
    }

    pub(super) fn attribute_field(
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

    pub(super) fn attribute_type(
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
}

/// Applies a derivation's own attributes to those inherited from the base: an extension
/// adds them, a restriction replaces same-named ones and removes prohibited ones.
pub(super) fn merge_attributes(
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
