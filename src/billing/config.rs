//! The billing job's TOML configuration, documented key by key in `atollon.example.toml`.
//!
//! Unknown keys and missing required keys are errors that name the key and the file.
//! The clear-text password is never part of the file: it comes from the environment
//! variable `ATOLLON_PASSWORD`, read by the command, or as `password_md5` here.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};

use super::json::line_column;

/// The whole configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Connection to the Atollon instance.
    pub atollon: AtollonSection,
    /// This instance's ids of templates, journals and list values.
    pub ids: Ids,
    /// Shop SKU to Atollon product id; lines with other SKUs use `ids.default_product`.
    #[serde(default)]
    pub products: BTreeMap<String, i64>,
    /// Settings of created billing items.
    #[serde(default)]
    pub billing: BillingSection,
}

/// The `[atollon]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtollonSection {
    /// SOAP endpoint, `https://HOST/soap`.
    pub endpoint: String,
    /// Instance name sent as `server` in every request.
    pub server: String,
    /// User name for QuickLogin.
    pub user: String,
    /// Lower-case hex MD5 of the password, as QuickLogin expects it; used when
    /// `ATOLLON_PASSWORD` is not set.
    #[serde(default)]
    pub password_md5: Option<PasswordMd5>,
}

/// The `[ids]` section: ids that differ between Atollon instances.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ids {
    /// Address type of billing addresses (`ADDRESS/type`).
    pub address_type: i64,
    /// Contact type of e-mail addresses (`CONTACT/type`).
    pub email_contact_type: i64,
    /// Contact type of phone numbers (`CONTACT/type`).
    pub phone_contact_type: i64,
    /// Preferred language of new contacts (`PERSONINFO/preferedLang`).
    pub language: i64,
    /// Template of customer folders (CreateSimpleFolder).
    pub folder_template: i64,
    /// Invoice journal of deals (`PROJECT/invoiceJournal`).
    pub invoice_journal: i64,
    /// Template of deals (`PROJECT/projectTemplate`).
    pub project_template: i64,
    /// Provider of deals (`PROJECT/provider`).
    pub provider: i64,
    /// Product of billing items whose SKU is not in `[products]` (`ITEM/item`).
    pub default_product: i64,
}

/// The `[billing]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingSection {
    /// `billingStatus` of created billing items; 3 (approved) lets
    /// CreateInvoicesFromItems invoice them.
    #[serde(default = "default_billing_status")]
    pub billing_status: i32,
    /// Whether to call CheckWorkflowQueue after each invoice.
    #[serde(default)]
    pub check_workflow_queue: bool,
}

fn default_billing_status() -> i32 {
    3
}

impl Default for BillingSection {
    fn default() -> Self {
        BillingSection {
            billing_status: default_billing_status(),
            check_workflow_queue: false,
        }
    }
}

/// The MD5 hex digest of the Atollon password. Its `Debug` output hides the value.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordMd5(String);

impl PasswordMd5 {
    /// Returns the lower-case hex digest to send to QuickLogin.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordMd5 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordMd5(<redacted>)")
    }
}

impl<'de> Deserialize<'de> for PasswordMd5 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let trimmed = text.trim();
        if trimmed.len() != 32 || !trimmed.chars().all(|c| c.is_ascii_hexdigit()) {
            // The value is a secret: the message describes it without repeating it.
            return Err(serde::de::Error::custom(format!(
                "invalid MD5 digest: expected 32 hexadecimal characters, found {} characters",
                trimmed.chars().count()
            )));
        }
        Ok(PasswordMd5(trimmed.to_ascii_lowercase()))
    }
}

/// `billingStatus` values that Atollon documents for billing items.
const BILLING_STATUSES: [i32; 9] = [0, 1, 2, 3, 4, 5, 6, 7, 999];

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{}: cannot read the configuration file: {source}", file.display())]
    Read {
        /// Path of the file.
        file: PathBuf,
        /// Error from the operating system.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{}:{line}:{column}: invalid TOML: {message}", file.display())]
    Syntax {
        /// Path of the file.
        file: PathBuf,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// Parser message.
        message: String,
    },
    /// A key is unknown, missing or has a wrong value.
    #[error("{}:{line}:{column}: key `{key}`: {message}", file.display())]
    Key {
        /// Path of the file.
        file: PathBuf,
        /// Dotted path of the key, such as `ids.language`.
        key: String,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// Description of the problem.
        message: String,
    },
}

impl Config {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: path.to_owned(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// Parses and validates configuration text; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
        let deserializer = toml::Deserializer::parse(text).map_err(|error| {
            let (line, column) = span_position(text, error.span());
            ConfigError::Syntax {
                file: file.to_owned(),
                line,
                column,
                message: error.message().to_owned(),
            }
        })?;
        let config: Config = serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let (line, column) = span_position(text, error.inner().span());
            let (key, message) =
                describe_key_error(&error.path().to_string(), error.inner().message());
            ConfigError::Key {
                file: file.to_owned(),
                key,
                line,
                column,
                message,
            }
        })?;
        config.validate(text, file)?;
        Ok(config)
    }

    /// Returns the Atollon product id for a shop SKU.
    pub fn product_for(&self, sku: Option<&str>) -> i64 {
        sku.and_then(|sku| self.products.get(sku).copied())
            .unwrap_or(self.ids.default_product)
    }

    fn validate(&self, text: &str, file: &Path) -> Result<(), ConfigError> {
        let error = |key: &str, message: String| {
            let (line, column) = key_position(text, key);
            ConfigError::Key {
                file: file.to_owned(),
                key: key.to_owned(),
                line,
                column,
                message,
            }
        };
        let endpoint = &self.atollon.endpoint;
        if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
            return Err(error(
                "atollon.endpoint",
                format!("invalid endpoint {endpoint:?}: expected an http:// or https:// URL such as https://HOST/soap"),
            ));
        }
        for (key, value) in [
            ("atollon.server", &self.atollon.server),
            ("atollon.user", &self.atollon.user),
        ] {
            if value.trim().is_empty() {
                return Err(error(key, "must not be empty".to_owned()));
            }
        }
        let ids = &self.ids;
        for (key, value) in [
            ("ids.address_type", ids.address_type),
            ("ids.email_contact_type", ids.email_contact_type),
            ("ids.phone_contact_type", ids.phone_contact_type),
            ("ids.language", ids.language),
            ("ids.folder_template", ids.folder_template),
            ("ids.invoice_journal", ids.invoice_journal),
            ("ids.project_template", ids.project_template),
            ("ids.provider", ids.provider),
            ("ids.default_product", ids.default_product),
        ] {
            if value <= 0 {
                return Err(error(
                    key,
                    format!("invalid id {value}: Atollon ids are positive"),
                ));
            }
        }
        for (sku, &id) in &self.products {
            if id <= 0 {
                return Err(error(
                    &format!("products.{sku}"),
                    format!("invalid product id {id}: Atollon ids are positive"),
                ));
            }
        }
        if !BILLING_STATUSES.contains(&self.billing.billing_status) {
            return Err(error(
                "billing.billing_status",
                format!(
                    "invalid billing status {}: expected 0 to 7 or 999 (3 is approved for invoicing)",
                    self.billing.billing_status
                ),
            ));
        }
        Ok(())
    }
}

fn span_position(text: &str, span: Option<std::ops::Range<usize>>) -> (usize, usize) {
    span.map_or((1, 1), |span| line_column(text, span.start.min(text.len())))
}

/// Turns serde's messages into the key they concern: "missing field `language`" at path
/// `ids` is the key `ids.language`; "unknown field `colour`" at path `ids.colour` is that
/// key.
fn describe_key_error(path: &str, message: &str) -> (String, String) {
    let path = if path == "." { "" } else { path };
    if let Some(rest) = message.strip_prefix("missing field `") {
        if let Some((field, _)) = rest.split_once('`') {
            let key = if path.is_empty() {
                field.to_owned()
            } else {
                format!("{path}.{field}")
            };
            return (key, "missing required key".to_owned());
        }
    }
    if message.starts_with("unknown field `") {
        let expected = message
            .split_once(", expected ")
            .map(|(_, expected)| format!(" (expected {expected})"))
            .unwrap_or_default();
        return (path.to_owned(), format!("unknown key{expected}"));
    }
    // serde names Rust types ("expected i64"); the configuration's readers know ids and
    // numbers.
    let message = message
        .replace("expected i64", "expected an integer (an Atollon id)")
        .replace("expected i32", "expected an integer")
        .replace("expected u32", "expected a non-negative integer");
    (path.to_owned(), message)
}

/// Finds the line of `section.key` for validation errors, which have no span.
fn key_position(text: &str, dotted: &str) -> (usize, usize) {
    let (section, key) = dotted.split_once('.').unwrap_or(("", dotted));
    let mut in_section = section.is_empty();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(header) = trimmed.strip_prefix('[') {
            in_section = header.trim_end_matches(']').trim() == section;
            continue;
        }
        let name = trimmed
            .split('=')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('"');
        if in_section && name == key {
            return (i + 1, line.len() - line.trim_start().len() + 1);
        }
    }
    (1, 1)
}
