//! Stage 3: Rust names for every IR node, and which fields need a `Box`.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{FieldKind, Module, Occurs, TypeId, TypeKind, TypeRef};
use crate::names::{field_name, type_name, Namespace};

/// Names chosen for one port's generated items.
#[derive(Clone, Debug)]
pub struct PortNames {
    pub client: String,
    pub server: String,
    pub dispatch: String,
    /// One method name per operation, in the port's order.
    pub methods: Vec<String>,
    /// Fault enum name per operation that declares faults.
    pub faults: Vec<Option<String>>,
}

/// The IR of one module plus its Rust names.
#[derive(Debug)]
pub struct RustModule {
    pub ir: Module,
    pub type_names: Vec<String>,
    /// Per type: names of the struct fields (element fields) or choice variants.
    pub field_names: Vec<Vec<String>>,
    /// Per type: names of attribute fields.
    pub attribute_names: Vec<Vec<String>>,
    /// Per type: `value` and `any_attributes` field names where the type has them.
    pub text_name: Vec<Option<String>>,
    pub any_attribute_name: Vec<Option<String>>,
    /// (type, field index) of every field that closes a cycle and is boxed.
    pub boxed: BTreeSet<(TypeId, usize)>,
    /// Types whose `Default` would recurse forever, so none is derived.
    pub no_default: BTreeSet<TypeId>,
    pub ports: Vec<PortNames>,
}

/// Assigns names in an order that does not depend on how the types were discovered:
/// by name class, then namespace, then local name, then the name hint.
pub fn build(ir: Module) -> RustModule {
    let mut order: Vec<TypeId> = (0..ir.types.len()).map(TypeId).collect();
    order.retain(|id| !matches!(ir.types[id.0].kind, TypeKind::Pending));
    order.sort_by(|a, b| {
        let ta = &ir.types[a.0];
        let tb = &ir.types[b.0];
        (ta.class, &ta.qname.namespace, &ta.qname.local, &ta.hint).cmp(&(
            tb.class,
            &tb.qname.namespace,
            &tb.qname.local,
            &tb.hint,
        ))
    });
    let mut items = Namespace::with_reserved(&["__rt"]);
    let mut type_names = vec![String::new(); ir.types.len()];
    for id in &order {
        type_names[id.0] = items.claim(&type_name(&ir.types[id.0].hint));
    }

    let mut field_names = vec![Vec::new(); ir.types.len()];
    let mut attribute_names = vec![Vec::new(); ir.types.len()];
    let mut text_name = vec![None; ir.types.len()];
    let mut any_attribute_name = vec![None; ir.types.len()];
    for (i, ty) in ir.types.iter().enumerate() {
        match &ty.kind {
            TypeKind::Struct(def) | TypeKind::Particles(def) => {
                let mut scope = Namespace::default();
                field_names[i] = def
                    .fields
                    .iter()
                    .map(|f| scope.claim(&field_name(&f.name.local)))
                    .collect();
                attribute_names[i] = def
                    .attributes
                    .iter()
                    .map(|a| scope.claim(&field_name(&a.name.local)))
                    .collect();
                if def.text.is_some() {
                    text_name[i] = Some(scope.claim("value"));
                }
                if def.any_attribute {
                    any_attribute_name[i] = Some(scope.claim("any_attributes"));
                }
            }
            TypeKind::Choice(variants) => {
                let mut scope = Namespace::default();
                field_names[i] = variants
                    .iter()
                    .map(|f| scope.claim(&type_name(&f.name.local)))
                    .collect();
            }
            TypeKind::Union(members) => {
                let mut scope = Namespace::default();
                field_names[i] = members
                    .iter()
                    .map(|member| {
                        let wanted = match member {
                            TypeRef::Type(id) => type_names[id.0].clone(),
                            TypeRef::Builtin(b) => {
                                type_name(crate::api::builtin_name(*b).trim_start_matches("xs:"))
                            }
                        };
                        scope.claim(&wanted)
                    })
                    .collect();
            }
            TypeKind::Enum { values, .. } => {
                let mut scope = Namespace::default();
                field_names[i] = values
                    .iter()
                    .map(|(v, _)| scope.claim(&type_name(v)))
                    .collect();
            }
            _ => {}
        }
    }

    let boxed = find_cycle_edges(&ir);
    let no_default = find_no_default(&ir);

    let mut ports = Vec::new();
    let mut functions = Namespace::default();
    for port in &ir.ports {
        let base = port_base(&port.name);
        let client = items.claim(&format!("{}Client", type_name(&base)));
        let server = items.claim(&format!("{}Server", type_name(&base)));
        let dispatch = functions.claim(&format!("dispatch_{}", field_name(&base)));
        let mut methods_scope = Namespace::with_reserved(&["new", "client", "with_client"]);
        let methods = port
            .operations
            .iter()
            .map(|op| methods_scope.claim(&field_name(&op.name)))
            .collect();
        let faults = port
            .operations
            .iter()
            .map(|op| {
                (!op.faults.is_empty())
                    .then(|| items.claim(&format!("{}Fault", type_name(&op.name))))
            })
            .collect();
        ports.push(PortNames {
            client,
            server,
            dispatch,
            methods,
            faults,
        });
    }
    RustModule {
        ir,
        type_names,
        field_names,
        attribute_names,
        text_name,
        any_attribute_name,
        boxed,
        no_default,
        ports,
    }
}

/// Drops a trailing `Port`, `SoapPort` or `Soap` from a port name (`ProjectPort` gives
/// `Project`), unless nothing would remain.
fn port_base(name: &str) -> String {
    for suffix in ["SoapPort", "Port", "Soap12", "Soap"] {
        if let Some(stem) = name.strip_suffix(suffix) {
            if !stem.is_empty() {
                return stem.to_owned();
            }
        }
    }
    name.to_owned()
}

/// Edges by which a value directly contains another (not through a `Vec`).
fn direct_edges(ir: &Module, id: TypeId) -> Vec<(usize, TypeId)> {
    let fields = match &ir.types[id.0].kind {
        TypeKind::Struct(def) | TypeKind::Particles(def) => &def.fields,
        TypeKind::Choice(variants) => variants,
        _ => return Vec::new(),
    };
    fields
        .iter()
        .enumerate()
        .filter(|(_, f)| !matches!(f.occurs, Occurs::Many { .. }))
        .filter_map(|(i, f)| match f.kind {
            FieldKind::Element(TypeRef::Type(target)) | FieldKind::Particles(target) => {
                Some((i, target))
            }
            _ => None,
        })
        .collect()
}

/// Finds the fields to box by a depth-first search in type order. Every edge back to a
/// type on the stack closes a cycle, so boxing those edges breaks all cycles and boxes
/// nothing else.
fn find_cycle_edges(ir: &Module) -> BTreeSet<(TypeId, usize)> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnStack,
        Done,
    }
    let mut state = vec![State::New; ir.types.len()];
    let mut boxed = BTreeSet::new();
    for start in 0..ir.types.len() {
        if state[start] != State::New {
            continue;
        }
        // Iterative DFS: (type, its edges, next edge index).
        type Frame = (TypeId, Vec<(usize, TypeId)>, usize);
        let mut stack: Vec<Frame> = Vec::new();
        state[start] = State::OnStack;
        stack.push((TypeId(start), direct_edges(ir, TypeId(start)), 0));
        while let Some((id, edges, next)) = stack.last_mut() {
            if *next >= edges.len() {
                state[id.0] = State::Done;
                stack.pop();
                continue;
            }
            let (field, target) = edges[*next];
            *next += 1;
            let owner = *id;
            match state[target.0] {
                State::OnStack => {
                    boxed.insert((owner, field));
                }
                State::New => {
                    state[target.0] = State::OnStack;
                    let target_edges = direct_edges(ir, target);
                    stack.push((target, target_edges, 0));
                }
                State::Done => {}
            }
        }
    }
    boxed
}

/// Types whose derived `Default` would build an endless chain of required values.
fn find_no_default(ir: &Module) -> BTreeSet<TypeId> {
    // Required edges only: `Option` and `Vec` default to empty and stop the chain.
    let required: BTreeMap<TypeId, Vec<TypeId>> = (0..ir.types.len())
        .map(|i| {
            let id = TypeId(i);
            let targets = match &ir.types[i].kind {
                TypeKind::Struct(def) | TypeKind::Particles(def) => def
                    .fields
                    .iter()
                    .filter(|f| f.occurs == Occurs::One)
                    .filter_map(|f| match f.kind {
                        FieldKind::Element(TypeRef::Type(t)) | FieldKind::Particles(t) => Some(t),
                        _ => None,
                    })
                    .collect(),
                // A choice defaults to its first alternative.
                TypeKind::Choice(variants) => variants
                    .iter()
                    .take(1)
                    .filter(|f| f.occurs == Occurs::One)
                    .filter_map(|f| match f.kind {
                        FieldKind::Element(TypeRef::Type(t)) | FieldKind::Particles(t) => Some(t),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            (id, targets)
        })
        .collect();
    // A type can be defaulted when every required value in it can: grow that set from
    // the leaves, and whatever never joins it lies on or leads to a required cycle.
    let mut finite: BTreeSet<TypeId> = BTreeSet::new();
    loop {
        let before = finite.len();
        for (id, targets) in &required {
            if !finite.contains(id) && targets.iter().all(|t| finite.contains(t)) {
                finite.insert(*id);
            }
        }
        if finite.len() == before {
            break;
        }
    }
    required
        .keys()
        .filter(|id| !finite.contains(id))
        .copied()
        .collect()
}
