//! Turning what the clinician gave, with the page's defaults, into a complete [`TaperInput`],
//! listing every default that was filled in.

use super::field::err;
use super::validate::param_range;
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
    let mut errors = Vec::new();
    let mut applied = Vec::new();

    let unit = match (params.unit, page.map(|p| p.unit)) {
        (Some(u), Some(p)) if u != p => {
            errors.push(err(
                Field::Unit,
                format!(
                    "the page doses in {p}, not {u}: leave {{unit}} out or give the dose in {p}"
                ),
            ));
            p
        }
        (Some(u), _) => u,
        (None, Some(p)) => p,
        (None, None) => {
            errors.push(err(
                Field::Unit,
                "no unit: pass {unit} (g, mg, mL or tablets) or {page} with a taper: block",
            ));
            Unit::G
        }
    };

    let start_dose = params.start_dose.unwrap_or_else(|| {
        errors.push(err(
            Field::Dose,
            "no start dose: pass {dose} with the patient's current daily dose",
        ));
        Dec::from_int(1)
    });

    let amount_suffix = format!(" {unit}");
    let mut pick = |given: Option<Dec>,
                    limit: Option<&Limit>,
                    field: Field,
                    words: &str,
                    suffix: &str,
                    builtin: Option<(Dec, String)>|
     -> Option<Dec> {
        if let Some(v) = given {
            return Some(v);
        }
        if let Some(d) = limit.and_then(|l| l.default) {
            applied.push(format!("{words}: {d}{suffix} (the page's default)"));
            return Some(d);
        }
        if let Some((d, why)) = builtin {
            applied.push(format!("{words}: {d}{suffix} ({why})"));
            return Some(d);
        }
        errors.push(err(
            field,
            format!(
                "no {words}: pass {{{}}} (the page sets no default)",
                field.id()
            ),
        ));
        None
    };

    let r = pick(
        params.reduction_percent,
        page.map(|p| &p.reduction_percent),
        Field::ReductionPercent,
        "reduction percent",
        "%",
        None,
    );
    let k = pick(
        params.interval_days,
        page.map(|p| &p.interval_days),
        Field::IntervalDays,
        "days per step",
        "",
        None,
    );
    let q = pick(
        params.step,
        page.map(|p| &p.step),
        Field::Step,
        "smallest measurable amount",
        &amount_suffix,
        None,
    );
    let m = pick(
        params.min_dose,
        page.map(|p| &p.min_dose),
        Field::MinDose,
        "lowest dose before stopping",
        &amount_suffix,
        q.map(|q| (q, "the smallest measurable amount".to_string())),
    );
    let n = pick(
        params.doses_per_day,
        page.map(|p| &p.doses_per_day),
        Field::DosesPerDay,
        "doses per day",
        "",
        Some((Dec::from_int(1), "built-in default".to_string())),
    );
    let start = params.start.unwrap_or_else(|| {
        applied.push(format!("start date: {today} (today)"));
        today
    });
    let mode = params.mode.unwrap_or_else(|| {
        applied.push("mode: previous (each cut is a percent of the previous dose)".to_string());
        Mode::Previous
    });
    let max_step_percent = match (
        params.max_step_percent,
        page.and_then(|p| p.max_step_percent),
    ) {
        (Some(v), _) => v,
        (None, Some(v)) => {
            applied.push(format!(
                "warn above a cut per step of: {v}% (the page's limit)"
            ));
            v
        }
        (None, None) => {
            let v = Dec::from_int(BUILTIN_MAX_STEP_PERCENT as i64);
            applied.push(format!(
                "warn above a cut per step of: {v}% (built-in default)"
            ));
            v
        }
    };
    if !max_step_percent.is_positive() || max_step_percent > Dec::from_int(100) {
        errors.push(err(
            Field::MaxStepPercent,
            format!("{max_step_percent} is not a percent between 0 and 100"),
        ));
    }

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
    // k and n were given as decimals: check their shape with the exact value.
    if let Err(e) = param_range("interval_days", k) {
        errors.push(err(Field::IntervalDays, e));
    }
    if let Err(e) = param_range("doses_per_day", n) {
        errors.push(err(Field::DosesPerDay, e));
    }
    errors.extend(input.validate().into_iter().filter(|e| {
        !(matches!(e.field, Field::IntervalDays | Field::DosesPerDay)
            && (k.as_integer().is_none() || n.as_integer().is_none()))
    }));
    if errors.is_empty() {
        Ok(input)
    } else {
        errors.dedup();
        Err(errors)
    }
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
        let all = inp.defaults_applied.join("\n");
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
