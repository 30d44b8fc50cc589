//! Masking of secrets in XML text, for logs and error messages.
//!
//! Envelopes are logged only at TRACE level, and only after [`mask_secrets`] has replaced
//! the text of every `session` and `password` element with `***`. The masking works on the
//! text, without parsing, so that it also covers bodies that are not well-formed or were cut
//! off at the size cap.

use std::ops::Range;

/// Local names of the elements whose text is secret: Atollon's session token and the
/// QuickLogin password (its MD5, which is as good as the password for logging in).
/// Names are compared ASCII case-insensitively, in any namespace.
pub const SECRET_ELEMENTS: &[&str] = &["session", "password"];

/// The text that replaces a secret.
pub const MASK: &str = "***";

/// Default maximum size in bytes of an envelope written to the log (8 KiB).
pub const DEFAULT_LOG_ENVELOPE_BYTES: usize = 8 * 1024;

/// Secrets shorter than this many characters are not searched for in free text, because
/// replacing a very short string would garble messages. Atollon session tokens have 44
/// characters and MD5 hex digests 32.
const MIN_REDACTED_SECRET_CHARS: usize = 4;

/// Replaces the text of every `session` and `password` element in `xml` with `***`.
///
/// Everything between such a start tag and the next end tag is replaced, so CDATA sections
/// and comments inside the element are covered too. A start tag whose content runs to the
/// end of `xml` (a cut-off document) is masked to the end.
pub fn mask_secrets(xml: &str) -> String {
    let spans = secret_spans(xml);
    if spans.is_empty() {
        return xml.to_owned();
    }
    let mut masked = String::with_capacity(xml.len());
    let mut copied = 0;
    for span in spans {
        masked.push_str(&xml[copied..span.start]);
        masked.push_str(MASK);
        copied = span.end;
    }
    masked.push_str(&xml[copied..]);
    masked
}

/// Prepares an envelope for the log: cut to at most `max_bytes` (on a character
/// boundary, with a note of the full size), invalid UTF-8 replaced by U+FFFD, and then
/// masked with [`mask_secrets`].
///
/// Cutting first is safe because a secret cut in the middle is masked to the end of the
/// text.
pub fn envelope_for_log(body: &[u8], max_bytes: usize) -> String {
    let prefix = decode_prefix(body, max_bytes);
    let mut text = mask_secrets(&prefix);
    if prefix.len() < body.len() {
        text.push_str(&format!(
            " [cut at {} of {} bytes]",
            prefix.len(),
            body.len()
        ));
    }
    text
}

/// Decodes at most `max_bytes` of `body` as UTF-8, cut on a character boundary, with
/// invalid sequences replaced by U+FFFD.
fn decode_prefix(body: &[u8], max_bytes: usize) -> String {
    // Four extra bytes let a character that straddles the limit be decoded whole, after
    // which the text is cut back to the limit.
    let head = &body[..body.len().min(max_bytes.saturating_add(4))];
    let text = String::from_utf8_lossy(head);
    truncate_at_char_boundary(&text, max_bytes).to_owned()
}

/// Returns the longest prefix of `text` that is at most `max_bytes` long and ends on a
/// character boundary.
pub fn truncate_at_char_boundary(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Returns the prefix of `body` of at most `max_bytes` as text: cut on a character
/// boundary, invalid UTF-8 replaced by U+FFFD, secrets masked, and surrounding whitespace
/// trimmed.
pub(crate) fn body_excerpt(body: &[u8], max_bytes: usize) -> String {
    mask_secrets(&decode_prefix(body, max_bytes))
        .trim()
        .to_owned()
}

/// The secrets written in one request, to be removed from any text that describes its
/// outcome (a Fault reason that echoes the session, an error page, a `result` text).
#[derive(Default)]
pub(crate) struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    /// Collects the text of the `session` and `password` elements of `xml`.
    pub(crate) fn from_xml(xml: &str) -> Self {
        let mut secrets = Vec::new();
        for span in secret_spans(xml) {
            let raw = xml[span].trim();
            for secret in [raw.to_owned(), unescape_xml(raw)] {
                if secret.chars().count() >= MIN_REDACTED_SECRET_CHARS && !secrets.contains(&secret)
                {
                    secrets.push(secret);
                }
            }
        }
        // Longer secrets first, so that a secret containing another is replaced whole.
        secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        Redactor { secrets }
    }

    /// Replaces every occurrence of a collected secret in `text` with `***`, and masks
    /// `session` and `password` elements that `text` itself contains.
    pub(crate) fn redact(&self, text: &str) -> String {
        let mut redacted = mask_secrets(text);
        for secret in &self.secrets {
            if redacted.contains(secret.as_str()) {
                redacted = redacted.replace(secret.as_str(), MASK);
            }
        }
        redacted
    }
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

/// Replaces the five predefined XML entities and numeric character references.
fn unescape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let Some(semicolon) = after.find(';') else {
            out.push_str(after);
            return out;
        };
        let entity = &after[1..semicolon];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => decode_character_reference(entity),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[semicolon + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_character_reference(entity: &str) -> Option<char> {
    let code = if let Some(hex) = entity.strip_prefix("#x") {
        u32::from_str_radix(hex, 16).ok()?
    } else {
        entity.strip_prefix('#')?.parse().ok()?
    };
    char::from_u32(code)
}

/// Finds the byte ranges of the content of `session` and `password` elements in `xml`.
fn secret_spans(xml: &str) -> Vec<Range<usize>> {
    let bytes = xml.as_bytes();
    let mut spans = Vec::new();
    let mut position = 0;
    while let Some(offset) = xml[position..].find('<') {
        let tag_start = position + offset + 1;
        let name_end = bytes[tag_start..]
            .iter()
            .position(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')
            .map_or(bytes.len(), |length| tag_start + length);
        let name = &xml[tag_start..name_end];
        let local = name.rsplit(':').next().unwrap_or(name);
        let is_secret = SECRET_ELEMENTS
            .iter()
            .any(|secret| local.eq_ignore_ascii_case(secret));
        if !is_secret {
            position = tag_start;
            continue;
        }
        let Some(tag_end) = find_tag_end(bytes, name_end) else {
            // The start tag itself is cut off, so no content follows it.
            break;
        };
        if bytes[tag_end - 1] == b'/' {
            position = tag_end + 1;
            continue;
        }
        let content_start = tag_end + 1;
        let content_end = xml[content_start..]
            .find("</")
            .map_or(xml.len(), |length| content_start + length);
        if content_end > content_start {
            spans.push(content_start..content_end);
        }
        position = content_end;
    }
    spans
}

/// Returns the index of the `>` that ends the start tag whose attributes begin at `from`,
/// skipping `>` inside quoted attribute values.
fn find_tag_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut quote = None;
    for (index, &byte) in bytes.iter().enumerate().skip(from) {
        match (quote, byte) {
            (None, b'"' | b'\'') => quote = Some(byte),
            (Some(open), _) if byte == open => quote = None,
            (None, b'>') => return Some(index),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_session_and_password() {
        let xml = "<wsdl:Q><server>acme</server><session>6A94</session>\
                   <password>5f4d</password></wsdl:Q>";
        assert_eq!(
            mask_secrets(xml),
            "<wsdl:Q><server>acme</server><session>***</session>\
             <password>***</password></wsdl:Q>"
        );
    }

    #[test]
    fn mask_prefixed_attributes_and_case() {
        let xml = r#"<a:Session id="x>y">tok</a:Session><PASSWORD >pw</PASSWORD>"#;
        assert_eq!(
            mask_secrets(xml),
            r#"<a:Session id="x>y">***</a:Session><PASSWORD >***</PASSWORD>"#
        );
    }

    #[test]
    fn mask_cdata_and_comment() {
        let xml = "<session><![CDATA[tok]]></session><password><!-- c -->pw</password>";
        assert_eq!(
            mask_secrets(xml),
            "<session>***</session><password>***</password>"
        );
    }

    #[test]
    fn mask_leaves_other_elements() {
        let xml = "<sessionId>1</sessionId><session/><session></session><sessions>2</sessions>";
        assert_eq!(mask_secrets(xml), xml);
    }

    #[test]
    fn mask_cut_off_content() {
        assert_eq!(mask_secrets("<a><session>6A941A9B"), "<a><session>***");
        assert_eq!(mask_secrets("<a><session"), "<a><session");
    }

    #[test]
    fn log_cap_masks_after_cut() {
        let xml = "<session>6A941A9BC9EB</session>";
        // 12 bytes keep `<session>6A9`, which must not show the partial token.
        assert_eq!(
            envelope_for_log(xml.as_bytes(), 12),
            "<session>*** [cut at 12 of 31 bytes]"
        );
    }

    #[test]
    fn truncation_on_char_boundary() {
        // "é" is two bytes, so a limit of 2 cannot keep half of it.
        assert_eq!(truncate_at_char_boundary("aé", 2), "a");
        assert_eq!(truncate_at_char_boundary("aé", 3), "aé");
        assert_eq!(truncate_at_char_boundary("", 0), "");
    }

    #[test]
    fn excerpt_caps_bytes() {
        let body = "é".repeat(300);
        let excerpt = body_excerpt(body.as_bytes(), 512);
        assert_eq!(excerpt.len(), 512);
        assert_eq!(excerpt.chars().count(), 256);
        assert_eq!(
            body_excerpt(b"  <html>\xff</html> ", 512),
            "<html>\u{fffd}</html>"
        );
    }

    #[test]
    fn redactor_replaces_echoed_secrets() {
        let request = "<session>6A941A9BC9EB</session><password>a&amp;b&#x63;d</password>";
        let redactor = Redactor::from_xml(request);
        assert_eq!(
            redactor.redact("Invalid session 6A941A9BC9EB for a&bcd"),
            "Invalid session *** for ***"
        );
        assert_eq!(
            redactor.redact("<session>other</session>"),
            "<session>***</session>"
        );
    }

    #[test]
    fn redactor_skips_short_secrets() {
        let redactor = Redactor::from_xml("<session>abc</session>");
        assert_eq!(redactor.redact("abc"), "abc");
    }
}
