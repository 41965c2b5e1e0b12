//! Calendar dates as pages, schedules and reviews write them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// A calendar date written `YYYY-MM-DD`; anything else (or 2025-02-30) is an error at its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub time::Date);

const YMD: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// Why a text is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateProblem {
    /// Not `YYYY-MM-DD`.
    Shape,
    /// In that shape but no day of the calendar (`2026-02-30`).
    NotReal,
}

impl Date {
    pub fn parse(s: &str) -> Result<Date, String> {
        let s = s.trim();
        Date::parse_checked(s).map_err(|p| match p {
            DateProblem::Shape => format!("'{s}' is not a date in the form YYYY-MM-DD"),
            DateProblem::NotReal => format!("'{s}' is not a real calendar date"),
        })
    }

    /// [`Date::parse`], with what is wrong as data (for a front end to say in its language).
    pub fn parse_checked(s: &str) -> Result<Date, DateProblem> {
        let s = s.trim();
        let shape_ok = s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !shape_ok {
            return Err(DateProblem::Shape);
        }
        time::Date::parse(s, YMD)
            .map(Date)
            .map_err(|_| DateProblem::NotReal)
    }

    /// `2025-10-07`
    pub fn iso(&self) -> String {
        self.0.format(YMD).unwrap_or_default()
    }

    /// `October 7, 2025`, for people.
    pub fn long(&self) -> String {
        format!("{} {}, {}", self.0.month(), self.0.day(), self.0.year())
    }

    /// The date as `format` writes it (`Tue 1 Dec 2026` by default).
    /// Day and abbreviated month, "8 Dec": the tick labels of a handout's chart and of its
    /// weekly boxes.
    pub fn day_month(&self) -> String {
        format!("{} {}", self.0.day(), &self.0.month().to_string()[..3])
    }

    pub fn format(&self, format: &DateFormat) -> String {
        // DateFormat::parse made sure every component is one a date has.
        self.0.format(&format.0).unwrap_or_else(|_| self.iso())
    }

    pub fn from_unix_seconds(secs: i64) -> Option<Date> {
        time::OffsetDateTime::from_unix_timestamp(secs)
            .ok()
            .map(|t| Date(t.date()))
    }

    /// Days from `self` to `other` (positive when `other` is later).
    pub fn days_until(&self, other: Date) -> i64 {
        (other.0 - self.0).whole_days()
    }
}

/// How a handout writes a date for patients: a `time` format description such as
/// `[weekday repr:short] [day padding:none] [month repr:short] [year]` (`Tue 1 Dec 2026`, the
/// default), set by `[handout] date_format` in careguide.toml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateFormat(time::format_description::OwnedFormatItem);

/// The default handout date: the weekday first, as a calendar reads.
pub const DEFAULT_DATE_FORMAT: &str =
    "[weekday repr:short] [day padding:none] [month repr:short] [year]";

impl DateFormat {
    /// Reads a format description; only date components (year, month, day, weekday, ordinal)
    /// are allowed, since a date has no time of day to print.
    pub fn parse(s: &str) -> Result<DateFormat, String> {
        let items = time::format_description::parse_owned::<2>(s)
            .map_err(|e| format!("'{s}' is not a date format: {e}"))?;
        let f = DateFormat(items);
        // A component a date lacks (an hour, a zone) fails when formatting: try it once.
        let probe = Date(time::macros::date!(2026 - 12 - 01));
        probe.0.format(&f.0).map_err(|_| {
            format!("'{s}' asks for more than a date holds (a time of day or a zone)")
        })?;
        Ok(f)
    }
}

impl Default for DateFormat {
    fn default() -> DateFormat {
        DateFormat(
            time::format_description::parse_owned::<2>(DEFAULT_DATE_FORMAT)
                .expect("the default date format is valid"),
        )
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // YAML reads 2025-10-07 as a string; accept only that form.
        let s = String::deserialize(d)?;
        Date::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn handout_dates_read_like_a_calendar() {
        let d = Date::parse("2026-12-01").unwrap();
        assert_eq!(d.format(&DateFormat::default()), "Tue 1 Dec 2026");
        let f = DateFormat::parse("[day]/[month]/[year]").unwrap();
        assert_eq!(d.format(&f), "01/12/2026");
        assert!(DateFormat::parse("[hour]:[minute]")
            .unwrap_err()
            .contains("time of day"));
        assert!(DateFormat::parse("[nonsense]").is_err());
    }
}
