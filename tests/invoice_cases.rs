//! The mapping rules billed end to end, from the hand-written orders in
//! `tests/data/orders/cases/` to the objects the sandbox stores; returning customers;
//! subscriptions and renewals. Expected values are worked out in the comments.

#![cfg(feature = "cli")]

mod invoice_common;

use atollon::billing::config::Config;
use atollon::billing::flow::{CustomerOrigin, OrderStatus};
use atollon::billing::journal::{MatchedBy, Step, StepState};
use atollon::sandbox::{BillingItemRecord, ContactKind, InvoiceRecord, StateSnapshot};
use invoice_common::*;

/// Product of SKU `SKU-1` in the example configuration.
const SKU_1_PRODUCT: i64 = 133629102;
/// `ids.default_product` of the example configuration.
const DEFAULT_PRODUCT: i64 = 133629101;

/// Checks a stored item: name, product, quantity, amount, totalAmount,
/// totalAmountWithVat, vatValue and currency.
fn check_item(
    item: &BillingItemRecord,
    name: &str,
    product: i64,
    values: [&str; 5],
    currency: &str,
) {
    let [quantity, amount, total, gross, rate] = values;
    let at = &item.name;
    let pricing = &item.pricing;
    assert_eq!(item.name, name, "name");
    assert_eq!(pricing.product, Some(product), "{at}: item");
    assert_eq!(pricing.quantity, Some(decimal(quantity)), "{at}: quantity");
    assert_eq!(pricing.amount, Some(decimal(amount)), "{at}: amount");
    assert_eq!(
        pricing.total_amount,
        Some(decimal(total)),
        "{at}: totalAmount"
    );
    assert_eq!(
        pricing.total_amount_with_vat,
        Some(decimal(gross)),
        "{at}: totalAmountWithVat"
    );
    assert_eq!(pricing.vat_value, Some(decimal(rate)), "{at}: vatValue");
    assert_eq!(pricing.currency, currency, "{at}: currency");
    assert_eq!(item.billing_status, 4, "{at}: billed");
}

fn only_invoice(state: &StateSnapshot, project: Option<i64>) -> &InvoiceRecord {
    let project = match project {
        Some(project) => project,
        None => panic!("the order has no project"),
    };
    let invoices = invoices_of(state, project);
    assert_eq!(invoices.len(), 1, "invoices of project {project}");
    invoices[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn woocommerce_rates_coupon_gift_and_company() {
    let billing = Billing::start().await;
    let reports = billing
        .bill(&[orders("cases/woocommerce-mixed-rates.json")])
        .await;
    let report = invoiced(&reports, "woocommerce/shop.example.invalid/801");
    let kinds: Vec<&str> = report.warnings.iter().map(|w| w.kind.as_str()).collect();
    // The BEL character in the kettle's name cannot be sent in XML.
    assert_eq!(kinds, ["character-removed"]);
    let state = billing.sandbox.state();

    // `billing.company` "Example &amp; Co s.r.o." with a company id: a COMPANY, with the
    // entity decoded; the ids are kept in the folder comment.
    let contact = contact(&state, report.ids.contact);
    assert_eq!(contact.kind, ContactKind::Company);
    assert_eq!(contact.name1, "Example & Co s.r.o.");
    assert_eq!(contact.name3, None);
    assert_eq!(
        entries(contact, EMAIL_TYPE),
        ["Jana.Novakova@Example.INVALID"]
    );
    assert_eq!(entries(contact, PHONE_TYPE), ["+420 111 222 333"]);
    let folder = folder(&state, report.ids.folder);
    assert_eq!(folder.name, "Example & Co s.r.o.");
    assert_eq!(
        folder.comment.as_deref(),
        Some("Company ID 12345678, VAT ID CZ12345678")
    );

    let items = items_of(&state, project(&state, report.ids.project).id);
    assert_eq!(items.len(), 6);
    // Coupon TEN is already in `total` (30.00 -> 27.00) and is not subtracted again:
    // 27.00 / 3 = 9.00; tax 3.24 / 27.00 = 12 %; SKU-1 maps to its product.
    check_item(
        items[0],
        "Tea & Honey Set",
        SKU_1_PRODUCT,
        ["3", "9.00", "27.00", "30.24", "12"],
        "EUR",
    );
    assert_eq!(items[0].pricing.catalog_price, Some(decimal("10.00")));
    // 45.00 + 9.45 at 21 %; `&ndash;` decoded and BEL removed.
    check_item(
        items[1],
        "Kettle – steel",
        DEFAULT_PRODUCT,
        ["1", "45.00", "45.00", "54.45", "21"],
        "EUR",
    );
    // A gift is billed at 0.
    check_item(
        items[2],
        "Free sample",
        DEFAULT_PRODUCT,
        ["1", "0.00", "0.00", "0.00", "12"],
        "EUR",
    );
    // 10.00 / 3 = 3.3333; totalAmount stays the shop's 10.00; 10.00 + 1.20 = 11.20.
    check_item(
        items[3],
        "Biscuits",
        DEFAULT_PRODUCT,
        ["3", "3.3333", "10.00", "11.20", "12"],
        "EUR",
    );
    // Shipping and the fee are items with their own rate: 5.00 + 1.05, 2.00 + 0.42.
    check_item(
        items[4],
        "DPD",
        DEFAULT_PRODUCT,
        ["1", "5.00", "5.00", "6.05", "21"],
        "EUR",
    );
    check_item(
        items[5],
        "Cash on delivery",
        DEFAULT_PRODUCT,
        ["1", "2.00", "2.00", "2.42", "21"],
        "EUR",
    );

    let invoice = only_invoice(&state, report.ids.project);
    // 27.00 + 45.00 + 0 + 10.00 + 5.00 + 2.00 = 89.00 net;
    // 30.24 + 54.45 + 0 + 11.20 + 6.05 + 2.42 = 104.36 gross = `total`.
    assert_eq!(invoice.total_amount, decimal("89.00"));
    assert_eq!(invoice.total_amount_with_vat, decimal("104.36"));
    assert_eq!(invoice.currency, "EUR");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shoptet_split_shipping_discount_and_company_id() {
    let billing = Billing::start().await;
    let reports = billing.bill(&[orders("cases/shoptet-cases.xml")]).await;
    assert_eq!(reports.len(), 4);
    // Orders 5002 (unknown item type) and 5003 (a line without its net price) cannot be
    // read; the other two are billed all the same.
    assert_eq!(reports[1].status, OrderStatus::Invalid);
    assert_eq!(reports[2].status, OrderStatus::Invalid);
    let person = invoiced(&reports, "shoptet/default/5001");
    let company = invoiced(&reports, "shoptet/default/5004");
    assert!(person.warnings.is_empty(), "{:?}", person.warnings);
    let state = billing.sandbox.state();

    let contact_5001 = contact(&state, person.ids.contact);
    assert_eq!(contact_5001.kind, ContactKind::Person);
    assert_eq!(contact_5001.name1, "Petra");
    assert_eq!(contact_5001.name3.as_deref(), Some("Ukážková"));
    assert_eq!(folder(&state, person.ids.folder).name, "Ukážková, Petra");
    assert_eq!(folder(&state, person.ids.folder).comment, None);

    let items = items_of(&state, project(&state, person.ids.project).id);
    assert_eq!(items.len(), 6);
    // `&amp;quot;` in the XML is `&quot;` in the text, decoded as HTML.
    check_item(
        items[0],
        "Kniha \"Čaj\"",
        DEFAULT_PRODUCT,
        ["1", "10.00", "10.00", "11.00", "10"],
        "EUR",
    );
    // Unit 4.88 as stated; the line is 18.00 / 1.23 = 14.63, not 3 x 4.88 = 14.64.
    check_item(
        items[1],
        "Hrnček",
        DEFAULT_PRODUCT,
        ["3", "4.88", "14.63", "18.00", "23"],
        "EUR",
    );
    check_item(
        items[2],
        "Vzorka zadarmo",
        DEFAULT_PRODUCT,
        ["1", "0.00", "0.00", "0.00", "23"],
        "EUR",
    );
    // Shipping split per rate stays two items: 3.00 at 23 %, 1.00 at 10 %.
    check_item(
        items[3],
        "Kuriér (23 %)",
        DEFAULT_PRODUCT,
        ["1", "3.00", "3.00", "3.69", "23"],
        "EUR",
    );
    check_item(
        items[4],
        "Kuriér (10 %)",
        DEFAULT_PRODUCT,
        ["1", "1.00", "1.00", "1.10", "10"],
        "EUR",
    );
    // The volume discount is a line of its own with negative amounts.
    check_item(
        items[5],
        "Množstevná zľava",
        DEFAULT_PRODUCT,
        ["1", "-1.00", "-1.00", "-1.23", "23"],
        "EUR",
    );
    let invoice = only_invoice(&state, person.ids.project);
    // 10.00 + 14.63 + 0 + 3.00 + 1.00 - 1.00 = 27.63 net;
    // 11.00 + 18.00 + 0 + 3.69 + 1.10 - 1.23 = 32.56 gross.
    assert_eq!(invoice.total_amount, decimal("27.63"));
    assert_eq!(invoice.total_amount_with_vat, decimal("32.56"));

    // COMPANY_ID without a company name makes a COMPANY named after the person.
    let contact_5004 = contact(&state, company.ids.contact);
    assert_eq!(contact_5004.kind, ContactKind::Company);
    assert_eq!(contact_5004.name1, "Firemný, Ján");
    assert_eq!(
        folder(&state, company.ids.folder).comment.as_deref(),
        Some("Company ID 87654321")
    );
    let items = items_of(&state, project(&state, company.ids.project).id);
    // AMOUNT 0,5 with a decimal comma; 10.00 / 1.23 = 8.13 net; 8.13 / 0.5 = 16.26.
    check_item(
        items[0],
        "Sypaný čaj",
        DEFAULT_PRODUCT,
        ["0.5", "16.26", "8.13", "10.00", "23"],
        "EUR",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shopify_presentment_currency_and_cumulative_taxes() {
    let billing = Billing::start().await;
    let reports = billing
        .bill(&[
            orders("cases/shopify-taxes-included.json"),
            orders("cases/shopify-webhook.json"),
        ])
        .await;
    let included = invoiced(&reports, "shopify/muster-shop.myshopify.com/820");
    let webhook = invoiced(&reports, "shopify/maple.myshopify.com/830");
    let state = billing.sandbox.state();

    // The shop's money is USD, the customer paid in EUR: everything is billed in EUR.
    let items = items_of(&state, project(&state, included.ids.project).id);
    assert_eq!(items.len(), 3);
    // 2 x 10.70 gross - 2.14 allocated discount = 19.26 gross including 7 % tax:
    // 19.26 / 1.07 = 18.00 net, 9.00 each.
    check_item(
        items[0],
        "Book",
        DEFAULT_PRODUCT,
        ["2", "9.00", "18.00", "19.26", "7"],
        "EUR",
    );
    // 119.00 gross including 19 %: 100.00 net.
    check_item(
        items[1],
        "Headphones",
        DEFAULT_PRODUCT,
        ["1", "100.00", "100.00", "119.00", "19"],
        "EUR",
    );
    // Shipping 5.95 gross including 0.95 tax.
    assert_eq!(items[2].pricing.total_amount, Some(decimal("5.00")));
    assert_eq!(
        items[2].pricing.total_amount_with_vat,
        Some(decimal("5.95"))
    );
    let invoice = only_invoice(&state, included.ids.project);
    assert_eq!(invoice.currency, "EUR");
    // 18.00 + 100.00 + 5.00 = 123.00 net; 19.26 + 119.00 + 5.95 = 144.21 gross.
    assert_eq!(invoice.total_amount, decimal("123.00"));
    assert_eq!(invoice.total_amount_with_vat, decimal("144.21"));
    // The company in the billing address makes a COMPANY.
    assert_eq!(
        contact(&state, included.ids.contact).kind,
        ContactKind::Company
    );
    assert_eq!(contact(&state, included.ids.contact).name1, "Muster GmbH");

    // GST 5 % and PST 7 % on one line are one rate of 12 %: 2 x 15.00 - 3.00 = 27.00
    // net, 1.35 + 1.89 = 3.24 tax.
    let items = items_of(&state, project(&state, webhook.ids.project).id);
    assert_eq!(items[0].pricing.total_amount, Some(decimal("27.00")));
    assert_eq!(
        items[0].pricing.total_amount_with_vat,
        Some(decimal("30.24"))
    );
    assert_eq!(items[0].pricing.vat_value, Some(decimal("12")));
    assert_eq!(items[0].pricing.currency, "CAD");
    let person = contact(&state, webhook.ids.contact);
    assert_eq!(person.kind, ContactKind::Person);
    assert_eq!(person.name1, "Léa");
    assert_eq!(person.name3.as_deref(), Some("Tremblay"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciliation_warning_still_bills() {
    let billing = Billing::start().await;
    let reports = billing.bill(&[orders("cases/canonical-orders.json")]).await;
    let mismatch = invoiced(&reports, "prestashop/default/C-3");
    // 10.00 + 21 % = 12.10 billed against a stated total of 12.50: a warning, not a
    // failure.
    let kinds: Vec<&str> = mismatch.warnings.iter().map(|w| w.kind.as_str()).collect();
    assert_eq!(kinds, ["reconciliation", "fallback"]);
    let state = billing.sandbox.state();
    let invoice = only_invoice(&state, mismatch.ids.project);
    assert_eq!(invoice.total_amount_with_vat, decimal("12.10"));
    // Known only by e-mail, which names the person and the folder.
    assert_eq!(
        contact(&state, mismatch.ids.contact).name1,
        "nobody@example.invalid"
    );
    assert_eq!(
        folder(&state, mismatch.ids.folder).name,
        "nobody@example.invalid"
    );

    // C-1: a company with two subscriptions, a fee and a discount line:
    // 145.20 + 36.30 + 12.10 - 6.05 = 187.55.
    let company = invoiced(&reports, "prestashop/shop.example/C-1");
    let invoice = only_invoice(&state, company.ids.project);
    assert_eq!(invoice.total_amount_with_vat, decimal("187.55"));
    assert_eq!(company.ids.folder_items.len(), 2);
    // C-2 renews SUB-Y, whose recurring rule C-1 created.
    let renewal = report(&reports, "prestashop/shop.example/C-2");
    assert_eq!(renewal.status, OrderStatus::RenewalSkipped);
    // C-4 bills every 2 months, which no Atollon billingFrequency expresses.
    assert_eq!(
        report(&reports, "prestashop/default/C-4").status,
        OrderStatus::Invalid
    );
    // C-1 and C-3 are invoiced; nothing was created for C-2 or C-4.
    assert_eq!(state.projects.len(), 2);
    assert_eq!(state.invoices.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returning_customer_reuses_contact_and_folder() {
    let billing = Billing::start().await;
    let file = orders("cases/canonical-returning.json");
    let reports = billing.bill(std::slice::from_ref(&file)).await;
    let first = invoiced(&reports, "prestashop/shop.example/R-1");
    let second = invoiced(&reports, "prestashop/shop.example/R-2");
    let third = invoiced(&reports, "prestashop/shop.example/R-3");
    let fourth = invoiced(&reports, "prestashop/other.example/R-4");
    assert_eq!(first.customer, Some(CustomerOrigin::New));
    // R-2 has R-1's shop customer id; R-3 only the e-mail, in other case and with
    // spaces; R-4, from another shop, only the VAT id "cz6000000001" for "CZ 6000000001".
    let matched = |by| {
        Some(CustomerOrigin::Returning {
            matched_by: Some(by),
        })
    };
    assert_eq!(second.customer, matched(MatchedBy::ShopCustomerId));
    assert_eq!(third.customer, matched(MatchedBy::Email));
    assert_eq!(fourth.customer, matched(MatchedBy::VatId));
    for report in [second, third, fourth] {
        assert_eq!(report.ids.contact, first.ids.contact, "{}", report.order);
        assert_eq!(report.ids.folder, first.ids.folder, "{}", report.order);
    }

    let state = billing.sandbox.state();
    assert_eq!(state.contacts.len(), 1);
    assert_eq!(state.folders.len(), 1);
    assert_eq!(state.projects.len(), 4);
    assert_eq!(state.invoices.len(), 4);
    let stored = &state.contacts[0];
    assert_eq!(stored.name1, "Mia");
    assert_eq!(stored.name3.as_deref(), Some("Example"));
    assert_eq!(entries(stored, PHONE_TYPE), ["+420 600 000 001"]);
    assert_eq!(state.folders[0].name, "Example, Mia");
    assert_eq!(
        state.folders[0].comment.as_deref(),
        Some("VAT ID CZ 6000000001")
    );
    for (report, name) in [
        (first, "2024-0101"),
        (second, "2024-0102"),
        (third, "2024-0103"),
        (fourth, "2024-0104"),
    ] {
        let project = project(&state, report.ids.project);
        assert_eq!(project.name, name);
        assert_eq!(Some(project.customer), first.ids.folder, "{name}");
    }
    // 2 x 10.00 + 21 % = 24.20 for R-2; 5.00 + 12 % = 5.60 for R-3.
    assert_eq!(
        only_invoice(&state, second.ids.project).total_amount_with_vat,
        decimal("24.20")
    );
    assert_eq!(
        only_invoice(&state, third.ids.project).total_amount_with_vat,
        decimal("5.60")
    );

    // Only R-2 brings a number not seen before (+420 600 000 002); R-3 brings it again
    // in another form and R-4 brings R-1's: exactly one trigger.
    assert_eq!(state.marketing_triggers.len(), 1);
    let trigger = &state.marketing_triggers[0];
    assert_eq!(second.ids.trigger, Some(trigger.id));
    assert_eq!(trigger.base_type, "new-phone-number");
    assert_eq!(Some(trigger.context_id), first.ids.folder);
    assert_eq!(Some(trigger.contact_id), first.ids.contact);
    assert_eq!(trigger.trigger_date.as_deref(), Some("2024-08-02 10:30"));
    assert_eq!(
        trigger.description.as_deref(),
        Some("Order 2024-0102 brought a new phone number: +420600000002")
    );
    let journal = billing.journal();
    let steps = journal
        .steps_of(
            &"prestashop/shop.example/R-2"
                .parse()
                .unwrap_or_else(|e: String| panic!("{e}")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let trigger_step = steps.iter().find(|record| record.step == Step::Trigger);
    assert_eq!(
        trigger_step.map(|record| record.state),
        Some(StepState::Done)
    );
    drop(journal);

    // A second run sends nothing and changes nothing.
    let before = billing.sandbox.state();
    let again = billing.bill(&[file]).await;
    assert!(
        again
            .iter()
            .all(|r| r.status == OrderStatus::AlreadyInvoiced && r.requests_sent == 0),
        "{again:#?}"
    );
    assert_eq!(billing.sandbox.state(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_get_rules_and_renewals_are_not_invoiced() {
    let billing = Billing::start().await;
    let reports = billing
        .bill(&[orders("cases/woocommerce-subscriptions.json")])
        .await;
    let monthly = invoiced(&reports, "woocommerce/coffee.example.invalid/900");
    let weekly = invoiced(&reports, "woocommerce/coffee.example.invalid/961");
    // 950 renews subscription 900, billed just before in the same batch.
    let renewal = report(&reports, "woocommerce/coffee.example.invalid/950");
    assert_eq!(renewal.status, OrderStatus::RenewalSkipped, "{renewal:#?}");
    let info = renewal
        .renewal
        .as_ref()
        .unwrap_or_else(|| panic!("no renewal info"));
    assert_eq!(info.subscription, "900");
    assert_eq!(
        Some(info.folder_item),
        monthly.ids.folder_items.first().copied()
    );
    assert_eq!(renewal.requests_sent, 0);
    // 960 bills every 2 months: no Atollon frequency, so it is not billed.
    assert_eq!(
        report(&reports, "woocommerce/coffee.example.invalid/960").status,
        OrderStatus::Invalid
    );

    let state = billing.sandbox.state();
    assert_eq!(state.projects.len(), 2, "no project for the renewal");
    assert_eq!(state.invoices.len(), 2);
    assert_eq!(state.recurring_rules.len(), 2);
    let rule = |id: Option<i64>| match state.recurring_rules.iter().find(|r| Some(r.id) == id) {
        Some(rule) => rule,
        None => panic!("no recurring rule {id:?}"),
    };

    // Monthly (`billing_period` month, interval 1): billingFrequency 6. The order paid
    // the first month from 2024-01-31T10:00:00, so the rule starts one month later,
    // clamped to 29 February 2024.
    let monthly_rule = rule(monthly.ids.folder_items.first().copied());
    assert_eq!(monthly_rule.billing_frequency, 6);
    assert_eq!(Some(monthly_rule.folder), monthly.ids.folder);
    assert_eq!(Some(monthly_rule.destination_project), monthly.ids.project);
    assert_eq!(monthly_rule.first_billing_date, "2024-02-29T10:00:00");
    assert_eq!(
        monthly_rule.valid_from.as_deref(),
        Some("2024-02-29T10:00:00")
    );
    assert_eq!(monthly_rule.valid_to, None);
    assert_eq!(monthly_rule.name, "Coffee club");
    assert_eq!(monthly_rule.pricing.total_amount, Some(decimal("20.00")));
    assert_eq!(
        monthly_rule.pricing.total_amount_with_vat,
        Some(decimal("24.20"))
    );
    assert_eq!(monthly_rule.pricing.currency, "EUR");
    // Status 3: the generated items are approved for invoicing.
    assert_eq!(monthly_rule.billing_status, 3);

    // Weekly (line meta `_subscription_period` week): billingFrequency 8, from
    // 2024-03-01T08:00:00 + 7 days.
    let weekly_rule = rule(weekly.ids.folder_items.first().copied());
    assert_eq!(weekly_rule.billing_frequency, 8);
    assert_eq!(weekly_rule.first_billing_date, "2024-03-08T08:00:00");
    assert_eq!(
        weekly_rule.pricing.total_amount_with_vat,
        Some(decimal("6.05"))
    );

    // A later renewal of subscription 900, in a file of its own, is not invoiced either.
    let later = billing
        .bill(&[orders("cases/woocommerce-renewal.json")])
        .await;
    assert_eq!(later[0].order, "woocommerce/coffee.example.invalid/951");
    assert_eq!(later[0].status, OrderStatus::RenewalSkipped);
    let after = billing.sandbox.state();
    assert_eq!(after.projects.len(), 2);
    assert_eq!(after.invoices.len(), 2);
    assert_eq!(after.billing_items.len(), state.billing_items.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workflow_queue_checked_when_configured() {
    let text = match std::fs::read_to_string(example_config()) {
        Ok(text) => text,
        Err(error) => panic!("{error}"),
    };
    let text = text.replace(
        "check_workflow_queue = false",
        "check_workflow_queue = true",
    );
    let config = match Config::parse(&text, std::path::Path::new("workflow.toml")) {
        Ok(config) => config,
        Err(error) => panic!("{error}"),
    };
    assert!(config.billing.check_workflow_queue);
    let billing = Billing::with_config(config).await;
    let reports = billing.bill(&[orders("woocommerce-order.json")]).await;
    let report = invoiced(&reports, "woocommerce/example.com/727");
    // QuickLogin is not counted: contact, folder, project, 3 items, invoice, workflow.
    assert_eq!(report.requests_sent, 8);
    let journal = billing.journal();
    let steps = journal
        .steps_of(
            &"woocommerce/example.com/727"
                .parse()
                .unwrap_or_else(|e: String| panic!("{e}")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let workflow = steps.iter().find(|record| record.step == Step::Workflow);
    assert_eq!(workflow.map(|record| record.state), Some(StepState::Done));
}
