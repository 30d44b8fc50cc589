//! The same input gives the same bytes, and adding an operation renames nothing.

use std::collections::BTreeMap;
use std::path::Path;

use atollon_codegen::{FsResolver, Generator, MemoryResolver};

#[test]
fn contract_generates_identically_twice() {
    let wsdl = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wsdl");
    let entries: Vec<String> = ["main", "project", "item", "invoice", "features", "web"]
        .iter()
        .map(|stem| {
            wsdl.join(format!("{stem}.wsdl"))
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
    let first = Generator::new()
        .generate(&FsResolver, &refs)
        .expect("contract generates");
    let second = Generator::new()
        .generate(&FsResolver, &refs)
        .expect("contract generates");
    assert_eq!(first.source, second.source);
    assert_eq!(first.files_read, second.files_read);
    assert_eq!(first.files_read.len(), 6);
}

/// Top-level items of each module by name, with their source, from generated code.
fn items_by_name(source: &str) -> BTreeMap<String, String> {
    let file = syn::parse_file(source).expect("generated code parses");
    let mut items = BTreeMap::new();
    for item in file.items {
        let syn::Item::Mod(module) = item else {
            continue;
        };
        let Some((_, content)) = module.content else {
            continue;
        };
        for inner in content {
            let name = match &inner {
                syn::Item::Struct(s) => s.ident.to_string(),
                syn::Item::Enum(e) => e.ident.to_string(),
                syn::Item::Trait(t) => t.ident.to_string(),
                syn::Item::Fn(f) => f.sig.ident.to_string(),
                syn::Item::Type(t) => t.ident.to_string(),
                _ => continue,
            };
            let text = quote::ToTokens::to_token_stream(&inner).to_string();
            items.insert(format!("{}::{name}", module.ident), text);
        }
    }
    items
}

#[test]
fn adding_operation_renames_nothing() {
    let base_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/features/doc_literal_wrapped/service.wsdl");
    let base = std::fs::read_to_string(base_path).expect("fixture is readable");
    // A new operation whose types sort before and after the existing ones.
    let extended = base
        .replace(
            "</xs:schema>",
            r#"<xs:element name="AddCustomer"><xs:complexType><xs:sequence><xs:element name="name" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
      <xs:element name="AddCustomerResponse"><xs:complexType><xs:sequence><xs:element name="customerId" type="xs:int"/></xs:sequence></xs:complexType></xs:element>
      <xs:complexType name="Customer"><xs:sequence><xs:element name="id" type="xs:int"/></xs:sequence></xs:complexType>
    </xs:schema>"#,
        )
        .replace(
            "<wsdl:portType name=\"CustomerPortType\">",
            r#"<wsdl:message name="AddCustomerRequest"><wsdl:part name="parameters" element="tns:AddCustomer"/></wsdl:message>
  <wsdl:message name="AddCustomerResponse"><wsdl:part name="parameters" element="tns:AddCustomerResponse"/></wsdl:message>
  <wsdl:portType name="CustomerPortType">
    <wsdl:operation name="AddCustomer"><wsdl:input message="tns:AddCustomerRequest"/><wsdl:output message="tns:AddCustomerResponse"/></wsdl:operation>"#,
        )
        .replace(
            "<soap:binding style=\"document\" transport=\"http://schemas.xmlsoap.org/soap/http\"/>",
            r#"<soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="AddCustomer"><soap:operation soapAction=""/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>"#,
        );
    assert_ne!(
        base, extended,
        "the fixture changed shape; update the insertion points"
    );

    let generate = |text: &str| {
        let mut resolver = MemoryResolver::new();
        resolver.insert("service.wsdl", text);
        Generator::new()
            .generate(&resolver, &["service.wsdl"])
            .expect("fixture generates")
            .source
    };
    let before = items_by_name(&generate(&base));
    let after = items_by_name(&generate(&extended));
    assert!(after.contains_key("service::AddCustomer"));
    assert!(after.contains_key("service::Customer"));
    for (name, text) in &before {
        let Some(now) = after.get(name) else {
            panic!("`{name}` disappeared after adding an operation");
        };
        // The client, trait and dispatcher gain the new operation; everything else
        // must be unchanged.
        if name.ends_with("Client") || name.ends_with("Server") || name.contains("dispatch_") {
            continue;
        }
        assert_eq!(text, now, "`{name}` changed after adding an operation");
    }
}
