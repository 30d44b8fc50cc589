//! The sample orders, parsed and mapped, checked field by field against the values
//! worked out by hand in `billing_expected.rs`.

#![cfg(feature = "billing")]

#[path = "billing_expected.rs"]
mod billing_expected;

use atollon::billing::config::Config;
use atollon::billing::mapping::{plan_order, ContactKind, OrderPlan};
use atollon::billing::model::ParseOptions;
use atollon::billing::{read_file, Format};
use billing_expected::{dec, example_config_path, order_file, ExpectedOrder};

fn plan_sample(expected: &ExpectedOrder) -> OrderPlan {
    let config = Config::load(&example_config_path()).expect("example configuration loads");
    let parsed = read_file(&order_file(expected.file), None, &ParseOptions::default())
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(parsed.orders.len(), 1, "{}: one order", expected.file);
    let order = parsed.orders[0]
        .as_ref()
        .unwrap_or_else(|error| panic!("{error}"));
    plan_order(order, &config).unwrap_or_else(|error| panic!("{error}"))
}

fn check_plan(expected: &ExpectedOrder) {
    let plan = plan_sample(expected);
    let file = expected.file;
    assert_eq!(plan.key.platform, expected.key.0, "{file}: platform");
    assert_eq!(plan.key.shop, expected.key.1, "{file}: shop");
    assert_eq!(plan.key.order_id, expected.key.2, "{file}: order id");
    assert_eq!(plan.order_number, expected.number, "{file}: order number");
    assert_eq!(plan.project.name, expected.number, "{file}: project name");
    assert_eq!(
        plan.project.invoice_journal, 133150101,
        "{file}: invoice journal"
    );
    assert_eq!(
        plan.project.project_template, 133297101,
        "{file}: project template"
    );
    assert_eq!(plan.project.provider, 132740101, "{file}: provider");

    let contact = &plan.contact;
    let kind = match contact.kind {
        ContactKind::Person => "PERSON",
        ContactKind::Company => "COMPANY",
    };
    assert_eq!(kind, expected.contact_kind, "{file}: contact kind");
    assert_eq!(contact.name1, expected.name1, "{file}: name1");
    assert_eq!(contact.name3.as_deref(), expected.name3, "{file}: name3");
    assert_eq!(
        contact.company_id.as_deref(),
        expected.company_id,
        "{file}: company id"
    );
    assert_eq!(contact.vat_id.as_deref(), expected.vat_id, "{file}: VAT id");
    assert_eq!(contact.language, 131428101, "{file}: language");
    let emails: Vec<&str> = contact
        .contacts
        .iter()
        .filter(|c| c.contact_type == 132031101)
        .map(|c| c.content.as_str())
        .collect();
    assert_eq!(emails, vec![expected.email], "{file}: e-mail contacts");
    let phones: Vec<&str> = contact
        .contacts
        .iter()
        .filter(|c| c.contact_type == 132035101)
        .map(|c| c.content.as_str())
        .collect();
    assert_eq!(phones, expected.phones, "{file}: phone contacts");
    let address = contact.address.as_ref().expect("billing address");
    assert_eq!(address.address_type, 132027101, "{file}: address type");

    assert_eq!(
        plan.folder.name, expected.folder_name,
        "{file}: folder name"
    );
    assert_eq!(plan.folder.template, 130944101, "{file}: folder template");
    assert_eq!(
        plan.customer_keys.shop_customer_id.as_deref(),
        expected.shop_customer_id,
        "{file}: shop customer id"
    );
    assert_eq!(
        plan.customer_keys.email.as_deref(),
        Some(expected.email_key),
        "{file}: e-mail key"
    );

    assert_eq!(plan.items.len(), expected.items.len(), "{file}: item count");
    for (i, (item, want)) in plan.items.iter().zip(&expected.items).enumerate() {
        let at = format!("{file}: item {i} ({})", want.name);
        assert_eq!(item.kind.as_str(), want.kind, "{at}: kind");
        assert_eq!(item.name, want.name, "{at}: name");
        assert_eq!(item.sku.as_deref(), want.sku, "{at}: sku");
        assert_eq!(item.product_id, want.product_id, "{at}: product");
        assert_eq!(item.quantity, dec(want.quantity), "{at}: quantity");
        assert_eq!(item.amount, dec(want.amount), "{at}: amount");
        assert_eq!(
            item.catalog_price,
            dec(want.catalog_price),
            "{at}: catalog price"
        );
        assert_eq!(
            item.total_amount,
            dec(want.total_amount),
            "{at}: totalAmount"
        );
        assert_eq!(
            item.total_amount_with_vat,
            dec(want.total_amount_with_vat),
            "{at}: totalAmountWithVat"
        );
        assert_eq!(item.vat_value, dec(want.vat_value), "{at}: vatValue");
        assert_eq!(item.currency, expected.currency, "{at}: currency");
        assert_eq!(
            item.billing_date, expected.billing_date,
            "{at}: billing date"
        );
        assert_eq!(item.billing_status, 3, "{at}: billing status");
    }
    assert!(plan.folder_items.is_empty(), "{file}: no subscriptions");
    assert_eq!(
        plan.reconciliation.order_gross,
        dec(expected.order_gross),
        "{file}: order total"
    );
    assert!(plan.reconciliation.within_tolerance, "{file}: reconciles");
    let kinds: Vec<&str> = plan.warnings.iter().map(|w| w.kind.as_str()).collect();
    assert_eq!(
        kinds, expected.warning_kinds,
        "{file}: warnings {:?}",
        plan.warnings
    );
}

/// The tests sit in a module named `billing` so that the project's test filter
/// `cargo test --features billing billing` selects them.
mod billing {
    use super::*;

    #[test]
    fn woocommerce_sample_maps_to_expected_items() {
        check_plan(&billing_expected::woocommerce_727());
    }

    #[test]
    fn shopify_sample_maps_to_expected_items() {
        check_plan(&billing_expected::shopify_450789469());
    }

    #[test]
    fn shoptet_sample_maps_to_expected_items() {
        check_plan(&billing_expected::shoptet_1234());
    }

    #[test]
    fn samples_detected_by_content() {
        for (file, format) in [
            ("woocommerce-order.json", Format::WooCommerce),
            ("shopify-orders.json", Format::Shopify),
            ("shoptet-orders.xml", Format::Shoptet),
        ] {
            let parsed = read_file(&order_file(file), None, &ParseOptions::default()).unwrap();
            assert_eq!(parsed.format, format, "{file}");
        }
    }

    #[test]
    fn sample_steps_in_flow_order() {
        let plan = plan_sample(&billing_expected::woocommerce_727());
        let steps: Vec<String> = plan.steps(false).iter().map(|s| s.to_string()).collect();
        // Three lines: item:0 to item:2; the example configuration sets no workflow check.
        assert_eq!(
            steps,
            ["contact", "folder", "project", "item:0", "item:1", "item:2", "invoice"]
        );
        let with_trigger: Vec<String> = plan.steps(true).iter().map(|s| s.to_string()).collect();
        assert_eq!(with_trigger.last().map(String::as_str), Some("trigger"));
    }

    #[test]
    fn shopify_sample_phones_and_trigger() {
        let plan = plan_sample(&billing_expected::shopify_450789469());
        assert_eq!(
            plan.phones,
            ["+15550100", "+15550101", "+15550102", "+15550103"]
        );
        let known = vec!["+15550100".to_owned(), "+15550102".to_owned()];
        let new = plan.phones_not_seen(&known);
        assert_eq!(new, ["+15550101", "+15550103"]);
        let trigger = plan.new_phone_trigger(&new, 139663101, 139676101);
        assert_eq!(trigger.base_type, "new-phone-number");
        assert_eq!(trigger.contact_id, 139663101);
        assert_eq!(trigger.context_id, 139676101);
        assert_eq!(trigger.trigger_date, "2008-01-10 11:00");
        assert_eq!(
            trigger.description,
            "Order #1001 brought a new phone number: +15550101, +15550103"
        );
    }
}
