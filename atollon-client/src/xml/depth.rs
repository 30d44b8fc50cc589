//! A nesting-depth check to run before parsing, because roxmltree parses elements
//! recursively: a small document nested thousands of levels deep would overflow the
//! stack and abort the process instead of failing.

/// Deepest element nesting that callers pass to [`check_depth`]. SOAP envelopes and
/// contract files nest a few dozen levels. The limit keeps recursive parsing and reading
/// within the 2 MiB stack of a tokio worker thread in a debug build (depth 300 parsed
/// there, depth 1,000 overflowed).
pub const MAX_DEPTH: usize = 256;

/// Returns the byte offset of the first element nested deeper than `max_depth`, or
/// `Ok(())`. The scan skips comments, CDATA sections, processing instructions and
/// declarations, and quoted attribute values; it does not check well-formedness, which
/// the parser does next.
pub fn check_depth(text: &str, max_depth: usize) -> Result<(), usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(offset) = bytes[i..].iter().position(|&b| b == b'<') {
        let start = i + offset;
        let rest = &bytes[start..];
        let skip_to = |marker: &[u8]| {
            find(&bytes[start..], marker).map_or(bytes.len(), |end| start + end + marker.len())
        };
        i = if rest.starts_with(b"<!--") {
            skip_to(b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            skip_to(b"]]>")
        } else if rest.starts_with(b"<?") {
            skip_to(b"?>")
        } else if rest.starts_with(b"<!") {
            skip_to(b">")
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            skip_to(b">")
        } else {
            let end = tag_end(bytes, start);
            let self_closing = end > start + 1 && bytes[end - 1] == b'/';
            if !self_closing {
                depth += 1;
                if depth > max_depth {
                    return Err(start);
                }
            }
            end + 1
        };
        if i >= bytes.len() {
            break;
        }
    }
    Ok(())
}

/// Index of the `>` that ends the start tag at `start`, outside quoted attribute values,
/// or the end of the text.
fn tag_end(bytes: &[u8], start: usize) -> usize {
    let mut quote = None;
    for (index, &byte) in bytes.iter().enumerate().skip(start + 1) {
        match (quote, byte) {
            (None, b'"' | b'\'') => quote = Some(byte),
            (Some(q), b) if b == q => quote = None,
            (None, b'>') => return index,
            _ => {}
        }
    }
    bytes.len()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth))
    }

    #[test]
    fn accepts_up_to_the_limit() {
        assert_eq!(check_depth(&nested(3), 3), Ok(()));
        assert_eq!(check_depth("<a><b/><b/><c x='>'><d/></c></a>", 3), Ok(()));
    }

    #[test]
    fn rejects_deeper_with_offset() {
        // The fourth `<a>` starts at byte 9.
        assert_eq!(check_depth(&nested(4), 3), Err(9));
    }

    #[test]
    fn ignores_markup_in_comments_and_cdata() {
        let text = "<r><!-- <a><a><a> --><![CDATA[<a><a><a>]]><?pi <a>?><x a=\"<\"/></r>";
        assert_eq!(check_depth(text, 2), Ok(()));
    }

    #[test]
    fn deep_document_is_rejected_quickly() {
        assert!(check_depth(&nested(100_000), MAX_DEPTH).is_err());
    }
}
