//! Checks the contract files in `wsdl/` against Atollon's published example envelopes.
//!
//! The examples in `tests/data/examples/` are the request and response envelopes published
//! on Atollon's API help pages (help.atollon.com), with personal data replaced. Files whose
//! names end in `.inferred.xml` were rebuilt from values published without their tags.
//! Each payload (the element inside `soapenv:Body`) is validated by `xmllint --schema`
//! against the schema embedded in the WSDL that defines its operation. xmllint comes with
//! the Debian package `libxml2-utils`, and the tests fail when it is missing.

use std::collections::BTreeSet;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;

const ATOLLON_NS: &str = "http://atollon.com/enterprise/wsdl";
/// Namespace under Atollon's former name, Iterity, which the published ListContactList
/// response still uses.
const ITERITY_NS: &str = "http://iterity.com/enterprise/wsdl";
const SOAP_ENV_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";
const WSDL_SOAP_NS: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";

/// xmllint (libxml2 2.9.14) exits with 3 when a document fails schema validation; it uses 5
/// when the schema itself fails to compile.
const XMLLINT_INVALID_DOCUMENT: i32 = 3;

/// Every contract file with its base name (the prefix of its portType, binding, service and
/// port names) and the operations it defines.
const CONTRACTS: &[(&str, &str, &[&str])] = &[
    (
        "main.wsdl",
        "Main",
        &["QuickLogin", "CreateContact", "ListContactList"],
    ),
    (
        "project.wsdl",
        "Project",
        &["CreateSimpleFolder", "CreateProject"],
    ),
    (
        "item.wsdl",
        "Item",
        &["CreateProjectItem", "CreateFolderItem"],
    ),
    ("invoice.wsdl", "Invoice", &["CreateInvoicesFromItems"]),
    ("features.wsdl", "Features", &["CheckWorkflowQueue"]),
    ("web.wsdl", "Web", &["CreateMarketingTriggers"]),
];

/// Number of published example envelopes: a request and a response for each of the nine
/// contract operations other than QuickLogin.
const EXAMPLE_COUNT: usize = 18;

fn manifest_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn read_text(path: &Path) -> String {
    fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("failed to read {}: {err}", path.display()))
}

fn parse<'a>(label: &str, text: &'a str) -> roxmltree::Document<'a> {
    roxmltree::Document::parse(text)
        .unwrap_or_else(|err| panic!("{label} is not well-formed XML: {err}"))
}

/// Returns the contract file that defines the operation of a request (`Op`) or response
/// (`OpResponse`) wrapper element.
fn contract_for(element_name: &str) -> Option<&'static str> {
    let operation = element_name
        .strip_suffix("Response")
        .unwrap_or(element_name);
    CONTRACTS
        .iter()
        .find(|(_, _, operations)| operations.contains(&operation))
        .map(|(file, _, _)| *file)
}

/// Returns the names of the attributes written in the start tag of `element`, namespace
/// declarations included. roxmltree reports declarations only as namespaces in scope, so
/// the start tag is the only place that shows which ones the element declares itself.
fn start_tag_attribute_names<'a>(text: &'a str, element: roxmltree::Node) -> Vec<&'a str> {
    let range = element.range();
    let end = element
        .first_child()
        .map_or(range.end, |child| child.range().start);
    let tag = &text[range.start..end];

    // Skip `<` and the element name, then read `name = "value"` pairs. roxmltree has
    // already checked that the document is well-formed, so the tag follows this grammar.
    let mut rest =
        tag[1..].trim_start_matches(|c: char| !c.is_whitespace() && c != '>' && c != '/');
    let mut names = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() || rest.starts_with('>') || rest.starts_with('/') {
            return names;
        }
        let Some(equals) = rest.find('=') else {
            return names;
        };
        names.push(rest[..equals].trim_end());
        rest = rest[equals + 1..].trim_start();
        let Some(quote) = rest.chars().next() else {
            return names;
        };
        let Some(close) = rest[1..].find(quote) else {
            return names;
        };
        rest = &rest[close + 2..];
    }
}

fn escape_attribute(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

/// Cuts `element` out of `text` as a standalone document: the element's exact source text,
/// with the namespace declarations it inherits from its ancestors added to its start tag.
/// The inherited declarations are needed because an embedded schema and a SOAP payload use
/// prefixes (`xs`, `tns`, `wsdl`) declared on `wsdl:definitions` or `soapenv:Envelope`.
fn standalone_element(text: &str, element: roxmltree::Node) -> String {
    let source = &text[element.range()];
    let declared_here: BTreeSet<&str> = start_tag_attribute_names(text, element)
        .into_iter()
        .filter(|name| *name == "xmlns" || name.starts_with("xmlns:"))
        .collect();

    let mut inherited = String::new();
    for namespace in element.namespaces() {
        let attribute = match namespace.name() {
            Some(prefix) => format!("xmlns:{prefix}"),
            None => "xmlns".to_owned(),
        };
        if !declared_here.contains(attribute.as_str()) {
            let uri = escape_attribute(namespace.uri());
            inherited.push_str(&format!(" {attribute}=\"{uri}\""));
        }
    }

    let name_end = source[1..]
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .map_or(source.len(), |offset| offset + 1);
    format!("{}{inherited}{}", &source[..name_end], &source[name_end..])
}

/// Returns the `xs:schema` of a WSDL file as a standalone schema document.
fn embedded_schema(wsdl_file: &str) -> String {
    let path = manifest_path(&format!("wsdl/{wsdl_file}"));
    let text = read_text(&path);
    let doc = parse(wsdl_file, &text);
    let schemas: Vec<_> = doc
        .descendants()
        .filter(|node| node.has_tag_name((XSD_NS, "schema")))
        .collect();
    assert_eq!(
        schemas.len(),
        1,
        "{wsdl_file} must hold exactly one xs:schema in wsdl:types"
    );
    standalone_element(&text, schemas[0])
}

/// Payload of a SOAP envelope: the local name of the element inside `Body` and that element
/// as a standalone document.
struct Payload {
    name: String,
    xml: String,
}

fn body_payload(label: &str, envelope: &str) -> Payload {
    let doc = parse(label, envelope);
    let root = doc.root_element();
    assert!(
        root.has_tag_name((SOAP_ENV_NS, "Envelope")),
        "{label}: the document element must be a SOAP 1.1 Envelope"
    );
    let body = root
        .children()
        .find(|node| node.has_tag_name((SOAP_ENV_NS, "Body")))
        .unwrap_or_else(|| panic!("{label}: the envelope has no Body"));
    let payloads: Vec<_> = body.children().filter(|node| node.is_element()).collect();
    assert_eq!(
        payloads.len(),
        1,
        "{label}: Body must contain exactly one element"
    );
    let name = payloads[0].tag_name().name().to_owned();
    let xml = map_iterity_namespace(&standalone_element(envelope, payloads[0]));
    Payload { name, xml }
}

/// Rewrites declarations of the Iterity namespace to the current Atollon namespace.
/// Iterity is Atollon's former name, and the older published ListContactList response still
/// uses its namespace. The contract declares only the current namespace and a tolerant
/// reader accepts both, so the test validates that response under the current name.
fn map_iterity_namespace(xml: &str) -> String {
    xml.replace(&format!("\"{ITERITY_NS}\""), &format!("\"{ATOLLON_NS}\""))
        .replace(&format!("'{ITERITY_NS}'"), &format!("'{ATOLLON_NS}'"))
}

/// Outcome of one xmllint run.
struct Validation {
    exit_code: Option<i32>,
    stderr: String,
}

impl Validation {
    fn is_valid(&self) -> bool {
        self.exit_code == Some(0)
    }
}

/// Validates `instance` against `schema` with `xmllint --noout --schema`.
fn xmllint_validate(label: &str, schema: &str, instance: &str) -> Validation {
    let dir = tempfile::tempdir().expect("failed to create a temporary directory");
    let schema_path = dir.path().join("schema.xsd");
    let instance_path = dir.path().join(format!("{label}.xml"));
    fs::write(&schema_path, schema).expect("failed to write the schema to the temporary directory");
    fs::write(&instance_path, instance)
        .expect("failed to write the instance to the temporary directory");

    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema_path)
        .arg(&instance_path)
        .output();
    let output = match output {
        Ok(output) => output,
        Err(err) if err.kind() == ErrorKind::NotFound => panic!(
            "xmllint not found: install libxml2-utils (apt-get install libxml2-utils) to run \
             the contract tests"
        ),
        Err(err) => panic!("failed to run xmllint: {err}"),
    };
    Validation {
        exit_code: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Validates the payload of `envelope` against the schema of the WSDL that defines it.
fn validate_envelope(label: &str, envelope: &str) -> Validation {
    let payload = body_payload(label, envelope);
    let wsdl_file = contract_for(&payload.name)
        .unwrap_or_else(|| panic!("{label}: no contract file defines {}", payload.name));
    xmllint_validate(label, &embedded_schema(wsdl_file), &payload.xml)
}

fn example_files() -> Vec<PathBuf> {
    let dir = manifest_path("tests/data/examples");
    let entries =
        fs::read_dir(&dir).unwrap_or_else(|err| panic!("failed to list {}: {err}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("failed to read a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "xml"))
        .collect();
    files.sort();
    files
}

fn read_example(file_name: &str) -> String {
    read_text(&manifest_path(&format!("tests/data/examples/{file_name}")))
}

/// Replaces the one occurrence of `from` in `text`, so a negative case cannot silently
/// test the unchanged example.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "expected exactly one {from:?} in the example"
    );
    text.replacen(from, to, 1)
}

fn assert_rejected(validation: &Validation, expected_message: &str) {
    assert_eq!(
        validation.exit_code,
        Some(XMLLINT_INVALID_DOCUMENT),
        "xmllint should reject the document as invalid; stderr:\n{}",
        validation.stderr
    );
    assert!(
        validation.stderr.contains(expected_message),
        "xmllint stderr should contain {expected_message:?}:\n{}",
        validation.stderr
    );
}

#[test]
fn published_examples_match_schemas() {
    let files = example_files();
    assert_eq!(
        files.len(),
        EXAMPLE_COUNT,
        "example envelopes in tests/data/examples"
    );

    let mut failures = Vec::new();
    for path in &files {
        let label = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .expect("example file names are UTF-8");
        let validation = validate_envelope(label, &read_text(path));
        if !validation.is_valid() {
            failures.push(format!(
                "{}: xmllint exit code {:?}\n{}",
                path.display(),
                validation.exit_code,
                validation.stderr
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} examples failed validation:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn examples_cover_every_operation_but_quick_login() {
    let mut covered = BTreeSet::new();
    for path in example_files() {
        let label = path.display().to_string();
        let payload = body_payload(&label, &read_text(&path));
        covered.insert(payload.name);
    }
    let mut expected = BTreeSet::new();
    for (_, _, operations) in CONTRACTS {
        for operation in operations.iter().filter(|op| **op != "QuickLogin") {
            expected.insert((*operation).to_owned());
            expected.insert(format!("{operation}Response"));
        }
    }
    assert_eq!(covered, expected);
}

#[test]
fn legacy_namespace_is_mapped() {
    let envelope = read_example("ListContactList.response.xml");
    let payload = body_payload("ListContactList.response", &envelope);
    let doc = parse("mapped ListContactList response", &payload.xml);
    assert_eq!(doc.root_element().tag_name().namespace(), Some(ATOLLON_NS));
    assert!(!payload.xml.contains(ITERITY_NS));
}

#[test]
fn quick_login_request_matches_schema() {
    // No QuickLogin envelope is published. The password is the MD5 digest of "password".
    let envelope = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:wsdl="http://atollon.com/enterprise/wsdl">
  <soapenv:Body>
    <wsdl:QuickLogin>
      <server>acme</server>
      <user>jack</user>
      <password>5f4dcc3b5aa765d61d8327deb882cf99</password>
    </wsdl:QuickLogin>
  </soapenv:Body>
</soapenv:Envelope>"#;
    let validation = validate_envelope("QuickLogin.request", envelope);
    assert!(
        validation.is_valid(),
        "xmllint stderr:\n{}",
        validation.stderr
    );
}

#[test]
fn misspelled_element_is_rejected() {
    let envelope = replace_once(
        &read_example("CreateProject.request.xml"),
        "<invoiceJournal>133150101</invoiceJournal>",
        "<invoiceJurnal>133150101</invoiceJurnal>",
    );
    let validation = validate_envelope("CreateProject.misspelled", &envelope);
    assert_rejected(
        &validation,
        "Element 'invoiceJurnal': This element is not expected",
    );
}

#[test]
fn wrong_element_order_is_rejected() {
    // PROJECT/name is published after customer, folder and invoiceJournal.
    let envelope = replace_once(
        &read_example("CreateProject.request.xml"),
        "<name>Super Sales</name>",
        "",
    );
    let envelope = replace_once(
        &envelope,
        "<customer>139676101</customer>",
        "<name>Super Sales</name><customer>139676101</customer>",
    );
    let validation = validate_envelope("CreateProject.reordered", &envelope);
    assert_rejected(
        &validation,
        "Element 'customer': This element is not expected",
    );
}

#[test]
fn qualified_child_is_rejected() {
    // The children of an operation wrapper are unqualified on the wire.
    let envelope = replace_once(
        &read_example("CheckWorkflowQueue.request.xml"),
        "<server>yourserver</server>",
        "<wsdl:server>yourserver</wsdl:server>",
    );
    let validation = validate_envelope("CheckWorkflowQueue.qualified", &envelope);
    assert_rejected(
        &validation,
        "Element '{http://atollon.com/enterprise/wsdl}server': This element is not expected",
    );
}

#[test]
fn missing_required_element_is_rejected() {
    let envelope = replace_once(
        &read_example("CreateInvoicesFromItems.request.inferred.xml"),
        "<project>139704101</project>",
        "",
    );
    let validation = validate_envelope("CreateInvoicesFromItems.missing", &envelope);
    assert_rejected(
        &validation,
        "Missing child element(s). Expected is ( project )",
    );
}

/// Returns the value of attribute `name` of `node`, failing the test when it is missing.
fn required_attribute<'a>(file: &str, node: roxmltree::Node<'a, '_>, name: &str) -> &'a str {
    node.attribute(name).unwrap_or_else(|| {
        panic!(
            "{file}: <{}> has no {name} attribute",
            node.tag_name().name()
        )
    })
}

fn child_elements<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    namespace: &'a str,
    name: &'a str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'input>> {
    node.children()
        .filter(move |child| child.has_tag_name((namespace, name)))
}

#[test]
fn contracts_define_expected_operations() {
    for (file, base, operations) in CONTRACTS {
        let text = read_text(&manifest_path(&format!("wsdl/{file}")));
        let doc = parse(file, &text);
        let definitions = doc.root_element();
        assert!(definitions.has_tag_name((WSDL_NS, "definitions")), "{file}");
        assert_eq!(
            definitions.attribute("targetNamespace"),
            Some(ATOLLON_NS),
            "{file}: targetNamespace"
        );

        // Messages: OpRequest and OpResponse, each with the one part `parameters`.
        for operation in *operations {
            for (message, element) in [
                (format!("{operation}Request"), format!("tns:{operation}")),
                (
                    format!("{operation}Response"),
                    format!("tns:{operation}Response"),
                ),
            ] {
                let node = child_elements(definitions, WSDL_NS, "message")
                    .find(|node| node.attribute("name") == Some(message.as_str()))
                    .unwrap_or_else(|| panic!("{file}: message {message} not found"));
                let parts: Vec<_> = child_elements(node, WSDL_NS, "part").collect();
                assert_eq!(parts.len(), 1, "{file}: parts of message {message}");
                assert_eq!(
                    parts[0].attribute("name"),
                    Some("parameters"),
                    "{file}: {message}"
                );
                assert_eq!(
                    parts[0].attribute("element"),
                    Some(element.as_str()),
                    "{file}: {message}"
                );
            }
        }

        // portType: exactly the expected operations, in this order.
        let port_type = child_elements(definitions, WSDL_NS, "portType")
            .next()
            .unwrap_or_else(|| panic!("{file}: no portType"));
        assert_eq!(
            required_attribute(file, port_type, "name"),
            format!("{base}PortType")
        );
        let declared: Vec<_> = child_elements(port_type, WSDL_NS, "operation")
            .map(|node| required_attribute(file, node, "name"))
            .collect();
        assert_eq!(declared, *operations, "{file}: portType operations");

        // Binding: SOAP 1.1 document/literal with an empty soapAction for every operation.
        let binding = child_elements(definitions, WSDL_NS, "binding")
            .next()
            .unwrap_or_else(|| panic!("{file}: no binding"));
        assert_eq!(
            required_attribute(file, binding, "name"),
            format!("{base}Binding")
        );
        assert_eq!(
            required_attribute(file, binding, "type"),
            format!("tns:{base}PortType")
        );
        let soap_binding = child_elements(binding, WSDL_SOAP_NS, "binding")
            .next()
            .unwrap_or_else(|| panic!("{file}: no soap:binding"));
        assert_eq!(soap_binding.attribute("style"), Some("document"), "{file}");
        assert_eq!(
            soap_binding.attribute("transport"),
            Some("http://schemas.xmlsoap.org/soap/http"),
            "{file}"
        );
        let bound: Vec<_> = child_elements(binding, WSDL_NS, "operation")
            .map(|node| required_attribute(file, node, "name"))
            .collect();
        assert_eq!(bound, *operations, "{file}: binding operations");
        for operation in child_elements(binding, WSDL_NS, "operation") {
            let soap_operation = child_elements(operation, WSDL_SOAP_NS, "operation")
                .next()
                .unwrap_or_else(|| panic!("{file}: binding operation without soap:operation"));
            assert_eq!(soap_operation.attribute("soapAction"), Some(""), "{file}");
            for direction in ["input", "output"] {
                let body = child_elements(operation, WSDL_NS, direction)
                    .next()
                    .and_then(|node| child_elements(node, WSDL_SOAP_NS, "body").next())
                    .unwrap_or_else(|| panic!("{file}: {direction} without soap:body"));
                assert_eq!(
                    body.attribute("use"),
                    Some("literal"),
                    "{file}: {direction}"
                );
            }
        }

        // Service and port.
        let service = child_elements(definitions, WSDL_NS, "service")
            .next()
            .unwrap_or_else(|| panic!("{file}: no service"));
        assert_eq!(
            required_attribute(file, service, "name"),
            format!("{base}Service")
        );
        let port = child_elements(service, WSDL_NS, "port")
            .next()
            .unwrap_or_else(|| panic!("{file}: no port"));
        assert_eq!(
            required_attribute(file, port, "name"),
            format!("{base}Port")
        );
        assert_eq!(
            required_attribute(file, port, "binding"),
            format!("tns:{base}Binding")
        );
        let address = child_elements(port, WSDL_SOAP_NS, "address")
            .next()
            .unwrap_or_else(|| panic!("{file}: no soap:address"));
        assert_eq!(
            address.attribute("location"),
            Some("https://river.atollon.com/soap"),
            "{file}"
        );
    }
}

#[test]
fn schema_components_are_documented() {
    let mut undocumented = Vec::new();
    for (file, _, _) in CONTRACTS {
        let text = read_text(&manifest_path(&format!("wsdl/{file}")));
        let doc = parse(file, &text);
        let components = doc.descendants().filter(|node| {
            node.has_tag_name((XSD_NS, "element"))
                || (node.has_tag_name((XSD_NS, "complexType")) && node.has_attribute("name"))
        });
        for component in components {
            let documented = child_elements(component, XSD_NS, "annotation")
                .flat_map(|annotation| child_elements(annotation, XSD_NS, "documentation"))
                .any(|documentation| {
                    documentation
                        .text()
                        .is_some_and(|text| !text.trim().is_empty())
                });
            if !documented {
                let position = doc.text_pos_at(component.range().start);
                let name = component.attribute("name").unwrap_or("(anonymous)");
                undocumented.push(format!("{file}:{}: {name}", position.row));
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "schema components without xs:documentation:\n{}",
        undocumented.join("\n")
    );
}
