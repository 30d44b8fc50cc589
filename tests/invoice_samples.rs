//! The sample orders of WooCommerce, Shopify and Shoptet billed against an in-process
//! sandbox, with every stored object compared field by field with the values worked out
//! by hand in `billing_expected.rs`.

#![cfg(feature = "cli")]

#[path = "billing_expected.rs"]
mod billing_expected;
mod invoice_common;

use atollon::billing::flow::{CustomerOrigin, OrderReport};
use atollon::billing::journal::MatchedBy;
use atollon::sandbox::{ContactKind, StateSnapshot};
use billing_expected::{dec, shopify_450789469, shoptet_1234, woocommerce_727, ExpectedOrder};
use invoice_common::*;

/// The invoice of one sample: its number and totals, worked out by hand.
struct ExpectedInvoice {
    number: &'static str,
    total_amount: &'static str,
    total_amount_with_vat: &'static str,
}

fn key_of(expected: &ExpectedOrder) -> String {
    let (platform, shop, id) = expected.key;
    format!("{platform}/{shop}/{id}")
}

/// Compares everything the sandbox stored for one order with the expected values. A
/// returning customer's contact has the phone numbers of the order that created it,
/// `stored_phones`.
fn check_order(
    state: &StateSnapshot,
    report: &OrderReport,
    expected: &ExpectedOrder,
    invoice: &ExpectedInvoice,
    stored_phones: &[&str],
) {
    let at = expected.file;
    let kinds: Vec<&str> = report.warnings.iter().map(|w| w.kind.as_str()).collect();
    assert_eq!(kinds, expected.warning_kinds, "{at}: warnings");

    let contact = contact(state, report.ids.contact);
    let kind = match expected.contact_kind {
        "PERSON" => ContactKind::Person,
        _ => ContactKind::Company,
    };
    assert_eq!(contact.kind, kind, "{at}: contact kind");
    assert_eq!(contact.name1, expected.name1, "{at}: name1");
    assert_eq!(contact.name3.as_deref(), expected.name3, "{at}: name3");
    assert_eq!(
        entries(contact, EMAIL_TYPE),
        [expected.email],
        "{at}: e-mail"
    );
    assert_eq!(entries(contact, PHONE_TYPE), stored_phones, "{at}: phones");
    let main_flags: Vec<Option<i32>> = contact
        .contact_entries
        .iter()
        .filter(|entry| entry.contact_type == PHONE_TYPE)
        .map(|entry| entry.is_main)
        .collect();
    // The first phone number is the main one.
    let mut expected_flags = vec![Some(0); stored_phones.len()];
    expected_flags[0] = Some(1);
    assert_eq!(main_flags, expected_flags, "{at}: isMain of the phones");
    // PERSONINFO carries the language; the contract's COMPANY has no PERSONINFO.
    let language = (kind == ContactKind::Person).then_some(LANGUAGE);
    assert_eq!(contact.preferred_language, language, "{at}: preferedLang");

    let folder = folder(state, report.ids.folder);
    assert_eq!(folder.name, expected.folder_name, "{at}: folder name");
    assert_eq!(folder.contact, contact.id, "{at}: folder contact");
    assert_eq!(folder.template, FOLDER_TEMPLATE, "{at}: folder template");
    let comment = match (expected.company_id, expected.vat_id) {
        (Some(company_id), Some(vat_id)) => {
            Some(format!("Company ID {company_id}, VAT ID {vat_id}"))
        }
        (None, None) => None,
        other => panic!("{at}: no expected comment for {other:?}"),
    };
    assert_eq!(folder.comment, comment, "{at}: folder comment");

    let project = project(state, report.ids.project);
    assert_eq!(project.name, expected.number, "{at}: project name");
    assert_eq!(project.customer, folder.id, "{at}: project customer");
    assert_eq!(project.folder, folder.id, "{at}: project folder");
    assert_eq!(
        project.invoice_journal, INVOICE_JOURNAL,
        "{at}: invoice journal"
    );
    assert_eq!(
        project.project_template, PROJECT_TEMPLATE,
        "{at}: project template"
    );
    assert_eq!(project.provider, Some(PROVIDER), "{at}: provider");

    let invoices = invoices_of(state, project.id);
    assert_eq!(invoices.len(), 1, "{at}: invoices of the project");
    let stored_invoice = invoices[0];

    let items = items_of(state, project.id);
    let item_ids: Vec<i64> = items.iter().map(|item| item.id).collect();
    assert_eq!(item_ids, report.ids.items, "{at}: item ids");
    assert_eq!(items.len(), expected.items.len(), "{at}: item count");
    for (item, wanted) in items.iter().zip(&expected.items) {
        let at = format!("{at}: item {:?}", wanted.name);
        let pricing = &item.pricing;
        assert_eq!(item.name, wanted.name, "{at}: name");
        assert_eq!(pricing.product, Some(wanted.product_id), "{at}: item");
        assert_eq!(
            pricing.quantity,
            Some(dec(wanted.quantity)),
            "{at}: quantity"
        );
        assert_eq!(
            pricing.total_quantity,
            Some(dec(wanted.quantity)),
            "{at}: totalQuantity"
        );
        assert_eq!(pricing.amount, Some(dec(wanted.amount)), "{at}: amount");
        assert_eq!(
            pricing.catalog_price,
            Some(dec(wanted.catalog_price)),
            "{at}: catalogPrice"
        );
        assert_eq!(
            pricing.total_amount,
            Some(dec(wanted.total_amount)),
            "{at}: totalAmount"
        );
        assert_eq!(
            pricing.total_amount_with_vat,
            Some(dec(wanted.total_amount_with_vat)),
            "{at}: totalAmountWithVat"
        );
        assert_eq!(
            pricing.vat_value,
            Some(dec(wanted.vat_value)),
            "{at}: vatValue"
        );
        assert_eq!(pricing.currency, expected.currency, "{at}: currency");
        assert_eq!(pricing.ratio, Some(dec("100")), "{at}: ratio");
        assert_eq!(
            item.billing_date.as_deref(),
            Some(expected.billing_date),
            "{at}: billingDate"
        );
        // Created approved (3); CreateInvoicesFromItems marks them billed (4).
        assert_eq!(item.billing_status, 4, "{at}: billingStatus");
        assert_eq!(item.item_type, 1, "{at}: type");
        assert_eq!(item.folder, Some(folder.id), "{at}: folder");
        assert_eq!(item.invoice, Some(stored_invoice.id), "{at}: invoice");
    }

    assert_eq!(
        stored_invoice.number, invoice.number,
        "{at}: invoice number"
    );
    assert_eq!(
        report.invoice_number.as_deref(),
        Some(invoice.number),
        "{at}: reported number"
    );
    assert_eq!(
        report.ids.invoice,
        Some(stored_invoice.id),
        "{at}: reported invoice id"
    );
    assert_eq!(
        stored_invoice.journal, INVOICE_JOURNAL,
        "{at}: invoice journal"
    );
    assert_eq!(
        stored_invoice.currency, expected.currency,
        "{at}: invoice currency"
    );
    assert_eq!(stored_invoice.items, item_ids, "{at}: invoiced items");
    assert_eq!(
        stored_invoice.total_amount,
        dec(invoice.total_amount),
        "{at}: invoice net total"
    );
    assert_eq!(
        stored_invoice.total_amount_with_vat,
        dec(invoice.total_amount_with_vat),
        "{at}: invoice gross total"
    );
    assert_eq!(
        stored_invoice.total_amount_with_vat,
        dec(expected.order_gross),
        "{at}: invoice against the order total"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn samples_billed_field_by_field() {
    let billing = Billing::start().await;
    // One run per file, so that the invoice journal numbers the invoices in this order.
    let cases = [
        (
            woocommerce_727(),
            ExpectedInvoice {
                number: "232010001",
                // 6.00 + 12.00 + 10.00 = 28.00 net; 6.45 + 12.90 + 10.00 = 29.35 gross.
                total_amount: "28.00",
                total_amount_with_vat: "29.35",
            },
        ),
        (
            shopify_450789469(),
            ExpectedInvoice {
                number: "232010002",
                // 195.66 + 195.67 + 195.67 + 0.00 = 587.00 net;
                // 199.64 + 199.65 + 199.65 + 0.00 = 598.94 gross.
                total_amount: "587.00",
                total_amount_with_vat: "598.94",
            },
        ),
        (
            shoptet_1234(),
            ExpectedInvoice {
                number: "232010003",
                // 266.07 + 379.34 + 65.29 + 32.23 - 41.65 = 701.28 net;
                // 298.00 + 459.00 + 79.00 + 39.00 - 50.40 = 824.60 gross.
                total_amount: "701.28",
                total_amount_with_vat: "824.60",
            },
        ),
    ];
    let mut reports = Vec::new();
    for (expected, _) in &cases {
        let run = billing.bill(&[orders(expected.file)]).await;
        assert_eq!(run.len(), 1, "{}: one order", expected.file);
        let report = invoiced(&run, &key_of(expected)).clone();
        assert_eq!(report.number.as_deref(), Some(expected.number));
        reports.push(report);
    }
    let state = billing.sandbox.state();
    let [woocommerce, shopify, shoptet] = [&reports[0], &reports[1], &reports[2]];
    let woocommerce_phones = woocommerce_727().phones;

    assert_eq!(woocommerce.customer, Some(CustomerOrigin::New));
    check_order(
        &state,
        woocommerce,
        &cases[0].0,
        &cases[0].1,
        woocommerce_phones,
    );

    // Both samples are bought by fictional.buyer@example.invalid: the Shopify order
    // finds the WooCommerce order's customer by e-mail (the shop customer id 207119551
    // is new) and reuses its contact and folder.
    assert_eq!(
        shopify.customer,
        Some(CustomerOrigin::Returning {
            matched_by: Some(MatchedBy::Email)
        })
    );
    assert_eq!(shopify.ids.contact, woocommerce.ids.contact);
    assert_eq!(shopify.ids.folder, woocommerce.ids.folder);
    check_order(
        &state,
        shopify,
        &cases[1].0,
        &cases[1].1,
        woocommerce_phones,
    );
    // It brings three numbers the WooCommerce order did not have (+1 555 0101, 0102,
    // 0103): one new-phone-number trigger on the customer folder.
    assert_eq!(state.marketing_triggers.len(), 1);
    let trigger = &state.marketing_triggers[0];
    assert_eq!(shopify.ids.trigger, Some(trigger.id));
    assert_eq!(trigger.base_type, "new-phone-number");
    assert_eq!(Some(trigger.context_id), woocommerce.ids.folder);
    assert_eq!(Some(trigger.contact_id), woocommerce.ids.contact);
    // created_at 2008-01-10T11:00:00-05:00, local time kept.
    assert_eq!(trigger.trigger_date.as_deref(), Some("2008-01-10 11:00"));
    assert_eq!(
        trigger.description.as_deref(),
        Some("Order #1001 brought a new phone number: +15550101, +15550102, +15550103")
    );

    assert_eq!(shoptet.customer, Some(CustomerOrigin::New));
    check_order(
        &state,
        shoptet,
        &cases[2].0,
        &cases[2].1,
        shoptet_1234().phones,
    );

    // Two customers: two contacts and folders; three projects and invoices, and
    // 3 + 4 + 5 billing items.
    assert_eq!(state.contacts.len(), 2);
    assert_eq!(state.folders.len(), 2);
    assert_eq!(state.projects.len(), 3);
    assert_eq!(state.invoices.len(), 3);
    assert_eq!(state.billing_items.len(), 12);
    assert!(state.recurring_rules.is_empty());
    // One QuickLogin per run.
    assert_eq!(state.sessions.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn samples_in_one_batch() {
    let billing = Billing::start().await;
    let files: Vec<_> = [woocommerce_727(), shopify_450789469(), shoptet_1234()]
        .iter()
        .map(|expected| orders(expected.file))
        .collect();
    let reports = billing.bill(&files).await;
    assert_eq!(reports.len(), 3);

    let state = billing.sandbox.state();
    // The WooCommerce and Shopify orders share a customer, so they run one after the
    // other and make one contact.
    assert_eq!(state.contacts.len(), 2);
    assert_eq!(state.marketing_triggers.len(), 1);
    // Billed concurrently, the invoices get their numbers in the order they finish, so
    // only the set of numbers is fixed.
    let mut numbers: Vec<String> = state.invoices.iter().map(|i| i.number.clone()).collect();
    numbers.sort();
    assert_eq!(numbers, ["232010001", "232010002", "232010003"]);

    for expected in [woocommerce_727(), shopify_450789469(), shoptet_1234()] {
        let report = invoiced(&reports, &key_of(&expected));
        let project = project(&state, report.ids.project);
        assert_eq!(project.name, expected.number);
        let items = items_of(&state, project.id);
        assert_eq!(items.len(), expected.items.len(), "{}", expected.file);
        let invoices = invoices_of(&state, project.id);
        assert_eq!(invoices.len(), 1, "{}", expected.file);
        assert_eq!(
            invoices[0].total_amount_with_vat,
            dec(expected.order_gross),
            "{}",
            expected.file
        );
        assert_eq!(
            report.invoice_number.as_deref(),
            Some(invoices[0].number.as_str())
        );
    }
    // One QuickLogin for the whole batch.
    assert_eq!(state.sessions.len(), 1);
}
