//! Every operation of the contract through the generated clients against an in-process
//! sandbox: the success path and each rejection.
//!
//! Ids are worked out from the sandbox's counter: a fresh sandbox hands out 139663101,
//! 139664101, 139665101, ... in the order objects are created.

mod sandbox_common;

use atollon::sandbox::{BillingItemRecord, ContactKind};
use atollon::{features, invoice, item, main, project, web};
use atollon_client::md5_hex;
use atollon_client::xml::Secret;
use sandbox_common::{
    billing_item, create_folder, create_person, create_project, decimal, expect_ok, login,
    not_ok_text, recurring_rule, start, Api,
};

fn trigger(session: &Secret, context: i64, contact: i64) -> web::CreateMarketingTriggers {
    web::CreateMarketingTriggers {
        server: "acme".to_owned(),
        session: session.clone(),
        marketing_trigger: web::MarketingTrigger {
            base_type: "new-phone-number".to_owned(),
            context_id: context,
            contact_id: contact,
            url: Some("www.yourcompany.com/product/page".to_owned()),
            tracking_code: Some("www.company.com/product/page".to_owned()),
            description: Some("Extranet user added new phone number".to_owned()),
            trigger_date: Some("2020-07-31 12:00".to_owned()),
            number_of_visits: Some(1),
        },
    }
}

fn folder_item(session: &Secret, item: item::Item) -> item::CreateFolderItem {
    item::CreateFolderItem {
        server: "acme".to_owned(),
        session: session.clone(),
        item,
    }
}

fn invoices(session: &Secret, project: i64) -> invoice::CreateInvoicesFromItems {
    invoice::CreateInvoicesFromItems {
        server: "acme".to_owned(),
        session: session.clone(),
        project,
    }
}

fn workflow(session: &Secret) -> features::CheckWorkflowQueue {
    features::CheckWorkflowQueue {
        server: "acme".to_owned(),
        session: session.clone(),
    }
}

fn items_of_project(items: &[BillingItemRecord], project: i64) -> Vec<&BillingItemRecord> {
    items
        .iter()
        .filter(|item| item.project == project)
        .collect()
}

#[tokio::test]
async fn quick_login_opens_session() {
    let sandbox = start().await;
    let api = login(&sandbox).await;

    let token = api.session.expose();
    assert_eq!(token.len(), 44, "the token has Atollon's length");
    assert!(
        token
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'A'..=b'F').contains(&byte)),
        "the token is upper-case hex"
    );
    let state = sandbox.state();
    assert_eq!(state.sessions.len(), 1);
    assert_eq!(state.sessions[0].id, 1);
    assert_eq!(state.sessions[0].user, "demo");
    assert_eq!(state.sessions[0].created, "2023-06-15T12:00:00");

    let second = login(&sandbox).await;
    assert_ne!(
        second.session.expose(),
        token,
        "every login gets its own token"
    );
    assert_eq!(sandbox.state().sessions[1].id, 2);
}

#[tokio::test]
async fn quick_login_rejects_bad_credentials() {
    let sandbox = start().await;
    let api = Api::new(sandbox_common::runtime_client(&sandbox, 2));
    let cases = [
        (
            "acme",
            "demo",
            md5_hex("wrong"),
            "ERROR: invalid user name or password",
        ),
        (
            "acme",
            "nobody",
            md5_hex("demo"),
            "ERROR: invalid user name or password",
        ),
        // The clear-text password instead of its MD5 digest.
        (
            "acme",
            "demo",
            Secret::new("demo"),
            "ERROR: invalid user name or password",
        ),
        (
            "other",
            "demo",
            md5_hex("demo"),
            "ERROR: unknown server \"other\"",
        ),
    ];
    for (server, user, password, expected) in cases {
        let request = main::QuickLogin {
            server: server.to_owned(),
            user: user.to_owned(),
            password,
        };
        let text = not_ok_text(api.main.quick_login(&request).await);
        assert_eq!(text, expected, "server {server}, user {user}");
    }
    assert!(sandbox.state().sessions.is_empty());
}

#[tokio::test]
async fn second_user_and_upper_case_digest() {
    let sandbox = start().await;
    let api = Api::new(sandbox_common::runtime_client(&sandbox, 2));
    // `printf %s integration | md5sum` prints 776ea3bf11df5829827f7afb43c37174.
    let request = main::QuickLogin {
        server: "acme".to_owned(),
        user: "integration".to_owned(),
        password: Secret::new("776EA3BF11DF5829827F7AFB43C37174"),
    };
    let response = expect_ok(api.main.quick_login(&request).await, "QuickLogin");
    assert!(response.session.is_some());
    assert_eq!(sandbox.state().sessions[0].user, "integration");
}

#[tokio::test]
async fn unknown_session_rejected_everywhere() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let (contact, folder, project_id) = api.create_customer_project().await;
    let bogus = Secret::new("6A941A9BC9EBEFAF585A4B936AA958755B1C85E2BD04");
    let expected = "ERROR: unknown session";

    let results = [
        (
            "CreateContact",
            not_ok_text(api.main.create_contact(&create_person(&bogus)).await),
        ),
        (
            "ListContactList",
            not_ok_text(
                api.main
                    .list_contact_list(&main::ListContactList {
                        server: "acme".to_owned(),
                        session: bogus.clone(),
                        tree_handle: Some(1685000),
                        list: "contacttype".to_owned(),
                        use_default_tree_handle: None,
                    })
                    .await,
            ),
        ),
        (
            "CreateSimpleFolder",
            not_ok_text(
                api.project
                    .create_simple_folder(&create_folder(&bogus, Some(contact)))
                    .await,
            ),
        ),
        (
            "CreateProject",
            not_ok_text(
                api.project
                    .create_project(&create_project(&bogus, Some(folder)))
                    .await,
            ),
        ),
        (
            "CreateProjectItem",
            not_ok_text(
                api.item
                    .create_project_item(&item::CreateProjectItem {
                        server: "acme".to_owned(),
                        session: bogus.clone(),
                        item: billing_item(project_id, "1234", "5", "10", 3),
                    })
                    .await,
            ),
        ),
        (
            "CreateFolderItem",
            not_ok_text(
                api.item
                    .create_folder_item(&folder_item(
                        &bogus,
                        recurring_rule(folder, project_id, "2020-05-14T00:00:00", 2),
                    ))
                    .await,
            ),
        ),
        (
            "CreateInvoicesFromItems",
            not_ok_text(
                api.invoice
                    .create_invoices_from_items(&invoices(&bogus, project_id))
                    .await,
            ),
        ),
        (
            "CheckWorkflowQueue",
            not_ok_text(api.features.check_workflow_queue(&workflow(&bogus)).await),
        ),
        (
            "CreateMarketingTriggers",
            not_ok_text(
                api.web
                    .create_marketing_triggers(&trigger(&bogus, folder, contact))
                    .await,
            ),
        ),
    ];
    for (operation, text) in results {
        assert_eq!(text, expected, "{operation}");
    }
    // Only the three objects made with the real session exist.
    let state = sandbox.state();
    assert_eq!(state.contacts.len(), 1);
    assert_eq!(state.folders.len(), 1);
    assert_eq!(state.projects.len(), 1);
    assert!(state.billing_items.is_empty());
    assert!(state.recurring_rules.is_empty());
    assert!(state.marketing_triggers.is_empty());
}

#[tokio::test]
async fn wrong_server_name_rejected() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let mut request = create_person(&api.session);
    request.server = "atollon".to_owned();
    let text = not_ok_text(api.main.create_contact(&request).await);
    assert_eq!(text, "ERROR: unknown server \"atollon\"");
}

#[tokio::test]
async fn create_contact_stores_person() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let response = expect_ok(
        api.main.create_contact(&create_person(&api.session)).await,
        "CreateContact",
    );
    assert_eq!(response.result, "OK");
    // The first id of a fresh sandbox is the published example's contact id.
    assert_eq!(response.new_id, Some(139663101));

    let state = sandbox.state();
    assert_eq!(state.contacts.len(), 1);
    let contact = &state.contacts[0];
    assert_eq!(contact.id, 139663101);
    assert_eq!(contact.kind, ContactKind::Person);
    assert_eq!(contact.name1, "Petra");
    assert_eq!(contact.name3.as_deref(), Some("Sample"));
    assert_eq!(contact.addresses.len(), 1);
    assert_eq!(contact.addresses[0].address_type, Some(132027101));
    assert_eq!(
        contact.addresses[0].street.as_deref(),
        Some("Sample Street 7")
    );
    assert_eq!(contact.contact_entries.len(), 3);
    assert_eq!(
        contact.contact_entries[0].content,
        "petra.sample@example.com"
    );
    assert_eq!(contact.contact_entries[2].type_type, Some(3));
    assert_eq!(contact.salutation.as_deref(), Some("Dear Petra"));
    assert_eq!(contact.preferred_language, Some(131428101));
    assert_eq!(state.next_id, 139664101);
}

#[tokio::test]
async fn create_contact_stores_company_and_employee() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let company = main::CreateContact {
        server: "acme".to_owned(),
        session: api.session.clone(),
        person_or_company: main::CreateContactPersonOrCompany::Company(main::Company {
            name1: "Acme Trading".to_owned(),
            legal_form: Some(132061101),
            ..main::Company::default()
        }),
    };
    let company_id = expect_ok(api.main.create_contact(&company).await, "CreateContact").new_id;
    assert_eq!(company_id, Some(139663101));

    let mut person = sandbox_common::sample_person();
    person.employee = vec![main::Employee {
        id: 139663101,
        position_info: Some("Buyer".to_owned()),
        position: Some(132091101),
        department: Some(132081101),
        is_primary: Some(1),
    }];
    let request = main::CreateContact {
        server: "acme".to_owned(),
        session: api.session.clone(),
        person_or_company: main::CreateContactPersonOrCompany::Person(person.clone()),
    };
    let person_id = expect_ok(api.main.create_contact(&request).await, "CreateContact").new_id;
    assert_eq!(person_id, Some(139664101));

    let state = sandbox.state();
    assert_eq!(state.contacts[0].kind, ContactKind::Company);
    assert_eq!(state.contacts[0].legal_form, Some(132061101));
    assert_eq!(state.contacts[1].employments.len(), 1);
    assert_eq!(state.contacts[1].employments[0].company, 139663101);

    // A person is not a company to work for.
    person.employee[0].id = 139664101;
    let request = main::CreateContact {
        server: "acme".to_owned(),
        session: api.session.clone(),
        person_or_company: main::CreateContactPersonOrCompany::Person(person),
    };
    let text = not_ok_text(api.main.create_contact(&request).await);
    assert_eq!(
        text,
        "ERROR: company 139664101 not found (PERSON/EMPLOYEE[1]/id)"
    );
}

#[tokio::test]
async fn create_contact_checks_list_ids() {
    let sandbox = start().await;
    let api = login(&sandbox).await;

    let mut bad_address = sandbox_common::sample_person();
    if let Some(addresses) = &mut bad_address.addresses {
        addresses.address[0].type_ = Some(999);
    }
    let mut bad_contact_type = sandbox_common::sample_person();
    if let Some(contacts) = &mut bad_contact_type.contacts {
        // An address type is not a contact type.
        contacts.contact[1].type_ = 132027101;
    }
    let mut bad_language = sandbox_common::sample_person();
    if let Some(info) = &mut bad_language.personinfo {
        info.prefered_lang = Some(5);
    }
    let mut bad_flag = sandbox_common::sample_person();
    if let Some(contacts) = &mut bad_flag.contacts {
        contacts.contact[0].is_main = Some(2);
    }
    let mut blank_name = sandbox_common::sample_person();
    blank_name.name1 = "  ".to_owned();
    let mut bad_relation = sandbox_common::sample_person();
    bad_relation.relation = vec![main::Relation {
        contact: 42,
        relation: 132101101,
    }];

    let cases = [
        (
            bad_address,
            "ERROR: address type 999 not found (PERSON/ADDRESSES/ADDRESS[1]/type)",
        ),
        (
            bad_contact_type,
            "ERROR: contact type 132027101 not found (PERSON/CONTACTS/CONTACT[2]/type)",
        ),
        (
            bad_language,
            "ERROR: language 5 not found (PERSON/PERSONINFO/preferedLang)",
        ),
        (
            bad_flag,
            "ERROR: PERSON/CONTACTS/CONTACT[1]/isMain 2 is invalid: expected 0 or 1",
        ),
        (blank_name, "ERROR: PERSON/name1 is empty"),
        (
            bad_relation,
            "ERROR: contact 42 not found (PERSON/RELATION[1]/contact)",
        ),
    ];
    for (person, expected) in cases {
        let request = main::CreateContact {
            server: "acme".to_owned(),
            session: api.session.clone(),
            person_or_company: main::CreateContactPersonOrCompany::Person(person),
        };
        assert_eq!(
            not_ok_text(api.main.create_contact(&request).await),
            expected
        );
    }
    let state = sandbox.state();
    assert!(state.contacts.is_empty());
    assert_eq!(state.next_id, 139663101, "rejected requests use up no id");
}

#[tokio::test]
async fn list_contact_list_returns_values() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let request = |list: &str| main::ListContactList {
        server: "acme".to_owned(),
        session: api.session.clone(),
        tree_handle: Some(1685000),
        list: list.to_owned(),
        use_default_tree_handle: None,
    };

    let response = expect_ok(
        api.main.list_contact_list(&request("contacttype")).await,
        "ListContactList",
    );
    assert_eq!(response.count, Some(3));
    let ids: Vec<i64> = response.item.iter().map(|item| item.id).collect();
    assert_eq!(ids, [132031101, 132035101, 132033101]);
    assert_eq!(response.item[0].name.as_deref(), Some("E-mail"));
    assert_eq!(response.item[0].type_, Some(1));

    let response = expect_ok(
        api.main.list_contact_list(&request("addresstype")).await,
        "ListContactList",
    );
    assert_eq!(response.count, Some(2));
    assert_eq!(response.item[0].id, 132027101);

    let text = not_ok_text(api.main.list_contact_list(&request("colors")).await);
    assert_eq!(
        text,
        "ERROR: list \"colors\" is invalid: expected one of contacttype, industry, nationality, \
         companylegalform, category, department, position, addresstype, relationtype_p, \
         relationtype_c"
    );
}

#[tokio::test]
async fn create_simple_folder_returns_type() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let contact = api.create_person().await;
    let response = expect_ok(
        api.project
            .create_simple_folder(&create_folder(&api.session, Some(contact)))
            .await,
        "CreateSimpleFolder",
    );
    assert_eq!(response.new_id, Some(139664101));
    let Some(kind) = response.type_ else {
        panic!("CreateSimpleFolder returned no TYPE");
    };
    // The TYPE block of the published response: 132716101, Client, 1, 0.
    assert_eq!(kind.id, 132716101);
    assert_eq!(kind.name.as_deref(), Some("Client"));
    assert_eq!(kind.master_project, Some(1));
    assert_eq!(kind.i_type, Some(0));

    let state = sandbox.state();
    assert_eq!(state.folders.len(), 1);
    assert_eq!(state.folders[0].name, "Sample, Petra");
    assert_eq!(state.folders[0].contact, 139663101);
    assert_eq!(state.folders[0].template, 130944101);
}

#[tokio::test]
async fn create_simple_folder_checks_references() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let contact = api.create_person().await;

    let mut unknown_template = create_folder(&api.session, Some(contact));
    unknown_template.folder.template = Some(133297101);
    let mut unknown_parent = create_folder(&api.session, Some(contact));
    unknown_parent.folder.parent = Some(77);
    let cases = [
        (
            create_folder(&api.session, None),
            "ERROR: FOLDER/contact is missing",
        ),
        (
            create_folder(&api.session, Some(123)),
            "ERROR: contact 123 not found (FOLDER/contact)",
        ),
        (
            unknown_template,
            "ERROR: folder template 133297101 not found (FOLDER/template)",
        ),
        (unknown_parent, "ERROR: folder 77 not found (FOLDER/parent)"),
    ];
    for (request, expected) in cases {
        assert_eq!(
            not_ok_text(api.project.create_simple_folder(&request).await),
            expected
        );
    }
    assert!(sandbox.state().folders.is_empty());
}

#[tokio::test]
async fn create_project_returns_deal() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let contact = api.create_person().await;
    let folder = api.create_folder(contact).await;
    let response = expect_ok(
        api.project
            .create_project(&create_project(&api.session, Some(folder)))
            .await,
        "CreateProject",
    );
    assert_eq!(response.new_id, Some(139665101));
    let Some(kind) = response.type_ else {
        panic!("CreateProject returned no TYPE");
    };
    // The TYPE block of the published response: 133295101, Deal, 0, empty guiAction, 2.
    assert_eq!(kind.id, 133295101);
    assert_eq!(kind.name.as_deref(), Some("Deal"));
    assert_eq!(kind.master_project, Some(0));
    assert_eq!(kind.gui_action.as_deref(), Some(""));
    assert_eq!(kind.i_type, Some(2));

    let state = sandbox.state();
    assert_eq!(state.projects[0].customer, 139664101);
    assert_eq!(state.projects[0].invoice_journal, 133150101);
    assert_eq!(state.projects[0].provider, Some(132740101));
}

#[tokio::test]
async fn create_project_checks_references() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let contact = api.create_person().await;
    let folder = api.create_folder(contact).await;

    let mut unknown_journal = create_project(&api.session, Some(folder));
    unknown_journal.project.invoice_journal = Some(1);
    let mut unknown_provider = create_project(&api.session, Some(folder));
    unknown_provider.project.provider = Some(2);
    let mut unknown_template = create_project(&api.session, Some(folder));
    unknown_template.project.project_template = Some(130944101);
    let mut unknown_folder = create_project(&api.session, Some(folder));
    unknown_folder.project.folder = Some(3);
    let cases = [
        (
            create_project(&api.session, None),
            "ERROR: PROJECT/customer is missing".to_owned(),
        ),
        (
            create_project(&api.session, Some(555)),
            "ERROR: customer folder 555 not found (PROJECT/customer)".to_owned(),
        ),
        // A contact id is not a folder id.
        (
            create_project(&api.session, Some(contact)),
            format!("ERROR: customer folder {contact} not found (PROJECT/customer)"),
        ),
        (
            unknown_folder,
            "ERROR: folder 3 not found (PROJECT/folder)".to_owned(),
        ),
        (
            unknown_journal,
            "ERROR: invoice journal 1 not found (PROJECT/invoiceJournal)".to_owned(),
        ),
        (
            unknown_template,
            "ERROR: project template 130944101 not found (PROJECT/projectTemplate)".to_owned(),
        ),
        (
            unknown_provider,
            "ERROR: provider 2 not found (PROJECT/provider)".to_owned(),
        ),
    ];
    for (request, expected) in cases {
        assert_eq!(
            not_ok_text(api.project.create_project(&request).await),
            expected
        );
    }
    assert!(sandbox.state().projects.is_empty());
}

#[tokio::test]
async fn create_project_item_completes_totals() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let (_, folder, project_id) = api.create_customer_project().await;

    let mut item = billing_item(project_id, "1234", "5", "10", 3);
    item.folder = Some(folder);
    let response = expect_ok(
        api.item
            .create_project_item(&item::CreateProjectItem {
                server: "acme".to_owned(),
                session: api.session.clone(),
                item,
            })
            .await,
        "CreateProjectItem",
    );
    assert_eq!(response.count, Some(0));
    assert_eq!(response.item_id, Some(139666101));

    let state = sandbox.state();
    let stored = &state.billing_items[0];
    assert_eq!(stored.project, 139665101);
    assert_eq!(stored.folder, Some(139664101));
    assert_eq!(stored.billing_status, 3);
    assert_eq!(stored.billing_date.as_deref(), Some("2020-05-14T00:00:00"));
    assert_eq!(stored.pricing.currency, "CZK");
    // 5 x 1234 = 6170, and 6170 x 1.10 = 6787.
    assert_eq!(stored.pricing.total_amount, Some(decimal("6170")));
    assert_eq!(stored.pricing.total_amount_with_vat, Some(decimal("6787")));
}

#[tokio::test]
async fn create_project_item_checks_references() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let (_, _, project_id) = api.create_customer_project().await;

    let mut no_project = billing_item(project_id, "1", "1", "0", 3);
    no_project.project = None;
    let bad_status = billing_item(project_id, "1", "1", "0", 9);
    let mut bad_product = billing_item(project_id, "1", "1", "0", 3);
    bad_product.item = Some(133629999);
    let mut bad_folder = billing_item(project_id, "1", "1", "0", 3);
    bad_folder.folder = Some(4);
    let mut bad_currency = billing_item(project_id, "1", "1", "0", 3);
    bad_currency.currency = Some("koruna".to_owned());
    let cases = [
        (no_project, "ERROR: ITEM/project is missing"),
        (billing_item(8, "1", "1", "0", 3), "ERROR: project 8 not found (ITEM/project)"),
        (
            bad_status,
            "ERROR: ITEM/billingStatus 9 is invalid: expected 0, 1, 2, 3, 4, 5, 6, 7 or 999",
        ),
        (bad_product, "ERROR: product 133629999 not found (ITEM/item)"),
        (bad_folder, "ERROR: folder 4 not found (ITEM/folder)"),
        (
            bad_currency,
            "ERROR: ITEM/currency \"koruna\" is invalid: expected an ISO 4217 code such as CZK or EUR",
        ),
    ];
    for (item, expected) in cases {
        let request = item::CreateProjectItem {
            server: "acme".to_owned(),
            session: api.session.clone(),
            item,
        };
        assert_eq!(
            not_ok_text(api.item.create_project_item(&request).await),
            expected
        );
    }
    assert!(sandbox.state().billing_items.is_empty());
}

#[tokio::test]
async fn invoice_totals_sum_approved_items() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let (_, _, project_id) = api.create_customer_project().await;
    // 5 x 1234 = 6170; with 10 % VAT 6787.
    let first = api
        .create_item(billing_item(project_id, "1234", "5", "10", 3))
        .await;
    // 2 x 99.90 = 199.80; with 21 % VAT 241.758, rounded to 241.76.
    let second = api
        .create_item(billing_item(project_id, "99.90", "2", "21", 3))
        .await;
    // Pending (1), so not invoiced.
    let pending = api
        .create_item(billing_item(project_id, "500", "1", "10", 1))
        .await;
    assert_eq!([first, second, pending], [139666101, 139667101, 139668101]);

    let response = expect_ok(
        api.invoice
            .create_invoices_from_items(&invoices(&api.session, project_id))
            .await,
        "CreateInvoicesFromItems",
    );
    assert_eq!(response.new_id.len(), 1);
    assert_eq!(response.new_id[0].new_id, 139669101);
    assert_eq!(response.new_id[0].number, "232010001");

    let state = sandbox.state();
    let invoice = &state.invoices[0];
    assert_eq!(invoice.items, [first, second]);
    assert_eq!(invoice.journal, 133150101);
    assert_eq!(invoice.currency, "CZK");
    // 6170 + 199.80 = 6369.80; 6787 + 241.76 = 7028.76.
    assert_eq!(invoice.total_amount, decimal("6369.80"));
    assert_eq!(invoice.total_amount_with_vat, decimal("7028.76"));
    assert_eq!(invoice.created, "2023-06-15T12:00:00");
    let statuses: Vec<(i64, i32, Option<i64>)> = state
        .billing_items
        .iter()
        .map(|item| (item.id, item.billing_status, item.invoice))
        .collect();
    assert_eq!(
        statuses,
        [
            (first, 4, Some(139669101)),
            (second, 4, Some(139669101)),
            (pending, 1, None)
        ]
    );

    // Everything approved is billed now.
    let text = not_ok_text(
        api.invoice
            .create_invoices_from_items(&invoices(&api.session, project_id))
            .await,
    );
    assert_eq!(
        text,
        format!("ERROR: project {project_id} has no billing items approved for invoicing (billingStatus 3)")
    );

    // 3 x 10 = 30 without VAT, on the journal's next number.
    let third = api
        .create_item(billing_item(project_id, "10", "3", "0", 3))
        .await;
    let response = expect_ok(
        api.invoice
            .create_invoices_from_items(&invoices(&api.session, project_id))
            .await,
        "CreateInvoicesFromItems",
    );
    assert_eq!(response.new_id[0].new_id, 139671101);
    assert_eq!(response.new_id[0].number, "232010002");
    let state = sandbox.state();
    assert_eq!(state.invoices[1].items, [third]);
    assert_eq!(state.invoices[1].total_amount, decimal("30"));
    assert_eq!(state.invoices[1].total_amount_with_vat, decimal("30"));
    assert_eq!(state.journal_counters[0].journal, 133150101);
    assert_eq!(state.journal_counters[0].last_sequence, 2);
}

#[tokio::test]
async fn invoice_per_currency() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let (_, _, project_id) = api.create_customer_project().await;
    let mut euro = billing_item(project_id, "20", "2", "0", 3);
    euro.currency = Some("EUR".to_owned());
    let euro_item = api.create_item(euro).await;
    let crown_item = api
        .create_item(billing_item(project_id, "100", "1", "0", 3))
        .await;

    let response = expect_ok(
        api.invoice
            .create_invoices_from_items(&invoices(&api.session, project_id))
            .await,
        "CreateInvoicesFromItems",
    );
    // One invoice per currency, in the order of the codes: CZK before EUR.
    let numbers: Vec<(i64, &str)> = response
        .new_id
        .iter()
        .map(|invoice| (invoice.new_id, invoice.number.as_str()))
        .collect();
    assert_eq!(
        numbers,
        [(139668101, "232010001"), (139669101, "232010002")]
    );
    let state = sandbox.state();
    assert_eq!(state.invoices[0].currency, "CZK");
    assert_eq!(state.invoices[0].items, [crown_item]);
    assert_eq!(state.invoices[0].total_amount, decimal("100"));
    assert_eq!(state.invoices[1].currency, "EUR");
    assert_eq!(state.invoices[1].items, [euro_item]);
    // 2 x 20 = 40.
    assert_eq!(state.invoices[1].total_amount, decimal("40"));
}

#[tokio::test]
async fn invoice_of_unknown_project_rejected() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let text = not_ok_text(
        api.invoice
            .create_invoices_from_items(&invoices(&api.session, 139704101))
            .await,
    );
    assert_eq!(text, "ERROR: project 139704101 not found (project)");

    let (_, _, project_id) = api.create_customer_project().await;
    let text = not_ok_text(
        api.invoice
            .create_invoices_from_items(&invoices(&api.session, project_id))
            .await,
    );
    assert_eq!(
        text,
        format!("ERROR: project {project_id} has no billing items approved for invoicing (billingStatus 3)")
    );
    assert!(sandbox.state().invoices.is_empty());
}

#[tokio::test]
async fn workflow_queue_generates_monthly_items() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let (_, folder, project_id) = api.create_customer_project().await;
    let response = expect_ok(
        api.item
            .create_folder_item(&folder_item(
                &api.session,
                recurring_rule(folder, project_id, "2023-01-31T00:00:00", 6),
            ))
            .await,
        "CreateFolderItem",
    );
    assert_eq!(response.count, Some(0));
    assert_eq!(response.item_id, Some(139666101));
    assert!(
        sandbox.state().billing_items.is_empty(),
        "rules generate nothing until the queue runs"
    );

    expect_ok(
        api.features
            .check_workflow_queue(&workflow(&api.session))
            .await,
        "CheckWorkflowQueue",
    );
    let state = sandbox.state();
    // Monthly from 31 January up to 15 June 2023: the last day of each month that has
    // no 31st, and 30 June lies after the clock.
    let dates: Vec<&str> = state
        .billing_items
        .iter()
        .filter_map(|item| item.billing_date.as_deref())
        .collect();
    assert_eq!(
        dates,
        [
            "2023-01-31T00:00:00",
            "2023-02-28T00:00:00",
            "2023-03-31T00:00:00",
            "2023-04-30T00:00:00",
            "2023-05-31T00:00:00",
        ]
    );
    let ids: Vec<i64> = state.billing_items.iter().map(|item| item.id).collect();
    assert_eq!(ids, [139667101, 139668101, 139669101, 139670101, 139671101]);
    for generated in &state.billing_items {
        assert_eq!(generated.project, project_id);
        assert_eq!(generated.recurring_rule, Some(139666101));
        assert_eq!(generated.billing_status, 2, "the rule's status");
        assert_eq!(generated.pricing.total_amount, Some(decimal("6170")));
    }
    assert_eq!(state.recurring_rules[0].occurrences_done, 5);

    // A second run owes nothing new.
    expect_ok(
        api.features
            .check_workflow_queue(&workflow(&api.session))
            .await,
        "CheckWorkflowQueue",
    );
    assert_eq!(sandbox.state().billing_items.len(), 5);
}

#[tokio::test]
async fn workflow_queue_honours_valid_to() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let (_, folder, project_id) = api.create_customer_project().await;
    let mut rule = recurring_rule(folder, project_id, "2020-05-14T00:00:00", 2);
    rule.valid_to = Some(sandbox_common::date_time("2022-01-01T00:00:00"));
    let yearly = recurring_rule(folder, project_id, "2020-05-14T00:00:00", 2);
    for item in [rule, yearly] {
        expect_ok(
            api.item
                .create_folder_item(&folder_item(&api.session, item))
                .await,
            "CreateFolderItem",
        );
    }
    expect_ok(
        api.features
            .check_workflow_queue(&workflow(&api.session))
            .await,
        "CheckWorkflowQueue",
    );

    let state = sandbox.state();
    let dates_of = |rule: i64| -> Vec<String> {
        state
            .billing_items
            .iter()
            .filter(|item| item.recurring_rule == Some(rule))
            .filter_map(|item| item.billing_date.clone())
            .collect()
    };
    // Yearly from 14 May 2020, ending 1 January 2022: 2020 and 2021.
    assert_eq!(
        dates_of(139666101),
        ["2020-05-14T00:00:00", "2021-05-14T00:00:00"]
    );
    // Without the end, up to the clock (15 June 2023): 2020 to 2023.
    assert_eq!(
        dates_of(139667101),
        [
            "2020-05-14T00:00:00",
            "2021-05-14T00:00:00",
            "2022-05-14T00:00:00",
            "2023-05-14T00:00:00"
        ]
    );
}

#[tokio::test]
async fn generated_approved_items_get_invoiced() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let (_, folder, project_id) = api.create_customer_project().await;
    let mut weekly = recurring_rule(folder, project_id, "2023-06-01T00:00:00", 8);
    weekly.billing_status = Some(3);
    expect_ok(
        api.item
            .create_folder_item(&folder_item(&api.session, weekly))
            .await,
        "CreateFolderItem",
    );
    expect_ok(
        api.features
            .check_workflow_queue(&workflow(&api.session))
            .await,
        "CheckWorkflowQueue",
    );
    let response = expect_ok(
        api.invoice
            .create_invoices_from_items(&invoices(&api.session, project_id))
            .await,
        "CreateInvoicesFromItems",
    );
    assert_eq!(response.new_id[0].number, "232010001");

    let state = sandbox.state();
    // Weekly from 1 June to 15 June 12:00: 1, 8 and 15 June, 6170 each, so 18510, and
    // 3 x 6787 = 20361 with VAT.
    assert_eq!(items_of_project(&state.billing_items, project_id).len(), 3);
    assert_eq!(state.invoices[0].items.len(), 3);
    assert_eq!(state.invoices[0].total_amount, decimal("18510"));
    assert_eq!(state.invoices[0].total_amount_with_vat, decimal("20361"));
}

#[tokio::test]
async fn create_folder_item_checks_rule() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let (_, folder, project_id) = api.create_customer_project().await;
    let rule = || recurring_rule(folder, project_id, "2020-05-14T00:00:00", 2);

    let mut no_folder = rule();
    no_folder.folder = None;
    let mut no_destination = rule();
    no_destination.destination_project = None;
    let mut bad_frequency = rule();
    bad_frequency.billing_frequency = Some(3);
    let mut bad_status = rule();
    bad_status.billing_status = Some(4);
    let mut not_model = rule();
    not_model.is_model_item = Some(0);
    let mut ends_before_start = rule();
    ends_before_start.valid_to = Some(sandbox_common::date_time("2019-01-01T00:00:00"));
    let mut no_start = rule();
    no_start.billing_date = None;
    no_start.valid_from = None;
    let cases = [
        (no_folder, "ERROR: ITEM/folder is missing".to_owned()),
        (
            recurring_rule(9, project_id, "2020-05-14T00:00:00", 2),
            "ERROR: folder 9 not found (ITEM/folder)".to_owned(),
        ),
        (
            no_destination,
            "ERROR: ITEM/destinationProject is missing".to_owned(),
        ),
        (
            recurring_rule(folder, folder, "2020-05-14T00:00:00", 2),
            format!("ERROR: destination project {folder} not found (ITEM/destinationProject)"),
        ),
        (
            bad_frequency,
            "ERROR: ITEM/billingFrequency 3 is invalid: expected 2 (yearly), 4 (quarterly), \
             6 (monthly), 8 (weekly) or 10 (daily)"
                .to_owned(),
        ),
        (
            bad_status,
            "ERROR: ITEM/billingStatus 4 is invalid: a recurring rule takes 1 (pending), \
             2 (for approval) or 3 (to be invoiced)"
                .to_owned(),
        ),
        (
            not_model,
            "ERROR: ITEM/isModelItem 0 is invalid: a recurring rule is a model item and takes 1"
                .to_owned(),
        ),
        (
            ends_before_start,
            "ERROR: ITEM/validTo 2019-01-01T00:00:00 is invalid: expected a date not before \
             ITEM/validFrom"
                .to_owned(),
        ),
        (
            no_start,
            "ERROR: ITEM/billingDate or ITEM/validFrom is missing".to_owned(),
        ),
    ];
    for (item, expected) in cases {
        let text = not_ok_text(
            api.item
                .create_folder_item(&folder_item(&api.session, item))
                .await,
        );
        assert_eq!(text, expected);
    }
    assert!(sandbox.state().recurring_rules.is_empty());
}

#[tokio::test]
async fn marketing_trigger_stored() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let (contact, folder, project_id) = api.create_customer_project().await;
    let response = expect_ok(
        api.web
            .create_marketing_triggers(&trigger(&api.session, folder, contact))
            .await,
        "CreateMarketingTriggers",
    );
    assert_eq!(response.new_id, Some(139666101));
    // A project is a valid context too.
    let response = expect_ok(
        api.web
            .create_marketing_triggers(&trigger(&api.session, project_id, contact))
            .await,
        "CreateMarketingTriggers",
    );
    assert_eq!(response.new_id, Some(139667101));

    let state = sandbox.state();
    let stored = &state.marketing_triggers[0];
    assert_eq!(stored.base_type, "new-phone-number");
    assert_eq!(stored.context_id, folder);
    assert_eq!(stored.contact_id, contact);
    assert_eq!(stored.trigger_date.as_deref(), Some("2020-07-31 12:00"));
    assert_eq!(stored.number_of_visits, Some(1));
    assert_eq!(state.marketing_triggers[1].context_id, project_id);
}

#[tokio::test]
async fn marketing_trigger_checks_references() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let (contact, folder, _) = api.create_customer_project().await;

    let mut bad_type = trigger(&api.session, folder, contact);
    bad_type.marketing_trigger.base_type = "explode".to_owned();
    let mut bad_date = trigger(&api.session, folder, contact);
    bad_date.marketing_trigger.trigger_date = Some("2020-07-31T12:00".to_owned());
    let mut bad_visits = trigger(&api.session, folder, contact);
    bad_visits.marketing_trigger.number_of_visits = Some(0);
    let cases = [
        (
            trigger(&api.session, folder, 1),
            "ERROR: contact 1 not found (MARKETING_TRIGGER/contactId)".to_owned(),
        ),
        // A contact is not a folder or project.
        (
            trigger(&api.session, contact, contact),
            format!("ERROR: folder or project {contact} not found (MARKETING_TRIGGER/contextId)"),
        ),
        (
            bad_type,
            "ERROR: MARKETING_TRIGGER/baseType \"explode\" is invalid: expected one of \
             new-phone-number, url-visit, goal-achieved, mail-url-visit, mail-open, unsubscribe"
                .to_owned(),
        ),
        (
            bad_date,
            "ERROR: MARKETING_TRIGGER/triggerDate is invalid: \"2020-07-31T12:00\" is not of the \
             form YYYY-MM-DD HH:MM"
                .to_owned(),
        ),
        (
            bad_visits,
            "ERROR: MARKETING_TRIGGER/numberOfVisits 0 is invalid: expected 1 or more".to_owned(),
        ),
    ];
    for (request, expected) in cases {
        let text = not_ok_text(api.web.create_marketing_triggers(&request).await);
        assert_eq!(text, expected);
    }
    assert!(sandbox.state().marketing_triggers.is_empty());
}

#[tokio::test]
async fn check_workflow_queue_without_rules() {
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let response = expect_ok(
        api.features
            .check_workflow_queue(&workflow(&api.session))
            .await,
        "CheckWorkflowQueue",
    );
    assert_eq!(response.result, "OK");
    assert!(sandbox.state().billing_items.is_empty());
}

#[tokio::test]
async fn project_client_alone_works() {
    // Each generated client works on its own, as a separate program would use it.
    let sandbox = start().await;
    let api = login(&sandbox).await;
    let contact = api.create_person().await;
    let client = project::ProjectClient::new(sandbox_common::runtime_client(&sandbox, 2));
    let response = client
        .create_simple_folder(&create_folder(&api.session, Some(contact)))
        .await;
    assert_eq!(
        expect_ok(response, "CreateSimpleFolder").new_id,
        Some(139664101)
    );
}
