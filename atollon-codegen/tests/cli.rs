//! The `diff` and `fetch` commands of the built binary: reports, exit statuses (0 nothing
//! breaks, 1 something breaks, 2 error), and downloads from an HTTP server on 127.0.0.1.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_atollon-codegen"));
    // Requests to the test server must not go through a proxy from the environment.
    for variable in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        command.env_remove(variable);
    }
    command.env("NO_PROXY", "127.0.0.1");
    command
}

fn run(command: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("the binary runs");
    (
        status.code().expect("the binary exits with a status"),
        String::from_utf8(stdout).expect("stdout is UTF-8"),
        String::from_utf8(stderr).expect("stderr is UTF-8"),
    )
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn diff_case(case: &str) -> (PathBuf, PathBuf) {
    let folder = manifest_dir().join("tests/fixtures/diff").join(case);
    (folder.join("old.wsdl"), folder.join("new.wsdl"))
}

fn contract_dir() -> PathBuf {
    manifest_dir().join("../wsdl")
}

const CONTRACT_FILES: [&str; 6] = [
    "main.wsdl",
    "project.wsdl",
    "item.wsdl",
    "invoice.wsdl",
    "features.wsdl",
    "web.wsdl",
];

// ---------------------------------------------------------------------------------------
// `diff`

#[test]
fn diff_identical_files_exits_0() {
    let (old, _) = diff_case("field_renamed");
    let (code, stdout, _) = run(binary().arg("diff").arg(&old).arg(&old));
    assert_eq!(code, 0);
    assert_eq!(stdout, "No changes.\n");
}

#[test]
fn diff_compatible_change_exits_0() {
    let (old, new) = diff_case("request_field_added_optional");
    let (code, stdout, _) = run(binary().arg("diff").arg(&old).arg(&new));
    assert_eq!(code, 0);
    // Two single files are compared whatever their names; the report uses the new one's.
    assert_eq!(
        stdout,
        "module new\n  types\n    compatible             Order.deliveryDate [request]: optional element added (0..1).\nSummary: 1 change, 0 breaking (0 code, 0 wire), 1 compatible.\n"
    );
}

#[test]
fn diff_breaking_change_exits_1() {
    let (old, new) = diff_case("field_renamed");
    let (code, stdout, _) = run(binary().arg("diff").arg(&old).arg(&new));
    assert_eq!(code, 1);
    assert!(
        stdout.contains(
            "    BREAKING (code, wire)  Order.customer [request]: element renamed to customerName."
        ),
        "{stdout}"
    );
}

#[test]
fn diff_json_has_summary_and_changes() {
    let (old, new) = diff_case("attribute_added");
    let (code, stdout, _) = run(binary()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .args(["--format", "json"]));
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("the output is JSON");
    assert_eq!(json["summary"]["changes"], 2);
    assert_eq!(json["summary"]["breaking"], 1);
    assert_eq!(json["summary"]["compatible"], 1);
    let changes = &json["modules"][0]["changes"];
    assert_eq!(json["modules"][0]["name"], "new");
    assert_eq!(changes[0]["subject"], "Order.@priority");
    assert_eq!(changes[0]["kind"], "field_added");
    assert_eq!(changes[0]["usage"], "request");
    assert_eq!(changes[0]["code_break"], serde_json::Value::Null);
    assert_eq!(changes[0]["wire_break"], serde_json::Value::Null);
    assert_eq!(changes[1]["subject"], "Order.@channel");
    assert_eq!(changes[1]["wire_break"], "old requests lack it");
    assert_eq!(changes[1]["section"]["kind"], "types");
}

#[test]
fn diff_folders_match_modules_by_name() {
    let old = tempfile::tempdir().expect("temporary folder");
    let new = tempfile::tempdir().expect("temporary folder");
    let (fixture_old, fixture_new) = diff_case("field_removed");
    std::fs::copy(&fixture_old, old.path().join("orders.wsdl")).expect("copy");
    std::fs::copy(&fixture_new, new.path().join("orders.wsdl")).expect("copy");
    // Only in NEW: a module added.
    std::fs::copy(&fixture_old, new.path().join("extra.wsdl")).expect("copy");
    // Not a WSDL file: ignored.
    std::fs::write(new.path().join("notes.txt"), "not a contract").expect("write");

    let (code, stdout, stderr) = run(binary().arg("diff").arg(old.path()).arg(new.path()));
    assert_eq!(code, 1, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "module extra");
    assert_eq!(
        lines[1],
        "  compatible             module extra: added (1 port, 1 operation, 4 types)."
    );
    assert_eq!(lines[2], "module orders");
    assert!(lines[4].contains("Order.comment [request]: optional element removed"));
    assert!(lines[5].contains("UpdateOrderResponse.orderId [response]: required element removed"));
    assert_eq!(
        lines[6],
        "Summary: 3 changes, 2 breaking (2 code, 2 wire), 1 compatible."
    );
}

#[test]
fn diff_missing_file_exits_2() {
    let (old, _) = diff_case("field_renamed");
    let missing = manifest_dir().join("tests/fixtures/diff/no-such-case/new.wsdl");
    let (code, stdout, stderr) = run(binary().arg("diff").arg(&old).arg(&missing));
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with(&format!("error: cannot read {}: ", missing.display())),
        "{stderr}"
    );
}

#[test]
fn diff_invalid_wsdl_exits_2_with_generator_error() {
    let (old, _) = diff_case("field_renamed");
    let broken = manifest_dir().join("tests/fixtures/errors/undefined_type/service.wsdl");
    let (code, stdout, stderr) = run(binary().arg("diff").arg(&old).arg(&broken));
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(stderr.contains("have errors:"), "{stderr}");
    // The generator names the file and the undefined type.
    assert!(stderr.contains("service.wsdl:"), "{stderr}");
    assert!(stderr.contains("Missing"), "{stderr}");
}

#[test]
fn diff_empty_folder_exits_2() {
    let empty = tempfile::tempdir().expect("temporary folder");
    let (code, _, stderr) = run(binary().arg("diff").arg(empty.path()).arg(empty.path()));
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!(
            "error: {} contains no *.wsdl file\n",
            empty.path().display()
        )
    );
}

// ---------------------------------------------------------------------------------------
// `fetch`

/// How long a test server runs at most, so a failed test cannot leave it serving.
const SERVER_LIFETIME: Duration = Duration::from_secs(30);

/// Most connections a test server accepts.
const SERVER_CONNECTIONS: usize = 40;

/// An HTTP/1.1 server on 127.0.0.1 that serves fixed documents by path, returns 404 for
/// any other path, and records the paths requested.
struct Server {
    base: String,
    requested: Arc<Mutex<Vec<String>>>,
}

fn serve(documents: BTreeMap<String, Vec<u8>>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    listener
        .set_nonblocking(true)
        .expect("non-blocking listener");
    let requested = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&requested);
    std::thread::spawn(move || {
        let deadline = Instant::now() + SERVER_LIFETIME;
        let mut handled = 0;
        while Instant::now() < deadline && handled < SERVER_CONNECTIONS {
            match listener.accept() {
                Ok((stream, _)) => {
                    handled += 1;
                    answer(stream, &documents, &log);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    Server { base, requested }
}

/// Reads one request, sends the response and closes the connection.
fn answer(mut stream: TcpStream, documents: &BTreeMap<String, Vec<u8>>, log: &Mutex<Vec<String>>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut request = Vec::new();
    let mut buffer = [0_u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let text = String::from_utf8_lossy(&request);
    let path = text.split_whitespace().nth(1).unwrap_or("").to_owned();
    log.lock().expect("request log").push(path.clone());
    let (status, body) = match documents.get(&path) {
        Some(body) => ("200 OK", body.clone()),
        None => ("404 Not Found", b"not found".to_vec()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// Starts a server that accepts connections and never responds. It drops them after
/// 10 seconds.
fn serve_silence() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    listener
        .set_nonblocking(true)
        .expect("non-blocking listener");
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut held = Vec::new();
        while Instant::now() < deadline && held.len() < SERVER_CONNECTIONS {
            match listener.accept() {
                Ok((stream, _)) => held.push(stream),
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    base
}

fn contract_documents() -> BTreeMap<String, Vec<u8>> {
    CONTRACT_FILES
        .iter()
        .map(|file| {
            let bytes = std::fs::read(contract_dir().join(file)).expect("contract file");
            (format!("/{file}"), bytes)
        })
        .collect()
}

/// `text` with the one occurrence of `anchor` replaced.
fn edit(text: &[u8], anchor: &str, replacement: &str) -> Vec<u8> {
    let text = std::str::from_utf8(text).expect("UTF-8");
    assert_eq!(
        text.matches(anchor).count(),
        1,
        "anchor {anchor:?} occurs once"
    );
    text.replacen(anchor, replacement, 1).into_bytes()
}

const SCHEMA_ATTRIBUTES: &str =
    "elementFormDefault=\"unqualified\" attributeFormDefault=\"unqualified\">";

const COMMON_XSD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:fixture:common">
  <xs:complexType name="Note">
    <xs:sequence>
      <xs:element name="text" type="xs:string"/>
    </xs:sequence>
  </xs:complexType>
</xs:schema>
"#;

/// Returns a fixed modification time, set before a fetch to tell rewritten files from kept
/// ones.
fn old_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_500_000_000)
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .expect("modification time")
}

#[test]
fn fetch_writes_changed_files_and_prints_diff() {
    let out = tempfile::tempdir().expect("temporary folder");
    for file in CONTRACT_FILES {
        let target = out.path().join(file);
        std::fs::copy(contract_dir().join(file), &target).expect("copy");
        std::fs::File::options()
            .write(true)
            .open(&target)
            .and_then(|f| f.set_modified(old_time()))
            .expect("set modification time");
    }

    let mut documents = contract_documents();
    // main.wsdl: an optional response field added (compatible), and a response field
    // turned required (breaks code).
    let main = edit(
        &documents["/main.wsdl"],
        "<xs:element name=\"session\" type=\"xs:string\" minOccurs=\"0\">",
        "<xs:element name=\"expires\" type=\"xs:dateTime\" minOccurs=\"0\"/>\n            <xs:element name=\"session\" type=\"xs:string\" minOccurs=\"0\">",
    );
    let main = edit(
        &main,
        "<xs:element name=\"newId\" type=\"xs:long\" minOccurs=\"0\">",
        "<xs:element name=\"newId\" type=\"xs:long\">",
    );
    documents.insert("/main.wsdl".to_owned(), main);
    // item.wsdl: imports a schema by relative location, and the XML namespace schema
    // from another host, which the generator has a copy of.
    let item = edit(
        &documents["/item.wsdl"],
        SCHEMA_ATTRIBUTES,
        &format!(
            "{SCHEMA_ATTRIBUTES}\n      <xs:import namespace=\"urn:fixture:common\" schemaLocation=\"schemas/common.xsd\"/>\n      <xs:import namespace=\"http://www.w3.org/XML/1998/namespace\" schemaLocation=\"http://www.w3.org/2001/xml.xsd\"/>"
        ),
    );
    documents.insert("/item.wsdl".to_owned(), item.clone());
    documents.insert(
        "/schemas/common.xsd".to_owned(),
        COMMON_XSD.as_bytes().to_vec(),
    );
    let server = serve(documents.clone());

    let (code, stdout, stderr) = run(binary()
        .args(["fetch", "--host", &server.base, "--out"])
        .arg(out.path()));

    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stdout,
        "module main\n\
         \x20 types\n\
         \x20   BREAKING (code)        CreateContactResponse.newId [response]: occurrence 0..1 -> 1..1 (optional -> required). Code: the Rust type changes from Option<i64> to i64.\n\
         \x20   compatible             QuickLoginResponse.expires [response]: optional element added (0..1).\n\
         module item\n\
         \x20 types\n\
         \x20   compatible             type Note [header, fault or unused]: struct added.\n\
         Summary: 3 changes, 1 breaking (1 code, 0 wire), 2 compatible.\n"
    );
    assert!(
        stderr.contains(&format!(
            "note: {}/item.wsdl refers to \"http://www.w3.org/2001/xml.xsd\", which is not a relative location; not downloaded",
            server.base
        )),
        "{stderr}"
    );

    let requested = server.requested.lock().expect("request log").clone();
    let mut expected_requests: Vec<String> =
        CONTRACT_FILES.iter().map(|f| format!("/{f}")).collect();
    expected_requests.push("/schemas/common.xsd".to_owned());
    assert_eq!(requested, expected_requests);

    for file in ["project.wsdl", "invoice.wsdl", "features.wsdl", "web.wsdl"] {
        assert_eq!(
            modified(&out.path().join(file)),
            old_time(),
            "{file} is kept"
        );
    }
    for file in ["main.wsdl", "item.wsdl"] {
        let path = out.path().join(file);
        assert_ne!(modified(&path), old_time(), "{file} is rewritten");
        assert_eq!(
            std::fs::read(&path).expect("read"),
            documents[&format!("/{file}")],
            "{file} has the served content"
        );
    }
    assert_eq!(
        std::fs::read_to_string(out.path().join("schemas/common.xsd")).expect("read"),
        COMMON_XSD
    );
    // Only the fetched files are there: no temporary file is left behind.
    let mut names: Vec<String> = std::fs::read_dir(out.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected_names: Vec<String> = CONTRACT_FILES.iter().map(|f| (*f).to_owned()).collect();
    expected_names.push("schemas".to_owned());
    expected_names.sort();
    assert_eq!(names, expected_names);
}

#[test]
fn fetch_keeps_file_no_longer_imported() {
    let out = tempfile::tempdir().expect("temporary folder");
    for file in CONTRACT_FILES {
        std::fs::copy(contract_dir().join(file), out.path().join(file)).expect("copy");
    }
    // Before the fetch, item.wsdl imports common.xsd; the host serves the contract without.
    let item = std::fs::read(out.path().join("item.wsdl")).expect("read");
    let item = edit(
        &item,
        SCHEMA_ATTRIBUTES,
        &format!(
            "{SCHEMA_ATTRIBUTES}\n      <xs:import namespace=\"urn:fixture:common\" schemaLocation=\"common.xsd\"/>"
        ),
    );
    std::fs::write(out.path().join("item.wsdl"), item).expect("write");
    std::fs::write(out.path().join("common.xsd"), COMMON_XSD).expect("write");
    let server = serve(contract_documents());

    let (code, stdout, stderr) = run(binary()
        .args(["fetch", "--host", &server.base, "--out"])
        .arg(out.path()));

    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stdout,
        "module item\n\
         \x20 types\n\
         \x20   BREAKING (code)        type Note [header, fault or unused]: struct removed. Code: the type Note no longer exists.\n\
         Summary: 1 change, 1 breaking (1 code, 0 wire), 0 compatible.\n"
    );
    let common = out.path().join("common.xsd");
    let canonical = common.canonicalize().expect("common.xsd is kept");
    assert!(
        stderr.contains(&format!(
            "note: {} is no longer part of the contract; it was left in place",
            canonical.display()
        )),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&common).expect("read"), COMMON_XSD);
}

#[test]
fn fetch_into_empty_folder_adds_every_module() {
    let out = tempfile::tempdir().expect("temporary folder");
    let target = out.path().join("wsdl");
    let server = serve(contract_documents());
    let (code, stdout, stderr) = run(binary()
        .args(["fetch", "--host", &server.base, "--out"])
        .arg(&target));
    assert_eq!(code, 0, "{stderr}");
    let module_lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("module "))
        .collect();
    assert_eq!(
        module_lines,
        [
            "module main",
            "module project",
            "module item",
            "module invoice",
            "module features",
            "module web"
        ]
    );
    assert!(stdout.ends_with("Summary: 6 changes, 0 breaking (0 code, 0 wire), 6 compatible.\n"));
    for file in CONTRACT_FILES {
        assert_eq!(
            std::fs::read(target.join(file)).expect("written"),
            std::fs::read(contract_dir().join(file)).expect("contract file"),
            "{file}"
        );
    }
}

#[test]
fn fetch_http_404_names_url_and_writes_nothing() {
    let out = tempfile::tempdir().expect("temporary folder");
    let mut documents = contract_documents();
    documents.remove("/invoice.wsdl");
    let server = serve(documents);
    let (code, stdout, stderr) = run(binary()
        .args(["fetch", "--host", &server.base, "--out"])
        .arg(out.path()));
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        format!(
            "error: GET {}/invoice.wsdl failed: HTTP 404 Not Found\n",
            server.base
        )
    );
    let entries = std::fs::read_dir(out.path()).expect("list").count();
    assert_eq!(entries, 0, "nothing is written when a download fails");
}

#[test]
fn fetch_timeout_names_url() {
    let out = tempfile::tempdir().expect("temporary folder");
    let base = serve_silence();
    let (code, stdout, stderr) = run(binary()
        .args(["fetch", "--host", &base, "--timeout", "1", "--out"])
        .arg(out.path()));
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with(&format!("error: GET {base}/main.wsdl timed out")),
        "{stderr}"
    );
    assert!(stderr.contains("--timeout"), "{stderr}");
}

#[test]
fn fetch_connection_refused_names_url() {
    // A port that was just free: nothing listens on it once the listener is dropped.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let out = tempfile::tempdir().expect("temporary folder");
    let (code, _, stderr) = run(binary()
        .args(["fetch", "--host", &base, "--out"])
        .arg(out.path()));
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(&format!("error: cannot connect to {base}/main.wsdl: ")),
        "{stderr}"
    );
}

#[test]
fn fetch_rejects_location_outside_folder() {
    let out = tempfile::tempdir().expect("temporary folder");
    let mut documents = contract_documents();
    let main = edit(
        &documents["/main.wsdl"],
        SCHEMA_ATTRIBUTES,
        &format!("{SCHEMA_ATTRIBUTES}\n      <xs:include schemaLocation=\"../outside.xsd\"/>"),
    );
    documents.insert("/main.wsdl".to_owned(), main);
    let server = serve(documents);
    let (code, _, stderr) = run(binary()
        .args(["fetch", "--host", &server.base, "--out"])
        .arg(out.path()));
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!(
            "error: {}/main.wsdl refers to \"../outside.xsd\": the location leads outside the folder of the contract files\n",
            server.base
        )
    );
    assert_eq!(std::fs::read_dir(out.path()).expect("list").count(), 0);
}

#[test]
fn fetch_invalid_contract_writes_nothing() {
    let out = tempfile::tempdir().expect("temporary folder");
    let mut documents = contract_documents();
    documents.insert("/web.wsdl".to_owned(), b"<wsdl:definitions".to_vec());
    let server = serve(documents);
    let (code, _, stderr) = run(binary()
        .args(["fetch", "--host", &server.base, "--out"])
        .arg(out.path()));
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(&format!(
            "error: the contract downloaded from {}/ has errors, so nothing was written:\n",
            server.base
        )),
        "{stderr}"
    );
    assert!(stderr.contains("web.wsdl:1:"), "{stderr}");
    assert_eq!(std::fs::read_dir(out.path()).expect("list").count(), 0);
}

#[test]
fn fetch_rejects_non_http_host() {
    let (code, _, stderr) = run(binary().args(["fetch", "--host", "ftp://127.0.0.1/"]));
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: --host \"ftp://127.0.0.1/\" must be an http or https URL\n"
    );
}
