//! The contract files, served as an Atollon host serves them: with each port's
//! `soap:address` pointing at the host itself.

/// The contract files, compiled in so the sandbox binary serves them from anywhere.
const CONTRACT_FILES: [(&str, &str); 6] = [
    ("main.wsdl", include_str!("../../wsdl/main.wsdl")),
    ("project.wsdl", include_str!("../../wsdl/project.wsdl")),
    ("item.wsdl", include_str!("../../wsdl/item.wsdl")),
    ("invoice.wsdl", include_str!("../../wsdl/invoice.wsdl")),
    ("features.wsdl", include_str!("../../wsdl/features.wsdl")),
    ("web.wsdl", include_str!("../../wsdl/web.wsdl")),
];

/// Namespaces of the WSDL 1.1 SOAP 1.1 and SOAP 1.2 binding extensions.
const ADDRESS_NAMESPACES: [&str; 2] = [
    "http://schemas.xmlsoap.org/wsdl/soap/",
    "http://schemas.xmlsoap.org/wsdl/soap12/",
];

/// Returns the names of the served files.
pub(crate) fn file_names() -> impl Iterator<Item = &'static str> {
    CONTRACT_FILES.iter().map(|(name, _)| *name)
}

/// Returns contract file `name` (such as `main.wsdl`) with every `soap:address location`
/// set to `soap_url`, or `None` when there is no such file.
pub(crate) fn served_file(name: &str, soap_url: &str) -> Option<Result<String, String>> {
    let (_, text) = CONTRACT_FILES.iter().find(|(file, _)| *file == name)?;
    Some(rewrite_addresses(text, soap_url).map_err(|error| format!("{name}: {error}")))
}

/// Replaces the `location` of every SOAP address element, keeping the rest of the file
/// byte for byte.
fn rewrite_addresses(text: &str, soap_url: &str) -> Result<String, roxmltree::Error> {
    let document = roxmltree::Document::parse(text)?;
    let mut ranges: Vec<std::ops::Range<usize>> = document
        .descendants()
        .filter(|node| {
            node.is_element()
                && node.tag_name().name() == "address"
                && node
                    .tag_name()
                    .namespace()
                    .is_some_and(|namespace| ADDRESS_NAMESPACES.contains(&namespace))
        })
        .filter_map(|node| {
            node.attribute_node("location")
                .map(|attribute| attribute.range_value())
        })
        .collect();
    ranges.sort_by_key(|range| range.start);

    let escaped = escape_attribute(soap_url);
    let mut output = String::with_capacity(text.len() + ranges.len() * escaped.len());
    let mut position = 0;
    for range in ranges {
        output.push_str(&text[position..range.start]);
        output.push_str(&escaped);
        position = range.end;
    }
    output.push_str(&text[position..]);
    Ok(output)
}

fn escape_attribute(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_gets_the_new_address() {
        for name in file_names() {
            let Some(Ok(served)) = served_file(name, "http://127.0.0.1:8080/soap") else {
                panic!("{name} is not served");
            };
            assert!(
                served.contains(r#"<soap:address location="http://127.0.0.1:8080/soap"/>"#),
                "{name}"
            );
            assert!(!served.contains("river.atollon.com/soap\""), "{name}");
        }
    }

    #[test]
    fn unknown_file_not_served() {
        assert!(served_file("billing.wsdl", "http://127.0.0.1/soap").is_none());
    }

    #[test]
    fn address_is_escaped() {
        let text = r#"<d xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"><soap:address location='x'/></d>"#;
        let Ok(served) = rewrite_addresses(text, "http://h/soap?a=1&b=\"2\"") else {
            panic!("the sample does not parse");
        };
        assert_eq!(
            served,
            r#"<d xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"><soap:address location='http://h/soap?a=1&amp;b=&quot;2&quot;'/></d>"#
        );
    }
}
