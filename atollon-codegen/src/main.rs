//! `atollon-codegen`: generates Rust from WSDL files, checks a committed copy, compares two
//! versions of a contract, and downloads a contract from an Atollon host.

use std::collections::{BTreeSet, VecDeque};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use atollon_codegen::api::Api;
use atollon_codegen::diff::{self, Report};
use atollon_codegen::{FsResolver, Generator, MemoryResolver};
use clap::{Parser, Subcommand, ValueEnum};

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
        Command::Diff { old, new, report } => run_diff(&old, &new, &report),
        Command::Fetch {
            host,
            out,
            connect_timeout,
            timeout,
            report,
        } => {
            let timeouts = Timeouts {
                connect: Duration::from_secs(connect_timeout),
                total: Duration::from_secs(timeout),
            };
            run_fetch(&host, &out, timeouts, &report)
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

// ---------------------------------------------------------------------------------------
// `diff`

fn run_diff(old: &Path, new: &Path, options: &ReportOptions) -> ExitCode {
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
fn load_api(path: &Path, secret_fields: &[String]) -> Result<Api, String> {
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
fn print_report(report: &Report, format: Format) -> ExitCode {
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

// ---------------------------------------------------------------------------------------
// `fetch`

/// The contract files an Atollon host serves, one module each.
const CONTRACT_FILES: &[&str] = &[
    "main.wsdl",
    "project.wsdl",
    "item.wsdl",
    "invoice.wsdl",
    "features.wsdl",
    "web.wsdl",
];

/// Largest document accepted. The contract files are tens of kilobytes; the limit stops a
/// wrong URL from filling the memory.
const MAX_DOCUMENT_BYTES: u64 = 16 * 1024 * 1024;

/// Most documents fetched, imports included, so an import chain cannot run forever.
const MAX_DOCUMENTS: usize = 200;

const WSDL_NAMESPACE: &str = "http://schemas.xmlsoap.org/wsdl/";
const XSD_NAMESPACE: &str = "http://www.w3.org/2001/XMLSchema";

#[derive(Clone, Copy)]
struct Timeouts {
    connect: Duration,
    total: Duration,
}

/// One downloaded document.
struct Document {
    /// Path relative to the base URL and to the output folder, `/`-separated.
    path: String,
    url: reqwest::Url,
    bytes: Vec<u8>,
}

fn run_fetch(host: &str, out: &Path, timeouts: Timeouts, options: &ReportOptions) -> ExitCode {
    match fetch(host, out, timeouts, options) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn fetch(
    host: &str,
    out: &Path,
    timeouts: Timeouts,
    options: &ReportOptions,
) -> Result<ExitCode, String> {
    let base = base_url(host)?;
    let client = http_client(&base, timeouts)?;
    let documents = download_contract(&client, &base, timeouts)?;

    // The new contract must generate before anything replaces the old one.
    let mut resolver = MemoryResolver::new();
    for document in &documents {
        let text = std::str::from_utf8(&document.bytes)
            .map_err(|error| format!("{} is not UTF-8 text: {error}", document.url))?;
        resolver.insert(document.path.clone(), text);
    }
    let new_api = Generator::new()
        .secret_fields(options.secret_fields.iter().cloned())
        .generate(&resolver, CONTRACT_FILES)
        .map_err(|error| {
            format!(
                "the contract downloaded from {base} has errors, so nothing was written:\n{error}"
            )
        })?
        .api;

    let previous = previous_contract(out, &options.secret_fields);
    for document in &documents {
        let target = out.join(&document.path);
        let written = write_if_changed(&target, &document.bytes)
            .map_err(|error| format!("cannot write {}: {error}", target.display()))?;
        eprintln!(
            "{} {} from {}",
            if written { "wrote" } else { "unchanged" },
            target.display(),
            document.url
        );
    }
    let (old_api, old_files) = match previous {
        Ok(previous) => previous,
        Err(message) => {
            eprintln!(
                "error: the previous contract in {} has errors, so no diff is shown:\n{message}",
                out.display()
            );
            return Ok(ExitCode::from(2));
        }
    };
    let fetched: BTreeSet<PathBuf> = documents
        .iter()
        .filter_map(|d| std::fs::canonicalize(out.join(&d.path)).ok())
        .collect();
    for file in old_files {
        if !fetched.contains(Path::new(&file)) {
            eprintln!("note: {file} is no longer part of the contract; it was left in place");
        }
    }
    Ok(print_report(
        &diff::diff(&old_api, &new_api),
        options.format,
    ))
}

/// Parses the host URL and makes it end in `/`, so file names join below its path.
fn base_url(host: &str) -> Result<reqwest::Url, String> {
    let mut url = reqwest::Url::parse(host).map_err(|error| {
        format!("--host {host:?} is not a URL ({error}); give one such as https://acme.atollon.com")
    })?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!("--host {host:?} must be an http or https URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Credentials would otherwise appear in every message that names a URL.
        return Err("--host must not contain a user name or password".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("--host {host:?} must not have a query or fragment"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn http_client(
    base: &reqwest::Url,
    timeouts: Timeouts,
) -> Result<reqwest::blocking::Client, String> {
    let origin = base.origin();
    // Redirects stay on the host, like imports.
    let redirects = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= 5 {
            attempt.error("more than 5 redirects")
        } else if attempt.url().origin() == origin {
            attempt.follow()
        } else {
            let target = attempt.url().to_string();
            attempt.error(format!("redirect to another host ({target}) not followed"))
        }
    });
    reqwest::blocking::Client::builder()
        .connect_timeout(timeouts.connect)
        .timeout(timeouts.total)
        .redirect(redirects)
        .user_agent(concat!("atollon-codegen/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| format!("cannot set up the HTTP client: {}", error_chain(&error)))
}

/// Downloads the contract files and, breadth first, every document they import or include
/// by relative location. Nothing is written here, so a failed download leaves the output
/// folder as it was.
fn download_contract(
    client: &reqwest::blocking::Client,
    base: &reqwest::Url,
    timeouts: Timeouts,
) -> Result<Vec<Document>, String> {
    let mut queue: VecDeque<String> = CONTRACT_FILES.iter().map(|f| (*f).to_owned()).collect();
    let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
    let mut documents = Vec::new();
    while let Some(path) = queue.pop_front() {
        if documents.len() == MAX_DOCUMENTS {
            return Err(format!(
                "the contract at {base} refers to more than {MAX_DOCUMENTS} documents; stopped"
            ));
        }
        let url = base
            .join(&path)
            .map_err(|error| format!("cannot form a URL from {base} and {path:?}: {error}"))?;
        let bytes = download(client, &url, timeouts)?;
        for location in references(&bytes) {
            match relative_location(&path, &location) {
                Ok(Some(next)) => {
                    if seen.insert(next.clone()) {
                        queue.push_back(next);
                    }
                }
                Ok(None) => eprintln!(
                    "note: {url} refers to {location:?}, which is not a relative location; not downloaded"
                ),
                Err(reason) => return Err(format!("{url} refers to {location:?}: {reason}")),
            }
        }
        documents.push(Document { path, url, bytes });
    }
    Ok(documents)
}

fn download(
    client: &reqwest::blocking::Client,
    url: &reqwest::Url,
    timeouts: Timeouts,
) -> Result<Vec<u8>, String> {
    let failed = |error: &reqwest::Error| {
        if error.is_timeout() {
            format!(
                "GET {url} timed out (connect timeout {} s, total timeout {} s; raise them with --connect-timeout and --timeout)",
                timeouts.connect.as_secs(),
                timeouts.total.as_secs()
            )
        } else if error.is_connect() {
            format!("cannot connect to {url}: {}", root_cause(error))
        } else {
            format!("GET {url} failed: {}", error_chain(error))
        }
    };
    let response = client.get(url.clone()).send().map_err(|e| failed(&e))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("GET {url} failed: HTTP {status}"));
    }
    let mut bytes = Vec::new();
    response
        .take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| {
            if error.kind() == std::io::ErrorKind::TimedOut {
                format!(
                    "GET {url} timed out while reading the response (total timeout {} s; raise it with --timeout)",
                    timeouts.total.as_secs()
                )
            } else {
                format!("GET {url} failed while reading the response: {error}")
            }
        })?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(format!(
            "GET {url} returned more than {MAX_DOCUMENT_BYTES} bytes, which is not a contract file"
        ));
    }
    Ok(bytes)
}

/// Returns the innermost source of an error, such as `Connection refused (os error 111)`.
fn root_cause(error: &dyn std::error::Error) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

/// Formats an error with its sources, such as `error sending request: connection refused`.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Collects the `location` of every `wsdl:import` and the `schemaLocation` of every `xs:import`,
/// `xs:include`, `xs:redefine` and `xs:override` in a document. A document that does not
/// parse refers to nothing here; the generator reports its error with a position.
fn references(bytes: &[u8]) -> Vec<String> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Vec::new();
    };
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    let Ok(document) = roxmltree::Document::parse_with_options(text, options) else {
        return Vec::new();
    };
    let mut locations = Vec::new();
    for node in document.descendants().filter(|n| n.is_element()) {
        let tag = node.tag_name();
        let attribute = match (tag.namespace(), tag.name()) {
            (Some(WSDL_NAMESPACE), "import") => "location",
            (Some(XSD_NAMESPACE), "import" | "include" | "redefine" | "override") => {
                "schemaLocation"
            }
            _ => continue,
        };
        if let Some(location) = node.attribute(attribute) {
            locations.push(location.trim().to_owned());
        }
    }
    locations
}

/// Resolves `location`, found in the document at `document_path`, to a path below the
/// base URL. Returns `None` for a location that is not a relative path (a URL, or a path
/// from the root), because such a location is not downloaded. The generator resolves the
/// well-known schemas from built-in copies and reports other remote locations.
fn relative_location(document_path: &str, location: &str) -> Result<Option<String>, String> {
    let scheme = location
        .split_once(':')
        .is_some_and(|(scheme, _)| !scheme.contains('/'));
    if scheme || location.starts_with('/') {
        return Ok(None);
    }
    if location.is_empty() {
        return Err("the location is empty".to_owned());
    }
    if location.contains(['?', '#']) {
        return Err("a location with a query or fragment cannot be stored as a file".to_owned());
    }
    if location.contains(['\\', '%']) || location.chars().any(char::is_control) {
        return Err("the location contains characters that are not used in file names here (backslash, %, control characters)".to_owned());
    }
    let mut parts: Vec<&str> = document_path.split('/').collect();
    parts.pop();
    for part in location.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(
                        "the location leads outside the folder of the contract files".to_owned(),
                    );
                }
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return Err("the location names a folder, not a file".to_owned());
    }
    Ok(Some(parts.join("/")))
}

/// Generates the API of the contract files in `out` before the download, with the files
/// read, or an empty API when there are none.
fn previous_contract(out: &Path, secret_fields: &[String]) -> Result<(Api, Vec<String>), String> {
    let entries: Vec<String> = CONTRACT_FILES
        .iter()
        .map(|file| out.join(file))
        .filter(|path| path.is_file())
        .map(|path| path.to_string_lossy().into_owned())
        .collect();
    if entries.is_empty() {
        return Ok((Api::default(), Vec::new()));
    }
    let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
    Generator::new()
        .secret_fields(secret_fields.iter().cloned())
        .generate(&FsResolver, &refs)
        .map(|output| (output.api, output.files_read))
        .map_err(|error| error.to_string())
}

/// Writes `bytes` to `path` unless the file already contains exactly them. The bytes go
/// to a temporary file in the same folder, which is then renamed, so `path` never contains
/// half a file. Returns whether it wrote.
fn write_if_changed(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    if std::fs::read(path).is_ok_and(|existing| existing == bytes) {
        return Ok(false);
    }
    let folder = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(folder)?;
    let mut temporary = tempfile::NamedTempFile::new_in(folder)?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(true)
}
