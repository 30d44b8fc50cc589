//! The two response envelopes benchmarked, each read three ways: roxmltree alone (the
//! lower bound, because the runtime parses with it), the generated code, and quick-xml's
//! serde support into bench-local structs with the same fields.

use atollon::atollon_client::envelope::{parse_document, Envelope, DEFAULT_MAX_BODY_BYTES};
use atollon::atollon_client::xml::{Children, Name, ReadContext, ReadElement, ATOLLON_NAMESPACE};
use atollon::main::ListContactListResponse;
use atollon::project::CreateProjectResponse;
use rust_decimal::Decimal;
use serde::Deserialize;

/// Parses `bytes` with roxmltree as the runtime does (UTF-8 checked, DTDs rejected) and
/// returns the node count, so the parse cannot be optimised away.
#[inline(never)]
pub fn roxmltree_only(bytes: &[u8]) -> usize {
    let text = std::str::from_utf8(bytes).expect("the response is UTF-8");
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    let document =
        roxmltree::Document::parse_with_options(text, options).expect("the response parses");
    document.descendants().len()
}

/// Reads the body element `local` of the response as the generated client does after the
/// HTTP exchange: parse the envelope, find `Body`, read the response element.
pub fn generated<T: ReadElement>(bytes: &[u8], local: &'static str, ctx: &ReadContext) -> T {
    let document = parse_document(bytes, DEFAULT_MAX_BODY_BYTES).expect("the response parses");
    let envelope = Envelope::from_document(&document).expect("the response is an envelope");
    Children::new(envelope.body, ctx)
        .required(Name::new(Some(ATOLLON_NAMESPACE), local))
        .expect("the response element reads")
}

#[inline(never)]
pub fn generated_create_project(bytes: &[u8], ctx: &ReadContext) -> CreateProjectResponse {
    generated(bytes, "CreateProjectResponse", ctx)
}

#[inline(never)]
pub fn generated_list_contact_list(bytes: &[u8], ctx: &ReadContext) -> ListContactListResponse {
    generated(bytes, "ListContactListResponse", ctx)
}

// ---------------------------------------------------------------------------------------
// quick-xml serde baseline. The deserializer of quick-xml 0.38 matches element names
// without their prefixes and does not check namespaces, so it does less than the
// generated reader.

/// Parses a decimal from its text, as the runtime reads `xs:decimal`.
fn decimal_from_text<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Decimal, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
    text.trim().parse().map_err(serde::de::Error::custom)
}

#[derive(Deserialize)]
struct SerdeEnvelope<B> {
    #[serde(rename = "Body")]
    body: B,
}

#[derive(Deserialize)]
struct SerdeCreateProjectBody {
    #[serde(rename = "CreateProjectResponse")]
    response: SerdeCreateProjectResponse,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SerdeCreateProjectResponse {
    pub result: String,
    #[serde(deserialize_with = "decimal_from_text")]
    pub time: Decimal,
    pub new_id: Option<i64>,
    #[serde(rename = "TYPE")]
    pub type_: Option<SerdeProjectType>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SerdeProjectType {
    pub id: i64,
    pub name: Option<String>,
    pub master_project: Option<i32>,
    pub gui_action: Option<String>,
    pub i_type: Option<i32>,
}

#[derive(Deserialize)]
struct SerdeListContactListBody {
    #[serde(rename = "ListContactListResponse")]
    response: SerdeListContactListResponse,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct SerdeListContactListResponse {
    pub result: String,
    #[serde(deserialize_with = "decimal_from_text")]
    pub time: Decimal,
    pub count: Option<i32>,
    #[serde(rename = "ITEM", default)]
    pub item: Vec<SerdeListItem>,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct SerdeListItem {
    pub id: i64,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub type_: Option<i32>,
}

fn serde_text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("the response is UTF-8")
}

#[inline(never)]
pub fn serde_create_project(bytes: &[u8]) -> SerdeCreateProjectResponse {
    let envelope: SerdeEnvelope<SerdeCreateProjectBody> =
        quick_xml::de::from_str(serde_text(bytes)).expect("quick-xml reads the response");
    envelope.body.response
}

#[inline(never)]
pub fn serde_list_contact_list(bytes: &[u8]) -> SerdeListContactListResponse {
    let envelope: SerdeEnvelope<SerdeListContactListBody> =
        quick_xml::de::from_str(serde_text(bytes)).expect("quick-xml reads the response");
    envelope.body.response
}

/// Checks that the generated reader and quick-xml read the same values, so the benchmark
/// compares equal work.
pub fn check_create_project(generated: &CreateProjectResponse, serde: &SerdeCreateProjectResponse) {
    assert_eq!(generated.result, serde.result);
    assert_eq!(generated.time, serde.time);
    assert_eq!(generated.new_id, serde.new_id);
    let generated_type = generated.type_.as_ref().expect("the response has a TYPE");
    let serde_type = serde.type_.as_ref().expect("quick-xml reads the TYPE");
    assert_eq!(generated_type.id, serde_type.id);
    assert_eq!(generated_type.name, serde_type.name);
    assert_eq!(generated_type.master_project, serde_type.master_project);
    assert_eq!(generated_type.gui_action, serde_type.gui_action);
    assert_eq!(generated_type.i_type, serde_type.i_type);
}

/// Checks that both readers read every `ITEM` with the same values.
pub fn check_list_contact_list(
    generated: &ListContactListResponse,
    serde: &SerdeListContactListResponse,
    items: usize,
) {
    assert_eq!(generated.result, serde.result);
    assert_eq!(generated.time, serde.time);
    assert_eq!(generated.count, serde.count);
    assert_eq!(generated.item.len(), items);
    assert_eq!(serde.item.len(), items);
    for (ours, theirs) in generated.item.iter().zip(&serde.item) {
        assert_eq!(ours.id, theirs.id);
        assert_eq!(ours.name, theirs.name);
        assert_eq!(ours.type_, theirs.type_);
    }
}
