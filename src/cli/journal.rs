//! `atollon journal list` and `atollon journal resolve`: reading the billing journal and
//! settling a step that is in doubt.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use atollon::billing::journal::{Journal, JournalError, OrderEntry, Resolution, Step};

use super::invoice::{EXIT_INCOMPLETE, EXIT_USAGE, JOURNAL_FILE};

/// Arguments of `atollon journal`.
#[derive(Debug, clap::Args)]
pub struct JournalArgs {
    #[command(subcommand)]
    command: JournalCommand,
}

#[derive(Debug, clap::Subcommand)]
enum JournalCommand {
    /// List every order of the journal with the state and Atollon id of each step.
    List(ListArgs),
    /// Settle a step that is in doubt (or failed): with the id of the object found in
    /// Atollon, or for the next `atollon invoice` run to send it again.
    Resolve(ResolveArgs),
}

#[derive(Debug, clap::Args)]
struct ListArgs {
    /// Journal file of `atollon invoice`.
    #[arg(long, value_name = "FILE", default_value = JOURNAL_FILE)]
    journal: PathBuf,

    /// Print the journal as one JSON array instead of the table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
#[command(
    group = clap::ArgGroup::new("resolution").required(true).args(["id", "retry"]),
    after_help = "\
Find the object in Atollon first, as the summary of `atollon invoice` describes. If it \
exists, give its id with --id: the step is done and the next run continues after it. If it \
does not exist, give --retry: the next run sends the request again. Do not resolve a step \
while an `atollon invoice` run on the same journal is still going on."
)]
struct ResolveArgs {
    /// The order: its journal key platform/shop/order_id (as the summary shows it), its
    /// order id or its order number.
    #[arg(value_name = "ORDER")]
    order: String,

    /// The step: contact, folder, project, item:N, invoice, folder_item:N, workflow or
    /// trigger.
    #[arg(long, value_name = "STEP")]
    step: Step,

    /// Atollon id of the object the step created.
    #[arg(long, value_name = "ID", value_parser = clap::value_parser!(i64).range(1..))]
    id: Option<i64>,

    /// The object does not exist in Atollon: send the step again on the next run.
    #[arg(long)]
    retry: bool,

    /// Journal file of `atollon invoice`.
    #[arg(long, value_name = "FILE", default_value = JOURNAL_FILE)]
    journal: PathBuf,
}

/// Runs `atollon journal`.
pub async fn run(arguments: JournalArgs) -> ExitCode {
    match arguments.command {
        JournalCommand::List(arguments) => list(&arguments),
        JournalCommand::Resolve(arguments) => resolve(&arguments),
    }
}

fn open(path: &std::path::Path) -> Result<Journal, ExitCode> {
    Journal::open_existing(path).map_err(|error| {
        eprintln!("error: {error}");
        match error {
            JournalError::Sqlite { .. } => ExitCode::from(EXIT_INCOMPLETE),
            _ => ExitCode::from(EXIT_USAGE),
        }
    })
}

fn list(arguments: &ListArgs) -> ExitCode {
    let journal = match open(&arguments.journal) {
        Ok(journal) => journal,
        Err(code) => return code,
    };
    let entries = match journal.list() {
        Ok(entries) => entries,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(EXIT_INCOMPLETE);
        }
    };
    if arguments.json {
        match serde_json::to_string_pretty(&entries) {
            Ok(text) => println!("{text}"),
            Err(error) => {
                eprintln!("error: the journal could not be written as JSON: {error}");
                return ExitCode::from(EXIT_INCOMPLETE);
            }
        }
    } else {
        print!("{}", list_text(&entries, &arguments.journal));
    }
    ExitCode::SUCCESS
}

/// Writes one block per order: the key, number and file, then a table of its steps.
fn list_text(entries: &[OrderEntry], path: &std::path::Path) -> String {
    let mut out = String::new();
    if entries.is_empty() {
        let _ = writeln!(out, "The journal {} has no orders.", path.display());
        return out;
    }
    for entry in entries {
        let _ = write!(out, "{}  number {}", entry.key, entry.order_number);
        if let Some(file) = &entry.file {
            let _ = write!(out, "  file {file}");
        }
        out.push('\n');
        let rows: Vec<[String; 6]> = entry
            .steps
            .iter()
            .map(|step| {
                [
                    step.step.to_string(),
                    step.state.to_string(),
                    step.atollon_id
                        .map_or_else(|| "-".to_owned(), |id| id.to_string()),
                    step.attempts.to_string(),
                    step.updated_at.clone(),
                    step.error
                        .clone()
                        .or_else(|| step.reference.clone())
                        .unwrap_or_default(),
                ]
            })
            .collect();
        let header = ["STEP", "STATE", "ATOLLON ID", "SENT", "UPDATED", "NOTE"];
        let mut widths = header.map(str::len);
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut write_row = |cells: [&str; 6]| {
            let mut line = String::from("  ");
            for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
                if index + 1 == cells.len() {
                    line.push_str(cell);
                } else {
                    let _ = write!(line, "{cell:<width$}  ");
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        };
        if rows.is_empty() {
            write_row(["(no step begun)", "", "", "", "", ""]);
        } else {
            write_row(header);
            for row in &rows {
                write_row([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]]);
            }
        }
        out.push('\n');
    }
    out
}

fn resolve(arguments: &ResolveArgs) -> ExitCode {
    let mut journal = match open(&arguments.journal) {
        Ok(journal) => journal,
        Err(code) => return code,
    };
    let keys = match journal.find_orders(&arguments.order) {
        Ok(keys) => keys,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(EXIT_INCOMPLETE);
        }
    };
    let key = match keys.as_slice() {
        [key] => key.clone(),
        [] => {
            eprintln!(
                "error: order {:?} is not in the journal {}; `atollon journal list --journal {}` \
                 lists its orders",
                arguments.order,
                arguments.journal.display(),
                arguments.journal.display()
            );
            return ExitCode::from(EXIT_USAGE);
        }
        several => {
            let names: Vec<String> = several.iter().map(|key| key.to_string()).collect();
            eprintln!(
                "error: {:?} matches several orders ({}); give the full key",
                arguments.order,
                names.join(", ")
            );
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let resolution = match arguments.id {
        Some(id) => Resolution::Id(id),
        None => Resolution::Retry,
    };
    match journal.resolve(&key, arguments.step, resolution) {
        Ok(()) => {
            match resolution {
                Resolution::Id(id) => println!(
                    "order {key}: step {} is done with Atollon id {id}; run `atollon invoice` on \
                     the same orders to continue",
                    arguments.step
                ),
                Resolution::Retry => println!(
                    "order {key}: step {} is pending; the next `atollon invoice` run on the same \
                     orders sends it again",
                    arguments.step
                ),
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            match error {
                JournalError::Sqlite { .. } => ExitCode::from(EXIT_INCOMPLETE),
                _ => ExitCode::from(EXIT_USAGE),
            }
        }
    }
}
