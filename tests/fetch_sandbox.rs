//! `atollon-codegen fetch` against the sandbox, which serves the contract files the way an
//! Atollon host does, with `soap:address` pointing at itself.

use std::path::Path;
use std::time::Duration;

use atollon::sandbox::{Sandbox, SandboxConfig};
use atollon_codegen::diff::diff;
use atollon_codegen::fetch::{fetch, Fetched, Timeouts};

const CONTRACT: [&str; 6] = [
    "main.wsdl",
    "project.wsdl",
    "item.wsdl",
    "invoice.wsdl",
    "features.wsdl",
    "web.wsdl",
];

fn timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(5),
        total: Duration::from_secs(20),
    }
}

async fn fetch_into(host: String, out: &Path) -> Fetched {
    let out = out.to_path_buf();
    tokio::task::spawn_blocking(move || {
        fetch(
            &host,
            &out,
            timeouts(),
            &["session".to_owned(), "password".to_owned()],
        )
    })
    .await
    .expect("the fetch task ran")
    .expect("the fetch succeeded")
}

fn count_lines(fetched: &Fetched, prefix: &str) -> usize {
    fetched
        .messages
        .iter()
        .filter(|m| m.starts_with(prefix))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_from_sandbox_writes_changes() {
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .expect("the sandbox starts");
    let out = tempfile::tempdir().expect("a temporary folder");
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("wsdl");
    for file in CONTRACT {
        std::fs::copy(repository.join(file), out.path().join(file))
            .expect("the contract file copies");
    }

    // The sandbox rewrites every soap:address to its own URL, so all six files change,
    // but the address is not part of the generated API: the diff is empty.
    let first = fetch_into(sandbox.url(), out.path()).await;
    assert_eq!(count_lines(&first, "wrote "), 6, "{:?}", first.messages);
    let previous = first.previous.as_ref().expect("the old contract generates");
    let report = diff(previous, &first.current);
    assert!(!report.is_breaking(), "{}", report.to_text());
    let served =
        std::fs::read_to_string(out.path().join("main.wsdl")).expect("main.wsdl was written");
    assert!(
        served.contains(&format!("location=\"{}\"", sandbox.soap_url())),
        "{served}"
    );

    // Unchanged files are not written again.
    let modified_before = std::fs::metadata(out.path().join("web.wsdl"))
        .and_then(|m| m.modified())
        .expect("mtime");
    let second = fetch_into(sandbox.url(), out.path()).await;
    assert_eq!(
        count_lines(&second, "unchanged "),
        6,
        "{:?}",
        second.messages
    );
    let modified_after = std::fs::metadata(out.path().join("web.wsdl"))
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(modified_before, modified_after);

    // A local file that lacks a field the host's contract has: fetching restores it, and
    // the diff reports the field as added.
    let item = out.path().join("item.wsdl");
    let text = std::fs::read_to_string(&item).expect("item.wsdl is readable");
    let field = text
        .lines()
        .find(|l| l.contains("name=\"purchasePrice\""))
        .expect("item.wsdl declares purchasePrice")
        .to_owned();
    let without_field: String = text
        .lines()
        .filter(|l| *l != field)
        .map(|l| format!("{l}\n"))
        .collect();
    let without_field = if field.trim_end().ends_with("/>") {
        without_field
    } else {
        // The element has a body with its documentation; drop it up to its end tag.
        let start = text.find(&field).expect("field line present");
        let end = start
            + text[start..].find("</xs:element>").expect("element end")
            + "</xs:element>".len();
        format!("{}{}", &text[..start], &text[end..])
    };
    std::fs::write(&item, without_field).expect("item.wsdl is writable");
    let third = fetch_into(sandbox.url(), out.path()).await;
    assert_eq!(count_lines(&third, "wrote "), 1, "{:?}", third.messages);
    assert!(
        third
            .messages
            .iter()
            .any(|m| m.starts_with("wrote") && m.contains("item.wsdl")),
        "{:?}",
        third.messages
    );
    let previous = third
        .previous
        .as_ref()
        .expect("the edited contract generates");
    let report = diff(previous, &third.current).to_text();
    assert!(
        report.contains("purchasePrice") || report.contains("purchase_price"),
        "{report}"
    );

    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_missing_file_names_url() {
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .expect("the sandbox starts");
    let out = tempfile::tempdir().expect("a temporary folder");
    // A path below the host that serves no contract files gives 404s.
    let host = format!("{}/nothing-here", sandbox.url());
    let error = tokio::task::spawn_blocking({
        let out = out.path().to_path_buf();
        move || fetch(&host, &out, timeouts(), &[])
    })
    .await
    .expect("the fetch task ran")
    .expect_err("nothing is served there");
    assert!(error.contains("/nothing-here/main.wsdl"), "{error}");
    assert!(error.contains("404"), "{error}");
    assert_eq!(
        std::fs::read_dir(out.path()).expect("folder").count(),
        0,
        "nothing was written"
    );
    sandbox.shutdown().await;
}
