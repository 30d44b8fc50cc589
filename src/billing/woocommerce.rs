//! Reader for WooCommerce REST API v3 orders (`GET /wp-json/wc/v3/orders`): one order
//! object or an array of them.
//!
//! What the reader relies on, from the WooCommerce REST API documentation:
//!
//! - `line_items[].total` is the net line total after coupons and `total_tax` its tax;
//!   `subtotal` is the net total before coupons. Coupon discounts are therefore already
//!   in the line totals, and `coupon_lines` are read for their codes only.
//! - `shipping_lines[]` and `fee_lines[]` carry net `total` and `total_tax` the same way.
//! - `taxes[]` on each line lists the tax per rate (`id` is the `rate_id` of
//!   `tax_lines[]`). The VAT rate comes from `tax_lines[].rate_percent` where the shop
//!   sends it, and is otherwise inferred per rate id from all lines taxed at that rate.
//! - `customer_id` 0 is a guest checkout.
//!
//! WooCommerce Subscriptions:
//!
//! - A subscription object (`GET /wp-json/wc/v3/subscriptions`) has the order fields plus
//!   `billing_period` (`day`, `week`, `month`, `year`) and `billing_interval`. Every
//!   product line of it recurs, and the subscription id is the object's `id`.
//! - In an order, a product line recurs when its `meta_data` has `_subscription_period`
//!   and `_subscription_period_interval` or `billing_period` and `billing_interval`.
//!   Such a line names no subscription id.
//!   NOTE: `_subscription_period` and `_subscription_period_interval` are the meta keys
//!   of WooCommerce Subscriptions' subscription products. Order line items carry them
//!   only where an export or plugin copies them there, which is not checked against a
//!   real store here.
//! - A renewal order carries the order meta `_subscription_renewal` with the id of the
//!   subscription it renews.

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;
use serde::Deserialize;

use super::error::{FileError, OrderError};
use super::json::{self, RawOrder, Wrapper};
use super::model::{
    currency_minor_units, Address, BillingPeriod, Customer, Line, LineKind, Order, OrderKey,
    ParseOptions, Source, Subscription, Totals, Warning, WarningKind, PLATFORM_WOOCOMMERCE,
};
use super::tax;

#[derive(Deserialize)]
struct WcOrder {
    #[serde(default, deserialize_with = "json::opt_id")]
    id: Option<String>,
    #[serde(default, deserialize_with = "json::opt_id")]
    number: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    status: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    currency: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    date_created: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    date_created_gmt: Option<String>,
    #[serde(default)]
    prices_include_tax: bool,
    #[serde(deserialize_with = "json::decimal")]
    total: Decimal,
    #[serde(default, deserialize_with = "json::opt_decimal")]
    total_tax: Option<Decimal>,
    #[serde(default, deserialize_with = "json::opt_id")]
    customer_id: Option<String>,
    #[serde(default)]
    billing: Option<WcBilling>,
    #[serde(default)]
    meta_data: Vec<WcMeta>,
    line_items: Vec<WcLineItem>,
    #[serde(default)]
    tax_lines: Vec<WcTaxLine>,
    #[serde(default)]
    shipping_lines: Vec<WcShippingLine>,
    #[serde(default)]
    fee_lines: Vec<WcFeeLine>,
    #[serde(default)]
    coupon_lines: Vec<WcCouponLine>,
    #[serde(default)]
    refunds: Vec<WcRefund>,
    #[serde(default, rename = "_links")]
    links: Option<WcLinks>,
    #[serde(default, deserialize_with = "json::opt_text")]
    billing_period: Option<String>,
    #[serde(default, deserialize_with = "json::opt_id")]
    billing_interval: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    start_date_gmt: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    start_date: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    end_date_gmt: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    end_date: Option<String>,
}

#[derive(Deserialize, Default)]
struct WcBilling {
    #[serde(default, deserialize_with = "json::opt_text")]
    first_name: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    last_name: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    company: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    address_1: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    address_2: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    city: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    state: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    postcode: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    country: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    email: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    phone: Option<String>,
}

#[derive(Deserialize)]
struct WcMeta {
    key: String,
    #[serde(default)]
    value: serde_json::Value,
}

#[derive(Deserialize)]
struct WcTax {
    #[serde(deserialize_with = "json::opt_id")]
    id: Option<String>,
    #[serde(default, deserialize_with = "json::opt_decimal")]
    total: Option<Decimal>,
}

#[derive(Deserialize)]
struct WcLineItem {
    name: String,
    #[serde(deserialize_with = "json::decimal")]
    quantity: Decimal,
    #[serde(default, deserialize_with = "json::opt_decimal")]
    subtotal: Option<Decimal>,
    #[serde(deserialize_with = "json::decimal")]
    total: Decimal,
    #[serde(default, deserialize_with = "json::opt_decimal")]
    total_tax: Option<Decimal>,
    #[serde(default)]
    taxes: Vec<WcTax>,
    #[serde(default)]
    meta_data: Vec<WcMeta>,
    #[serde(default, deserialize_with = "json::opt_text")]
    sku: Option<String>,
}

#[derive(Deserialize)]
struct WcTaxLine {
    #[serde(deserialize_with = "json::opt_id")]
    rate_id: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    label: Option<String>,
    #[serde(default)]
    compound: bool,
    #[serde(default, deserialize_with = "json::opt_decimal")]
    rate_percent: Option<Decimal>,
}

#[derive(Deserialize)]
struct WcShippingLine {
    #[serde(default, deserialize_with = "json::opt_text")]
    method_title: Option<String>,
    #[serde(deserialize_with = "json::decimal")]
    total: Decimal,
    #[serde(default, deserialize_with = "json::opt_decimal")]
    total_tax: Option<Decimal>,
    #[serde(default)]
    taxes: Vec<WcTax>,
}

#[derive(Deserialize)]
struct WcFeeLine {
    #[serde(default, deserialize_with = "json::opt_text")]
    name: Option<String>,
    #[serde(deserialize_with = "json::decimal")]
    total: Decimal,
    #[serde(default, deserialize_with = "json::opt_decimal")]
    total_tax: Option<Decimal>,
    #[serde(default)]
    taxes: Vec<WcTax>,
}

#[derive(Deserialize)]
struct WcCouponLine {
    #[serde(default, deserialize_with = "json::opt_text")]
    code: Option<String>,
}

#[derive(Deserialize)]
struct WcRefund {
    #[serde(default, deserialize_with = "json::opt_decimal")]
    total: Option<Decimal>,
}

#[derive(Deserialize)]
struct WcLinks {
    #[serde(default, rename = "self")]
    self_links: Vec<WcLink>,
}

#[derive(Deserialize)]
struct WcLink {
    href: String,
}

/// Reads a WooCommerce REST v3 file: one order object or an array of orders.
pub fn parse(
    text: &str,
    file: &Path,
    options: &ParseOptions,
) -> Result<Vec<Result<Order, OrderError>>, FileError> {
    let orders = json::split_orders(text, file, Wrapper::ObjectOrArray)?;
    Ok(orders
        .iter()
        .map(|raw| {
            let order: WcOrder = json::deserialize_order(file, raw)?;
            convert(order, file, raw, options)
        })
        .collect())
}

/// A billable line before its VAT rate is known.
struct PendingLine {
    line: Line,
    /// Tax per rate id, from the line's `taxes`.
    taxes: Vec<(String, Decimal)>,
}

fn convert(
    order: WcOrder,
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
    let currency = order
        .currency
        .clone()
        .ok_or_else(|| fail("currency", "missing currency code".to_owned()))?;
    let created = order
        .date_created
        .clone()
        .or_else(|| order.date_created_gmt.clone())
        .ok_or_else(|| fail("date_created", "missing order date".to_owned()))?;
    let minor_units = currency_minor_units(&currency);
    let mut warnings = Vec::new();

    let order_subscription = order_level_subscription(&order, &id, &fail)?;
    let mut pending = Vec::new();
    for (i, item) in order.line_items.iter().enumerate() {
        let field = format!("line_items[{i}]");
        if item.quantity <= Decimal::ZERO {
            return Err(fail(
                &format!("{field}.quantity"),
                format!(
                    "quantity must be greater than zero, found {}",
                    item.quantity
                ),
            ));
        }
        let subscription = match &order_subscription {
            Some(subscription) => Some(subscription.clone()),
            None => line_subscription(&item.meta_data, &field, &fail)?,
        };
        let tax_total = item.total_tax.unwrap_or(Decimal::ZERO);
        pending.push(PendingLine {
            taxes: tax_amounts(&item.taxes),
            line: Line {
                kind: LineKind::Product,
                field,
                sku: item.sku.clone(),
                name: item.name.clone(),
                quantity: item.quantity,
                unit_price_net: None,
                catalog_price_net: item.subtotal.map(|subtotal| subtotal / item.quantity),
                net_total: item.total,
                tax_total,
                gross_total: item.total + tax_total,
                vat_rate: Decimal::ZERO,
                subscription,
            },
        });
    }
    for (i, shipping) in order.shipping_lines.iter().enumerate() {
        let tax_total = shipping.total_tax.unwrap_or(Decimal::ZERO);
        pending.push(PendingLine {
            taxes: tax_amounts(&shipping.taxes),
            line: simple_line(
                LineKind::Shipping,
                format!("shipping_lines[{i}]"),
                shipping
                    .method_title
                    .clone()
                    .unwrap_or_else(|| "Shipping".to_owned()),
                shipping.total,
                tax_total,
            ),
        });
    }
    for (i, fee) in order.fee_lines.iter().enumerate() {
        let tax_total = fee.total_tax.unwrap_or(Decimal::ZERO);
        pending.push(PendingLine {
            taxes: tax_amounts(&fee.taxes),
            line: simple_line(
                LineKind::Fee,
                format!("fee_lines[{i}]"),
                fee.name.clone().unwrap_or_else(|| "Fee".to_owned()),
                fee.total,
                tax_total,
            ),
        });
    }

    let rates = rates_by_id(&order.tax_lines, &pending, minor_units, &mut warnings);
    let lines = pending
        .into_iter()
        .map(|p| {
            let mut line = p.line;
            line.vat_rate = line_rate(
                &line,
                &p.taxes,
                &order.tax_lines,
                &rates,
                minor_units,
                &mut warnings,
            );
            line
        })
        .collect();

    let status = order.status.clone();
    match status.as_deref() {
        Some("cancelled") => warnings.push(Warning::new(
            WarningKind::Cancelled,
            "the order has status cancelled in WooCommerce",
        )),
        Some("refunded") => warnings.push(Warning::new(
            WarningKind::Refunded,
            "the order has status refunded in WooCommerce; the invoice covers the order as placed",
        )),
        _ => {}
    }
    if !order.refunds.is_empty() {
        let refunded: Decimal = order
            .refunds
            .iter()
            .filter_map(|r| r.total)
            .map(|t| t.abs())
            .sum();
        warnings.push(Warning::new(
            WarningKind::Refunded,
            format!(
                "WooCommerce recorded {} refund(s) of {refunded} {currency} in total; the invoice \
                 covers the order as placed, and no credit note is created",
                order.refunds.len()
            ),
        ));
    }

    Ok(Order {
        key: OrderKey::new(PLATFORM_WOOCOMMERCE, &shop_name(&order, options), &id),
        number: order.number.clone().unwrap_or_else(|| id.clone()),
        created,
        currency,
        prices_include_tax: order.prices_include_tax,
        status,
        customer: customer(&order),
        lines,
        totals: Totals {
            gross: order.total,
            net: order.total_tax.map(|tax| order.total - tax),
            tax: order.total_tax,
            rounding: None,
        },
        renewal_of: renewal_ids(&order.meta_data),
        discount_codes: order
            .coupon_lines
            .iter()
            .filter_map(|c| c.code.clone())
            .collect(),
        warnings,
        source: Source {
            file: file.to_owned(),
            line: Some(raw.line),
        },
    })
}

fn simple_line(kind: LineKind, field: String, name: String, net: Decimal, tax: Decimal) -> Line {
    Line {
        kind,
        field,
        sku: None,
        name,
        quantity: Decimal::ONE,
        unit_price_net: Some(net),
        catalog_price_net: None,
        net_total: net,
        tax_total: tax,
        gross_total: net + tax,
        vat_rate: Decimal::ZERO,
        subscription: None,
    }
}

fn tax_amounts(taxes: &[WcTax]) -> Vec<(String, Decimal)> {
    taxes
        .iter()
        .filter_map(|t| Some((t.id.clone()?, t.total.unwrap_or(Decimal::ZERO))))
        .collect()
}

fn is_compound(tax_lines: &[WcTaxLine], rate_id: &str) -> bool {
    tax_lines
        .iter()
        .any(|t| t.compound && t.rate_id.as_deref() == Some(rate_id))
}

/// Determines each tax rate id's rate in percent: `rate_percent` where the shop states
/// it, otherwise inferred from every line taxed at that rate. A compound rate applies to
/// the net plus the line's other taxes, so that sum is its base.
fn rates_by_id(
    tax_lines: &[WcTaxLine],
    lines: &[PendingLine],
    minor_units: u32,
    warnings: &mut Vec<Warning>,
) -> BTreeMap<String, Decimal> {
    let mut rates = BTreeMap::new();
    let mut samples: BTreeMap<String, Vec<(Decimal, Decimal)>> = BTreeMap::new();
    for pending in lines {
        let simple_tax: Decimal = pending
            .taxes
            .iter()
            .filter(|(id, _)| !is_compound(tax_lines, id))
            .map(|(_, amount)| *amount)
            .sum();
        for (id, amount) in &pending.taxes {
            let base = if is_compound(tax_lines, id) {
                pending.line.net_total + simple_tax
            } else {
                pending.line.net_total
            };
            samples.entry(id.clone()).or_default().push((base, *amount));
        }
    }
    for tax_line in tax_lines {
        if let (Some(id), Some(rate)) = (&tax_line.rate_id, tax_line.rate_percent) {
            rates.insert(id.clone(), rate.normalize());
        }
    }
    for (id, pairs) in samples {
        if rates.contains_key(&id) {
            continue;
        }
        let inferred = tax::infer_rate(&pairs, minor_units);
        if !inferred.reproduces_all {
            let label = tax_lines
                .iter()
                .find(|t| t.rate_id.as_deref() == Some(id.as_str()))
                .and_then(|t| t.label.clone())
                .unwrap_or_else(|| format!("rate id {id}"));
            warnings.push(Warning::new(
                WarningKind::RateInferred,
                format!(
                    "tax \"{label}\" has no rate_percent, and no rate with up to 4 decimal places \
                     reproduces every line's tax; using {} %",
                    inferred.rate
                ),
            ));
        }
        rates.insert(id, inferred.rate);
    }
    rates
}

/// Returns the effective VAT rate of one line: the sum of its simple rates, with compound rates
/// applied on top, `(1 + s) * (1 + c1) * ... - 1`.
fn line_rate(
    line: &Line,
    taxes: &[(String, Decimal)],
    tax_lines: &[WcTaxLine],
    rates: &BTreeMap<String, Decimal>,
    minor_units: u32,
    warnings: &mut Vec<Warning>,
) -> Decimal {
    if taxes.is_empty() {
        if line.tax_total.is_zero() {
            return Decimal::ZERO;
        }
        let inferred = tax::infer_rate(&[(line.net_total, line.tax_total)], minor_units);
        warnings.push(Warning::new(
            WarningKind::RateInferred,
            format!(
                "{} has tax {} but no per-rate `taxes`; VAT rate inferred from this line alone as {} %",
                line.field, line.tax_total, inferred.rate
            ),
        ));
        return inferred.rate;
    }
    let rate_of = |id: &str| rates.get(id).copied().unwrap_or(Decimal::ZERO);
    let simple: Decimal = taxes
        .iter()
        .filter(|(id, _)| !is_compound(tax_lines, id))
        .map(|(id, _)| rate_of(id))
        .sum();
    let mut factor = Decimal::ONE + simple / Decimal::ONE_HUNDRED;
    for (id, _) in taxes.iter().filter(|(id, _)| is_compound(tax_lines, id)) {
        factor *= Decimal::ONE + rate_of(id) / Decimal::ONE_HUNDRED;
    }
    ((factor - Decimal::ONE) * Decimal::ONE_HUNDRED).normalize()
}

fn meta_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_owned()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn meta_lookup<'a>(meta: &'a [WcMeta], key: &str) -> Option<(usize, &'a WcMeta)> {
    meta.iter().enumerate().find(|(_, m)| m.key == key)
}

fn order_level_subscription(
    order: &WcOrder,
    id: &str,
    fail: &dyn Fn(&str, String) -> OrderError,
) -> Result<Option<Subscription>, OrderError> {
    let (period, interval) = match (&order.billing_period, &order.billing_interval) {
        (None, None) => return Ok(None),
        (Some(period), Some(interval)) => (period, interval),
        (Some(_), None) => {
            return Err(fail(
                "billing_interval",
                "missing billing_interval beside billing_period".to_owned(),
            ))
        }
        (None, Some(_)) => {
            return Err(fail(
                "billing_period",
                "missing billing_period beside billing_interval".to_owned(),
            ))
        }
    };
    let period = BillingPeriod::parse(period).ok_or_else(|| {
        fail(
            "billing_period",
            format!("unknown billing period {period:?}: expected day, week, month or year"),
        )
    })?;
    let interval = positive_count(interval).ok_or_else(|| {
        fail(
            "billing_interval",
            format!("invalid billing interval {interval:?}: expected a whole number of at least 1"),
        )
    })?;
    Ok(Some(Subscription {
        period,
        interval,
        id: Some(id.to_owned()),
        start: order
            .start_date_gmt
            .clone()
            .or_else(|| order.start_date.clone()),
        end: order
            .end_date_gmt
            .clone()
            .or_else(|| order.end_date.clone())
            .filter(|end| end != "0"),
    }))
}

fn positive_count(text: &str) -> Option<u32> {
    json::parse_count(text).filter(|&n| n >= 1)
}

/// Reads a recurring line's period from its meta data, under either pair of keys.
fn line_subscription(
    meta: &[WcMeta],
    field: &str,
    fail: &dyn Fn(&str, String) -> OrderError,
) -> Result<Option<Subscription>, OrderError> {
    for (period_key, interval_key) in [
        ("_subscription_period", "_subscription_period_interval"),
        ("billing_period", "billing_interval"),
    ] {
        let Some((period_index, period_meta)) = meta_lookup(meta, period_key) else {
            continue;
        };
        let period_field = format!("{field}.meta_data[{period_index}].value");
        let period_text = meta_text(&period_meta.value).unwrap_or_default();
        let period = BillingPeriod::parse(&period_text).ok_or_else(|| {
            fail(
                &period_field,
                format!("unknown {period_key} {period_text:?}: expected day, week, month or year"),
            )
        })?;
        let interval = match meta_lookup(meta, interval_key) {
            None => 1,
            Some((interval_index, interval_meta)) => {
                let text = meta_text(&interval_meta.value).unwrap_or_default();
                positive_count(&text).ok_or_else(|| {
                    fail(
                        &format!("{field}.meta_data[{interval_index}].value"),
                        format!("invalid {interval_key} {text:?}: expected a whole number of at least 1"),
                    )
                })?
            }
        };
        return Ok(Some(Subscription {
            period,
            interval,
            id: None,
            start: None,
            end: None,
        }));
    }
    Ok(None)
}

fn renewal_ids(meta: &[WcMeta]) -> Vec<String> {
    meta.iter()
        .filter(|m| m.key == "_subscription_renewal")
        .filter_map(|m| meta_text(&m.value))
        .collect()
}

/// Returns the shop's host from `_links.self[0].href`, or the default shop name.
fn shop_name(order: &WcOrder, options: &ParseOptions) -> String {
    order
        .links
        .as_ref()
        .and_then(|links| links.self_links.first())
        .and_then(|link| host_of(&link.href))
        .unwrap_or_else(|| options.default_shop.clone())
}

/// Returns the host (with port) of an `http` or `https` URL.
pub(crate) fn host_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

fn customer(order: &WcOrder) -> Customer {
    let billing = order.billing.as_ref();
    let get = |f: fn(&WcBilling) -> &Option<String>| billing.and_then(|b| f(b).clone());
    let meta = |keys: &[&str]| {
        keys.iter().find_map(|key| {
            meta_lookup(&order.meta_data, key).and_then(|(_, m)| meta_text(&m.value))
        })
    };
    let street = match (get(|b| &b.address_1), get(|b| &b.address_2)) {
        (Some(first), Some(second)) => Some(format!("{first}, {second}")),
        (first, second) => first.or(second),
    };
    let address = Address {
        street,
        city: get(|b| &b.city),
        zip: get(|b| &b.postcode),
        region: get(|b| &b.state),
        country_name: None,
        country_code: get(|b| &b.country),
    };
    Customer {
        shop_customer_id: order.customer_id.clone().filter(|id| id != "0"),
        email: get(|b| &b.email),
        first_name: get(|b| &b.first_name),
        last_name: get(|b| &b.last_name),
        company_name: get(|b| &b.company),
        // NOTE: WooCommerce core has no company or VAT id field. These order meta keys
        // are those of common extensions (`_vat_number` of WooCommerce EU VAT Number),
        // not a standard, so other extensions' keys are not read.
        company_id: meta(&["_billing_company_id"]),
        vat_id: meta(&["_billing_vat_number", "_vat_number"]),
        phones: get(|b| &b.phone).into_iter().collect(),
        billing_address: (address != Address::default()).then_some(address),
    }
}
