//! `atollon-codegen fetch`: download an instance's contract files and diff them.

use std::path::Path;
use std::process::ExitCode;

use atollon_codegen::diff;
use atollon_codegen::fetch::{fetch, Timeouts};

use crate::cli::diff::print_report;
use crate::ReportOptions;

pub fn run_fetch(host: &str, out: &Path, timeouts: Timeouts, options: &ReportOptions) -> ExitCode {
    let fetched = match fetch(host, out, timeouts, &options.secret_fields) {
        Ok(fetched) => fetched,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    for message in &fetched.messages {
        eprintln!("{message}");
    }
    match fetched.previous {
        Ok(previous) => print_report(&diff::diff(&previous, &fetched.current), options.format),
        Err(message) => {
            eprintln!(
                "error: the previous contract in {} has errors, so no diff is shown:\n{message}",
                out.display()
            );
            ExitCode::from(2)
        }
    }
}
