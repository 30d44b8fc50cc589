//! The state: the SQLite file of `--state` across restarts, and `GET /sandbox/state`.

mod sandbox_common;

use atollon::sandbox::{SandboxConfig, SandboxError, StateSnapshot, StoreError};
use atollon::{invoice, main};
use atollon_client::xml::Secret;
use sandbox_common::{
    billing_item, config, create_person, decimal, expect_ok, fetch_state, login, start, start_with,
    Api,
};

fn with_state_file(path: &std::path::Path) -> SandboxConfig {
    SandboxConfig {
        state_file: Some(path.to_owned()),
        ..config()
    }
}

fn temporary_directory() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(directory) => directory,
        Err(error) => panic!("no temporary directory: {error}"),
    }
}

fn invoices(session: &Secret, project: i64) -> invoice::CreateInvoicesFromItems {
    invoice::CreateInvoicesFromItems {
        server: "acme".to_owned(),
        session: session.clone(),
        project,
    }
}

#[tokio::test]
async fn restart_keeps_ids_and_data() {
    let directory = temporary_directory();
    let path = directory.path().join("sandbox.sqlite");

    let sandbox = start_with(with_state_file(&path)).await;
    let api = login(&sandbox).await;
    let (contact, folder, project_id) = api.create_customer_project().await;
    let item = api
        .create_item(billing_item(project_id, "1234", "5", "10", 3))
        .await;
    let response = expect_ok(
        api.invoice
            .create_invoices_from_items(&invoices(&api.session, project_id))
            .await,
        "CreateInvoicesFromItems",
    );
    assert_eq!(response.new_id[0].number, "232010001");
    // Contact, folder, project, item and invoice took 139663101 to 139667101.
    assert_eq!(
        [contact, folder, project_id, item],
        [139663101, 139664101, 139665101, 139666101]
    );
    let before: StateSnapshot = sandbox.state();
    let session = api.session.clone();
    sandbox.shutdown().await;

    let sandbox = start_with(with_state_file(&path)).await;
    let after = sandbox.state();
    assert_eq!(after, before, "the restarted sandbox has the same state");
    assert_eq!(after.next_id, 139668101);

    // The session opened before the restart still works, and ids go on from the count.
    let mut api = Api::new(sandbox_common::runtime_client(&sandbox, 2));
    api.session = session;
    let contact = api.create_person().await;
    assert_eq!(contact, 139668101);
    let item = api
        .create_item(billing_item(project_id, "10", "1", "0", 3))
        .await;
    assert_eq!(item, 139669101);
    let response = expect_ok(
        api.invoice
            .create_invoices_from_items(&invoices(&api.session, project_id))
            .await,
        "CreateInvoicesFromItems",
    );
    assert_eq!(response.new_id[0].new_id, 139670101);
    assert_eq!(
        response.new_id[0].number, "232010002",
        "the journal keeps counting"
    );

    // A new login gets the next session number.
    let second = login(&sandbox).await;
    let state = sandbox.state();
    assert_eq!(state.sessions.len(), 2);
    assert_eq!(state.sessions[1].id, 2);
    assert_eq!(state.contacts.len(), 2);
    assert_eq!(state.invoices.len(), 2);
    drop(second);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn restart_after_drop_keeps_data() {
    let directory = temporary_directory();
    let path = directory.path().join("sandbox.sqlite");
    let sandbox = start_with(with_state_file(&path)).await;
    let api = login(&sandbox).await;
    let contact = api.create_person().await;
    // Dropping the sandbox without shutdown closes the file too.
    drop(sandbox);

    let sandbox = start_with(with_state_file(&path)).await;
    let state = sandbox.state();
    assert_eq!(state.contacts.len(), 1);
    assert_eq!(state.contacts[0].id, contact);
    assert_eq!(state.next_id, 139664101);
}

#[tokio::test]
async fn rejected_requests_leave_file_unchanged() {
    let directory = temporary_directory();
    let path = directory.path().join("sandbox.sqlite");
    let sandbox = start_with(with_state_file(&path)).await;
    let api = login(&sandbox).await;
    let mut request = create_person(&api.session);
    if let main::CreateContactPersonOrCompany::Person(person) = &mut request.person_or_company {
        person.name1 = String::new();
    }
    let result = api.main.create_contact(&request).await;
    assert_eq!(
        sandbox_common::not_ok_text(result),
        "ERROR: PERSON/name1 is empty"
    );
    sandbox.shutdown().await;

    let sandbox = start_with(with_state_file(&path)).await;
    let state = sandbox.state();
    assert!(state.contacts.is_empty());
    assert_eq!(state.next_id, 139663101);
}

#[tokio::test]
async fn state_file_locked_while_running() {
    let directory = temporary_directory();
    let path = directory.path().join("sandbox.sqlite");
    let sandbox = start_with(with_state_file(&path)).await;

    let second = atollon::sandbox::Sandbox::start(with_state_file(&path)).await;
    match second {
        Err(SandboxError::State(StoreError::Locked { path: locked })) => assert_eq!(locked, path),
        other => panic!("expected the state file to be locked, got {other:?}"),
    }
    sandbox.shutdown().await;
    // Once the first sandbox stopped, the file opens.
    let third = start_with(with_state_file(&path)).await;
    third.shutdown().await;
}

#[tokio::test]
async fn state_file_not_sqlite_rejected() {
    let directory = temporary_directory();
    let path = directory.path().join("notes.txt");
    if let Err(error) = std::fs::write(&path, "these are notes, not a database\n".repeat(200)) {
        panic!("cannot write {}: {error}", path.display());
    }
    let result = atollon::sandbox::Sandbox::start(with_state_file(&path)).await;
    let Err(error) = result else {
        panic!("a text file was accepted as state file");
    };
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("state file {}: ", path.display())),
        "{message}"
    );
    assert!(message.contains("not a database"), "{message}");
}

#[tokio::test]
async fn state_endpoint_returns_json() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let (_, _, project_id) = api.create_customer_project().await;
    api.create_item(billing_item(project_id, "1234", "5", "10", 3))
        .await;

    let json = fetch_state(&sandbox).await;
    assert_eq!(json["server"], "acme");
    assert_eq!(json["next_id"], 139667101);
    assert_eq!(json["sessions"][0]["id"], 1);
    assert_eq!(json["sessions"][0]["user"], "demo");
    assert_eq!(json["contacts"][0]["id"], 139663101);
    assert_eq!(json["contacts"][0]["name1"], "Petra");
    assert_eq!(json["folders"][0]["contact"], 139663101);
    assert_eq!(json["projects"][0]["customer"], 139664101);
    let item = &json["billing_items"][0];
    assert_eq!(item["id"], 139666101);
    assert_eq!(item["billing_status"], 3);
    // Amounts are decimal strings: 5 x 1234 = 6170.
    assert_eq!(item["pricing"]["total_amount"], "6170");
    assert_eq!(item["pricing"]["amount"], "1234");
    for list in [
        "recurring_rules",
        "invoices",
        "marketing_triggers",
        "journal_counters",
    ] {
        assert_eq!(json[list].as_array().map(Vec::len), Some(0), "{list}");
    }

    let text = json.to_string();
    assert!(
        !text.contains(api.session.expose()),
        "the state never shows a session token"
    );
    // The endpoint and the Rust API return the same state.
    let parsed: StateSnapshot = match serde_json::from_value(json) {
        Ok(parsed) => parsed,
        Err(error) => panic!("the state JSON does not parse as StateSnapshot: {error}"),
    };
    assert_eq!(parsed, sandbox.state());
    assert_eq!(
        parsed.billing_items[0].pricing.total_amount_with_vat,
        Some(decimal("6787"))
    );
}
