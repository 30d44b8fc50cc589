//! Reader for the canonical order format, a JSON format of this project for shops
//! without a reader of their own.
//!
#![doc = include_str!("canonical-format.md")]

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
    // Splitting checks the JSON syntax of the whole file first, so a syntax error is
    // reported as such and not as an unknown header field before it.
    let orders = json::split_orders(text, file, Wrapper::OrdersField)?;
    check_header(text, file)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Returns the JSON example of the format documentation.
    fn documented_example() -> &'static str {
        let doc = include_str!("canonical-format.md");
        let start = doc.find("```json\n").map(|i| i + 8).unwrap_or(0);
        let end = doc[start..].find("```").map_or(doc.len(), |i| start + i);
        &doc[start..end]
    }

    #[test]
    fn documented_example_reads() {
        let orders = parse(
            documented_example(),
            Path::new("example.json"),
            &ParseOptions::default(),
        )
        .unwrap();
        assert_eq!(orders.len(), 1);
        let order = orders[0].as_ref().unwrap();
        assert_eq!(order.key.to_string(), "prestashop/shop.example/1001");
        // Green tea: 18.00 + 3.78 = 21.78; courier: gross 6.05 given, tax 1.05.
        assert_eq!(order.lines[0].gross_total, Decimal::new(2178, 2));
        assert_eq!(order.lines[1].tax_total, Decimal::new(105, 2));
        // 21.78 + 6.05 = 27.83 = total; 3.78 + 1.05 = 4.83 = total_tax.
        let gross: Decimal = order.lines.iter().map(|l| l.gross_total).sum();
        assert_eq!(gross, order.totals.gross);
        assert_eq!(order.totals.tax, Some(Decimal::new(483, 2)));
        let subscription = order.lines[0].subscription.as_ref().unwrap();
        assert_eq!(subscription.id.as_deref(), Some("SUB-9"));
    }
}
