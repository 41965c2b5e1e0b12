//! Turning what the clinician gave, with the page's defaults, into a complete [`TaperInput`],
//! listing every default that was filled in.

use super::field::said;
use super::said::{Applied, Said, Value};
use super::validate::param_range_said;
use super::{
    Dec, Field, Limit, Mode, PageTaper, TaperError, TaperInput, TaperParams, Unit,
    BUILTIN_MAX_STEP_PERCENT,
};
use crate::types::Date;

/// Fill the gaps in `params` from the page's `taper:` block (then from the algorithm's own
/// defaults), recording each one, and check everything. `today` is the start date when none is
/// given (the caller reads the clock, so this stays pure).
pub fn resolve(
    params: &TaperParams,
    page: Option<&PageTaper>,
    today: Date,
) -> Result<TaperInput, Vec<TaperError>> {
    let mut gaps = Gaps::default();
    let unit = gaps.unit(params.unit, page);
    let start_dose = gaps.start_dose(params.start_dose);
    let Picked { r, k, q, m, n } = gaps.parameters(params, page, unit);
    let start = params.start.unwrap_or_else(|| {
        gaps.applied.push(Applied::new(Said::new(
            "default_start",
            vec![("date", Value::plain(today))],
        )));
        today
    });
    let mode = params.mode.unwrap_or_else(|| {
        gaps.applied
            .push(Applied::new(Said::new("default_mode", vec![])));
        Mode::Previous
    });
    let max_step_percent = gaps.max_step_percent(params.max_step_percent, page);
    let Gaps {
        mut errors,
        applied,
    } = gaps;

    if q.is_none() {
        // The lowest dose defaults to q: one message about q is enough.
        errors.retain(|e| e.field != Field::MinDose);
    }
    let (Some(r), Some(k), Some(q), Some(m), Some(n)) = (r, k, q, m, n) else {
        return Err(errors);
    };
    let input = TaperInput {
        unit,
        substance: page.map(|p| p.substance.clone()),
        start_dose,
        reduction_percent: r,
        interval_days: k
            .as_integer()
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0),
        step: q,
        min_dose: m,
        doses_per_day: n
            .as_integer()
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0),
        start,
        mode,
        holds: params.holds.clone(),
        max_step_percent,
        limits: page.cloned(),
        defaults_applied: applied,
    };
    errors.extend(checked(&input, k, n));
    if errors.is_empty() {
        Ok(input)
    } else {
        errors.dedup();
        Err(errors)
    }
}

/// The problems with a complete input whose days per step `k` and doses per day `n` were given
/// as decimals: their shape is checked with the exact value, and the input's own checks on them
/// are left out when either is not whole (the input holds 0 for it).
fn checked(input: &TaperInput, k: Dec, n: Dec) -> Vec<TaperError> {
    let mut errors = Vec::new();
    if let Err(e) = param_range_said("interval_days", k) {
        errors.push(TaperError::said(Field::IntervalDays, e));
    }
    if let Err(e) = param_range_said("doses_per_day", n) {
        errors.push(TaperError::said(Field::DosesPerDay, e));
    }
    errors.extend(input.validate().into_iter().filter(|e| {
        !(matches!(e.field, Field::IntervalDays | Field::DosesPerDay)
            && (k.as_integer().is_none() || n.as_integer().is_none()))
    }));
    errors
}

/// The five parameters a page's block can default: r, k, q, m and n, given or filled in; `None`
/// when neither the clinician nor the page gave one (an error is then recorded).
struct Picked {
    r: Option<Dec>,
    k: Option<Dec>,
    q: Option<Dec>,
    m: Option<Dec>,
    n: Option<Dec>,
}

/// What filling the gaps found, in the order found: the problems, and every default that was
/// filled in, in words.
#[derive(Default)]
struct Gaps {
    errors: Vec<TaperError>,
    applied: Vec<Applied>,
}

impl Gaps {
    /// The unit given, or the page's; the page's when the two differ (with an error).
    fn unit(&mut self, given: Option<Unit>, page: Option<&PageTaper>) -> Unit {
        match (given, page.map(|p| p.unit)) {
            (Some(u), Some(p)) if u != p => {
                // `{unit}` in the wording is the field's label, not a value.
                self.errors.push(said(
                    Field::Unit,
                    "check_unit_mismatch",
                    vec![("page_unit", Value::Unit(p)), ("given", Value::Unit(u))],
                ));
                p
            }
            (Some(u), _) => u,
            (None, Some(p)) => p,
            (None, None) => {
                self.errors.push(said(Field::Unit, "check_no_unit", vec![]));
                Unit::G
            }
        }
    }

    /// The start dose given; it is never defaulted (a stand-in goes with the error).
    fn start_dose(&mut self, given: Option<Dec>) -> Dec {
        given.unwrap_or_else(|| {
            self.errors.push(said(Field::Dose, "check_no_dose", vec![]));
            Dec::from_int(1)
        })
    }

    /// r, k, q, m and n, each given, or the page's default, or a built-in one.
    fn parameters(&mut self, params: &TaperParams, page: Option<&PageTaper>, unit: Unit) -> Picked {
        let r = self.pick(
            params.reduction_percent,
            page.map(|p| &p.reduction_percent),
            Field::ReductionPercent,
            Suffix::Percent,
            None,
        );
        let k = self.pick(
            params.interval_days,
            page.map(|p| &p.interval_days),
            Field::IntervalDays,
            Suffix::None,
            None,
        );
        let q = self.pick(
            params.step,
            page.map(|p| &p.step),
            Field::Step,
            Suffix::Unit(unit),
            None,
        );
        let m = self.pick(
            params.min_dose,
            page.map(|p| &p.min_dose),
            Field::MinDose,
            Suffix::Unit(unit),
            q.map(|q| (q, "why_step")),
        );
        let n = self.pick(
            params.doses_per_day,
            page.map(|p| &p.doses_per_day),
            Field::DosesPerDay,
            Suffix::None,
            Some((Dec::from_int(1), "why_builtin")),
        );
        Picked { r, k, q, m, n }
    }

    /// One parameter: the value given, or the page's default, or `builtin` (each default
    /// recorded), or an error naming the field.
    fn pick(
        &mut self,
        given: Option<Dec>,
        limit: Option<&Limit>,
        field: Field,
        suffix: Suffix,
        builtin: Option<(Dec, &'static str)>,
    ) -> Option<Dec> {
        if let Some(v) = given {
            return Some(v);
        }
        // The field's name in words: `reduction percent`.
        let words = Said::new(field.id(), vec![]);
        let applied = |d: Dec, why: &'static str| {
            let mut values = vec![
                ("what", Value::Said(Box::new(words.clone()))),
                ("value", Value::number(d)),
                ("why", Value::said(why, vec![])),
            ];
            let key = match suffix {
                Suffix::Percent => "default_percent",
                Suffix::None => "default_number",
                Suffix::Unit(u) => {
                    values.push(("unit", Value::Unit(u)));
                    "default_amount"
                }
            };
            Applied::new(Said::new(key, values))
        };
        if let Some(d) = limit.and_then(|l| l.default) {
            self.applied.push(applied(d, "why_page_default"));
            return Some(d);
        }
        if let Some((d, why)) = builtin {
            self.applied.push(applied(d, why));
            return Some(d);
        }
        // The field's token goes in as a value: its label replaces it after rendering.
        self.errors.push(said(
            field,
            "check_no_value",
            vec![
                ("what", Value::Said(Box::new(words))),
                ("field", Value::plain(format!("{{{}}}", field.id()))),
            ],
        ));
        None
    }

    /// The cut per step above which to warn: given, or the page's, or the built-in one; an
    /// error when it is no percent.
    fn max_step_percent(&mut self, given: Option<Dec>, page: Option<&PageTaper>) -> Dec {
        let max_step_percent = match (given, page.and_then(|p| p.max_step_percent)) {
            (Some(v), _) => v,
            (None, Some(v)) => {
                self.applied.push(max_step_default(v, "why_page_limit"));
                v
            }
            (None, None) => {
                let v = Dec::from_int(BUILTIN_MAX_STEP_PERCENT as i64);
                self.applied.push(max_step_default(v, "why_builtin"));
                v
            }
        };
        if !max_step_percent.is_positive() || max_step_percent > Dec::from_int(100) {
            self.errors.push(said(
                Field::MaxStepPercent,
                "check_max_step_percent",
                vec![("v", Value::number(max_step_percent))],
            ));
        }
        max_step_percent
    }
}

/// What follows a default's value in words: a percent sign, nothing, or the unit.
#[derive(Clone, Copy)]
enum Suffix {
    Percent,
    None,
    Unit(Unit),
}

/// The note for the limit per step filled in.
fn max_step_default(v: Dec, why: &'static str) -> Applied {
    Applied::new(Said::new(
        "default_max_step",
        vec![
            ("value", Value::number(v)),
            ("why", Value::said(why, vec![])),
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taper::testutil::*;
    use crate::taper::*;

    #[test]
    fn page_defaults_are_applied_and_listed() {
        let p = TaperParams {
            start_dose: Some(d("20")),
            start: Some(date("2026-12-01")),
            ..Default::default()
        };
        let inp = resolve(&p, Some(&page()), date("2026-11-26")).unwrap();
        assert_eq!(inp.reduction_percent, d("10"));
        assert_eq!(inp.step, d("0.5"));
        assert_eq!(inp.min_dose, d("0.5"));
        assert_eq!(inp.doses_per_day, 3);
        let all: Vec<&str> = inp
            .defaults_applied
            .iter()
            .map(|a| a.text.as_str())
            .collect();
        let all = all.join("\n");
        assert!(
            all.contains("reduction percent: 10% (the page's default)"),
            "{all}"
        );
        assert!(
            all.contains("lowest dose before stopping: 0.5 g (the smallest measurable amount)"),
            "{all}"
        );
        assert!(all.contains("mode: previous"), "{all}");
        assert!(!all.contains("start date"), "{all}");
        let s = schedule(&inp).unwrap();
        assert_eq!(s.steps.len(), 24);
    }

    #[test]
    fn the_defaults_are_said_in_the_handouts_language() {
        let p = TaperParams {
            start_dose: Some(d("20")),
            ..Default::default()
        };
        let inp = resolve(&p, Some(&page()), date("2026-11-26")).unwrap();
        let (en, es) = (
            crate::i18n::Strings::english(),
            crate::i18n::Strings::builtin("es"),
        );
        for a in &inp.defaults_applied {
            assert_eq!(a.said.render(&en), a.text);
        }
        let said: Vec<String> = inp
            .defaults_applied
            .iter()
            .map(|a| a.said.render(&es))
            .collect();
        assert!(
            said.contains(&"cantidad más pequeña que se puede medir: 0,5 g (el valor por defecto de la página)".to_string()),
            "{said:?}"
        );
        assert!(
            said.contains(&"fecha de inicio: 2026-11-26 (hoy)".to_string()),
            "{said:?}"
        );
    }

    #[test]
    fn page_limits_are_enforced() {
        let p = TaperParams {
            start_dose: Some(d("20")),
            reduction_percent: Some(d("30")),
            ..Default::default()
        };
        let e = resolve(&p, Some(&page()), date("2026-11-26")).unwrap_err();
        assert!(
            e.iter()
                .any(|e| e.message == "30% is above the page's limit of 25%"),
            "{e:?}"
        );
        let p = TaperParams {
            start_dose: Some(d("20")),
            unit: Some(Unit::Mg),
            ..Default::default()
        };
        let e = resolve(&p, Some(&page()), date("2026-11-26")).unwrap_err();
        assert!(e.iter().any(|e| e.field == Field::Unit), "{e:?}");
    }

    #[test]
    fn missing_values_without_a_page_are_errors_not_guesses() {
        let p = TaperParams {
            unit: Some(Unit::G),
            start_dose: Some(d("20")),
            ..Default::default()
        };
        let e = resolve(&p, None, date("2026-11-26")).unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [Field::ReductionPercent, Field::IntervalDays, Field::Step]
        );
        let p = TaperParams {
            unit: Some(Unit::G),
            start_dose: Some(d("20")),
            reduction_percent: Some(d("10")),
            interval_days: Some(d("1.5")),
            step: Some(d("0.5")),
            ..Default::default()
        };
        let e = resolve(&p, None, date("2026-11-26")).unwrap_err();
        assert!(
            e.iter()
                .any(|e| e.field == Field::IntervalDays && e.message.contains("whole number")),
            "{e:?}"
        );
    }
}
