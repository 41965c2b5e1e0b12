//! What the clinician should look at before handing a schedule over: cuts above the limit
//! (with the hold that brings each back), a high last dose, a schedule that stops at once or
//! lasts more than a year.

use std::fmt;

use serde::Serialize;

use super::said::{Said, Value};
use super::{Dec, Hold, Mode, Step, TaperInput};
use crate::types::Date;

/// Why a schedule is warned of. Each cut warning has exactly one cause, judged with exact
/// arithmetic on the step's cut `c = (d(i-1) - d(i)) / d(i-1)`, the limit `L`
/// (`max_step_percent`) and the reduction `r`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// `r > L`: the reduction itself is above the limit, so no rounding or hold is to blame and
    /// no hold brings the cut within it. One warning for the whole schedule.
    AboveLimit,
    /// Mode `initial` with `r <= L`: the step's intended cut, the fixed `D0 * r/100` taken from
    /// a smaller and smaller dose, is itself above `L`.
    Linear,
    /// The intended cut is within `L` (`r` in mode `previous`, `D0 * r / d(i-1)` in mode
    /// `initial`) and only rounding to the smallest measurable amount `q` (or the rule that a
    /// step always lowers the dose by at least `q`) made it larger.
    CoarseStep,
    /// The last dose before stopping is above `max_final_dose` (default `2q`): the stop is a
    /// cut of 100% whatever the rate, also when a high lowest dose `m` is why.
    FinalStop,
    /// The schedule is one step: the first cut takes the dose below `m`.
    StopsAtOnce,
    /// The schedule lasts more than a year.
    LongTaper,
}

/// One thing the clinician should look at before handing the schedule over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// The step it concerns (1-based); `None` when it concerns the schedule as a whole.
    pub step: Option<u32>,
    pub cause: Cause,
    /// In careguide's own English, as the command line prints it and the JSON carries it: it
    /// names no option or field.
    pub text: String,
    /// The same as data, for a front end to say in the handout's language.
    #[serde(skip)]
    pub said: Said,
    /// The hold that brings this step's average cut per interval back within the intended
    /// rate, and so removes the warning: the step's whole hold, in place of any given for it.
    /// `None` when no hold can (the text then says why).
    pub hold: Option<Hold>,
}

impl Warning {
    fn new(step: Option<u32>, cause: Cause, said: Said, hold: Option<Hold>) -> Warning {
        Warning {
            step,
            cause,
            text: said.english(),
            said,
            hold,
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A percent in a message: `num / den` to one decimal, halves away from zero (12.25% is 12.3%),
/// with more decimals only where one would blur the comparison the message makes: `shows(v, n)`
/// says whether `v / 10^n` percent keeps it, so that a cut just above the limit reads `25.04%`,
/// never `25.0%, more than 25%`. `num >= 0`, `den > 0`.
fn percent_text(num: i128, den: i128, shows: impl Fn(i128, u32) -> bool) -> String {
    let at = |n: u32| {
        let x = num * 100 * 10i128.pow(n);
        (2 * x + den) / (2 * den)
    };
    let mut n = 1;
    while n < 9 && !shows(at(n), n) {
        n += 1;
    }
    let (v, p) = (at(n), 10i128.pow(n));
    format!("{}.{:0w$}", v / p, v % p, w = n as usize)
}

/// For [`percent_text`]: the percent shown is above `limit`.
fn shown_above(limit: Dec) -> impl Fn(i128, u32) -> bool {
    move |v, n| v * 10i128.pow(limit.scale) > limit.units * 10i128.pow(n)
}

/// For [`percent_text`]: the percent shown is at most `limit`.
fn shown_at_most(limit: Dec) -> impl Fn(i128, u32) -> bool {
    move |v, n| v * 10i128.pow(limit.scale) <= limit.units * 10i128.pow(n)
}

/// `1-3, 5, 9-10`.
fn step_ranges(steps: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < steps.len() {
        let mut j = i;
        while j + 1 < steps.len() && steps[j + 1] == steps[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            steps[i].to_string()
        } else {
            format!("{}-{}", steps[i], steps[j])
        });
        i = j + 1;
    }
    parts.join(", ")
}

/// The warnings about cuts, judged exactly on the doses (in units of `10^-s`; `doses[0]` is the
/// start dose). A step but the stop is warned of when its cut `c = (prev - d) / prev`, averaged
/// over the intervals of k days it lasts (a step held h days longer lasts `(k + h) / k` of
/// them), is above the limit L: `c * k / (k + h) > L`. Its cause is judged in this order:
/// `r > L` is [`Cause::AboveLimit`]; in mode `initial`, an intended cut `D0 * r / prev` above L
/// is [`Cause::Linear`]; anything else is rounding, [`Cause::CoarseStep`].
///
/// The hold suggested brings the step's average cut per interval back to the intended rate
/// `rate`: `ceil(c / rate) - 1` extra intervals of k days, leaving
/// `c / ceil(c / rate) <= rate <= L`, so the step is no longer warned of (rate = 10%,
/// c = 33.3%, k = 7: 21 days). What `rate` is:
///
/// - mode `previous`: r, the percent of each dose the clinician chose;
/// - mode `initial`, [`Cause::CoarseStep`]: the step's intended cut, the fixed `D0 * r/100` as a
///   share of this dose (`D0 * r / prev`, within L). `c / rate` is then the amount cut over the
///   amount intended, so the hold undoes exactly what rounding added;
/// - mode `initial`, [`Cause::Linear`]: the limit L. Here the amount cut is the one intended,
///   and it is the intended rate itself that is above L: aiming at it would suggest no hold at
///   all. r, the share of the start dose, is no rate of this step: aiming at it would hold the
///   end of a linear taper far gentler than its unwarned steps just before (r = 3%, a 75% cut:
///   168 days), where L asks for only what the clinician's limit needs (14 days).
///
/// An [`Cause::AboveLimit`] schedule gets no hold: with `r > L`, holding steps back to r would
/// leave them above the limit.
pub(super) fn cut_warnings(input: &TaperInput, doses: &[i128], s: u32) -> Vec<Warning> {
    let cuts = Cuts::new(input, doses[0], s);
    let Cuts {
        lu, lp, ru, rp, k, ..
    } = cuts;
    let rate_above = ru * lp > lu * rp;
    let mut out = Vec::new();
    // Steps warned of for a rate above the limit: (step, prev, d).
    let mut above: Vec<(usize, i128, i128)> = Vec::new();
    // The stop, the last dose, is a cut of 100% whatever the rate: see `end_warnings`.
    for i in 1..doses.len().saturating_sub(1) {
        let (prev, d) = (doses[i - 1], doses[i]);
        let given = input
            .holds
            .iter()
            .find(|h| h.step as usize == i)
            .map_or(0, |h| h.days);
        let held = given as i128;
        if (prev - d) * 100 * lp * k <= lu * prev * (k + held) {
            continue;
        }
        if rate_above {
            above.push((i, prev, d));
            continue;
        }
        out.push(cuts.step_warning(i, prev, d, given));
    }
    if let Some(w) = cuts.above_limit(&above) {
        out.insert(0, w);
    }
    out
}

/// What judging and wording a cut needs: the input, the scale `s` of the doses (in units of
/// `10^-s`), the start dose `d0`, the limit L and the reduction r with their units and powers
/// of ten, and the days per step k.
#[derive(Clone, Copy)]
struct Cuts<'a> {
    input: &'a TaperInput,
    s: u32,
    d0: i128,
    limit: Dec,
    r: Dec,
    lu: i128,
    lp: i128,
    ru: i128,
    rp: i128,
    k: i128,
}

impl<'a> Cuts<'a> {
    fn new(input: &'a TaperInput, d0: i128, s: u32) -> Cuts<'a> {
        let (limit, r) = (input.max_step_percent, input.reduction_percent);
        let (lu, lp) = (limit.units, 10i128.pow(limit.scale));
        let (ru, rp) = (r.units, 10i128.pow(r.scale));
        let k = input.interval_days as i128;
        Cuts {
            input,
            s,
            d0,
            limit,
            r,
            lu,
            lp,
            ru,
            rp,
            k,
        }
    }

    fn amount(&self, v: i128) -> Value {
        Value::Amount(self.input.unit, Dec::new(v, self.s))
    }

    /// The warning for step `i`, cut from `prev` to `d` (held `given` days longer) by more than
    /// the limit while the rate is within it: [`Cause::Linear`] or [`Cause::CoarseStep`], with
    /// the hold that brings it back.
    fn step_warning(&self, i: usize, prev: i128, d: i128, given: u32) -> Warning {
        let Cuts {
            input,
            d0,
            limit,
            lu,
            lp,
            ru,
            rp,
            ..
        } = *self;
        let linear = input.mode == Mode::Initial && d0 * ru * lp > lu * prev * rp;
        let cut = self.cut_text(prev, d, given);
        let why = self.why_text(prev, linear);
        let (advice, hold) = self.hold_advice(i, prev, d, given, linear);
        let said = Said::new(
            "step_cut",
            vec![
                ("step", Value::plain(i)),
                ("cut", cut),
                ("limit", Value::number(limit)),
                ("why", why),
                ("advice", advice),
            ],
        );
        let cause = if linear {
            Cause::Linear
        } else {
            Cause::CoarseStep
        };
        Warning::new(Some(i as u32), cause, said, hold)
    }

    /// `1.5 g to 1 g is a cut of 33.3%`, with the average per interval when the step is held.
    fn cut_text(&self, prev: i128, d: i128, given: u32) -> Value {
        let Cuts { limit, k, .. } = *self;
        let held = given as i128;
        let mut values = vec![("from", self.amount(prev)), ("to", self.amount(d))];
        if given == 0 {
            values.push((
                "percent",
                Value::Number(percent_text(prev - d, prev, shown_above(limit))),
            ));
            Value::said("cut", values)
        } else {
            values.extend([
                (
                    "percent",
                    Value::Number(percent_text(prev - d, prev, |_, _| true)),
                ),
                ("given", Value::plain(given)),
                (
                    "average",
                    Value::Number(percent_text(
                        (prev - d) * k,
                        prev * (k + held),
                        shown_above(limit),
                    )),
                ),
                ("k", Value::plain(k)),
            ]);
            Value::said("cut_held", values)
        }
    }

    /// Why the cut from `prev` is above the limit: a linear taper, or a measuring step too
    /// coarse for the intended cut.
    fn why_text(&self, prev: i128, linear: bool) -> Value {
        let Cuts {
            input,
            s,
            d0,
            limit,
            r,
            ru,
            rp,
            ..
        } = *self;
        if linear {
            Value::said(
                "why_linear",
                vec![
                    ("r", Value::number(r)),
                    (
                        "amount",
                        Value::Amount(input.unit, Dec::new(d0 * ru, s + r.scale + 2)),
                    ),
                    (
                        "percent",
                        Value::Number(percent_text(d0 * ru, prev * rp * 100, |_, _| true)),
                    ),
                ],
            )
        } else {
            let intended = match input.mode {
                Mode::Previous => format!("{r}"),
                Mode::Initial => percent_text(d0 * ru, prev * rp * 100, shown_at_most(limit)),
            };
            Value::said(
                "why_coarse",
                vec![
                    ("q", Value::Amount(input.unit, input.step)),
                    ("intended", Value::Number(intended)),
                ],
            )
        }
    }

    /// The hold that brings step `i`'s average cut per interval back within the rate it aims
    /// at, in words, and the hold itself; `None` when it would pass the 365 days a hold allows.
    fn hold_advice(
        &self,
        i: usize,
        prev: i128,
        d: i128,
        given: u32,
        linear: bool,
    ) -> (Value, Option<Hold>) {
        let Cuts { k, .. } = *self;
        let (a, b, rate, avg) = self.aim(prev, d, linear);
        let intervals = (a + b - 1) / b;
        let days = (intervals - 1) * k;
        if days <= 365 {
            let mut values = vec![("days", Value::plain(days))];
            if given != 0 {
                values.push(("given", Value::plain(given)));
            }
            values.extend([
                ("intervals", Value::plain(intervals)),
                ("k", Value::plain(k)),
                (
                    "average",
                    Value::Number(percent_text(prev - d, prev * intervals, avg)),
                ),
                ("rate", rate),
            ]);
            let key = if given == 0 { "hold" } else { "hold_instead" };
            (
                Value::said(key, values),
                Some(Hold {
                    step: i as u32,
                    days: days as u32,
                }),
            )
        } else {
            let other = if linear {
                "no_hold_linear"
            } else {
                "no_hold_coarse"
            };
            (
                Value::said(
                    "no_hold",
                    vec![
                        ("rate", rate),
                        ("k", Value::plain(k)),
                        ("days", Value::plain(days)),
                        ("other", Value::said(other, vec![])),
                    ],
                ),
                None,
            )
        }
    }

    /// The rate the hold aims at, and c divided by it as a fraction a / b: `(a, b, the rate in
    /// words, how the average cut is shown against it)`.
    fn aim(
        &self,
        prev: i128,
        d: i128,
        linear: bool,
    ) -> (i128, i128, Value, impl Fn(i128, u32) -> bool) {
        let Cuts {
            input,
            d0,
            limit,
            r,
            lu,
            lp,
            ru,
            rp,
            ..
        } = *self;
        match (input.mode, linear) {
            (Mode::Previous, _) => (
                (prev - d) * 100 * rp,
                prev * ru,
                Value::said("rate_intended", vec![("percent", Value::number(r))]),
                shown_at_most(r),
            ),
            // The step's intended cut is the fixed D0 * r/100: c over it is the amount cut
            // over the amount intended.
            (Mode::Initial, false) => (
                (prev - d) * 100 * rp,
                d0 * ru,
                Value::said(
                    "rate_intended",
                    vec![(
                        "percent",
                        Value::Number(percent_text(d0 * ru, prev * rp * 100, |_, _| true)),
                    )],
                ),
                shown_at_most(Dec::from_int(100)),
            ),
            (Mode::Initial, true) => (
                (prev - d) * 100 * lp,
                prev * lu,
                Value::said("rate_limit", vec![("limit", Value::number(limit))]),
                shown_at_most(limit),
            ),
        }
    }

    /// The one warning for a reduction above the limit, naming the steps `above` (step, prev,
    /// d) it made cut more than the limit and the largest of them; `None` when there are none.
    fn above_limit(&self, above: &[(usize, i128, i128)]) -> Option<Warning> {
        let Cuts {
            input, limit, r, ..
        } = *self;
        // The largest cut: compare (prev - d) / prev exactly.
        let &(j, prev, d) = above
            .iter()
            .max_by(|x, y| ((x.1 - x.2) * y.1).cmp(&((y.1 - y.2) * x.1)))?;
        let how = match input.mode {
            Mode::Previous => "of_previous",
            Mode::Initial => "of_start",
        };
        let steps: Vec<usize> = above.iter().map(|a| a.0).collect();
        let n = steps.len();
        let said = Said::new(
            if n == 1 {
                "above_limit_one"
            } else {
                "above_limit_other"
            },
            vec![
                ("r", Value::number(r)),
                ("how", Value::said(how, vec![])),
                ("limit", Value::number(limit)),
                ("n", Value::plain(n)),
                ("steps", Value::Plain(step_ranges(&steps))),
                (
                    "largest",
                    Value::Number(percent_text(prev - d, prev, shown_above(limit))),
                ),
                ("at", Value::plain(j)),
            ],
        );
        Some(Warning::new(None, Cause::AboveLimit, said, None))
    }
}

/// The warnings about the end and the length of a schedule that stops on `stop`.
pub(super) fn end_warnings(input: &TaperInput, steps: &[Step], stop: Date) -> Vec<Warning> {
    let mut out = Vec::new();
    if steps.len() == 1 {
        let said = Said::new(
            "stops_at_once",
            vec![("min", Value::Amount(input.unit, input.min_dose))],
        );
        out.push(Warning::new(None, Cause::StopsAtOnce, said, None));
    } else if let Some(last) = steps.iter().rev().nth(1) {
        // The step to zero is never checked against the rate: a high last dose stops abruptly,
        // also when the lowest dose before stopping is why (warned by design).
        let (max, why) = match input.limits.as_ref().and_then(|p| p.max_final_dose) {
            Some(m) => (m, "final_page_limit"),
            None => (input.step.mul_int(2), "final_twice_step"),
        };
        if last.daily_dose > max {
            let said = Said::new(
                "final_stop",
                vec![
                    ("step", Value::plain(last.step)),
                    ("last", Value::Amount(input.unit, last.daily_dose)),
                    ("max", Value::Amount(input.unit, max)),
                    ("why", Value::said(why, vec![])),
                ],
            );
            out.push(Warning::new(Some(last.step), Cause::FinalStop, said, None));
        }
    }
    let total_days = input.start.days_until(stop);
    if total_days > 365 {
        let said = Said::new(
            "long_taper",
            vec![
                ("days", Value::plain(total_days)),
                ("stop", Value::plain(stop)),
            ],
        );
        out.push(Warning::new(None, Cause::LongTaper, said, None));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taper::testutil::*;
    use crate::taper::*;
    use proptest::prelude::*;

    #[test]
    fn a_high_last_dose_before_stopping_is_warned() {
        // 20 g with a lowest dose of 10 g: the last step is 10.5 g, then nothing.
        let mut inp = input("20", "10", 7, "0.5", 3);
        inp.min_dose = d("10");
        let s = schedule(&inp).unwrap();
        let last = &s.steps[s.steps.len() - 2];
        assert_eq!(last.daily_dose, d("10.5"));
        assert!(
            s.warnings.iter().any(|w| w.text.starts_with(&format!(
                "step {}: the last dose before stopping is 10.5 g, more than 1 g (twice the smallest measurable amount)",
                last.step
            ))),
            "{:?}",
            s.warnings
        );
        let w = s
            .warnings
            .iter()
            .find(|w| w.cause == Cause::FinalStop)
            .unwrap();
        assert_eq!((w.step, w.hold), (Some(last.step), None));
        assert!(
            w.text.contains("a hold only lengthens this step"),
            "{}",
            w.text
        );
        // The usual ending (0.5 g, then stop) is not warned of.
        let s = schedule(&input("20", "10", 7, "0.5", 3)).unwrap();
        assert!(
            !s.warnings.iter().any(|w| w.text.contains("last dose")),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn stopping_at_once_warns() {
        let mut inp = input("2", "10", 7, "0.5", 1);
        inp.min_dose = d("5");
        let s = schedule(&inp).unwrap();
        assert_eq!(s.steps.len(), 1);
        assert!(
            s.warnings[0].text.contains("stops at once"),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn long_tapers_warn() {
        let s = schedule(&input("100", "2", 14, "0.5", 1)).unwrap();
        assert!(
            s.warnings
                .iter()
                .any(|w| w.text.contains("more than a year")),
            "{:?}",
            s.warnings
        );
    }

    fn causes(s: &Schedule) -> Vec<(Option<u32>, Cause, Option<Hold>)> {
        s.warnings
            .iter()
            .map(|w| (w.step, w.cause, w.hold))
            .collect()
    }

    #[test]
    fn a_coarse_measuring_step_is_named_with_its_hold() {
        // The worked example: 1.5 g to 1 g is 33.3% and 1 g to 0.5 g 50%, with r = 10%.
        let s = schedule(&input("20", "10", 7, "0.5", 3)).unwrap();
        assert_eq!(
            causes(&s),
            [
                (
                    Some(22),
                    Cause::CoarseStep,
                    Some(Hold { step: 22, days: 21 })
                ),
                (
                    Some(23),
                    Cause::CoarseStep,
                    Some(Hold { step: 23, days: 28 })
                ),
            ]
        );
        assert_eq!(
            s.warnings[0].text,
            "step 22: 1.5 g to 1 g is a cut of 33.3%, more than 25%: the smallest measurable amount (0.5 g) is too coarse at this dose for the intended cut of 10%; holding this step 21 days longer (4 intervals of 7 days) brings its average cut back to 8.3% per 7 days, within the intended 10%"
        );
        // In mode initial the intended cut is the fixed amount: 0.5 g cut as 1 g, twice it.
        let mut inp = input("10", "5", 7, "1", 1);
        inp.mode = Mode::Initial;
        let s = schedule(&inp).unwrap();
        let w = &s.warnings[0];
        assert_eq!((w.step, w.cause), (Some(8), Cause::CoarseStep));
        assert!(
            w.text.starts_with("step 8: 3 g to 2 g is a cut of 33.3%, more than 25%: the smallest measurable amount (1 g) is too coarse at this dose for the intended cut of 16.7%"),
            "{}",
            w.text
        );
        assert_eq!(w.hold, Some(Hold { step: 8, days: 7 }));
    }

    #[test]
    fn the_hold_is_ceil_c_over_r_minus_one_intervals() {
        // r = 10, c = 33.3%, k = 7: ceil(3.33) - 1 = 3 intervals, 21 days.
        let s = schedule(&input("20", "10", 7, "0.5", 3)).unwrap();
        assert_eq!(s.steps[21].change_percent, -33);
        assert_eq!(s.warnings[0].hold, Some(Hold { step: 22, days: 21 }));
        // c = 50% exactly is 5 r: 4 intervals more, and then no more than r.
        assert_eq!(s.warnings[1].hold, Some(Hold { step: 23, days: 28 }));
        // Applied, they remove their warnings and move only the dates.
        let mut again = s.input.clone();
        again.holds = s.holds_with_suggestions();
        let s2 = schedule(&again).unwrap();
        assert!(s2.warnings.is_empty(), "{:?}", s2.warnings);
        assert_eq!(s2.steps[21].end, Some(date("2027-05-24")));
        // A held step is judged by its average cut: 33.3% over two intervals is 16.7%.
        let mut held = s.input.clone();
        held.holds = vec![Hold { step: 22, days: 7 }, Hold { step: 23, days: 3 }];
        let s3 = schedule(&held).unwrap();
        assert_eq!(
            causes(&s3),
            [(
                Some(23),
                Cause::CoarseStep,
                Some(Hold { step: 23, days: 28 })
            )]
        );
        assert!(
            s3.warnings[0].text.starts_with("step 23: 1 g to 0.5 g is a cut of 50.0%, held 3 days longer: 35.0% per 7 days, more than 25%"),
            "{}",
            s3.warnings[0].text
        );
        assert!(s3.warnings[0]
            .text
            .contains("28 days longer, in place of the 3 given"));
        assert_eq!(
            s3.holds_with_suggestions(),
            [Hold { step: 22, days: 7 }, Hold { step: 23, days: 28 }]
        );
    }

    #[test]
    fn a_cut_just_above_the_limit_shows_its_decimal() {
        // 39.5 g to 29.5 g is 25.3%, not "25%, more than 25%".
        let s = schedule(&input("39.5", "25", 7, "0.5", 1)).unwrap();
        assert!(
            s.warnings[0]
                .text
                .starts_with("step 1: 39.5 g to 29.5 g is a cut of 25.3%, more than 25%: the smallest measurable amount (0.5 g) is too coarse"),
            "{}",
            s.warnings[0].text
        );
        assert_eq!(s.warnings[0].cause, Cause::CoarseStep);
        // One decimal, halves away from zero; more only to tell a cut from the limit.
        assert_eq!(percent_text(1225, 10000, |_, _| true), "12.3");
        assert_eq!(percent_text(1, 3, |_, _| true), "33.3");
        assert_eq!(percent_text(2504, 10000, shown_above(d("25"))), "25.04");
        assert_eq!(percent_text(25001, 100000, shown_above(d("25"))), "25.001");
        assert_eq!(percent_text(1, 8, shown_above(d("12.4"))), "12.5");
    }

    #[test]
    fn a_reduction_above_the_limit_is_one_warning_without_a_hold() {
        let s = schedule(&input("20", "30", 7, "0.5", 3)).unwrap();
        assert_eq!(causes(&s), [(None, Cause::AboveLimit, None)]);
        assert_eq!(
            s.warnings[0].text,
            "the reduction of 30% of the previous dose per step is above the limit of 25% per step: 8 steps cut more than 25% (steps 1-6, 9-10; the largest, 50.0%, at step 10); no hold brings a cut within the limit when the rate itself is above it: lower the reduction to at most 25%"
        );
        assert!(s.suggested_holds().is_empty());
    }

    #[test]
    fn a_linear_taper_is_named_and_held_back_to_the_limit() {
        // 10 g less 2 g a step: 6 g to 4 g is 33.3%, 4 g to 2 g 50%.
        let mut inp = input("10", "20", 7, "0.5", 1);
        inp.mode = Mode::Initial;
        let s = schedule(&inp).unwrap();
        assert_eq!(
            causes(&s),
            [
                (Some(3), Cause::Linear, Some(Hold { step: 3, days: 7 })),
                (Some(4), Cause::Linear, Some(Hold { step: 4, days: 7 })),
                (Some(4), Cause::FinalStop, None),
            ]
        );
        assert_eq!(
            s.warnings[0].text,
            "step 3: 6 g to 4 g is a cut of 33.3%, more than 25%: a linear taper (mode initial) cuts 20% of the start dose (2 g) every step, a growing share of a falling dose: here 33.3%; holding this step 7 days longer (2 intervals of 7 days) brings its average cut back to 16.7% per 7 days, within the limit of 25%"
        );
    }

    #[test]
    fn a_hold_that_would_pass_a_year_is_not_suggested_and_says_so() {
        let s = schedule(&input("1.5", "0.5", 7, "0.5", 1)).unwrap();
        assert_eq!(s.warnings[0].cause, Cause::CoarseStep);
        assert_eq!(s.warnings[0].hold, None);
        assert!(
            s.warnings[0]
                .text
                .ends_with("would take a hold of 462 days, more than the 365 a hold allows: a smaller smallest measurable amount, if the patient can measure it, makes this cut smaller"),
            "{}",
            s.warnings[0].text
        );
    }

    #[test]
    fn warnings_are_said_in_the_handouts_language() {
        let es = crate::i18n::Strings::builtin("es");
        let s = schedule(&input("20", "10", 7, "0.5", 3)).unwrap();
        assert_eq!(
            s.warnings[0].said.render(&es),
            "paso 22: pasar de 1,5 g a 1 g es una reducción del 33,3%, más del 25%: la cantidad más pequeña que se puede medir (0,5 g) es demasiado grande a esta dosis para la reducción prevista del 10%; prolongar este paso 21 días más (4 intervalos de 7 días) devuelve su reducción media al 8,3% cada 7 días, dentro del 10% previsto"
        );
        let s = schedule(&input("20", "30", 7, "0.5", 3)).unwrap();
        assert!(
            s.warnings[0].said.render(&es).starts_with(
                "la reducción del 30% de la dosis anterior por paso supera el límite del 25% por paso: 8 pasos reducen más del 25% (pasos 1-6, 9-10; la mayor reducción, del 50,0%, en el paso 10)"
            ),
            "{}",
            s.warnings[0].said.render(&es)
        );
        let mut inp = input("2", "10", 7, "0.5", 1);
        inp.unit = Unit::Tablets;
        inp.min_dose = d("5");
        let s = schedule(&inp).unwrap();
        assert!(
            s.warnings[0]
                .said
                .render(&es)
                .contains("antes de dejarlo (5 tabletas)"),
            "{}",
            s.warnings[0].said.render(&es)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn suggested_holds_remove_their_warnings(
            (inp, limit) in (arb_input(), prop::sample::select(vec!["5", "10", "12.5", "25", "33.3", "50"]))
        ) {
            let mut inp = inp;
            inp.max_step_percent = d(limit);
            let Ok(s) = schedule(&inp) else { return Ok(()) };
            let rate_above = inp.reduction_percent > inp.max_step_percent;
            let en = crate::i18n::Strings::english();
            for w in &s.warnings {
                // The English strings table says each warning as the command line does.
                prop_assert_eq!(w.said.render(&en), w.text.clone());
                match w.cause {
                    Cause::CoarseStep | Cause::Linear => {
                        prop_assert!(!rate_above, "{}", w.text);
                        prop_assert!(w.step.is_some());
                        if w.hold.is_none() {
                            prop_assert!(w.text.contains("more than the 365 a hold allows"), "{}", w.text);
                        }
                    }
                    Cause::AboveLimit => prop_assert!(rate_above && w.hold.is_none()),
                    _ => prop_assert!(w.hold.is_none()),
                }
                if w.cause == Cause::Linear {
                    prop_assert_eq!(inp.mode, Mode::Initial);
                }
                prop_assert_eq!(w.hold.map(|h| h.step), w.hold.and(w.step));
            }
            let suggested = s.suggested_holds();
            if suggested.is_empty() {
                return Ok(());
            }
            let mut again = inp.clone();
            again.holds = s.holds_with_suggestions();
            let s2 = schedule(&again).unwrap();
            // The same doses; only the dates move.
            let doses = |s: &Schedule| s.steps.iter().map(|st| st.daily_dose).collect::<Vec<_>>();
            prop_assert_eq!(doses(&s2), doses(&s));
            let k = Dec::from_int(inp.interval_days as i64);
            for h in &suggested {
                let i = h.step as usize - 1;
                let prev = if i == 0 { inp.start_dose } else { s.steps[i - 1].daily_dose };
                let d = s.steps[i].daily_dose;
                // The average cut per interval, c * k / (k + h), exactly: within the limit, and
                // in mode previous within r. cut * 100 * k <= rate * prev * (k + h).
                let sc = prev.scale.max(d.scale);
                let cut = prev.at_scale(sc) - d.at_scale(sc);
                let p = prev.at_scale(sc);
                let within = |rate: Dec| {
                    cut * 100 * k.units * 10i128.pow(rate.scale)
                        <= rate.units * p * (k.units + h.days as i128)
                };
                prop_assert!(within(inp.max_step_percent), "step {}", h.step);
                if inp.mode == Mode::Previous {
                    prop_assert!(within(inp.reduction_percent), "step {}", h.step);
                }
                prop_assert!(
                    !s2.warnings.iter().any(|w| w.step == Some(h.step)
                        && matches!(w.cause, Cause::CoarseStep | Cause::Linear)),
                    "{:?}", s2.warnings
                );
            }
        }
    }
}
