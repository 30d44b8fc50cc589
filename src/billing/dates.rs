//! Lexical date handling: shop dates to Atollon's `xs:dateTime` without a time zone, and
//! calendar arithmetic for subscription periods. Dates stay text; no time zone is
//! converted, because Atollon's dates carry none and the shop's local time is the time
//! the customer saw.

use super::model::BillingPeriod;

/// A calendar date and time of day, as written by the shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalDateTime {
    /// Year.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u32,
    /// Day of the month, from 1.
    pub day: u32,
    /// Hour, 0 to 23.
    pub hour: u32,
    /// Minute, 0 to 59.
    pub minute: u32,
    /// Second, 0 to 60 (a leap second is kept as written).
    pub second: u32,
}

impl LocalDateTime {
    /// Parses `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]` or `YYYY-MM-DDTHH:MM[:SS]`, each with an
    /// optional fraction of a second and time zone (`Z`, `+01:00`, `-0500`), which are
    /// dropped: the local time is kept.
    pub fn parse(text: &str) -> Option<LocalDateTime> {
        let text = text.trim();
        let bytes = text.as_bytes();
        if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let year = digits(text.get(0..4)?)? as i32;
        let month = digits(text.get(5..7)?)?;
        let day = digits(text.get(8..10)?)?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        let mut result = LocalDateTime {
            year,
            month,
            day,
            hour: 0,
            minute: 0,
            second: 0,
        };

        let rest = &text[10..];
        if rest.is_empty() {
            return Some(result);
        }
        let time = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
        result.hour = digits(time.get(0..2)?)?;
        if time.as_bytes().get(2) != Some(&b':') {
            return None;
        }
        result.minute = digits(time.get(3..5)?)?;

        let mut tail = &time[5..];
        if let Some(seconds) = tail.strip_prefix(':') {
            result.second = digits(seconds.get(0..2)?)?;
            tail = &seconds[2..];
        }
        if let Some(fraction) = tail.strip_prefix('.') {
            let end = fraction
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(fraction.len());
            if end == 0 {
                return None;
            }
            tail = &fraction[end..];
        }

        let zone_ok = tail.is_empty()
            || tail == "Z"
            || ((tail.starts_with('+') || tail.starts_with('-'))
                && matches!(tail.len(), 3 | 5 | 6)
                && tail[1..].chars().all(|c| c.is_ascii_digit() || c == ':'));
        if result.hour > 23 || result.minute > 59 || result.second > 60 || !zone_ok {
            return None;
        }
        Some(result)
    }

    /// Formats as Atollon's `xs:dateTime` without zone: `2024-03-05T14:07:33`.
    pub fn to_atollon(self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// Formats as a marketing trigger date: `2024-03-05 14:07`.
    pub fn to_trigger_date(self) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute
        )
    }

    /// Adds `count` periods. Months and years keep the day of the month, clamped to the
    /// month's last day: 31 January plus one month is 28 or 29 February.
    pub fn add(self, period: BillingPeriod, count: u32) -> LocalDateTime {
        match period {
            BillingPeriod::Day => self.add_days(i64::from(count)),
            BillingPeriod::Week => self.add_days(7 * i64::from(count)),
            BillingPeriod::Month => self.add_months(count),
            BillingPeriod::Year => self.add_months(12 * count),
        }
    }

    fn add_months(self, count: u32) -> LocalDateTime {
        let total = self.year as i64 * 12 + i64::from(self.month - 1) + i64::from(count);
        let year = (total.div_euclid(12)) as i32;
        let month = (total.rem_euclid(12) + 1) as u32;
        LocalDateTime {
            year,
            month,
            day: self.day.min(days_in_month(year, month)),
            ..self
        }
    }

    fn add_days(self, count: i64) -> LocalDateTime {
        let (year, month, day) =
            civil_from_days(days_from_civil(self.year, self.month, self.day) + count);
        LocalDateTime {
            year,
            month,
            day,
            ..self
        }
    }
}

fn digits(text: &str) -> Option<u32> {
    if text.chars().all(|c| c.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let m = i64::from(month);
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (year_of_era + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> String {
        LocalDateTime::parse(text)
            .map(LocalDateTime::to_atollon)
            .unwrap_or_default()
    }

    #[test]
    fn shop_date_forms() {
        assert_eq!(parse("2017-03-22T16:28:02"), "2017-03-22T16:28:02");
        assert_eq!(parse("2008-01-10T11:00:00-05:00"), "2008-01-10T11:00:00");
        assert_eq!(parse("2024-03-05 14:07:33"), "2024-03-05T14:07:33");
        assert_eq!(parse("2024-03-05"), "2024-03-05T00:00:00");
        assert_eq!(parse("2024-03-05T14:07:33.123Z"), "2024-03-05T14:07:33");
        assert_eq!(parse("2024-03-05T14:07"), "2024-03-05T14:07:00");
    }

    #[test]
    fn invalid_dates_rejected() {
        for text in [
            "2024-02-30",
            "2023-13-01",
            "05.03.2024",
            "2024-03-05X10:00",
            "2024-03-05T25:00:00",
            "",
        ] {
            assert_eq!(LocalDateTime::parse(text), None, "{text}");
        }
    }

    #[test]
    fn period_arithmetic() {
        let start = LocalDateTime::parse("2024-01-31T10:00:00").unwrap();
        // 2024 is a leap year: 31 January + 1 month is clamped to 29 February.
        assert_eq!(
            start.add(BillingPeriod::Month, 1).to_atollon(),
            "2024-02-29T10:00:00"
        );
        assert_eq!(
            start.add(BillingPeriod::Month, 13).to_atollon(),
            "2025-02-28T10:00:00"
        );
        assert_eq!(
            start.add(BillingPeriod::Year, 1).to_atollon(),
            "2025-01-31T10:00:00"
        );
        assert_eq!(
            start.add(BillingPeriod::Week, 1).to_atollon(),
            "2024-02-07T10:00:00"
        );
        assert_eq!(
            start.add(BillingPeriod::Day, 30).to_atollon(),
            "2024-03-01T10:00:00"
        );
        let end_of_year = LocalDateTime::parse("2023-12-31").unwrap();
        assert_eq!(
            end_of_year.add(BillingPeriod::Day, 1).to_atollon(),
            "2024-01-01T00:00:00"
        );
    }
}
