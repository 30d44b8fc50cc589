//! Helpers shared by the sandbox tests: an in-process sandbox with a fixed clock, the
//! generated clients logged in as the demo user, and requests modelled on Atollon's
//! published examples.

#![allow(dead_code)]

use atollon::sandbox::{Clock, Sandbox, SandboxConfig};
use atollon::{features, invoice, item, main, project, web};
use atollon_client::xml::{DateTime, Secret};
use atollon_client::{md5_hex, Client, Error};
use rust_decimal::Decimal;

/// The fixed sandbox time of the tests.
pub const NOW: &str = "2023-06-15T12:00:00";

/// Starts an in-memory sandbox with the clock at [`NOW`].
pub async fn start() -> Sandbox {
    start_with(config()).await
}

pub fn config() -> SandboxConfig {
    SandboxConfig {
        clock: Clock::Fixed(NOW.to_owned()),
        ..SandboxConfig::default()
    }
}

pub async fn start_with(config: SandboxConfig) -> Sandbox {
    match Sandbox::start(config).await {
        Ok(sandbox) => sandbox,
        Err(error) => panic!("the sandbox did not start: {error}"),
    }
}

/// Builds a runtime client for the sandbox.
pub fn runtime_client(sandbox: &Sandbox, max_in_flight: usize) -> Client {
    match Client::builder()
        .endpoint(sandbox.soap_url())
        .max_in_flight(max_in_flight)
        .connect_retries(0)
        .build()
    {
        Ok(client) => client,
        Err(error) => panic!("the client did not build: {error}"),
    }
}

/// The six generated clients over one runtime client, and the session they use.
pub struct Api {
    pub main: main::MainClient,
    pub project: project::ProjectClient,
    pub item: item::ItemClient,
    pub invoice: invoice::InvoiceClient,
    pub features: features::FeaturesClient,
    pub web: web::WebClient,
    pub session: Secret,
}

impl Api {
    pub fn new(client: Client) -> Api {
        Api {
            main: main::MainClient::new(client.clone()),
            project: project::ProjectClient::new(client.clone()),
            item: item::ItemClient::new(client.clone()),
            invoice: invoice::InvoiceClient::new(client.clone()),
            features: features::FeaturesClient::new(client.clone()),
            web: web::WebClient::new(client),
            session: Secret::new(""),
        }
    }

    /// Logs in as the demo user and keeps the session.
    pub async fn login(client: Client) -> Api {
        let mut api = Api::new(client);
        let response = api.main.quick_login(&demo_login()).await;
        let response = expect_ok(response, "QuickLogin");
        match response.session {
            Some(session) => api.session = session,
            None => panic!("QuickLogin returned no session"),
        }
        api
    }

    pub async fn create_person(&self) -> i64 {
        let response = self
            .main
            .create_contact(&create_person(&self.session))
            .await;
        expect_id(expect_ok(response, "CreateContact").new_id, "CreateContact")
    }

    pub async fn create_folder(&self, contact: i64) -> i64 {
        let response = self
            .project
            .create_simple_folder(&create_folder(&self.session, Some(contact)))
            .await;
        expect_id(
            expect_ok(response, "CreateSimpleFolder").new_id,
            "CreateSimpleFolder",
        )
    }

    pub async fn create_project(&self, customer: i64) -> i64 {
        let response = self
            .project
            .create_project(&create_project(&self.session, Some(customer)))
            .await;
        expect_id(expect_ok(response, "CreateProject").new_id, "CreateProject")
    }

    /// Creates contact, folder and project, and returns (contact, folder, project).
    pub async fn create_customer_project(&self) -> (i64, i64, i64) {
        let contact = self.create_person().await;
        let folder = self.create_folder(contact).await;
        let project = self.create_project(folder).await;
        (contact, folder, project)
    }

    pub async fn create_item(&self, item: item::Item) -> i64 {
        let request = item::CreateProjectItem {
            server: "acme".to_owned(),
            session: self.session.clone(),
            item,
        };
        let response = self.item.create_project_item(&request).await;
        expect_id(
            expect_ok(response, "CreateProjectItem").item_id,
            "CreateProjectItem",
        )
    }
}

pub async fn login(sandbox: &Sandbox) -> Api {
    Api::login(runtime_client(sandbox, 2)).await
}

pub fn demo_login() -> main::QuickLogin {
    main::QuickLogin {
        server: "acme".to_owned(),
        user: "demo".to_owned(),
        password: md5_hex("demo"),
    }
}

pub fn expect_ok<T>(result: Result<T, Error>, operation: &str) -> T {
    match result {
        Ok(response) => response,
        Err(error) => panic!("{operation} failed: {error}"),
    }
}

pub fn expect_id(id: Option<i64>, operation: &str) -> i64 {
    match id {
        Some(id) => id,
        None => panic!("{operation} returned no id"),
    }
}

/// Returns the `result` text of a non-OK response, or panics with what happened instead.
pub fn not_ok_text<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    match result {
        Err(Error::NotOk { result, .. }) => result,
        other => panic!("expected a non-OK result, got {other:?}"),
    }
}

pub fn decimal(text: &str) -> Decimal {
    match text.parse() {
        Ok(value) => value,
        Err(error) => panic!("{text}: {error}"),
    }
}

pub fn date_time(text: &str) -> DateTime {
    match DateTime::parse(text) {
        Ok(value) => value,
        Err(error) => panic!("{text}: {error}"),
    }
}

/// Builds a CreateContact request for the person of the published example.
pub fn create_person(session: &Secret) -> main::CreateContact {
    main::CreateContact {
        server: "acme".to_owned(),
        session: session.clone(),
        person_or_company: main::CreateContactPersonOrCompany::Person(sample_person()),
    }
}

pub fn sample_person() -> main::Person {
    main::Person {
        name1: "Petra".to_owned(),
        name3: Some("Sample".to_owned()),
        addresses: Some(main::PersonAddresses {
            address: vec![main::Address {
                city_name: Some("London".to_owned()),
                country_name: Some("United Kingdom".to_owned()),
                is_primary: Some(1),
                region_name: Some("London".to_owned()),
                street: Some("Sample Street 7".to_owned()),
                type_: Some(132027101),
                zip_name: Some("1100".to_owned()),
                ..main::Address::default()
            }],
        }),
        contacts: Some(main::PersonContacts {
            contact: vec![
                main::ContactEntry {
                    content: "petra.sample@example.com".to_owned(),
                    is_main: Some(1),
                    is_primary: Some(1),
                    type_: 132031101,
                    type_type: None,
                },
                main::ContactEntry {
                    content: "20111222".to_owned(),
                    is_main: Some(0),
                    is_primary: Some(1),
                    type_: 132035101,
                    type_type: None,
                },
                main::ContactEntry {
                    content: "700333444".to_owned(),
                    is_main: Some(0),
                    is_primary: Some(1),
                    type_: 132033101,
                    type_type: Some(3),
                },
            ],
        }),
        personinfo: Some(main::PersonInfo {
            salutation: Some("Dear Petra".to_owned()),
            prefered_lang: Some(131428101),
            ..main::PersonInfo::default()
        }),
        ..main::Person::default()
    }
}

pub fn create_folder(session: &Secret, contact: Option<i64>) -> project::CreateSimpleFolder {
    project::CreateSimpleFolder {
        server: "acme".to_owned(),
        session: session.clone(),
        folder: project::Folder {
            name: "Sample, Petra".to_owned(),
            template: Some(130944101),
            contact,
            ..project::Folder::default()
        },
    }
}

pub fn create_project(session: &Secret, customer: Option<i64>) -> project::CreateProject {
    project::CreateProject {
        server: "acme".to_owned(),
        session: session.clone(),
        project: project::Project {
            customer,
            folder: customer,
            invoice_journal: Some(133150101),
            name: "Super Sales".to_owned(),
            project_template: Some(133297101),
            provider: Some(132740101),
        },
    }
}

/// Builds a billing item like the published CreateProjectItem example, with the given
/// unit price, quantity, VAT rate and status. The sandbox computes the totals.
pub fn billing_item(
    project: i64,
    amount: &str,
    quantity: &str,
    vat: &str,
    status: i32,
) -> item::Item {
    item::Item {
        amount: Some(decimal(amount)),
        billing_date: Some(date_time("2020-05-14T00:00:00")),
        billing_status: Some(status),
        catalog_price: Some(decimal(amount)),
        currency: Some("CZK".to_owned()),
        item: Some(133629101),
        name: "AAA Batteries".to_owned(),
        project: Some(project),
        quantity: Some(decimal(quantity)),
        total_quantity: Some(decimal(quantity)),
        vat_value: Some(decimal(vat)),
        ratio: Some(decimal("100")),
        ..item::Item::default()
    }
}

/// Builds a recurring rule like the published CreateFolderItem example.
pub fn recurring_rule(folder: i64, project: i64, first: &str, frequency: i32) -> item::Item {
    item::Item {
        amount: Some(decimal("1234")),
        billing_date: Some(date_time(first)),
        billing_status: Some(2),
        total_quantity: Some(decimal("5")),
        catalog_price: Some(decimal("190")),
        currency: Some("CZK".to_owned()),
        item: Some(133629101),
        name: "Repeated service".to_owned(),
        note: Some("Billing the yearly service.".to_owned()),
        purchase_price: Some(decimal("130")),
        quantity: Some(decimal("5")),
        folder: Some(folder),
        total_amount: Some(decimal("6170")),
        total_amount_with_vat: Some(decimal("6787")),
        vat_value: Some(decimal("10")),
        ratio: Some(decimal("100")),
        taxation_date: Some(date_time(first)),
        is_model_item: Some(1),
        valid_from: Some(date_time(first)),
        valid_to: Some(date_time("2099-05-04T00:00:00")),
        destination_project: Some(project),
        billing_frequency: Some(frequency),
        ..item::Item::default()
    }
}

/// Fetches `GET /sandbox/state` and parses it.
pub async fn fetch_state(sandbox: &Sandbox) -> serde_json::Value {
    let url = format!("{}/sandbox/state", sandbox.url());
    let response = match reqwest::get(&url).await {
        Ok(response) => response,
        Err(error) => panic!("GET {url} failed: {error}"),
    };
    assert_eq!(response.status().as_u16(), 200, "GET {url}");
    let text = match response.text().await {
        Ok(text) => text,
        Err(error) => panic!("GET {url} returned no body: {error}"),
    };
    match serde_json::from_str(&text) {
        Ok(json) => json,
        Err(error) => panic!("GET {url} returned invalid JSON: {error}"),
    }
}
