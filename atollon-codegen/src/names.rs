//! The one place where XML names become Rust identifiers.
//!
//! Rules, applied in this order:
//! 1. Characters other than letters and digits separate words (so `first-name`,
//!    `first_name` and `firstName` are the same words), and heck converts the words to
//!    `UpperCamelCase` for types and variants or `snake_case` for fields and methods.
//!    Unicode letters are kept (`été`, `日本`) unless the result is not a Rust identifier,
//!    in which case only ASCII letters and digits are.
//! 2. An identifier that would start with a digit gets a leading `n` or `N` (`1st` becomes
//!    `n1st` and `N1st`); one with no letters or digits at all becomes `empty`/`Empty`.
//! 3. A Rust keyword gets a trailing `_` (`type_`, `self_`, `Self_`), which works for the
//!    keywords that raw identifiers cannot spell (`self`, `Self`, `super`, `crate`).
//! 4. Collisions after conversion are resolved by [`Namespace::claim`]: the first claimant,
//!    in the caller's fixed order, keeps the name and each later one gets the lowest free
//!    numeric suffix starting at 2 (`Item`, `Item2`).

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords of every Rust edition up to 2024, strict and reserved.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

fn words(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect()
}

/// Keeps only ASCII letters and digits, for names whose Unicode letters are not valid in
/// a Rust identifier.
fn ascii_words(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Tells whether `ident` is a Rust identifier (Unicode letters are, some other
/// alphanumeric characters such as superscript digits are not).
fn is_identifier(ident: &str) -> bool {
    syn::parse_str::<syn::Ident>(ident).is_ok()
}

fn finish(mut ident: String, digit_prefix: char, empty: &str) -> String {
    if ident.is_empty() {
        return empty.to_owned();
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, digit_prefix);
    }
    if KEYWORDS.contains(&ident.as_str()) {
        ident.push('_');
    }
    ident
}

/// Converts an XML name to a type or variant identifier.
pub fn type_name(raw: &str) -> String {
    let name = finish(words(raw).to_upper_camel_case(), 'N', "Empty");
    if is_identifier(&name) {
        return name;
    }
    finish(ascii_words(raw).to_upper_camel_case(), 'N', "Empty")
}

/// Converts an XML name to a field, method or module identifier.
pub fn field_name(raw: &str) -> String {
    let name = finish(words(raw).to_snake_case(), 'n', "empty");
    if is_identifier(&name) {
        return name;
    }
    finish(ascii_words(raw).to_snake_case(), 'n', "empty")
}

/// A set of identifiers in one scope (the items of a module, the fields of a struct).
#[derive(Default, Debug, Clone)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    /// Creates a scope in which `reserved` names are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Self {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Takes `wanted`, or `wanted` with the lowest free suffix from 2 on.
    pub fn claim(&mut self, wanted: &str) -> String {
        if self.taken.insert(wanted.to_owned()) {
            return wanted.to_owned();
        }
        // `Item` gives `Item2`; `id` gives `id_2`, and `Item2` gives `Item2_2`, so that
        // the number stays readable; `self_` gives `self_2`.
        let lower = wanted
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
        let ends_digit = wanted.ends_with(|c: char| c.is_ascii_digit());
        let separator = if wanted.ends_with('_') {
            ""
        } else if lower || ends_digit {
            "_"
        } else {
            ""
        };
        (2..)
            .map(|n| format!("{wanted}{separator}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .unwrap_or_else(|| wanted.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_table() {
        let cases = [
            ("type", "Type", "type_"),
            ("Self", "Self_", "self_"),
            ("self", "Self_", "self_"),
            ("super", "Super", "super_"),
            ("crate", "Crate", "crate_"),
            ("gen", "Gen", "gen_"),
            ("String", "String", "string"),
            ("Option", "Option", "option"),
            ("Result", "Result", "result"),
            ("my-op", "MyOp", "my_op"),
            ("1st", "N1st", "n1st"),
            ("first-name", "FirstName", "first_name"),
            ("UPPER_CASE", "UpperCase", "upper_case"),
            ("camelCase", "CamelCase", "camel_case"),
            ("PERSONINFO", "Personinfo", "personinfo"),
            ("", "Empty", "empty"),
            ("-", "Empty", "empty"),
            ("a.b", "AB", "a_b"),
            ("été", "Été", "été"),
            ("日本", "日本", "日本"),
            ("x²", "X", "x"),
        ];
        for (raw, ty, field) in cases {
            assert_eq!(type_name(raw), ty, "type name of {raw:?}");
            assert_eq!(field_name(raw), field, "field name of {raw:?}");
        }
    }

    #[test]
    fn collisions_get_numeric_suffixes() {
        let mut ns = Namespace::default();
        assert_eq!(ns.claim("Foo"), "Foo");
        assert_eq!(ns.claim("Foo"), "Foo2");
        assert_eq!(ns.claim("Foo"), "Foo3");
        assert_eq!(ns.claim("id"), "id");
        assert_eq!(ns.claim("id"), "id_2");
        assert_eq!(ns.claim("Item2"), "Item2");
        assert_eq!(ns.claim("Item2"), "Item2_2");
        assert_eq!(ns.claim("self_"), "self_");
        assert_eq!(ns.claim("self_"), "self_2");
    }

    #[test]
    fn reserved_names_are_skipped() {
        let mut ns = Namespace::with_reserved(&["new"]);
        assert_eq!(ns.claim("new"), "new_2");
    }
}
