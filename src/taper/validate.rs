//! The checks every input passes before anything is computed: the absolute range of each
//! parameter, the page's limits, and the holds.

use super::field::err;
use super::{Dec, Field, TaperError, TaperInput};

/// The absolute range of each parameter, whatever the page says.
pub(super) fn param_range(name: &str, v: Dec) -> Result<(), String> {
    let int = |lo: i64, hi: i64, what: &str| -> Result<(), String> {
        match v.as_integer() {
            Some(i) if (lo..=hi).contains(&i) => Ok(()),
            _ => Err(format!(
                "{what} must be a whole number from {lo} to {hi} (got {v})"
            )),
        }
    };
    match name {
        "reduction_percent" => {
            if v.is_positive() && v <= Dec::from_int(50) {
                Ok(())
            } else {
                Err(format!(
                    "the reduction must be more than 0% and at most 50% (got {v}%)"
                ))
            }
        }
        "interval_days" => int(1, 365, "the days per step"),
        "doses_per_day" => int(1, 12, "the doses per day"),
        "step" => {
            if v.is_positive() {
                Ok(())
            } else {
                Err(format!(
                    "the smallest measurable amount must be more than 0 (got {v})"
                ))
            }
        }
        "min_dose" => {
            if v.is_negative() {
                Err(format!(
                    "the lowest dose before stopping cannot be below 0 (got {v})"
                ))
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
            errors.push(err(
                Field::Dose,
                format!(
                    "the start dose must be more than 0 (got {})",
                    self.start_dose
                ),
            ));
        }
        self.check_ranges(&mut errors);
        if self.step.is_positive() && self.start_dose.is_positive() && self.step > self.start_dose {
            errors.push(err(
                Field::Step,
                format!(
                    "the smallest measurable amount ({}) is larger than the start dose ({}): no step is possible",
                    self.unit.amount(self.step),
                    self.unit.amount(self.start_dose)
                ),
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
            if let Err(e) = param_range(name, v) {
                errors.push(err(field, e));
                continue;
            }
            let Some(page) = &self.limits else { continue };
            let Some((_, l)) = page.limits().into_iter().find(|(n, _)| *n == name) else {
                continue;
            };
            let pct = if name == "reduction_percent" { "%" } else { "" };
            if let Some(hi) = l.max {
                if v > hi {
                    errors.push(err(
                        field,
                        format!("{v}{pct} is above the page's limit of {hi}{pct}"),
                    ));
                }
            }
            if let Some(lo) = l.min {
                if v < lo {
                    errors.push(err(
                        field,
                        format!("{v}{pct} is below the page's limit of {lo}{pct}"),
                    ));
                }
            }
        }
    }

    /// Holds name a step and a number of days, one per step.
    fn check_holds(&self, errors: &mut Vec<TaperError>) {
        let mut seen = std::collections::BTreeSet::new();
        for h in &self.holds {
            if h.step == 0 || h.days == 0 {
                errors.push(err(
                    Field::Hold,
                    format!("{}:{} is not a hold", h.step, h.days),
                ));
            }
            if !seen.insert(h.step) {
                errors.push(err(
                    Field::Hold,
                    format!("step {} is held twice: give one hold per step", h.step),
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
