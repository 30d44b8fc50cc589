//! The billing job of `atollon invoice`: reading shop order files into one order model,
//! mapping orders to the values of Atollon's requests, the configuration, the SQLite
//! journal that keeps every order billed once, and in [`flow`] the run that sends the
//! requests.
//!
//! Per file and order, the steps go as below; [`flow::Flow`] runs them with the requests.
//!
//! ```no_run
//! use std::path::Path;
//! use atollon::billing::{self, config::Config, journal::Journal, mapping, model::ParseOptions};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::load(Path::new("atollon.toml"))?;
//! let mut journal = Journal::open(Path::new("atollon-journal.sqlite"))?;
//! let parsed = billing::read_file(Path::new("orders.json"), None, &ParseOptions::default())?;
//! for order in parsed.orders {
//!     let order = match order {
//!         Ok(order) => order,
//!         Err(error) => {
//!             eprintln!("{error}");
//!             continue;
//!         }
//!     };
//!     let plan = mapping::plan_order(&order, &config)?;
//!     journal.register_order(&plan.key, &plan.order_number, Some(&order.source.file))?;
//!     for step in plan.steps(false) {
//!         // Skip done steps, begin_step, send the request from `plan`, complete_step.
//!         let _ = step;
//!     }
//! }
//! # Ok(())
//! # }
//! ```

pub mod canonical;
pub mod config;
pub mod dates;
pub mod detect;
pub mod error;
pub mod flow;
pub mod journal;
mod json;
pub mod mapping;
pub mod model;
pub mod shopify;
pub mod shoptet;
mod tax;
pub mod text;
pub mod woocommerce;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

pub use error::{FileError, MapError, OrderError};
pub use model::{Order, OrderKey, ParseOptions};

/// An order file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// WooCommerce REST API v3 order JSON.
    WooCommerce,
    /// Shopify Admin REST order JSON.
    Shopify,
    /// Shoptet XML order export.
    Shoptet,
    /// This project's canonical JSON format, named `atollon` on the command line.
    Canonical,
}

impl Format {
    /// Returns the name used by `--format`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::WooCommerce => "woocommerce",
            Format::Shopify => "shopify",
            Format::Shoptet => "shoptet",
            Format::Canonical => "atollon",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;

    /// Parses a `--format` value other than `auto`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "woocommerce" => Ok(Format::WooCommerce),
            "shopify" => Ok(Format::Shopify),
            "shoptet" => Ok(Format::Shoptet),
            "atollon" => Ok(Format::Canonical),
            _ => Err(format!(
                "unknown format {text:?}: expected auto, woocommerce, shopify, shoptet or atollon"
            )),
        }
    }
}

/// The orders of one file: each one read, or the error that names its field.
#[derive(Debug)]
pub struct ParsedFile {
    /// Path of the file.
    pub file: PathBuf,
    /// Format it was read as.
    pub format: Format,
    /// One result per order, in file order.
    pub orders: Vec<Result<Order, OrderError>>,
}

/// Reads an order file. `format` `None` recognises the format by content.
pub fn read_file(
    path: &Path,
    format: Option<Format>,
    options: &ParseOptions,
) -> Result<ParsedFile, FileError> {
    let bytes = std::fs::read(path).map_err(|source| FileError::Read {
        file: path.to_owned(),
        source,
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|error| {
        let valid = &bytes[..error.valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        FileError::Structure {
            file: path.to_owned(),
            line,
            column,
            message: "invalid UTF-8: order files must be UTF-8 encoded".to_owned(),
        }
    })?;
    parse_text(text, path, format, options)
}

/// Reads order file text; `file` names it in errors.
pub fn parse_text(
    text: &str,
    file: &Path,
    format: Option<Format>,
    options: &ParseOptions,
) -> Result<ParsedFile, FileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let format = match format {
        Some(format) => format,
        None => detect::detect(text, file)?,
    };
    let orders = match format {
        Format::WooCommerce => woocommerce::parse(text, file, options)?,
        Format::Shopify => shopify::parse(text, file, options)?,
        Format::Shoptet => shoptet::parse(text, file, options)?,
        Format::Canonical => canonical::parse(text, file, options)?,
    };
    tracing::debug!(file = %file.display(), format = %format, orders = orders.len(), "order file read");
    Ok(ParsedFile {
        file: file.to_owned(),
        format,
        orders,
    })
}
