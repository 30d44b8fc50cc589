//! Reader for the canonical order format: a JSON format of this project for shops
//! without a reader of their own. Export orders into it and bill them with
//! `--format atollon` (or `auto`).
//!
//! # Format
//!
//! ```json
//! {
//!   "format": "atollon-orders",
//!   "version": 1,
//!   "orders": [
//!     {
//!       "platform": "prestashop",
//!       "shop": "shop.example",
//!       "id": "1001",
//!       "number": "2024-1001",
//!       "created": "2024-05-01T10:00:00",
//!       "currency": "EUR",
//!       "customer": {
//!         "id": "77",
//!         "email": "buyer@example.invalid",
//!         "first_name": "Ada",
//!         "last_name": "Example",
//!         "company": "Example Ltd",
//!         "company_id": "12345678",
//!         "vat_id": "CZ12345678",
//!         "phones": ["+420 000 000 001"],
//!         "address": {
//!           "street": "1 Example Street", "city": "Exampleville", "zip": "000 00",
//!           "region": null, "country": "Czechia", "country_code": "CZ"
//!         }
//!       },
//!       "lines": [
//!         {
//!           "kind": "product", "sku": "TEA-1", "name": "Green tea",
//!           "quantity": "2", "net_total": "18.00", "tax_total": "3.78", "vat_rate": "21",
//!           "subscription": { "period": "month", "interval": 1, "id": "SUB-9" }
//!         },
//!         { "kind": "shipping", "name": "Courier", "quantity": "1",
//!           "net_total": "5.00", "gross_total": "6.05", "vat_rate": "21" }
//!       ],
//!       "total": "27.83",
//!       "total_tax": "4.83"
//!     }
//!   ]
//! }
//! ```
//!
//! Rules:
//!
//! - Unknown fields are errors, so a misspelt field cannot be ignored silently.
//! - Amounts are decimal strings or JSON numbers, read exactly. `net_total` is the net
//!   line total after discounts, as the shop computed it; `vat_rate` is in percent.
//!   Give `tax_total` or `gross_total` or both (then `gross_total` must equal
//!   `net_total + tax_total`); with neither, the tax is `net_total * vat_rate / 100`
//!   rounded half away from zero to the currency's minor unit.
//! - `unit_price` (net, after discounts) and `catalog_price` (net, before discounts) are
//!   optional; without `unit_price` the net unit price is `net_total / quantity`.
//! - `kind` is `product`, `shipping`, `fee` or `discount`. A discount line is a discount
//!   that is not already in the other lines' totals, with negative amounts.
//! - `subscription.period` is `day`, `week`, `month` or `year`, `interval` a whole number
//!   of at least 1 (default 1); `id` names the subscription so that a later order with
//!   `"renewal_of": ["SUB-9"]` is recognised as its renewal.
//! - `platform` and `id` are required and, with `shop`, form the journal key; `shop`
//!   defaults to the name given in the parse options. `number` defaults to `id`.
//! - `created` is kept as written; the mapping accepts `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`
//!   and `YYYY-MM-DDTHH:MM:SS` with an optional fraction and time zone.
//! - `total` is the gross order total the billed lines must add up to; `total_tax` is
//!   optional.

use std::path::Path;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::error::{FileError, OrderError};
use super::json::{self, RawOrder, Wrapper};
use super::model::{
    currency_minor_units, Address, BillingPeriod, Customer, Line, LineKind, Order, OrderKey,
    ParseOptions, Source, Subscription, Totals,
};
use super::tax;

/// Value of the top-level `format` field.
pub const FORMAT_NAME: &str = "atollon-orders";
/// The format version this reader supports.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    format: String,
    version: u32,
    #[serde(rename = "orders")]
    _orders: Box<RawValue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CanonicalOrder {
    platform: String,
    #[serde(default, deserialize_with = "json::opt_text")]
    shop: Option<String>,
    #[serde(deserialize_with = "json::opt_id")]
    id: Option<String>,
    #[serde(default, deserialize_with = "json::opt_id")]
    number: Option<String>,
    created: String,
    currency: String,
    #[serde(default)]
    prices_include_tax: bool,
    #[serde(default, deserialize_with = "json::opt_text")]
    status: Option<String>,
    #[serde(default)]
    customer: CanonicalCustomer,
    lines: Vec<CanonicalLine>,
    #[serde(deserialize_with = "json::decimal")]
    total: Decimal,
    #[serde(default, deserialize_with = "json::opt_decimal")]
    total_tax: Option<Decimal>,
    #[serde(default)]
    renewal_of: Vec<String>,
    #[serde(default)]
    discount_codes: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CanonicalCustomer {
    #[serde(default, deserialize_with = "json::opt_id")]
    id: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    email: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    first_name: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    last_name: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    company: Option<String>,
    #[serde(default, deserialize_with = "json::opt_id")]
    company_id: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    vat_id: Option<String>,
    #[serde(default)]
    phones: Vec<String>,
    #[serde(default)]
    address: Option<CanonicalAddress>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CanonicalAddress {
    #[serde(default, deserialize_with = "json::opt_text")]
    street: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    city: Option<String>,
    #[serde(default, deserialize_with = "json::opt_id")]
    zip: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    region: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    country: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    country_code: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CanonicalLine {
    kind: CanonicalKind,
    #[serde(default, deserialize_with = "json::opt_id")]
    sku: Option<String>,
    name: String,
    #[serde(deserialize_with = "json::decimal")]
    quantity: Decimal,
    #[serde(default, deserialize_with = "json::opt_decimal")]
    unit_price: Option<Decimal>,
    #[serde(default, deserialize_with = "json::opt_decimal")]
    catalog_price: Option<Decimal>,
    #[serde(deserialize_with = "json::decimal")]
    net_total: Decimal,
    #[serde(default, deserialize_with = "json::opt_decimal")]
    tax_total: Option<Decimal>,
    #[serde(default, deserialize_with = "json::opt_decimal")]
    gross_total: Option<Decimal>,
    #[serde(deserialize_with = "json::decimal")]
    vat_rate: Decimal,
    #[serde(default)]
    subscription: Option<CanonicalSubscription>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum CanonicalKind {
    Product,
    Shipping,
    Fee,
    Discount,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CanonicalSubscription {
    period: String,
    #[serde(default)]
    interval: Option<u32>,
    #[serde(default, deserialize_with = "json::opt_id")]
    id: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    start: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    end: Option<String>,
}

/// Reads a canonical order file.
pub fn parse(
    text: &str,
    file: &Path,
    options: &ParseOptions,
) -> Result<Vec<Result<Order, OrderError>>, FileError> {
    check_header(text, file)?;
    let orders = json::split_orders(text, file, Wrapper::OrdersField)?;
    Ok(orders
        .iter()
        .map(|raw| {
            let order: CanonicalOrder = json::deserialize_order(file, raw)?;
            convert(order, file, raw, options)
        })
        .collect())
}

fn check_header(text: &str, file: &Path) -> Result<(), FileError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let header: Header = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let inner = error.inner();
        let message = inner.to_string();
        let message = message
            .rfind(" at line ")
            .map_or(message.clone(), |i| message[..i].to_owned());
        if inner.is_syntax() || inner.is_eof() {
            FileError::Json {
                file: file.to_owned(),
                line: inner.line(),
                column: inner.column(),
                message,
            }
        } else {
            FileError::Structure {
                file: file.to_owned(),
                line: inner.line(),
                column: inner.column(),
                message: format!("field `{}`: {message}", error.path()),
            }
        }
    })?;
    if header.format != FORMAT_NAME || header.version != FORMAT_VERSION {
        return Err(FileError::Structure {
            file: file.to_owned(),
            line: 1,
            column: 1,
            message: format!(
                "format {:?} version {} is not supported: expected format {FORMAT_NAME:?} version {FORMAT_VERSION}",
                header.format, header.version
            ),
        });
    }
    Ok(())
}

fn convert(
    order: CanonicalOrder,
    file: &Path,
    raw: &RawOrder<'_>,
    options: &ParseOptions,
) -> Result<Order, OrderError> {
    let order_id = order.id.clone();
    let fail = |field: &str, message: String| {
        json::field_error(file, raw, order_id.as_deref(), field, message)
    };
    let id = order
        .id
        .clone()
        .ok_or_else(|| fail("id", "missing order id".to_owned()))?;
    if order.platform.trim().is_empty() || order.platform.contains('/') {
        return Err(fail(
            "platform",
            format!(
                "invalid platform {:?}: expected a name without `/`",
                order.platform
            ),
        ));
    }
    let minor_units = currency_minor_units(&order.currency);
    let mut lines = Vec::new();
    for (i, line) in order.lines.iter().enumerate() {
        lines.push(convert_line(
            line,
            &format!("lines[{i}]"),
            minor_units,
            &fail,
        )?);
    }
    let customer = order.customer;
    let address = customer.address.map(|a| Address {
        street: a.street,
        city: a.city,
        zip: a.zip,
        region: a.region,
        country_name: a.country,
        country_code: a.country_code,
    });
    let mut phones: Vec<String> = Vec::new();
    for phone in customer
        .phones
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
    {
        if !phones.iter().any(|known| known == phone) {
            phones.push(phone.to_owned());
        }
    }
    Ok(Order {
        key: OrderKey::new(
            order.platform.trim(),
            order.shop.as_deref().unwrap_or(&options.default_shop),
            &id,
        ),
        number: order.number.unwrap_or_else(|| id.clone()),
        created: order.created,
        currency: order.currency,
        prices_include_tax: order.prices_include_tax,
        status: order.status,
        customer: Customer {
            shop_customer_id: customer.id,
            email: customer.email,
            first_name: customer.first_name,
            last_name: customer.last_name,
            company_name: customer.company,
            company_id: customer.company_id,
            vat_id: customer.vat_id,
            phones,
            billing_address: address,
        },
        lines,
        totals: Totals {
            gross: order.total,
            net: order.total_tax.map(|tax| order.total - tax),
            tax: order.total_tax,
            rounding: None,
        },
        renewal_of: order.renewal_of,
        discount_codes: order.discount_codes,
        warnings: Vec::new(),
        source: Source {
            file: file.to_owned(),
            line: Some(raw.line),
        },
    })
}

fn convert_line(
    line: &CanonicalLine,
    field: &str,
    minor_units: u32,
    fail: &dyn Fn(&str, String) -> OrderError,
) -> Result<Line, OrderError> {
    if line.quantity <= Decimal::ZERO {
        return Err(fail(
            &format!("{field}.quantity"),
            format!(
                "quantity must be greater than zero, found {}",
                line.quantity
            ),
        ));
    }
    let (tax, gross) = match (line.tax_total, line.gross_total) {
        (Some(tax), Some(gross)) => {
            if line.net_total + tax != gross {
                return Err(fail(
                    &format!("{field}.gross_total"),
                    format!(
                        "gross_total {gross} is not net_total {} plus tax_total {tax}",
                        line.net_total
                    ),
                ));
            }
            (tax, gross)
        }
        (Some(tax), None) => (tax, line.net_total + tax),
        (None, Some(gross)) => (gross - line.net_total, gross),
        (None, None) => {
            let tax = tax::tax_of(line.net_total, line.vat_rate, minor_units);
            (tax, line.net_total + tax)
        }
    };
    let subscription = match &line.subscription {
        None => None,
        Some(s) => {
            let period = BillingPeriod::parse(&s.period).ok_or_else(|| {
                fail(
                    &format!("{field}.subscription.period"),
                    format!(
                        "unknown period {:?}: expected day, week, month or year",
                        s.period
                    ),
                )
            })?;
            let interval = s.interval.unwrap_or(1);
            if interval == 0 {
                return Err(fail(
                    &format!("{field}.subscription.interval"),
                    "interval must be at least 1".to_owned(),
                ));
            }
            Some(Subscription {
                period,
                interval,
                id: s.id.clone(),
                start: s.start.clone(),
                end: s.end.clone(),
            })
        }
    };
    let kind = match line.kind {
        CanonicalKind::Product => LineKind::Product,
        CanonicalKind::Shipping => LineKind::Shipping,
        CanonicalKind::Fee => LineKind::Fee,
        CanonicalKind::Discount => LineKind::Discount,
    };
    Ok(Line {
        kind,
        field: field.to_owned(),
        sku: line.sku.clone(),
        name: line.name.clone(),
        quantity: line.quantity,
        unit_price_net: line.unit_price,
        catalog_price_net: line.catalog_price,
        net_total: line.net_total,
        tax_total: tax,
        gross_total: gross,
        vat_rate: line.vat_rate.normalize(),
        subscription,
    })
}
