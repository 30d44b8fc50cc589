//! CreateInvoicesFromItems.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::super::model::{BillingItemRecord, InvoiceRecord};
use super::super::state::{Draft, Record};
use super::{Context, Rejection};

/// billingStatus of an item approved for invoicing.
const APPROVED: i32 = 3;

/// billingStatus of a billed item.
const BILLED: i32 = 4;

/// Invoices the project's items that are approved for invoicing, one invoice per
/// currency (in the order of the currency codes), numbered from the project's invoice
/// journal. Marks the items billed and returns each invoice's id and number.
///
/// NOTE: Atollon may also hold back items whose billingDate lies in the future. The
/// sandbox invoices every approved item, so that a time-zone offset between shop and
/// sandbox cannot leave an order uninvoiced.
pub(crate) fn create_invoices_from_items(
    draft: &mut Draft<'_>,
    context: &Context<'_>,
    project_id: i64,
) -> Result<Vec<(i64, String)>, Rejection> {
    let project = draft
        .state
        .projects
        .get(&project_id)
        .ok_or_else(|| Rejection::not_found("project", project_id, "project"))?;
    let journal = context
        .instance
        .journal(project.invoice_journal)
        .ok_or_else(|| {
            Rejection::new(format_args!(
                "invoice journal {} of project {project_id} is not configured in this sandbox",
                project.invoice_journal
            ))
        })?;

    let mut by_currency: BTreeMap<String, Vec<BillingItemRecord>> = BTreeMap::new();
    for item in draft.state.billing_items.values() {
        if item.project == project_id && item.billing_status == APPROVED {
            by_currency
                .entry(item.pricing.currency.clone())
                .or_default()
                .push(item.clone());
        }
    }
    if by_currency.is_empty() {
        return Err(Rejection::new(format_args!(
            "project {project_id} has no billing items approved for invoicing (billingStatus 3)"
        )));
    }

    let created = context.now.to_string();
    let mut invoices = Vec::with_capacity(by_currency.len());
    for (currency, items) in by_currency {
        let id = draft.new_id();
        let number = draft.new_invoice_number(journal);
        let mut total_amount = Decimal::ZERO;
        let mut total_amount_with_vat = Decimal::ZERO;
        for item in &items {
            total_amount = add(total_amount, item.pricing.total_amount, item.id)?;
            total_amount_with_vat = add(
                total_amount_with_vat,
                item.pricing.total_amount_with_vat,
                item.id,
            )?;
        }
        let item_ids = items.iter().map(|item| item.id).collect();
        for item in items {
            draft.put(Record::BillingItem(BillingItemRecord {
                billing_status: BILLED,
                invoice: Some(id),
                ..item
            }));
        }
        draft.put(Record::Invoice(InvoiceRecord {
            id,
            number: number.clone(),
            journal: journal.id,
            project: project_id,
            currency,
            items: item_ids,
            total_amount,
            total_amount_with_vat,
            created: created.clone(),
        }));
        invoices.push((id, number));
    }
    Ok(invoices)
}

/// Adds an item's amount to a total; an item without the amount adds nothing.
fn add(total: Decimal, amount: Option<Decimal>, item: i64) -> Result<Decimal, Rejection> {
    total
        .checked_add(amount.unwrap_or(Decimal::ZERO))
        .ok_or_else(|| {
            Rejection::new(format_args!(
                "the invoice total overflows at billing item {item}"
            ))
        })
}
