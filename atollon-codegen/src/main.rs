//! `atollon-codegen`: generates Rust from WSDL files, or checks a committed copy.

use std::path::PathBuf;
use std::process::ExitCode;

use atollon_codegen::{FsResolver, Generator};
use clap::{Parser, Subcommand};

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
}

#[derive(clap::Args)]
struct Options {
    /// Local name of a string element that holds a secret; its field gets the `Secret`
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
                None => print!("{source}"),
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
                eprintln!(
                    "{} differs from the generated code (first difference at line {first}); regenerate it with `atollon-codegen generate ... -o {}`",
                    against.display(),
                    against.display()
                );
                ExitCode::FAILURE
            }
        }
    }
}
