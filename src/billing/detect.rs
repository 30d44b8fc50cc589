//! `--format auto`: recognises an order file's format by its content, never by its name.
//!
//! - XML whose root element is `<ORDERS>`: Shoptet.
//! - JSON with `"format": "atollon-orders"` at the top level: canonical.
//! - A JSON order (alone, in an array, or in Shopify's `order` / `orders` envelope) with
//!   Shopify's fields (`presentment_currency`, `taxes_included`, `total_price_set`, an
//!   `admin_graphql_api_id` starting with `gid://shopify/`, or `price_set` on its first
//!   line item): Shopify.
//! - A JSON order, alone or in an array, with WooCommerce's fields (`prices_include_tax`,
//!   `order_key`, or `date_created` beside `line_items`): WooCommerce.

use std::path::Path;

use serde_json::{Map, Value};

use super::canonical::FORMAT_NAME;
use super::error::FileError;
use super::Format;

/// Returns the format of an order file's text.
pub fn detect(text: &str, file: &Path) -> Result<Format, FileError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('<') {
        return detect_xml(text, file);
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return detect_json(text, file);
    }
    Err(unknown(
        file,
        "the file is neither JSON nor XML; supported formats are WooCommerce and Shopify JSON, \
         Shoptet XML and the canonical JSON format",
    ))
}

fn unknown(file: &Path, message: &str) -> FileError {
    FileError::UnknownFormat {
        file: file.to_owned(),
        message: message.to_owned(),
    }
}

fn detect_xml(text: &str, file: &Path) -> Result<Format, FileError> {
    let document = super::shoptet::parse_xml(text.trim_start_matches('\u{feff}'), file)?;
    let root = document.root_element().tag_name().name();
    if root == "ORDERS" {
        return Ok(Format::Shoptet);
    }
    Err(unknown(
        file,
        &format!(
            "XML root element <{root}> is not a known order export; Shoptet exports have <ORDERS>"
        ),
    ))
}

fn detect_json(text: &str, file: &Path) -> Result<Format, FileError> {
    let value: Value =
        serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|error| {
            FileError::Json {
                file: file.to_owned(),
                line: error.line(),
                column: error.column(),
                message: error.to_string(),
            }
        })?;
    let not_recognised = |what: &str| {
        unknown(
            file,
            &format!(
                "{what} has none of the fields that identify WooCommerce (prices_include_tax, \
                 order_key), Shopify (presentment_currency, taxes_included, total_price_set) or \
                 the canonical format (\"format\": \"{FORMAT_NAME}\"); choose the format with --format"
            ),
        )
    };
    match &value {
        Value::Array(items) => match items.first() {
            None => Err(unknown(
                file,
                "the file is an empty JSON array: it has no order to recognise",
            )),
            Some(Value::Object(first)) => match order_shape(first) {
                Some(format) => Ok(format),
                None => Err(not_recognised("the first order of the array")),
            },
            Some(_) => Err(unknown(
                file,
                "the JSON array does not contain order objects",
            )),
        },
        Value::Object(object) => {
            if object.get("format").and_then(Value::as_str) == Some(FORMAT_NAME) {
                return Ok(Format::Canonical);
            }
            if let Some(orders) = object.get("orders") {
                return match orders.as_array().and_then(|o| o.first()) {
                    Some(Value::Object(first)) if order_shape(first) == Some(Format::Shopify) => {
                        Ok(Format::Shopify)
                    }
                    None if orders.is_array() => Err(unknown(
                        file,
                        "field `orders` is an empty array: it has no order to recognise",
                    )),
                    _ => Err(not_recognised("the first entry of `orders`")),
                };
            }
            if let Some(Value::Object(order)) = object.get("order") {
                return match order_shape(order) {
                    Some(Format::Shopify) => Ok(Format::Shopify),
                    _ => Err(not_recognised("the object in `order`")),
                };
            }
            order_shape(object).ok_or_else(|| not_recognised("the JSON object"))
        }
        _ => Err(unknown(
            file,
            "the JSON file contains neither an object nor an array of orders",
        )),
    }
}

/// Returns the platform whose order fields `order` carries.
fn order_shape(order: &Map<String, Value>) -> Option<Format> {
    let shopify_gid = order
        .get("admin_graphql_api_id")
        .and_then(Value::as_str)
        .is_some_and(|gid| gid.starts_with("gid://shopify/"));
    let line_has_price_set = order
        .get("line_items")
        .and_then(Value::as_array)
        .and_then(|lines| lines.first())
        .and_then(Value::as_object)
        .is_some_and(|line| line.contains_key("price_set"));
    if shopify_gid
        || line_has_price_set
        || ["presentment_currency", "taxes_included", "total_price_set"]
            .iter()
            .any(|key| order.contains_key(*key))
    {
        return Some(Format::Shopify);
    }
    let woocommerce = order.contains_key("prices_include_tax")
        || order.contains_key("order_key")
        || (order.contains_key("date_created") && order.contains_key("line_items"));
    woocommerce.then_some(Format::WooCommerce)
}
