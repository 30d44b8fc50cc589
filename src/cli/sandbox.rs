//! `atollon sandbox`: runs the local Atollon sandbox until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;

use atollon::sandbox::{Clock, FaultRule, Sandbox, SandboxConfig, DEFAULT_MAX_BODY_BYTES};

/// Arguments of `atollon sandbox`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Log in with server `acme`, user `demo` and password `demo` (or user and password \
`integration`); QuickLogin takes the MD5 hex digest of the password. The instance has the \
ids of Atollon's published eShop example, such as folder template 130944101 and invoice \
journal 133150101.

Endpoints: POST /soap, GET /NAME.wsdl (main, project, item, invoice, features, web) and \
GET /sandbox/state (the whole state as JSON).")]
pub struct SandboxArgs {
    /// Address and port to listen on. Any address other than loopback accepts requests
    /// from other machines.
    #[arg(long, value_name = "ADDRESS:PORT", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,

    /// SQLite file that keeps the state across restarts (created if missing). Without
    /// it, the state lives in memory and is lost on exit.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,

    /// Make the next calls of an operation misbehave, as OPERATION:MODE[:COUNT]. MODE is
    /// fault (SOAP Fault, HTTP 500), fault-200 (SOAP Fault, HTTP 200), not-ok (result
    /// "ERROR: injected failure"), delay-MILLISECONDS or drop (store, then close the
    /// connection unanswered). COUNT defaults to 1. Repeatable.
    #[arg(long = "fault", value_name = "OPERATION:MODE[:COUNT]")]
    faults: Vec<FaultRule>,

    /// Fixed time for the sandbox clock, as YYYY-MM-DDTHH:MM:SS. It dates sessions and
    /// invoices and bounds the items CheckWorkflowQueue generates. Default: the system
    /// clock in UTC.
    #[arg(long, value_name = "DATETIME")]
    now: Option<String>,

    /// Maximum request body size in bytes; larger bodies are rejected with HTTP 413.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
}

/// Starts the sandbox, prints its URL and serves until Ctrl-C.
pub async fn run(arguments: SandboxArgs) -> Result<(), Box<dyn std::error::Error>> {
    let config = SandboxConfig {
        listen: arguments.listen,
        state_file: arguments.state.clone(),
        clock: arguments.now.map_or(Clock::System, Clock::Fixed),
        max_body_bytes: arguments.max_body_bytes,
        faults: arguments.faults,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await?;
    println!("Atollon sandbox listening on {}", sandbox.soap_url());
    println!(
        "  log in with server {}, user demo, password demo",
        sandbox.server_name()
    );
    println!(
        "  contract: {}/main.wsdl (and project, item, invoice, features, web)",
        sandbox.url()
    );
    println!("  state:    {}/sandbox/state", sandbox.url());
    match &arguments.state {
        Some(path) => println!("  state file: {}", path.display()),
        None => println!("  state kept in memory; pass --state FILE to keep it"),
    }
    println!("Press Ctrl-C to stop.");

    let signal = tokio::signal::ctrl_c().await;
    if let Err(error) = &signal {
        tracing::error!(error = %error, "failed to wait for Ctrl-C; stopping");
    }
    tracing::info!("stopping the sandbox");
    sandbox.shutdown().await;
    signal.map_err(Into::into)
}
