//! A local server that behaves like an Atollon instance for every operation in `wsdl/`,
//! so that integrations and their tests run without an Atollon account.
//!
//! It is built on the generated server traits (such as [`crate::project::ProjectServer`])
//! and dispatchers, so a contract change that the sandbox does not implement fails to
//! compile.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use atollon::sandbox::{Sandbox, SandboxConfig};
//!
//! let sandbox = Sandbox::start(SandboxConfig::default()).await?;
//! let client = atollon_client::Client::builder()
//!     .endpoint(sandbox.soap_url())
//!     .build()?;
//! let main = atollon::main::MainClient::new(client);
//! // Log in as the demo user: server `acme`, user `demo`, password `demo`.
//! # let _ = main;
//! sandbox.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # HTTP endpoints
//!
//! - `POST /soap`: the SOAP 1.1 endpoint of every operation.
//! - `GET /NAME.wsdl` (`main.wsdl`, `project.wsdl`, `item.wsdl`, `invoice.wsdl`,
//!   `features.wsdl`, `web.wsdl`): the contract files, with `soap:address` set to this
//!   sandbox's `/soap`.
//! - `GET /sandbox/state`: the whole state as JSON, a [`StateSnapshot`]: `server`,
//!   `next_id`, then `sessions`, `contacts`, `folders`, `projects`, `billing_items`,
//!   `recurring_rules`, `invoices` and `marketing_triggers` (each a list sorted by id),
//!   and `journal_counters`. Amounts are decimal strings.
//!
//! # Behaviour
//!
//! - Ids look like Atollon's (`139663101`): a counter times 1000 plus 101. The counter
//!   never goes back, also across restarts on one state file.
//! - QuickLogin checks the user and the MD5 hex of the password against
//!   [`Instance::users`] and returns a 44-character token. Only the token's MD5 digest is
//!   stored, and logs show the session number instead of the token.
//! - Each Create operation checks its references: CreateSimpleFolder needs an existing
//!   contact, CreateProject an existing customer folder, CreateProjectItem an existing
//!   project, CreateFolderItem an existing folder and destination project,
//!   CreateMarketingTriggers an existing contact and a folder or project as context.
//!   Template, journal, provider, product and list ids must be in the [`Instance`].
//! - CreateInvoicesFromItems invoices the project's items with billingStatus 3, one
//!   invoice per currency, numbered from the project's invoice journal, and marks the
//!   items billed (4).
//! - CreateFolderItem stores a recurring rule. CheckWorkflowQueue generates the billing
//!   items that the rules owe up to the sandbox clock's time; nothing runs periodically.
//! - A session may have [`SandboxConfig::max_parallel_per_session`] requests in progress
//!   (2, Atollon's fair-use rule); one more gets a `Server` Fault.
//!
//! # Result texts
//!
//! A successful response has `result` `OK`. A rejected one has one of these texts and no
//! other fields besides `time`:
//!
//! | text | when |
//! | --- | --- |
//! | `ERROR: unknown server "NAME"` | `server` is not [`Instance::server`] |
//! | `ERROR: invalid user name or password` | QuickLogin with wrong credentials |
//! | `ERROR: unknown session` | the token is not one QuickLogin returned |
//! | `ERROR: KIND ID not found (PATH)` | a broken reference, such as `ERROR: contact 139663101 not found (FOLDER/contact)` |
//! | `ERROR: PATH is missing` | an element the sandbox needs is absent, such as `PROJECT/customer` |
//! | `ERROR: PATH is empty` | a name is blank |
//! | `ERROR: PATH VALUE is invalid: EXPECTED` | a code out of range, such as `ITEM/billingStatus 9` |
//! | `ERROR: project ID has no billing items approved for invoicing (billingStatus 3)` | CreateInvoicesFromItems with nothing to invoice |
//! | `ERROR: injected failure` | an injected [`FaultMode::NotOk`] |
//!
//! Requests that are not XML, not an envelope, name an unknown operation or miss an
//! element the WSDL requires get a `Client` Fault naming the problem (HTTP 500), and
//! bodies over [`SandboxConfig::max_body_bytes`] a `Client` Fault with HTTP 413.
//!
//! # Fault injection
//!
//! [`Sandbox::inject`] (or [`SandboxConfig::faults`], or `atollon sandbox --fault`) makes
//! the next N calls of one operation get a SOAP Fault (HTTP 200 or 500) or a non-OK
//! result, get their response late, or be processed and then lose their connection. See
//! [`FaultRule`] and its text form `OPERATION:MODE[:COUNT]`.

mod civil;
mod config;
mod fair_use;
mod faults;
mod http;
mod model;
mod operations;
mod ops;
mod server;
mod service;
mod state;
mod store;
mod wsdl;

pub use config::{
    Clock, Instance, InvoiceJournal, ListValue, ProjectKind, SandboxConfig, Template, User,
    CONTACT_LIST_NAMES, DEFAULT_FIRST_ID_SEQUENCE, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_PARALLEL_PER_SESSION,
};
pub use faults::{FaultError, FaultMode, FaultRule, DEFAULT_INJECTED_RESULT};
pub use model::{
    AddressRecord, BillingItemRecord, ContactEntryRecord, ContactKind, ContactRecord,
    EmploymentRecord, FolderRecord, InvoiceRecord, JournalCounter, MarketingTriggerRecord, Pricing,
    ProjectRecord, RecurringRuleRecord, RelationRecord, SessionRecord, StateSnapshot,
};
pub use server::{Sandbox, SandboxError};
pub use store::StoreError;
