//! Inputs the taper tests share.

use proptest::prelude::*;

use super::{Dec, Hold, Mode, PageTaper, TaperInput, Unit};
use crate::types::Date;

pub(super) fn d(s: &str) -> Dec {
    s.parse().unwrap()
}

pub(super) fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

pub(super) fn input(d0: &str, r: &str, k: u32, q: &str, n: u32) -> TaperInput {
    TaperInput {
        unit: Unit::G,
        substance: None,
        start_dose: d(d0),
        reduction_percent: d(r),
        interval_days: k,
        step: d(q),
        min_dose: d(q),
        doses_per_day: n,
        start: date("2026-12-01"),
        mode: Mode::Previous,
        holds: Vec::new(),
        max_step_percent: Dec::from_int(25),
        limits: None,
        defaults_applied: Vec::new(),
    }
}

pub(super) fn page() -> PageTaper {
    serde_norway::from_str(
        "substance: kratom leaf powder\nunit: g\ndose_forms: [powder]\nreduction_percent: {default: 10, max: 25}\ninterval_days: {default: 7}\nstep: {default: 0.5}\ndoses_per_day: {default: 3}\nmax_step_percent: 25\n",
    )
    .unwrap()
}

pub(super) fn arb_input() -> impl Strategy<Value = TaperInput> {
    (
        1i64..4000, // D0 in tenths
        prop::sample::select(vec!["0.1", "0.25", "0.5", "1", "2.5"]),
        1i64..=500, // r in tenths of a percent
        1u32..=30,
        1u32..=12,
        any::<bool>(),
        0i64..=20, // m in tenths
        prop::collection::vec((1u32..=40, 1u32..=14), 0..3),
    )
        .prop_filter_map("q <= D0", |(d0, q, r, k, n, initial, m, holds)| {
            let d0 = Dec::new(d0 as i128, 1);
            let q: Dec = q.parse().ok()?;
            if q > d0 {
                return None;
            }
            let mut inp = input("1", "1", k, "1", n);
            inp.start_dose = d0;
            inp.step = q;
            inp.reduction_percent = Dec::new(r as i128, 1);
            inp.min_dose = Dec::new(m as i128, 1);
            inp.mode = if initial {
                Mode::Initial
            } else {
                Mode::Previous
            };
            let mut seen = std::collections::BTreeSet::new();
            inp.holds = holds
                .into_iter()
                .filter(|h| seen.insert(h.0))
                .map(|(step, days)| Hold { step, days })
                .collect();
            Some(inp)
        })
}
