//! The objects the sandbox stores, in the form `GET /sandbox/state` returns them.
//!
//! Amounts are decimal strings (`"6170"`), never floats. Dates keep the lexical form the
//! client sent (`"2020-05-14T00:00:00"`).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Whether a contact is a person or a company.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    /// A `PERSON`.
    Person,
    /// A `COMPANY`.
    Company,
}

/// A contact created by CreateContact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRecord {
    /// Contact id.
    pub id: i64,
    /// Person or company.
    pub kind: ContactKind,
    /// `name1`: first name in the published person example, or the company name.
    pub name1: String,
    /// `name2`: middle name.
    pub name2: Option<String>,
    /// `name3`: surname.
    pub name3: Option<String>,
    /// `treeHandle`: the contact tree node.
    pub tree_handle: Option<i64>,
    /// `validFrom`.
    pub valid_from: Option<String>,
    /// `validTo`.
    pub valid_to: Option<String>,
    /// `ADDRESSES/ADDRESS`.
    pub addresses: Vec<AddressRecord>,
    /// `CONTACTS/CONTACT`: e-mail addresses and phone numbers.
    pub contact_entries: Vec<ContactEntryRecord>,
    /// `PERSONINFO/salutation`.
    pub salutation: Option<String>,
    /// `PERSONINFO/preferedLang`: language id.
    pub preferred_language: Option<i64>,
    /// `PERSONINFO/sex`: 0 not set, 1 male, 2 female.
    pub sex: Option<i32>,
    /// `PERSONINFO/maritalStatus`: 1 single, 2 married, 3 divorced, 4 widowed.
    pub marital_status: Option<i32>,
    /// `PERSONINFO/nationality`: id from the `nationality` list.
    pub nationality: Option<i64>,
    /// `legalForm` of a company: id from the `companylegalform` list.
    pub legal_form: Option<i64>,
    /// `INDUSTRY/industry` ids.
    pub industries: Vec<i64>,
    /// `DGROUPS/DGROUP/id`: distribution group ids.
    pub distribution_groups: Vec<i64>,
    /// `EMPLOYEE`: the companies a person works for.
    pub employments: Vec<EmploymentRecord>,
    /// `RELATION`: relations to other contacts.
    pub relations: Vec<RelationRecord>,
}

/// A postal address of a contact.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressRecord {
    /// Address type id, from the `addresstype` list.
    pub address_type: Option<i64>,
    /// 1 for the primary address.
    pub is_primary: Option<i32>,
    /// Street and house number.
    pub street: Option<String>,
    /// City as text.
    pub city_name: Option<String>,
    /// City id.
    pub city: Option<i64>,
    /// Postal code as text.
    pub zip_name: Option<String>,
    /// Postal code id.
    pub zip: Option<i64>,
    /// Region as text.
    pub region_name: Option<String>,
    /// Region id.
    pub region: Option<i64>,
    /// Country as text.
    pub country_name: Option<String>,
    /// Country id.
    pub country: Option<i64>,
}

/// An e-mail address or phone number of a contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactEntryRecord {
    /// Contact type id, from the `contacttype` list.
    pub contact_type: i64,
    /// The address or number.
    pub content: String,
    /// 1 for the main entry.
    pub is_main: Option<i32>,
    /// 1 for the primary entry of its type.
    pub is_primary: Option<i32>,
    /// `typeType` as sent.
    pub type_type: Option<i32>,
}

/// A person's position in a company.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmploymentRecord {
    /// Contact id of the company.
    pub company: i64,
    /// Position as text.
    pub position_info: Option<String>,
    /// Position id, from the `position` list.
    pub position: Option<i64>,
    /// Department id, from the `department` list.
    pub department: Option<i64>,
    /// 1 for the primary employment.
    pub is_primary: Option<i32>,
}

/// A relation to another contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationRecord {
    /// The related contact's id.
    pub contact: i64,
    /// Relation type id, from `relationtype_p` (persons) or `relationtype_c` (companies).
    pub relation_type: i64,
}

/// A folder created by CreateSimpleFolder, such as a customer folder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderRecord {
    /// Folder id.
    pub id: i64,
    /// Folder name, such as `Sample, Petra`.
    pub name: String,
    /// Folder template id.
    pub template: i64,
    /// Id of the type the template gives, returned in the `TYPE` block.
    pub type_id: i64,
    /// Contact id of the customer.
    pub contact: i64,
    /// Parent folder id.
    pub parent: Option<i64>,
    /// `organization` as sent.
    pub organization: Option<i64>,
    /// `refId`: the caller's reference.
    pub ref_id: Option<String>,
    /// `comment`.
    pub comment: Option<String>,
    /// `state` as sent.
    pub state: Option<i64>,
    /// `type` as sent.
    pub folder_type: Option<i64>,
    /// `PROJECTS/PROJECT/id`: projects linked at creation.
    pub projects: Vec<i64>,
    /// The fields Atollon names without describing them (`item`, `team`, `userTemplate`,
    /// `numbering`, `reference`, `resposibleUser`, `role`), by element name, as sent.
    pub other_fields: BTreeMap<String, String>,
}

/// A project created by CreateProject, such as a deal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRecord {
    /// Project id.
    pub id: i64,
    /// Project name.
    pub name: String,
    /// Customer folder id.
    pub customer: i64,
    /// Folder id, the customer folder unless the request named another.
    pub folder: i64,
    /// Invoice journal id, the instance's first journal unless the request named one.
    pub invoice_journal: i64,
    /// Project template id.
    pub project_template: i64,
    /// Id of the type the template gives, returned in the `TYPE` block.
    pub type_id: i64,
    /// Provider id.
    pub provider: Option<i64>,
}

/// The price fields that billing items and recurring rules share.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pricing {
    /// Product id (`ITEM/item`).
    pub product: Option<i64>,
    /// Unit price.
    pub amount: Option<Decimal>,
    /// Pieces charged per unit price.
    pub quantity: Option<Decimal>,
    /// Pieces charged after free quantity is deducted.
    pub total_quantity: Option<Decimal>,
    /// Price before discounts.
    pub catalog_price: Option<Decimal>,
    /// Unit purchase price.
    pub purchase_price: Option<Decimal>,
    /// ISO 4217 currency code.
    pub currency: String,
    /// `quantity * amount`, as sent or computed when missing.
    pub total_amount: Option<Decimal>,
    /// `totalAmount` plus VAT, as sent or computed when missing.
    pub total_amount_with_vat: Option<Decimal>,
    /// VAT rate in percent.
    pub vat_value: Option<Decimal>,
    /// Probability in percent (100 for billing items).
    pub ratio: Option<Decimal>,
}

/// A billing item, created by CreateProjectItem or generated by a recurring rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingItemRecord {
    /// Item id.
    pub id: i64,
    /// Project id.
    pub project: i64,
    /// Customer folder id.
    pub folder: Option<i64>,
    /// Title.
    pub name: String,
    /// Description.
    pub note: Option<String>,
    /// Prices and amounts.
    pub pricing: Pricing,
    /// When the item becomes valid for invoicing.
    pub billing_date: Option<String>,
    /// Date that decides the accounting period of the item.
    pub taxation_date: Option<String>,
    /// 0 sales item, 1 pending, 2 for approval, 3 approved for invoicing, 4 billed,
    /// 5 approved by client, 6 postponed, 7 cancelled, 999 installed technology.
    pub billing_status: i32,
    /// 1 sales or billing item, 2 generated time-sheet item, 3 installed technology.
    pub item_type: i32,
    /// Id of the recurring rule that generated the item.
    pub recurring_rule: Option<i64>,
    /// Id of the invoice that billed the item.
    pub invoice: Option<i64>,
}

/// A recurring billing rule created by CreateFolderItem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecurringRuleRecord {
    /// Rule id.
    pub id: i64,
    /// Customer folder id.
    pub folder: i64,
    /// Project that receives the generated billing items.
    pub destination_project: i64,
    /// 2 yearly, 4 quarterly, 6 monthly, 8 weekly, 10 daily.
    pub billing_frequency: i32,
    /// Billing date of the first generated item: `billingDate`, or `validFrom` when the
    /// request has no billing date.
    pub first_billing_date: String,
    /// When the rule becomes active.
    pub valid_from: Option<String>,
    /// When the rule expires.
    pub valid_to: Option<String>,
    /// `taxationDate` as sent.
    pub taxation_date: Option<String>,
    /// Title of the generated items.
    pub name: String,
    /// Description of the generated items.
    pub note: Option<String>,
    /// Prices and amounts of each generated item.
    pub pricing: Pricing,
    /// Status of the generated items: 1 pending, 2 for approval, 3 to be invoiced.
    pub billing_status: i32,
    /// Item type of the generated items.
    pub item_type: i32,
    /// Number of billing dates already handled, starting from `first_billing_date`.
    pub occurrences_done: u32,
}

/// An invoice created by CreateInvoicesFromItems.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceRecord {
    /// Invoice id.
    pub id: i64,
    /// Invoice number from the journal, such as `232010001`.
    pub number: String,
    /// Invoice journal id.
    pub journal: i64,
    /// Project id.
    pub project: i64,
    /// Currency of every item on the invoice.
    pub currency: String,
    /// Ids of the billed items.
    pub items: Vec<i64>,
    /// Sum of the items' `totalAmount`.
    pub total_amount: Decimal,
    /// Sum of the items' `totalAmountWithVat`.
    pub total_amount_with_vat: Decimal,
    /// When the sandbox created the invoice.
    pub created: String,
}

/// A marketing trigger created by CreateMarketingTriggers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketingTriggerRecord {
    /// Trigger id.
    pub id: i64,
    /// Kind of event, such as `url-visit`.
    pub base_type: String,
    /// Folder or project whose timeline shows the trigger.
    pub context_id: i64,
    /// The contact who caused it.
    pub contact_id: i64,
    /// Visited page.
    pub url: Option<String>,
    /// Campaign or message template code.
    pub tracking_code: Option<String>,
    /// Text shown on the timeline.
    pub description: Option<String>,
    /// `YYYY-MM-DD HH:MM` as sent.
    pub trigger_date: Option<String>,
    /// Aggregated visit count.
    pub number_of_visits: Option<i32>,
}

/// A session opened by QuickLogin. The token itself is never stored, only its MD5
/// digest, which is not part of this record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Session number, which logs show in place of the token.
    pub id: u64,
    /// User name.
    pub user: String,
    /// When the session was opened.
    pub created: String,
}

/// The last number an invoice journal handed out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalCounter {
    /// Invoice journal id.
    pub journal: i64,
    /// Sequence number of the last invoice (1 for `232010001`).
    pub last_sequence: u64,
}

/// The whole state, as `GET /sandbox/state` returns it. Lists are sorted by id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateSnapshot {
    /// The instance name.
    pub server: String,
    /// The id the next created object gets.
    pub next_id: i64,
    /// Open sessions.
    pub sessions: Vec<SessionRecord>,
    /// Contacts.
    pub contacts: Vec<ContactRecord>,
    /// Folders.
    pub folders: Vec<FolderRecord>,
    /// Projects.
    pub projects: Vec<ProjectRecord>,
    /// Billing items.
    pub billing_items: Vec<BillingItemRecord>,
    /// Recurring billing rules.
    pub recurring_rules: Vec<RecurringRuleRecord>,
    /// Invoices.
    pub invoices: Vec<InvoiceRecord>,
    /// Marketing triggers.
    pub marketing_triggers: Vec<MarketingTriggerRecord>,
    /// Invoice journals that have numbered at least one invoice.
    pub journal_counters: Vec<JournalCounter>,
}
