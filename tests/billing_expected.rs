//! Expected Atollon values of the sample orders in `tests/data/orders/`, worked out by
//! hand from the files, with the arithmetic beside each value.
//!
//! Other test crates include this file with
//! `#[path = "billing_expected.rs"] mod billing_expected;` and compare these values with
//! what they bill (the mapping here, the sandbox's stored objects in flow tests).
//! Amounts are decimal strings, compared as decimals (`3.00` equals `3`).

#![cfg(feature = "billing")]
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;

/// Returns the path of a file below `tests/data/orders/`.
pub fn order_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/orders")
        .join(name)
}

/// Returns the path of `atollon.example.toml`.
pub fn example_config_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("atollon.example.toml")
}

/// Parses a decimal literal of a test.
pub fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or_else(|_| panic!("test literal {text:?} is not a decimal"))
}

/// Default product of the example configuration (`ids.default_product`).
pub const DEFAULT_PRODUCT: i64 = 133629101;
/// Product of SKU `SKU-1` in the example configuration's `[products]`.
pub const SKU_1_PRODUCT: i64 = 133629102;

/// One expected CreateProjectItem.
#[derive(Debug, Clone)]
pub struct ExpectedItem {
    /// `product`, `shipping`, `fee` or `discount`.
    pub kind: &'static str,
    /// `name`, after HTML entities are decoded.
    pub name: &'static str,
    /// The shop's SKU.
    pub sku: Option<&'static str>,
    /// `item`.
    pub product_id: i64,
    /// `quantity`.
    pub quantity: &'static str,
    /// `amount`: net unit price.
    pub amount: &'static str,
    /// `catalogPrice`.
    pub catalog_price: &'static str,
    /// `totalAmount`: net line total as the shop computed it.
    pub total_amount: &'static str,
    /// `totalAmountWithVat`.
    pub total_amount_with_vat: &'static str,
    /// `vatValue`, percent.
    pub vat_value: &'static str,
}

/// One expected order: contact, folder, project and items.
#[derive(Debug, Clone)]
pub struct ExpectedOrder {
    /// File below `tests/data/orders/`.
    pub file: &'static str,
    /// Journal key: platform, shop, order id.
    pub key: (&'static str, &'static str, &'static str),
    /// Order number, also the deal's name.
    pub number: &'static str,
    /// Invoice currency.
    pub currency: &'static str,
    /// `billingDate` of every item.
    pub billing_date: &'static str,
    /// `PERSON` or `COMPANY`.
    pub contact_kind: &'static str,
    /// CreateContact `name1`.
    pub name1: &'static str,
    /// CreateContact `name3`.
    pub name3: Option<&'static str>,
    /// Company id kept on the contact.
    pub company_id: Option<&'static str>,
    /// VAT id kept on the contact.
    pub vat_id: Option<&'static str>,
    /// E-mail as sent.
    pub email: &'static str,
    /// Phone numbers as sent, first is main.
    pub phones: &'static [&'static str],
    /// Customer folder name.
    pub folder_name: &'static str,
    /// Shop customer id, a matching key.
    pub shop_customer_id: Option<&'static str>,
    /// Normalised e-mail, a matching key.
    pub email_key: &'static str,
    /// Billing items in line order.
    pub items: Vec<ExpectedItem>,
    /// Gross order total as the shop states it.
    pub order_gross: &'static str,
    /// Warning kinds of the plan, in order.
    pub warning_kinds: &'static [&'static str],
}

/// WooCommerce REST v3 order 727 (`woocommerce-order.json`).
pub fn woocommerce_727() -> ExpectedOrder {
    ExpectedOrder {
        file: "woocommerce-order.json",
        // The shop is the host of `_links.self[0].href`.
        key: ("woocommerce", "example.com", "727"),
        number: "727",
        currency: "USD",
        billing_date: "2017-03-22T16:28:02",
        // `billing.company` is empty: a person, first name in name1.
        contact_kind: "PERSON",
        name1: "Fictional",
        name3: Some("Buyer"),
        company_id: None,
        vat_id: None,
        email: "fictional.buyer@example.invalid",
        phones: &["+1 555 0100"],
        folder_name: "Buyer, Fictional",
        // `customer_id` 0 is a guest checkout.
        shop_customer_id: None,
        email_key: "fictional.buyer@example.invalid",
        items: vec![
            ExpectedItem {
                kind: "product",
                name: "Woo Single #1",
                // `sku` is "": no SKU, so the default product.
                sku: None,
                product_id: DEFAULT_PRODUCT,
                quantity: "2",
                // 6.00 net / 2 = 3.00; `subtotal` 6.00 / 2 = 3.00 before coupons.
                amount: "3.00",
                catalog_price: "3.00",
                total_amount: "6.00",
                // 6.00 + 0.45 tax = 6.45.
                total_amount_with_vat: "6.45",
                // tax_lines has no rate_percent: 0.45 / 6.00 = 7.5 % (and 0.90 / 12.00 on
                // the other line at rate id 75).
                vat_value: "7.5",
            },
            ExpectedItem {
                kind: "product",
                // `&ndash;` decoded.
                name: "Ship Your Idea – Color: Black, Size: M Test",
                sku: Some("Bar3"),
                // Bar3 is not in [products].
                product_id: DEFAULT_PRODUCT,
                quantity: "1",
                amount: "12.00",
                catalog_price: "12.00",
                total_amount: "12.00",
                // 12.00 + 0.90 = 12.90.
                total_amount_with_vat: "12.90",
                vat_value: "7.5",
            },
            ExpectedItem {
                kind: "shipping",
                name: "Flat Rate",
                sku: None,
                product_id: DEFAULT_PRODUCT,
                quantity: "1",
                amount: "10.00",
                catalog_price: "10.00",
                total_amount: "10.00",
                // `total_tax` 0.00 and no `taxes`: 0 %.
                total_amount_with_vat: "10.00",
                vat_value: "0",
            },
        ],
        // 6.45 + 12.90 + 10.00 = 29.35 = `total`.
        order_gross: "29.35",
        warning_kinds: &[],
    }
}

/// Shopify order 450789469 of `shopify-orders.json`.
pub fn shopify_450789469() -> ExpectedOrder {
    let ipod = |name, sku, discount_net: &'static str, gross: &'static str| ExpectedItem {
        kind: "product",
        name,
        sku: Some(sku),
        product_id: DEFAULT_PRODUCT,
        quantity: "1",
        amount: discount_net,
        // `price` 199.00 excludes tax (`taxes_included` false), before the discount.
        catalog_price: "199.00",
        total_amount: discount_net,
        total_amount_with_vat: gross,
        // `tax_lines[0].rate` 0.06 = 6 %.
        vat_value: "6",
    };
    ExpectedOrder {
        file: "shopify-orders.json",
        // The shop is the host of `order_status_url`.
        key: ("shopify", "jsmith.myshopify.com", "450789469"),
        number: "#1001",
        // `presentment_currency` USD.
        currency: "USD",
        // 2008-01-10T11:00:00-05:00, local time kept, zone dropped.
        billing_date: "2008-01-10T11:00:00",
        contact_kind: "PERSON",
        name1: "Fictional",
        name3: Some("Buyer"),
        company_id: None,
        vat_id: None,
        email: "fictional.buyer@example.invalid",
        // billing_address.phone, order phone, customer phone, default address phone.
        phones: &["+1 555 0100", "+1 555 0101", "+1 555 0102", "+1 555 0103"],
        folder_name: "Buyer, Fictional",
        shop_customer_id: Some("207119551"),
        email_key: "fictional.buyer@example.invalid",
        items: vec![
            // 199.00 - 3.34 allocated discount = 195.66 net; + 3.98 tax = 199.64.
            ipod(
                "IPod Nano - 8gb - green",
                "IPOD2008GREEN",
                "195.66",
                "199.64",
            ),
            // 199.00 - 3.33 = 195.67; + 3.98 = 199.65.
            ipod("IPod Nano - 8gb - red", "IPOD2008RED", "195.67", "199.65"),
            // 199.00 - 3.33 = 195.67; + 3.98 = 199.65.
            ipod(
                "IPod Nano - 8gb - black",
                "IPOD2008BLACK",
                "195.67",
                "199.65",
            ),
            ExpectedItem {
                kind: "shipping",
                name: "Free Shipping",
                sku: None,
                product_id: DEFAULT_PRODUCT,
                quantity: "1",
                // A real line priced 0.00 is billed at 0.
                amount: "0.00",
                catalog_price: "0.00",
                total_amount: "0.00",
                total_amount_with_vat: "0.00",
                vat_value: "0",
            },
        ],
        // 199.64 + 199.65 + 199.65 + 0.00 = 598.94 = `total_price` (597.00 - 10.00 + 11.94).
        order_gross: "598.94",
        // The order has a refund; each line's 3.98 tax is not 6 % of its net
        // (195.66 x 6 % = 11.74), as the sample states it.
        warning_kinds: &["refunded", "tax-mismatch", "tax-mismatch", "tax-mismatch"],
    }
}

/// Shoptet order 1234 of `shoptet-orders.xml`.
pub fn shoptet_1234() -> ExpectedOrder {
    ExpectedOrder {
        file: "shoptet-orders.xml",
        // The export names no shop: the default shop name.
        key: ("shoptet", "default", "1234"),
        number: "2024000123",
        currency: "CZK",
        billing_date: "2024-03-05T14:07:33",
        // COMPANY and COMPANY_ID are set: a company, kept with its ids.
        contact_kind: "COMPANY",
        name1: "Vymyšlená s.r.o.",
        name3: None,
        company_id: Some("00000000"),
        vat_id: Some("CZ00000000"),
        email: "objednavky@firma.example.invalid",
        phones: &["+420 000 000 000"],
        folder_name: "Vymyšlená s.r.o.",
        shop_customer_id: None,
        email_key: "objednavky@firma.example.invalid",
        items: vec![
            ExpectedItem {
                kind: "product",
                name: "Čaj zelený Sencha – Balení: 100 g",
                sku: Some("CAJ-SEN-100"),
                product_id: DEFAULT_PRODUCT,
                quantity: "2",
                // Unit 133.04 net as stated; the line's net is 298.00 / 1.12 = 266.07,
                // not 2 x 133.04 = 266.08.
                amount: "133.04",
                catalog_price: "133.04",
                total_amount: "266.07",
                total_amount_with_vat: "298.00",
                vat_value: "12",
            },
            ExpectedItem {
                kind: "product",
                name: "Konvička skleněná – Objem: 0,8 l",
                sku: Some("KON-08"),
                product_id: DEFAULT_PRODUCT,
                quantity: "1",
                // 459.00 / 1.21 = 379.34.
                amount: "379.34",
                catalog_price: "379.34",
                total_amount: "379.34",
                total_amount_with_vat: "459.00",
                vat_value: "21",
            },
            ExpectedItem {
                kind: "shipping",
                name: "Zásilkovna – výdejní místo",
                sku: None,
                product_id: DEFAULT_PRODUCT,
                quantity: "1",
                // 79.00 / 1.21 = 65.29.
                amount: "65.29",
                catalog_price: "65.29",
                total_amount: "65.29",
                total_amount_with_vat: "79.00",
                vat_value: "21",
            },
            ExpectedItem {
                // TYPE billing: the cash-on-delivery surcharge.
                kind: "fee",
                name: "Dobírka",
                sku: None,
                product_id: DEFAULT_PRODUCT,
                quantity: "1",
                // 39.00 / 1.21 = 32.23.
                amount: "32.23",
                catalog_price: "32.23",
                total_amount: "32.23",
                total_amount_with_vat: "39.00",
                vat_value: "21",
            },
            ExpectedItem {
                // The coupon is a line of its own, not in the other lines' totals.
                kind: "discount",
                name: "Slevový kupón JARO",
                sku: Some("JARO"),
                product_id: DEFAULT_PRODUCT,
                quantity: "1",
                // -50.40 / 1.21 = -41.65.
                amount: "-41.65",
                catalog_price: "-41.65",
                total_amount: "-41.65",
                total_amount_with_vat: "-50.40",
                vat_value: "21",
            },
        ],
        // 298.00 + 459.00 + 79.00 + 39.00 - 50.40 = 824.60 = TOTAL_PRICE/WITH_VAT
        // (net 266.07 + 379.34 + 65.29 + 32.23 - 41.65 = 701.28 = WITHOUT_VAT).
        order_gross: "824.60",
        // ROUNDING 0.40 to PRICE_TO_PAY 825.00 is reported, not billed.
        warning_kinds: &["rounding"],
    }
}

/// Returns all sample orders.
pub fn samples() -> Vec<ExpectedOrder> {
    vec![woocommerce_727(), shopify_450789469(), shoptet_1234()]
}

/// The tests sit in a module named `billing` so that the project's test filter
/// `cargo test --features billing billing` selects them.
mod billing {
    use super::*;

    #[test]
    fn expected_items_add_up_to_order_totals() {
        for order in samples() {
            let gross: Decimal = order
                .items
                .iter()
                .map(|item| dec(item.total_amount_with_vat))
                .sum();
            assert_eq!(gross, dec(order.order_gross), "{}", order.file);
        }
    }

    #[test]
    fn expected_unit_prices_within_a_cent_per_piece() {
        // amount x quantity may differ from the shop's total by rounding, at most half a cent
        // per piece.
        for order in samples() {
            for item in &order.items {
                let quantity = dec(item.quantity);
                let difference = (dec(item.amount) * quantity - dec(item.total_amount)).abs();
                assert!(
                    difference <= dec("0.005") * quantity,
                    "{} {}: {} x {} vs {}",
                    order.file,
                    item.name,
                    item.amount,
                    item.quantity,
                    item.total_amount
                );
            }
        }
    }
}
