//! Errors of the billing job's input stage: whole files, single orders and mapping.

use std::fmt;
use std::path::PathBuf;

use super::model::OrderKey;

/// A file that cannot be read as a whole: unreadable, not valid JSON or XML, or of no
/// known order format. No order of such a file is billed.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be read from disk.
    #[error("{}: cannot read the file: {source}", file.display())]
    Read {
        /// Path of the file.
        file: PathBuf,
        /// Error from the operating system.
        source: std::io::Error,
    },
    /// The file is not valid JSON.
    #[error("{}:{line}:{column}: invalid JSON: {message}", file.display())]
    Json {
        /// Path of the file.
        file: PathBuf,
        /// Line of the error, counted from 1.
        line: usize,
        /// Column of the error, counted from 1.
        column: usize,
        /// Parser message.
        message: String,
    },
    /// The file is not well-formed XML.
    #[error("{}:{line}:{column}: invalid XML: {message}", file.display())]
    Xml {
        /// Path of the file.
        file: PathBuf,
        /// Line of the error, counted from 1.
        line: usize,
        /// Column of the error, counted from 1.
        column: usize,
        /// Parser message.
        message: String,
    },
    /// The file is valid JSON or XML, but its structure is not the expected order export.
    #[error("{}:{line}:{column}: {message}", file.display())]
    Structure {
        /// Path of the file.
        file: PathBuf,
        /// Line of the offending value, counted from 1.
        line: usize,
        /// Column of the offending value, counted from 1.
        column: usize,
        /// Description of the problem and of the expected structure.
        message: String,
    },
    /// `--format auto` recognised none of the supported formats.
    #[error("{}: {message}", file.display())]
    UnknownFormat {
        /// Path of the file.
        file: PathBuf,
        /// Description of the content and of the formats tried.
        message: String,
    },
}

/// One order of a file that cannot be read into the model. The other orders of the
/// same file are not affected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct OrderError {
    /// Path of the file.
    pub file: PathBuf,
    /// Position of the faulty value when the parser reports it: line and column, from 1.
    pub position: Option<(u32, u32)>,
    /// Line where the order starts, from 1.
    pub order_line: Option<u32>,
    /// The shop's order id when it could be read.
    pub order_id: Option<String>,
    /// Position of the order in the file, from 1.
    pub order_index: u32,
    /// Path of the field inside the order, such as `line_items[1].quantity`.
    pub field: String,
    /// Description of the problem with the field.
    pub message: String,
}

impl fmt::Display for OrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        match &self.order_id {
            Some(id) => write!(f, ": order {id}")?,
            None => write!(f, ": order number {} in the file", self.order_index)?,
        }
        if self.position.is_none() {
            if let Some(line) = self.order_line {
                write!(f, " (starting at line {line})")?;
            }
        }
        write!(f, ": field `{}`: {}", self.field, self.message)
    }
}

/// An order that was read but cannot be turned into Atollon requests, for example a
/// subscription interval that Atollon's billing frequencies cannot express.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: order {order}: field `{field}`: {message}", file.display())]
pub struct MapError {
    /// File the order came from.
    pub file: PathBuf,
    /// Journal key of the order, boxed to keep `Result<_, MapError>` small.
    pub order: Box<OrderKey>,
    /// Path of the field inside the order, in the shop's own naming.
    pub field: String,
    /// Description of what cannot be mapped and of the fix.
    pub message: String,
}
