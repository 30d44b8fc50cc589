//! Helpers for build scripts: generate into `OUT_DIR`, write only on change, and tell
//! cargo which files to watch.

use std::path::{Path, PathBuf};

use crate::{Error, FsResolver, Generator};

/// Generates `entries` into `out_file` and prints `cargo:rerun-if-changed` for every
/// file read. Returns the error report on failure; the caller prints it and exits, so
/// a broken WSDL fails the build with the generator's message instead of a panic.
pub fn generate_to_file(
    generator: &Generator,
    entries: &[PathBuf],
    out_file: &Path,
) -> Result<(), BuildError> {
    let entries: Vec<String> = entries
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
    // Watch the entries even when generation fails, so fixing them triggers a rebuild.
    for entry in &entries {
        println!("cargo:rerun-if-changed={entry}");
    }
    let output = generator
        .generate(&FsResolver, &refs)
        .map_err(BuildError::Generate)?;
    for file in &output.files_read {
        println!("cargo:rerun-if-changed={file}");
    }
    write_if_changed(out_file, &output.source).map_err(|source| BuildError::Write {
        path: out_file.to_path_buf(),
        source,
    })?;
    Ok(())
}

/// Writes `contents` unless the file already contains exactly that, so that an unchanged
/// contract does not make cargo recompile the code that includes it. Returns whether it
/// wrote.
pub fn write_if_changed(path: &Path, contents: &str) -> std::io::Result<bool> {
    if std::fs::read_to_string(path).is_ok_and(|existing| existing == contents) {
        return Ok(false);
    }
    // Write beside the target and rename, so a reader never sees half a file.
    let temporary = path.with_extension("rs.tmp");
    std::fs::write(&temporary, contents)?;
    std::fs::rename(&temporary, path)?;
    Ok(true)
}

/// Failure of [`generate_to_file`].
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The WSDL or XSD input has problems; the message lists each with its position.
    #[error("generating Rust code failed:\n{0}")]
    Generate(Error),
    /// The output file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The output file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_content_is_not_rewritten() {
        let dir =
            std::env::temp_dir().join(format!("atollon-codegen-build-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("out.rs");
        assert!(write_if_changed(&file, "a").unwrap());
        assert!(!write_if_changed(&file, "a").unwrap());
        assert!(write_if_changed(&file, "b").unwrap());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "b");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn broken_wsdl_gives_positioned_message() {
        let dir =
            std::env::temp_dir().join(format!("atollon-codegen-broken-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let wsdl = dir.join("broken.wsdl");
        std::fs::write(&wsdl, "<wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\">\n  <wsdl:types>\n</wsdl:definitions>\n").unwrap();
        let error = generate_to_file(
            &Generator::new(),
            std::slice::from_ref(&wsdl),
            &dir.join("out.rs"),
        )
        .unwrap_err();
        let text = error.to_string();
        // Line 3 column 1 is the `</wsdl:definitions>` that closes while `wsdl:types` is open.
        let expected_prefix = format!(
            "generating Rust code failed:\n{}:3:1: malformed XML",
            wsdl.canonicalize().unwrap().display()
        );
        assert!(text.starts_with(&expected_prefix), "{text}");
        assert!(!dir.join("out.rs").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
