//! Helpers of the `atollon invoice` tests: an in-process sandbox with a fixed clock, the
//! billing flow run in-process against it, and the built binary run against it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use atollon::billing::config::Config;
use atollon::billing::flow::{prepare, Flow, OrderReport, OrderStatus};
use atollon::billing::journal::Journal;
use atollon::billing::model::ParseOptions;
use atollon::sandbox::{
    BillingItemRecord, Clock, ContactRecord, FolderRecord, InvoiceRecord, ProjectRecord, Sandbox,
    SandboxConfig, StateSnapshot,
};
use atollon_client::{Client, Credentials};
use rust_decimal::Decimal;

/// The sandbox's fixed time in these tests.
pub const NOW: &str = "2024-06-15T12:00:00";

/// The user of the example configuration, which the sandbox's default instance has with
/// the password `integration`.
pub const USER: &str = "integration";
/// Password of [`USER`] in the sandbox's default instance.
pub const PASSWORD: &str = "integration";

/// Contact type of e-mail addresses in the example configuration.
pub const EMAIL_TYPE: i64 = 132031101;
/// Contact type of phone numbers in the example configuration.
pub const PHONE_TYPE: i64 = 132035101;
/// Language of new persons in the example configuration.
pub const LANGUAGE: i64 = 131428101;
/// Folder template of the example configuration.
pub const FOLDER_TEMPLATE: i64 = 130944101;
/// Invoice journal of the example configuration; the sandbox numbers its invoices
/// 23201 followed by a 4-digit sequence: 232010001, 232010002, ...
pub const INVOICE_JOURNAL: i64 = 133150101;
/// Project template of the example configuration.
pub const PROJECT_TEMPLATE: i64 = 133297101;
/// Provider of the example configuration.
pub const PROVIDER: i64 = 132740101;

/// Returns the path of a file below the package directory.
pub fn package_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Returns the path of an order file below `tests/data/orders/`.
pub fn orders(name: &str) -> PathBuf {
    package_file("tests/data/orders").join(name)
}

/// Returns the example configuration's path.
pub fn example_config() -> PathBuf {
    package_file("atollon.example.toml")
}

pub fn decimal(text: &str) -> Decimal {
    match text.parse() {
        Ok(value) => value,
        Err(error) => panic!("test literal {text:?}: {error}"),
    }
}

/// Starts an in-memory sandbox with the clock at [`NOW`] and the example ids.
pub async fn start_sandbox() -> Sandbox {
    let config = SandboxConfig {
        clock: Clock::Fixed(NOW.to_owned()),
        ..SandboxConfig::default()
    };
    match Sandbox::start(config).await {
        Ok(sandbox) => sandbox,
        Err(error) => panic!("the sandbox did not start: {error}"),
    }
}

/// A sandbox, a temporary directory for journals and configurations, and the example
/// configuration.
pub struct Billing {
    pub sandbox: Sandbox,
    pub directory: tempfile::TempDir,
    pub config: Config,
}

impl Billing {
    pub async fn start() -> Billing {
        Billing::with_config(load_example_config()).await
    }

    pub async fn with_config(config: Config) -> Billing {
        let directory = match tempfile::tempdir() {
            Ok(directory) => directory,
            Err(error) => panic!("no temporary directory: {error}"),
        };
        Billing {
            sandbox: start_sandbox().await,
            directory,
            config,
        }
    }

    pub fn journal_path(&self) -> PathBuf {
        self.directory.path().join("journal.sqlite")
    }

    pub fn journal(&self) -> Journal {
        match Journal::open_existing(&self.journal_path()) {
            Ok(journal) => journal,
            Err(error) => panic!("{error}"),
        }
    }

    /// Bills order files in-process, as one run of `atollon invoice` with a new journal
    /// connection, and returns the reports in input order.
    pub async fn bill(&self, files: &[PathBuf]) -> Vec<OrderReport> {
        let batch = prepare(files, None, &ParseOptions::default(), &self.config);
        assert!(batch.file_errors.is_empty(), "{:?}", batch.file_errors);
        let journal = match Journal::open(&self.journal_path()) {
            Ok(journal) => journal,
            Err(error) => panic!("{error}"),
        };
        let client = match Client::builder()
            .endpoint(self.sandbox.soap_url())
            .connect_retries(0)
            .build()
        {
            Ok(client) => client,
            Err(error) => panic!("{error}"),
        };
        let credentials = Credentials::new("acme", USER, PASSWORD);
        let flow = Arc::new(Flow::new(client, credentials, journal));
        flow.run(batch.orders, None).await
    }

    /// Runs the built binary with `--config` (the example unless given), `--endpoint` of
    /// the sandbox and `--journal`, with the password in `ATOLLON_PASSWORD`.
    pub async fn invoice(&self, arguments: &[&str]) -> Output {
        let mut command = atollon_command();
        command
            .arg("invoice")
            .arg("--endpoint")
            .arg(self.sandbox.soap_url())
            .arg("--journal")
            .arg(self.journal_path())
            .env("ATOLLON_PASSWORD", PASSWORD);
        if !arguments.contains(&"--config") {
            command.arg("--config").arg(example_config());
        }
        command.args(arguments);
        run(command).await
    }

    /// Runs `atollon journal ARGUMENTS --journal JOURNAL`.
    pub async fn journal_command(&self, arguments: &[&str]) -> Output {
        let mut command = atollon_command();
        command
            .arg("journal")
            .args(arguments)
            .arg("--journal")
            .arg(self.journal_path());
        run(command).await
    }
}

pub fn load_example_config() -> Config {
    match Config::load(&example_config()) {
        Ok(config) => config,
        Err(error) => panic!("{error}"),
    }
}

/// Returns a command for the built binary, with warnings-only logging and no password in
/// the environment.
pub fn atollon_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_atollon"));
    command
        .env("RUST_LOG", "warn")
        .env_remove("ATOLLON_PASSWORD");
    command
}

/// Runs a command to its end on a blocking thread, so that the sandbox keeps serving.
pub async fn run(mut command: Command) -> Output {
    let joined = tokio::task::spawn_blocking(move || command.output()).await;
    match joined {
        Ok(Ok(output)) => output,
        Ok(Err(error)) => panic!("the command did not run: {error}"),
        Err(error) => panic!("the command thread failed: {error}"),
    }
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Returns the exit code, with the output in the panic message when there is none.
pub fn exit_code(output: &Output) -> i32 {
    match output.status.code() {
        Some(code) => code,
        None => panic!(
            "the command was stopped by a signal\nstdout:\n{}\nstderr:\n{}",
            stdout(output),
            stderr(output)
        ),
    }
}

/// Parses the JSON lines of `--json` output.
pub fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    stdout(output)
        .lines()
        .map(|line| match serde_json::from_str(line) {
            Ok(value) => value,
            Err(error) => panic!("not JSON: {line:?}: {error}"),
        })
        .collect()
}

/// Returns the report of order `key`.
pub fn report<'r>(reports: &'r [OrderReport], key: &str) -> &'r OrderReport {
    match reports.iter().find(|report| report.order == key) {
        Some(report) => report,
        None => panic!("no report of order {key}: {reports:#?}"),
    }
}

/// Asserts that an order is invoiced and returns its report.
pub fn invoiced<'r>(reports: &'r [OrderReport], key: &str) -> &'r OrderReport {
    let found = report(reports, key);
    assert_eq!(found.status, OrderStatus::Invoiced, "{key}: {found:#?}");
    found
}

pub fn contact(state: &StateSnapshot, id: Option<i64>) -> &ContactRecord {
    match state.contacts.iter().find(|c| Some(c.id) == id) {
        Some(found) => found,
        None => panic!("no contact {id:?} in the sandbox"),
    }
}

pub fn folder(state: &StateSnapshot, id: Option<i64>) -> &FolderRecord {
    match state.folders.iter().find(|f| Some(f.id) == id) {
        Some(found) => found,
        None => panic!("no folder {id:?} in the sandbox"),
    }
}

pub fn project(state: &StateSnapshot, id: Option<i64>) -> &ProjectRecord {
    match state.projects.iter().find(|p| Some(p.id) == id) {
        Some(found) => found,
        None => panic!("no project {id:?} in the sandbox"),
    }
}

/// Returns the billing items of a project, by id.
pub fn items_of(state: &StateSnapshot, project: i64) -> Vec<&BillingItemRecord> {
    state
        .billing_items
        .iter()
        .filter(|item| item.project == project)
        .collect()
}

/// Returns the invoices of a project.
pub fn invoices_of(state: &StateSnapshot, project: i64) -> Vec<&InvoiceRecord> {
    state
        .invoices
        .iter()
        .filter(|invoice| invoice.project == project)
        .collect()
}

/// Returns the e-mail addresses or phone numbers of a contact, in order.
pub fn entries(contact: &ContactRecord, contact_type: i64) -> Vec<&str> {
    contact
        .contact_entries
        .iter()
        .filter(|entry| entry.contact_type == contact_type)
        .map(|entry| entry.content.as_str())
        .collect()
}
