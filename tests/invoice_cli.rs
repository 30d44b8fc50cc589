//! The `atollon invoice`, `atollon trigger` and `atollon journal` commands as a user runs
//! them: the README's first command, exit statuses, `--json`, `--dry-run`, passwords and
//! options.

#![cfg(feature = "cli")]

mod invoice_common;

use atollon::sandbox::ContactKind;
use invoice_common::*;
use serde_json::Value;

fn text<'v>(value: &'v Value, pointer: &str) -> &'v str {
    match value.pointer(pointer).and_then(Value::as_str) {
        Some(text) => text,
        None => panic!("no text at {pointer} in {value}"),
    }
}

fn temporary_directory() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(directory) => directory,
        Err(error) => panic!("{error}"),
    }
}

fn write(path: &std::path::Path, text: &str) {
    if let Err(error) = std::fs::write(path, text) {
        panic!("{}: {error}", path.display());
    }
}

fn example_text() -> String {
    match std::fs::read_to_string(example_config()) {
        Ok(text) => text,
        Err(error) => panic!("{error}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readme_command_prints_invoice_number() {
    // The README's command, from the package directory, with a relative order file.
    let mut command = atollon_command();
    command.current_dir(env!("CARGO_MANIFEST_DIR")).args([
        "invoice",
        "--sandbox",
        "tests/data/orders/woocommerce-order.json",
    ]);
    let output = run(command).await;
    assert_eq!(exit_code(&output), 0, "{}", stderr(&output));
    let summary = stdout(&output);
    // The sandbox's invoice journal 133150101 numbers invoices 23201 followed by a
    // 4-digit sequence; this is its first invoice.
    let row = summary
        .lines()
        .find(|line| line.starts_with("woocommerce/example.com/727"))
        .unwrap_or_else(|| panic!("no row of order 727 in {summary}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        cells,
        [
            "woocommerce/example.com/727",
            "727",
            "invoiced",
            "232010001"
        ]
    );
    assert!(summary.contains("1 order: 1 invoiced."), "{summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_output_one_object_per_order() {
    let directory = temporary_directory();
    let mut command = atollon_command();
    command
        .current_dir(directory.path())
        .args(["invoice", "--sandbox", "--json"])
        .arg(orders("shopify-orders.json"))
        .arg(orders("cases/woocommerce-subscriptions.json"));
    let output = run(command).await;
    // Order 960 cannot be mapped (every 2 months), so the exit status is 1.
    assert_eq!(exit_code(&output), 1, "{}", stderr(&output));
    let lines = json_lines(&output);
    let statuses: Vec<(&str, &str)> = lines
        .iter()
        .map(|line| (text(line, "/order"), text(line, "/status")))
        .collect();
    assert_eq!(
        statuses,
        [
            ("shopify/jsmith.myshopify.com/450789469", "invoiced"),
            ("woocommerce/coffee.example.invalid/900", "invoiced"),
            ("woocommerce/coffee.example.invalid/950", "renewal-skipped"),
            ("woocommerce/coffee.example.invalid/960", "invalid"),
            ("woocommerce/coffee.example.invalid/961", "invoiced"),
        ]
    );

    let shopify = &lines[0];
    assert_eq!(text(shopify, "/number"), "#1001");
    assert_eq!(text(shopify, "/customer/kind"), "new");
    assert!(shopify["ids"]["contact"].is_i64(), "{shopify}");
    assert!(shopify["ids"]["folder"].is_i64(), "{shopify}");
    assert!(shopify["ids"]["project"].is_i64(), "{shopify}");
    assert_eq!(shopify["ids"]["items"].as_array().map(Vec::len), Some(4));
    assert!(shopify["ids"]["invoice"].is_i64(), "{shopify}");

    let numbers: Vec<&str> = [&lines[0], &lines[1], &lines[4]]
        .iter()
        .map(|line| text(line, "/invoice_number"))
        .collect();
    for number in &numbers {
        assert!(number.starts_with("23201"), "{number}");
    }
    let warnings: Vec<&str> = shopify["warnings"]
        .as_array()
        .map(|all| all.iter().map(|w| text(w, "/kind")).collect())
        .unwrap_or_default();
    assert_eq!(
        warnings,
        ["refunded", "tax-mismatch", "tax-mismatch", "tax-mismatch"]
    );

    assert_eq!(
        lines[1]["ids"]["folder_items"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(text(&lines[2], "/renewal/subscription"), "900");
    assert!(
        text(&lines[3], "/problem/message").contains("every 2 month(s)"),
        "{}",
        lines[3]
    );
    // Nothing is left in the working directory: the sandbox journal was temporary.
    let left: Vec<_> = std::fs::read_dir(directory.path())
        .map(|d| d.count())
        .into_iter()
        .collect();
    assert_eq!(left, [0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_sends_nothing() {
    let billing = Billing::start().await;
    let output = billing
        .invoice(&[
            "--dry-run",
            &orders("woocommerce-order.json").display().to_string(),
        ])
        .await;
    assert_eq!(exit_code(&output), 0, "{}", stderr(&output));
    let printed = stdout(&output);
    for expected in [
        "-- step contact: CreateContact",
        "<name1>Fictional</name1>",
        "-- step folder: CreateSimpleFolder",
        "<name>Buyer, Fictional</name>",
        "<contact>[contact id]</contact>",
        "<customer>[folder id]</customer>",
        "-- step item:1: CreateProjectItem",
        "<name>Ship Your Idea – Color: Black, Size: M Test</name>",
        "<totalAmountWithVat>12.90</totalAmountWithVat>",
        "<vatValue>7.5</vatValue>",
        "<project>[project id]</project>",
        "-- step invoice: CreateInvoicesFromItems",
        "Dry run: nothing was sent and the journal was not written.",
    ] {
        assert!(
            printed.contains(expected),
            "missing {expected:?} in\n{printed}"
        );
    }
    // No password was needed, no request reached the sandbox, no journal was written.
    let state = billing.sandbox.state();
    assert!(state.sessions.is_empty());
    assert!(state.contacts.is_empty());
    assert!(state.projects.is_empty());
    assert!(!billing.journal_path().exists());

    let output = billing
        .invoice(&[
            "--dry-run",
            "--json",
            &orders("woocommerce-order.json").display().to_string(),
        ])
        .await;
    assert_eq!(exit_code(&output), 0);
    let lines = json_lines(&output);
    assert_eq!(text(&lines[0], "/status"), "dry-run");
    let steps: Vec<&str> = lines[0]["requests"]
        .as_array()
        .map(|all| all.iter().map(|r| text(r, "/step")).collect())
        .unwrap_or_default();
    assert_eq!(
        steps,
        ["contact", "folder", "project", "item:0", "item:1", "item:2", "invoice"]
    );
    assert!(billing.sandbox.state().sessions.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_and_configuration_errors_exit_2() {
    let directory = temporary_directory();
    let order_file = orders("woocommerce-order.json");

    // No --config and no atollon.toml in the working directory.
    let mut command = atollon_command();
    command
        .current_dir(directory.path())
        .arg("invoice")
        .arg(&order_file);
    let output = run(command).await;
    assert_eq!(exit_code(&output), 2);
    assert!(
        stderr(&output).contains("no configuration"),
        "{}",
        stderr(&output)
    );

    // An unknown --format value, and --sandbox with --endpoint: rejected by the parser.
    for arguments in [
        vec!["invoice", "--sandbox", "--format", "magento"],
        vec![
            "invoice",
            "--sandbox",
            "--endpoint",
            "http://127.0.0.1:9/soap",
        ],
    ] {
        let mut command = atollon_command();
        command
            .current_dir(directory.path())
            .args(&arguments)
            .arg(&order_file);
        let output = run(command).await;
        assert_eq!(exit_code(&output), 2, "{arguments:?}: {}", stderr(&output));
    }

    // A configuration with an unknown key names the key and the file.
    let config = directory.path().join("bad.toml");
    write(
        &config,
        &example_text().replace("[billing]", "[billing]\ncolour = \"blue\""),
    );
    let mut command = atollon_command();
    command
        .arg("invoice")
        .arg("--config")
        .arg(&config)
        .arg(&order_file);
    let output = run(command).await;
    assert_eq!(exit_code(&output), 2);
    let message = stderr(&output);
    assert!(message.contains("bad.toml"), "{message}");
    assert!(message.contains("billing.colour"), "{message}");

    // No ATOLLON_PASSWORD and no password_md5.
    let billing = Billing::start().await;
    let mut command = atollon_command();
    command
        .args([
            "invoice",
            "--endpoint",
            &billing.sandbox.soap_url(),
            "--journal",
        ])
        .arg(billing.journal_path())
        .arg("--config")
        .arg(example_config())
        .arg(&order_file);
    let output = run(command).await;
    assert_eq!(exit_code(&output), 2);
    assert!(
        stderr(&output).contains("no password"),
        "{}",
        stderr(&output)
    );
    assert!(billing.sandbox.state().sessions.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_exit_1_and_the_rest_goes_on() {
    let billing = Billing::start().await;
    // A file that does not exist, an invalid JSON file and a good one.
    let output = billing
        .invoice(&[
            &orders("missing.json").display().to_string(),
            &orders("cases/woocommerce-invalid.json")
                .display()
                .to_string(),
            &orders("woocommerce-order.json").display().to_string(),
        ])
        .await;
    assert_eq!(exit_code(&output), 1);
    let summary = stdout(&output);
    assert!(
        summary.contains("Files not read (none of their orders is billed):"),
        "{summary}"
    );
    assert!(
        summary.contains("missing.json: cannot read the file"),
        "{summary}"
    );
    assert!(
        summary.contains("woocommerce-invalid.json:5:3: invalid JSON"),
        "{summary}"
    );
    assert!(summary.contains("1 order: 1 invoiced."), "{summary}");
    assert_eq!(billing.sandbox.state().invoices.len(), 1);

    // A wrong password: QuickLogin fails once and no order is billed.
    let mut command = atollon_command();
    command
        .args([
            "invoice",
            "--json",
            "--endpoint",
            &billing.sandbox.soap_url(),
            "--journal",
        ])
        .arg(billing.directory.path().join("other.sqlite"))
        .arg("--config")
        .arg(example_config())
        .arg(orders("shoptet-orders.xml"))
        .env("ATOLLON_PASSWORD", "wrong");
    let output = run(command).await;
    assert_eq!(exit_code(&output), 1);
    let line = &json_lines(&output)[0];
    assert_eq!(text(line, "/status"), "failed");
    assert_eq!(text(line, "/problem/step"), "login");
    assert!(
        text(line, "/problem/message").contains("invalid user name or password"),
        "{line}"
    );
    assert!(
        !stderr(&output).contains("wrong"),
        "the password reached the log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_md5_and_shop_option() {
    let billing = Billing::start().await;
    let config = billing.directory.path().join("atollon.toml");
    // printf %s integration | md5sum
    let digest = atollon_client::md5_hex(PASSWORD);
    let config_with_digest = example_text().replace(
        "# password_md5 = \"0123456789abcdef0123456789abcdef\"",
        &format!("password_md5 = \"{}\"", digest.expose()),
    );
    write(&config, &config_with_digest);

    let config_text = config.display().to_string();
    let mut command = atollon_command();
    command
        .current_dir(billing.directory.path())
        .args([
            "invoice",
            "--json",
            "--config",
            &config_text,
            "--endpoint",
            &billing.sandbox.soap_url(),
        ])
        .args(["--shop", "tea.example"])
        .arg(orders("shoptet-orders.xml"));
    let output = run(command).await;
    assert_eq!(exit_code(&output), 0, "{}", stderr(&output));
    let line = &json_lines(&output)[0];
    // The export names no shop, so --shop gives the key's shop.
    assert_eq!(text(line, "/order"), "shoptet/tea.example/1234");
    // The default journal is beside the configuration file.
    assert!(billing
        .directory
        .path()
        .join("atollon-journal.sqlite")
        .is_file());
    let state = billing.sandbox.state();
    assert_eq!(state.contacts[0].kind, ContactKind::Company);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trigger_command_sends_one_trigger() {
    let billing = Billing::start().await;
    let reports = billing.bill(&[orders("woocommerce-order.json")]).await;
    let report = invoiced(&reports, "woocommerce/example.com/727");
    let contact = report.ids.contact.unwrap_or_default().to_string();
    let folder = report.ids.folder.unwrap_or_default().to_string();

    let trigger = |arguments: Vec<String>| {
        let mut command = atollon_command();
        command
            .args(["trigger", "--config"])
            .arg(example_config())
            .args(["--endpoint", &billing.sandbox.soap_url()])
            .args(arguments)
            .env("ATOLLON_PASSWORD", PASSWORD);
        run(command)
    };
    let output = trigger(
        [
            "--base-type",
            "url-visit",
            "--contact",
            &contact,
            "--context",
            &folder,
            "--url",
            "https://shop.example.invalid/cart",
            "--tracking-code",
            "SPRING",
            "--description",
            "Visited the cart",
            "--date",
            "2024-06-15 12:30",
            "--visits",
            "3",
        ]
        .map(str::to_owned)
        .to_vec(),
    )
    .await;
    assert_eq!(exit_code(&output), 0, "{}", stderr(&output));
    let state = billing.sandbox.state();
    assert_eq!(state.marketing_triggers.len(), 1);
    let stored = &state.marketing_triggers[0];
    assert!(stdout(&output).contains(&format!("marketing trigger {} created", stored.id)));
    assert_eq!(stored.base_type, "url-visit");
    assert_eq!(stored.contact_id.to_string(), contact);
    assert_eq!(stored.context_id.to_string(), folder);
    assert_eq!(
        stored.url.as_deref(),
        Some("https://shop.example.invalid/cart")
    );
    assert_eq!(stored.tracking_code.as_deref(), Some("SPRING"));
    assert_eq!(stored.description.as_deref(), Some("Visited the cart"));
    assert_eq!(stored.trigger_date.as_deref(), Some("2024-06-15 12:30"));
    assert_eq!(stored.number_of_visits, Some(3));

    // A contact the instance does not have: Atollon rejects it, exit 1.
    let output = trigger(
        [
            "--base-type",
            "url-visit",
            "--contact",
            "999999101",
            "--context",
            &folder,
        ]
        .map(str::to_owned)
        .to_vec(),
    )
    .await;
    assert_eq!(exit_code(&output), 1);
    assert!(
        stderr(&output).contains("contact 999999101 not found"),
        "{}",
        stderr(&output)
    );

    // A date in another form is a usage error, and nothing is sent.
    let output = trigger(
        [
            "--base-type",
            "url-visit",
            "--contact",
            &contact,
            "--context",
            &folder,
            "--date",
            "15.6.2024",
        ]
        .map(str::to_owned)
        .to_vec(),
    )
    .await;
    assert_eq!(exit_code(&output), 2);
    assert_eq!(billing.sandbox.state().marketing_triggers.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journal_list_and_resolve_errors() {
    let billing = Billing::start().await;
    // No journal yet: list and resolve do not create one.
    let output = billing.journal_command(&["list"]).await;
    assert_eq!(exit_code(&output), 2);
    assert!(
        stderr(&output).contains("journal file not found"),
        "{}",
        stderr(&output)
    );
    assert!(!billing.journal_path().exists());

    billing.bill(&[orders("woocommerce-order.json")]).await;
    let output = billing.journal_command(&["list", "--json"]).await;
    assert_eq!(exit_code(&output), 0);
    let listed: Value = match serde_json::from_str(&stdout(&output)) {
        Ok(value) => value,
        Err(error) => panic!("{error}: {}", stdout(&output)),
    };
    let entry = &listed[0];
    assert_eq!(entry["key"]["order_id"], "727");
    let steps: Vec<(&str, &str)> = entry["steps"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|s| (text(s, "/step"), text(s, "/state")))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(steps.len(), 7);
    assert!(steps.iter().all(|(_, state)| *state == "done"), "{steps:?}");

    // An order that is not in the journal, and a step that is done.
    let output = billing
        .journal_command(&["resolve", "728", "--step", "project", "--retry"])
        .await;
    assert_eq!(exit_code(&output), 2);
    assert!(
        stderr(&output).contains("is not in the journal"),
        "{}",
        stderr(&output)
    );
    let output = billing
        .journal_command(&["resolve", "727", "--step", "project", "--retry"])
        .await;
    assert_eq!(exit_code(&output), 2);
    assert!(
        stderr(&output).contains("only an in_doubt or failed step can be resolved"),
        "{}",
        stderr(&output)
    );
    // --id and --retry are alternatives, and one of them is required.
    let output = billing
        .journal_command(&["resolve", "727", "--step", "project"])
        .await;
    assert_eq!(exit_code(&output), 2);
    let output = billing
        .journal_command(&["resolve", "727", "--step", "projects", "--retry"])
        .await;
    assert_eq!(exit_code(&output), 2);
    assert!(
        stderr(&output).contains("invalid step"),
        "{}",
        stderr(&output)
    );
}
