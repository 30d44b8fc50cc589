//! From a normalised order to the values of Atollon's requests: the contact, the
//! customer folder, the deal (project), one billing item per line, recurring billing
//! rules for subscriptions, and the keys to find a returning customer.
//!
//! Rules:
//!
//! - Every line of the order becomes one billing item, zero-priced lines included, with
//!   its own VAT rate. Shipping and fees are items of their own; a shop that splits
//!   shipping per VAT rate sends several lines, and each stays an item.
//! - `amount` is the net unit price, `totalAmount` the net line total exactly as the shop
//!   computed it (so `amount * quantity` may differ from it by rounding),
//!   `totalAmountWithVat` the shop's gross line total and `vatValue` the rate in percent.
//! - Discounts that shops already took off line totals (WooCommerce coupons, Shopify
//!   discount allocations) are not subtracted again. A discount the shop sends as a line
//!   of its own is an item with a negative amount.
//! - Names are decoded from HTML entities, and characters that XML 1.0 cannot carry are
//!   removed from every text, with a warning.
//! - A company name or company id makes a COMPANY contact; otherwise a PERSON.
//! - Reconciliation: the items' gross totals must add up to the order's gross total
//!   within one minor unit of the currency per item. A larger difference is a warning
//!   in the plan, and the order is still billed.
//! - Subscriptions: intervals map to Atollon's `billingFrequency` as 1 day = 10,
//!   1 week (or 7 days) = 8, 1 month = 6, 3 months = 4, 1 year (or 12 months) = 2. Any
//!   other interval, such as every 2 months, is an error naming the order and the line:
//!   billing at the nearest frequency would charge the customer a different amount per
//!   year than the shop agreed.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::config::Config;
use super::dates::LocalDateTime;
use super::error::MapError;
use super::journal::Step;
use super::model::{
    currency_minor_unit, currency_minor_units, BillingPeriod, Line, LineKind, Order, OrderKey,
    Warning, WarningKind,
};
use super::tax;
use super::text::{
    decode_html_entities, normalize_email, normalize_identifier, normalize_phone,
    remove_non_xml_chars,
};

/// Decimal places of a derived net unit price. Atollon does not document the precision
/// of `amount`. Four places keep the unit price within 0.00005 of the exact quotient,
/// and `totalAmount` carries the shop's exact line total anyway.
pub const UNIT_PRICE_DECIMALS: u32 = 4;

/// `ITEM/type` of sales and billing items.
pub const ITEM_TYPE_SALES: i32 = 1;

/// `ITEM/ratio`: Atollon documents a fixed 100 (a probability used only for deals).
pub const ITEM_RATIO: i32 = 100;

/// `ITEM/isModelItem` of recurring billing rules.
pub const IS_MODEL_ITEM: i32 = 1;

/// `MARKETING_TRIGGER/baseType` sent when a returning customer brings a new phone number.
pub const NEW_PHONE_TRIGGER: &str = "new-phone-number";

/// Everything the flow sends for one order, in step order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderPlan {
    /// Journal key.
    pub key: OrderKey,
    /// The shop's order number, also the deal's name.
    pub order_number: String,
    /// Keys to find a returning customer in the journal, in matching order.
    pub customer_keys: CustomerKeys,
    /// Phone numbers of the order, normalised, to detect numbers not seen before.
    pub phones: Vec<String>,
    /// CreateContact values, for a new customer.
    pub contact: ContactRequest,
    /// CreateSimpleFolder values, for a new customer.
    pub folder: FolderRequest,
    /// CreateProject values.
    pub project: ProjectRequest,
    /// CreateProjectItem values, step `item:N` for index N.
    pub items: Vec<BillingItem>,
    /// CreateFolderItem values, step `folder_item:N` for index N.
    pub folder_items: Vec<FolderItemRule>,
    /// Subscription ids this order renews. When the journal records one of them, Atollon's
    /// recurring rule already bills this order, and the flow must not invoice it.
    pub renewal_of: Vec<String>,
    /// Whether to call CheckWorkflowQueue after the invoice.
    pub check_workflow_queue: bool,
    /// Creation time of the order as a marketing trigger date, `YYYY-MM-DD HH:MM`.
    pub trigger_date: String,
    /// Sum check of the items against the order total.
    pub reconciliation: Reconciliation,
    /// Warnings of reading and mapping.
    pub warnings: Vec<Warning>,
}

/// Keys that identify a customer across orders, normalised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CustomerKeys {
    /// Platform of the shop customer id.
    pub platform: String,
    /// Shop of the shop customer id: customer ids are unique only within one shop.
    pub shop: String,
    /// The shop's customer id.
    pub shop_customer_id: Option<String>,
    /// E-mail, trimmed and lower-case.
    pub email: Option<String>,
    /// Company registration number, without spaces, upper-case.
    pub company_id: Option<String>,
    /// VAT id, without spaces, upper-case.
    pub vat_id: Option<String>,
}

/// Whether a contact is a person or a company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ContactKind {
    /// `PERSON`.
    Person,
    /// `COMPANY`.
    Company,
}

/// CreateContact values. The ids of types and language come from the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactRequest {
    /// PERSON or COMPANY.
    pub kind: ContactKind,
    /// `name1`: a person's first name, as Atollon's published CreateContact example has
    /// it, or the company name.
    pub name1: String,
    /// `name3`: a person's surname; `None` for companies.
    pub name3: Option<String>,
    /// Given name of the buyer, also for companies (the contact person).
    pub first_name: Option<String>,
    /// Surname of the buyer, also for companies (the contact person).
    pub last_name: Option<String>,
    /// Company registration number, kept for companies.
    pub company_id: Option<String>,
    /// VAT id, kept for companies and persons.
    pub vat_id: Option<String>,
    /// The billing address, when the shop gives one.
    pub address: Option<AddressValues>,
    /// E-mail first, then phone numbers.
    pub contacts: Vec<ContactValue>,
    /// `PERSONINFO/preferedLang`.
    pub language: i64,
}

/// One `ADDRESSES/ADDRESS`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddressValues {
    /// `street`.
    pub street: Option<String>,
    /// `cityName`.
    pub city: Option<String>,
    /// `zipName`.
    pub zip: Option<String>,
    /// `regionName`.
    pub region: Option<String>,
    /// `countryName`: the country name, or the ISO code when the shop gives only that.
    pub country: Option<String>,
    /// `type`.
    pub address_type: i64,
    /// `isPrimary`.
    pub is_primary: bool,
}

/// One `CONTACTS/CONTACT`: an e-mail address or a phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactValue {
    /// `content`.
    pub content: String,
    /// `type`: the configured e-mail or phone contact type.
    pub contact_type: i64,
    /// `isMain`: the first e-mail and the first phone.
    pub is_main: bool,
    /// `isPrimary`: the first e-mail and the first phone.
    pub is_primary: bool,
}

/// CreateSimpleFolder values; `contact` is the id from the contact step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FolderRequest {
    /// `name`: "Surname, First" or the company name.
    pub name: String,
    /// `template`.
    pub template: i64,
    /// `comment`: the company id and VAT id, such as `Company ID 12345678, VAT ID
    /// CZ12345678`, when the customer has either.
    pub comment: Option<String>,
}

/// CreateProject values; `customer` and `folder` are the id from the folder step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectRequest {
    /// `name`: the shop's order number.
    pub name: String,
    /// `invoiceJournal`.
    pub invoice_journal: i64,
    /// `projectTemplate`.
    pub project_template: i64,
    /// `provider`.
    pub provider: i64,
}

/// CreateProjectItem values of one order line; `project` is the id from the project step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BillingItem {
    /// Index of the line in [`Order::lines`].
    pub line_index: usize,
    /// Kind of line: product, shipping, fee or discount.
    pub kind: LineKind,
    /// Path of the line in the shop's file, for messages.
    pub field: String,
    /// `name`, decoded and cleaned.
    pub name: String,
    /// The shop's SKU.
    pub sku: Option<String>,
    /// `item`: product id from `[products]` or `ids.default_product`.
    pub product_id: i64,
    /// `quantity` and `totalQuantity`.
    pub quantity: Decimal,
    /// `amount`: net unit price.
    pub amount: Decimal,
    /// `catalogPrice`: net unit price before discounts, or `amount` when unknown.
    pub catalog_price: Decimal,
    /// `totalAmount`: net line total as the shop computed it.
    pub total_amount: Decimal,
    /// `totalAmountWithVat`: gross line total as the shop computed it.
    pub total_amount_with_vat: Decimal,
    /// `vatValue`: VAT rate in percent.
    pub vat_value: Decimal,
    /// `currency`.
    pub currency: String,
    /// `billingDate`: the order's creation time, `YYYY-MM-DDTHH:MM:SS`.
    pub billing_date: String,
    /// `billingStatus`.
    pub billing_status: i32,
}

/// CreateFolderItem values of one subscription line; `folder` and `destinationProject`
/// are the ids from the folder and project steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FolderItemRule {
    /// Index of the line in [`Order::lines`].
    pub line_index: usize,
    /// The billing item values of each generated period; `billing_date` is the first
    /// renewal and `billing_status` at most 3, the highest status CreateFolderItem takes.
    pub item: BillingItem,
    /// `billingFrequency`: 2 yearly, 4 quarterly, 6 monthly, 8 weekly, 10 daily.
    pub billing_frequency: i32,
    /// `validFrom` and `taxationDate`: the first renewal, one interval after the order
    /// (or the subscription's start when the shop states it), which this order has paid.
    pub valid_from: String,
    /// `validTo`: the subscription's end, when the shop states one.
    pub valid_to: Option<String>,
    /// The shop's subscription id.
    pub subscription_id: Option<String>,
    /// Key under which the journal records this subscription: the shop's id, or
    /// `ORDER_ID:LINE` for lines that name none.
    pub subscription_key: String,
}

/// Sum check of the billing items against the order's stated total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    /// Sum of `totalAmountWithVat` of all items.
    pub billed_gross: Decimal,
    /// The order's gross total as the shop states it.
    pub order_gross: Decimal,
    /// `billed_gross - order_gross`.
    pub difference: Decimal,
    /// One minor unit of the currency per item.
    pub tolerance: Decimal,
    /// Whether `|difference| <= tolerance`.
    pub within_tolerance: bool,
}

impl OrderPlan {
    /// Lists the steps of this order in the order the flow runs them. `contact` and
    /// `folder` are skipped for a returning customer, and `trigger` is listed only when
    /// `send_trigger` is set (a returning customer with a phone number not seen before).
    pub fn steps(&self, send_trigger: bool) -> Vec<Step> {
        let mut steps = vec![Step::Contact, Step::Folder, Step::Project];
        steps.extend((0..self.items.len()).map(Step::Item));
        steps.push(Step::Invoice);
        steps.extend((0..self.folder_items.len()).map(Step::FolderItem));
        if self.check_workflow_queue {
            steps.push(Step::Workflow);
        }
        if send_trigger {
            steps.push(Step::Trigger);
        }
        steps
    }

    /// Returns this order's phone numbers that are not in `known` (normalised numbers, as
    /// the journal stores them).
    pub fn phones_not_seen(&self, known: &[String]) -> Vec<String> {
        self.phones
            .iter()
            .filter(|phone| !known.contains(phone))
            .cloned()
            .collect()
    }

    /// Builds the `new-phone-number` trigger for a returning customer.
    pub fn new_phone_trigger(
        &self,
        new_phones: &[String],
        contact_id: i64,
        folder_id: i64,
    ) -> MarketingTrigger {
        MarketingTrigger {
            base_type: NEW_PHONE_TRIGGER.to_owned(),
            context_id: folder_id,
            contact_id,
            url: None,
            tracking_code: None,
            description: format!(
                "Order {} brought a new phone number: {}",
                self.order_number,
                new_phones.join(", ")
            ),
            trigger_date: self.trigger_date.clone(),
        }
    }
}

/// CreateMarketingTriggers values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarketingTrigger {
    /// `baseType`.
    pub base_type: String,
    /// `contextId`: the customer folder.
    pub context_id: i64,
    /// `contactId`.
    pub contact_id: i64,
    /// `url`.
    pub url: Option<String>,
    /// `trackingCode`.
    pub tracking_code: Option<String>,
    /// `description`.
    pub description: String,
    /// `triggerDate`, `YYYY-MM-DD HH:MM`.
    pub trigger_date: String,
}

/// Maps one order to the values of its Atollon requests.
pub fn plan_order(order: &Order, config: &Config) -> Result<OrderPlan, MapError> {
    let fail = |field: &str, message: String| MapError {
        file: order.source.file.clone(),
        order: Box::new(order.key.clone()),
        field: field.to_owned(),
        message,
    };
    let created = LocalDateTime::parse(&order.created).ok_or_else(|| {
        fail(
            "created",
            format!(
                "invalid order date {:?}: expected YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or an ISO 8601 date-time",
                order.created
            ),
        )
    })?;
    let currency = order.currency.trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(fail(
            "currency",
            format!(
                "invalid currency {:?}: expected an ISO 4217 code such as EUR",
                order.currency
            ),
        ));
    }
    let mut cleaner = Cleaner::default();
    let billing_date = created.to_atollon();

    let mut items = Vec::new();
    for (index, line) in order.lines.iter().enumerate() {
        items.push(billing_item(
            config,
            &mut cleaner,
            index,
            line,
            &currency,
            &billing_date,
        ));
    }
    let mut folder_items = Vec::new();
    if order.renewal_of.is_empty() {
        for item in &items {
            let line = &order.lines[item.line_index];
            if let Some(rule) = folder_item_rule(order, line, item, created, &fail)? {
                folder_items.push(rule);
            }
        }
    }

    let mut warnings = order.warnings.clone();
    let minor_units = currency_minor_units(&currency);
    for item in &items {
        // One minor unit of tolerance: shops that price with VAT (Shoptet) derive the net
        // from the gross, so net x rate can miss the stated tax by a little over half a unit.
        let tax = item.total_amount_with_vat - item.total_amount;
        if !tax::tax_within(
            item.total_amount,
            tax,
            item.vat_value,
            currency_minor_unit(&currency),
        ) {
            warnings.push(Warning::new(
                WarningKind::TaxMismatch,
                format!(
                    "{} ({}): tax {} is not {} % of the net {} ({}); billed with the shop's amounts",
                    item.field,
                    item.name,
                    tax,
                    item.vat_value,
                    item.total_amount,
                    tax::tax_of(item.total_amount, item.vat_value, minor_units),
                ),
            ));
        }
    }
    let reconciliation = reconcile(order, &items, &currency);
    if !reconciliation.within_tolerance {
        warnings.push(Warning::new(
            WarningKind::Reconciliation,
            format!(
                "billed lines add up to {} {currency} with VAT, the order total is {} {currency}: \
                 difference {} exceeds the tolerance of {} (one minor unit per line)",
                reconciliation.billed_gross,
                reconciliation.order_gross,
                reconciliation.difference,
                reconciliation.tolerance
            ),
        ));
    }

    let contact = contact_request(order, config, &mut cleaner);
    let folder = FolderRequest {
        name: folder_name(&contact, order, &mut cleaner).ok_or_else(|| {
            fail(
                "customer",
                "the customer has no company name, no name and no e-mail: nothing to name the customer folder after".to_owned(),
            )
        })?,
        template: config.ids.folder_template,
        comment: folder_comment(&contact),
    };
    let project = ProjectRequest {
        name: cleaner.text(&order.number, "number", false),
        invoice_journal: config.ids.invoice_journal,
        project_template: config.ids.project_template,
        provider: config.ids.provider,
    };
    warnings.extend(cleaner.warnings);

    Ok(OrderPlan {
        key: order.key.clone(),
        order_number: project.name.clone(),
        customer_keys: customer_keys(order),
        phones: order
            .customer
            .phones
            .iter()
            .filter_map(|p| normalize_phone(p))
            .fold(Vec::new(), |mut acc, p| {
                if !acc.contains(&p) {
                    acc.push(p);
                }
                acc
            }),
        contact,
        folder,
        project,
        items,
        folder_items,
        renewal_of: order.renewal_of.clone(),
        check_workflow_queue: config.billing.check_workflow_queue,
        trigger_date: created.to_trigger_date(),
        reconciliation,
        warnings,
    })
}

/// Cleans texts for XML and collects a warning per changed field.
#[derive(Default)]
struct Cleaner {
    warnings: Vec<Warning>,
}

impl Cleaner {
    /// Returns `text` with HTML entities decoded (when `is_name`) and characters XML 1.0
    /// cannot carry removed.
    fn text(&mut self, text: &str, field: &str, is_name: bool) -> String {
        let decoded = if is_name {
            decode_html_entities(text)
        } else {
            std::borrow::Cow::Borrowed(text)
        };
        let (clean, removed) = remove_non_xml_chars(&decoded);
        if removed > 0 {
            self.warnings.push(Warning::new(
                WarningKind::CharacterRemoved,
                format!("{field}: removed {removed} character(s) that XML 1.0 cannot carry"),
            ));
        }
        clean.trim().to_owned()
    }

    fn optional(&mut self, text: Option<&String>, field: &str, is_name: bool) -> Option<String> {
        text.map(|t| self.text(t, field, is_name))
            .filter(|t| !t.is_empty())
    }
}

fn round_unit_price(value: Decimal, minor_units: u32) -> Decimal {
    let mut rounded = value
        .round_dp_with_strategy(UNIT_PRICE_DECIMALS, RoundingStrategy::MidpointAwayFromZero)
        .normalize();
    if rounded.scale() < minor_units {
        rounded.rescale(minor_units);
    }
    rounded
}

fn billing_item(
    config: &Config,
    cleaner: &mut Cleaner,
    index: usize,
    line: &Line,
    currency: &str,
    billing_date: &str,
) -> BillingItem {
    let minor_units = currency_minor_units(currency);
    // Quantities are validated greater than zero by every reader.
    let amount = line
        .unit_price_net
        .unwrap_or_else(|| round_unit_price(line.net_total / line.quantity, minor_units));
    let catalog_price = line
        .catalog_price_net
        .map(|price| round_unit_price(price, minor_units))
        .unwrap_or(amount);
    let product_id = match line.kind {
        LineKind::Product => config.product_for(line.sku.as_deref()),
        LineKind::Shipping | LineKind::Fee | LineKind::Discount => config.ids.default_product,
    };
    BillingItem {
        line_index: index,
        kind: line.kind,
        field: line.field.clone(),
        name: cleaner.text(&line.name, &format!("{}.name", line.field), true),
        sku: line.sku.clone(),
        product_id,
        quantity: line.quantity,
        amount,
        catalog_price,
        total_amount: line.net_total,
        total_amount_with_vat: line.gross_total,
        vat_value: line.vat_rate,
        currency: currency.to_owned(),
        billing_date: billing_date.to_owned(),
        billing_status: config.billing.billing_status,
    }
}

/// Returns Atollon's `billingFrequency` for an interval, when it has one.
pub fn billing_frequency(period: BillingPeriod, interval: u32) -> Option<i32> {
    match (period, interval) {
        (BillingPeriod::Day, 1) => Some(10),
        (BillingPeriod::Day, 7) | (BillingPeriod::Week, 1) => Some(8),
        (BillingPeriod::Month, 1) => Some(6),
        (BillingPeriod::Month, 3) => Some(4),
        (BillingPeriod::Month, 12) | (BillingPeriod::Year, 1) => Some(2),
        _ => None,
    }
}

fn folder_item_rule(
    order: &Order,
    line: &Line,
    item: &BillingItem,
    created: LocalDateTime,
    fail: &dyn Fn(&str, String) -> MapError,
) -> Result<Option<FolderItemRule>, MapError> {
    let Some(subscription) = &line.subscription else {
        return Ok(None);
    };
    let field = format!("{}.subscription", line.field);
    let frequency = billing_frequency(subscription.period, subscription.interval).ok_or_else(|| {
        fail(
            &field,
            format!(
                "Atollon has no billing frequency for every {} {}(s); supported are every day, \
                 week, month, 3 months and year. Bill this subscription by hand or change its interval",
                subscription.interval,
                subscription.period.as_str()
            ),
        )
    })?;
    let start = match &subscription.start {
        Some(text) => LocalDateTime::parse(text).ok_or_else(|| {
            fail(
                &format!("{field}.start"),
                format!("invalid subscription start {text:?}"),
            )
        })?,
        None => created,
    };
    let first_renewal = start
        .add(subscription.period, subscription.interval)
        .to_atollon();
    let valid_to = match &subscription.end {
        Some(text) => Some(
            LocalDateTime::parse(text)
                .ok_or_else(|| {
                    fail(
                        &format!("{field}.end"),
                        format!("invalid subscription end {text:?}"),
                    )
                })?
                .to_atollon(),
        ),
        None => None,
    };
    let mut rule_item = item.clone();
    rule_item.billing_date = first_renewal.clone();
    rule_item.billing_status = rule_item.billing_status.clamp(1, 3);
    Ok(Some(FolderItemRule {
        line_index: item.line_index,
        item: rule_item,
        billing_frequency: frequency,
        valid_from: first_renewal,
        valid_to,
        subscription_id: subscription.id.clone(),
        subscription_key: subscription
            .id
            .clone()
            .unwrap_or_else(|| format!("{}:{}", order.key.order_id, item.line_index)),
    }))
}

fn reconcile(order: &Order, items: &[BillingItem], currency: &str) -> Reconciliation {
    let billed_gross: Decimal = items.iter().map(|item| item.total_amount_with_vat).sum();
    let difference = billed_gross - order.totals.gross;
    let count = Decimal::from(items.len().max(1) as u64);
    let tolerance = currency_minor_unit(currency) * count;
    Reconciliation {
        billed_gross,
        order_gross: order.totals.gross,
        difference,
        tolerance,
        within_tolerance: difference.abs() <= tolerance,
    }
}

fn contact_request(order: &Order, config: &Config, cleaner: &mut Cleaner) -> ContactRequest {
    let customer = &order.customer;
    let first_name = cleaner.optional(customer.first_name.as_ref(), "customer.first_name", true);
    let last_name = cleaner.optional(customer.last_name.as_ref(), "customer.last_name", true);
    let company_name = cleaner.optional(
        customer.company_name.as_ref(),
        "customer.company_name",
        true,
    );
    let company_id = cleaner.optional(customer.company_id.as_ref(), "customer.company_id", false);
    let vat_id = cleaner.optional(customer.vat_id.as_ref(), "customer.vat_id", false);
    let is_company = company_name.is_some() || company_id.is_some();
    let (kind, name1, name3) = if is_company {
        // A company id without a name still makes a company; the person's name (or the
        // id) then names it.
        let name = company_name
            .clone()
            .or_else(|| person_name(first_name.as_deref(), last_name.as_deref()))
            .or_else(|| company_id.clone())
            .unwrap_or_default();
        (ContactKind::Company, name, None)
    } else if first_name.is_none() && last_name.is_none() {
        // A buyer known only by e-mail: the address replaces the name, as it does
        // for the folder.
        let email = cleaner.optional(customer.email.as_ref(), "customer.email", false);
        (ContactKind::Person, email.unwrap_or_default(), None)
    } else {
        (
            ContactKind::Person,
            first_name.clone().unwrap_or_default(),
            last_name.clone(),
        )
    };

    let address = customer.billing_address.as_ref().map(|a| AddressValues {
        street: cleaner.optional(a.street.as_ref(), "customer.address.street", false),
        city: cleaner.optional(a.city.as_ref(), "customer.address.city", false),
        zip: cleaner.optional(a.zip.as_ref(), "customer.address.zip", false),
        region: cleaner.optional(a.region.as_ref(), "customer.address.region", false),
        country: cleaner.optional(
            a.country_name.as_ref().or(a.country_code.as_ref()),
            "customer.address.country",
            false,
        ),
        address_type: config.ids.address_type,
        is_primary: true,
    });

    let mut contacts = Vec::new();
    if let Some(email) = cleaner.optional(customer.email.as_ref(), "customer.email", false) {
        contacts.push(ContactValue {
            content: email,
            contact_type: config.ids.email_contact_type,
            is_main: true,
            is_primary: true,
        });
    }
    // Numbers written differently (`+1 555 0100`, `+1-555-0100`) are one contact.
    let mut seen_phones = Vec::new();
    for phone in &customer.phones {
        let Some(normalized) = normalize_phone(phone) else {
            continue;
        };
        if seen_phones.contains(&normalized) {
            continue;
        }
        if let Some(phone) = cleaner.optional(Some(phone), "customer.phone", false) {
            let first = seen_phones.is_empty();
            contacts.push(ContactValue {
                content: phone,
                contact_type: config.ids.phone_contact_type,
                is_main: first,
                is_primary: first,
            });
            seen_phones.push(normalized);
        }
    }
    ContactRequest {
        kind,
        name1,
        name3,
        first_name,
        last_name,
        company_id,
        vat_id,
        address,
        contacts,
        language: config.ids.language,
    }
}

/// "Surname, First", or the one name that is there.
fn person_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    match (first, last) {
        (Some(first), Some(last)) => Some(format!("{last}, {first}")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
        (None, None) => None,
    }
}

fn folder_name(contact: &ContactRequest, order: &Order, cleaner: &mut Cleaner) -> Option<String> {
    match contact.kind {
        ContactKind::Company if !contact.name1.is_empty() => Some(contact.name1.clone()),
        _ => person_name(contact.first_name.as_deref(), contact.last_name.as_deref()).or_else(|| {
            let email = cleaner.optional(order.customer.email.as_ref(), "customer.email", false)?;
            cleaner.warnings.push(Warning::new(
                WarningKind::Fallback,
                format!("the customer has no name; the customer folder is named after the e-mail {email}"),
            ));
            Some(email)
        }),
    }
}

/// Builds the folder comment that keeps the company id and VAT id in Atollon.
///
/// NOTE: Atollon documents no CreateContact field for a company id or VAT id, so they go
/// into the customer folder's free-text `comment`. An instance with custom contact fields
/// may want them there instead.
fn folder_comment(contact: &ContactRequest) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(company_id) = &contact.company_id {
        parts.push(format!("Company ID {company_id}"));
    }
    if let Some(vat_id) = &contact.vat_id {
        parts.push(format!("VAT ID {vat_id}"));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn customer_keys(order: &Order) -> CustomerKeys {
    let customer = &order.customer;
    let non_empty = |text: String| (!text.is_empty()).then_some(text);
    CustomerKeys {
        platform: order.key.platform.clone(),
        shop: order.key.shop.clone(),
        shop_customer_id: customer.shop_customer_id.clone(),
        email: customer
            .email
            .as_deref()
            .map(normalize_email)
            .and_then(non_empty),
        company_id: customer
            .company_id
            .as_deref()
            .map(normalize_identifier)
            .and_then(non_empty),
        vat_id: customer
            .vat_id
            .as_deref()
            .map(normalize_identifier)
            .and_then(non_empty),
    }
}

/// Maps every order of a parsed file, keeping per-order results.
pub fn plan_orders<'a>(
    orders: impl IntoIterator<Item = &'a Order>,
    config: &Config,
) -> Vec<Result<OrderPlan, MapError>> {
    orders
        .into_iter()
        .map(|order| plan_order(order, config))
        .collect()
}
