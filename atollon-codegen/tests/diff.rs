//! Contract diff reports for pairs of fixtures, one pair per kind of change.
//!
//! Each `fixtures/diff/<case>/` holds `old.wsdl` and `new.wsdl`; the text report of the
//! change from one to the other is snapshotted. Review changes with `cargo insta review`.

use std::path::Path;

use atollon_codegen::api::Api;
use atollon_codegen::diff::diff;
use atollon_codegen::{FsResolver, Generator};

fn api(path: &Path) -> Api {
    let entry = path.to_string_lossy().into_owned();
    Generator::new()
        .generate(&FsResolver, &[entry.as_str()])
        .unwrap_or_else(|error| panic!("{} generates: {error}", path.display()))
        .api
}

#[test]
fn fixture_reports() {
    insta::glob!("fixtures/diff/*/new.wsdl", |new_path| {
        let case = new_path
            .parent()
            .and_then(Path::file_name)
            .expect("the fixture is in a case folder")
            .to_string_lossy()
            .into_owned();
        let mut old = api(&new_path.with_file_name("old.wsdl"));
        let mut new = api(new_path);
        // The modules are `old` and `new` after their file names; the case names both.
        old.modules[0].name.clone_from(&case);
        new.modules[0].name.clone_from(&case);
        insta::assert_snapshot!(diff(&old, &new).to_text());
    });
}

#[test]
fn contract_against_itself_has_no_changes() {
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
    let generate = || {
        Generator::new()
            .secret_fields(["session", "password"])
            .generate(&FsResolver, &refs)
            .expect("the contract generates")
            .api
    };
    let report = diff(&generate(), &generate());
    assert!(report.modules.is_empty());
    assert_eq!(report.to_text(), "No changes.\n");
}
