//! Doc comments from schema documentation, escaped so that rustdoc shows them as text.

use proc_macro2::TokenStream;
use quote::quote;

/// Turns documentation into `#[doc]` attributes, falling back to `fallback` (the item's
/// QName) when there is none. Paragraphs are kept; white space inside a paragraph is
/// folded, because indented lines would otherwise become code blocks that rustdoc runs
/// as doctests.
pub(crate) fn doc_attrs(doc: Option<&str>, fallback: &str) -> TokenStream {
    let text = match doc.map(str::trim).filter(|d| !d.is_empty()) {
        Some(doc) => render(doc),
        None => format!("`{}`", fallback.replace('`', "'")),
    };
    let lines: Vec<String> = text.lines().map(|l| format!(" {l}")).collect();
    quote!(#(#[doc = #lines])*)
}

/// Turns documentation the generator wrote itself (already valid Markdown) into
/// `#[doc]` attributes.
pub(crate) fn generated_doc_attrs(text: &str) -> TokenStream {
    let line = format!(" {text}");
    quote!(#[doc = #line])
}

fn render(doc: &str) -> String {
    let mut paragraphs = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in doc.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            if !current.is_empty() {
                paragraphs.push(render_paragraph(&current.join(" ")));
                current.clear();
            }
        } else {
            current.push(trimmed);
        }
    }
    if !current.is_empty() {
        paragraphs.push(render_paragraph(&current.join(" ")));
    }
    paragraphs.join("\n\n")
}

fn render_paragraph(text: &str) -> String {
    let words: Vec<String> = text.split_whitespace().map(render_word).collect();
    words.join(" ")
}

/// Escapes Markdown and HTML syntax, and wraps bare URLs in `<...>` so that rustdoc
/// links them instead of warning.
fn render_word(word: &str) -> String {
    if word.starts_with("http://") || word.starts_with("https://") {
        let end = word.trim_end_matches(['.', ',', ';', ':', ')', '"', '\'']);
        let trail = &word[end.len()..];
        if !end.contains(['<', '>']) {
            return format!("<{end}>{}", escape(trail));
        }
    }
    escape(word)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_brackets_html_and_urls() {
        let rendered =
            render("See [x] at https://example.invalid/x. Use <b>bold</b>\n    indented");
        assert_eq!(
            rendered,
            "See \\[x\\] at <https://example.invalid/x>. Use \\<b\\>bold\\</b\\> indented"
        );
    }

    #[test]
    fn keeps_paragraphs() {
        assert_eq!(render("a\n b\n\n c"), "a b\n\nc");
    }
}
