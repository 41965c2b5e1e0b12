//! The checks every input passes before anything is computed: the absolute range of each
//! parameter, the page's limits, and the holds.

use super::field::said;
use super::said::{Said, Value};
use super::{Dec, Field, TaperError, TaperInput};

/// The absolute range of each parameter, whatever the page says, in careguide's own English.
pub(super) fn param_range(name: &str, v: Dec) -> Result<(), String> {
    param_range_said(name, v).map_err(|s| s.english())
}

/// The absolute range of each parameter, whatever the page says: the problem as a note.
pub(super) fn param_range_said(name: &str, v: Dec) -> Result<(), Said> {
    let got = || vec![("v", Value::number(v))];
    let int = |lo: i64, hi: i64, key: &'static str| -> Result<(), Said> {
        match v.as_integer() {
            Some(i) if (lo..=hi).contains(&i) => Ok(()),
            _ => Err(Said::new(
                key,
                vec![
                    ("lo", Value::plain(lo)),
                    ("hi", Value::plain(hi)),
                    ("v", Value::number(v)),
                ],
            )),
        }
    };
    match name {
        "reduction_percent" => {
            if v.is_positive() && v <= Dec::from_int(50) {
                Ok(())
            } else {
                Err(Said::new("check_reduction_range", got()))
            }
        }
        "interval_days" => int(1, 365, "check_interval_days_range"),
        "doses_per_day" => int(1, 12, "check_doses_per_day_range"),
        "step" => {
            if v.is_positive() {
                Ok(())
            } else {
                Err(Said::new("check_step_positive", got()))
            }
        }
        "min_dose" => {
            if v.is_negative() {
                Err(Said::new("check_min_dose_negative", got()))
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    }
}

impl TaperInput {
    /// Every problem with the inputs (empty when the schedule can be made).
    pub fn validate(&self) -> Vec<TaperError> {
        let mut errors = Vec::new();
        if !self.start_dose.is_positive() {
            errors.push(said(
                Field::Dose,
                "check_dose_positive",
                vec![("v", Value::number(self.start_dose))],
            ));
        }
        self.check_ranges(&mut errors);
        if self.step.is_positive() && self.start_dose.is_positive() && self.step > self.start_dose {
            errors.push(said(
                Field::Step,
                "check_step_above_dose",
                vec![
                    ("q", Value::Amount(self.unit, self.step)),
                    ("dose", Value::Amount(self.unit, self.start_dose)),
                ],
            ));
        }
        self.check_holds(&mut errors);
        errors
    }

    /// Each parameter within careguide's range and within the limits of the page.
    fn check_ranges(&self, errors: &mut Vec<TaperError>) {
        let checks: [(&str, Field, Dec); 5] = [
            (
                "reduction_percent",
                Field::ReductionPercent,
                self.reduction_percent,
            ),
            (
                "interval_days",
                Field::IntervalDays,
                Dec::from_int(self.interval_days as i64),
            ),
            ("step", Field::Step, self.step),
            ("min_dose", Field::MinDose, self.min_dose),
            (
                "doses_per_day",
                Field::DosesPerDay,
                Dec::from_int(self.doses_per_day as i64),
            ),
        ];
        for (name, field, v) in checks {
            if let Err(e) = param_range_said(name, v) {
                errors.push(TaperError::said(field, e));
                continue;
            }
            let Some(page) = &self.limits else { continue };
            let Some((_, l)) = page.limits().into_iter().find(|(n, _)| *n == name) else {
                continue;
            };
            let pct = name == "reduction_percent";
            let limit = |key: &'static str, key_pct: &'static str, l: Dec| {
                said(
                    field,
                    if pct { key_pct } else { key },
                    vec![("v", Value::number(v)), ("limit", Value::number(l))],
                )
            };
            if let Some(hi) = l.max {
                if v > hi {
                    errors.push(limit("check_above_limit", "check_above_limit_percent", hi));
                }
            }
            if let Some(lo) = l.min {
                if v < lo {
                    errors.push(limit("check_below_limit", "check_below_limit_percent", lo));
                }
            }
        }
    }

    /// Holds name a step and a number of days, one per step.
    fn check_holds(&self, errors: &mut Vec<TaperError>) {
        let mut seen = std::collections::BTreeSet::new();
        for h in &self.holds {
            if h.step == 0 || h.days == 0 {
                errors.push(said(
                    Field::Hold,
                    "check_not_a_hold",
                    vec![("hold", Value::plain(h))],
                ));
            }
            if !seen.insert(h.step) {
                errors.push(said(
                    Field::Hold,
                    "check_held_twice",
                    vec![("step", Value::plain(h.step))],
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::taper::testutil::*;
    use crate::taper::*;

    #[test]
    fn each_validation_error_is_reported() {
        let cases: Vec<(TaperInput, Field, &str)> = vec![
            (
                {
                    let mut i = input("20", "10", 7, "0.5", 3);
                    i.start_dose = d("0");
                    i
                },
                Field::Dose,
                "more than 0",
            ),
            (
                {
                    let mut i = input("20", "10", 7, "0.5", 3);
                    i.start_dose = d("-3");
                    i
                },
                Field::Dose,
                "more than 0",
            ),
            (
                input("20", "0", 7, "0.5", 3),
                Field::ReductionPercent,
                "more than 0%",
            ),
            (
                input("20", "51", 7, "0.5", 3),
                Field::ReductionPercent,
                "at most 50%",
            ),
            (
                input("20", "10", 0, "0.5", 3),
                Field::IntervalDays,
                "whole number from 1",
            ),
            (input("20", "10", 7, "0", 3), Field::Step, "more than 0"),
            (
                input("20", "10", 7, "25", 3),
                Field::Step,
                "larger than the start dose",
            ),
            (
                {
                    let mut i = input("20", "10", 7, "0.5", 3);
                    i.min_dose = d("-1");
                    i
                },
                Field::MinDose,
                "below 0",
            ),
            (
                input("20", "10", 7, "0.5", 0),
                Field::DosesPerDay,
                "from 1 to 12",
            ),
            (
                input("20", "10", 7, "0.5", 13),
                Field::DosesPerDay,
                "from 1 to 12",
            ),
        ];
        for (inp, field, text) in cases {
            let e = schedule(&inp).unwrap_err();
            assert!(
                e.iter()
                    .any(|e| e.field == field && e.message.contains(text)),
                "{field:?} {text}: {e:?}"
            );
        }
    }
}
