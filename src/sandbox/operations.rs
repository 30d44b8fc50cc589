//! The operations of the contract, as the generated clients describe them.

use atollon_client::Operation;

use crate::{features, invoice, item, main, project, web};

/// Every operation the sandbox implements, in the order of the WSDL files.
///
/// The server traits make a new WSDL operation a compile error until the sandbox
/// implements it. It must then be added here too, so that faults can be injected into it.
pub(crate) const OPERATIONS: [&Operation; 10] = [
    &main::MainClient::OPERATION_QUICK_LOGIN,
    &main::MainClient::OPERATION_CREATE_CONTACT,
    &main::MainClient::OPERATION_LIST_CONTACT_LIST,
    &project::ProjectClient::OPERATION_CREATE_SIMPLE_FOLDER,
    &project::ProjectClient::OPERATION_CREATE_PROJECT,
    &item::ItemClient::OPERATION_CREATE_PROJECT_ITEM,
    &item::ItemClient::OPERATION_CREATE_FOLDER_ITEM,
    &invoice::InvoiceClient::OPERATION_CREATE_INVOICES_FROM_ITEMS,
    &features::FeaturesClient::OPERATION_CHECK_WORKFLOW_QUEUE,
    &web::WebClient::OPERATION_CREATE_MARKETING_TRIGGERS,
];

/// Returns whether `name` is an operation of the contract.
pub(crate) fn is_operation(name: &str) -> bool {
    OPERATIONS.iter().any(|operation| operation.name == name)
}

/// Returns the operation names, comma-separated, for messages.
pub(crate) fn names() -> String {
    let names: Vec<&str> = OPERATIONS.iter().map(|operation| operation.name).collect();
    names.join(", ")
}
