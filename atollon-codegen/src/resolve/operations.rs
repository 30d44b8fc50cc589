//! Ports, operations and message bodies.

use super::*;

impl<'a, 'd> Resolver<'a, 'd> {
    /// Reports undefined references in message parts, also of messages no operation uses.
    pub(super) fn check_messages(&mut self, loaded: &'a Loaded) {
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

    pub(super) fn type_ref_quiet(&self, qname: &QName) -> Option<TypeRef> {
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

    pub(super) fn ports(&mut self, loaded: &'a Loaded) -> Vec<Port> {
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

    pub(super) fn operation(
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

    pub(super) fn body(
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
    pub(super) fn part_field(&mut self, part: &raw::Part) -> Option<Field> {
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

    pub(super) fn headers(&mut self, io: &raw::BindingIo, operation: &str) -> Option<TypeId> {
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
