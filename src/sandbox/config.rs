//! The sandbox's settings and the Atollon instance it pretends to be.
//!
//! [`Instance::default`] has the ids of Atollon's published eShop example, so a billing
//! configuration written for that example works against the sandbox unchanged.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use atollon_client::md5_hex;
use atollon_client::xml::Secret;

use super::faults::FaultRule;

/// Default maximum size of a request body: 4 MiB, far above any request of the contract
/// (the largest, CreateContact with many addresses, is a few KiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Atollon's fair-use rule: one session sends at most 2 requests in parallel.
pub const DEFAULT_MAX_PARALLEL_PER_SESSION: usize = 2;

/// Default first id sequence: the first object created gets the id `139663101`, the
/// contact id of the published example.
pub const DEFAULT_FIRST_ID_SEQUENCE: i64 = 139_663;

/// Settings of one sandbox server.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Address to listen on. The default `127.0.0.1:0` takes an ephemeral loopback port.
    pub listen: SocketAddr,
    /// SQLite file that keeps the state across restarts. `None` keeps it in memory only.
    pub state_file: Option<PathBuf>,
    /// The instance: its name, users, templates, journals and value lists.
    pub instance: Instance,
    /// The clock that dates sessions, invoices and the billing items of recurring rules.
    pub clock: Clock,
    /// Maximum request body size in bytes. A larger body gets a `Client` Fault with HTTP
    /// status 413.
    pub max_body_bytes: usize,
    /// Maximum number of requests of one session in progress at once; one more gets a
    /// `Server` Fault.
    pub max_parallel_per_session: usize,
    /// Sequence of the first id a fresh state hands out: the id is `sequence * 1000 + 101`.
    /// A state file that already counts further keeps its own count.
    pub first_id_sequence: i64,
    /// Faults to inject from the start, as with [`Sandbox::inject`](super::Sandbox::inject).
    pub faults: Vec<FaultRule>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            state_file: None,
            instance: Instance::default(),
            clock: Clock::System,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_parallel_per_session: DEFAULT_MAX_PARALLEL_PER_SESSION,
            first_id_sequence: DEFAULT_FIRST_ID_SEQUENCE,
            faults: Vec::new(),
        }
    }
}

/// The clock of the sandbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Clock {
    /// The system clock, read as UTC.
    System,
    /// A fixed time, as an `xs:dateTime` without zone such as `2023-01-01T00:00:00`, so
    /// that tests get the same recurring items on every run.
    Fixed(String),
}

/// A user that QuickLogin accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// User name.
    pub name: String,
    /// Lower-case hex MD5 of the password, the form QuickLogin sends.
    pub password_md5: Secret,
}

impl User {
    /// Builds a user from a clear-text password, which is hashed with [`md5_hex`].
    pub fn new(name: impl Into<String>, clear_password: &str) -> Self {
        User {
            name: name.into(),
            password_md5: md5_hex(clear_password),
        }
    }
}

/// One value of a list: an id and its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListValue {
    /// Instance-specific id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Kind code that ListContactList returns as `type` (for contact types: 1 e-mail,
    /// 2 phone, 3 mobile phone), if the list has one.
    pub kind: Option<i32>,
}

impl ListValue {
    /// Builds a list value without a kind code.
    pub fn new(id: i64, name: impl Into<String>) -> Self {
        ListValue {
            id,
            name: name.into(),
            kind: None,
        }
    }

    /// Builds a list value with a kind code.
    pub fn with_kind(id: i64, name: impl Into<String>, kind: i32) -> Self {
        ListValue {
            id,
            name: name.into(),
            kind: Some(kind),
        }
    }
}

/// The type that a folder or project template gives its folders or projects, returned in
/// the `TYPE` block of CreateSimpleFolder and CreateProject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectKind {
    /// Id of the type.
    pub id: i64,
    /// Name of the type, such as `Client` or `Deal`.
    pub name: String,
    /// 1 for a folder (a master project), 0 for a project.
    pub master_project: i32,
    /// The `guiAction` text, empty in the published project example and absent in the
    /// folder example.
    pub gui_action: Option<String>,
    /// The `iType` code (0 in the folder example, 2 in the project example).
    pub i_type: i32,
}

/// A folder or project template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    /// Id of the template.
    pub id: i64,
    /// Name of the template.
    pub name: String,
    /// The type that folders or projects made from the template get.
    pub kind: ProjectKind,
}

/// An invoice journal, which numbers invoices as `prefix` followed by a sequence number of
/// at least `sequence_digits` digits (`23201` and 4 give `232010001`, `232010002`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceJournal {
    /// Id of the journal.
    pub id: i64,
    /// Name of the journal.
    pub name: String,
    /// Fixed start of every number.
    pub prefix: String,
    /// Minimum width of the sequence number, padded with zeros.
    pub sequence_digits: usize,
}

/// The Atollon instance that the sandbox pretends to be.
///
/// Every list is searched by id. The first folder template, project template and invoice
/// journal are the defaults for requests that name none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    /// The instance name that every request sends as `server`.
    pub server: String,
    /// The users that QuickLogin accepts.
    pub users: Vec<User>,
    /// The lists that ListContactList returns, by list name (`contacttype`,
    /// `addresstype`, `industry`, ...). CreateContact checks its ids against them.
    pub contact_lists: BTreeMap<String, Vec<ListValue>>,
    /// Languages, for `PERSONINFO/preferedLang`.
    pub languages: Vec<ListValue>,
    /// Distribution groups, for `DGROUPS/DGROUP/id`.
    pub distribution_groups: Vec<ListValue>,
    /// Folder templates, for `FOLDER/template`.
    pub folder_templates: Vec<Template>,
    /// Project templates, for `PROJECT/projectTemplate`.
    pub project_templates: Vec<Template>,
    /// Invoice journals, for `PROJECT/invoiceJournal`.
    pub invoice_journals: Vec<InvoiceJournal>,
    /// Providers (the invoicing companies), for `PROJECT/provider`.
    pub providers: Vec<ListValue>,
    /// Products, for the `ITEM/item` of billing items and recurring rules.
    pub products: Vec<ListValue>,
    /// Currency of billing items that name none (ISO 4217 code).
    pub default_currency: String,
}

/// The list names of ListContactList, in the order Atollon documents them.
pub const CONTACT_LIST_NAMES: [&str; 10] = [
    "contacttype",
    "industry",
    "nationality",
    "companylegalform",
    "category",
    "department",
    "position",
    "addresstype",
    "relationtype_p",
    "relationtype_c",
];

impl Default for Instance {
    /// Builds the demo instance `acme`. Its users are `demo` (password `demo`) and `integration`
    /// (password `integration`). The ids of the published example are all there: address
    /// type 132027101, contact types 132031101 (e-mail), 132035101 (phone) and 132033101
    /// (mobile phone), language 131428101, folder template 130944101, project template
    /// 133297101, invoice journal 133150101, provider 132740101 and product 133629101.
    /// The other ids are made up in the same style.
    fn default() -> Self {
        let mut contact_lists = BTreeMap::new();
        let mut list = |name: &str, values: Vec<ListValue>| {
            contact_lists.insert(name.to_owned(), values);
        };
        list(
            "contacttype",
            vec![
                ListValue::with_kind(132031101, "E-mail", 1),
                ListValue::with_kind(132035101, "Phone", 2),
                ListValue::with_kind(132033101, "Mobile phone", 3),
            ],
        );
        list(
            "industry",
            vec![
                ListValue::new(132041101, "Retail"),
                ListValue::new(132043101, "Manufacturing"),
            ],
        );
        list(
            "nationality",
            vec![
                ListValue::new(132051101, "British"),
                ListValue::new(132053101, "Czech"),
            ],
        );
        list(
            "companylegalform",
            vec![
                ListValue::new(132061101, "Limited company"),
                ListValue::new(132063101, "Sole trader"),
            ],
        );
        list(
            "category",
            vec![
                ListValue::new(132071101, "Customer"),
                ListValue::new(132073101, "Supplier"),
            ],
        );
        list(
            "department",
            vec![
                ListValue::new(132081101, "Sales"),
                ListValue::new(132083101, "Accounting"),
            ],
        );
        list(
            "position",
            vec![
                ListValue::new(132091101, "Manager"),
                ListValue::new(132093101, "Accountant"),
            ],
        );
        list(
            "addresstype",
            vec![
                ListValue::new(132027101, "Billing address"),
                ListValue::new(132029101, "Delivery address"),
            ],
        );
        list(
            "relationtype_p",
            vec![ListValue::new(132101101, "Colleague")],
        );
        list(
            "relationtype_c",
            vec![ListValue::new(132111101, "Subsidiary")],
        );

        Instance {
            server: "acme".to_owned(),
            users: vec![
                User::new("demo", "demo"),
                User::new("integration", "integration"),
            ],
            contact_lists,
            languages: vec![
                ListValue::new(131428101, "English"),
                ListValue::new(131429101, "Czech"),
            ],
            distribution_groups: vec![ListValue::new(132121101, "Newsletter")],
            folder_templates: vec![Template {
                id: 130944101,
                name: "Client folder".to_owned(),
                kind: ProjectKind {
                    id: 132716101,
                    name: "Client".to_owned(),
                    master_project: 1,
                    gui_action: None,
                    i_type: 0,
                },
            }],
            project_templates: vec![Template {
                id: 133297101,
                name: "Deal".to_owned(),
                kind: ProjectKind {
                    id: 133295101,
                    name: "Deal".to_owned(),
                    master_project: 0,
                    gui_action: Some(String::new()),
                    i_type: 2,
                },
            }],
            invoice_journals: vec![InvoiceJournal {
                id: 133150101,
                name: "Invoices".to_owned(),
                prefix: "23201".to_owned(),
                sequence_digits: 4,
            }],
            providers: vec![ListValue::new(132740101, "Acme Ltd.")],
            products: vec![
                ListValue::new(133629101, "Goods and services"),
                ListValue::new(133629102, "Sample product"),
            ],
            default_currency: "CZK".to_owned(),
        }
    }
}

impl Instance {
    /// Returns the values of the ListContactList list `name`, if the instance has it.
    pub(crate) fn contact_list(&self, name: &str) -> Option<&[ListValue]> {
        self.contact_lists.get(name).map(Vec::as_slice)
    }

    /// Returns whether the ListContactList list `name` contains `id`.
    pub(crate) fn in_contact_list(&self, name: &str, id: i64) -> bool {
        self.contact_list(name)
            .is_some_and(|values| values.iter().any(|value| value.id == id))
    }

    pub(crate) fn journal(&self, id: i64) -> Option<&InvoiceJournal> {
        self.invoice_journals
            .iter()
            .find(|journal| journal.id == id)
    }
}

/// Returns whether `values` contains `id`.
pub(crate) fn contains_id(values: &[ListValue], id: i64) -> bool {
    values.iter().any(|value| value.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_user_password_digest() {
        // `printf %s demo | md5sum` prints fe01ce2a7fbac8fafaed7c982a04e229.
        let instance = Instance::default();
        assert_eq!(instance.users[0].name, "demo");
        assert_eq!(
            instance.users[0].password_md5.expose(),
            "fe01ce2a7fbac8fafaed7c982a04e229"
        );
    }

    #[test]
    fn default_instance_has_every_list() {
        let instance = Instance::default();
        for name in CONTACT_LIST_NAMES {
            assert!(instance.contact_list(name).is_some(), "list {name}");
        }
        assert!(instance.in_contact_list("contacttype", 132033101));
        assert!(!instance.in_contact_list("contacttype", 132027101));
    }
}
