//! The normalised order model that every shop format is read into.
//!
//! Amounts are the shop's own numbers, exact decimals in the order's currency. The model
//! does not recompute what the shop states: a line's net total, tax and gross total are
//! kept as the shop rounded them, and the mapping sends them to Atollon unchanged.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;

/// Platform name of WooCommerce orders in journal keys.
pub const PLATFORM_WOOCOMMERCE: &str = "woocommerce";
/// Platform name of Shopify orders in journal keys.
pub const PLATFORM_SHOPIFY: &str = "shopify";
/// Platform name of Shoptet orders in journal keys.
pub const PLATFORM_SHOPTET: &str = "shoptet";

/// Journal key of an order: platform, shop and the shop's order id.
///
/// Its text form is `platform/shop/order_id`, for example `shopify/jsmith.myshopify.com/450789469`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct OrderKey {
    /// Shop software, such as `woocommerce`, or the canonical format's `platform` field.
    pub platform: String,
    /// The shop's host name or the name given in the parse options.
    pub shop: String,
    /// The shop's internal order id (not the order number shown to customers).
    pub order_id: String,
}

impl OrderKey {
    /// Builds a key from its three parts.
    pub fn new(platform: &str, shop: &str, order_id: &str) -> Self {
        OrderKey {
            platform: platform.to_owned(),
            shop: shop.to_owned(),
            order_id: order_id.to_owned(),
        }
    }
}

impl fmt::Display for OrderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.platform, self.shop, self.order_id)
    }
}

impl FromStr for OrderKey {
    type Err = String;

    /// Parses `platform/shop/order_id`. The shop may contain `/`; the platform is the
    /// text before the first `/` and the order id the text after the last one.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || format!("invalid order key {text:?}: expected platform/shop/order_id");
        let (platform, rest) = text.split_once('/').ok_or_else(invalid)?;
        let (shop, order_id) = rest.rsplit_once('/').ok_or_else(invalid)?;
        if platform.is_empty() || shop.is_empty() || order_id.is_empty() {
            return Err(invalid());
        }
        Ok(OrderKey::new(platform, shop, order_id))
    }
}

/// Origin of an order (file and line), for messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// Path of the order file.
    pub file: PathBuf,
    /// Line where the order starts, from 1, when known.
    pub line: Option<usize>,
}

/// One shop order, normalised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Order {
    /// Journal key.
    pub key: OrderKey,
    /// Order number as the shop shows it to the customer, such as `#1001`.
    pub number: String,
    /// Creation date and time in the shop's lexical form, unchanged.
    pub created: String,
    /// ISO 4217 code of the currency the customer paid in.
    pub currency: String,
    /// Whether the shop's prices include tax (informational: lines carry both values).
    pub prices_include_tax: bool,
    /// The shop's order status, such as `processing`.
    pub status: Option<String>,
    /// The buyer.
    pub customer: Customer,
    /// Billable lines in the shop's order: products, then shipping, fees and discounts.
    pub lines: Vec<Line>,
    /// Order totals as the shop states them.
    pub totals: Totals,
    /// Subscription ids this order renews; empty for a first purchase.
    pub renewal_of: Vec<String>,
    /// Discount codes used, for information: their amounts are already in line totals
    /// unless the shop sends a discount line.
    pub discount_codes: Vec<String>,
    /// Facts found while reading that the user should see.
    pub warnings: Vec<Warning>,
    /// File and line the order came from.
    pub source: Source,
}

/// The buyer of an order, from the shop's billing data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Customer {
    /// The shop's customer id; `None` for guest checkouts.
    pub shop_customer_id: Option<String>,
    /// E-mail address as the shop stores it.
    pub email: Option<String>,
    /// Given name.
    pub first_name: Option<String>,
    /// Surname.
    pub last_name: Option<String>,
    /// Company name.
    pub company_name: Option<String>,
    /// Company registration number (for example the Czech IČO).
    pub company_id: Option<String>,
    /// VAT identification number.
    pub vat_id: Option<String>,
    /// Phone numbers of the order, billing phone first, duplicates removed.
    pub phones: Vec<String>,
    /// Billing address.
    pub billing_address: Option<Address>,
}

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Address {
    /// Street and house number, joined with a space; a second address line follows after ", ".
    pub street: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Postal code.
    pub zip: Option<String>,
    /// State, province or region.
    pub region: Option<String>,
    /// Country name, when the shop gives one.
    pub country_name: Option<String>,
    /// ISO 3166-1 alpha-2 country code, when the shop gives one.
    pub country_code: Option<String>,
}

/// Kind of a billable line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineKind {
    /// Goods or services.
    Product,
    /// Shipping.
    Shipping,
    /// A fee, such as a payment surcharge.
    Fee,
    /// A discount the shop sends as a line of its own, with a negative amount.
    Discount,
}

impl LineKind {
    /// Returns the lower-case name used in messages and the canonical format.
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Product => "product",
            LineKind::Shipping => "shipping",
            LineKind::Fee => "fee",
            LineKind::Discount => "discount",
        }
    }
}

/// One billable line of an order, with the shop's amounts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    /// Kind of line: product, shipping, fee or discount.
    pub kind: LineKind,
    /// Path of the line in the shop's file, such as `line_items[1]`, for messages.
    pub field: String,
    /// The shop's SKU or product code.
    pub sku: Option<String>,
    /// Name as the shop sends it (HTML entities are decoded by the mapping, not here).
    pub name: String,
    /// Quantity, greater than zero.
    pub quantity: Decimal,
    /// Net unit price after discounts when the shop states it; otherwise the mapping
    /// derives it from `net_total`.
    pub unit_price_net: Option<Decimal>,
    /// Net unit price before discounts when the shop states it.
    pub catalog_price_net: Option<Decimal>,
    /// Net line total after discounts, as the shop computed it.
    pub net_total: Decimal,
    /// Tax of the line, as the shop computed it.
    pub tax_total: Decimal,
    /// Gross line total, as the shop computed it (`net_total + tax_total` for all
    /// formats read here).
    pub gross_total: Decimal,
    /// VAT rate in percent (`21` means 21 %).
    pub vat_rate: Decimal,
    /// Recurring billing, for subscription lines.
    pub subscription: Option<Subscription>,
}

/// Recurring billing of a subscription line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscription {
    /// Unit of the billing interval.
    pub period: BillingPeriod,
    /// Number of periods between two payments, at least 1.
    pub interval: u32,
    /// The shop's subscription id, when known; renewal orders name it.
    pub id: Option<String>,
    /// Start of the subscription in the shop's lexical form.
    pub start: Option<String>,
    /// End of the subscription in the shop's lexical form; `None` runs until cancelled.
    pub end: Option<String>,
}

/// Unit of a subscription's billing interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BillingPeriod {
    /// Days.
    Day,
    /// Weeks.
    Week,
    /// Months.
    Month,
    /// Years.
    Year,
}

impl BillingPeriod {
    /// Parses the names WooCommerce Subscriptions and the canonical format use:
    /// `day`, `week`, `month`, `year` (case-insensitive).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "day" => Some(BillingPeriod::Day),
            "week" => Some(BillingPeriod::Week),
            "month" => Some(BillingPeriod::Month),
            "year" => Some(BillingPeriod::Year),
            _ => None,
        }
    }

    /// Returns the lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            BillingPeriod::Day => "day",
            BillingPeriod::Week => "week",
            BillingPeriod::Month => "month",
            BillingPeriod::Year => "year",
        }
    }
}

/// Order totals as the shop states them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Gross order total, what the billed lines must add up to.
    pub gross: Decimal,
    /// Net order total, when the shop states it.
    pub net: Option<Decimal>,
    /// Tax total, when the shop states it.
    pub tax: Option<Decimal>,
    /// Cash rounding the shop adds on top of `gross`, when it states one.
    pub rounding: Option<Decimal>,
}

/// A fact the user should see in the order's result; it does not stop billing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Category, for machine-readable output.
    pub kind: WarningKind,
    /// Sentence for the user, naming the line or field.
    pub message: String,
}

impl Warning {
    /// Builds a warning.
    pub fn new(kind: WarningKind, message: impl Into<String>) -> Self {
        Warning {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

/// Category of a [`Warning`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum WarningKind {
    /// The billed lines do not add up to the order total within one minor unit per line.
    Reconciliation,
    /// A line's tax is not its VAT rate applied to its net total.
    TaxMismatch,
    /// The VAT rate was inferred from tax amounts and is uncertain.
    RateInferred,
    /// Characters that XML 1.0 cannot carry were removed from a text.
    CharacterRemoved,
    /// The shop recorded refunds; the invoice covers the order as placed.
    Refunded,
    /// The order is cancelled in the shop.
    Cancelled,
    /// The shop rounds the amount to pay; the rounding is not billed.
    Rounding,
    /// A value was missing and a fallback was used.
    Fallback,
}

impl WarningKind {
    /// Returns the kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::Reconciliation => "reconciliation",
            WarningKind::TaxMismatch => "tax-mismatch",
            WarningKind::RateInferred => "rate-inferred",
            WarningKind::CharacterRemoved => "character-removed",
            WarningKind::Refunded => "refunded",
            WarningKind::Cancelled => "cancelled",
            WarningKind::Rounding => "rounding",
            WarningKind::Fallback => "fallback",
        }
    }
}

/// Options that apply to every order of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// Shop name for journal keys when the file does not name its shop. WooCommerce and
    /// Shopify orders carry their shop's host name; Shoptet exports and canonical orders
    /// without a `shop` field do not.
    pub default_shop: String,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            default_shop: "default".to_owned(),
        }
    }
}

/// Number of decimal places of a currency's minor unit (ISO 4217), 2 unless listed.
pub fn currency_minor_units(currency: &str) -> u32 {
    match currency.to_ascii_uppercase().as_str() {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// Returns one minor unit of a currency: 0.01 for most, 1 for JPY, 0.001 for KWD.
pub fn currency_minor_unit(currency: &str) -> Decimal {
    Decimal::new(1, currency_minor_units(currency))
}
