//! `atollon-codegen diff`: compare the generated APIs of two contracts.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use atollon_codegen::api::Api;
use atollon_codegen::diff::{self, Report};
use atollon_codegen::{FsResolver, Generator};

use crate::{Format, ReportOptions};

pub fn run_diff(old: &Path, new: &Path, options: &ReportOptions) -> ExitCode {
    let loaded = load_api(old, &options.secret_fields)
        .and_then(|old_api| Ok((old_api, load_api(new, &options.secret_fields)?)));
    let (mut old_api, new_api) = match loaded {
        Ok(apis) => apis,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    // Two single files are one module each, compared whatever their file names.
    if old.is_file() && new.is_file() {
        if let (Some(old_module), Some(new_module)) =
            (old_api.modules.first_mut(), new_api.modules.first())
        {
            old_module.name.clone_from(&new_module.name);
        }
    }
    print_report(&diff::diff(&old_api, &new_api), options.format)
}

/// Generates the API of a WSDL file, or of every `*.wsdl` file directly in a folder.
pub fn load_api(path: &Path, secret_fields: &[String]) -> Result<Api, String> {
    let metadata = std::fs::metadata(path)
        .map_err(|error| format!("error: cannot read {}: {error}", path.display()))?;
    let entries = if metadata.is_dir() {
        let entries = wsdl_files(path)?;
        if entries.is_empty() {
            return Err(format!("error: {} contains no *.wsdl file", path.display()));
        }
        entries
    } else {
        vec![path.to_path_buf()]
    };
    let entries: Vec<String> = entries
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
    Generator::new()
        .secret_fields(secret_fields.iter().cloned())
        .generate(&FsResolver, &refs)
        .map(|output| output.api)
        .map_err(|error| {
            format!(
                "error: the WSDL files in {} have errors:\n{error}",
                path.display()
            )
        })
}

/// Lists the `*.wsdl` files directly in `folder`, sorted by name.
fn wsdl_files(folder: &Path) -> Result<Vec<PathBuf>, String> {
    let read_error =
        |error: std::io::Error| format!("error: cannot read {}: {error}", folder.display());
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(read_error)? {
        let path = entry.map_err(read_error)?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "wsdl") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The report as JSON: the summary and the changes per module.
#[derive(serde::Serialize)]
struct JsonReport<'a> {
    summary: diff::Summary,
    modules: &'a [diff::ModuleChanges],
}

/// Prints the report and returns the exit status: 1 when a change breaks, else 0.
pub fn print_report(report: &Report, format: Format) -> ExitCode {
    match format {
        Format::Text => print!("{}", report.to_text()),
        Format::Json => {
            let json = JsonReport {
                summary: report.summary(),
                modules: &report.modules,
            };
            match serde_json::to_string_pretty(&json) {
                Ok(text) => println!("{text}"),
                Err(error) => {
                    eprintln!("error: cannot write the report as JSON: {error}");
                    return ExitCode::from(2);
                }
            }
        }
    }
    if report.is_breaking() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
