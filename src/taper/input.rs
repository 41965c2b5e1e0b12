//! What a schedule is made from: the unit, the mode, holds, the values the clinician gave
//! ([`TaperParams`]) and the complete, checked set ([`TaperInput`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::said::{Said, Value};
use super::{Dec, PageTaper};
use crate::types::Date;

/// What a dose is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Unit {
    #[serde(rename = "g")]
    G,
    #[serde(rename = "mg")]
    Mg,
    #[serde(rename = "mL")]
    ML,
    #[serde(rename = "tablets")]
    Tablets,
}

impl Unit {
    pub fn as_str(&self) -> &'static str {
        match self {
            Unit::G => "g",
            Unit::Mg => "mg",
            Unit::ML => "mL",
            Unit::Tablets => "tablets",
        }
    }

    /// `18 g`, `1.5 tablets`, `1 tablet`.
    pub fn amount(&self, d: Dec) -> String {
        match self {
            Unit::Tablets if d == Dec::from_int(1) => "1 tablet".to_string(),
            _ => format!("{d} {}", self.as_str()),
        }
    }
}

impl FromStr for Unit {
    type Err = String;
    fn from_str(s: &str) -> Result<Unit, String> {
        match s.trim() {
            "g" => Ok(Unit::G),
            "mg" => Ok(Unit::Mg),
            "mL" | "ml" => Ok(Unit::ML),
            "tablets" | "tablet" => Ok(Unit::Tablets),
            other => Err(format!("unknown unit '{other}': use g, mg, mL or tablets")),
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How each step's cut is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// r% of the previous step's dose: smaller cuts as the dose falls (hyperbolic).
    #[default]
    Previous,
    /// r% of the start dose every step (linear).
    Initial,
}

impl FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Mode, String> {
        match s.trim() {
            "previous" => Ok(Mode::Previous),
            "initial" => Ok(Mode::Initial),
            other => Err(format!("unknown mode '{other}': use previous or initial")),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Previous => "previous",
            Mode::Initial => "initial",
        })
    }
}

/// `STEP:DAYS`: step `STEP` lasts `DAYS` days longer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hold {
    pub step: u32,
    pub days: u32,
}

impl fmt::Display for Hold {
    /// `STEP:DAYS`, as the option and the form's field take it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.step, self.days)
    }
}

impl FromStr for Hold {
    type Err = String;
    fn from_str(s: &str) -> Result<Hold, String> {
        Hold::parse_said(s).map_err(|e| e.english())
    }
}

/// A first day (`YYYY-MM-DD`), its problem as a note to say in a language; the English is
/// [`Date::parse`]'s.
pub fn parse_date_said(s: &str) -> Result<Date, Said> {
    Date::parse_checked(s).map_err(|p| {
        let key = match p {
            crate::types::DateProblem::Shape => "check_date_shape",
            crate::types::DateProblem::NotReal => "check_date_not_real",
        };
        Said::new(key, vec![("text", Value::plain(s.trim()))])
    })
}

impl Hold {
    /// [`Hold::from_str`], its problem as a note to say in a language.
    pub fn parse_said(s: &str) -> Result<Hold, Said> {
        let said = |key: &'static str| Said::new(key, vec![("text", Value::plain(s))]);
        let bad = || said("check_hold_shape");
        let (a, b) = s.trim().split_once(':').ok_or_else(bad)?;
        let step: u32 = a.trim().parse().map_err(|_| bad())?;
        let days: u32 = b.trim().parse().map_err(|_| bad())?;
        if step == 0 {
            return Err(said("check_hold_step_zero"));
        }
        if days == 0 {
            return Err(said("check_hold_no_days"));
        }
        if days > 365 {
            return Err(said("check_hold_too_long"));
        }
        Ok(Hold { step, days })
    }
}

/// What the clinician gave; `None` means "not given" (the page's default or a built-in one is
/// then used, and listed).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaperParams {
    pub unit: Option<Unit>,
    pub start_dose: Option<Dec>,
    pub reduction_percent: Option<Dec>,
    pub interval_days: Option<Dec>,
    pub step: Option<Dec>,
    pub min_dose: Option<Dec>,
    pub doses_per_day: Option<Dec>,
    pub start: Option<Date>,
    pub mode: Option<Mode>,
    pub holds: Vec<Hold>,
    pub max_step_percent: Option<Dec>,
}

/// A checked, complete set of inputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaperInput {
    pub unit: Unit,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substance: Option<String>,
    pub start_dose: Dec,
    pub reduction_percent: Dec,
    pub interval_days: u32,
    pub step: Dec,
    pub min_dose: Dec,
    pub doses_per_day: u32,
    pub start: Date,
    pub mode: Mode,
    pub holds: Vec<Hold>,
    pub max_step_percent: Dec,
    /// Page limits that [`schedule`] enforces on r, k, q, m and n.
    #[serde(skip)]
    pub limits: Option<PageTaper>,
    /// Every value that was not given and was filled in, in words: shown with the schedule.
    pub defaults_applied: Vec<super::Applied>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A first day's problem as data says what `Date::parse` says in English, for a date
    /// typed with spaces around it too.
    #[test]
    fn a_dates_problem_as_data_says_the_english_of_date_parse() {
        for text in ["2026-02-30", " 2026-02-30 ", "12/1/2026", "", "2026-1-1"] {
            let said = parse_date_said(text).unwrap_err();
            assert_eq!(said.english(), Date::parse(text).unwrap_err(), "{text:?}");
        }
        assert!(parse_date_said(" 2026-12-01 ").is_ok());
    }
}
