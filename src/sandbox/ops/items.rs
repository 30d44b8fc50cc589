//! CreateProjectItem, CreateFolderItem (recurring billing rules) and CheckWorkflowQueue,
//! which generates the billing items the rules owe.

use crate::item::Item;

use super::super::civil::CivilDateTime;
use super::super::config::contains_id;
use super::super::model::{BillingItemRecord, Pricing, RecurringRuleRecord};
use super::super::state::{Draft, Record};
use super::{
    check_currency, check_not_negative, complete_totals, parse_date, require_text, Context,
    Rejection,
};

/// The billingStatus values of billing items: 0 sales item, 1 pending, 2 for approval,
/// 3 approved for invoicing, 4 billed, 5 approved by client, 6 postponed, 7 cancelled,
/// 999 installed technology.
const ITEM_STATUSES: [i32; 9] = [0, 1, 2, 3, 4, 5, 6, 7, 999];

/// billingStatus of an item that names none.
///
/// NOTE: Atollon's default is not documented; 1 (pending) keeps such items off invoices.
const DEFAULT_ITEM_STATUS: i32 = 1;

/// The billingStatus values of recurring rules: 1 pending, 2 for approval, 3 to be
/// invoiced.
const RULE_STATUSES: [i32; 3] = [1, 2, 3];

/// The billingFrequency codes: 2 yearly, 4 quarterly, 6 monthly, 8 weekly, 10 daily.
const FREQUENCIES: [i32; 5] = [2, 4, 6, 8, 10];

/// Item type of an item that names none: 1, a sales or billing item.
const DEFAULT_ITEM_TYPE: i32 = 1;

/// Maximum number of billing items one CheckWorkflowQueue call generates, so that a daily
/// rule dated far in the past cannot stall the sandbox. The next call continues.
pub(crate) const MAX_ITEMS_PER_RUN: usize = 10_000;

/// Stores a billing item and returns its id.
pub(crate) fn create_project_item(
    draft: &mut Draft<'_>,
    context: &Context<'_>,
    item: &Item,
) -> Result<i64, Rejection> {
    require_text("ITEM/name", &item.name)?;
    let project = item
        .project
        .ok_or_else(|| Rejection::missing("ITEM/project"))?;
    if !draft.state.projects.contains_key(&project) {
        return Err(Rejection::not_found("project", project, "ITEM/project"));
    }
    if let Some(folder) = item.folder {
        if !draft.state.folders.contains_key(&folder) {
            return Err(Rejection::not_found("folder", folder, "ITEM/folder"));
        }
    }
    let billing_status = item.billing_status.unwrap_or(DEFAULT_ITEM_STATUS);
    if !ITEM_STATUSES.contains(&billing_status) {
        return Err(Rejection::invalid(
            "ITEM/billingStatus",
            billing_status,
            "expected 0, 1, 2, 3, 4, 5, 6, 7 or 999",
        ));
    }
    let item_type = check_item_type(item)?;
    let pricing = pricing(context, item)?;

    let id = draft.new_id();
    draft.put(Record::BillingItem(BillingItemRecord {
        id,
        project,
        folder: item.folder,
        name: item.name.clone(),
        note: item.note.clone(),
        pricing,
        billing_date: item
            .billing_date
            .as_ref()
            .map(|date| date.as_str().to_owned()),
        taxation_date: item
            .taxation_date
            .as_ref()
            .map(|date| date.as_str().to_owned()),
        billing_status,
        item_type,
        recurring_rule: None,
        invoice: None,
    }));
    Ok(id)
}

/// Stores a recurring billing rule and returns its id. Its billing items are generated
/// later, by [`check_workflow_queue`].
pub(crate) fn create_folder_item(
    draft: &mut Draft<'_>,
    context: &Context<'_>,
    item: &Item,
) -> Result<i64, Rejection> {
    require_text("ITEM/name", &item.name)?;
    let folder = item
        .folder
        .ok_or_else(|| Rejection::missing("ITEM/folder"))?;
    if !draft.state.folders.contains_key(&folder) {
        return Err(Rejection::not_found("folder", folder, "ITEM/folder"));
    }
    let destination = item
        .destination_project
        .ok_or_else(|| Rejection::missing("ITEM/destinationProject"))?;
    if !draft.state.projects.contains_key(&destination) {
        return Err(Rejection::not_found(
            "destination project",
            destination,
            "ITEM/destinationProject",
        ));
    }
    let frequency = item
        .billing_frequency
        .ok_or_else(|| Rejection::missing("ITEM/billingFrequency"))?;
    if !FREQUENCIES.contains(&frequency) {
        return Err(Rejection::invalid(
            "ITEM/billingFrequency",
            frequency,
            "expected 2 (yearly), 4 (quarterly), 6 (monthly), 8 (weekly) or 10 (daily)",
        ));
    }
    let billing_status = item.billing_status.unwrap_or(DEFAULT_ITEM_STATUS);
    if !RULE_STATUSES.contains(&billing_status) {
        return Err(Rejection::invalid(
            "ITEM/billingStatus",
            billing_status,
            "a recurring rule takes 1 (pending), 2 (for approval) or 3 (to be invoiced)",
        ));
    }
    if let Some(flag) = item.is_model_item {
        if flag != 1 {
            return Err(Rejection::invalid(
                "ITEM/isModelItem",
                flag,
                "a recurring rule is a model item and takes 1",
            ));
        }
    }
    let first = item
        .billing_date
        .as_ref()
        .or(item.valid_from.as_ref())
        .ok_or_else(|| Rejection::missing("ITEM/billingDate or ITEM/validFrom"))?;
    let first_date = parse_date("ITEM/billingDate", first.as_str())?;
    if let (Some(from), Some(to)) = (&item.valid_from, &item.valid_to) {
        let from = parse_date("ITEM/validFrom", from.as_str())?;
        let to_date = parse_date("ITEM/validTo", to.as_str())?;
        if to_date < from {
            return Err(Rejection::invalid(
                "ITEM/validTo",
                to.as_str(),
                "expected a date not before ITEM/validFrom",
            ));
        }
    }
    let item_type = check_item_type(item)?;
    let pricing = pricing(context, item)?;

    let id = draft.new_id();
    draft.put(Record::RecurringRule(RecurringRuleRecord {
        id,
        folder,
        destination_project: destination,
        billing_frequency: frequency,
        first_billing_date: first_date.to_string(),
        valid_from: item
            .valid_from
            .as_ref()
            .map(|date| date.as_str().to_owned()),
        valid_to: item.valid_to.as_ref().map(|date| date.as_str().to_owned()),
        taxation_date: item
            .taxation_date
            .as_ref()
            .map(|date| date.as_str().to_owned()),
        name: item.name.clone(),
        note: item.note.clone(),
        pricing,
        billing_status,
        item_type,
        occurrences_done: 0,
    }));
    Ok(id)
}

/// Generates, for every recurring rule, one billing item per billing date up to now that
/// it has not handled yet, and returns how many items it generated.
///
/// Billing dates run from the rule's first billing date in steps of its frequency. A date
/// before `validFrom` is skipped, and the rule stops after `validTo`.
pub(crate) fn check_workflow_queue(
    draft: &mut Draft<'_>,
    context: &Context<'_>,
) -> Result<usize, Rejection> {
    let rules: Vec<RecurringRuleRecord> = draft.state.recurring_rules.values().cloned().collect();
    let mut generated = 0;
    for mut rule in rules {
        let before = rule.occurrences_done;
        let (Ok(first), Ok(valid_from), Ok(valid_to)) = (
            CivilDateTime::parse_date_time(&rule.first_billing_date),
            optional_date(rule.valid_from.as_deref()),
            optional_date(rule.valid_to.as_deref()),
        ) else {
            // Stored dates were checked when the rule was created, so this only happens
            // to a hand-edited state file.
            tracing::warn!(
                rule = rule.id,
                "recurring rule has an unreadable date; skipped"
            );
            continue;
        };
        while generated < MAX_ITEMS_PER_RUN {
            let date = occurrence(first, rule.billing_frequency, rule.occurrences_done);
            if date > context.now || valid_to.is_some_and(|end| date > end) {
                break;
            }
            rule.occurrences_done += 1;
            if valid_from.is_some_and(|start| date < start) {
                continue;
            }
            let id = draft.new_id();
            draft.put(Record::BillingItem(BillingItemRecord {
                id,
                project: rule.destination_project,
                folder: Some(rule.folder),
                name: rule.name.clone(),
                note: rule.note.clone(),
                pricing: rule.pricing.clone(),
                billing_date: Some(date.to_string()),
                taxation_date: Some(date.to_string()),
                billing_status: rule.billing_status,
                item_type: rule.item_type,
                recurring_rule: Some(rule.id),
                invoice: None,
            }));
            generated += 1;
        }
        if rule.occurrences_done != before {
            draft.put(Record::RecurringRule(rule));
        }
    }
    Ok(generated)
}

/// Returns billing date number `index` (0 for the first) of a rule.
fn occurrence(first: CivilDateTime, frequency: i32, index: u32) -> CivilDateTime {
    let index = i64::from(index);
    match frequency {
        2 => first.add_months(12 * index),
        4 => first.add_months(3 * index),
        6 => first.add_months(index),
        8 => first.add_days(7 * index),
        _ => first.add_days(index),
    }
}

fn optional_date(text: Option<&str>) -> Result<Option<CivilDateTime>, String> {
    text.map(CivilDateTime::parse_date_time).transpose()
}

fn check_item_type(item: &Item) -> Result<i32, Rejection> {
    let item_type = item.type_.unwrap_or(DEFAULT_ITEM_TYPE);
    if !(1..=3).contains(&item_type) {
        return Err(Rejection::invalid(
            "ITEM/type",
            item_type,
            "expected 1 (sales or billing item), 2 (time-sheet item) or 3 (installed technology)",
        ));
    }
    Ok(item_type)
}

/// Checks the price fields and completes the missing totals.
fn pricing(context: &Context<'_>, item: &Item) -> Result<Pricing, Rejection> {
    if let Some(product) = item.item {
        if !contains_id(&context.instance.products, product) {
            return Err(Rejection::not_found("product", product, "ITEM/item"));
        }
    }
    let currency = item
        .currency
        .clone()
        .unwrap_or_else(|| context.instance.default_currency.clone());
    check_currency("ITEM/currency", &currency)?;
    check_not_negative("ITEM/quantity", item.quantity)?;
    check_not_negative("ITEM/totalQuantity", item.total_quantity)?;
    check_not_negative("ITEM/vatValue", item.vat_value)?;
    let (total_amount, total_amount_with_vat) = complete_totals(
        item.amount,
        item.quantity,
        item.vat_value,
        item.total_amount,
        item.total_amount_with_vat,
    );
    Ok(Pricing {
        product: item.item,
        amount: item.amount,
        quantity: item.quantity,
        total_quantity: item.total_quantity,
        catalog_price: item.catalog_price,
        purchase_price: item.purchase_price,
        currency,
        total_amount,
        total_amount_with_vat,
        vat_value: item.vat_value,
        ratio: item.ratio,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> CivilDateTime {
        match CivilDateTime::parse_date_time(text) {
            Ok(value) => value,
            Err(error) => panic!("{error}"),
        }
    }

    #[test]
    fn occurrences_per_frequency() {
        let first = at("2020-01-31T00:00:00");
        assert_eq!(occurrence(first, 2, 2).to_string(), "2022-01-31T00:00:00");
        assert_eq!(occurrence(first, 4, 1).to_string(), "2020-04-30T00:00:00");
        // Each date is computed from the first one, so the 31st comes back after February.
        assert_eq!(occurrence(first, 6, 1).to_string(), "2020-02-29T00:00:00");
        assert_eq!(occurrence(first, 6, 2).to_string(), "2020-03-31T00:00:00");
        assert_eq!(occurrence(first, 8, 1).to_string(), "2020-02-07T00:00:00");
        assert_eq!(occurrence(first, 10, 1).to_string(), "2020-02-01T00:00:00");
    }
}
