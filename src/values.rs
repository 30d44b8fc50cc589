//! Typed constants for the value sets that Atollon documents only in prose.
//!
//! Atollon's contract declares no enumeration types: statuses, frequencies and list names
//! are plain `xs:int` or `xs:string` fields in the generated structs. The wrappers here
//! name the documented values and convert to the field types, so a request reads
//! `billing_status: Some(BillingStatus::APPROVED.into())` instead of a bare `3`.
//!
//! Each wrapper accepts any value, not only the documented ones, because an instance may
//! return values that the public pages do not list.
//!
//! ```
//! use atollon::values::{BaseType, BillingStatus};
//!
//! let status: i32 = BillingStatus::APPROVED.into();
//! assert_eq!(status, 3);
//! assert_eq!(BillingStatus::from(4).name(), Some("billed"));
//! assert_eq!(BillingStatus::from(42).name(), None);
//! assert_eq!(BaseType::NEW_PHONE_NUMBER.as_str(), "new-phone-number");
//! ```

use std::borrow::Cow;
use std::fmt;

/// Defines a wrapper around `i32` with one associated constant per documented value.
macro_rules! int_values {
    (
        $(#[$type_doc:meta])*
        $type:ident {
            $( $(#[$const_doc:meta])* $constant:ident = $value:literal, $name:literal; )+
        }
    ) => {
        $(#[$type_doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $type(pub i32);

        impl $type {
            $( $(#[$const_doc])* pub const $constant: Self = Self($value); )+

            /// Every documented value, in ascending order.
            pub const ALL: &'static [Self] = &[$(Self::$constant),+];

            /// Returns the value as sent on the wire.
            pub const fn value(self) -> i32 {
                self.0
            }

            /// Returns the documented meaning of the value, or `None` for a value that
            /// Atollon does not document.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some($name), )+
                    _ => None,
                }
            }
        }

        impl From<i32> for $type {
            fn from(value: i32) -> Self {
                Self(value)
            }
        }

        impl From<$type> for i32 {
            fn from(value: $type) -> i32 {
                value.0
            }
        }

        /// Writes the number followed by its meaning, such as `3 (approved)`, or only the
        /// number for an undocumented value.
        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.name() {
                    Some(name) => write!(f, "{} ({name})", self.0),
                    None => write!(f, "{}", self.0),
                }
            }
        }
    };
}

/// Defines a wrapper around a string with one associated constant per documented value.
macro_rules! string_values {
    (
        $(#[$type_doc:meta])*
        $type:ident {
            $( $(#[$const_doc:meta])* $constant:ident = $value:literal; )+
        }
    ) => {
        $(#[$type_doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $type(Cow<'static, str>);

        impl $type {
            $( $(#[$const_doc])* pub const $constant: Self = Self(Cow::Borrowed($value)); )+

            /// Every documented value, in the order Atollon's pages list them.
            pub const ALL: &'static [Self] = &[$(Self::$constant),+];

            /// Wraps any value, documented or not.
            pub fn new(value: impl Into<Cow<'static, str>>) -> Self {
                Self(value.into())
            }

            /// Returns the value as sent on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Returns whether Atollon documents this value.
            pub fn is_documented(&self) -> bool {
                Self::ALL.iter().any(|known| known.0 == self.0)
            }
        }

        impl From<&'static str> for $type {
            fn from(value: &'static str) -> Self {
                Self(Cow::Borrowed(value))
            }
        }

        impl From<String> for $type {
            fn from(value: String) -> Self {
                Self(Cow::Owned(value))
            }
        }

        impl From<$type> for String {
            fn from(value: $type) -> String {
                value.0.into_owned()
            }
        }

        impl AsRef<str> for $type {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

int_values! {
    /// Billing status of a billing item: `ITEM/billingStatus` of CreateProjectItem and
    /// CreateFolderItem.
    ///
    /// A folder item (a recurring billing rule) takes only 1 pending, 2 for approval and
    /// 3, which for a rule means "to be invoiced".
    BillingStatus {
        /// 0: sales item, which counts toward the deal value and is not invoiced.
        SALES_ITEM = 0, "sales item";
        /// 1: pending.
        PENDING = 1, "pending";
        /// 2: waiting for approval.
        FOR_APPROVAL = 2, "for approval";
        /// 3: approved, so an invoice may be generated from the item. On a folder item
        /// (a billing rule) 3 means "to be invoiced".
        APPROVED = 3, "approved";
        /// 4: billed.
        BILLED = 4, "billed";
        /// 5: approved by the client.
        APPROVED_BY_CLIENT = 5, "approved by client";
        /// 6: postponed.
        POSTPONED = 6, "postponed";
        /// 7: cancelled.
        CANCELLED = 7, "cancelled";
        /// 999: installed technology.
        INSTALLED_TECHNOLOGY = 999, "installed technology";
    }
}

int_values! {
    /// How often a recurring billing rule generates a billing item:
    /// `ITEM/billingFrequency` of CreateFolderItem.
    BillingFrequency {
        /// 2: once a year.
        YEARLY = 2, "yearly";
        /// 4: once a quarter.
        QUARTERLY = 4, "quarterly";
        /// 6: once a month.
        MONTHLY = 6, "monthly";
        /// 8: once a week.
        WEEKLY = 8, "weekly";
        /// 10: once a day.
        DAILY = 10, "daily";
    }
}

int_values! {
    /// Kind of billing item: `ITEM/type` of CreateProjectItem and CreateFolderItem.
    ItemType {
        /// 1: sales or billing item.
        SALES_OR_BILLING = 1, "sales or billing item";
        /// 2: item generated from a time sheet.
        GENERATED_TIME_SHEET = 2, "generated time-sheet item";
        /// 3: installed technology.
        INSTALLED_TECHNOLOGY = 3, "installed technology";
    }
}

int_values! {
    /// Sex of a person: `PERSON/PERSONINFO/sex` of CreateContact.
    Sex {
        /// 0: not set.
        NOT_SET = 0, "not set";
        /// 1: male.
        MALE = 1, "male";
        /// 2: female.
        FEMALE = 2, "female";
    }
}

int_values! {
    /// Marital status of a person: `PERSON/PERSONINFO/maritalStatus` of CreateContact.
    MaritalStatus {
        /// 1: single.
        SINGLE = 1, "single";
        /// 2: married.
        MARRIED = 2, "married";
        /// 3: divorced.
        DIVORCED = 3, "divorced";
        /// 4: widowed.
        WIDOWED = 4, "widowed";
    }
}

string_values! {
    /// Action of a contact that caused a marketing trigger: `MARKETING_TRIGGER/baseType` of
    /// CreateMarketingTriggers.
    ///
    /// NOTE: Atollon lists these values without descriptions, so the meanings below are
    /// read from the names.
    BaseType {
        /// `new-phone-number`: the contact added a phone number.
        NEW_PHONE_NUMBER = "new-phone-number";
        /// `url-visit`: the contact visited a page.
        URL_VISIT = "url-visit";
        /// `goal-achieved`: the contact reached a goal.
        GOAL_ACHIEVED = "goal-achieved";
        /// `mail-url-visit`: the contact followed a link in a mailing.
        MAIL_URL_VISIT = "mail-url-visit";
        /// `mail-open`: the contact opened a mailing.
        MAIL_OPEN = "mail-open";
        /// `unsubscribe`: the contact unsubscribed.
        UNSUBSCRIBE = "unsubscribe";
    }
}

string_values! {
    /// Name of a contact-module list: `list` of ListContactList. The ids of the listed
    /// values differ per instance, so a client reads them once per instance.
    ContactListName {
        /// `contacttype`: contact entry types (e-mail, phone), the ids that
        /// `CONTACT/type` takes.
        CONTACT_TYPE = "contacttype";
        /// `industry`: industries, the ids that `INDUSTRY/industry` takes.
        INDUSTRY = "industry";
        /// `nationality`: nationalities, the ids that `PERSONINFO/nationality` takes.
        NATIONALITY = "nationality";
        /// `companylegalform`: legal forms of companies, the ids that
        /// `COMPANY/legalForm` takes.
        COMPANY_LEGAL_FORM = "companylegalform";
        /// `category`: contact categories.
        CATEGORY = "category";
        /// `department`: departments, the ids that `EMPLOYEE/department` takes.
        DEPARTMENT = "department";
        /// `position`: job positions, the ids that `EMPLOYEE/position` takes.
        POSITION = "position";
        /// `addresstype`: address types, the ids that `ADDRESS/type` takes.
        ADDRESS_TYPE = "addresstype";
        /// `relationtype_p`: relation types between persons.
        PERSON_RELATION_TYPE = "relationtype_p";
        /// `relationtype_c`: relation types of companies.
        COMPANY_RELATION_TYPE = "relationtype_c";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn billing_status_values() {
        let expected = [
            (BillingStatus::SALES_ITEM, 0, "sales item"),
            (BillingStatus::PENDING, 1, "pending"),
            (BillingStatus::FOR_APPROVAL, 2, "for approval"),
            (BillingStatus::APPROVED, 3, "approved"),
            (BillingStatus::BILLED, 4, "billed"),
            (BillingStatus::APPROVED_BY_CLIENT, 5, "approved by client"),
            (BillingStatus::POSTPONED, 6, "postponed"),
            (BillingStatus::CANCELLED, 7, "cancelled"),
            (
                BillingStatus::INSTALLED_TECHNOLOGY,
                999,
                "installed technology",
            ),
        ];
        assert_eq!(BillingStatus::ALL.len(), expected.len());
        for (status, value, name) in expected {
            assert_eq!(i32::from(status), value);
            assert_eq!(status.name(), Some(name));
            assert_eq!(BillingStatus::from(value), status);
        }
        assert_eq!(BillingStatus(8).name(), None);
    }

    #[test]
    fn billing_frequency_values() {
        let values: Vec<i32> = BillingFrequency::ALL.iter().map(|f| f.value()).collect();
        assert_eq!(values, [2, 4, 6, 8, 10]);
        assert_eq!(BillingFrequency::YEARLY.name(), Some("yearly"));
        assert_eq!(BillingFrequency::DAILY.name(), Some("daily"));
        assert_eq!(BillingFrequency(3).name(), None);
    }

    #[test]
    fn person_and_item_values() {
        assert_eq!(ItemType::GENERATED_TIME_SHEET.value(), 2);
        assert_eq!(Sex::NOT_SET.value(), 0);
        assert_eq!(Sex::FEMALE.value(), 2);
        assert_eq!(MaritalStatus::WIDOWED.value(), 4);
        assert_eq!(MaritalStatus(0).name(), None);
    }

    #[test]
    fn display_shows_number_and_name() {
        assert_eq!(BillingStatus::APPROVED.to_string(), "3 (approved)");
        assert_eq!(BillingStatus(42).to_string(), "42");
    }

    #[test]
    fn base_type_strings() {
        let values: Vec<&str> = BaseType::ALL.iter().map(BaseType::as_str).collect();
        assert_eq!(
            values,
            [
                "new-phone-number",
                "url-visit",
                "goal-achieved",
                "mail-url-visit",
                "mail-open",
                "unsubscribe"
            ]
        );
        assert!(BaseType::from(String::from("mail-open")).is_documented());
        assert!(!BaseType::new("page-like").is_documented());
        assert_eq!(String::from(BaseType::URL_VISIT), "url-visit");
    }

    #[test]
    fn contact_list_names() {
        assert_eq!(ContactListName::ALL.len(), 10);
        assert_eq!(ContactListName::CONTACT_TYPE.as_str(), "contacttype");
        assert_eq!(
            ContactListName::PERSON_RELATION_TYPE.as_str(),
            "relationtype_p"
        );
        assert_eq!(
            ContactListName::COMPANY_RELATION_TYPE.to_string(),
            "relationtype_c"
        );
    }
}
