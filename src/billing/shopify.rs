//! Reader for Shopify Admin REST orders: one order object (as in `orders/create` webhook
//! bodies), `{"order": {...}}` or `{"orders": [...]}`.
//!
//! What the reader relies on, from Shopify's Order resource documentation:
//!
//! - Amounts come in the shop's currency (`price`, `shop_money`) and in the currency the
//!   customer paid (`*_set.presentment_money`, `presentment_currency`). The invoice uses
//!   presentment money; a file whose presentment currency differs from the shop currency
//!   must carry the `*_set` fields.
//! - `taxes_included: true` means `price` includes tax; otherwise it excludes tax.
//! - `line_items[].discount_allocations` are the discounts allocated to that line (order
//!   discounts included); where that field is missing, `total_discount` is used.
//! - `tax_lines[].rate` is a fraction (`0.06` is 6 %). Several tax lines on one line are
//!   cumulative taxes on the same base, so their rates add up.
//! - Refunds are separate records; the order's `total_price` is the amount as placed.

use std::path::Path;

use rust_decimal::Decimal;
use serde::Deserialize;

use super::error::{FileError, OrderError};
use super::json::{self, RawOrder, Wrapper};
use super::model::{
    Address, Customer, Line, LineKind, Order, OrderKey, ParseOptions, Source, Totals, Warning,
    WarningKind, PLATFORM_SHOPIFY,
};
use super::woocommerce::host_of;

#[derive(Deserialize)]
struct ShopifyOrder {
    #[serde(default, deserialize_with = "json::opt_id")]
    id: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    name: Option<String>,
    #[serde(default, deserialize_with = "json::opt_id")]
    order_number: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    created_at: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    processed_at: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    currency: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    presentment_currency: Option<String>,
    #[serde(default)]
    taxes_included: bool,
    #[serde(default, deserialize_with = "json::opt_decimal")]
    total_price: Option<Decimal>,
    #[serde(default)]
    total_price_set: Option<PriceSet>,
    #[serde(default, deserialize_with = "json::opt_decimal")]
    total_tax: Option<Decimal>,
    #[serde(default)]
    total_tax_set: Option<PriceSet>,
    #[serde(default, deserialize_with = "json::opt_text")]
    email: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    contact_email: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    phone: Option<String>,
    #[serde(default)]
    customer: Option<ShopifyCustomer>,
    #[serde(default)]
    billing_address: Option<ShopifyAddress>,
    line_items: Vec<ShopifyLineItem>,
    #[serde(default)]
    shipping_lines: Vec<ShopifyShippingLine>,
    #[serde(default)]
    discount_codes: Vec<ShopifyDiscountCode>,
    #[serde(default)]
    refunds: Vec<serde_json::Value>,
    #[serde(default, deserialize_with = "json::opt_text")]
    cancelled_at: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    financial_status: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    order_status_url: Option<String>,
}

#[derive(Deserialize)]
struct PriceSet {
    #[serde(default)]
    shop_money: Option<Money>,
    #[serde(default)]
    presentment_money: Option<Money>,
}

#[derive(Deserialize)]
struct Money {
    #[serde(deserialize_with = "json::decimal")]
    amount: Decimal,
    #[serde(default, deserialize_with = "json::opt_text")]
    currency_code: Option<String>,
}

#[derive(Deserialize)]
struct ShopifyCustomer {
    #[serde(default, deserialize_with = "json::opt_id")]
    id: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    email: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    first_name: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    last_name: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    phone: Option<String>,
    #[serde(default)]
    default_address: Option<ShopifyAddress>,
}

#[derive(Deserialize, Default)]
struct ShopifyAddress {
    #[serde(default, deserialize_with = "json::opt_text")]
    first_name: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    last_name: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    company: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    address1: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    address2: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    city: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    zip: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    province: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    country: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    country_code: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    phone: Option<String>,
}

#[derive(Deserialize)]
struct ShopifyLineItem {
    #[serde(default, deserialize_with = "json::opt_text")]
    name: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    title: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    sku: Option<String>,
    #[serde(deserialize_with = "json::decimal")]
    quantity: Decimal,
    #[serde(default, deserialize_with = "json::opt_decimal")]
    price: Option<Decimal>,
    #[serde(default)]
    price_set: Option<PriceSet>,
    #[serde(default, deserialize_with = "json::opt_decimal")]
    total_discount: Option<Decimal>,
    #[serde(default)]
    total_discount_set: Option<PriceSet>,
    #[serde(default)]
    discount_allocations: Option<Vec<Allocation>>,
    #[serde(default)]
    tax_lines: Vec<TaxLine>,
}

#[derive(Deserialize)]
struct ShopifyShippingLine {
    #[serde(default, deserialize_with = "json::opt_text")]
    title: Option<String>,
    #[serde(default, deserialize_with = "json::opt_text")]
    code: Option<String>,
    #[serde(default, deserialize_with = "json::opt_decimal")]
    price: Option<Decimal>,
    #[serde(default)]
    price_set: Option<PriceSet>,
    #[serde(default, deserialize_with = "json::opt_decimal")]
    discounted_price: Option<Decimal>,
    #[serde(default)]
    discounted_price_set: Option<PriceSet>,
    #[serde(default)]
    discount_allocations: Option<Vec<Allocation>>,
    #[serde(default)]
    tax_lines: Vec<TaxLine>,
}

#[derive(Deserialize)]
struct Allocation {
    #[serde(default, deserialize_with = "json::opt_decimal")]
    amount: Option<Decimal>,
    #[serde(default)]
    amount_set: Option<PriceSet>,
}

#[derive(Deserialize)]
struct TaxLine {
    #[serde(default, deserialize_with = "json::opt_decimal")]
    price: Option<Decimal>,
    #[serde(default)]
    price_set: Option<PriceSet>,
    #[serde(default, deserialize_with = "json::opt_decimal")]
    rate: Option<Decimal>,
}

#[derive(Deserialize)]
struct ShopifyDiscountCode {
    #[serde(default, deserialize_with = "json::opt_text")]
    code: Option<String>,
}

/// Reads a Shopify order file.
pub fn parse(
    text: &str,
    file: &Path,
    options: &ParseOptions,
) -> Result<Vec<Result<Order, OrderError>>, FileError> {
    let orders = json::split_orders(text, file, Wrapper::ShopifyEnvelope)?;
    Ok(orders
        .iter()
        .map(|raw| {
            let order: ShopifyOrder = json::deserialize_order(file, raw)?;
            convert(order, file, raw, options)
        })
        .collect())
}

/// Picks amounts in the currency the customer paid.
struct MoneyReader<'a> {
    /// Currency of the invoice: the presentment currency, else the shop currency.
    currency: &'a str,
    /// Whether the presentment currency differs from the shop currency, so that the
    /// plain shop-money fields must not be used.
    foreign: bool,
    fail: &'a dyn Fn(&str, String) -> OrderError,
}

impl MoneyReader<'_> {
    /// Reads `{field}_set.presentment_money.amount`, or the plain `{field}` when the
    /// shop and presentment currencies are the same.
    fn read(
        &self,
        set: Option<&PriceSet>,
        shop_amount: Option<Decimal>,
        field: &str,
        set_field: &str,
    ) -> Result<Option<Decimal>, OrderError> {
        if let Some(money) = set.and_then(|s| s.presentment_money.as_ref()) {
            if let Some(code) = &money.currency_code {
                if !code.eq_ignore_ascii_case(self.currency) {
                    return Err((self.fail)(
                        &format!("{set_field}.presentment_money.currency_code"),
                        format!(
                            "currency {code} differs from the order's presentment currency {}",
                            self.currency
                        ),
                    ));
                }
            }
            return Ok(Some(money.amount));
        }
        if self.foreign {
            if shop_amount.is_some() || set.is_some() {
                return Err((self.fail)(
                    &format!("{set_field}.presentment_money"),
                    format!(
                        "missing presentment money: the customer paid in {}, and `{field}` is in the shop currency",
                        self.currency
                    ),
                ));
            }
            return Ok(None);
        }
        Ok(shop_amount.or_else(|| set.and_then(|s| s.shop_money.as_ref()).map(|m| m.amount)))
    }

    fn required(
        &self,
        set: Option<&PriceSet>,
        shop_amount: Option<Decimal>,
        field: &str,
        set_field: &str,
    ) -> Result<Decimal, OrderError> {
        self.read(set, shop_amount, field, set_field)?
            .ok_or_else(|| (self.fail)(field, format!("missing `{field}` and `{set_field}`")))
    }

    fn allocations(&self, allocations: &[Allocation], field: &str) -> Result<Decimal, OrderError> {
        let mut sum = Decimal::ZERO;
        for (i, allocation) in allocations.iter().enumerate() {
            let item = format!("{field}[{i}]");
            sum += self.required(
                allocation.amount_set.as_ref(),
                allocation.amount,
                &format!("{item}.amount"),
                &format!("{item}.amount_set"),
            )?;
        }
        Ok(sum)
    }

    /// Returns the summed tax and the summed rate in percent of a line's tax lines.
    fn taxes(&self, tax_lines: &[TaxLine], field: &str) -> Result<(Decimal, Decimal), OrderError> {
        let mut tax = Decimal::ZERO;
        let mut rate = Decimal::ZERO;
        for (i, tax_line) in tax_lines.iter().enumerate() {
            let item = format!("{field}[{i}]");
            tax += self.required(
                tax_line.price_set.as_ref(),
                tax_line.price,
                &format!("{item}.price"),
                &format!("{item}.price_set"),
            )?;
            let fraction = tax_line.rate.ok_or_else(|| {
                (self.fail)(&format!("{item}.rate"), "missing tax rate".to_owned())
            })?;
            rate += fraction * Decimal::ONE_HUNDRED;
        }
        Ok((tax, rate.normalize()))
    }
}

/// Net, tax and gross of a line from its gross-or-net amount after discounts.
fn split_amount(after_discount: Decimal, tax: Decimal, taxes_included: bool) -> (Decimal, Decimal) {
    if taxes_included {
        (after_discount - tax, after_discount)
    } else {
        (after_discount, after_discount + tax)
    }
}

fn convert(
    order: ShopifyOrder,
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
    let shop_currency = order.currency.clone();
    let currency = order
        .presentment_currency
        .clone()
        .or_else(|| shop_currency.clone())
        .ok_or_else(|| {
            fail(
                "presentment_currency",
                "missing presentment_currency and currency".to_owned(),
            )
        })?;
    let foreign = shop_currency
        .as_deref()
        .is_some_and(|shop| !shop.eq_ignore_ascii_case(&currency));
    let money = MoneyReader {
        currency: &currency,
        foreign,
        fail: &fail,
    };
    let created = order
        .created_at
        .clone()
        .or_else(|| order.processed_at.clone())
        .ok_or_else(|| fail("created_at", "missing order date".to_owned()))?;

    let mut lines = Vec::new();
    for (i, item) in order.line_items.iter().enumerate() {
        lines.push(product_line(item, i, order.taxes_included, &money, &fail)?);
    }
    for (i, shipping) in order.shipping_lines.iter().enumerate() {
        lines.push(shipping_line(shipping, i, order.taxes_included, &money)?);
    }

    let gross = money.required(
        order.total_price_set.as_ref(),
        order.total_price,
        "total_price",
        "total_price_set",
    )?;
    let tax = money.read(
        order.total_tax_set.as_ref(),
        order.total_tax,
        "total_tax",
        "total_tax_set",
    )?;

    let mut warnings = Vec::new();
    if let Some(cancelled) = &order.cancelled_at {
        warnings.push(Warning::new(
            WarningKind::Cancelled,
            format!("the order was cancelled in Shopify at {cancelled}"),
        ));
    }
    if !order.refunds.is_empty() {
        let status = order.financial_status.as_deref().unwrap_or("unknown");
        warnings.push(Warning::new(
            WarningKind::Refunded,
            format!(
                "Shopify recorded {} refund(s) (financial status {status}); the invoice covers the \
                 order as placed, and no credit note is created",
                order.refunds.len()
            ),
        ));
    }

    Ok(Order {
        key: OrderKey::new(
            PLATFORM_SHOPIFY,
            &order
                .order_status_url
                .as_deref()
                .and_then(host_of)
                .unwrap_or_else(|| options.default_shop.clone()),
            &id,
        ),
        number: order
            .name
            .clone()
            .or_else(|| order.order_number.clone())
            .unwrap_or_else(|| id.clone()),
        created,
        currency: currency.clone(),
        prices_include_tax: order.taxes_included,
        status: order.financial_status.clone(),
        customer: customer(&order),
        lines,
        totals: Totals {
            gross,
            net: tax.map(|t| gross - t),
            tax,
            rounding: None,
        },
        renewal_of: Vec::new(),
        discount_codes: order
            .discount_codes
            .iter()
            .filter_map(|d| d.code.clone())
            .collect(),
        warnings,
        source: Source {
            file: file.to_owned(),
            line: Some(raw.line),
        },
    })
}

fn product_line(
    item: &ShopifyLineItem,
    index: usize,
    taxes_included: bool,
    money: &MoneyReader<'_>,
    fail: &dyn Fn(&str, String) -> OrderError,
) -> Result<Line, OrderError> {
    let field = format!("line_items[{index}]");
    if item.quantity <= Decimal::ZERO {
        return Err(fail(
            &format!("{field}.quantity"),
            format!(
                "quantity must be greater than zero, found {}",
                item.quantity
            ),
        ));
    }
    let price = money.required(
        item.price_set.as_ref(),
        item.price,
        &format!("{field}.price"),
        &format!("{field}.price_set"),
    )?;
    let discount = match &item.discount_allocations {
        Some(allocations) => {
            money.allocations(allocations, &format!("{field}.discount_allocations"))?
        }
        None => money
            .read(
                item.total_discount_set.as_ref(),
                item.total_discount,
                &format!("{field}.total_discount"),
                &format!("{field}.total_discount_set"),
            )?
            .unwrap_or(Decimal::ZERO),
    };
    let (tax, rate) = money.taxes(&item.tax_lines, &format!("{field}.tax_lines"))?;
    let (net, gross) = split_amount(price * item.quantity - discount, tax, taxes_included);
    let name = item
        .name
        .clone()
        .or_else(|| item.title.clone())
        .ok_or_else(|| {
            fail(
                &format!("{field}.name"),
                "missing line item name and title".to_owned(),
            )
        })?;
    Ok(Line {
        kind: LineKind::Product,
        field,
        sku: item.sku.clone(),
        name,
        quantity: item.quantity,
        unit_price_net: None,
        catalog_price_net: (!taxes_included).then_some(price),
        net_total: net,
        tax_total: tax,
        gross_total: gross,
        vat_rate: rate,
        subscription: None,
    })
}

fn shipping_line(
    shipping: &ShopifyShippingLine,
    index: usize,
    taxes_included: bool,
    money: &MoneyReader<'_>,
) -> Result<Line, OrderError> {
    let field = format!("shipping_lines[{index}]");
    let discounted = money.read(
        shipping.discounted_price_set.as_ref(),
        shipping.discounted_price,
        &format!("{field}.discounted_price"),
        &format!("{field}.discounted_price_set"),
    )?;
    let after_discount = match discounted {
        Some(amount) => amount,
        None => {
            let price = money.required(
                shipping.price_set.as_ref(),
                shipping.price,
                &format!("{field}.price"),
                &format!("{field}.price_set"),
            )?;
            let discount = match &shipping.discount_allocations {
                Some(allocations) => {
                    money.allocations(allocations, &format!("{field}.discount_allocations"))?
                }
                None => Decimal::ZERO,
            };
            price - discount
        }
    };
    let (tax, rate) = money.taxes(&shipping.tax_lines, &format!("{field}.tax_lines"))?;
    let (net, gross) = split_amount(after_discount, tax, taxes_included);
    Ok(Line {
        kind: LineKind::Shipping,
        field,
        sku: None,
        name: shipping
            .title
            .clone()
            .or_else(|| shipping.code.clone())
            .unwrap_or_else(|| "Shipping".to_owned()),
        quantity: Decimal::ONE,
        unit_price_net: Some(net),
        catalog_price_net: None,
        net_total: net,
        tax_total: tax,
        gross_total: gross,
        vat_rate: rate,
        subscription: None,
    })
}

fn customer(order: &ShopifyOrder) -> Customer {
    let shop_customer = order.customer.as_ref();
    let empty = ShopifyAddress::default();
    let billing = order.billing_address.as_ref().unwrap_or(&empty);
    let address_source = order
        .billing_address
        .as_ref()
        .or_else(|| shop_customer.and_then(|c| c.default_address.as_ref()));
    let address = address_source.map(|a| Address {
        street: match (&a.address1, &a.address2) {
            (Some(first), Some(second)) => Some(format!("{first}, {second}")),
            (first, second) => first.clone().or_else(|| second.clone()),
        },
        city: a.city.clone(),
        zip: a.zip.clone(),
        region: a.province.clone(),
        country_name: a.country.clone(),
        country_code: a.country_code.clone(),
    });
    let mut phones: Vec<String> = Vec::new();
    for phone in [
        billing.phone.as_ref(),
        order.phone.as_ref(),
        shop_customer.and_then(|c| c.phone.as_ref()),
        shop_customer
            .and_then(|c| c.default_address.as_ref())
            .and_then(|a| a.phone.as_ref()),
    ]
    .into_iter()
    .flatten()
    {
        if !phones.contains(phone) {
            phones.push(phone.clone());
        }
    }
    Customer {
        shop_customer_id: shop_customer.and_then(|c| c.id.clone()),
        email: order
            .email
            .clone()
            .or_else(|| order.contact_email.clone())
            .or_else(|| shop_customer.and_then(|c| c.email.clone())),
        first_name: billing
            .first_name
            .clone()
            .or_else(|| shop_customer.and_then(|c| c.first_name.clone())),
        last_name: billing
            .last_name
            .clone()
            .or_else(|| shop_customer.and_then(|c| c.last_name.clone())),
        company_name: billing.company.clone(),
        // Shopify's order resource has no company registration or VAT id field.
        company_id: None,
        vat_id: None,
        phones,
        billing_address: address,
    }
}
