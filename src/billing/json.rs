//! JSON helpers shared by the WooCommerce, Shopify and canonical readers: splitting a
//! file into orders, typed deserialization with field paths and positions, and exact
//! decimals.
//!
//! Each order is deserialized on its own from its slice of the file, so one faulty order
//! fails alone. Money is read from the value's raw text, never through `f64`: `"0.06"`
//! and `0.06` both become the decimal 0.06.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use super::error::{FileError, OrderError};

/// One order's JSON text inside a file, with its position.
pub(crate) struct RawOrder<'a> {
    /// The order's JSON text, a slice of the file.
    pub raw: &'a RawValue,
    /// Position of the order in the file, from 1.
    pub index: usize,
    /// Line where the order starts, from 1.
    pub line: usize,
    /// Column where the order starts, from 1.
    pub column: usize,
}

/// Envelope around the orders of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wrapper {
    /// One order object or an array of them (WooCommerce REST).
    ObjectOrArray,
    /// One order object, `{"order": {...}}` or `{"orders": [...]}` (Shopify).
    ShopifyEnvelope,
    /// `{"format": ..., "orders": [...]}` (canonical).
    OrdersField,
}

/// Parses the file's top level and returns each order's text.
pub(crate) fn split_orders<'a>(
    text: &'a str,
    file: &Path,
    wrapper: Wrapper,
) -> Result<Vec<RawOrder<'a>>, FileError> {
    let json_error = |e: serde_json::Error| FileError::Json {
        file: file.to_owned(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e),
    };
    let top: &'a RawValue = serde_json::from_str(text).map_err(json_error)?;
    let top_text = top.get();
    let raws: Vec<&'a RawValue> = if top_text.starts_with('[') {
        if wrapper != Wrapper::ObjectOrArray {
            return Err(structure_error(
                text,
                file,
                top,
                "expected an object at the top level, found an array",
            ));
        }
        serde_json::from_str(top_text).map_err(json_error)?
    } else if top_text.starts_with('{') {
        let fields: BTreeMap<String, &'a RawValue> =
            serde_json::from_str(top_text).map_err(json_error)?;
        match (wrapper, fields.get("orders"), fields.get("order")) {
            (Wrapper::ShopifyEnvelope | Wrapper::OrdersField, Some(orders), _) => {
                if !orders.get().starts_with('[') {
                    return Err(structure_error(
                        text,
                        file,
                        orders,
                        "field `orders` must be an array of orders",
                    ));
                }
                serde_json::from_str(orders.get()).map_err(json_error)?
            }
            (Wrapper::ShopifyEnvelope, None, Some(order)) => vec![*order],
            (Wrapper::OrdersField, None, _) => {
                return Err(structure_error(
                    text,
                    file,
                    top,
                    "missing field `orders`: the canonical format lists its orders in `orders`",
                ))
            }
            _ => vec![top],
        }
    } else {
        return Err(structure_error(
            text,
            file,
            top,
            "expected an order object or an array of orders at the top level",
        ));
    };
    // One index of line starts for the whole file, because counting lines from the start
    // for every order made reading a file of many orders quadratic.
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    Ok(raws
        .into_iter()
        .enumerate()
        .map(|(i, raw)| {
            let offset = (raw.get().as_ptr() as usize)
                .saturating_sub(text.as_ptr() as usize)
                .min(text.len());
            let line_index = line_starts.partition_point(|&start| start <= offset) - 1;
            let line = line_index + 1;
            let column = text[line_starts[line_index]..offset].chars().count() + 1;
            RawOrder {
                raw,
                index: i + 1,
                line,
                column,
            }
        })
        .collect())
}

fn structure_error(text: &str, file: &Path, value: &RawValue, message: &str) -> FileError {
    let (line, column) = position_of(text, value.get());
    FileError::Structure {
        file: file.to_owned(),
        line,
        column,
        message: message.to_owned(),
    }
}

/// Converts a line, column or count for [`OrderError`], saturating at `u32::MAX`.
pub(crate) fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// Returns line and column (from 1) of `slice`, which must be a sub-slice of `text`.
pub(crate) fn position_of(text: &str, slice: &str) -> (usize, usize) {
    let offset = (slice.as_ptr() as usize)
        .saturating_sub(text.as_ptr() as usize)
        .min(text.len());
    line_column(text, offset)
}

/// Returns line and column (from 1, column in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// serde_json appends " at line L column C" to its messages; the position is reported
/// separately, so it is removed from the text.
fn strip_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// Deserializes one order into the reader's typed structure. Errors carry the field path
/// and the absolute position in the file.
pub(crate) fn deserialize_order<T: DeserializeOwned>(
    file: &Path,
    order: &RawOrder<'_>,
) -> Result<T, OrderError> {
    let mut deserializer = serde_json::Deserializer::from_str(order.raw.get());
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let inner = error.inner();
        let line = order.line + inner.line().saturating_sub(1);
        let column = if inner.line() <= 1 {
            order.column + inner.column().saturating_sub(1)
        } else {
            inner.column()
        };
        let message = strip_position(inner);
        OrderError {
            file: file.to_owned(),
            position: Some((to_u32(line), to_u32(column))),
            order_line: Some(to_u32(order.line)),
            order_id: peek_order_id(order.raw),
            order_index: to_u32(order.index),
            field: field_path(&error.path().to_string(), &message),
            message,
        }
    })
}

/// serde reports a missing field at the path of the object that lacks it, so the field
/// name is taken from the message ("missing field `line_items`").
fn field_path(path: &str, message: &str) -> String {
    let path = if path == "." { "" } else { path };
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name);
    match (path.is_empty(), missing) {
        (true, Some(name)) => name.to_owned(),
        (false, Some(name)) => format!("{path}.{name}"),
        (true, None) => "(order)".to_owned(),
        (false, None) => path.to_owned(),
    }
}

/// Reads the order's `id` for messages, when the order is too broken to deserialize.
fn peek_order_id(raw: &RawValue) -> Option<String> {
    #[derive(Deserialize)]
    struct IdOnly {
        #[serde(default)]
        id: Option<serde_json::Value>,
    }
    let id = serde_json::from_str::<IdOnly>(raw.get()).ok()?.id?;
    match id {
        serde_json::Value::String(text) if !text.is_empty() => Some(text),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Builds an error for a value that deserialized but has no meaning in the model.
pub(crate) fn field_error(
    file: &Path,
    order: &RawOrder<'_>,
    order_id: Option<&str>,
    field: impl Into<String>,
    message: impl Into<String>,
) -> OrderError {
    OrderError {
        file: file.to_owned(),
        position: None,
        order_line: Some(to_u32(order.line)),
        order_id: order_id.map(str::to_owned),
        order_index: to_u32(order.index),
        field: field.into(),
        message: message.into(),
    }
}

/// Parses a decimal written as `12`, `-41.65` or `1e-2`, exactly.
pub(crate) fn parse_decimal(text: &str) -> Result<Decimal, String> {
    let trimmed = text.trim();
    let parsed = if trimmed.contains(['e', 'E']) {
        Decimal::from_scientific(trimmed)
    } else {
        Decimal::from_str_exact(trimmed.strip_prefix('+').unwrap_or(trimmed))
    };
    parsed.map_err(|_| format!("invalid decimal number {trimmed:?}"))
}

/// Reads a JSON value's decimal from its raw text: a string such as `"12.00"` or a
/// number such as `0.06`. `null` and `""` read as `None`.
fn raw_to_decimal(raw: &RawValue) -> Result<Option<Decimal>, String> {
    let text = raw.get();
    if text == "null" {
        return Ok(None);
    }
    if text.starts_with('"') {
        let inner: String = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if inner.trim().is_empty() {
            return Ok(None);
        }
        return parse_decimal(&inner).map(Some);
    }
    if text.starts_with(['-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']) {
        return parse_decimal(text).map(Some);
    }
    Err(format!(
        "invalid type: expected a decimal number or a string, found {text}"
    ))
}

/// `deserialize_with` for a required decimal.
pub(crate) fn decimal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    let raw = Box::<RawValue>::deserialize(deserializer)?;
    raw_to_decimal(&raw)
        .map_err(D::Error::custom)?
        .ok_or_else(|| {
            D::Error::custom("missing value: expected a decimal number, found null or \"\"")
        })
}

/// `deserialize_with` for an optional decimal; `null` and `""` are `None`.
pub(crate) fn opt_decimal<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Decimal>, D::Error> {
    let raw = Box::<RawValue>::deserialize(deserializer)?;
    raw_to_decimal(&raw).map_err(D::Error::custom)
}

/// `deserialize_with` for an id or code that shops write as a number or a string;
/// `null` and `""` are `None`.
pub(crate) fn opt_id<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    match value {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(text) if text.trim().is_empty() => Ok(None),
        serde_json::Value::String(text) => Ok(Some(text.trim().to_owned())),
        serde_json::Value::Number(number) => Ok(Some(number.to_string())),
        other => Err(D::Error::custom(format!(
            "invalid type: expected a number or a string, found {other}"
        ))),
    }
}

/// `deserialize_with` for an optional text where shops send `null` or `""` for none.
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let value = Option::<String>::deserialize(deserializer)?;
    Ok(value.and_then(|text| {
        let trimmed = text.trim();
        (!trimmed.is_empty()).then(|| trimmed.to_owned())
    }))
}

/// Parses a `u32` from text such as `"2"`, for fields that shops write either way.
pub(crate) fn parse_count(text: &str) -> Option<u32> {
    u32::from_str(text.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Amount {
        #[serde(deserialize_with = "decimal")]
        value: Decimal,
    }

    fn amount(json: &str) -> Result<Decimal, String> {
        serde_json::from_str::<Amount>(json)
            .map(|a| a.value)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn decimal_from_string_and_number() {
        assert_eq!(amount(r#"{"value": "12.00"}"#), Ok(Decimal::new(1200, 2)));
        assert_eq!(amount(r#"{"value": 0.06}"#), Ok(Decimal::new(6, 2)));
        assert_eq!(amount(r#"{"value": 3}"#), Ok(Decimal::new(3, 0)));
        assert_eq!(amount(r#"{"value": -41.65}"#), Ok(Decimal::new(-4165, 2)));
        assert_eq!(amount(r#"{"value": 1e-2}"#), Ok(Decimal::new(1, 2)));
    }

    #[test]
    fn decimal_keeps_digits_beyond_f64() {
        // 18 significant digits: f64 values near 1.2e15 are 0.25 apart, so a float
        // reader would lose the cents.
        assert_eq!(
            amount(r#"{"value": 1234567890123456.78}"#),
            Ok(Decimal::from_str_exact("1234567890123456.78").unwrap())
        );
    }

    #[test]
    fn decimal_rejects_garbage() {
        let error = amount(r#"{"value": "12,00"}"#).unwrap_err();
        assert!(
            error.contains("invalid decimal number \"12,00\""),
            "{error}"
        );
        let error = amount(r#"{"value": true}"#).unwrap_err();
        assert!(error.contains("invalid type"), "{error}");
        let error = amount(r#"{"value": ""}"#).unwrap_err();
        assert!(error.contains("missing value"), "{error}");
    }

    #[test]
    fn line_column_counts_characters() {
        let text = "ab\nčd\n  x";
        let offset = text.find('x').unwrap();
        assert_eq!(line_column(text, offset), (3, 3));
        let offset = text.find('d').unwrap();
        assert_eq!(line_column(text, offset), (2, 2));
    }
}
