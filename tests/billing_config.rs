//! The billing configuration: the example file, and errors that name the key and file.

#![cfg(feature = "billing")]

#[path = "billing_expected.rs"]
mod billing_expected;

use std::path::{Path, PathBuf};

use atollon::billing::config::{Config, ConfigError};
use billing_expected::example_config_path;

const VALID: &str = r#"
[atollon]
endpoint = "https://atollon.example.invalid/soap"
server = "acme"
user = "integration"

[ids]
address_type = 132027101
email_contact_type = 132031101
phone_contact_type = 132035101
language = 131428101
folder_template = 130944101
invoice_journal = 133150101
project_template = 133297101
provider = 132740101
default_product = 133629101
"#;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("site.toml"))
}

fn key_error(text: &str) -> (String, usize, String, String) {
    match parse(text) {
        Err(ConfigError::Key {
            key, line, message, ..
        }) => {
            let display = parse(text).unwrap_err().to_string();
            (key, line, message, display)
        }
        Err(other) => panic!("expected a key error, found {other}"),
        Ok(_) => panic!("expected a key error, the configuration was accepted"),
    }
}

mod billing {
    use super::*;

    #[test]
    fn example_config_has_published_ids() {
        let config = Config::load(&example_config_path()).unwrap();
        assert_eq!(config.atollon.server, "acme");
        assert_eq!(config.atollon.user, "integration");
        assert_eq!(config.atollon.password_md5, None);
        let ids = &config.ids;
        assert_eq!(ids.address_type, 132027101);
        assert_eq!(ids.email_contact_type, 132031101);
        assert_eq!(ids.phone_contact_type, 132035101);
        assert_eq!(ids.language, 131428101);
        assert_eq!(ids.folder_template, 130944101);
        assert_eq!(ids.invoice_journal, 133150101);
        assert_eq!(ids.project_template, 133297101);
        assert_eq!(ids.provider, 132740101);
        assert_eq!(ids.default_product, 133629101);
        assert_eq!(config.products.get("SKU-1"), Some(&133629102));
        assert_eq!(config.billing.billing_status, 3);
        assert!(!config.billing.check_workflow_queue);
        assert_eq!(config.product_for(Some("SKU-1")), 133629102);
        assert_eq!(config.product_for(Some("other")), 133629101);
        assert_eq!(config.product_for(None), 133629101);
    }

    #[test]
    fn optional_sections_take_defaults() {
        let config = parse(VALID).unwrap();
        assert!(config.products.is_empty());
        assert_eq!(config.billing.billing_status, 3);
        assert!(!config.billing.check_workflow_queue);
    }

    #[test]
    fn unknown_key_named_with_file() {
        let text = VALID.replace("language = 131428101", "language = 131428101\ncolour = 1");
        let (key, line, message, display) = key_error(&text);
        assert_eq!(key, "ids.colour");
        // Line 1 is empty; `colour` follows `language` on line 12.
        assert_eq!(line, 12);
        assert!(message.starts_with("unknown key"), "{message}");
        assert!(display.starts_with("site.toml:12:"), "{display}");
        assert!(display.contains("key `ids.colour`"), "{display}");
    }

    #[test]
    fn unknown_section_named() {
        let text = format!("{VALID}\n[extras]\nx = 1\n");
        let (key, _, message, display) = key_error(&text);
        assert_eq!(key, "extras");
        assert!(message.starts_with("unknown key"), "{message}");
        assert!(display.starts_with("site.toml:"), "{display}");
    }

    #[test]
    fn missing_key_named_with_file() {
        let text = VALID.replace("provider = 132740101\n", "");
        let (key, _, message, display) = key_error(&text);
        assert_eq!(key, "ids.provider");
        assert_eq!(message, "missing required key");
        assert!(display.starts_with("site.toml:"), "{display}");
        assert!(
            display.contains("key `ids.provider`: missing required key"),
            "{display}"
        );
    }

    #[test]
    fn missing_section_named() {
        let text = &VALID[VALID.find("[ids]").unwrap()..];
        let (key, _, message, _) = key_error(text);
        assert_eq!(key, "atollon");
        assert_eq!(message, "missing required key");
    }

    #[test]
    fn wrong_type_and_invalid_values_named() {
        let text = VALID.replace("language = 131428101", "language = \"Czech\"");
        let (key, line, _, _) = key_error(&text);
        assert_eq!(key, "ids.language");
        assert_eq!(line, 11);

        let text = VALID.replace("provider = 132740101", "provider = 0");
        let (key, line, message, _) = key_error(&text);
        assert_eq!(key, "ids.provider");
        assert_eq!(line, 15);
        assert!(message.contains("invalid id 0"), "{message}");

        let text = format!("{VALID}\n[billing]\nbilling_status = 8\n");
        let (key, line, message, _) = key_error(&text);
        assert_eq!(key, "billing.billing_status");
        // VALID ends on line 16; an empty line, `[billing]`, then the key on line 19.
        assert_eq!(line, 19);
        assert!(message.contains("invalid billing status 8"), "{message}");

        let text = VALID.replace(
            "https://atollon.example.invalid/soap",
            "atollon.example.invalid",
        );
        let (key, line, _, _) = key_error(&text);
        assert_eq!(key, "atollon.endpoint");
        assert_eq!(line, 3);
    }

    #[test]
    fn syntax_error_has_position() {
        let text = VALID.replace("user = \"integration\"", "user = \"integration");
        match parse(&text) {
            Err(ConfigError::Syntax { file, line, .. }) => {
                assert_eq!(file, PathBuf::from("site.toml"));
                assert_eq!(line, 5);
            }
            other => panic!("expected a syntax error, found {other:?}"),
        }
    }

    #[test]
    fn password_digest_hidden_from_debug() {
        let digest = "5F4DCC3B5AA765D61D8327DEB882CF99";
        let text = VALID.replace(
            "user = \"integration\"",
            &format!("user = \"integration\"\npassword_md5 = \"{digest}\""),
        );
        let config = parse(&text).unwrap();
        let secret = config.atollon.password_md5.as_ref().unwrap();
        assert_eq!(secret.expose(), digest.to_ascii_lowercase());
        let debug = format!("{config:?}");
        assert!(
            !debug
                .to_ascii_lowercase()
                .contains(&digest.to_ascii_lowercase()),
            "{debug}"
        );
        assert!(debug.contains("PasswordMd5(<redacted>)"), "{debug}");
    }

    #[test]
    fn malformed_password_digest_not_echoed() {
        let text = VALID.replace(
            "user = \"integration\"",
            "user = \"integration\"\npassword_md5 = \"hunter2\"",
        );
        let (key, _, message, display) = key_error(&text);
        assert_eq!(key, "atollon.password_md5");
        assert!(
            message.contains("expected 32 hexadecimal characters"),
            "{message}"
        );
        assert!(!display.contains("hunter2"), "{display}");
    }

    #[test]
    fn unreadable_file_named() {
        let error = Config::load(Path::new("/nonexistent/atollon.toml")).unwrap_err();
        assert!(matches!(error, ConfigError::Read { .. }), "{error}");
        assert!(
            error
                .to_string()
                .starts_with("/nonexistent/atollon.toml: cannot read"),
            "{error}"
        );
    }
}
