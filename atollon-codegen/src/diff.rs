//! Contract diffs: what a new version of the WSDL files changes in the generated API, and
//! whether each change breaks code built on the old version or the exchange on the wire.
//!
//! [`diff`] compares two [`Api`] values and returns a [`Report`]. It does no I/O.
//!
//! # Perspective
//!
//! Every change is classified for a client generated from OLD that talks to a server on NEW.
//!
//! - **Breaks code**: code built on OLD must change to work with the code generated from
//!   NEW. Either it stops compiling, or it compiles but sends a default placeholder where
//!   NEW needs a value (an added required request field). Code stops compiling on a removed
//!   method, type, field or variant, a changed Rust type, or an added enum variant that
//!   exhaustive matches miss.
//! - **Breaks the wire**: an old client's request may be rejected, or the old client's
//!   reader may fail on a new response or silently lose data from it. The server is assumed
//!   to validate requests against its schema: it rejects elements it does not know, missing
//!   required elements, too many repetitions, elements out of sequence order and values
//!   outside the declared type. The reader is the one generated from OLD. It skips elements
//!   and attributes it does not know. It finds a single element even out of schema order,
//!   but reads the elements of a repeated field only up to the next element of another name
//!   that its type declares. It keeps only the first of several elements read into a single
//!   field. It fails on a missing required element or attribute, on a value its Rust type
//!   cannot parse (`xsi:nil` included) and on an unknown enumeration value or choice
//!   alternative.
//!
//! A change that breaks neither is compatible. A server implementation built on OLD reads
//! requests and writes responses, the other way round, and the report does not classify
//! changes for it.
//!
//! # Added fields and struct literals
//!
//! Adding a public field to a struct breaks every struct literal that lists all fields.
//! The generated structs derive `Default`, and code builds them with a struct literal that
//! ends in `..Default::default()`, which keeps compiling when a field is added. The report
//! therefore counts an added optional field as compatible with code. Almost every contract
//! revision adds optional fields, and a gate that failed on each of them would fail on the
//! changes that need no action. Two exceptions break code:
//!
//! - an added required field in a request type, because the old code never sets it and
//!   `..Default::default()` would send an empty placeholder;
//! - any added field in a type without `Default`: the generator leaves it out for types on
//!   a cycle of required fields, so their struct literals must list every field.
//!
//! # Which messages a type is in
//!
//! A type is in requests when an operation's request type reaches it through fields, and in
//! responses when a response type does. The union of OLD and NEW counts. A type that no
//! request or response body reaches (a SOAP header, a fault detail or an unused type) is
//! classified as if it were in both, because the API description does not link headers and
//! fault details to their operations.
//!
//! # Matching
//!
//! - Modules match by name, ports by service and port name, operations by name, types by
//!   Rust name.
//! - Fields match within a type by kind and XML local name; when a local name occurs
//!   several times, the n-th occurrence matches the n-th. Groups (choices and nested
//!   sequences) and wildcards match by position among the groups or wildcards of the type,
//!   because a group's name is made of its alternatives' names. Enumeration values match
//!   by value.
//! - **Rename**: a removed field and an added field of a type are reported as one rename
//!   when they are the only removed and the only added element (or attribute) of that type,
//!   sit at the same position among its elements (or attributes), and have the same XSD
//!   type, occurrence and nillability. Two anonymous types count as the same XSD type here.
//!   Anything else is a removal plus an addition.
//! - Two types with different Rust names are compared as one renamed type when matched
//!   fields refer to them, the old one is gone from NEW and the new one is not in OLD, such
//!   as the enum of a choice that gained an alternative, or the anonymous type of a renamed
//!   element.
//!
//! # Limits
//!
//! The API description carries no facets (length, pattern, range), no default values and
//! no `xs:all` marker. So a changed facet is not reported, and a reordering inside an
//! `xs:all` in a request, which a server accepts, is reported as breaking the wire.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::api::{
    Api, ApiField, ApiFieldKind, ApiModule, ApiOperation, ApiPort, ApiType, ApiTypeKind,
};

/// The changes between two versions of a contract, per module.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Report {
    /// Modules with at least one change, in the order of NEW, then modules only in OLD.
    pub modules: Vec<ModuleChanges>,
}

/// The changes in one module.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ModuleChanges {
    /// Rust module name.
    pub name: String,
    /// Changes in the order: module, then per port its operations, then types.
    pub changes: Vec<Change>,
}

/// Part of a module a change belongs to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
pub enum Section {
    /// The module as a whole.
    Module,
    /// One port of a service.
    Port {
        /// `wsdl:service` name.
        service: String,
        /// `wsdl:port` name.
        port: String,
    },
    /// The module's types.
    Types,
}

/// Messages a changed type is in, seen from the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum Usage {
    /// Only in requests: the client writes it.
    Request,
    /// Only in responses: the client reads it.
    Response,
    /// In requests and responses.
    Both,
    /// In no request or response body: a header, a fault detail or unused. Classified as
    /// [`Usage::Both`].
    Unreached,
}

impl Usage {
    fn in_requests(self) -> bool {
        !matches!(self, Usage::Response)
    }

    fn in_responses(self) -> bool {
        !matches!(self, Usage::Request)
    }

    fn label(self) -> &'static str {
        match self {
            Usage::Request => "request",
            Usage::Response => "response",
            Usage::Both => "request, response",
            Usage::Unreached => "header, fault or unused",
        }
    }
}

/// Kind of change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum ChangeKind {
    /// A module (entry WSDL file) only in NEW.
    ModuleAdded,
    /// A module only in OLD.
    ModuleRemoved,
    /// A port only in NEW.
    PortAdded,
    /// A port only in OLD.
    PortRemoved,
    /// The Rust client type of a port has another name.
    ClientRenamed,
    /// An operation only in NEW.
    OperationAdded,
    /// An operation only in OLD.
    OperationRemoved,
    /// The Rust method of an operation has another name.
    MethodRenamed,
    /// The request body element or Rust type of an operation changed.
    RequestChanged,
    /// The response body element or Rust type of an operation changed.
    ResponseChanged,
    /// The `soapAction` of an operation changed.
    SoapActionChanged,
    /// An operation declares a new fault.
    FaultAdded,
    /// An operation no longer declares a fault.
    FaultRemoved,
    /// A type only in NEW.
    TypeAdded,
    /// A type only in OLD.
    TypeRemoved,
    /// A type has another Rust name.
    TypeRenamed,
    /// A type became another kind of Rust item, such as a struct becoming an enum.
    TypeKindChanged,
    /// The QName of the definition a type comes from changed.
    DefinitionChanged,
    /// A struct field (element, attribute, text, group or wildcard) only in NEW.
    FieldAdded,
    /// A struct field only in OLD.
    FieldRemoved,
    /// A field's XML name changed; see the rename rule in the module documentation.
    FieldRenamed,
    /// A field's Rust name changed while its XML name stayed.
    FieldRustNameChanged,
    /// A field's element or attribute moved to another namespace.
    FieldNamespaceChanged,
    /// A field's XSD type changed.
    FieldTypeChanged,
    /// A field's Rust type changed while its XSD type, occurrence and nillability stayed.
    FieldRustTypeChanged,
    /// A field's `minOccurs` or `maxOccurs` (or an attribute's `use`) changed.
    FieldOccurrenceChanged,
    /// A field's `nillable` changed.
    FieldNillableChanged,
    /// The elements of a sequence come in another order.
    FieldsReordered,
    /// An alternative of a choice or a member of a union only in NEW.
    AlternativeAdded,
    /// An alternative of a choice or a member of a union only in OLD.
    AlternativeRemoved,
    /// An enumeration value only in NEW.
    ValueAdded,
    /// An enumeration value only in OLD.
    ValueRemoved,
}

/// One change, with what it breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Change {
    /// Part of the module the change is in.
    pub section: Section,
    /// Subject of the change: `operation NAME`, `type NAME`, or `TYPE.FIELD` with the field's XML
    /// name (`@name` for an attribute, `text()` for text content, `(name)` for a group).
    pub subject: String,
    /// Kind of change.
    pub kind: ChangeKind,
    /// The change in words, such as `occurrence 0..1 -> 1..1 (optional -> required)`.
    pub description: String,
    /// For changes in types: the messages the type is in.
    pub usage: Option<Usage>,
    /// Reason code built on OLD breaks, or `None` when it does not.
    pub code_break: Option<String>,
    /// Reason the wire exchange of a client built on OLD breaks, or `None` when it does not.
    pub wire_break: Option<String>,
}

impl Change {
    /// Returns whether code built on OLD breaks.
    pub fn breaks_code(&self) -> bool {
        self.code_break.is_some()
    }

    /// Returns whether the wire exchange of a client built on OLD breaks.
    pub fn breaks_wire(&self) -> bool {
        self.wire_break.is_some()
    }

    /// Returns whether the change breaks code or the wire.
    pub fn is_breaking(&self) -> bool {
        self.breaks_code() || self.breaks_wire()
    }

    /// `BREAKING (code, wire)`, `BREAKING (code)`, `BREAKING (wire)` or `compatible`.
    pub fn marker(&self) -> &'static str {
        match (self.breaks_code(), self.breaks_wire()) {
            (true, true) => "BREAKING (code, wire)",
            (true, false) => "BREAKING (code)",
            (false, true) => "BREAKING (wire)",
            (false, false) => "compatible",
        }
    }
}

/// Counts of changes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Summary {
    /// All changes.
    pub changes: usize,
    /// Changes that break code or the wire.
    pub breaking: usize,
    /// Changes that break code.
    pub code: usize,
    /// Changes that break the wire.
    pub wire: usize,
    /// Changes that break neither.
    pub compatible: usize,
}

impl Report {
    /// Counts the changes.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for change in self.modules.iter().flat_map(|m| &m.changes) {
            summary.changes += 1;
            summary.breaking += usize::from(change.is_breaking());
            summary.code += usize::from(change.breaks_code());
            summary.wire += usize::from(change.breaks_wire());
            summary.compatible += usize::from(!change.is_breaking());
        }
        summary
    }

    /// Returns whether any change breaks code or the wire.
    pub fn is_breaking(&self) -> bool {
        self.modules
            .iter()
            .flat_map(|m| &m.changes)
            .any(Change::is_breaking)
    }

    /// Formats the report for a terminal or a pull request: a heading per module and per
    /// port, one line per change, and a summary line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for module in &self.modules {
            let _ = writeln!(out, "module {}", module.name);
            let mut section = None;
            for change in &module.changes {
                if section != Some(&change.section) {
                    match &change.section {
                        Section::Module => {}
                        Section::Port { service, port } => {
                            let _ = writeln!(out, "  port {service}/{port}");
                        }
                        Section::Types => {
                            let _ = writeln!(out, "  types");
                        }
                    }
                    section = Some(&change.section);
                }
                let indent = if change.section == Section::Module {
                    "  "
                } else {
                    "    "
                };
                let usage = change
                    .usage
                    .map(|u| format!(" [{}]", u.label()))
                    .unwrap_or_default();
                let _ = write!(
                    out,
                    "{indent}{:<21}  {}{usage}: {}.",
                    change.marker(),
                    change.subject,
                    change.description
                );
                if let Some(reason) = &change.code_break {
                    let _ = write!(out, " Code: {reason}.");
                }
                if let Some(reason) = &change.wire_break {
                    let _ = write!(out, " Wire: {reason}.");
                }
                out.push('\n');
            }
        }
        let summary = self.summary();
        if summary.changes == 0 {
            out.push_str("No changes.\n");
        } else {
            let _ = writeln!(
                out,
                "Summary: {} {}, {} breaking ({} code, {} wire), {} compatible.",
                summary.changes,
                if summary.changes == 1 {
                    "change"
                } else {
                    "changes"
                },
                summary.breaking,
                summary.code,
                summary.wire,
                summary.compatible
            );
        }
        out
    }
}

/// Compares the API generated from OLD with the one generated from NEW.
///
/// Modules match by name; to compare two modules with different names (two single files),
/// give them the same name first.
pub fn diff(old: &Api, new: &Api) -> Report {
    let mut modules = Vec::new();
    for new_module in &new.modules {
        let changes = match old.modules.iter().find(|m| m.name == new_module.name) {
            Some(old_module) => ModuleDiffer::new(old_module, new_module).run(),
            None => vec![module_change(new_module, ChangeKind::ModuleAdded)],
        };
        if !changes.is_empty() {
            modules.push(ModuleChanges {
                name: new_module.name.clone(),
                changes,
            });
        }
    }
    for old_module in &old.modules {
        if !new.modules.iter().any(|m| m.name == old_module.name) {
            modules.push(ModuleChanges {
                name: old_module.name.clone(),
                changes: vec![module_change(old_module, ChangeKind::ModuleRemoved)],
            });
        }
    }
    Report { modules }
}

fn module_change(module: &ApiModule, kind: ChangeKind) -> Change {
    let operations: usize = module.ports.iter().map(|p| p.operations.len()).sum();
    let counts = format!(
        "{} {}, {} {}, {} {}",
        module.ports.len(),
        plural(module.ports.len(), "port", "ports"),
        operations,
        plural(operations, "operation", "operations"),
        module.types.len(),
        plural(module.types.len(), "type", "types"),
    );
    let (description, code_break, wire_break) = if kind == ChangeKind::ModuleAdded {
        (format!("added ({counts})"), None, None)
    } else {
        (
            format!("removed ({counts})"),
            Some("the module and everything in it no longer exist".to_owned()),
            (operations > 0).then(|| "its operations are gone from the contract".to_owned()),
        )
    };
    Change {
        section: Section::Module,
        subject: format!("module {}", module.name),
        kind,
        description,
        usage: None,
        code_break,
        wire_break,
    }
}

fn plural<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 {
        one
    } else {
        many
    }
}

/// Messages that reach a type, in one version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Reach {
    request: bool,
    response: bool,
}

impl Reach {
    fn union(self, other: Reach) -> Reach {
        Reach {
            request: self.request || other.request,
            response: self.response || other.response,
        }
    }

    fn usage(self) -> Usage {
        match (self.request, self.response) {
            (true, true) => Usage::Both,
            (true, false) => Usage::Request,
            (false, true) => Usage::Response,
            (false, false) => Usage::Unreached,
        }
    }
}

/// One version of a module, indexed for the comparison.
struct Side<'a> {
    module: &'a ApiModule,
    types: BTreeMap<&'a str, &'a ApiType>,
    reach: BTreeMap<&'a str, Reach>,
    /// Types whose generated code has no `Default`.
    no_default: BTreeSet<&'a str>,
}

impl<'a> Side<'a> {
    fn new(module: &'a ApiModule) -> Self {
        let types: BTreeMap<&str, &ApiType> =
            module.types.iter().map(|t| (t.name.as_str(), t)).collect();
        let mut side = Side {
            module,
            types,
            reach: BTreeMap::new(),
            no_default: BTreeSet::new(),
        };
        side.reach = side.find_reach();
        side.no_default = side.find_no_default();
        side
    }

    /// Names of this module's types among the identifiers of a Rust type, outermost first.
    /// A generated type may be called `Option` or `Box`, so a wrapper can count too, which
    /// only makes the reach larger.
    fn referenced_types(&self, rust_type: &str) -> Vec<&'a str> {
        rust_type
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter_map(|word| self.types.get_key_value(word).map(|(name, _)| *name))
            .collect()
    }

    /// Returns the generated type of a field's value, if it has one: the innermost module
    /// type in its Rust type.
    fn field_target(&self, field: &ApiField) -> Option<&'a str> {
        self.referenced_types(&field.rust_type).last().copied()
    }

    fn find_reach(&self) -> BTreeMap<&'a str, Reach> {
        let mut reach: BTreeMap<&'a str, Reach> = BTreeMap::new();
        for (request, pick) in [
            (
                true,
                (|op: &'a ApiOperation| op.input_type.as_str()) as fn(&'a ApiOperation) -> &'a str,
            ),
            (false, |op: &'a ApiOperation| op.output_type.as_str()),
        ] {
            let mut stack: Vec<&'a str> = self
                .module
                .ports
                .iter()
                .flat_map(|p| &p.operations)
                .flat_map(|op| self.referenced_types(pick(op)))
                .collect();
            let mut seen = BTreeSet::new();
            while let Some(name) = stack.pop() {
                if !seen.insert(name) {
                    continue;
                }
                let entry = reach.entry(name).or_default();
                if request {
                    entry.request = true;
                } else {
                    entry.response = true;
                }
                if let Some(ty) = self.types.get(name) {
                    for field in &ty.fields {
                        stack.extend(self.referenced_types(&field.rust_type));
                    }
                }
            }
        }
        reach
    }

    /// Finds the types that get no `Default`, by the generator's rule: a type can be
    /// defaulted when every value it requires can. A required value is a single required
    /// element or group of a struct, or the first alternative of a choice when required.
    // NOTE: this repeats the generator's rule from the API description, which has no
    // field for it; the two must change together.
    fn find_no_default(&self) -> BTreeSet<&'a str> {
        let required_targets = |ty: &ApiType| -> Vec<&'a str> {
            let fields: Vec<&ApiField> = match ty.kind {
                ApiTypeKind::Struct | ApiTypeKind::Group => ty.fields.iter().collect(),
                ApiTypeKind::Choice => ty.fields.iter().take(1).collect(),
                _ => Vec::new(),
            };
            fields
                .into_iter()
                .filter(|f| f.min == 1 && f.max == Some(1))
                .filter(|f| matches!(f.kind, ApiFieldKind::Element | ApiFieldKind::Group))
                .filter_map(|f| self.field_target(f))
                .collect()
        };
        let mut finite: BTreeSet<&'a str> = BTreeSet::new();
        loop {
            let before = finite.len();
            for (name, ty) in &self.types {
                if !finite.contains(name) && required_targets(ty).iter().all(|t| finite.contains(t))
                {
                    finite.insert(name);
                }
            }
            if finite.len() == before {
                break;
            }
        }
        self.types
            .keys()
            .filter(|name| !finite.contains(*name))
            .copied()
            .collect()
    }
}

/// Role of a type's fields, by kind of type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Container {
    /// A struct or group: fields are members.
    Struct,
    /// A choice or union: fields are alternatives, and each is an enum variant.
    Choice,
    /// An enumeration: fields are values.
    Enumeration,
    /// An alias or list: the one field is the target type.
    Alias,
}

fn container(kind: ApiTypeKind) -> Container {
    match kind {
        ApiTypeKind::Struct | ApiTypeKind::Group => Container::Struct,
        ApiTypeKind::Choice => Container::Choice,
        ApiTypeKind::Enumeration => Container::Enumeration,
        ApiTypeKind::Alias | ApiTypeKind::List => Container::Alias,
    }
}

/// Two versions of one field.
struct FieldPair<'a> {
    old: &'a ApiField,
    new: &'a ApiField,
    /// Position of `old` in the OLD type's fields.
    old_index: usize,
    /// Whether the pair was made by the rename rule.
    renamed: bool,
}

/// The result of matching the fields of two versions of a type.
struct FieldMatch<'a> {
    /// Matched fields, in NEW order.
    pairs: Vec<FieldPair<'a>>,
    removed: Vec<&'a ApiField>,
    added: Vec<&'a ApiField>,
}

/// `{namespace}local` split into its parts; attributes lose their `@`.
fn split_xml_name(xml_name: &str) -> (Option<&str>, &str) {
    let name = xml_name.strip_prefix('@').unwrap_or(xml_name);
    match name.strip_prefix('{').and_then(|rest| rest.split_once('}')) {
        Some((namespace, local)) => (Some(namespace), local),
        None => (None, name),
    }
}

/// Returns the part of a field's identity other than its position.
fn field_key(field: &ApiField) -> (ApiFieldKind, &str) {
    let base = match field.kind {
        ApiFieldKind::Element | ApiFieldKind::Attribute => split_xml_name(&field.xml_name).1,
        ApiFieldKind::Value => field.xml_name.as_str(),
        ApiFieldKind::Text => field.name.as_str(),
        ApiFieldKind::Group | ApiFieldKind::Wildcard => "",
    };
    (field.kind, base)
}

/// Returns each field's key with the number of earlier fields that have the same key.
fn numbered_keys(fields: &[ApiField]) -> Vec<(ApiFieldKind, &str, usize)> {
    let mut counts: BTreeMap<(ApiFieldKind, &str), usize> = BTreeMap::new();
    fields
        .iter()
        .map(|field| {
            let key = field_key(field);
            let count = counts.entry(key).or_default();
            let numbered = (key.0, key.1, *count);
            *count += 1;
            numbered
        })
        .collect()
}

/// Position of each field among the fields of its kind.
fn kind_positions(fields: &[ApiField]) -> Vec<usize> {
    let mut counts: BTreeMap<ApiFieldKind, usize> = BTreeMap::new();
    fields
        .iter()
        .map(|field| {
            let count = counts.entry(field.kind).or_default();
            let position = *count;
            *count += 1;
            position
        })
        .collect()
}

fn same_xsd_type(old: &ApiField, new: &ApiField) -> bool {
    old.xsd_type == new.xsd_type
        || (old.xsd_type.starts_with("anonymous ") && new.xsd_type.starts_with("anonymous "))
}

fn match_fields<'a>(old: &'a [ApiField], new: &'a [ApiField]) -> FieldMatch<'a> {
    let old_keys = numbered_keys(old);
    let new_keys = numbered_keys(new);
    let old_index: BTreeMap<_, usize> = old_keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let mut matched_old = vec![false; old.len()];
    let mut pairs = Vec::new();
    let mut added_index = Vec::new();
    for (n, key) in new_keys.iter().enumerate() {
        match old_index.get(key) {
            Some(&o) => {
                matched_old[o] = true;
                pairs.push((o, n, false));
            }
            None => added_index.push(n),
        }
    }
    let mut removed_index: Vec<usize> = (0..old.len()).filter(|o| !matched_old[*o]).collect();

    // The rename rule of the module documentation.
    let old_positions = kind_positions(old);
    let new_positions = kind_positions(new);
    for kind in [ApiFieldKind::Element, ApiFieldKind::Attribute] {
        let removed: Vec<usize> = removed_index
            .iter()
            .copied()
            .filter(|o| old[*o].kind == kind)
            .collect();
        let added: Vec<usize> = added_index
            .iter()
            .copied()
            .filter(|n| new[*n].kind == kind)
            .collect();
        let ([o], [n]) = (removed.as_slice(), added.as_slice()) else {
            continue;
        };
        let (o, n) = (*o, *n);
        let (a, b) = (&old[o], &new[n]);
        if old_positions[o] == new_positions[n]
            && a.min == b.min
            && a.max == b.max
            && a.nillable == b.nillable
            && same_xsd_type(a, b)
        {
            removed_index.retain(|i| *i != o);
            added_index.retain(|i| *i != n);
            pairs.push((o, n, true));
        }
    }
    pairs.sort_by_key(|(_, n, _)| *n);
    FieldMatch {
        pairs: pairs
            .into_iter()
            .map(|(o, n, renamed)| FieldPair {
                old: &old[o],
                new: &new[n],
                old_index: o,
                renamed,
            })
            .collect(),
        removed: removed_index.into_iter().map(|o| &old[o]).collect(),
        added: added_index.into_iter().map(|n| &new[n]).collect(),
    }
}

/// Formats a field's name for a subject: its XML local name, `@name` for an attribute, `text()`
/// for text content, `(name)` for a group and `(any)` for a wildcard.
fn field_label(field: &ApiField) -> String {
    match field.kind {
        ApiFieldKind::Element => split_xml_name(&field.xml_name).1.to_owned(),
        ApiFieldKind::Attribute => format!("@{}", split_xml_name(&field.xml_name).1),
        ApiFieldKind::Text if field.name.is_empty() || field.xml_name == "text()" => {
            "text()".to_owned()
        }
        ApiFieldKind::Text => field.name.clone(),
        ApiFieldKind::Group => format!("({})", field.xml_name),
        ApiFieldKind::Wildcard => "(any)".to_owned(),
        ApiFieldKind::Value => format!("{:?}", field.xml_name),
    }
}

fn kind_word(field: &ApiField) -> &'static str {
    match field.kind {
        ApiFieldKind::Element => "element",
        ApiFieldKind::Attribute => "attribute",
        ApiFieldKind::Text => "text content",
        ApiFieldKind::Group => "group",
        ApiFieldKind::Wildcard => "wildcard",
        ApiFieldKind::Value => "value",
    }
}

fn occurrence(field: &ApiField) -> String {
    match field.max {
        Some(max) => format!("{}..{max}", field.min),
        None => format!("{}..*", field.min),
    }
}

fn occurrence_word(min: u32, max: Option<u32>) -> &'static str {
    match (min, max) {
        (0, Some(1)) => "optional",
        (1, Some(1)) => "required",
        (0, _) => "repeated",
        _ => "repeated, required",
    }
}

/// Joins the wire reasons of a change, kept only for the messages the type is in.
fn wire_reason(usage: Usage, request: Option<&str>, response: Option<&str>) -> Option<String> {
    let mut parts = Vec::new();
    if usage.in_requests() {
        parts.extend(request);
    }
    if usage.in_responses() {
        parts.extend(response);
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Returns whether every lexical value of the built-in type `a` is a valid value of `b`
/// that a reader of `b` parses. Only types the API description names are known.
pub fn lexical_subset(a: &str, b: &str) -> bool {
    const WIDER: &[(&str, &[&str])] = &[
        ("xs:byte", &["xs:short"]),
        ("xs:short", &["xs:int"]),
        ("xs:int", &["xs:long"]),
        ("xs:long", &["xs:integer"]),
        ("xs:unsignedByte", &["xs:unsignedShort", "xs:short"]),
        ("xs:unsignedShort", &["xs:unsignedInt", "xs:int"]),
        ("xs:unsignedInt", &["xs:unsignedLong", "xs:long"]),
        ("xs:unsignedLong", &["xs:integer"]),
        ("xs:integer", &["xs:decimal"]),
        ("xs:decimal", &["xs:double"]),
        ("xs:float", &["xs:double"]),
    ];
    if a == b {
        return true;
    }
    // Every value written as text is a valid string; element content is not.
    if b == "xs:string" {
        return a.starts_with("xs:") && a != "xs:anyType";
    }
    WIDER
        .iter()
        .filter(|(narrow, _)| *narrow == a)
        .flat_map(|(_, wider)| wider.iter())
        .any(|wider| lexical_subset(wider, b))
}

struct ModuleDiffer<'a> {
    old: Side<'a>,
    new: Side<'a>,
    /// Type pairs compared with each other: OLD name to NEW name.
    pairs: BTreeMap<&'a str, &'a str>,
    changes: Vec<Change>,
}

impl<'a> ModuleDiffer<'a> {
    fn new(old: &'a ApiModule, new: &'a ApiModule) -> Self {
        let old = Side::new(old);
        let new = Side::new(new);
        let pairs = old
            .types
            .keys()
            .filter(|name| new.types.contains_key(*name))
            .map(|name| (*name, *name))
            .collect();
        Self {
            old,
            new,
            pairs,
            changes: Vec::new(),
        }
    }

    fn run(mut self) -> Vec<Change> {
        self.pair_renamed_types();
        self.diff_ports();
        self.diff_types();
        self.changes
    }

    fn usage(&self, old: &str, new: &str) -> Usage {
        let old_reach = self.old.reach.get(old).copied().unwrap_or_default();
        let new_reach = self.new.reach.get(new).copied().unwrap_or_default();
        old_reach.union(new_reach).usage()
    }

    /// Pairs types that matched fields refer to when the old one is gone and the new one
    /// is new, until no more pairs appear.
    fn pair_renamed_types(&mut self) {
        let mut queue: Vec<(&'a str, &'a str)> = self.pairs.iter().map(|(o, n)| (*o, *n)).collect();
        while let Some((old_name, new_name)) = queue.pop() {
            let (Some(old_ty), Some(new_ty)) =
                (self.old.types.get(old_name), self.new.types.get(new_name))
            else {
                continue;
            };
            if old_ty.kind != new_ty.kind {
                continue;
            }
            let matched = match_fields(&old_ty.fields, &new_ty.fields);
            for pair in matched.pairs {
                let (Some(old_target), Some(new_target)) = (
                    self.old.field_target(pair.old),
                    self.new.field_target(pair.new),
                ) else {
                    continue;
                };
                let old_free = !self.new.types.contains_key(old_target)
                    && !self.pairs.contains_key(old_target);
                let new_free = !self.old.types.contains_key(new_target)
                    && !self.pairs.values().any(|n| *n == new_target);
                if old_free && new_free {
                    self.pairs.insert(old_target, new_target);
                    queue.push((old_target, new_target));
                }
            }
        }
    }

    fn push(
        &mut self,
        section: Section,
        subject: String,
        kind: ChangeKind,
        description: String,
    ) -> &mut Change {
        self.changes.push(Change {
            section,
            subject,
            kind,
            description,
            usage: None,
            code_break: None,
            wire_break: None,
        });
        let last = self.changes.len() - 1;
        &mut self.changes[last]
    }

    fn diff_ports(&mut self) {
        let old_ports: &'a [ApiPort] = &self.old.module.ports;
        let new_ports: &'a [ApiPort] = &self.new.module.ports;
        for new_port in new_ports {
            let section = Section::Port {
                service: new_port.service.clone(),
                port: new_port.port.clone(),
            };
            let Some(old_port) = old_ports
                .iter()
                .find(|p| p.service == new_port.service && p.port == new_port.port)
            else {
                let count = new_port.operations.len();
                self.push(
                    section,
                    format!("port {}/{}", new_port.service, new_port.port),
                    ChangeKind::PortAdded,
                    format!(
                        "added with {count} {}",
                        plural(count, "operation", "operations")
                    ),
                );
                continue;
            };
            self.diff_port(section, old_port, new_port);
        }
        for old_port in old_ports {
            if new_ports
                .iter()
                .any(|p| p.service == old_port.service && p.port == old_port.port)
            {
                continue;
            }
            let count = old_port.operations.len();
            let change = self.push(
                Section::Port {
                    service: old_port.service.clone(),
                    port: old_port.port.clone(),
                },
                format!("port {}/{}", old_port.service, old_port.port),
                ChangeKind::PortRemoved,
                format!(
                    "removed with {count} {}",
                    plural(count, "operation", "operations")
                ),
            );
            change.code_break = Some(format!(
                "the client type {} no longer exists",
                old_port.client
            ));
            change.wire_break = (count > 0)
                .then(|| "a server on the new contract has none of its operations".to_owned());
        }
    }

    fn diff_port(&mut self, section: Section, old_port: &'a ApiPort, new_port: &'a ApiPort) {
        if old_port.client != new_port.client {
            let change = self.push(
                section.clone(),
                format!("client {}", old_port.client),
                ChangeKind::ClientRenamed,
                format!("renamed to {}", new_port.client),
            );
            change.code_break = Some(format!(
                "the client type {} no longer exists",
                old_port.client
            ));
        }
        for new_op in &new_port.operations {
            match old_port.operations.iter().find(|o| o.name == new_op.name) {
                Some(old_op) => self.diff_operation(&section, old_op, new_op),
                None => {
                    self.push(
                        section.clone(),
                        format!("operation {}", new_op.name),
                        ChangeKind::OperationAdded,
                        format!("added as method {}", new_op.method),
                    );
                }
            }
        }
        for old_op in &old_port.operations {
            if new_port.operations.iter().any(|o| o.name == old_op.name) {
                continue;
            }
            let change = self.push(
                section.clone(),
                format!("operation {}", old_op.name),
                ChangeKind::OperationRemoved,
                "removed".to_owned(),
            );
            change.code_break = Some(format!(
                "the client method {} no longer exists",
                old_op.method
            ));
            change.wire_break = Some("a server on the new contract rejects the call".to_owned());
        }
    }

    fn diff_operation(&mut self, section: &Section, old: &'a ApiOperation, new: &'a ApiOperation) {
        let subject = format!("operation {}", new.name);
        if old.method != new.method {
            let change = self.push(
                section.clone(),
                subject.clone(),
                ChangeKind::MethodRenamed,
                format!("method {} renamed to {}", old.method, new.method),
            );
            change.code_break = Some(format!("the client method {} no longer exists", old.method));
        }
        for request in [true, false] {
            let (old_element, old_type, new_element, new_type) = if request {
                (
                    &old.input_element,
                    &old.input_type,
                    &new.input_element,
                    &new.input_type,
                )
            } else {
                (
                    &old.output_element,
                    &old.output_type,
                    &new.output_element,
                    &new.output_type,
                )
            };
            let element_changed = old_element != new_element;
            let type_changed = old_type != new_type;
            if !element_changed && !type_changed {
                continue;
            }
            let word = if request { "request" } else { "response" };
            let mut parts = Vec::new();
            if element_changed {
                parts.push(format!(
                    "{word} element {} -> {}",
                    body_label(old_element),
                    body_label(new_element)
                ));
            }
            if type_changed {
                parts.push(format!("{word} type {old_type} -> {new_type}"));
            }
            let kind = if request {
                ChangeKind::RequestChanged
            } else {
                ChangeKind::ResponseChanged
            };
            let change = self.push(section.clone(), subject.clone(), kind, parts.join(", "));
            if type_changed {
                change.code_break = Some(format!(
                    "the method {} {} {new_type} in place of {old_type}",
                    new.method,
                    if request { "takes" } else { "returns" }
                ));
            }
            if element_changed {
                change.wire_break = Some(if request {
                    format!("old requests send {}", body_label(old_element))
                } else {
                    format!("old readers expect {}", body_label(old_element))
                });
            }
        }
        if old.soap_action != new.soap_action {
            let change = self.push(
                section.clone(),
                subject.clone(),
                ChangeKind::SoapActionChanged,
                format!("soapAction {:?} -> {:?}", old.soap_action, new.soap_action),
            );
            change.wire_break = Some(format!(
                "old requests send the SOAPAction {:?}, which a server that dispatches on it does not know",
                old.soap_action
            ));
        }
        for fault in &new.faults {
            if old.faults.contains(fault) {
                continue;
            }
            let had_faults = !old.faults.is_empty();
            let change = self.push(
                section.clone(),
                subject.clone(),
                ChangeKind::FaultAdded,
                format!("fault {fault} added"),
            );
            if had_faults {
                change.code_break = Some(
                    "the operation's fault enum gets a variant that exhaustive matches miss"
                        .to_owned(),
                );
            }
        }
        for fault in &old.faults {
            if new.faults.contains(fault) {
                continue;
            }
            let change = self.push(
                section.clone(),
                subject.clone(),
                ChangeKind::FaultRemoved,
                format!("fault {fault} removed"),
            );
            change.code_break =
                Some("code that matches the fault's variant no longer compiles".to_owned());
        }
    }

    fn diff_types(&mut self) {
        let section = Section::Types;
        let mut pairs: Vec<(&'a str, &'a str)> = self.pairs.iter().map(|(o, n)| (*o, *n)).collect();
        pairs.sort_by_key(|(_, n)| *n);
        let paired_new: BTreeSet<&str> = pairs.iter().map(|(_, n)| *n).collect();
        let new_types: Vec<&'a ApiType> = self.new.module.types.iter().collect();
        for new_ty in new_types {
            let name = new_ty.name.as_str();
            if paired_new.contains(name) {
                let old_name = pairs
                    .iter()
                    .find(|(_, n)| *n == name)
                    .map(|(o, _)| *o)
                    .unwrap_or(name);
                if let Some(old_ty) = self.old.types.get(old_name).copied() {
                    self.diff_type(old_ty, new_ty);
                }
            } else {
                let usage = self.usage(name, name);
                let change = self.push(
                    section.clone(),
                    format!("type {name}"),
                    ChangeKind::TypeAdded,
                    format!("{} added", type_kind_word(new_ty.kind)),
                );
                change.usage = Some(usage);
            }
        }
        let old_types: Vec<&'a ApiType> = self.old.module.types.iter().collect();
        for old_ty in old_types {
            if self.pairs.contains_key(old_ty.name.as_str()) {
                continue;
            }
            let usage = self.usage(&old_ty.name, &old_ty.name);
            let change = self.push(
                section.clone(),
                format!("type {}", old_ty.name),
                ChangeKind::TypeRemoved,
                format!("{} removed", type_kind_word(old_ty.kind)),
            );
            change.usage = Some(usage);
            change.code_break = Some(format!("the type {} no longer exists", old_ty.name));
        }
    }

    fn diff_type(&mut self, old: &'a ApiType, new: &'a ApiType) {
        let usage = self.usage(&old.name, &new.name);
        let change = |kind: ChangeKind, description: String| Change {
            section: Section::Types,
            subject: format!("type {}", new.name),
            kind,
            description,
            usage: Some(usage),
            code_break: None,
            wire_break: None,
        };
        let mut found = Vec::new();

        if old.name != new.name {
            let mut renamed = change(
                ChangeKind::TypeRenamed,
                format!("renamed from {}", old.name),
            );
            renamed.code_break = Some(format!("the type {} no longer exists", old.name));
            found.push(renamed);
        }
        if old.qname != new.qname {
            // The type's own QName is not on the wire in document/literal messages; the
            // elements that change with it are reported where they are used.
            found.push(change(
                ChangeKind::DefinitionChanged,
                format!("definition {} -> {}", old.qname, new.qname),
            ));
        }
        if container(new.kind) == Container::Enumeration {
            let old_base = old.fields.first().map(|f| f.xsd_type.as_str());
            let new_base = new.fields.first().map(|f| f.xsd_type.as_str());
            if let (Some(old_base), Some(new_base)) = (old_base, new_base) {
                if old_base != new_base {
                    // The values are compared one by one, and their text is what the
                    // wire carries.
                    found.push(change(
                        ChangeKind::FieldTypeChanged,
                        format!("base type {old_base} -> {new_base}"),
                    ));
                }
            }
        }

        if old.kind != new.kind {
            let mut kind_changed = change(
                ChangeKind::TypeKindChanged,
                format!(
                    "{} -> {}",
                    type_kind_word(old.kind),
                    type_kind_word(new.kind)
                ),
            );
            kind_changed.code_break =
                Some("code that builds or reads the old item no longer compiles".to_owned());
            kind_changed.wire_break = wire_reason(
                usage,
                Some("old requests have another structure"),
                Some("old readers expect another structure"),
            );
            found.push(kind_changed);
            self.changes.extend(found);
            return;
        }
        self.changes.extend(found);
        self.diff_members(old, new, usage);
    }

    /// Reports the changes of the fields, alternatives or values of a type whose kind
    /// stayed.
    fn diff_members(&mut self, old: &'a ApiType, new: &'a ApiType, usage: Usage) {
        let matched = match_fields(&old.fields, &new.fields);
        let context = TypeContext {
            type_name: &new.name,
            container: container(new.kind),
            usage,
            has_default: !self.new.no_default.contains(new.name.as_str()),
        };
        for pair in &matched.pairs {
            self.diff_field(&context, pair.old, pair.new, pair.renamed);
        }
        for field in &matched.removed {
            self.changes.push(removed_change(&context, field));
        }
        for field in &matched.added {
            self.changes.push(added_change(&context, field));
        }
        if context.container == Container::Struct {
            self.diff_order(&context, &matched);
        }
    }

    /// Reports a changed order of the matched elements and groups of a struct.
    fn diff_order(&mut self, context: &TypeContext<'_>, matched: &FieldMatch<'a>) {
        let ordered: Vec<&FieldPair<'a>> = matched
            .pairs
            .iter()
            .filter(|p| matches!(p.new.kind, ApiFieldKind::Element | ApiFieldKind::Group))
            .collect();
        let mut old_order = ordered.clone();
        old_order.sort_by_key(|p| p.old_index);
        let moved = old_order
            .iter()
            .zip(&ordered)
            .any(|(a, b)| a.old_index != b.old_index);
        if !moved {
            return;
        }
        let names = |pairs: &[&FieldPair<'a>]| {
            pairs
                .iter()
                .map(|p| field_label(p.old))
                .collect::<Vec<_>>()
                .join(", ")
        };

        // Old readers find a single element anywhere, but stop reading a repeated element
        // or a group at a declared element that now comes between.
        let preceding = |order: &[&FieldPair<'a>], pair: &FieldPair<'a>| -> BTreeSet<usize> {
            order
                .iter()
                .take_while(|p| p.old_index != pair.old_index)
                .map(|p| p.old_index)
                .collect()
        };
        let repeated_moved = ordered.iter().any(|pair| {
            let repeated = pair.old.max != Some(1) || pair.old.kind == ApiFieldKind::Group;
            repeated && preceding(&old_order, pair) != preceding(&ordered, pair)
        });
        let wire_break = wire_reason(
            context.usage,
            Some("old requests send the elements in the old order"),
            repeated_moved.then_some(
                "old readers stop reading a repeated element or group at an element that now comes before it",
            ),
        );
        self.changes.push(Change {
            section: Section::Types,
            subject: format!("type {}", context.type_name),
            kind: ChangeKind::FieldsReordered,
            description: format!(
                "elements reordered from ({}) to ({})",
                names(&old_order),
                names(&ordered)
            ),
            usage: Some(context.usage),
            code_break: None,
            wire_break,
        });
    }

    fn diff_field(
        &mut self,
        context: &TypeContext<'_>,
        old: &'a ApiField,
        new: &'a ApiField,
        renamed: bool,
    ) {
        let usage = context.usage;
        let subject = if context.container == Container::Alias {
            format!("type {}", context.type_name)
        } else {
            format!("{}.{}", context.type_name, field_label(old))
        };
        let mut pending: Vec<Change> = Vec::new();
        let make = |kind: ChangeKind, description: String| Change {
            section: Section::Types,
            subject: subject.clone(),
            kind,
            description,
            usage: Some(usage),
            code_break: None,
            wire_break: None,
        };
        let what = kind_word(new);

        let (old_namespace, _) = split_xml_name(&old.xml_name);
        let (new_namespace, _) = split_xml_name(&new.xml_name);
        let rust_renamed = old.name != new.name;
        if renamed {
            let mut change = make(
                ChangeKind::FieldRenamed,
                format!("{what} renamed to {}", field_label(new)),
            );
            if rust_renamed {
                change.code_break = Some(format!("the Rust name {} is now {}", old.name, new.name));
            }
            let request = format!("old requests send {}", field_label(old));
            let response = format!(
                "old readers look for {}, which no longer comes",
                field_label(old)
            );
            change.wire_break = wire_reason(usage, Some(&request), Some(&response));
            pending.push(change);
        } else if rust_renamed {
            let mut change = make(
                ChangeKind::FieldRustNameChanged,
                format!("Rust name {} -> {}", old.name, new.name),
            );
            change.code_break = Some(format!("the Rust name {} no longer exists", old.name));
            pending.push(change);
        }
        if old_namespace != new_namespace
            && matches!(new.kind, ApiFieldKind::Element | ApiFieldKind::Attribute)
        {
            let label = |ns: Option<&str>| {
                ns.map_or("no namespace".to_owned(), |ns| format!("namespace {ns}"))
            };
            let mut change = make(
                ChangeKind::FieldNamespaceChanged,
                format!(
                    "{what} moved from {} to {}",
                    label(old_namespace),
                    label(new_namespace)
                ),
            );
            let request = format!("old requests send it in {}", label(old_namespace));
            let response = format!("old readers look for it in {}", label(old_namespace));
            change.wire_break = wire_reason(usage, Some(&request), Some(&response));
            pending.push(change);
        }

        if let Some(change) = self.type_change(context, old, new) {
            pending.push(make(change.0, change.1).with_wire(change.2));
        }
        if (old.min, old.max) != (new.min, new.max) && context.container != Container::Enumeration {
            let (request, response) = occurrence_breaks(old, new);
            let mut change = make(
                ChangeKind::FieldOccurrenceChanged,
                format!(
                    "occurrence {} -> {} ({} -> {})",
                    occurrence(old),
                    occurrence(new),
                    occurrence_word(old.min, old.max),
                    occurrence_word(new.min, new.max)
                ),
            );
            change.wire_break = wire_reason(usage, request, response);
            pending.push(change);
        }
        if old.nillable != new.nillable {
            let mut change = make(
                ChangeKind::FieldNillableChanged,
                if new.nillable {
                    "became nillable".to_owned()
                } else {
                    "is no longer nillable".to_owned()
                },
            );
            change.wire_break = if new.nillable {
                wire_reason(
                    usage,
                    None,
                    Some("old readers fail on xsi:nil, or read it as an empty value"),
                )
            } else {
                wire_reason(usage, Some("old requests may send xsi:nil"), None)
            };
            pending.push(change);
        }
        if old.rust_type != new.rust_type && !self.rust_types_paired(old, new) {
            let reason = format!(
                "the Rust type changes from {} to {}",
                old.rust_type, new.rust_type
            );
            // The reason goes to the first change that explains the new Rust type.
            match pending.iter_mut().find(|c| {
                c.kind != ChangeKind::FieldRenamed && c.kind != ChangeKind::FieldNamespaceChanged
            }) {
                Some(change) => change.code_break = Some(reason),
                None => {
                    let mut change = make(
                        ChangeKind::FieldRustTypeChanged,
                        format!("Rust type {} -> {}", old.rust_type, new.rust_type),
                    );
                    change.code_break = Some(reason);
                    pending.push(change);
                }
            }
        }
        self.changes.extend(pending);
    }

    /// Returns whether two Rust types differ only by a renamed type pair, which is reported on
    /// the type itself.
    fn rust_types_paired(&self, old: &ApiField, new: &ApiField) -> bool {
        let (Some(old_target), Some(new_target)) =
            (self.old.field_target(old), self.new.field_target(new))
        else {
            return false;
        };
        old_target != new_target
            && self.pairs.get(old_target) == Some(&new_target)
            && replace_identifier(&old.rust_type, old_target, new_target) == new.rust_type
    }

    /// Returns the change of XSD type of a matched field: kind, description and wire reason.
    fn type_change(
        &self,
        context: &TypeContext<'_>,
        old: &ApiField,
        new: &ApiField,
    ) -> Option<(ChangeKind, String, Option<String>)> {
        if context.container == Container::Enumeration {
            return None;
        }
        let builtin = |field: &ApiField| field.xsd_type.starts_with("xs:");
        let (request_ok, response_ok) = if builtin(old) && builtin(new) {
            if old.xsd_type == new.xsd_type {
                return None;
            }
            (
                lexical_subset(&old.xsd_type, &new.xsd_type),
                lexical_subset(&new.xsd_type, &old.xsd_type),
            )
        } else {
            let old_target = self.old.field_target(old);
            let new_target = self.new.field_target(new);
            match (old_target, new_target) {
                // A paired type is compared on its own, and its QName is not on the wire.
                (Some(o), Some(n)) if self.pairs.get(o) == Some(&n) => return None,
                _ if old.xsd_type == new.xsd_type => return None,
                _ => (false, false),
            }
        };
        let description = format!("XSD type {} -> {}", old.xsd_type, new.xsd_type);
        let wire = wire_reason(
            context.usage,
            (!request_ok).then_some("old requests may send values the new type rejects"),
            (!response_ok).then_some("old readers may fail to parse values of the new type"),
        );
        Some((ChangeKind::FieldTypeChanged, description, wire))
    }
}

/// A type under comparison.
struct TypeContext<'t> {
    type_name: &'t str,
    container: Container,
    usage: Usage,
    /// Whether the NEW type derives `Default`.
    has_default: bool,
}

impl Change {
    fn with_wire(mut self, wire: Option<String>) -> Change {
        self.wire_break = wire;
        self
    }
}

/// Replaces the identifier `from` in a Rust type with `to`, leaving longer identifiers
/// that contain it alone.
fn replace_identifier(rust_type: &str, from: &str, to: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    for c in rust_type.chars().chain(std::iter::once(' ')) {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        out.push_str(if word == from { to } else { &word });
        word.clear();
        out.push(c);
    }
    out.pop();
    out
}

fn type_kind_word(kind: ApiTypeKind) -> &'static str {
    match kind {
        ApiTypeKind::Struct => "struct",
        ApiTypeKind::Group => "group struct",
        ApiTypeKind::Choice => "choice enum",
        ApiTypeKind::Enumeration => "enumeration",
        ApiTypeKind::Alias => "alias",
        ApiTypeKind::List => "list alias",
    }
}

fn body_label(element: &str) -> String {
    if element.is_empty() {
        "(no body element)".to_owned()
    } else {
        element.to_owned()
    }
}

/// Wire reasons of an occurrence change, for requests and for responses.
fn occurrence_breaks(
    old: &ApiField,
    new: &ApiField,
) -> (Option<&'static str>, Option<&'static str>) {
    let old_max = old.max.unwrap_or(u32::MAX);
    let new_max = new.max.unwrap_or(u32::MAX);
    let request = if new.min > old.min {
        Some(if old.min == 0 {
            "old requests may omit it"
        } else {
            "old requests may send fewer than now required"
        })
    } else if new_max < old_max {
        Some("old requests may send more than now allowed")
    } else {
        None
    };
    let response = if new.min < old.min {
        Some(if new.min == 0 {
            "old readers fail when it is absent"
        } else {
            "old readers fail when fewer come"
        })
    } else if old_max == 1 && new_max > 1 {
        Some("old readers keep only the first of several")
    } else {
        None
    };
    (request, response)
}

fn added_change(context: &TypeContext<'_>, field: &ApiField) -> Change {
    let usage = context.usage;
    let mut change = Change {
        section: Section::Types,
        subject: format!("{}.{}", context.type_name, field_label(field)),
        kind: ChangeKind::FieldAdded,
        description: String::new(),
        usage: Some(usage),
        code_break: None,
        wire_break: None,
    };
    match context.container {
        Container::Struct => {
            let required = field.min > 0;
            change.description = format!(
                "{} {} added ({})",
                occurrence_word(field.min, field.max),
                kind_word(field),
                occurrence(field)
            );
            if !context.has_default {
                change.code_break = Some(format!(
                    "{} has no Default (it is on a cycle of required fields), so its struct literals must list the new field",
                    context.type_name
                ));
            } else if required && usage.in_requests() {
                change.code_break = Some(
                    "old code never sets it, and ..Default::default() sends a placeholder"
                        .to_owned(),
                );
            }
            if required {
                change.wire_break = wire_reason(usage, Some("old requests lack it"), None);
            }
        }
        Container::Choice | Container::Alias => {
            change.kind = ChangeKind::AlternativeAdded;
            change.description = format!("alternative added as variant {}", field.name);
            change.code_break =
                Some("the enum gets a variant that exhaustive matches miss".to_owned());
            change.wire_break = wire_reason(
                usage,
                None,
                Some("old readers reject a response that uses the new alternative"),
            );
        }
        Container::Enumeration => {
            change.kind = ChangeKind::ValueAdded;
            change.subject = format!("type {}", context.type_name);
            change.description = format!("value {:?} added", field.xml_name);
            change.code_break =
                Some("the enum gets a variant that exhaustive matches miss".to_owned());
            change.wire_break = wire_reason(usage, None, Some("old readers reject the new value"));
        }
    }
    change
}

fn removed_change(context: &TypeContext<'_>, field: &ApiField) -> Change {
    let usage = context.usage;
    let mut change = Change {
        section: Section::Types,
        subject: format!("{}.{}", context.type_name, field_label(field)),
        kind: ChangeKind::FieldRemoved,
        description: String::new(),
        usage: Some(usage),
        code_break: None,
        wire_break: None,
    };
    match context.container {
        Container::Struct => {
            change.description = format!(
                "{} {} removed ({})",
                occurrence_word(field.min, field.max),
                kind_word(field),
                occurrence(field)
            );
            change.code_break = Some(format!("the field {} no longer exists", field.name));
            change.wire_break = wire_reason(
                usage,
                Some("old requests that contain it are rejected"),
                (field.min > 0).then_some("old readers fail because it no longer comes"),
            );
        }
        Container::Choice | Container::Alias => {
            change.kind = ChangeKind::AlternativeRemoved;
            change.description = format!("alternative removed with variant {}", field.name);
            change.code_break = Some(format!("the variant {} no longer exists", field.name));
            change.wire_break =
                wire_reason(usage, Some("old requests that use it are rejected"), None);
        }
        Container::Enumeration => {
            change.kind = ChangeKind::ValueRemoved;
            change.subject = format!("type {}", context.type_name);
            change.description = format!("value {:?} removed", field.xml_name);
            change.code_break = Some(format!("the variant {} no longer exists", field.name));
            change.wire_break =
                wire_reason(usage, Some("old requests that send it are rejected"), None);
        }
    }
    change
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds an unqualified element field whose Rust name is its XML name.
    fn element(name: &str, xsd: &str, rust: &str, min: u32, max: Option<u32>) -> ApiField {
        ApiField {
            name: name.to_owned(),
            xml_name: name.to_owned(),
            kind: ApiFieldKind::Element,
            xsd_type: xsd.to_owned(),
            rust_type: rust.to_owned(),
            min,
            max,
            nillable: false,
        }
    }

    fn attribute(name: &str, rust: &str, required: bool) -> ApiField {
        ApiField {
            xml_name: format!("@{name}"),
            kind: ApiFieldKind::Attribute,
            ..element(name, "xs:string", rust, u32::from(required), Some(1))
        }
    }

    fn value(value: &str, variant: &str) -> ApiField {
        ApiField {
            name: variant.to_owned(),
            xml_name: value.to_owned(),
            kind: ApiFieldKind::Value,
            xsd_type: "xs:string".to_owned(),
            rust_type: String::new(),
            min: 1,
            max: Some(1),
            nillable: false,
        }
    }

    fn item(name: &str, kind: ApiTypeKind, fields: Vec<ApiField>) -> ApiType {
        ApiType {
            name: name.to_owned(),
            qname: format!("{{urn:t}}{name}"),
            kind,
            fields,
        }
    }

    fn structure(name: &str, fields: Vec<ApiField>) -> ApiType {
        item(name, ApiTypeKind::Struct, fields)
    }

    /// Builds the request type `Req` with one required `id` and `request_extra`, and the
    /// response type `Resp` with one required `result` and `response_extra`.
    fn message_types(request_extra: Vec<ApiField>, response_extra: Vec<ApiField>) -> Vec<ApiType> {
        let mut request = vec![element("id", "xs:long", "i64", 1, Some(1))];
        request.extend(request_extra);
        let mut response = vec![element("result", "xs:string", "String", 1, Some(1))];
        response.extend(response_extra);
        vec![structure("Req", request), structure("Resp", response)]
    }

    fn operation(name: &str) -> ApiOperation {
        ApiOperation {
            name: name.to_owned(),
            method: name.to_lowercase(),
            soap_action: String::new(),
            input_element: "{urn:t}Req".to_owned(),
            input_type: "Req".to_owned(),
            output_element: "{urn:t}Resp".to_owned(),
            output_type: "Resp".to_owned(),
            faults: Vec::new(),
        }
    }

    fn module_with(operations: Vec<ApiOperation>, types: Vec<ApiType>) -> Api {
        Api {
            modules: vec![ApiModule {
                name: "m".to_owned(),
                ports: vec![ApiPort {
                    service: "S".to_owned(),
                    port: "P".to_owned(),
                    client: "PClient".to_owned(),
                    operations,
                }],
                types,
            }],
        }
    }

    fn changes_between(old: Vec<ApiType>, new: Vec<ApiType>) -> Vec<Change> {
        let old = module_with(vec![operation("Call")], old);
        let new = module_with(vec![operation("Call")], new);
        diff(&old, &new)
            .modules
            .into_iter()
            .flat_map(|m| m.changes)
            .collect()
    }

    fn single(changes: Vec<Change>) -> Change {
        assert_eq!(changes.len(), 1, "expected one change: {changes:#?}");
        changes.into_iter().next().expect("one change")
    }

    fn optional(name: &str) -> ApiField {
        element(name, "xs:string", "Option<String>", 0, Some(1))
    }

    fn required(name: &str) -> ApiField {
        element(name, "xs:string", "String", 1, Some(1))
    }

    #[test]
    fn optional_request_field_added_is_compatible() {
        // Code builds requests with `..Default::default()`, and old requests may omit it.
        let change = single(changes_between(
            message_types(vec![], vec![]),
            message_types(vec![optional("note")], vec![]),
        ));
        assert_eq!(change.kind, ChangeKind::FieldAdded);
        assert_eq!(change.subject, "Req.note");
        assert_eq!(change.usage, Some(Usage::Request));
        assert_eq!(change.code_break, None);
        assert_eq!(change.wire_break, None);
    }

    #[test]
    fn required_request_field_added_breaks_both() {
        // Old code never sets it, and old requests lack it.
        let change = single(changes_between(
            message_types(vec![], vec![]),
            message_types(vec![required("note")], vec![]),
        ));
        assert_eq!(change.kind, ChangeKind::FieldAdded);
        assert!(change.breaks_code());
        assert_eq!(change.wire_break.as_deref(), Some("old requests lack it"));
    }

    #[test]
    fn response_field_added_is_compatible() {
        // Old readers skip elements they do not know, required or not.
        for field in [optional("note"), required("note")] {
            let change = single(changes_between(
                message_types(vec![], vec![]),
                message_types(vec![], vec![field]),
            ));
            assert_eq!(change.usage, Some(Usage::Response));
            assert!(!change.is_breaking(), "{change:?}");
        }
    }

    #[test]
    fn field_added_to_type_without_default_breaks_code() {
        // `Node` requires a `Node` (through a Box), so it has no Default.
        let node = |extra: Vec<ApiField>| {
            let mut fields = vec![element("next", "{urn:t}Node", "Box<Node>", 1, Some(1))];
            fields.extend(extra);
            structure("Node", fields)
        };
        let mut old = message_types(
            vec![element("node", "{urn:t}Node", "Option<Node>", 0, Some(1))],
            vec![],
        );
        old.push(node(vec![]));
        let mut new = message_types(
            vec![element("node", "{urn:t}Node", "Option<Node>", 0, Some(1))],
            vec![],
        );
        new.push(node(vec![optional("label")]));
        let change = single(changes_between(old, new));
        assert_eq!(change.subject, "Node.label");
        assert!(change.breaks_code());
        assert!(!change.breaks_wire());
    }

    #[test]
    fn removed_request_field_breaks_both() {
        let change = single(changes_between(
            message_types(vec![optional("note")], vec![]),
            message_types(vec![], vec![]),
        ));
        assert_eq!(change.kind, ChangeKind::FieldRemoved);
        assert!(change.breaks_code());
        assert_eq!(
            change.wire_break.as_deref(),
            Some("old requests that contain it are rejected")
        );
    }

    #[test]
    fn removed_response_field_breaks_wire_when_required() {
        let optional_removed = single(changes_between(
            message_types(vec![], vec![optional("note")]),
            message_types(vec![], vec![]),
        ));
        assert!(optional_removed.breaks_code());
        assert!(!optional_removed.breaks_wire());

        let required_removed = single(changes_between(
            message_types(vec![], vec![required("note")]),
            message_types(vec![], vec![]),
        ));
        assert!(required_removed.breaks_code());
        assert!(required_removed.breaks_wire());
    }

    #[test]
    fn renamed_in_place_field_is_one_rename() {
        let change = single(changes_between(
            message_types(vec![optional("cityName")], vec![]),
            message_types(vec![optional("townName")], vec![]),
        ));
        assert_eq!(change.kind, ChangeKind::FieldRenamed);
        assert_eq!(change.subject, "Req.cityName");
        assert_eq!(change.description, "element renamed to townName");
        assert!(change.breaks_code());
        assert!(change.breaks_wire());
    }

    #[test]
    fn rename_keeping_rust_name_breaks_only_wire() {
        let mut old = optional("treeHandle");
        old.name = "tree_handle".to_owned();
        let mut new = optional("TreeHandle");
        new.name = "tree_handle".to_owned();
        let change = single(changes_between(
            message_types(vec![old], vec![]),
            message_types(vec![new], vec![]),
        ));
        assert_eq!(change.kind, ChangeKind::FieldRenamed);
        assert!(!change.breaks_code());
        assert!(change.breaks_wire());
    }

    #[test]
    fn rename_needs_same_type_and_occurrence() {
        let changes = changes_between(
            message_types(vec![optional("cityName")], vec![]),
            message_types(vec![required("townName")], vec![]),
        );
        let kinds: Vec<ChangeKind> = changes.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [ChangeKind::FieldRemoved, ChangeKind::FieldAdded]);
    }

    #[test]
    fn rename_needs_a_single_candidate() {
        let changes = changes_between(
            message_types(vec![optional("a"), optional("b")], vec![]),
            message_types(vec![optional("c"), optional("d")], vec![]),
        );
        let kinds: Vec<ChangeKind> = changes.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [
                ChangeKind::FieldRemoved,
                ChangeKind::FieldRemoved,
                ChangeKind::FieldAdded,
                ChangeKind::FieldAdded
            ]
        );
    }

    #[test]
    fn request_field_turning_required_breaks_both() {
        let change = single(changes_between(
            message_types(vec![optional("note")], vec![]),
            message_types(vec![required("note")], vec![]),
        ));
        assert_eq!(change.kind, ChangeKind::FieldOccurrenceChanged);
        assert_eq!(
            change.description,
            "occurrence 0..1 -> 1..1 (optional -> required)"
        );
        assert_eq!(
            change.code_break.as_deref(),
            Some("the Rust type changes from Option<String> to String")
        );
        assert_eq!(
            change.wire_break.as_deref(),
            Some("old requests may omit it")
        );
    }

    #[test]
    fn response_field_turning_required_breaks_only_code() {
        let change = single(changes_between(
            message_types(vec![], vec![optional("note")]),
            message_types(vec![], vec![required("note")]),
        ));
        assert!(change.breaks_code());
        assert!(!change.breaks_wire());
    }

    #[test]
    fn response_field_turning_optional_breaks_both() {
        let change = single(changes_between(
            message_types(vec![], vec![required("note")]),
            message_types(vec![], vec![optional("note")]),
        ));
        assert!(change.breaks_code());
        assert_eq!(
            change.wire_break.as_deref(),
            Some("old readers fail when it is absent")
        );
    }

    #[test]
    fn request_field_turning_optional_breaks_only_code() {
        let change = single(changes_between(
            message_types(vec![required("note")], vec![]),
            message_types(vec![optional("note")], vec![]),
        ));
        assert!(change.breaks_code());
        assert!(!change.breaks_wire());
    }

    #[test]
    fn single_turning_repeated() {
        let repeated = element("note", "xs:string", "Vec<String>", 0, None);
        let in_response = single(changes_between(
            message_types(vec![], vec![optional("note")]),
            message_types(vec![], vec![repeated.clone()]),
        ));
        assert!(in_response.breaks_code());
        assert_eq!(
            in_response.wire_break.as_deref(),
            Some("old readers keep only the first of several")
        );

        let in_request = single(changes_between(
            message_types(vec![optional("note")], vec![]),
            message_types(vec![repeated], vec![]),
        ));
        assert!(in_request.breaks_code());
        assert!(!in_request.breaks_wire());
    }

    #[test]
    fn repeated_limit_lowered_in_request_breaks_wire() {
        // Both are Vec<String>, so the code stays.
        let change = single(changes_between(
            message_types(
                vec![element("tag", "xs:string", "Vec<String>", 0, Some(5))],
                vec![],
            ),
            message_types(
                vec![element("tag", "xs:string", "Vec<String>", 0, Some(3))],
                vec![],
            ),
        ));
        assert!(!change.breaks_code());
        assert_eq!(
            change.wire_break.as_deref(),
            Some("old requests may send more than now allowed")
        );
    }

    #[test]
    fn nillable_changes() {
        let nillable = |rust: &str| ApiField {
            nillable: true,
            ..element("note", "xs:int", rust, 1, Some(1))
        };
        let plain = element("note", "xs:int", "i32", 1, Some(1));

        let response_nillable = single(changes_between(
            message_types(vec![], vec![plain.clone()]),
            message_types(vec![], vec![nillable("Nillable<i32>")]),
        ));
        assert_eq!(response_nillable.kind, ChangeKind::FieldNillableChanged);
        assert!(response_nillable.breaks_code());
        assert!(response_nillable.breaks_wire());

        let request_nillable = single(changes_between(
            message_types(vec![plain.clone()], vec![]),
            message_types(vec![nillable("Nillable<i32>")], vec![]),
        ));
        assert!(request_nillable.breaks_code());
        assert!(!request_nillable.breaks_wire());

        let request_not_nillable = single(changes_between(
            message_types(vec![nillable("Nillable<i32>")], vec![]),
            message_types(vec![plain], vec![]),
        ));
        assert!(request_not_nillable.breaks_code());
        assert_eq!(
            request_not_nillable.wire_break.as_deref(),
            Some("old requests may send xsi:nil")
        );
    }

    #[test]
    fn widened_type_breaks_wire_only_in_responses() {
        let int = element("count", "xs:int", "i32", 1, Some(1));
        let long = element("count", "xs:long", "i64", 1, Some(1));
        let request = single(changes_between(
            message_types(vec![int.clone()], vec![]),
            message_types(vec![long.clone()], vec![]),
        ));
        assert_eq!(request.kind, ChangeKind::FieldTypeChanged);
        assert_eq!(request.description, "XSD type xs:int -> xs:long");
        assert!(request.breaks_code());
        assert!(!request.breaks_wire());

        let response = single(changes_between(
            message_types(vec![], vec![int]),
            message_types(vec![], vec![long]),
        ));
        assert_eq!(
            response.wire_break.as_deref(),
            Some("old readers may fail to parse values of the new type")
        );
    }

    #[test]
    fn lexical_subsets() {
        assert!(lexical_subset("xs:byte", "xs:long"));
        assert!(lexical_subset("xs:unsignedShort", "xs:int"));
        assert!(lexical_subset("xs:long", "xs:decimal"));
        assert!(lexical_subset("xs:dateTime", "xs:string"));
        assert!(!lexical_subset("xs:anyType", "xs:string"));
        assert!(!lexical_subset("xs:long", "xs:int"));
        assert!(!lexical_subset("xs:unsignedInt", "xs:int"));
        assert!(!lexical_subset("xs:boolean", "xs:int"));
        assert!(!lexical_subset("xs:string", "xs:long"));
        assert!(!lexical_subset("xs:date", "xs:dateTime"));
    }

    fn status(values: Vec<ApiField>) -> Vec<ApiType> {
        let mut types = message_types(
            vec![element("status", "{urn:t}Status", "Status", 1, Some(1))],
            vec![element("status", "{urn:t}Status", "Status", 1, Some(1))],
        );
        types.push(item("Status", ApiTypeKind::Enumeration, values));
        types
    }

    #[test]
    fn enumeration_value_added_breaks_readers() {
        let change = single(changes_between(
            status(vec![value("open", "Open")]),
            status(vec![value("open", "Open"), value("closed", "Closed")]),
        ));
        assert_eq!(change.kind, ChangeKind::ValueAdded);
        assert_eq!(change.subject, "type Status");
        assert_eq!(change.usage, Some(Usage::Both));
        assert!(change.breaks_code());
        assert_eq!(
            change.wire_break.as_deref(),
            Some("old readers reject the new value")
        );
    }

    #[test]
    fn enumeration_value_removed_breaks_requests() {
        let change = single(changes_between(
            status(vec![value("open", "Open"), value("closed", "Closed")]),
            status(vec![value("open", "Open")]),
        ));
        assert_eq!(change.kind, ChangeKind::ValueRemoved);
        assert!(change.breaks_code());
        assert_eq!(
            change.wire_break.as_deref(),
            Some("old requests that send it are rejected")
        );
    }

    #[test]
    fn attributes_follow_field_rules() {
        let optional_added = single(changes_between(
            message_types(vec![], vec![]),
            message_types(vec![attribute("lang", "Option<String>", false)], vec![]),
        ));
        assert_eq!(optional_added.subject, "Req.@lang");
        assert_eq!(
            optional_added.description,
            "optional attribute added (0..1)"
        );
        assert!(!optional_added.is_breaking());

        let required_added = single(changes_between(
            message_types(vec![], vec![]),
            message_types(vec![attribute("lang", "String", true)], vec![]),
        ));
        assert!(required_added.breaks_code());
        assert!(required_added.breaks_wire());

        let removed = single(changes_between(
            message_types(vec![attribute("lang", "Option<String>", false)], vec![]),
            message_types(vec![], vec![]),
        ));
        assert_eq!(removed.kind, ChangeKind::FieldRemoved);
        assert!(removed.breaks_code());
        assert!(removed.breaks_wire());
    }

    #[test]
    fn element_namespace_change_breaks_wire() {
        let mut old = required("note");
        old.xml_name = "{urn:a}note".to_owned();
        let mut new = required("note");
        new.xml_name = "{urn:b}note".to_owned();
        let change = single(changes_between(
            message_types(vec![], vec![old]),
            message_types(vec![], vec![new]),
        ));
        assert_eq!(change.kind, ChangeKind::FieldNamespaceChanged);
        assert_eq!(change.subject, "Resp.note");
        assert!(!change.breaks_code());
        assert_eq!(
            change.wire_break.as_deref(),
            Some("old readers look for it in namespace urn:a")
        );
    }

    #[test]
    fn reordered_request_elements_break_wire() {
        let change = single(changes_between(
            message_types(vec![optional("a"), optional("b")], vec![]),
            message_types(vec![optional("b"), optional("a")], vec![]),
        ));
        assert_eq!(change.kind, ChangeKind::FieldsReordered);
        assert_eq!(
            change.description,
            "elements reordered from (id, a, b) to (id, b, a)"
        );
        assert!(!change.breaks_code());
        assert!(change.breaks_wire());
    }

    #[test]
    fn reordered_single_response_elements_are_read() {
        // Old readers find a single element even out of schema order.
        let change = single(changes_between(
            message_types(vec![], vec![optional("a"), optional("b")]),
            message_types(vec![], vec![optional("b"), optional("a")]),
        ));
        assert_eq!(change.kind, ChangeKind::FieldsReordered);
        assert_eq!(change.usage, Some(Usage::Response));
        assert!(!change.is_breaking(), "{change:?}");
    }

    #[test]
    fn reordered_repeated_response_element_breaks_wire() {
        // Old readers read `tag` elements only up to the declared `a` that now precedes.
        let tags = element("tag", "xs:string", "Vec<String>", 0, None);
        let change = single(changes_between(
            message_types(vec![], vec![tags.clone(), optional("a")]),
            message_types(vec![], vec![optional("a"), tags]),
        ));
        assert_eq!(change.kind, ChangeKind::FieldsReordered);
        assert_eq!(
            change.description,
            "elements reordered from (result, tag, a) to (result, a, tag)"
        );
        assert!(!change.breaks_code());
        assert_eq!(
            change.wire_break.as_deref(),
            Some("old readers stop reading a repeated element or group at an element that now comes before it")
        );
    }

    #[test]
    fn header_type_is_classified_as_both() {
        // No operation body reaches `Auth`, as for a SOAP header.
        let auth = |fields| structure("Auth", fields);
        let mut old = message_types(vec![], vec![]);
        old.push(auth(vec![]));
        let mut new = message_types(vec![], vec![]);
        new.push(auth(vec![required("token")]));
        let change = single(changes_between(old, new));
        assert_eq!(change.usage, Some(Usage::Unreached));
        assert!(change.breaks_code());
        assert!(change.breaks_wire());
    }

    #[test]
    fn type_added_and_removed() {
        let mut old = message_types(vec![], vec![]);
        old.push(structure("Fax", vec![required("number")]));
        let mut new = message_types(vec![], vec![]);
        new.push(structure("Email", vec![required("address")]));
        let changes = changes_between(old, new);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].kind, ChangeKind::TypeAdded);
        assert_eq!(changes[0].subject, "type Email");
        assert!(!changes[0].is_breaking());
        assert_eq!(changes[1].kind, ChangeKind::TypeRemoved);
        assert_eq!(changes[1].subject, "type Fax");
        assert!(changes[1].breaks_code());
        assert!(!changes[1].breaks_wire());
    }

    #[test]
    fn choice_with_new_alternative_is_paired() {
        // The choice enum's name is made of its alternatives, so it changes with them.
        let group = |target: &str| ApiField {
            kind: ApiFieldKind::Group,
            ..element("phone_or_email", target, target, 1, Some(1))
        };
        // A choice's QName is the one of the type it is in.
        let choice = |name: &str, fields| ApiType {
            qname: "{urn:t}Resp".to_owned(),
            ..item(name, ApiTypeKind::Choice, fields)
        };

        let mut old = message_types(vec![], vec![group("PhoneOrEmail")]);
        old.push(choice(
            "PhoneOrEmail",
            vec![required("phone"), required("email")],
        ));
        let mut new = message_types(vec![], vec![group("PhoneOrEmailOrFax")]);
        new.push(choice(
            "PhoneOrEmailOrFax",
            vec![required("phone"), required("email"), required("fax")],
        ));

        let changes = changes_between(old, new);

        // The field's Rust type changes only by the renamed enum, which the type's own
        // change reports; no type is reported as added or removed.
        let kinds: Vec<ChangeKind> = changes.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [ChangeKind::TypeRenamed, ChangeKind::AlternativeAdded],
            "{changes:#?}"
        );
        assert_eq!(changes[0].subject, "type PhoneOrEmailOrFax");
        assert_eq!(changes[0].description, "renamed from PhoneOrEmail");
        assert!(changes[0].breaks_code());
        assert!(!changes[0].breaks_wire());

        let added = &changes[1];
        assert_eq!(added.subject, "PhoneOrEmailOrFax.fax");
        assert!(added.breaks_code());
        assert_eq!(
            added.wire_break.as_deref(),
            Some("old readers reject a response that uses the new alternative")
        );
    }

    #[test]
    fn operations_added_removed_and_changed() {
        let types = message_types(vec![], vec![]);
        let old = module_with(vec![operation("Call"), operation("Gone")], types.clone());
        let mut changed = operation("Call");
        changed.input_element = "{urn:v2}Req".to_owned();
        let new = module_with(vec![changed, operation("Fresh")], types);
        let changes: Vec<Change> = diff(&old, &new)
            .modules
            .into_iter()
            .flat_map(|m| m.changes)
            .collect();
        assert_eq!(changes.len(), 3, "{changes:#?}");

        assert_eq!(changes[0].kind, ChangeKind::RequestChanged);
        assert_eq!(
            changes[0].description,
            "request element {urn:t}Req -> {urn:v2}Req"
        );
        assert!(!changes[0].breaks_code());
        assert!(changes[0].breaks_wire());

        assert_eq!(changes[1].kind, ChangeKind::OperationAdded);
        assert!(!changes[1].is_breaking());

        assert_eq!(changes[2].kind, ChangeKind::OperationRemoved);
        assert_eq!(changes[2].subject, "operation Gone");
        assert!(changes[2].breaks_code());
        assert!(changes[2].breaks_wire());
    }

    #[test]
    fn faults_added_and_removed() {
        let types = message_types(vec![], vec![]);
        let with_faults = |faults: &[&str]| {
            let mut op = operation("Call");
            op.faults = faults.iter().map(|f| (*f).to_owned()).collect();
            module_with(vec![op], types.clone())
        };
        let first = diff(&with_faults(&[]), &with_faults(&["Locked"]));
        let first = single(first.modules.into_iter().flat_map(|m| m.changes).collect());
        assert_eq!(first.kind, ChangeKind::FaultAdded);
        // The first fault creates a new fault enum, which no old code matches.
        assert!(!first.is_breaking());

        let second = diff(
            &with_faults(&["Locked"]),
            &with_faults(&["Locked", "Empty"]),
        );
        let second = single(second.modules.into_iter().flat_map(|m| m.changes).collect());
        assert!(second.breaks_code());
        assert!(!second.breaks_wire());
    }

    #[test]
    fn modules_added_and_removed() {
        let old = module_with(vec![operation("Call")], message_types(vec![], vec![]));
        let mut new = old.clone();
        new.modules[0].name = "other".to_owned();
        let report = diff(&old, &new);
        let kinds: Vec<(String, ChangeKind)> = report
            .modules
            .iter()
            .flat_map(|m| m.changes.iter().map(move |c| (m.name.clone(), c.kind)))
            .collect();
        assert_eq!(
            kinds,
            [
                ("other".to_owned(), ChangeKind::ModuleAdded),
                ("m".to_owned(), ChangeKind::ModuleRemoved)
            ]
        );
        assert!(report.is_breaking());
    }

    #[test]
    fn text_lists_markers_and_summary() {
        let old = module_with(
            vec![operation("Call")],
            message_types(vec![optional("gone")], vec![]),
        );
        let new = module_with(
            vec![operation("Call")],
            message_types(vec![], vec![optional("note")]),
        );
        let text = diff(&old, &new).to_text();
        assert_eq!(
            text,
            "module m\n\
             \x20 types\n\
             \x20   BREAKING (code, wire)  Req.gone [request]: optional element removed (0..1). Code: the field gone no longer exists. Wire: old requests that contain it are rejected.\n\
             \x20   compatible             Resp.note [response]: optional element added (0..1).\n\
             Summary: 2 changes, 1 breaking (1 code, 1 wire), 1 compatible.\n"
        );
    }

    #[test]
    fn identical_apis_have_no_changes() {
        let api = module_with(
            vec![operation("Call")],
            message_types(vec![optional("a")], vec![]),
        );
        let report = diff(&api, &api);
        assert!(report.modules.is_empty());
        assert_eq!(report.to_text(), "No changes.\n");
        assert!(!report.is_breaking());
    }
}
