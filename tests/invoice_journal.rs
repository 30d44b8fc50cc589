//! Nothing billed twice, nothing lost: the built `atollon` binary run again on the same
//! orders, after a failure, after a lost response and after SIGKILL in the middle of a
//! batch, against an in-process sandbox.

#![cfg(feature = "cli")]

mod invoice_common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use atollon::sandbox::{FaultMode, FaultRule, StateSnapshot};
use invoice_common::*;
use serde_json::Value;

const WOOCOMMERCE_KEY: &str = "woocommerce/example.com/727";

fn woocommerce_file() -> String {
    orders("woocommerce-order.json").display().to_string()
}

fn text<'v>(value: &'v Value, pointer: &str) -> &'v str {
    match value.pointer(pointer).and_then(Value::as_str) {
        Some(text) => text,
        None => panic!("no text at {pointer} in {value}"),
    }
}

fn id_at(value: &Value, pointer: &str) -> i64 {
    match value.pointer(pointer).and_then(Value::as_i64) {
        Some(id) => id,
        None => panic!("no id at {pointer} in {value}"),
    }
}

fn inject(billing: &Billing, rule: FaultRule) {
    if let Err(error) = billing.sandbox.inject(rule) {
        panic!("{error}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_file_twice_bills_nothing_twice() {
    let billing = Billing::start().await;
    let first = billing.invoice(&["--json", &woocommerce_file()]).await;
    assert_eq!(exit_code(&first), 0, "{}", stderr(&first));
    let lines = json_lines(&first);
    assert_eq!(lines.len(), 1);
    assert_eq!(text(&lines[0], "/status"), "invoiced");
    assert_eq!(text(&lines[0], "/invoice_number"), "232010001");
    let after_first = billing.sandbox.state();

    let second = billing.invoice(&["--json", &woocommerce_file()]).await;
    assert_eq!(exit_code(&second), 0, "{}", stderr(&second));
    let lines = json_lines(&second);
    assert_eq!(text(&lines[0], "/status"), "already-invoiced");
    assert_eq!(lines[0]["requests_sent"], 0);
    // The invoice number comes from the journal.
    assert_eq!(text(&lines[0], "/invoice_number"), "232010001");
    // Nothing was sent, not even QuickLogin.
    assert_eq!(billing.sandbox.state(), after_first);

    let summary = billing.invoice(&[&woocommerce_file()]).await;
    assert_eq!(exit_code(&summary), 0);
    assert!(
        stdout(&summary).contains("already invoiced"),
        "{}",
        stdout(&summary)
    );
    assert!(
        stdout(&summary).contains("1 order: 1 already invoiced."),
        "{}",
        stdout(&summary)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_step_is_sent_again() {
    let billing = Billing::start().await;
    inject(
        &billing,
        FaultRule::new(
            "CreateProjectItem",
            FaultMode::NotOk {
                result: "ERROR: item rejected".to_owned(),
            },
            1,
        ),
    );
    let first = billing.invoice(&["--json", &woocommerce_file()]).await;
    assert_eq!(exit_code(&first), 1);
    let line = &json_lines(&first)[0];
    assert_eq!(text(line, "/status"), "failed");
    assert_eq!(text(line, "/problem/step"), "item:0");
    assert!(
        text(line, "/problem/message").contains("ERROR: item rejected"),
        "{line}"
    );
    let state = billing.sandbox.state();
    assert_eq!(state.projects.len(), 1);
    assert!(state.billing_items.is_empty());

    // A rejected request stored nothing, so the next run sends it again and goes on.
    let second = billing.invoice(&["--json", &woocommerce_file()]).await;
    assert_eq!(exit_code(&second), 0, "{}", stdout(&second));
    let line = &json_lines(&second)[0];
    assert_eq!(text(line, "/status"), "invoiced");
    // Items 0, 1 and 2 and the invoice.
    assert_eq!(line["requests_sent"], 4);
    let state = billing.sandbox.state();
    assert_eq!(state.contacts.len(), 1);
    assert_eq!(state.projects.len(), 1);
    assert_eq!(state.billing_items.len(), 3);
    assert_eq!(state.invoices.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_response_in_doubt_until_resolved() {
    let billing = Billing::start().await;
    // The sandbox stores the project, then closes the connection unanswered.
    inject(
        &billing,
        FaultRule::new("CreateProject", FaultMode::DropConnection, 1),
    );
    let first = billing.invoice(&["--json", &woocommerce_file()]).await;
    assert_eq!(exit_code(&first), 1, "{}", stdout(&first));
    let line = &json_lines(&first)[0];
    assert_eq!(text(line, "/status"), "in-doubt");
    assert_eq!(text(line, "/problem/step"), "project");
    let folder_id = id_at(line, "/ids/folder");
    assert_eq!(
        text(line, "/problem/check"),
        format!("check in Atollon whether project '727' exists under folder {folder_id}")
    );
    let resolve = text(line, "/problem/resolve");
    assert!(
        resolve.contains(
            "atollon journal resolve woocommerce/example.com/727 --step project --journal"
        ),
        "{resolve}"
    );
    let state = billing.sandbox.state();
    assert_eq!(state.projects.len(), 1, "the sandbox stored the project");
    let project_id = state.projects[0].id;
    assert_eq!(state.projects[0].name, "727");
    assert!(state.billing_items.is_empty());

    // The second run does not send CreateProject again, and lists what to check.
    let second = billing.invoice(&[&woocommerce_file()]).await;
    assert_eq!(exit_code(&second), 1);
    let summary = stdout(&second);
    assert!(
        summary.contains("In doubt (not sent again until resolved):"),
        "{summary}"
    );
    assert!(summary.contains("step project:"), "{summary}");
    assert!(summary.contains("--step project"), "{summary}");
    assert_eq!(billing.sandbox.state().projects.len(), 1);
    assert!(billing.sandbox.state().billing_items.is_empty());

    let listed = billing.journal_command(&["list"]).await;
    assert_eq!(exit_code(&listed), 0);
    let listing = stdout(&listed);
    let project_row = listing
        .lines()
        .find(|row| row.trim_start().starts_with("project"))
        .unwrap_or_else(|| panic!("no project row in {listing}"));
    assert!(project_row.contains("in_doubt"), "{project_row}");

    // The project exists in the sandbox: settle the step with its id.
    let id = project_id.to_string();
    let resolved = billing
        .journal_command(&["resolve", WOOCOMMERCE_KEY, "--step", "project", "--id", &id])
        .await;
    assert_eq!(exit_code(&resolved), 0, "{}", stderr(&resolved));
    assert!(stdout(&resolved).contains(&format!("step project is done with Atollon id {id}")));

    let third = billing.invoice(&["--json", &woocommerce_file()]).await;
    assert_eq!(exit_code(&third), 0, "{}", stdout(&third));
    let line = &json_lines(&third)[0];
    assert_eq!(text(line, "/status"), "invoiced");
    assert_eq!(id_at(line, "/ids/project"), project_id);
    let state = billing.sandbox.state();
    assert_eq!(state.projects.len(), 1, "exactly one project");
    assert_eq!(items_of(&state, project_id).len(), 3);
    assert_eq!(invoices_of(&state, project_id).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_in_doubt_blocks_same_customer() {
    let billing = Billing::start().await;
    inject(
        &billing,
        FaultRule::new("CreateContact", FaultMode::DropConnection, 1),
    );
    let file = orders("cases/canonical-returning.json")
        .display()
        .to_string();
    let first = billing.invoice(&["--json", &file]).await;
    assert_eq!(exit_code(&first), 1);
    let lines = json_lines(&first);
    let statuses: Vec<&str> = lines.iter().map(|line| text(line, "/status")).collect();
    // R-1 lost the response of CreateContact; its customer's other orders must not
    // create a second contact.
    assert_eq!(statuses, ["in-doubt", "blocked", "blocked", "blocked"]);
    assert_eq!(text(&lines[0], "/problem/step"), "contact");
    assert!(
        text(&lines[0], "/problem/check")
            .contains("contact 'Mia Example' with e-mail mia.example@example.invalid"),
        "{}",
        lines[0]
    );
    let state = billing.sandbox.state();
    assert_eq!(state.contacts.len(), 1);
    assert!(state.folders.is_empty());
    let contact_id = state.contacts[0].id.to_string();

    let resolved = billing
        .journal_command(&["resolve", "R-1", "--step", "contact", "--id", &contact_id])
        .await;
    assert_eq!(exit_code(&resolved), 0, "{}", stderr(&resolved));

    let second = billing.invoice(&["--json", &file]).await;
    assert_eq!(exit_code(&second), 0, "{}", stdout(&second));
    let state = billing.sandbox.state();
    assert_eq!(state.contacts.len(), 1);
    assert_eq!(state.folders.len(), 1);
    assert_eq!(state.projects.len(), 4);
    assert_eq!(state.invoices.len(), 4);
}

/// One order of the crash batch: its number, customer index and line names.
struct CrashOrder {
    number: String,
    customer: usize,
    lines: [String; 2],
}

const CUSTOMERS: [(&str, &str); 3] = [("Ana", "Alpha"), ("Ben", "Beta"), ("Cleo", "Gamma")];

/// Writes a canonical order file of 6 orders by 3 customers, 2 lines each.
fn write_crash_batch(path: &Path) -> Vec<CrashOrder> {
    let mut orders = Vec::new();
    let mut json_orders = Vec::new();
    for n in 1..=6 {
        let customer = (n - 1) % 3;
        let (first, last) = CUSTOMERS[customer];
        let order = CrashOrder {
            number: format!("K-{n}"),
            customer,
            lines: [format!("Tea {n}"), format!("Cups {n}")],
        };
        // 10.00 + 21 % = 12.10 and 5.00 + 12 % = 5.60: 17.70.
        json_orders.push(serde_json::json!({
            "platform": "prestashop",
            "shop": "crash.example",
            "id": order.number,
            "created": format!("2024-09-0{n}T10:00:00"),
            "currency": "EUR",
            "customer": {
                "email": format!("{}@example.invalid", first.to_lowercase()),
                "first_name": first,
                "last_name": last,
            },
            "lines": [
                { "kind": "product", "name": order.lines[0], "quantity": "1", "net_total": "10.00", "vat_rate": "21" },
                { "kind": "product", "name": order.lines[1], "quantity": "1", "net_total": "5.00", "vat_rate": "12" },
            ],
            "total": "17.70",
        }));
        orders.push(order);
    }
    let document =
        serde_json::json!({ "format": "atollon-orders", "version": 1, "orders": json_orders });
    if let Err(error) = std::fs::write(path, document.to_string()) {
        panic!("{error}");
    }
    orders
}

/// Settles an in-doubt step the way a person would: looks for the object in the sandbox
/// and resolves with its id, or for a retry when it is not there.
async fn resolve_from_state(billing: &Billing, line: &Value, batch: &[CrashOrder]) {
    let state = billing.sandbox.state();
    let key = text(line, "/order");
    let step = text(line, "/problem/step");
    let order = match batch
        .iter()
        .find(|order| key.ends_with(&format!("/{}", order.number)))
    {
        Some(order) => order,
        None => panic!("unknown order {key}"),
    };

    let (first, last) = CUSTOMERS[order.customer];
    let id = |pointer: &str| line.pointer(pointer).and_then(Value::as_i64);
    let found: Option<i64> = match step {
        "contact" => state
            .contacts
            .iter()
            .find(|c| c.name1 == first && c.name3.as_deref() == Some(last))
            .map(|c| c.id),
        "folder" => state
            .folders
            .iter()
            .find(|f| Some(f.contact) == id("/ids/contact") && f.name == format!("{last}, {first}"))
            .map(|f| f.id),
        "project" => state
            .projects
            .iter()
            .find(|p| p.name == order.number && Some(p.folder) == id("/ids/folder"))
            .map(|p| p.id),
        "invoice" => state
            .invoices
            .iter()
            .find(|i| Some(i.project) == id("/ids/project"))
            .map(|i| i.id),
        item if item.starts_with("item:") => {
            let index: usize = item["item:".len()..]
                .parse()
                .unwrap_or_else(|e| panic!("{item}: {e}"));
            state
                .billing_items
                .iter()
                .find(|i| Some(i.project) == id("/ids/project") && i.name == order.lines[index])
                .map(|i| i.id)
        }
        other => panic!("no lookup for step {other}"),
    };

    let found_text = found.map(|id| id.to_string());
    let mut arguments = vec!["resolve", key, "--step", step];
    match &found_text {
        Some(found) => arguments.extend(["--id", found.as_str()]),
        None => arguments.push("--retry"),
    }
    let output = billing.journal_command(&arguments).await;
    assert_eq!(exit_code(&output), 0, "{arguments:?}: {}", stderr(&output));
}

fn assert_one_of_each(state: &StateSnapshot, batch: &[CrashOrder]) {
    assert_eq!(state.contacts.len(), 3, "one contact per customer");
    let names: BTreeSet<(&str, Option<&str>)> = state
        .contacts
        .iter()
        .map(|c| (c.name1.as_str(), c.name3.as_deref()))
        .collect();
    assert_eq!(names.len(), 3, "three different customers: {names:?}");
    assert_eq!(state.folders.len(), 3, "one folder per customer");
    assert_eq!(state.projects.len(), batch.len(), "one project per order");
    assert_eq!(state.invoices.len(), batch.len(), "one invoice per order");
    for order in batch {
        let projects: Vec<_> = state
            .projects
            .iter()
            .filter(|p| p.name == order.number)
            .collect();
        assert_eq!(projects.len(), 1, "{}: projects", order.number);
        let items = items_of(state, projects[0].id);
        let item_names: Vec<&str> = items.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(
            item_names,
            [order.lines[0].as_str(), order.lines[1].as_str()],
            "{}",
            order.number
        );
        let invoices = invoices_of(state, projects[0].id);
        assert_eq!(invoices.len(), 1, "{}: invoices", order.number);
        assert_eq!(
            invoices[0].total_amount_with_vat,
            decimal("17.70"),
            "{}",
            order.number
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_run_completes_without_duplicates() {
    let billing = Billing::start().await;
    let file = billing.directory.path().join("crash.json");
    let batch = write_crash_batch(&file);
    let file = file.display().to_string();
    // Every CreateProjectItem is stored at once and its response is delayed by 250 ms, so
    // the batch of 12 items takes a while and the kill lands in its middle.
    inject(
        &billing,
        FaultRule::new(
            "CreateProjectItem",
            FaultMode::Delay(Duration::from_millis(250)),
            1000,
        ),
    );

    let mut command = atollon_command();
    command
        .args(["invoice", "--json", "--config"])
        .arg(example_config())
        .arg("--endpoint")
        .arg(billing.sandbox.soap_url())
        .arg("--journal")
        .arg(billing.journal_path())
        .arg(&file)
        .env("ATOLLON_PASSWORD", PASSWORD)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(error) => panic!("the binary did not start: {error}"),
    };
    // Wait until the first order is invoiced, at most 60 s.
    let deadline = Instant::now() + Duration::from_secs(60);
    while billing.sandbox.state().invoices.is_empty() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the run ended ({status}) before its first invoice");
        }
        assert!(Instant::now() < deadline, "no invoice within 60 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    match child.try_wait() {
        Ok(None) => {}
        other => panic!("the run is not in the middle of the batch: {other:?}"),
    }
    // SIGKILL on Unix: no chance to write anything more.
    if let Err(error) = child.kill() {
        panic!("{error}");
    }
    let _ = child.wait();
    let killed_at = billing.sandbox.state();
    assert!(
        killed_at.invoices.len() < batch.len(),
        "the batch was not finished"
    );
    billing.sandbox.clear_faults();

    // Run again until complete, settling what the kill left in doubt. Each run either
    // completes or leaves only steps in doubt or orders blocked by them.
    let mut complete = false;
    for _ in 0..4 {
        let output = billing.invoice(&["--json", &file]).await;
        let lines = json_lines(&output);
        assert_eq!(lines.len(), batch.len());
        if exit_code(&output) == 0 {
            complete = true;
            break;
        }
        assert_eq!(exit_code(&output), 1, "{}", stderr(&output));
        for line in &lines {
            match text(line, "/status") {
                "in-doubt" => resolve_from_state(&billing, line, &batch).await,
                "invoiced" | "already-invoiced" | "blocked" => {}
                other => panic!("unexpected status {other}: {line}"),
            }
        }
    }
    assert!(complete, "the batch did not complete in 4 runs");
    assert_one_of_each(&billing.sandbox.state(), &batch);

    // And one more run bills nothing.
    let before = billing.sandbox.state();
    let output = billing.invoice(&["--json", &file]).await;
    assert_eq!(exit_code(&output), 0);
    for line in json_lines(&output) {
        assert_eq!(text(&line, "/status"), "already-invoiced", "{line}");
    }
    assert_eq!(billing.sandbox.state(), before);
}
