//! Snapshots of the generated code for every fixture, the corpus and the contract.
//!
//! Review changes with `cargo insta review`. Paths in error messages are made relative
//! to the fixtures folder, so snapshots do not depend on where the repository lives.

use std::path::Path;

use atollon_codegen::{FsResolver, Generator};

fn fixtures_dir() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .canonicalize()
        .expect("fixtures folder exists")
        .to_string_lossy()
        .into_owned()
}

/// Generated source, or the error report when the generator rejects the input.
fn generate(entries: &[&Path]) -> String {
    let entries: Vec<String> = entries
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
    let result = Generator::new()
        .secret_fields(["session", "password"])
        .generate(&FsResolver, &refs);
    match result {
        Ok(output) => output.source,
        Err(error) => format!("error:\n{error}\n").replace(&format!("{}/", fixtures_dir()), ""),
    }
}

#[test]
fn feature_fixtures() {
    insta::glob!("fixtures/features/*/service.wsdl", |path| {
        insta::assert_snapshot!(generate(&[path]));
    });
}

#[test]
fn corpus_fixtures() {
    insta::glob!("fixtures/corpus/**/*.wsdl", |path| {
        insta::assert_snapshot!(generate(&[path]));
    });
}

#[test]
fn error_fixtures() {
    insta::glob!("fixtures/errors/*/service.wsdl", |path| {
        insta::assert_snapshot!(generate(&[path]));
    });
}

#[test]
fn contract_files() {
    let wsdl = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wsdl");
    let files: Vec<_> = ["main", "project", "item", "invoice", "features", "web"]
        .iter()
        .map(|stem| wsdl.join(format!("{stem}.wsdl")))
        .collect();
    let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    insta::assert_snapshot!(generate(&refs));
}

#[test]
fn contract_api_summary() {
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
    let output = Generator::new()
        .secret_fields(["session", "password"])
        .generate(&FsResolver, &refs)
        .expect("the contract generates");
    insta::assert_snapshot!(output.api.summary());
}
