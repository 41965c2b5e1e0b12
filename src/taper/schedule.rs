//! The dose arithmetic: the schedule's rows, computed exactly from a checked input.

use serde::Serialize;

use super::field::said;
use super::said::Value;
use super::warnings::{cut_warnings, end_warnings};
use super::{Dec, Field, Hold, Mode, TaperError, TaperInput, Warning, MAX_STEPS};
use crate::types::Date;

/// One row of the schedule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// 1-based.
    pub step: u32,
    pub start: Date,
    /// Last day of the step; `None` on the final row (stop).
    pub end: Option<Date>,
    pub daily_dose: Dec,
    /// `daily_dose / q`.
    #[serde(skip)]
    pub units: i64,
    /// Change from the previous day's dose, as a whole percent (negative).
    pub change_percent: i64,
    /// The day's dose split into separate doses, larger first; empty on the stop row.
    pub doses: Vec<Dec>,
    /// Extra days this step is held for.
    #[serde(skip_serializing_if = "is_zero")]
    pub hold_days: u32,
}

fn is_zero(v: &u32) -> bool {
    *v == 0
}

/// A computed schedule with its inputs and warnings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Schedule {
    pub input: TaperInput,
    pub steps: Vec<Step>,
    /// Things the clinician should look at before handing the schedule over.
    pub warnings: Vec<Warning>,
}

impl Schedule {
    /// The hold each warning suggests, in step order.
    pub fn suggested_holds(&self) -> Vec<Hold> {
        let mut holds: Vec<Hold> = self.warnings.iter().filter_map(|w| w.hold).collect();
        holds.sort_by_key(|h| h.step);
        holds
    }

    /// The holds given with the suggested ones in place of any on the same step, in step
    /// order: the whole set to make the schedule again with.
    pub fn holds_with_suggestions(&self) -> Vec<Hold> {
        let suggested = self.suggested_holds();
        let mut holds: Vec<Hold> = self
            .input
            .holds
            .iter()
            .filter(|h| !suggested.iter().any(|s| s.step == h.step))
            .copied()
            .chain(suggested.iter().copied())
            .collect();
        holds.sort_by_key(|h| h.step);
        holds
    }

    /// The day the patient takes nothing any more.
    pub fn stop_date(&self) -> Option<Date> {
        self.steps.last().map(|s| s.start)
    }

    /// `6 + 6 + 6` in the schedule's unit (the unit left off).
    pub fn split_text(step: &Step) -> String {
        if step.doses.is_empty() {
            return "none".to_string();
        }
        step.doses
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

fn floor_div(a: i128, b: i128) -> i128 {
    a.div_euclid(b)
}

/// `round(x / q)` for `x = num / den` in units of `10^-s`, halves up: `floor(x/q + 1/2)`.
fn round_units(num: i128, den: i128, q: i128) -> i128 {
    // x/q + 1/2 = (2*num + den*q) / (2*den*q)
    floor_div(2 * num + den * q, 2 * den * q)
}

/// A whole percent, halves away from zero.
fn whole_percent(num: i128, den: i128) -> i64 {
    let n = num * 100;
    let v = (2 * n.abs() + den) / (2 * den);
    (if n < 0 { -v } else { v }) as i64
}

/// Split `units` (multiples of q) over `n` doses as evenly as possible, larger first, zeros
/// dropped.
pub fn split_units(units: i64, n: u32) -> Vec<i64> {
    if units <= 0 || n == 0 {
        return Vec::new();
    }
    let n = n as i64;
    let (base, extra) = (units / n, units % n);
    (0..n)
        .map(|i| base + i64::from(i < extra))
        .filter(|&u| u > 0)
        .collect()
}

fn add_days(d: Date, days: i64) -> Option<Date> {
    d.0.checked_add(time::Duration::days(days)).map(Date)
}

/// Compute the schedule. Pure: the same input always gives the same rows.
pub fn schedule(input: &TaperInput) -> Result<Schedule, Vec<TaperError>> {
    let problems = input.validate();
    if !problems.is_empty() {
        return Err(problems);
    }
    // Everything in integer units of 10^-s.
    let s = input
        .start_dose
        .scale
        .max(input.step.scale)
        .max(input.min_dose.scale);
    let d0 = input.start_dose.at_scale(s);
    let q = input.step.at_scale(s);
    let m = input.min_dose.at_scale(s);
    let rs = input.reduction_percent.scale;
    let r = input.reduction_percent.units; // r% = r / (100 * 10^rs)
    let hundred = 100 * 10i128.pow(rs);

    // Doses (in 10^-s units): d[0] = D0, then multiples of q.
    let mut doses: Vec<i128> = vec![d0];
    loop {
        let prev = *doses.last().unwrap_or(&d0);
        let u = match input.mode {
            // t = prev * (hundred - r) / hundred
            Mode::Previous => round_units(prev * (hundred - r), hundred, q),
            // t = prev - d0 * r / hundred = (prev*hundred - d0*r) / hundred
            Mode::Initial => round_units(prev * hundred - d0 * r, hundred, q),
        };
        let mut d = u * q;
        if d >= prev {
            d = round_units(prev, 1, q) * q - q;
        }
        if d < m || d < 0 {
            d = 0;
        }
        doses.push(d);
        if d == 0 {
            break;
        }
        if doses.len() > MAX_STEPS + 1 {
            return Err(vec![said(
                Field::Step,
                "check_too_many_steps",
                vec![("max", Value::plain(MAX_STEPS))],
            )]);
        }
    }
    let n_steps = doses.len() - 1;

    let mut errors = Vec::new();
    for h in &input.holds {
        if h.step as usize > n_steps {
            errors.push(said(
                Field::Hold,
                "check_no_such_step",
                vec![
                    ("step", Value::plain(h.step)),
                    ("steps", Value::plain(n_steps)),
                ],
            ));
        } else if h.step as usize == n_steps {
            errors.push(said(
                Field::Hold,
                "check_hold_at_stop",
                vec![("step", Value::plain(h.step))],
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let to_dec = |v: i128| Dec::new(v, s);
    let date_error = || vec![said(Field::Start, "check_past_calendar", vec![])];
    let mut steps = Vec::with_capacity(n_steps);
    let mut from = input.start;
    for i in 1..=n_steps {
        let (prev, d) = (doses[i - 1], doses[i]);
        let hold = input
            .holds
            .iter()
            .find(|h| h.step as usize == i)
            .map(|h| h.days)
            .unwrap_or(0);
        let last = i == n_steps;
        let len = input.interval_days as i64 + hold as i64;
        let end = if last {
            None
        } else {
            Some(add_days(from, len - 1).ok_or_else(date_error)?)
        };
        let units = (d / q) as i64;
        let change = whole_percent(d - prev, prev);
        steps.push(Step {
            step: i as u32,
            start: from,
            end,
            daily_dose: to_dec(d),
            units,
            change_percent: change,
            doses: split_units(units, input.doses_per_day)
                .into_iter()
                .map(|u| to_dec(u as i128 * q))
                .collect(),
            hold_days: hold,
        });
        if !last {
            from = add_days(from, len).ok_or_else(date_error)?;
        }
    }
    let mut warnings = cut_warnings(input, &doses, s);
    warnings.extend(end_warnings(input, &steps, from));
    Ok(Schedule {
        input: input.clone(),
        steps,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taper::testutil::*;
    use crate::taper::*;
    use proptest::prelude::*;

    #[test]
    fn golden_worked_example() {
        let inp = input("20", "10", 7, "0.5", 3);
        let s = schedule(&inp).unwrap();
        let doses: Vec<String> = s.steps.iter().map(|s| s.daily_dose.to_string()).collect();
        assert_eq!(
            doses.join(" "),
            "18 16 14.5 13 11.5 10.5 9.5 8.5 7.5 7 6.5 6 5.5 5 4.5 4 3.5 3 2.5 2 1.5 1 0.5 0"
        );
        assert_eq!(s.steps.len(), 24);
        let first = &s.steps[0];
        assert_eq!(first.start, date("2026-12-01"));
        assert_eq!(first.end, Some(date("2026-12-07")));
        assert_eq!(first.change_percent, -10);
        assert_eq!(Schedule::split_text(first), "6 + 6 + 6");
        assert_eq!(Schedule::split_text(&s.steps[1]), "5.5 + 5.5 + 5");
        assert_eq!(Schedule::split_text(&s.steps[21]), "0.5 + 0.5");
        let last = s.steps.last().unwrap();
        assert_eq!(last.start, date("2027-05-11"));
        assert_eq!(last.end, None);
        assert_eq!(last.change_percent, -100);
        assert!(last.doses.is_empty());
        // 1 g to 0.5 g is a 50% cut, and 1.5 to 1 is 33%: both above 25%.
        assert!(
            s.warnings.iter().any(|w| w
                .text
                .starts_with("step 23: 1 g to 0.5 g is a cut of 50.0%")),
            "{:?}",
            s.warnings
        );
        assert!(s.warnings.iter().any(|w| w.text.starts_with("step 22:")));
        assert!(!s
            .warnings
            .iter()
            .any(|w| w.text.contains("more than a year")));
    }

    #[test]
    fn initial_mode_is_linear() {
        let mut inp = input("10", "20", 7, "0.5", 1);
        inp.mode = Mode::Initial;
        let s = schedule(&inp).unwrap();
        let doses: Vec<String> = s.steps.iter().map(|s| s.daily_dose.to_string()).collect();
        assert_eq!(doses.join(" "), "8 6 4 2 0");
    }

    #[test]
    fn a_start_dose_off_the_grid_still_falls() {
        // 20.3 with q = 0.5 and a tiny cut: round(20.3*0.999) = 20.5 >= 20.3, so 20.5 - 0.5.
        let mut inp = input("20.3", "0.1", 7, "0.5", 1);
        inp.min_dose = d("19");
        let s = schedule(&inp).unwrap();
        assert_eq!(s.steps[0].daily_dose, d("20"));
        assert_eq!(s.steps[1].daily_dose, d("19.5"));
    }

    #[test]
    fn holds_lengthen_their_step_and_shift_the_rest() {
        let mut inp = input("20", "10", 7, "0.5", 3);
        inp.holds = vec![Hold { step: 2, days: 7 }];
        let s = schedule(&inp).unwrap();
        assert_eq!(s.steps[1].start, date("2026-12-08"));
        assert_eq!(s.steps[1].end, Some(date("2026-12-21")));
        assert_eq!(s.steps[2].start, date("2026-12-22"));
        assert_eq!(s.steps[23].start, date("2027-05-18"));
    }

    #[test]
    fn hold_on_a_missing_step_is_an_error() {
        let mut inp = input("20", "10", 7, "0.5", 3);
        inp.holds = vec![Hold { step: 30, days: 7 }];
        let e = schedule(&inp).unwrap_err();
        assert!(e[0].message.contains("there is no step 30"), "{e:?}");
        assert_eq!(e[0].field, Field::Hold);
        inp.holds = vec![Hold { step: 24, days: 7 }];
        let e = schedule(&inp).unwrap_err();
        assert!(e[0].message.contains("is the stop"), "{e:?}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn schedule_properties(inp in arb_input()) {
            let res = schedule(&inp);
            let s = match res {
                Ok(s) => s,
                Err(e) => {
                    // The only acceptable refusals: a hold past the end, or too many steps.
                    prop_assert!(e.iter().all(|e| e.field == Field::Hold || e.message.contains("more than")), "{:?}", e);
                    return Ok(());
                }
            };
            // Doses strictly fall and end at 0.
            let mut prev = inp.start_dose;
            for st in &s.steps {
                prop_assert!(st.daily_dose < prev, "step {} {} !< {}", st.step, st.daily_dose, prev);
                prev = st.daily_dose;
            }
            prop_assert_eq!(s.steps.last().map(|s| s.daily_dose), Some(Dec::ZERO));
            prop_assert!(s.steps[..s.steps.len() - 1].iter().all(|s| s.daily_dose.is_positive()));
            for st in &s.steps {
                // A multiple of q, and not below m unless 0.
                prop_assert_eq!(inp.step.mul_int(st.units as i128), st.daily_dose);
                prop_assert!(st.daily_dose == Dec::ZERO || st.daily_dose >= inp.min_dose);
                // Splits sum to the day's dose, larger first, no zeros, at most n.
                let sum = st.doses.iter().fold(Dec::ZERO, |a, b| {
                    let sc = a.scale.max(b.scale);
                    Dec::new(a.at_scale(sc) + b.at_scale(sc), sc)
                });
                prop_assert_eq!(sum, st.daily_dose);
                prop_assert!(st.doses.windows(2).all(|w| w[0] >= w[1]));
                prop_assert!(st.doses.iter().all(|d| d.is_positive()));
                prop_assert!(st.doses.len() <= inp.doses_per_day as usize);
                if let (Some(a), Some(b)) = (st.doses.first(), st.doses.last()) {
                    prop_assert!(*a == *b || *a == Dec::new(b.at_scale(inp.step.scale.max(b.scale)) + inp.step.at_scale(inp.step.scale.max(b.scale)), inp.step.scale.max(b.scale)));
                }
            }
            // Dates contiguous: each step starts the day after the previous one ends.
            prop_assert_eq!(s.steps[0].start, inp.start);
            for w in s.steps.windows(2) {
                let end = w[0].end.unwrap();
                prop_assert!(end >= w[0].start);
                prop_assert_eq!(add_days(end, 1), Some(w[1].start));
                let len = w[0].start.days_until(end) + 1;
                prop_assert_eq!(len, inp.interval_days as i64 + w[0].hold_days as i64);
            }
            prop_assert_eq!(s.steps.last().unwrap().end, None);
            // Deterministic.
            prop_assert_eq!(schedule(&inp).unwrap(), s);
        }
    }
}
