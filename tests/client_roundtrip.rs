//! Generated types written as XML and read back compare equal. The random values have
//! strings with markup characters, quotes, non-ASCII letters and emoji. A character that
//! XML 1.0 cannot carry fails with an error naming the field.

mod common;

use atollon::item::{CreateFolderItem, CreateProjectItem, Item};
use atollon::main::{
    Address, Company, CompanyAddresses, CompanyContacts, ContactEntry, CreateContact,
    CreateContactPersonOrCompany, Employee, Person, PersonAddresses, PersonContacts, PersonInfo,
    Relation,
};
use atollon::values::{BaseType, BillingFrequency, BillingStatus};
use atollon::web::{CreateMarketingTriggers, MarketingTrigger};
use atollon_client::xml::{
    DateTime, EncodeError, Name, ReadContext, ReadElement, Secret, WriteElement, XmlWriter,
};
use common::ATOLLON;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use rust_decimal::Decimal;

/// Returns whether XML 1.0's `Char` production allows `c`. Rust's `char` already
/// excludes the surrogates.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// Writes `value` as the element `{ATOLLON}local` and reads it back.
fn roundtrip<T: WriteElement + ReadElement>(value: &T, local: &'static str) -> Result<T, String> {
    let mut writer = XmlWriter::new();
    value
        .write_element(&mut writer, Name::new(Some(ATOLLON), local))
        .map_err(|error| format!("write failed: {error}"))?;
    let xml = writer.into_string();
    let document = roxmltree::Document::parse(&xml)
        .map_err(|error| format!("the written XML is not well-formed: {error}\n{xml}"))?;
    T::read_element(document.root_element(), &ReadContext::default())
        .map_err(|error| format!("read failed: {error}\n{xml}"))
}

fn write_error<T: WriteElement>(value: &T, local: &'static str) -> Option<EncodeError> {
    let mut writer = XmlWriter::new();
    value
        .write_element(&mut writer, Name::new(Some(ATOLLON), local))
        .err()
}

// ---- Strategies ----

/// Characters that XML must escape or that stress UTF-8 handling, mixed with plain
/// letters and any other character XML 1.0 allows.
fn xml_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('a', 'z'),
        3 => prop::sample::select(vec![
            '<', '>', '&', '"', '\'', ';', ']', ' ', '\t', '\n', '\r', 'é', 'ß', 'Ž', 'Ж', '中',
            '\u{A0}', '\u{FFFD}', '😀', '🧾', '\u{10FFFF}',
        ]),
        1 => any::<char>().prop_filter("a character XML 1.0 allows", |c| is_xml_char(*c)),
    ]
}

fn text() -> impl Strategy<Value = String> {
    vec(xml_char(), 0..16).prop_map(|chars| chars.into_iter().collect())
}

fn secret() -> impl Strategy<Value = Secret> {
    text().prop_map(Secret::new)
}

fn id() -> impl Strategy<Value = i64> {
    prop_oneof![100_000_000i64..1_000_000_000_000, any::<i64>()]
}

fn flag() -> impl Strategy<Value = i32> {
    prop_oneof![0..=1, any::<i32>()]
}

/// Decimals with up to 12 fraction digits and any sign, as money amounts, quantities
/// and VAT rates take them.
fn decimal() -> impl Strategy<Value = Decimal> {
    (any::<i64>(), 0u32..=12).prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale))
}

/// Date-times in Atollon's form (no time zone) and with the zones XML Schema allows.
fn date_time() -> impl Strategy<Value = DateTime> {
    (
        1900u16..=2199,
        1u8..=12,
        1u8..=28,
        0u8..24,
        0u8..60,
        0u8..60,
        prop::sample::select(vec!["", "Z", "+02:00", "-05:30", ".5", ".250Z"]),
    )
        .prop_map(|(year, month, day, hour, minute, second, suffix)| {
            let lexical =
                format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{suffix}");
            match DateTime::parse(&lexical) {
                Ok(value) => value,
                Err(expected) => panic!("{lexical} is rejected as {expected}"),
            }
        })
}

fn address() -> impl Strategy<Value = Address> {
    (
        (option::of(id()), option::of(text()), option::of(id())),
        (option::of(text()), option::of(flag()), option::of(id())),
        (option::of(text()), option::of(text()), option::of(id())),
        (option::of(id()), option::of(text())),
    )
        .prop_map(
            |(
                (city, city_name, country),
                (country_name, is_primary, region),
                (region_name, street, type_),
                (zip, zip_name),
            )| Address {
                city,
                city_name,
                country,
                country_name,
                is_primary,
                region,
                region_name,
                street,
                type_,
                zip,
                zip_name,
            },
        )
}

fn contact_entry() -> impl Strategy<Value = ContactEntry> {
    (
        text(),
        option::of(flag()),
        option::of(flag()),
        id(),
        option::of(any::<i32>()),
    )
        .prop_map(
            |(content, is_main, is_primary, type_, type_type)| ContactEntry {
                content,
                is_main,
                is_primary,
                type_,
                type_type,
            },
        )
}

fn person_info() -> impl Strategy<Value = PersonInfo> {
    (
        option::of(text()),
        option::of(id()),
        option::of(0..=2i32),
        option::of(1..=4i32),
        option::of(id()),
    )
        .prop_map(
            |(salutation, prefered_lang, sex, marital_status, nationality)| PersonInfo {
                salutation,
                prefered_lang,
                sex,
                marital_status,
                nationality,
            },
        )
}

fn employee() -> impl Strategy<Value = Employee> {
    (
        id(),
        option::of(text()),
        option::of(id()),
        option::of(id()),
        option::of(flag()),
    )
        .prop_map(
            |(id, position_info, position, department, is_primary)| Employee {
                id,
                position_info,
                position,
                department,
                is_primary,
            },
        )
}

fn relation() -> impl Strategy<Value = Relation> {
    (id(), id()).prop_map(|(contact, relation)| Relation { contact, relation })
}

fn person() -> impl Strategy<Value = Person> {
    (
        (text(), option::of(text()), option::of(text())),
        (
            option::of(id()),
            option::of(date_time()),
            option::of(date_time()),
        ),
        (
            option::of(vec(address(), 0..3)),
            option::of(vec(contact_entry(), 0..4)),
        ),
        (
            vec(employee(), 0..2),
            option::of(person_info()),
            vec(relation(), 0..2),
        ),
    )
        .prop_map(
            |(
                (name1, name2, name3),
                (tree_handle, valid_from, valid_to),
                (addresses, contacts),
                (employee, personinfo, relation),
            )| Person {
                name1,
                name2,
                name3,
                tree_handle,
                valid_from,
                valid_to,
                addresses: addresses.map(|address| PersonAddresses { address }),
                contacts: contacts.map(|contact| PersonContacts { contact }),
                employee,
                personinfo,
                relation,
                ..Person::default()
            },
        )
}

fn company() -> impl Strategy<Value = Company> {
    (
        (option::of(id()), text(), option::of(id())),
        (option::of(date_time()), option::of(date_time())),
        (
            option::of(vec(address(), 0..3)),
            option::of(vec(contact_entry(), 0..4)),
            vec(relation(), 0..2),
        ),
    )
        .prop_map(
            |(
                (legal_form, name1, tree_handle),
                (valid_from, valid_to),
                (addresses, contacts, relation),
            )| Company {
                legal_form,
                name1,
                tree_handle,
                valid_from,
                valid_to,
                addresses: addresses.map(|address| CompanyAddresses { address }),
                contacts: contacts.map(|contact| CompanyContacts { contact }),
                relation,
                ..Company::default()
            },
        )
}

fn create_contact() -> impl Strategy<Value = CreateContact> {
    let person_or_company = prop_oneof![
        person().prop_map(CreateContactPersonOrCompany::Person),
        company().prop_map(CreateContactPersonOrCompany::Company),
    ];
    (text(), secret(), person_or_company).prop_map(|(server, session, person_or_company)| {
        CreateContact {
            server,
            session,
            person_or_company,
        }
    })
}

fn billing_status() -> impl Strategy<Value = i32> {
    prop_oneof![
        prop::sample::select(BillingStatus::ALL).prop_map(i32::from),
        any::<i32>(),
    ]
}

fn billing_frequency() -> impl Strategy<Value = i32> {
    prop::sample::select(BillingFrequency::ALL).prop_map(i32::from)
}

fn item() -> impl Strategy<Value = Item> {
    (
        (
            option::of(decimal()),
            option::of(date_time()),
            option::of(billing_status()),
            option::of(decimal()),
            option::of(decimal()),
            option::of(text()),
        ),
        (
            option::of(id()),
            text(),
            option::of(text()),
            option::of(id()),
            option::of(decimal()),
            option::of(decimal()),
        ),
        (
            option::of(id()),
            option::of(decimal()),
            option::of(decimal()),
            option::of(decimal()),
            option::of(decimal()),
            option::of(date_time()),
        ),
        (
            option::of(flag()),
            option::of(date_time()),
            option::of(date_time()),
            option::of(id()),
            option::of(billing_frequency()),
            option::of(1..=3i32),
        ),
    )
        .prop_map(
            |(
                (amount, billing_date, billing_status, total_quantity, catalog_price, currency),
                (item, name, note, project, purchase_price, quantity),
                (folder, total_amount, total_amount_with_vat, vat_value, ratio, taxation_date),
                (
                    is_model_item,
                    valid_from,
                    valid_to,
                    destination_project,
                    billing_frequency,
                    type_,
                ),
            )| Item {
                amount,
                billing_date,
                billing_status,
                total_quantity,
                catalog_price,
                currency,
                item,
                name,
                note,
                project,
                purchase_price,
                quantity,
                folder,
                total_amount,
                total_amount_with_vat,
                vat_value,
                ratio,
                taxation_date,
                is_model_item,
                valid_from,
                valid_to,
                destination_project,
                billing_frequency,
                type_,
            },
        )
}

fn marketing_trigger() -> impl Strategy<Value = MarketingTrigger> {
    let base_type = prop_oneof![
        prop::sample::select(BaseType::ALL).prop_map(String::from),
        text(),
    ];
    (
        (base_type, id(), id()),
        (option::of(text()), option::of(text()), option::of(text())),
        (option::of(text()), option::of(any::<i32>())),
    )
        .prop_map(
            |(
                (base_type, context_id, contact_id),
                (url, tracking_code, description),
                (trigger_date, number_of_visits),
            )| MarketingTrigger {
                base_type,
                context_id,
                contact_id,
                url,
                tracking_code,
                description,
                trigger_date,
                number_of_visits,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn create_contact_roundtrip(value in create_contact()) {
        let read = roundtrip(&value, "CreateContact");
        prop_assert_eq!(read, Ok(value));
    }

    #[test]
    fn project_item_roundtrip(item in item(), server in text(), session in secret()) {
        let value = CreateProjectItem { server, session, item };
        let read = roundtrip(&value, "CreateProjectItem");
        prop_assert_eq!(read, Ok(value));
    }

    #[test]
    fn folder_item_roundtrip(item in item(), server in text(), session in secret()) {
        let value = CreateFolderItem { server, session, item };
        let read = roundtrip(&value, "CreateFolderItem");
        prop_assert_eq!(read, Ok(value));
    }

    #[test]
    fn marketing_trigger_roundtrip(
        marketing_trigger in marketing_trigger(),
        server in text(),
        session in secret(),
    ) {
        let value = CreateMarketingTriggers { server, session, marketing_trigger };
        let read = roundtrip(&value, "CreateMarketingTriggers");
        prop_assert_eq!(read, Ok(value));
    }

    #[test]
    fn invalid_character_names_field(
        before in text(),
        after in text(),
        invalid in prop::sample::select(vec![
            '\u{0}', '\u{1}', '\u{8}', '\u{B}', '\u{C}', '\u{1B}', '\u{1F}', '\u{FFFE}', '\u{FFFF}',
        ]),
    ) {
        let value = CreateContact {
            server: "acme".into(),
            session: Secret::new("T"),
            person_or_company: CreateContactPersonOrCompany::Company(Company {
                name1: format!("{before}{invalid}{after}"),
                ..Company::default()
            }),
        };
        prop_assert_eq!(
            write_error(&value, "CreateContact"),
            Some(EncodeError::InvalidCharacter {
                path: "CreateContact/COMPANY/name1".into(),
                character: invalid,
            })
        );
    }
}

// ---- Fixed cases ----

#[test]
fn hard_strings_roundtrip() {
    let strings = [
        "",
        " ",
        "  leading and trailing  ",
        "a < b && c > d",
        "]]>",
        "\"double\" and 'single'",
        "Žluťoučký kůň",
        "🧾 Rechnung für Café",
        "line one\r\nline two\rline three\n",
        "tab\there",
        "&amp; already escaped",
    ];
    for text in strings {
        let value = CreateContact {
            server: text.into(),
            session: Secret::new(text),
            person_or_company: CreateContactPersonOrCompany::Person(Person {
                name1: text.into(),
                contacts: Some(PersonContacts {
                    contact: vec![ContactEntry {
                        content: text.into(),
                        type_: 132031101,
                        ..ContactEntry::default()
                    }],
                }),
                ..Person::default()
            }),
        };
        assert_eq!(roundtrip(&value, "CreateContact"), Ok(value), "{text:?}");
    }
}

#[test]
fn invalid_character_in_nested_field() {
    let cases = [
        (
            CreateContactPersonOrCompany::Person(Person {
                addresses: Some(PersonAddresses {
                    address: vec![Address {
                        street: Some("Sample Street\u{0}7".into()),
                        ..Address::default()
                    }],
                }),
                ..Person::default()
            }),
            "CreateContact/PERSON/ADDRESSES/ADDRESS/street",
            '\u{0}',
        ),
        (
            CreateContactPersonOrCompany::Person(Person {
                personinfo: Some(PersonInfo {
                    salutation: Some("Dear\u{FFFF}".into()),
                    ..PersonInfo::default()
                }),
                ..Person::default()
            }),
            "CreateContact/PERSON/PERSONINFO/salutation",
            '\u{FFFF}',
        ),
    ];
    for (person_or_company, path, character) in cases {
        let value = CreateContact {
            server: "acme".into(),
            session: Secret::new("T"),
            person_or_company,
        };
        let error = write_error(&value, "CreateContact");
        assert_eq!(
            error,
            Some(EncodeError::InvalidCharacter {
                path: path.into(),
                character
            })
        );
    }
}

#[test]
fn invalid_character_in_session_hides_value() {
    let value = CreateMarketingTriggers {
        server: "acme".into(),
        session: Secret::new("6A941A9BC9EB\u{1}EFAF585A4B936AA958755B1C85E2BD04"),
        ..CreateMarketingTriggers::default()
    };
    let Some(error) = write_error(&value, "CreateMarketingTriggers") else {
        panic!("a control character in the session was written");
    };
    let message = error.to_string();
    assert!(
        message.contains("CreateMarketingTriggers/session"),
        "{message}"
    );
    assert!(!message.contains("6A941A9BC9EB"), "{message}");
}
