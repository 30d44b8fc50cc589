//! Error reports: each error fixture lists the positions a generator must report, and the
//! generator must report exactly those, sorted, without panicking.

use std::path::Path;

use atollon_codegen::{Error, FsResolver, Generator};

/// `LINE:COLUMN` pairs from an `expected.txt`.
fn expected_positions(path: &Path) -> Vec<(u32, u32)> {
    let text = std::fs::read_to_string(path).expect("expected.txt is readable");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let position = line
                .split_whitespace()
                .next()
                .expect("line starts with LINE:COLUMN");
            let (l, c) = position.split_once(':').expect("position is LINE:COLUMN");
            (
                l.parse().expect("line number"),
                c.parse().expect("column number"),
            )
        })
        .collect()
}

fn reported_positions(entry: &Path) -> Vec<(u32, u32)> {
    let entry = entry.to_string_lossy().into_owned();
    match Generator::new().generate(&FsResolver, &[&entry]) {
        Ok(_) => Vec::new(),
        Err(Error::Input(diagnostics)) => diagnostics.iter().map(|d| (d.line, d.column)).collect(),
        Err(other) => panic!("{entry}: expected input errors, got {other}"),
    }
}

#[test]
fn error_fixtures_report_expected_positions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut cases: Vec<_> = std::fs::read_dir(root.join("errors"))
        .expect("errors fixtures exist")
        .map(|e| e.expect("readable entry").path())
        .collect();
    cases.push(root.join("features/rpc_encoded"));
    cases.sort();
    assert!(
        cases.len() >= 7,
        "expected at least seven error cases, found {}",
        cases.len()
    );
    for case in cases {
        let expected = expected_positions(&case.join("expected.txt"));
        let reported = reported_positions(&case.join("service.wsdl"));
        assert_eq!(
            reported,
            expected,
            "positions reported for {}",
            case.display()
        );
    }
}

#[test]
fn several_errors_reported_together_sorted() {
    let entry = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/errors/several_errors/service.wsdl");
    let entry = entry.to_string_lossy().into_owned();
    let error = Generator::new()
        .generate(&FsResolver, &[&entry])
        .unwrap_err();
    let diagnostics = error.diagnostics();
    assert_eq!(diagnostics.len(), 3);
    assert!(
        diagnostics[0].message.contains("MissingType"),
        "{}",
        diagnostics[0]
    );
    assert!(
        diagnostics[1].message.contains("MissingElement"),
        "{}",
        diagnostics[1]
    );
    assert!(
        diagnostics[2].message.contains("MissingMessage"),
        "{}",
        diagnostics[2]
    );
    let mut sorted = diagnostics.to_vec();
    sorted.sort();
    assert_eq!(sorted, diagnostics);
}

#[test]
fn missing_entry_file_is_an_error() {
    let error = Generator::new()
        .generate(&FsResolver, &["/nonexistent/atollon/none.wsdl"])
        .unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("/nonexistent/atollon/none.wsdl:1:1: cannot read"),
        "{text}"
    );
}

#[test]
fn remote_schema_location_is_not_fetched() {
    let mut resolver = atollon_codegen::MemoryResolver::new();
    resolver.insert(
        "remote.wsdl",
        r#"<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:r">
  <wsdl:types>
    <xs:schema targetNamespace="urn:r">
      <xs:import namespace="urn:elsewhere" schemaLocation="https://example.invalid/other.xsd"/>
    </xs:schema>
  </wsdl:types>
</wsdl:definitions>"#,
    );
    let error = Generator::new()
        .generate(&resolver, &["remote.wsdl"])
        .unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains(
            "remote.wsdl:4:7: remote location `https://example.invalid/other.xsd` is not fetched"
        ),
        "{text}"
    );
}
