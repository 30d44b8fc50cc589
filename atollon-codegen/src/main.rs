//! `atollon-codegen`: generates Rust from WSDL files, checks a committed copy, compares two
//! versions of a contract, and downloads a contract from an Atollon host.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use atollon_codegen::{FsResolver, Generator};
use clap::{Parser, Subcommand, ValueEnum};

mod cli;

#[derive(Parser)]
#[command(
    name = "atollon-codegen",
    version,
    about = "Generate Rust types, async SOAP clients and server traits from WSDL 1.1 and XML Schema"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate Rust source from WSDL files, one module per file.
    Generate {
        /// Entry WSDL files; imports and includes are read relative to each.
        #[arg(required = true)]
        wsdl: Vec<PathBuf>,
        /// Write the source to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        options: Options,
    },
    /// Exit with status 1 when a committed generated file differs from what the WSDL
    /// files give now.
    Check {
        /// Entry WSDL files.
        #[arg(required = true)]
        wsdl: Vec<PathBuf>,
        /// The committed generated file to compare with.
        #[arg(long)]
        against: PathBuf,
        #[command(flatten)]
        options: Options,
    },
    /// Compare two versions of a contract: list the operations, types, fields and values
    /// added, removed or changed, and whether each change breaks code built on OLD or the
    /// wire. Exit status: 0 when nothing breaks, 1 when a change breaks, 2 on error.
    Diff {
        /// The old contract: a WSDL file, or a folder whose `*.wsdl` files are one module
        /// each. Two single files are compared with each other whatever their names.
        old: PathBuf,
        /// The new contract, in the same form. Modules of two folders match by file name.
        new: PathBuf,
        #[command(flatten)]
        report: ReportOptions,
    },
    /// Download the contract files from an Atollon host, with the files they import or
    /// include by relative location, write those whose content changed, and report the
    /// changes as `diff` does, with the same exit status.
    Fetch {
        /// Base URL of the host, such as `https://acme.atollon.com`; each file is
        /// downloaded from `URL/NAME`.
        #[arg(long, value_name = "URL")]
        host: String,
        /// Folder of the contract files, where changed files are written.
        #[arg(long, value_name = "DIR", default_value = "wsdl")]
        out: PathBuf,
        /// Seconds to wait for a connection to the host.
        #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
        connect_timeout: u64,
        /// Seconds one download may take in total, connection included.
        #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
        timeout: u64,
        #[command(flatten)]
        report: ReportOptions,
    },
}

#[derive(clap::Args)]
struct ReportOptions {
    /// Output format of the report.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Local name of a string element that contains a secret, as for `generate`. Repeat
    /// for several names.
    #[arg(long = "secret-field", value_name = "NAME")]
    secret_fields: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Lines grouped per module and port, for a terminal or a pull request.
    Text,
    /// One JSON object with a summary and the changes per module.
    Json,
}

#[derive(clap::Args)]
struct Options {
    /// Local name of a string element that contains a secret; its field gets the `Secret`
    /// type, hidden in `Debug` output. Repeat for several names.
    #[arg(long = "secret-field", value_name = "NAME")]
    secret_fields: Vec<String>,
    /// Rust path of the runtime module that generated code calls.
    #[arg(long, default_value = "::atollon_client::__codegen")]
    runtime_path: String,
}

fn generate(wsdl: &[PathBuf], options: &Options) -> Result<String, String> {
    let entries: Vec<String> = wsdl
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
    Generator::new()
        .secret_fields(options.secret_fields.iter().cloned())
        .runtime_path(options.runtime_path.clone())
        .generate(&FsResolver, &refs)
        .map(|output| output.source)
        .map_err(|error| error.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Diff { old, new, report } => cli::diff::run_diff(&old, &new, &report),
        Command::Fetch {
            host,
            out,
            connect_timeout,
            timeout,
            report,
        } => {
            let timeouts = atollon_codegen::fetch::Timeouts {
                connect: Duration::from_secs(connect_timeout),
                total: Duration::from_secs(timeout),
            };
            cli::fetch::run_fetch(&host, &out, timeouts, &report)
        }
        Command::Generate {
            wsdl,
            output,
            options,
        } => {
            let source = match generate(&wsdl, &options) {
                Ok(source) => source,
                Err(message) => {
                    eprintln!("{message}");
                    return ExitCode::from(2);
                }
            };
            match output {
                Some(path) => {
                    if let Err(error) = std::fs::write(&path, source) {
                        eprintln!("error: cannot write {}: {error}", path.display());
                        return ExitCode::from(2);
                    }
                }
                None => {
                    use std::io::Write as _;
                    // A reader that stops early (`| head`) closes the pipe; that is not
                    // an error worth a panic, so the write error ends the command quietly.
                    if std::io::stdout()
                        .lock()
                        .write_all(source.as_bytes())
                        .is_err()
                    {
                        return ExitCode::SUCCESS;
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Command::Check {
            wsdl,
            against,
            options,
        } => {
            let source = match generate(&wsdl, &options) {
                Ok(source) => source,
                Err(message) => {
                    eprintln!("{message}");
                    return ExitCode::from(2);
                }
            };
            let committed = match std::fs::read_to_string(&against) {
                Ok(text) => text,
                Err(error) => {
                    eprintln!("error: cannot read {}: {error}", against.display());
                    return ExitCode::from(2);
                }
            };
            if committed == source {
                println!("{} is up to date", against.display());
                ExitCode::SUCCESS
            } else {
                let first = committed
                    .lines()
                    .zip(source.lines())
                    .position(|(a, b)| a != b)
                    .map_or_else(
                        || committed.lines().count().min(source.lines().count()) + 1,
                        |i| i + 1,
                    );
                let files: Vec<String> = wsdl.iter().map(|p| p.display().to_string()).collect();
                eprintln!(
                    "{} differs from the generated code (first difference at line {first}); regenerate it with `atollon-codegen generate {} -o {}`",
                    against.display(),
                    files.join(" "),
                    against.display()
                );
                ExitCode::FAILURE
            }
        }
    }
}
