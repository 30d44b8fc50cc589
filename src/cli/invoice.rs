//! `atollon invoice`: bills eShop order files through Atollon's eShop flow, and the
//! connection options it shares with `atollon trigger`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use atollon::billing::config::Config;
use atollon::billing::flow::{
    prepare, requests, summary_text, Batch, Flow, OrderReport, PreparedOrder, Progress,
};
use atollon::billing::journal::Journal;
use atollon::billing::model::ParseOptions;
use atollon::billing::Format;
use atollon::sandbox::{Instance, Sandbox, SandboxConfig, User};
use atollon_client::xml::Secret;
use atollon_client::{Client, Credentials};
use indicatif::{ProgressBar, ProgressStyle};

/// Exit status when some order failed, is in doubt, or could not be read.
pub const EXIT_INCOMPLETE: u8 = 1;
/// Exit status of a usage or configuration error.
pub const EXIT_USAGE: u8 = 2;

/// The example configuration, used by `--sandbox` without `--config`.
const EXAMPLE_CONFIG: &str = include_str!("../../atollon.example.toml");
/// Configuration file read when `--config` is not given and `--sandbox` is not set.
const DEFAULT_CONFIG: &str = "atollon.toml";
/// Journal file name, beside the configuration file.
pub const JOURNAL_FILE: &str = "atollon-journal.sqlite";
/// Journal file name beside a `--sandbox-state` file.
const SANDBOX_JOURNAL_FILE: &str = "atollon-sandbox-journal.sqlite";
/// Environment variable with the clear-text Atollon password.
const PASSWORD_VARIABLE: &str = "ATOLLON_PASSWORD";

/// Connection options shared by `invoice` and `trigger`: configuration, sandbox and
/// endpoint.
#[derive(Debug, clap::Args)]
pub struct ConnectionArgs {
    /// Configuration file (TOML; atollon.example.toml documents every key). Default:
    /// atollon.toml in the current directory, or with --sandbox the built-in example
    /// configuration.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Start a local sandbox inside this command, on a free port of 127.0.0.1, and send
    /// every request to it. It has the configured instance name and user with a random
    /// password, and the ids of the example configuration. Its state is gone when the
    /// command ends unless --sandbox-state is given.
    #[arg(long, conflicts_with = "endpoint")]
    sandbox: bool,

    /// With --sandbox: SQLite file that keeps the sandbox's state across runs (created if
    /// missing).
    #[arg(long, value_name = "FILE", requires = "sandbox")]
    sandbox_state: Option<PathBuf>,

    /// SOAP endpoint to use instead of the configured one, such as https://HOST/soap.
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
}

/// Arguments of `atollon invoice`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The password comes from the environment variable ATOLLON_PASSWORD (clear text, sent as its \
MD5 digest) or from `password_md5` in the configuration; there is no password option.

The journal records every step of every order, so running the same files again bills \
nothing twice and completes what was interrupted. Its default file is \
atollon-journal.sqlite beside the configuration file. With --sandbox it is a file in a new \
temporary directory that is removed at exit, because the sandbox's state is gone then \
too; with --sandbox-state FILE it is atollon-sandbox-journal.sqlite beside FILE.

A step whose request was sent but whose response never came is \"in doubt\": it is not \
sent again until `atollon journal resolve` settles it. The summary says what to check.

Exit status: 0 when every order is invoiced (or was already, or is a renewal that its \
subscription's recurring rule bills); 1 when some order failed, is in doubt or blocked, \
or some file or order could not be read; 2 for a usage or configuration error.")]
pub struct InvoiceArgs {
    #[command(flatten)]
    connection: ConnectionArgs,

    /// Journal file (SQLite, created if missing).
    #[arg(long, value_name = "FILE")]
    journal: Option<PathBuf>,

    /// Format of the order files; auto recognises each file by its content.
    #[arg(
        long,
        value_name = "FORMAT",
        default_value = "auto",
        value_parser = ["auto", "woocommerce", "shopify", "shoptet", "atollon"]
    )]
    format: String,

    /// Shop name for the journal keys of orders whose file names no shop (Shoptet
    /// exports, canonical orders without `shop`).
    #[arg(long, value_name = "NAME", default_value = "default")]
    shop: String,

    /// Read, map and validate the orders and print the requests that would be sent,
    /// without sending anything or writing the journal.
    #[arg(long)]
    dry_run: bool,

    /// Print one JSON object per order on stdout instead of the progress bar and the
    /// summary table.
    #[arg(long)]
    json: bool,

    /// Order files: WooCommerce REST v3 or Shopify order JSON, Shoptet XML exports, or the
    /// canonical JSON format (`--format atollon`).
    #[arg(value_name = "ORDERS", required = true)]
    orders: Vec<PathBuf>,
}

/// Runs `atollon invoice`.
pub async fn run(arguments: InvoiceArgs) -> ExitCode {
    match invoice(arguments).await {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Bills the orders; `Err` is a usage or configuration error.
async fn invoice(arguments: InvoiceArgs) -> Result<ExitCode, String> {
    let (config, config_path) = load_config(&arguments.connection)?;
    let format = match arguments.format.as_str() {
        "auto" => None,
        name => Some(name.parse::<Format>()?),
    };
    if arguments.shop.trim().is_empty() {
        return Err("--shop must not be empty".to_owned());
    }
    let options = ParseOptions {
        default_shop: arguments.shop.trim().to_owned(),
    };
    let batch = prepare(&arguments.orders, format, &options, &config);

    if arguments.dry_run {
        return Ok(print_dry_run(&batch, &config, arguments.json));
    }

    // The password and endpoint are checked before the journal is opened, so that a
    // configuration error leaves no journal file behind.
    let mut connection = connect(&arguments.connection, &config).await?;
    let (journal_path, _temporary) = journal_path(&arguments, config_path.as_deref())?;
    let journal = Journal::open(&journal_path).map_err(|error| error.to_string())?;
    let flow = Arc::new(Flow::new(
        connection.client.clone(),
        connection.credentials.clone(),
        journal,
    ));

    let total = batch.orders.len();
    let bar = progress_bar(total, arguments.json);
    let progress: Progress = {
        let bar = bar.clone();
        Arc::new(move |report: &OrderReport| {
            bar.set_message(report.order.clone());
            bar.inc(1);
        })
    };
    let file_errors = batch.file_errors;
    let reports = flow.run(batch.orders, Some(progress)).await;
    bar.finish_and_clear();

    if arguments.json {
        for error in &file_errors {
            print_json(&serde_json::json!({
                "file": file_of(error),
                "status": "invalid-file",
                "problem": { "step": null, "message": error.to_string() },
            }));
        }
        for report in &reports {
            print_json(report);
        }
    } else {
        print!("{}", summary_text(&reports, &file_errors));
    }
    if let Some(sandbox) = connection.sandbox.take() {
        sandbox.shutdown().await;
        if arguments.connection.sandbox_state.is_none() {
            eprintln!(
                "note: the orders were billed against a sandbox inside this command, whose \
                 state is gone now; keep it with --sandbox-state FILE"
            );
        }
    }

    let complete =
        file_errors.is_empty() && reports.iter().all(|report| report.status.is_settled());
    Ok(if complete {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INCOMPLETE)
    })
}

fn progress_bar(total: usize, json: bool) -> ProgressBar {
    if json || !std::io::stdout().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} orders  {msg}") {
        bar.set_style(style);
    }
    bar
}

fn print_json<T: serde::Serialize + ?Sized>(value: &T) {
    match serde_json::to_string(value) {
        Ok(line) => println!("{line}"),
        Err(error) => tracing::error!(error = %error, "result not written as JSON"),
    }
}

fn file_of(error: &atollon::billing::FileError) -> String {
    use atollon::billing::FileError;
    let file = match error {
        FileError::Read { file, .. }
        | FileError::Json { file, .. }
        | FileError::Xml { file, .. }
        | FileError::Structure { file, .. }
        | FileError::UnknownFormat { file, .. } => file,
    };
    file.display().to_string()
}

/// Prints every request of every mapped order, and the orders that cannot be billed.
fn print_dry_run(batch: &Batch, config: &Config, json: bool) -> ExitCode {
    let server = &config.atollon.server;
    let mut complete = batch.file_errors.is_empty();
    for error in &batch.file_errors {
        if json {
            print_json(&serde_json::json!({
                "file": file_of(error),
                "status": "invalid-file",
                "problem": { "step": null, "message": error.to_string() },
            }));
        } else {
            println!("== file not read: {error}\n");
        }
    }
    for order in &batch.orders {
        let planned = match order {
            PreparedOrder::Planned(planned) => planned,
            PreparedOrder::Invalid(report) => {
                complete = false;
                if json {
                    print_json(report.as_ref());
                } else if let Some(problem) = &report.problem {
                    println!("== {}: invalid: {}\n", report.order, problem.message);
                }
                continue;
            }
        };
        let plan = &planned.plan;
        let rendered = match requests::render_plan(plan, server) {
            Ok(rendered) => rendered,
            Err(message) => {
                complete = false;
                println!("== {}: invalid: {message}\n", plan.key);
                continue;
            }
        };
        if json {
            print_json(&serde_json::json!({
                "order": plan.key.to_string(),
                "number": plan.order_number,
                "file": planned.file.display().to_string(),
                "status": "dry-run",
                "warnings": plan.warnings,
                "renewal_of": plan.renewal_of,
                "requests": rendered,
            }));
            continue;
        }
        println!(
            "== {} (order {}, {})",
            plan.key,
            plan.order_number,
            planned.file.display()
        );
        for warning in &plan.warnings {
            println!("warning: {warning}");
        }
        if !plan.renewal_of.is_empty() {
            println!(
                "renews subscription {}: not invoiced when the journal knows its recurring rule",
                plan.renewal_of.join(", ")
            );
        }
        for request in rendered {
            println!("-- step {}: {}", request.step, request.operation);
            println!("{}", request.xml);
        }
        println!();
    }
    if !json {
        println!(
            "Dry run: nothing was sent and the journal was not written. The requests are those \
             of new customers: a returning customer reuses the contact and folder that the \
             journal records, and gets a CreateMarketingTriggers request for a phone number \
             not seen before."
        );
    }
    if complete {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INCOMPLETE)
    }
}

/// Loads the configuration: `--config`, else the built-in example with `--sandbox`, else
/// `atollon.toml`. Returns the file's path, `None` for the built-in example.
pub fn load_config(arguments: &ConnectionArgs) -> Result<(Config, Option<PathBuf>), String> {
    let path = match (&arguments.config, arguments.sandbox) {
        (Some(path), _) => path.clone(),
        (None, true) => {
            let config = Config::parse(EXAMPLE_CONFIG, Path::new("atollon.example.toml")).map_err(
                |error| format!("the built-in example configuration is invalid: {error}"),
            )?;
            return Ok((config, None));
        }
        (None, false) => {
            let path = PathBuf::from(DEFAULT_CONFIG);
            if !path.is_file() {
                return Err(format!(
                    "no configuration: {DEFAULT_CONFIG} is not in the current directory; pass \
                     --config FILE (atollon.example.toml documents every key), or try \
                     everything against a local sandbox with --sandbox"
                ));
            }
            path
        }
    };
    let config = Config::load(&path).map_err(|error| error.to_string())?;
    Ok((config, Some(path)))
}

/// A temporary directory removed on drop.
struct TemporaryDirectory(PathBuf);

impl Drop for TemporaryDirectory {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_dir_all(&self.0) {
            tracing::warn!(directory = %self.0.display(), error = %error, "temporary journal directory not removed");
        }
    }
}

fn journal_path(
    arguments: &InvoiceArgs,
    config_path: Option<&Path>,
) -> Result<(PathBuf, Option<TemporaryDirectory>), String> {
    if let Some(path) = &arguments.journal {
        return Ok((path.clone(), None));
    }
    let connection = &arguments.connection;
    if connection.sandbox {
        if let Some(state) = &connection.sandbox_state {
            let directory = state.parent().unwrap_or(Path::new(""));
            return Ok((directory.join(SANDBOX_JOURNAL_FILE), None));
        }
        let directory = std::env::temp_dir().join(format!(
            "atollon-sandbox-{}-{}",
            std::process::id(),
            random_hex(4)?
        ));
        std::fs::create_dir(&directory).map_err(|error| {
            format!(
                "failed to create the temporary journal directory {}: {error}",
                directory.display()
            )
        })?;
        let path = directory.join(JOURNAL_FILE);
        return Ok((path, Some(TemporaryDirectory(directory))));
    }
    let directory = config_path.and_then(Path::parent).unwrap_or(Path::new(""));
    Ok((directory.join(JOURNAL_FILE), None))
}

/// The client, the credentials and, with `--sandbox`, the running sandbox.
pub struct Connection {
    /// Runtime client for the endpoint.
    pub client: Client,
    /// Credentials that QuickLogin sends.
    pub credentials: Credentials,
    /// The sandbox started for this command.
    pub sandbox: Option<Sandbox>,
}

/// Starts the sandbox when asked, and builds the client and the credentials.
pub async fn connect(arguments: &ConnectionArgs, config: &Config) -> Result<Connection, String> {
    let atollon = &config.atollon;
    let (endpoint, credentials, sandbox) = if arguments.sandbox {
        let password = random_hex(16)?;
        let instance = Instance {
            server: atollon.server.clone(),
            users: vec![User::new(atollon.user.clone(), &password)],
            ..Instance::default()
        };
        let sandbox = Sandbox::start(SandboxConfig {
            instance,
            state_file: arguments.sandbox_state.clone(),
            ..SandboxConfig::default()
        })
        .await
        .map_err(|error| format!("the sandbox did not start: {error}"))?;
        tracing::info!(endpoint = %sandbox.soap_url(), server = %atollon.server, user = %atollon.user, "sending to the sandbox");
        let credentials = Credentials::new(atollon.server.clone(), atollon.user.clone(), &password);
        (sandbox.soap_url(), credentials, Some(sandbox))
    } else {
        let endpoint = arguments
            .endpoint
            .clone()
            .unwrap_or_else(|| atollon.endpoint.clone());
        (endpoint, credentials(config)?, None)
    };
    let client = Client::builder()
        .endpoint(endpoint)
        .build()
        .map_err(|error| error.to_string())?;
    Ok(Connection {
        client,
        credentials,
        sandbox,
    })
}

/// Reads the password from `ATOLLON_PASSWORD`, or else `password_md5` of the configuration.
fn credentials(config: &Config) -> Result<Credentials, String> {
    let atollon = &config.atollon;
    match std::env::var(PASSWORD_VARIABLE) {
        Ok(password) if !password.is_empty() => {
            return Ok(Credentials::new(
                atollon.server.clone(),
                atollon.user.clone(),
                &password,
            ))
        }
        Ok(_) | Err(std::env::VarError::NotPresent) => {}
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(format!("{PASSWORD_VARIABLE} is not valid Unicode"));
        }
    }
    match &atollon.password_md5 {
        Some(digest) => Ok(Credentials::from_md5(
            atollon.server.clone(),
            atollon.user.clone(),
            Secret::new(digest.expose()),
        )),
        None => Err(format!(
            "no password: set {PASSWORD_VARIABLE} in the environment, or `password_md5` in the \
             [atollon] section of the configuration"
        )),
    }
}

/// Returns `bytes` random bytes as lower-case hex.
fn random_hex(bytes: usize) -> Result<String, String> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer)
        .map_err(|error| format!("the operating system's random source failed: {error}"))?;
    Ok(buffer.iter().map(|byte| format!("{byte:02x}")).collect())
}
