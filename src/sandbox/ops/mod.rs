//! The effect of each operation on the state, apart from HTTP, sessions and faults.
//!
//! Every function checks its request the way Atollon would and either adds records to the
//! [`Draft`](super::state::Draft) or returns a [`Rejection`], which becomes the non-OK
//! `result` text.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};

use super::civil::CivilDateTime;
use super::config::Instance;

pub(crate) mod contacts;
pub(crate) mod invoices;
pub(crate) mod items;
pub(crate) mod projects;
pub(crate) mod triggers;

/// The inputs of an operation besides the state.
pub(crate) struct Context<'c> {
    pub(crate) instance: &'c Instance,
    /// The sandbox clock's current time.
    pub(crate) now: CivilDateTime,
}

/// The rejection of a request that Atollon would reject with a non-OK `result`, whose
/// text this is.
///
/// Every text starts with `ERROR: ` and names the element path of the offending value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rejection(String);

impl Rejection {
    /// `ERROR: {what}`, for texts that fit no other constructor.
    pub(crate) fn new(what: impl fmt::Display) -> Self {
        Rejection(format!("ERROR: {what}"))
    }

    /// `ERROR: contact 123 not found (FOLDER/contact)`.
    pub(crate) fn not_found(kind: &str, id: i64, path: &str) -> Self {
        Rejection::new(format_args!("{kind} {id} not found ({path})"))
    }

    /// `ERROR: FOLDER/contact is missing`.
    pub(crate) fn missing(path: &str) -> Self {
        Rejection::new(format_args!("{path} is missing"))
    }

    /// `ERROR: ITEM/billingStatus 9 is invalid: expected one of ...`.
    pub(crate) fn invalid(path: &str, value: impl fmt::Display, expected: &str) -> Self {
        Rejection::new(format_args!("{path} {value} is invalid: {expected}"))
    }

    pub(crate) fn into_text(self) -> String {
        self.0
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Rejects an empty or blank text.
pub(crate) fn require_text(path: &str, text: &str) -> Result<(), Rejection> {
    if text.trim().is_empty() {
        return Err(Rejection::new(format_args!("{path} is empty")));
    }
    Ok(())
}

/// Rejects a 0/1 flag with another value.
pub(crate) fn check_flag(path: &str, flag: Option<i32>) -> Result<(), Rejection> {
    match flag {
        None | Some(0 | 1) => Ok(()),
        Some(other) => Err(Rejection::invalid(path, other, "expected 0 or 1")),
    }
}

/// Checks a currency code: three upper-case ASCII letters, the form of ISO 4217 codes.
pub(crate) fn check_currency(path: &str, currency: &str) -> Result<(), Rejection> {
    let valid = currency.len() == 3 && currency.bytes().all(|byte| byte.is_ascii_uppercase());
    if valid {
        return Ok(());
    }
    Err(Rejection::invalid(
        path,
        format_args!("{currency:?}"),
        "expected an ISO 4217 code such as CZK or EUR",
    ))
}

/// Parses an `xs:dateTime` that the generated decoder already checked, for comparisons.
pub(crate) fn parse_date(path: &str, text: &str) -> Result<CivilDateTime, Rejection> {
    CivilDateTime::parse_date_time(text)
        .map_err(|reason| Rejection::new(format_args!("{path} is invalid: {reason}")))
}

/// Computes a missing `totalAmount` as `quantity * amount` (a missing quantity counts as
/// 1), and a missing `totalAmountWithVat` as `totalAmount * (100 + vatValue) / 100`,
/// rounded half away from zero to 2 decimal places. Values the client sent are kept as
/// they are.
pub(crate) fn complete_totals(
    amount: Option<Decimal>,
    quantity: Option<Decimal>,
    vat_value: Option<Decimal>,
    total_amount: Option<Decimal>,
    total_amount_with_vat: Option<Decimal>,
) -> (Option<Decimal>, Option<Decimal>) {
    let total = total_amount
        .or_else(|| amount.and_then(|amount| amount.checked_mul(quantity.unwrap_or(Decimal::ONE))));
    let with_vat = total_amount_with_vat.or_else(|| {
        let total = total?;
        let factor = (Decimal::ONE_HUNDRED + vat_value.unwrap_or(Decimal::ZERO))
            .checked_div(Decimal::ONE_HUNDRED)?;
        total
            .checked_mul(factor)
            .map(|value| value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
    });
    (total, with_vat)
}

/// Rejects a negative value.
pub(crate) fn check_not_negative(path: &str, value: Option<Decimal>) -> Result<(), Rejection> {
    match value {
        Some(value) if value.is_sign_negative() && !value.is_zero() => {
            Err(Rejection::invalid(path, value, "expected zero or more"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(text: &str) -> Decimal {
        match text.parse() {
            Ok(value) => value,
            Err(error) => panic!("{text}: {error}"),
        }
    }

    #[test]
    fn totals_of_published_example() {
        // 5 x 1234 = 6170; 6170 x 1.10 = 6787.
        let (total, with_vat) = complete_totals(
            Some(decimal("1234")),
            Some(decimal("5")),
            Some(decimal("10")),
            None,
            None,
        );
        assert_eq!(total, Some(decimal("6170")));
        assert_eq!(with_vat, Some(decimal("6787.00")));
    }

    #[test]
    fn totals_keep_sent_values() {
        let (total, with_vat) = complete_totals(
            Some(decimal("1234")),
            Some(decimal("5")),
            Some(decimal("10")),
            Some(decimal("6000")),
            Some(decimal("6600")),
        );
        assert_eq!(total, Some(decimal("6000")));
        assert_eq!(with_vat, Some(decimal("6600")));
    }

    #[test]
    fn totals_round_vat_half_away() {
        // 0.05 x 1.21 = 0.0605, which rounds to 0.06.
        let (_, with_vat) =
            complete_totals(Some(decimal("0.05")), None, Some(decimal("21")), None, None);
        assert_eq!(with_vat, Some(decimal("0.06")));
    }

    #[test]
    fn currency_codes() {
        assert_eq!(check_currency("ITEM/currency", "CZK"), Ok(()));
        assert!(check_currency("ITEM/currency", "czk").is_err());
        assert!(check_currency("ITEM/currency", "EURO").is_err());
    }
}
