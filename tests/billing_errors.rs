//! Bad input: files that are not valid JSON or XML, orders with a missing or wrong field
//! (named in the error while the file's other orders still come through), and files of
//! no known format.

#![cfg(feature = "billing")]

#[path = "billing_expected.rs"]
mod billing_expected;

use std::path::PathBuf;

use atollon::billing::model::{Order, ParseOptions};
use atollon::billing::{parse_text, read_file, FileError, Format, OrderError};
use billing_expected::order_file;

fn case(name: &str) -> PathBuf {
    order_file(&format!("cases/{name}"))
}

fn read_case(name: &str) -> Vec<Result<Order, OrderError>> {
    read_file(&case(name), None, &ParseOptions::default())
        .unwrap_or_else(|error| panic!("{error}"))
        .orders
}

fn expect_order_error(result: &Result<Order, OrderError>) -> &OrderError {
    match result {
        Ok(order) => panic!("order {} was read, expected an error", order.key),
        Err(error) => error,
    }
}

fn scratch_file(name: &str, contents: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("billing-errors");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

mod billing {
    use super::*;

    #[test]
    fn invalid_json_names_file_and_line() {
        let error = read_file(
            &case("woocommerce-invalid.json"),
            None,
            &ParseOptions::default(),
        )
        .unwrap_err();
        match &error {
            // Line 5 starts `"line_items"` where a `,` after `"total": "1.00"` belongs.
            FileError::Json {
                file, line, column, ..
            } => {
                assert!(file.ends_with("woocommerce-invalid.json"));
                assert_eq!(*line, 5);
                assert_eq!(*column, 3);
            }
            other => panic!("expected a JSON error, found {other}"),
        }
        let text = error.to_string();
        assert!(
            text.contains("woocommerce-invalid.json:5:3: invalid JSON"),
            "{text}"
        );
    }

    #[test]
    fn invalid_json_with_forced_format() {
        for format in [Format::WooCommerce, Format::Shopify, Format::Canonical] {
            let error = read_file(
                &case("woocommerce-invalid.json"),
                Some(format),
                &ParseOptions::default(),
            )
            .unwrap_err();
            assert!(
                matches!(
                    error,
                    FileError::Json {
                        line: 5,
                        column: 3,
                        ..
                    }
                ),
                "{format}: {error}"
            );
        }
    }

    #[test]
    fn invalid_xml_names_file_and_line() {
        let error =
            read_file(&case("shoptet-invalid.xml"), None, &ParseOptions::default()).unwrap_err();
        match &error {
            // `</ORDERX>` on line 6 does not close `<ORDER>`.
            FileError::Xml { file, line, .. } => {
                assert!(file.ends_with("shoptet-invalid.xml"));
                assert_eq!(*line, 6);
            }
            other => panic!("expected an XML error, found {other}"),
        }
        assert!(
            error.to_string().contains("shoptet-invalid.xml:6:"),
            "{error}"
        );
    }

    #[test]
    fn woocommerce_bad_orders_named_others_read() {
        let results = read_case("woocommerce-bad-fields.json");
        assert_eq!(results.len(), 5);
        let good = results[0].as_ref().unwrap();
        assert_eq!(good.key.order_id, "1001");

        // "two" ends at line 22, column 40.
        let quantity = expect_order_error(&results[1]);
        assert_eq!(quantity.order_id.as_deref(), Some("1002"));
        assert_eq!(quantity.field, "line_items[0].quantity");
        assert_eq!(quantity.position, Some((22, 40)));
        assert_eq!(quantity.order_line, Some(15));
        assert!(
            quantity.message.contains("invalid decimal number \"two\""),
            "{quantity}"
        );

        let missing = expect_order_error(&results[2]);
        assert_eq!(missing.order_id.as_deref(), Some("1003"));
        assert_eq!(missing.field, "line_items");
        assert!(
            missing.message.contains("missing field `line_items`"),
            "{missing}"
        );

        let currency = expect_order_error(&results[3]);
        assert_eq!(currency.order_id.as_deref(), Some("1004"));
        assert_eq!(currency.field, "currency");
        assert_eq!(currency.position, None);
        assert_eq!(currency.order_line, Some(32));
        let text = currency.to_string();
        assert!(
            text.ends_with("woocommerce-bad-fields.json: order 1004 (starting at line 32): field `currency`: missing currency code"),
            "{text}"
        );

        // "12,10" ends at line 45, column 20.
        let total = expect_order_error(&results[4]);
        assert_eq!(total.field, "total");
        assert_eq!(total.position, Some((45, 20)));
        let text = total.to_string();
        assert!(
            text.contains("woocommerce-bad-fields.json:45:20: order 1005: field `total`"),
            "{text}"
        );
    }

    #[test]
    fn shopify_bad_orders_named_others_read() {
        let results = read_case("shopify-bad.json");
        assert_eq!(results.len(), 3);
        assert_eq!(results[0].as_ref().unwrap().key.order_id, "840");
        let presentment = expect_order_error(&results[1]);
        assert_eq!(presentment.order_id.as_deref(), Some("841"));
        assert_eq!(
            presentment.field,
            "line_items[0].price_set.presentment_money"
        );
        assert!(presentment.message.contains("paid in EUR"), "{presentment}");
        let rate = expect_order_error(&results[2]);
        assert_eq!(rate.order_id.as_deref(), Some("842"));
        assert_eq!(rate.field, "line_items[0].tax_lines[0].rate");
        assert_eq!(rate.message, "missing tax rate");
    }

    #[test]
    fn shoptet_bad_orders_named_others_read() {
        let results = read_case("shoptet-cases.xml");
        assert_eq!(results.len(), 4);
        assert_eq!(results[0].as_ref().unwrap().key.order_id, "5001");
        assert_eq!(results[3].as_ref().unwrap().key.order_id, "5004");

        // <TYPE>deposit</TYPE> at line 136, after three tabs.
        let item_type = expect_order_error(&results[1]);
        assert_eq!(item_type.order_id.as_deref(), Some("5002"));
        assert_eq!(item_type.field, "ORDER_ITEMS/ITEM[1]/TYPE");
        assert_eq!(item_type.position, Some((136, 4)));
        assert_eq!(item_type.order_line, Some(128));
        assert!(
            item_type.message.contains("unknown item type \"deposit\""),
            "{item_type}"
        );

        // The second item's TOTAL_PRICE (line 160) has no WITHOUT_VAT.
        let missing = expect_order_error(&results[2]);
        assert_eq!(missing.order_id.as_deref(), Some("5003"));
        assert_eq!(missing.field, "ORDER_ITEMS/ITEM[2]/TOTAL_PRICE/WITHOUT_VAT");
        assert_eq!(missing.position, Some((160, 4)));
        assert_eq!(missing.message, "missing or empty <WITHOUT_VAT>");
        let text = missing.to_string();
        assert!(text.contains("shoptet-cases.xml:160:4: order 5003: field `ORDER_ITEMS/ITEM[2]/TOTAL_PRICE/WITHOUT_VAT`"), "{text}");
    }

    #[test]
    fn canonical_bad_orders_named_others_read() {
        let results = read_case("canonical-bad.json");
        assert_eq!(results.len(), 4);
        assert_eq!(results[0].as_ref().unwrap().key.order_id, "B-1");

        // Unknown fields are errors in the canonical format: `"colour"` ends at 21:108.
        let unknown = expect_order_error(&results[1]);
        assert_eq!(unknown.order_id.as_deref(), Some("B-2"));
        assert_eq!(unknown.field, "lines[0].colour");
        assert_eq!(unknown.position, Some((21, 108)));
        assert!(
            unknown.message.contains("unknown field `colour`"),
            "{unknown}"
        );

        let sum = expect_order_error(&results[2]);
        assert_eq!(sum.order_id.as_deref(), Some("B-3"));
        assert_eq!(sum.field, "lines[0].gross_total");
        // 10.00 + 2.10 = 12.10, not 12.00.
        assert_eq!(
            sum.message,
            "gross_total 12.00 is not net_total 10.00 plus tax_total 2.10"
        );

        // `"voucher"` ends at 41:27.
        let kind = expect_order_error(&results[3]);
        assert_eq!(kind.field, "lines[0].kind");
        assert_eq!(kind.position, Some((41, 27)));
        assert!(kind.message.contains("unknown variant `voucher`"), "{kind}");
    }

    #[test]
    fn canonical_header_checked() {
        let path = PathBuf::from("orders.json");
        let text = r#"{"format": "atollon-orders", "version": 2, "orders": []}"#;
        let error = parse_text(
            text,
            &path,
            Some(Format::Canonical),
            &ParseOptions::default(),
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("version 2 is not supported"),
            "{error}"
        );
        let text = r#"{"format": "atollon-orders", "version": 1, "orders": [], "extra": 1}"#;
        let error = parse_text(
            text,
            &path,
            Some(Format::Canonical),
            &ParseOptions::default(),
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("unknown field `extra`"),
            "{error}"
        );
    }

    #[test]
    fn unknown_formats_rejected_clearly() {
        let cases: [(&str, &[u8], &str); 6] = [
            ("empty-array.json", b"[]", "empty JSON array"),
            (
                "unknown.json",
                br#"{"id": 1, "items": []}"#,
                "none of the fields that identify",
            ),
            (
                "feed.xml",
                b"<feed><entry/></feed>",
                "XML root element <feed>",
            ),
            ("notes.txt", b"order 1: two mugs", "neither JSON nor XML"),
            ("numbers.json", b"[1, 2]", "does not contain order objects"),
            (
                "woo-in-envelope.json",
                br#"{"orders": [{"order_key": "wc_order_1", "prices_include_tax": false}]}"#,
                "the first entry of `orders`",
            ),
        ];
        for (name, contents, expected) in cases {
            let path = scratch_file(name, contents);
            let error = read_file(&path, None, &ParseOptions::default()).unwrap_err();
            assert!(
                matches!(error, FileError::UnknownFormat { .. }),
                "{name}: {error}"
            );
            let text = error.to_string();
            assert!(text.contains(name), "{name}: {text}");
            assert!(text.contains(expected), "{name}: {text}");
        }
    }

    #[test]
    fn detect_ignores_file_names() {
        // A Shopify order saved under a WooCommerce-looking name is still Shopify.
        let text = std::fs::read(order_file("shopify-orders.json")).unwrap();
        let path = scratch_file("woocommerce-export.xml", &text);
        let parsed = read_file(&path, None, &ParseOptions::default()).unwrap();
        assert_eq!(parsed.format, Format::Shopify);
        let webhook = read_file(
            &case("shopify-webhook.json"),
            None,
            &ParseOptions::default(),
        )
        .unwrap();
        assert_eq!(webhook.format, Format::Shopify);
        let canonical = read_file(
            &case("canonical-orders.json"),
            None,
            &ParseOptions::default(),
        )
        .unwrap();
        assert_eq!(canonical.format, Format::Canonical);
    }

    #[test]
    fn unreadable_and_non_utf8_files() {
        let missing = order_file("cases/does-not-exist.json");
        let error = read_file(&missing, None, &ParseOptions::default()).unwrap_err();
        assert!(matches!(error, FileError::Read { .. }), "{error}");
        assert!(
            error
                .to_string()
                .contains("does-not-exist.json: cannot read the file"),
            "{error}"
        );

        // Windows-1250 "č" (0xE8) on line 2.
        let path = scratch_file(
            "latin2.xml",
            b"<ORDERS>\n<ORDER><CODE>\xe8</CODE></ORDER></ORDERS>",
        );
        let error = read_file(&path, None, &ParseOptions::default()).unwrap_err();
        assert!(
            matches!(
                error,
                FileError::Structure {
                    line: 2,
                    column: 14,
                    ..
                }
            ),
            "{error}"
        );
        assert!(error.to_string().contains("invalid UTF-8"), "{error}");
    }

    #[test]
    fn wrong_root_for_forced_shoptet() {
        let path = scratch_file("rss.xml", b"<rss version=\"2.0\"/>");
        let error = read_file(&path, Some(Format::Shoptet), &ParseOptions::default()).unwrap_err();
        assert!(
            error.to_string().contains("root element is <rss>"),
            "{error}"
        );
    }
}
