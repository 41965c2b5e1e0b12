//! The exact decimal type every amount is held in: no floating point in the arithmetic.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::said::{Said, Value};

/// Most decimal places accepted in an amount.
const MAX_SCALE: u32 = 6;
/// Most digits before the decimal point.
const MAX_INT_DIGITS: usize = 9;

/// An exact decimal number: `units / 10^scale`, kept without trailing zeros.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Dec {
    pub(super) units: i128,
    pub(super) scale: u32,
}

impl Dec {
    pub const ZERO: Dec = Dec { units: 0, scale: 0 };

    pub fn from_int(v: i64) -> Dec {
        Dec {
            units: v as i128,
            scale: 0,
        }
    }

    pub(super) fn new(units: i128, scale: u32) -> Dec {
        let (mut units, mut scale) = (units, scale);
        while scale > 0 && units % 10 == 0 {
            units /= 10;
            scale -= 1;
        }
        Dec { units, scale }
    }

    /// The value in units of `10^-scale` (`scale` at least `self.scale`).
    pub(super) fn at_scale(&self, scale: u32) -> i128 {
        self.units * 10i128.pow(scale - self.scale)
    }

    pub fn is_positive(&self) -> bool {
        self.units > 0
    }

    pub fn is_negative(&self) -> bool {
        self.units < 0
    }

    /// The value as a whole number, if it is one.
    pub fn as_integer(&self) -> Option<i64> {
        if self.scale == 0 {
            i64::try_from(self.units).ok()
        } else {
            None
        }
    }

    /// `self * k` for a whole `k`.
    pub fn mul_int(&self, k: i128) -> Dec {
        Dec::new(self.units * k, self.scale)
    }

    /// Nearest `f64`, only for serializers that need a number (JSON); the shortest printing of
    /// the result reads back as the same decimal.
    pub fn to_f64(&self) -> f64 {
        self.to_string().parse().unwrap_or(0.0)
    }

    pub(super) fn from_f64(f: f64) -> Result<Dec, String> {
        if !f.is_finite() {
            return Err(format!("'{f}' is not a number"));
        }
        // Rust prints the shortest decimal that reads back as the same f64: `0.1`, not
        // `0.1000000000000000055`. That is the decimal the author wrote.
        format!("{f}").parse()
    }
}

impl Ord for Dec {
    fn cmp(&self, other: &Self) -> Ordering {
        let s = self.scale.max(other.scale);
        self.at_scale(s).cmp(&other.at_scale(s))
    }
}

impl PartialOrd for Dec {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for Dec {
    type Err = String;

    /// `20`, `0.5`, `-1`, `.5`; no exponents, no thousands separators.
    fn from_str(s: &str) -> Result<Dec, String> {
        Dec::parse_said(s).map_err(|e| e.english())
    }
}

impl Dec {
    /// [`Dec::from_str`], its problem as a note to say in a language.
    pub fn parse_said(s: &str) -> Result<Dec, Said> {
        let t = s.trim();
        let said = |key: &'static str| {
            Said::new(
                key,
                vec![("text", Value::plain(t)), ("n", Value::plain(MAX_SCALE))],
            )
        };
        let not_number = || said("check_not_a_number");
        let (neg, body) = match t.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        if (int.is_empty() && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || (body.contains('.') && frac.is_empty())
        {
            return Err(not_number());
        }
        let int = int.trim_start_matches('0');
        let frac = frac.trim_end_matches('0');
        if int.len() > MAX_INT_DIGITS {
            return Err(said("check_too_large"));
        }
        if frac.len() > MAX_SCALE as usize {
            return Err(said("check_decimal_places"));
        }
        let digits = format!("{int}{frac}");
        let mut units: i128 = if digits.is_empty() {
            0
        } else {
            digits.parse().map_err(|_| not_number())?
        };
        if neg {
            units = -units;
        }
        Ok(Dec::new(units, frac.len() as u32))
    }
}

impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.units);
        }
        let p = 10i128.pow(self.scale);
        let sign = if self.units < 0 { "-" } else { "" };
        let a = self.units.abs();
        write!(
            f,
            "{sign}{}.{:0width$}",
            a / p,
            a % p,
            width = self.scale as usize
        )
    }
}

impl fmt::Debug for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Dec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.as_integer() {
            Some(i) => s.serialize_i64(i),
            None => s.serialize_f64(self.to_f64()),
        }
    }
}

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Dec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number such as 10 or 0.5")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Dec, E> {
                Ok(Dec::from_int(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Dec, E> {
                i64::try_from(v)
                    .map(Dec::from_int)
                    .map_err(|_| E::custom(format!("'{v}' is too large")))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Dec, E> {
                Dec::from_f64(v).map_err(E::custom)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Dec, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taper::testutil::*;

    #[test]
    fn decimals_parse_and_print_exactly() {
        assert_eq!(d("0.50").to_string(), "0.5");
        assert_eq!(d("20").to_string(), "20");
        assert_eq!(d(".25").to_string(), "0.25");
        assert_eq!(d("-1.5").to_string(), "-1.5");
        assert_eq!(d("0.1"), Dec::from_f64(0.1).unwrap());
        assert!(d("0.5") < d("0.75"));
        for bad in ["", "abc", "1e3", "1.", "1,5", "--1", "0.1234567"] {
            assert!(bad.parse::<Dec>().is_err(), "{bad}");
        }
    }
}
