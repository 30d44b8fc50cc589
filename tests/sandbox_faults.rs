//! Fault injection and the fair-use rule, through the generated clients.

mod sandbox_common;

use std::time::Duration;

use atollon::main;
use atollon::sandbox::{FaultError, FaultMode, FaultRule, SandboxConfig};
use atollon_client::{Error, FaultCode};
use sandbox_common::{
    billing_item, config, create_person, expect_ok, fetch_state, login, not_ok_text,
    runtime_client, start, start_with, Api,
};

fn inject(sandbox: &atollon::sandbox::Sandbox, operation: &str, mode: FaultMode, count: u32) {
    if let Err(error) = sandbox.inject(FaultRule::new(operation, mode, count)) {
        panic!("the fault rule was rejected: {error}");
    }
}

fn contact_types(api: &Api) -> main::ListContactList {
    main::ListContactList {
        server: "acme".to_owned(),
        session: api.session.clone(),
        tree_handle: None,
        list: "contacttype".to_owned(),
        use_default_tree_handle: None,
    }
}

#[tokio::test]
async fn soap_fault_with_status_500() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    inject(
        &sandbox,
        "CreateContact",
        FaultMode::SoapFault { http_status: 500 },
        2,
    );

    for attempt in 1..=2 {
        match api.main.create_contact(&create_person(&api.session)).await {
            Err(Error::Fault { status, fault, .. }) => {
                assert_eq!(status, 500, "attempt {attempt}");
                assert_eq!(fault.kind, Some(FaultCode::Server), "attempt {attempt}");
                assert_eq!(
                    fault.reason, "CreateContact: injected fault",
                    "attempt {attempt}"
                );
            }
            other => panic!("attempt {attempt}: expected a SOAP Fault, got {other:?}"),
        }
    }
    assert!(
        sandbox.state().contacts.is_empty(),
        "a faulted call stores nothing"
    );

    // The rule covered two calls; the third is served.
    let contact = api.create_person().await;
    assert_eq!(contact, 139663101, "faulted calls use up no id");
    assert!(sandbox.pending_faults().is_empty());
}

#[tokio::test]
async fn soap_fault_with_status_200() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    inject(
        &sandbox,
        "CreateContact",
        FaultMode::SoapFault { http_status: 200 },
        1,
    );
    match api.main.create_contact(&create_person(&api.session)).await {
        Err(error @ Error::Fault { status: 200, .. }) => {
            assert!(!error.is_outcome_unknown(), "a Fault is a known failure");
        }
        other => panic!("expected a SOAP Fault with HTTP 200, got {other:?}"),
    }
    assert!(sandbox.state().contacts.is_empty());
}

#[tokio::test]
async fn injected_not_ok_result() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let (_, _, project_id) = api.create_customer_project().await;
    inject(
        &sandbox,
        "CreateProjectItem",
        FaultMode::NotOk {
            result: "ERROR: database busy".to_owned(),
        },
        1,
    );
    let request = atollon::item::CreateProjectItem {
        server: "acme".to_owned(),
        session: api.session.clone(),
        item: billing_item(project_id, "1234", "5", "10", 3),
    };
    let text = not_ok_text(api.item.create_project_item(&request).await);
    assert_eq!(text, "ERROR: database busy");
    assert!(
        sandbox.state().billing_items.is_empty(),
        "a non-OK call stores nothing"
    );

    let response = expect_ok(
        api.item.create_project_item(&request).await,
        "CreateProjectItem",
    );
    assert_eq!(response.item_id, Some(139666101));
}

#[tokio::test]
async fn not_ok_text_form_from_config() {
    let rule = match "QuickLogin:not-ok".parse::<FaultRule>() {
        Ok(rule) => rule,
        Err(error) => panic!("{error}"),
    };
    let sandbox = start_with(SandboxConfig {
        faults: vec![rule],
        ..config()
    })
    .await;
    let api = Api::new(runtime_client(&sandbox, 2));
    let text = not_ok_text(api.main.quick_login(&sandbox_common::demo_login()).await);
    assert_eq!(text, "ERROR: injected failure");
    assert!(sandbox.state().sessions.is_empty());
    // Count 1 by default: the next login works.
    let api = login(&sandbox).await;
    assert_eq!(api.session.expose().len(), 44);
}

#[tokio::test]
async fn delay_answers_after_storing() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    // The delay is twelve times the client's timeout, so the client gives up first.
    inject(
        &sandbox,
        "CreateContact",
        FaultMode::Delay(Duration::from_secs(3)),
        1,
    );
    let impatient = match atollon_client::Client::builder()
        .endpoint(sandbox.soap_url())
        .timeout(Duration::from_millis(250))
        .build()
    {
        Ok(client) => main::MainClient::new(client),
        Err(error) => panic!("{error}"),
    };
    match impatient.create_contact(&create_person(&api.session)).await {
        Err(error @ Error::Timeout { .. }) => assert!(error.is_outcome_unknown()),
        other => panic!("expected a timeout, got {other:?}"),
    }
    // The sandbox processed the call before it started waiting.
    let state = sandbox.state();
    assert_eq!(state.contacts.len(), 1);
    assert_eq!(state.contacts[0].id, 139663101);
}

#[tokio::test]
async fn delay_then_normal_answer() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    inject(
        &sandbox,
        "ListContactList",
        FaultMode::Delay(Duration::from_millis(50)),
        1,
    );
    let response = expect_ok(
        api.main.list_contact_list(&contact_types(&api)).await,
        "ListContactList",
    );
    assert_eq!(response.count, Some(3));
    assert!(sandbox.pending_faults().is_empty());
}

#[tokio::test]
async fn drop_after_store_outcome_unknown() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let (_, _, project_id) = api.create_customer_project().await;
    inject(&sandbox, "CreateProjectItem", FaultMode::DropConnection, 1);

    let request = atollon::item::CreateProjectItem {
        server: "acme".to_owned(),
        session: api.session.clone(),
        item: billing_item(project_id, "1234", "5", "10", 3),
    };
    match api.item.create_project_item(&request).await {
        Err(error @ Error::OutcomeUnknown { .. }) => assert!(error.is_outcome_unknown()),
        other => panic!("expected an unknown outcome, got {other:?}"),
    }
    // The item was stored before the connection was closed.
    let json = fetch_state(&sandbox).await;
    assert_eq!(json["billing_items"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["billing_items"][0]["id"], 139666101);
    assert_eq!(json["billing_items"][0]["project"], project_id);

    // Later calls get responses again, and the next id.
    let response = expect_ok(
        api.item.create_project_item(&request).await,
        "CreateProjectItem",
    );
    assert_eq!(response.item_id, Some(139667101));
}

#[tokio::test]
async fn faults_apply_per_operation() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    inject(
        &sandbox,
        "CreateProject",
        FaultMode::SoapFault { http_status: 500 },
        1,
    );
    inject(&sandbox, "CreateProject", FaultMode::DropConnection, 1);
    // CreateContact is not affected by rules for CreateProject.
    let contact = api.create_person().await;
    assert_eq!(sandbox.pending_faults().len(), 2);
    let folder = api.create_folder(contact).await;

    let request = sandbox_common::create_project(&api.session, Some(folder));
    let first = api.project.create_project(&request).await;
    assert!(
        matches!(first, Err(Error::Fault { status: 500, .. })),
        "{first:?}"
    );
    let second = api.project.create_project(&request).await;
    assert!(
        matches!(second, Err(Error::OutcomeUnknown { .. })),
        "{second:?}"
    );
    assert!(sandbox.pending_faults().is_empty());
    // Only the dropped call created a project.
    assert_eq!(sandbox.state().projects.len(), 1);
}

#[tokio::test]
async fn fault_rules_validated() {
    let sandbox = start().await;
    let unknown = sandbox.inject(FaultRule::new("Explode", FaultMode::DropConnection, 1));
    assert_eq!(
        unknown,
        Err(FaultError::UnknownOperation("Explode".to_owned()))
    );
    let zero = sandbox.inject(FaultRule::new(
        "CreateContact",
        FaultMode::DropConnection,
        0,
    ));
    assert_eq!(zero, Err(FaultError::ZeroCount("CreateContact".to_owned())));
    let status = sandbox.inject(FaultRule::new(
        "CreateContact",
        FaultMode::SoapFault { http_status: 404 },
        1,
    ));
    assert_eq!(status, Err(FaultError::InvalidStatus(404)));
    assert!(sandbox.pending_faults().is_empty());

    inject(&sandbox, "CreateContact", FaultMode::DropConnection, 3);
    assert_eq!(sandbox.pending_faults()[0].count, 3);
    sandbox.clear_faults();
    assert!(sandbox.pending_faults().is_empty());
}

#[tokio::test]
async fn third_parallel_request_rejected() {
    let sandbox = start().await;
    // A client that ignores the fair-use rule: three requests at once on one session.
    let api = Api::login(runtime_client(&sandbox, 3)).await;
    // The delay keeps the first two requests in progress while the third arrives.
    inject(
        &sandbox,
        "ListContactList",
        FaultMode::Delay(Duration::from_millis(1500)),
        3,
    );
    let request = contact_types(&api);
    let (first, second, third) = tokio::join!(
        api.main.list_contact_list(&request),
        api.main.list_contact_list(&request),
        api.main.list_contact_list(&request),
    );

    let mut answered = 0;
    let mut rejected = Vec::new();
    for result in [first, second, third] {
        match result {
            Ok(response) => {
                assert_eq!(response.count, Some(3));
                answered += 1;
            }
            Err(Error::Fault { status, fault, .. }) => rejected.push((status, fault)),
            Err(other) => panic!("expected an answer or a fair-use Fault, got {other}"),
        }
    }
    assert_eq!(answered, 2, "two requests in parallel are allowed");
    assert_eq!(rejected.len(), 1, "the third is rejected");
    let (status, fault) = &rejected[0];
    assert_eq!(*status, 500);
    assert_eq!(fault.kind, Some(FaultCode::Server));
    assert_eq!(
        fault.reason,
        "fair-use limit exceeded: this session already has 2 requests in progress, and \
         Atollon allows at most 2 in parallel per session"
    );
    // The rejected request took no delay from the rule.
    assert_eq!(sandbox.pending_faults()[0].count, 1);
}

#[tokio::test]
async fn client_within_rule_succeeds() {
    let sandbox = start().await;
    // The default client has at most 2 requests in flight, so the third waits its turn.
    let api = login(&sandbox).await;
    inject(
        &sandbox,
        "ListContactList",
        FaultMode::Delay(Duration::from_millis(200)),
        3,
    );
    let request = contact_types(&api);
    let (first, second, third) = tokio::join!(
        api.main.list_contact_list(&request),
        api.main.list_contact_list(&request),
        api.main.list_contact_list(&request),
    );
    for (index, result) in [first, second, third].into_iter().enumerate() {
        let response = expect_ok(result, "ListContactList");
        assert_eq!(response.count, Some(3), "request {}", index + 1);
    }
}

#[tokio::test]
async fn sessions_have_separate_limits() {
    let sandbox = start().await;
    let first = Api::login(runtime_client(&sandbox, 2)).await;
    let second = Api::login(runtime_client(&sandbox, 2)).await;
    inject(
        &sandbox,
        "ListContactList",
        FaultMode::Delay(Duration::from_millis(300)),
        4,
    );
    let first_request = contact_types(&first);
    let second_request = contact_types(&second);
    // Two requests per session, four in all, are within the rule.
    let results = tokio::join!(
        first.main.list_contact_list(&first_request),
        first.main.list_contact_list(&first_request),
        second.main.list_contact_list(&second_request),
        second.main.list_contact_list(&second_request),
    );
    for result in [results.0, results.1, results.2, results.3] {
        assert_eq!(expect_ok(result, "ListContactList").count, Some(3));
    }
}
