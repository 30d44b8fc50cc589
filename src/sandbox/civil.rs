//! Calendar arithmetic on Atollon's zone-less date-times (`2020-05-14T00:00:00`), for the
//! sandbox clock and the occurrences of recurring billing rules.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A date and time of day without a time zone, ordered by time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct CivilDateTime {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl CivilDateTime {
    /// Parses the `YYYY-MM-DDTHH:MM:SS` start of an `xs:dateTime`.
    ///
    /// NOTE: fractional seconds and a time-zone suffix are accepted and ignored, because
    /// Atollon's dates carry no zone and the sandbox compares them as local times.
    pub(crate) fn parse_date_time(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let expected = "expected YYYY-MM-DDTHH:MM:SS";
        let (date, time) = text
            .split_once('T')
            .ok_or_else(|| format!("{text:?} is not a date-time; {expected}"))?;
        let time = time.get(..8).unwrap_or(time);
        Self::from_parts(date, time, true).map_err(|reason| format!("{text:?}: {reason}"))
    }

    /// Parses the `YYYY-MM-DD HH:MM` form of `MARKETING_TRIGGER/triggerDate`.
    pub(crate) fn parse_trigger_date(text: &str) -> Result<Self, String> {
        let (date, time) = text
            .split_once(' ')
            .ok_or_else(|| format!("{text:?} is not of the form YYYY-MM-DD HH:MM"))?;
        Self::from_parts(date, time, false).map_err(|reason| format!("{text:?}: {reason}"))
    }

    fn from_parts(date: &str, time: &str, with_seconds: bool) -> Result<Self, String> {
        let date_fields: Vec<&str> = date.split('-').collect();
        let [year, month, day] = date_fields.as_slice() else {
            return Err("the date is not of the form YYYY-MM-DD".to_owned());
        };
        let time_fields: Vec<&str> = time.split(':').collect();
        let (hour, minute, second) = match (time_fields.as_slice(), with_seconds) {
            ([hour, minute, second], true) => (*hour, *minute, *second),
            ([hour, minute], false) => (*hour, *minute, "00"),
            _ => return Err("the time of day has the wrong number of fields".to_owned()),
        };
        let value = CivilDateTime {
            year: parse_field(year, 4, "year")?,
            month: parse_field(month, 2, "month")?,
            day: parse_field(day, 2, "day")?,
            hour: parse_field(hour, 2, "hour")?,
            minute: parse_field(minute, 2, "minute")?,
            second: parse_field(second, 2, "second")?,
        };
        if !(1..=12).contains(&value.month) {
            return Err(format!("month {} is out of range 1-12", value.month));
        }
        let month_length = days_in_month(value.year, value.month);
        if value.day == 0 || value.day > month_length {
            return Err(format!(
                "day {} is out of range 1-{month_length}",
                value.day
            ));
        }
        if value.hour > 23 || value.minute > 59 || value.second > 59 {
            return Err("the time of day is out of range".to_owned());
        }
        Ok(value)
    }

    /// Returns the current time in UTC.
    pub(crate) fn now_utc() -> Self {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        let days = i64::try_from(seconds / 86_400).unwrap_or(0);
        let second_of_day = seconds % 86_400;
        let (year, month, day) = civil_from_days(days);
        CivilDateTime {
            year,
            month,
            day,
            hour: (second_of_day / 3600) as u32,
            minute: (second_of_day / 60 % 60) as u32,
            second: (second_of_day % 60) as u32,
        }
    }

    /// Adds `months` calendar months. A day that the target month lacks becomes its last
    /// day (31 January plus one month is 28 or 29 February).
    pub(crate) fn add_months(self, months: i64) -> Self {
        let index = i64::from(self.year) * 12 + i64::from(self.month) - 1 + months;
        let year = i32::try_from(index.div_euclid(12)).unwrap_or(i32::MAX);
        let month = index.rem_euclid(12) as u32 + 1;
        CivilDateTime {
            year,
            month,
            day: self.day.min(days_in_month(year, month)),
            ..self
        }
    }

    /// Adds `days` days.
    pub(crate) fn add_days(self, days: i64) -> Self {
        let (year, month, day) =
            civil_from_days(days_from_civil(self.year, self.month, self.day) + days);
        CivilDateTime {
            year,
            month,
            day,
            ..self
        }
    }
}

impl fmt::Display for CivilDateTime {
    /// Writes the `xs:dateTime` form Atollon uses, `2020-05-14T00:00:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

fn parse_field<T: std::str::FromStr>(text: &str, width: usize, field: &str) -> Result<T, String> {
    if text.len() != width || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(format!("the {field} {text:?} is not {width} digits"));
    }
    text.parse()
        .map_err(|_| format!("the {field} {text:?} is not a number"))
}

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Counts the days from 1970-01-01 to a proleptic Gregorian date. The year is shifted to
/// start in March, so the leap day ends it, and split into 400-year eras of 146097 days.
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Converts a day count from 1970-01-01 back to a date, reversing [`days_from_civil`].
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (i32::try_from(year).unwrap_or(i32::MAX), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> CivilDateTime {
        match CivilDateTime::parse_date_time(text) {
            Ok(value) => value,
            Err(error) => panic!("{error}"),
        }
    }

    #[test]
    fn parses_and_formats() {
        assert_eq!(at("2020-05-14T00:00:00").to_string(), "2020-05-14T00:00:00");
        assert_eq!(
            at("2020-05-14T08:30:15.25+02:00").to_string(),
            "2020-05-14T08:30:15"
        );
        assert!(CivilDateTime::parse_date_time("2021-02-29T00:00:00").is_err());
        assert!(CivilDateTime::parse_date_time("2020-05-14").is_err());
        assert!(CivilDateTime::parse_date_time("2020-13-01T00:00:00").is_err());
    }

    #[test]
    fn trigger_date_form() {
        let Ok(value) = CivilDateTime::parse_trigger_date("2020-07-31 12:00") else {
            panic!("the published trigger date does not parse");
        };
        assert_eq!(value.to_string(), "2020-07-31T12:00:00");
        assert!(CivilDateTime::parse_trigger_date("2020-07-31T12:00").is_err());
    }

    #[test]
    fn month_arithmetic_clamps_day() {
        assert_eq!(
            at("2020-01-31T00:00:00").add_months(1).to_string(),
            "2020-02-29T00:00:00"
        );
        assert_eq!(
            at("2021-01-31T00:00:00").add_months(1).to_string(),
            "2021-02-28T00:00:00"
        );
        assert_eq!(
            at("2020-05-14T00:00:00").add_months(12 * 3).to_string(),
            "2023-05-14T00:00:00"
        );
        assert_eq!(
            at("2020-11-30T00:00:00").add_months(3).to_string(),
            "2021-02-28T00:00:00"
        );
    }

    #[test]
    fn day_arithmetic_crosses_years() {
        assert_eq!(
            at("2020-12-25T10:00:00").add_days(7).to_string(),
            "2021-01-01T10:00:00"
        );
        assert_eq!(
            at("2020-02-28T00:00:00").add_days(1).to_string(),
            "2020-02-29T00:00:00"
        );
        assert_eq!(
            at("1970-01-01T00:00:00").add_days(19_358).to_string(),
            "2023-01-01T00:00:00"
        );
    }

    #[test]
    fn days_round_trip() {
        for days in [-800_000, -1, 0, 1, 59, 60, 11_016, 19_358, 2_932_896] {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), days, "day number {days}");
        }
    }
}
