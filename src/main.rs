//! The `atollon` command: tools for the Atollon SOAP API.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

mod cli;

#[derive(Debug, Parser)]
#[command(name = "atollon", version, about = "Tools for the Atollon SOAP API")]
struct Arguments {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands; each one's arguments and code live in its module under `cli/`.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run a local server that behaves like an Atollon instance (no account needed).
    Sandbox(cli::sandbox::SandboxArgs),
    /// Bill eShop order files through Atollon's eShop flow, never an order twice.
    Invoice(cli::invoice::InvoiceArgs),
    /// Send one marketing trigger (CreateMarketingTriggers).
    Trigger(cli::trigger::TriggerArgs),
    /// List the billing journal, or settle a step that is in doubt.
    Journal(cli::journal::JournalArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let arguments = Arguments::parse();
    // Logs go to stderr, so that stdout carries only a command's own output. RUST_LOG
    // overrides the default level, as in `RUST_LOG=atollon=debug`.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let result = match arguments.command {
        Command::Sandbox(arguments) => cli::sandbox::run(arguments).await,
        // These exit with 0, 1 or 2 and print their own errors.
        Command::Invoice(arguments) => return cli::invoice::run(arguments).await,
        Command::Trigger(arguments) => return cli::trigger::run(arguments).await,
        Command::Journal(arguments) => return cli::journal::run(arguments).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
