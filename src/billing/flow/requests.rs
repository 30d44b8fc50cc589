//! The generated request structs of each billing step, built from an [`OrderPlan`] and
//! the ids that earlier steps returned, and their XML for `atollon invoice --dry-run`.

use atollon_client::envelope::write_envelope;
use atollon_client::xml::{DateTime, EncodeError, Secret, WriteElement, XmlWriter};
use atollon_client::{Operation, Session};
use rust_decimal::Decimal;

use crate::billing::journal::Step;
use crate::billing::mapping::{
    BillingItem, ContactKind, ContactRequest, FolderItemRule, FolderRequest, MarketingTrigger,
    OrderPlan, ProjectRequest, IS_MODEL_ITEM, ITEM_RATIO, ITEM_TYPE_SALES,
};
use crate::{features, invoice, item, main, project, web};

/// Builds CreateContact: a `PERSON` or a `COMPANY` with the billing address, the e-mail and
/// the phone numbers.
pub fn create_contact(session: &Session, contact: &ContactRequest) -> main::CreateContact {
    let addresses: Vec<main::Address> = contact
        .address
        .iter()
        .map(|address| main::Address {
            city_name: address.city.clone(),
            country_name: address.country.clone(),
            is_primary: Some(flag(address.is_primary)),
            region_name: address.region.clone(),
            street: address.street.clone(),
            type_: Some(address.address_type),
            zip_name: address.zip.clone(),
            ..main::Address::default()
        })
        .collect();
    let entries: Vec<main::ContactEntry> = contact
        .contacts
        .iter()
        .map(|entry| main::ContactEntry {
            content: entry.content.clone(),
            is_main: Some(flag(entry.is_main)),
            is_primary: Some(flag(entry.is_primary)),
            type_: entry.contact_type,
            type_type: None,
        })
        .collect();
    let person_or_company = match contact.kind {
        ContactKind::Person => main::CreateContactPersonOrCompany::Person(main::Person {
            name1: contact.name1.clone(),
            name3: contact.name3.clone(),
            addresses: (!addresses.is_empty())
                .then_some(main::PersonAddresses { address: addresses }),
            contacts: (!entries.is_empty()).then_some(main::PersonContacts { contact: entries }),
            personinfo: Some(main::PersonInfo {
                prefered_lang: Some(contact.language),
                ..main::PersonInfo::default()
            }),
            ..main::Person::default()
        }),
        // The contract's COMPANY has no PERSONINFO, so a company gets no language.
        ContactKind::Company => main::CreateContactPersonOrCompany::Company(main::Company {
            name1: contact.name1.clone(),
            addresses: (!addresses.is_empty())
                .then_some(main::CompanyAddresses { address: addresses }),
            contacts: (!entries.is_empty()).then_some(main::CompanyContacts { contact: entries }),
            ..main::Company::default()
        }),
    };
    main::CreateContact {
        server: session.server().to_owned(),
        session: session.token().clone(),
        person_or_company,
    }
}

/// Builds CreateSimpleFolder: the customer folder of contact `contact_id`.
pub fn create_simple_folder(
    session: &Session,
    folder: &FolderRequest,
    contact_id: i64,
) -> project::CreateSimpleFolder {
    project::CreateSimpleFolder {
        server: session.server().to_owned(),
        session: session.token().clone(),
        folder: project::Folder {
            name: folder.name.clone(),
            template: Some(folder.template),
            contact: Some(contact_id),
            comment: folder.comment.clone(),
            ..project::Folder::default()
        },
    }
}

/// Builds CreateProject: the deal of one order, under customer folder `folder_id`.
pub fn create_project(
    session: &Session,
    project: &ProjectRequest,
    folder_id: i64,
) -> project::CreateProject {
    project::CreateProject {
        server: session.server().to_owned(),
        session: session.token().clone(),
        project: project::Project {
            customer: Some(folder_id),
            folder: Some(folder_id),
            invoice_journal: Some(project.invoice_journal),
            name: project.name.clone(),
            project_template: Some(project.project_template),
            provider: Some(project.provider),
        },
    }
}

/// Builds CreateProjectItem: one billing item of project `project_id`.
///
/// # Errors
///
/// Returns a message when the item's billing date is not an `xs:dateTime`.
pub fn create_project_item(
    session: &Session,
    billing_item: &BillingItem,
    project_id: i64,
    folder_id: i64,
) -> Result<item::CreateProjectItem, String> {
    let mut item = item_values(billing_item)?;
    item.project = Some(project_id);
    item.folder = Some(folder_id);
    Ok(item::CreateProjectItem {
        server: session.server().to_owned(),
        session: session.token().clone(),
        item,
    })
}

/// Builds CreateFolderItem: the recurring billing rule of one subscription line, which
/// creates its billing items in project `project_id`.
///
/// # Errors
///
/// Returns a message when a date of the rule is not an `xs:dateTime`.
pub fn create_folder_item(
    session: &Session,
    rule: &FolderItemRule,
    folder_id: i64,
    project_id: i64,
) -> Result<item::CreateFolderItem, String> {
    let mut item = item_values(&rule.item)?;
    item.folder = Some(folder_id);
    item.taxation_date = item.billing_date.clone();
    item.is_model_item = Some(IS_MODEL_ITEM);
    item.valid_from = Some(date_time("validFrom", &rule.valid_from)?);
    item.valid_to = match &rule.valid_to {
        Some(text) => Some(date_time("validTo", text)?),
        None => None,
    };
    item.destination_project = Some(project_id);
    item.billing_frequency = Some(rule.billing_frequency);
    Ok(item::CreateFolderItem {
        server: session.server().to_owned(),
        session: session.token().clone(),
        item,
    })
}

/// Builds CreateInvoicesFromItems for project `project_id`.
pub fn create_invoices_from_items(
    session: &Session,
    project_id: i64,
) -> invoice::CreateInvoicesFromItems {
    invoice::CreateInvoicesFromItems {
        server: session.server().to_owned(),
        session: session.token().clone(),
        project: project_id,
    }
}

/// Builds CheckWorkflowQueue.
pub fn check_workflow_queue(session: &Session) -> features::CheckWorkflowQueue {
    features::CheckWorkflowQueue {
        server: session.server().to_owned(),
        session: session.token().clone(),
    }
}

/// Builds CreateMarketingTriggers.
pub fn create_marketing_triggers(
    session: &Session,
    trigger: &MarketingTrigger,
) -> web::CreateMarketingTriggers {
    web::CreateMarketingTriggers {
        server: session.server().to_owned(),
        session: session.token().clone(),
        marketing_trigger: web::MarketingTrigger {
            base_type: trigger.base_type.clone(),
            context_id: trigger.context_id,
            contact_id: trigger.contact_id,
            url: trigger.url.clone(),
            tracking_code: trigger.tracking_code.clone(),
            description: Some(trigger.description.clone()),
            trigger_date: Some(trigger.trigger_date.clone()),
            number_of_visits: None,
        },
    }
}

/// Builds the `ITEM` fields that billing items and recurring rules share.
fn item_values(billing_item: &BillingItem) -> Result<item::Item, String> {
    Ok(item::Item {
        amount: Some(billing_item.amount),
        billing_date: Some(date_time("billingDate", &billing_item.billing_date)?),
        billing_status: Some(billing_item.billing_status),
        total_quantity: Some(billing_item.quantity),
        catalog_price: Some(billing_item.catalog_price),
        currency: Some(billing_item.currency.clone()),
        item: Some(billing_item.product_id),
        name: billing_item.name.clone(),
        quantity: Some(billing_item.quantity),
        total_amount: Some(billing_item.total_amount),
        total_amount_with_vat: Some(billing_item.total_amount_with_vat),
        vat_value: Some(billing_item.vat_value),
        ratio: Some(Decimal::from(ITEM_RATIO)),
        type_: Some(ITEM_TYPE_SALES),
        ..item::Item::default()
    })
}

fn date_time(field: &str, text: &str) -> Result<DateTime, String> {
    DateTime::parse(text)
        .map_err(|expected| format!("invalid {field} {text:?}: expected {expected}"))
}

fn flag(value: bool) -> i32 {
    i32::from(value)
}

/// One request as `--dry-run` prints it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RenderedRequest {
    /// Journal step the request belongs to, such as `item:0`.
    pub step: String,
    /// Operation name, such as `CreateProjectItem`.
    pub operation: &'static str,
    /// The SOAP envelope, indented, with placeholders such as `[contact id]` for the ids
    /// that earlier steps would return.
    pub xml: String,
}

// Stand-ins for the ids of earlier steps while a dry run writes its requests. Atollon ids
// are positive, so these values never occur as ids, and `render_plan` replaces them.
const CONTACT_PLACEHOLDER: i64 = -900_000_000_001;
const FOLDER_PLACEHOLDER: i64 = -900_000_000_002;
const PROJECT_PLACEHOLDER: i64 = -900_000_000_003;

/// Session token written in dry-run requests in place of a real one.
const SESSION_PLACEHOLDER: &str = "[session token from QuickLogin]";

/// Writes every request that billing `plan` would send for a new customer, in step order.
/// The new-phone-number trigger, which depends on the journal, is left out.
///
/// # Errors
///
/// Returns a message naming the step whose request cannot be written.
pub fn render_plan(plan: &OrderPlan, server: &str) -> Result<Vec<RenderedRequest>, String> {
    let session = Session::new(server, Secret::new(SESSION_PLACEHOLDER));
    let mut rendered = Vec::new();
    for step in plan.steps(false) {
        let (operation, xml) = match step {
            Step::Contact => render(
                &main::MainClient::OPERATION_CREATE_CONTACT,
                &create_contact(&session, &plan.contact),
            ),
            Step::Folder => render(
                &project::ProjectClient::OPERATION_CREATE_SIMPLE_FOLDER,
                &create_simple_folder(&session, &plan.folder, CONTACT_PLACEHOLDER),
            ),
            Step::Project => render(
                &project::ProjectClient::OPERATION_CREATE_PROJECT,
                &create_project(&session, &plan.project, FOLDER_PLACEHOLDER),
            ),
            Step::Item(index) => {
                let billing_item = plan
                    .items
                    .get(index)
                    .ok_or_else(|| format!("step {step}: the plan has no billing item {index}"))?;
                let request = create_project_item(
                    &session,
                    billing_item,
                    PROJECT_PLACEHOLDER,
                    FOLDER_PLACEHOLDER,
                )
                .map_err(|message| format!("step {step}: {message}"))?;
                render(&item::ItemClient::OPERATION_CREATE_PROJECT_ITEM, &request)
            }
            Step::Invoice => render(
                &invoice::InvoiceClient::OPERATION_CREATE_INVOICES_FROM_ITEMS,
                &create_invoices_from_items(&session, PROJECT_PLACEHOLDER),
            ),
            Step::FolderItem(index) => {
                let rule = plan.folder_items.get(index).ok_or_else(|| {
                    format!("step {step}: the plan has no recurring rule {index}")
                })?;
                let request =
                    create_folder_item(&session, rule, FOLDER_PLACEHOLDER, PROJECT_PLACEHOLDER)
                        .map_err(|message| format!("step {step}: {message}"))?;
                render(&item::ItemClient::OPERATION_CREATE_FOLDER_ITEM, &request)
            }
            Step::Workflow => render(
                &features::FeaturesClient::OPERATION_CHECK_WORKFLOW_QUEUE,
                &check_workflow_queue(&session),
            ),
            Step::Trigger => continue,
        };
        let xml = xml.map_err(|error| format!("step {step}: {error}"))?;
        rendered.push(RenderedRequest {
            step: step.to_string(),
            operation,
            xml: replace_placeholders(&xml),
        });
    }
    Ok(rendered)
}

fn render<T: WriteElement + Sync>(
    operation: &Operation,
    request: &T,
) -> (&'static str, Result<String, EncodeError>) {
    let body = |writer: &mut XmlWriter| writer.element(operation.request, request);
    let xml = write_envelope(operation.version, operation.request.namespace, None, &body)
        .map(|xml| indent_xml(&xml));
    (operation.name, xml)
}

fn replace_placeholders(xml: &str) -> String {
    xml.replace(&format!(">{CONTACT_PLACEHOLDER}<"), ">[contact id]<")
        .replace(&format!(">{FOLDER_PLACEHOLDER}<"), ">[folder id]<")
        .replace(&format!(">{PROJECT_PLACEHOLDER}<"), ">[project id]<")
}

/// Indents XML that has no mixed content, one element per line and two spaces per level.
/// The runtime's writer escapes `<` in text and attribute values, so every `<` starts a
/// tag.
pub fn indent_xml(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() * 2);
    let mut depth = 0usize;
    // An end tag stays on the line of its start tag when the element has no child
    // elements, that is when the token before it is its start tag or its text.
    let mut inline_end = false;
    let mut rest = xml;
    while !rest.is_empty() {
        let open = rest.find('<').unwrap_or(rest.len());
        if open > 0 {
            out.push_str(&rest[..open]);
            rest = &rest[open..];
            continue;
        }
        let close = rest.find('>').map_or(rest.len(), |end| end + 1);
        let tag = &rest[..close];
        rest = &rest[close..];
        if tag.starts_with("</") {
            depth = depth.saturating_sub(1);
            if !inline_end {
                newline(&mut out, depth);
            }
            out.push_str(tag);
            inline_end = false;
        } else {
            newline(&mut out, depth);
            out.push_str(tag);
            let self_closing = tag.ends_with("/>") || tag.starts_with("<?");
            if !self_closing {
                depth += 1;
            }
            inline_end = !self_closing;
        }
    }
    out.trim_start().to_owned()
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    out.push_str(&"  ".repeat(depth));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indents_nested_elements() {
        let xml = "<a><b>1</b><c><d>x &amp; y</d></c><e/><f></f></a>";
        assert_eq!(
            indent_xml(xml),
            "<a>\n  <b>1</b>\n  <c>\n    <d>x &amp; y</d>\n  </c>\n  <e/>\n  <f></f>\n</a>"
        );
    }
}
