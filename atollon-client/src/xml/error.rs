use thiserror::Error;

/// Failure to write a value as XML.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A string contains a character that XML 1.0 cannot carry (most control characters,
    /// U+FFFE and U+FFFF), so the envelope would be malformed.
    #[error("`{path}` contains the character {character:?} (U+{code:04X}), which XML 1.0 cannot carry; remove it before sending", code = *.character as u32)]
    InvalidCharacter {
        /// Element path of the field, such as `CreateContact/PERSON/name1`.
        path: String,
        /// The rejected character.
        character: char,
    },
    /// An attribute was added after the element's content had started.
    #[error("attribute `{attribute}` written after the content of `{path}` had started")]
    AttributeAfterContent {
        /// Element path.
        path: String,
        /// Attribute name.
        attribute: String,
    },
    /// `end` was called with no element open.
    #[error("no element is open to close")]
    Unbalanced,
    /// A value has no lexical form in its XML Schema type, such as a float NaN where the
    /// schema allows only numbers.
    #[error("`{path}` has no valid XML form: {reason}")]
    InvalidValue {
        /// Element path.
        path: String,
        /// What is wrong with the value.
        reason: String,
    },
}

/// Failure to read a Rust value from XML.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// A required element is absent.
    #[error("missing required element `{path}`")]
    Missing {
        /// Path of the missing element, such as `CreateProjectResponse/newId`.
        path: String,
    },
    /// A required attribute is absent.
    #[error("missing required attribute `{attribute}` on `{path}`")]
    MissingAttribute {
        /// Path of the element.
        path: String,
        /// Name of the attribute.
        attribute: String,
    },
    /// Text that is not a valid value of the expected type.
    #[error("invalid value {value:?} at `{path}`: expected {expected}")]
    Invalid {
        /// Path of the element or attribute (`element/@attribute`).
        path: String,
        /// The text found, cut to 64 characters.
        value: String,
        /// What was expected, such as `xs:long` or `one of OK, ERROR`.
        expected: String,
    },
    /// None of the alternatives of an `xs:choice` is present.
    #[error("`{path}` has none of the alternatives {expected}")]
    NoAlternative {
        /// Path of the parent element.
        path: String,
        /// The element names that would have matched.
        expected: String,
    },
    /// The element has the wrong name for what was expected.
    #[error("unexpected element `{found}` at `{path}`: expected `{expected}`")]
    UnexpectedElement {
        /// Path of the element found.
        path: String,
        /// Name of the element found.
        found: String,
        /// Name that was expected.
        expected: String,
    },
}

impl DecodeError {
    /// Builds [`DecodeError::Invalid`], cutting long values so that an error never carries
    /// a whole document.
    pub fn invalid(path: String, value: &str, expected: impl Into<String>) -> Self {
        const MAX_CHARS: usize = 64;
        let mut shown: String = value.chars().take(MAX_CHARS).collect();
        if value.chars().nth(MAX_CHARS).is_some() {
            shown.push('…');
        }
        DecodeError::Invalid {
            path,
            value: shown,
            expected: expected.into(),
        }
    }

    /// Path of the element the error is about.
    pub fn path(&self) -> &str {
        match self {
            DecodeError::Missing { path }
            | DecodeError::MissingAttribute { path, .. }
            | DecodeError::Invalid { path, .. }
            | DecodeError::NoAlternative { path, .. }
            | DecodeError::UnexpectedElement { path, .. } => path,
        }
    }
}
