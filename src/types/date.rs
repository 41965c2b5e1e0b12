//! Calendar dates as pages, schedules and reviews write them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// A calendar date written `YYYY-MM-DD`; anything else (or 2025-02-30) is an error at its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub time::Date);

const YMD: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

impl Date {
    pub fn parse(s: &str) -> Result<Date, String> {
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
            return Err(format!("'{s}' is not a date in the form YYYY-MM-DD"));
        }
        time::Date::parse(s, YMD)
            .map(Date)
            .map_err(|_| format!("'{s}' is not a real calendar date"))
    }

    /// `2025-10-07`
    pub fn iso(&self) -> String {
        self.0.format(YMD).unwrap_or_default()
    }

    /// `October 7, 2025`, for people.
    pub fn long(&self) -> String {
        format!("{} {}, {}", self.0.month(), self.0.day(), self.0.year())
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
