//! Sample envelopes read into the generated types, written back, and compared as XML:
//! element names, namespaces, order, attributes and text, but not prefixes or
//! white-space-only text.

use std::fmt::Debug;
use std::path::Path;

use atollon_client::xml::{
    Children, Name, ReadContext, ReadElement, ReadParticles, WriteElement, WriteParticles,
    XmlWriter,
};
use atollon_codegen_fixtures as fixtures;

fn envelope(case: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../fixtures/features/{case}/envelope.xml"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn body<'a, 'i>(document: &'a roxmltree::Document<'i>) -> roxmltree::Node<'a, 'i> {
    document
        .root_element()
        .children()
        .find(|n| n.is_element() && n.tag_name().name() == "Body")
        .expect("envelope has a Body")
}

/// A name with `'static` strings, as generated code has them; leaking is fine in a test.
fn static_name(node: roxmltree::Node<'_, '_>) -> Name {
    let namespace = node
        .tag_name()
        .namespace()
        .map(|ns| &*Box::leak(ns.to_owned().into_boxed_str()));
    let local = Box::leak(node.tag_name().name().to_owned().into_boxed_str());
    Name::new(namespace, local)
}

/// An element as a comparable tree: (namespace, name, sorted attributes, text, children).
#[derive(Debug, PartialEq)]
struct Canonical {
    namespace: Option<String>,
    name: String,
    attributes: Vec<(Option<String>, String, String)>,
    text: String,
    children: Vec<Canonical>,
}

fn canonical(node: roxmltree::Node<'_, '_>) -> Canonical {
    let mut attributes: Vec<_> = node
        .attributes()
        .map(|a| {
            (
                a.namespace().map(str::to_owned),
                a.name().to_owned(),
                a.value().to_owned(),
            )
        })
        .collect();
    attributes.sort();
    let text: String = node
        .children()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    Canonical {
        namespace: node.tag_name().namespace().map(str::to_owned),
        name: node.tag_name().name().to_owned(),
        attributes,
        text: normalise_text(text.trim()),
        children: node
            .children()
            .filter(|n| n.is_element())
            .map(canonical)
            .collect(),
    }
}

/// Maps lexical forms that denote the same value to one spelling: booleans written
/// `1`/`0` are read and written back as `true`/`false`, and floats lose their exponent.
fn normalise_text(text: &str) -> String {
    match text {
        "1" | "true" => return "true".to_owned(),
        "0" | "false" => return "false".to_owned(),
        _ => {}
    }
    if text.contains(['E', 'e']) {
        if let Ok(value) = text.parse::<f64>() {
            return format!("{value}");
        }
    }
    text.to_owned()
}

/// Cases with an attribute whose value the schema fixes.
const FIXED_ATTRIBUTES: &[(&str, &str)] = &[("attributes", "schemaVersion")];

fn drop_attribute(element: &mut Canonical, name: &str) {
    element.attributes.retain(|(_, local, _)| local != name);
    for child in &mut element.children {
        drop_attribute(child, name);
    }
}

fn check_element<T: ReadElement + WriteElement + PartialEq + Debug>(case: &str) {
    let xml = envelope(case);
    let document = roxmltree::Document::parse(&xml).expect("envelope parses");
    let ctx = ReadContext::new();
    let element = body(&document)
        .first_element_child()
        .expect("Body has an element");
    let value =
        T::read_element(element, &ctx).unwrap_or_else(|e| panic!("{case}: read failed: {e}"));

    let mut writer = XmlWriter::new();
    value
        .write_element(&mut writer, static_name(element))
        .unwrap_or_else(|e| panic!("{case}: write failed: {e}"));
    let written = writer.into_string();
    let reparsed = roxmltree::Document::parse(&written)
        .unwrap_or_else(|e| panic!("{case}: written XML does not parse: {e}\n{written}"));

    let mut expected = canonical(element);
    let mut actual = canonical(reparsed.root_element());
    // An attribute with a fixed value is always written, because an absent one means
    // the same value; the comparison ignores it on both sides.
    if let Some(fixed) = FIXED_ATTRIBUTES
        .iter()
        .find(|(c, _)| *c == case)
        .map(|(_, a)| *a)
    {
        drop_attribute(&mut expected, fixed);
        drop_attribute(&mut actual, fixed);
    }
    assert_eq!(
        actual, expected,
        "{case}: XML differs after a round trip:\n{written}"
    );
    let again = T::read_element(reparsed.root_element(), &ctx).expect("written XML reads back");
    assert_eq!(again, value, "{case}: value differs after a round trip");
}

fn check_particles<T: ReadParticles + WriteParticles + PartialEq + Debug>(case: &str) {
    let xml = envelope(case);
    let document = roxmltree::Document::parse(&xml).expect("envelope parses");
    let ctx = ReadContext::new();
    let body = body(&document);
    let value = Children::new(body, &ctx)
        .required_group::<T>()
        .unwrap_or_else(|e| panic!("{case}: read failed: {e}"));

    let mut writer = XmlWriter::new();
    writer.start(Name::unqualified("Body")).unwrap();
    value.write_particles(&mut writer).unwrap();
    writer.end().unwrap();
    let written = writer.into_string();
    let reparsed = roxmltree::Document::parse(&written).expect("written XML parses");
    let original: Vec<_> = body
        .children()
        .filter(|n| n.is_element())
        .map(canonical)
        .collect();
    let rewritten: Vec<_> = reparsed
        .root_element()
        .children()
        .filter(|n| n.is_element())
        .map(canonical)
        .collect();
    assert_eq!(
        rewritten, original,
        "{case}: XML differs after a round trip:\n{written}"
    );
}

macro_rules! element_cases {
    ($($test:ident => $module:ident :: $ty:ident),* $(,)?) => {$(
        #[test]
        fn $test() {
            check_element::<fixtures::$module::service::$ty>(stringify!($test));
        }
    )*};
}

element_cases! {
    any_wildcards => features_any_wildcards::Store,
    attributes => features_attributes::AddCharge,
    builtin_types => features_builtin_types::AllTypes,
    complex_content => features_complex_content::Enroll,
    complex_types => features_complex_types::Register,
    doc_literal_wrapped => features_doc_literal_wrapped::GetCustomer,
    element_type_same_name => features_element_type_same_name::Order,
    faults => features_faults::Withdraw,
    form_defaults => features_form_defaults::Update,
    nillable => features_nillable::UpdateContact,
    occurrence => features_occurrence::Publish,
    recursive => features_recursive::Save,
    refs => features_refs::Record,
    rpc_literal => features_rpc_literal::CreateOrder,
    sequence_choice_all => features_sequence_choice_all::Settle,
    simple_content => features_simple_content::Quote,
    simple_types => features_simple_types::UpdateProduct,
    soap_headers => features_soap_headers::GetBalance,
}

#[test]
fn doc_literal_bare() {
    check_particles::<fixtures::features_doc_literal_bare::service::AttachNoteParts>(
        "doc_literal_bare",
    );
}

#[test]
fn nil_and_absent_are_distinct() {
    use atollon_client::xml::Nillable;
    let xml = envelope("nillable");
    let document = roxmltree::Document::parse(&xml).unwrap();
    let element = body(&document).first_element_child().unwrap();
    let value = fixtures::features_nillable::service::UpdateContact::read_element(
        element,
        &ReadContext::new(),
    )
    .unwrap();
    let nil_count = [
        matches!(value.required_nillable, Nillable::Nil),
        matches!(value.optional_nillable, Some(Nillable::Nil)),
    ]
    .iter()
    .filter(|nil| **nil)
    .count();
    assert_eq!(
        nil_count, 1,
        "the envelope has exactly one nil element: {value:?}"
    );
    assert!(
        value.optional_plain.is_none() || value.optional_nillable.is_none(),
        "the envelope has one absent element: {value:?}"
    );
}

#[test]
fn fault_detail_decodes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/features/faults/fault.xml");
    let xml = std::fs::read_to_string(path).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let detail = document
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == "detail")
        .expect("fault has a detail");
    let fault =
        fixtures::features_faults::service::WithdrawFault::from_detail(detail, &ReadContext::new())
            .expect("a declared fault is in the detail")
            .expect("the fault decodes");
    let text = format!("{fault:?}");
    assert!(text.contains("InsufficientFunds"), "{text}");
}

#[test]
fn rejected_fixtures_are_the_expected_ones() {
    assert_eq!(
        fixtures::REJECTED,
        &[
            "features_rpc_encoded",
            "corpus_node_soap_test_wsdl_builtin_types",
            "corpus_node_soap_test_wsdl_multi_service",
            "corpus_node_soap_test_wsdl_rpcexample",
            "corpus_node_soap_test_wsdl_xsdinclude_xsd_include",
            "corpus_python_zeep_tests_integration_recursive_schema_main",
        ]
    );
}
