//! Generates the Atollon client from the contract files in `wsdl/` into `OUT_DIR`.

use std::path::{Path, PathBuf};

/// The contract files, one generated module each, in this order.
const CONTRACT: &[&str] = &[
    "main.wsdl",
    "project.wsdl",
    "item.wsdl",
    "invoice.wsdl",
    "features.wsdl",
    "web.wsdl",
];

fn main() {
    let manifest = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let wsdl_dir = manifest.join("wsdl");
    println!("cargo:rerun-if-changed={}", wsdl_dir.display());

    let entries: Vec<String> = CONTRACT
        .iter()
        .map(|file| wsdl_dir.join(file).to_string_lossy().into_owned())
        .collect();
    let entry_refs: Vec<&str> = entries.iter().map(String::as_str).collect();
    let generated = atollon_codegen::Generator::new()
        .secret_fields(["session", "password"])
        .generate(&atollon_codegen::FsResolver, &entry_refs);
    let output = match generated {
        Ok(output) => output,
        Err(error) => {
            // One `cargo:warning` per problem shows them in the build output, and the
            // exit status fails the build without a backtrace.
            for line in error.to_string().lines() {
                println!("cargo:warning={line}");
            }
            eprintln!("error: generating the Atollon client from wsdl/ failed:\n{error}");
            std::process::exit(1);
        }
    };
    for file in &output.files_read {
        println!("cargo:rerun-if-changed={file}");
    }
    write_if_changed(&out_dir.join("atollon.rs"), &output.source);
}

/// Writes `contents` unless the file already holds exactly that, so an unchanged
/// contract does not make cargo recompile the bindings.
fn write_if_changed(path: &Path, contents: &str) {
    if std::fs::read_to_string(path).is_ok_and(|existing| existing == contents) {
        return;
    }
    if let Err(error) = std::fs::write(path, contents) {
        eprintln!("error: cannot write {}: {error}", path.display());
        std::process::exit(1);
    }
}
