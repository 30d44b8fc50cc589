//! Downloading an Atollon host's contract files into a folder, writing only the files
//! that changed, with the generated APIs before and after for a diff.

use std::collections::{BTreeSet, VecDeque};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::api::Api;
use crate::{FsResolver, Generator, MemoryResolver};

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

/// Timeouts of every download.
#[derive(Clone, Copy)]
pub struct Timeouts {
    /// Time allowed to connect.
    pub connect: Duration,
    /// Time allowed for a whole request, body included.
    pub total: Duration,
}

/// One downloaded document.
struct Document {
    /// Path relative to the base URL and to the output folder, `/`-separated.
    path: String,
    url: reqwest::Url,
    bytes: Vec<u8>,
}

/// What [`fetch`] did.
#[derive(Debug)]
pub struct Fetched {
    /// One line per file (`wrote PATH from URL` or `unchanged PATH from URL`) and per note,
    /// in the order they happened.
    pub messages: Vec<String>,
    /// The generated API of the contract that was in the folder before, or why it could
    /// not be generated.
    pub previous: Result<Api, String>,
    /// The generated API of the downloaded contract.
    pub current: Api,
}

/// Downloads the six contract files from `host` (such as `https://acme.atollon.com`) and
/// every document they import by relative location, checks that the new contract
/// generates, and then writes into `out` only the files whose content changed. On any
/// error nothing is written, and the message names the URL.
pub fn fetch(
    host: &str,
    out: &Path,
    timeouts: Timeouts,
    secret_fields: &[String],
) -> Result<Fetched, String> {
    let base = base_url(host)?;
    let client = http_client(&base, timeouts)?;
    let mut messages = Vec::new();
    let documents = download_contract(&client, &base, timeouts, &mut messages)?;

    // The new contract must generate before anything replaces the old one.
    let mut resolver = MemoryResolver::new();
    for document in &documents {
        let text = std::str::from_utf8(&document.bytes)
            .map_err(|error| format!("{} is not UTF-8 text: {error}", document.url))?;
        resolver.insert(document.path.clone(), text);
    }
    let current = Generator::new()
        .secret_fields(secret_fields.iter().cloned())
        .generate(&resolver, CONTRACT_FILES)
        .map_err(|error| {
            format!(
                "the contract downloaded from {base} has errors, so nothing was written:\n{error}"
            )
        })?
        .api;

    let previous = previous_contract(out, secret_fields);
    for document in &documents {
        let target = out.join(&document.path);
        let written = write_if_changed(&target, &document.bytes)
            .map_err(|error| format!("cannot write {}: {error}", target.display()))?;
        messages.push(format!(
            "{} {} from {}",
            if written { "wrote" } else { "unchanged" },
            target.display(),
            document.url
        ));
    }
    let previous = previous.map(|(api, old_files)| {
        let fetched: BTreeSet<PathBuf> = documents
            .iter()
            .filter_map(|d| std::fs::canonicalize(out.join(&d.path)).ok())
            .collect();
        for file in old_files {
            if !fetched.contains(Path::new(&file)) {
                messages.push(format!(
                    "note: {file} is no longer part of the contract; it was left in place"
                ));
            }
        }
        api
    });
    Ok(Fetched {
        messages,
        previous,
        current,
    })
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
    messages: &mut Vec<String>,
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
                Ok(None) => messages.push(format!(
                    "note: {url} refers to {location:?}, which is not a relative location; not downloaded"
                )),
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
