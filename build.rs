//! Generates the Atollon client from the contract files in `wsdl/` into `OUT_DIR`.

use std::path::PathBuf;

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
    let wsdl = manifest.join("wsdl");
    // A new file in wsdl/ (such as an import added by `atollon-codegen fetch`) reruns this.
    println!("cargo:rerun-if-changed={}", wsdl.display());

    let entries: Vec<PathBuf> = CONTRACT.iter().map(|file| wsdl.join(file)).collect();
    let generator = atollon_codegen::Generator::new().secret_fields(["session", "password"]);
    if let Err(error) =
        atollon_codegen::build::generate_to_file(&generator, &entries, &out_dir.join("atollon.rs"))
    {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}
