//! Text clean-up for values sent to Atollon: HTML entities, characters XML 1.0 cannot
//! carry, and the normal forms used to match customers.

use std::borrow::Cow;

/// Decodes HTML entities such as `&ndash;`, `&#8211;` and `&amp;` in one pass, so
/// `&amp;ndash;` becomes `&ndash;` and not `–`.
pub fn decode_html_entities(text: &str) -> Cow<'_, str> {
    if text.contains('&') {
        html_escape::decode_html_entities(text)
    } else {
        Cow::Borrowed(text)
    }
}

/// Returns whether XML 1.0 can carry the character: `#x9 | #xA | #xD | [#x20-#xD7FF] |
/// [#xE000-#xFFFD] | [#x10000-#x10FFFF]` (XML 1.0, production 2). Rust strings hold no
/// surrogates, so the gap between the ranges needs no test.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
        && !matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// Removes the characters XML 1.0 cannot carry. Returns the cleaned text and how many
/// characters were removed.
pub fn remove_non_xml_chars(text: &str) -> (Cow<'_, str>, usize) {
    let removed = text.chars().filter(|&c| !is_xml_char(c)).count();
    if removed == 0 {
        return (Cow::Borrowed(text), 0);
    }
    (
        Cow::Owned(text.chars().filter(|&c| is_xml_char(c)).collect()),
        removed,
    )
}

/// Normalises an e-mail address for matching: surrounding white space removed, lower case.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Normalises a phone number for comparison: the digits, with a leading `+` kept, so
/// `+1 555 0100` and `+1-555-0100` are the same number. Returns `None` without digits.
pub fn normalize_phone(phone: &str) -> Option<String> {
    let trimmed = phone.trim();
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    if trimmed.starts_with('+') {
        Some(format!("+{digits}"))
    } else {
        Some(digits)
    }
}

/// Normalises a company id or VAT id for matching: white space removed, upper case.
pub fn normalize_identifier(id: &str) -> String {
    id.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_named_numeric_and_single_pass() {
        assert_eq!(decode_html_entities("Idea &ndash; Black"), "Idea – Black");
        assert_eq!(decode_html_entities("Tom &amp; Jerry"), "Tom & Jerry");
        assert_eq!(decode_html_entities("&#8211;&#x2013;"), "––");
        assert_eq!(decode_html_entities("&amp;ndash;"), "&ndash;");
        assert_eq!(decode_html_entities("no entity"), "no entity");
    }

    #[test]
    fn xml_chars_removed_and_counted() {
        let (clean, removed) = remove_non_xml_chars("Tea\u{1}\u{8} Box\u{FFFF}\t🙂");
        assert_eq!(clean, "Tea Box\t🙂");
        assert_eq!(removed, 3);
        let (clean, removed) = remove_non_xml_chars("Příkladová\r\n");
        assert_eq!(clean, "Příkladová\r\n");
        assert_eq!(removed, 0);
    }

    #[test]
    fn matching_forms() {
        assert_eq!(
            normalize_email("  Fictional.Buyer@Example.INVALID "),
            "fictional.buyer@example.invalid"
        );
        assert_eq!(normalize_phone("+1 555 0100").as_deref(), Some("+15550100"));
        assert_eq!(normalize_phone("(555) 0100").as_deref(), Some("5550100"));
        assert_eq!(normalize_phone(" - "), None);
        assert_eq!(normalize_identifier("cz 0000 0000"), "CZ00000000");
    }
}
