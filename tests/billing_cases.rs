//! One hand-written order file per format and rule, in `tests/data/orders/cases/`, with
//! the expected values worked out in the comments.

#![cfg(feature = "billing")]

#[path = "billing_expected.rs"]
mod billing_expected;

use atollon::billing::config::Config;
use atollon::billing::mapping::{plan_order, BillingItem, ContactKind, OrderPlan};
use atollon::billing::model::{LineKind, Order, ParseOptions};
use atollon::billing::{read_file, MapError, OrderError};
use billing_expected::{dec, example_config_path, order_file, DEFAULT_PRODUCT, SKU_1_PRODUCT};

fn config() -> Config {
    Config::load(&example_config_path()).expect("example configuration loads")
}

fn orders(case: &str) -> Vec<Result<Order, OrderError>> {
    let path = order_file(&format!("cases/{case}"));
    read_file(&path, None, &ParseOptions::default())
        .unwrap_or_else(|error| panic!("{error}"))
        .orders
}

fn plans(case: &str) -> Vec<Result<OrderPlan, MapError>> {
    let config = config();
    orders(case)
        .into_iter()
        .map(|order| plan_order(&order.unwrap_or_else(|e| panic!("{e}")), &config))
        .collect()
}

fn only_plan(case: &str) -> OrderPlan {
    let mut all = plans(case);
    assert_eq!(all.len(), 1, "{case}: one order");
    all.remove(0).unwrap_or_else(|e| panic!("{e}"))
}

/// Checks kind, product, quantity, amount, totalAmount, totalAmountWithVat and vatValue.
fn check_item(item: &BillingItem, kind: LineKind, product: i64, values: [&str; 5]) {
    let [quantity, amount, total, gross, rate] = values;
    let at = &item.name;
    assert_eq!(item.kind, kind, "{at}: kind");
    assert_eq!(item.product_id, product, "{at}: product");
    assert_eq!(item.quantity, dec(quantity), "{at}: quantity");
    assert_eq!(item.amount, dec(amount), "{at}: amount");
    assert_eq!(item.total_amount, dec(total), "{at}: totalAmount");
    assert_eq!(
        item.total_amount_with_vat,
        dec(gross),
        "{at}: totalAmountWithVat"
    );
    assert_eq!(item.vat_value, dec(rate), "{at}: vatValue");
}

fn warning_kinds(plan: &OrderPlan) -> Vec<&'static str> {
    plan.warnings.iter().map(|w| w.kind.as_str()).collect()
}

mod billing {
    use super::*;

    #[test]
    fn woocommerce_rates_fees_coupons_and_gifts() {
        let plan = only_plan("woocommerce-mixed-rates.json");
        assert_eq!(plan.key.to_string(), "woocommerce/shop.example.invalid/801");
        assert_eq!(plan.items.len(), 6);

        // Coupon TEN is already in `total` (30.00 -> 27.00): 27.00 / 3 = 9.00, catalog
        // price 30.00 / 3 = 10.00. Rate id 2 has no rate_percent: 3.24 / 27.00 and
        // 1.20 / 10.00 are both 12 %. SKU-1 maps to its product.
        check_item(
            &plan.items[0],
            LineKind::Product,
            SKU_1_PRODUCT,
            ["3", "9.00", "27.00", "30.24", "12"],
        );
        assert_eq!(plan.items[0].catalog_price, dec("10.00"));
        assert_eq!(plan.items[0].name, "Tea & Honey Set");
        // 45.00 + 9.45 = 54.45 at rate_percent 21; `&ndash;` decoded, BEL removed.
        check_item(
            &plan.items[1],
            LineKind::Product,
            DEFAULT_PRODUCT,
            ["1", "45.00", "45.00", "54.45", "21"],
        );
        assert_eq!(plan.items[1].name, "Kettle – steel");
        // A gift at 0.00 is billed at 0, with its rate id's 12 %.
        check_item(
            &plan.items[2],
            LineKind::Product,
            DEFAULT_PRODUCT,
            ["1", "0.00", "0.00", "0.00", "12"],
        );
        // 10.00 / 3 = 3.3333 (four places); totalAmount stays the shop's 10.00.
        check_item(
            &plan.items[3],
            LineKind::Product,
            DEFAULT_PRODUCT,
            ["3", "3.3333", "10.00", "11.20", "12"],
        );
        // Shipping and the fee are items with their own rate: 5.00 + 1.05, 2.00 + 0.42.
        check_item(
            &plan.items[4],
            LineKind::Shipping,
            DEFAULT_PRODUCT,
            ["1", "5.00", "5.00", "6.05", "21"],
        );
        check_item(
            &plan.items[5],
            LineKind::Fee,
            DEFAULT_PRODUCT,
            ["1", "2.00", "2.00", "2.42", "21"],
        );

        // 30.24 + 54.45 + 0 + 11.20 + 6.05 + 2.42 = 104.36 = `total`.
        assert_eq!(plan.reconciliation.billed_gross, dec("104.36"));
        assert!(plan.reconciliation.within_tolerance);
        assert_eq!(warning_kinds(&plan), ["character-removed"]);
        assert!(
            plan.warnings[0].message.contains("line_items[1].name"),
            "{}",
            plan.warnings[0]
        );
    }

    #[test]
    fn woocommerce_company_contact_and_keys() {
        let plan = only_plan("woocommerce-mixed-rates.json");
        let contact = &plan.contact;
        assert_eq!(contact.kind, ContactKind::Company);
        assert_eq!(contact.name1, "Example & Co s.r.o.");
        assert_eq!(contact.name3, None);
        assert_eq!(contact.first_name.as_deref(), Some("Jana"));
        assert_eq!(contact.last_name.as_deref(), Some("Nováková"));
        assert_eq!(contact.company_id.as_deref(), Some("12345678"));
        assert_eq!(contact.vat_id.as_deref(), Some("CZ12345678"));
        assert_eq!(plan.folder.name, "Example & Co s.r.o.");
        let keys = &plan.customer_keys;
        assert_eq!(keys.shop_customer_id.as_deref(), Some("15"));
        assert_eq!(keys.email.as_deref(), Some("jana.novakova@example.invalid"));
        assert_eq!(keys.company_id.as_deref(), Some("12345678"));
        assert_eq!(keys.vat_id.as_deref(), Some("CZ12345678"));
        let address = contact.address.as_ref().unwrap();
        assert_eq!(address.street.as_deref(), Some("Ukázková 12"));
        assert_eq!(address.zip.as_deref(), Some("110 00"));
        // WooCommerce gives only the country code.
        assert_eq!(address.country.as_deref(), Some("CZ"));
    }

    #[test]
    fn woocommerce_subscription_renewal_and_intervals() {
        let all = plans("woocommerce-subscriptions.json");
        assert_eq!(all.len(), 4);

        // Subscription object 900: monthly, from 2024-01-31T10:00:00; the order pays the
        // first month, so the rule starts one month later, clamped to 29 February 2024.
        let subscription = all[0].as_ref().unwrap();
        assert_eq!(subscription.items.len(), 1);
        check_item(
            &subscription.items[0],
            LineKind::Product,
            DEFAULT_PRODUCT,
            ["1", "20.00", "20.00", "24.20", "21"],
        );
        assert_eq!(subscription.folder_items.len(), 1);
        let rule = &subscription.folder_items[0];
        assert_eq!(rule.billing_frequency, 6);
        assert_eq!(rule.valid_from, "2024-02-29T10:00:00");
        assert_eq!(rule.item.billing_date, "2024-02-29T10:00:00");
        assert_eq!(rule.valid_to, None);
        assert_eq!(rule.subscription_id.as_deref(), Some("900"));
        assert_eq!(rule.subscription_key, "900");
        assert_eq!(rule.item.total_amount_with_vat, dec("24.20"));
        let steps: Vec<String> = subscription
            .steps(false)
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            steps,
            [
                "contact",
                "folder",
                "project",
                "item:0",
                "invoice",
                "folder_item:0"
            ]
        );

        // Order 950 renews subscription 900 (`_subscription_renewal`): billed like any
        // order when the subscription is unknown, but it starts no second rule.
        let renewal = all[1].as_ref().unwrap();
        assert_eq!(renewal.renewal_of, ["900"]);
        assert!(renewal.folder_items.is_empty());
        assert_eq!(renewal.items.len(), 1);

        // Every 2 months has no billingFrequency: an error naming the order and line.
        let error = all[2].as_ref().unwrap_err();
        assert_eq!(
            error.order.to_string(),
            "woocommerce/coffee.example.invalid/960"
        );
        assert_eq!(error.field, "line_items[0].subscription");
        assert!(error.message.contains("every 2 month(s)"), "{error}");

        // Weekly from line meta: frequency 8; the line names no subscription id, so the
        // journal key is ORDER_ID:LINE. 2024-03-01 + 7 days = 2024-03-08.
        let weekly = all[3].as_ref().unwrap();
        let rule = &weekly.folder_items[0];
        assert_eq!(rule.billing_frequency, 8);
        assert_eq!(rule.valid_from, "2024-03-08T08:00:00");
        assert_eq!(rule.subscription_id, None);
        assert_eq!(rule.subscription_key, "961:0");
    }

    #[test]
    fn shopify_presentment_money_and_taxes_included() {
        let plan = only_plan("shopify-taxes-included.json");
        assert_eq!(
            plan.key.to_string(),
            "shopify/muster-shop.myshopify.com/820"
        );
        assert_eq!(plan.order_number, "#2001");

        // The customer paid in EUR; the USD shop money must not be used.
        assert!(plan.items.iter().all(|item| item.currency == "EUR"));
        // Book: 2 x 10.70 gross = 21.40 - 2.14 allocated discount = 19.26 gross, which
        // includes 1.26 tax (19.26 / 1.07 = 18.00 net); 18.00 / 2 = 9.00.
        check_item(
            &plan.items[0],
            LineKind::Product,
            DEFAULT_PRODUCT,
            ["2", "9.00", "18.00", "19.26", "7"],
        );
        // Headphones: 119.00 gross including 19.00 tax (19 %): 100.00 net.
        check_item(
            &plan.items[1],
            LineKind::Product,
            DEFAULT_PRODUCT,
            ["1", "100.00", "100.00", "119.00", "19"],
        );
        // Shipping: 5.95 gross including 0.95 tax: 5.00 net.
        check_item(
            &plan.items[2],
            LineKind::Shipping,
            DEFAULT_PRODUCT,
            ["1", "5.00", "5.00", "5.95", "19"],
        );

        // 19.26 + 119.00 + 5.95 = 144.21 = total_price_set.presentment_money.
        assert_eq!(plan.reconciliation.order_gross, dec("144.21"));
        assert!(plan.reconciliation.within_tolerance);

        assert_eq!(plan.contact.kind, ContactKind::Company);
        assert_eq!(plan.contact.name1, "Muster GmbH");
        assert_eq!(plan.folder.name, "Muster GmbH");
        // 12:30 at +02:00 stays 12:30.
        assert_eq!(plan.items[0].billing_date, "2024-05-06T12:30:00");
        assert_eq!(
            plan.customer_keys.email.as_deref(),
            Some("buyer@example.invalid")
        );
        assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    }

    #[test]
    fn shopify_webhook_body_with_cumulative_taxes() {
        let plan = only_plan("shopify-webhook.json");
        assert_eq!(plan.key.to_string(), "shopify/maple.myshopify.com/830");
        // 2 x 15.00 - 3.00 `total_discount` = 27.00 net; GST 1.35 + PST 1.89 = 3.24 tax,
        // 5 % + 7 % = 12 %; 27.00 / 2 = 13.50.
        check_item(
            &plan.items[0],
            LineKind::Product,
            DEFAULT_PRODUCT,
            ["2", "13.50", "27.00", "30.24", "12"],
        );
        assert_eq!(plan.items[0].catalog_price, dec("15.00"));
        assert_eq!(plan.items[0].currency, "CAD");
        assert_eq!(plan.contact.kind, ContactKind::Person);
        assert_eq!(plan.contact.name1, "Léa");
        assert_eq!(plan.contact.name3.as_deref(), Some("Tremblay"));
        assert_eq!(plan.folder.name, "Tremblay, Léa");
        assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    }

    #[test]
    fn shoptet_split_shipping_gift_discount_and_entities() {
        let results = orders("shoptet-cases.xml");
        assert_eq!(results.len(), 4);
        let config = config();
        let plan = plan_order(results[0].as_ref().unwrap(), &config).unwrap();
        assert_eq!(plan.items.len(), 6);

        // `&amp;quot;` in XML is `&quot;` in the text, decoded once more as HTML.
        assert_eq!(plan.items[0].name, "Kniha \"Čaj\"");
        check_item(
            &plan.items[0],
            LineKind::Product,
            DEFAULT_PRODUCT,
            ["1", "10.00", "10.00", "11.00", "10"],
        );
        // Unit 4.88 as stated; the line is 18.00 / 1.23 = 14.63, not 3 x 4.88 = 14.64.
        check_item(
            &plan.items[1],
            LineKind::Product,
            DEFAULT_PRODUCT,
            ["3", "4.88", "14.63", "18.00", "23"],
        );
        // TYPE gift at 0.00 is billed at 0.
        check_item(
            &plan.items[2],
            LineKind::Product,
            DEFAULT_PRODUCT,
            ["1", "0.00", "0.00", "0.00", "23"],
        );
        // Shipping split per rate stays two items: 3.00 at 23 %, 1.00 at 10 %. Without
        // UNIT_PRICE the unit price is the total / quantity.
        check_item(
            &plan.items[3],
            LineKind::Shipping,
            DEFAULT_PRODUCT,
            ["1", "3.00", "3.00", "3.69", "23"],
        );
        check_item(
            &plan.items[4],
            LineKind::Shipping,
            DEFAULT_PRODUCT,
            ["1", "1.00", "1.00", "1.10", "10"],
        );
        // volume-discount is a discount line: -1.00 net, -1.23 gross.
        check_item(
            &plan.items[5],
            LineKind::Discount,
            DEFAULT_PRODUCT,
            ["1", "-1.00", "-1.00", "-1.23", "23"],
        );

        // 11.00 + 18.00 + 0 + 3.69 + 1.10 - 1.23 = 32.56.
        assert_eq!(plan.reconciliation.billed_gross, dec("32.56"));
        assert!(plan.reconciliation.within_tolerance);
        // 14.63 x 23 % = 3.3649 against the stated 3.37 is within one cent: no warning.
        assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);

        assert_eq!(plan.contact.kind, ContactKind::Person);
        assert_eq!(plan.contact.name1, "Petra");
        assert_eq!(plan.contact.name3.as_deref(), Some("Ukážková"));
        assert_eq!(plan.folder.name, "Ukážková, Petra");
        assert_eq!(
            plan.contact.address.as_ref().unwrap().street.as_deref(),
            Some("Hlavná 1")
        );
    }

    #[test]
    fn shoptet_company_id_alone_makes_company() {
        let results = orders("shoptet-cases.xml");
        let plan = plan_order(results[3].as_ref().unwrap(), &config()).unwrap();
        // AMOUNT 0,5 uses a decimal comma: 0.5 kg; 10.00 / 1.23 = 8.13 net.
        check_item(
            &plan.items[0],
            LineKind::Product,
            DEFAULT_PRODUCT,
            ["0.5", "16.26", "8.13", "10.00", "23"],
        );
        assert_eq!(plan.contact.kind, ContactKind::Company);
        assert_eq!(plan.contact.company_id.as_deref(), Some("87654321"));
        // No company name: the person's name names the company and its folder.
        assert_eq!(plan.contact.name1, "Firemný, Ján");
        assert_eq!(plan.folder.name, "Firemný, Ján");
    }

    #[test]
    fn canonical_subscriptions_discount_and_computed_tax() {
        let all = plans("canonical-orders.json");
        assert_eq!(all.len(), 4);
        let plan = all[0].as_ref().unwrap();
        assert_eq!(plan.key.to_string(), "prestashop/shop.example/C-1");
        assert_eq!(plan.order_number, "2024-0001");
        check_item(
            &plan.items[0],
            LineKind::Product,
            SKU_1_PRODUCT,
            ["1", "120.00", "120.00", "145.20", "21"],
        );
        // gross_total 36.30 given: tax 6.30; 30.00 / 2 = 15.00.
        check_item(
            &plan.items[1],
            LineKind::Product,
            DEFAULT_PRODUCT,
            ["2", "15.00", "30.00", "36.30", "21"],
        );
        // Neither tax nor gross: 10.00 x 21 % = 2.10.
        check_item(
            &plan.items[2],
            LineKind::Fee,
            DEFAULT_PRODUCT,
            ["1", "10.00", "10.00", "12.10", "21"],
        );
        check_item(
            &plan.items[3],
            LineKind::Discount,
            DEFAULT_PRODUCT,
            ["1", "-5.00", "-5.00", "-6.05", "21"],
        );
        // 145.20 + 36.30 + 12.10 - 6.05 = 187.55.
        assert!(plan.reconciliation.within_tolerance);

        assert_eq!(plan.folder_items.len(), 2);
        // Yearly: frequency 2, first renewal 2025-07-01T12:00:00.
        assert_eq!(plan.folder_items[0].billing_frequency, 2);
        assert_eq!(plan.folder_items[0].valid_from, "2025-07-01T12:00:00");
        assert_eq!(plan.folder_items[0].subscription_key, "SUB-Y");
        // Every 3 months from the stated start 2024-07-01: frequency 4, 2024-10-01.
        assert_eq!(plan.folder_items[1].billing_frequency, 4);
        assert_eq!(plan.folder_items[1].valid_from, "2024-10-01T00:00:00");
        assert_eq!(plan.folder_items[1].line_index, 1);

        assert_eq!(plan.contact.kind, ContactKind::Company);
        assert_eq!(plan.customer_keys.company_id.as_deref(), Some("123456"));
        assert_eq!(plan.customer_keys.vat_id.as_deref(), Some("GB123456789"));
        assert_eq!(
            plan.customer_keys.email.as_deref(),
            Some("billing@example-ltd.invalid")
        );
        // "+44 20 0000 0000" and "+44 (20) 0000-0000" are one number.
        assert_eq!(plan.phones, ["+442000000000", "+447700900000"]);
        let phones: Vec<&str> = plan
            .contact
            .contacts
            .iter()
            .filter(|c| c.contact_type == 132035101)
            .map(|c| c.content.as_str())
            .collect();
        assert_eq!(phones, ["+44 20 0000 0000", "+44 7700 900000"]);
    }

    #[test]
    fn canonical_renewal_reconciliation_and_fallbacks() {
        let all = plans("canonical-orders.json");
        // C-2 renews SUB-Y: no new rule.
        let renewal = all[1].as_ref().unwrap();
        assert_eq!(renewal.renewal_of, ["SUB-Y"]);
        assert!(renewal.folder_items.is_empty());
        assert_eq!(renewal.order_number, "C-2");

        // C-3: 10.00 + 2.10 = 12.10 billed against a stated 12.50: -0.40 is beyond one
        // cent for one line, a warning and not an error.
        let mismatch = all[2].as_ref().unwrap();
        assert_eq!(mismatch.key.to_string(), "prestashop/default/C-3");
        assert_eq!(mismatch.reconciliation.difference, dec("-0.40"));
        assert_eq!(mismatch.reconciliation.tolerance, dec("0.01"));
        assert!(!mismatch.reconciliation.within_tolerance);
        assert_eq!(mismatch.items[0].billing_date, "2024-07-02T08:30:00");
        assert_eq!(warning_kinds(mismatch), ["reconciliation", "fallback"]);
        // Known only by e-mail: it names the person and the folder.
        assert_eq!(mismatch.contact.name1, "nobody@example.invalid");
        assert_eq!(mismatch.folder.name, "nobody@example.invalid");

        let error = all[3].as_ref().unwrap_err();
        assert_eq!(error.order.to_string(), "prestashop/default/C-4");
        assert_eq!(error.field, "lines[0].subscription");
    }

    #[test]
    fn frequency_table() {
        use atollon::billing::mapping::billing_frequency;
        use atollon::billing::model::BillingPeriod::{Day, Month, Week, Year};
        assert_eq!(billing_frequency(Year, 1), Some(2));
        assert_eq!(billing_frequency(Month, 12), Some(2));
        assert_eq!(billing_frequency(Month, 3), Some(4));
        assert_eq!(billing_frequency(Month, 1), Some(6));
        assert_eq!(billing_frequency(Week, 1), Some(8));
        assert_eq!(billing_frequency(Day, 7), Some(8));
        assert_eq!(billing_frequency(Day, 1), Some(10));
        assert_eq!(billing_frequency(Month, 2), None);
        assert_eq!(billing_frequency(Week, 2), None);
        assert_eq!(billing_frequency(Year, 2), None);
    }
}
