//! Every operation of the contract through the generated client, against an HTTP server
//! on 127.0.0.1 that replies with canned envelopes, well-formed or broken.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atollon::features::{CheckWorkflowQueue, FeaturesClient};
use atollon::invoice::{CreateInvoicesFromItems, InvoiceClient};
use atollon::item::{CreateFolderItem, CreateProjectItem, Item, ItemClient};
use atollon::main::{
    ContactEntry, CreateContact, CreateContactPersonOrCompany, ListContactList, MainClient, Person,
    PersonContacts, QuickLogin, QuickLoginResponse,
};
use atollon::project::{CreateProject, CreateSimpleFolder, Folder, Project, ProjectClient};
use atollon::values::{BaseType, BillingFrequency, BillingStatus, ContactListName};
use atollon::web::{CreateMarketingTriggers, MarketingTrigger, WebClient};
use atollon_client::envelope::EnvelopeError;
use atollon_client::xml::{DateTime, DecodeError, EncodeError, Secret};
use atollon_client::{md5_hex, Client, Error, FaultCode, Outcome};
use common::*;
use rust_decimal::Decimal;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::util::SubscriberInitExt;

/// Every operation of the contract, in the order of the eShop billing flow.
const OPERATIONS: [&str; 10] = [
    "QuickLogin",
    "CreateContact",
    "ListContactList",
    "CreateSimpleFolder",
    "CreateProject",
    "CreateProjectItem",
    "CreateFolderItem",
    "CreateInvoicesFromItems",
    "CheckWorkflowQueue",
    "CreateMarketingTriggers",
];

/// The clear-text password of the login tests, and its MD5 as
/// `echo -n 'correct horse' | md5sum` prints it.
const PASSWORD: &str = "correct horse";
const PASSWORD_MD5: &str = "3cb4e732631f47e6eb961f34554b7cde";

fn session() -> Secret {
    Secret::new(TOKEN)
}

fn sample_item() -> Item {
    let billing_date = match DateTime::local(2020, 5, 14, 0, 0, 0) {
        Ok(date) => date,
        Err(expected) => panic!("2020-05-14T00:00:00 is rejected as {expected}"),
    };
    Item {
        amount: Some(Decimal::new(123450, 2)),
        billing_date: Some(billing_date),
        billing_status: Some(BillingStatus::APPROVED.into()),
        name: "AAA Batteries".into(),
        quantity: Some(Decimal::from(5)),
        ..Item::default()
    }
}

/// Sends `operation` with a small valid request and returns the id its response carries
/// (the new contact, folder, project, item or invoice, or the first list entry), or
/// `None` for operations whose response has no id.
async fn send(operation: &str, client: Client) -> Result<Option<i64>, Error> {
    match operation {
        "QuickLogin" => {
            let request = QuickLogin {
                server: "acme".into(),
                user: "jack".into(),
                password: md5_hex(PASSWORD),
            };
            MainClient::new(client)
                .quick_login(&request)
                .await
                .map(|_| None)
        }
        "CreateContact" => {
            let request = CreateContact {
                server: "acme".into(),
                session: session(),
                person_or_company: CreateContactPersonOrCompany::Person(Person {
                    name1: "Petra".into(),
                    name3: Some("Sample".into()),
                    ..Person::default()
                }),
            };
            let response = MainClient::new(client).create_contact(&request).await?;
            Ok(response.new_id)
        }
        "ListContactList" => {
            let request = ListContactList {
                server: "acme".into(),
                session: session(),
                list: ContactListName::CONTACT_TYPE.into(),
                use_default_tree_handle: Some(1),
                ..ListContactList::default()
            };
            let response = MainClient::new(client).list_contact_list(&request).await?;
            Ok(response.item.first().map(|item| item.id))
        }
        "CreateSimpleFolder" => {
            let request = CreateSimpleFolder {
                server: "acme".into(),
                session: session(),
                folder: Folder {
                    name: "Sample, Petra".into(),
                    contact: Some(139663101),
                    ..Folder::default()
                },
            };
            let response = ProjectClient::new(client)
                .create_simple_folder(&request)
                .await?;
            Ok(response.new_id)
        }
        "CreateProject" => {
            let request = CreateProject {
                server: "acme".into(),
                session: session(),
                project: Project {
                    name: "Super Sales".into(),
                    customer: Some(139676101),
                    ..Project::default()
                },
            };
            let response = ProjectClient::new(client).create_project(&request).await?;
            Ok(response.new_id)
        }
        "CreateProjectItem" => {
            let request = CreateProjectItem {
                server: "acme".into(),
                session: session(),
                item: Item {
                    project: Some(139704101),
                    ..sample_item()
                },
            };
            let response = ItemClient::new(client)
                .create_project_item(&request)
                .await?;
            Ok(response.item_id)
        }
        "CreateFolderItem" => {
            let request = CreateFolderItem {
                server: "acme".into(),
                session: session(),
                item: Item {
                    folder: Some(139676101),
                    is_model_item: Some(1),
                    billing_frequency: Some(BillingFrequency::MONTHLY.into()),
                    ..sample_item()
                },
            };
            let response = ItemClient::new(client).create_folder_item(&request).await?;
            Ok(response.item_id)
        }
        "CreateInvoicesFromItems" => {
            let request = CreateInvoicesFromItems {
                server: "acme".into(),
                session: session(),
                project: 139704101,
            };
            let response = InvoiceClient::new(client)
                .create_invoices_from_items(&request)
                .await?;
            Ok(response.new_id.first().map(|invoice| invoice.new_id))
        }
        "CheckWorkflowQueue" => {
            let request = CheckWorkflowQueue {
                server: "acme".into(),
                session: session(),
            };
            FeaturesClient::new(client)
                .check_workflow_queue(&request)
                .await
                .map(|_| None)
        }
        "CreateMarketingTriggers" => {
            let request = CreateMarketingTriggers {
                server: "acme".into(),
                session: session(),
                marketing_trigger: MarketingTrigger {
                    base_type: BaseType::URL_VISIT.into(),
                    context_id: 132716101,
                    contact_id: 139663101,
                    url: Some("https://shop.example/product?id=7&ref=mail".into()),
                    ..MarketingTrigger::default()
                },
            };
            let response = WebClient::new(client)
                .create_marketing_triggers(&request)
                .await?;
            Ok(response.new_id)
        }
        other => panic!("no sample request for operation {other}"),
    }
}

/// Returns the success response of `operation`: the published one, or for QuickLogin
/// (which has none) a response with a session token.
fn success_response(operation: &str) -> String {
    match operation {
        "QuickLogin" => {
            response_envelope("QuickLogin", "OK", &format!("<session>{TOKEN}</session>"))
        }
        other => example(&example_file(other, "response")),
    }
}

/// Sends every operation in turn and returns each outcome with its operation name.
async fn send_each(client: &Client) -> Vec<(&'static str, Result<Option<i64>, Error>)> {
    let mut outcomes = Vec::new();
    for operation in OPERATIONS {
        outcomes.push((operation, send(operation, client.clone()).await));
    }
    outcomes
}

/// Returns the error of a call that was expected to fail.
fn expect_error(operation: &str, outcome: Result<Option<i64>, Error>) -> Error {
    match outcome {
        Ok(id) => panic!("{operation}: expected an error, got Ok({id:?})"),
        Err(error) => {
            assert_eq!(error.operation(), operation, "operation named by the error");
            error
        }
    }
}

// ---- Success ----

#[tokio::test]
async fn every_operation_succeeds() {
    let server = TestServer::start(|request| match request.operation() {
        Some(operation) => Reply::xml(&success_response(&operation)),
        None => Reply::with(400, None, ""),
    })
    .await;
    let expected_ids = [
        ("QuickLogin", None),
        ("CreateContact", Some(139663101)),
        ("ListContactList", Some(1883000)),
        ("CreateSimpleFolder", Some(139676101)),
        ("CreateProject", Some(139704101)),
        ("CreateProjectItem", Some(139721101)),
        ("CreateFolderItem", Some(139812101)),
        ("CreateInvoicesFromItems", Some(139758101)),
        ("CheckWorkflowQueue", None),
        ("CreateMarketingTriggers", Some(400097101)),
    ];
    for ((operation, outcome), (expected_operation, expected_id)) in send_each(&server.client())
        .await
        .into_iter()
        .zip(expected_ids)
    {
        assert_eq!(operation, expected_operation);
        match outcome {
            Ok(id) => assert_eq!(id, expected_id, "{operation}: id in the response"),
            Err(error) => panic!("{operation} failed: {error}"),
        }
    }

    let requests = server.requests();
    assert_eq!(requests.len(), OPERATIONS.len());
    for (request, operation) in requests.iter().zip(OPERATIONS) {
        assert_eq!(request.method, "POST", "{operation}");
        assert_eq!(request.path, "/soap", "{operation}");
        assert_eq!(
            request.header("content-type"),
            Some("text/xml; charset=utf-8"),
            "{operation}"
        );
        assert_eq!(request.header("soapaction"), Some("\"\""), "{operation}");
        assert_eq!(request.operation().as_deref(), Some(operation));
        let wrapper = format!("<wsdl:{operation}>");
        assert!(
            request.body.contains(&wrapper),
            "{operation}: the body lacks {wrapper}: {}",
            request.body
        );
        assert!(request.body.contains(&format!("xmlns:wsdl=\"{ATOLLON}\"")));
    }
}

#[tokio::test]
async fn escaped_text_on_the_wire() {
    let server = TestServer::replying(success_response("CreateMarketingTriggers")).await;
    let outcome = send("CreateMarketingTriggers", server.client()).await;
    assert_eq!(outcome.ok(), Some(Some(400097101)));
    let requests = server.requests();
    assert!(requests[0]
        .body
        .contains("<url>https://shop.example/product?id=7&amp;ref=mail</url>"));
}

#[tokio::test]
async fn several_invoices_from_items() {
    // The operation may create several invoices, each reported as a newId and number pair.
    let pairs = "<newId>139758101</newId><number>232010001</number>\
                 <newId>139759101</newId><number>0232010002</number>";
    let body = response_envelope("CreateInvoicesFromItems", "OK", pairs);
    let server = TestServer::replying(body).await;
    let request = CreateInvoicesFromItems {
        server: "acme".into(),
        session: session(),
        project: 139704101,
    };
    let response = InvoiceClient::new(server.client())
        .create_invoices_from_items(&request)
        .await;
    let response = match response {
        Ok(response) => response,
        Err(error) => panic!("the call failed: {error}"),
    };
    let invoices: Vec<(i64, &str)> = response
        .new_id
        .iter()
        .map(|invoice| (invoice.new_id, invoice.number.as_str()))
        .collect();
    assert_eq!(
        invoices,
        [(139758101, "232010001"), (139759101, "0232010002")]
    );
}

#[tokio::test]
async fn no_invoice_from_items() {
    let body = response_envelope("CreateInvoicesFromItems", "OK", "");
    let server = TestServer::replying(body).await;
    let request = CreateInvoicesFromItems {
        server: "acme".into(),
        session: session(),
        project: 139704101,
    };
    let response = InvoiceClient::new(server.client())
        .create_invoices_from_items(&request)
        .await;
    assert_eq!(response.ok().map(|response| response.new_id.len()), Some(0));
}

// ---- Errors ----

#[tokio::test]
async fn fault_with_status_200() {
    let fault = fault_envelope("Server", "Database unavailable", "<code>DB17</code>");
    let server = TestServer::start(move |_| Reply::xml(&fault)).await;
    for (operation, outcome) in send_each(&server.client()).await {
        let error = expect_error(operation, outcome);
        let Error::Fault { status, fault, .. } = &error else {
            panic!("{operation}: expected a Fault, got {error:?}");
        };
        assert_eq!(*status, 200, "{operation}");
        assert_eq!(fault.code, "ns0:Server", "{operation}");
        assert_eq!(fault.kind, Some(FaultCode::Server), "{operation}");
        assert_eq!(fault.reason, "Database unavailable", "{operation}");
        assert_eq!(
            fault.detail.as_deref(),
            Some("<code>DB17</code>"),
            "{operation}"
        );
        assert_eq!(error.outcome(), Outcome::Failed, "{operation}");
    }
}

#[tokio::test]
async fn fault_with_status_500() {
    let fault = fault_envelope("Client", "Invalid session", "");
    let server =
        TestServer::start(move |_| Reply::with(500, Some("text/xml; charset=utf-8"), &fault)).await;
    for (operation, outcome) in send_each(&server.client()).await {
        let error = expect_error(operation, outcome);
        let Error::Fault { status, fault, .. } = &error else {
            panic!("{operation}: expected a Fault, got {error:?}");
        };
        assert_eq!(*status, 500, "{operation}");
        assert_eq!(fault.kind, Some(FaultCode::Client), "{operation}");
        assert_eq!(fault.reason, "Invalid session", "{operation}");
        assert_eq!(error.outcome(), Outcome::Failed, "{operation}");
    }
}

#[tokio::test]
async fn result_not_ok() {
    let server = TestServer::start(|request| {
        let operation = request.operation().unwrap_or_default();
        Reply::xml(&response_envelope(&operation, "Session expired", ""))
    })
    .await;
    for (operation, outcome) in send_each(&server.client()).await {
        let error = expect_error(operation, outcome);
        let Error::NotOk { result, .. } = &error else {
            panic!("{operation}: expected NotOk, got {error:?}");
        };
        assert_eq!(result, "Session expired", "{operation}");
        assert_eq!(error.outcome(), Outcome::Failed, "{operation}");
    }
}

const HTML_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\
                         <body><h1>Bad Gateway</h1></body></html>";

#[tokio::test]
async fn html_page_with_status_200() {
    let server =
        TestServer::start(|_| Reply::with(200, Some("text/html; charset=utf-8"), HTML_PAGE)).await;
    for (operation, outcome) in send_each(&server.client()).await {
        let error = expect_error(operation, outcome);
        let Error::UnexpectedContentType {
            content_type,
            expected,
            body_excerpt,
            ..
        } = &error
        else {
            panic!("{operation}: expected UnexpectedContentType, got {error:?}");
        };
        assert_eq!(content_type.as_deref(), Some("text/html; charset=utf-8"));
        assert_eq!(*expected, "text/xml");
        assert!(
            body_excerpt.starts_with("<!DOCTYPE html>"),
            "{body_excerpt:?}"
        );
        assert_eq!(error.outcome(), Outcome::Unknown, "{operation}");
    }
}

#[tokio::test]
async fn html_page_with_status_502() {
    let server =
        TestServer::start(|_| Reply::with(502, Some("text/html; charset=utf-8"), HTML_PAGE)).await;
    for (operation, outcome) in send_each(&server.client()).await {
        let error = expect_error(operation, outcome);
        let Error::HttpStatus {
            status,
            body_excerpt,
            ..
        } = &error
        else {
            panic!("{operation}: expected HttpStatus, got {error:?}");
        };
        assert_eq!(*status, 502, "{operation}");
        assert!(
            body_excerpt.contains("<h1>Bad Gateway</h1>"),
            "{body_excerpt:?}"
        );
    }
}

#[tokio::test]
async fn html_page_as_xml() {
    let page = "<html><body><p>Maintenance<br></p></body></html>";
    let server = TestServer::start(move |_| Reply::xml(page)).await;
    for (operation, outcome) in send_each(&server.client()).await {
        let error = expect_error(operation, outcome);
        assert!(
            matches!(
                &error,
                Error::InvalidEnvelope {
                    source: EnvelopeError::Xml(_),
                    status: 200,
                    ..
                }
            ),
            "{operation}: expected InvalidEnvelope(Xml), got {error:?}"
        );
    }
}

#[tokio::test]
async fn empty_body() {
    let server = TestServer::start(|_| Reply::xml("")).await;
    for (operation, outcome) in send_each(&server.client()).await {
        let error = expect_error(operation, outcome);
        assert!(
            matches!(
                &error,
                Error::InvalidEnvelope {
                    source: EnvelopeError::Empty,
                    ..
                }
            ),
            "{operation}: expected InvalidEnvelope(Empty), got {error:?}"
        );
        assert_eq!(error.outcome(), Outcome::Unknown, "{operation}");
    }
}

#[tokio::test]
async fn body_shorter_than_content_length() {
    let server = TestServer::start(|request| {
        let operation = request.operation().unwrap_or_default();
        let full = success_response(&operation);
        let half = full.as_bytes()[..full.len() / 2].to_vec();
        Reply::Truncated {
            declared: full.len(),
            body: half,
        }
    })
    .await;
    for (operation, outcome) in send_each(&server.client()).await {
        let error = expect_error(operation, outcome);
        assert!(
            matches!(&error, Error::OutcomeUnknown { .. }),
            "{operation}: expected OutcomeUnknown, got {error:?}"
        );
        assert!(error.is_outcome_unknown(), "{operation}");
    }
    // A lost response is never sent again: one request per operation.
    assert_eq!(server.requests().len(), OPERATIONS.len());
}

#[tokio::test]
async fn envelope_cut_off() {
    let server = TestServer::start(|request| {
        let operation = request.operation().unwrap_or_default();
        let full = success_response(&operation);
        Reply::xml(&full[..full.len() - 30])
    })
    .await;
    for (operation, outcome) in send_each(&server.client()).await {
        let error = expect_error(operation, outcome);
        assert!(
            matches!(
                &error,
                Error::InvalidEnvelope {
                    source: EnvelopeError::Xml(_),
                    ..
                }
            ),
            "{operation}: expected InvalidEnvelope(Xml), got {error:?}"
        );
    }
}

#[tokio::test]
async fn wrong_content_type() {
    let server = TestServer::start(|request| {
        let operation = request.operation().unwrap_or_default();
        Reply::with(200, Some("text/plain"), &success_response(&operation))
    })
    .await;
    for (operation, outcome) in send_each(&server.client()).await {
        let error = expect_error(operation, outcome);
        let Error::UnexpectedContentType { content_type, .. } = &error else {
            panic!("{operation}: expected UnexpectedContentType, got {error:?}");
        };
        assert_eq!(content_type.as_deref(), Some("text/plain"), "{operation}");
    }
}

#[tokio::test]
async fn missing_content_type() {
    let server = TestServer::start(|request| {
        let operation = request.operation().unwrap_or_default();
        Reply::with(200, None, &success_response(&operation))
    })
    .await;
    for (operation, outcome) in send_each(&server.client()).await {
        let error = expect_error(operation, outcome);
        let Error::UnexpectedContentType { content_type, .. } = &error else {
            panic!("{operation}: expected UnexpectedContentType, got {error:?}");
        };
        assert_eq!(*content_type, None, "{operation}");
    }
}

#[tokio::test]
async fn server_slower_than_timeout() {
    const TIMEOUT: Duration = Duration::from_millis(300);
    // The server waits far longer than the client, so the timeout always expires first.
    let server = TestServer::start(|request| {
        let operation = request.operation().unwrap_or_default();
        Reply::Delay(
            Duration::from_secs(30),
            Box::new(Reply::xml(&success_response(&operation))),
        )
    })
    .await;
    let client = server.client_with(Client::builder().timeout(TIMEOUT));
    for (operation, outcome) in send_each(&client).await {
        let error = expect_error(operation, outcome);
        let Error::Timeout { timeout, .. } = &error else {
            panic!("{operation}: expected Timeout, got {error:?}");
        };
        assert_eq!(*timeout, TIMEOUT, "{operation}");
        assert!(error.is_outcome_unknown(), "{operation}");
    }
    // A call that timed out is not sent again.
    assert_eq!(server.requests().len(), OPERATIONS.len());
}

#[tokio::test]
async fn response_over_size_limit() {
    const LIMIT: usize = 2048;
    let server = TestServer::start(|request| {
        let operation = request.operation().unwrap_or_default();
        let padding = format!("<note>{}</note>", "x".repeat(2 * LIMIT));
        Reply::xml(&response_envelope(&operation, "OK", &padding))
    })
    .await;
    let client = server.client_with(Client::builder().max_response_size(LIMIT));
    for (operation, outcome) in send_each(&client).await {
        let error = expect_error(operation, outcome);
        assert!(
            matches!(&error, Error::ResponseTooLarge { limit: LIMIT, .. }),
            "{operation}: expected ResponseTooLarge, got {error:?}"
        );
    }
}

#[tokio::test]
async fn response_under_size_limit() {
    // The same padded response is read when the limit allows it, so the limit and not
    // the padding is what the test above checks.
    let server = TestServer::start(|request| {
        let operation = request.operation().unwrap_or_default();
        let padding = format!("<note>{}</note>", "x".repeat(4096));
        let rest = match operation.as_str() {
            "CreateContact" => format!("<newId>139663101</newId>{padding}"),
            _ => padding,
        };
        Reply::xml(&response_envelope(&operation, "OK", &rest))
    })
    .await;
    let client = server.client_with(Client::builder().max_response_size(64 * 1024));
    let outcome = send("CreateContact", client).await;
    assert_eq!(outcome.ok(), Some(Some(139663101)));
}

#[tokio::test]
async fn dtd_with_entities_rejected() {
    let bodies = [
        // Nested internal entities, which expand exponentially when resolved.
        concat!(
            "<?xml version=\"1.0\"?>\n",
            "<!DOCTYPE ns0:Envelope [\n",
            "  <!ENTITY a \"aaaaaaaaaa\">\n",
            "  <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n",
            "  <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n",
            "]>\n",
            "<ns0:Envelope xmlns:ns0=\"http://schemas.xmlsoap.org/soap/envelope/\"><ns0:Body>",
            "<ns1:R xmlns:ns1=\"http://atollon.com/enterprise/wsdl\"><result>&c;</result></ns1:R>",
            "</ns0:Body></ns0:Envelope>",
        ),
        // An external entity that would read a local file.
        concat!(
            "<?xml version=\"1.0\"?>\n",
            "<!DOCTYPE r [<!ENTITY secret SYSTEM \"file:///etc/passwd\">]>\n",
            "<ns0:Envelope xmlns:ns0=\"http://schemas.xmlsoap.org/soap/envelope/\"><ns0:Body>",
            "<r>&secret;</r></ns0:Body></ns0:Envelope>",
        ),
    ];
    for body in bodies {
        let server = TestServer::start(move |_| Reply::xml(body)).await;
        for (operation, outcome) in send_each(&server.client()).await {
            let error = expect_error(operation, outcome);
            assert!(
                matches!(
                    &error,
                    Error::InvalidEnvelope {
                        source: EnvelopeError::DtdRejected,
                        ..
                    }
                ),
                "{operation}: expected InvalidEnvelope(DtdRejected), got {error:?}"
            );
        }
    }
}

#[tokio::test]
async fn response_without_required_element() {
    // CreateProjectResponse requires `time`.
    let body = soap11_envelope(
        "<ns1:CreateProjectResponse><result>OK</result></ns1:CreateProjectResponse>",
    );
    let server = TestServer::replying(body).await;
    let error = expect_error(
        "CreateProject",
        send("CreateProject", server.client()).await,
    );
    let Error::Decode { source, .. } = &error else {
        panic!("expected Decode, got {error:?}");
    };
    assert_eq!(
        *source,
        DecodeError::Missing {
            path: "Envelope/Body/CreateProjectResponse/time".into()
        }
    );
}

#[tokio::test]
async fn invalid_character_not_sent() {
    let server = TestServer::replying(success_response("CreateContact")).await;
    let request = CreateContact {
        server: "acme".into(),
        session: session(),
        person_or_company: CreateContactPersonOrCompany::Person(Person {
            name1: "Petra".into(),
            contacts: Some(PersonContacts {
                contact: vec![ContactEntry {
                    content: "petra\u{7}@example.com".into(),
                    type_: 132031101,
                    ..ContactEntry::default()
                }],
            }),
            ..Person::default()
        }),
    };
    let outcome = MainClient::new(server.client())
        .create_contact(&request)
        .await;
    let Err(Error::Encode { operation, source }) = outcome else {
        panic!("expected Encode, got {outcome:?}");
    };
    assert_eq!(operation, "CreateContact");
    assert_eq!(
        source,
        EncodeError::InvalidCharacter {
            path: "Envelope/Body/CreateContact/PERSON/CONTACTS/CONTACT/content".into(),
            character: '\u{7}'
        }
    );
    assert!(server.requests().is_empty(), "nothing may be sent");
}

// ---- The fair-use limit ----

#[tokio::test]
async fn twenty_concurrent_calls_keep_two_in_flight() {
    const CALLS: usize = 20;
    // The first request waits until a second one is being handled, so that the server
    // handles two at once whenever the client allows it, however fast the client sends
    // them. Every reply is then held for 50 ms, which leaves time for a third request to
    // arrive if the client let one through.
    let server = TestServer::start(|request| {
        let operation = request.operation().unwrap_or_default();
        let reply = Reply::xml(&success_response(&operation));
        Reply::AwaitPeers {
            peers: 2,
            max_wait: Duration::from_secs(5),
            then: Box::new(Reply::Delay(Duration::from_millis(50), Box::new(reply))),
        }
    })
    .await;
    let client = server.client();
    assert_eq!(client.max_in_flight(), 2);

    let mut calls = tokio::task::JoinSet::new();
    for index in 0..CALLS {
        let operation = OPERATIONS[index % OPERATIONS.len()];
        let client = client.clone();
        calls.spawn(async move { (operation, send(operation, client).await) });
    }
    let mut completed = 0;
    while let Some(joined) = calls.join_next().await {
        let (operation, outcome) = match joined {
            Ok(result) => result,
            Err(error) => panic!("a call task failed: {error}"),
        };
        if let Err(error) = outcome {
            panic!("{operation} failed: {error}");
        }
        completed += 1;
    }
    assert_eq!(completed, CALLS);
    assert_eq!(server.requests().len(), CALLS);
    assert!(
        server.max_concurrency() <= 2,
        "the server saw {} requests at once",
        server.max_concurrency()
    );
    assert_eq!(
        server.max_concurrency(),
        2,
        "the client never used its second slot"
    );
}

// ---- Login ----

#[tokio::test]
async fn login_sends_md5_and_returns_session() {
    let server = TestServer::replying(success_response("QuickLogin")).await;
    let main = MainClient::new(server.client());
    let session = atollon::session::login(&main, "acme", "jack", &Secret::new(PASSWORD)).await;
    let session = match session {
        Ok(session) => session,
        Err(error) => panic!("login failed: {error}"),
    };
    assert_eq!(session.server(), "acme");
    assert_eq!(session.token().expose(), TOKEN);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let expected = format!(
        "<wsdl:QuickLogin><server>acme</server><user>jack</user>\
         <password>{PASSWORD_MD5}</password></wsdl:QuickLogin>"
    );
    assert!(
        requests[0].body.contains(&expected),
        "the request lacks {expected}: {}",
        requests[0].body
    );
    assert!(!requests[0].body.contains(PASSWORD));
}

#[tokio::test]
async fn login_with_md5_sends_digest_unchanged() {
    let server = TestServer::replying(success_response("QuickLogin")).await;
    let main = MainClient::new(server.client());
    let digest = Secret::new(PASSWORD_MD5);
    let session = atollon::session::login_with_md5(&main, "acme", "jack", &digest).await;
    assert_eq!(
        session.ok().map(|s| s.token().expose().to_owned()),
        Some(TOKEN.to_owned())
    );
    let requests = server.requests();
    assert!(requests[0]
        .body
        .contains(&format!("<password>{PASSWORD_MD5}</password>")));
}

#[tokio::test]
async fn login_without_session_token() {
    let server = TestServer::replying(response_envelope("QuickLogin", "OK", "")).await;
    let main = MainClient::new(server.client());
    let outcome = atollon::session::login(&main, "acme", "jack", &Secret::new(PASSWORD)).await;
    let Err(Error::Decode { operation, source }) = outcome else {
        panic!("expected Decode, got {outcome:?}");
    };
    assert_eq!(operation, "QuickLogin");
    assert_eq!(
        source,
        DecodeError::Missing {
            path: "Envelope/Body/QuickLoginResponse/session".into()
        }
    );
}

#[tokio::test]
async fn login_with_empty_session_token() {
    let server =
        TestServer::replying(response_envelope("QuickLogin", "OK", "<session></session>")).await;
    let main = MainClient::new(server.client());
    let outcome = atollon::session::login(&main, "acme", "jack", &Secret::new(PASSWORD)).await;
    let Err(Error::Decode { source, .. }) = outcome else {
        panic!("expected Decode, got {outcome:?}");
    };
    assert_eq!(source.path(), "Envelope/Body/QuickLoginResponse/session");
}

#[tokio::test]
async fn login_rejected() {
    let server = TestServer::replying(response_envelope(
        "QuickLogin",
        "Invalid user or password",
        "",
    ))
    .await;
    let main = MainClient::new(server.client());
    let outcome = atollon::session::login(&main, "acme", "jack", &Secret::new(PASSWORD)).await;
    let Err(Error::NotOk { result, .. }) = outcome else {
        panic!("expected NotOk, got {outcome:?}");
    };
    assert_eq!(result, "Invalid user or password");
}

#[tokio::test]
async fn login_rejected_without_result_check() {
    // A client that does not check `result` still gets no session from a failed login,
    // and the digest the server echoes is masked.
    let body = response_envelope(
        "QuickLogin",
        &format!("Unknown password {PASSWORD_MD5}"),
        "",
    );
    let server = TestServer::replying(body).await;
    let main = MainClient::new(server.client_with(Client::builder().check_result(false)));
    let outcome = atollon::session::login(&main, "acme", "jack", &Secret::new(PASSWORD)).await;
    let Err(Error::NotOk { result, .. }) = outcome else {
        panic!("expected NotOk, got {outcome:?}");
    };
    assert_eq!(result, "Unknown password ***");
}

// ---- Secrets ----

/// A log sink shared by the subscriber and the test.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    fn contents(&self) -> String {
        match self.0.lock() {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(poisoned) => String::from_utf8_lossy(&poisoned.into_inner()).into_owned(),
        }
    }
}

impl Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match self.0.lock() {
            Ok(mut buffer) => buffer.extend_from_slice(bytes),
            Err(poisoned) => poisoned.into_inner().extend_from_slice(bytes),
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn trace_logs_hide_secrets() {
    let buffer = LogBuffer::default();
    let writer = buffer.clone();
    // `#[tokio::test]` runs the client and the server on this thread, so a thread-local
    // subscriber receives every event.
    let _guard = tracing_subscriber::fmt()
        .with_max_level(LevelFilter::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish()
        .set_default();

    let server = TestServer::start(|request| match request.operation() {
        Some(operation) => Reply::xml(&success_response(&operation)),
        None => Reply::with(400, None, ""),
    })
    .await;
    let main = MainClient::new(server.client());
    let session = match atollon::session::login(&main, "acme", "jack", &Secret::new(PASSWORD)).await
    {
        Ok(session) => session,
        Err(error) => panic!("login failed: {error}"),
    };
    let request = CreateContact {
        server: session.server().to_owned(),
        session: session.token().clone(),
        person_or_company: CreateContactPersonOrCompany::Person(Person {
            name1: "Petra".into(),
            ..Person::default()
        }),
    };
    let created = main.create_contact(&request).await;
    assert_eq!(
        created.ok().and_then(|response| response.new_id),
        Some(139663101)
    );

    let logs = buffer.contents();
    // The envelopes were logged, so the absence checks below are about their content.
    assert!(
        logs.contains("SOAP envelope"),
        "no envelope at TRACE: {logs}"
    );
    assert!(logs.contains("QuickLogin"), "{logs}");
    assert!(logs.contains("CreateContact"), "{logs}");
    assert!(logs.contains("<session>***</session>"), "{logs}");
    assert!(logs.contains("<password>***</password>"), "{logs}");
    assert!(
        !logs.contains(TOKEN),
        "the session token was logged: {logs}"
    );
    assert!(!logs.contains(PASSWORD), "the password was logged: {logs}");
    assert!(
        !logs.contains(PASSWORD_MD5),
        "the password MD5 was logged: {logs}"
    );
}

#[test]
fn debug_output_hides_secrets() {
    let create = CreateContact {
        server: "acme".into(),
        session: session(),
        ..CreateContact::default()
    };
    let debug = format!("{create:?}");
    assert!(debug.contains("server: \"acme\""), "{debug}");
    assert!(debug.contains("session: Secret(\"***\")"), "{debug}");
    assert!(!debug.contains(TOKEN), "{debug}");

    let login = QuickLogin {
        server: "acme".into(),
        user: "jack".into(),
        password: md5_hex(PASSWORD),
    };
    let debug = format!("{login:#?}");
    assert!(!debug.contains(PASSWORD_MD5), "{debug}");
    assert!(debug.contains("user: \"jack\""), "{debug}");

    let response = QuickLoginResponse {
        result: "OK".into(),
        session: Some(session()),
        ..QuickLoginResponse::default()
    };
    assert!(!format!("{response:?}").contains(TOKEN));
}
