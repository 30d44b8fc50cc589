//! Generates code for every fixture into one file, so that `cargo build` proves that all
//! of it compiles (`src/lib.rs` includes it under `#![deny(warnings)]`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let here = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let fixtures = here.join("../fixtures");
    let contract = here.join("../../../wsdl");
    println!("cargo:rerun-if-changed={}", fixtures.display());
    println!("cargo:rerun-if-changed={}", contract.display());

    let mut cases: Vec<(String, Vec<PathBuf>)> = Vec::new();
    for dir in sorted_dirs(&fixtures.join("features")) {
        cases.push((
            format!("features_{}", file_name(&dir)),
            vec![dir.join("service.wsdl")],
        ));
    }
    let mut corpus = Vec::new();
    collect_wsdl(&fixtures.join("corpus"), &mut corpus);
    corpus.sort();
    for file in corpus {
        let relative = file.strip_prefix(fixtures.join("corpus")).unwrap_or(&file);
        let name: String = relative
            .to_string_lossy()
            .trim_end_matches(".wsdl")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        cases.push((format!("corpus_{name}"), vec![file]));
    }
    let contract_files = ["main", "project", "item", "invoice", "features", "web"]
        .iter()
        .map(|stem| contract.join(format!("{stem}.wsdl")))
        .collect();
    cases.push(("contract".to_owned(), contract_files));

    let mut out = String::new();
    let mut skipped = Vec::new();
    for (name, entries) in &cases {
        let entries: Vec<String> = entries
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
        let generated = atollon_codegen::Generator::new()
            .secret_fields(["session", "password"])
            .generate(&atollon_codegen::FsResolver, &refs);
        match generated {
            Ok(output) => {
                for file in &output.files_read {
                    println!("cargo:rerun-if-changed={file}");
                }
                let body = output
                    .source
                    .trim_start_matches(atollon_codegen::GENERATED_HEADER);
                let _ = writeln!(out, "pub mod {name} {{\n{body}\n}}");
            }
            Err(_) => skipped.push(name.clone()),
        }
    }
    let _ = writeln!(out, "/// Fixtures whose input the generator rejects.");
    let _ = writeln!(out, "pub const REJECTED: &[&str] = &{skipped:?};");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let path = out_dir.join("fixtures.rs");
    if std::fs::read_to_string(&path).ok().as_deref() != Some(out.as_str()) {
        std::fs::write(&path, out).expect("OUT_DIR is writable");
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn sorted_dirs(path: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

fn collect_wsdl(path: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let p = entry.path();
        if p.is_dir() {
            collect_wsdl(&p, out);
        } else if p.extension().is_some_and(|e| e == "wsdl") {
            out.push(p);
        }
    }
}
