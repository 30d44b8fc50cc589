//! Response documents for the reading and memory benchmarks, in the layout of Atollon's
//! published responses: two-space indentation, and the response element in the former
//! Iterity namespace, which the runtime reads as the current one.

use std::fmt::Write as _;

/// Bytes reserved per `ITEM`; a 7-digit index gives about 110.
const ITEM_BYTES_ESTIMATE: usize = 110;

/// The value lists cycled through by the generated `ITEM`s, as in the published response.
const LIST_NAMES: &[&str] = &["E-mail (other)", "E-mail (personal)", "E-mail (work)"];

/// Builds a ListContactList response envelope with `items` `ITEM` elements.
pub fn list_contact_list_response(items: usize) -> String {
    let mut out = String::with_capacity(400 + items * ITEM_BYTES_ESTIMATE);
    out.push_str(
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">\n  \
         <soapenv:Header/>\n  <soapenv:Body>\n    \
         <atollon:ListContactListResponse xmlns:atollon=\"http://iterity.com/enterprise/wsdl\">\n      \
         <result>OK</result>\n      <time>0.01314497</time>\n",
    );
    let _ = writeln!(out, "      <count>{items}</count>");
    for index in 0..items {
        write_item(&mut out, index);
    }
    out.push_str(
        "    </atollon:ListContactListResponse>\n  </soapenv:Body>\n</soapenv:Envelope>\n",
    );
    out
}

/// Appends the `ITEM` number `index`: ids count up from the first one published, and the
/// names and types cycle through the published values.
fn write_item(out: &mut String, index: usize) {
    let _ = write!(
        out,
        "      <ITEM>\n        <id>{}</id>\n        <name>{} {index}</name>\n        \
         <type>{}</type>\n      </ITEM>\n",
        1_883_000 + index,
        LIST_NAMES[index % LIST_NAMES.len()],
        1 + index % 3,
    );
}

/// Number of `ITEM`s that makes [`list_contact_list_response`] at least `bytes` long.
#[allow(dead_code, reason = "only the memory benchmark sizes its response")]
pub fn items_for_size(bytes: usize) -> usize {
    let mut total = list_contact_list_response(0).len();
    let mut item = String::new();
    let mut items = 0;
    while total < bytes {
        item.clear();
        write_item(&mut item, items);
        total += item.len();
        items += 1;
    }
    items
}
